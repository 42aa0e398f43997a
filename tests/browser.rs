//! End-to-end tests in three real browser engines, held against the browser
//! oracle: Chromium, Firefox (Gecko) and WebKitGTK's MiniBrowser (WebKit, as
//! in Safari).
//!
//! Each engine has its own test and its own servers on free loopback ports:
//!
//! - the API, origin B = `http://localhost:<b>`, wrapped by
//!   [`cors_actix::Cors`] with App defaults naming the page's origin and
//!   annotated handlers for every scenario;
//! - a second API in strict mode, `http://localhost:<c>`;
//! - a raw server without `Cors`, `http://localhost:<r>`, whose canned
//!   answers probe what the engines themselves do where they are known or
//!   suspected to differ (`*` with `Authorization`, `*` in
//!   `Access-Control-Expose-Headers` with credentials, redirects);
//! - a page server, origin A = `http://127.0.0.1:<a>` (also reached as
//!   `http://app.localhost:<a>`: all three engines resolve `*.localhost` to
//!   loopback), whose pages run `fetch()` calls against the others and post
//!   what the browser let them see back to the page server; it also listens
//!   on a second port, `http://127.0.0.1:<p>`, whose page Chromium and
//!   Firefox are told is on the public internet.
//!
//! The pages run one after another in one browser: `form` (a cross-site form
//! POST into a frame), `public` (where the engine can be told so), `main`,
//! then `sub`. A small middleware outside `Cors` records every request and
//! the response the server really sent; each scenario is
//! then replayed through `cors_core::browser` with the engine's profile
//! ([`Browser`]), and the oracle must predict what the engine did: whether a
//! preflight was sent (and its `Access-Control-Request-*`), whether the page
//! could read the response, which headers it could read, and whether a
//! preflight was cached.
//!
//! The engine runs with a clock shim preloaded (`tests/browser/clock.c`): a
//! page moves the browser's clock forward through the page server, so the
//! `Max-Age` caps (600 s, 7200 s, 86400 s) are tested without waiting.
//!
//! What each engine did is a column of the table in the README; the test
//! fails when the README says otherwise (`UPDATE_BROWSER_TABLE=1` rewrites the
//! engine's column).
//!
//! `BROWSER_SCENARIO=<name>` prints what the servers saw of one scenario.
//!
//! An engine that is not installed is skipped with a message naming its
//! packages, except under `CI=true`, where it fails.

#[path = "browser/engine.rs"]
mod engine;
#[path = "browser/table.rs"]
mod table;

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, Next};
use actix_web::{
    delete, get, patch, post, put, route, web, App, HttpRequest, HttpResponse, HttpServer,
    Responder,
};
use actix_web_httpauth::extractors::bearer::{self, BearerAuth};
use actix_web_httpauth::extractors::AuthenticationError;
use actix_web_httpauth::middleware::HttpAuthentication;
use cors_actix::{attach, cors, Cors, CorsPolicy};
use cors_core::browser::{self, CredentialsMode};
use engine::Engine;
use std::collections::HashMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

// ---- what the servers saw --------------------------------------------------

/// One request as the server received it and the response it sent,
/// recorded outside `Cors`.
#[derive(Clone, Debug)]
struct Exchange {
    /// The local port: which server answered (each engine's test has its own).
    port: u16,
    /// The scenario, from the `s` query parameter.
    scenario: String,
    method: String,
    path: String,
    request: Vec<(String, String)>,
    status: u16,
    response: Vec<(String, String)>,
}

impl Exchange {
    fn request_header(&self, name: &str) -> Option<&str> {
        self.request
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn is_preflight(&self) -> bool {
        self.method == "OPTIONS"
            && self
                .request_header("access-control-request-method")
                .is_some()
    }

    fn response(&self) -> browser::Response<'_> {
        browser::Response {
            status: self.status,
            headers: self
                .response
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
        }
    }
}

static EXCHANGES: Mutex<Vec<Exchange>> = Mutex::new(Vec::new());
/// The handlers that ran, with the port of the server they ran on.
static RAN: Mutex<Vec<(u16, &'static str)>> = Mutex::new(Vec::new());

fn ran(req: &HttpRequest, what: &'static str) {
    RAN.lock()
        .unwrap()
        .push((req.app_config().local_addr().port(), what));
}

fn headers_of(map: &actix_web::http::header::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn scenario_of(query: &str) -> String {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("s="))
        .unwrap_or("")
        .to_owned()
}

/// The recorder: outermost, so it sees what the browser receives.
async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let port = req.app_config().local_addr().port();
    let scenario = scenario_of(req.query_string());
    let method = req.method().as_str().to_owned();
    let path = req.path().to_owned();
    let request = headers_of(req.headers());
    let result = next.call(req).await;
    let (status, response) = match &result {
        Ok(res) => (res.status().as_u16(), headers_of(res.headers())),
        Err(err) => {
            let res = err.error_response();
            (res.status().as_u16(), headers_of(res.headers()))
        }
    };
    EXCHANGES.lock().unwrap().push(Exchange {
        port,
        scenario,
        method,
        path,
        request,
        status,
        response,
    });
    result
}

// ---- the API's handlers ----------------------------------------------------

/// Origins, methods and the rest come from the App defaults.
#[cors]
#[get("/api/simple")]
async fn simple() -> impl Responder {
    HttpResponse::Ok().body("simple")
}

#[cors(origins = ["https://admin.example.com"])]
#[get("/api/admin")]
async fn admin_get(req: HttpRequest) -> impl Responder {
    ran(&req, "admin_get");
    HttpResponse::Ok().body("admin")
}

#[cors(origins = ["https://admin.example.com"])]
#[delete("/api/admin")]
async fn admin_delete(req: HttpRequest) -> impl Responder {
    ran(&req, "admin_delete");
    HttpResponse::NoContent().finish()
}

#[cors(headers = ["x-requested-with"], expose = ["X-Total-Count"])]
#[get("/api/items")]
async fn list_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .insert_header(("X-Internal-Id", "42"))
        .content_type("application/json")
        .body(r#"["ada","grace"]"#)
}

#[cors(headers = ["content-type"])]
#[post("/api/items")]
async fn create_item() -> impl Responder {
    HttpResponse::Created().body("created")
}

#[cors(headers = ["content-type"])]
#[put("/api/items/{id}")]
async fn update_item() -> impl Responder {
    HttpResponse::Ok().body("updated")
}

#[cors(methods = ["DELETE"])]
#[delete("/api/items/{id}")]
async fn delete_item() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[cors(methods = ["PATCH"])]
#[patch("/api/items/{id}")]
async fn patch_item() -> impl Responder {
    HttpResponse::Ok().body("patched")
}

#[cors]
#[get("/api/fails")]
async fn fails() -> Result<HttpResponse, actix_web::Error> {
    Err(actix_web::error::ErrorInternalServerError("boom"))
}

#[cors(origins = "*", max_age = 600)]
#[get("/public/prices")]
async fn prices() -> impl Responder {
    HttpResponse::Ok().body("prices")
}

/// Behind bearer authentication on the `/auth` scope.
#[cors(headers = ["authorization"], expose = ["WWW-Authenticate"])]
#[get("/me")]
async fn auth_me(auth: BearerAuth) -> impl Responder {
    HttpResponse::Ok().body(format!("token {}", auth.token()))
}

async fn validator(
    req: ServiceRequest,
    credentials: BearerAuth,
) -> Result<ServiceRequest, (actix_web::Error, ServiceRequest)> {
    RAN.lock()
        .unwrap()
        .push((req.app_config().local_addr().port(), "auth"));
    if credentials.token() == "good" {
        Ok(req)
    } else {
        let error = AuthenticationError::from(bearer::Config::default())
            .with_error(bearer::Error::InvalidToken);
        Err((error.into(), req))
    }
}

/// The cookie attributes Chromium accepts from `http://localhost:<b>` in a
/// credentialed fetch from `http://127.0.0.1:<a>`, another site; see
/// `examples/cookie_credentials.rs`. The `lax` cookie is never sent back.
const SESSION_COOKIE: &str = "sid=s3cr3t; SameSite=None; Secure; Partitioned; HttpOnly; Path=/";
const LAX_COOKIE: &str = "lax=1; SameSite=Lax; Path=/";

#[cors(credentials)]
#[post("/session/login")]
async fn login() -> impl Responder {
    HttpResponse::Ok()
        .append_header(("Set-Cookie", SESSION_COOKIE))
        .append_header(("Set-Cookie", LAX_COOKIE))
        .body("logged in")
}

/// Answers with the names of the cookies it received, comma-separated.
#[cors(credentials)]
#[get("/session/me")]
async fn session_me(req: HttpRequest) -> impl Responder {
    let names: Vec<String> = req
        .headers()
        .get_all("cookie")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split_once('=').map(|(name, _)| name.trim().to_owned()))
        .collect();
    HttpResponse::Ok().body(names.join(","))
}

#[cors(max_age = 600)]
#[put("/cache/long")]
async fn cache_long() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[cors(max_age = 0)]
#[put("/cache/none")]
async fn cache_none() -> impl Responder {
    HttpResponse::NoContent().finish()
}

/// The application's own OPTIONS handler: only preflights are `Cors`'s.
#[cors(methods = ["OPTIONS"])]
#[route("/api/options", method = "OPTIONS")]
async fn app_options(req: HttpRequest) -> impl Responder {
    ran(&req, "app_options");
    HttpResponse::Ok()
        .insert_header(("Allow", "GET, OPTIONS"))
        .body("answered by the app")
}

#[cors(origins = ["https://app.example.com"], dev_origins = ["http://127.0.0.1:*"])]
#[get("/dev/data")]
async fn dev_data() -> impl Responder {
    HttpResponse::Ok().body("dev")
}

/// A state-changing endpoint only `https://bank.example` may call.
#[cors(origins = ["https://bank.example"])]
#[post("/transfer")]
async fn transfer(req: HttpRequest) -> impl Responder {
    ran(&req, "transfer");
    HttpResponse::Ok().body("transferred")
}

#[cors(headers = ["content-type"])]
#[post("/notes")]
async fn create_note(req: HttpRequest) -> impl Responder {
    ran(&req, "note");
    HttpResponse::Created().body("noted")
}

/// Every response header readable: `*` is a wildcard without credentials.
#[cors(origins = "*", expose = "*")]
#[get("/api/expose-all")]
async fn expose_all() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Custom", "1"))
        .body("exposed")
}

/// Every request header allowed; `Authorization` is listed beside `*`.
#[cors(origins = "*", headers = "*")]
#[get("/api/any-header")]
async fn any_header() -> impl Responder {
    HttpResponse::Ok().body("any header")
}

async fn sub_data() -> impl Responder {
    HttpResponse::Ok().body("sub")
}

// ---- the raw server: what the engines do, without `Cors` -------------------

/// Canned answers, by path. A preflight is an `OPTIONS` with
/// `Access-Control-Request-Method`.
async fn raw(req: HttpRequest) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let preflight =
        req.method() == Method::OPTIONS && header("access-control-request-method").is_some();
    let query = req.query_string().to_owned();
    let echo = |status: StatusCode| {
        let mut res = HttpResponse::build(status);
        res.insert_header(("Access-Control-Allow-Origin", "*"));
        if preflight {
            // Everything the preflight asked for, cached for no time.
            if let Some(method) = header("access-control-request-method") {
                res.insert_header(("Access-Control-Allow-Methods", method));
            }
            if let Some(names) = header("access-control-request-headers") {
                res.insert_header(("Access-Control-Allow-Headers", names));
            }
            res.insert_header(("Access-Control-Max-Age", "0"));
        }
        res
    };
    match (req.path(), preflight) {
        ("/raw/echo", true) => echo(StatusCode::NO_CONTENT).finish(),
        // Two days: above every engine's cap. (`#[cors]` warns above 7200
        // and refuses above 86400.)
        ("/raw/cache-two-days", true) => echo(StatusCode::NO_CONTENT)
            .insert_header(("Access-Control-Max-Age", "172800"))
            .finish(),
        ("/raw/cache-two-days", false) => echo(StatusCode::NO_CONTENT).finish(),
        ("/raw/echo", false) => echo(StatusCode::OK).body("echo"),
        // `*` alone in Access-Control-Allow-Headers: the standard says it
        // never covers `Authorization`.
        ("/raw/star-headers", true) => HttpResponse::NoContent()
            .insert_header(("Access-Control-Allow-Origin", "*"))
            .insert_header(("Access-Control-Allow-Headers", "*"))
            .insert_header(("Access-Control-Max-Age", "0"))
            .finish(),
        ("/raw/star-headers", false) => echo(StatusCode::OK).body("star"),
        // `*` in Access-Control-Expose-Headers is a header name, not a
        // wildcard, when the request carries credentials.
        ("/raw/expose-star-credentials", false) => HttpResponse::Ok()
            .insert_header((
                "Access-Control-Allow-Origin",
                header("origin").unwrap_or_default(),
            ))
            .insert_header(("Access-Control-Allow-Credentials", "true"))
            .insert_header(("Access-Control-Expose-Headers", "*"))
            .insert_header(("X-Custom", "1"))
            .body("credentials"),
        // The actual request is redirected, after a passing preflight.
        ("/raw/redirect", true) => echo(StatusCode::NO_CONTENT).finish(),
        ("/raw/redirect", false) => echo(StatusCode::TEMPORARY_REDIRECT)
            .insert_header(("Location", format!("/raw/echo?{query}")))
            .finish(),
        // The preflight itself is redirected: it must fail.
        ("/raw/preflight-redirect", true) => echo(StatusCode::TEMPORARY_REDIRECT)
            .insert_header(("Location", format!("/raw/echo?{query}")))
            .finish(),
        _ => HttpResponse::NotFound().finish(),
    }
}

// ---- scenarios -------------------------------------------------------------

/// Which page runs the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Page {
    /// `http://127.0.0.1:<a>/run/main`
    Main,
    /// `http://app.localhost:<a>/run/sub`
    Sub,
    /// `http://127.0.0.1:<a>/run/form`: one `<form method=post>`, submitted
    /// into a frame, as a CSRF page does.
    Form,
    /// `http://127.0.0.1:<p>/run/public`: a page the engine is told is on the
    /// public internet, calling the API on loopback (Private Network Access,
    /// now Local Network Access). Only in the engines that can be told so.
    Public,
}

impl Page {
    /// In the order the browser runs them. `main` moves the clock a day
    /// ahead, so the pages that need no clock come first.
    const ALL: [Page; 4] = [Page::Form, Page::Public, Page::Main, Page::Sub];

    /// The pages `engine` runs.
    fn of(engine: Engine) -> impl Iterator<Item = Page> {
        Page::ALL
            .into_iter()
            .filter(move |&page| page != Page::Public || engine.can_mark_public())
    }

    /// The page after `self` in `engine`, if any.
    fn next(self, engine: Engine) -> Option<Page> {
        Page::of(engine).skip_while(|&page| page != self).nth(1)
    }

    /// The pages that post results, in `engine`.
    fn posting(engine: Engine) -> usize {
        Page::of(engine).filter(|&page| page != Page::Form).count()
    }

    fn path(self) -> &'static str {
        match self {
            Page::Main => "main",
            Page::Sub => "sub",
            Page::Public => "public",
            Page::Form => "form",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Server {
    /// `http://localhost:<b>`
    Api,
    /// `http://localhost:<c>`, in strict mode.
    Strict,
    /// `http://localhost:<r>`, without `Cors`.
    Raw,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Cors,
    NoCors,
    Form,
}

/// What the page should see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// The response is readable, with this status.
    Read(u16),
    /// `fetch()` rejects: the browser blocked it.
    Blocked,
    /// `no-cors` or a form: the page gets nothing it can read.
    Opaque,
    /// No answer in time, and nothing reached the server: the browser is
    /// waiting for the user's permission.
    Unanswered,
}

#[derive(Clone, Debug)]
struct Scenario {
    name: &'static str,
    page: Page,
    server: Server,
    path: &'static str,
    method: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    body: Option<&'static str>,
    credentials: CredentialsMode,
    mode: Mode,
    repeat: usize,
    /// Clock offsets in seconds from the first attempt, one per later
    /// attempt: the page moves the browser's clock there before it.
    clock: Vec<u32>,
    /// Response headers the page tries to read.
    read: Vec<&'static str>,
    expect: Expect,
    /// The body the page must read, when it matters.
    expect_body: Option<&'static str>,
    /// Where an engine does otherwise: what it does instead.
    differs: Vec<(Engine, Expect, Option<&'static str>)>,
    /// The request goes from a public page to a loopback address.
    private_network: bool,
}

fn s(name: &'static str, server: Server, path: &'static str, expect: Expect) -> Scenario {
    Scenario {
        name,
        page: Page::Main,
        server,
        path,
        method: "GET",
        headers: Vec::new(),
        body: None,
        credentials: CredentialsMode::SameOrigin,
        mode: Mode::Cors,
        repeat: 1,
        clock: Vec::new(),
        read: Vec::new(),
        expect,
        expect_body: None,
        differs: Vec::new(),
        private_network: false,
    }
}

impl Scenario {
    fn method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }
    fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }
    fn body(mut self, body: &'static str) -> Self {
        self.body = Some(body);
        self
    }
    fn include(mut self) -> Self {
        self.credentials = CredentialsMode::Include;
        self
    }
    fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }
    fn page(mut self, page: Page) -> Self {
        self.page = page;
        self.private_network = page == Page::Public;
        self
    }
    fn repeat(mut self, times: usize) -> Self {
        self.repeat = times;
        self
    }
    /// Attempts at these clock offsets, after a first one at 0.
    fn clock(mut self, offsets: &[u32]) -> Self {
        self.clock = offsets.to_vec();
        self.repeat = offsets.len() + 1;
        self
    }
    /// What `engine` does instead of the expectation.
    fn except(mut self, engine: Engine, expect: Expect, body: Option<&'static str>) -> Self {
        self.differs.push((engine, expect, body));
        self
    }
    /// The expectation for `engine`: status and body.
    fn expected(&self, engine: Engine) -> (Expect, Option<&'static str>) {
        self.differs
            .iter()
            .find(|(e, _, _)| *e == engine)
            .map_or((self.expect, self.expect_body), |&(_, expect, body)| {
                (expect, body)
            })
    }
    fn expect_body(mut self, body: &'static str) -> Self {
        self.expect_body = Some(body);
        self
    }
    fn read(mut self, names: &[&'static str]) -> Self {
        self.read.extend_from_slice(names);
        self
    }

    /// The headers `fetch()` sends: the page's, plus the `Content-Type` it
    /// adds for a string body.
    fn sent_headers(&self) -> Vec<(&'static str, &'static str)> {
        let mut headers = self.headers.clone();
        if self.body.is_some()
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("Content-Type", "text/plain;charset=UTF-8"));
        }
        headers
    }
}

fn scenarios() -> Vec<Scenario> {
    use Expect::{Blocked, Opaque, Read};
    use Server::{Api, Raw, Strict};
    const JSON: (&str, &str) = ("Content-Type", "application/json");
    // A POST with a string body and this `Content-Type`, to the echo.
    let content_type = |name, value| {
        s(name, Raw, "/raw/echo", Read(200))
            .method("POST")
            .header("Content-Type", value)
            .body("x")
    };
    // Safelisted request-header values: at most 128 bytes each.
    let accept_128: &'static str = "a".repeat(128).leak();
    let accept_129: &'static str = "a".repeat(129).leak();
    let language_100: &'static str = "a".repeat(100).leak();
    let language_120: &'static str = "a".repeat(120).leak();
    let dev = if cfg!(debug_assertions) {
        Read(200)
    } else {
        Blocked
    };
    vec![
        s("get_allowed", Api, "/api/simple", Read(200)),
        s(
            "get_with_credentials_not_allowed",
            Api,
            "/api/simple",
            Blocked,
        )
        .include(),
        s("get_origin_not_allowed", Api, "/api/admin", Blocked),
        s("delete_origin_not_allowed", Api, "/api/admin", Blocked).method("DELETE"),
        s("json_post_preflighted", Api, "/api/items", Read(201))
            .method("POST")
            .header(JSON.0, JSON.1)
            .body(r#"{"name":"ada"}"#),
        s("text_post_not_preflighted", Api, "/api/items", Read(201))
            .method("POST")
            .body("ada"),
        s("put_json", Api, "/api/items/7", Read(200))
            .method("PUT")
            .header(JSON.0, JSON.1)
            .body("{}"),
        s("delete", Api, "/api/items/7", Read(204)).method("DELETE"),
        s("patch_uppercase", Api, "/api/items/7", Read(200)).method("PATCH"),
        // `fetch()` does not uppercase `patch`; ACAM is case-sensitive.
        s("patch_lowercase", Api, "/api/items/7", Blocked).method("patch"),
        s("custom_header_allowed", Api, "/api/items", Read(200))
            .header("X-Requested-With", "fetch"),
        s("custom_header_not_allowed", Api, "/api/items", Blocked).header("X-Debug", "1"),
        s(
            "exposed_and_unexposed_headers",
            Api,
            "/api/items",
            Read(200),
        )
        .read(&["Content-Type", "X-Total-Count", "X-Internal-Id"]),
        s("error_response_readable", Api, "/api/fails", Read(500)),
        s("public_wildcard", Api, "/public/prices", Read(200)),
        s(
            "public_wildcard_with_credentials",
            Api,
            "/public/prices",
            Blocked,
        )
        .include(),
        s("auth_bad_token", Api, "/auth/me", Read(401))
            .header("Authorization", "Bearer bad")
            .read(&["WWW-Authenticate"]),
        s("auth_good_token", Api, "/auth/me", Read(200)).header("Authorization", "Bearer good"),
        s("auth_no_token", Api, "/auth/me", Read(401)).read(&["WWW-Authenticate"]),
        s("cookie_login", Api, "/session/login", Read(200))
            .method("POST")
            .include()
            .read(&["Set-Cookie"]),
        s("cookie_sent_back", Api, "/session/me", Read(200))
            .include()
            .expect_body("sid")
            // WebKit blocks third-party cookies: `localhost` is another
            // site than the page's `127.0.0.1`.
            .except(Engine::WebKit, Read(200), Some("")),
        s(
            "cookie_not_sent_without_include",
            Api,
            "/session/me",
            Read(200),
        )
        .expect_body(""),
        s("subdomain_pattern_other_origin", Api, "/sub/data", Blocked),
        s("max_age_caches_preflight", Api, "/cache/long", Read(204))
            .method("PUT")
            .repeat(2),
        s("max_age_zero_no_cache", Api, "/cache/none", Read(204))
            .method("PUT")
            .repeat(2),
        s("options_passthrough", Api, "/api/options", Read(200))
            .method("OPTIONS")
            .expect_body("answered by the app"),
        s("dev_origin", Api, "/dev/data", dev),
        s("no_cors_post_reaches_handler", Api, "/transfer", Opaque)
            .method("POST")
            .mode(Mode::NoCors)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("amount=100"),
        s("strict_stops_no_cors_post", Strict, "/transfer", Opaque)
            .method("POST")
            .mode(Mode::NoCors)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("amount=100"),
        s("strict_allows_allowed_origin", Strict, "/notes", Read(201))
            .method("POST")
            .header(JSON.0, JSON.1)
            .body("{}"),
        // Where engines are known or suspected to differ.
        s(
            "any_header_with_authorization",
            Api,
            "/api/any-header",
            Read(200),
        )
        .header("Authorization", "Bearer x"),
        s(
            "bare_star_headers_with_authorization",
            Raw,
            "/raw/star-headers",
            Read(200),
        )
        .header("Authorization", "Bearer x"),
        s(
            "bare_star_headers_custom",
            Raw,
            "/raw/star-headers",
            Read(200),
        )
        .header("X-Custom", "1"),
        s("expose_star", Api, "/api/expose-all", Read(200)).read(&["X-Custom"]),
        s(
            "expose_star_with_credentials",
            Raw,
            "/raw/expose-star-credentials",
            Read(200),
        )
        .include()
        .read(&["X-Custom"]),
        s("redirect_after_preflight", Raw, "/raw/redirect", Read(200)).method("PUT"),
        s(
            "preflight_redirected",
            Raw,
            "/raw/preflight-redirect",
            Blocked,
        )
        .method("PUT"),
        content_type("content_type_charset", "text/plain; charset=utf-8"),
        content_type(
            "content_type_quoted_charset",
            "text/plain; charset=\"utf-8\"",
        ),
        content_type("content_type_no_subtype", "text"),
        content_type("content_type_multipart", "multipart/form-data; boundary=x"),
        s("put_lowercase", Raw, "/raw/echo", Read(200)).method("put"),
        s("accept_128_bytes", Raw, "/raw/echo", Read(200)).header("Accept", accept_128),
        s("accept_129_bytes", Raw, "/raw/echo", Read(200)).header("Accept", accept_129),
        // Two values of 100 bytes: each is safelisted, together 202 bytes.
        s("safelisted_repeated_header", Raw, "/raw/echo", Read(200))
            .header("Accept-Language", language_100)
            .header("Accept-Language", language_100),
        // Nine values of 120 bytes: each is safelisted, together over 1024.
        (0..9).fold(
            s("safelisted_over_1024_bytes", Raw, "/raw/echo", Read(200)),
            |scenario, _| scenario.header("Accept-Language", language_120),
        ),
        // Last on its page: it leaves the browser's clock a day ahead. Each
        // cap is tried 10 s before and after it runs out, counted from the
        // preflight that filled the cache: WebKit's 600 s at 590 and 610,
        // Chromium's 7200 s at 7190 and 7210, Firefox's 86400 s at 86390
        // and 86410 (the real seconds the test takes stay under 10).
        s(
            "max_age_two_days_capped",
            Raw,
            "/raw/cache-two-days",
            Read(204),
        )
        .method("PUT")
        .clock(&[590, 610, 7190, 7210, 86_390, 86_410]),
        s("subdomain_pattern", Api, "/sub/data", Read(200)).page(Page::Sub),
        s("subdomain_not_in_defaults", Api, "/api/simple", Blocked).page(Page::Sub),
        // No preflight any more: a permission the page cannot get headless.
        s(
            "local_network_from_public_page",
            Api,
            "/api/simple",
            Blocked,
        )
        .page(Page::Public)
        .except(Engine::Firefox, Expect::Unanswered, None),
        s("strict_stops_form_post", Strict, "/transfer", Opaque)
            .method("POST")
            .mode(Mode::Form)
            .page(Page::Form),
    ]
}

// ---- the pages ---------------------------------------------------------------

/// The origins of one engine's run.
#[derive(Clone, Debug)]
struct Origins {
    page: String,
    sub: String,
    api: String,
    strict: String,
    raw: String,
    public: String,
    page_port: u16,
    public_port: u16,
    api_port: u16,
    strict_port: u16,
    raw_port: u16,
}

impl Origins {
    fn new(
        page_port: u16,
        public_port: u16,
        api_port: u16,
        strict_port: u16,
        raw_port: u16,
    ) -> Self {
        Origins {
            page: format!("http://127.0.0.1:{page_port}"),
            sub: format!("http://app.localhost:{page_port}"),
            api: format!("http://localhost:{api_port}"),
            strict: format!("http://localhost:{strict_port}"),
            raw: format!("http://localhost:{raw_port}"),
            public: format!("http://127.0.0.1:{public_port}"),
            page_port,
            public_port,
            api_port,
            strict_port,
            raw_port,
        }
    }

    fn page_origin(&self, page: Page) -> &str {
        match page {
            Page::Main | Page::Form => &self.page,
            Page::Sub => &self.sub,
            Page::Public => &self.public,
        }
    }

    fn page_url(&self, page: Page) -> String {
        format!("{}/run/{}", self.page_origin(page), page.path())
    }

    fn url(&self, scenario: &Scenario) -> String {
        let server = match scenario.server {
            Server::Api => &self.api,
            Server::Strict => &self.strict,
            Server::Raw => &self.raw,
        };
        format!("{server}{}?s={}", scenario.path, scenario.name)
    }

    /// Whether `port` is one of this run's API servers.
    fn serves(&self, port: u16) -> bool {
        [self.api_port, self.strict_port, self.raw_port].contains(&port)
    }
}

/// A JavaScript string literal.
fn js(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' | '>' | '&' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Runs `SCENARIOS` in order, posts the results to `/result/<PAGE>` on the
/// page's own origin, then goes on to `NEXT`.
const RUNNER: &str = r#"
const enc = encodeURIComponent;
async function attempt(s) {
  // A request held for the user's permission is never answered: give up.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 3000);
  try {
    const r = await fetch(s.url, { ...s.init, signal: abort.signal });
    const body = await r.text();
    return {
      outcome: r.type === "opaque" ? "opaque" : "read",
      status: r.status,
      body,
      headers: s.read.map(n => [n, r.headers.get(n)]),
    };
  } catch (e) {
    if (abort.signal.aborted) return { outcome: "unanswered" };
    return { outcome: "blocked", error: String((e && e.message) || e) };
  } finally {
    clearTimeout(timer);
  }
}
(async () => {
  const lines = [];
  for (const s of SCENARIOS) {
    const outcomes = [];
    let last;
    for (let i = 0; i < s.repeat; i++) {
      if (i > 0 && s.clock.length) {
        // The page server moves this browser's clock and answers once every
        // process of the browser has read it.
        await fetch("/advance/" + s.clock[i - 1], { method: "POST" });
      }
      last = await attempt(s);
      outcomes.push(last.outcome);
    }
    let line = "RESULT name=" + enc(s.name) + " outcomes=" + enc(outcomes.join(","));
    if (last.status !== undefined) line += " status=" + last.status;
    if (last.body !== undefined) line += " body=" + enc(last.body);
    if (last.error !== undefined) line += " error=" + enc(last.error);
    for (const [n, v] of last.headers || []) {
      if (v !== null) line += " h." + enc(n.toLowerCase()) + "=" + enc(v);
    }
    lines.push(line);
  }
  lines.push("END");
  await fetch("/result/" + PAGE, { method: "POST", body: lines.join("\n") + "\n" });
  if (NEXT) location.href = NEXT;
})();
"#;

fn page_html(engine: Engine, page: Page, scenarios: &[Scenario], origins: &Origins) -> String {
    let mine: Vec<&Scenario> = scenarios.iter().filter(|s| s.page == page).collect();
    if page == Page::Form {
        let forms: String = mine
            .iter()
            .map(|s| {
                format!(
                    "<form id=\"f\" method=\"post\" target=\"sink\" action=\"{}\"><input name=\"amount\" value=\"100\"></form>",
                    origins.url(s)
                )
            })
            .collect();
        // Once the page server says the strict server has the form, on to
        // the next page.
        return format!(
            "<!doctype html><html><head><title>form</title></head><body>\
             <iframe name=\"sink\"></iframe>{forms}<script>\
             document.getElementById(\"f\").submit();\
             (async () => {{\
               while (!(await fetch(\"/form-arrived\")).ok) {{\
                 await new Promise(done => setTimeout(done, 50));\
               }}\
               location.href = {};\
             }})();</script></body></html>",
            js(&origins.page_url(page.next(engine).expect("a page after the form")))
        );
    }
    let mut list = String::from("const SCENARIOS = [\n");
    for s in mine {
        let headers: Vec<String> = s
            .headers
            .iter()
            .map(|(n, v)| format!("[{}, {}]", js(n), js(v)))
            .collect();
        let credentials = match s.credentials {
            CredentialsMode::Omit => "omit",
            CredentialsMode::SameOrigin => "same-origin",
            CredentialsMode::Include => "include",
        };
        let mode = if s.mode == Mode::NoCors {
            "no-cors"
        } else {
            "cors"
        };
        let body = s
            .body
            .map(|b| format!(", body: {}", js(b)))
            .unwrap_or_default();
        let read: Vec<String> = s.read.iter().map(|n| js(n)).collect();
        let clock: Vec<String> = s.clock.iter().map(u32::to_string).collect();
        list.push_str(&format!(
            "  {{ name: {}, url: {}, repeat: {}, clock: [{}], read: [{}], init: {{ method: {}, headers: [{}], credentials: {}, mode: {}{body} }} }},\n",
            js(s.name),
            js(&origins.url(s)),
            s.repeat,
            clock.join(", "),
            read.join(", "),
            js(s.method),
            headers.join(", "),
            js(credentials),
            js(mode),
        ));
    }
    list.push_str("];\n");
    let next = page
        .next(engine)
        .map_or_else(|| "null".to_owned(), |next| js(&origins.page_url(next)));
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>cors-actix browser test</title></head>\
         <body><script>const PAGE = {}; const NEXT = {next};\n{list}{RUNNER}</script></body></html>",
        js(page.path())
    )
}

// ---- servers -----------------------------------------------------------------

/// What the page server shares with the test.
struct PageState {
    pages: HashMap<String, String>,
    /// The results each page posted, by page.
    results: Mutex<HashMap<String, String>>,
    /// The clock shim's offset file for this engine.
    clock: PathBuf,
    /// The strict server's port, where the form goes.
    strict_port: u16,
}

/// Whether the strict server on `port` has received the form.
fn form_arrived(port: u16) -> bool {
    EXCHANGES
        .lock()
        .unwrap()
        .iter()
        .any(|e| e.port == port && e.scenario == "strict_stops_form_post")
}

async fn form_status(state: web::Data<Arc<PageState>>) -> HttpResponse {
    if form_arrived(state.strict_port) {
        HttpResponse::Ok().finish()
    } else {
        HttpResponse::NotFound().finish()
    }
}

struct Servers {
    handles: Vec<ServerHandle>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Servers {
    fn stop(&mut self) {
        for handle in self.handles.drain(..) {
            // The command is sent when `stop` is called; the thread below
            // ends when every server has stopped.
            drop(handle.stop(false));
        }
        if let Some(thread) = self.thread.take() {
            match thread.join() {
                Ok(Ok(())) => {}
                Ok(Err(error)) => panic!("a server failed: {error}"),
                Err(_) => panic!("the server thread panicked"),
            }
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.stop();
        } else {
            for handle in self.handles.drain(..) {
                drop(handle.stop(false));
            }
        }
    }
}

async fn serve_page(state: web::Data<Arc<PageState>>, page: web::Path<String>) -> HttpResponse {
    match state.pages.get(page.as_str()) {
        Some(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html.clone()),
        None => HttpResponse::NotFound().finish(),
    }
}

async fn post_result(
    state: web::Data<Arc<PageState>>,
    page: web::Path<String>,
    body: String,
) -> HttpResponse {
    state
        .results
        .lock()
        .unwrap()
        .insert(page.into_inner(), body);
    HttpResponse::NoContent().finish()
}

/// Moves the browser's clock to `secs` past the real one. The clock shim
/// reads the file again at most every 100 ms in each process, so the answer
/// waits until every process of the browser sees the new time.
async fn advance(state: web::Data<Arc<PageState>>, secs: web::Path<u32>) -> HttpResponse {
    // Written aside, then renamed over: a reader never sees it half written.
    let next = state.clock.with_extension("next");
    if std::fs::write(&next, format!("{secs}\n")).is_err()
        || std::fs::rename(&next, &state.clock).is_err()
    {
        return HttpResponse::InternalServerError().finish();
    }
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    HttpResponse::NoContent().finish()
}

fn start_servers(origins: &Origins, state: Arc<PageState>, listeners: [TcpListener; 5]) -> Servers {
    let [api_listener, strict_listener, raw_listener, page_listener, public_listener] = listeners;
    let api_cors = Cors::builder()
        .origins([origins.page.as_str(), origins.public.as_str()])
        .build()
        .expect("the API's defaults are valid");
    let strict_cors = Cors::builder()
        .origins([origins.page.as_str()])
        .strict(true)
        .build()
        .expect("the strict API's defaults are valid");
    let sub_pattern = format!("http://*.localhost:{}", origins.page_port);
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || -> std::io::Result<()> {
        actix_web::rt::System::new().block_on(async move {
            let api = HttpServer::new(move || {
                App::new()
                    .wrap(api_cors.clone())
                    .wrap(from_fn(record))
                    .service(simple)
                    .service(admin_get)
                    .service(admin_delete)
                    .service(list_items)
                    .service(create_item)
                    .service(update_item)
                    .service(delete_item)
                    .service(patch_item)
                    .service(fails)
                    .service(prices)
                    .service(expose_all)
                    .service(any_header)
                    .service(
                        web::scope("/auth")
                            .wrap(HttpAuthentication::bearer(validator))
                            .service(auth_me),
                    )
                    .service(login)
                    .service(session_me)
                    .service(cache_long)
                    .service(cache_none)
                    .service(app_options)
                    .service(dev_data)
                    .service(transfer)
                    // The port is known only at run time: a policy attached
                    // by hand instead of an attribute.
                    .service(attach(
                        "/sub/data",
                        ["GET"],
                        CorsPolicy::new().origins([sub_pattern.as_str()]),
                        web::resource("/sub/data").route(web::get().to(sub_data)),
                    ))
            })
            .workers(1)
            .disable_signals()
            .shutdown_timeout(1)
            .listen(api_listener)?
            .run();
            let strict = HttpServer::new(move || {
                App::new()
                    .wrap(strict_cors.clone())
                    .wrap(from_fn(record))
                    .service(transfer)
                    .service(create_note)
            })
            .workers(1)
            .disable_signals()
            .shutdown_timeout(1)
            .listen(strict_listener)?
            .run();
            let raw_server = HttpServer::new(|| {
                App::new()
                    .wrap(from_fn(record))
                    .default_service(web::to(raw))
            })
            .workers(1)
            .disable_signals()
            .shutdown_timeout(1)
            .listen(raw_listener)?
            .run();
            let state = web::Data::new(state);
            let page_server = HttpServer::new(move || {
                App::new()
                    .app_data(state.clone())
                    .route("/run/{page}", web::get().to(serve_page))
                    .route("/result/{page}", web::post().to(post_result))
                    .route("/advance/{secs}", web::post().to(advance))
                    .route("/form-arrived", web::get().to(form_status))
            })
            .workers(1)
            .disable_signals()
            .shutdown_timeout(1)
            .listen(page_listener)?
            .listen(public_listener)?
            .run();
            let _ = tx.send(vec![
                api.handle(),
                strict.handle(),
                raw_server.handle(),
                page_server.handle(),
            ]);
            futures_util::future::try_join4(api, strict, raw_server, page_server).await?;
            Ok(())
        })
    });
    let handles = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
    let mut servers = Servers {
        handles,
        thread: Some(thread),
    };
    if servers.handles.len() != 4 {
        servers.stop();
        panic!("the servers did not start");
    }
    servers
}

// ---- results ----------------------------------------------------------------

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the page wrote for one scenario.
#[derive(Clone, Debug, Default)]
struct Seen {
    /// `read`, `blocked` or `opaque`, per attempt.
    outcomes: Vec<String>,
    status: Option<u16>,
    body: Option<String>,
    error: Option<String>,
    /// Readable response headers, lowercase names; a header `get` returned
    /// `null` for is absent.
    headers: HashMap<String, String>,
}

/// Parses what a page posted to `/result/<page>`.
fn parse_results(text: &str) -> Result<HashMap<String, Seen>, String> {
    if !text.lines().any(|line| line.trim() == "END") {
        return Err(format!(
            "the page did not finish its calls; it wrote:\n{text}"
        ));
    }
    let mut seen = HashMap::new();
    for line in text.lines().filter_map(|l| l.strip_prefix("RESULT ")) {
        let mut name = String::new();
        let mut entry = Seen::default();
        for field in line.split(' ') {
            let Some((key, value)) = field.split_once('=') else {
                continue;
            };
            let value = percent_decode(value);
            match key {
                "name" => name = value,
                "outcomes" => entry.outcomes = value.split(',').map(str::to_owned).collect(),
                "status" => entry.status = value.parse().ok(),
                "body" => entry.body = Some(value),
                "error" => entry.error = Some(value),
                _ => {
                    if let Some(header) = key.strip_prefix("h.") {
                        entry.headers.insert(percent_decode(header), value);
                    }
                }
            }
        }
        seen.insert(name, entry);
    }
    Ok(seen)
}

/// Removes the folders of earlier runs whose process is gone (a run that was
/// killed cannot remove its own).
fn remove_stale_folders() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("cors-actix-browser-"))
            .and_then(|rest| rest.rsplit_once('-'))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes past the test harness's output capture: a skip must be seen.
fn tell(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

// ---- the tests ---------------------------------------------------------------

#[test]
fn chromium_agrees_with_the_oracle() {
    run(Engine::Chromium);
}

#[test]
fn firefox_agrees_with_the_oracle() {
    run(Engine::Firefox);
}

#[test]
fn webkit_agrees_with_the_oracle() {
    run(Engine::WebKit);
}

/// Runs every scenario in `engine` and checks it against the expectations,
/// the oracle and the README's table.
fn run(engine: Engine) {
    let started = Instant::now();
    let launcher = match engine.find() {
        Ok(launcher) => launcher,
        Err(why) => {
            let install = format!("apt-get install {}", engine.packages());
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{why}; CI=true requires every engine's browser test to run: {install}");
            }
            tell(&format!(
                "SKIPPED browser::{} ({}): {why}. This is a skip, not a pass: {install}",
                engine.name().to_lowercase(),
                engine.name()
            ));
            return;
        }
    };
    let _ = env_logger::builder().is_test(true).try_init();
    let mut version = "version unknown".to_owned();

    let bind = || TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let listeners = [bind(), bind(), bind(), bind(), bind()];
    let port = |l: &TcpListener| l.local_addr().expect("bound").port();
    let origins = Origins::new(
        port(&listeners[3]),
        port(&listeners[4]),
        port(&listeners[0]),
        port(&listeners[1]),
        port(&listeners[2]),
    );
    remove_stale_folders();
    let dir = std::env::temp_dir().join(format!(
        "cors-actix-browser-{}-{}",
        engine.name().to_lowercase(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let clock = dir.join("clock");
    std::fs::write(&clock, "0\n").expect("the clock file");

    let scenarios = scenarios();
    let state = Arc::new(PageState {
        pages: Page::of(engine)
            .map(|page| {
                (
                    page.path().to_owned(),
                    page_html(engine, page, &scenarios, &origins),
                )
            })
            .collect(),
        results: Mutex::new(HashMap::new()),
        clock: clock.clone(),
        strict_port: origins.strict_port,
    });
    let mut servers = start_servers(&origins, state.clone(), listeners);

    // The form page submits its form, then each page posts its results and
    // goes on to the next. Done when the form and both results arrived.
    let form_sent = || form_arrived(origins.strict_port);
    let posted = || state.results.lock().unwrap().len();
    let posted_pages = || {
        let mut pages: Vec<String> = state.results.lock().unwrap().keys().cloned().collect();
        pages.sort();
        pages.join(", ")
    };
    let mut failures = Vec::new();
    let posting = Page::posting(engine);
    let public = format!("127.0.0.1:{}", origins.public_port);
    match launcher.open(&origins.page_url(Page::ALL[0]), &dir, &clock, &public) {
        Ok(mut running) => {
            version = launcher.version(&running);
            let deadline = Instant::now() + Duration::from_secs(150);
            let finished = loop {
                if posted() == posting && form_sent() {
                    break true;
                }
                if running.exited() || Instant::now() > deadline {
                    break false;
                }
                std::thread::sleep(Duration::from_millis(100));
            };
            // Give the last requests time to be recorded.
            std::thread::sleep(Duration::from_millis(300));
            let stderr = running.stop();
            if !finished {
                failures.push(format!(
                    "{} did not finish the pages in time: {} of {posting} posted results ({}), form sent: {}; \
                     its stderr ends:\n{stderr}",
                    engine.name(),
                    posted(),
                    posted_pages(),
                    form_sent()
                ));
            }
        }
        Err(error) => failures.push(error),
    }
    servers.stop();
    // An engine that never ran its pages leaves nothing else worth reporting.
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{}: {}",
        engine.name(),
        failures.join("\n")
    );
    if !engine.can_mark_public() {
        tell(&format!(
            "NOT RUN in {}: the scenarios of the public page (the engine cannot be told a \
             page is public)",
            engine.name()
        ));
    }

    let mut seen = HashMap::new();
    for (page, text) in state.results.lock().unwrap().iter() {
        match parse_results(text) {
            Ok(results) => seen.extend(results),
            Err(error) => failures.push(format!("page {page}: {error}")),
        }
    }
    let exchanges: Vec<Exchange> = EXCHANGES
        .lock()
        .unwrap()
        .iter()
        .filter(|e| origins.serves(e.port))
        .cloned()
        .collect();
    let mut report = Vec::new();
    let mut cells = Vec::new();
    for scenario in &scenarios {
        let mine: Vec<&Exchange> = exchanges
            .iter()
            .filter(|e| e.scenario == scenario.name)
            .collect();
        let (line, cell) = check(
            engine,
            scenario,
            &origins,
            seen.get(scenario.name),
            &mine,
            &mut failures,
        );
        report.push(format!("{:<40} {line}", scenario.name));
        cells.push((scenario.name, cell));
    }
    side_effects(engine, &origins, &exchanges, &mut failures);
    if failures.is_empty() {
        if let Err(problem) = table::check(engine, &cells) {
            failures.push(problem);
        }
    }
    eprintln!(
        "{} ({version}): {} scenarios in {:?}:\n{}",
        engine.name(),
        scenarios.len(),
        started.elapsed(),
        report.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} ({version}): {} problem(s):\n- {}\n\nscenarios:\n{}",
        engine.name(),
        failures.len(),
        failures.join("\n- "),
        report.join("\n")
    );
}

/// Checks one scenario: the engine against the expectation, the oracle
/// (with the engine's profile) against the engine. Returns a line for the
/// report and the scenario's cell in the README table.
fn check(
    engine: Engine,
    scenario: &Scenario,
    origins: &Origins,
    page: Option<&Seen>,
    exchanges: &[&Exchange],
    failures: &mut Vec<String>,
) -> (String, String) {
    let name = scenario.name;
    let who = engine.name();
    let mut fail = |message: String| failures.push(format!("{name}: {message}"));
    let origin = origins.page_origin(scenario.page);
    let sent = scenario.sent_headers();
    let request = browser::Request {
        origin,
        method: scenario.method,
        headers: sent.clone(),
        credentials: scenario.credentials,
        private_network: scenario.private_network,
        browser: engine.browser(),
    };
    let preflights: Vec<&&Exchange> = exchanges.iter().filter(|e| e.is_preflight()).collect();
    if std::env::var("BROWSER_SCENARIO").is_ok_and(|v| v == name) {
        eprintln!("{name} in {who}, as the servers saw it: {exchanges:#?}");
    }
    let actuals: Vec<&&Exchange> = exchanges.iter().filter(|e| !e.is_preflight()).collect();

    // The browser set `Origin` and `Sec-Fetch-Site` itself.
    for exchange in exchanges {
        if exchange.request_header("origin") != Some(origin) {
            fail(format!(
                "the browser sent Origin {:?}, not {origin}",
                exchange.request_header("origin")
            ));
        }
        if exchange.request_header("sec-fetch-site") != Some("cross-site") {
            fail(format!(
                "Sec-Fetch-Site is {:?}",
                exchange.request_header("sec-fetch-site")
            ));
        }
    }

    if scenario.mode == Mode::Form {
        // A top-level form navigation: nothing for the page to read. The
        // oracle models `cors` mode only; what it says is that a page could
        // not have read this response either.
        let Some(actual) = actuals.first() else {
            fail("the form was not submitted".into());
            return ("form: never reached the server".into(), "not sent".into());
        };
        if actual.request_header("sec-fetch-mode") != Some("navigate") {
            fail(format!(
                "Sec-Fetch-Mode {:?}",
                actual.request_header("sec-fetch-mode")
            ));
        }
        let oracle = browser::check_response(&request, &actual.response());
        if oracle.is_ok() {
            fail("the oracle says a page could read the form's answer".into());
        }
        return (
            format!(
                "form POST sent; server answered {}; oracle: not readable",
                actual.status
            ),
            format!("form POST sent · {}", actual.status),
        );
    }

    if scenario.page == Page::Public && !engine.can_mark_public() {
        return ("not run: no page can be public".into(), "not run".into());
    }
    let Some(seen) = page else {
        fail("the page wrote no result".into());
        return ("no result".into(), "no result".into());
    };
    let engine_read: Vec<bool> = seen.outcomes.iter().map(|o| o == "read").collect();
    if seen.outcomes.len() != scenario.repeat {
        fail(format!(
            "{} attempts, expected {}",
            seen.outcomes.len(),
            scenario.repeat
        ));
    }
    let (expect, expect_body) = scenario.expected(engine);
    let expected = match expect {
        Expect::Read(_) => "read",
        Expect::Blocked => "blocked",
        Expect::Opaque => "opaque",
        Expect::Unanswered => "unanswered",
    };
    if seen.outcomes.iter().any(|o| o != expected) {
        fail(format!(
            "{who}: {:?} (error {:?}), expected {expected}",
            seen.outcomes, seen.error
        ));
    }
    if let Expect::Read(status) = expect {
        if seen.status != Some(status) {
            fail(format!("status {:?}, expected {status}", seen.status));
        }
    }
    if let Some(body) = expect_body {
        if seen.body.as_deref() != Some(body) {
            fail(format!(
                "the page read the body {:?}, expected {body:?}",
                seen.body
            ));
        }
    }

    if scenario.private_network {
        // A public page's request to loopback: the engine holds it for the
        // user's permission, so nothing reaches the server, and the oracle
        // must say so whatever the server would answer.
        if !exchanges.is_empty() {
            fail(format!(
                "{who} sent {} request(s) from the public page",
                exchanges.len()
            ));
        }
        let oracle = browser::fetch(&request, None, &browser::Response::new(200));
        let held = matches!(&oracle, Err(blocked) if blocked.kind == browser::BlockedKind::LocalNetworkPermission);
        if !held {
            fail(format!(
                "DISAGREEMENT: {who} sent nothing; the oracle says {oracle:?}"
            ));
        }
        return (
            format!(
                "{who}: {}; nothing sent; oracle: held for permission",
                seen.outcomes.join(",")
            ),
            format!("{} · nothing sent", seen.outcomes.join(",")),
        );
    }

    if scenario.mode == Mode::NoCors {
        // `no-cors` makes no CORS check: the response is opaque whatever its
        // headers (Fetch, "main fetch", step 12: an opaque filtered
        // response). The oracle models `cors` mode; it must agree that the
        // server gave this origin nothing readable.
        let Some(actual) = actuals.first() else {
            fail("the request never reached the server".into());
            return ("no-cors: never sent".into(), "not sent".into());
        };
        if !preflights.is_empty() {
            fail("a no-cors request was preflighted".into());
        }
        if browser::check_response(&request, &actual.response()).is_ok() {
            fail("the oracle says the response would be readable in cors mode".into());
        }
        return (
            format!(
                "{who}: opaque; server {}; oracle: not readable",
                actual.status
            ),
            format!("opaque · server {}", actual.status),
        );
    }

    // The preflight: sent exactly when the oracle says it is needed, with the
    // Access-Control-Request-* the oracle predicts.
    let needs = browser::needs_preflight(&request);
    let first_preflighted = exchanges.first().is_some_and(|e| e.is_preflight());
    if needs != first_preflighted {
        fail(format!(
            "oracle: preflight needed = {needs}; {who} {} one",
            if first_preflighted {
                "sent"
            } else {
                "did not send"
            }
        ));
    }
    // Every preflight, a redirect target's and a repeat's too.
    let predicted = browser::preflight_for(&request);
    for (predicted, preflight) in predicted
        .iter()
        .flat_map(|p| preflights.iter().map(move |e| (p, e)))
    {
        let acrm = preflight.request_header("access-control-request-method");
        let acrh = preflight.request_header("access-control-request-headers");
        if acrm != Some(predicted.request_method.as_str())
            || acrh != predicted.request_headers.as_deref()
        {
            fail(format!(
                "{who} sent ACRM {acrm:?} ACRH {acrh:?}; the oracle predicts {:?} {:?}",
                predicted.request_method, predicted.request_headers
            ));
        }
    }

    // The oracle's verdict on every attempt, from the headers the server
    // actually sent. An attempt with no preflight of its own uses the one the
    // browser cached for that URL (whether it should have been cached is
    // checked below).
    let mut cache = HashMap::new();
    let mut rest: &[&Exchange] = exchanges;
    let mut verdicts = Vec::new();
    while verdicts.len() < scenario.repeat && !rest.is_empty() {
        let (verdict, used) = judge_attempt(&request, needs, rest, &mut cache, &mut fail);
        verdicts.push(verdict);
        rest = &rest[used..];
    }
    let mut oracle = None;
    for (attempt, verdict) in verdicts.into_iter().enumerate() {
        let verdict = match verdict {
            Ok(verdict) => verdict,
            Err(problem) => {
                fail(format!("{who}, attempt {}: {problem}", attempt + 1));
                continue;
            }
        };
        let read = engine_read.get(attempt).copied().unwrap_or(false);
        if verdict.is_ok() != read {
            fail(format!(
                "DISAGREEMENT on attempt {}: {who} {:?} ({:?}), the oracle {}",
                attempt + 1,
                seen.outcomes,
                seen.error,
                match &verdict {
                    Ok(_) => "lets the page read the response".to_owned(),
                    Err(blocked) => format!("{blocked}"),
                }
            ));
        }
        // The page reports the headers of its last attempt.
        oracle = Some(verdict);
    }
    let Some(oracle) = oracle else {
        return (
            format!("{who}: {:?}; oracle: no data", seen.outcomes),
            "no data".into(),
        );
    };
    if let Ok(readable) = &oracle {
        for name in &scenario.read {
            let js = seen
                .headers
                .get(&name.to_ascii_lowercase())
                .map(String::as_str);
            let predicted = readable.get(name);
            if js != predicted.as_deref() {
                fail(format!(
                    "header {name}: the page read {js:?}, the oracle predicts {predicted:?}"
                ));
            }
        }
    }

    // Repeats: a cached preflight is not sent again, exactly as long as the
    // oracle's cache lifetime for this engine says.
    let preflighted = preflighted_attempts(exchanges);
    if scenario.repeat > 1 {
        let predicted = predicted_preflights(engine, scenario, needs, exchanges);
        if preflighted != predicted || actuals.len() != scenario.repeat {
            fail(format!(
                "preflights before attempts {preflighted:?} and {} requests; the oracle's \
                 cache for {:?} predicts {predicted:?} and {}",
                actuals.len(),
                engine.browser(),
                scenario.repeat
            ));
        }
    }

    let verdict = match &oracle {
        Ok(_) => "readable".to_owned(),
        Err(blocked) => format!("{:?} at {:?}", blocked.kind, blocked.stage),
    };
    let line = format!(
        "{who}: {:<14} oracle: {verdict}; {} preflight(s), {} request(s)",
        seen.outcomes.join(","),
        preflights.len(),
        actuals.len()
    );
    (line, cell(scenario, seen, &preflighted, preflights.len()))
}

/// The oracle's verdict on the attempt at the start of `exchanges`, hop by
/// hop through redirects (each hop a request of its own: preflighted again
/// when needed, the redirect response checked too), and how many exchanges
/// it took. `cache` holds the last preflight per path, as the browser's cache.
fn judge_attempt<'e>(
    request: &browser::Request<'_>,
    needs: bool,
    exchanges: &[&'e Exchange],
    cache: &mut HashMap<String, &'e Exchange>,
    fail: &mut impl FnMut(String),
) -> (
    Result<Result<browser::Readable, browser::Blocked>, String>,
    usize,
) {
    let mut at = 0;
    loop {
        let mut next = |preflight: bool| {
            let exchange = exchanges
                .get(at)
                .filter(|e| e.is_preflight() == preflight)
                .copied();
            at += usize::from(exchange.is_some());
            exchange
        };
        let preflight = next(true);
        let actual = next(false);
        let Some(path) = preflight.or(actual).map(|e| e.path.clone()) else {
            return (Err("no request was recorded".to_owned()), at);
        };
        if let Some(preflight) = preflight {
            cache.insert(path.clone(), preflight);
        }
        let verdict = match (needs, preflight.or_else(|| cache.get(&path).copied())) {
            (false, _) if preflight.is_some() => {
                Err("a preflight for a request that needs none".to_owned())
            }
            (true, None) => Err("no preflight was recorded".to_owned()),
            (true, Some(answer)) => match browser::check_preflight(request, &answer.response()) {
                Err(blocked) => {
                    if actual.is_some() {
                        fail("the actual request was sent after a failing preflight".to_owned());
                    }
                    Ok(Err(blocked))
                }
                Ok(_) => match actual {
                    Some(actual) => Ok(browser::check_response(request, &actual.response())),
                    None => {
                        Err("the preflight passed but no actual request was recorded".to_owned())
                    }
                },
            },
            (false, _) => match actual {
                Some(actual) => Ok(browser::check_response(request, &actual.response())),
                None => Err("no request was recorded".to_owned()),
            },
        };
        let redirected = actual.is_some_and(|a| a.status / 100 == 3);
        if !(redirected && matches!(verdict, Ok(Ok(_)))) {
            return (verdict, at);
        }
        if at == exchanges.len() {
            return (Err("the redirect was not followed".to_owned()), at);
        }
    }
}

/// For each attempt (an actual request), whether a preflight came before it.
fn preflighted_attempts(exchanges: &[&Exchange]) -> Vec<bool> {
    let mut attempts = Vec::new();
    let mut pending = false;
    for exchange in exchanges {
        if exchange.is_preflight() {
            pending = true;
        } else if exchange.status / 100 != 3 {
            // A redirect's target belongs to the same attempt.
            attempts.push(std::mem::take(&mut pending));
        }
    }
    attempts
}

/// What the oracle's preflight cache predicts for each attempt: preflighted
/// when nothing is cached, or when the clock has passed the cached lifetime.
fn predicted_preflights(
    engine: Engine,
    scenario: &Scenario,
    needs: bool,
    exchanges: &[&Exchange],
) -> Vec<bool> {
    let mut answers = exchanges.iter().filter(|e| e.is_preflight());
    let mut expires: Option<u64> = None;
    (0..scenario.repeat)
        .map(|attempt| {
            let now = match attempt {
                0 => 0,
                n => u64::from(scenario.clock.get(n - 1).copied().unwrap_or(0)),
            };
            let preflight = needs && expires.is_none_or(|at| now >= at);
            if preflight {
                let lifetime = answers.next().map_or(0, |answer| {
                    browser::preflight_cache_seconds(&answer.response(), engine.browser())
                });
                expires = Some(now + u64::from(lifetime));
            }
            preflight
        })
        .collect()
}

/// The scenario's cell in the README table: what the engine did.
fn cell(scenario: &Scenario, seen: &Seen, preflighted: &[bool], preflights: usize) -> String {
    let mut parts = Vec::new();
    let first = seen.outcomes.first().map_or("none", String::as_str);
    let outcome = if seen.outcomes.iter().all(|o| o == first) {
        first.to_owned()
    } else {
        seen.outcomes.join(",")
    };
    parts.push(match (outcome.as_str(), seen.status) {
        ("read", Some(status)) => format!("read {status}"),
        _ => outcome,
    });
    if !scenario.clock.is_empty() {
        let at: Vec<String> = preflighted
            .iter()
            .zip(std::iter::once(0).chain(scenario.clock.iter().copied()))
            .filter(|(preflighted, _)| **preflighted)
            .map(|(_, at)| format!("{at} s"))
            .collect();
        parts.push(format!("preflighted at {}", at.join(", ")));
    } else {
        parts.push(match preflights {
            0 => "no preflight".to_owned(),
            1 => "1 preflight".to_owned(),
            n => format!("{n} preflights"),
        });
    }
    for name in &scenario.read {
        let readable = seen.headers.contains_key(&name.to_ascii_lowercase());
        parts.push(format!(
            "{name} {}",
            if readable { "readable" } else { "hidden" }
        ));
    }
    if scenario.expect_body.is_some() {
        parts.push(format!("body {:?}", seen.body.as_deref().unwrap_or("")));
    }
    parts.join(" · ")
}

/// What only the server can tell: which handlers ran.
fn side_effects(
    engine: Engine,
    origins: &Origins,
    exchanges: &[Exchange],
    failures: &mut Vec<String>,
) {
    let of = |scenario: &'static str| exchanges.iter().filter(move |e| e.scenario == scenario);
    let ran: Vec<(u16, &str)> = RAN
        .lock()
        .unwrap()
        .iter()
        .copied()
        .filter(|&(port, _)| origins.serves(port))
        .collect();
    let runs = |port: u16, what: &str| ran.iter().filter(|&&r| r == (port, what)).count();
    let api = origins.api_port;
    let mut expect = |what: &str, ok: bool| {
        if !ok {
            failures.push(what.to_owned());
        }
    };
    // CORS does not stop a simple GET from reaching the handler...
    expect(
        "get_origin_not_allowed: the handler runs",
        runs(api, "admin_get") == 1,
    );
    // ...but a refused preflight stops the request itself.
    expect(
        "delete_origin_not_allowed: the handler never runs",
        runs(api, "admin_delete") == 0,
    );
    expect(
        "delete_origin_not_allowed: the preflight is refused with 403",
        of("delete_origin_not_allowed").all(|e| e.is_preflight() && e.status == 403),
    );
    // Authentication never sees a preflight: the validator ran for the two
    // requests with a token, not for their two preflights.
    let auth_preflights = exchanges
        .iter()
        .filter(|e| e.scenario.starts_with("auth_") && e.is_preflight())
        .count();
    expect(
        "auth: both token requests were preflighted",
        auth_preflights == 2,
    );
    expect(
        "auth: the validator ran once per actual request with a token, never for a preflight",
        runs(api, "auth") == 2,
    );
    // Cookies: set by B, sent back on a credentialed request only.
    let cookie = |scenario: &'static str| {
        of(scenario).find_map(|e| e.request_header("cookie").map(str::to_owned))
    };
    let set_cookies = of("cookie_login")
        .flat_map(|e| e.response.iter().filter(|(n, _)| n == "set-cookie"))
        .count();
    expect("cookie_login: two Set-Cookie lines", set_cookies == 2);
    // Whether the engine keeps a third-party cookie is its own policy: the
    // page read the names of the cookies the server received.
    let keeps = scenarios()
        .iter()
        .find(|s| s.name == "cookie_sent_back")
        .is_some_and(|s| s.expected(engine).1 == Some("sid"));
    let received = cookie("cookie_sent_back");
    expect(
        if keeps {
            "cookie_sent_back: the server received `sid` and not the Lax cookie"
        } else {
            "cookie_sent_back: the server received no cookie"
        },
        if keeps {
            received.is_some_and(|c| c.contains("sid=s3cr3t") && !c.contains("lax="))
        } else {
            received.is_none()
        },
    );
    expect(
        "cookie_not_sent_without_include: no cookie",
        cookie("cookie_not_sent_without_include").is_none(),
    );
    // The app's own OPTIONS handler ran for the actual OPTIONS request only.
    expect(
        "options_passthrough: the app's handler ran once",
        runs(api, "app_options") == 1,
    );
    let options: Vec<(bool, u16)> = of("options_passthrough")
        .map(|e| (e.is_preflight(), e.status))
        .collect();
    expect(
        "options_passthrough: a preflight answered by Cors (204), then the app's 200",
        options == [(true, 204), (false, 200)],
    );
    // CORS is not CSRF protection; strict mode is.
    expect(
        "no_cors_post_reaches_handler: without strict mode the side effect happens",
        runs(api, "transfer") == 1,
    );
    expect(
        "strict: no transfer ever ran on the strict server",
        runs(origins.strict_port, "transfer") == 0,
    );
    for scenario in ["strict_stops_no_cors_post", "strict_stops_form_post"] {
        expect(
            &format!("{scenario}: answered 403 by strict mode"),
            of(scenario).count() == 1
                && of(scenario).all(|e| e.status == 403 && e.port == origins.strict_port),
        );
    }
    expect(
        "strict_allows_allowed_origin: the handler ran",
        runs(origins.strict_port, "note") == 1,
    );
    // No simple request was preflighted.
    expect(
        "text_post_not_preflighted: no preflight",
        of("text_post_not_preflighted").all(|e| !e.is_preflight()),
    );
}
