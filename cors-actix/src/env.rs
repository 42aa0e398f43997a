//! Policy keys read from environment variables: the values, the variable
//! each came from, and the problems found while reading them.

use crate::builder::BuildProblem;
use cors_core::policy::PolicySpecBuf;
use cors_core::Field;

/// The keys the environment set, kept apart from those set in code so that
/// the environment wins whatever the order of calls, and every value read is
/// validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EnvLayer {
    pub spec: PolicySpecBuf,
    /// Each key read, with its variable, in the order read.
    pub vars: Vec<(Field, String)>,
    pub problems: Vec<BuildProblem>,
}

/// The variables of [`EnvLayer::read_all`], after their prefix (`CORS_`),
/// with the key each sets.
pub(crate) const STANDARD: [(Field, &str); 6] = [
    (Field::Origins, "ALLOWED_ORIGINS"),
    (Field::Methods, "ALLOWED_METHODS"),
    (Field::Headers, "ALLOWED_HEADERS"),
    (Field::Expose, "EXPOSE_HEADERS"),
    (Field::Credentials, "ALLOW_CREDENTIALS"),
    (Field::MaxAge, "MAX_AGE"),
];

impl EnvLayer {
    /// The variable that set `field`, if one did.
    pub fn var(&self, field: Field) -> Option<&str> {
        self.vars
            .iter()
            .rev()
            .find(|(f, _)| *f == field)
            .map(|(_, var)| var.as_str())
    }

    /// Reads `var` into `field`; a missing variable is a problem when
    /// `required`, and leaves the key as it was otherwise.
    pub fn read(&mut self, field: Field, var: &str, required: bool) {
        let value = match std::env::var(var) {
            Ok(value) => value,
            Err(std::env::VarError::NotPresent) => {
                if required {
                    self.problem(var, "is not set".to_owned());
                }
                return;
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return self.problem(var, "is not valid UTF-8".to_owned());
            }
        };
        let what = match field {
            Field::Origins | Field::DevOrigins => "origins",
            Field::Methods => "methods",
            Field::Headers | Field::Expose => "header names",
            Field::Credentials => return self.flag(var, &value),
            Field::MaxAge | Field::PreflightStatus => return self.seconds(var, &value),
        };
        if value.trim().is_empty() {
            return self.problem(
                var,
                format!("is set but empty; list the {what}, comma-separated, or unset it"),
            );
        }
        if value.contains(';') {
            let fixed: Vec<&str> = value.split([';', ',']).map(str::trim).collect();
            return self.problem(
                var,
                format!(
                    "separates its {what} with `;`; separate them with commas: `{}`",
                    fixed.join(",")
                ),
            );
        }
        let items: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let slot = match field {
            Field::Origins => &mut self.spec.origins,
            Field::DevOrigins => &mut self.spec.dev_origins,
            Field::Methods => &mut self.spec.methods,
            Field::Headers => &mut self.spec.headers,
            _ => &mut self.spec.expose,
        };
        *slot = Some(items);
        self.vars.push((field, var.to_owned()));
    }

    /// Reads every variable of [`STANDARD`] after `prefix`; only the origins
    /// are required.
    pub fn read_all(&mut self, prefix: &str) {
        for (field, var) in STANDARD {
            self.read(field, &format!("{prefix}{var}"), field == Field::Origins);
        }
    }

    fn flag(&mut self, var: &str, value: &str) {
        match value.trim() {
            "true" => self.spec.credentials = Some(true),
            "false" => self.spec.credentials = Some(false),
            "" => {
                return self.problem(
                    var,
                    "is set but empty; write `true` or `false`, or unset it".to_owned(),
                )
            }
            other => return self.problem(var, format!("is `{other}`; write `true` or `false`")),
        }
        self.vars.push((Field::Credentials, var.to_owned()));
    }

    fn seconds(&mut self, var: &str, value: &str) {
        match value.trim() {
            "" => self.problem(
                var,
                "is set but empty; write a number of seconds, or unset it".to_owned(),
            ),
            text => match text.parse::<i64>() {
                Ok(seconds) => {
                    self.spec.max_age = Some(seconds);
                    self.vars.push((Field::MaxAge, var.to_owned()));
                }
                Err(_) => self.problem(var, format!("is `{value}`; write a number of seconds")),
            },
        }
    }

    fn problem(&mut self, var: &str, message: String) {
        self.problems.push(BuildProblem::Env {
            var: var.to_owned(),
            message,
        });
    }

    /// `code` with every key this layer set replaced by the environment's
    /// value, and the keys whose code value the environment replaced.
    pub fn over(&self, code: &PolicySpecBuf) -> (PolicySpecBuf, Vec<Field>) {
        let mut merged = code.clone();
        let mut replaced = Vec::new();
        for (field, _) in &self.vars {
            let set_in_code = match field {
                Field::Origins => replace(&mut merged.origins, &self.spec.origins),
                Field::DevOrigins => replace(&mut merged.dev_origins, &self.spec.dev_origins),
                Field::Methods => replace(&mut merged.methods, &self.spec.methods),
                Field::Headers => replace(&mut merged.headers, &self.spec.headers),
                Field::Expose => replace(&mut merged.expose, &self.spec.expose),
                Field::Credentials => replace(&mut merged.credentials, &self.spec.credentials),
                Field::MaxAge => replace(&mut merged.max_age, &self.spec.max_age),
                Field::PreflightStatus => {
                    replace(&mut merged.preflight_status, &self.spec.preflight_status)
                }
            };
            let differs = set_in_code.is_some_and(|was| was);
            if differs && !replaced.contains(field) {
                replaced.push(*field);
            }
        }
        (merged, replaced)
    }
}

/// Puts `env` in `slot`; `Some(true)` when code had set another value.
fn replace<T: Clone + PartialEq>(slot: &mut Option<T>, env: &Option<T>) -> Option<bool> {
    let was = std::mem::replace(slot, env.clone());
    was.map(|was| Some(&was) != env.as_ref())
}
