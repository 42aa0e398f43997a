//! End-to-end tests in a real browser, held against the browser oracle.
//!
//! Three servers run in-process on free loopback ports:
//!
//! - the API, origin B = `http://localhost:<b>`, wrapped by
//!   [`cors_actix::Cors`] with App defaults naming the page's origin and
//!   annotated handlers for every scenario;
//! - a second API in strict mode, `http://localhost:<c>`;
//! - a page server, origin A = `http://127.0.0.1:<a>` (also reached as
//!   `http://app.localhost:<a>`: Chromium resolves `*.localhost` to
//!   loopback), whose pages run `fetch()` calls against B and C and write
//!   what the browser let them see into the DOM.
//!
//! Headless Chromium loads the pages with `--dump-dom`; the test parses the
//! DOM and asserts, scenario by scenario, what the browser allowed. A small
//! middleware outside `Cors` records every request and the response the
//! server really sent; each scenario is then replayed through
//! `cors_core::browser`, and the oracle must predict what Chromium did:
//! whether a preflight was sent (and its `Access-Control-Request-*`), whether
//! the page could read the response, which headers it could read, and
//! whether a preflight was cached.
//!
//! The browser is `chromium` from `PATH`, or `$CHROMIUM`. Without one the
//! test says why and skips, except under `CI=true`, where it fails.

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::{
    delete, get, patch, post, put, route, web, App, HttpRequest, HttpResponse, HttpServer,
    Responder,
};
use actix_web_httpauth::extractors::bearer::{self, BearerAuth};
use actix_web_httpauth::extractors::AuthenticationError;
use actix_web_httpauth::middleware::HttpAuthentication;
use cors_actix::{attach, cors, Cors, CorsPolicy};
use cors_core::browser::{self, Browser, CredentialsMode};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

// ---- what the servers saw --------------------------------------------------

/// One request as the server received it and the response it sent,
/// recorded outside `Cors`.
#[derive(Clone, Debug)]
struct Exchange {
    /// The local port: which server answered.
    port: u16,
    /// The scenario, from the `s` query parameter.
    scenario: String,
    method: String,
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
static ADMIN_GETS: AtomicUsize = AtomicUsize::new(0);
static ADMIN_DELETES: AtomicUsize = AtomicUsize::new(0);
static AUTH_RUNS: AtomicUsize = AtomicUsize::new(0);
static APP_OPTIONS: AtomicUsize = AtomicUsize::new(0);
static NOTES: AtomicUsize = AtomicUsize::new(0);
/// The ports of the servers whose `/transfer` handler ran, once per run.
static TRANSFERS: Mutex<Vec<u16>> = Mutex::new(Vec::new());

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

/// The recorder: outermost, so it sees what the browser receives.
async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let port = req.app_config().local_addr().port();
    let scenario = req
        .query_string()
        .split('&')
        .find_map(|pair| pair.strip_prefix("s="))
        .unwrap_or("")
        .to_owned();
    let method = req.method().as_str().to_owned();
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
async fn admin_get() -> impl Responder {
    ADMIN_GETS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().body("admin")
}

#[cors(origins = ["https://admin.example.com"])]
#[delete("/api/admin")]
async fn admin_delete() -> impl Responder {
    ADMIN_DELETES.fetch_add(1, Ordering::SeqCst);
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
    AUTH_RUNS.fetch_add(1, Ordering::SeqCst);
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
async fn app_options() -> impl Responder {
    APP_OPTIONS.fetch_add(1, Ordering::SeqCst);
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
    TRANSFERS
        .lock()
        .unwrap()
        .push(req.app_config().local_addr().port());
    HttpResponse::Ok().body("transferred")
}

#[cors(headers = ["content-type"])]
#[post("/notes")]
async fn create_note() -> impl Responder {
    NOTES.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Created().body("noted")
}

async fn sub_data() -> impl Responder {
    HttpResponse::Ok().body("sub")
}

// ---- scenarios -------------------------------------------------------------

/// Which page runs the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Page {
    /// `http://127.0.0.1:<a>/run/main`
    Main,
    /// `http://app.localhost:<a>/run/sub`
    Sub,
    /// `http://127.0.0.1:<a>/run/form`: one top-level `<form method=post>`.
    Form,
}

impl Page {
    const ALL: [Page; 3] = [Page::Main, Page::Sub, Page::Form];

    fn path(self) -> &'static str {
        match self {
            Page::Main => "main",
            Page::Sub => "sub",
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
    /// Response headers the page tries to read.
    read: Vec<&'static str>,
    expect: Expect,
    /// The body the page must read, when it matters.
    expect_body: Option<&'static str>,
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
        read: Vec::new(),
        expect,
        expect_body: None,
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
        self
    }
    fn repeat(mut self, times: usize) -> Self {
        self.repeat = times;
        self
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
    use Server::{Api, Strict};
    const JSON: (&str, &str) = ("Content-Type", "application/json");
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
            .expect_body("sid"),
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
        s("subdomain_pattern", Api, "/sub/data", Read(200)).page(Page::Sub),
        s("subdomain_not_in_defaults", Api, "/api/simple", Blocked).page(Page::Sub),
        s("strict_stops_form_post", Strict, "/transfer", Opaque)
            .method("POST")
            .mode(Mode::Form)
            .page(Page::Form),
    ]
}

// ---- the pages ---------------------------------------------------------------

/// The origins of this run.
#[derive(Clone, Debug)]
struct Origins {
    page: String,
    sub: String,
    api: String,
    strict: String,
    page_port: u16,
    api_port: u16,
    strict_port: u16,
}

impl Origins {
    fn page_origin(&self, page: Page) -> &str {
        match page {
            Page::Main | Page::Form => &self.page,
            Page::Sub => &self.sub,
        }
    }

    fn url(&self, scenario: &Scenario) -> String {
        let server = match scenario.server {
            Server::Api => &self.api,
            Server::Strict => &self.strict,
        };
        format!("{server}{}?s={}", scenario.path, scenario.name)
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

const RUNNER: &str = r#"
const results = document.getElementById("results");
const enc = encodeURIComponent;
async function attempt(s) {
  try {
    const r = await fetch(s.url, s.init);
    const body = await r.text();
    return {
      outcome: r.type === "opaque" ? "opaque" : "read",
      status: r.status,
      body,
      headers: s.read.map(n => [n, r.headers.get(n)]),
    };
  } catch (e) {
    return { outcome: "blocked", error: String((e && e.message) || e) };
  }
}
(async () => {
  for (const s of SCENARIOS) {
    const outcomes = [];
    let last;
    for (let i = 0; i < s.repeat; i++) {
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
    results.textContent += line + "\n";
  }
  results.textContent += "END\n";
})();
"#;

fn page_html(page: Page, scenarios: &[Scenario], origins: &Origins) -> String {
    let mine: Vec<&Scenario> = scenarios.iter().filter(|s| s.page == page).collect();
    if page == Page::Form {
        let forms: String = mine
            .iter()
            .map(|s| {
                format!(
                    "<form id=\"f\" method=\"post\" action=\"{}\"><input name=\"amount\" value=\"100\"></form>",
                    origins.url(s)
                )
            })
            .collect();
        return format!(
            "<!doctype html><html><head><title>form</title></head><body>{forms}\
             <script>document.getElementById(\"f\").submit();</script></body></html>"
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
        list.push_str(&format!(
            "  {{ name: {}, url: {}, repeat: {}, read: [{}], init: {{ method: {}, headers: [{}], credentials: {}, mode: {}{body} }} }},\n",
            js(s.name),
            js(&origins.url(s)),
            s.repeat,
            read.join(", "),
            js(s.method),
            headers.join(", "),
            js(credentials),
            js(mode),
        ));
    }
    list.push_str("];\n");
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>cors-actix browser test</title></head>\
         <body><pre id=\"results\"></pre><script>{list}{RUNNER}</script></body></html>"
    )
}

// ---- servers -----------------------------------------------------------------

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

fn start_servers(
    origins: &Origins,
    pages: HashMap<String, String>,
    listeners: [TcpListener; 3],
) -> Servers {
    let [api_listener, strict_listener, page_listener] = listeners;
    let api_cors = Cors::builder()
        .origins([origins.page.as_str()])
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
                    .service(web::scope("/auth").wrap(HttpAuthentication::bearer(validator)).service(auth_me))
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
            let pages = web::Data::new(pages);
            let page_server = HttpServer::new(move || {
                App::new().app_data(pages.clone()).route(
                    "/run/{page}",
                    web::get().to(|pages: web::Data<HashMap<String, String>>, page: web::Path<String>| async move {
                        match pages.get(page.as_str()) {
                            Some(html) => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html.clone()),
                            None => HttpResponse::NotFound().finish(),
                        }
                    }),
                )
            })
            .workers(1)
            .disable_signals()
            .shutdown_timeout(1)
            .listen(page_listener)?
            .run();
            let _ = tx.send(vec![api.handle(), strict.handle(), page_server.handle()]);
            futures_util::future::try_join3(api, strict, page_server).await?;
            Ok(())
        })
    });
    let handles = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
    let mut servers = Servers {
        handles,
        thread: Some(thread),
    };
    if servers.handles.len() != 3 {
        servers.stop();
        panic!("the servers did not start");
    }
    servers
}

// ---- the browser -------------------------------------------------------------

/// The Chromium binary: `$CHROMIUM`, or the first of the usual names on
/// `PATH`.
fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium on `url` and returns the DOM it dumps, or why not.
fn dump_dom(chromium: &Path, url: &str, timeout: Duration) -> Result<String, String> {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let profile = std::env::temp_dir().join(format!(
        "cors-actix-browser-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&profile);
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--virtual-time-budget=10000", "--dump-dom", url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = pipe.read_to_end(&mut out);
            String::from_utf8_lossy(&out).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped")));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&profile);
    let tail = |text: &str| {
        text.lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    };
    match status {
        None => Err(format!(
            "Chromium did not finish within {timeout:?} on {url}; its stderr:\n{}",
            tail(&stderr)
        )),
        Some(status) if !status.success() || stdout.is_empty() => Err(format!(
            "Chromium failed ({status}) on {url}; its stderr:\n{}",
            tail(&stderr)
        )),
        Some(_) => Ok(stdout),
    }
}

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

fn parse_results(dom: &str) -> Result<HashMap<String, Seen>, String> {
    const OPEN: &str = "<pre id=\"results\">";
    let start = dom
        .find(OPEN)
        .ok_or_else(|| format!("no results in the DOM:\n{dom}"))?;
    let rest = &dom[start + OPEN.len()..];
    let end = rest.find("</pre>").ok_or("unterminated results")?;
    let text = &rest[..end];
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

/// Writes past the test harness's output capture: a skip must be seen.
fn tell(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

// ---- the test ----------------------------------------------------------------

#[test]
fn chromium_and_the_oracle_agree_on_every_scenario() {
    let started = Instant::now();
    let Some(chromium) = find_chromium() else {
        let why = "no Chromium found (tried $CHROMIUM, then chromium, chromium-browser, google-chrome on PATH)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "{why}; CI=true requires the browser tests to run: install the `chromium` package"
            );
        }
        tell(&format!(
            "SKIPPED browser::chromium_and_the_oracle_agree_on_every_scenario: {why}. \
             This is a skip, not a pass: install `chromium` to run it."
        ));
        return;
    };
    let _ = env_logger::builder().is_test(true).try_init();

    let bind = || TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let listeners = [bind(), bind(), bind()];
    let port = |l: &TcpListener| l.local_addr().expect("bound").port();
    let (api_port, strict_port, page_port) = (
        port(&listeners[0]),
        port(&listeners[1]),
        port(&listeners[2]),
    );
    let origins = Origins {
        page: format!("http://127.0.0.1:{page_port}"),
        sub: format!("http://app.localhost:{page_port}"),
        api: format!("http://localhost:{api_port}"),
        strict: format!("http://localhost:{strict_port}"),
        page_port,
        api_port,
        strict_port,
    };
    let scenarios = scenarios();
    let pages: HashMap<String, String> = Page::ALL
        .iter()
        .map(|&page| {
            (
                page.path().to_owned(),
                page_html(page, &scenarios, &origins),
            )
        })
        .collect();
    let mut servers = start_servers(&origins, pages, listeners);

    let mut seen = HashMap::new();
    let mut failures = Vec::new();
    for page in Page::ALL {
        let url = format!("{}/run/{}", origins.page_origin(page), page.path());
        match dump_dom(&chromium, &url, Duration::from_secs(30)) {
            Ok(dom) if page == Page::Form => drop(dom),
            Ok(dom) => match parse_results(&dom) {
                Ok(results) => seen.extend(results),
                Err(error) => failures.push(format!("{url}: {error}")),
            },
            Err(error) => failures.push(error),
        }
    }
    // Give the last requests time to be recorded.
    std::thread::sleep(Duration::from_millis(200));
    servers.stop();
    assert!(
        failures.is_empty(),
        "the browser runs failed:\n{}",
        failures.join("\n\n")
    );

    let exchanges = EXCHANGES.lock().unwrap().clone();
    let mut report = Vec::new();
    for scenario in &scenarios {
        let mine: Vec<&Exchange> = exchanges
            .iter()
            .filter(|e| e.scenario == scenario.name)
            .collect();
        let page = seen.get(scenario.name);
        let verdict = check(scenario, &origins, page, &mine, &mut failures);
        report.push(format!("{:<36} {verdict}", scenario.name));
    }
    side_effects(&origins, &exchanges, &mut failures);
    let elapsed = started.elapsed();
    eprintln!(
        "{} scenarios in {elapsed:?}:\n{}",
        scenarios.len(),
        report.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} problem(s):\n- {}\n\nscenarios:\n{}",
        failures.len(),
        failures.join("\n- "),
        report.join("\n")
    );
    assert!(
        elapsed < Duration::from_secs(60),
        "the browser test took {elapsed:?}"
    );
}

/// Checks one scenario: Chromium against the expectation, the oracle against
/// Chromium. Returns a line for the report.
fn check(
    scenario: &Scenario,
    origins: &Origins,
    page: Option<&Seen>,
    exchanges: &[&Exchange],
    failures: &mut Vec<String>,
) -> String {
    let name = scenario.name;
    let mut fail = |message: String| failures.push(format!("{name}: {message}"));
    let origin = origins.page_origin(scenario.page);
    let sent = scenario.sent_headers();
    let request = browser::Request {
        origin,
        method: scenario.method,
        headers: sent.clone(),
        credentials: scenario.credentials,
        private_network: false,
    };
    let preflights: Vec<&&Exchange> = exchanges.iter().filter(|e| e.is_preflight()).collect();
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
            return "form: never reached the server".into();
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
        return format!(
            "form POST sent; server answered {}; oracle: not readable",
            actual.status
        );
    }

    let Some(seen) = page else {
        fail("the page wrote no result".into());
        return "no result".into();
    };
    let chromium_read: Vec<bool> = seen.outcomes.iter().map(|o| o == "read").collect();
    if seen.outcomes.len() != scenario.repeat {
        fail(format!(
            "{} attempts, expected {}",
            seen.outcomes.len(),
            scenario.repeat
        ));
    }
    let expected = match scenario.expect {
        Expect::Read(_) => "read",
        Expect::Blocked => "blocked",
        Expect::Opaque => "opaque",
    };
    if seen.outcomes.iter().any(|o| o != expected) {
        fail(format!(
            "Chromium: {:?} (error {:?}), expected {expected}",
            seen.outcomes, seen.error
        ));
    }
    if let Expect::Read(status) = scenario.expect {
        if seen.status != Some(status) {
            fail(format!("status {:?}, expected {status}", seen.status));
        }
    }
    if let Some(body) = scenario.expect_body {
        if seen.body.as_deref() != Some(body) {
            fail(format!(
                "the page read the body {:?}, expected {body:?}",
                seen.body
            ));
        }
    }

    if scenario.mode == Mode::NoCors {
        // `no-cors` makes no CORS check: the response is opaque whatever its
        // headers (Fetch, "main fetch", step 12: an opaque filtered
        // response). The oracle models `cors` mode; it must agree that the
        // server gave this origin nothing readable.
        let Some(actual) = actuals.first() else {
            fail("the request never reached the server".into());
            return "no-cors: never sent".into();
        };
        if !preflights.is_empty() {
            fail("a no-cors request was preflighted".into());
        }
        if browser::check_response(&request, &actual.response()).is_ok() {
            fail("the oracle says the response would be readable in cors mode".into());
        }
        return format!(
            "Chromium: opaque; server {}; oracle: not readable",
            actual.status
        );
    }

    // The preflight: sent exactly when the oracle says it is needed, with the
    // Access-Control-Request-* the oracle predicts.
    let needs = browser::needs_preflight(&request);
    let first_preflighted = exchanges.first().is_some_and(|e| e.is_preflight());
    if needs != first_preflighted {
        fail(format!(
            "oracle: preflight needed = {needs}; Chromium {} one",
            if first_preflighted {
                "sent"
            } else {
                "did not send"
            }
        ));
    }
    if let (Some(predicted), Some(preflight)) =
        (browser::preflight_for(&request), preflights.first())
    {
        let acrm = preflight.request_header("access-control-request-method");
        let acrh = preflight.request_header("access-control-request-headers");
        if acrm != Some(predicted.request_method.as_str())
            || acrh != predicted.request_headers.as_deref()
        {
            fail(format!(
                "Chromium sent ACRM {acrm:?} ACRH {acrh:?}; the oracle predicts {:?} {:?}",
                predicted.request_method, predicted.request_headers
            ));
        }
    }

    // The oracle's verdict on the first attempt, from the headers the server
    // actually sent.
    let oracle = match (needs, preflights.first()) {
        (true, None) => Err("no preflight was recorded".to_owned()),
        (true, Some(preflight)) => {
            match browser::check_preflight(&request, &preflight.response()) {
                Err(blocked) => {
                    if !actuals.is_empty() {
                        fail("Chromium sent the actual request after a failing preflight".into());
                    }
                    Ok(Err(blocked))
                }
                Ok(_) => match actuals.first() {
                    Some(actual) => Ok(browser::check_response(&request, &actual.response())),
                    None => {
                        Err("the preflight passed but no actual request was recorded".to_owned())
                    }
                },
            }
        }
        (false, _) => match actuals.first() {
            Some(actual) => Ok(browser::check_response(&request, &actual.response())),
            None => Err("no request was recorded".to_owned()),
        },
    };
    let oracle = match oracle {
        Ok(oracle) => oracle,
        Err(problem) => {
            fail(problem);
            return format!("Chromium: {:?}; oracle: no data", seen.outcomes);
        }
    };
    if oracle.is_ok() != chromium_read.first().copied().unwrap_or(false) {
        fail(format!(
            "DISAGREEMENT: Chromium {:?} ({:?}), the oracle {}",
            seen.outcomes,
            seen.error,
            match &oracle {
                Ok(_) => "lets the page read the response".to_owned(),
                Err(blocked) => format!("{blocked}"),
            }
        ));
    }
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
    // oracle's Chrome cache lifetime says.
    if scenario.repeat > 1 {
        let cached = preflights
            .first()
            .is_some_and(|p| browser::preflight_cache_seconds(&p.response(), Browser::Chrome) > 0);
        let expected_preflights = if !needs {
            0
        } else if cached {
            1
        } else {
            scenario.repeat
        };
        if preflights.len() != expected_preflights || actuals.len() != scenario.repeat {
            fail(format!(
                "{} preflights and {} requests; the oracle's cache predicts {expected_preflights} and {}",
                preflights.len(),
                actuals.len(),
                scenario.repeat
            ));
        }
    }

    let verdict = match &oracle {
        Ok(_) => "readable".to_owned(),
        Err(blocked) => format!("{:?} at {:?}", blocked.kind, blocked.stage),
    };
    format!(
        "Chromium: {:<14} oracle: {verdict}; {} preflight(s), {} request(s)",
        seen.outcomes.join(","),
        preflights.len(),
        actuals.len()
    )
}

/// What only the server can tell: which handlers ran.
fn side_effects(origins: &Origins, exchanges: &[Exchange], failures: &mut Vec<String>) {
    let of = |scenario: &'static str| exchanges.iter().filter(move |e| e.scenario == scenario);
    let mut expect = |what: &str, ok: bool| {
        if !ok {
            failures.push(what.to_owned());
        }
    };
    // CORS does not stop a simple GET from reaching the handler...
    expect(
        "get_origin_not_allowed: the handler runs",
        ADMIN_GETS.load(Ordering::SeqCst) == 1,
    );
    // ...but a refused preflight stops the request itself.
    expect(
        "delete_origin_not_allowed: the handler never runs",
        ADMIN_DELETES.load(Ordering::SeqCst) == 0,
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
        AUTH_RUNS.load(Ordering::SeqCst) == 2,
    );
    // Cookies: set by B, sent back on a credentialed request only.
    let cookie = |scenario: &'static str| {
        of(scenario).find_map(|e| e.request_header("cookie").map(str::to_owned))
    };
    let set_cookies = of("cookie_login")
        .flat_map(|e| e.response.iter().filter(|(n, _)| n == "set-cookie"))
        .count();
    expect("cookie_login: two Set-Cookie lines", set_cookies == 2);
    expect(
        "cookie_sent_back: the server received `sid` and not the Lax cookie",
        cookie("cookie_sent_back").is_some_and(|c| c.contains("sid=s3cr3t") && !c.contains("lax=")),
    );
    expect(
        "cookie_not_sent_without_include: no cookie",
        cookie("cookie_not_sent_without_include").is_none(),
    );
    // The app's own OPTIONS handler ran for the actual OPTIONS request only.
    expect(
        "options_passthrough: the app's handler ran once",
        APP_OPTIONS.load(Ordering::SeqCst) == 1,
    );
    let options: Vec<(bool, u16)> = of("options_passthrough")
        .map(|e| (e.is_preflight(), e.status))
        .collect();
    expect(
        "options_passthrough: a preflight answered by Cors (204), then the app's 200",
        options == [(true, 204), (false, 200)],
    );
    // CORS is not CSRF protection; strict mode is.
    let transfers = TRANSFERS.lock().unwrap().clone();
    expect(
        "no_cors_post_reaches_handler: without strict mode the side effect happens",
        transfers.iter().filter(|&&p| p == origins.api_port).count() == 1,
    );
    expect(
        "strict: no transfer ever ran on the strict server",
        !transfers.contains(&origins.strict_port),
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
        NOTES.load(Ordering::SeqCst) == 1,
    );
    // No simple request was preflighted.
    expect(
        "text_post_not_preflighted: no preflight",
        of("text_post_not_preflighted").all(|e| !e.is_preflight()),
    );
}
