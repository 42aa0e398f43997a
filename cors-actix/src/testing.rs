//! Test helpers (feature `testing`): a page's `fetch()` run through an App
//! as a browser would run it, judged by the browser oracle
//! ([`cors_core::browser`]).
//!
//! Meant for `[dev-dependencies]`:
//!
//! ```toml
//! [dev-dependencies]
//! cors-actix = { version = "0.2", features = ["testing"] }
//! ```

use actix_http::Request;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use cors_core::browser::{self, Blocked, Readable};
use cors_core::header::is_forbidden_request_header;

/// Runs `page` (what the page passes to `fetch()`) against `uri` of `app`
/// the way a browser would, and returns what the page's JavaScript gets.
///
/// - When the browser would send a preflight, it is sent first, with the
///   exact `Origin`, `Access-Control-Request-Method` and
///   `Access-Control-Request-Headers` a browser sends. If the browser would
///   refuse the answer, the actual request is **not** sent (as in a
///   browser: the handler never runs), and the refusal is returned.
/// - The actual request carries the page's method (normalised as `fetch()`
///   does), its `Origin` and its headers, except those a page can never
///   set.
/// - Errors of the App become responses, as the HTTP server makes them.
///
/// The page is taken to be cross-origin, as every `Origin` the helper
/// sends says. No cookie is sent (`Cookie` is a header pages cannot set):
/// for a handler that needs one, use [`fetch_with`].
///
/// # Errors
///
/// The browser's refusal, worded as Chrome's console words it, with its
/// [`kind`](Blocked::kind) to assert on.
///
/// # Examples
///
/// ```
/// use actix_web::{post, test, App, HttpResponse, Responder};
/// use cors_actix::cors_core::browser::{CredentialsMode, Request, Stage};
/// use cors_actix::{cors, testing, Cors};
///
/// #[cors(origins = ["https://app.example.com"], headers = ["content-type"], credentials)]
/// #[post("/users")]
/// async fn create_user() -> impl Responder {
///     HttpResponse::Created().insert_header(("location", "/users/7")).finish()
/// }
///
/// # #[actix_web::main]
/// # async fn main() {
/// let app = test::init_service(App::new().wrap(Cors::new()).service(create_user)).await;
///
/// // fetch("/users", { method: "POST", credentials: "include", headers: {...} })
/// let page = Request::new("https://app.example.com", "POST")
///     .header("Content-Type", "application/json")
///     .credentials(CredentialsMode::Include);
/// let read = testing::fetch(&app, "/users", &page).await.unwrap();
/// assert_eq!(read.status(), 201);
/// assert!(!read.can_read("location"), "not exposed");
///
/// // Another site is refused at the preflight, and the handler never runs.
/// let evil = Request::new("https://evil.example", "POST").header("Content-Type", "application/json");
/// let blocked = testing::fetch(&app, "/users", &evil).await.unwrap_err();
/// assert_eq!(blocked.stage, Stage::Preflight);
/// assert!(blocked.to_string().starts_with("blocked by CORS policy"));
/// # }
/// ```
pub async fn fetch<S, B>(
    app: &S,
    uri: &str,
    page: &browser::Request<'_>,
) -> Result<Readable, Blocked>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    fetch_with(app, TestRequest::default().uri(uri), page).await
}

/// [`fetch`], with the actual request built from `base` (its URI, and any
/// header a page cannot set itself, such as `Cookie`): the page's method,
/// `Origin` and headers are added to it.
///
/// # Errors
///
/// As for [`fetch`].
///
/// # Examples
///
/// ```
/// use actix_web::{get, test, App, HttpRequest, HttpResponse, Responder};
/// use cors_actix::cors_core::browser::{CredentialsMode, Request};
/// use cors_actix::{cors, testing, Cors};
///
/// #[cors(origins = ["https://app.example.com"], credentials)]
/// #[get("/me")]
/// async fn me(req: HttpRequest) -> impl Responder {
///     match req.headers().get("cookie") {
///         Some(_) => HttpResponse::Ok().body("ada"),
///         None => HttpResponse::Unauthorized().finish(),
///     }
/// }
///
/// # #[actix_web::main]
/// # async fn main() {
/// let app = test::init_service(App::new().wrap(Cors::new()).service(me)).await;
/// let page = Request::new("https://app.example.com", "GET").credentials(CredentialsMode::Include);
/// let base = test::TestRequest::default().uri("/me").insert_header(("cookie", "session=1"));
/// let read = testing::fetch_with(&app, base, &page).await.unwrap();
/// assert_eq!(read.status(), 200);
/// # }
/// ```
pub async fn fetch_with<S, B>(
    app: &S,
    base: TestRequest,
    page: &browser::Request<'_>,
) -> Result<Readable, Blocked>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    // `fetch()` throws before sending anything.
    if let Some(thrown) = Blocked::invalid_method(page.normalized_method()) {
        return Err(thrown);
    }
    let method = Method::from_bytes(page.normalized_method().as_bytes()).unwrap_or_default();
    let actual = base.to_srv_request();
    let uri = actual.uri().to_string();
    let (http, _) = actual.into_parts();
    let preflight = match browser::preflight_for(page) {
        Some(preflight) => {
            let mut req = TestRequest::default().method(Method::OPTIONS).uri(&uri);
            for (name, value) in preflight.headers() {
                req = req.insert_header((name, value));
            }
            let lines = call(app, req.to_request()).await;
            browser::check_preflight(page, &response(&lines))?;
            Some(lines)
        }
        None => None,
    };
    let mut req = TestRequest::default()
        .method(method)
        .uri(&uri)
        .insert_header(("origin", page.origin));
    for (name, value) in http.headers() {
        req = req.append_header((name.clone(), value.clone()));
    }
    for (name, value) in &page.headers {
        if !is_forbidden_request_header(name) {
            req = req.append_header((*name, *value));
        }
    }
    let actual = call(app, req.to_request()).await;
    browser::fetch(
        page,
        preflight.as_ref().map(response).as_ref(),
        &response(&actual),
    )
}

/// Status and header lines of a response, as the client receives them.
type Lines = (u16, Vec<(String, String)>);

fn response((status, lines): &Lines) -> browser::Response<'_> {
    browser::Response::from_lines(*status, lines)
}

async fn call<S, B>(app: &S, req: Request) -> Lines
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let (status, headers) = match app.call(req).await {
        Ok(res) => (res.status(), res.headers().clone()),
        Err(err) => {
            let res = err.error_response();
            (res.status(), res.headers().clone())
        }
    };
    let lines = headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    (status.as_u16(), lines)
}
