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
//! After routing, the route's witness tells the running `Cors` which route
//! the router dispatched to (see [`crate::witness`]).

use crate::pattern::{normalise, PatternError};
use crate::policy::CorsPolicy;
use actix_web::dev::{AppService, HttpServiceFactory, ResourceDef};
use actix_web::{guard, Resource};
use cors_core::{Policy, PolicySpec};
use std::any::Any;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

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
#[derive(Clone)]
pub(crate) struct Registration {
    /// Its marker resource is `/~cors~<marker>`, named `~cors~<marker>`;
    /// unique in the process.
    pub marker: u64,
    pub handler: Arc<str>,
    /// The route's pattern, relative to its scopes, normalised as
    /// actix-web normalises it (leading slash).
    pub pattern: Arc<str>,
    /// The methods this route serves.
    pub methods: Vec<Cow<'static, str>>,
    /// The methods every route of the handler serves together, which an
    /// explicit `methods` list is checked against.
    pub handler_methods: Arc<[Cow<'static, str>]>,
    pub source: Arc<Source>,
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
    let marker = record(config, registration);
    register_marker(config, marker);
}

/// Records one route in its App's group; returns its marker, not yet
/// registered.
fn record(config: &mut AppService, registration: impl FnOnce(u64) -> Registration) -> u64 {
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
    marker
}

/// Registers marker `marker` as a resource of the current scope.
fn register_marker(config: &mut AppService, marker: u64) {
    let name = marker_name(marker);
    let resource = Resource::new(format!("/{name}"))
        .name(&name)
        .guard(guard::fn_guard(never));
    HttpServiceFactory::register(resource, config);
}

/// The markers of a handler's routes that are registered after the
/// handler, returned by [`register`].
#[doc(hidden)]
#[must_use = "the markers must be registered after the handler"]
pub struct Markers(Vec<u64>);

impl Markers {
    /// Registers the markers, right after the handler.
    #[doc(hidden)]
    pub fn register(self, config: &mut AppService) {
        for marker in self.0 {
            register_marker(config, marker);
        }
    }
}

/// Whether a route's own pattern matches the path of marker `marker`, so
/// that the marker must come before the route in its scope to be found in
/// the resource map. An unusable pattern is taken to match.
fn captures(pattern: &str, marker: u64) -> bool {
    let pattern = normalise(pattern);
    crate::pattern::check(&pattern).is_err()
        || ResourceDef::new(&*pattern).is_match(&format!("/{}", marker_name(marker)))
}

/// Records the routes of an annotated handler and registers their markers
/// (the generated code registers the handler itself). The router tries a
/// scope's resources in order, so a marker ahead of its handler costs every
/// request to that handler a failed match: the markers go after the handler
/// (returned, for the generated code to register then) unless one of the
/// handler's own patterns would take a marker's path, which would hide the
/// marker from the resource map. Not generic, so it is compiled once, not
/// once per handler.
#[doc(hidden)]
pub fn register(config: &mut AppService, route: &'static RouteCors) -> Markers {
    let source = Arc::new(Source::Static(route));
    let handler: Arc<str> = Arc::from(route.handler);
    let mut handler_methods: Vec<Cow<'static, str>> = Vec::new();
    for method in route.routes.iter().flat_map(|d| d.methods) {
        if !handler_methods.iter().any(|m| m == method) {
            handler_methods.push(Cow::Borrowed(method));
        }
    }
    let handler_methods: Arc<[Cow<'static, str>]> = handler_methods.into();
    let mut markers = Vec::with_capacity(route.routes.len());
    for (def, route_def) in route.routes.iter().enumerate() {
        let marker = record(config, |marker| Registration {
            marker,
            handler: handler.clone(),
            pattern: Arc::from(normalise(route_def.pattern)),
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
            // the handler.
            invalid_pattern: None,
        });
        markers.push(marker);
    }
    let captured = route.routes.iter().any(|route_def| {
        markers
            .iter()
            .any(|&marker| captures(route_def.pattern, marker))
    });
    if captured {
        Markers(markers).register(config);
        return Markers(Vec::new());
    }
    Markers(markers)
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
            handler: Arc::from(format!("attach({pattern})")),
            invalid_pattern: crate::pattern::check(&pattern).err(),
            pattern: Arc::from(pattern),
            handler_methods: methods.clone().into(),
            methods,
            source: Arc::new(Source::Manual(Box::new(self.policy))),
            def: 0,
            guarded: false,
        });
    }
}

pub(crate) fn log_once(flag: &AtomicBool) -> bool {
    !flag.swap(true, Ordering::Relaxed)
}
