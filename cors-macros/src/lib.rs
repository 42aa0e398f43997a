//! The `#[cors(...)]` attribute and `cors_policy!` macro of `cors-actix`.
//!
//! Use them through `cors-actix`, which re-exports them and documents them
//! in full. The pipeline is the file list: `parse` reads the attribute and
//! the route attributes, `validate` calls `cors-core`'s validator and spans
//! each finding, and `expand` writes out static data and registration code. On
//! error the original item is still emitted, so later code type-checks.

#![forbid(unsafe_code)]

mod ctxt;
mod expand;
mod parse;
mod scope;
mod validate;

use ctxt::Ctxt;
use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, ToTokens};
use syn::parse::{Parse, ParseStream};

/// Declares a handler's CORS policy; see `cors_actix::cors`.
#[proc_macro_attribute]
pub fn cors(args: TokenStream, input: TokenStream) -> TokenStream {
    cors_attribute(args.into(), input.into(), false).into()
}

/// The keys of a `#[cors(...)]` module, placed on each of its handlers by
/// the module's expansion. A handler's own `#[cors]`, whatever name it is
/// imported under, sits above it, expands first and merges them; a handler
/// without one gets the module's keys through this attribute alone.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn scope_cors(args: TokenStream, input: TokenStream) -> TokenStream {
    cors_attribute(args.into(), input.into(), true).into()
}

/// `from_module`: the keys are a module's, given to a handler without its
/// own `#[cors]`.
fn cors_attribute(args: TokenStream2, input: TokenStream2, from_module: bool) -> TokenStream2 {
    let cx = Ctxt::default();
    if let Ok(module) = syn::parse2::<syn::ItemMod>(input.clone()) {
        let expanded = scope::module(args, module, &cx);
        return match cx.has_errors() {
            true => with_errors(cx, input),
            false => {
                cx.discard();
                expanded
            }
        };
    }
    let mut item = match syn::parse2::<syn::ItemFn>(input.clone()) {
        Ok(item) => item,
        Err(_) => {
            cx.error(Span::call_site(), "`#[cors]` goes on a handler function, above its route attribute such as `#[get(\"/path\")]`");
            return with_errors(cx, input);
        }
    };
    // The keys of the handler's `#[cors(...)]` module, if it is in one.
    let module = scope::take_module_keys(&mut item.attrs);
    let inherits = from_module || module.is_some();
    let args = match module {
        Some(module) => scope::merge(args, module),
        None => args,
    };
    let input = match module_attr_removed(&item, &input) {
        Some(tokens) => tokens,
        None => input,
    };
    let args = parse::parse_args(args, &cx);
    let routes = match parse::routes(&item.attrs) {
        Ok(Some(routes)) => routes,
        Ok(None) => {
            cx.error(
                item.sig.ident.span(),
                "`#[cors]` must be placed above the route attribute (`#[get(\"/path\")]`, `#[post]`, `#[route]`, `#[routes]`, ...), which it reads; move it up (for a route built by hand with `web::resource`, use `cors_actix::attach` instead)",
            );
            return with_errors(cx, input);
        }
        // actix-web reports malformed route attributes itself; the keys'
        // errors found so far are reported here.
        Err(_) => return with_errors(cx, input),
    };
    let served: Vec<String> =
        routes
            .iter()
            .flat_map(|r| r.methods.iter().cloned())
            .fold(Vec::new(), |mut all, m| {
                if !all.contains(&m) {
                    all.push(m);
                }
                all
            });
    let mode = validate::check(&args, Some(&served), routes.len(), &cx);
    if cx.has_errors() {
        if inherits {
            cx.error(
                item.sig.ident.span(),
                format!("`{}` takes keys from its module's `#[cors(...)]`, and with them breaks the rule reported above", item.sig.ident),
            );
        }
        return with_errors(cx, input);
    }
    cx.discard();
    expand::handler(item, &routes, &mode)
}

/// The handler without the module's keys, when they were taken from it, so
/// that an error does not expand them a second time.
fn module_attr_removed(item: &syn::ItemFn, original: &TokenStream2) -> Option<TokenStream2> {
    let before = syn::parse2::<syn::ItemFn>(original.clone()).ok()?;
    (before.attrs.len() != item.attrs.len()).then(|| item.to_token_stream())
}

/// `compile_error!`s for every collected error, followed by the original item.
fn with_errors(cx: Ctxt, original: TokenStream2) -> TokenStream2 {
    let errors = cx.finish().map(|e| e.to_compile_error());
    quote!(#errors #original)
}

/// Declares a named, shared CORS policy; see `cors_actix::cors_policy`.
#[proc_macro]
pub fn cors_policy(input: TokenStream) -> TokenStream {
    let named = match syn::parse::<NamedInput>(input) {
        Ok(named) => named,
        Err(err) => return err.to_compile_error().into(),
    };
    let cx = Ctxt::default();
    let args = parse::named_policy_args(named.body, &cx);
    let mode = validate::check(&args, None, 0, &cx);
    if let (false, validate::Mode::Spec(checked)) = (cx.has_errors(), &mode) {
        cx.discard();
        return expand::named(&named.attrs, &named.vis, &named.name, checked).into();
    }
    if !cx.has_errors() {
        cx.error(
            named.name.span(),
            "a named policy needs keys, as in `origins = [\"https://app.example.com\"]`",
        );
    }
    // Still declare the static so that handlers naming it type-check.
    let (attrs, vis, name) = (&named.attrs, &named.vis, &named.name);
    let p = expand::private();
    let errors = cx.finish().map(|e| e.to_compile_error());
    quote! {
        #errors
        #(#attrs)*
        #vis static #name: #p::NamedPolicy =
            #p::NamedPolicy::new("", #p::PolicySpec::EMPTY, ::core::option::Option::None);
    }
    .into()
}

/// `#[attrs] vis NAME { key = value, ... }`
struct NamedInput {
    attrs: Vec<syn::Attribute>,
    vis: syn::Visibility,
    name: syn::Ident,
    body: TokenStream2,
}

impl Parse for NamedInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis = input.parse()?;
        let name = input.parse()?;
        let content;
        syn::braced!(content in input);
        let body = content.parse::<TokenStream2>()?;
        Ok(NamedInput {
            attrs,
            vis,
            name,
            body: body.into_token_stream(),
        })
    }
}
