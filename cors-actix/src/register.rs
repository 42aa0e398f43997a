//! Registration: how a handler's policy becomes findable before routing,
//! and how the router's choice reaches `Cors` after it.
//!
//! Each route of an annotated handler (and each [`attach`]) registers,
//! next to the handler, a hidden marker resource with a static pattern
//! `/~cors~<n>` and the name `~cors~<n>`, `n` unique in the process. Its
//! guard is always false, so the router never picks it and rejects it with
//! one string comparison. actix-web joins the scope prefixes onto it like
//! onto any resource, and its resource map can later tell them; see
//! [`crate::table`].
//!
//! Registrations are grouped per App ([`Group`]) and taken by the App's
//! `Cors` middleware when actix creates it. Its route table is completed
//! from the App's own resource map, never from a request.
//!
//! After routing, the route's [`Witness`] tells the running `Cors` which
//! route the router dispatched to, through a thread-local [`Listen`] frame.

use crate::pattern::{normalise, PatternError};
use crate::policy::CorsPolicy;
use actix_web::dev::{
    AppService, HttpServiceFactory, Service, ServiceRequest, ServiceResponse, Transform,
};
use actix_web::{guard, HttpMessage, Resource};
use cors_core::{Policy, PolicySpec};
use futures_util::future::{ready, Either, Ready};
use std::any::Any;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

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
    /// Set when a `Cors` route table holds this handler.
    pub(crate) covered: AtomicBool,
    pub(crate) app_headers_logged: AtomicBool,
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
            covered: AtomicBool::new(false),
            app_headers_logged: AtomicBool::new(false),
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
    /// Whether the route has a guard of its own (`guard = ...`).
    pub guarded: bool,
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
    /// `#[cors(policy = "name", ...)]`: a policy supplied when the App
    /// starts, with [`CorsBuilder::named_policy`](crate::CorsBuilder::named_policy).
    Runtime {
        name: &'static str,
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
    Manual(Box<CorsPolicy>),
}

/// One route of an annotated handler, or one [`attach`], waiting for the
/// App's `Cors` middleware.
pub(crate) struct Registration {
    /// Its marker resource is `/~cors~<marker>`, named `~cors~<marker>`;
    /// unique in the process.
    pub marker: u64,
    pub handler: Rc<str>,
    /// The route's pattern, relative to its scopes, normalised as
    /// actix-web normalises it (leading slash).
    pub pattern: Rc<str>,
    /// The methods this route serves.
    pub methods: Vec<Cow<'static, str>>,
    /// The methods every route of the handler serves together, which an
    /// explicit `methods` list is checked against.
    pub handler_methods: Rc<[Cow<'static, str>]>,
    pub source: Rc<Source>,
    /// Which route attribute of the handler this is.
    pub def: u16,
    /// Whether the route has a guard of its own, so that the router may pass
    /// it over (unknown for `attach`: taken as no).
    pub guarded: bool,
    /// A pattern that nothing else checked and that cannot be used.
    pub invalid_pattern: Option<PatternError>,
}

/// The registrations of one App, in registration order.
///
/// actix-web registers all services of an App in one synchronous pass, and
/// every `AppService` of that pass, nested scopes included, shares the App's
/// default service (`AppService::default_service`, one `Rc` per App
/// instance). Registrations are grouped by it, so that the registrations
/// of two Apps built on one thread never mix, and an App without `Cors`
/// leaves a group that dies with the App.
pub(crate) struct Group {
    app: Weak<dyn Any>,
    /// Set when a `Cors` took the group: a later registration pass of the
    /// same App factory starts a new group.
    sealed: Cell<bool>,
    pub registrations: RefCell<Vec<Registration>>,
}

impl Group {
    pub fn is_sealed(&self) -> bool {
        self.sealed.get()
    }

    pub fn seal(&self) {
        self.sealed.set(true);
    }
}

thread_local! {
    static GROUPS: RefCell<Vec<Rc<Group>>> = const { RefCell::new(Vec::new()) };
}

/// Marker numbers, unique in the process, so that a marker name found in
/// an App's resource map identifies one registration.
static NEXT_MARKER: AtomicU64 = AtomicU64::new(0);

/// The groups of Apps on this thread that are still being built or
/// running, oldest first. Groups of Apps that are gone are dropped.
pub(crate) fn live_groups() -> Vec<Rc<Group>> {
    GROUPS.with(|groups| {
        let mut groups = groups.borrow_mut();
        groups.retain(|g| g.app.strong_count() > 0);
        groups.clone()
    })
}

/// The name of marker `n`.
pub(crate) fn marker_name(marker: u64) -> String {
    format!("{MARKER_NAME}{marker}")
}

fn never(_: &guard::GuardContext<'_>) -> bool {
    false
}

/// Records one route in its App's group and registers its marker.
fn register_route(config: &mut AppService, registration: impl FnOnce(u64) -> Registration) {
    let marker = NEXT_MARKER.fetch_add(1, Ordering::Relaxed);
    let app: Rc<dyn Any> = config.default_service();
    let same_app = |g: &Rc<Group>| std::ptr::addr_eq(g.app.as_ptr(), Rc::as_ptr(&app));
    GROUPS.with(|groups| {
        let mut groups = groups.borrow_mut();
        groups.retain(|g| g.app.strong_count() > 0);
        let group = match groups.iter().rev().find(|g| same_app(g) && !g.is_sealed()) {
            Some(group) => group.clone(),
            None => {
                let group = Rc::new(Group {
                    app: Rc::downgrade(&app),
                    sealed: Cell::new(false),
                    registrations: RefCell::new(Vec::new()),
                });
                groups.push(group.clone());
                group
            }
        };
        group.registrations.borrow_mut().push(registration(marker));
    });
    let name = marker_name(marker);
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
    let handler: Rc<str> = Rc::from(route.handler);
    let mut handler_methods: Vec<Cow<'static, str>> = Vec::new();
    for method in route.routes.iter().flat_map(|d| d.methods) {
        if !handler_methods.iter().any(|m| m == method) {
            handler_methods.push(Cow::Borrowed(method));
        }
    }
    let handler_methods: Rc<[Cow<'static, str>]> = handler_methods.into();
    for (def, route_def) in route.routes.iter().enumerate() {
        register_route(config, |marker| Registration {
            marker,
            handler: handler.clone(),
            pattern: Rc::from(normalise(route_def.pattern)),
            methods: route_def
                .methods
                .iter()
                .map(|m| Cow::Borrowed(*m))
                .collect(),
            handler_methods: handler_methods.clone(),
            source: source.clone(),
            def: u16::try_from(def).unwrap_or(u16::MAX),
            guarded: route_def.guarded,
            // actix-web parses the route's own pattern when it registers
            // the handler, right after this.
            invalid_pattern: None,
        });
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
        // The service first: when it is a scope, the annotated routes inside
        // it come before the attached pattern in the lookup, so a tail over
        // the whole scope never answers for them.
        self.service.register(config);
        let pattern = normalise(&self.pattern).into_owned();
        let methods: Vec<Cow<'static, str>> = self.methods.into_iter().map(Cow::Owned).collect();
        register_route(config, |marker| Registration {
            marker,
            handler: Rc::from(format!("attach({pattern})")),
            invalid_pattern: crate::pattern::check(&pattern).err(),
            pattern: Rc::from(pattern),
            handler_methods: methods.clone().into(),
            methods,
            source: Rc::new(Source::Manual(Box::new(self.policy))),
            def: 0,
            guarded: false,
        });
    }
}

/// Route middleware added by `#[cors]` to each route of a handler. It runs
/// after routing, guards included, and tells the `Cors` middleware which
/// route the router dispatched to, so that the response follows that
/// route's policy. It also notices a handler served without `Cors`.
#[doc(hidden)]
pub struct Witness {
    route: &'static RouteCors,
    def: u16,
}

impl Witness {
    #[doc(hidden)]
    pub const fn new(route: &'static RouteCors, def: u16) -> Self {
        Witness { route, def }
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
            served: Served {
                route: self.route,
                def: self.def,
            },
            service,
        }))
    }
}

#[doc(hidden)]
pub struct WitnessService<S> {
    served: Served,
    service: S,
}

impl<S, B> Service<ServiceRequest> for WitnessService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = Either<S::Future, Ready<Result<ServiceResponse<B>, actix_web::Error>>>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let inside_cors = FRAME.with(|frame| match frame.get() {
            Frame::Idle => false,
            Frame::Active(_) => {
                frame.set(Frame::Active(Some(self.served)));
                true
            }
        });
        if !inside_cors {
            if self.served.route.covered.load(Ordering::Relaxed) {
                // `Cors` is around, but the request reached the handler on
                // another task (middleware that spawns the inner call): the
                // report travels with the request instead.
                req.extensions_mut().insert(self.served);
            } else {
                crate::diagnostics::served_without_cors(self.served.route);
            }
        }
        // Strict mode, checked again now that the route is known.
        if let Some(refused) = crate::strict::strict_refusal_after_routing(&req, self.served) {
            return Either::Right(ready(Err(refused)));
        }
        Either::Left(self.service.call(req))
    }
}

/// The route a request was dispatched to, as its witness reports it.
#[derive(Clone, Copy)]
pub(crate) struct Served {
    pub route: &'static RouteCors,
    pub def: u16,
}

/// What the `Cors` middleware running on this thread has heard from
/// witnesses while it called or polled the services inside it.
#[derive(Clone, Copy)]
enum Frame {
    /// No `Cors` is calling or polling right now.
    Idle,
    /// A `Cors` is; the witness that ran, if one did.
    Active(Option<Served>),
}

thread_local! {
    static FRAME: Cell<Frame> = const { Cell::new(Frame::Idle) };
}

/// Opens a frame for one call or poll of the services inside `Cors`; the
/// witness of the route the router picks writes into it. Restores the
/// enclosing frame when finished or dropped (a panic included).
pub(crate) struct Listen {
    saved: Frame,
}

impl Listen {
    pub fn start() -> Listen {
        Listen {
            saved: FRAME.with(|f| f.replace(Frame::Active(None))),
        }
    }

    /// The route whose witness ran inside this frame, if any. A `Cors`
    /// around this one (on the App, when this one is on a scope) hears of
    /// it too.
    pub fn finish(self) -> Option<Served> {
        let heard = match FRAME.with(|f| f.get()) {
            Frame::Active(served) => served,
            Frame::Idle => None,
        };
        let restored = match (self.saved, heard) {
            (Frame::Active(None), Some(_)) => Frame::Active(heard),
            (saved, _) => saved,
        };
        FRAME.with(|f| f.set(restored));
        std::mem::forget(self);
        heard
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        FRAME.with(|f| f.set(self.saved));
    }
}

pub(crate) fn log_once(flag: &AtomicBool) -> bool {
    !flag.swap(true, Ordering::Relaxed)
}
