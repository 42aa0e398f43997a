//! Helpers shared by the middleware tests: calling an App the way the
//! HTTP server does, capturing logs, and asking the browser oracle.

#![allow(dead_code)]

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use actix_web::HttpMessage;
use cors_core::browser::{self, CredentialsMode};
use std::sync::{Mutex, Once};

/// An App wrapped in `$cors`, with the services `$svc` and the default
/// service `$fallback`, as the peer suites build theirs.
#[allow(unused_macros)]
macro_rules! app {
    ($cors:expr, $fallback:expr $(, $svc:expr)* $(,)?) => {
        ::actix_web::test::init_service(
            ::actix_web::App::new()
                .wrap($cors)
                $(.service($svc))*
                .default_service(::actix_web::web::to($fallback)),
        )
        .await
    };
}

/// A response as the client receives it.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
}

impl Reply {
    /// Every value of a header, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The one value of a header, or `None`; fails if it is repeated.
    pub fn get(&self, name: &str) -> Option<String> {
        let all = self.all(name);
        assert!(all.len() <= 1, "{name} sent {} times: {all:?}", all.len());
        all.into_iter().next()
    }

    /// `Vary` tokens, across all lines.
    pub fn vary(&self) -> Vec<String> {
        self.all("vary")
            .iter()
            .flat_map(|v| v.split(',').map(|t| t.trim().to_owned()))
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The header lines, for the browser oracle.
    pub fn lines(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect()
    }

    /// Whether a browser page at `origin` making `request` could read this
    /// response (as the actual response).
    pub fn browser_reads(&self, request: &browser::Request<'_>) -> bool {
        let lines = self.lines();
        let response = browser::Response {
            status: self.status.as_u16(),
            headers: lines
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
        };
        browser::check_response(request, &response).is_ok()
    }

    /// Whether a browser accepts this as the preflight of `request`.
    pub fn browser_accepts_preflight(&self, request: &browser::Request<'_>) -> bool {
        let lines = self.lines();
        let response = browser::Response {
            status: self.status.as_u16(),
            headers: lines
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
        };
        browser::check_preflight(request, &response).is_ok()
    }
}

/// Calls the App and turns an error into its response, as the HTTP server does.
pub async fn call<S, B>(app: &S, req: actix_http::Request) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    match app.call(req).await {
        Ok(res) => Reply {
            status: res.status(),
            headers: res.headers().clone(),
        },
        Err(err) => {
            let res = err.error_response();
            Reply {
                status: res.status(),
                headers: res.headers().clone(),
            }
        }
    }
}

/// Sends `req` to `app` as the server does, and checks the status and each
/// `(header, value)` pair (`None`: the header is absent, or is sent once
/// with exactly that value otherwise). Returns the reply for any further
/// check. The shared step of the table-driven middleware tests.
#[track_caller]
pub fn check<'a, S, B>(
    app: &'a S,
    req: TestRequest,
    status: u16,
    headers: &[(&str, Option<&str>)],
) -> impl std::future::Future<Output = Reply> + 'a
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let at = format!("checked at {}", std::panic::Location::caller());
    let case = Case::owned(req, status, headers);
    async move { case.run(app, &at).await }
}

/// One row of a table-driven test: a request, the status it must get, the
/// headers it must (`Some`) or must not (`None`) carry, and why.
pub struct Case {
    req: TestRequest,
    status: u16,
    headers: Vec<(String, Option<String>)>,
    why: &'static str,
}

/// A [`Case`] with no explanation; add one with [`Case::why`].
pub fn case(req: TestRequest, status: u16, headers: &[(&str, Option<&str>)]) -> Case {
    Case::owned(req, status, headers)
}

impl Case {
    fn owned(req: TestRequest, status: u16, headers: &[(&str, Option<&str>)]) -> Self {
        let headers = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.map(str::to_owned)))
            .collect();
        Case {
            req,
            status,
            headers,
            why: "",
        }
    }

    /// The reason printed when this case fails.
    pub fn why(mut self, why: &'static str) -> Self {
        self.why = why;
        self
    }

    async fn run<S, B>(self, app: &S, at: &str) -> Reply
    where
        S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    {
        let req = self.req.to_request();
        let origin = req
            .headers()
            .get("origin")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no Origin")
            .to_owned();
        let asks = req
            .headers()
            .get("access-control-request-method")
            .and_then(|v| v.to_str().ok())
            .map_or(String::new(), |m| format!(" (preflight for {m})"));
        let label = format!("{} {}{asks} from {origin}, {at}", req.method(), req.uri());
        let why = match self.why {
            "" => String::new(),
            why => format!(": {why}"),
        };
        let reply = call(app, req).await;
        assert_eq!(reply.status, self.status, "status of {label}{why}");
        for (name, value) in &self.headers {
            let all = reply.all(name);
            assert!(all.len() <= 1, "{name} sent {} times to {label}", all.len());
            assert_eq!(
                all.first().map(String::as_str),
                value.as_deref(),
                "{name} of {label}{why}"
            );
        }
        reply
    }
}

/// Runs each case through `app` in order, as [`check`] does, and returns
/// the replies for any further check.
#[track_caller]
pub fn check_all<'a, S, B>(
    app: &'a S,
    cases: Vec<Case>,
) -> impl std::future::Future<Output = Vec<Reply>> + 'a
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let caller = std::panic::Location::caller();
    async move {
        let mut replies = Vec::with_capacity(cases.len());
        for (row, case) in cases.into_iter().enumerate() {
            let at = format!("row {} of the table at {caller}", row + 1);
            replies.push(case.run(app, &at).await);
        }
        replies
    }
}

/// A preflight from `origin` for `method` and `headers` on `uri`.
pub fn preflight(uri: &str, origin: &str, method: &str, headers: Option<&str>) -> TestRequest {
    let req = TestRequest::default()
        .method(Method::OPTIONS)
        .uri(uri)
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", method));
    match headers {
        Some(h) => req.insert_header(("Access-Control-Request-Headers", h)),
        None => req,
    }
}

/// An actual request from `origin`.
pub fn actual(method: Method, uri: &str, origin: &str) -> TestRequest {
    TestRequest::default()
        .method(method)
        .uri(uri)
        .insert_header(("Origin", origin))
}

/// A browser request as the oracle sees it.
pub fn page<'a>(origin: &'a str, method: &'a str, credentials: bool) -> browser::Request<'a> {
    browser::Request::new(origin, method).credentials(if credentials {
        CredentialsMode::Include
    } else {
        CredentialsMode::Omit
    })
}

static LOGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        if record.target() == "cors_actix" {
            let line = format!("{} {}", record.level(), record.args());
            LOGS.lock().unwrap().push(line);
        }
    }

    fn flush(&self) {}
}

/// Captures the `cors_actix` logs of this test binary.
pub fn capture_logs() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        log::set_logger(&Capture).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// The captured lines that contain every one of `needles`.
pub fn logged(needles: &[&str]) -> Vec<String> {
    LOGS.lock()
        .unwrap()
        .iter()
        .filter(|line| needles.iter().all(|n| line.contains(n)))
        .cloned()
        .collect()
}

/// Whether building the App's service fails (as at server start-up).
pub async fn start_up_fails<R, S, B>(app: R) -> bool
where
    R: actix_service::IntoServiceFactory<S, actix_http::Request>,
    S: actix_service::ServiceFactory<
        actix_http::Request,
        Config = actix_web::dev::AppConfig,
        Response = ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    app.into_factory()
        .new_service(actix_web::dev::AppConfig::default())
        .await
        .is_err()
}

/// The kinds of the validator's errors for a runtime policy; empty when it
/// builds.
pub fn policy_error_kinds(policy: &cors_actix::CorsPolicy) -> Vec<cors_core::ErrorKind> {
    match policy.build() {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(|e| e.kind()).collect(),
    }
}

/// The kinds of a builder's configuration errors; empty when it builds.
pub fn builder_error_kinds(
    result: Result<cors_actix::Cors, cors_actix::BuildError>,
) -> Vec<cors_core::ErrorKind> {
    match result {
        Ok(_) => Vec::new(),
        Err(error) => error
            .problems()
            .iter()
            .filter_map(|p| match p {
                cors_actix::BuildProblem::Config { error, .. } => Some(error.kind()),
                _ => None,
            })
            .collect(),
    }
}

/// The tokens of list header values, as a set; folded to lowercase unless
/// `exact` (methods are case-sensitive).
pub fn tokens<'a>(
    values: impl IntoIterator<Item = &'a str>,
    exact: bool,
) -> std::collections::BTreeSet<String> {
    values
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match exact {
            true => t.to_owned(),
            false => t.to_ascii_lowercase(),
        })
        .collect()
}

/// The tokens of a list header of a response, names compared
/// case-insensitively.
pub fn names(res: &Reply, header: &str) -> std::collections::BTreeSet<String> {
    tokens(res.all(header).iter().map(String::as_str), false)
}

/// The request of `res`, ready to be dispatched again to `target`, with
/// another method if one is given.
pub fn again(
    res: actix_web::dev::ServiceResponse<actix_web::body::BoxBody>,
    target: &str,
    method: Option<actix_web::http::Method>,
) -> actix_web::dev::ServiceRequest {
    let (request, _) = res.into_parts();
    let mut req = actix_web::dev::ServiceRequest::from_request(request);
    let uri: actix_web::http::Uri = target.parse().expect("a path");
    req.head_mut().uri = uri.clone();
    if let Some(method) = method {
        req.head_mut().method = method;
    }
    req.match_info_mut().get_mut().update(&uri);
    req.match_info_mut().reset();
    req
}

/// Inside `Cors`, as single-page apps do: a 404 is served again from
/// `?fallback=` (by default `/index.html`), through the router, on the
/// same task.
pub async fn spa_fallback(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<actix_web::body::BoxBody>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let fallback = req
        .query_string()
        .strip_prefix("fallback=")
        .unwrap_or("/index.html")
        .to_owned();
    let res = next.call(req).await?;
    if res.status() != actix_web::http::StatusCode::NOT_FOUND {
        return Ok(res);
    }
    next.call(again(res, &fallback, None)).await
}
