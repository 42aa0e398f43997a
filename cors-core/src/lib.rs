//! Framework-free CORS: the policy model, the one validator, the request
//! decision engine, and a browser oracle.
//!
//! This crate knows nothing of any web framework: request parts go in as
//! bytes, header names and values come out as strings. `cors-actix` builds on
//! it, and so does the `#[cors]` attribute, which calls the same validator at
//! compile time.
//!
//! ```
//! use cors_core::{decide, Decision, Policy, PolicySpec, Request};
//!
//! // What `#[cors(origins = [..], credentials, expose = [..])]` says:
//! let policy = Policy::build(&PolicySpec {
//!     origins: Some(&["https://app.example.com", "https://*.example.com"]),
//!     credentials: Some(true),
//!     expose: Some(&["X-Total-Count"]),
//!     ..PolicySpec::EMPTY
//! })?;
//!
//! let request = Request::new(b"GET").origin(b"https://admin.example.com");
//! let Decision::Allowed(headers) = decide(&policy, &request) else { unreachable!() };
//! let sent: Vec<_> = headers.iter().collect();
//! assert_eq!(sent, [
//!     ("access-control-allow-origin", "https://admin.example.com"),
//!     ("access-control-allow-credentials", "true"),
//!     ("access-control-expose-headers", "X-Total-Count"),
//! ]);
//! assert_eq!(headers.vary.value(), "Origin");
//!
//! # Ok::<(), cors_core::ConfigErrors>(())
//! ```
//!
//! The modules follow the standard's words: [`origin`] (serialised origins
//! and patterns), [`header`], [`method`], [`policy`], [`validate`](mod@validate),
//! [`decision`], [`reason`] and [`strict`] (strict mode's rules).
//!
//! With the `browser` feature, `browser` is a browser oracle: given the
//! request a page makes and the responses it gets, what a browser would
//! decide. It is meant for tests (enable it in `[dev-dependencies]`);
//! `cors-actix`'s `testing` feature enables it.

#![forbid(unsafe_code)]

#[cfg(feature = "browser")]
pub mod browser;
pub mod decision;
pub mod header;
pub mod method;
pub mod origin;
pub mod policy;
mod psl;
pub mod reason;
pub mod strict;
pub mod table;
pub mod validate;

pub use decision::{decide, AllowOrigin, CorsHeaders, Decision, Request, RequestHeader, Vary};
pub use origin::{OriginPredicate, OriginProblem, OriginSet};
pub use policy::{
    Allowed, BuildOptions, Key, KeyKind, KeyValue, Origins, Policy, PolicySpec, KEYS,
};
pub use reason::{Place, Question, Reason};
pub use validate::{
    validate, ConfigError, ConfigErrors, ErrorKind, Field, Finding, Note, NoteKind, Validation,
};
