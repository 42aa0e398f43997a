//! Validation: turns the parsed arguments into a `PolicySpec`, asks
//! `cors-core`'s validator about it, and puts each finding on the token it is
//! about. No CORS rule is written here.

use crate::ctxt::{Ctxt, SpanRange};
use crate::parse::{Arg, ArgKey, Args, Value};
use cors_core::policy::{KeyValue, PolicySpecBuf};
use cors_core::validate::{check_route_methods, default_route_methods};
use cors_core::{
    validate, BuildOptions, ConfigError, ErrorKind, Field, OriginPredicate, Policy, PolicySpec,
};
use proc_macro2::Span;

/// The spec as written: `cors-core`'s owned spec, plus the path of
/// `origin_fn`, which only exists in the user's crate.
#[derive(Default)]
pub struct OwnedSpec {
    pub buf: PolicySpecBuf,
    pub origin_fn: Option<syn::Path>,
}

/// Stands in for the user's `origin_fn` during validation; the expansion
/// emits the user's path.
fn placeholder(_: &str) -> bool {
    false
}

impl OwnedSpec {
    /// Calls `f` with the borrowed `PolicySpec` view of this spec.
    pub fn with_spec<R>(&self, f: impl FnOnce(&PolicySpec<'_>) -> R) -> R {
        self.buf.with_spec(f)
    }
}

/// What the attribute asks for.
pub enum Mode {
    /// `#[cors(disable)]`
    Disable,
    /// `#[cors]`
    Defaults,
    /// `#[cors(key = value, ...)]`
    Spec(Checked),
    /// `#[cors(policy = NAME, overrides...)]`
    Named(syn::Path, Checked),
    /// `#[cors(policy = "name", overrides...)]`: supplied when the App starts.
    Runtime(String, Checked),
}

/// A validated spec and, when it names its origins, its compiled policies.
pub struct Checked {
    pub spec: OwnedSpec,
    /// `(release, debug)`: the policy without and with `dev_origins`.
    pub compiled: Option<(Policy, Policy)>,
    /// Non-fatal findings, with the token each is about.
    pub notes: Vec<(Span, String)>,
}

fn list(arg: Option<&Arg>) -> Option<Vec<String>> {
    match arg.map(|a| &a.value) {
        Some(Value::List(items)) => Some(items.iter().map(syn::LitStr::value).collect()),
        _ => None,
    }
}

fn path(arg: Option<&Arg>) -> Option<syn::Path> {
    match arg.map(|a| &a.value) {
        Some(Value::Path(p)) => Some(p.clone()),
        _ => None,
    }
}

/// Reads the spec written in `args`, key by key through
/// [`PolicySpecBuf::set`]; `origin_fn` is stored as a placeholder and its
/// path kept aside for the expansion.
pub fn owned_spec(args: &Args, cx: &Ctxt) -> OwnedSpec {
    let mut buf = PolicySpecBuf::default();
    for arg in &args.args {
        let ArgKey::Field(field) = arg.id else {
            continue;
        };
        let value = match &arg.value {
            Value::List(items) => KeyValue::List(items.iter().map(syn::LitStr::value).collect()),
            Value::Flag => KeyValue::Flag(true),
            Value::Bool(b) => KeyValue::Flag(*b),
            Value::Int(n) => KeyValue::Int(*n),
            Value::Path(_) => KeyValue::Path(OriginPredicate(placeholder)),
        };
        if let Err(KeyValue::Int(n)) = buf.set(field, value) {
            let message = match field {
                Field::PreflightStatus => format!("invalid preflight status: `{n}` is not an HTTP status; use 204 (the default) or 200"),
                _ => format!("`{n}` is out of range for `{}`", field.key()),
            };
            cx.error(arg.span, message);
        }
    }
    OwnedSpec {
        buf,
        origin_fn: path(args.get(Field::OriginFn)),
    }
}

/// The span an error of `field` at `index` belongs on.
fn span_of(args: &Args, field: Field, index: Option<usize>) -> SpanRange {
    let arg = args.get(field);
    match arg {
        Some(arg) => arg.item_span(index),
        // A finding about a key that was not written (the route's default
        // methods, or `origins` inherited from nowhere): the attribute.
        None => Span::call_site().into(),
    }
}

fn report(args: &Args, cx: &Ctxt, errors: impl IntoIterator<Item = ConfigError>) {
    for error in errors {
        cx.error(span_of(args, error.field(), error.index()), &error);
    }
}

/// Validates the attribute. `served` are the methods the handler's routes
/// serve together (`None` for a named policy, which belongs to no route);
/// `routes` is how many route attributes the handler has.
pub fn check(args: &Args, served: Option<&[String]>, routes: usize, cx: &Ctxt) -> Mode {
    if args.is_empty() {
        return Mode::Defaults;
    }
    if let Some(disable) = args.get(ArgKey::Disable) {
        for other in args.args.iter().filter(|a| a.id != ArgKey::Disable) {
            cx.error(other.key.span(), format!("`disable` turns CORS off for this route, so `{}` has no effect; remove one of them", other.key));
        }
        if matches!(disable.value, Value::Bool(false)) {
            cx.error(disable.span, "`disable = false` turns nothing off; write `#[cors]` to use the App defaults, or `#[cors(disable)]` to turn CORS off");
        }
        return Mode::Disable;
    }
    let named = path(args.get(ArgKey::Policy));
    let runtime = list(args.get(ArgKey::Policy)).and_then(|names| names.into_iter().next());
    let mut spec = owned_spec(args, cx);
    let mut route_errors = Vec::new();
    if let Some(served) = served {
        let served: Vec<&str> = served.iter().map(String::as_str).collect();
        if let Some(methods) = &spec.buf.methods {
            let methods: Vec<&str> = methods.iter().map(String::as_str).collect();
            if let Err(errors) = check_route_methods(&methods, &served) {
                route_errors.extend(errors);
            }
        } else if named.is_none() && runtime.is_none() && routes == 1 {
            // The route's own methods are the default. With several route
            // attributes (`#[routes]`), each gets its own when the App
            // starts, so nothing is compiled ahead for them.
            let methods = default_route_methods(&served);
            spec.buf.methods = Some(methods.into_iter().map(str::to_owned).collect());
        }
    }
    // A policy is compiled ahead only when the App's start-up has nothing
    // left to add: its origins are its own, and its methods are neither per
    // route (`#[routes]`) nor `"*"` (expanded to the route's methods when
    // the App starts).
    let star_methods = spec
        .buf
        .methods
        .as_ref()
        .is_some_and(|m| m.iter().any(|m| m == "*"));
    let complete = named.is_none()
        && runtime.is_none()
        && spec.buf.has_origins()
        && routes <= 1
        && !star_methods;
    let (release, debug, notes) = spec.with_spec(|view| {
        let debug = validate(view, BuildOptions { dev_origins: true });
        // Without `dev_origins` both builds are the same policy.
        let release = match view.dev_origins {
            Some(_) => validate(view, BuildOptions { dev_origins: false }),
            None => debug.clone(),
        };
        let notes = debug_notes(args, &debug.notes);
        (release, debug, notes)
    });
    // Both builds see the same lists; report the debug build's errors, which
    // also cover `dev_origins`. An incomplete spec takes its origins from
    // the App defaults at start-up, so "no origins" is not an error yet.
    let mut compiled = None;
    let mut errors: Vec<ConfigError> = match (release.policy, debug.policy) {
        (Ok(release), Ok(debug)) => {
            compiled = complete.then_some((release, debug));
            Vec::new()
        }
        (_, Err(errors)) | (Err(errors), _) => errors
            .into_iter()
            .filter(|e| e.kind() != ErrorKind::MissingOrigins || complete)
            .collect(),
    };
    // A method the validator refuses (`patch`, `TRACE`, `GE T`) is not also
    // "not served": its own error gives the right fix.
    route_errors.retain(|r| {
        !errors
            .iter()
            .any(|e| (e.field(), e.index()) == (r.field(), r.index()))
    });
    errors.extend(route_errors);
    errors.sort_by_key(|e| (e.field(), e.index()));
    report(args, cx, errors);
    let checked = Checked {
        spec,
        compiled,
        notes,
    };
    match (named, runtime) {
        (Some(path), _) => Mode::Named(path, checked),
        (None, Some(name)) => Mode::Runtime(name, checked),
        (None, None) => Mode::Spec(checked),
    }
}

fn debug_notes(args: &Args, notes: &[cors_core::Note]) -> Vec<(Span, String)> {
    notes
        .iter()
        .map(|n| (span_of(args, n.field(), n.index()).start, n.to_string()))
        .collect()
}
