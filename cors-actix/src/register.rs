//! Registration: how a handler's policy becomes findable before routing.
//!
//! Each route of an annotated handler registers, next to the handler, a
//! hidden marker resource with a static pattern `/~cors~<n>` and the name
//! `~cors~<n>`, whose guard is always false, so the router never picks it
//! and rejects it with one string comparison. actix-web joins the scope
//! prefixes onto it like onto any resource. On the first request with an
//! `Origin`, the App's `Cors` middleware asks actix for the URL of every
//! marker (`url_for`), which yields each route's scope prefix, and builds
//! an index of full route patterns; see [`crate::index`].
//!
//! Registrations are collected per thread while an App is being built and
//! handed to that App's `Cors` middleware when actix creates it, which it
//! does right after every `register` call of the App.

use crate::policy::CorsPolicy;
use actix_web::dev::{
    AppService, HttpServiceFactory, Service, ServiceRequest, ServiceResponse, Transform,
};
use actix_web::{guard, Resource};
use cors_core::{Policy, PolicySpec};
use futures_util::future::{ready, Ready};
use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Marker resources are named and mounted as `~cors~<n>`.
pub(crate) const MARKER_NAME: &str = "~cors~";

/// The CORS metadata of one annotated handler, emitted by `#[cors]` as a
/// `static`.
#[doc(hidden)]
pub struct RouteCors {
    pub(crate) handler: &'static str,
    pub(crate) routes: &'static [RouteDef],
    pub(crate) policy: RoutePolicy,
    pub(crate) unwrapped_logged: AtomicBool,
    pub(crate) shadow_logged: AtomicBool,
}

impl RouteCors {
    #[doc(hidden)]
    pub const fn new(
        handler: &'static str,
        routes: &'static [RouteDef],
        policy: RoutePolicy,
    ) -> Self {
        RouteCors {
            handler,
            routes,
            policy,
            unwrapped_logged: AtomicBool::new(false),
            shadow_logged: AtomicBool::new(false),
        }
    }
}

/// One route attribute of a handler: its pattern and methods.
#[doc(hidden)]
pub struct RouteDef {
    /// The pattern as written (scope prefix of `#[scope]` included).
    pub pattern: &'static str,
    /// The methods the route serves.
    pub methods: &'static [&'static str],
}

/// What a handler's attribute said.
#[doc(hidden)]
pub enum RoutePolicy {
    /// `#[cors(disable)]`
    Disabled,
    /// `#[cors]`
    Defaults,
    /// `#[cors(key = value, ...)]`; `compiled` when it needs no defaults.
    Spec {
        spec: PolicySpec<'static>,
        compiled: Option<&'static Policy>,
    },
    /// `#[cors(policy = NAME, ...)]`
    Named {
        policy: &'static NamedPolicy,
        overrides: PolicySpec<'static>,
    },
}

/// A policy declared once with [`cors_policy!`](crate::cors_policy) and
/// shared by many handlers through `#[cors(policy = NAME)]`.
pub struct NamedPolicy {
    pub(crate) name: &'static str,
    pub(crate) spec: PolicySpec<'static>,
    pub(crate) compiled: Option<&'static Policy>,
}

impl NamedPolicy {
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        spec: PolicySpec<'static>,
        compiled: Option<&'static Policy>,
    ) -> Self {
        NamedPolicy {
            name,
            spec,
            compiled,
        }
    }

    /// The name it was declared with.
    ///
    /// ```
    /// cors_actix::cors_policy! {
    ///     PUBLIC { origins = "*" }
    /// }
    /// assert_eq!(PUBLIC.name(), "PUBLIC");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The policy as written.
    pub fn spec(&self) -> &PolicySpec<'static> {
        &self.spec
    }

    /// The compiled policy, when the spec names its origins.
    pub fn policy(&self) -> Option<&'static Policy> {
        self.compiled
    }
}

/// Where a registration's policy comes from.
pub(crate) enum Source {
    Static(&'static RouteCors),
    Manual(CorsPolicy),
}

/// One route of an annotated handler or of [`attach`], waiting for the
/// App's `Cors` middleware.
pub(crate) struct Registration {
    pub handler: Rc<str>,
    /// The route's pattern, relative to its `web::scope`s.
    pub pattern: Rc<str>,
    /// The methods the route serves.
    pub methods: Vec<Cow<'static, str>>,
    pub source: Rc<Source>,
}

thread_local! {
    static PENDING: RefCell<Vec<Registration>> = const { RefCell::new(Vec::new()) };
}

/// Takes the registrations made on this thread since the last call.
pub(crate) fn take_pending() -> Vec<Registration> {
    PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

fn never(_: &guard::GuardContext<'_>) -> bool {
    false
}

/// Registers the marker of one route.
fn register_route(config: &mut AppService, registration: Registration) {
    let index = PENDING.with(|p| {
        let mut pending = p.borrow_mut();
        pending.push(registration);
        pending.len() - 1
    });
    let name = format!("{MARKER_NAME}{index}");
    let resource = Resource::new(format!("/{name}"))
        .name(&name)
        .guard(guard::fn_guard(never));
    HttpServiceFactory::register(resource, config);
}

/// Registers the markers of an annotated handler's routes (the generated
/// code registers the handler itself). Not generic, so it is compiled once,
/// not once per handler.
#[doc(hidden)]
pub fn register(config: &mut AppService, route: &'static RouteCors) {
    let source = Rc::new(Source::Static(route));
    let handler_name: Rc<str> = Rc::from(route.handler);
    for def in route.routes {
        let registration = Registration {
            handler: handler_name.clone(),
            pattern: Rc::from(def.pattern),
            methods: def.methods.iter().map(|m| Cow::Borrowed(*m)).collect(),
            source: source.clone(),
        };
        register_route(config, registration);
    }
}

/// A service with a CORS policy attached by [`attach`].
pub struct Attached<F> {
    pattern: String,
    methods: Vec<String>,
    policy: CorsPolicy,
    service: F,
}

/// Attaches a policy to a resource or scope built by hand, which no
/// attribute can see: the `Cors` middleware then finds the policy before
/// routing, exactly as for `#[cors]` handlers, and merges it with the App
/// defaults the same way.
///
/// `pattern` is the path the service is mounted at, relative to the
/// enclosing scope as for `web::resource`; for a whole scope use a tail, as
/// in `"/admin/{tail:.*}"`. `methods` are the methods the service answers.
///
/// # Examples
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use cors_actix::{attach, Cors, CorsPolicy};
///
/// let app = App::new().wrap(Cors::new()).service(
///     web::scope("/api").service(attach(
///         "/items",
///         ["GET", "POST"],
///         CorsPolicy::new().origins(["https://app.example.com"]),
///         web::resource("/items")
///             .route(web::get().to(HttpResponse::Ok))
///             .route(web::post().to(HttpResponse::Created)),
///     )),
/// );
/// ```
pub fn attach<F, M>(pattern: &str, methods: M, policy: CorsPolicy, service: F) -> Attached<F>
where
    F: HttpServiceFactory,
    M: IntoIterator,
    M::Item: AsRef<str>,
{
    Attached {
        pattern: pattern.to_owned(),
        methods: methods.into_iter().map(|m| m.as_ref().to_owned()).collect(),
        policy,
        service,
    }
}

impl<F: HttpServiceFactory> HttpServiceFactory for Attached<F> {
    fn register(self, config: &mut AppService) {
        let registration = Registration {
            handler: Rc::from(format!("attach({})", self.pattern)),
            pattern: Rc::from(self.pattern),
            methods: self.methods.into_iter().map(Cow::Owned).collect(),
            source: Rc::new(Source::Manual(self.policy)),
        };
        register_route(config, registration);
        self.service.register(config);
    }
}

/// Route middleware added by `#[cors]` that notices when a request reaches
/// an annotated handler without the `Cors` middleware having looked it up.
#[doc(hidden)]
pub struct Witness(&'static RouteCors);

impl Witness {
    #[doc(hidden)]
    pub const fn new(route: &'static RouteCors) -> Self {
        Witness(route)
    }
}

impl<S, B> Transform<S, ServiceRequest> for Witness
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = WitnessService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(WitnessService {
            route: self.0,
            service,
        }))
    }
}

#[doc(hidden)]
pub struct WitnessService<S> {
    route: &'static RouteCors,
    service: S,
}

impl<S, B> Service<ServiceRequest> for WitnessService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = S::Future;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        crate::diagnostics::witness(self.route, &req);
        self.service.call(req)
    }
}

pub(crate) fn log_once(flag: &AtomicBool) -> bool {
    !flag.swap(true, Ordering::Relaxed)
}
