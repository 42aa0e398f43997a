//! [`CorsBuilder`]: App defaults and options, from code and the environment.

use crate::middleware::Cors;
use crate::policy::policy_setters;
use cors_core::policy::PolicySpecBuf;
use cors_core::{ConfigError, Field, Policy};
use std::fmt;

/// Builds a [`Cors`] with App defaults and options.
#[derive(Clone, Debug, Default)]
pub struct CorsBuilder {
    spec: PolicySpecBuf,
    strict: bool,
    debug_header: bool,
    /// Fields read from the environment, with their variable.
    env: Vec<(Field, String)>,
    env_problems: Vec<BuildProblem>,
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
        self.strict = strict;
        self
    }

    /// Adds `x-cors-reason` to rejected responses, naming the reason. Only in
    /// debug builds (`debug_assertions`); ignored in release builds.
    pub fn debug_header(mut self, enable: bool) -> Self {
        self.debug_header = enable;
        self
    }

    /// Reads the origins from an environment variable, comma-separated.
    pub fn origins_from_env(mut self, var: &str) -> Self {
        match list_from_env(var) {
            Ok(Some(origins)) => {
                self.env.push((Field::Origins, var.to_owned()));
                self.origins(origins)
            }
            Ok(None) => {
                self.env_problems.push(BuildProblem::Env {
                    var: var.to_owned(),
                    message: "is not set".into(),
                });
                self
            }
            Err(problem) => {
                self.env_problems.push(problem);
                self
            }
        }
    }

    /// Reads the defaults from the environment; see [`Cors::from_env`].
    pub fn from_env(mut self) -> Self {
        self = self.origins_from_env("CORS_ALLOWED_ORIGINS");
        let lists = [
            (Field::Methods, "CORS_ALLOWED_METHODS"),
            (Field::Headers, "CORS_ALLOWED_HEADERS"),
            (Field::Expose, "CORS_EXPOSE_HEADERS"),
        ];
        for (field, var) in lists {
            match list_from_env(var) {
                Ok(Some(items)) => {
                    self.env.push((field, var.to_owned()));
                    let spec = &mut self.spec;
                    let slot = match field {
                        Field::Methods => &mut spec.methods,
                        Field::Headers => &mut spec.headers,
                        _ => &mut spec.expose,
                    };
                    *slot = Some(items);
                }
                Ok(None) => {}
                Err(problem) => self.env_problems.push(problem),
            }
        }
        match std::env::var("CORS_ALLOW_CREDENTIALS").as_deref() {
            Ok("true") => self.spec.credentials = Some(true),
            Ok("false") => self.spec.credentials = Some(false),
            Ok(other) => self.env_problems.push(BuildProblem::Env {
                var: "CORS_ALLOW_CREDENTIALS".into(),
                message: format!("is `{other}`; write `true` or `false`"),
            }),
            Err(_) => {}
        }
        match std::env::var("CORS_MAX_AGE").map(|v| v.trim().parse::<i64>().map_err(|_| v)) {
            Ok(Ok(seconds)) => {
                self.env.push((Field::MaxAge, "CORS_MAX_AGE".into()));
                self.spec.max_age = Some(seconds);
            }
            Ok(Err(value)) => self.env_problems.push(BuildProblem::Env {
                var: "CORS_MAX_AGE".into(),
                message: format!("is `{value}`; write a number of seconds"),
            }),
            Err(_) => {}
        }
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
        let mut problems = self.env_problems;
        let defaults = if self.spec == PolicySpecBuf::default() {
            None
        } else {
            match self.spec.with_spec(Policy::build) {
                Ok(policy) => Some((self.spec, policy)),
                Err(errors) => {
                    problems.extend(errors.into_iter().map(|error| {
                        let env = self
                            .env
                            .iter()
                            .find(|(f, _)| *f == error.field())
                            .map(|(_, v)| v.clone());
                        BuildProblem::Config { error, env }
                    }));
                    None
                }
            }
        };
        if problems.is_empty() {
            Ok(Cors::from_parts(defaults, self.strict, self.debug_header))
        } else {
            Err(BuildError { problems })
        }
    }
}

fn list_from_env(var: &str) -> Result<Option<Vec<String>>, BuildProblem> {
    match std::env::var(var) {
        Ok(value) => Ok(Some(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        )),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(BuildProblem::Env {
            var: var.to_owned(),
            message: "is not valid UTF-8".into(),
        }),
    }
}

/// One problem found by [`CorsBuilder::build`].
#[derive(Clone, Debug, PartialEq, Eq)]
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
}

impl fmt::Display for BuildProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildProblem::Config {
                error,
                env: Some(var),
            } => write!(f, "{var}: {error}"),
            BuildProblem::Config { error, env: None } => write!(f, "{error}"),
            BuildProblem::Env { var, message } => write!(f, "{var} {message}"),
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
