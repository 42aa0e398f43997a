//! The one validator. The `#[cors]` macro calls it at compile time, the
//! runtime builder at start-up; both get every problem at once.

use crate::header::{
    is_forbidden_request_header, is_token, FORBIDDEN_RESPONSE_HEADERS, SAFELISTED_RESPONSE_HEADERS,
};
use crate::method::{known_uppercase, FORBIDDEN_METHODS};
use crate::origin::{parse_config_origin, OriginProblem, OriginSet, OriginSpec, Parsed};
use crate::policy::{Allowed, BuildOptions, Origins, Policy, PolicySpec};
use crate::table::Table;
use std::borrow::Cow;
use std::collections::hash_map::{Entry, HashMap};
use std::fmt;

pub use crate::policy::Field;

/// The rule a configuration error breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `*` in `origins`, `methods`, `headers` or `expose` together with
    /// `credentials`: browsers refuse the response (the classic "Error 2").
    WildcardWithCredentials,
    /// `*` listed beside other entries, which it already covers.
    WildcardInList,
    /// `origins = []` allows nothing.
    EmptyList,
    /// No `origins` at all, and no App defaults to take them from.
    MissingOrigins,
    /// An origin that no browser would send; see [`OriginProblem`].
    InvalidOrigin(OriginProblem),
    /// `null` without `dangerously_allow_null_origin`.
    NullOrigin,
    /// `null` with credentials: any sandboxed iframe could read user data.
    NullWithCredentials,
    /// An `http://` origin (not loopback) with credentials: anyone on the
    /// network path can inject script into that origin and read user data.
    InsecureWithCredentials,
    /// A method that is not a token.
    InvalidMethod,
    /// A known method in lowercase (`patch`): methods are case-sensitive.
    MethodCase,
    /// A method `fetch()` refuses to send (`CONNECT`, `TRACE`, `TRACK`).
    ForbiddenMethod,
    /// A header name that is not a token.
    InvalidHeader,
    /// A request header browsers never let a page send.
    ForbiddenHeader,
    /// `Set-Cookie` in `expose`: never readable by JavaScript.
    NeverExposed,
    /// A negative `max_age`.
    MaxAgeNegative,
    /// A `max_age` above 86400 s, more than any browser honours.
    MaxAgeTooLarge,
    /// A preflight status outside 200–299: browsers fail such preflights.
    InvalidPreflightStatus,
    /// The same entry twice (headers compared case-insensitively).
    Duplicate,
    /// A method in `methods` that the route itself does not serve: a
    /// preflight for it could never reach this handler.
    MethodNotServed,
}

impl ErrorKind {
    /// The keys besides the finding's own [`Field`] that the rule couples
    /// it with: `credentials` for a wildcard, `null` or plain-http origin
    /// with credentials, and the flag that would allow the origin.
    ///
    /// ```
    /// use cors_core::{ErrorKind, Field};
    ///
    /// assert_eq!(ErrorKind::WildcardWithCredentials.coupled(), [Field::Credentials]);
    /// assert!(ErrorKind::Duplicate.coupled().is_empty());
    /// ```
    pub fn coupled(self) -> &'static [Field] {
        match self {
            ErrorKind::WildcardWithCredentials | ErrorKind::NullWithCredentials => {
                &[Field::Credentials]
            }
            ErrorKind::InsecureWithCredentials => {
                &[Field::Credentials, Field::DangerouslyAllowInsecureOrigins]
            }
            ErrorKind::NullOrigin => &[Field::DangerouslyAllowNullOrigin],
            _ => &[],
        }
    }

    /// The rule's short name, as it starts every message.
    pub fn rule(self) -> &'static str {
        use OriginProblem as P;
        match self {
            ErrorKind::WildcardWithCredentials => "wildcard with credentials",
            ErrorKind::WildcardInList => "wildcard in a list",
            ErrorKind::EmptyList => "empty list",
            ErrorKind::MissingOrigins => "no origins",
            ErrorKind::InvalidOrigin(p) => match p {
                P::Empty => "empty origin",
                P::Whitespace => "whitespace",
                P::NoScheme => "no scheme",
                P::OpaqueScheme => "opaque origin",
                P::Path => "path",
                P::TrailingSlash => "trailing slash",
                P::QueryOrFragment => "query or fragment",
                P::Userinfo => "userinfo",
                P::DefaultPort => "default port",
                P::InvalidPort => "invalid port",
                P::Uppercase => "uppercase",
                P::NonAsciiHost => "non-ascii host",
                P::InvalidHost => "invalid host",
                P::MisplacedWildcard => "misplaced wildcard",
                P::TooBroad => "too broad",
            },
            ErrorKind::NullOrigin => "null origin",
            ErrorKind::NullWithCredentials => "null origin with credentials",
            ErrorKind::InsecureWithCredentials => "insecure origin with credentials",
            ErrorKind::InvalidMethod => "invalid method",
            ErrorKind::MethodCase => "method case",
            ErrorKind::ForbiddenMethod => "forbidden method",
            ErrorKind::InvalidHeader => "invalid header name",
            ErrorKind::ForbiddenHeader => "forbidden header",
            ErrorKind::NeverExposed => "never exposed",
            ErrorKind::MaxAgeNegative => "negative max_age",
            ErrorKind::MaxAgeTooLarge => "max_age too large",
            ErrorKind::InvalidPreflightStatus => "invalid preflight status",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::MethodNotServed => "method not served",
        }
    }
}

/// One finding of the validator: its kind, where, the value as written, and
/// a message that ends with the fix. [`ConfigError`] and [`Note`] are its
/// two flavours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding<K> {
    kind: K,
    field: Field,
    index: Option<usize>,
    value: String,
    message: String,
}

/// One configuration problem: which rule, where, the value as written, and
/// how to fix it. `Display` starts with the rule's name.
pub type ConfigError = Finding<ErrorKind>;

/// A non-fatal finding of the validator. `Display` is the message.
pub type Note = Finding<NoteKind>;

impl<K: Copy> Finding<K> {
    fn new(kind: K, field: Field, index: Option<usize>, value: &str, message: String) -> Self {
        Finding {
            kind,
            field,
            index,
            value: value.to_owned(),
            message,
        }
    }

    /// The rule broken, or what was noticed.
    pub fn kind(&self) -> K {
        self.kind
    }

    /// The key the value belongs to.
    pub fn field(&self) -> Field {
        self.field
    }

    /// The position of the entry in its list, when it is one.
    pub fn index(&self) -> Option<usize> {
        self.index
    }

    /// The value, verbatim as written.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for Finding<ErrorKind> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.rule(), self.message)
    }
}

impl std::error::Error for Finding<ErrorKind> {}

/// Every problem found in one policy. Its `Display` lists them all, one per
/// line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors(Vec<ConfigError>);

impl ConfigErrors {
    /// The problems, in the order the keys were written.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.0.iter()
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: an empty set is never returned.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        write!(
            f,
            "{count} CORS configuration error{}:",
            if count == 1 { "" } else { "s" }
        )?;
        for error in &self.0 {
            write!(f, "\n  - {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// A finding that does not stop the build but deserves a look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NoteKind {
    /// `max_age` above 7200 s: Chrome caps it there (Safari at 600 s).
    MaxAgeAboveChromeCap,
    /// An exact origin that a pattern of the same policy already covers.
    RedundantOrigin,
    /// A response header JavaScript can read without being exposed.
    AlreadyExposed,
    /// `origin_fn` together with `credentials`: every origin the predicate
    /// accepts can read credentialed responses.
    PredicateWithCredentials,
    /// `origin_fn` together with `origins = "*"`, which allows every origin
    /// before the predicate could be asked.
    PredicateNeverConsulted,
}

impl fmt::Display for Finding<NoteKind> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What [`validate`] found: the policy or every error, and the notes.
#[derive(Clone, Debug)]
pub struct Validation {
    /// The built policy, or every error.
    pub policy: Result<Policy, ConfigErrors>,
    /// Non-fatal findings, reported whether or not the policy built.
    pub notes: Vec<Note>,
}

/// Validates a spec and, when it is sound, builds the policy.
///
/// This is the only place the configuration rules live: the `#[cors]` macro
/// calls it at compile time and the runtime builder at start-up.
///
/// # Examples
///
/// ```
/// use cors_core::{validate, BuildOptions, ErrorKind, OriginProblem, PolicySpec};
///
/// let spec = PolicySpec {
///     origins: Some(&["https://app.example.com/", "*"]),
///     credentials: Some(true),
///     ..PolicySpec::EMPTY
/// };
/// let errors = validate(&spec, BuildOptions::default()).policy.unwrap_err();
/// let kinds: Vec<_> = errors.iter().map(|e| e.kind()).collect();
/// assert_eq!(kinds, [
///     ErrorKind::InvalidOrigin(OriginProblem::TrailingSlash),
///     ErrorKind::WildcardInList,
///     ErrorKind::WildcardWithCredentials,
/// ]);
/// assert_eq!(
///     errors.iter().next().unwrap().to_string(),
///     "trailing slash: origin `https://app.example.com/` never matches, since browsers send no path; write `https://app.example.com`",
/// );
/// ```
pub fn validate(spec: &PolicySpec<'_>, options: BuildOptions) -> Validation {
    validate_with(spec, options, true)
}

/// [`validate`]; `suggest` says whether messages may suggest corrected
/// origins, each checked by validating the policy with it in place (where
/// `suggest` is off, so that the check does not recurse).
fn validate_with(spec: &PolicySpec<'_>, options: BuildOptions, suggest: bool) -> Validation {
    let mut v = Validator {
        spec,
        options,
        suggest,
        credentials: spec.credentials.unwrap_or(false),
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let origins = v.origins(Field::Origins, spec.origins.unwrap_or(&[]));
    let dev_origins = v.origins(Field::DevOrigins, spec.dev_origins.unwrap_or(&[]));
    if spec.origins.is_some_and(<[_]>::is_empty) {
        v.error(ErrorKind::EmptyList, Field::Origins, None, "[]", "`origins = []` allows no origin; list the origins, or leave `origins` out to use the App defaults".into());
    }
    let methods = v.methods(spec.methods);
    let headers = v.headers(spec.headers);
    let expose = v.expose(spec.expose);
    v.max_age(spec.max_age);
    if spec.origin_fn.is_some() && v.credentials {
        let message = "`origin_fn` with `credentials`: every origin the predicate accepts can read credentialed responses, so it must accept only origins you control".into();
        v.note(
            NoteKind::PredicateWithCredentials,
            Field::Credentials,
            None,
            "origin_fn",
            message,
        );
    }
    let wildcard = spec.origins.and_then(|o| o.iter().position(|i| *i == "*"));
    if let (Some(_), Some(at)) = (spec.origin_fn, wildcard) {
        let message = "`origin_fn` is never consulted: `origins = \"*\"` already allows every origin; remove one of them".into();
        v.note(
            NoteKind::PredicateNeverConsulted,
            Field::Origins,
            Some(at),
            "*",
            message,
        );
    }
    let status = spec.preflight_status.unwrap_or(204);
    if !(200..=299).contains(&status) {
        let value = status.to_string();
        v.error(ErrorKind::InvalidPreflightStatus, Field::PreflightStatus, None, &value, format!("`{value}` fails every preflight, since browsers require a 2xx status; use 204 (the default) or 200"));
    }

    let mut all_origins = origins;
    if options.dev_origins {
        all_origins.extend(dev_origins);
    }
    if !all_origins.iter().any(|o| matches!(o, OriginSpec::Any)) {
        let set = origin_set(&all_origins, spec);
        v.redundant_origins(&set);
    }
    if v.errors.is_empty() && all_origins.is_empty() && spec.origin_fn.is_none() {
        let message = "this policy allows no origin; set `origins` here or give the `Cors` middleware App defaults".into();
        v.error(ErrorKind::MissingOrigins, Field::Origins, None, "", message);
    }
    let policy = if v.errors.is_empty() {
        Ok(Policy {
            origins: if all_origins.iter().any(|o| matches!(o, OriginSpec::Any)) {
                Origins::Any
            } else {
                Origins::List(origin_set(&all_origins, spec))
            },
            allow_methods: joined(&methods),
            methods: allowed(&methods),
            allow_headers: match &headers {
                Some(h) if h.contains(&"*") => Cow::Borrowed("*, authorization"),
                other => joined(other),
            },
            headers: allowed(&headers),
            expose_headers: joined(&expose),
            credentials: v.credentials,
            private_network: spec.private_network.unwrap_or(false),
            preflight_status: status,
            max_age: spec
                .max_age
                .map_or(Cow::Borrowed(""), |n| Cow::Owned(n.to_string())),
        })
    } else {
        // In the order the values were written, whatever order the rules ran in.
        v.errors.sort_by_key(|e| (e.field, e.index));
        Err(ConfigErrors(v.errors))
    };
    Validation {
        policy,
        notes: v.notes,
    }
}

/// A route's methods when its policy names none: the methods it serves,
/// less those no browser can send (`CONNECT`, `TRACE`, `TRACK`), which there
/// is nothing to allow for.
///
/// # Examples
///
/// ```
/// use cors_core::validate::default_route_methods;
///
/// assert_eq!(default_route_methods(&["GET", "TRACE"]), ["GET"]);
/// ```
pub fn default_route_methods<'a>(served: &[&'a str]) -> Vec<&'a str> {
    served
        .iter()
        .copied()
        .filter(|m| !FORBIDDEN_METHODS.iter().any(|f| f.eq_ignore_ascii_case(m)))
        .collect()
}

/// Checks a route's `methods` against the methods the route serves.
///
/// # Errors
///
/// One [`ErrorKind::MethodNotServed`] per method the route does not serve.
///
/// # Examples
///
/// ```
/// use cors_core::{validate::check_route_methods, ErrorKind};
///
/// let errors = check_route_methods(&["GET", "PUT"], &["GET"]).unwrap_err();
/// assert_eq!(errors.iter().next().unwrap().kind(), ErrorKind::MethodNotServed);
/// assert!(check_route_methods(&["GET"], &["GET", "POST"]).is_ok());
/// ```
pub fn check_route_methods(methods: &[&str], served: &[&str]) -> Result<(), ConfigErrors> {
    let errors: Vec<ConfigError> = methods
        .iter()
        .enumerate()
        .filter(|(_, m)| **m != "*" && !served.contains(m))
        .map(|(i, m)| {
            let message = format!(
                "method `{m}` is not served by this route ({}), so its preflight could never reach this handler; remove it or add the method to the route",
                served.join(", ")
            );
            ConfigError::new(ErrorKind::MethodNotServed, Field::Methods, Some(i), m, message)
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConfigErrors(errors))
    }
}

/// Methods allowed when `methods` is not set: the CORS-safelisted ones.
const DEFAULT_METHODS: &[&str] = &["GET", "HEAD", "POST"];

fn joined(list: &Option<Vec<&str>>) -> Cow<'static, str> {
    Cow::Owned(list.as_deref().unwrap_or(&[]).join(", "))
}

fn allowed(list: &Option<Vec<&str>>) -> Allowed {
    match list {
        Some(items) if items.contains(&"*") => Allowed::Any,
        Some(items) => Allowed::List(Table::build(items.iter().map(|s| s.to_string()))),
        None => Allowed::List(Table::default()),
    }
}

fn origin_set(origins: &[OriginSpec<'_>], spec: &PolicySpec<'_>) -> OriginSet {
    let key = |parsed: &Parsed<'_>| Cow::<'static, str>::Owned(parsed.key());
    OriginSet {
        exact: Table::build(origins.iter().filter_map(|o| match o {
            OriginSpec::Exact(p) | OriginSpec::AnyPort(p) => Some(key(p)),
            _ => None,
        })),
        subdomains: Table::build(origins.iter().filter_map(|o| match o {
            OriginSpec::Subdomains(p) => Some(key(p)),
            _ => None,
        })),
        any_port: (
            origins.iter().any(|o| matches!(o, OriginSpec::AnyPort(_))),
            origins
                .iter()
                .any(|o| matches!(o, OriginSpec::Subdomains(p) if p.port == ":*")),
        ),
        null: origins.contains(&OriginSpec::Null),
        predicate: spec.origin_fn,
    }
}

struct Validator<'s, 'a> {
    spec: &'s PolicySpec<'a>,
    options: BuildOptions,
    /// Whether messages may suggest corrected origins.
    suggest: bool,
    credentials: bool,
    errors: Vec<ConfigError>,
    notes: Vec<Note>,
}

impl<'a> Validator<'_, 'a> {
    fn error(
        &mut self,
        kind: ErrorKind,
        field: Field,
        index: Option<usize>,
        value: &str,
        message: String,
    ) {
        self.errors
            .push(ConfigError::new(kind, field, index, value, message));
    }

    fn note(
        &mut self,
        kind: NoteKind,
        field: Field,
        index: Option<usize>,
        value: &str,
        message: String,
    ) {
        self.notes
            .push(Finding::new(kind, field, index, value, message));
    }

    /// The checks every list shares: `*` alone and not with credentials, and
    /// no duplicates. Returns whether the list is `*`.
    fn list_shape(&mut self, field: Field, items: &[&str], ignore_case: bool, what: &str) -> bool {
        let star = items.iter().position(|i| *i == "*");
        if let Some(at) = star {
            if items.len() > 1 {
                let message = format!(
                    "`*` in `{}` already allows every {what}; keep either `*` or the list",
                    field.key()
                );
                self.error(ErrorKind::WildcardInList, field, Some(at), "*", message);
            }
            if self.credentials {
                let message = match field {
                    Field::Origins | Field::DevOrigins => "wildcard origin `*` cannot be combined with `credentials`; list the origins instead".to_owned(),
                    _ => format!("`*` in `{}` cannot be combined with `credentials`, since browsers then read it as a literal name; list the {what}s instead", field.key()),
                };
                self.error(
                    ErrorKind::WildcardWithCredentials,
                    field,
                    Some(at),
                    "*",
                    message,
                );
            }
        }
        // First spelling of each entry, by its key: linear, as lists may be long.
        let mut first: HashMap<Cow<'_, str>, &str> = HashMap::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let key = if ignore_case {
                Cow::Owned(item.to_ascii_lowercase())
            } else {
                Cow::Borrowed(*item)
            };
            let earlier = match first.entry(key) {
                Entry::Occupied(entry) => Some(*entry.get()),
                Entry::Vacant(entry) => {
                    entry.insert(item);
                    None
                }
            };
            if let Some(earlier) = earlier {
                let message = if earlier == *item {
                    format!(
                        "{what} `{item}` is listed twice in `{}`; remove one",
                        field.key()
                    )
                } else {
                    format!("{what} `{item}` repeats `{earlier}` in `{}` (names are case-insensitive); remove one", field.key())
                };
                self.error(ErrorKind::Duplicate, field, Some(i), item, message);
            }
        }
        star.is_some()
    }

    fn origins(&mut self, field: Field, items: &'a [&'a str]) -> Vec<OriginSpec<'a>> {
        if field == Field::DevOrigins && items.contains(&"*") {
            let at = items.iter().position(|i| *i == "*");
            let message = "`*` in `dev_origins` would allow every site during development; list the development origins".into();
            self.error(ErrorKind::WildcardInList, field, at, "*", message);
        } else {
            self.list_shape(field, items, false, "origin");
        }
        let mut specs = Vec::with_capacity(items.len());
        // Built on the first refused entry, for its suggestion.
        let mut counts: Option<HashMap<String, usize>> = None;
        for (i, item) in items.iter().enumerate() {
            match parse_config_origin(item) {
                Ok(spec) => {
                    self.origin_rules(field, i, item, &spec);
                    if !(field == Field::DevOrigins && spec == OriginSpec::Any) {
                        specs.push(spec);
                    }
                }
                Err(problem) => {
                    let counts = counts.get_or_insert_with(|| {
                        let mut counts = HashMap::with_capacity(items.len());
                        for other in items {
                            *counts.entry(other.to_ascii_lowercase()).or_insert(0) += 1;
                        }
                        counts
                    });
                    let fixed = self.suggestion(field, item, (counts, items.len()));
                    let message = origin_problem_message(problem, item, fixed.as_deref());
                    self.error(
                        ErrorKind::InvalidOrigin(problem),
                        field,
                        Some(i),
                        item,
                        message,
                    );
                }
            }
        }
        specs
    }

    /// The corrected value of an origin of `field`, when the validator
    /// accepts it in its place: a fix the parser accepts can still break a
    /// rule of the policy (`*` or `null` with credentials, plain http with
    /// credentials, `*` in a list, a duplicate). `counts` holds how often
    /// each entry of the list appears, lowercased, and `len` its length, so
    /// that each check costs the same however long the list is.
    fn suggestion(
        &self,
        field: Field,
        item: &str,
        (counts, len): (&HashMap<String, usize>, usize),
    ) -> Option<String> {
        if !self.suggest {
            return None;
        }
        let fixed = corrected_origin(item)?;
        let lower = fixed.to_ascii_lowercase();
        let own = usize::from(item.to_ascii_lowercase() == lower);
        let listed = counts.get(&lower).copied().unwrap_or(0);
        if listed > own || (fixed == "*" && len > 1) {
            return None;
        }
        let one = [fixed.as_str()];
        let alone = PolicySpec {
            origins: (field == Field::Origins).then_some(&one[..]),
            dev_origins: (field == Field::DevOrigins).then_some(&one[..]),
            credentials: self.spec.credentials,
            dangerously_allow_null_origin: self.spec.dangerously_allow_null_origin,
            dangerously_allow_insecure_origins: self.spec.dangerously_allow_insecure_origins,
            ..PolicySpec::EMPTY
        };
        let refused = validate_with(&alone, self.options, false)
            .policy
            .err()
            .is_some_and(|errors| errors.iter().any(|e| e.field() == field));
        (!refused).then_some(fixed)
    }

    fn origin_rules(&mut self, field: Field, i: usize, item: &str, spec: &OriginSpec<'_>) {
        let key = field.key();
        match spec {
            OriginSpec::Null if self.credentials => {
                let message = "origin `null` is sent by sandboxed iframes and `file:` pages that any site can create, so it can never be trusted with `credentials`; remove it".into();
                self.error(
                    ErrorKind::NullWithCredentials,
                    field,
                    Some(i),
                    item,
                    message,
                );
            }
            OriginSpec::Null if self.spec.dangerously_allow_null_origin != Some(true) => {
                let message = format!("origin `null` in `{key}` is sent by sandboxed iframes and `file:` pages that any site can create; remove it, or set `dangerously_allow_null_origin` if you accept that");
                self.error(ErrorKind::NullOrigin, field, Some(i), item, message);
            }
            OriginSpec::Exact(p) | OriginSpec::AnyPort(p) | OriginSpec::Subdomains(p)
                if self.credentials
                    && matches!(p.scheme, "http" | "ws")
                    && !p.is_loopback()
                    && self.spec.dangerously_allow_insecure_origins != Some(true) =>
            {
                let secure = match p.scheme {
                    "ws" => format!("wss{}", &item[2..]),
                    _ => format!("https{}", &item[4..]),
                };
                let message = format!("origin `{item}` is plain http, so anyone on the network can act as it and read credentialed responses; use `{secure}`, or set `dangerously_allow_insecure_origins`");
                self.error(
                    ErrorKind::InsecureWithCredentials,
                    field,
                    Some(i),
                    item,
                    message,
                );
            }
            _ => {}
        }
    }

    fn redundant_origins(&mut self, set: &OriginSet) {
        let lists = [
            (Field::Origins, self.spec.origins),
            (Field::DevOrigins, self.spec.dev_origins),
        ];
        if set.predicate.is_some() {
            return;
        }
        // Built once: cloning the set for every item made this quadratic.
        let only_patterns = OriginSet {
            exact: Table::default(),
            ..set.clone()
        };
        for (field, items) in lists {
            for (i, item) in items.unwrap_or(&[]).iter().enumerate() {
                let Ok(OriginSpec::Exact(_)) = parse_config_origin(item) else {
                    continue;
                };
                let covered = only_patterns.matches(item.as_bytes()).is_some();
                if covered {
                    let message = format!("origin `{item}` is already covered by a pattern of this policy; it can be removed");
                    self.note(NoteKind::RedundantOrigin, field, Some(i), item, message);
                }
            }
        }
    }

    fn methods(&mut self, methods: Option<&'a [&'a str]>) -> Option<Vec<&'a str>> {
        let items = methods.unwrap_or(DEFAULT_METHODS);
        self.list_shape(Field::Methods, items, false, "method");
        for (i, item) in items.iter().enumerate().filter(|(_, m)| **m != "*") {
            if !is_token(item.as_bytes()) {
                let message = format!(
                    "`{item}` is not a method token; methods are words such as `GET` or `PATCH`"
                );
                self.error(
                    ErrorKind::InvalidMethod,
                    Field::Methods,
                    Some(i),
                    item,
                    message,
                );
            } else if FORBIDDEN_METHODS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(item))
            {
                // Fetch forbids these in any case, so `trace` is not a case slip.
                let message = format!("method `{item}` can never be sent by a browser; remove it");
                self.error(
                    ErrorKind::ForbiddenMethod,
                    Field::Methods,
                    Some(i),
                    item,
                    message,
                );
            } else if let Some(upper) = known_uppercase(item) {
                let message = format!("method `{item}` never matches, since methods are case-sensitive and browsers send `{upper}`; write `{upper}`");
                self.error(
                    ErrorKind::MethodCase,
                    Field::Methods,
                    Some(i),
                    item,
                    message,
                );
            }
        }
        Some(items.to_vec())
    }

    fn headers(&mut self, headers: Option<&'a [&'a str]>) -> Option<Vec<&'a str>> {
        let items = headers?;
        self.list_shape(Field::Headers, items, true, "header");
        for (i, item) in items.iter().enumerate().filter(|(_, h)| **h != "*") {
            if !is_token(item.as_bytes()) {
                let message = format!("`{item}` is not a valid header name; header names are tokens such as `x-request-id`");
                self.error(
                    ErrorKind::InvalidHeader,
                    Field::Headers,
                    Some(i),
                    item,
                    message,
                );
            } else if is_forbidden_request_header(item) {
                let message = format!("header `{item}` is set by the browser itself and a page can never send it, so allowing it has no effect; remove it");
                self.error(
                    ErrorKind::ForbiddenHeader,
                    Field::Headers,
                    Some(i),
                    item,
                    message,
                );
            }
        }
        Some(items.to_vec())
    }

    fn expose(&mut self, expose: Option<&'a [&'a str]>) -> Option<Vec<&'a str>> {
        let items = expose?;
        self.list_shape(Field::Expose, items, true, "header");
        for (i, item) in items.iter().enumerate().filter(|(_, h)| **h != "*") {
            let is = |list: &[&str]| list.iter().any(|h| h.eq_ignore_ascii_case(item));
            if !is_token(item.as_bytes()) {
                let message = format!("`{item}` is not a valid header name; header names are tokens such as `x-total-count`");
                self.error(
                    ErrorKind::InvalidHeader,
                    Field::Expose,
                    Some(i),
                    item,
                    message,
                );
            } else if is(FORBIDDEN_RESPONSE_HEADERS) {
                let message = format!(
                    "header `{item}` is never readable by JavaScript, exposed or not; remove it"
                );
                self.error(
                    ErrorKind::NeverExposed,
                    Field::Expose,
                    Some(i),
                    item,
                    message,
                );
            } else if is(SAFELISTED_RESPONSE_HEADERS) {
                let message = format!(
                    "header `{item}` is always readable by JavaScript; exposing it changes nothing"
                );
                self.note(
                    NoteKind::AlreadyExposed,
                    Field::Expose,
                    Some(i),
                    item,
                    message,
                );
            }
        }
        Some(items.to_vec())
    }

    fn max_age(&mut self, max_age: Option<i64>) {
        let Some(seconds) = max_age else { return };
        let value = seconds.to_string();
        if seconds < 0 {
            let message = format!("`{value}` is not a duration, and browsers treat negative values inconsistently; use `0` to disable preflight caching");
            self.error(
                ErrorKind::MaxAgeNegative,
                Field::MaxAge,
                None,
                &value,
                message,
            );
        } else if seconds > 86_400 {
            let message = format!("`{value}` exceeds what any browser honours (Firefox caps at 86400, Chrome at 7200); use at most `7200`");
            self.error(
                ErrorKind::MaxAgeTooLarge,
                Field::MaxAge,
                None,
                &value,
                message,
            );
        } else if seconds > 7_200 {
            let message = format!("max_age `{value}` is above Chrome's cap of 7200 seconds (Safari caps at 600); Chrome will re-check after 7200");
            self.note(
                NoteKind::MaxAgeAboveChromeCap,
                Field::MaxAge,
                None,
                &value,
                message,
            );
        }
    }
}

/// The value the validator would accept for a refused origin: each fix the
/// messages describe, applied until the strict parser accepts the result.
/// `None` when a problem has no mechanical fix (an opaque scheme, a bad port
/// or host, a misplaced `*`, a pattern that is too broad).
fn corrected_origin(item: &str) -> Option<String> {
    use OriginProblem as P;
    let mut value = item.to_owned();
    // Each step removes one problem for good, so a few steps always suffice.
    for _ in 0..8 {
        let problem = match parse_config_origin(&value) {
            Ok(_) => return Some(value),
            Err(problem) => problem,
        };
        value = match problem {
            P::Whitespace => value.trim().to_owned(),
            P::NoScheme if !value.contains("://") => format!("https://{value}"),
            P::Path | P::TrailingSlash | P::QueryOrFragment => {
                let start = value.find("://")? + 3;
                let end = value[start..].find(['/', '?', '#'])? + start;
                value[..end].to_owned()
            }
            P::DefaultPort => value.rsplit_once(':')?.0.to_owned(),
            P::Uppercase => value.to_ascii_lowercase(),
            _ => return None,
        };
    }
    None
}

/// The message for an origin the strict parser refused, with the corrected
/// value when there is one the validator accepts (see `suggestion`).
fn origin_problem_message(problem: OriginProblem, item: &str, fixed: Option<&str>) -> String {
    use OriginProblem as P;
    let fix = |what: &str| match fixed {
        Some(fixed) => format!("write `{fixed}`"),
        None => what.to_owned(),
    };
    match problem {
        P::Empty => "an empty origin never matches; remove it or write `https://host`".into(),
        P::Whitespace => format!("origin `{item}` has surrounding whitespace and never matches; {}", fix("remove the whitespace")),
        P::NoScheme => match fixed {
            Some(fixed) => format!("origin `{item}` has no scheme, and browsers always send one; write `{fixed}` (or `http://` for local development)"),
            None => format!("origin `{item}` has no scheme, and browsers always send one; write it as `https://host`"),
        },
        P::OpaqueScheme => format!("origin `{item}` is opaque: browsers send `null` for it, never this value; remove it"),
        P::Path => format!("origin `{item}` has a path, but an origin is only scheme, host and port; {}", fix("remove the path")),
        P::TrailingSlash => format!("origin `{item}` never matches, since browsers send no path; {}", fix("remove the slash")),
        P::QueryOrFragment => format!("origin `{item}` has a query or fragment, which origins never carry; {}", fix("remove them")),
        P::Userinfo => format!("origin `{item}` has credentials before the host, which origins never carry; remove the `user@` part"),
        P::DefaultPort => format!("origin `{item}` spells out the default port, which browsers omit; {}", fix("remove the port")),
        P::InvalidPort => format!("origin `{item}` has a port that is not a number from 1 to 65535 without leading zeros; fix the port"),
        P::Uppercase => format!("origin `{item}` has uppercase letters, but browsers send origins in lowercase; {}", fix("write it in lowercase")),
        P::NonAsciiHost => format!("origin `{item}` has a non-ascii host, but browsers send its punycode form; write the host as `xn--...`"),
        P::InvalidHost if item.len() > crate::origin::MAX_ORIGIN_LEN => format!("origin `{item}` is longer than the {} bytes of any origin a browser sends, so it never matches; fix it", crate::origin::MAX_ORIGIN_LEN),
        P::InvalidHost => format!("origin `{item}` has a host no browser would send (empty labels or characters outside a-z, 0-9, `-`, `.`); fix the host"),
        P::MisplacedWildcard => format!("`*` in `{item}` must be a whole leftmost label, as in `https://*.example.com`; move or remove it"),
        P::TooBroad => format!("pattern `{item}` covers a public suffix or an IP range, so sites of strangers would match; name your own domain, as in `https://*.example.com`"),
    }
}
