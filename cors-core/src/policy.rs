//! The policy model: [`PolicySpec`] is what the user wrote, [`Policy`] is the
//! validated form with every header value precomputed.

use crate::origin::{OriginPredicate, OriginSet};
use crate::table::Table;
use std::borrow::Cow;
use std::fmt;

/// A CORS policy as written: by the `#[cors(...)]` attribute, by the runtime
/// builder, or as App defaults. Every key is optional so that a route can set
/// some keys and inherit the rest (see [`PolicySpec::or`]).
///
/// The key names are the attribute's keys and the builder's method names; the
/// one list of them is [`KEYS`].
///
/// # Examples
///
/// ```
/// use cors_core::{Policy, PolicySpec};
///
/// let spec = PolicySpec {
///     origins: Some(&["https://app.example.com"]),
///     methods: Some(&["GET", "POST"]),
///     headers: Some(&["content-type"]),
///     credentials: Some(true),
///     ..PolicySpec::EMPTY
/// };
/// let policy = Policy::build(&spec).unwrap();
/// assert!(policy.credentials());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PolicySpec<'a> {
    /// Allowed origins: exact origins, `*`, subdomain patterns, `host:*`.
    pub origins: Option<&'a [&'a str]>,
    /// Extra origins allowed only in development (see [`BuildOptions::dev_origins`]).
    pub dev_origins: Option<&'a [&'a str]>,
    /// A runtime predicate consulted after the lists.
    pub origin_fn: Option<OriginPredicate>,
    /// Allowed methods for preflighted requests, or `*`.
    pub methods: Option<&'a [&'a str]>,
    /// Allowed request headers, or `*`.
    pub headers: Option<&'a [&'a str]>,
    /// Response headers exposed to JavaScript, or `*`.
    pub expose: Option<&'a [&'a str]>,
    /// Whether cookies and HTTP authentication may be sent and read.
    pub credentials: Option<bool>,
    /// Seconds a browser may cache a preflight answer; `0` disables caching.
    pub max_age: Option<i64>,
    /// Whether to answer Private Network Access preflights.
    pub private_network: Option<bool>,
    /// Status of an accepted preflight (2xx, default 204).
    pub preflight_status: Option<u16>,
    /// Allow the opaque origin `null` (sandboxed iframes, `file:` pages).
    pub dangerously_allow_null_origin: Option<bool>,
    /// Allow `http://` origins on other hosts than loopback with credentials.
    pub dangerously_allow_insecure_origins: Option<bool>,
}

impl<'a> PolicySpec<'a> {
    /// A spec with no key set.
    pub const EMPTY: PolicySpec<'static> = PolicySpec {
        origins: None,
        dev_origins: None,
        origin_fn: None,
        methods: None,
        headers: None,
        expose: None,
        credentials: None,
        max_age: None,
        private_network: None,
        preflight_status: None,
        dangerously_allow_null_origin: None,
        dangerously_allow_insecure_origins: None,
    };

    /// The merge rule: key by key, a key set here wins and a key left unset
    /// is taken from `defaults`. Lists are replaced, never concatenated, so a
    /// route's `origins` is exactly what it says.
    ///
    /// The keys that allow origins go together: a spec that sets `origins` or
    /// `origin_fn` takes neither of them, nor `dev_origins`, from `defaults`,
    /// so that no origin the route did not name can reach it. A spec that
    /// sets only `dev_origins` keeps the defaults' `origins` and `origin_fn`.
    ///
    /// A spec whose `origins` is `*` is public: it does not take
    /// `credentials` from `defaults` (credentials are granted to the
    /// defaults' origins, and `*` with credentials is refused). Setting
    /// `credentials` itself next to `*` is still an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::PolicySpec;
    ///
    /// let defaults = PolicySpec { origins: Some(&["https://a.example"]), max_age: Some(600), ..PolicySpec::EMPTY };
    /// let route = PolicySpec { origins: Some(&["https://b.example"]), ..PolicySpec::EMPTY };
    /// let merged = route.or(defaults);
    /// assert_eq!(merged.origins, Some(&["https://b.example"][..]));
    /// assert_eq!(merged.max_age, Some(600));
    ///
    /// // The defaults' development origins do not reach a route's own list.
    /// let defaults = PolicySpec { dev_origins: Some(&["http://localhost:*"]), ..defaults };
    /// assert_eq!(route.or(defaults).dev_origins, None);
    ///
    /// // A public route stays public under credentialed defaults.
    /// let defaults = PolicySpec { credentials: Some(true), ..defaults };
    /// let public = PolicySpec { origins: Some(&["*"]), ..PolicySpec::EMPTY };
    /// assert_eq!(public.or(defaults).credentials, None);
    /// assert_eq!(route.or(defaults).credentials, Some(true));
    /// ```
    pub fn or(self, defaults: PolicySpec<'a>) -> PolicySpec<'a> {
        let (origins, dev_origins, origin_fn) = match self.has_origins() {
            true => (self.origins, self.dev_origins, self.origin_fn),
            false => (
                defaults.origins,
                self.dev_origins.or(defaults.dev_origins),
                defaults.origin_fn,
            ),
        };
        PolicySpec {
            origins,
            dev_origins,
            origin_fn,
            methods: self.methods.or(defaults.methods),
            headers: self.headers.or(defaults.headers),
            expose: self.expose.or(defaults.expose),
            // A public policy (`origins = "*"`) never takes `credentials`
            // from the defaults: credentials belong to the origins they
            // were granted with, and `*` with credentials cannot be built.
            credentials: match self.is_public() {
                true => self.credentials,
                false => self.credentials.or(defaults.credentials),
            },
            max_age: self.max_age.or(defaults.max_age),
            private_network: self.private_network.or(defaults.private_network),
            preflight_status: self.preflight_status.or(defaults.preflight_status),
            dangerously_allow_null_origin: self
                .dangerously_allow_null_origin
                .or(defaults.dangerously_allow_null_origin),
            dangerously_allow_insecure_origins: self
                .dangerously_allow_insecure_origins
                .or(defaults.dangerously_allow_insecure_origins),
        }
    }

    /// Whether the spec names any origin source. A spec without one needs App
    /// defaults before it can be built.
    pub fn has_origins(&self) -> bool {
        self.origins.is_some() || self.origin_fn.is_some()
    }

    /// Whether the spec sets the policy key named `key` (a name of [`KEYS`]);
    /// false for names that are not policy keys.
    ///
    /// ```
    /// use cors_core::PolicySpec;
    ///
    /// let spec = PolicySpec { max_age: Some(600), ..PolicySpec::EMPTY };
    /// assert!(spec.sets("max_age"));
    /// assert!(!spec.sets("origins"));
    /// ```
    pub fn sets(&self, key: &str) -> bool {
        match key {
            "origins" => self.origins.is_some(),
            "dev_origins" => self.dev_origins.is_some(),
            "origin_fn" => self.origin_fn.is_some(),
            "methods" => self.methods.is_some(),
            "headers" => self.headers.is_some(),
            "expose" => self.expose.is_some(),
            "credentials" => self.credentials.is_some(),
            "max_age" => self.max_age.is_some(),
            "private_network" => self.private_network.is_some(),
            "preflight_status" => self.preflight_status.is_some(),
            "dangerously_allow_null_origin" => self.dangerously_allow_null_origin.is_some(),
            "dangerously_allow_insecure_origins" => {
                self.dangerously_allow_insecure_origins.is_some()
            }
            _ => false,
        }
    }

    /// Whether `origins` is `*`: a public policy.
    fn is_public(&self) -> bool {
        self.origins.is_some_and(|list| list.contains(&"*"))
    }
}

/// How a key is written in the attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// `key = ["a", "b"]` (or `key = "a"`).
    List,
    /// `key` alone, or `key = true|false`.
    Flag,
    /// `key = 600`.
    Integer,
    /// `key = some::path`.
    Path,
}

/// One key of the attribute and the builder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The word used by the attribute and by the builder method.
    pub name: &'static str,
    /// How its value is written.
    pub kind: KeyKind,
    /// One line of documentation.
    pub doc: &'static str,
}

/// Every key of `#[cors(...)]`; the builder's methods have the same names.
/// The macro parses against this table and draws its did-you-mean
/// suggestions from it.
pub const KEYS: &[Key] = &[
    Key {
        name: "origins",
        kind: KeyKind::List,
        doc: "allowed origins: exact, `*`, `https://*.example.com`, `http://localhost:*`",
    },
    Key {
        name: "dev_origins",
        kind: KeyKind::List,
        doc: "origins allowed only in debug builds",
    },
    Key {
        name: "origin_fn",
        kind: KeyKind::Path,
        doc: "a `fn(&str) -> bool` consulted after the lists",
    },
    Key {
        name: "methods",
        kind: KeyKind::List,
        doc: "methods a preflight may ask for (default: the route's)",
    },
    Key {
        name: "headers",
        kind: KeyKind::List,
        doc: "request headers a preflight may ask for",
    },
    Key {
        name: "expose",
        kind: KeyKind::List,
        doc: "response headers JavaScript may read",
    },
    Key {
        name: "credentials",
        kind: KeyKind::Flag,
        doc: "allow cookies and HTTP authentication",
    },
    Key {
        name: "max_age",
        kind: KeyKind::Integer,
        doc: "seconds a preflight answer may be cached",
    },
    Key {
        name: "private_network",
        kind: KeyKind::Flag,
        doc: "answer Private Network Access preflights",
    },
    Key {
        name: "preflight_status",
        kind: KeyKind::Integer,
        doc: "status of accepted preflights (default 204)",
    },
    Key {
        name: "dangerously_allow_null_origin",
        kind: KeyKind::Flag,
        doc: "allow the opaque origin `null`",
    },
    Key {
        name: "dangerously_allow_insecure_origins",
        kind: KeyKind::Flag,
        doc: "allow `http://` origins with credentials",
    },
    Key {
        name: "policy",
        kind: KeyKind::Path,
        doc: "start from a named policy: `NAME` of a `cors_policy!`, or `\"name\"` supplied when the App starts",
    },
    Key {
        name: "disable",
        kind: KeyKind::Flag,
        doc: "no CORS for this route, App defaults included",
    },
];

/// Options for building a [`Policy`] from a [`PolicySpec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// Whether `dev_origins` are allowed. The `#[cors]` attribute builds both
    /// variants and picks one with `#[cfg(debug_assertions)]` in the user's
    /// crate; [`Default`] follows `debug_assertions` of the current build.
    pub dev_origins: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            dev_origins: cfg!(debug_assertions),
        }
    }
}

/// Which origins a policy allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origins {
    /// Any origin: `Access-Control-Allow-Origin: *`, never with credentials.
    Any,
    /// The origins in the set, each echoed back on its own.
    List(OriginSet),
}

/// A list of methods or headers, or `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allowed {
    /// `*`: any method or header (never with credentials).
    Any,
    /// Only these. Methods compare byte-exact, headers case-insensitively.
    List(Table),
}

type Str = Cow<'static, str>;

/// A validated policy, with every response header value computed once.
///
/// Build one with [`Policy::build`] (or [`validate`](fn@crate::validate) for the
/// notes too); the `#[cors]` attribute emits the same value as `static` data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub(crate) origins: Origins,
    pub(crate) methods: Allowed,
    pub(crate) headers: Allowed,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    pub(crate) preflight_status: u16,
    pub(crate) allow_methods: Str,
    pub(crate) allow_headers: Str,
    pub(crate) expose_headers: Str,
    pub(crate) max_age: Str,
}

impl Policy {
    /// Validates `spec` with [`BuildOptions::default`] and builds the policy.
    ///
    /// # Errors
    ///
    /// Every problem in the spec, all at once; see [`ErrorKind`](crate::ErrorKind).
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::{ErrorKind, Policy, PolicySpec};
    ///
    /// let spec = PolicySpec { origins: Some(&["*"]), credentials: Some(true), ..PolicySpec::EMPTY };
    /// let errors = Policy::build(&spec).unwrap_err();
    /// assert_eq!(errors.iter().next().unwrap().kind(), ErrorKind::WildcardWithCredentials);
    /// ```
    pub fn build(spec: &PolicySpec<'_>) -> Result<Policy, crate::ConfigErrors> {
        crate::validate(spec, BuildOptions::default()).policy
    }

    /// Assembles a policy from parts emitted as static data by `cors-macros`.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn from_static(
        origins: Origins,
        methods: Allowed,
        headers: Allowed,
        credentials: bool,
        private_network: bool,
        preflight_status: u16,
        allow_methods: &'static str,
        allow_headers: &'static str,
        expose_headers: &'static str,
        max_age: &'static str,
    ) -> Policy {
        Policy {
            origins,
            methods,
            headers,
            credentials,
            private_network,
            preflight_status,
            allow_methods: Cow::Borrowed(allow_methods),
            allow_headers: Cow::Borrowed(allow_headers),
            expose_headers: Cow::Borrowed(expose_headers),
            max_age: Cow::Borrowed(max_age),
        }
    }

    /// The allowed origins, or `None` for `*`.
    pub fn origins(&self) -> Option<&OriginSet> {
        match &self.origins {
            Origins::Any => None,
            Origins::List(set) => Some(set),
        }
    }

    /// The origins rule.
    pub fn origin_rule(&self) -> &Origins {
        &self.origins
    }

    /// The methods rule.
    pub fn methods(&self) -> &Allowed {
        &self.methods
    }

    /// The request headers rule.
    pub fn headers(&self) -> &Allowed {
        &self.headers
    }

    /// Whether credentials are allowed.
    pub fn credentials(&self) -> bool {
        self.credentials
    }

    /// Whether Private Network Access preflights are answered.
    pub fn private_network(&self) -> bool {
        self.private_network
    }

    /// Status of an accepted preflight.
    pub fn preflight_status(&self) -> u16 {
        self.preflight_status
    }

    /// The `Access-Control-Allow-Methods` value sent on preflights.
    pub fn allow_methods(&self) -> &str {
        &self.allow_methods
    }

    /// The `Access-Control-Allow-Headers` value sent on preflights (empty: none).
    pub fn allow_headers(&self) -> &str {
        &self.allow_headers
    }

    /// The `Access-Control-Expose-Headers` value sent on actual responses (empty: none).
    pub fn expose_headers(&self) -> &str {
        &self.expose_headers
    }

    /// The `Access-Control-Max-Age` value sent on preflights (empty: none).
    pub fn max_age(&self) -> &str {
        &self.max_age
    }

    /// Whether responses depend on the request's `Origin` (and so need
    /// `Vary: Origin`): true unless the policy allows any origin.
    pub fn varies_by_origin(&self) -> bool {
        matches!(self.origins, Origins::List(_))
    }
}

impl fmt::Display for Policy {
    /// A one-line summary, as shown in the start-up report.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origins {
            Origins::Any => f.write_str("origins *")?,
            Origins::List(set) => {
                let exact = set.exact.keys().map(Cow::Borrowed);
                let patterns = set
                    .subdomains
                    .keys()
                    .map(|key| match key.split_once("://") {
                        Some((scheme, rest)) => Cow::Owned(format!("{scheme}://*.{rest}")),
                        None => Cow::Borrowed(key),
                    });
                let extras = [
                    set.null.then_some(Cow::Borrowed("null")),
                    set.predicate.map(|_| Cow::Borrowed("origin_fn")),
                ];
                let items: Vec<Cow<'_, str>> = exact
                    .chain(patterns)
                    .chain(extras.into_iter().flatten())
                    .collect();
                write!(f, "origins [{}]", items.join(", "))?;
            }
        }
        write!(f, "; methods {}", self.allow_methods)?;
        if !self.allow_headers.is_empty() {
            write!(f, "; headers {}", self.allow_headers)?;
        }
        if !self.expose_headers.is_empty() {
            write!(f, "; expose {}", self.expose_headers)?;
        }
        if self.credentials {
            f.write_str("; credentials")?;
        }
        if !self.max_age.is_empty() {
            write!(f, "; max_age {}", self.max_age)?;
        }
        if self.private_network {
            f.write_str("; private_network")?;
        }
        if self.preflight_status != 204 {
            write!(f, "; preflight_status {}", self.preflight_status)?;
        }
        Ok(())
    }
}

/// An owned [`PolicySpec`], for specs assembled at run time (the builder,
/// environment variables) or by the macro.
///
/// # Examples
///
/// ```
/// use cors_core::policy::PolicySpecBuf;
/// use cors_core::Policy;
///
/// let mut spec = PolicySpecBuf::default();
/// spec.origins = Some(vec!["https://app.example.com".to_owned()]);
/// let policy = spec.with_spec(|spec| Policy::build(spec)).unwrap();
/// assert!(!policy.credentials());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicySpecBuf {
    /// See [`PolicySpec::origins`].
    pub origins: Option<Vec<String>>,
    /// See [`PolicySpec::dev_origins`].
    pub dev_origins: Option<Vec<String>>,
    /// See [`PolicySpec::origin_fn`].
    pub origin_fn: Option<OriginPredicate>,
    /// See [`PolicySpec::methods`].
    pub methods: Option<Vec<String>>,
    /// See [`PolicySpec::headers`].
    pub headers: Option<Vec<String>>,
    /// See [`PolicySpec::expose`].
    pub expose: Option<Vec<String>>,
    /// See [`PolicySpec::credentials`].
    pub credentials: Option<bool>,
    /// See [`PolicySpec::max_age`].
    pub max_age: Option<i64>,
    /// See [`PolicySpec::private_network`].
    pub private_network: Option<bool>,
    /// See [`PolicySpec::preflight_status`].
    pub preflight_status: Option<u16>,
    /// See [`PolicySpec::dangerously_allow_null_origin`].
    pub dangerously_allow_null_origin: Option<bool>,
    /// See [`PolicySpec::dangerously_allow_insecure_origins`].
    pub dangerously_allow_insecure_origins: Option<bool>,
}

fn list_view(list: &Option<Vec<String>>) -> Option<Vec<&str>> {
    list.as_ref()
        .map(|items| items.iter().map(String::as_str).collect())
}

fn list_owned(list: Option<&[&str]>) -> Option<Vec<String>> {
    list.map(|items| items.iter().map(|s| (*s).to_owned()).collect())
}

impl PolicySpecBuf {
    /// Whether the spec names any origin source.
    pub fn has_origins(&self) -> bool {
        self.origins.is_some() || self.origin_fn.is_some()
    }

    /// Calls `f` with the borrowed view of this spec.
    pub fn with_spec<R>(&self, f: impl FnOnce(&PolicySpec<'_>) -> R) -> R {
        let (origins, dev_origins, methods, headers, expose) = (
            list_view(&self.origins),
            list_view(&self.dev_origins),
            list_view(&self.methods),
            list_view(&self.headers),
            list_view(&self.expose),
        );
        f(&PolicySpec {
            origins: origins.as_deref(),
            dev_origins: dev_origins.as_deref(),
            origin_fn: self.origin_fn,
            methods: methods.as_deref(),
            headers: headers.as_deref(),
            expose: expose.as_deref(),
            credentials: self.credentials,
            max_age: self.max_age,
            private_network: self.private_network,
            preflight_status: self.preflight_status,
            dangerously_allow_null_origin: self.dangerously_allow_null_origin,
            dangerously_allow_insecure_origins: self.dangerously_allow_insecure_origins,
        })
    }

    /// Copies a borrowed spec.
    pub fn from_spec(spec: &PolicySpec<'_>) -> Self {
        PolicySpecBuf {
            origins: list_owned(spec.origins),
            dev_origins: list_owned(spec.dev_origins),
            origin_fn: spec.origin_fn,
            methods: list_owned(spec.methods),
            headers: list_owned(spec.headers),
            expose: list_owned(spec.expose),
            credentials: spec.credentials,
            max_age: spec.max_age,
            private_network: spec.private_network,
            preflight_status: spec.preflight_status,
            dangerously_allow_null_origin: spec.dangerously_allow_null_origin,
            dangerously_allow_insecure_origins: spec.dangerously_allow_insecure_origins,
        }
    }
}
