//! Cookie credentials across sites: a session cookie set by the API and
//! sent back on `fetch(url, { credentials: "include" })`.
//!
//! The page is on `http://127.0.0.1:8000`, the API on `http://localhost:8080`:
//! different origins and different *sites*, so the session cookie is a
//! third-party cookie in the page's requests. Three things must hold:
//!
//! 1. The page asks for credentials: `credentials: "include"` (the default,
//!    `"same-origin"`, sends no cookie to another origin and stores none).
//! 2. The route allows them: `#[cors(credentials, origins = [...])]` answers
//!    with the page's exact origin and `Access-Control-Allow-Credentials:
//!    true`; a wildcard is refused at compile time.
//! 3. The browser accepts the cookie. What headless Chromium 156 (Debian,
//!    fresh profile) does with each `Set-Cookie` from `http://localhost:8080`
//!    in the page's credentialed fetch, found by experiment and checked by
//!    `tests/browser.rs`:
//!
//! | attributes | sent back from the page? |
//! |---|---|
//! | none (Lax by default), `SameSite=Lax`, `SameSite=Strict` | no: never on cross-site requests |
//! | `SameSite=None` without `Secure` | no: rejected |
//! | `Secure; Partitioned` (Lax by default), `SameSite=Lax; Secure; Partitioned` | no |
//! | `SameSite=None; Partitioned` without `Secure` | no: `Partitioned` needs `Secure` |
//! | `SameSite=None; Secure` | only where third-party cookies are allowed: not by default here (it works once they are enabled in the profile) |
//! | **`SameSite=None; Secure; Partitioned`** (with `HttpOnly`, `Path=/`, even `Domain=localhost`) | **yes** |
//!
//! `Secure` is accepted over plain HTTP here because `http://localhost` and
//! `http://127.0.0.1` are potentially trustworthy origins (secure contexts).
//! On any other host, serve the API over HTTPS. `Partitioned` (CHIPS) keys
//! the cookie to the top-level site of the page that caused it to be set, so
//! browsers that block third-party cookies still keep it for this page; it
//! is sent back only on requests made from pages of that same site.
//!
//! ```text
//! cargo run --example cookie_credentials
//! # then open http://127.0.0.1:8000/: it logs in, then calls /me with and
//! # without credentials; the buttons repeat each step.
//!
//! # Or by hand: the login sets the cookie, with the CORS headers for it.
//! curl -i -X POST http://localhost:8080/login -H 'Origin: http://127.0.0.1:8000'
//! curl -i http://localhost:8080/me -H 'Origin: http://127.0.0.1:8000' \
//!   -H 'Cookie: session=3f9a'
//! ```

use actix_web::http::header;
use actix_web::{get, post, web, App, HttpRequest, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, cors_policy, Cors};

cors_policy! {
    /// The page's origin, with cookies. `http://` is accepted with
    /// credentials only because it is loopback.
    SESSION { origins = ["http://127.0.0.1:8000"], credentials }
}

/// The attributes that work across sites; see the table above.
const SESSION_COOKIE: &str = "session=3f9a; SameSite=None; Secure; Partitioned; HttpOnly; Path=/";
const CLEAR_COOKIE: &str =
    "session=; SameSite=None; Secure; Partitioned; HttpOnly; Path=/; Max-Age=0";

#[cors(policy = SESSION)]
#[post("/login")]
async fn login() -> impl Responder {
    HttpResponse::Ok()
        .insert_header((header::SET_COOKIE, SESSION_COOKIE))
        .body("logged in")
}

#[cors(policy = SESSION)]
#[get("/me")]
async fn me(req: HttpRequest) -> impl Responder {
    let session = req
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("session="));
    match session {
        Some(id) if !id.is_empty() => HttpResponse::Ok().body(format!("session {id}")),
        _ => HttpResponse::Unauthorized().body("no session cookie"),
    }
}

#[cors(policy = SESSION)]
#[post("/logout")]
async fn logout() -> impl Responder {
    HttpResponse::Ok()
        .insert_header((header::SET_COOKIE, CLEAR_COOKIE))
        .body("logged out")
}

const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<title>cookie credentials</title>
<p>This page is on <code>http://127.0.0.1:8000</code>; the API on <code>http://localhost:8080</code>.</p>
<button id="login">POST /login</button>
<button id="me">GET /me (credentials: include)</button>
<button id="me-plain">GET /me (default credentials)</button>
<button id="logout">POST /logout</button>
<pre id="log"></pre>
<script>
const API = "http://localhost:8080";
const log = text => { document.getElementById("log").textContent += text + "\n"; };
async function call(what, path, init) {
  try {
    const r = await fetch(API + path, init);
    log(what + ": " + r.status + " " + await r.text());
  } catch (e) {
    log(what + ": blocked (" + e.message + "), see the console");
  }
}
const login = () => call("login", "/login", { method: "POST", credentials: "include" });
const me = () => call("me", "/me", { credentials: "include" });
const mePlain = () => call("me without credentials", "/me", {});
const logout = () => call("logout", "/logout", { method: "POST", credentials: "include" });
document.getElementById("login").onclick = login;
document.getElementById("me").onclick = me;
document.getElementById("me-plain").onclick = mePlain;
document.getElementById("logout").onclick = logout;
// Once on load: log in, then call with and without credentials.
(async () => { await login(); await me(); await mePlain(); })();
</script>
"#;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("cors_actix=info"))
        .init();
    let api = HttpServer::new(|| {
        App::new()
            .wrap(Cors::new())
            .service(login)
            .service(me)
            .service(logout)
    })
    .bind(("127.0.0.1", 8080))?
    .run();
    let page = HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(PAGE)
            }),
        )
    })
    .bind(("127.0.0.1", 8000))?
    .run();
    println!("API:  http://localhost:8080");
    println!("Page: http://127.0.0.1:8000/  <- open this in a browser");
    futures_util::future::try_join(api, page).await?;
    Ok(())
}
