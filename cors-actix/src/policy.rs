//! Runtime policies: [`CorsPolicy`] for routes attached by hand, and the
//! setters it shares with [`CorsBuilder`](crate::CorsBuilder). Their method
//! names are the attribute's keys.

use crate::env::EnvLayer;
use cors_core::policy::PolicySpecBuf;
use cors_core::{ConfigErrors, Field, Policy};

pub(crate) fn strings<I>(items: I) -> Vec<String>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    items.into_iter().map(|s| s.as_ref().to_owned()).collect()
}

/// The policy setters shared by [`CorsPolicy`] and
/// [`CorsBuilder`](crate::CorsBuilder), one per key of `#[cors(...)]`.
macro_rules! policy_setters {
    () => {
        /// Allowed origins: exact serialised origins (`https://app.example.com`),
        /// `*`, subdomain patterns (`https://*.example.com`) or any port of one
        /// host (`http://localhost:*`). Rejected at build time: paths,
        /// trailing slashes, default ports, uppercase, `null`, patterns over
        /// public suffixes, and `*` with credentials.
        /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Origin).
        pub fn origins<I>(mut self, origins: I) -> Self
        where
            I: IntoIterator,
            I::Item: AsRef<str>,
        {
            self.spec_mut().origins = Some($crate::policy::strings(origins));
            self
        }

        /// Origins allowed only in debug builds (`debug_assertions`), such as a
        /// local frontend dev server.
        pub fn dev_origins<I>(mut self, origins: I) -> Self
        where
            I: IntoIterator,
            I::Item: AsRef<str>,
        {
            self.spec_mut().dev_origins = Some($crate::policy::strings(origins));
            self
        }

        /// A predicate for origins no list or pattern can express, consulted
        /// after them, only for well-formed origins.
        pub fn origin_fn(mut self, predicate: fn(&str) -> bool) -> Self {
            self.spec_mut().origin_fn = Some(cors_core::OriginPredicate(predicate));
            self
        }

        /// Methods a preflight may ask for, or `["*"]` (not with credentials).
        /// Methods are case-sensitive: `patch` is rejected, write `PATCH`.
        /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Methods).
        pub fn methods<I>(mut self, methods: I) -> Self
        where
            I: IntoIterator,
            I::Item: AsRef<str>,
        {
            self.spec_mut().methods = Some($crate::policy::strings(methods));
            self
        }

        /// Request headers a preflight may ask for, or `["*"]` (not with
        /// credentials). Forbidden headers such as `cookie` are rejected.
        /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Headers).
        pub fn headers<I>(mut self, headers: I) -> Self
        where
            I: IntoIterator,
            I::Item: AsRef<str>,
        {
            self.spec_mut().headers = Some($crate::policy::strings(headers));
            self
        }

        /// Response headers JavaScript may read, or `["*"]` (not with
        /// credentials). `set-cookie` is rejected: it is never readable.
        /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Expose-Headers).
        pub fn expose<I>(mut self, headers: I) -> Self
        where
            I: IntoIterator,
            I::Item: AsRef<str>,
        {
            self.spec_mut().expose = Some($crate::policy::strings(headers));
            self
        }

        /// Whether cookies and HTTP authentication may be sent and their
        /// responses read. Rejected with any `*` and with `http://` origins
        /// other than loopback.
        /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials).
        pub fn credentials(mut self, credentials: bool) -> Self {
            self.spec_mut().credentials = Some(credentials);
            self
        }

        /// Seconds a browser may cache a preflight answer (at most 86400;
        /// Chrome caps at 7200, Safari at 600); `0` disables caching.
        /// See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Max-Age).
        pub fn max_age(mut self, seconds: u32) -> Self {
            self.spec_mut().max_age = Some(i64::from(seconds));
            self
        }

        /// Answer Private Network Access preflights
        /// (`Access-Control-Allow-Private-Network: true`).
        pub fn private_network(mut self, allow: bool) -> Self {
            self.spec_mut().private_network = Some(allow);
            self
        }

        /// Status of an accepted preflight: 2xx, 204 by default.
        pub fn preflight_status(mut self, status: u16) -> Self {
            self.spec_mut().preflight_status = Some(status);
            self
        }

        /// Allow the opaque origin `null`, sent by sandboxed iframes and
        /// `file:` pages that any site can create. Never with credentials.
        pub fn dangerously_allow_null_origin(mut self, allow: bool) -> Self {
            self.spec_mut().dangerously_allow_null_origin = Some(allow);
            self
        }

        /// Allow `http://` origins on hosts other than loopback together with
        /// credentials, although anyone on the network path can act as them.
        pub fn dangerously_allow_insecure_origins(mut self, allow: bool) -> Self {
            self.spec_mut().dangerously_allow_insecure_origins = Some(allow);
            self
        }
    };
}

pub(crate) use policy_setters;

/// A route policy built at run time, for [`attach`](crate::attach). Keys
/// left unset are taken from the App defaults, exactly as for `#[cors]`.
///
/// # Examples
///
/// ```
/// use cors_actix::CorsPolicy;
///
/// let policy = CorsPolicy::new()
///     .origins(["https://app.example.com"])
///     .methods(["GET", "PUT"])
///     .credentials(true);
/// assert!(policy.build().is_ok());
///
/// let broken = CorsPolicy::new().origins(["*"]).credentials(true);
/// assert!(broken.build().unwrap_err().to_string().contains("wildcard with credentials"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "a policy does nothing until it is attached, named or built"]
pub struct CorsPolicy {
    spec: PolicySpecBuf,
    /// Keys read from the environment, which win over `spec`.
    pub(crate) env: EnvLayer,
}

impl CorsPolicy {
    /// A policy with no key set: everything comes from the App defaults.
    pub fn new() -> Self {
        CorsPolicy::default()
    }

    fn spec_mut(&mut self) -> &mut PolicySpecBuf {
        &mut self.spec
    }

    policy_setters!();

    /// Reads the origins from an environment variable, comma-separated, as
    /// [`CorsBuilder::origins_from_env`](crate::CorsBuilder::origins_from_env)
    /// does: the environment wins over code, and every value read is
    /// validated.
    ///
    /// ```
    /// use cors_actix::CorsPolicy;
    ///
    /// std::env::set_var("ADMIN_ORIGINS", "https://admin.example.com");
    /// let policy = CorsPolicy::new().origins_from_env("ADMIN_ORIGINS").credentials(true);
    /// assert!(policy.build().unwrap().credentials());
    /// ```
    pub fn origins_from_env(mut self, var: &str) -> Self {
        self.env.read(Field::Origins, var, true);
        self
    }

    /// Reads the keys from the variables
    /// [`CorsBuilder::from_env`](crate::CorsBuilder::from_env) reads, after
    /// `prefix` instead of `CORS_`: `from_env_prefixed("ADMIN_CORS_")`
    /// reads `ADMIN_CORS_ALLOWED_ORIGINS` (required), `ADMIN_CORS_MAX_AGE`
    /// and so on.
    ///
    /// ```
    /// use cors_actix::CorsPolicy;
    ///
    /// std::env::set_var("ADMIN_CORS_ALLOWED_ORIGINS", "https://admin.example.com");
    /// std::env::set_var("ADMIN_CORS_MAX_AGE", "60");
    /// let policy = CorsPolicy::new().max_age(600).from_env_prefixed("ADMIN_CORS_");
    /// assert_eq!(policy.build().unwrap().max_age(), "60");
    /// ```
    pub fn from_env_prefixed(mut self, prefix: &str) -> Self {
        self.env.read_all(prefix);
        self
    }

    /// Validates the policy on its own, without App defaults, with the
    /// values read from the environment in place of those set in code.
    ///
    /// A variable that could not be read (unset, empty, `;`-separated) is
    /// not a validator's error: it is reported where the policy is used, by
    /// [`CorsBuilder::build`](crate::CorsBuilder::build) for a named policy
    /// and when the App starts for [`attach`](crate::attach).
    ///
    /// # Errors
    ///
    /// Every problem found by `cors-core`'s validator.
    pub fn build(&self) -> Result<Policy, ConfigErrors> {
        self.effective().with_spec(Policy::build)
    }

    /// The keys as set in code.
    pub fn spec(&self) -> &PolicySpecBuf {
        &self.spec
    }

    /// The keys as used: those read from the environment in place of those
    /// set in code.
    pub(crate) fn effective(&self) -> PolicySpecBuf {
        self.env.over(&self.spec).0
    }
}
