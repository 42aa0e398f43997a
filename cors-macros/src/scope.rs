//! `#[cors(...)]` on an `#[actix_web::scope]` module: the keys apply to each
//! handler inside, and a handler's own `#[cors(...)]` overrides them key by
//! key. Which keys a handler keeps from the module is decided by
//! [`PolicySpec::or`](cors_core::PolicySpec::or), the merge rule itself; this
//! file only moves the written tokens, so that every error still points at
//! what the user wrote.

use crate::ctxt::Ctxt;
use crate::parse::{self, Args};
use crate::validate::owned_spec;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::quote;
use syn::Item;

/// One `key = value` (or flag) of an attribute, as written.
struct RawArg {
    key: String,
    tokens: TokenStream,
}

/// The attribute's arguments split at top-level commas.
fn raw_args(tokens: TokenStream) -> Vec<RawArg> {
    let mut args = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut flush = |current: &mut Vec<TokenTree>| {
        if let Some(TokenTree::Ident(key)) = current.first() {
            args.push(RawArg {
                key: key.to_string(),
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

/// Whether `attr` is a `#[cors]` attribute (`cors`, `cors_actix::cors`).
fn is_cors(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "cors")
        && attr.path().segments.len() <= 2
}

/// The module with the module's keys given to each handler inside.
pub fn module(args: TokenStream, mut item: syn::ItemMod, cx: &Ctxt) -> TokenStream {
    let checked: Args = parse::parse_args(args.clone(), cx);
    for key in ["policy", "disable"] {
        if let Some(arg) = checked.get(key) {
            cx.error(arg.key.span(), format!("`{key}` belongs on a handler's `#[cors]`, not on a module; write the policy's keys here, or `#[cors({key} = ...)]` on each handler"));
        }
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
    let module_spec = owned_spec(&checked, &Ctxt::default());
    let module_raw = raw_args(args);
    for item in items.iter_mut() {
        let Item::Fn(function) = item else { continue };
        let Ok(Some(_)) = parse::routes(&function.attrs) else {
            continue;
        };
        let own = function.attrs.iter().position(is_cors);
        let own_tokens = match own.map(|i| &function.attrs[i].meta) {
            Some(syn::Meta::List(list)) => list.tokens.clone(),
            _ => TokenStream::new(),
        };
        let own_raw = raw_args(own_tokens.clone());
        // A handler that turns CORS off or names a policy keeps its own
        // attribute: the named policy is its starting point, not the module.
        if own_raw
            .iter()
            .any(|a| a.key == "disable" || a.key == "policy")
        {
            continue;
        }
        let own_args = parse::parse_args(own_tokens, &Ctxt::default());
        let own_spec = owned_spec(&own_args, &Ctxt::default());
        let inherited: Vec<&RawArg> = own_spec.with_spec(|own| {
            module_spec.with_spec(|module| {
                let merged = own.or(*module);
                module_raw
                    .iter()
                    .filter(|arg| !own.sets(&arg.key) && merged.sets(&arg.key))
                    .collect()
            })
        });
        let tokens = own_raw
            .iter()
            .chain(inherited)
            .map(|arg| &arg.tokens)
            .collect::<Vec<_>>();
        match own {
            // The handler's own path (`cors`, imported by the user), so that
            // its import stays used.
            Some(index) => {
                let path = function.attrs[index].path().clone();
                function.attrs[index] = syn::parse_quote!(#[#path(#(#tokens),*)]);
            }
            None => {
                let attr: syn::Attribute = syn::parse_quote!(#[::cors_actix::cors(#(#tokens),*)]);
                // Above the route attributes, which `#[cors]` reads.
                let first_route = function
                    .attrs
                    .iter()
                    .position(|a| parse::routes(std::slice::from_ref(a)).is_ok_and(|r| r.is_some()))
                    .unwrap_or(0);
                function.attrs.insert(first_route, attr);
            }
        }
    }
    quote!(#item)
}
