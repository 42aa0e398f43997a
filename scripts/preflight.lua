-- wrk script: a CORS preflight for GET with two request headers.
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "https://app.example.com"
wrk.headers["Access-Control-Request-Method"] = "GET"
wrk.headers["Access-Control-Request-Headers"] = "authorization,content-type"
