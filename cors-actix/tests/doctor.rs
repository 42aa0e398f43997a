//! `cors-doctor` against real servers on loopback: a deliberately broken one
//! (plain and over TLS), an actix-cors App and a cors-actix App. In every case
//! the doctor's verdict is the one the oracle gives on the headers the server
//! sent, and its exit status follows the verdict.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{web, App, HttpResponse, HttpServer};
use cors_actix::{cors, Cors};
use cors_core::browser::{
    check_preflight, check_response, fetch, needs_preflight, preflight_for, BlockedKind, Browser,
    CredentialsMode, Request, Response,
};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const ORIGIN: &str = "http://app.test";

fn doctor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(args)
        .output()
        .expect("cors-doctor runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A request the broken server received: method, path, header lines, body.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(line, _)| line.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// The broken server's answers, by method and path: the classic mistakes.
fn broken_answer(request: &Received) -> String {
    let acao = format!("Access-Control-Allow-Origin: {ORIGIN}\r\n");
    let asked = request
        .header("Access-Control-Request-Headers")
        .unwrap_or_default();
    let head = match (request.method.as_str(), request.path.as_str()) {
        // Refuses a preflight that asks for `accept`.
        ("OPTIONS", "/strict-accept") if asked.contains("accept") => "403 Forbidden\r\n".into(),
        ("OPTIONS", "/strict-accept") => {
            format!("204 No Content\r\n{acao}Access-Control-Allow-Headers: x-a\r\n")
        }
        ("GET", "/strict-accept") => format!("200 OK\r\n{acao}"),
        // A session API: without its cookie, authentication answers first.
        ("GET", "/session") if request.header("Cookie") == Some("session=1") => {
            format!("200 OK\r\n{acao}Access-Control-Allow-Credentials: true\r\n")
        }
        ("GET", "/session") => "401 Unauthorized\r\n".into(),
        // A redirect with the CORS headers: the browser follows it.
        ("GET", "/moved") => "302 Found\r\nLocation: http://elsewhere.test/x\r\n\
                              Access-Control-Allow-Origin: *\r\n"
            .into(),
        // Authentication runs before CORS: the 401 has no CORS headers.
        ("GET", "/no-acao-on-401") => "401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n".into(),
        // The wildcard, with credentials allowed.
        (_, "/wildcard") => "200 OK\r\nAccess-Control-Allow-Origin: *\r\n\
                             Access-Control-Allow-Credentials: true\r\n"
            .into(),
        // The preflight forgets a header the page sends.
        ("OPTIONS", "/missing-header") => format!(
            "204 No Content\r\n{acao}Access-Control-Allow-Methods: GET, PUT\r\n\
             Access-Control-Allow-Headers: content-type\r\n"
        ),
        // The preflight is redirected (a trailing slash added).
        ("OPTIONS", "/redirect") => {
            format!("308 Permanent Redirect\r\nLocation: /redirect/\r\n{acao}")
        }
        // Two layers each add the origin.
        ("GET", "/duplicated") => format!("200 OK\r\n{acao}{acao}"),
        // Everything right, and a long Max-Age.
        ("OPTIONS", "/fine") => format!(
            "204 No Content\r\n{acao}Access-Control-Allow-Methods: PUT\r\n\
             Access-Control-Allow-Headers: content-type, authorization\r\n\
             Access-Control-Allow-Credentials: true\r\nAccess-Control-Max-Age: 86400\r\n"
        ),
        (_, "/fine") => format!(
            "200 OK\r\n{acao}Access-Control-Allow-Credentials: true\r\nVary: Origin\r\n\
             Access-Control-Expose-Headers: X-Total-Count\r\nX-Total-Count: 3\r\nX-Secret: 1\r\n"
        ),
        _ => "404 Not Found\r\n".into(),
    };
    format!("HTTP/1.1 {head}Content-Length: 0\r\nConnection: close\r\n\r\n")
}

/// Reads one request's head and body.
fn read_request(stream: &mut impl Read) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let mut received = Received {
        method,
        path,
        headers,
        body: String::new(),
    };
    let length: usize = received
        .header("Content-Length")
        .map_or(0, |length| length.parse().unwrap_or(0));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    received.body = String::from_utf8_lossy(&body).into_owned();
    Some(received)
}

/// The broken server on a loopback port, over TLS when `tls` is given. It
/// keeps every request it received.
struct Broken {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Broken {
    fn start(tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                let tls = tls.clone();
                std::thread::spawn(move || match tls {
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve(rustls::StreamOwned::new(connection, stream), &log);
                    }
                    None => serve(stream, &log),
                });
            }
        });
        Self { port, received }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(mut stream: impl Read + Write, log: &Mutex<Vec<Received>>) {
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    if request.path == "/trickle" {
        // One byte of a header line at a time, for ever.
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nX-Slow: ");
        while stream.write_all(b"y").and_then(|()| stream.flush()).is_ok() {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        return;
    }
    let answer = broken_answer(&request);
    log.lock().unwrap().push(request);
    let _ = stream.write_all(answer.as_bytes());
    let _ = stream.flush();
}

fn tls_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/doctor");
    let certificates = CertificateDer::pem_file_iter(format!("{dir}/server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .unwrap();
    Arc::new(config)
}

/// The doctor's `--json` report of `args` (URL first), checked against the
/// oracle on the headers the report says the server sent; returns the report
/// and the exit status.
fn probe(args: &[&str]) -> (Value, i32) {
    let mut all = args.to_vec();
    all.push("--json");
    let output = doctor(&all);
    let status = output.status.code().expect("an exit status");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{error}: {}{}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_agrees_with_oracle(&report, status);
    (report, status)
}

fn lines(value: &Value) -> Vec<(String, String)> {
    value
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|line| {
                    let text = |i: usize| line[i].as_str().unwrap().to_owned();
                    (text(0), text(1))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Decides the report's case with the oracle alone and compares: the verdict
/// and refusal of every engine, and the exit status.
fn assert_agrees_with_oracle(report: &Value, status: i32) {
    let headers = lines(&report["headers"]);
    let preflight = lines(&report["preflight"]["response"]["headers"]);
    let actual = lines(&report["actual"]["response"]["headers"]);
    let preflight_status = report["preflight"]["response"]["status"].as_u64();
    let actual_status = report["actual"]["response"]["status"].as_u64();
    let mut any_blocked = false;
    for engine in report["engines"].as_array().unwrap() {
        let browser = match engine["engine"].as_str().unwrap() {
            "chromium" => Browser::Chrome,
            "firefox" => Browser::Firefox,
            _ => Browser::Safari,
        };
        let mut request = Request::new(
            report["origin"].as_str().unwrap(),
            report["method"].as_str().unwrap(),
        )
        .browser(browser);
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        if report["credentials"].as_bool().unwrap() {
            request = request.credentials(CredentialsMode::Include);
        }
        request = request.private_network(report["private_network"] == true);
        // The preflight this engine sends, when engines send different ones.
        let asked = preflight_for(&request).and_then(|preflight| preflight.request_headers);
        let other = report["other_preflights"]
            .as_array()
            .unwrap()
            .iter()
            .find(|other| other["request_headers"].as_str() == asked.as_deref());
        let other_lines = other.map(|other| lines(&other["response"]["headers"]));
        let preflight_response = match (other, &other_lines) {
            (Some(other), Some(lines)) => {
                let status = other["response"]["status"].as_u64().unwrap() as u16;
                Some(Response::from_lines(status, lines))
            }
            _ => preflight_status.map(|status| Response::from_lines(status as u16, &preflight)),
        };
        let actual_response =
            actual_status.map(|status| Response::from_lines(status as u16, &actual));
        let not_recorded = report["preflight"]["seen"] == "not_recorded";
        let local_network = fetch(&request, None, &Response::new(200))
            .err()
            .filter(|blocked| blocked.kind == BlockedKind::LocalNetworkPermission);
        let expected = match (&preflight_response, &actual_response) {
            _ if local_network.is_some() => Err(local_network.clone().unwrap()),
            // A HAR without the preflight: the actual response alone.
            (None, Some(actual)) if not_recorded => {
                check_response(&request, actual).map(|_| "allowed")
            }
            (Some(preflight), _) if needs_preflight(&request) => {
                match check_preflight(&request, preflight) {
                    Err(blocked) => Err(blocked),
                    Ok(_) => match &actual_response {
                        Some(actual) => fetch(&request, Some(preflight), actual).map(|_| "allowed"),
                        None => Ok("preflight_passed"),
                    },
                }
            }
            (_, Some(actual)) => fetch(&request, None, actual).map(|_| "allowed"),
            _ => Ok("unchecked"),
        };
        let redirect = actual_response
            .as_ref()
            .and_then(|actual| actual.redirect_location());
        let failed = report["recorded_error"] == "net::ERR_FAILED";
        let expected = match expected {
            Ok("allowed") if actual_response.is_none() => Ok("unchecked"),
            Ok("allowed") if redirect.is_some() => Ok("redirected"),
            Ok("allowed") if failed => Ok("unchecked"),
            // A HAR's request without a response, or a preflight without one.
            Ok("preflight_passed")
                if report["preflight"]["seen"] == "no_response"
                    || report["actual"]["seen"] == "no_response" =>
            {
                Ok("unchecked")
            }
            expected => expected,
        };
        match expected {
            Ok(verdict) => assert_eq!(engine["verdict"], verdict, "{report:#}"),
            Err(blocked) => {
                any_blocked = true;
                assert_eq!(engine["verdict"], "blocked", "{report:#}");
                assert_eq!(engine["blocked"]["kind"], format!("{:?}", blocked.kind));
                let console = engine["blocked"]["console"].as_str().unwrap();
                assert!(console.ends_with(&blocked.to_string()), "{console}");
            }
        }
    }
    let unchecked = report["engines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|engine| engine["verdict"] == "unchecked" || engine["verdict"] == "redirected");
    let expected_status = match (any_blocked, unchecked) {
        (true, _) => 1,
        (false, true) => 2,
        (false, false) => 0,
    };
    assert_eq!(status, expected_status, "{report:#}");
    assert_eq!(report["exit_status"], expected_status);
}

fn kind(report: &Value) -> &str {
    report["engines"][0]["blocked"]["kind"]
        .as_str()
        .unwrap_or("none")
}

#[test]
fn the_broken_server_fails_where_it_should() {
    let server = Broken::start(None);
    let cases: [(&str, &[&str], &str); 5] = [
        ("/no-acao-on-401", &[], "MissingAllowOrigin"),
        (
            "/wildcard",
            &["--credentials"],
            "WildcardOriginWithCredentials",
        ),
        (
            "/missing-header",
            &[
                "--method",
                "PUT",
                "--header",
                "content-type:application/json",
                "--header",
                "x-api-key:1",
            ],
            "HeaderNotAllowed",
        ),
        ("/redirect", &["--method", "PUT"], "PreflightRedirect"),
        ("/duplicated", &[], "MultipleAllowOrigin"),
    ];
    for (path, extra, expected) in cases {
        let url = server.url(path);
        let mut args = vec![url.as_str(), "--origin", ORIGIN];
        args.extend_from_slice(extra);
        let (report, status) = probe(&args);
        assert_eq!((kind(&report), status), (expected, 1), "{path}");
    }
    // The 401's fix speaks of error responses.
    let output = doctor(&[&server.url("/no-acao-on-401"), "--origin", ORIGIN]);
    let text = stdout(&output);
    assert!(text.contains("error responses included"), "{text}");
    assert!(text.contains("console: Access to fetch at"), "{text}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_probe_sends_what_a_browser_sends_and_never_an_unsafe_method_by_surprise() {
    let server = Broken::start(None);
    let url = server.url("/missing-header");
    let args = [
        url.as_str(),
        "--origin",
        ORIGIN,
        "--method",
        "put",
        "--header",
        "Content-Type: application/json",
        "--header",
        "X-Api-Key",
        "--header",
        "Cookie: a=1",
    ];
    probe(&args);
    let received = server.received();
    assert_eq!(received.len(), 1, "the PUT is not sent: {received:?}");
    let preflight = &received[0];
    assert_eq!(preflight.method, "OPTIONS");
    let request = Request::new(ORIGIN, "put")
        .header("Content-Type", "application/json")
        .header("X-Api-Key", "cors-doctor");
    for (name, value) in preflight_for(&request).unwrap().headers() {
        assert_eq!(preflight.header(name), Some(value), "{name}");
    }
    assert_eq!(
        preflight.header("Access-Control-Request-Method"),
        Some("PUT")
    );
    assert_eq!(preflight.header("Sec-Fetch-Mode"), Some("cors"));
    assert_eq!(preflight.header("Accept"), Some("*/*"));
    assert!(preflight
        .header("User-Agent")
        .unwrap()
        .starts_with("Mozilla/5.0"));
    for absent in ["Content-Type", "X-Api-Key", "Cookie", "Authorization"] {
        assert_eq!(preflight.header(absent), None, "{absent}");
    }

    // With --send, the actual request goes too, with the page's headers and body;
    // the forbidden `Cookie` is dropped as fetch() drops it.
    let server = Broken::start(None);
    let url = server.url("/fine");
    let (report, status) = probe(&[
        &url,
        "--origin",
        ORIGIN,
        "--method",
        "PUT",
        "--header",
        "content-type:application/json",
        "--header",
        "cookie:a=1",
        "--credentials",
        "--send",
        "--data",
        "{\"name\":\"a\"}",
    ]);
    assert_eq!(
        (report["engines"][0]["verdict"].as_str(), status),
        (Some("allowed"), 0)
    );
    let received = server.received();
    let put = received
        .iter()
        .find(|r| r.method == "PUT")
        .expect("the PUT was sent");
    assert_eq!(put.body, "{\"name\":\"a\"}");
    assert_eq!(put.header("Origin"), Some(ORIGIN));
    assert_eq!(put.header("content-type"), Some("application/json"));
    assert_eq!(put.header("Cookie"), None);
}

#[test]
fn engines_differ_in_how_long_they_cache_a_preflight() {
    let server = Broken::start(None);
    let url = server.url("/fine");
    let (report, status) = probe(&[&url, "--origin", ORIGIN, "--method", "PUT"]);
    assert_eq!(status, 0);
    let seconds: Vec<u64> = report["engines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|engine| engine["preflight_cache_seconds"].as_u64().unwrap())
        .collect();
    assert_eq!(seconds, [7200, 86_400, 600]);
    assert_eq!(report["actual"]["seen"], "not_sent");
    assert_eq!(report["engines"][0]["verdict"], "preflight_passed");

    let (report, _) = probe(&[&url, "--origin", ORIGIN, "--engine", "webkit"]);
    assert_eq!(report["engines"].as_array().unwrap().len(), 1);
    assert_eq!(report["engines"][0]["engine"], "webkit");
    // A simple GET: no preflight; what JavaScript can read.
    assert_eq!(report["preflight"]["seen"], "not_sent");
    assert_eq!(
        report["engines"][0]["readable"],
        serde_json::json!(["content-length", "x-total-count"])
    );
    assert_eq!(
        report["engines"][0]["hidden"],
        serde_json::json!(["x-secret"])
    );

    let text = stdout(&doctor(&[&url, "--origin", ORIGIN, "--method", "PUT"]));
    assert!(
        text.contains(
            "chromium 7200 s (its cap), firefox 86400 s (its cap), webkit 600 s (its cap)"
        ),
        "{text}"
    );
}

#[test]
fn https_with_resolve_and_a_private_ca() {
    let server = Broken::start(Some(tls_config()));
    let url = format!("https://api.doctor.test:{}/fine", server.port);
    let resolve = format!("api.doctor.test:{}:127.0.0.1", server.port);
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/doctor/ca.pem");
    let (report, status) = probe(&[
        &url,
        "--origin",
        ORIGIN,
        "--resolve",
        &resolve,
        "--cacert",
        ca,
    ]);
    assert_eq!(
        (report["engines"][0]["verdict"].as_str(), status),
        (Some("allowed"), 0)
    );
    assert_eq!(
        server.received()[0].header("Host"),
        Some(format!("api.doctor.test:{}", server.port).as_str())
    );

    // Without the CA the certificate is refused: a network error, exit 2.
    let output = doctor(&[&url, "--origin", ORIGIN, "--resolve", &resolve]);
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("certificate"), "{error}");
}

#[test]
fn usage_and_network_errors_exit_with_2() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/", closed.local_addr().unwrap().port());
    drop(closed);
    for args in [
        vec![url.as_str(), "--origin", ORIGIN],
        vec![url.as_str()],
        vec![url.as_str(), "--origin", "http://app.test/"],
        vec![url.as_str(), "--origin", ORIGIN, "--method", "PO ST"],
        vec!["--har", "/nonexistent.har"],
    ] {
        let output = doctor(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
    // A simple POST needs no preflight; unsent, nothing is checked: not a pass.
    let server = Broken::start(None);
    let (report, status) = {
        let output = doctor(&[
            &server.url("/fine"),
            "--origin",
            ORIGIN,
            "--method",
            "POST",
            "--json",
        ]);
        (
            serde_json::from_slice::<Value>(&output.stdout).unwrap(),
            output.status.code(),
        )
    };
    assert_eq!(
        (report["engines"][0]["verdict"].as_str(), status),
        (Some("unchecked"), Some(2))
    );
    assert!(server.received().is_empty());
}

/// An App served on a loopback port by a real `HttpServer`; its address.
fn serve_app<F, T, B>(app: F) -> String
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(app)
                .workers(1)
                .listen(listener)
                .unwrap()
                .run()
                .await
        })
    });
    // Wait until it answers.
    for _ in 0..200 {
        if TcpStream::connect(address.trim_start_matches("http://")).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    address
}

#[test]
fn an_actix_cors_app() {
    let address = serve_app(|| {
        App::new()
            .wrap(
                actix_cors::Cors::default()
                    .allowed_origin(ORIGIN)
                    .allowed_methods(["GET", "POST"])
                    .allowed_header(actix_web::http::header::CONTENT_TYPE)
                    .max_age(3600),
            )
            .route("/items", web::get().to(HttpResponse::Ok))
            .route("/items", web::put().to(HttpResponse::Ok))
    });
    let url = format!("{address}/items");
    let (report, status) = probe(&[&url, "--origin", ORIGIN]);
    assert_eq!(
        (report["engines"][0]["verdict"].as_str(), status),
        (Some("allowed"), 0)
    );
    let (report, status) = probe(&[&url, "--origin", ORIGIN, "--method", "PUT"]);
    assert_eq!(status, 1, "{report:#}");
    let (report, status) = probe(&[
        &url,
        "--origin",
        "http://other.test",
        "--header",
        "content-type:application/json",
        "--method",
        "POST",
    ]);
    assert_eq!(status, 1, "{report:#}");
}

#[cors(origins = ["http://app.test"], headers = ["content-type"])]
#[actix_web::put("/things/{id}")]
async fn update_thing() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[test]
fn a_cors_actix_app_with_the_debug_header() {
    let address = serve_app(|| {
        App::new()
            .wrap(Cors::builder().debug_header(true).build().unwrap())
            .service(update_thing)
    });
    let url = format!("{address}/things/1");
    let (report, status) = probe(&[
        &url,
        "--origin",
        ORIGIN,
        "--method",
        "PUT",
        "--header",
        "content-type:application/json",
    ]);
    assert_eq!(
        (report["engines"][0]["verdict"].as_str(), status),
        (Some("preflight_passed"), 0)
    );

    let args = [
        url.as_str(),
        "--origin",
        ORIGIN,
        "--method",
        "PUT",
        "--header",
        "x-trace:1",
    ];
    let (report, status) = probe(&args);
    assert_eq!((kind(&report), status), ("MissingAllowOrigin", 1));
    let reason = report["x_cors_reason"]["preflight"].as_str().unwrap();
    assert!(reason.starts_with("header_not_allowed"), "{reason}");
    let text = stdout(&doctor(&args));
    assert!(
        text.contains("x-cors-reason (preflight): header_not_allowed"),
        "{text}"
    );
    // The refusal carries no CORS headers, so the console names the origin; the
    // fix gives the server's reason.
    assert!(
        text.contains("The server's reason (x-cors-reason): header_not_allowed"),
        "{text}"
    );
}

const HAR_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/doctor/har");

/// The doctor's `--json` report of a HAR file, every request checked against
/// the oracle; the report and the exit status.
fn explain_har(file: &str, engine: &str) -> (Value, i32) {
    let output = doctor(&["--har", file, "--engine", engine, "--json"]);
    let status = output.status.code().expect("an exit status");
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stderr)));
    let (mut blocked, mut unchecked) = (0, 0);
    let requests = report["requests"].as_array().unwrap();
    for request in requests {
        let case_status = request["exit_status"].as_i64().unwrap() as i32;
        assert_agrees_with_oracle(request, case_status);
        blocked += usize::from(case_status == 1);
        unchecked += usize::from(case_status == 2);
    }
    assert_eq!(
        (&report["blocked"], &report["unchecked"]),
        (&blocked.into(), &unchecked.into())
    );
    // 1 when one is blocked; else 2 when one is unchecked, or none was found.
    let expected = match (blocked, unchecked, requests.is_empty()) {
        (1.., _, _) => 1,
        (0, 1.., _) | (0, 0, true) => 2,
        (0, 0, false) => 0,
    };
    assert_eq!(
        (status, report["exit_status"].as_i64()),
        (expected, Some(expected.into()))
    );
    (report, status)
}

/// The entries of a HAR document.
fn har_entries(file: &str) -> Value {
    let text = std::fs::read_to_string(file).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_chromium_har_is_explained_as_chromium_decided() {
    let file = format!("{HAR_DIR}/quickstart.har");
    let (report, status) = explain_har(&file, "chromium");
    assert_eq!(status, 1);
    let har = har_entries(&file);
    let entries = har["log"]["entries"].as_array().unwrap();
    let requests = report["requests"].as_array().unwrap();
    // Every fetch() of the page to the API, and nothing else.
    let fetches = entries
        .iter()
        .filter(|entry| entry["_resourceType"] == "fetch")
        .count();
    assert_eq!(requests.len(), fetches);
    let mut kinds = Vec::new();
    for request in requests {
        let entry = &entries[request["entry"].as_u64().unwrap() as usize];
        // Chromium recorded its own decision: `net::ERR_FAILED` for a CORS
        // failure (`net::ERR_ABORTED` is a body the page never read).
        let chromium_blocked = entry["response"]["_error"] == "net::ERR_FAILED";
        let verdict = &request["engines"][0]["verdict"];
        assert_eq!(verdict == "blocked", chromium_blocked, "{request:#}");
        kinds.push(
            request["engines"][0]["blocked"]["kind"]
                .as_str()
                .unwrap_or("-")
                .to_owned(),
        );
    }
    // What the protocol's events said: PreflightMissingAllowOriginHeader twice,
    // InvalidAllowCredentials, MissingAllowOriginHeader.
    kinds.retain(|kind| kind != "-");
    assert_eq!(
        kinds,
        [
            "MissingAllowOrigin",
            "MissingAllowOrigin",
            "AllowCredentialsNotTrue",
            "MissingAllowOrigin"
        ]
    );
    let stages: Vec<&str> = requests
        .iter()
        .filter_map(|request| request["engines"][0]["blocked"]["stage"].as_str())
        .collect();
    assert_eq!(stages, ["preflight", "preflight", "response", "response"]);
}

#[test]
fn a_chromium_har_without_request_ids_reads_the_same() {
    // DevTools' own "Save all as HAR" writes no `_requestId`: the recorded
    // file without the ids, matched by order and outcome alone.
    let file = format!("{HAR_DIR}/quickstart.har");
    let mut har = har_entries(&file);
    for entry in har["log"]["entries"].as_array_mut().unwrap() {
        let entry = entry.as_object_mut().unwrap();
        entry.remove("_requestId");
        entry.remove("_initiator");
    }
    let summary = |report: &Value| -> Vec<(u64, String, String)> {
        report["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|request| {
                let engine = &request["engines"][0];
                let kind = engine["blocked"]["kind"].as_str().unwrap_or("-");
                let seen = request["preflight"]["seen"].as_str().unwrap();
                (
                    request["entry"].as_u64().unwrap(),
                    seen.to_owned(),
                    kind.to_owned(),
                )
            })
            .collect()
    };
    let (with_ids, _) = explain_har(&file, "chromium");
    let entries = har["log"]["entries"].as_array().unwrap().clone();
    let (without_ids, status) = explain_entries("devtools.har", entries);
    assert_eq!(summary(&without_ids), summary(&with_ids));
    assert_eq!(status, 1);
}

#[test]
fn a_firefox_har_is_explained_as_firefox_decided() {
    let file = format!("{HAR_DIR}/firefox-quickstart.har");
    let (report, status) = explain_har(&file, "firefox");
    assert_eq!(status, 1);
    let har = har_entries(&file);
    let entries = har["log"]["entries"].as_array().unwrap();
    let requests = report["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 6, "the page's six calls");
    for request in requests {
        let entry = &entries[request["entry"].as_u64().unwrap() as usize];
        // Firefox records a request it blocked before sending with status 0.
        let firefox_blocked = entry["response"]["status"] == 0;
        assert_eq!(
            request["engines"][0]["verdict"] == "blocked",
            firefox_blocked,
            "{request:#}"
        );
        // Each preflighted call found its own preflight (they follow the calls).
        if request["engines"][0]["preflight_needed"] == true {
            assert_eq!(request["preflight"]["seen"], "answered", "{request:#}");
        }
    }
}

#[test]
fn a_har_without_a_preflight_says_cached_or_not_recorded() {
    let file = format!("{HAR_DIR}/quickstart.har");
    let mut har = har_entries(&file);
    // The recorded HAR with the preflights of the allowed POST and PUTs taken
    // out, as the browser's cache (or a recording started late) leaves it.
    har["log"]["entries"]
        .as_array_mut()
        .unwrap()
        .retain(|entry| {
            let preflight = entry["_resourceType"] == "preflight";
            let allowed = entry["response"]["status"] == 204;
            !(preflight && allowed)
        });
    let dir = std::env::temp_dir().join(format!("cors-doctor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let derived = dir.join("no-preflights.har");
    std::fs::write(&derived, har.to_string()).unwrap();
    let derived = derived.to_str().unwrap();
    let (report, _) = explain_har(derived, "chromium");
    let put = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|request| {
            request["method"] == "PUT" && request["preflight"]["seen"] == "not_recorded"
        })
        .expect("a PUT without its preflight");
    assert_eq!(put["engines"][0]["questions"][0]["result"], "unknown");
    assert_eq!(
        put["engines"][0]["verdict"], "allowed",
        "judged on its response"
    );
    let text = stdout(&doctor(&["--har", derived, "--engine", "chromium"]));
    assert!(
        text.contains(
            "the browser had it cached (Access-Control-Max-Age), or the HAR did not record it"
        ),
        "{text}"
    );

    // Only the allowed calls: exit 0.
    har["log"]["entries"]
        .as_array_mut()
        .unwrap()
        .retain(|entry| entry["response"]["_error"] != "net::ERR_FAILED");
    std::fs::write(dir.join("allowed.har"), har.to_string()).unwrap();
    let (_, status) = explain_har(dir.join("allowed.har").to_str().unwrap(), "all");
    assert_eq!(status, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[path = "../../tests/support/example.rs"]
mod example;
use example::{free_port, Example};

/// Starts the example `name` and waits until `port` answers.
fn start_example(name: &str, env: &[(&str, &str)], port: u16) -> Example {
    let example = Example::start(name, env);
    for _ in 0..500 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return example;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{name} did not start on port {port}");
}

fn verdict_and_kind(report: &Value) -> (&str, &str) {
    (
        report["engines"][0]["verdict"].as_str().unwrap(),
        kind(report),
    )
}

#[test]
fn the_quickstart_and_bearer_auth_examples() {
    let (api, page) = (free_port(), free_port());
    let (api_port, page_port) = (api.to_string(), page.to_string());
    let _quickstart = start_example(
        "quickstart",
        &[("API_PORT", &api_port), ("PAGE_PORT", &page_port)],
        api,
    );
    let page_origin = "http://127.0.0.1:8000";
    let url = |path: &str| format!("http://127.0.0.1:{api}{path}");
    let json = ["--header", "content-type:application/json"];
    // URL, the page's fetch(), the verdict and refusal, the exit status.
    type Case<'a> = (String, Vec<&'a str>, (&'a str, &'a str), i32);
    let cases: [Case<'_>; 8] = [
        (url("/api/public"), vec![], ("allowed", "none"), 0),
        (url("/api/users"), vec![], ("allowed", "none"), 0),
        (
            url("/api/users"),
            [&["--method", "POST"][..], &json].concat(),
            ("preflight_passed", "none"),
            0,
        ),
        (
            url("/api/users"),
            [
                &["--method", "POST", "--send", "--data", "{\"name\":\"ada\"}"][..],
                &json,
            ]
            .concat(),
            ("allowed", "none"),
            0,
        ),
        (
            url("/api/users/1"),
            vec!["--method", "DELETE"],
            ("blocked", "MissingAllowOrigin"),
            1,
        ),
        (
            url("/api/users/1"),
            [
                &["--method", "PUT", "--header", "x-requested-with:fetch"][..],
                &json,
            ]
            .concat(),
            ("blocked", "MissingAllowOrigin"),
            1,
        ),
        (
            url("/api/users"),
            vec!["--credentials"],
            ("blocked", "AllowCredentialsNotTrue"),
            1,
        ),
        (
            url("/api/nope"),
            vec![],
            ("blocked", "MissingAllowOrigin"),
            1,
        ),
    ];
    for (url, extra, expected, expected_status) in cases {
        let mut args = vec![url.as_str(), "--origin", page_origin];
        args.extend(extra);
        let (report, status) = probe(&args);
        assert_eq!(
            (verdict_and_kind(&report), status),
            (expected, expected_status),
            "{args:?}"
        );
    }
    let (report, _) = probe(&[&url("/api/users"), "--origin", page_origin]);
    let chromium = &report["engines"][0];
    assert_eq!(
        chromium["readable"],
        serde_json::json!(["content-length", "content-type", "x-total-count"])
    );
    assert_eq!(chromium["hidden"], serde_json::json!(["x-internal-id"]));

    // Bearer authentication behind Cors: the preflight passes without a token,
    // and the 401 for a bad one is readable by the page.
    let api = free_port();
    let api_port = api.to_string();
    let _bearer = start_example("bearer_auth", &[("API_PORT", &api_port)], api);
    let me = format!("http://127.0.0.1:{api}/api/me");
    for (token, status) in [("Bearer wrong", 401), ("Bearer let-me-in", 200)] {
        let header = format!("authorization:{token}");
        let (report, exit) = probe(&[&me, "--origin", page_origin, "--header", &header]);
        assert_eq!(
            (verdict_and_kind(&report), exit),
            (("allowed", "none"), 0),
            "{report:#}"
        );
        assert_eq!(report["actual"]["response"]["status"], status);
        assert_eq!(report["preflight"]["response"]["status"], 204);
    }
}

/// Runs the doctor and waits for it to end by itself: its exit status and
/// standard error. (A minute is a safety net against a hang, not a measure.)
fn doctor_ending_by_itself(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut waited = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if waited >= 60_000 {
            let _ = child.kill();
            panic!("cors-doctor {args:?} still runs after a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 100;
    };
    let mut error = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut error)
        .unwrap();
    (status.code(), error)
}

#[test]
fn a_server_that_trickles_its_answer_runs_into_the_timeout() {
    let server = Broken::start(None);
    let (status, error) = doctor_ending_by_itself(&[
        &server.url("/trickle"),
        "--origin",
        ORIGIN,
        "--timeout",
        "0.5",
    ]);
    assert_eq!(status, Some(2));
    assert!(error.contains("no answer within 0.5 s"), "{error}");
}

#[test]
fn engines_that_preflight_differently_each_get_their_own_answer() {
    // Nine 120-byte Accept values: Chromium and WebKit join them (over 128
    // bytes, so `accept` is preflighted); Firefox checks each alone.
    let server = Broken::start(None);
    let url = server.url("/strict-accept");
    let value = "a".repeat(120);
    let accept = format!("accept:{value}");
    let mut args = vec![url.as_str(), "--origin", ORIGIN, "--header", "x-a:1"];
    for _ in 0..9 {
        args.extend(["--header", accept.as_str()]);
    }
    let (report, status) = probe(&args);
    let verdicts: Vec<&str> = report["engines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|engine| engine["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        (verdicts.as_slice(), status),
        (["blocked", "allowed", "blocked"].as_slice(), 1)
    );
    let preflights = server
        .received()
        .iter()
        .filter(|r| r.method == "OPTIONS")
        .count();
    assert_eq!(preflights, 2, "one preflight per distinct request headers");
}

#[test]
fn a_redirect_is_followed_by_the_browser_so_it_is_not_a_pass() {
    let server = Broken::start(None);
    let (report, status) = probe(&[&server.url("/moved"), "--origin", ORIGIN]);
    assert_eq!(
        (report["engines"][0]["verdict"].as_str(), status),
        (Some("redirected"), 2)
    );
    assert_eq!(report["engines"][0]["redirect"], "http://elsewhere.test/x");
}

#[test]
fn a_public_page_calling_a_local_address_waits_for_permission() {
    let server = Broken::start(None);
    // A page served from a public address (example.com's): the doctor decides
    // by address, and names are looked up, which this test cannot rely on.
    let public = "https://93.184.215.14";
    let (report, status) = probe(&[&server.url("/fine"), "--origin", public]);
    assert_eq!(report["private_network"], true);
    let kinds: Vec<&str> = report["engines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|engine| {
            engine["blocked"]["kind"]
                .as_str()
                .unwrap_or(engine["verdict"].as_str().unwrap())
        })
        .collect();
    // WebKit asks no permission: it goes on, and the server does not allow
    // this origin.
    assert_eq!(
        kinds,
        [
            "LocalNetworkPermission",
            "LocalNetworkPermission",
            "AllowOriginMismatch"
        ]
    );
    assert_eq!(status, 1);
    let text = stdout(&doctor(&[&server.url("/fine"), "--origin", public]));
    assert!(text.contains("Local Network Access"), "{text}");

    // Pages that are not public: no permission is asked.
    for local in [
        "http://localhost:3000",
        "http://192.168.1.5:3000",
        "http://frontend:3000",
        "http://myhost.lan:3000",
        "https://app.example.com",
    ] {
        let (report, _) = probe(&[&server.url("/fine"), "--origin", local]);
        assert_eq!(report["private_network"], false, "{local}");
    }

    // With --resolve the real address is unknown: no such verdict. An https
    // page calling http (not loopback) is mixed content, which is warned of.
    let url = format!("http://api.doctor.test:{}/fine", server.port);
    let resolve = format!("api.doctor.test:{}:127.0.0.1", server.port);
    let (report, status) = probe(&[&url, "--origin", public, "--resolve", &resolve]);
    // (This server allows another origin: blocked, but not for permission.)
    assert_eq!(report["private_network"], false);
    assert_eq!((kind(&report), status), ("AllowOriginMismatch", 1));
    let warning = report["engines"][0]["warnings"][0].as_str().unwrap();
    assert!(warning.starts_with("mixed content"), "{warning}");
}

#[test]
fn headers_the_page_sets_replace_the_browsers_and_forbidden_ones_are_dropped_with_a_note() {
    let server = Broken::start(None);
    let url = server.url("/fine");
    let args = [
        url.as_str(),
        "--origin",
        ORIGIN,
        "--header",
        "User-Agent: me",
        "--header",
        "Accept-Language: de",
        "--header",
        "Cookie: a=1",
    ];
    let text = stdout(&doctor(&args));
    assert!(
        text.contains("not sent: Cookie: fetch() cannot set it"),
        "{text}"
    );
    let get = server
        .received()
        .into_iter()
        .find(|r| r.method == "GET")
        .unwrap();
    let count = |name: &str| {
        get.headers
            .iter()
            .filter(|(line, _)| line.eq_ignore_ascii_case(name))
            .count()
    };
    assert_eq!(
        (
            count("User-Agent"),
            count("Accept-Language"),
            count("Cookie")
        ),
        (1, 1, 0)
    );
    assert_eq!(get.header("User-Agent"), Some("me"));
    let (report, _) = probe(&args);
    assert_eq!(report["dropped"], serde_json::json!(["Cookie"]));

    // With --json, errors are JSON on standard output too.
    let output = doctor(&[&url, "--json"]);
    let error: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (error["exit_status"].as_i64(), output.status.code()),
        (Some(2), Some(2))
    );
    assert!(error["error"].as_str().unwrap().contains("--origin"));
}

/// A HAR entry: the request, and its response (status 0: none).
fn har_entry(
    method: &str,
    url: &str,
    request: &[(&str, &str)],
    status: u16,
    response: &[(&str, &str)],
) -> Value {
    let lines = |lines: &[(&str, &str)]| -> Value {
        lines
            .iter()
            .map(|(name, value)| serde_json::json!({ "name": name, "value": value }))
            .collect()
    };
    serde_json::json!({
        "request": { "method": method, "url": url, "headers": lines(request) },
        "response": { "status": status, "headers": lines(response) },
    })
}

/// Writes `entries` as a HAR file and explains it as Chromium.
fn explain_entries(name: &str, entries: Vec<Value>) -> (Value, i32) {
    let dir = std::env::temp_dir().join(format!("cors-doctor-har-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    let har = serde_json::json!({ "log": { "version": "1.2", "entries": entries } });
    std::fs::write(&file, har.to_string()).unwrap();
    let explained = explain_har(file.to_str().unwrap(), "chromium");
    std::fs::remove_file(&file).unwrap();
    explained
}

#[test]
fn har_requests_that_are_not_cors_are_left_out() {
    let api = "https://api.example/submit";
    let entries = vec![
        // A form's POST navigation sends an `Origin` too.
        har_entry(
            "POST",
            api,
            &[("Origin", ORIGIN), ("Sec-Fetch-Mode", "navigate")],
            302,
            &[],
        ),
        // The same over plain http, where no `Sec-Fetch-*` is sent: Firefox's
        // record, and Chromium's.
        har_entry(
            "POST",
            "http://api.example/submit",
            &[("Origin", ORIGIN), ("Upgrade-Insecure-Requests", "1")],
            302,
            &[],
        ),
        {
            let mut form = har_entry(
                "POST",
                "http://api.example/submit",
                &[("Origin", ORIGIN)],
                302,
                &[],
            );
            form["_resourceType"] = "document".into();
            form
        },
        // A beacon, recorded by Chromium.
        {
            let mut ping = har_entry("POST", api, &[("Origin", ORIGIN)], 204, &[]);
            ping["_resourceType"] = "ping".into();
            ping
        },
    ];
    let (report, status) = explain_entries("not-cors.har", entries);
    assert_eq!(report["requests"].as_array().unwrap().len(), 0);
    assert_eq!(status, 2, "nothing checked");
}

#[test]
fn har_preflights_go_to_their_own_request() {
    let url = "https://api.example/items/1";
    let json = ("Content-Type", "application/json");
    let put = |status: u16| {
        let response: &[(&str, &str)] = if status == 200 {
            &[("Access-Control-Allow-Origin", ORIGIN)]
        } else {
            &[]
        };
        har_entry("PUT", url, &[("Origin", ORIGIN), json], status, response)
    };
    let refused_preflight = har_entry(
        "OPTIONS",
        url,
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        403,
        &[],
    );
    // Chromium's ids: the preflight belongs to the second PUT; the first had
    // its preflight cached.
    let mut entries = vec![put(200), put(0), refused_preflight.clone()];
    entries[0]["_requestId"] = "1".into();
    entries[1]["_requestId"] = "2".into();
    entries[2]["_initiator"] = serde_json::json!({ "type": "preflight", "requestId": "2" });
    let (report, _) = explain_entries("linked.har", entries);
    let verdicts = |report: &Value| -> Vec<(String, String)> {
        report["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|request| {
                let seen = request["preflight"]["seen"].as_str().unwrap().to_owned();
                (
                    seen,
                    request["engines"][0]["verdict"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                )
            })
            .collect()
    };
    let expected = [
        ("not_recorded".to_owned(), "allowed".to_owned()),
        ("answered".to_owned(), "blocked".to_owned()),
    ];
    assert_eq!(verdicts(&report), expected);

    // Without ids (DevTools' own export), by order: the preflight follows its
    // request, and the first PUT's search stops at the second.
    let (report, _) = explain_entries("unlinked.har", vec![put(200), put(0), refused_preflight]);
    assert_eq!(verdicts(&report), expected);
}

#[test]
fn har_credentials_and_failures_the_headers_do_not_explain() {
    let url = "https://api.example/me";
    let acao = ("Access-Control-Allow-Origin", ORIGIN);
    // Sent with credentials but no cookie: Sec-Fetch-Storage-Access says so.
    let credentialed = har_entry(
        "GET",
        url,
        &[("Origin", ORIGIN), ("Sec-Fetch-Storage-Access", "none")],
        200,
        &[acao],
    );
    // Chromium recorded a failure that these headers do not explain.
    let mut unexplained = har_entry("GET", url, &[("Origin", ORIGIN)], 200, &[acao]);
    unexplained["response"]["_error"] = "net::ERR_FAILED".into();
    // A preflight recorded without a response.
    let no_answer = har_entry(
        "OPTIONS",
        url,
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "DELETE"),
        ],
        0,
        &[],
    );
    let delete = har_entry("DELETE", url, &[("Origin", ORIGIN)], 0, &[]);
    let (report, status) = explain_entries(
        "failures.har",
        vec![credentialed, unexplained, delete, no_answer],
    );
    let requests = report["requests"].as_array().unwrap();
    assert_eq!(requests[0]["credentials"], true);
    assert_eq!(
        requests[0]["engines"][0]["blocked"]["kind"],
        "AllowCredentialsNotTrue"
    );
    assert_eq!(requests[1]["engines"][0]["verdict"], "unchecked");
    assert_eq!(requests[2]["preflight"]["seen"], "no_response");
    assert_eq!(requests[2]["engines"][0]["verdict"], "unchecked");
    assert_eq!(status, 1);
}

#[test]
fn har_matching_by_ids_when_order_says_otherwise_and_by_outcome_when_there_are_none() {
    let url = "https://api.example/items/1";
    let put = |status: u16| {
        let response: &[(&str, &str)] = if status == 200 {
            &[("Access-Control-Allow-Origin", ORIGIN)]
        } else {
            &[]
        };
        har_entry("PUT", url, &[("Origin", ORIGIN)], status, response)
    };
    let preflight = |status: u16| {
        let response: &[(&str, &str)] = if status == 204 {
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Methods", "PUT"),
            ]
        } else {
            &[]
        };
        let asked = [("Origin", ORIGIN), ("Access-Control-Request-Method", "PUT")];
        har_entry("OPTIONS", url, &asked, status, response)
    };
    let verdicts = |report: &Value| -> Vec<String> {
        report["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|request| {
                request["engines"][0]["verdict"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    // The refused preflight belongs to the first PUT by Chromium's ids, though
    // by order it would follow the second.
    let mut entries = vec![put(0), put(200), preflight(403)];
    entries[0]["_requestId"] = "1".into();
    entries[1]["_requestId"] = "2".into();
    entries[2]["_initiator"] = serde_json::json!({ "type": "preflight", "requestId": "1" });
    let (report, _) = explain_entries("ids.har", entries);
    assert_eq!(verdicts(&report), ["blocked", "allowed"]);

    // Without ids: a request that got a response never had a refused
    // preflight, whatever the order of the entries.
    for (name, entries) in [
        (
            "started-together.har",
            vec![put(0), put(200), preflight(403), preflight(204)],
        ),
        (
            "preflights-first.har",
            vec![preflight(403), put(0), preflight(204), put(200)],
        ),
    ] {
        let (report, status) = explain_entries(name, entries);
        assert_eq!(
            (verdicts(&report), status),
            (vec!["blocked".to_owned(), "allowed".to_owned()], 1),
            "{name}"
        );
    }
}

#[test]
fn har_origins_from_the_referer_and_headers_firefox_adds() {
    // Chromium records a fetch() it never sent without `Origin`; with no
    // preflight either, the `Referer` gives the page's origin.
    let mut unsent = har_entry(
        "GET",
        "https://api.example/x",
        &[("Referer", "http://app.test/page")],
        0,
        &[],
    );
    unsent["_resourceType"] = "fetch".into();
    unsent["response"]["_error"] = "net::ERR_FAILED".into();
    // Firefox's `Alt-Used` is not the page's header: no preflight needed.
    let alt_used = har_entry(
        "GET",
        "https://api.example/y",
        &[("Origin", ORIGIN), ("Alt-Used", "api.example")],
        200,
        &[("Access-Control-Allow-Origin", ORIGIN)],
    );
    let (report, status) = explain_entries("referer.har", vec![unsent, alt_used]);
    let requests = report["requests"].as_array().unwrap();
    assert_eq!(requests[0]["origin"], ORIGIN);
    assert_eq!(requests[0]["engines"][0]["verdict"], "unchecked");
    assert_eq!(requests[1]["engines"][0]["preflight_needed"], false);
    assert_eq!(requests[1]["engines"][0]["verdict"], "allowed");
    assert_eq!(
        (status, report["unchecked"].as_i64()),
        (2, Some(1)),
        "one not checked"
    );
}

#[test]
fn har_a_request_that_failed_after_its_preflight_passed_is_not_a_pass() {
    let url = "https://api.example/items/1";
    let mut put = har_entry("PUT", url, &[("Origin", ORIGIN)], 0, &[]);
    put["response"]["_error"] = "net::ERR_FAILED".into();
    let preflight = har_entry(
        "OPTIONS",
        url,
        &[("Origin", ORIGIN), ("Access-Control-Request-Method", "PUT")],
        204,
        &[
            ("Access-Control-Allow-Origin", ORIGIN),
            ("Access-Control-Allow-Methods", "PUT"),
        ],
    );
    let (report, status) = explain_entries("failed-after.har", vec![put, preflight]);
    assert_eq!(report["requests"][0]["preflight"]["seen"], "answered");
    assert_eq!(report["requests"][0]["engines"][0]["verdict"], "unchecked");
    assert_eq!(status, 2);
}

/// A TCP proxy that passes the server's bytes on one at a time, slowly: a
/// server (or network) that trickles inside TLS records.
fn slow_proxy(to: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", to)) else {
                continue;
            };
            let (mut client_in, mut server_out) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || std::io::copy(&mut client_in, &mut server_out));
            std::thread::spawn(move || {
                let (mut server, mut client) = (server, client);
                let mut byte = [0; 1];
                while server.read_exact(&mut byte).is_ok() && client.write_all(&byte).is_ok() {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            });
        }
    });
    port
}

#[test]
fn the_timeout_holds_inside_tls() {
    let server = Broken::start(Some(tls_config()));
    let port = slow_proxy(server.port);
    let url = format!("https://api.doctor.test:{port}/fine");
    let resolve = format!("api.doctor.test:{port}:127.0.0.1");
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/doctor/ca.pem");
    // At 20 ms a byte, the handshake alone would take tens of seconds.
    let args = [
        &url,
        "--origin",
        ORIGIN,
        "--resolve",
        &resolve,
        "--cacert",
        ca,
        "--timeout",
        "0.5",
    ];
    let (status, error) = doctor_ending_by_itself(&args);
    assert_eq!(status, Some(2));
    assert!(error.contains("no answer within 0.5 s"), "{error}");
}

#[test]
fn cookies_go_on_the_actual_request_only_with_credentials() {
    let server = Broken::start(None);
    let url = server.url("/session");
    let (report, status) = probe(&[
        &url,
        "--origin",
        ORIGIN,
        "--credentials",
        "--cookie",
        "session=1",
    ]);
    assert_eq!(
        (report["engines"][0]["verdict"].as_str(), status),
        (Some("allowed"), 0)
    );
    let (report, status) = probe(&[&url, "--origin", ORIGIN, "--credentials"]);
    assert_eq!((kind(&report), status), ("MissingAllowOrigin", 1));

    // Never on the preflight, as browsers send it.
    let url = server.url("/fine");
    let args = [
        &url,
        "--origin",
        ORIGIN,
        "--method",
        "PUT",
        "--credentials",
        "--cookie",
        "session=1",
        "--send",
    ];
    probe(&args);
    let received = server.received();
    let options = received.iter().find(|r| r.method == "OPTIONS").unwrap();
    let put = received.iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(
        (options.header("Cookie"), put.header("Cookie")),
        (None, Some("session=1"))
    );
}
