//! A browser oracle: the CORS checks of the [Fetch standard], seen from the browser.
//!
//! Given the request a page makes with `fetch()` ([`Request`]) and the response
//! headers it gets back ([`Response`]), this module answers what a browser decides
//! before it lets JavaScript read a cross-origin response:
//!
//! - does the request need a CORS preflight ([`needs_preflight`]), and what does the
//!   browser send for it ([`preflight_for`])?
//! - does the preflight response pass the [CORS-preflight fetch] ([`check_preflight`])?
//! - does the actual response pass the [CORS check] ([`check_response`]), and which of
//!   its headers can JavaScript read ([`Readable`])?
//! - how long is a preflight result cached ([`preflight_cache_seconds`])?
//!
//! Where Chromium, Firefox and WebKit differ, the oracle follows the engine named
//! by [`Request::browser`]; [`Browser`] lists every difference, as seen in each
//! engine.
//!
//! [`fetch`] runs the whole cycle. A refusal is a [`Blocked`] with a [`BlockedKind`]
//! to assert on, and a `Display` worded like Chrome's console message, so a failing
//! test reads like the browser console.
//!
//! The oracle is written from the standard and from browser sources, independently of
//! the server side of this crate, so that tests can hold the server against it.
//!
//! # Example
//!
//! ```
//! use cors_core::browser::{fetch, BlockedKind, CredentialsMode, Request, Response};
//!
//! let request = Request::new("https://app.example", "PUT")
//!     .header("Content-Type", "application/json")
//!     .credentials(CredentialsMode::Include);
//!
//! let preflight = Response::new(204)
//!     .header("Access-Control-Allow-Origin", "https://app.example")
//!     .header("Access-Control-Allow-Credentials", "true")
//!     .header("Access-Control-Allow-Methods", "PUT")
//!     .header("Access-Control-Allow-Headers", "content-type");
//! let response = Response::new(200)
//!     .header("Access-Control-Allow-Origin", "https://app.example")
//!     .header("Access-Control-Allow-Credentials", "true")
//!     .header("Content-Type", "application/json")
//!     .header("X-Request-Id", "42");
//!
//! let readable = fetch(&request, Some(&preflight), &response)?;
//! assert!(readable.can_read("content-type"));
//! assert!(!readable.can_read("x-request-id")); // not in Access-Control-Expose-Headers
//!
//! // Without `Access-Control-Allow-Credentials: true` the preflight fails.
//! let lax = Response::new(204)
//!     .header("Access-Control-Allow-Origin", "https://app.example")
//!     .header("Access-Control-Allow-Methods", "PUT")
//!     .header("Access-Control-Allow-Headers", "content-type");
//! let blocked = fetch(&request, Some(&lax), &response).unwrap_err();
//! assert_eq!(blocked.kind, BlockedKind::AllowCredentialsNotTrue);
//! assert_eq!(
//!     blocked.to_string(),
//!     "blocked by CORS policy: Response to preflight request doesn't pass access \
//!      control check: The value of the 'Access-Control-Allow-Credentials' header in \
//!      the response is '' which must be 'true' when the request's credentials mode \
//!      is 'include'."
//! );
//! # Ok::<(), cors_core::browser::Blocked>(())
//! ```
//!
//! # Scope
//!
//! - Requests are cross-origin and in `cors` mode; redirects of the actual response
//!   are not followed.
//! - The request is assumed to be one `fetch()` accepts (method and header names are
//!   tokens, the method is not `CONNECT`, `TRACE` or `TRACK`). As `fetch()` does, the
//!   oracle silently drops [forbidden request-headers] such as `Cookie`, `Host`,
//!   `Origin`, `Proxy-*` and `Sec-*`: the page cannot set them.
//! - Header values are compared as the UTF-8 bytes of the given `&str`.
//! - Where browsers and the standard disagree, the oracle follows current browsers and
//!   says so in a [`Warning`].
//!
//! [Fetch standard]: https://fetch.spec.whatwg.org/#http-cors-protocol
//! [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch
//! [CORS check]: https://fetch.spec.whatwg.org/#concept-cors-check
//! [forbidden request-headers]: https://fetch.spec.whatwg.org/#forbidden-request-header

use std::fmt;

const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";
const ALLOW_CREDENTIALS: &str = "Access-Control-Allow-Credentials";
const ALLOW_METHODS: &str = "Access-Control-Allow-Methods";
const ALLOW_HEADERS: &str = "Access-Control-Allow-Headers";
const EXPOSE_HEADERS: &str = "Access-Control-Expose-Headers";
const MAX_AGE: &str = "Access-Control-Max-Age";

/// Methods `fetch()` byte-uppercases; every other method is sent as written.
const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
/// CORS-safelisted methods: they never need a preflight and always pass
/// `Access-Control-Allow-Methods`.
const SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];
/// Methods `fetch()` refuses; they make a method-override header forbidden.
const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];
/// Forbidden request-header names (lowercase), besides the `proxy-` and `sec-` prefixes.
/// Written out here rather than shared with `header`, on purpose: the oracle
/// states the browser's side of the standard independently, so that the
/// agreement tests check the server side against a second reading of it.
const FORBIDDEN_REQUEST_HEADERS: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];
const FORBIDDEN_REQUEST_HEADER_PREFIXES: [&str; 2] = ["proxy-", "sec-"];
/// Headers that are forbidden when their value names a forbidden method.
const METHOD_OVERRIDE_HEADERS: [&str; 3] = [
    "x-http-method",
    "x-http-method-override",
    "x-method-override",
];
/// MIME type essences a CORS-safelisted `Content-Type` may have.
const SAFELISTED_CONTENT_TYPES: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
];
/// Longest value of a single CORS-safelisted request-header, in bytes.
const MAX_SAFELISTED_VALUE_LEN: usize = 128;
/// Longest total of the safelisted request-header values before all become unsafe.
const MAX_SAFELISTED_TOTAL_LEN: usize = 1024;
/// CORS-safelisted response-header names: readable without `Access-Control-Expose-Headers`.
const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];
/// Forbidden response-header names: never readable by JavaScript.
const FORBIDDEN_RESPONSE_HEADERS: [&str; 2] = ["set-cookie", "set-cookie2"];
/// Redirect statuses; a preflight answered with one of them fails.
const REDIRECT_STATUSES: [u16; 5] = [301, 302, 303, 307, 308];
/// Preflight cache lifetime when `Access-Control-Max-Age` is absent or unparsable.
const DEFAULT_MAX_AGE_SECONDS: u32 = 5;

/// An HTTP token (RFC 9110 `token`), non-empty.
fn is_token(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

fn is_http_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn trim_http_whitespace(value: &str) -> &str {
    value.trim_matches(is_http_whitespace)
}

/// Trims optional whitespace (spaces and tabs) around a header value or list item.
fn trim_ows(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// Header names lowercased, deduplicated and sorted.
fn sorted_lowercase_set(names: Vec<&str>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().map(str::to_ascii_lowercase).collect();
    names.sort_unstable();
    names.dedup();
    names
}

mod blocked;
mod cache;
mod check;
mod profile;
mod request;
mod response;
#[cfg(test)]
mod tests;

// The parts share their helpers through this module.
use check::*;
use request::*;

pub use blocked::{Blocked, BlockedKind, Stage, Verdict, Warning};
pub use cache::preflight_cache_seconds;
pub use check::{
    check_preflight, check_response, fetch, needs_preflight, preflight_checks, preflight_for,
    PreflightChecks,
};
pub use profile::Browser;
pub use request::{CredentialsMode, Preflight, Request};
pub use response::{Readable, Response};
