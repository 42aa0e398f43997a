//! The policy model: [`PolicySpec`] is what the user wrote, [`Policy`] is the
//! validated form with every header value precomputed.

use crate::origin::{OriginPredicate, OriginSet};
use crate::table::Table;
use std::borrow::Cow;
use std::fmt;

/// Builds cors-core's types from the one list of keys
/// (`__policy_key_list!`): [`PolicySpec`] and [`PolicySpecBuf`] with their
/// conversions, [`Field`], the key-by-key part of [`PolicySpec::or`],
/// [`PolicySpec::sets_field`] and [`PolicySpec::same`], and [`KEYS`]. The
/// macro parses and expands by them; cors-actix generates its builder
/// setters from the same list.
macro_rules! policy_keys {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident $name:ident: $kind:ident($setter:ty), $spec_ty:ty, $buf_ty:ty, $short:literal;
    )*) => {
        /// A CORS policy as written: by the `#[cors(...)]` attribute, by the
        /// runtime builder, or as App defaults. Every key is optional so that a
        /// route can set some keys and inherit the rest (see [`PolicySpec::or`]).
        ///
        /// The key names are the attribute's keys and the builder's method
        /// names; the one list of them is [`KEYS`].
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
            $( $(#[doc = $doc])* pub $name: $spec_ty, )*
        }

        impl PolicySpec<'_> {
            /// A spec with no key set.
            pub const EMPTY: PolicySpec<'static> = PolicySpec { $( $name: None, )* };
        }

        impl<'a> PolicySpec<'a> {
            /// Key by key: a key set here wins, one left unset is taken from
            /// `defaults`. The rules that couple keys are applied by `or`.
            fn or_each(self, defaults: PolicySpec<'a>) -> PolicySpec<'a> {
                PolicySpec { $( $name: self.$name.or(defaults.$name), )* }
            }

            /// Whether the spec sets `field`.
            ///
            /// ```
            /// use cors_core::{Field, PolicySpec};
            ///
            /// let spec = PolicySpec { max_age: Some(600), ..PolicySpec::EMPTY };
            /// assert!(spec.sets_field(Field::MaxAge));
            /// assert!(!spec.sets_field(Field::Origins));
            /// ```
            pub fn sets_field(&self, field: Field) -> bool {
                match field { $( Field::$variant => self.$name.is_some(), )* }
            }

            /// Whether `self` and `other` hold the same value for `field`.
            pub fn same(&self, other: &PolicySpec<'_>, field: Field) -> bool {
                match field { $( Field::$variant => self.$name == other.$name, )* }
            }
        }

        /// A key of the policy: what a finding is about, and what the
        /// attribute, the builder and the environment set.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Field {
            $( #[doc = concat!("`", stringify!($name), "`")] $variant, )*
        }

        impl Field {
            /// Every field, in the order of [`KEYS`].
            pub const ALL: &'static [Field] = &[ $( Field::$variant, )* ];

            /// The attribute key and builder method this field is set with.
            pub fn key(self) -> &'static str {
                match self { $( Field::$variant => stringify!($name), )* }
            }

            /// The field of the key named `name`, if it is a policy key.
            ///
            /// ```
            /// use cors_core::Field;
            ///
            /// assert_eq!(Field::from_key("max_age"), Some(Field::MaxAge));
            /// assert_eq!(Field::from_key("policy"), None);
            /// ```
            pub fn from_key(name: &str) -> Option<Field> {
                match name { $( stringify!($name) => Some(Field::$variant), )* _ => None }
            }

            /// How the key's value is written.
            pub fn kind(self) -> KeyKind {
                match self { $( Field::$variant => KeyKind::$kind, )* }
            }
        }

        /// Every key of `#[cors(...)]`; the builder's methods have the same
        /// names. The macro parses against this table and draws its
        /// did-you-mean suggestions from it.
        pub const KEYS: &[Key] = &[
            $( Key {
                name: stringify!($name),
                kind: KeyKind::$kind,
                doc: $short,
                field: Some(Field::$variant),
            }, )*
            Key {
                name: "policy",
                kind: KeyKind::Path,
                doc: "start from a named policy: `NAME` of a `cors_policy!`, or `\"name\"` supplied when the App starts",
                field: None,
            },
            Key {
                name: "disable",
                kind: KeyKind::Flag,
                doc: "no CORS for this route, App defaults included",
                field: None,
            },
        ];

        /// An owned [`PolicySpec`], for specs assembled at run time (the
        /// builder, environment variables) or by the macro.
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
            $( #[doc = concat!("See [`PolicySpec::", stringify!($name), "`].")] pub $name: $buf_ty, )*
        }

        impl PolicySpecBuf {
            /// Calls `f` with the borrowed view of this spec.
            pub fn with_spec<R>(&self, f: impl FnOnce(&PolicySpec<'_>) -> R) -> R {
                $( let $name = key_view!($kind, &self.$name); )*
                f(&PolicySpec { $( $name: key_borrow!($kind, $name), )* })
            }

            /// Copies a borrowed spec.
            pub fn from_spec(spec: &PolicySpec<'_>) -> Self {
                PolicySpecBuf { $( $name: key_own!($kind, spec.$name), )* }
            }

            /// Sets `field` to `value`, as the macro does from the attribute.
            ///
            /// # Errors
            ///
            /// `value` is not of the field's kind, or (for `preflight_status`)
            /// out of its range.
            ///
            /// ```
            /// use cors_core::policy::{KeyValue, PolicySpecBuf};
            /// use cors_core::Field;
            ///
            /// let mut spec = PolicySpecBuf::default();
            /// spec.set(Field::MaxAge, KeyValue::Int(600)).unwrap();
            /// assert_eq!(spec.max_age, Some(600));
            /// assert!(spec.set(Field::PreflightStatus, KeyValue::Int(70_000)).is_err());
            /// ```
            pub fn set(&mut self, field: Field, value: KeyValue) -> Result<(), KeyValue> {
                match field { $( Field::$variant => self.$name = Some(FromKeyValue::from_key_value(value)?), )* }
                Ok(())
            }

            /// The value of `field`, if set, as the macro writes it out.
            ///
            /// ```
            /// use cors_core::policy::{KeyValue, PolicySpecBuf};
            /// use cors_core::Field;
            ///
            /// let spec = PolicySpecBuf { preflight_status: Some(200), ..Default::default() };
            /// assert_eq!(spec.get(Field::PreflightStatus), Some(KeyValue::Int(200)));
            /// assert_eq!(spec.get(Field::Origins), None);
            /// ```
            pub fn get(&self, field: Field) -> Option<KeyValue> {
                match field { $( Field::$variant => self.$name.clone().map(IntoKeyValue::into_key_value), )* }
            }
        }
    };
}

macro_rules! key_view {
    (List, $e:expr) => {
        list_view($e)
    };
    ($kind:ident, $e:expr) => {
        *$e
    };
}

macro_rules! key_borrow {
    (List, $e:expr) => {
        $e.as_deref()
    };
    ($kind:ident, $e:expr) => {
        $e
    };
}

macro_rules! key_own {
    (List, $e:expr) => {
        list_owned($e)
    };
    ($kind:ident, $e:expr) => {
        $e
    };
}

/// The one list of policy keys, handed to `$callback!`. cors-core builds its
/// types from it (`policy_keys!`), and cors-actix its builder setters. Each
/// entry: the docs, the `Field` variant and field name, the kind with the
/// setter's argument type, the types in `PolicySpec` and `PolicySpecBuf`, and
/// the one-line doc of [`KEYS`].
#[doc(hidden)]
#[macro_export]
macro_rules! __policy_key_list {
    ($callback:path) => {
        $callback! {
            /// Allowed origins: exact serialised origins (`https://app.example.com`),
            /// `*`, subdomain patterns (`https://*.example.com`) or any port of one
            /// host (`http://localhost:*`). Rejected when validated: paths,
            /// trailing slashes, default ports, uppercase, `null`, patterns over
            /// public suffixes, and `*` with credentials.
            /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Origin).
            Origins origins: List(&str), Option<&'a [&'a str]>, Option<Vec<String>>,
                "allowed origins: exact, `*`, `https://*.example.com`, `http://localhost:*`";
            /// Origins allowed only in debug builds (`debug_assertions`), such as a
            /// local frontend dev server.
            DevOrigins dev_origins: List(&str), Option<&'a [&'a str]>, Option<Vec<String>>,
                "origins allowed only in debug builds";
            /// A predicate for origins no list or pattern can express, consulted
            /// after them, only for well-formed origins.
            OriginFn origin_fn: Path(fn(&str) -> bool), Option<$crate::OriginPredicate>, Option<$crate::OriginPredicate>,
                "a `fn(&str) -> bool` consulted after the lists";
            /// Methods a preflight may ask for, or `["*"]` (not with credentials).
            /// Methods are case-sensitive: `patch` is rejected, write `PATCH`.
            /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Methods).
            Methods methods: List(&str), Option<&'a [&'a str]>, Option<Vec<String>>,
                "methods a preflight may ask for (default: the route's)";
            /// Request headers a preflight may ask for, or `["*"]` (not with
            /// credentials). Forbidden headers such as `cookie` are rejected.
            /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Headers).
            Headers headers: List(&str), Option<&'a [&'a str]>, Option<Vec<String>>,
                "request headers a preflight may ask for";
            /// Response headers JavaScript may read, or `["*"]` (not with
            /// credentials). `set-cookie` is rejected: it is never readable.
            /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Expose-Headers).
            Expose expose: List(&str), Option<&'a [&'a str]>, Option<Vec<String>>,
                "response headers JavaScript may read";
            /// Whether cookies and HTTP authentication may be sent and their
            /// responses read. Rejected with any `*` and with `http://` origins
            /// other than loopback.
            /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials).
            Credentials credentials: Flag(bool), Option<bool>, Option<bool>,
                "allow cookies and HTTP authentication";
            /// Seconds a browser may cache a preflight answer (at most 86400;
            /// Chrome caps at 7200, Safari at 600); `0` disables caching.
            /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Max-Age).
            MaxAge max_age: Integer(u32), Option<i64>, Option<i64>,
                "seconds a preflight answer may be cached";
            /// Answer Private Network Access preflights
            /// (`Access-Control-Allow-Private-Network: true`).
            PrivateNetwork private_network: Flag(bool), Option<bool>, Option<bool>,
                "answer Private Network Access preflights";
            /// Status of an accepted preflight: 2xx, 204 by default.
            PreflightStatus preflight_status: Integer(u16), Option<u16>, Option<u16>,
                "status of accepted preflights (default 204)";
            /// Allow the opaque origin `null`, sent by sandboxed iframes and
            /// `file:` pages that any site can create. Never with credentials.
            DangerouslyAllowNullOrigin dangerously_allow_null_origin: Flag(bool), Option<bool>, Option<bool>,
                "allow the opaque origin `null`";
            /// Allow `http://` origins on hosts other than loopback together with
            /// credentials, although anyone on the network path can act as them.
            DangerouslyAllowInsecureOrigins dangerously_allow_insecure_origins: Flag(bool), Option<bool>, Option<bool>,
                "allow `http://` origins with credentials";
        }
    };
}

__policy_key_list!(policy_keys);

/// A value written for a key, as the macro reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyValue {
    /// `key = ["a", "b"]`
    List(Vec<String>),
    /// `key`, or `key = true|false`
    Flag(bool),
    /// `key = 600`
    Int(i64),
    /// `key = some::path`: the predicate to store for it.
    Path(OriginPredicate),
}

/// A field's value as a [`KeyValue`].
trait IntoKeyValue {
    fn into_key_value(self) -> KeyValue;
}

impl IntoKeyValue for Vec<String> {
    fn into_key_value(self) -> KeyValue {
        KeyValue::List(self)
    }
}

impl IntoKeyValue for bool {
    fn into_key_value(self) -> KeyValue {
        KeyValue::Flag(self)
    }
}

impl IntoKeyValue for i64 {
    fn into_key_value(self) -> KeyValue {
        KeyValue::Int(self)
    }
}

impl IntoKeyValue for u16 {
    fn into_key_value(self) -> KeyValue {
        KeyValue::Int(i64::from(self))
    }
}

impl IntoKeyValue for OriginPredicate {
    fn into_key_value(self) -> KeyValue {
        KeyValue::Path(self)
    }
}

/// A field's value from a [`KeyValue`] of its kind.
trait FromKeyValue: Sized {
    fn from_key_value(value: KeyValue) -> Result<Self, KeyValue>;
}

impl FromKeyValue for Vec<String> {
    fn from_key_value(value: KeyValue) -> Result<Self, KeyValue> {
        match value {
            KeyValue::List(items) => Ok(items),
            other => Err(other),
        }
    }
}

impl FromKeyValue for bool {
    fn from_key_value(value: KeyValue) -> Result<Self, KeyValue> {
        match value {
            KeyValue::Flag(flag) => Ok(flag),
            other => Err(other),
        }
    }
}

impl FromKeyValue for i64 {
    fn from_key_value(value: KeyValue) -> Result<Self, KeyValue> {
        match value {
            KeyValue::Int(n) => Ok(n),
            other => Err(other),
        }
    }
}

impl FromKeyValue for u16 {
    fn from_key_value(value: KeyValue) -> Result<Self, KeyValue> {
        match value {
            KeyValue::Int(n) => u16::try_from(n).map_err(|_| KeyValue::Int(n)),
            other => Err(other),
        }
    }
}

impl FromKeyValue for OriginPredicate {
    fn from_key_value(value: KeyValue) -> Result<Self, KeyValue> {
        match value {
            KeyValue::Path(predicate) => Ok(predicate),
            other => Err(other),
        }
    }
}

impl<'a> PolicySpec<'a> {
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
        let mut merged = self.or_each(defaults);
        // The keys that allow origins go together.
        if self.has_origins() {
            merged.origins = self.origins;
            merged.dev_origins = self.dev_origins;
            merged.origin_fn = self.origin_fn;
        }
        // A public policy never takes `credentials` from the defaults:
        // credentials belong to the origins they were granted with, and
        // `*` with credentials cannot be built.
        if self.is_public() {
            merged.credentials = self.credentials;
        }
        merged
    }

    /// Whether the spec names any origin source. A spec without one needs App
    /// defaults before it can be built.
    pub fn has_origins(&self) -> bool {
        self.origins.is_some() || self.origin_fn.is_some()
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
#[non_exhaustive]
pub struct Key {
    /// The word used by the attribute and by the builder method.
    pub name: &'static str,
    /// How its value is written.
    pub kind: KeyKind,
    /// One line of documentation.
    pub doc: &'static str,
    /// The policy field it sets; `None` for `policy` and `disable`, which
    /// belong to a route, not a policy.
    pub field: Option<Field>,
}

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
    pub fn allow_methods_value(&self) -> &str {
        &self.allow_methods
    }

    /// The `Access-Control-Allow-Headers` value sent on preflights (empty: none).
    pub fn allow_headers_value(&self) -> &str {
        &self.allow_headers
    }

    /// The `Access-Control-Expose-Headers` value sent on actual responses (empty: none).
    pub fn expose_headers_value(&self) -> &str {
        &self.expose_headers
    }

    /// The `Access-Control-Max-Age` value sent on preflights (empty: none).
    pub fn max_age_value(&self) -> &str {
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

fn list_view(list: &Option<Vec<String>>) -> Option<Vec<&str>> {
    list.as_ref()
        .map(|items| items.iter().map(String::as_str).collect())
}

fn list_owned(list: Option<&[&str]>) -> Option<Vec<String>> {
    list.map(|items| items.iter().map(|s| (*s).to_owned()).collect())
}

impl PolicySpecBuf {
    /// Whether the spec names any origin source; see [`PolicySpec::has_origins`].
    pub fn has_origins(&self) -> bool {
        self.with_spec(|spec| spec.has_origins())
    }
}
