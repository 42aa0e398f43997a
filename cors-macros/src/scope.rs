//! `#[cors(...)]` on an `#[actix_web::scope]` module: the keys apply to each
//! handler inside, and a handler's own `#[cors(...)]` overrides them key by
//! key. Which keys a handler keeps from the module is decided by
//! [`PolicySpec::or`](cors_core::PolicySpec::or), the merge rule itself; this
//! file only moves the written tokens, so that every error still points at
//! what the user wrote.

use crate::ctxt::Ctxt;
use crate::parse::{self, ArgKey, Args};
use crate::validate::owned_spec;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::quote;
use syn::Item;

/// One `key = value` (or flag) of an attribute, as written.
struct RawArg {
    /// Which key, if it is one.
    id: Option<ArgKey>,
    tokens: TokenStream,
}

/// The attribute's arguments split at top-level commas.
fn raw_args(tokens: TokenStream) -> Vec<RawArg> {
    let mut args = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut flush = |current: &mut Vec<TokenTree>| {
        if let Some(TokenTree::Ident(key)) = current.first() {
            args.push(RawArg {
                id: parse::arg_key(&key.to_string()),
                tokens: current.iter().cloned().collect(),
            });
        }
        current.clear();
    };
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => flush(&mut current),
            _ => current.push(tree),
        }
    }
    flush(&mut current);
    args
}

/// The path of the attribute that carries a module's keys to a handler.
fn is_module_keys(attr: &syn::Attribute) -> bool {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments.ends_with(&[crate::expand::private_name(), "scope_cors".to_owned()])
}

/// Takes the module's keys off a handler's attributes, if its module put
/// them there.
pub fn take_module_keys(attrs: &mut Vec<syn::Attribute>) -> Option<TokenStream> {
    let at = attrs.iter().position(is_module_keys)?;
    match attrs.remove(at).meta {
        syn::Meta::List(list) => Some(list.tokens),
        _ => Some(TokenStream::new()),
    }
}

/// A handler's own keys with the module's it keeps. A handler that turns
/// CORS off or names a policy keeps exactly its own: the named policy is its
/// starting point, not the module. Otherwise the module's keys that
/// [`PolicySpec::or`](cors_core::PolicySpec::or) would let through are
/// added after the handler's.
pub fn merge(own: TokenStream, module: TokenStream) -> TokenStream {
    let own_raw = raw_args(own.clone());
    if own_raw
        .iter()
        .any(|a| matches!(a.id, Some(ArgKey::Disable | ArgKey::Policy)))
    {
        return own;
    }
    // Only the values are read here: the handler's expansion reports the
    // errors of the merged keys, and the module's reported its own.
    let quiet = Ctxt::default();
    let own_spec = owned_spec(&parse::parse_args(own, &quiet), &quiet);
    let module_spec = owned_spec(&parse::parse_args(module.clone(), &quiet), &quiet);
    quiet.discard();
    let module_raw = raw_args(module);
    let inherited: Vec<&RawArg> = own_spec.with_spec(|own| {
        module_spec.with_spec(|module| {
            let merged = own.or(*module);
            module_raw
                .iter()
                .filter(|arg| match arg.id {
                    Some(ArgKey::Field(field)) => {
                        !own.sets_field(field) && merged.sets_field(field)
                    }
                    _ => false,
                })
                .collect()
        })
    });
    let tokens = own_raw.iter().chain(inherited).map(|arg| &arg.tokens);
    quote!(#(#tokens),*)
}

/// The module with its keys put on each handler inside, above its route
/// attributes (and below the handler's own `#[cors]`, which must be above
/// them too).
pub fn module(args: TokenStream, mut item: syn::ItemMod, cx: &Ctxt) -> TokenStream {
    let checked: Args = parse::parse_args(args.clone(), cx);
    for arg in checked
        .args
        .iter()
        .filter(|a| !matches!(a.id, ArgKey::Field(_)))
    {
        let key = &arg.key;
        cx.error(key.span(), format!("`{key}` belongs on a handler's `#[cors]`, not on a module; write the policy's keys here, or `#[cors({key} = ...)]` on each handler"));
    }
    if checked.is_empty() && !cx.has_errors() {
        cx.error(Span::call_site(), "`#[cors]` on a module needs keys, as in `#[cors(origins = [\"https://app.example.com\"])]`: its handlers take them, and bare `#[cors]` on each handler already means the App defaults");
    }
    let Some((_, items)) = &mut item.content else {
        cx.error(Span::call_site(), "`#[cors]` on a module needs the module's body (`mod api { ... }`), whose handlers it applies to");
        return quote!(#item);
    };
    if cx.has_errors() {
        return quote!(#item);
    }
    // The module's keys on their own, once: a module without handlers is
    // checked too. A handler reports what only its merge breaks.
    crate::validate::check(&checked, None, 0, cx);
    if cx.has_errors() {
        return quote!(#item);
    }
    for item in items.iter_mut() {
        let Item::Fn(function) = item else { continue };
        let Ok(Some(_)) = parse::routes(&function.attrs) else {
            continue;
        };
        if function.attrs.iter().any(is_module_keys) {
            continue;
        }
        let first_route = function
            .attrs
            .iter()
            .position(|a| parse::routes(std::slice::from_ref(a)).is_ok_and(|r| r.is_some()))
            .unwrap_or(0);
        let p = crate::expand::private();
        let attr: syn::Attribute = syn::parse_quote!(#[#p::scope_cors(#args)]);
        function.attrs.insert(first_route, attr);
    }
    quote!(#item)
}
