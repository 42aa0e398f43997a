//! Runtime policies: [`CorsPolicy`] for routes attached by hand, and the
//! setters it shares with [`CorsBuilder`](crate::CorsBuilder). Their method
//! names are the attribute's keys.

use cors_core::policy::PolicySpecBuf;
use cors_core::{ConfigErrors, Policy};

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
pub struct CorsPolicy {
    pub(crate) spec: PolicySpecBuf,
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

    /// Validates the policy on its own, without App defaults.
    ///
    /// # Errors
    ///
    /// Every problem found by `cors-core`'s validator.
    pub fn build(&self) -> Result<Policy, ConfigErrors> {
        self.spec.with_spec(Policy::build)
    }

    /// The keys as set.
    pub fn spec(&self) -> &PolicySpecBuf {
        &self.spec
    }
}
