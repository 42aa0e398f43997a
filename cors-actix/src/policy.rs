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
/// [`CorsBuilder`](crate::CorsBuilder), one per key of `#[cors(...)]`,
/// generated from cors-core's one list of keys (`__policy_key_list!`): a key
/// added there gets its setter here, with the same name and docs.
macro_rules! policy_setters {
    () => {
        cors_core::__policy_key_list!($crate::policy::setters_from_keys);
    };
}

/// The callback of `policy_setters!`: one setter per key, by its kind.
macro_rules! setters_from_keys {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident $name:ident: $kind:ident($setter:ty), $spec_ty:ty, $buf_ty:ty, $short:literal;
    )*) => {
        $( $crate::policy::setter!($kind $name ($setter) [$($doc)*]); )*
    };
}

/// One setter, by the key's kind.
macro_rules! setter {
    (List $name:ident ($setter:ty) [$($doc:literal)*]) => {
        $(#[doc = $doc])*
        pub fn $name<I>(mut self, items: I) -> Self
        where
            I: IntoIterator,
            I::Item: AsRef<str>,
        {
            self.spec_mut().$name = Some($crate::policy::strings(items));
            self
        }
    };
    (Flag $name:ident ($setter:ty) [$($doc:literal)*]) => {
        $(#[doc = $doc])*
        pub fn $name(mut self, value: $setter) -> Self {
            self.spec_mut().$name = Some(value);
            self
        }
    };
    (Integer $name:ident ($setter:ty) [$($doc:literal)*]) => {
        $(#[doc = $doc])*
        pub fn $name(mut self, value: $setter) -> Self {
            self.spec_mut().$name = Some(value.into());
            self
        }
    };
    (Path $name:ident ($setter:ty) [$($doc:literal)*]) => {
        $(#[doc = $doc])*
        pub fn $name(mut self, predicate: $setter) -> Self {
            self.spec_mut().$name = Some(cors_core::OriginPredicate(predicate));
            self
        }
    };
}

pub(crate) use policy_setters;
pub(crate) use setter;
pub(crate) use setters_from_keys;

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
    /// [`CorsBuilder::with_env`](crate::CorsBuilder::with_env) reads, after
    /// `prefix` instead of `CORS_`: `with_env_prefixed("ADMIN_CORS_")`
    /// reads `ADMIN_CORS_ALLOWED_ORIGINS` (required), `ADMIN_CORS_MAX_AGE`
    /// and so on.
    ///
    /// ```
    /// use cors_actix::CorsPolicy;
    ///
    /// std::env::set_var("ADMIN_CORS_ALLOWED_ORIGINS", "https://admin.example.com");
    /// std::env::set_var("ADMIN_CORS_MAX_AGE", "60");
    /// let policy = CorsPolicy::new().max_age(600).with_env_prefixed("ADMIN_CORS_");
    /// assert_eq!(policy.build().unwrap().max_age_value(), "60");
    /// ```
    pub fn with_env_prefixed(mut self, prefix: &str) -> Self {
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
