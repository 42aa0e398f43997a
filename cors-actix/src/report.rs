//! What `Cors` tells about an App: the report of every route's effective
//! policy, and the typed error when the App cannot start.

use crate::resolve::{Defaults, ResolvedRoute};
use cors_core::{ConfigError, Policy};
use std::fmt;

/// A non-fatal finding of the report.
///
/// ```
/// use cors_actix::ReportNote;
///
/// let note = ReportNote::UnusedPolicy { name: "admin".into() };
/// assert!(note.to_string().starts_with("named policy \"admin\" is used by no route"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportNote {
    /// A note of the validator about a route's effective policy.
    Route {
        /// The handler.
        handler: String,
        /// The validator's note, with its kind.
        note: cors_core::Note,
    },
    /// A route whose scope prefix the App's resource map could not confirm:
    /// preflights match each dynamic prefix segment as any one segment.
    UnconfirmedPrefix {
        /// The handler.
        handler: String,
        /// The full pattern as read.
        pattern: String,
    },
    /// A policy supplied with
    /// [`CorsBuilder::named_policy`](crate::CorsBuilder::named_policy) that
    /// no route names.
    UnusedPolicy {
        /// The policy's name.
        name: String,
    },
}

impl fmt::Display for ReportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportNote::Route { handler, note } => write!(f, "`{handler}`: {note}"),
            ReportNote::UnconfirmedPrefix { handler, pattern } => write!(
                f,
                "`{handler}` ({pattern}): its scope prefix could not be confirmed by the App's resource map (a regex in a scope segment, or an earlier scope with the same prefix told apart by guards); preflights match each dynamic prefix segment as any one segment"
            ),
            ReportNote::UnusedPolicy { name } => write!(
                f,
                "named policy \"{name}\" is used by no route; name it with `#[cors(policy = \"{name}\")]`, or remove it"
            ),
        }
    }
}

/// Where a route's effective policy comes from.
///
/// `Display` gives the report's words: `attribute`, `attribute + defaults`,
/// `defaults`, `policy NAME`, `policy "name"`, `attach`, `disabled`.
///
/// ```
/// use cors_actix::PolicySource;
///
/// assert_eq!(PolicySource::AttributeAndDefaults.to_string(), "attribute + defaults");
/// assert_eq!(PolicySource::Supplied("admin".into()).to_string(), "policy \"admin\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicySource {
    /// The route's own `#[cors(...)]`, complete: built at compile time.
    Attribute,
    /// The route's `#[cors(...)]`, with keys from the App defaults.
    AttributeAndDefaults,
    /// Bare `#[cors]`: the App defaults, for the route's own methods.
    Defaults,
    /// A `cors_policy!` the route names (`policy = NAME`).
    Named(String),
    /// A policy supplied when the App starts (`policy = "name"`).
    Supplied(String),
    /// A policy given to [`attach`](crate::attach).
    Attach,
    /// `#[cors(disable)]`.
    Disabled,
}

impl fmt::Display for PolicySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicySource::Attribute => f.write_str("attribute"),
            PolicySource::AttributeAndDefaults => f.write_str("attribute + defaults"),
            PolicySource::Defaults => f.write_str("defaults"),
            PolicySource::Named(name) => write!(f, "policy {name}"),
            PolicySource::Supplied(name) => write!(f, "policy \"{name}\""),
            PolicySource::Attach => f.write_str("attach"),
            PolicySource::Disabled => f.write_str("disabled"),
        }
    }
}

/// One route's effective policy, as shown in the start-up report.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EffectiveRoute {
    /// The handler (`module::name`), or `attach(<pattern>)`.
    pub handler: String,
    /// The route's full pattern, scope prefixes included, as actix-web
    /// normalises it, once the route table exists ([`Report::full_patterns`]);
    /// before that, the pattern relative to its scopes.
    pub pattern: String,
    /// The method.
    pub method: String,
    /// Where the policy comes from.
    pub source: PolicySource,
    /// The effective policy; `None` when CORS is disabled for the route.
    pub policy: Option<Policy>,
    /// Whether the App's resource map confirmed the full pattern. When it
    /// could not (a regex in a scope segment that no probe satisfies, or an
    /// earlier scope that captures the marker's path), preflights match each
    /// dynamic segment of the scope prefix as any one segment, and a note
    /// says so. `false` too before the route table exists.
    pub confirmed: bool,
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

/// Every route's effective policy.
///
/// Built when the App starts, with patterns relative to their scopes, and
/// completed with full patterns by the first request each worker serves,
/// when the App's resource map can tell the scope prefixes. It is logged
/// once per [`Cors`](crate::Cors) value (`info`, target `cors_actix`) when
/// complete.
///
/// ```
/// use actix_web::{get, test, web, App, HttpResponse};
/// use cors_actix::{cors, Cors};
///
/// #[cors(origins = ["https://app.example.com"])]
/// #[get("/{id}")]
/// async fn project() -> HttpResponse {
///     HttpResponse::Ok().finish()
/// }
///
/// # #[actix_web::main]
/// # async fn main() {
/// let cors = Cors::new();
/// let app = test::init_service(
///     App::new().wrap(cors.clone()).service(web::scope("/api/v1").service(project)),
/// )
/// .await;
/// test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
///
/// let report = cors.report().unwrap();
/// assert!(report.full_patterns);
/// let route = report.route("GET", "/api/v1/{id}").unwrap();
/// assert_eq!(route.source, cors_actix::PolicySource::Attribute);
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The App defaults, if any.
    pub defaults: Option<Policy>,
    /// Each key the App defaults set, with where it was set: code or an
    /// environment variable, which wins over code.
    pub default_keys: Vec<DefaultKey>,
    /// One entry per annotated or attached route and method.
    pub routes: Vec<EffectiveRoute>,
    /// Non-fatal findings, each naming its route or policy.
    pub notes: Vec<ReportNote>,
    /// Whether [`EffectiveRoute::pattern`] holds full patterns.
    pub full_patterns: bool,
}

impl Report {
    /// The effective policy of `method` on the route with this pattern:
    /// the full pattern once [`full_patterns`](Report::full_patterns) is
    /// true, the pattern relative to its scopes before.
    pub fn route(&self, method: &str, pattern: &str) -> Option<&EffectiveRoute> {
        self.routes
            .iter()
            .find(|r| r.method == method && r.pattern == pattern)
    }

    /// The report of `routes`, with their full patterns when known.
    pub(crate) fn new(
        routes: &[ResolvedRoute],
        full: Option<&[(String, bool)]>,
        defaults: Option<&Defaults>,
        notes: Vec<ReportNote>,
    ) -> Report {
        let mut report = Report {
            defaults: defaults.map(|d| d.entry.policy().clone()),
            default_keys: defaults.map(|d| d.keys.to_vec()).unwrap_or_default(),
            routes: Vec::new(),
            notes,
            full_patterns: full.is_some(),
        };
        for (i, route) in routes.iter().enumerate() {
            let (pattern, confirmed) = full
                .and_then(|full| full.get(i))
                .map_or_else(|| (route.pattern.to_string(), false), Clone::clone);
            for method in &route.methods {
                report.routes.push(EffectiveRoute {
                    handler: route.handler.to_string(),
                    pattern: pattern.clone(),
                    method: method.to_string(),
                    source: route.label.clone(),
                    policy: route.policy.as_ref().map(|p| p.policy().clone()),
                    confirmed,
                });
            }
        }
        report
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.defaults {
            Some(defaults) => writeln!(f, "App defaults: {defaults}")?,
            None => writeln!(f, "App defaults: none (only annotated routes get CORS)")?,
        }
        let from_env: Vec<String> = self
            .default_keys
            .iter()
            .filter(|key| key.env.is_some())
            .map(ToString::to_string)
            .collect();
        if !from_env.is_empty() {
            writeln!(f, "  from the environment: {}", from_env.join(", "))?;
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

/// One key of the App defaults and where it was set.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DefaultKey {
    /// The key, as in `#[cors(...)]`.
    pub key: &'static str,
    /// The environment variable it was read from, if any.
    pub env: Option<String>,
    /// Whether code set another value, which the variable replaced (for
    /// `origins`: code's `origins`, `origin_fn` or `dev_origins`, which
    /// origins from a variable all replace).
    pub overrides_code: bool,
}

impl fmt::Display for DefaultKey {
    /// `max_age` (code), `max_age from CORS_MAX_AGE`, or
    /// `max_age from CORS_MAX_AGE, replacing the value set in code`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.env, self.overrides_code) {
            (None, _) => write!(f, "`{}` (code)", self.key),
            (Some(var), false) => write!(f, "`{}` from {var}", self.key),
            (Some(var), true) => write!(
                f,
                "`{}` from {var}, replacing the value set in code",
                self.key
            ),
        }
    }
}

/// Where the value of a key of a route's effective policy came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyOrigin {
    /// The route's own `#[cors(...)]`, or its [`attach`](crate::attach) policy.
    Route,
    /// The named policy the route starts from: a `cors_policy!` (`NAME`), or
    /// one supplied when the App starts (`"name"`, quoted).
    NamedPolicy(String),
    /// The App defaults, set in code.
    AppDefaults,
    /// An environment variable, read for the App defaults or for the
    /// route's named or attached policy; it wins over code.
    Environment(String),
}

impl fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyOrigin::Route => f.write_str("the route"),
            KeyOrigin::NamedPolicy(name) => write!(f, "policy {name}"),
            KeyOrigin::AppDefaults => f.write_str("the App defaults"),
            KeyOrigin::Environment(var) => write!(f, "the environment ({var})"),
        }
    }
}

/// A key of a route's effective policy and where its value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeySource {
    /// The key, as in `#[cors(...)]`.
    pub key: &'static str,
    /// Where its value came from.
    pub origin: KeyOrigin,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` from {}", self.key, self.origin)
    }
}

/// What is wrong with one route.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteProblem {
    /// A bare `#[cors]` (or a policy without origins) under `Cors::new()`,
    /// which has no defaults to take them from.
    NoDefaults,
    /// The policy after merging breaks a rule.
    Invalid(ConfigError),
    /// The pattern cannot be used: a malformed [`attach`](crate::attach)
    /// pattern, or a full pattern that breaks actix-web's limits.
    InvalidPattern(String),
    /// The route's full pattern could not be found in the App's resource
    /// map, so the route table cannot be trusted.
    NotFound(String),
    /// An [`attach`](crate::attach) with no methods: its policy could never
    /// apply.
    NoMethods,
    /// `#[cors(policy = "name")]` names a policy that
    /// [`CorsBuilder::named_policy`](crate::CorsBuilder::named_policy) did
    /// not supply.
    UnknownPolicy(String),
    /// An environment variable of an [`attach`](crate::attach) policy could
    /// not be read.
    Environment(String),
}

/// One route that stops the App, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteError {
    /// The handler (`module::name`), or `attach(<pattern>)`.
    pub handler: String,
    /// The methods of the route.
    pub methods: Vec<String>,
    /// The route's pattern, relative to its scopes.
    pub pattern: String,
    /// What is wrong.
    pub problem: RouteProblem,
    /// For a policy that breaks a rule only once merged: where each key the
    /// rule involves came from (the route, its named policy, the App
    /// defaults or the environment). Empty otherwise.
    pub keys: Vec<KeySource>,
    /// A fix that works for this merge, when the validator's own (written
    /// for one policy alone) is not the whole story.
    pub fix: Option<String>,
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` ({} {}): ",
            self.handler,
            self.methods.join(", "),
            self.pattern
        )?;
        match &self.problem {
            RouteProblem::NoDefaults => f.write_str("needs App defaults (it names no origins), but the middleware has none; give the route `origins = [...]` or build the middleware with `Cors::builder().origins([...])`"),
            RouteProblem::Invalid(error) => write!(f, "{error}"),
            RouteProblem::InvalidPattern(message) => write!(f, "invalid pattern: {message}"),
            RouteProblem::NotFound(message) => write!(f, "route table: {message}"),
            RouteProblem::NoMethods => f.write_str("no methods: give `attach` the methods the resource answers, as in `[\"GET\", \"POST\"]`, or its policy never applies"),
            RouteProblem::UnknownPolicy(name) => write!(f, "names the policy \"{name}\", which the middleware does not supply; add `.named_policy(\"{name}\", CorsPolicy::new()...)` to `Cors::builder()`, or fix the name"),
            RouteProblem::Environment(problem) => write!(f, "{problem}"),
        }?;
        if !self.keys.is_empty() {
            let keys: Vec<String> = self.keys.iter().map(ToString::to_string).collect();
            write!(f, " [{}]", keys.join(", "))?;
        }
        if let Some(fix) = &self.fix {
            write!(f, "; {fix}")?;
        }
        Ok(())
    }
}

/// Why `Cors` cannot serve an App: routes whose effective policy cannot be
/// built, or a route table that cannot be completed.
///
/// Logged (`error`, target `cors_actix`) and returned by
/// [`Cors::startup_error`](crate::Cors::startup_error). A problem found when
/// the App starts stops it; one found when the first request completes the
/// route table makes `Cors` fail closed: every preflight gets 403 and no
/// response gets CORS headers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StartupError {
    /// Every problem, in registration order.
    pub problems: Vec<RouteError>,
}

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CORS start-up failed:")?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StartupError {}
