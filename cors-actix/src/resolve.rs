//! The merge rule: each registered route's effective policy, from its
//! attribute (or `attach` policy) and the App defaults, validated again.

use crate::builder::DefaultsConfig;
use crate::register::{Registration, RoutePolicy, Source};
use crate::report::{
    DefaultKey, KeyOrigin, KeySource, PolicySource, ReportNote, RouteError, RouteProblem,
};
use actix_web::http::header::HeaderValue;
use cors_core::policy::PolicySpecBuf;
use cors_core::validate::{check_route_methods, default_route_methods};
use cors_core::{BuildOptions, ConfigError, Field, Policy, PolicySpec};
use std::borrow::Cow;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

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
    let value = (!s.is_empty())
        .then(|| HeaderValue::from_str(s).ok())
        .flatten()?;
    // The first clone of a value made from a string moves its bytes to
    // shared storage, which allocates; later clones only count references.
    // Done here, so that no request pays it (the first after a reload
    // included).
    drop(value.clone());
    Some(value)
}

impl PolicyEntry {
    fn new(policy: PolicyRef) -> Arc<Self> {
        let p = match &policy {
            PolicyRef::Static(p) => *p,
            PolicyRef::Owned(p) => p,
        };
        Arc::new(PolicyEntry {
            allow_methods: value(p.allow_methods_value()),
            allow_headers: value(p.allow_headers_value()),
            expose_headers: value(p.expose_headers_value()),
            max_age: value(p.max_age_value()),
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

/// The App defaults: the spec (for merging), its policy, and where each
/// key was set.
pub(crate) struct Defaults {
    pub spec: PolicySpecBuf,
    pub entry: Arc<PolicyEntry>,
    pub keys: Vec<DefaultKey>,
}

impl Defaults {
    pub fn new(config: &DefaultsConfig) -> Self {
        Defaults {
            spec: config.spec.clone(),
            entry: PolicyEntry::new(PolicyRef::Owned(Box::new(config.policy.clone()))),
            keys: config.keys.clone(),
        }
    }

    /// Where the defaults' `key` was set.
    fn origin_of(&self, field: Field) -> KeyOrigin {
        match self
            .keys
            .iter()
            .find(|k| k.key == field.key())
            .and_then(|k| k.env.clone())
        {
            Some(var) => KeyOrigin::Environment(var),
            None => KeyOrigin::AppDefaults,
        }
    }
}

/// A policy supplied by name when the App starts
/// ([`CorsBuilder::named_policy`](crate::CorsBuilder::named_policy)).
#[derive(Clone, Debug)]
pub(crate) struct RuntimeNamed {
    pub name: String,
    /// The keys as used (the environment's in place of code's).
    pub spec: PolicySpecBuf,
    /// The keys read from the environment, with their variable.
    pub vars: Vec<(Field, String)>,
}

/// What routes are resolved against: the App defaults and the policies
/// supplied by name.
#[derive(Clone, Copy)]
pub(crate) struct Config<'a> {
    pub defaults: Option<&'a Defaults>,
    pub named: &'a [RuntimeNamed],
}

impl Config<'_> {
    fn named(&self, name: &str) -> Option<&RuntimeNamed> {
        self.named.iter().find(|n| n.name == name)
    }
}

/// One registered route with its effective policy.
pub(crate) struct ResolvedRoute {
    pub marker: u64,
    pub handler: Arc<str>,
    /// The route's pattern, relative to its scopes.
    pub pattern: Arc<str>,
    /// The methods it serves.
    pub methods: Vec<Cow<'static, str>>,
    pub source: Arc<Source>,
    /// Which route attribute of its handler it is.
    pub def: u16,
    /// Whether the route has a guard of its own.
    pub guarded: bool,
    /// Where the policy came from, for the report.
    pub label: PolicySource,
    /// `None`: `#[cors(disable)]`.
    pub policy: Option<Arc<PolicyEntry>>,
    /// Whether a preflight that finds this route only once normalised was
    /// logged.
    pub unnormalised_logged: AtomicBool,
    /// Whether a loose match that could not be confirmed was logged.
    pub unsure_logged: AtomicBool,
    /// Where each key of the effective policy came from, for the fix of a
    /// refusal.
    pub key_origins: Vec<(Field, KeyOrigin)>,
}

/// Resolves every registration of one App against the defaults. Returns the
/// routes and the validator's notes, or every problem at once.
pub(crate) fn resolve(
    registrations: &[Registration],
    config: Config<'_>,
) -> Result<(Vec<ResolvedRoute>, Vec<ReportNote>), Vec<RouteError>> {
    let mut problems = Vec::new();
    let mut notes: Vec<ReportNote> = Vec::new();
    let mut routes = Vec::with_capacity(registrations.len());
    for reg in registrations {
        let served: Vec<&str> = reg.methods.iter().map(|m| m.as_ref()).collect();
        let handler_methods: Vec<&str> = reg.handler_methods.iter().map(|m| m.as_ref()).collect();
        let (result, label, found) = effective(&reg.source, &served, &handler_methods, config);
        for note in found {
            let note = ReportNote::Route {
                handler: reg.handler.to_string(),
                note,
            };
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        let mut route_problems = match result {
            Ok(policy) => {
                routes.push(ResolvedRoute {
                    marker: reg.marker,
                    handler: reg.handler.clone(),
                    pattern: reg.pattern.clone(),
                    methods: reg.methods.clone(),
                    source: reg.source.clone(),
                    def: reg.def,
                    guarded: reg.guarded,
                    label,
                    policy,
                    unnormalised_logged: AtomicBool::new(false),
                    unsure_logged: AtomicBool::new(false),
                    key_origins: Field::ALL
                        .iter()
                        .map(|field| (*field, key_origin(&reg.source, config, *field)))
                        .collect(),
                });
                Vec::new()
            }
            Err(found) => found,
        };
        if let Some(error) = &reg.invalid_pattern {
            route_problems.insert(0, RouteProblem::InvalidPattern(error.0.clone()));
        }
        if reg.methods.is_empty() {
            route_problems.insert(0, RouteProblem::NoMethods);
        }
        problems.extend(route_problems.into_iter().map(|problem| {
            let (keys, fix) = match &problem {
                RouteProblem::Invalid(error) => explain_merge(&reg.source, config, error),
                RouteProblem::NoDefaults => (Vec::new(), no_origins_fix(&reg.source)),
                _ => (Vec::new(), None),
            };
            RouteError {
                handler: reg.handler.to_string(),
                methods: served.iter().map(|m| (*m).to_owned()).collect(),
                pattern: reg.pattern.to_string(),
                problem,
                keys,
                fix,
            }
        }));
    }
    for named in config.named {
        let used = registrations.iter().any(|reg| match &*reg.source {
            Source::Static(route) => {
                matches!(&route.policy, RoutePolicy::Runtime { name, .. } if *name == named.name)
            }
            Source::Manual(_) => false,
        });
        if !used {
            notes.push(ReportNote::UnusedPolicy {
                name: named.name.clone(),
            });
        }
    }
    if problems.is_empty() {
        Ok((routes, notes))
    } else {
        Err(problems)
    }
}

/// Where the value of `key` in a route's effective policy came from.
fn key_origin(source: &Source, config: Config<'_>, field: Field) -> KeyOrigin {
    // The origin keys go together (the merge rule): a layer that sets any
    // of `origins` and `origin_fn` is where the route's origins come from.
    let sets = |spec: &PolicySpec<'_>| match field {
        Field::Origins | Field::OriginFn => spec.has_origins(),
        _ => spec.sets_field(field),
    };
    // A key no layer sets is the route's to set; `methods` never comes from
    // the App defaults for an annotated route (`build_merged`).
    let from_defaults = || match config.defaults {
        Some(d) if field != Field::Methods && d.spec.with_spec(|spec| sets(spec)) => {
            d.origin_of(field)
        }
        _ => KeyOrigin::Route,
    };
    let field = Some(field);
    match source {
        Source::Static(route) => match &route.policy {
            RoutePolicy::Spec { spec, .. } if sets(spec) => KeyOrigin::Route,
            RoutePolicy::Named { overrides, .. } | RoutePolicy::Runtime { overrides, .. }
                if sets(overrides) =>
            {
                KeyOrigin::Route
            }
            RoutePolicy::Named { policy, .. } if sets(&policy.spec) => {
                KeyOrigin::NamedPolicy(policy.name.to_owned())
            }
            RoutePolicy::Runtime { name, .. } => match config.named(name) {
                Some(named) if named.spec.with_spec(|spec| sets(spec)) => {
                    match field.and_then(|f| named.vars.iter().find(|(v, _)| *v == f)) {
                        Some((_, var)) => KeyOrigin::Environment(var.clone()),
                        None => KeyOrigin::NamedPolicy(format!("\"{name}\"")),
                    }
                }
                _ => from_defaults(),
            },
            _ => from_defaults(),
        },
        Source::Manual(policy) if policy.effective().with_spec(|spec| sets(spec)) => {
            match field.and_then(|f| policy.env.var(f)) {
                Some(var) => KeyOrigin::Environment(var.to_owned()),
                None => KeyOrigin::Route,
            }
        }
        Source::Manual(_) => from_defaults(),
    }
}

/// For an error of a merged policy: where each key it involves came from,
/// and, when the keys came from different places, a fix that works for the
/// merge.
fn explain_merge(
    source: &Source,
    config: Config<'_>,
    error: &ConfigError,
) -> (Vec<KeySource>, Option<String>) {
    let field = error.field();
    // The keys the rule involves: the value's, and those it is coupled with
    // that some layer sets.
    let keys: Vec<KeySource> = std::iter::once(field)
        .chain(
            error
                .kind()
                .coupled()
                .iter()
                .copied()
                .filter(|f| set_anywhere(source, config, *f)),
        )
        .map(|f| KeySource {
            key: f.key(),
            origin: key_origin(source, config, f),
        })
        .collect();
    let key = field.key();
    let inherited =
        |k: &KeySource| matches!(k.origin, KeyOrigin::AppDefaults | KeyOrigin::Environment(_));
    if !keys.iter().any(inherited) {
        return (Vec::new(), None);
    }
    let credentials = Field::Credentials.key();
    let fix = match keys.as_slice() {
        [value, creds] if creds.key == credentials && inherited(creds) && !inherited(value) => {
            Some(format!(
                "the route inherits `credentials` from {}: set `credentials = false` on the route if it is meant to be without them",
                creds.origin
            ))
        }
        [value, creds] if creds.key == credentials && inherited(value) && !inherited(creds) => {
            Some(format!(
                "the route inherits `{key}` from {}: give the route its own `{key} = [...]` that can be used with credentials",
                value.origin
            ))
        }
        _ => {
            let own: Vec<String> = keys.iter().filter(|k| !inherited(k)).map(|k| format!("`{}`", k.key)).collect();
            let from: Vec<String> = keys.iter().filter(|k| inherited(k)).map(|k| format!("`{}`", k.key)).collect();
            (!own.is_empty()).then(|| format!(
                "the route sets {} and inherits {} from the App defaults: change what the route sets, or give the route its own {}",
                own.join(", "),
                from.join(", "),
                from.join(", ")
            ))
        }
    };
    (keys, fix)
}

/// For a route without origins that names a policy: that the policy names
/// none either.
fn no_origins_fix(source: &Source) -> Option<String> {
    match source {
        Source::Static(route) => match &route.policy {
            RoutePolicy::Runtime { name, .. } => Some(format!(
                "policy \"{name}\" names no origins either: give it `.origins([...])`"
            )),
            RoutePolicy::Named { policy, .. } => Some(format!(
                "policy {} names no origins either: give it `origins = [...]`",
                policy.name
            )),
            _ => None,
        },
        Source::Manual(_) => None,
    }
}

/// Whether the route, its named policy or the App defaults set `field`.
fn set_anywhere(source: &Source, config: Config<'_>, field: Field) -> bool {
    let in_defaults = config
        .defaults
        .is_some_and(|d| d.spec.with_spec(|spec| spec.sets_field(field)));
    in_defaults
        || match source {
            Source::Static(route) => match &route.policy {
                RoutePolicy::Spec { spec, .. } => spec.sets_field(field),
                RoutePolicy::Named { policy, overrides } => {
                    overrides.sets_field(field) || policy.spec.sets_field(field)
                }
                RoutePolicy::Runtime { name, overrides } => {
                    overrides.sets_field(field)
                        || config
                            .named(name)
                            .is_some_and(|n| n.spec.with_spec(|spec| spec.sets_field(field)))
                }
                RoutePolicy::Defaults | RoutePolicy::Disabled => false,
            },
            Source::Manual(policy) => policy.effective().with_spec(|spec| spec.sets_field(field)),
        }
}

/// A route's policy (`None`: disabled), or why it cannot be built.
type Resolution = Result<Option<Arc<PolicyEntry>>, Vec<RouteProblem>>;

/// The resolution, where the policy came from, and the validator's notes.
type Effective = (Resolution, PolicySource, Vec<cors_core::Note>);

/// The merge rule: key by key, the route's keys win and the App defaults
/// fill in the rest ([`PolicySpec::or`]); the result is validated again,
/// since a route that is fine alone can become dangerous with the defaults.
///
/// `served` are the methods of this route attribute, which a route's
/// `methods` default to; `handler_methods` are those of all the handler's
/// route attributes, which an explicit `methods` list is checked against.
fn effective(
    source: &Source,
    served: &[&str],
    handler_methods: &[&str],
    config: Config<'_>,
) -> Effective {
    let defaults = config.defaults;
    let (route, label): (PolicySpec<'_>, PolicySource) = match source {
        Source::Static(route) => match &route.policy {
            RoutePolicy::Disabled => return (Ok(None), PolicySource::Disabled, Vec::new()),
            RoutePolicy::Defaults if defaults.is_none() => {
                return (
                    Err(vec![RouteProblem::NoDefaults]),
                    PolicySource::Defaults,
                    Vec::new(),
                );
            }
            // The defaults, answering for the route's own methods.
            RoutePolicy::Defaults => (PolicySpec::EMPTY, PolicySource::Defaults),
            RoutePolicy::Spec { spec, compiled } => {
                let untouched = defaults.is_none_or(|d| d.spec.with_spec(|d| spec.or(*d) == *spec));
                if let (Some(policy), true) = (compiled, untouched) {
                    let entry = PolicyEntry::new(PolicyRef::Static(policy));
                    return (Ok(Some(entry)), PolicySource::Attribute, Vec::new());
                }
                (*spec, PolicySource::AttributeAndDefaults)
            }
            RoutePolicy::Named { policy, overrides } => (
                overrides.or(policy.spec),
                PolicySource::Named(policy.name.to_owned()),
            ),
            RoutePolicy::Runtime { name, overrides } => {
                let Some(named) = config.named(name) else {
                    let problem = RouteProblem::UnknownPolicy((*name).to_owned());
                    let label = PolicySource::Supplied((*name).to_owned());
                    return (Err(vec![problem]), label, Vec::new());
                };
                let label = PolicySource::Supplied((*name).to_owned());
                return named.spec.with_spec(|spec| {
                    build_merged(
                        overrides.or(*spec),
                        served,
                        handler_methods,
                        defaults,
                        label,
                    )
                });
            }
        },
        Source::Manual(policy) => {
            if let Some(problem) = policy.env.problems.first() {
                let problem = RouteProblem::Environment(problem.to_string());
                return (Err(vec![problem]), PolicySource::Attach, Vec::new());
            }
            return policy.effective().with_spec(|spec| {
                build_merged(
                    *spec,
                    served,
                    handler_methods,
                    defaults,
                    PolicySource::Attach,
                )
            });
        }
    };
    build_merged(route, served, handler_methods, defaults, label)
}

fn build_merged(
    route: PolicySpec<'_>,
    served: &[&str],
    handler_methods: &[&str],
    defaults: Option<&Defaults>,
    label: PolicySource,
) -> Effective {
    // A route's methods default to the methods it serves, never to the App
    // defaults' list, which is for routes without an attribute.
    let sendable = default_route_methods(served);
    // An explicit list is checked against the methods of all the handler's
    // route attributes, but each attribute answers only for those it serves
    // (`*` among them: those it serves):
    // a browser caches a preflight's methods for the URL, so a `#[routes]`
    // route must not list a method its sibling serves at another path (or
    // another handler serves at this one). When the list names none of this
    // attribute's methods, it stays as written: no preflight of this route
    // can then be allowed, so it never lists anything.
    let explicit = route.methods;
    // `*` stands for the methods the attribute serves: sent as `*`, a browser
    // would cache it for every method of the URL.
    let own: Option<Vec<&str>> = explicit.map(|listed| match listed.contains(&"*") {
        true => sendable.clone(),
        false => listed
            .iter()
            .copied()
            .filter(|m| served.contains(m))
            .collect(),
    });
    let route = PolicySpec {
        methods: match &own {
            Some(own) if !own.is_empty() => Some(own.as_slice()),
            Some(_) => explicit,
            None => Some(&sendable),
        },
        ..route
    };
    let build = |merged: PolicySpec<'_>| {
        let methods = explicit.or(merged.methods).unwrap_or(&sendable);
        let mut problems: Vec<RouteProblem> = Vec::new();
        if let Err(errors) = check_route_methods(methods, handler_methods) {
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
        let notes = validation.notes;
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
