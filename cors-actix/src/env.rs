//! Policy keys read from environment variables: the values, the variable
//! each came from, and the problems found while reading them.

use crate::builder::BuildProblem;
use cors_core::policy::KeyValue;
use cors_core::policy::PolicySpecBuf;
use cors_core::{Field, KeyKind};

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
        if var.is_empty() {
            return self.problem(var, "a variable's name cannot be empty".to_owned());
        }
        if var.contains(['=', '\0']) {
            return self.problem(
                var,
                "is not a variable's name: names hold no `=` or NUL".to_owned(),
            );
        }
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
        let what = match field.kind() {
            KeyKind::Flag => return self.flag(field, var, &value),
            KeyKind::Integer => return self.number(field, var, &value),
            KeyKind::Path => {
                return self.problem(
                    var,
                    format!(
                        "cannot set `{}`: it takes a function, set in code",
                        field.key()
                    ),
                );
            }
            _ if matches!(field, Field::Origins | Field::DevOrigins) => "origins",
            _ if field == Field::Methods => "methods",
            _ => "header names",
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
        if items.is_empty() {
            return self.problem(
                var,
                format!(
                    "lists no {what} (`{}`); list the {what}, comma-separated, or unset it",
                    value.trim()
                ),
            );
        }
        if !self.claim(field, var) {
            return;
        }
        if self.spec.set(field, KeyValue::List(items)).is_ok() {
            self.vars.push((field, var.to_owned()));
        }
    }

    /// Reads every variable of [`STANDARD`] after `prefix`; only the origins
    /// are required.
    pub fn read_all(&mut self, prefix: &str) {
        if prefix.contains(['=', '\0']) {
            return self.problem(
                prefix,
                "cannot start a variable's name: names hold no `=` or NUL".to_owned(),
            );
        }
        for (field, var) in STANDARD {
            self.read(field, &format!("{prefix}{var}"), field == Field::Origins);
        }
    }

    /// Whether `var` may set `field`: not when another variable did, since
    /// which wins would then depend on the order of the calls.
    fn claim(&mut self, field: Field, var: &str) -> bool {
        match self.var(field).filter(|other| *other != var) {
            Some(other) => {
                let message = format!(
                    "and {other} both set `{}`; read it from one of them",
                    field.key()
                );
                self.problem(var, message);
                false
            }
            None => true,
        }
    }

    fn flag(&mut self, field: Field, var: &str, value: &str) {
        if !self.claim(field, var) {
            return;
        }
        let flag = match value.trim() {
            "true" => true,
            "false" => false,
            "" => {
                return self.problem(
                    var,
                    "is set but empty; write `true` or `false`, or unset it".to_owned(),
                )
            }
            other => return self.problem(var, format!("is `{other}`; write `true` or `false`")),
        };
        if self.spec.set(field, KeyValue::Flag(flag)).is_ok() {
            self.vars.push((field, var.to_owned()));
        }
    }

    fn number(&mut self, field: Field, var: &str, value: &str) {
        if !self.claim(field, var) {
            return;
        }
        let what = match field {
            Field::MaxAge => "a number of seconds",
            _ => "a whole number",
        };
        match value.trim() {
            "" => self.problem(var, format!("is set but empty; write {what}, or unset it")),
            text => match text
                .parse::<i64>()
                .map(|n| self.spec.set(field, KeyValue::Int(n)))
            {
                Ok(Ok(())) => self.vars.push((field, var.to_owned())),
                _ => self.problem(var, format!("is `{value}`; write {what}")),
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
    /// value, by the merge rule ([`PolicySpec::or`](cors_core::PolicySpec::or),
    /// the environment's keys over code's: origins read from a variable take
    /// none of code's `origin_fn` and `dev_origins`), except `credentials`,
    /// which code keeps next to origins from a variable; and the keys whose
    /// code value the environment replaced.
    pub fn over(&self, code: &PolicySpecBuf) -> (PolicySpecBuf, Vec<Field>) {
        let mut merged = self
            .spec
            .with_spec(|env| code.with_spec(|code| PolicySpecBuf::from_spec(&env.or(*code))));
        // One policy from two sources, not a route over defaults: `*` read
        // from a variable does not make code's `credentials` go away (the
        // validator then refuses the pair, naming the variable).
        merged.credentials = self.spec.credentials.or(code.credentials);
        let replaced = code.with_spec(|code| {
            self.spec.with_spec(|env| {
                self.vars
                    .iter()
                    .map(|(field, _)| *field)
                    .filter(|field| match field {
                        // Origins from a variable replace all of code's
                        // origin keys (the merge rule).
                        Field::Origins => {
                            code.dev_origins.is_some()
                                || code.origin_fn.is_some()
                                || !code.same(env, *field) && code.sets_field(*field)
                        }
                        _ => code.sets_field(*field) && !code.same(env, *field),
                    })
                    .fold(Vec::new(), |mut all, field| {
                        if !all.contains(&field) {
                            all.push(field);
                        }
                        all
                    })
            })
        });
        (merged, replaced)
    }
}
