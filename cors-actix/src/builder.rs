//! [`CorsBuilder`]: App defaults and options, from code and the environment.

use crate::env::EnvLayer;
use crate::live::CorsHandle;
use crate::middleware::Cors;
use crate::policy::policy_setters;
use crate::policy::CorsPolicy;
use crate::report::DefaultKey;
use crate::resolve::RuntimeNamed;
use cors_core::policy::{PolicySpecBuf, KEYS};
use cors_core::{ConfigError, ErrorKind, Field, Policy};
use std::fmt;
use std::time::Duration;

/// Builds a [`Cors`] with App defaults and options.
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `.build()`"]
pub struct CorsBuilder {
    spec: PolicySpecBuf,
    /// `None`: not set (off; a reload keeps what was built).
    strict: Option<bool>,
    debug_header: Option<bool>,
    /// Keys read from the environment, which win over `spec`.
    env: EnvLayer,
    refusal_summary: Option<Duration>,
    /// Policies supplied by name, in the order given.
    named: Vec<(String, CorsPolicy)>,
}

impl CorsBuilder {
    fn spec_mut(&mut self) -> &mut PolicySpecBuf {
        &mut self.spec
    }

    policy_setters!();

    /// Strict mode: refuse state-changing requests (POST, PUT, PATCH,
    /// DELETE) from origins the route's policy does not allow, with 403
    /// before anything else runs. CORS only stops JavaScript from *reading*
    /// a response; a cross-site form POST still reaches the handler. Strict
    /// mode stops its side effects, as defence in depth beside CSRF tokens
    /// and `SameSite` cookies. Same-origin requests (`Sec-Fetch-Site:
    /// same-origin`, or an `Origin` equal to the request's own scheme and
    /// host) and requests without `Origin` pass. Before routing, guards are
    /// unknown: a request is refused when any annotated route matching its
    /// path and method would refuse it.
    ///
    /// ```
    /// let cors = cors_actix::Cors::builder()
    ///     .origins(["https://app.example.com"])
    ///     .strict(true)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = Some(strict);
        self
    }

    /// Adds `x-cors-reason` to the 403 responses of refusals, naming the reason. Only in
    /// debug builds (`debug_assertions`); ignored in release builds.
    pub fn debug_header(mut self, enable: bool) -> Self {
        self.debug_header = Some(enable);
        self
    }

    /// How often repeated refusals are counted in one `warn` line; 60
    /// seconds by default.
    ///
    /// The first refusal of each route and reason code is logged at `warn`
    /// (target `cors_actix`). Repeats are logged at `debug`, so that a
    /// scanner cannot fill a production log, and counted: while they
    /// happen, one `warn` line at most this often says how many there were.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let cors = cors_actix::Cors::builder()
    ///     .origins(["https://app.example.com"])
    ///     .refusal_summary_every(Duration::from_secs(600))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn refusal_summary_every(mut self, every: Duration) -> Self {
        self.refusal_summary = Some(every);
        self
    }

    /// Supplies the policy that `#[cors(policy = "name")]` names, for
    /// policies that differ per deployment (staging and production origins,
    /// say). A string names a policy supplied here, when the App starts; an
    /// identifier (`policy = ADMIN`) names a `cors_policy!`, fixed at compile
    /// time.
    ///
    /// The merge is the same as for `cors_policy!`: keys the route writes
    /// win, then the named policy's, then the App defaults'. The policy is
    /// validated here on its own, and again with each route that uses it
    /// when the App starts. A route naming a policy that is not supplied
    /// stops the App, naming the route; a policy no route names is a note
    /// in the report.
    ///
    /// ```
    /// use actix_web::{delete, test, App, HttpResponse, Responder};
    /// use cors_actix::{cors, Cors, CorsPolicy};
    ///
    /// #[cors(policy = "admin")]
    /// #[delete("/users/{id}")]
    /// async fn delete_user() -> impl Responder {
    ///     HttpResponse::NoContent().finish()
    /// }
    ///
    /// # #[actix_web::main]
    /// # async fn main() {
    /// std::env::set_var("ADMIN_ORIGINS", "https://admin.example.com");
    /// let cors = Cors::builder()
    ///     .named_policy("admin", CorsPolicy::new().origins_from_env("ADMIN_ORIGINS").credentials(true))
    ///     .build()
    ///     .unwrap();
    /// let app = test::init_service(App::new().wrap(cors.clone()).service(delete_user)).await;
    /// let route = &cors.report().unwrap().routes[0];
    /// assert_eq!(route.source, cors_actix::PolicySource::Supplied("admin".into()));
    /// assert!(route.policy.as_ref().unwrap().credentials());
    /// # }
    /// ```
    pub fn named_policy(mut self, name: &str, policy: CorsPolicy) -> Self {
        self.named.push((name.to_owned(), policy));
        self
    }

    /// Reads the origins from an environment variable, comma-separated.
    /// The variable must be set; see [`CorsBuilder::with_env`] for how the
    /// environment and code combine.
    ///
    /// ```
    /// std::env::set_var("ADMIN_ORIGINS", "https://admin.example.com, https://ops.example.com");
    /// let cors = cors_actix::Cors::builder().origins_from_env("ADMIN_ORIGINS").build();
    /// assert!(cors.is_ok());
    ///
    /// std::env::set_var("ADMIN_ORIGINS", "https://admin.example.com;https://ops.example.com");
    /// let error = cors_actix::Cors::builder().origins_from_env("ADMIN_ORIGINS").build().unwrap_err();
    /// assert!(error.to_string().contains("separate them with commas"));
    /// ```
    pub fn origins_from_env(mut self, var: &str) -> Self {
        self.env.read(Field::Origins, var, true);
        self
    }

    /// Reads the App defaults from the environment: `CORS_ALLOWED_ORIGINS`
    /// (required), and when set `CORS_ALLOWED_METHODS`,
    /// `CORS_ALLOWED_HEADERS`, `CORS_EXPOSE_HEADERS` (comma-separated),
    /// `CORS_ALLOW_CREDENTIALS` (`true`/`false`) and `CORS_MAX_AGE`
    /// (seconds).
    ///
    /// **The environment wins.** A key read from a variable replaces the
    /// value set in code, whatever the order of the calls: code holds the
    /// defaults, the deployment says what is true where it runs. Every value
    /// read is validated, and each error names its variable. The report
    /// ([`Cors::report`]) lists the keys the environment set, and those
    /// where it replaced a value from code.
    ///
    /// ```
    /// std::env::set_var("CORS_ALLOWED_ORIGINS", "https://app.example.com");
    /// std::env::set_var("CORS_MAX_AGE", "100000");
    /// // Code says 600, the environment says 100000: the environment's value
    /// // is the one used, and it is refused (no browser honours it).
    /// let error = cors_actix::Cors::builder().with_env().max_age(600).build().unwrap_err();
    /// assert!(error.to_string().contains("CORS_MAX_AGE: max_age too large"));
    /// # std::env::remove_var("CORS_MAX_AGE");
    /// ```
    pub fn with_env(self) -> Self {
        self.with_env_prefixed("CORS_")
    }

    /// [`CorsBuilder::with_env`] with another prefix than `CORS_`:
    /// `with_env_prefixed("API_CORS_")` reads `API_CORS_ALLOWED_ORIGINS`,
    /// `API_CORS_MAX_AGE` and so on.
    ///
    /// ```
    /// std::env::set_var("API_CORS_ALLOWED_ORIGINS", "https://app.example.com");
    /// let cors = cors_actix::Cors::builder().with_env_prefixed("API_CORS_").build();
    /// assert!(cors.is_ok());
    /// ```
    pub fn with_env_prefixed(mut self, prefix: &str) -> Self {
        self.env.read_all(prefix);
        self
    }

    /// Validates the defaults with `cors-core`'s validator.
    ///
    /// A builder with no policy key set gives a middleware without defaults,
    /// like [`Cors::new`] with the options set.
    ///
    /// # Errors
    ///
    /// Every problem at once; its `Display` lists each with the offending
    /// value as written.
    pub fn build(self) -> Result<Cors, BuildError> {
        self.into_parts().map(Cors::from_parts)
    }

    /// [`CorsBuilder::build`], with a [`CorsHandle`] that replaces the App
    /// defaults and named policies while the server runs: tenants' origins
    /// kept in a database, say.
    ///
    /// The handle is `Clone + Send + Sync`; a reload applies to every App
    /// built from the returned `Cors` (and its clones), in every worker.
    /// See [`CorsHandle::reload`] for what a reload does and costs.
    ///
    /// # Errors
    ///
    /// As [`CorsBuilder::build`].
    ///
    /// ```
    /// use cors_actix::Cors;
    ///
    /// let (cors, handle) = Cors::builder().origins(["https://a.example"]).build_reloadable().unwrap();
    /// let app = actix_web::App::new().wrap(cors);
    /// std::thread::spawn(move || {
    ///     // Later, from any thread or task:
    ///     handle.reload(Cors::builder().origins(["https://a.example", "https://b.example"]))
    /// });
    /// ```
    pub fn build_reloadable(self) -> Result<(Cors, CorsHandle), BuildError> {
        let cors = self.build()?;
        let handle = CorsHandle {
            inner: cors.inner.clone(),
        };
        Ok((cors, handle))
    }

    /// Validates everything; what `build` and a reload make their `Cors`
    /// from.
    pub(crate) fn into_parts(self) -> Result<Parts, BuildError> {
        let (spec, replaced) = self.env.over(&self.spec);
        let mut problems = self.env.problems.clone();
        let mut named: Vec<RuntimeNamed> = Vec::with_capacity(self.named.len());
        for (name, policy) in &self.named {
            let in_policy = |problem: BuildProblem| BuildProblem::NamedPolicy {
                name: name.clone(),
                problem: Box::new(problem),
            };
            if name.is_empty() || named.iter().any(|n| n.name == *name) {
                problems.push(in_policy(BuildProblem::PolicyName {
                    message: match name.is_empty() {
                        true => "a named policy needs a name".into(),
                        false => "is supplied twice; supply each name once".into(),
                    },
                }));
                continue;
            }
            problems.extend(policy.env.problems.iter().cloned().map(in_policy));
            let effective = policy.effective();
            // Its origins may come from the App defaults: that is checked
            // with each route when the App starts.
            if let Err(errors) =
                effective.with_spec(|spec| cors_core::validate(spec, Default::default()).policy)
            {
                problems.extend(
                    errors
                        .into_iter()
                        .filter(|e| e.kind() != ErrorKind::MissingOrigins)
                        .map(|error| {
                            let env = env_of(&policy.env, &error).map(str::to_owned);
                            in_policy(BuildProblem::Config { error, env })
                        }),
                );
            }
            named.push(RuntimeNamed {
                name: name.clone(),
                spec: effective,
                vars: policy.env.vars.clone(),
            });
        }
        let defaults = if spec == PolicySpecBuf::default() {
            None
        } else {
            match spec.with_spec(Policy::build) {
                Ok(policy) => {
                    let keys = spec.with_spec(|set| {
                        KEYS.iter()
                            .filter(|key| key.field.is_some_and(|f| set.sets_field(f)))
                            .map(|key| {
                                let field = key.field.as_ref();
                                let var = field.and_then(|f| self.env.var(*f));
                                DefaultKey {
                                    key: key.name,
                                    env: var.map(str::to_owned),
                                    overrides_code: field.is_some_and(|f| replaced.contains(f)),
                                }
                            })
                            .collect()
                    });
                    Some(DefaultsConfig { spec, policy, keys })
                }
                Err(errors) => {
                    problems.extend(errors.into_iter().map(|error| {
                        let env = env_of(&self.env, &error).map(str::to_owned);
                        BuildProblem::Config { error, env }
                    }));
                    None
                }
            }
        };
        if problems.is_empty() {
            Ok(Parts {
                defaults,
                named,
                strict: self.strict,
                debug_header: self.debug_header,
                refusal_summary: self.refusal_summary,
            })
        } else {
            Err(BuildError { problems })
        }
    }
}

/// The variable an error comes from: its key's, or one of the keys the rule
/// couples it with ([`ErrorKind::coupled`](cors_core::ErrorKind::coupled)).
fn env_of<'e>(env: &'e EnvLayer, error: &ConfigError) -> Option<&'e str> {
    std::iter::once(&error.field())
        .chain(error.kind().coupled())
        .find_map(|field| env.var(*field))
}

/// A builder's validated settings.
pub(crate) struct Parts {
    pub defaults: Option<DefaultsConfig>,
    pub named: Vec<RuntimeNamed>,
    /// `None` (here and below): not set.
    pub strict: Option<bool>,
    pub debug_header: Option<bool>,
    /// `None`: the default, 60 seconds.
    pub refusal_summary: Option<Duration>,
}

/// The validated App defaults, with where each key was set.
#[derive(Clone, Debug)]
pub(crate) struct DefaultsConfig {
    pub spec: PolicySpecBuf,
    pub policy: Policy,
    pub keys: Vec<DefaultKey>,
}

/// One problem found by [`CorsBuilder::build`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildProblem {
    /// A value breaks a rule; `env` names the variable it came from.
    Config {
        /// The validator's finding.
        error: ConfigError,
        /// The environment variable, when the value came from one.
        env: Option<String>,
    },
    /// An environment variable is missing or unreadable.
    Env {
        /// The variable.
        var: String,
        /// What is wrong with it.
        message: String,
    },
    /// A policy's name given to [`CorsBuilder::named_policy`] is empty or
    /// given twice (inside [`BuildProblem::NamedPolicy`]).
    PolicyName {
        /// What is wrong with it.
        message: String,
    },
    /// A problem of a policy supplied with
    /// [`CorsBuilder::named_policy`].
    NamedPolicy {
        /// The policy's name.
        name: String,
        /// The problem.
        problem: Box<BuildProblem>,
    },
}

impl fmt::Display for BuildProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildProblem::Config {
                error,
                env: Some(var),
            } => write!(f, "{var}: {error}"),
            BuildProblem::Config { error, env: None } => write!(f, "{error}"),
            BuildProblem::PolicyName { message } => f.write_str(message),
            BuildProblem::Env { var, message } if var.is_empty() => f.write_str(message),
            BuildProblem::Env { var, message } => write!(f, "{var} {message}"),
            BuildProblem::NamedPolicy { name, problem } => {
                write!(f, "policy \"{name}\": {problem}")
            }
        }
    }
}

/// The error of [`CorsBuilder::build`]: every problem, each naming the
/// offending value verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    problems: Vec<BuildProblem>,
}

impl BuildError {
    /// The problems, in the order the values were written.
    pub fn problems(&self) -> &[BuildProblem] {
        &self.problems
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{n} CORS configuration error{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}
