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
const ALLOW_PRIVATE_NETWORK: &str = "Access-Control-Allow-Private-Network";
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

/// The request's credentials mode, as in `fetch(url, { credentials })`.
///
/// Only [`Include`](CredentialsMode::Include) sends cookies and HTTP authentication
/// cross-origin; with it the browser demands `Access-Control-Allow-Credentials: true`
/// and no longer treats `*` as a wildcard. For the cross-origin requests this module
/// models, `Omit` and `SameOrigin` behave alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CredentialsMode {
    /// `credentials: "omit"`: never send credentials.
    Omit,
    /// `credentials: "same-origin"`, fetch's default: send credentials to the same
    /// origin only.
    #[default]
    SameOrigin,
    /// `credentials: "include"`: send credentials cross-origin too.
    Include,
}

/// The request a page makes with `fetch()` to a cross-origin URL.
///
/// Build it with [`Request::new`] and the builder methods, or with a struct literal.
/// The strings are borrowed; `headers` holds the author request headers as
/// `(name, value)` pairs in the order the page sets them, and a name may repeat.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{CredentialsMode, Request};
///
/// let request = Request::new("http://127.0.0.1:8000", "delete")
///     .header("X-Requested-With", "XMLHttpRequest")
///     .credentials(CredentialsMode::Include);
/// assert_eq!(request.normalized_method(), "DELETE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// The page's serialized origin, such as `https://app.example`, or `null` for an
    /// opaque origin.
    pub origin: &'a str,
    /// The method as passed to `fetch()`; see [`Request::normalized_method`].
    pub method: &'a str,
    /// The author request headers, `(name, value)`; names are case-insensitive.
    /// Forbidden request-headers are ignored, as `fetch()` ignores them.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The credentials mode.
    pub credentials: CredentialsMode,
    /// Whether the request goes to a more private address space, for example from a
    /// public site to `192.168.0.1` ([Private Network Access]). The browser then always
    /// sends a preflight with `Access-Control-Request-Private-Network: true`, which
    /// must be answered with `Access-Control-Allow-Private-Network: true`.
    ///
    /// [Private Network Access]: https://wicg.github.io/private-network-access/
    pub private_network: bool,
}

impl<'a> Request<'a> {
    /// A request from `origin` with `method`, no headers, fetch's default credentials
    /// mode ([`CredentialsMode::SameOrigin`]) and no private network access.
    #[must_use]
    pub fn new(origin: &'a str, method: &'a str) -> Self {
        Self {
            origin,
            method,
            headers: Vec::new(),
            credentials: CredentialsMode::default(),
            private_network: false,
        }
    }

    /// Appends an author request header, like `Headers.append(name, value)`.
    #[must_use]
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sets the credentials mode.
    #[must_use]
    pub fn credentials(mut self, credentials: CredentialsMode) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets whether the request is a [private network request](Request::private_network).
    #[must_use]
    pub fn private_network(mut self, private_network: bool) -> Self {
        self.private_network = private_network;
        self
    }

    /// The method as the browser sends it: `fetch()` byte-uppercases `delete`, `get`,
    /// `head`, `options`, `post` and `put` only, so `patch` stays `patch`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::browser::Request;
    ///
    /// assert_eq!(Request::new("https://a.example", "post").normalized_method(), "POST");
    /// assert_eq!(Request::new("https://a.example", "patch").normalized_method(), "patch");
    /// ```
    #[must_use]
    pub fn normalized_method(&self) -> &'a str {
        NORMALIZED_METHODS
            .iter()
            .find(|normalized| normalized.eq_ignore_ascii_case(self.method))
            .copied()
            .unwrap_or(self.method)
    }

    /// The [CORS-unsafe request-header names]: the names of the headers that are not
    /// CORS-safelisted, lowercased, deduplicated and sorted. Forbidden request-headers
    /// are left out; they are never sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::browser::Request;
    ///
    /// let request = Request::new("https://a.example", "GET")
    ///     .header("X-B", "1")
    ///     .header("Accept", "application/json")
    ///     .header("x-a", "2")
    ///     .header("X-A", "3");
    /// assert_eq!(request.unsafe_header_names(), ["x-a", "x-b"]);
    /// ```
    ///
    /// [CORS-unsafe request-header names]: https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names
    #[must_use]
    pub fn unsafe_header_names(&self) -> Vec<String> {
        let mut unsafe_names = Vec::new();
        let mut safelisted_names = Vec::new();
        let mut safelisted_len = 0_usize;
        for (name, value) in self.sent_headers() {
            if is_safelisted_request_header(name, value) {
                safelisted_names.push(name);
                safelisted_len = safelisted_len.saturating_add(value.len());
            } else {
                unsafe_names.push(name);
            }
        }
        if safelisted_len > MAX_SAFELISTED_TOTAL_LEN {
            unsafe_names.extend(safelisted_names);
        }
        sorted_lowercase_set(unsafe_names)
    }

    /// The author headers the browser really sends: forbidden ones dropped, values
    /// stripped of leading and trailing HTTP whitespace (as `Headers` normalises them).
    fn sent_headers(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.headers
            .iter()
            .map(|&(name, value)| (name, trim_http_whitespace(value)))
            .filter(|&(name, value)| !is_forbidden_request_header(name, value))
    }

    fn includes_credentials(&self) -> bool {
        self.credentials == CredentialsMode::Include
    }
}

/// A response as the browser receives it: a status and header lines.
///
/// Header names are case-insensitive. A name may repeat: each pair is one header
/// line, and the browser combines repeated lines, so two `Access-Control-Allow-Origin`
/// lines never pass. Values are taken without surrounding spaces and tabs, as an HTTP
/// parser delivers them.
///
/// # Examples
///
/// ```
/// use cors_core::browser::Response;
///
/// let response = Response::new(200)
///     .header("Access-Control-Allow-Origin", "https://app.example")
///     .header("Vary", "Origin");
/// assert_eq!(response.headers.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    /// The HTTP status code.
    pub status: u16,
    /// The header lines, `(name, value)`, in order.
    pub headers: Vec<(&'a str, &'a str)>,
}

impl<'a> Response<'a> {
    /// A response with `status` and no headers.
    #[must_use]
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
        }
    }

    /// Appends a header line.
    #[must_use]
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The values of every line named `name`, trimmed of spaces and tabs.
    fn values(&self, name: &str) -> Vec<&'a str> {
        self.headers
            .iter()
            .filter(|(line_name, _)| line_name.eq_ignore_ascii_case(name))
            .map(|&(_, value)| trim_ows(value))
            .collect()
    }

    /// The value of `name` as the Fetch standard "gets" it: all lines joined by `", "`,
    /// or `None` when there is no such line.
    fn combined(&self, name: &str) -> Option<String> {
        let values = self.values(name);
        (!values.is_empty()).then(|| values.join(", "))
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(line_name, _)| line_name.eq_ignore_ascii_case(name))
    }
}

/// The CORS preflight request the browser sends before the actual request.
///
/// Its method is always `OPTIONS`, on the same URL as the actual request; it carries
/// no cookies and no `Authorization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    /// The `Origin` header: the page's serialized origin.
    pub origin: String,
    /// The `Access-Control-Request-Method` header: the normalised method.
    pub request_method: String,
    /// The `Access-Control-Request-Headers` header: the CORS-unsafe request-header
    /// names, lowercased, deduplicated, sorted and joined by `,` without spaces;
    /// `None` when there are none (the browser then omits the header).
    pub request_headers: Option<String>,
    /// Whether `Access-Control-Request-Private-Network: true` is sent.
    pub request_private_network: bool,
}

impl Preflight {
    /// The preflight's method, always `OPTIONS`.
    #[must_use]
    pub fn method(&self) -> &'static str {
        "OPTIONS"
    }

    /// The CORS header lines of the preflight, ready to put on a test request:
    /// `Origin`, `Access-Control-Request-Method`, and when present
    /// `Access-Control-Request-Headers` and `Access-Control-Request-Private-Network`.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::browser::{preflight_for, Request};
    ///
    /// let request = Request::new("https://app.example", "PUT");
    /// let preflight = preflight_for(&request).expect("PUT is preflighted");
    /// assert_eq!(
    ///     preflight.headers(),
    ///     [
    ///         ("Origin", "https://app.example"),
    ///         ("Access-Control-Request-Method", "PUT"),
    ///     ]
    /// );
    /// ```
    #[must_use]
    pub fn headers(&self) -> Vec<(&'static str, &str)> {
        let mut headers = vec![
            ("Origin", self.origin.as_str()),
            (
                "Access-Control-Request-Method",
                self.request_method.as_str(),
            ),
        ];
        if let Some(request_headers) = &self.request_headers {
            headers.push(("Access-Control-Request-Headers", request_headers.as_str()));
        }
        if self.request_private_network {
            headers.push(("Access-Control-Request-Private-Network", "true"));
        }
        headers
    }
}

/// The outcome of a passing preflight: the browser goes on with the actual request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verdict {
    /// Points where current browsers are more lenient than the Fetch standard; a
    /// server should not rely on them.
    pub warnings: Vec<Warning>,
}

/// A point where the browser lets a request through that the Fetch standard rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Warning {
    /// The `authorization` request header was allowed only by
    /// `Access-Control-Allow-Headers: *`. The standard says `*` never covers
    /// `Authorization`; current browsers still accept it. List `authorization`
    /// explicitly.
    AuthorizationCoveredByWildcard,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AuthorizationCoveredByWildcard => f.write_str(
                "Request header field authorization is allowed only by the wildcard '*' in \
                 Access-Control-Allow-Headers: the Fetch standard rejects this, current \
                 browsers accept it; list 'authorization' explicitly.",
            ),
        }
    }
}

/// The outcome of a passing CORS check: which response headers JavaScript can read.
///
/// JavaScript sees the [CORS-safelisted response-header names] (`Cache-Control`,
/// `Content-Language`, `Content-Length`, `Content-Type`, `Expires`, `Last-Modified`,
/// `Pragma`) and the names listed in `Access-Control-Expose-Headers`, where `*`
/// exposes every header only when credentials are not included. `Set-Cookie` and
/// `Set-Cookie2` are never readable.
///
/// [CORS-safelisted response-header names]: https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readable {
    exposed: Exposed,
    headers: Vec<(String, String)>,
    warnings: Vec<Warning>,
}

/// The response headers exposed beyond the safelisted ones.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Exposed {
    /// `Access-Control-Expose-Headers: *` without credentials.
    All,
    /// The listed names, lowercased.
    Listed(Vec<String>),
}

impl Exposed {
    fn from_response(request: &Request<'_>, response: &Response<'_>) -> Self {
        match header_list(response, EXPOSE_HEADERS) {
            Ok(names) if !request.includes_credentials() && names.contains(&"*") => Self::All,
            Ok(names) => Self::Listed(names.iter().map(|name| name.to_ascii_lowercase()).collect()),
            // An unparsable list exposes nothing; it does not block the response.
            Err(_) => Self::Listed(Vec::new()),
        }
    }

    fn allows(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        if FORBIDDEN_RESPONSE_HEADERS.contains(&name.as_str()) {
            return false;
        }
        SAFELISTED_RESPONSE_HEADERS.contains(&name.as_str())
            || match self {
                Self::All => true,
                Self::Listed(names) => names.contains(&name),
            }
    }
}

impl Readable {
    fn from_response(request: &Request<'_>, response: &Response<'_>) -> Self {
        let exposed = Exposed::from_response(request, response);
        let headers = response
            .headers
            .iter()
            .filter(|(name, _)| exposed.allows(name))
            .map(|(name, value)| (name.to_ascii_lowercase(), trim_ows(value).to_owned()))
            .collect();
        Self {
            exposed,
            headers,
            warnings: Vec::new(),
        }
    }

    /// Whether JavaScript could read a response header named `name` (case-insensitive)
    /// through `response.headers`, whether or not this response has one.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::browser::{check_response, Request, Response};
    ///
    /// let request = Request::new("https://app.example", "GET");
    /// let response = Response::new(200)
    ///     .header("Access-Control-Allow-Origin", "*")
    ///     .header("Access-Control-Expose-Headers", "X-Total-Count");
    /// let readable = check_response(&request, &response)?;
    /// assert!(readable.can_read("Content-Type"));
    /// assert!(readable.can_read("x-total-count"));
    /// assert!(!readable.can_read("x-secret"));
    /// # Ok::<(), cors_core::browser::Blocked>(())
    /// ```
    #[must_use]
    pub fn can_read(&self, name: &str) -> bool {
        self.exposed.allows(name)
    }

    /// The value JavaScript gets from `response.headers.get(name)`: every readable line
    /// named `name` joined by `", "`, or `None`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(line_name, _)| line_name.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// The response header lines JavaScript can see, names lowercased, in order.
    #[must_use]
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Warnings from the preflight, when [`fetch`] ran one.
    #[must_use]
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// Which response the browser was checking when it blocked the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The response to the CORS preflight (`OPTIONS`) request.
    Preflight,
    /// The response to the actual request.
    Response,
}

/// Why the browser blocked a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BlockedKind {
    /// The request needs a preflight, but [`fetch`] was given no preflight response.
    PreflightMissing,
    /// The preflight response's status is not in `200..=299`.
    PreflightStatus,
    /// The preflight response is a redirect (301, 302, 303, 307 or 308 with a
    /// `Location`); browsers never follow redirects of a preflight.
    PreflightRedirect,
    /// There is no `Access-Control-Allow-Origin` header.
    MissingAllowOrigin,
    /// `Access-Control-Allow-Origin` holds several values, from one line with a comma
    /// or a space, or from several lines (even `*` twice).
    MultipleAllowOrigin,
    /// `Access-Control-Allow-Origin` is not byte-equal to the request's origin.
    AllowOriginMismatch,
    /// `Access-Control-Allow-Origin: *` on a request with credentials included.
    WildcardOriginWithCredentials,
    /// With credentials included, `Access-Control-Allow-Credentials` is not exactly
    /// `true`.
    AllowCredentialsNotTrue,
    /// The method is not safelisted and not listed in `Access-Control-Allow-Methods`
    /// (compared case-sensitively; `*` counts only without credentials).
    MethodNotAllowed,
    /// A CORS-unsafe request header is not listed in `Access-Control-Allow-Headers`
    /// (compared case-insensitively; `*` counts only without credentials).
    HeaderNotAllowed,
    /// A private network request's preflight response lacks
    /// `Access-Control-Allow-Private-Network: true`.
    PrivateNetworkNotAllowed,
    /// `Access-Control-Allow-Methods` or `Access-Control-Allow-Headers` holds an item
    /// that is not an HTTP token.
    InvalidHeaderList,
}

impl BlockedKind {
    /// Whether Chrome prefixes the message with "Response to preflight request doesn't
    /// pass access control check" when the preflight response fails this way.
    fn is_access_check(self) -> bool {
        matches!(
            self,
            Self::PreflightStatus
                | Self::PreflightRedirect
                | Self::MissingAllowOrigin
                | Self::MultipleAllowOrigin
                | Self::AllowOriginMismatch
                | Self::WildcardOriginWithCredentials
                | Self::AllowCredentialsNotTrue
                | Self::PrivateNetworkNotAllowed
        )
    }
}

/// The browser refused to let the page read the response.
///
/// `Display` gives the reason worded like Chrome's console message, from
/// "blocked by CORS policy:" on (the oracle does not know the URL), without Chrome's
/// trailing hints about `no-cors`.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{check_response, BlockedKind, Request, Response, Stage};
///
/// let request = Request::new("https://app.example", "GET");
/// let blocked = check_response(&request, &Response::new(200)).unwrap_err();
/// assert_eq!(blocked.kind, BlockedKind::MissingAllowOrigin);
/// assert_eq!(blocked.stage, Stage::Response);
/// assert_eq!(
///     blocked.to_string(),
///     "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on \
///      the requested resource."
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Blocked {
    /// Why.
    pub kind: BlockedKind,
    /// Which response failed.
    pub stage: Stage,
    /// The response header at fault, in its usual spelling (such as
    /// `Access-Control-Allow-Methods`); `None` for the status and for a missing
    /// preflight.
    pub header: Option<&'static str>,
    /// The offending value: the `Access-Control-Allow-Origin`,
    /// `Access-Control-Allow-Credentials` or `Access-Control-Allow-Private-Network`
    /// value (`None` when absent), the disallowed method, the disallowed request
    /// header name, the unparsable list item, or the status code.
    pub value: Option<String>,
}

impl Blocked {
    fn new(kind: BlockedKind, stage: Stage) -> Self {
        Self {
            kind,
            stage,
            header: None,
            value: None,
        }
    }

    fn with_header(mut self, header: &'static str) -> Self {
        self.header = Some(header);
        self
    }

    fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("blocked by CORS policy: ")?;
        if self.stage == Stage::Preflight && self.kind.is_access_check() {
            f.write_str("Response to preflight request doesn't pass access control check: ")?;
        }
        let value = self.value.as_deref().unwrap_or_default();
        match self.kind {
            BlockedKind::PreflightMissing => f.write_str(
                "The request needs a CORS preflight, but no preflight response was supplied.",
            ),
            BlockedKind::PreflightStatus => f.write_str("It does not have HTTP ok status."),
            BlockedKind::PreflightRedirect => {
                f.write_str("Redirect is not allowed for a preflight request.")
            }
            BlockedKind::MissingAllowOrigin => f.write_str(
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            ),
            BlockedKind::MultipleAllowOrigin => write!(
                f,
                "The 'Access-Control-Allow-Origin' header contains multiple values \
                 '{value}', but only one is allowed."
            ),
            BlockedKind::AllowOriginMismatch => write!(
                f,
                "The 'Access-Control-Allow-Origin' header has a value '{value}' that is \
                 not equal to the supplied origin."
            ),
            BlockedKind::WildcardOriginWithCredentials => f.write_str(
                "The value of the 'Access-Control-Allow-Origin' header in the response \
                 must not be the wildcard '*' when the request's credentials mode is \
                 'include'.",
            ),
            BlockedKind::AllowCredentialsNotTrue => write!(
                f,
                "The value of the 'Access-Control-Allow-Credentials' header in the \
                 response is '{value}' which must be 'true' when the request's \
                 credentials mode is 'include'."
            ),
            BlockedKind::MethodNotAllowed => write!(
                f,
                "Method {value} is not allowed by Access-Control-Allow-Methods in \
                 preflight response."
            ),
            BlockedKind::HeaderNotAllowed => write!(
                f,
                "Request header field {value} is not allowed by \
                 Access-Control-Allow-Headers in preflight response."
            ),
            BlockedKind::PrivateNetworkNotAllowed => match &self.value {
                None => f.write_str(
                    "No 'Access-Control-Allow-Private-Network' header was present in the \
                     preflight response for this private network request.",
                ),
                Some(value) => write!(
                    f,
                    "The 'Access-Control-Allow-Private-Network' header in the preflight \
                     response for this private network request had a value of '{value}', \
                     not 'true'."
                ),
            },
            BlockedKind::InvalidHeaderList => write!(
                f,
                "Cannot parse {} response header field in preflight response.",
                self.header.unwrap_or_default()
            ),
        }
    }
}

impl std::error::Error for Blocked {}

/// A browser, for its cap on [`preflight_cache_seconds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Browser {
    /// Chromium-based browsers: at most 7200 s (2 hours).
    Chrome,
    /// Firefox: at most 86400 s (24 hours).
    Firefox,
    /// Safari (WebKit): at most 600 s (10 minutes).
    Safari,
}

impl Browser {
    /// The longest time, in seconds, this browser keeps a preflight result.
    #[must_use]
    pub const fn max_age_cap(self) -> u32 {
        match self {
            Self::Chrome => 7200,
            Self::Firefox => 86_400,
            Self::Safari => 600,
        }
    }
}

/// Whether the browser sends a [CORS preflight] before `request`.
///
/// It does when the normalised method is not `GET`, `HEAD` or `POST`, when a header
/// is not [CORS-safelisted] (`Accept`, `Accept-Language`, `Content-Language`,
/// `Content-Type`, `Range`, each with a valid value of at most 128 bytes, and at most
/// 1024 bytes of such values in total), or when the request is a private network
/// request.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{needs_preflight, Request};
///
/// let form = Request::new("https://app.example", "POST")
///     .header("Content-Type", "text/plain;charset=UTF-8");
/// assert!(!needs_preflight(&form));
///
/// let json = Request::new("https://app.example", "POST")
///     .header("Content-Type", "application/json");
/// assert!(needs_preflight(&json));
/// ```
///
/// [CORS preflight]: https://fetch.spec.whatwg.org/#cors-preflight-request
/// [CORS-safelisted]: https://fetch.spec.whatwg.org/#cors-safelisted-request-header
#[must_use]
pub fn needs_preflight(request: &Request<'_>) -> bool {
    request.private_network
        || !is_safelisted_method(request.normalized_method())
        || !request.unsafe_header_names().is_empty()
}

/// The preflight the browser sends before `request`, or `None` when it sends none.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{preflight_for, Request};
///
/// let request = Request::new("https://app.example", "patch")
///     .header("X-Requested-With", "fetch")
///     .header("Content-Type", "application/json")
///     .header("x-requested-with", "again");
/// let preflight = preflight_for(&request).expect("needs a preflight");
/// assert_eq!(preflight.method(), "OPTIONS");
/// assert_eq!(preflight.request_method, "patch");
/// assert_eq!(
///     preflight.request_headers.as_deref(),
///     Some("content-type,x-requested-with")
/// );
///
/// assert_eq!(preflight_for(&Request::new("https://app.example", "GET")), None);
/// ```
#[must_use]
pub fn preflight_for(request: &Request<'_>) -> Option<Preflight> {
    if !needs_preflight(request) {
        return None;
    }
    let unsafe_names = request.unsafe_header_names();
    Some(Preflight {
        origin: request.origin.to_owned(),
        request_method: request.normalized_method().to_owned(),
        request_headers: (!unsafe_names.is_empty()).then(|| unsafe_names.join(",")),
        request_private_network: request.private_network,
    })
}

/// The checks of the [CORS-preflight fetch] on `preflight_response`, in Chrome's
/// order: no redirect; the CORS check (`Access-Control-Allow-Origin`, and
/// `Access-Control-Allow-Credentials` when credentials are included); an ok status
/// (2xx); `Access-Control-Allow-Private-Network: true` for a private network request;
/// parsable `Access-Control-Allow-Methods` and `Access-Control-Allow-Headers`; the
/// method allowed; every CORS-unsafe request header allowed.
///
/// The checks run even when `request` would need no preflight.
///
/// # Errors
///
/// Returns [`Blocked`] with [`Stage::Preflight`] and the first failing check's
/// [`BlockedKind`].
///
/// # Examples
///
/// ```
/// use cors_core::browser::{check_preflight, BlockedKind, Request, Response, Warning};
///
/// let request = Request::new("https://app.example", "DELETE")
///     .header("Authorization", "Bearer abc");
/// let preflight = Response::new(204)
///     .header("Access-Control-Allow-Origin", "*")
///     .header("Access-Control-Allow-Methods", "GET, DELETE")
///     .header("Access-Control-Allow-Headers", "*");
///
/// // Browsers accept `*` for `authorization`, the standard does not.
/// let verdict = check_preflight(&request, &preflight)?;
/// assert_eq!(verdict.warnings, [Warning::AuthorizationCoveredByWildcard]);
///
/// let put = Request::new("https://app.example", "PUT");
/// let blocked = check_preflight(&put, &preflight).unwrap_err();
/// assert_eq!(blocked.kind, BlockedKind::MethodNotAllowed);
/// assert_eq!(
///     blocked.to_string(),
///     "blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods \
///      in preflight response."
/// );
/// # Ok::<(), cors_core::browser::Blocked>(())
/// ```
///
/// [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch-0
pub fn check_preflight(
    request: &Request<'_>,
    preflight_response: &Response<'_>,
) -> Result<Verdict, Blocked> {
    let stage = Stage::Preflight;
    if is_redirect(preflight_response) {
        return Err(Blocked::new(BlockedKind::PreflightRedirect, stage)
            .with_value(preflight_response.status.to_string()));
    }
    cors_check(request, preflight_response, stage)?;
    if !(200..=299).contains(&preflight_response.status) {
        return Err(Blocked::new(BlockedKind::PreflightStatus, stage)
            .with_value(preflight_response.status.to_string()));
    }
    check_private_network(request, preflight_response)?;
    let methods = allow_list(preflight_response, ALLOW_METHODS)?;
    let header_names = allow_list(preflight_response, ALLOW_HEADERS)?;
    check_method(request, &methods)?;
    let warnings = check_headers(request, &header_names)?;
    Ok(Verdict { warnings })
}

/// The [CORS check] on the actual `response`, and the headers JavaScript can read.
///
/// `Access-Control-Allow-Origin` must be present, a single value, and either `*` (only
/// when credentials are not included) or byte-equal to the request's origin. With
/// credentials included, `Access-Control-Allow-Credentials` must be exactly `true`.
/// The status does not matter: a 500 with the right headers is readable, a 401
/// without them reaches the page as a network error.
///
/// # Errors
///
/// Returns [`Blocked`] with [`Stage::Response`] when the CORS check fails.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{check_response, BlockedKind, CredentialsMode, Request, Response};
///
/// let request = Request::new("https://app.example", "GET")
///     .credentials(CredentialsMode::Include);
/// let response = Response::new(200)
///     .header("Access-Control-Allow-Origin", "https://app.example")
///     .header("Access-Control-Allow-Credentials", "True");
/// let blocked = check_response(&request, &response).unwrap_err();
/// assert_eq!(blocked.kind, BlockedKind::AllowCredentialsNotTrue);
/// assert_eq!(blocked.value.as_deref(), Some("True"));
/// ```
///
/// [CORS check]: https://fetch.spec.whatwg.org/#concept-cors-check
pub fn check_response(request: &Request<'_>, response: &Response<'_>) -> Result<Readable, Blocked> {
    cors_check(request, response, Stage::Response)?;
    Ok(Readable::from_response(request, response))
}

/// The whole cycle of a cross-origin `fetch()`: the preflight when
/// [`needs_preflight`], then the actual response.
///
/// `preflight_response` is ignored when no preflight is needed. Warnings from the
/// preflight are kept in [`Readable::warnings`].
///
/// # Errors
///
/// Returns [`Blocked`] with [`BlockedKind::PreflightMissing`] when a preflight is
/// needed and `preflight_response` is `None`, the error of [`check_preflight`], or the
/// error of [`check_response`].
///
/// # Examples
///
/// ```
/// use cors_core::browser::{fetch, BlockedKind, Request, Response};
///
/// let request = Request::new("https://app.example", "GET").header("X-Trace", "1");
/// let response = Response::new(200).header("Access-Control-Allow-Origin", "*");
/// let blocked = fetch(&request, None, &response).unwrap_err();
/// assert_eq!(blocked.kind, BlockedKind::PreflightMissing);
///
/// let preflight = Response::new(204)
///     .header("Access-Control-Allow-Origin", "*")
///     .header("Access-Control-Allow-Headers", "x-trace");
/// assert!(fetch(&request, Some(&preflight), &response).is_ok());
/// ```
pub fn fetch(
    request: &Request<'_>,
    preflight_response: Option<&Response<'_>>,
    response: &Response<'_>,
) -> Result<Readable, Blocked> {
    let warnings = if needs_preflight(request) {
        let preflight_response = preflight_response
            .ok_or_else(|| Blocked::new(BlockedKind::PreflightMissing, Stage::Preflight))?;
        check_preflight(request, preflight_response)?.warnings
    } else {
        Vec::new()
    };
    let mut readable = check_response(request, response)?;
    readable.warnings = warnings;
    Ok(readable)
}

/// How long `browser` caches the result of a passing preflight, in seconds.
///
/// `Access-Control-Max-Age` is capped by [`Browser::max_age_cap`]; absent or
/// unparsable (including several lines) it means 5 seconds; `0` and negative values
/// such as `-1` disable caching.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{preflight_cache_seconds, Browser, Response};
///
/// let preflight = Response::new(204).header("Access-Control-Max-Age", "86400");
/// assert_eq!(preflight_cache_seconds(&preflight, Browser::Chrome), 7200);
/// assert_eq!(preflight_cache_seconds(&preflight, Browser::Firefox), 86400);
/// assert_eq!(preflight_cache_seconds(&Response::new(204), Browser::Safari), 5);
/// ```
#[must_use]
pub fn preflight_cache_seconds(preflight_response: &Response<'_>, browser: Browser) -> u32 {
    preflight_response
        .combined(MAX_AGE)
        .and_then(|value| parse_max_age(&value))
        .map_or(DEFAULT_MAX_AGE_SECONDS, |seconds| {
            seconds.min(browser.max_age_cap())
        })
}

/// `Access-Control-Max-Age` as delta-seconds, saturating; negative values mean 0;
/// `None` when unparsable.
fn parse_max_age(value: &str) -> Option<u32> {
    if let Some(digits) = value.strip_prefix('-') {
        return is_digits(digits).then_some(0);
    }
    // All digits, so parsing fails only on overflow.
    is_digits(value).then(|| value.parse().unwrap_or(u32::MAX))
}

/// The CORS check shared by the preflight and the actual response.
fn cors_check(request: &Request<'_>, response: &Response<'_>, stage: Stage) -> Result<(), Blocked> {
    let origin_error = |kind| Blocked::new(kind, stage).with_header(ALLOW_ORIGIN);
    let Some(allow_origin) = response.combined(ALLOW_ORIGIN) else {
        return Err(origin_error(BlockedKind::MissingAllowOrigin));
    };
    if allow_origin == "*" {
        return if request.includes_credentials() {
            Err(origin_error(BlockedKind::WildcardOriginWithCredentials).with_value(allow_origin))
        } else {
            Ok(())
        };
    }
    if allow_origin != request.origin {
        let kind = if allow_origin.contains([',', ' ']) {
            BlockedKind::MultipleAllowOrigin
        } else {
            BlockedKind::AllowOriginMismatch
        };
        return Err(origin_error(kind).with_value(allow_origin));
    }
    if request.includes_credentials() {
        let allow_credentials = response.combined(ALLOW_CREDENTIALS);
        if allow_credentials.as_deref() != Some("true") {
            let mut blocked = Blocked::new(BlockedKind::AllowCredentialsNotTrue, stage)
                .with_header(ALLOW_CREDENTIALS);
            blocked.value = allow_credentials;
            return Err(blocked);
        }
    }
    Ok(())
}

fn is_redirect(response: &Response<'_>) -> bool {
    REDIRECT_STATUSES.contains(&response.status) && response.has_header("Location")
}

fn check_private_network(request: &Request<'_>, response: &Response<'_>) -> Result<(), Blocked> {
    if !request.private_network {
        return Ok(());
    }
    let allow = response.combined(ALLOW_PRIVATE_NETWORK);
    if allow.as_deref() == Some("true") {
        return Ok(());
    }
    let mut blocked = Blocked::new(BlockedKind::PrivateNetworkNotAllowed, Stage::Preflight)
        .with_header(ALLOW_PRIVATE_NETWORK);
    blocked.value = allow;
    Err(blocked)
}

/// A preflight allow-list header; an item that is not a token fails the preflight.
fn allow_list<'r>(response: &Response<'r>, name: &'static str) -> Result<Vec<&'r str>, Blocked> {
    header_list(response, name).map_err(|item| {
        Blocked::new(BlockedKind::InvalidHeaderList, Stage::Preflight)
            .with_header(name)
            .with_value(item)
    })
}

/// The items of a comma-separated header list over all lines named `name`: trimmed,
/// empty items skipped; `Err` with the first item that is not an HTTP token.
/// An absent header is an empty list.
fn header_list<'r>(response: &Response<'r>, name: &str) -> Result<Vec<&'r str>, &'r str> {
    let mut items = Vec::new();
    for line in response.values(name) {
        for item in line
            .split(',')
            .map(trim_ows)
            .filter(|item| !item.is_empty())
        {
            if !is_token(item) {
                return Err(item);
            }
            items.push(item);
        }
    }
    Ok(items)
}

fn check_method(request: &Request<'_>, allowed: &[&str]) -> Result<(), Blocked> {
    let method = request.normalized_method();
    let wildcard = !request.includes_credentials() && allowed.contains(&"*");
    if is_safelisted_method(method) || allowed.contains(&method) || wildcard {
        return Ok(());
    }
    Err(
        Blocked::new(BlockedKind::MethodNotAllowed, Stage::Preflight)
            .with_header(ALLOW_METHODS)
            .with_value(method),
    )
}

fn check_headers(request: &Request<'_>, allowed: &[&str]) -> Result<Vec<Warning>, Blocked> {
    let wildcard = !request.includes_credentials() && allowed.contains(&"*");
    let mut warnings = Vec::new();
    for name in request.unsafe_header_names() {
        if allowed.iter().any(|item| item.eq_ignore_ascii_case(&name)) {
            continue;
        }
        if !wildcard {
            return Err(
                Blocked::new(BlockedKind::HeaderNotAllowed, Stage::Preflight)
                    .with_header(ALLOW_HEADERS)
                    .with_value(name),
            );
        }
        // The standard's "CORS non-wildcard request-header name"; browsers let it pass.
        if name == "authorization" {
            warnings.push(Warning::AuthorizationCoveredByWildcard);
        }
    }
    Ok(warnings)
}

fn is_safelisted_method(method: &str) -> bool {
    SAFELISTED_METHODS.contains(&method)
}

/// Whether `fetch()` refuses to set this header (it is dropped silently).
fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    FORBIDDEN_REQUEST_HEADERS.contains(&name.as_str())
        || FORBIDDEN_REQUEST_HEADER_PREFIXES
            .iter()
            .any(|prefix| name.starts_with(prefix))
        || (METHOD_OVERRIDE_HEADERS.contains(&name.as_str())
            && value.split(',').map(trim_http_whitespace).any(|method| {
                FORBIDDEN_METHODS
                    .iter()
                    .any(|forbidden| forbidden.eq_ignore_ascii_case(method))
            }))
}

/// The Fetch standard's CORS-safelisted request-header check for one header.
fn is_safelisted_request_header(name: &str, value: &str) -> bool {
    if value.len() > MAX_SAFELISTED_VALUE_LEN {
        return false;
    }
    match name.to_ascii_lowercase().as_str() {
        "accept" => !value.bytes().any(is_cors_unsafe_request_header_byte),
        "accept-language" | "content-language" => value.bytes().all(is_language_byte),
        "content-type" => is_safelisted_content_type(value),
        "range" => is_simple_range(value),
        _ => false,
    }
}

fn is_safelisted_content_type(value: &str) -> bool {
    !value.bytes().any(is_cors_unsafe_request_header_byte)
        && mime_essence(value)
            .is_some_and(|essence| SAFELISTED_CONTENT_TYPES.contains(&essence.as_str()))
}

/// The essence (`type/subtype`, lowercase) of a MIME type, parsed as the MIME
/// Sniffing standard does; parameters never make the parse fail, so they are skipped.
fn mime_essence(value: &str) -> Option<String> {
    let (media_type, rest) = trim_http_whitespace(value).split_once('/')?;
    let subtype = rest.split_once(';').map_or(rest, |(subtype, _)| subtype);
    let subtype = subtype.trim_end_matches(is_http_whitespace);
    (is_token(media_type) && is_token(subtype)).then(|| {
        format!(
            "{}/{}",
            media_type.to_ascii_lowercase(),
            subtype.to_ascii_lowercase()
        )
    })
}

/// A simple range header value, `bytes=N-` or `bytes=N-M` with `N <= M`: the only
/// `Range` a page may send without a preflight (suffix ranges `bytes=-N` need one).
fn is_simple_range(value: &str) -> bool {
    let Some((start, end)) = value
        .strip_prefix("bytes=")
        .and_then(|range| range.split_once('-'))
    else {
        return false;
    };
    is_digits(start) && (end.is_empty() || (is_digits(end) && !decimal_greater(start, end)))
}

/// Whether the decimal digit string `a` is greater than `b`, without overflow.
fn decimal_greater(a: &str, b: &str) -> bool {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    (a.len(), a) > (b.len(), b)
}

fn is_digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit())
}

/// A CORS-unsafe request-header byte.
fn is_cors_unsafe_request_header_byte(byte: u8) -> bool {
    (byte < 0x20 && byte != b'\t') || b"\"():<>?@[\\]{}\x7f".contains(&byte)
}

/// A byte allowed in a safelisted `Accept-Language` or `Content-Language` value.
fn is_language_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b" *,-.;=".contains(&byte)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "https://app.example";

    fn get() -> Request<'static> {
        Request::new(ORIGIN, "GET")
    }

    fn include(request: Request<'static>) -> Request<'static> {
        request.credentials(CredentialsMode::Include)
    }

    /// A response whose `Access-Control-Allow-Origin` is the request's origin.
    fn allowed(status: u16) -> Response<'static> {
        Response::new(status).header("Access-Control-Allow-Origin", ORIGIN)
    }

    /// [`allowed`] plus `Access-Control-Allow-Credentials: true`.
    fn allowed_with_credentials(status: u16) -> Response<'static> {
        allowed(status).header("Access-Control-Allow-Credentials", "true")
    }

    #[test]
    fn fetch_normalises_only_six_methods() {
        let cases = [
            ("delete is uppercased", "delete", "DELETE"),
            ("get is uppercased", "get", "GET"),
            ("head is uppercased", "hEaD", "HEAD"),
            ("options is uppercased", "options", "OPTIONS"),
            ("post is uppercased", "Post", "POST"),
            ("put is uppercased", "put", "PUT"),
            ("patch stays lowercase", "patch", "patch"),
            ("mixed-case patch stays as written", "Patch", "Patch"),
            ("custom methods stay as written", "propfind", "propfind"),
        ];
        for (description, method, expected) in cases {
            let request = Request::new(ORIGIN, method);
            assert_eq!(request.normalized_method(), expected, "{description}");
        }
    }

    #[test]
    fn needs_preflight_follows_the_safelists() {
        let a_128 = "a".repeat(128);
        let a_129 = "a".repeat(129);
        let eight_full_accepts = vec![("Accept", a_128.as_str()); 8];
        let nine_full_accepts = vec![("Accept", a_128.as_str()); 9];
        let cases: Vec<(&str, &str, Vec<(&str, &str)>, bool)> = vec![
            ("GET without headers", "GET", vec![], false),
            ("HEAD is safelisted", "HEAD", vec![], false),
            ("POST is safelisted", "POST", vec![], false),
            ("lowercase get is normalised to GET", "get", vec![], false),
            ("PUT is not safelisted", "PUT", vec![], true),
            ("lowercase delete is not safelisted", "delete", vec![], true),
            ("lowercase patch is not safelisted", "patch", vec![], true),
            (
                "a custom header",
                "GET",
                vec![("X-Requested-With", "fetch")],
                true,
            ),
            (
                "authorization",
                "GET",
                vec![("Authorization", "Bearer t")],
                true,
            ),
            (
                "content-type application/json",
                "POST",
                vec![("Content-Type", "application/json")],
                true,
            ),
            (
                "content-type text/plain;charset=utf-8",
                "POST",
                vec![("Content-Type", "text/plain;charset=utf-8")],
                false,
            ),
            (
                "content-type essence is case-insensitive",
                "POST",
                vec![("content-type", "Text/PLAIN")],
                false,
            ),
            (
                "content-type form-urlencoded",
                "POST",
                vec![("Content-Type", "application/x-www-form-urlencoded")],
                false,
            ),
            (
                "content-type multipart with a boundary",
                "POST",
                vec![("Content-Type", "multipart/form-data; boundary=x")],
                false,
            ),
            (
                "content-type with whitespace before ';'",
                "POST",
                vec![("Content-Type", "text/plain ; charset=utf-8")],
                false,
            ),
            (
                "content-type with a quote (unsafe byte)",
                "POST",
                vec![("Content-Type", "text/plain; charset=\"utf-8\"")],
                true,
            ),
            (
                "content-type without a subtype",
                "POST",
                vec![("Content-Type", "text/")],
                true,
            ),
            (
                "content-type without a slash",
                "POST",
                vec![("Content-Type", "text")],
                true,
            ),
            (
                "content-type with a space in the type",
                "POST",
                vec![("Content-Type", "text /plain")],
                true,
            ),
            (
                "content-type extending a safelisted essence",
                "POST",
                vec![("Content-Type", "text/plainx")],
                true,
            ),
            (
                "content-type trimmed like Headers does",
                "POST",
                vec![("Content-Type", "text/plain\r\n")],
                false,
            ),
            (
                "accept of 128 bytes",
                "GET",
                vec![("Accept", a_128.as_str())],
                false,
            ),
            (
                "accept of 129 bytes",
                "GET",
                vec![("Accept", a_129.as_str())],
                true,
            ),
            ("accept */*", "GET", vec![("Accept", "*/*")], false),
            (
                "accept with '(' (unsafe byte)",
                "GET",
                vec![("Accept", "text/html(")],
                true,
            ),
            (
                "accept with a control byte",
                "GET",
                vec![("Accept", "a\u{1}b")],
                true,
            ),
            ("accept with DEL", "GET", vec![("Accept", "a\u{7f}")], true),
            (
                "accept-language with q-values",
                "GET",
                vec![("Accept-Language", "en-US,en;q=0.9")],
                false,
            ),
            (
                "accept-language with '_'",
                "GET",
                vec![("Accept-Language", "en_US")],
                true,
            ),
            (
                "content-language",
                "GET",
                vec![("Content-Language", "de-DE")],
                false,
            ),
            (
                "content-language with '/'",
                "GET",
                vec![("Content-Language", "de/DE")],
                true,
            ),
            ("range bytes=N-", "GET", vec![("Range", "bytes=0-")], false),
            (
                "range bytes=N-M",
                "GET",
                vec![("Range", "bytes=0-99")],
                false,
            ),
            (
                "range with long equal bounds",
                "GET",
                vec![(
                    "Range",
                    "bytes=00123456789012345678901234-123456789012345678901234",
                )],
                false,
            ),
            (
                "range suffix bytes=-N",
                "GET",
                vec![("Range", "bytes=-500")],
                true,
            ),
            (
                "range start after end",
                "GET",
                vec![("Range", "bytes=5-1")],
                true,
            ),
            (
                "range with several ranges",
                "GET",
                vec![("Range", "bytes=0-1,2-3")],
                true,
            ),
            (
                "range with whitespace",
                "GET",
                vec![("Range", "bytes = 0-")],
                true,
            ),
            (
                "range unit is case-sensitive",
                "GET",
                vec![("Range", "Bytes=0-")],
                true,
            ),
            ("range without '-'", "GET", vec![("Range", "bytes=5")], true),
            (
                "forbidden Cookie is dropped",
                "GET",
                vec![("Cookie", "a=b")],
                false,
            ),
            (
                "forbidden Sec-* is dropped",
                "GET",
                vec![("Sec-Fetch-Mode", "cors")],
                false,
            ),
            (
                "forbidden Proxy-* is dropped",
                "GET",
                vec![("Proxy-Authorization", "x")],
                false,
            ),
            (
                "method override naming TRACE is dropped",
                "GET",
                vec![("X-HTTP-Method-Override", "GET, trace")],
                false,
            ),
            (
                "method override naming PUT is unsafe",
                "GET",
                vec![("X-HTTP-Method-Override", "PUT")],
                true,
            ),
            (
                "eight 128-byte accepts: 1024 bytes in total",
                "GET",
                eight_full_accepts,
                false,
            ),
            (
                "nine 128-byte accepts: over 1024 bytes in total",
                "GET",
                nine_full_accepts,
                true,
            ),
        ];
        for (description, method, headers, expected) in cases {
            let request = Request {
                headers,
                ..Request::new(ORIGIN, method)
            };
            assert_eq!(needs_preflight(&request), expected, "{description}");
            assert_eq!(preflight_for(&request).is_some(), expected, "{description}");
        }
    }

    #[test]
    fn private_network_requests_are_always_preflighted() {
        let request = get().private_network(true);
        assert!(needs_preflight(&request));
        let preflight = preflight_for(&request).expect("preflighted");
        assert!(preflight.request_private_network);
        assert_eq!(
            preflight.headers(),
            [
                ("Origin", ORIGIN),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Private-Network", "true"),
            ]
        );
    }

    #[test]
    fn preflight_serialises_method_and_headers() {
        let cases: Vec<(&str, &str, Vec<(&str, &str)>, Option<&str>)> = vec![
            ("no unsafe headers: no ACRH", "PUT", vec![], None),
            (
                "one name, lowercased",
                "PUT",
                vec![("X-Custom", "1")],
                Some("x-custom"),
            ),
            (
                "sorted, deduplicated, lowercased, no spaces",
                "PUT",
                vec![
                    ("X-B", "1"),
                    ("x-a", "1"),
                    ("X-A", "2"),
                    ("Content-Type", "application/json"),
                ],
                Some("content-type,x-a,x-b"),
            ),
            (
                "safelisted headers are left out",
                "PUT",
                vec![("Accept", "*/*"), ("X-Z", "1")],
                Some("x-z"),
            ),
            (
                "forbidden headers are left out",
                "PUT",
                vec![("Cookie", "a=b"), ("X-Z", "1")],
                Some("x-z"),
            ),
        ];
        for (description, method, headers, expected) in cases {
            let request = Request {
                headers,
                ..Request::new(ORIGIN, method)
            };
            let preflight = preflight_for(&request).expect(description);
            assert_eq!(preflight.method(), "OPTIONS", "{description}");
            assert_eq!(preflight.origin, ORIGIN, "{description}");
            assert_eq!(preflight.request_method, method, "{description}");
            assert_eq!(
                preflight.request_headers.as_deref(),
                expected,
                "{description}"
            );
            assert!(!preflight.request_private_network, "{description}");
        }
    }

    #[test]
    fn preflight_headers_list_every_cors_header() {
        let request = Request::new(ORIGIN, "patch").header("X-Custom", "1");
        let preflight = preflight_for(&request).expect("preflighted");
        assert_eq!(
            preflight.headers(),
            [
                ("Origin", ORIGIN),
                ("Access-Control-Request-Method", "patch"),
                ("Access-Control-Request-Headers", "x-custom"),
            ]
        );
    }

    #[test]
    fn check_preflight_applies_every_check() {
        use BlockedKind::*;
        let put = Request::new(ORIGIN, "PUT");
        let put_custom = put.clone().header("X-Custom", "1");
        let patch = Request::new(ORIGIN, "patch");
        let custom = get().header("X-Custom", "1");
        let two_custom = get().header("X-A", "1").header("X-B", "2");
        let authorization = get().header("Authorization", "Bearer t");
        let private = get().private_network(true);
        let no_warning: Result<Vec<Warning>, BlockedKind> = Ok(vec![]);
        let cases: Vec<(
            &str,
            Request<'_>,
            Response<'_>,
            Result<Vec<Warning>, BlockedKind>,
        )> = vec![
            (
                "method and header listed explicitly",
                put_custom.clone(),
                allowed(204)
                    .header("Access-Control-Allow-Methods", "PUT")
                    .header("Access-Control-Allow-Headers", "X-Custom"),
                no_warning.clone(),
            ),
            (
                "status 200 is ok",
                put.clone(),
                allowed(200).header("Access-Control-Allow-Methods", "PUT"),
                no_warning.clone(),
            ),
            (
                "status 404 is not ok",
                put.clone(),
                allowed(404).header("Access-Control-Allow-Methods", "PUT"),
                Err(PreflightStatus),
            ),
            (
                "status 401 is not ok",
                put.clone(),
                allowed(401).header("Access-Control-Allow-Methods", "PUT"),
                Err(PreflightStatus),
            ),
            (
                "a redirect is never followed",
                put.clone(),
                allowed(302)
                    .header("Location", "/elsewhere")
                    .header("Access-Control-Allow-Methods", "PUT"),
                Err(PreflightRedirect),
            ),
            (
                "a 3xx without Location is just not ok",
                put.clone(),
                allowed(302).header("Access-Control-Allow-Methods", "PUT"),
                Err(PreflightStatus),
            ),
            (
                "no ACAO",
                put.clone(),
                Response::new(204).header("Access-Control-Allow-Methods", "PUT"),
                Err(MissingAllowOrigin),
            ),
            (
                "no ACAO on a 404: reported as missing ACAO, as Chrome does",
                put.clone(),
                Response::new(404),
                Err(MissingAllowOrigin),
            ),
            (
                "ACAO of another origin",
                put.clone(),
                Response::new(204).header("Access-Control-Allow-Origin", "https://evil.example"),
                Err(AllowOriginMismatch),
            ),
            (
                "ACAO twice",
                put.clone(),
                allowed(204)
                    .header("Access-Control-Allow-Origin", ORIGIN)
                    .header("Access-Control-Allow-Methods", "PUT"),
                Err(MultipleAllowOrigin),
            ),
            (
                "ACAO * with credentials",
                include(put.clone()),
                Response::new(204)
                    .header("Access-Control-Allow-Origin", "*")
                    .header("Access-Control-Allow-Credentials", "true")
                    .header("Access-Control-Allow-Methods", "PUT"),
                Err(WildcardOriginWithCredentials),
            ),
            (
                "credentials without ACAC",
                include(put.clone()),
                allowed(204).header("Access-Control-Allow-Methods", "PUT"),
                Err(AllowCredentialsNotTrue),
            ),
            (
                "credentials with ACAC true",
                include(put.clone()),
                allowed_with_credentials(204).header("Access-Control-Allow-Methods", "PUT"),
                no_warning.clone(),
            ),
            (
                "PUT not in ACAM",
                put.clone(),
                allowed(204).header("Access-Control-Allow-Methods", "GET, POST"),
                Err(MethodNotAllowed),
            ),
            (
                "no ACAM for PUT",
                put.clone(),
                allowed(204),
                Err(MethodNotAllowed),
            ),
            (
                "ACAM is case-sensitive: put does not allow PUT",
                Request::new(ORIGIN, "put"),
                allowed(204).header("Access-Control-Allow-Methods", "put"),
                Err(MethodNotAllowed),
            ),
            (
                "ACAM is case-sensitive: PATCH does not allow patch",
                patch.clone(),
                allowed(204).header("Access-Control-Allow-Methods", "PATCH"),
                Err(MethodNotAllowed),
            ),
            (
                "ACAM patch allows patch",
                patch.clone(),
                allowed(204).header("Access-Control-Allow-Methods", "patch"),
                no_warning.clone(),
            ),
            (
                "ACAM * without credentials",
                put.clone(),
                allowed(204).header("Access-Control-Allow-Methods", "*"),
                no_warning.clone(),
            ),
            (
                "ACAM * with credentials is the literal method '*'",
                include(put.clone()),
                allowed_with_credentials(204).header("Access-Control-Allow-Methods", "*"),
                Err(MethodNotAllowed),
            ),
            (
                "POST always passes ACAM",
                Request::new(ORIGIN, "POST").header("X-Custom", "1"),
                allowed(204)
                    .header("Access-Control-Allow-Methods", "PUT")
                    .header("Access-Control-Allow-Headers", "x-custom"),
                no_warning.clone(),
            ),
            (
                "ACAH is case-insensitive",
                custom.clone(),
                allowed(204).header("Access-Control-Allow-Headers", "x-CUSTOM"),
                no_warning.clone(),
            ),
            (
                "header not in ACAH",
                custom.clone(),
                allowed(204).header("Access-Control-Allow-Headers", "x-other"),
                Err(HeaderNotAllowed),
            ),
            (
                "no ACAH",
                custom.clone(),
                allowed(204),
                Err(HeaderNotAllowed),
            ),
            (
                "ACAH * without credentials",
                custom.clone(),
                allowed(204).header("Access-Control-Allow-Headers", "*"),
                no_warning.clone(),
            ),
            (
                "ACAH * with credentials is the literal name '*'",
                include(custom.clone()),
                allowed_with_credentials(204).header("Access-Control-Allow-Headers", "*"),
                Err(HeaderNotAllowed),
            ),
            (
                "authorization under *: browsers accept, with a warning",
                authorization.clone(),
                allowed(204).header("Access-Control-Allow-Headers", "*"),
                Ok(vec![Warning::AuthorizationCoveredByWildcard]),
            ),
            (
                "authorization listed explicitly next to *: no warning",
                authorization.clone(),
                allowed(204).header("Access-Control-Allow-Headers", "*, Authorization"),
                no_warning.clone(),
            ),
            (
                "authorization under * with credentials",
                include(authorization.clone()),
                allowed_with_credentials(204).header("Access-Control-Allow-Headers", "*"),
                Err(HeaderNotAllowed),
            ),
            (
                "ACAH lines are combined; spaces, tabs and empty items are skipped",
                two_custom.clone(),
                allowed(204)
                    .header("Access-Control-Allow-Headers", ", x-a ,,")
                    .header("Access-Control-Allow-Headers", "\tX-B"),
                no_warning.clone(),
            ),
            (
                "ACAH with an item that is not a token",
                custom.clone(),
                allowed(204).header("Access-Control-Allow-Headers", "x-custom, x other"),
                Err(InvalidHeaderList),
            ),
            (
                "ACAM with an item that is not a token, even for GET",
                get(),
                allowed(204).header("Access-Control-Allow-Methods", "GET, P(T"),
                Err(InvalidHeaderList),
            ),
            (
                "private network without ACAPN",
                private.clone(),
                allowed(204),
                Err(PrivateNetworkNotAllowed),
            ),
            (
                "private network with ACAPN other than true",
                private.clone(),
                allowed(204).header("Access-Control-Allow-Private-Network", "yes"),
                Err(PrivateNetworkNotAllowed),
            ),
            (
                "private network with ACAPN true",
                private.clone(),
                allowed(204).header("Access-Control-Allow-Private-Network", "true"),
                no_warning.clone(),
            ),
        ];
        for (description, request, response, expected) in cases {
            let outcome = check_preflight(&request, &response);
            if let Err(blocked) = &outcome {
                assert_eq!(blocked.stage, Stage::Preflight, "{description}");
            }
            let outcome = outcome
                .map(|verdict| verdict.warnings)
                .map_err(|blocked| blocked.kind);
            assert_eq!(outcome, expected, "{description}");
        }
    }

    #[test]
    fn check_response_applies_the_cors_check() {
        use BlockedKind::*;
        use CredentialsMode::{Include, Omit, SameOrigin};
        let cases: Vec<(&str, CredentialsMode, Response<'_>, Result<(), BlockedKind>)> = vec![
            ("no ACAO", Omit, Response::new(200), Err(MissingAllowOrigin)),
            ("ACAO equal to the origin", Omit, allowed(200), Ok(())),
            (
                "ACAO surrounded by spaces, as an HTTP parser strips them",
                Omit,
                Response::new(200).header("Access-Control-Allow-Origin", "  https://app.example\t"),
                Ok(()),
            ),
            (
                "ACAO with a trailing slash",
                Omit,
                Response::new(200).header("Access-Control-Allow-Origin", "https://app.example/"),
                Err(AllowOriginMismatch),
            ),
            (
                "ACAO in another letter case",
                Omit,
                Response::new(200).header("Access-Control-Allow-Origin", "https://APP.example"),
                Err(AllowOriginMismatch),
            ),
            (
                "ACAO of a suffix-matching origin",
                Omit,
                Response::new(200).header(
                    "Access-Control-Allow-Origin",
                    "https://app.example.evil.net",
                ),
                Err(AllowOriginMismatch),
            ),
            (
                "ACAO null",
                Omit,
                Response::new(200).header("Access-Control-Allow-Origin", "null"),
                Err(AllowOriginMismatch),
            ),
            (
                "ACAO empty",
                Omit,
                Response::new(200).header("Access-Control-Allow-Origin", ""),
                Err(AllowOriginMismatch),
            ),
            (
                "ACAO * with credentials omitted",
                Omit,
                Response::new(200).header("Access-Control-Allow-Origin", "*"),
                Ok(()),
            ),
            (
                "ACAO * in same-origin mode",
                SameOrigin,
                Response::new(200).header("Access-Control-Allow-Origin", "*"),
                Ok(()),
            ),
            (
                "ACAO * with credentials included",
                Include,
                Response::new(200)
                    .header("Access-Control-Allow-Origin", "*")
                    .header("Access-Control-Allow-Credentials", "true"),
                Err(WildcardOriginWithCredentials),
            ),
            (
                "ACAO * twice",
                Omit,
                Response::new(200)
                    .header("Access-Control-Allow-Origin", "*")
                    .header("access-control-allow-origin", "*"),
                Err(MultipleAllowOrigin),
            ),
            (
                "ACAO origin twice",
                Omit,
                allowed(200).header("Access-Control-Allow-Origin", ORIGIN),
                Err(MultipleAllowOrigin),
            ),
            (
                "two origins on one line",
                Omit,
                Response::new(200).header(
                    "Access-Control-Allow-Origin",
                    "https://app.example https://b.example",
                ),
                Err(MultipleAllowOrigin),
            ),
            (
                "credentials with ACAC true",
                Include,
                allowed_with_credentials(200),
                Ok(()),
            ),
            (
                "credentials with ACAC True",
                Include,
                allowed(200).header("Access-Control-Allow-Credentials", "True"),
                Err(AllowCredentialsNotTrue),
            ),
            (
                "credentials without ACAC",
                Include,
                allowed(200),
                Err(AllowCredentialsNotTrue),
            ),
            (
                "credentials with ACAC true twice",
                Include,
                allowed_with_credentials(200).header("Access-Control-Allow-Credentials", "true"),
                Err(AllowCredentialsNotTrue),
            ),
            (
                "no credentials: ACAC not needed",
                Omit,
                allowed(200),
                Ok(()),
            ),
            ("a 500 with ACAO is readable", Omit, allowed(500), Ok(())),
            (
                "a 401 without ACAO is blocked",
                Omit,
                Response::new(401),
                Err(MissingAllowOrigin),
            ),
        ];
        for (description, credentials, response, expected) in cases {
            let request = get().credentials(credentials);
            let outcome = check_response(&request, &response);
            if let Err(blocked) = &outcome {
                assert_eq!(blocked.stage, Stage::Response, "{description}");
            }
            assert_eq!(
                outcome.map(drop).map_err(|blocked| blocked.kind),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn readable_headers_follow_the_expose_rules() {
        use CredentialsMode::{Include, Omit};
        let cases: Vec<(&str, CredentialsMode, Vec<&str>, &str, bool)> = vec![
            (
                "cache-control is safelisted",
                Omit,
                vec![],
                "Cache-Control",
                true,
            ),
            (
                "content-language is safelisted",
                Omit,
                vec![],
                "content-language",
                true,
            ),
            (
                "content-length is safelisted",
                Omit,
                vec![],
                "content-length",
                true,
            ),
            (
                "content-type is safelisted",
                Omit,
                vec![],
                "Content-Type",
                true,
            ),
            ("expires is safelisted", Omit, vec![], "expires", true),
            (
                "last-modified is safelisted",
                Omit,
                vec![],
                "last-modified",
                true,
            ),
            ("pragma is safelisted", Omit, vec![], "pragma", true),
            (
                "a custom header needs ACEH",
                Omit,
                vec![],
                "x-total-count",
                false,
            ),
            (
                "ACEH names are case-insensitive",
                Omit,
                vec!["X-Total-Count"],
                "x-total-count",
                true,
            ),
            (
                "ACEH lines are combined",
                Omit,
                vec!["x-a", "X-Total-Count"],
                "x-total-count",
                true,
            ),
            (
                "ACEH lists only what it names",
                Omit,
                vec!["x-a"],
                "x-b",
                false,
            ),
            (
                "ACEH * without credentials exposes all",
                Omit,
                vec!["*"],
                "x-anything",
                true,
            ),
            (
                "ACEH * with credentials is the literal name '*'",
                Include,
                vec!["*"],
                "x-anything",
                false,
            ),
            (
                "ACEH names still work with credentials",
                Include,
                vec!["x-a"],
                "x-a",
                true,
            ),
            (
                "set-cookie is never readable, even under *",
                Omit,
                vec!["*"],
                "set-cookie",
                false,
            ),
            (
                "set-cookie is never readable, even listed",
                Omit,
                vec!["Set-Cookie"],
                "Set-Cookie",
                false,
            ),
            (
                "set-cookie2 is never readable",
                Omit,
                vec!["set-cookie2"],
                "set-cookie2",
                false,
            ),
            (
                "an unparsable ACEH exposes nothing",
                Omit,
                vec!["x-a, x b"],
                "x-a",
                false,
            ),
        ];
        for (description, credentials, expose, name, expected) in cases {
            let request = get().credentials(credentials);
            let response = expose
                .iter()
                .fold(allowed_with_credentials(200), |response, names| {
                    response.header("Access-Control-Expose-Headers", names)
                });
            let readable = check_response(&request, &response).expect(description);
            assert_eq!(readable.can_read(name), expected, "{description}");
        }
    }

    #[test]
    fn readable_shows_only_the_visible_header_lines() {
        let response = allowed(200)
            .header("Content-Type", "text/plain")
            .header("X-A", "1")
            .header("Set-Cookie", "id=1")
            .header("X-Hidden", "2")
            .header("x-a", " 3 ")
            .header("Access-Control-Expose-Headers", "X-A");
        let readable = check_response(&get(), &response).expect("passes");
        let visible: Vec<(&str, &str)> = readable
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            visible,
            [("content-type", "text/plain"), ("x-a", "1"), ("x-a", "3")]
        );
        assert_eq!(readable.get("X-A").as_deref(), Some("1, 3"));
        assert_eq!(readable.get("set-cookie"), None);
        assert_eq!(readable.get("x-hidden"), None);

        let everything = response.header("Access-Control-Expose-Headers", "*");
        let readable = check_response(&get(), &everything).expect("passes");
        assert_eq!(readable.get("x-hidden").as_deref(), Some("2"));
        assert_eq!(readable.get("set-cookie"), None);
    }

    #[test]
    fn fetch_runs_the_whole_cycle() {
        use BlockedKind::*;
        let simple = get();
        let custom = get().header("X-Custom", "1");
        let authorization = get().header("Authorization", "Bearer t");
        let good_preflight = allowed(204).header("Access-Control-Allow-Headers", "x-custom");
        let star_preflight = allowed(204).header("Access-Control-Allow-Headers", "*");
        let cases: Vec<(
            &str,
            Request<'_>,
            Option<Response<'_>>,
            Response<'_>,
            Result<Vec<Warning>, (BlockedKind, Stage)>,
        )> = vec![
            (
                "a simple request needs no preflight response",
                simple.clone(),
                None,
                allowed(200),
                Ok(vec![]),
            ),
            (
                "a preflight response for a simple request is ignored",
                simple.clone(),
                Some(Response::new(404)),
                allowed(200),
                Ok(vec![]),
            ),
            (
                "a preflighted request without a preflight response",
                custom.clone(),
                None,
                allowed(200),
                Err((PreflightMissing, Stage::Preflight)),
            ),
            (
                "a private network request without a preflight response",
                get().private_network(true),
                None,
                allowed(200),
                Err((PreflightMissing, Stage::Preflight)),
            ),
            (
                "a failing preflight stops the cycle",
                custom.clone(),
                Some(allowed(500)),
                allowed(200),
                Err((PreflightStatus, Stage::Preflight)),
            ),
            (
                "a passing preflight and a passing response",
                custom.clone(),
                Some(good_preflight.clone()),
                allowed(200),
                Ok(vec![]),
            ),
            (
                "a passing preflight, then a response without ACAO",
                custom.clone(),
                Some(good_preflight.clone()),
                Response::new(200),
                Err((MissingAllowOrigin, Stage::Response)),
            ),
            (
                "preflight warnings reach the readable response",
                authorization.clone(),
                Some(star_preflight.clone()),
                allowed(200),
                Ok(vec![Warning::AuthorizationCoveredByWildcard]),
            ),
        ];
        for (description, request, preflight, response, expected) in cases {
            let outcome = fetch(&request, preflight.as_ref(), &response)
                .map(|readable| readable.warnings().to_vec())
                .map_err(|blocked| (blocked.kind, blocked.stage));
            assert_eq!(outcome, expected, "{description}");
        }
    }

    #[test]
    fn messages_read_like_chrome() {
        const PREFIX: &str = "blocked by CORS policy: ";
        const PREFLIGHT: &str = "Response to preflight request doesn't pass access control check: ";
        let put = Request::new(ORIGIN, "PUT");
        let preflight = |request: &Request<'_>, response: Response<'_>| {
            check_preflight(request, &response).expect_err("blocked")
        };
        let actual = |request: &Request<'_>, response: Response<'_>| {
            check_response(request, &response).expect_err("blocked")
        };
        let cases: Vec<(&str, Blocked, String)> = vec![
            (
                "missing preflight",
                fetch(&put, None, &allowed(200)).expect_err("blocked"),
                "The request needs a CORS preflight, but no preflight response was supplied.".into(),
            ),
            ("preflight status", preflight(&put, allowed(404)), format!("{PREFLIGHT}It does not have HTTP ok status.")),
            (
                "preflight redirect",
                preflight(&put, allowed(307).header("Location", "/x")),
                format!("{PREFLIGHT}Redirect is not allowed for a preflight request."),
            ),
            (
                "missing ACAO on the actual response",
                actual(&put, Response::new(200)),
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.".into(),
            ),
            (
                "missing ACAO on the preflight",
                preflight(&put, Response::new(204)),
                format!("{PREFLIGHT}No 'Access-Control-Allow-Origin' header is present on the requested resource."),
            ),
            (
                "multiple ACAO",
                actual(&put, Response::new(200).header("Access-Control-Allow-Origin", "*").header("Access-Control-Allow-Origin", "*")),
                "The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but only one is allowed.".into(),
            ),
            (
                "ACAO mismatch",
                actual(&put, Response::new(200).header("Access-Control-Allow-Origin", "https://b.example")),
                "The 'Access-Control-Allow-Origin' header has a value 'https://b.example' that is not equal to the supplied origin.".into(),
            ),
            (
                "wildcard with credentials",
                actual(&include(put.clone()), Response::new(200).header("Access-Control-Allow-Origin", "*")),
                "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.".into(),
            ),
            (
                "missing ACAC",
                actual(&include(put.clone()), allowed(200)),
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.".into(),
            ),
            (
                "ACAC True",
                actual(&include(put.clone()), allowed(200).header("Access-Control-Allow-Credentials", "True")),
                "The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'.".into(),
            ),
            (
                "method not allowed",
                preflight(&put, allowed(204).header("Access-Control-Allow-Methods", "GET")),
                "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.".into(),
            ),
            (
                "header not allowed",
                preflight(&get().header("X-Requested-With", "fetch"), allowed(204)),
                "Request header field x-requested-with is not allowed by Access-Control-Allow-Headers in preflight response.".into(),
            ),
            (
                "private network header missing",
                preflight(&get().private_network(true), allowed(204)),
                format!("{PREFLIGHT}No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this private network request."),
            ),
            (
                "private network header not true",
                preflight(&get().private_network(true), allowed(204).header("Access-Control-Allow-Private-Network", "1")),
                format!("{PREFLIGHT}The 'Access-Control-Allow-Private-Network' header in the preflight response for this private network request had a value of '1', not 'true'."),
            ),
            (
                "unparsable ACAM",
                preflight(&put, allowed(204).header("Access-Control-Allow-Methods", "PUT;")),
                "Cannot parse Access-Control-Allow-Methods response header field in preflight response.".into(),
            ),
            (
                "unparsable ACAH",
                preflight(&put, allowed(204).header("Access-Control-Allow-Methods", "PUT").header("Access-Control-Allow-Headers", "a b")),
                "Cannot parse Access-Control-Allow-Headers response header field in preflight response.".into(),
            ),
        ];
        for (description, blocked, expected) in cases {
            assert_eq!(
                blocked.to_string(),
                format!("{PREFIX}{expected}"),
                "{description}"
            );
        }
    }

    #[test]
    fn blocked_details_name_the_header_and_value() {
        let blocked = check_preflight(
            &get().header("X-Custom", "1"),
            &allowed(204).header("Access-Control-Allow-Headers", "x-a, x(b"),
        )
        .expect_err("blocked");
        assert_eq!(blocked.kind, BlockedKind::InvalidHeaderList);
        assert_eq!(blocked.header, Some("Access-Control-Allow-Headers"));
        assert_eq!(blocked.value.as_deref(), Some("x(b"));

        let blocked =
            check_preflight(&Request::new(ORIGIN, "patch"), &allowed(204)).expect_err("blocked");
        assert_eq!(blocked.header, Some("Access-Control-Allow-Methods"));
        assert_eq!(blocked.value.as_deref(), Some("patch"));

        let blocked = check_preflight(&get(), &allowed(503)).expect_err("blocked");
        assert_eq!(
            (blocked.header, blocked.value.as_deref()),
            (None, Some("503"))
        );
    }

    #[test]
    fn warning_says_the_standard_and_browsers_disagree() {
        let message = Warning::AuthorizationCoveredByWildcard.to_string();
        assert!(
            message.contains("the Fetch standard rejects this, current browsers accept it"),
            "{message}"
        );
    }

    #[test]
    fn max_age_is_capped_per_browser() {
        use Browser::{Chrome, Firefox, Safari};
        let cases: Vec<(&str, Vec<&str>, Browser, u32)> = vec![
            ("absent means 5 seconds", vec![], Chrome, 5),
            ("below every cap", vec!["300"], Safari, 300),
            ("Chrome caps at 2 hours", vec!["86400"], Chrome, 7200),
            ("Firefox caps at 24 hours", vec!["100000"], Firefox, 86_400),
            ("Safari caps at 10 minutes", vec!["7200"], Safari, 600),
            ("-1 disables caching", vec!["-1"], Firefox, 0),
            ("0 disables caching", vec!["0"], Chrome, 0),
            ("surrounding spaces are stripped", vec![" 60 "], Chrome, 60),
            ("unparsable means 5 seconds", vec!["ten"], Chrome, 5),
            ("a fraction is unparsable", vec!["1.5"], Chrome, 5),
            ("two lines are unparsable", vec!["60", "60"], Chrome, 5),
            (
                "huge values saturate to the cap",
                vec!["99999999999999999999999"],
                Firefox,
                86_400,
            ),
        ];
        for (description, values, browser, expected) in cases {
            let response = values.iter().fold(Response::new(204), |response, value| {
                response.header("Access-Control-Max-Age", value)
            });
            assert_eq!(
                preflight_cache_seconds(&response, browser),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let odd = [
            "",
            " ",
            ",",
            ",,",
            "*",
            "-",
            "=",
            "/",
            ";",
            "é",
            "\u{1F600}",
            "a\u{0}b",
            "\r\n",
            "bytes=",
            "bytes=-",
            "bytes=é-",
            "text/\u{e9}",
            "é/é;é",
            "-é",
            "\t*\t",
        ];
        for a in odd {
            for b in odd {
                let request = Request::new(a, b)
                    .header(a, b)
                    .header(b, a)
                    .private_network(a.is_empty());
                let response = Response::new(200)
                    .header("Access-Control-Allow-Origin", a)
                    .header("Access-Control-Allow-Methods", b)
                    .header("Access-Control-Allow-Headers", a)
                    .header("Access-Control-Expose-Headers", b)
                    .header("Access-Control-Max-Age", a)
                    .header(a, b);
                let _ = preflight_for(&request);
                let _ = check_preflight(&request, &response).map_err(|blocked| blocked.to_string());
                let _ = fetch(&include(Request::new(a, b)), Some(&response), &response);
                if let Ok(readable) = check_response(&request, &response) {
                    let _ = (readable.can_read(a), readable.get(b));
                }
                let _ = preflight_cache_seconds(&response, Browser::Safari);
            }
        }
    }
}
