//! Expansion: static policy data and the registration code. Every header
//! value was computed by `cors-core` during validation; here it is only
//! written out as literals.

use crate::parse::Route;
use crate::validate::{Checked, Mode, OwnedSpec};
use cors_core::policy::KeyValue;
use cors_core::table::Table;
use cors_core::{Allowed, Field, Origins, Policy};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

/// The name of cors-actix's support module for generated code. It carries
/// the version, so that a macro and a runtime of different versions fail to
/// compile instead of misbehaving.
pub fn private_name() -> String {
    format!(
        "__private_v{}_{}",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    )
}

/// The path of the support module for generated code.
pub fn private() -> TokenStream {
    let name = format_ident!("{}", private_name());
    quote!(::cors_actix::#name)
}

fn table(t: &Table) -> TokenStream {
    let p = private();
    let slots = t.slots();
    let keys = t.keys();
    quote!(#p::Table::from_static(&[#(#slots),*], &[#(#p::Cow::Borrowed(#keys)),*]))
}

fn allowed(a: &Allowed) -> TokenStream {
    let p = private();
    match a {
        Allowed::Any => quote!(#p::Allowed::Any),
        Allowed::List(t) => {
            let t = table(t);
            quote!(#p::Allowed::List(#t))
        }
    }
}

fn option<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

fn predicate(origin_fn: Option<&syn::Path>) -> TokenStream {
    let p = private();
    option(origin_fn.map(|f| quote!(#p::OriginPredicate(#f))))
}

/// A `Policy` expression, valid in a `static` initializer.
pub fn policy(policy: &Policy, origin_fn: Option<&syn::Path>) -> TokenStream {
    let p = private();
    let origins = match policy.origin_rule() {
        Origins::Any => quote!(#p::Origins::Any),
        Origins::List(set) => {
            let exact = table(set.exact_table());
            let subdomains = table(set.subdomain_table());
            let (hosts, patterns) = set.any_port();
            let null = set.allows_null();
            let predicate = predicate(origin_fn);
            quote!(#p::Origins::List(#p::OriginSet::from_static(
                #exact, #subdomains, (#hosts, #patterns), #null, #predicate
            )))
        }
    };
    let methods = allowed(policy.methods());
    let headers = allowed(policy.headers());
    let credentials = policy.credentials();
    let private_network = policy.private_network();
    let status = policy.preflight_status();
    let (acam, acah, aceh, max_age) = (
        policy.allow_methods_value(),
        policy.allow_headers_value(),
        policy.expose_headers_value(),
        policy.max_age_value(),
    );
    quote! {
        #p::Policy::from_static(
            #origins, #methods, #headers, #credentials, #private_network, #status,
            #acam, #acah, #aceh, #max_age,
        )
    }
}

/// `&'static Policy` picking the debug or release build in the user's crate.
fn compiled(checked: &Checked) -> TokenStream {
    let p = private();
    let Some((release, debug)) = &checked.compiled else {
        return quote!(::core::option::Option::None);
    };
    let origin_fn = checked.spec.origin_fn.as_ref();
    let release = policy(release, origin_fn);
    if checked.spec.buf.dev_origins.is_none() {
        return quote!(::core::option::Option::Some({
            static POLICY: #p::Policy = #release;
            &POLICY
        }));
    }
    let debug = policy(debug, origin_fn);
    quote!(::core::option::Option::Some({
        #[cfg(debug_assertions)]
        static POLICY: #p::Policy = #debug;
        #[cfg(not(debug_assertions))]
        static POLICY: #p::Policy = #release;
        &POLICY
    }))
}

/// A `PolicySpec<'static>` expression: every field of the one list of keys,
/// written out from [`PolicySpecBuf::get`](cors_core::policy::PolicySpecBuf::get).
pub fn spec(spec: &OwnedSpec) -> TokenStream {
    let p = private();
    let fields = Field::ALL.iter().map(|&field| {
        let name = format_ident!("{}", field.key());
        let value = match spec.buf.get(field) {
            None => quote!(::core::option::Option::None),
            Some(KeyValue::List(items)) => quote!(::core::option::Option::Some(&[#(#items),*])),
            Some(KeyValue::Flag(flag)) => quote!(::core::option::Option::Some(#flag)),
            Some(KeyValue::Int(n)) => {
                let n = proc_macro2::Literal::i64_unsuffixed(n);
                quote!(::core::option::Option::Some(#n))
            }
            // `origin_fn` is the one key whose value is a path.
            Some(KeyValue::Path(_)) if field == Field::OriginFn => {
                predicate(spec.origin_fn.as_ref())
            }
            Some(_) => quote!(::core::compile_error!(
                "cors-macros cannot write this key's kind"
            )),
        };
        quote!(#name: #value)
    });
    quote!(#p::PolicySpec { #(#fields),* })
}

/// Validation notes as compiler warnings, each on its token. Stable Rust
/// has no warning API for macros, but it reports uses of deprecated items
/// with their note, where the use is written.
pub fn notes(notes: &[(Span, String)]) -> TokenStream {
    notes
        .iter()
        .map(|(span, message)| {
            let message = format!("cors: {message}");
            let use_site = quote_spanned!(*span=> cors_note);
            quote! {
                const _: () = {
                    #[deprecated(note = #message)]
                    #[allow(non_upper_case_globals)]
                    const cors_note: () = ();
                    #use_site
                };
            }
        })
        .collect()
}

fn route_policy(mode: &Mode) -> TokenStream {
    let p = private();
    match mode {
        Mode::Disable => quote!(#p::RoutePolicy::Disabled),
        Mode::Defaults => quote!(#p::RoutePolicy::Defaults),
        Mode::Spec(checked) => {
            let spec = spec(&checked.spec);
            let compiled = compiled(checked);
            quote!(#p::RoutePolicy::Spec { spec: #spec, compiled: #compiled })
        }
        Mode::Named(path, checked) => {
            let overrides = spec(&checked.spec);
            quote!(#p::RoutePolicy::Named { policy: &#path, overrides: #overrides })
        }
        Mode::Runtime(name, checked) => {
            let overrides = spec(&checked.spec);
            quote!(#p::RoutePolicy::Runtime { name: #name, overrides: #overrides })
        }
    }
}

/// The handler, renamed and hidden, and a same-named unit struct that
/// registers it together with its CORS markers.
pub fn handler(mut item: syn::ItemFn, routes: &[Route], mode: &Mode) -> TokenStream {
    let p = private();
    let name = item.sig.ident.clone();
    let vis = std::mem::replace(&mut item.vis, syn::Visibility::Inherited);
    let inner = format_ident!("__cors_{}", name);
    let route_static = format_ident!("__CORS_ROUTE_{}", name);
    let (docs, attrs): (Vec<_>, Vec<_>) = std::mem::take(&mut item.attrs)
        .into_iter()
        .partition(|a| a.path().is_ident("doc"));
    item.attrs = attrs;
    item.sig.ident = inner.clone();

    let resource_name = name.to_string();
    for (def, route) in routes.iter().enumerate() {
        // actix-web takes `wrap` as a string holding the expression.
        let witness = format!("{p}::Witness::new(&{route_static}, {def})").replace(' ', "");
        if let Some(syn::Attribute {
            meta: syn::Meta::List(list),
            ..
        }) = item.attrs.get_mut(route.attr_index)
        {
            let tokens = &list.tokens;
            let named = (!route.has_name).then(|| quote!(, name = #resource_name));
            list.tokens = quote!(#tokens #named, wrap = #witness);
        }
    }

    let defs = routes.iter().map(|r| {
        let pattern = r.path.value();
        let methods = &r.methods;
        let guarded = r.guarded;
        quote!(#p::RouteDef { pattern: #pattern, methods: &[#(#methods),*], guarded: #guarded })
    });
    let policy = route_policy(mode);
    let notes = match mode {
        Mode::Spec(checked) | Mode::Named(_, checked) | Mode::Runtime(_, checked) => {
            notes(&checked.notes)
        }
        Mode::Disable | Mode::Defaults => TokenStream::new(),
    };
    quote! {
        #item

        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        static #route_static: #p::RouteCors = #p::RouteCors::new(
            ::core::concat!(::core::module_path!(), "::", #resource_name),
            &[#(#defs),*],
            #policy,
        );

        #(#docs)*
        #[allow(non_camel_case_types)]
        #vis struct #name;

        impl #p::actix_web::dev::HttpServiceFactory for #name {
            fn register(self, config: &mut #p::actix_web::dev::AppService) {
                let markers = #p::register(config, &#route_static);
                #p::actix_web::dev::HttpServiceFactory::register(#inner, config);
                markers.register(config);
            }
        }

        #notes
    }
}

/// A named policy: `static NAME: NamedPolicy`.
pub fn named(
    attrs: &[syn::Attribute],
    vis: &syn::Visibility,
    name: &syn::Ident,
    checked: &Checked,
) -> TokenStream {
    let p = private();
    let spec = spec(&checked.spec);
    let compiled = compiled(checked);
    let label = name.to_string();
    let notes = notes(&checked.notes);
    quote! {
        #(#attrs)*
        #vis static #name: #p::NamedPolicy = #p::NamedPolicy::new(#label, #spec, #compiled);
        #notes
    }
}
