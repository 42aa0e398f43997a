//! Start-up: resolving each registered route's effective policy (the merge
//! rule), the report of them, the typed start-up error; and at run time the
//! logs that explain rejections and misuse.

use crate::register::{log_once, Registration, RouteCors, RoutePolicy, Source};
use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderValue;
use cors_core::{
    validate::{check_route_methods, default_route_methods},
    BuildOptions, ConfigError, Policy, PolicySpec, Reason,
};
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

/// A validated policy with its header values ready to send.
pub(crate) struct PolicyEntry {
    policy: PolicyRef,
    pub allow_methods: Option<HeaderValue>,
    pub allow_headers: Option<HeaderValue>,
    pub expose_headers: Option<HeaderValue>,
    pub max_age: Option<HeaderValue>,
}

enum PolicyRef {
    Static(&'static Policy),
    Owned(Box<Policy>),
}

fn value(s: &str) -> Option<HeaderValue> {
    // Validated header names and numbers only: always a valid value.
    (!s.is_empty())
        .then(|| HeaderValue::from_str(s).ok())
        .flatten()
}

impl PolicyEntry {
    fn new(policy: PolicyRef) -> Rc<Self> {
        let p = match &policy {
            PolicyRef::Static(p) => *p,
            PolicyRef::Owned(p) => p,
        };
        Rc::new(PolicyEntry {
            allow_methods: value(p.allow_methods()),
            allow_headers: value(p.allow_headers()),
            expose_headers: value(p.expose_headers()),
            max_age: value(p.max_age()),
            policy,
        })
    }

    pub fn policy(&self) -> &Policy {
        match &self.policy {
            PolicyRef::Static(p) => p,
            PolicyRef::Owned(p) => p,
        }
    }
}

/// One registered route with its effective policy.
pub(crate) struct ResolvedRoute {
    pub handler: Rc<str>,
    /// The route's pattern, relative to its scopes.
    pub pattern: Rc<str>,
    /// The methods it serves.
    pub methods: Vec<std::borrow::Cow<'static, str>>,
    pub source: Rc<Source>,
    /// `None`: `#[cors(disable)]`.
    pub policy: Option<Rc<PolicyEntry>>,
}

/// The App defaults: the spec (for merging) and its policy.
pub(crate) struct Defaults {
    pub spec: cors_core::policy::PolicySpecBuf,
    pub entry: Rc<PolicyEntry>,
}

impl Defaults {
    pub fn new(spec: cors_core::policy::PolicySpecBuf, policy: Policy) -> Self {
        Defaults {
            spec,
            entry: PolicyEntry::new(PolicyRef::Owned(Box::new(policy))),
        }
    }
}

/// One route's effective policy, as shown in the start-up report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveRoute {
    /// The handler (`module::name`), or `attach(<pattern>)`.
    pub handler: String,
    /// The route pattern as registered, relative to its `web::scope`s.
    pub pattern: String,
    /// The method.
    pub method: String,
    /// Where the policy comes from: `attribute`, `attribute + defaults`,
    /// `defaults`, `policy NAME`, `attach`, or `disabled`.
    pub source: String,
    /// The effective policy; `None` when CORS is disabled for the route.
    pub policy: Option<Policy>,
}

impl fmt::Display for EffectiveRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> {} ({}): ",
            self.method, self.pattern, self.handler, self.source
        )?;
        match &self.policy {
            Some(policy) => write!(f, "{policy}"),
            None => f.write_str("no CORS"),
        }
    }
}

/// Every route's effective policy, built when the App starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The App defaults, if any.
    pub defaults: Option<Policy>,
    /// One entry per annotated or attached route and method.
    pub routes: Vec<EffectiveRoute>,
    /// Non-fatal findings of the validator, each naming its route.
    pub notes: Vec<String>,
}

impl Report {
    /// The effective policy of `method` on the route registered with this
    /// pattern (relative to its scopes), if annotated.
    pub fn route(&self, method: &str, pattern: &str) -> Option<&EffectiveRoute> {
        self.routes
            .iter()
            .find(|r| r.method == method && r.pattern == pattern)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.defaults {
            Some(defaults) => writeln!(f, "App defaults: {defaults}")?,
            None => writeln!(f, "App defaults: none (only annotated routes get CORS)")?,
        }
        for route in &self.routes {
            writeln!(f, "  {route}")?;
        }
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }
        Ok(())
    }
}

/// What is wrong with one route's effective policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteProblem {
    /// A bare `#[cors]` (or a policy without origins) under `Cors::new()`,
    /// which has no defaults to take them from.
    NoDefaults,
    /// The policy after merging breaks a rule.
    Invalid(ConfigError),
}

/// The start-up error: routes whose effective policy cannot be built.
/// Logged when the App starts, which then fails; also returned by
/// [`Cors::startup_error`](crate::Cors::startup_error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartupError {
    /// `(handler, method, pattern, problem)` for every problem.
    pub problems: Vec<(String, String, String, RouteProblem)>,
}

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CORS start-up failed:")?;
        for (handler, method, pattern, problem) in &self.problems {
            write!(f, "\n  - `{handler}` ({method} {pattern}): ")?;
            match problem {
                RouteProblem::NoDefaults => write!(f, "needs App defaults, but the middleware is `Cors::new()`; give the route `origins = [...]` or build the middleware with `Cors::builder().origins([...])`")?,
                RouteProblem::Invalid(error) => write!(f, "{error}")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for StartupError {}

/// Resolves every registration against the defaults.
pub(crate) fn resolve(
    registrations: Vec<Registration>,
    defaults: Option<&Defaults>,
) -> Result<(Vec<ResolvedRoute>, Report), StartupError> {
    let mut report = Report {
        defaults: defaults.map(|d| d.entry.policy().clone()),
        ..Report::default()
    };
    let mut problems = Vec::new();
    let mut routes = Vec::with_capacity(registrations.len());
    // One policy per source, whatever the number of its methods.
    let mut cache: Vec<(Rc<Source>, Resolution, String)> = Vec::new();
    for reg in registrations {
        let cached = cache.iter().find(|(s, _, _)| Rc::ptr_eq(s, &reg.source));
        let (result, source_label) = match cached {
            Some((_, result, label)) => (result.clone(), label.clone()),
            None => {
                let served: Vec<&str> = reg.methods.iter().map(|m| m.as_ref()).collect();
                let (result, label, notes) = effective(&reg.source, &served, defaults);
                for note in notes {
                    report.notes.push(format!("`{}`: {note}", reg.handler));
                }
                cache.push((reg.source.clone(), result.clone(), label.clone()));
                (result, label)
            }
        };
        match result {
            Ok(policy) => {
                for method in &reg.methods {
                    report.routes.push(EffectiveRoute {
                        handler: reg.handler.to_string(),
                        pattern: reg.pattern.to_string(),
                        method: method.to_string(),
                        source: source_label.clone(),
                        policy: policy.as_ref().map(|p| p.policy().clone()),
                    });
                }
                routes.push(ResolvedRoute {
                    handler: reg.handler,
                    pattern: reg.pattern,
                    methods: reg.methods,
                    source: reg.source,
                    policy,
                });
            }
            Err(found) => {
                let methods: Vec<&str> = reg.methods.iter().map(|m| m.as_ref()).collect();
                for problem in found {
                    problems.push((
                        reg.handler.to_string(),
                        methods.join(", "),
                        reg.pattern.to_string(),
                        problem,
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok((routes, report))
    } else {
        Err(StartupError { problems })
    }
}

/// A route's policy (`None`: disabled), or why it cannot be built.
type Resolution = Result<Option<Rc<PolicyEntry>>, Vec<RouteProblem>>;

/// The resolution, where the policy came from, and the validator's notes.
type Effective = (Resolution, String, Vec<String>);

/// The merge rule: key by key, the route's keys win and the App defaults
/// fill in the rest ([`PolicySpec::or`]); the result is validated again,
/// since a route that is fine alone can become dangerous with the defaults.
fn effective(source: &Source, served: &[&str], defaults: Option<&Defaults>) -> Effective {
    let (route, label): (PolicySpec<'_>, String) = match source {
        Source::Static(route) => match &route.policy {
            RoutePolicy::Disabled => return (Ok(None), "disabled".into(), Vec::new()),
            RoutePolicy::Defaults if defaults.is_none() => {
                return (
                    Err(vec![RouteProblem::NoDefaults]),
                    String::new(),
                    Vec::new(),
                );
            }
            // The defaults, answering for the route's own methods.
            RoutePolicy::Defaults => (PolicySpec::EMPTY, "defaults".into()),
            RoutePolicy::Spec { spec, compiled } => {
                let untouched = defaults.is_none_or(|d| d.spec.with_spec(|d| spec.or(*d) == *spec));
                if let (Some(policy), true) = (compiled, untouched) {
                    let entry = PolicyEntry::new(PolicyRef::Static(policy));
                    return (Ok(Some(entry)), "attribute".into(), Vec::new());
                }
                (*spec, "attribute + defaults".into())
            }
            RoutePolicy::Named { policy, overrides } => {
                (overrides.or(policy.spec), format!("policy {}", policy.name))
            }
        },
        Source::Manual(policy) => {
            return policy
                .spec
                .with_spec(|spec| build_merged(*spec, served, defaults, "attach".into()));
        }
    };
    build_merged(route, served, defaults, label)
}

fn build_merged(
    route: PolicySpec<'_>,
    served: &[&str],
    defaults: Option<&Defaults>,
    label: String,
) -> Effective {
    // A route's methods default to the methods it serves, never to the App
    // defaults' list, which is for routes without an attribute.
    let sendable = default_route_methods(served);
    let route = PolicySpec {
        methods: route.methods.or(Some(&sendable)),
        ..route
    };
    let build = |merged: PolicySpec<'_>| {
        let methods = merged.methods.unwrap_or(&sendable);
        let mut problems: Vec<RouteProblem> = Vec::new();
        if let Err(errors) = check_route_methods(methods, served) {
            problems.extend(errors.into_iter().map(RouteProblem::Invalid));
        }
        if !merged.has_origins() && defaults.is_none() {
            return (
                Err(vec![RouteProblem::NoDefaults]),
                label.clone(),
                Vec::new(),
            );
        }
        let validation = cors_core::validate(&merged, BuildOptions::default());
        let notes = validation.notes.iter().map(ToString::to_string).collect();
        match validation.policy {
            Ok(policy) if problems.is_empty() => (
                Ok(Some(PolicyEntry::new(PolicyRef::Owned(Box::new(policy))))),
                label.clone(),
                notes,
            ),
            Ok(_) => (Err(problems), label.clone(), notes),
            Err(errors) => {
                problems.extend(errors.into_iter().map(RouteProblem::Invalid));
                (Err(problems), label.clone(), notes)
            }
        }
    };
    match defaults {
        Some(d) => d.spec.with_spec(|d| build(route.or(*d))),
        None => build(route),
    }
}

// ---- run time -------------------------------------------------------------

/// What the `Cors` middleware found for the request being processed on this
/// thread, read by the [`Witness`](crate::register::Witness) of the handler
/// that the router picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Active {
    /// No `Cors` middleware is running this request.
    Idle,
    /// `Cors` ran; the request had no `Origin`, so nothing was looked up.
    NoLookup,
    /// `Cors` looked up this route: its address (`0` for none or a route
    /// attached by hand) and handler.
    Found(usize, &'static str),
}

thread_local! {
    static ACTIVE: Cell<Active> = const { Cell::new(Active::Idle) };
}

/// Marks the current thread as running inside `Cors` until dropped.
pub(crate) struct ActiveGuard(Active);

impl ActiveGuard {
    pub fn enter(active: Active) -> Self {
        ActiveGuard(ACTIVE.with(|a| a.replace(active)))
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        ACTIVE.with(|a| a.set(self.0));
    }
}

/// What the witness of the served handler compares with.
pub(crate) fn found(source: Option<&Source>) -> Active {
    match source {
        Some(Source::Static(route)) => Active::Found(
            std::ptr::from_ref::<RouteCors>(route) as usize,
            route.handler,
        ),
        Some(Source::Manual(_)) => Active::Found(0, "a route attached with `attach`"),
        None => Active::Found(0, "no annotated route"),
    }
}

/// Called by an annotated handler's route middleware: logs, once per
/// handler, when no `Cors` middleware ran for the request, or when its
/// lookup found another route than the one being served.
pub(crate) fn witness(route: &'static RouteCors, req: &ServiceRequest) {
    match ACTIVE.with(Cell::get) {
        Active::NoLookup => {}
        Active::Found(address, _) if address == std::ptr::from_ref(route) as usize => {}
        Active::Idle => {
            if log_once(&route.unwrapped_logged) {
                log::error!(
                    target: "cors_actix",
                    "`{}` has #[cors] but was served without the Cors middleware, so it sends no CORS headers and its preflights are not answered; add `.wrap(Cors::new())` (or `Cors::builder()...build()?`) to the App",
                    route.handler
                );
            }
        }
        Active::Found(_, other) => {
            if log_once(&route.shadow_logged) {
                log::error!(
                    target: "cors_actix",
                    "the CORS lookup for `{}` ({} {}) found `{other}` instead: an earlier route with a pattern matching the same paths wins the lookup (guards are not part of it), so `{}` is served under the other policy; register `{}` first or make the patterns disjoint",
                    route.handler,
                    req.method(),
                    req.match_info().as_str(),
                    route.handler,
                    route.handler,
                );
            }
        }
    }
}

/// What happened to a refused request.
#[derive(Clone, Copy)]
pub(crate) enum Outcome {
    /// A preflight answered 403.
    PreflightRejected,
    /// An actual request answered 403 (strict mode, or a malformed `Origin`).
    Refused,
    /// An actual request served without CORS headers.
    ServedWithoutHeaders,
}

/// Logs a rejection with its reason code, the debugging question it
/// answers, the offending value and the fix.
pub(crate) fn log_rejection(
    outcome: Outcome,
    req: &ServiceRequest,
    handler: Option<&str>,
    reason: &Reason<'_>,
) {
    let (kind, level) = match outcome {
        Outcome::PreflightRejected => ("preflight rejected", log::Level::Warn),
        Outcome::Refused => ("request refused with 403", log::Level::Warn),
        Outcome::ServedWithoutHeaders => (
            "cross-origin request served without CORS headers",
            log::Level::Debug,
        ),
    };
    log::log!(
        target: "cors_actix",
        level,
        "{kind}: {} {} ({}) [{}] {} no: {reason}",
        req.method(),
        req.path(),
        handler.unwrap_or("no annotated route"),
        reason.code(),
        reason.question(),
    );
}
