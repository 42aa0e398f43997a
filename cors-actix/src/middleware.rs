//! The `Cors` middleware: the value users wrap their App with, its per-worker
//! state and route table, and the plan for each request (the lookup before
//! routing, preflight answers, what an actual response will get). Writing
//! the headers is `respond.rs`, strict mode `strict.rs`, the response future
//! `future.rs`.

use crate::builder::{BuildError, CorsBuilder, Parts};
use crate::diagnostics::{
    check_preflight_route, log_rejection, place, Outcome, RefusalLog, Refused,
};
use crate::future::CorsFuture;
use crate::live::{Current, Live, Policies, Registered, SetPolicies};
use crate::register::{live_groups, Group};
use crate::report::{Report, StartupError};
use crate::resolve::{Defaults, PolicyEntry, ResolvedRoute};
use crate::respond::{add_vary, preflight_response, static_route, Add, Finish};
use crate::strict::{same_origin, strict_refusal, StrictCheck};
use crate::table::{clean_request, in_app, Found, Shape, Table};
use crate::witness::{Listen, Served};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ResourceMap, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::uri::PathAndQuery;
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::{Error, HttpMessage, HttpResponse};
use cors_core::strict::{is_state_changing, no_policy_vary};
use cors_core::{decide, Decision, Reason, Vary};
use futures_util::future::{ready, Ready};
use std::cell::{OnceCell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often repeated refusals are counted in one `warn` line, unless
/// [`CorsBuilder::refusal_summary_every`](crate::CorsBuilder::refusal_summary_every) says otherwise.
pub(crate) const DEFAULT_REFUSAL_SUMMARY: Duration = Duration::from_secs(60);

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
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// The App defaults, the policies supplied by name, and every App's
    /// routes under them: what a reload replaces.
    pub(crate) current: Current,
    pub(crate) strict: bool,
    pub(crate) debug_header: bool,
    outcome: Mutex<Option<Result<Report, StartupError>>>,
    /// Whether the complete report was logged: once per `Cors` value, not
    /// once per worker.
    report_logged: AtomicBool,
    pub(crate) refusals: RefusalLog,
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field(
                "defaults",
                &self
                    .inner
                    .current
                    .load()
                    .policies
                    .defaults
                    .as_ref()
                    .map(|d| d.entry.policy().to_string()),
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
    /// preflights for anything else get 403. A route built with
    /// `web::resource` whose path an annotated pattern also matches is
    /// answered as that annotated route: write it as a handler with
    /// `#[cors]` (or `#[cors(disable)]`), or `attach` its own policy before
    /// the annotated route (the README's known limits).
    ///
    /// ```
    /// let app = actix_web::App::new().wrap(cors_actix::Cors::new());
    /// ```
    pub fn new() -> Cors {
        Cors::from_parts(Parts {
            defaults: None,
            named: Vec::new(),
            strict: None,
            debug_header: None,
            refusal_summary: None,
        })
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
        Cors::builder().with_env().build()
    }

    pub(crate) fn from_parts(parts: Parts) -> Cors {
        let policies = Policies {
            defaults: parts.defaults.as_ref().map(Defaults::new),
            named: parts.named,
        };
        Cors {
            inner: Arc::new(Inner {
                current: Current::new(policies),
                strict: parts.strict.unwrap_or(false),
                debug_header: parts.debug_header.unwrap_or(false),
                outcome: Mutex::new(None),
                report_logged: AtomicBool::new(false),
                refusals: RefusalLog::new(parts.refusal_summary.unwrap_or(DEFAULT_REFUSAL_SUMMARY)),
            }),
        }
    }

    /// Every route's effective policy, as resolved when the last App wrapped
    /// by this middleware (or a clone of it) started, with full patterns
    /// once a worker served its first request, and again by each reload
    /// ([`CorsHandle::reload`](crate::CorsHandle::reload)). Logged when the
    /// first request completes the table (`info`, target `cors_actix`),
    /// once per `Cors` value.
    pub fn report(&self) -> Option<Report> {
        match &*self.inner.outcome.lock().ok()? {
            Some(Ok(report)) => Some(report.clone()),
            _ => None,
        }
    }

    /// Why the last App wrapped by this middleware failed to start, or
    /// why its route table could not be completed on the first request
    /// (then `Cors` fails closed), if either happened.
    ///
    /// actix-web fixes the `InitError` of App middleware to `()`, so a test
    /// sees only `service initialization failed: ()`; this returns the
    /// reason, which is also logged (`error`, target `cors_actix`).
    ///
    /// ```
    /// use actix_web::{get, App, HttpResponse};
    /// use cors_actix::{cors, Cors};
    ///
    /// #[cors] // takes everything from the App defaults, and there are none
    /// #[get("/me")]
    /// async fn me() -> HttpResponse {
    ///     HttpResponse::Ok().finish()
    /// }
    ///
    /// # #[actix_web::main]
    /// # async fn main() {
    /// use actix_service::{IntoServiceFactory, ServiceFactory};
    ///
    /// let cors = Cors::new();
    /// let app = App::new().wrap(cors.clone()).service(me);
    /// // What `actix_web::test::init_service` does, without its panic.
    /// let started = app
    ///     .into_factory()
    ///     .new_service(actix_web::dev::AppConfig::default())
    ///     .await;
    /// assert!(started.is_err());
    /// let error = cors.startup_error().unwrap();
    /// assert!(error.to_string().contains("needs App defaults"));
    /// # }
    /// ```
    pub fn startup_error(&self) -> Option<StartupError> {
        match &*self.inner.outcome.lock().ok()? {
            Some(Err(error)) => Some(error.clone()),
            _ => None,
        }
    }
}

impl Inner {
    pub(crate) fn record(&self, outcome: Result<Report, StartupError>) {
        if let Err(error) = &outcome {
            log::error!(target: "cors_actix", "{error}");
            // actix-web reports only `()` for it: without a logger the reason
            // would reach nobody.
            if log::max_level() == log::LevelFilter::Off {
                eprintln!(
                    "[cors_actix] {error}\n(no logger is installed, so this goes to stderr; `Cors::startup_error()` returns it)"
                );
            }
        }
        if let Ok(mut slot) = self.outcome.lock() {
            *slot = Some(outcome);
        }
    }
}

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
        if self.inner.strict {
            crate::strict::ANY_STRICT.store(true, Ordering::Relaxed);
        }
        // One live group is the App being built. Several mean another App
        // is being built on this thread at the same time, and which group is
        // this App's is only known from its resource map: the first request
        // finds it and checks its routes then, rather than failing this App
        // for another's routes.
        let candidates = live_groups();
        for group in &candidates {
            group.seal();
        }
        let current = &self.inner.current;
        let record = |report| self.inner.record(Ok(report));
        let started: Vec<(Rc<Group>, Registered)> = match candidates.as_slice() {
            [group] => match current.add_set(group.registrations.borrow().clone(), record) {
                Ok(registered) => vec![(group.clone(), registered)],
                Err(error) => {
                    self.inner.record(Err(error));
                    return ready(Err(()));
                }
            },
            [] => {
                current.report(record);
                Vec::new()
            }
            several => {
                log::debug!(
                    target: "cors_actix",
                    "several Apps are being built on this thread; their routes are checked on the first request each serves"
                );
                // Each is added, so that reloads check this App's routes
                // whichever they are; one that fails is left to its first
                // request, or to its own App.
                several
                    .iter()
                    .filter_map(|group| {
                        let registrations = group.registrations.borrow().clone();
                        let registered = current.add_set(registrations, record).ok()?;
                        Some((group.clone(), registered))
                    })
                    .collect()
            }
        };
        let live = current.load();
        ready(Ok(CorsMiddleware {
            service,
            state: Rc::new(State {
                shared: self.inner.clone(),
                strict: self.inner.strict,
                debug_header: self.inner.debug_header && cfg!(debug_assertions),
                candidates,
                started: RefCell::new(started),
                table: OnceCell::new(),
                live: RefCell::new(live),
            }),
        }))
    }
}

pub(crate) struct State {
    pub(crate) shared: Arc<Inner>,
    strict: bool,
    debug_header: bool,
    /// The registration groups alive when the middleware was created; the
    /// App's own is among them.
    candidates: Vec<Rc<Group>>,
    /// The groups added at start-up, with their index in [`Live::sets`];
    /// the table keeps this App's, and lets go of the others.
    started: RefCell<Vec<(Rc<Group>, Registered)>>,
    /// Completed by the first request: the table's shape, and the App's
    /// routes in [`Live::sets`]. `None` when it could not be, and then
    /// `Cors` fails closed.
    table: OnceCell<Option<(Shape, Registered)>>,
    /// This worker's copy of the configuration in force, replaced when a
    /// request finds the epoch changed.
    live: RefCell<Arc<Live>>,
}

/// The route table under one configuration, and the App defaults of that
/// configuration.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub(crate) table: Table<'a>,
    pub(crate) set: &'a SetPolicies,
    pub(crate) defaults: Option<&'a Defaults>,
}

impl State {
    /// The configuration for a request that arrives now. The first request
    /// completes the route table first, from the App's resource map; never
    /// from the request itself.
    #[inline]
    fn live(&self, rmap: &ResourceMap) -> Arc<Live> {
        if self.table.get().is_none() {
            self.table.get_or_init(|| match self.complete(rmap) {
                Ok(ready) => Some(ready),
                Err(error) => {
                    self.shared.record(Err(error));
                    None
                }
            });
        }
        let epoch = self.shared.current.epoch();
        let mut live = self.live.borrow_mut();
        if live.epoch != epoch {
            *live = self.shared.current.load();
        }
        live.clone()
    }

    /// The route table under `live`; `None` when it could not be
    /// completed.
    pub(crate) fn ready<'a>(&'a self, live: &'a Live) -> Option<View<'a>> {
        let (shape, registered) = self.table.get()?.as_ref()?;
        let set = live.sets.get(registered.index)?;
        Some(View {
            table: Table {
                shape,
                routes: &set.routes,
            },
            set,
            defaults: live.policies.defaults.as_ref(),
        })
    }

    fn complete(&self, rmap: &ResourceMap) -> Result<(Shape, Registered), StartupError> {
        let clean = clean_request();
        let ours = self.candidates.iter().rev().find(|group| {
            let registrations = group.registrations.borrow();
            registrations
                .first()
                .is_some_and(|r| in_app(rmap, &clean, r.marker))
        });
        let current = &self.shared.current;
        let record = |report| self.shared.record(Ok(report));
        // The groups of other Apps are let go of here.
        let started = std::mem::take(&mut *self.started.borrow_mut());
        let added = ours.and_then(|ours| {
            started
                .into_iter()
                .find(|(group, _)| Rc::ptr_eq(group, ours))
                .map(|(_, registered)| registered)
        });
        let registered = match (ours, added) {
            (_, Some(registered)) => registered,
            // Another App's group was newest when this one started.
            (Some(group), None) => current.add_set(group.registrations.borrow().clone(), record)?,
            (None, None) => current.add_set(Vec::new(), record)?,
        };
        let live = current.load();
        let routes = live
            .sets
            .get(registered.index)
            .map_or(&[][..], |set| &set.routes);
        let shape =
            Shape::build(routes, rmap, &clean).map_err(|problems| StartupError { problems })?;
        let log_once = |report: &Report| {
            if !self.shared.report_logged.swap(true, Ordering::Relaxed) {
                log::info!(target: "cors_actix", "CORS policies:\n{report}");
            }
        };
        let (full, notes) = (&shape.full, &shape.notes);
        current.set_table(registered.index, full, notes, log_once, record);
        Ok((shape, registered))
    }

    /// The policy for a path and method found before routing: that of the
    /// annotated or attached route that serves them (`None` when disabled),
    /// or else the App defaults'.
    fn guess<'s>(
        ready: View<'s>,
        path: &str,
        method: &[u8],
        rmap: Option<&ResourceMap>,
    ) -> (Option<&'s ResolvedRoute>, Option<&'s PolicyEntry>) {
        match ready.table.find(path, method, rmap) {
            Found::Route(route) => (Some(route), route.policy.as_deref()),
            Found::Unsure(route) => {
                log_unsure(route, path);
                (Some(route), None)
            }
            Found::None => (None, ready.defaults.map(|d| &*d.entry)),
        }
    }
}

/// The service of [`Cors`] for one worker.
pub struct CorsMiddleware<S> {
    service: S,
    state: Rc<State>,
}

fn lines<'a>(headers: &'a HeaderMap, name: &HeaderName) -> cors_core::RequestHeader<'a> {
    cors_core::RequestHeader::from_lines(headers.get_all(name).map(HeaderValue::as_bytes))
}

const MAX_REQUEST_HEADER_NAMES: usize = cors_core::header::MAX_REQUEST_HEADER_NAMES;

const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
pub(crate) const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");
const DEBUG_REASON: HeaderName = HeaderName::from_static("x-cors-reason");
pub(crate) const TRUE: HeaderValue = HeaderValue::from_static("true");
/// `Access-Control-Max-Age` of a preflight answer no other request may reuse.
pub(crate) const NOT_CACHED: Option<HeaderValue> = Some(HeaderValue::from_static("0"));

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
        // The request keeps this configuration until its response is
        // finished, whatever a reload does meanwhile.
        let live = self.state.live(req.resource_map());
        match self.plan(&req, &live) {
            Plan::Forward(after) => {
                let listen = Listen::start();
                let future = self.service.call(req);
                let served = listen.finish();
                CorsFuture::forwarded(future, after, served, self.state.clone(), live)
            }
            Plan::Respond(response) => {
                CorsFuture::answered(req.into_response(response).map_into_right_body())
            }
        }
    }
}

/// What the middleware does with a request.
enum Plan {
    /// Pass it on, then finish its response.
    Forward(After),
    /// Answer it here; nothing behind the middleware runs.
    Respond(HttpResponse),
}

/// How the response of a forwarded request is finished.
pub(crate) enum After {
    /// Decided before routing.
    Fixed(Finish),
    /// A request without `Origin`: no CORS headers, but a route whose
    /// policy allows any origin answers `*` on every response, so that a
    /// cached copy serves every origin.
    NoOrigin {
        method: Method,
        /// See [`kept_path`]; kept only when the App has a `*` policy.
        path: Option<Option<PathAndQuery>>,
    },
    /// An actual request with an `Origin`: decided by the policy of the
    /// route the router dispatched to, as its witness reports; when no
    /// witness ran (an error before the handler, a 404, a route without
    /// `#[cors]`), by the route found before routing.
    Route {
        /// `None`: `Origin` was sent several times.
        origin: Option<HeaderValue>,
        method: Method,
        /// For an error's response: see [`kept_path`].
        path: Option<PathAndQuery>,
    },
}

/// The request's path and query, as the router reads them, kept for an
/// error's response, which has no request left to read them from: cheaper
/// to keep than the URI. `None` when the path is empty (`CONNECT host:443`).
#[inline]
fn kept_path(uri: &Uri) -> Option<PathAndQuery> {
    match uri.path_and_query() {
        // `http://host`'s empty path reads as `/`, but would not in a URI
        // without the scheme.
        Some(path) if path.as_str() == "/" => Some(PathAndQuery::from_static("/")),
        Some(path) => Some(path.clone()),
        // Authority form: the router's path is ``.
        None => None,
    }
}

impl<S> CorsMiddleware<S> {
    fn plan(&self, req: &ServiceRequest, live: &Arc<Live>) -> Plan {
        let state = &*self.state;
        let ready = state.ready(live);
        let defaults = live.policies.defaults.as_ref();
        let headers = req.headers();
        let mut origin_lines = headers.get_all(header::ORIGIN);
        let origin_value = origin_lines.next();
        let origin = match (origin_value, origin_lines.next()) {
            (None, _) => cors_core::RequestHeader::Absent,
            (Some(value), None) => cors_core::RequestHeader::One(value.as_bytes()),
            (Some(_), Some(_)) => cors_core::RequestHeader::Repeated,
        };
        if origin == cors_core::RequestHeader::Absent {
            return Plan::Forward(After::NoOrigin {
                method: req.method().clone(),
                path: ready
                    .filter(|r| r.set.any_origin)
                    .map(|_| kept_path(req.uri())),
            });
        }
        // Only an OPTIONS can be a preflight; only then do its headers count.
        let options = req.method() == Method::OPTIONS;
        let preflight_header = |name| match options {
            true => lines(headers, name),
            false => cors_core::RequestHeader::Absent,
        };
        // A list header split over several lines is read as one; one line
        // more than cors-core accepts is enough to refuse the rest unread.
        // Most preflights send it on one line, or not at all: the array for
        // several is filled only then.
        let storage: [&[u8]; MAX_REQUEST_HEADER_NAMES + 1];
        let request_headers = if options {
            let values = headers.get_all(header::ACCESS_CONTROL_REQUEST_HEADERS);
            let mut first_two = values.clone();
            match (first_two.next(), first_two.next()) {
                (None, _) => cors_core::RequestHeader::Absent,
                (Some(one), None) => cors_core::RequestHeader::One(one.as_bytes()),
                (Some(_), Some(_)) => {
                    let mut lines = [&b""[..]; MAX_REQUEST_HEADER_NAMES + 1];
                    let mut count = 0;
                    for (slot, value) in lines.iter_mut().zip(values) {
                        *slot = value.as_bytes();
                        count += 1;
                    }
                    storage = lines;
                    cors_core::RequestHeader::Lines(&storage[..count])
                }
            }
        } else {
            cors_core::RequestHeader::Absent
        };
        let request = cors_core::Request {
            method: req.method().as_str().as_bytes(),
            origin,
            request_method: preflight_header(&header::ACCESS_CONTROL_REQUEST_METHOD),
            request_headers,
            request_private_network: preflight_header(&REQUEST_PRIVATE_NETWORK),
        };
        let preflight = request.is_preflight();
        // A repeated `Origin` goes on like any other: `decide` refuses it.
        let origin_value =
            origin_value.filter(|_| matches!(origin, cors_core::RequestHeader::One(_)));
        let same_origin = || match request.origin {
            cors_core::RequestHeader::One(origin) => same_origin(req, origin),
            _ => false,
        };
        let strict = state.strict
            && !preflight
            && is_state_changing(req.method().as_str().as_bytes())
            && !same_origin();
        let Some(ready) = ready else {
            // The route table could not be completed: fail closed, strict
            // mode included.
            let reason = Reason::NoPolicy {
                method: request.method,
            };
            let rejection = Rejection {
                route: None,
                preflight,
                reason,
                vary: Vary::ORIGIN,
            };
            return match preflight || strict {
                true => Plan::Respond(self.refusal(req, &rejection, defaults)),
                false => Plan::Forward(After::Fixed(Finish::strip(Vary::ORIGIN))),
            };
        };
        let path = req.match_info().as_str();
        if preflight {
            // A repeated or missing request method finds no route; the
            // engine refuses it under the defaults, or as `no_policy`.
            let method = match request.request_method {
                cors_core::RequestHeader::One(method) => Some(method),
                _ => None,
            };
            let rmap = Some(req.resource_map());
            let (route, entry) = match method {
                Some(method) => State::guess(ready, path, method, rmap),
                None => (None, defaults.map(|d| &*d.entry)),
            };
            if let (None, Some(method)) = (route, method) {
                if let Some(near) = near_route(ready, path, method, req.resource_map()) {
                    // `NormalizePath` inside `Cors` will send this path to an
                    // annotated route: neither the defaults nor "no policy"
                    // is its answer.
                    log_unnormalised(req, near);
                    let reason = Reason::NoPolicy { method };
                    let vary = no_policy_vary(true, state.strict);
                    let rejection = Rejection {
                        route: Some(near),
                        preflight,
                        reason,
                        vary,
                    };
                    return Plan::Respond(self.refusal(req, &rejection, defaults));
                }
            }
            let rejection = |reason, vary| Rejection {
                route,
                preflight,
                reason,
                vary,
            };
            let Some(entry) = entry else {
                // Which policy applies depends on the path and the requested
                // method; a preflight's answer on all three request headers.
                let vary = no_policy_vary(true, state.strict);
                let reason = Reason::NoPolicy {
                    method: method.unwrap_or(request.method),
                };
                return Plan::Respond(self.refusal(req, &rejection(reason, vary), defaults));
            };
            return match decide(entry.policy(), &request) {
                Decision::Preflight { status, headers } => {
                    // Browsers cache a preflight's methods and headers for the
                    // URL, whatever method later uses them. Where annotated
                    // routes serve other methods at this URL under policies that
                    // grant less, the answer must not be reused for them: it is
                    // not cached (`Max-Age: 0`); and when the App defaults
                    // answer there, they list only the method asked for.
                    let origin_bytes = match request.origin {
                        cors_core::RequestHeader::One(origin) => origin,
                        _ => b"",
                    };
                    let (shared, cacheable) = match method {
                        Some(m) => (
                            ready.table.matches_other_methods(path, m, rmap),
                            ready
                                .table
                                .cacheable(path, m, rmap, entry.policy(), origin_bytes),
                        ),
                        None => (false, true),
                    };
                    let only = match shared && route.is_none() {
                        true => req.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD),
                        false => None,
                    };
                    // `decide` answers a preflight only for its one `Origin`.
                    let Some(origin) = origin_value else {
                        let reason = Reason::RepeatedHeader { name: "origin" };
                        return Plan::Respond(self.refusal(
                            req,
                            &rejection(reason, Vary::ORIGIN),
                            defaults,
                        ));
                    };
                    Plan::Respond(preflight_response(
                        origin,
                        status,
                        &headers,
                        entry,
                        (only, !cacheable),
                    ))
                }
                Decision::PreflightRefused { reason, vary }
                | Decision::Rejected { reason, vary } => {
                    Plan::Respond(self.refusal(req, &rejection(reason, vary), defaults))
                }
                Decision::Allowed(_) | Decision::NotCors { .. } => {
                    Plan::Forward(After::Fixed(Finish::strip(Vary::NONE)))
                }
            };
        }
        if strict {
            // Strict mode stops the request before anything inside runs, so
            // it goes by the routes found before routing; since guards may
            // pick any of those the path matches, it refuses when one of them
            // would (the App defaults when none matches).
            let rmap = Some(req.resource_map());
            let mut refusal = None;
            let mut matched = false;
            // Whether every matching route has a guard: the router may then
            // pass them all over.
            let mut all_guarded = true;
            for (route, sure) in ready.table.all_matching(path, request.method, rmap) {
                matched = true;
                all_guarded &= route.guarded;
                // A route matched only loosely may or may not be the one
                // served: its policy cannot let the request through.
                let entry = route.policy.as_deref().filter(|_| sure);
                if let Some(found) = strict_refusal(entry, &request) {
                    refusal = Some((found, Some(route)));
                    break;
                }
            }
            if !matched {
                // A `NormalizePath` (or another path rewrite) inside `Cors`
                // may still send the request to an annotated route.
                let (route, entry) = match normalised_route(ready, path, request.method, rmap) {
                    Found::Route(route) => (Some(route), route.policy.as_deref()),
                    Found::Unsure(route) => (Some(route), None),
                    Found::None => (None, defaults.map(|d| &*d.entry)),
                };
                refusal = strict_refusal(entry, &request).map(|found| (found, route));
            }
            if refusal.is_none() && matched && all_guarded {
                // Guards may pass every matching route over, and the request
                // then reaches a route without a policy of its own.
                let entry = defaults.map(|d| &*d.entry);
                refusal = strict_refusal(entry, &request).map(|found| (found, None));
            }
            if let Some(((reason, vary), route)) = refusal {
                let rejection = Rejection {
                    route,
                    preflight: false,
                    reason,
                    vary,
                };
                return Plan::Respond(self.refusal(req, &rejection, defaults));
            }
        }
        if state.strict {
            // The route the router picks checks again, before its handler
            // runs: a rewrite of the path or method inside `Cors` (a GET made
            // a DELETE, say), or a guard, may pick another than the lookup
            // could know.
            let check = StrictCheck(self.state.clone(), live.clone());
            req.extensions_mut().insert(check);
        }
        Plan::Forward(After::Route {
            origin: origin_value.cloned(),
            method: req.method().clone(),
            path: kept_path(req.uri()),
        })
    }

    /// 403 without CORS headers.
    fn refusal(
        &self,
        req: &ServiceRequest,
        rejection: &Rejection<'_>,
        defaults: Option<&Defaults>,
    ) -> HttpResponse {
        let reason = &rejection.reason;
        let outcome = if rejection.preflight {
            Outcome::PreflightRefused
        } else {
            Outcome::Refused
        };
        let resource = || req.resource_map().match_pattern(req.path());
        let refused = Refused {
            outcome,
            method: req.method().as_str(),
            path: req.path(),
            route: rejection.route,
            defaults,
            resource: &resource,
        };
        log_rejection(&self.state.shared.refusals, &refused, reason);
        let mut response = HttpResponse::new(StatusCode::FORBIDDEN);
        add_vary(response.headers_mut(), rejection.vary);
        if self.state.debug_header {
            let explained = reason.explain(place(rejection.route, defaults, reason));
            let text: String = format!("{}: {explained}", reason.code())
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

impl State {
    /// How the response to a request without `Origin` is finished: by the
    /// route the router dispatched to, or, when the App has a policy that
    /// allows any origin, by the route found before routing.
    pub(crate) fn finish_no_origin(
        &self,
        live: &Live,
        served: Option<Served>,
        method: &Method,
        path: Option<&str>,
        rmap: Option<&ResourceMap>,
    ) -> Finish {
        let Some(ready) = self.ready(live) else {
            return Finish::strip(Vary::ORIGIN);
        };
        let vary = ready.set.no_origin_vary;
        let (route, entry) = match served.and_then(|s| ready.table.served(s)) {
            Some(route) if route.policy.is_none() => {
                return Finish {
                    add: Add::Keep,
                    vary,
                    route: None,
                }
            }
            Some(route) => (Some(route), route.policy.as_deref()),
            // The path is kept for an error's response only when needed.
            None if ready.set.any_origin && path.is_some() => {
                let path = path.unwrap_or_default();
                match ready.table.find(path, method.as_str().as_bytes(), rmap) {
                    Found::Route(route) => (Some(route), route.policy.as_deref()),
                    Found::Unsure(_) => return Finish::strip(vary),
                    Found::None => (None, ready.defaults.map(|d| &*d.entry)),
                }
            }
            None => return Finish::strip(vary),
        };
        match entry {
            Some(entry) if matches!(entry.policy().origin_rule(), cors_core::Origins::Any) => {
                Finish {
                    add: Add::Allow {
                        allow_origin: crate::respond::ANY_ORIGIN,
                        credentials: false,
                        expose: entry.expose_headers.clone(),
                    },
                    vary: Vary::NONE,
                    route: static_route(route),
                }
            }
            _ => Finish::strip(vary),
        }
    }

    /// How an actual response is finished: by the policy of the route the
    /// router dispatched to, or of the route found before routing.
    ///
    /// `path` is matched (the router's, decoded); `raw_path` is logged, since
    /// decoding can yield control characters.
    pub(crate) fn finish_actual(
        &self,
        live: &Live,
        served: Option<Served>,
        origin: Option<HeaderValue>,
        method: &Method,
        (path, raw_path): (&str, &str),
        rmap: Option<&ResourceMap>,
    ) -> Finish {
        let Some(ready) = self.ready(live) else {
            return Finish::strip(Vary::ORIGIN);
        };
        let method_bytes = method.as_str().as_bytes();
        let (route, entry) = match served.and_then(|s| Some((s, ready.table.served(s)?))) {
            Some((served, route)) => {
                if !served.route.shadow_logged.load(Ordering::Relaxed) {
                    let found = match ready.table.find(path, method_bytes, rmap) {
                        Found::Route(route) => Some(route),
                        Found::Unsure(_) | Found::None => None,
                    };
                    check_preflight_route(served, found, method.as_str(), raw_path);
                }
                (Some(route), route.policy.as_deref())
            }
            // An error's response has no resource map, and its path is the
            // one sent: if `NormalizePath` inside `Cors` sent it to an
            // annotated route, the defaults are not its answer.
            None if rmap.is_none() => match State::guess(ready, path, method_bytes, rmap) {
                (None, _)
                    if !matches!(
                        normalised_route(ready, path, method_bytes, None),
                        Found::None
                    ) =>
                {
                    (None, None)
                }
                found => found,
            },
            None => State::guess(ready, path, method_bytes, rmap),
        };
        let request = cors_core::Request {
            method: method_bytes,
            origin: origin
                .as_ref()
                .map_or(cors_core::RequestHeader::Repeated, |o| {
                    cors_core::RequestHeader::One(o.as_bytes())
                }),
            request_method: cors_core::RequestHeader::Absent,
            request_headers: cors_core::RequestHeader::Absent,
            request_private_network: cors_core::RequestHeader::Absent,
        };
        let disabled_served = served.is_some() && route.is_some_and(|r| r.policy.is_none());
        let decision = entry.map(|e| (e, decide(e.policy(), &request)));
        let (reason, vary) = match (decision, origin.is_some()) {
            // `decide` allows only for the request's one `Origin`, `origin`,
            // which is moved into the answer, not copied.
            (Some((entry, Decision::Allowed(headers))), true) => {
                let any = matches!(headers.allow_origin, cors_core::AllowOrigin::Any);
                let (credentials, vary) = (headers.allow_credentials, headers.vary);
                let expose = entry.expose_headers.clone();
                let allow_origin = match (any, origin) {
                    (true, _) => crate::respond::ANY_ORIGIN,
                    (false, Some(origin)) => origin,
                    // Not reached (`origin` is checked above); fails closed.
                    (false, None) => return Finish::strip(vary),
                };
                return Finish {
                    add: Add::Allow {
                        allow_origin,
                        credentials,
                        expose,
                    },
                    vary,
                    route: static_route(route),
                };
            }
            (Some((_, Decision::NotCors { vary })), _) => return Finish::strip(vary),
            (Some((_, Decision::Rejected { reason, vary })), _)
            | (Some((_, Decision::PreflightRefused { reason, vary })), _) => (reason, vary),
            (Some((_, Decision::Preflight { .. } | Decision::Allowed(_))), _) | (None, _) => (
                Reason::NoPolicy {
                    method: method_bytes,
                },
                no_policy_vary(false, self.strict),
            ),
        };
        if disabled_served {
            // `#[cors(disable)]`: the handler's own business.
            return Finish {
                add: Add::Keep,
                vary,
                route: None,
            };
        }
        let resource = || rmap.and_then(|rmap| rmap.match_pattern(path));
        let refused = Refused {
            outcome: Outcome::ServedWithoutHeaders,
            method: method.as_str(),
            path: raw_path,
            route,
            defaults: ready.defaults,
            resource: &resource,
        };
        log_rejection(&self.shared.refusals, &refused, &reason);
        Finish {
            add: Add::Strip,
            vary,
            route: static_route(route),
        }
    }
}

/// The annotated route that `path`, normalised as `NormalizePath` may make
/// it (repeated slashes merged, then a trailing slash trimmed or added),
/// finds, when it is not `path` itself.
fn normalised_route<'t>(
    ready: View<'t>,
    path: &str,
    method: &[u8],
    rmap: Option<&ResourceMap>,
) -> Found<'t> {
    let mut merged = String::with_capacity(path.len() + 1);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        merged.push('/');
        merged.push_str(segment);
    }
    let trimmed = if merged.is_empty() {
        "/"
    } else {
        merged.as_str()
    };
    let slashed = format!("{merged}/");
    let found = [trimmed, slashed.as_str()]
        .into_iter()
        .filter(|normalised| *normalised != path)
        .map(|normalised| ready.table.find(normalised, method, rmap))
        .find(|found| !matches!(found, Found::None))
        .unwrap_or(Found::None);
    found
}

/// The annotated route a preflight's path finds once normalised, when the
/// path itself finds none: a `NormalizePath` inside `Cors` may send it there.
/// Whether some other resource matches the path as sent cannot tell, since
/// the resource map ignores methods (a GET catch-all matches every path).
fn near_route<'t>(
    ready: View<'t>,
    path: &str,
    method: &[u8],
    rmap: &ResourceMap,
) -> Option<&'t ResolvedRoute> {
    match normalised_route(ready, path, method, Some(rmap)) {
        Found::Route(route) | Found::Unsure(route) => Some(route),
        Found::None => None,
    }
}

/// Logs, once per route, a lookup that matched it only loosely.
fn log_unsure(route: &ResolvedRoute, path: &str) {
    if route.unsure_logged.swap(true, Ordering::Relaxed) {
        return;
    }
    log::warn!(
        target: "cors_actix",
        "`{}`: the path {} matches its pattern only with its scope prefix read loosely (the App's resource map could not confirm the prefix: a regex in a scope segment, or an earlier route taking the marker's path, guards aside), so neither its policy nor the App defaults apply: preflights are refused and responses get no CORS headers; make the earlier routes' patterns disjoint",
        route.handler,
        path.chars().take(128).collect::<String>().escape_debug(),
    );
}

/// Logs, once per route, a preflight whose path only finds its route once
/// normalised.
fn log_unnormalised(req: &ServiceRequest, route: &ResolvedRoute) {
    if route.unnormalised_logged.swap(true, Ordering::Relaxed) {
        return;
    }
    log::warn!(
        target: "cors_actix",
        "preflight refused: {} {} finds no route, but normalised it finds `{}`; if `NormalizePath` runs inside `Cors`, wrap it outside (after) `Cors` so that preflights are looked up by the path the router sees",
        req.method(),
        req.path(),
        route.handler,
    );
}

/// A refused request, with what its log line and response need.
struct Rejection<'a> {
    /// The annotated route whose policy decided, if one did.
    route: Option<&'a ResolvedRoute>,
    preflight: bool,
    reason: Reason<'a>,
    vary: Vary,
}
