//! The `Cors` middleware: App defaults, the pre-routing policy lookup,
//! preflight answers, and the headers of actual responses.

use crate::diagnostics::{
    found as found_active, log_rejection, resolve, Active, ActiveGuard, Defaults, Outcome,
    PolicyEntry, Report, ResolvedRoute, StartupError,
};
use crate::index::{Index, IndexInput};
use crate::policy::policy_setters;
use crate::register::take_pending;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{Error, HttpResponse};
use cors_core::policy::PolicySpecBuf;
use cors_core::{
    decide, AllowOrigin, ConfigError, CorsHeaders, Decision, Field, Policy, Reason, Vary,
};
use futures_util::future::{ready, Ready};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// The CORS middleware. Wrap the whole App with it, outermost:
///
/// ```
/// use actix_web::{get, App, HttpResponse, Responder};
/// use cors_actix::{cors, Cors};
///
/// #[cors(origins = ["https://app.example.com"], credentials)]
/// #[get("/me")]
/// async fn me() -> impl Responder {
///     HttpResponse::Ok().body("you")
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Only annotated routes get CORS:
/// let app = App::new().wrap(Cors::new()).service(me);
///
/// // Or with App defaults for every other route:
/// let cors = Cors::builder()
///     .origins(["https://app.example.com"])
///     .methods(["GET", "POST"])
///     .max_age(600)
///     .build()?;
/// let app = App::new().wrap(cors).service(me);
/// # Ok(()) }
/// ```
///
/// It answers preflights before routing, so nothing behind it runs for them:
/// not scope middleware such as authentication, guards, extractors or the
/// handler. It adds the headers of the handler's effective policy to every
/// response of an allowed request, error responses included.
#[derive(Clone)]
pub struct Cors {
    inner: Arc<Inner>,
}

struct Inner {
    defaults: Option<(PolicySpecBuf, Policy)>,
    strict: bool,
    debug_header: bool,
    outcome: Mutex<Option<Result<Report, StartupError>>>,
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field(
                "defaults",
                &self.inner.defaults.as_ref().map(|(_, p)| p.to_string()),
            )
            .field("strict", &self.inner.strict)
            .finish()
    }
}

impl Default for Cors {
    fn default() -> Self {
        Cors::new()
    }
}

impl Cors {
    /// The middleware without App defaults: only routes annotated with
    /// `#[cors(...)]` (or attached with [`attach`](crate::attach)) get CORS;
    /// preflights for anything else get 403.
    ///
    /// ```
    /// let app = actix_web::App::new().wrap(cors_actix::Cors::new());
    /// ```
    pub fn new() -> Cors {
        Cors::from_parts(None, false, false)
    }

    /// A builder for App defaults and options. Its methods are the keys of
    /// `#[cors(...)]`.
    ///
    /// ```
    /// let cors = cors_actix::Cors::builder()
    ///     .origins(["https://example.com", "https://*.example.com"])
    ///     .headers(["content-type", "authorization"])
    ///     .credentials(true)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn builder() -> CorsBuilder {
        CorsBuilder::default()
    }

    /// App defaults from the environment: `CORS_ALLOWED_ORIGINS` (required),
    /// and when set `CORS_ALLOWED_METHODS`, `CORS_ALLOWED_HEADERS`,
    /// `CORS_EXPOSE_HEADERS` (comma-separated), `CORS_ALLOW_CREDENTIALS`
    /// (`true`/`false`) and `CORS_MAX_AGE` (seconds). Every value goes
    /// through the same validator as code.
    ///
    /// # Errors
    ///
    /// Every problem, each naming the variable and the bad entry.
    ///
    /// ```
    /// std::env::set_var("CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example/");
    /// let error = cors_actix::Cors::from_env().unwrap_err();
    /// assert!(error.to_string().contains("CORS_ALLOWED_ORIGINS"));
    /// assert!(error.to_string().contains("`https://b.example/`"));
    /// ```
    pub fn from_env() -> Result<Cors, BuildError> {
        Cors::builder().from_env().build()
    }

    fn from_parts(
        defaults: Option<(PolicySpecBuf, Policy)>,
        strict: bool,
        debug_header: bool,
    ) -> Cors {
        Cors {
            inner: Arc::new(Inner {
                defaults,
                strict,
                debug_header,
                outcome: Mutex::new(None),
            }),
        }
    }

    /// Every route's effective policy, as resolved when the last App wrapped
    /// by this middleware (or a clone of it) started. Also logged at start-up
    /// (`info`, target `cors_actix`).
    pub fn report(&self) -> Option<Report> {
        match &*self.inner.outcome.lock().ok()? {
            Some(Ok(report)) => Some(report.clone()),
            _ => None,
        }
    }

    /// Why the last App wrapped by this middleware failed to start, if it did.
    pub fn startup_error(&self) -> Option<StartupError> {
        match &*self.inner.outcome.lock().ok()? {
            Some(Err(error)) => Some(error.clone()),
            _ => None,
        }
    }

    fn record(&self, outcome: Result<Report, StartupError>) {
        if let Ok(mut slot) = self.inner.outcome.lock() {
            *slot = Some(outcome);
        }
    }
}

/// Builds a [`Cors`] with App defaults and options.
#[derive(Clone, Debug, Default)]
pub struct CorsBuilder {
    spec: PolicySpecBuf,
    strict: bool,
    debug_header: bool,
    /// Fields read from the environment, with their variable.
    env: Vec<(Field, String)>,
    env_problems: Vec<BuildProblem>,
}

impl CorsBuilder {
    fn spec_mut(&mut self) -> &mut PolicySpecBuf {
        &mut self.spec
    }

    policy_setters!();

    /// Strict mode: refuse state-changing requests (POST, PUT, PATCH,
    /// DELETE) from origins the route's policy does not allow, with 403
    /// before anything else runs. CORS only stops JavaScript from *reading*
    /// a response; a cross-site form POST still reaches the handler. Strict
    /// mode stops its side effects, as defence in depth beside CSRF tokens
    /// and `SameSite` cookies. Same-origin requests (`Sec-Fetch-Site:
    /// same-origin`, or an `Origin` equal to the request's own host) and
    /// requests without `Origin` pass.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Adds `x-cors-reason` to rejected responses, naming the reason. Only in
    /// debug builds (`debug_assertions`); ignored in release builds.
    pub fn debug_header(mut self, enable: bool) -> Self {
        self.debug_header = enable;
        self
    }

    /// Reads the origins from an environment variable, comma-separated.
    pub fn origins_from_env(mut self, var: &str) -> Self {
        match list_from_env(var) {
            Ok(Some(origins)) => {
                self.env.push((Field::Origins, var.to_owned()));
                self.origins(origins)
            }
            Ok(None) => {
                self.env_problems.push(BuildProblem::Env {
                    var: var.to_owned(),
                    message: "is not set".into(),
                });
                self
            }
            Err(problem) => {
                self.env_problems.push(problem);
                self
            }
        }
    }

    /// Reads the defaults from the environment; see [`Cors::from_env`].
    pub fn from_env(mut self) -> Self {
        self = self.origins_from_env("CORS_ALLOWED_ORIGINS");
        let lists = [
            (Field::Methods, "CORS_ALLOWED_METHODS"),
            (Field::Headers, "CORS_ALLOWED_HEADERS"),
            (Field::Expose, "CORS_EXPOSE_HEADERS"),
        ];
        for (field, var) in lists {
            match list_from_env(var) {
                Ok(Some(items)) => {
                    self.env.push((field, var.to_owned()));
                    let spec = &mut self.spec;
                    let slot = match field {
                        Field::Methods => &mut spec.methods,
                        Field::Headers => &mut spec.headers,
                        _ => &mut spec.expose,
                    };
                    *slot = Some(items);
                }
                Ok(None) => {}
                Err(problem) => self.env_problems.push(problem),
            }
        }
        match std::env::var("CORS_ALLOW_CREDENTIALS").as_deref() {
            Ok("true") => self.spec.credentials = Some(true),
            Ok("false") => self.spec.credentials = Some(false),
            Ok(other) => self.env_problems.push(BuildProblem::Env {
                var: "CORS_ALLOW_CREDENTIALS".into(),
                message: format!("is `{other}`; write `true` or `false`"),
            }),
            Err(_) => {}
        }
        match std::env::var("CORS_MAX_AGE").map(|v| v.trim().parse::<i64>().map_err(|_| v)) {
            Ok(Ok(seconds)) => {
                self.env.push((Field::MaxAge, "CORS_MAX_AGE".into()));
                self.spec.max_age = Some(seconds);
            }
            Ok(Err(value)) => self.env_problems.push(BuildProblem::Env {
                var: "CORS_MAX_AGE".into(),
                message: format!("is `{value}`; write a number of seconds"),
            }),
            Err(_) => {}
        }
        self
    }

    /// Validates the defaults with `cors-core`'s validator.
    ///
    /// A builder with no policy key set gives a middleware without defaults,
    /// like [`Cors::new`] with the options set.
    ///
    /// # Errors
    ///
    /// Every problem at once; its `Display` lists each with the offending
    /// value as written.
    pub fn build(self) -> Result<Cors, BuildError> {
        let mut problems = self.env_problems;
        let defaults = if self.spec == PolicySpecBuf::default() {
            None
        } else {
            match self.spec.with_spec(Policy::build) {
                Ok(policy) => Some((self.spec, policy)),
                Err(errors) => {
                    problems.extend(errors.into_iter().map(|error| {
                        let env = self
                            .env
                            .iter()
                            .find(|(f, _)| *f == error.field())
                            .map(|(_, v)| v.clone());
                        BuildProblem::Config { error, env }
                    }));
                    None
                }
            }
        };
        if problems.is_empty() {
            Ok(Cors::from_parts(defaults, self.strict, self.debug_header))
        } else {
            Err(BuildError { problems })
        }
    }
}

fn list_from_env(var: &str) -> Result<Option<Vec<String>>, BuildProblem> {
    match std::env::var(var) {
        Ok(value) => Ok(Some(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        )),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(BuildProblem::Env {
            var: var.to_owned(),
            message: "is not valid UTF-8".into(),
        }),
    }
}

/// One problem found by [`CorsBuilder::build`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildProblem {
    /// A value breaks a rule; `env` names the variable it came from.
    Config {
        /// The validator's finding.
        error: ConfigError,
        /// The environment variable, when the value came from one.
        env: Option<String>,
    },
    /// An environment variable is missing or unreadable.
    Env {
        /// The variable.
        var: String,
        /// What is wrong with it.
        message: String,
    },
}

impl fmt::Display for BuildProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildProblem::Config {
                error,
                env: Some(var),
            } => write!(f, "{var}: {error}"),
            BuildProblem::Config { error, env: None } => write!(f, "{error}"),
            BuildProblem::Env { var, message } => write!(f, "{var} {message}"),
        }
    }
}

/// The error of [`CorsBuilder::build`]: every problem, each naming the
/// offending value verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    problems: Vec<BuildProblem>,
}

impl BuildError {
    /// The problems, in the order the values were written.
    pub fn problems(&self) -> &[BuildProblem] {
        &self.problems
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{n} CORS configuration error{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    /// Runs once per worker, after every route of the App registered:
    /// resolves each route's effective policy, or fails the App's start-up.
    fn new_transform(&self, service: S) -> Self::Future {
        let defaults = self
            .inner
            .defaults
            .as_ref()
            .map(|(spec, policy)| Defaults::new(spec.clone(), policy.clone()));
        match resolve(take_pending(), defaults.as_ref()) {
            Ok((routes, report)) => {
                log::info!(target: "cors_actix", "CORS policies:\n{report}");
                let varies = routes
                    .iter()
                    .filter_map(|r| r.policy.as_ref())
                    .chain(defaults.as_ref().map(|d| &d.entry))
                    .any(|e| e.policy().varies_by_origin());
                self.record(Ok(report));
                ready(Ok(CorsMiddleware {
                    service,
                    state: Rc::new(State {
                        routes,
                        index: std::cell::OnceCell::new(),
                        defaults,
                        strict: self.inner.strict,
                        debug_header: self.inner.debug_header && cfg!(debug_assertions),
                        no_origin_vary: if varies { Vary::ORIGIN } else { Vary::NONE },
                    }),
                }))
            }
            Err(error) => {
                log::error!(target: "cors_actix", "{error}");
                self.record(Err(error));
                ready(Err(()))
            }
        }
    }
}

struct State {
    routes: Vec<ResolvedRoute>,
    /// Built on the first request with an `Origin`.
    index: std::cell::OnceCell<Index>,
    defaults: Option<Defaults>,
    strict: bool,
    debug_header: bool,
    /// `Vary` for requests without `Origin`: `Origin` unless every policy
    /// of the App allows any origin.
    no_origin_vary: Vary,
}

/// The service of [`Cors`] for one worker.
pub struct CorsMiddleware<S> {
    service: S,
    state: Rc<State>,
}

/// Finds the annotated route that serves this path and method, scope
/// prefixes included. The index is built on first use, from the App's
/// resource map, which is complete by then.
fn lookup<'s>(state: &'s State, req: &ServiceRequest, method: &[u8]) -> Option<&'s ResolvedRoute> {
    if state.routes.is_empty() {
        return None;
    }
    let method = std::str::from_utf8(method).ok()?;
    let index = state.index.get_or_init(|| {
        let inputs: Vec<IndexInput<'_>> = state
            .routes
            .iter()
            .map(|r| IndexInput {
                pattern: &r.pattern,
                methods: &r.methods,
            })
            .collect();
        let (index, unindexed) = Index::build(req.request(), &inputs);
        for miss in unindexed {
            if let Some(route) = state.routes.get(miss.route) {
                log::error!(
                    target: "cors_actix",
                    "`{}` ({}) cannot be indexed, so its CORS policy is not applied: {}",
                    route.handler,
                    route.pattern,
                    miss.reason
                );
            }
        }
        index
    });
    state
        .routes
        .get(index.find(req.match_info().as_str(), method)?)
}

fn lines<'a>(headers: &'a HeaderMap, name: &HeaderName) -> cors_core::HeaderValue<'a> {
    cors_core::HeaderValue::from_lines(headers.get_all(name).map(HeaderValue::as_bytes))
}

const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");
const DEBUG_REASON: HeaderName = HeaderName::from_static("x-cors-reason");
const TRUE: HeaderValue = HeaderValue::from_static("true");

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future, B>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match self.plan(&req) {
            Plan::Forward { add, vary, active } => {
                let future = {
                    let _active = ActiveGuard::enter(active);
                    self.service.call(req)
                };
                CorsFuture {
                    state: FutureState::Inner {
                        future,
                        finish: Some(Finish { add, vary }),
                        active,
                    },
                }
            }
            Plan::Respond(response) => CorsFuture {
                state: FutureState::Done {
                    response: Some(req.into_response(response).map_into_right_body()),
                },
            },
        }
    }
}

/// What the middleware does with a request.
enum Plan {
    /// Pass it on, then finish its response.
    Forward {
        add: Option<Add>,
        vary: Vary,
        active: Active,
    },
    /// Answer it here; nothing behind the middleware runs.
    Respond(HttpResponse),
}

impl<S> CorsMiddleware<S> {
    fn plan(&self, req: &ServiceRequest) -> Plan {
        let state = &*self.state;
        let headers = req.headers();
        let mut origin_lines = headers.get_all(header::ORIGIN);
        let origin_value = origin_lines.next();
        let origin = match (origin_value, origin_lines.next()) {
            (None, _) => cors_core::HeaderValue::Absent,
            (Some(value), None) => cors_core::HeaderValue::One(value.as_bytes()),
            (Some(_), Some(_)) => cors_core::HeaderValue::Repeated,
        };
        if origin == cors_core::HeaderValue::Absent {
            return Plan::Forward {
                add: None,
                vary: state.no_origin_vary,
                active: Active::NoLookup,
            };
        }
        // Only an OPTIONS can be a preflight; only then do its headers count.
        let preflight_header = |name| match req.method() == actix_web::http::Method::OPTIONS {
            true => lines(headers, name),
            false => cors_core::HeaderValue::Absent,
        };
        let request = cors_core::Request {
            method: req.method().as_str().as_bytes(),
            origin,
            request_method: preflight_header(&header::ACCESS_CONTROL_REQUEST_METHOD),
            request_headers: preflight_header(&header::ACCESS_CONTROL_REQUEST_HEADERS),
            request_private_network: preflight_header(&REQUEST_PRIVATE_NETWORK),
        };
        let preflight = request.is_preflight();
        let origin = match request.origin {
            cors_core::HeaderValue::One(origin) => origin,
            cors_core::HeaderValue::Absent | cors_core::HeaderValue::Repeated => {
                let rejection = Rejection {
                    handler: None,
                    preflight,
                    reason: Reason::RepeatedHeader { name: "origin" },
                    origin: b"",
                    vary: state.no_origin_vary,
                };
                return Plan::Respond(self.refusal(req, &rejection));
            }
        };
        let lookup_method = match (preflight, request.request_method) {
            (false, _) => Some(request.method),
            (true, cors_core::HeaderValue::One(method)) => Some(method),
            (true, _) => None,
        };
        let found = lookup_method.and_then(|method| lookup(state, req, method));
        let active = found_active(found.map(|r| &*r.source));
        let handler = found.map(|r| &*r.handler);
        let entry = match found {
            Some(route) => route.policy.as_ref(),
            None => state.defaults.as_ref().map(|d| &d.entry),
        };
        let rejection = |reason, vary| Rejection {
            handler,
            preflight,
            reason,
            origin,
            vary,
        };
        let Some(entry) = entry else {
            let reason = Reason::NoPolicy {
                method: lookup_method.unwrap_or(request.method),
            };
            // Which policy applies depends on the path and the (requested)
            // method; a preflight's answer on all three request headers.
            let vary = match (preflight, state.strict) {
                (true, _) => Vary::ORIGIN
                    .union(Vary::REQUEST_METHOD)
                    .union(Vary::REQUEST_HEADERS),
                (false, true) => Vary::ORIGIN,
                (false, false) => Vary::NONE,
            };
            return self.refuse_or_forward(req, rejection(reason, vary), active);
        };
        match decide(entry.policy(), &request) {
            Decision::Preflight { status, headers } => {
                Plan::Respond(preflight_response(origin_value, status, &headers, entry))
            }
            Decision::PreflightRejected { reason, vary } => {
                Plan::Respond(self.refusal(req, &rejection(reason, vary)))
            }
            Decision::Allowed(headers) => Plan::Forward {
                add: Some(Add::Allow {
                    allow_origin: allow_origin(origin_value, headers.allow_origin),
                    credentials: headers.allow_credentials,
                    expose: entry.expose_headers.clone(),
                }),
                vary: headers.vary,
                active,
            },
            Decision::Rejected { reason, vary } => {
                self.refuse_or_forward(req, rejection(reason, vary), active)
            }
            Decision::NotCors { vary } => Plan::Forward {
                add: None,
                vary,
                active,
            },
        }
    }

    /// A request from an origin no policy allows: a preflight is refused; an
    /// actual request is served without CORS headers, unless strict mode
    /// stops a state-changing one first.
    fn refuse_or_forward(
        &self,
        req: &ServiceRequest,
        rejection: Rejection<'_>,
        active: Active,
    ) -> Plan {
        let strict_stop = self.state.strict
            && !rejection.preflight
            && matches!(req.method().as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
            && !same_origin(req, rejection.origin);
        if rejection.preflight || strict_stop {
            return Plan::Respond(self.refusal(req, &rejection));
        }
        log_rejection(
            Outcome::ServedWithoutHeaders,
            req,
            rejection.handler,
            &rejection.reason,
        );
        Plan::Forward {
            add: Some(Add::Strip),
            vary: rejection.vary,
            active,
        }
    }

    /// 403 without CORS headers.
    fn refusal(&self, req: &ServiceRequest, rejection: &Rejection<'_>) -> HttpResponse {
        let reason = &rejection.reason;
        let outcome = if rejection.preflight {
            Outcome::PreflightRejected
        } else {
            Outcome::Refused
        };
        log_rejection(outcome, req, rejection.handler, reason);
        let mut response = HttpResponse::Forbidden().finish();
        merge_vary(response.headers_mut(), rejection.vary);
        if self.state.debug_header {
            let text: String = format!("{}: {reason}", reason.code())
                .chars()
                .map(|c| {
                    if c.is_ascii_graphic() || c == ' ' {
                        c
                    } else {
                        '?'
                    }
                })
                .collect();
            if let Ok(value) = HeaderValue::from_str(&text) {
                response.headers_mut().insert(DEBUG_REASON, value);
            }
        }
        response
    }
}

/// A refused request, with what its log line and response need.
struct Rejection<'a> {
    handler: Option<&'a str>,
    preflight: bool,
    reason: Reason<'a>,
    origin: &'a [u8],
    vary: Vary,
}

/// Whether the request comes from the server's own origin: the browser says
/// so (`Sec-Fetch-Site: same-origin`), or `Origin` is `http(s)://` + `Host`.
fn same_origin(req: &ServiceRequest, origin: &[u8]) -> bool {
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"same-origin")
    {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .map(HeaderValue::as_bytes)
        .or_else(|| req.uri().authority().map(|a| a.as_str().as_bytes()));
    let rest = origin
        .strip_prefix(b"https://")
        .or_else(|| origin.strip_prefix(b"http://"));
    matches!((rest, host), (Some(rest), Some(host)) if rest == host)
}

fn allow_origin(origin: Option<&HeaderValue>, allow: AllowOrigin<'_>) -> HeaderValue {
    match (allow, origin) {
        // The request's own header value, shared, not copied.
        (AllowOrigin::Mirror(_), Some(origin)) => origin.clone(),
        (AllowOrigin::Mirror(origin), None) => {
            HeaderValue::from_str(origin).unwrap_or_else(|_| HeaderValue::from_static("null"))
        }
        (AllowOrigin::Any, _) => HeaderValue::from_static("*"),
    }
}

fn preflight_response(
    origin: Option<&HeaderValue>,
    status: u16,
    headers: &CorsHeaders<'_>,
    entry: &PolicyEntry,
) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
    let mut response = HttpResponse::new(status);
    let map = response.headers_mut();
    map.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        allow_origin(origin, headers.allow_origin),
    );
    if headers.allow_credentials {
        map.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
    }
    let precomputed = [
        (header::ACCESS_CONTROL_ALLOW_METHODS, &entry.allow_methods),
        (header::ACCESS_CONTROL_ALLOW_HEADERS, &entry.allow_headers),
        (header::ACCESS_CONTROL_MAX_AGE, &entry.max_age),
    ];
    for (name, value) in precomputed {
        if let Some(value) = value {
            map.insert(name, value.clone());
        }
    }
    if headers.allow_private_network {
        map.insert(ALLOW_PRIVATE_NETWORK, TRUE);
    }
    merge_vary(map, headers.vary);
    response
}

/// Adds the `Vary` tokens the response does not have yet, never a duplicate.
fn merge_vary(headers: &mut HeaderMap, vary: Vary) {
    let missing = vary.missing_from(headers.get_all(header::VARY).map(HeaderValue::as_bytes));
    if !missing.is_empty() {
        headers.append(header::VARY, HeaderValue::from_static(missing.value()));
    }
}

/// What an actual response gets.
#[derive(Clone)]
enum Add {
    /// The headers of an allowed request.
    Allow {
        allow_origin: HeaderValue,
        credentials: bool,
        expose: Option<HeaderValue>,
    },
    /// A refused origin: whatever CORS headers the app set itself go, so
    /// that no handler can grant what the policy refuses.
    Strip,
}

/// What to do with the inner service's response.
#[derive(Clone)]
struct Finish {
    add: Option<Add>,
    vary: Vary,
}

impl Finish {
    fn apply(self, headers: &mut HeaderMap) {
        match self.add {
            // Insert replaces: whatever the app set, the header is sent once.
            Some(Add::Allow {
                allow_origin,
                credentials,
                expose,
            }) => {
                headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
                if credentials {
                    headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
                }
                if let Some(expose) = expose {
                    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose);
                }
            }
            Some(Add::Strip) => {
                for name in [
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                ] {
                    headers.remove(name);
                }
            }
            None => {}
        }
        merge_vary(headers, self.vary);
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`CorsMiddleware`].
    pub struct CorsFuture<F, B> {
        #[pin]
        state: FutureState<F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = FutureStateProj]
    enum FutureState<F, B> {
        // Answered by the middleware itself; taken when ready.
        Done { response: Option<ServiceResponse<EitherBody<B>>> },
        // Waiting for the inner service, then finishing its response.
        Inner {
            #[pin]
            future: F,
            finish: Option<Finish>,
            active: Active,
        },
    }
}

impl<F, B> Future for CorsFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            FutureStateProj::Done { response } => Poll::Ready(response.take().ok_or_else(|| {
                actix_web::error::ErrorInternalServerError("polled after completion")
            })),
            FutureStateProj::Inner {
                future,
                finish,
                active,
            } => {
                let result = {
                    let _active = ActiveGuard::enter(*active);
                    std::task::ready!(future.poll(cx))
                };
                let Some(finish) = finish.take() else {
                    return Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                        "polled after completion",
                    )));
                };
                Poll::Ready(match result {
                    Ok(mut response) => {
                        finish.apply(response.headers_mut());
                        Ok(response.map_into_left_body())
                    }
                    // Whoever turns the error into a response (an outer
                    // middleware or actix-web itself) gets the headers too.
                    Err(mut error) => {
                        error.add_response_mapper(move |mut response| {
                            finish.clone().apply(response.headers_mut());
                            response
                        });
                        Err(error)
                    }
                })
            }
        }
    }
}
