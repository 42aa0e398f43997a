//! Test helpers (feature `testing`): a page's `fetch()` run through an App
//! as a browser would run it, judged by the browser oracle
//! ([`cors_core::browser`]).
//!
//! Meant for `[dev-dependencies]`:
//!
//! ```toml
//! [dev-dependencies]
//! cors-actix = { version = "0.1", features = ["testing"] }
//! ```

use actix_http::Request;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use cors_core::browser::{self, Blocked, CredentialsMode, Readable};
use cors_core::header::is_forbidden_request_header;

/// Runs `page` (what the page passes to `fetch()`) against `uri` of `app`
/// the way a browser would, and returns what the page's JavaScript gets.
///
/// - A header `fetch()` refuses (a name that is not a token, a value with
///   CR, LF or NUL) or a method that is not a token fails as `fetch()`
///   throws: before anything is sent.
/// - When the browser would send a preflight, it is sent first, with the
///   exact `Origin`, `Access-Control-Request-Method` and
///   `Access-Control-Request-Headers` a browser sends. If the browser would
///   refuse the answer, the actual request is **not** sent (as in a
///   browser: the handler never runs), and the refusal is returned.
/// - The actual request carries the page's method (normalised as `fetch()`
///   does), its `Origin` and the headers a browser sends
///   ([`Request::sent_headers`](browser::Request::sent_headers): not those a
///   page cannot set, such as `Cookie` or `X-HTTP-Method-Override: TRACE`).
/// - Errors of the App become responses, as the HTTP server makes them.
///
/// The page is taken to be cross-origin, as every `Origin` the helper
/// sends says. For a body, or a cookie, use [`fetch_with`].
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
    fetch_with(app, uri, page, TestRequest::default()).await
}

/// [`fetch`], with the actual request built on `base`: its body, and the
/// headers a page cannot set itself but a browser adds, such as `Cookie`.
/// The page's method, `uri`, `Origin` and headers replace or join what
/// `base` has. Headers of `base` that a page could set (`Authorization`,
/// `X-Api-Key`) are dropped: give them to the page, so that the preflight
/// asks for them as a browser's would. As in a browser, a `Cookie` of `base`
/// is sent only when the page's credentials mode is `include` (the page is
/// cross-origin), and the preflight never carries it.
///
/// # Errors
///
/// As for [`fetch`].
///
/// # Examples
///
/// ```
/// use actix_web::{post, test, web, App, HttpRequest, HttpResponse, Responder};
/// use cors_actix::cors_core::browser::{CredentialsMode, Request};
/// use cors_actix::{cors, testing, Cors};
///
/// #[cors(origins = ["https://app.example.com"], headers = ["content-type"], credentials)]
/// #[post("/notes")]
/// async fn add_note(req: HttpRequest, body: web::Bytes) -> impl Responder {
///     match req.headers().get("cookie") {
///         Some(_) => HttpResponse::Created().body(body),
///         None => HttpResponse::Unauthorized().finish(),
///     }
/// }
///
/// # #[actix_web::main]
/// # async fn main() {
/// let app = test::init_service(App::new().wrap(Cors::new()).service(add_note)).await;
/// let base = || test::TestRequest::default().insert_header(("cookie", "session=1")).set_payload("{}");
///
/// let page = Request::new("https://app.example.com", "POST").header("Content-Type", "application/json");
/// let read = testing::fetch_with(&app, "/notes", &page, base()).await.unwrap();
/// assert_eq!(read.status(), 401, "fetch() sends no cookie cross-origin unless told to");
///
/// let page = page.credentials(CredentialsMode::Include);
/// let read = testing::fetch_with(&app, "/notes", &page, base()).await.unwrap();
/// assert_eq!(read.status(), 201);
/// # }
/// ```
pub async fn fetch_with<S, B>(
    app: &S,
    uri: &str,
    page: &browser::Request<'_>,
    base: TestRequest,
) -> Result<Readable, Blocked>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    // `fetch()` throws before sending anything.
    if let Some(thrown) = Blocked::invalid_method(page.normalized_method()) {
        return Err(thrown);
    }
    let origin = header("origin", page.origin)?;
    let mut sent = Vec::with_capacity(page.headers.len());
    for (name, value) in page.sent_headers() {
        sent.extend(header(name, value)?);
    }
    let method = Method::from_bytes(page.normalized_method().as_bytes()).unwrap_or_default();
    let preflight = match browser::preflight_for(page) {
        Some(preflight) => {
            let mut req = TestRequest::default().method(Method::OPTIONS).uri(uri);
            for (name, value) in preflight.headers() {
                if let Some(pair) = header(name, value)? {
                    req = req.insert_header(pair);
                }
            }
            let lines = call(app, req.to_request()).await;
            browser::check_preflight(page, &response(&lines))?;
            Some(lines)
        }
        None => None,
    };
    let mut req = base.method(method).uri(uri).to_request();
    let headers = req.headers_mut();
    // What only the browser sets comes from `base`; what a page can set
    // comes from the page, so that the preflight accounts for it.
    let include = page.credentials == CredentialsMode::Include;
    headers.retain(|name, _| {
        is_forbidden_request_header(name.as_str()) && (include || name != header::COOKIE)
    });
    if let Some((name, value)) = origin {
        headers.insert(name, value);
    }
    for (name, value) in sent {
        headers.append(name, value);
    }
    let actual = call(app, req).await;
    browser::fetch(
        page,
        preflight.as_ref().map(response).as_ref(),
        &response(&actual),
    )
}

/// A header as `fetch()` takes it, or its refusal. `invalid_header` refuses
/// every name and value the HTTP types refuse (a test checks each byte), so
/// `Ok(None)` does not happen.
fn header(name: &str, value: &str) -> Result<Option<(HeaderName, HeaderValue)>, Blocked> {
    if let Some(refused) = Blocked::invalid_header(name, value) {
        return Err(refused);
    }
    let name = HeaderName::from_bytes(name.as_bytes()).ok();
    Ok(name.zip(HeaderValue::from_str(value).ok()))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every header `fetch()` (as the oracle has it) lets through converts to
    /// the HTTP types, so [`header`] never drops one.
    #[test]
    fn what_the_oracle_accepts_the_http_types_accept() {
        for byte in 0..=u8::MAX {
            let c = char::from(byte);
            let value = format!("a{c}b");
            let name = format!("x-{c}");
            for (name, value) in [("x-a", value.as_str()), (name.as_str(), "1")] {
                if Blocked::invalid_header(name, value).is_none() {
                    assert!(
                        matches!(header(name, value), Ok(Some(_))),
                        "{name:?}: {value:?}"
                    );
                }
            }
        }
    }
}
