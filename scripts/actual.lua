-- wrk script: an actual cross-origin GET from an allowed origin.
wrk.method = "GET"
wrk.headers["Origin"] = "https://app.example.com"
