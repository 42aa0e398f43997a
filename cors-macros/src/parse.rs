//! Parsing: the attribute's arguments into [`Args`], and the handler's route
//! attributes into [`Route`]s. Nothing here knows a CORS rule.

use crate::ctxt::{Ctxt, SpanRange};
use cors_core::{Field, Key, KeyKind, KEYS};
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, Token};

/// One written value.
pub enum Value {
    /// `key` alone.
    Flag,
    /// `key = ["a", "b"]` or `key = "a"`.
    List(Vec<LitStr>),
    /// `key = true`.
    Bool(bool),
    /// `key = 600` or `key = -1`.
    Int(i64),
    /// `key = some::path`.
    Path(syn::Path),
}

/// Which key an argument is: a policy field, or one of the two keys that
/// belong to a route. Arguments are looked up by it, never by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKey {
    Field(Field),
    /// `policy = NAME` or `policy = "name"`.
    Policy,
    /// `disable`.
    Disable,
}

impl From<Field> for ArgKey {
    fn from(field: Field) -> Self {
        ArgKey::Field(field)
    }
}

/// The key named `name`, if it is one of [`KEYS`].
pub fn arg_key(name: &str) -> Option<ArgKey> {
    KEYS.iter().find(|k| k.name == name).map(ArgKey::of)
}

impl ArgKey {
    /// The key of an entry of [`KEYS`].
    fn of(key: &Key) -> ArgKey {
        match key.field {
            Some(field) => ArgKey::Field(field),
            None if key.name == "policy" => ArgKey::Policy,
            None => ArgKey::Disable,
        }
    }
}

/// One `key = value` of the attribute.
pub struct Arg {
    pub id: ArgKey,
    pub key: syn::Ident,
    pub value: Value,
    /// The value's range, or the key's for a flag.
    pub span: SpanRange,
}

impl Arg {
    /// The span of list item `index`, falling back to the value.
    pub fn item_span(&self, index: Option<usize>) -> SpanRange {
        match (&self.value, index) {
            (Value::List(items), Some(i)) => {
                items.get(i).map_or(self.span, |item| item.span().into())
            }
            _ => self.span,
        }
    }
}

/// The attribute's arguments, each key known and written once.
#[derive(Default)]
pub struct Args {
    pub args: Vec<Arg>,
}

impl Args {
    pub fn get(&self, key: impl Into<ArgKey>) -> Option<&Arg> {
        let key = key.into();
        self.args.iter().find(|a| a.id == key)
    }

    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }
}

/// The range of each top-level argument's value (the tokens after its
/// `=`), in order; `None` for a flag. syn folds `-1` into one literal spanned
/// on the `-` alone, while these raw tokens keep both ends.
fn value_ranges(tokens: &TokenStream) -> Vec<Option<SpanRange>> {
    let mut ranges = Vec::new();
    let (mut any, mut after_eq) = (false, None::<Vec<TokenTree>>);
    for tree in tokens.clone() {
        match (&tree, &mut after_eq) {
            (TokenTree::Punct(p), _) if p.as_char() == ',' => {
                ranges.push(
                    after_eq
                        .take()
                        .map(|value| SpanRange::of(&TokenStream::from_iter(value))),
                );
                any = false;
                continue;
            }
            (TokenTree::Punct(p), None) if p.as_char() == '=' => after_eq = Some(Vec::new()),
            (_, Some(value)) => value.push(tree),
            (_, None) => {}
        }
        any = true;
    }
    if any {
        ranges.push(after_eq.map(|value| SpanRange::of(&TokenStream::from_iter(value))));
    }
    ranges
}

pub fn parse_args(tokens: TokenStream, cx: &Ctxt) -> Args {
    let ranges = value_ranges(&tokens);
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens) {
        Ok(metas) => metas,
        Err(err) => {
            cx.push(err);
            return Args::default();
        }
    };
    let mut args = Args::default();
    for (index, meta) in metas.into_iter().enumerate() {
        let Some(key) = meta.path().get_ident().cloned() else {
            let path = meta.path();
            let written = path.to_token_stream().to_string().replace(' ', "");
            cx.error(
                SpanRange::of(path),
                format!("`{written}` is not a key; write a key such as `origins`"),
            );
            continue;
        };
        let name = key.to_string();
        let Some(known) = KEYS.iter().find(|k| k.name == name) else {
            cx.error(key.span(), unknown_key_message(&name));
            continue;
        };
        if args.get(ArgKey::of(known)).is_some() {
            cx.error(key.span(), format!("duplicate key `{name}`; write it once"));
            continue;
        }
        let parsed = match &meta {
            Meta::Path(_) => Ok((Value::Flag, key.span().into(), String::new())),
            Meta::NameValue(nv) => {
                let span = ranges
                    .get(index)
                    .copied()
                    .flatten()
                    .unwrap_or_else(|| SpanRange::of(&nv.value));
                parse_value(&nv.value).map(|v| (v, span, written(&nv.value)))
            }
            Meta::List(list) => Err(syn::Error::new(
                list.delimiter.span().join(),
                format!("write `{name} = ...`, not `{name}(...)`"),
            )),
        };
        match parsed
            .and_then(|(value, span, written)| check_kind(known.kind, &name, value, span, &written))
        {
            Ok((value, span)) => args.args.push(Arg {
                id: ArgKey::of(known),
                key,
                value,
                span,
            }),
            Err(err) => cx.push(err),
        }
    }
    args
}

/// The keys of a `cors_policy!`: those of `#[cors]` without `policy` and
/// `disable`, which belong on a route and are reported, then left out (so
/// that validating them adds no noise).
pub fn named_policy_args(tokens: TokenStream, cx: &Ctxt) -> Args {
    let mut args = parse_args(tokens, cx);
    for arg in args
        .args
        .iter()
        .filter(|a| !matches!(a.id, ArgKey::Field(_)))
    {
        let key = &arg.key;
        cx.error(
            key.span(),
            format!("`{key}` belongs on a route's `#[cors]`, not in a named policy; remove it"),
        );
    }
    args.args.retain(|a| matches!(a.id, ArgKey::Field(_)));
    args
}

fn parse_value(expr: &Expr) -> syn::Result<Value> {
    match expr {
        Expr::Array(array) => array
            .elems
            .iter()
            .map(|e| match e {
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Ok(s.clone()),
                other => Err(syn::Error::new_spanned(other, format!("`{}` is not a string literal; write each item in double quotes", written(other)))),
            })
            .collect::<syn::Result<_>>()
            .map(Value::List),
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Str(s) => Ok(Value::List(vec![s.clone()])),
            Lit::Bool(b) => Ok(Value::Bool(b.value)),
            Lit::Int(i) => i.base10_parse::<i64>().map(Value::Int),
            other => Err(syn::Error::new(other.span(), format!("`{}` is not a value a key takes; write a list of strings, a whole number or `true`/`false`", written(other)))),
        },
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => match &**expr {
            Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => i.base10_parse::<i64>().map(|n| Value::Int(-n)),
            other => Err(syn::Error::new_spanned(expr, format!("`-{}` is not a whole number; write one, as in `-1`", written(other)))),
        },
        Expr::Path(path) if path.qself.is_none() => Ok(Value::Path(path.path.clone())),
        other => Err(syn::Error::new_spanned(other, format!("`{}` is not a value a key takes; write a list of strings, a whole number, `true`/`false` or a path", written(other)))),
    }
}

/// A value as written, for messages.
fn written(tokens: &impl ToTokens) -> String {
    tokens.to_token_stream().to_string()
}

fn check_kind(
    kind: KeyKind,
    name: &str,
    value: Value,
    span: SpanRange,
    written: &str,
) -> syn::Result<(Value, SpanRange)> {
    let ok = matches!(
        (kind, &value),
        (KeyKind::List, Value::List(_))
            | (KeyKind::Flag, Value::Flag | Value::Bool(_))
            | (KeyKind::Integer, Value::Int(_))
            | (KeyKind::Path, Value::Path(_))
    );
    if ok {
        return Ok((value, span));
    }
    // `policy = "name"`: a policy supplied when the App starts.
    if name == "policy" {
        if let (Value::List(items), true) = (&value, written.starts_with('"')) {
            if items.len() == 1 && !items[0].value().trim().is_empty() {
                return Ok((value, span));
            }
        }
        return Err(syn::Error::new_spanned(span, format!("`policy` takes the name of a `cors_policy!` (`policy = ADMIN`), or in a string the name of a policy supplied when the App starts (`policy = \"admin\"`, with `Cors::builder().named_policy(\"admin\", ...)`){}", if written.is_empty() { String::new() } else { format!(", not `{written}`") })));
    }
    let not = if written.is_empty() {
        String::new()
    } else {
        format!(", not `{written}`")
    };
    let expected = match kind {
        KeyKind::List => {
            format!("`{name}` takes a list of strings{not}; write `{name} = [\"...\"]`")
        }
        KeyKind::Flag => {
            format!("`{name}` is a flag{not}; write `{name}` or `{name} = true|false`")
        }
        KeyKind::Integer => format!("`{name}` takes a whole number{not}; write `{name} = 600`"),
        KeyKind::Path => format!("`{name}` takes a path{not}; write `{name} = MY_POLICY`"),
    };
    Err(syn::Error::new_spanned(span, expected))
}

/// Keys that users of other CORS libraries (actix-cors, tower-http, Spring,
/// ASP.NET, the Go libraries) type, and this library's spelling.
const OTHER_LIBRARIES: &[(&str, &str)] = &[
    ("allowed_origins", "origins"),
    ("allow_origins", "origins"),
    ("allow_origin", "origins"),
    ("allowed_origin", "origins"),
    ("allow_any_origin", "origins = \"*\""),
    ("allowed_methods", "methods"),
    ("allow_methods", "methods"),
    ("allowed_headers", "headers"),
    ("allow_headers", "headers"),
    ("expose_headers", "expose"),
    ("exposed_headers", "expose"),
    ("allow_credentials", "credentials"),
    ("supports_credentials", "credentials"),
    ("max_age_secs", "max_age"),
    ("max_age_seconds", "max_age"),
    ("allow_private_network", "private_network"),
];

/// `unknown key `x``, with the closest known key when one is close enough.
fn unknown_key_message(name: &str) -> String {
    if let Some((_, ours)) = OTHER_LIBRARIES.iter().find(|(theirs, _)| *theirs == name) {
        return format!("unknown key `{name}`; did you mean `{ours}`?");
    }
    let best = KEYS
        .iter()
        .map(|k| (edit_distance(name, k.name), k.name))
        .min();
    let known: Vec<_> = KEYS.iter().map(|k| k.name).collect();
    match best {
        Some((distance, key)) if distance <= 3.max(name.len() / 3) => {
            format!("unknown key `{name}`; did you mean `{key}`?")
        }
        _ => format!(
            "unknown key `{name}`; expected one of: {}",
            known.join(", ")
        ),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// What one route attribute registers: a path and its methods.
pub struct Route {
    pub path: LitStr,
    pub methods: Vec<String>,
    /// Index of the attribute on the function.
    pub attr_index: usize,
    /// Whether it carries `name = "..."`.
    pub has_name: bool,
    /// Whether it carries `guard = "..."`: the router may then pass it over.
    pub guarded: bool,
}

const METHOD_ATTRS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "trace", "connect",
];

fn route_kind(path: &syn::Path) -> Option<String> {
    let last = path.segments.last()?.ident.to_string();
    let qualified_ok = path.segments.len() == 1
        || path
            .segments
            .first()
            .is_some_and(|s| s.ident == "actix_web" || s.ident == "actix_web_codegen");
    (qualified_ok && (METHOD_ATTRS.contains(&last.as_str()) || last == "route" || last == "routes"))
        .then_some(last)
}

/// Finds the route attributes on a handler. `Ok(None)`: there are none.
pub fn routes(attrs: &[syn::Attribute]) -> syn::Result<Option<Vec<Route>>> {
    let mut routes = Vec::new();
    let mut found = false;
    for (index, attr) in attrs.iter().enumerate() {
        let Some(kind) = route_kind(attr.path()) else {
            continue;
        };
        found = true;
        if kind == "routes" {
            continue;
        }
        let list = attr.meta.require_list()?;
        let parser = |input: syn::parse::ParseStream<'_>| {
            let path: LitStr = input.parse()?;
            let mut options = Punctuated::<syn::MetaNameValue, Token![,]>::new();
            if input.parse::<Option<Token![,]>>()?.is_some() {
                options = Punctuated::parse_terminated(input)?;
            }
            Ok((path, options))
        };
        let (path, options) = parser.parse2(list.tokens.clone())?;
        let mut methods = Vec::new();
        if kind != "route" {
            methods.push(kind.to_ascii_uppercase());
        }
        let mut has_name = false;
        let mut guarded = false;
        for option in &options {
            if option.path.is_ident("name") {
                has_name = true;
            } else if option.path.is_ident("guard") {
                guarded = true;
            } else if option.path.is_ident("method") {
                if let Expr::Lit(ExprLit {
                    lit: Lit::Str(m), ..
                }) = &option.value
                {
                    methods.push(m.value());
                }
            }
        }
        if kind == "route" && methods.is_empty() {
            methods.push("GET".to_owned());
        }
        routes.push(Route {
            path,
            methods,
            attr_index: index,
            has_name,
            guarded,
        });
    }
    Ok(found.then_some(routes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            unknown_key_message("origin"),
            "unknown key `origin`; did you mean `origins`?"
        );
        assert_eq!(
            unknown_key_message("maxage"),
            "unknown key `maxage`; did you mean `max_age`?"
        );
        for (theirs, ours) in [
            ("expose_headers", "expose"),
            ("allow_credentials", "credentials"),
            ("allowed_origins", "origins"),
            ("allowed_methods", "methods"),
            ("allowed_headers", "headers"),
            ("supports_credentials", "credentials"),
            ("max_age_secs", "max_age"),
            ("allow_any_origin", "origins = \"*\""),
        ] {
            assert_eq!(
                unknown_key_message(theirs),
                format!("unknown key `{theirs}`; did you mean `{ours}`?")
            );
        }
        assert!(unknown_key_message("zzzzzzzzzzzzzzzzzzzz")
            .starts_with("unknown key `zzzzzzzzzzzzzzzzzzzz`; expected one of: origins"));
    }
}
