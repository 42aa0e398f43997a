//! Declarative, per-handler CORS for actix-web, checked at compile time.
//!
//! ```
//! use actix_web::{get, post, web, App, HttpResponse, Responder};
//! use cors_actix::{cors, Cors};
//!
//! #[cors(
//!     origins = ["https://app.example.com"],
//!     credentials,
//!     expose = ["X-Total-Count"],
//! )]
//! #[get("/users")]
//! async fn list_users() -> impl Responder {
//!     HttpResponse::Ok().insert_header(("X-Total-Count", "2")).body("[]")
//! }
//!
//! #[cors(origins = ["https://app.example.com"], headers = ["content-type"], credentials)]
//! #[post("/users")]
//! async fn create_user() -> impl Responder {
//!     HttpResponse::Created().finish()
//! }
//!
//! # #[actix_web::main]
//! # async fn main() {
//! let app = actix_web::test::init_service(
//!     App::new()
//!         .wrap(Cors::new())
//!         // Authentication on the scope never sees a preflight: `Cors`
//!         // answers them before routing.
//!         .service(web::scope("/api").service(list_users).service(create_user)),
//! )
//! .await;
//!
//! let preflight = actix_web::test::TestRequest::default()
//!     .method(actix_web::http::Method::OPTIONS)
//!     .uri("/api/users")
//!     .insert_header(("Origin", "https://app.example.com"))
//!     .insert_header(("Access-Control-Request-Method", "POST"))
//!     .insert_header(("Access-Control-Request-Headers", "content-type"))
//!     .to_request();
//! let response = actix_web::test::call_service(&app, preflight).await;
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers().get("access-control-allow-methods").unwrap(), "POST");
//! # }
//! ```
//!
//! - `#[cors(...)]` on a handler declares its policy. The policy is checked
//!   at compile time by the same validator the runtime builder uses, so
//!   `origins = ["*"]` with `credentials`, a trailing slash in an origin, or
//!   `headers = ["cookie"]` do not compile, each error on its token.
//! - [`Cors`] wraps the App. Before routing, it finds the policy of the
//!   route that serves a preflight's path and requested method (scope
//!   prefixes included) and answers the preflight itself. Actual responses
//!   get the CORS headers of the handler the router dispatched to, errors
//!   included.
//! - [`cors_core`] is the framework-free core: the policy model, the
//!   validator, the decision engine and a browser oracle for tests.

#![forbid(unsafe_code)]

mod builder;
mod diagnostics;
mod env;
mod future;
mod live;
mod middleware;
mod pattern;
mod policy;
mod register;
mod report;
mod resolve;
mod respond;
mod strict;
mod table;
#[cfg(feature = "testing")]
pub mod testing;
mod witness;

pub use builder::{BuildError, BuildProblem, CorsBuilder};
pub use cors_core;
pub use future::CorsFuture;
pub use live::{CorsHandle, ReloadError};
pub use middleware::{Cors, CorsMiddleware};
pub use policy::CorsPolicy;
pub use register::{attach, Attached, NamedPolicy};
pub use report::{
    DefaultKey, EffectiveRoute, KeyOrigin, KeySource, PolicySource, Report, ReportNote, RouteError,
    RouteProblem, StartupError,
};

/// Declares the CORS policy of an actix-web handler.
///
/// # Syntax
///
/// ```text
/// #[cors]                                  // App defaults apply; preflights answered
/// #[cors(disable)]                         // no CORS here, App defaults included
/// #[cors(policy = NAME, key = value, ...)] // a named policy, with overrides
/// #[cors(policy = "name", ...)]            // a policy supplied when the App starts
/// #[cors(key = value, ...)]
/// ```
///
/// On an `#[actix_web::scope]` module, `#[cors(key = value, ...)]` gives its
/// keys to every handler inside; a handler's own `#[cors(...)]` overrides
/// them key by key.
///
/// `#[cors]` goes **above** the route attribute (`#[get]`, `#[post]`,
/// `#[put]`, `#[patch]`, `#[delete]`, `#[head]`, `#[route]`, `#[routes]`,
/// path-qualified forms such as `#[actix_web::get]`), which it reads. It
/// keeps the handler's name, visibility, docs and the route's `name =`,
/// `guard =` and `wrap =`.
///
/// # Attributes
///
/// | key | value | default |
/// |---|---|---|
/// | `origins` | `["https://app.example.com", "https://*.example.com", "http://localhost:*"]`, or `"*"` | the App defaults |
/// | `dev_origins` | origins allowed only in debug builds of your crate | none |
/// | `origin_fn` | path to a `fn(&str) -> bool`, consulted after the lists | none |
/// | `methods` | methods a preflight may ask for; a subset of the route's | the route's methods |
/// | `headers` | request headers a preflight may ask for, or `"*"` | none |
/// | `expose` | response headers JavaScript may read, or `"*"` | none |
/// | `credentials` | flag, or `credentials = true\|false` | false |
/// | `max_age` | seconds a preflight may be cached, 0 to 86400 | not sent (5 s) |
/// | `private_network` | flag: answer Private Network Access preflights | false |
/// | `preflight_status` | 2xx status of accepted preflights | 204 |
/// | `dangerously_allow_null_origin` | flag: allow the opaque origin `null` | false |
/// | `dangerously_allow_insecure_origins` | flag: `http://` origins with credentials | false |
/// | `policy` | a named policy: `NAME` of a [`cors_policy!`], or `"name"` supplied with [`CorsBuilder::named_policy`] | none |
/// | `disable` | flag: no CORS for this route | |
///
/// Keys left out are taken from the App defaults of [`Cors::builder`], key
/// by key (the route's keys win; lists are replaced, not merged). The
/// effective policy of every route is checked again when the App starts and
/// listed in [`Cors::report`].
///
/// Everything a browser would refuse, or an attacker could use, is a compile
/// error on the offending token: a wildcard with credentials, malformed
/// origins (path, trailing slash, default port, uppercase, no scheme),
/// `null`, `http://` origins with credentials (except loopback), patterns
/// over public suffixes, forbidden request headers, invalid methods,
/// methods the route does not serve, out-of-range `max_age`, duplicates.
/// Notes that are not errors (such as `max_age` above Chrome's 7200 s cap)
/// are compiler warnings.
///
/// # Examples
///
/// ```
/// use actix_web::{get, put, HttpResponse, Responder};
/// use cors_actix::cors;
///
/// /// Public, read-only.
/// #[cors(origins = "*", max_age = 600)]
/// #[get("/articles")]
/// pub async fn articles() -> impl Responder {
///     HttpResponse::Ok().finish()
/// }
///
/// #[cors(
///     origins = ["https://example.com", "https://*.example.com"],
///     headers = ["Content-Type", "Authorization"],
///     credentials,
///     dev_origins = ["http://localhost:3000"],
/// )]
/// #[put("/articles/{id}")]
/// async fn update_article() -> impl Responder {
///     HttpResponse::NoContent().finish()
/// }
/// ```
///
/// A wildcard with credentials does not compile:
///
/// ```compile_fail
/// use actix_web::{get, HttpResponse, Responder};
/// use cors_actix::cors;
///
/// #[cors(origins = "*", credentials)]
/// #[get("/me")]
/// async fn me() -> impl Responder {
///     HttpResponse::Ok().finish()
/// }
/// ```
pub use cors_macros::cors;

/// Declares a named CORS policy, validated at compile time, for
/// `#[cors(policy = NAME)]`.
///
/// # Syntax
///
/// ```text
/// cors_policy! {
///     /// docs
///     pub NAME { key = value, ... }
/// }
/// ```
///
/// The keys are those of [`cors`](macro@cors), without `policy` and
/// `disable`. A handler may override keys: `#[cors(policy = NAME,
/// max_age = 60)]`. Checks that need the route (its methods) or the App
/// defaults run when the App starts, naming the handler.
///
/// # Examples
///
/// ```
/// use actix_web::{get, HttpResponse, Responder};
/// use cors_actix::{cors, cors_policy};
///
/// cors_policy! {
///     /// Read-only data anyone may fetch.
///     pub PUBLIC_API { origins = "*", max_age = 600 }
/// }
///
/// #[cors(policy = PUBLIC_API)]
/// #[get("/prices")]
/// async fn prices() -> impl Responder {
///     HttpResponse::Ok().finish()
/// }
/// ```
pub use cors_macros::cors_policy;

/// Support for the code the macros generate. Its name carries the version
/// (major, minor), as the macro computes it from its own: a macro and a
/// runtime of different versions then fail to compile. A version bump
/// renames it; a test says so.
#[doc(hidden)]
pub mod __private_v0_1 {
    pub use crate::register::{register, Markers, NamedPolicy, RouteCors, RouteDef, RoutePolicy};
    pub use crate::witness::Witness;
    pub use actix_web;
    pub use cors_core::table::Table;
    pub use cors_core::{Allowed, OriginPredicate, OriginSet, Origins, Policy, PolicySpec};
    pub use cors_macros::scope_cors;
    pub use std::borrow::Cow;
}

#[cfg(test)]
mod tests {
    /// The support module's name follows the crate's version, which the
    /// macro (same workspace version) derives its paths from.
    #[test]
    fn the_support_module_is_named_for_this_version() {
        let expected = format!(
            "__private_v{}_{}",
            env!("CARGO_PKG_VERSION_MAJOR"),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            expected, "__private_v0_1",
            "rename the module `__private_v0_1` in lib.rs to `{expected}`"
        );
    }
}
