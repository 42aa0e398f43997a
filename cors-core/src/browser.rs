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

    /// The author headers the browser really sends: forbidden ones dropped (by name,
    /// and method-override headers by value), values stripped of leading and trailing
    /// HTTP whitespace (as `Headers` normalises them).
    ///
    /// ```
    /// use cors_core::browser::Request;
    ///
    /// let request = Request::new("https://app.example", "POST")
    ///     .header("Cookie", "a=1")
    ///     .header("X-HTTP-Method-Override", "TRACE")
    ///     .header("X-Trace", " 7 ");
    /// assert_eq!(request.sent_headers().collect::<Vec<_>>(), [("X-Trace", "7")]);
    /// ```
    pub fn sent_headers(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
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

    /// A response with `status` and the header lines a client kept, as
    /// `(name, value)` strings.
    ///
    /// ```
    /// use cors_core::browser::Response;
    ///
    /// let lines = vec![("access-control-allow-origin".to_owned(), "*".to_owned())];
    /// let response = Response::from_lines(200, &lines);
    /// assert_eq!(response.headers, [("access-control-allow-origin", "*")]);
    /// ```
    #[must_use]
    pub fn from_lines(status: u16, lines: &'a [(String, String)]) -> Self {
        Self {
            status,
            headers: lines
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect(),
        }
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
    status: u16,
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
            status: response.status,
            exposed,
            headers,
            warnings: Vec::new(),
        }
    }

    /// The response's status, which JavaScript reads as `response.status`.
    ///
    /// ```
    /// use cors_core::browser::{check_response, Request, Response};
    ///
    /// let request = Request::new("https://app.example", "GET");
    /// let response = Response::new(404).header("Access-Control-Allow-Origin", "*");
    /// assert_eq!(check_response(&request, &response)?.status(), 404);
    /// # Ok::<(), cors_core::browser::Blocked>(())
    /// ```
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
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
    /// The method passed to `fetch()` is not an HTTP token (`"GET /"`), so
    /// `fetch()` throws before sending anything. Not a CORS refusal, but the
    /// page gets no response either. See [`Blocked::invalid_method`].
    InvalidMethod,
    /// A header passed to `fetch()` has a name that is not a token or a value
    /// with a NUL, CR or LF, so `fetch()` throws before sending anything. See
    /// [`Blocked::invalid_header`].
    InvalidHeader,
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
    /// `fetch()`'s refusal of `method` when it is not an HTTP token, before
    /// any request (the stage is the preflight's, the first that would have
    /// been sent); `None` for a method that is one.
    ///
    /// ```
    /// use cors_core::browser::{Blocked, BlockedKind};
    ///
    /// assert_eq!(Blocked::invalid_method("GET /").unwrap().kind, BlockedKind::InvalidMethod);
    /// assert!(Blocked::invalid_method("PURGE").is_none());
    /// ```
    #[must_use]
    pub fn invalid_method(method: &str) -> Option<Self> {
        (!is_token(method)).then(|| Self {
            value: Some(method.to_owned()),
            ..Self::new(BlockedKind::InvalidMethod, Stage::Preflight)
        })
    }

    /// `fetch()`'s refusal of a header whose name is not a token or whose
    /// value holds NUL, CR or LF, before any request; `None` for a header it
    /// accepts. Other control characters (but tab) are refused too: `fetch()`
    /// would send them, but HTTP libraries, such as the one a test sends
    /// requests with, cannot.
    ///
    /// ```
    /// use cors_core::browser::{Blocked, BlockedKind};
    ///
    /// assert_eq!(Blocked::invalid_header("X-A", "a\nb").unwrap().kind, BlockedKind::InvalidHeader);
    /// assert!(Blocked::invalid_header("X A", "1").is_some());
    /// assert!(Blocked::invalid_header("X-A", " 1 ").is_none());
    /// ```
    #[must_use]
    pub fn invalid_header(name: &str, value: &str) -> Option<Self> {
        let bad_value = value.bytes().any(|b| (b < b' ' && b != b'\t') || b == 0x7f);
        let bad_name = !is_token(name) || name.len() > usize::from(u16::MAX);
        (bad_name || bad_value).then(|| Self {
            header: None,
            value: Some(if bad_value { "value" } else { "name" }.to_owned()),
            ..Self::new(BlockedKind::InvalidHeader, Stage::Preflight)
        })
    }

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
        if self.kind == BlockedKind::InvalidMethod {
            let value = self.value.as_deref().unwrap_or_default();
            return write!(
                f,
                "Failed to execute 'fetch': '{value}' is not a valid HTTP method."
            );
        }
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
            BlockedKind::InvalidMethod | BlockedKind::InvalidHeader => Ok(()),
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
/// [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch
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
    // Header names spelled out here, apart from the module's constants.
    const ACAO: &str = "Access-Control-Allow-Origin";
    const ACAC: &str = "Access-Control-Allow-Credentials";
    const ACAM: &str = "Access-Control-Allow-Methods";
    const ACAH: &str = "Access-Control-Allow-Headers";
    const ACEH: &str = "Access-Control-Expose-Headers";
    const ACAPN: &str = "Access-Control-Allow-Private-Network";
    const ACMA: &str = "Access-Control-Max-Age";

    /// Header lines of a test request or response.
    type Lines = &'static [(&'static str, &'static str)];

    fn request(method: &'static str, lines: Lines) -> Request<'static> {
        Request {
            headers: lines.to_vec(),
            ..Request::new(ORIGIN, method)
        }
    }

    fn include(request: Request<'static>) -> Request<'static> {
        request.credentials(CredentialsMode::Include)
    }

    fn response(status: u16, lines: Lines) -> Response<'static> {
        Response {
            status,
            headers: lines.to_vec(),
        }
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
    fn methods_other_than_get_head_post_need_a_preflight() {
        let cases = [
            ("GET", "GET", false),
            ("HEAD", "HEAD", false),
            ("POST", "POST", false),
            ("lowercase get is normalised to GET", "get", false),
            ("PUT", "PUT", true),
            ("lowercase delete", "delete", true),
            ("lowercase patch", "patch", true),
            ("OPTIONS", "OPTIONS", true),
        ];
        for (description, method, expected) in cases {
            let request = Request::new(ORIGIN, method);
            assert_eq!(needs_preflight(&request), expected, "{description}");
            assert_eq!(preflight_for(&request).is_some(), expected, "{description}");
        }
    }

    /// Asserts, for each `(description, value, expected)`, whether a GET with the header
    /// `name: value` needs a preflight.
    fn assert_header_needs_preflight(name: &str, cases: &[(&str, &str, bool)]) {
        for &(description, value, expected) in cases {
            let request = Request::new(ORIGIN, "GET").header(name, value);
            assert_eq!(needs_preflight(&request), expected, "{name}: {description}");
            assert_eq!(
                preflight_for(&request).is_some(),
                expected,
                "{name}: {description}"
            );
        }
    }

    #[test]
    fn content_type_is_safelisted_for_three_essences_only() {
        assert_header_needs_preflight(
            "Content-Type",
            &[
                ("JSON", "application/json", true),
                ("text/plain with charset", "text/plain;charset=utf-8", false),
                ("urlencoded", "application/x-www-form-urlencoded", false),
                ("multipart", "multipart/form-data; boundary=x", false),
                ("essence ignores case", "Text/PLAIN", false),
                ("space before ';'", "text/plain ; charset=utf-8", false),
                ("trimmed like Headers", "text/plain\r\n", false),
                ("'\"' is unsafe", "text/plain; charset=\"utf-8\"", true),
                ("no subtype", "text/", true),
                ("no '/'", "text", true),
                ("space in type", "text /plain", true),
                ("longer subtype", "text/plainx", true),
            ],
        );
    }

    #[test]
    fn accept_is_safelisted_without_unsafe_bytes_up_to_128_bytes() {
        let a_128 = "a".repeat(128);
        let a_129 = "a".repeat(129);
        assert_header_needs_preflight(
            "Accept",
            &[
                ("*/*", "*/*", false),
                ("128 bytes", &a_128, false),
                ("129 bytes", &a_129, true),
                ("'(' is unsafe", "text/html(", true),
                ("a control byte", "a\u{1}b", true),
                ("DEL", "a\u{7f}", true),
            ],
        );
    }

    #[test]
    fn languages_are_safelisted_with_a_restricted_alphabet() {
        for name in ["Accept-Language", "Content-Language"] {
            assert_header_needs_preflight(
                name,
                &[
                    ("q-values", "en-US,en;q=0.9", false),
                    ("'_' is not allowed", "en_US", true),
                    ("'/' is not allowed", "de/DE", true),
                ],
            );
        }
    }

    #[test]
    fn range_is_safelisted_as_a_simple_range_only() {
        assert_header_needs_preflight(
            "Range",
            &[
                ("bytes=N-", "bytes=0-", false),
                ("bytes=N-M", "bytes=0-99", false),
                (
                    "long bounds",
                    "bytes=0012345678901234567890-12345678901234567890",
                    false,
                ),
                ("suffix bytes=-N", "bytes=-500", true),
                ("start after end", "bytes=5-1", true),
                ("several ranges", "bytes=0-1,2-3", true),
                ("whitespace", "bytes = 0-", true),
                ("unit is case-sensitive", "Bytes=0-", true),
                ("no '-'", "bytes=5", true),
            ],
        );
    }

    #[test]
    fn other_headers_need_a_preflight_unless_forbidden() {
        let cases = [
            ("custom header", "X-Requested-With", "fetch", true),
            ("authorization", "Authorization", "Bearer t", true),
            ("forbidden Cookie: dropped", "Cookie", "a=b", false),
            ("forbidden Sec-*: dropped", "Sec-Fetch-Mode", "cors", false),
            ("forbidden Proxy-*: dropped", "Proxy-Foo", "x", false),
            ("TRACE override: dropped", "X-HTTP-Method", "trace", false),
            ("PUT override", "X-HTTP-Method", "PUT", true),
        ];
        for (description, name, value, expected) in cases {
            assert_header_needs_preflight(name, &[(description, value, expected)]);
        }
    }

    #[test]
    fn safelisted_values_over_1024_bytes_in_total_need_a_preflight() {
        let a_128 = "a".repeat(128);
        let cases = [("8 x 128 bytes", 8, false), ("9 x 128 bytes", 9, true)];
        for (description, count, expected) in cases {
            let request = Request {
                headers: vec![("Accept", a_128.as_str()); count],
                ..Request::new(ORIGIN, "GET")
            };
            assert_eq!(needs_preflight(&request), expected, "{description}");
            let acrh = preflight_for(&request).and_then(|preflight| preflight.request_headers);
            assert_eq!(
                acrh.as_deref(),
                expected.then_some("accept"),
                "{description}"
            );
        }
    }

    #[test]
    fn private_network_requests_are_always_preflighted() {
        let request = Request::new(ORIGIN, "GET").private_network(true);
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
    fn preflight_serialises_the_unsafe_header_names() {
        let cases: [(&str, Lines, Option<&str>); 5] = [
            ("none: no ACRH", &[], None),
            (
                "one name, lowercased",
                &[("X-Custom", "1")],
                Some("x-custom"),
            ),
            (
                "sorted, deduplicated, lowercased, no spaces",
                &[
                    ("X-B", "1"),
                    ("x-a", "1"),
                    ("X-A", "2"),
                    ("Content-Type", "application/json"),
                ],
                Some("content-type,x-a,x-b"),
            ),
            (
                "safelisted headers left out",
                &[("Accept", "*/*"), ("X-Z", "1")],
                Some("x-z"),
            ),
            (
                "forbidden headers left out",
                &[("Cookie", "a=b"), ("X-Z", "1")],
                Some("x-z"),
            ),
        ];
        for (description, lines, expected) in cases {
            let preflight = preflight_for(&request("PUT", lines)).expect(description);
            assert_eq!(preflight.method(), "OPTIONS", "{description}");
            assert_eq!(preflight.origin, ORIGIN, "{description}");
            assert_eq!(preflight.request_method, "PUT", "{description}");
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
        let preflight =
            preflight_for(&request("patch", &[("X-Custom", "1")])).expect("preflighted");
        assert_eq!(
            preflight.headers(),
            [
                ("Origin", ORIGIN),
                ("Access-Control-Request-Method", "patch"),
                ("Access-Control-Request-Headers", "x-custom"),
            ]
        );
    }

    /// A row of [`check_preflight_applies_every_check`].
    struct PreflightCase {
        description: &'static str,
        request: Request<'static>,
        status: u16,
        lines: Lines,
        expected: Result<&'static [Warning], BlockedKind>,
    }

    #[test]
    fn check_preflight_applies_every_check() {
        use BlockedKind::*;
        const PASS: Result<&[Warning], BlockedKind> = Ok(&[]);
        let put = || request("PUT", &[]);
        let custom = || request("GET", &[("X-Custom", "1")]);
        let authorization = || request("GET", &[("Authorization", "Bearer t")]);
        let private = || request("GET", &[]).private_network(true);
        let cases = [
            PreflightCase {
                description: "method and header listed explicitly",
                request: request("PUT", &[("X-Custom", "1")]),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "X-Custom")],
                expected: PASS,
            },
            PreflightCase {
                description: "status 200 is ok",
                request: put(),
                status: 200,
                lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
                expected: PASS,
            },
            PreflightCase {
                description: "status 404 is not ok",
                request: put(),
                status: 404,
                lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
                expected: Err(PreflightStatus),
            },
            PreflightCase {
                description: "status 401 is not ok",
                request: put(),
                status: 401,
                lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
                expected: Err(PreflightStatus),
            },
            PreflightCase {
                description: "a redirect is never followed",
                request: put(),
                status: 302,
                lines: &[(ACAO, ORIGIN), (ACAM, "PUT"), ("Location", "/elsewhere")],
                expected: Err(PreflightRedirect),
            },
            PreflightCase {
                description: "a 3xx without Location is just not ok",
                request: put(),
                status: 302,
                lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
                expected: Err(PreflightStatus),
            },
            PreflightCase {
                description: "no ACAO",
                request: put(),
                status: 204,
                lines: &[(ACAM, "PUT")],
                expected: Err(MissingAllowOrigin),
            },
            PreflightCase {
                description: "no ACAO on a 404: Chrome reports the ACAO first",
                request: put(),
                status: 404,
                lines: &[],
                expected: Err(MissingAllowOrigin),
            },
            PreflightCase {
                description: "ACAO of another origin",
                request: put(),
                status: 204,
                lines: &[(ACAO, "https://evil.example"), (ACAM, "PUT")],
                expected: Err(AllowOriginMismatch),
            },
            PreflightCase {
                description: "ACAO twice",
                request: put(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAO, ORIGIN), (ACAM, "PUT")],
                expected: Err(MultipleAllowOrigin),
            },
            PreflightCase {
                description: "ACAO * with credentials",
                request: include(put()),
                status: 204,
                lines: &[(ACAO, "*"), (ACAC, "true"), (ACAM, "PUT")],
                expected: Err(WildcardOriginWithCredentials),
            },
            PreflightCase {
                description: "credentials without ACAC",
                request: include(put()),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
                expected: Err(AllowCredentialsNotTrue),
            },
            PreflightCase {
                description: "credentials with ACAC true",
                request: include(put()),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAM, "PUT")],
                expected: PASS,
            },
            PreflightCase {
                description: "PUT not in ACAM",
                request: put(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAM, "GET, POST")],
                expected: Err(MethodNotAllowed),
            },
            PreflightCase {
                description: "no ACAM for PUT",
                request: put(),
                status: 204,
                lines: &[(ACAO, ORIGIN)],
                expected: Err(MethodNotAllowed),
            },
            PreflightCase {
                description: "ACAM is case-sensitive: put (sent as PUT) is not allowed by put",
                request: request("put", &[]),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAM, "put")],
                expected: Err(MethodNotAllowed),
            },
            PreflightCase {
                description: "ACAM is case-sensitive: patch is not allowed by PATCH",
                request: request("patch", &[]),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAM, "PATCH")],
                expected: Err(MethodNotAllowed),
            },
            PreflightCase {
                description: "ACAM patch allows patch",
                request: request("patch", &[]),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAM, "patch")],
                expected: PASS,
            },
            PreflightCase {
                description: "ACAM * without credentials",
                request: put(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAM, "*")],
                expected: PASS,
            },
            PreflightCase {
                description: "ACAM * with credentials is the literal method '*'",
                request: include(put()),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAM, "*")],
                expected: Err(MethodNotAllowed),
            },
            PreflightCase {
                description: "POST passes any ACAM",
                request: request("POST", &[("X-Custom", "1")]),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "x-custom")],
                expected: PASS,
            },
            PreflightCase {
                description: "ACAH is case-insensitive",
                request: custom(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAH, "x-CUSTOM")],
                expected: PASS,
            },
            PreflightCase {
                description: "header not in ACAH",
                request: custom(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAH, "x-other")],
                expected: Err(HeaderNotAllowed),
            },
            PreflightCase {
                description: "no ACAH",
                request: custom(),
                status: 204,
                lines: &[(ACAO, ORIGIN)],
                expected: Err(HeaderNotAllowed),
            },
            PreflightCase {
                description: "ACAH * without credentials",
                request: custom(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAH, "*")],
                expected: PASS,
            },
            PreflightCase {
                description: "ACAH * with credentials is the literal name '*'",
                request: include(custom()),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAH, "*")],
                expected: Err(HeaderNotAllowed),
            },
            PreflightCase {
                description: "authorization under *: browsers accept, with a warning",
                request: authorization(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAH, "*")],
                expected: Ok(&[Warning::AuthorizationCoveredByWildcard]),
            },
            PreflightCase {
                description: "authorization listed next to *: no warning",
                request: authorization(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAH, "*, Authorization")],
                expected: PASS,
            },
            PreflightCase {
                description: "authorization under * with credentials",
                request: include(authorization()),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAH, "*")],
                expected: Err(HeaderNotAllowed),
            },
            PreflightCase {
                description: "ACAH lines combined; spaces, tabs and empty items skipped",
                request: request("GET", &[("X-A", "1"), ("X-B", "2")]),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAH, ", x-a ,,"), (ACAH, "\tX-B")],
                expected: PASS,
            },
            PreflightCase {
                description: "ACAH with an item that is not a token",
                request: custom(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAH, "x-custom, x other")],
                expected: Err(InvalidHeaderList),
            },
            PreflightCase {
                description: "ACAM with an item that is not a token, even for GET",
                request: request("GET", &[]),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAM, "GET, P(T")],
                expected: Err(InvalidHeaderList),
            },
            PreflightCase {
                description: "private network without ACAPN",
                request: private(),
                status: 204,
                lines: &[(ACAO, ORIGIN)],
                expected: Err(PrivateNetworkNotAllowed),
            },
            PreflightCase {
                description: "private network with ACAPN other than true",
                request: private(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAPN, "yes")],
                expected: Err(PrivateNetworkNotAllowed),
            },
            PreflightCase {
                description: "private network with ACAPN true",
                request: private(),
                status: 204,
                lines: &[(ACAO, ORIGIN), (ACAPN, "true")],
                expected: PASS,
            },
        ];
        for case in cases {
            let description = case.description;
            let outcome = check_preflight(&case.request, &response(case.status, case.lines));
            if let Err(blocked) = &outcome {
                assert_eq!(blocked.stage, Stage::Preflight, "{description}");
            }
            let outcome = outcome.as_ref().map(|verdict| verdict.warnings.as_slice());
            assert_eq!(
                outcome.map_err(|blocked| blocked.kind),
                case.expected,
                "{description}"
            );
        }
    }

    /// A row of [`check_response_applies_the_cors_check`].
    struct ResponseCase {
        description: &'static str,
        credentials: CredentialsMode,
        status: u16,
        lines: Lines,
        expected: Result<(), BlockedKind>,
    }

    #[test]
    fn check_response_applies_the_cors_check() {
        use BlockedKind::*;
        use CredentialsMode::{Include, Omit, SameOrigin};
        let cases = [
            ResponseCase {
                description: "no ACAO",
                credentials: Omit,
                status: 200,
                lines: &[],
                expected: Err(MissingAllowOrigin),
            },
            ResponseCase {
                description: "ACAO equal to the origin",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, ORIGIN)],
                expected: Ok(()),
            },
            ResponseCase {
                description: "ACAO within spaces and tabs, which HTTP parsers strip",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, " https://app.example\t")],
                expected: Ok(()),
            },
            ResponseCase {
                description: "ACAO with a trailing slash",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, "https://app.example/")],
                expected: Err(AllowOriginMismatch),
            },
            ResponseCase {
                description: "ACAO in another letter case",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, "https://APP.example")],
                expected: Err(AllowOriginMismatch),
            },
            ResponseCase {
                description: "ACAO with a suffix",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, "https://app.example.evil")],
                expected: Err(AllowOriginMismatch),
            },
            ResponseCase {
                description: "ACAO null",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, "null")],
                expected: Err(AllowOriginMismatch),
            },
            ResponseCase {
                description: "ACAO empty",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, "")],
                expected: Err(AllowOriginMismatch),
            },
            ResponseCase {
                description: "ACAO * with credentials omitted",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, "*")],
                expected: Ok(()),
            },
            ResponseCase {
                description: "ACAO * in same-origin mode",
                credentials: SameOrigin,
                status: 200,
                lines: &[(ACAO, "*")],
                expected: Ok(()),
            },
            ResponseCase {
                description: "ACAO * with credentials included",
                credentials: Include,
                status: 200,
                lines: &[(ACAO, "*"), (ACAC, "true")],
                expected: Err(WildcardOriginWithCredentials),
            },
            ResponseCase {
                description: "ACAO * twice",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, "*"), ("access-control-allow-origin", "*")],
                expected: Err(MultipleAllowOrigin),
            },
            ResponseCase {
                description: "ACAO origin twice",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, ORIGIN), (ACAO, ORIGIN)],
                expected: Err(MultipleAllowOrigin),
            },
            ResponseCase {
                description: "two origins on one line",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, "https://app.example https://b.example")],
                expected: Err(MultipleAllowOrigin),
            },
            ResponseCase {
                description: "credentials with ACAC true",
                credentials: Include,
                status: 200,
                lines: &[(ACAO, ORIGIN), (ACAC, "true")],
                expected: Ok(()),
            },
            ResponseCase {
                description: "credentials with ACAC True",
                credentials: Include,
                status: 200,
                lines: &[(ACAO, ORIGIN), (ACAC, "True")],
                expected: Err(AllowCredentialsNotTrue),
            },
            ResponseCase {
                description: "credentials without ACAC",
                credentials: Include,
                status: 200,
                lines: &[(ACAO, ORIGIN)],
                expected: Err(AllowCredentialsNotTrue),
            },
            ResponseCase {
                description: "credentials with ACAC true twice",
                credentials: Include,
                status: 200,
                lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAC, "true")],
                expected: Err(AllowCredentialsNotTrue),
            },
            ResponseCase {
                description: "no credentials: no ACAC needed",
                credentials: Omit,
                status: 200,
                lines: &[(ACAO, ORIGIN)],
                expected: Ok(()),
            },
            ResponseCase {
                description: "a 500 with ACAO is readable",
                credentials: Omit,
                status: 500,
                lines: &[(ACAO, ORIGIN)],
                expected: Ok(()),
            },
            ResponseCase {
                description: "a 401 without ACAO is blocked",
                credentials: Omit,
                status: 401,
                lines: &[("WWW-Authenticate", "Bearer")],
                expected: Err(MissingAllowOrigin),
            },
        ];
        for case in cases {
            let description = case.description;
            let request = Request::new(ORIGIN, "GET").credentials(case.credentials);
            let outcome = check_response(&request, &response(case.status, case.lines));
            if let Err(blocked) = &outcome {
                assert_eq!(blocked.stage, Stage::Response, "{description}");
            }
            let outcome = outcome.map(drop).map_err(|blocked| blocked.kind);
            assert_eq!(outcome, case.expected, "{description}");
        }
    }

    #[test]
    fn readable_headers_follow_the_expose_rules() {
        use CredentialsMode::{Include, Omit};
        let cases: [(&str, CredentialsMode, &[&str], &str, bool); 18] = [
            (
                "cache-control is safelisted",
                Omit,
                &[],
                "Cache-Control",
                true,
            ),
            (
                "content-language is safelisted",
                Omit,
                &[],
                "content-language",
                true,
            ),
            (
                "content-length is safelisted",
                Omit,
                &[],
                "content-length",
                true,
            ),
            (
                "content-type is safelisted",
                Omit,
                &[],
                "Content-Type",
                true,
            ),
            ("expires is safelisted", Omit, &[], "expires", true),
            (
                "last-modified is safelisted",
                Omit,
                &[],
                "last-modified",
                true,
            ),
            ("pragma is safelisted", Omit, &[], "pragma", true),
            (
                "a custom header needs ACEH",
                Omit,
                &[],
                "x-total-count",
                false,
            ),
            (
                "ACEH names ignore case",
                Omit,
                &["X-Total-Count"],
                "x-total-count",
                true,
            ),
            (
                "ACEH lines are combined",
                Omit,
                &["x-a", "X-Total-Count"],
                "x-total-count",
                true,
            ),
            (
                "ACEH exposes only what it names",
                Omit,
                &["x-a"],
                "x-b",
                false,
            ),
            (
                "ACEH * without credentials",
                Omit,
                &["*"],
                "x-anything",
                true,
            ),
            (
                "ACEH * with credentials is literal",
                Include,
                &["*"],
                "x-anything",
                false,
            ),
            (
                "ACEH names work with credentials",
                Include,
                &["x-a"],
                "x-a",
                true,
            ),
            (
                "set-cookie never, even under *",
                Omit,
                &["*"],
                "set-cookie",
                false,
            ),
            (
                "set-cookie never, even listed",
                Omit,
                &["Set-Cookie"],
                "Set-Cookie",
                false,
            ),
            (
                "set-cookie2 never",
                Omit,
                &["set-cookie2"],
                "set-cookie2",
                false,
            ),
            (
                "an unparsable ACEH exposes nothing",
                Omit,
                &["x-a, x b"],
                "x-a",
                false,
            ),
        ];
        for (description, credentials, expose, name, expected) in cases {
            let request = Request::new(ORIGIN, "GET").credentials(credentials);
            let response = expose.iter().fold(
                response(200, &[(ACAO, ORIGIN), (ACAC, "true")]),
                |response, names| response.header(ACEH, names),
            );
            let readable = check_response(&request, &response).expect(description);
            assert_eq!(readable.can_read(name), expected, "{description}");
        }
    }

    #[test]
    fn readable_shows_only_the_visible_header_lines() {
        let lines: Lines = &[
            (ACAO, ORIGIN),
            ("Content-Type", "text/plain"),
            ("X-A", "1"),
            ("Set-Cookie", "id=1"),
            ("X-Hidden", "2"),
            ("x-a", " 3 "),
            (ACEH, "X-A"),
        ];
        let readable = check_response(&request("GET", &[]), &response(200, lines)).expect("passes");
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

        let everything = response(200, lines).header(ACEH, "*");
        let readable = check_response(&request("GET", &[]), &everything).expect("passes");
        assert_eq!(readable.get("x-hidden").as_deref(), Some("2"));
        assert_eq!(readable.get("set-cookie"), None);
    }

    /// A row of [`fetch_runs_the_whole_cycle`].
    struct FetchCase {
        description: &'static str,
        request: Request<'static>,
        preflight: Option<Response<'static>>,
        response: Response<'static>,
        expected: Result<&'static [Warning], (BlockedKind, Stage)>,
    }

    #[test]
    fn fetch_runs_the_whole_cycle() {
        use BlockedKind::*;
        let allowed = || response(200, &[(ACAO, ORIGIN)]);
        let custom = || request("GET", &[("X-Custom", "1")]);
        let custom_preflight = || response(204, &[(ACAO, ORIGIN), (ACAH, "x-custom")]);
        let cases = [
            FetchCase {
                description: "a simple request needs no preflight response",
                request: request("GET", &[]),
                preflight: None,
                response: allowed(),
                expected: Ok(&[]),
            },
            FetchCase {
                description: "a preflight response for a simple request is ignored",
                request: request("GET", &[]),
                preflight: Some(response(404, &[])),
                response: allowed(),
                expected: Ok(&[]),
            },
            FetchCase {
                description: "a preflighted request without a preflight response",
                request: custom(),
                preflight: None,
                response: allowed(),
                expected: Err((PreflightMissing, Stage::Preflight)),
            },
            FetchCase {
                description: "a private network request without a preflight response",
                request: request("GET", &[]).private_network(true),
                preflight: None,
                response: allowed(),
                expected: Err((PreflightMissing, Stage::Preflight)),
            },
            FetchCase {
                description: "a failing preflight stops the cycle",
                request: custom(),
                preflight: Some(response(500, &[(ACAO, ORIGIN), (ACAH, "x-custom")])),
                response: allowed(),
                expected: Err((PreflightStatus, Stage::Preflight)),
            },
            FetchCase {
                description: "a passing preflight and a passing response",
                request: custom(),
                preflight: Some(custom_preflight()),
                response: allowed(),
                expected: Ok(&[]),
            },
            FetchCase {
                description: "a passing preflight, then a response without ACAO",
                request: custom(),
                preflight: Some(custom_preflight()),
                response: response(200, &[]),
                expected: Err((MissingAllowOrigin, Stage::Response)),
            },
            FetchCase {
                description: "preflight warnings reach the readable response",
                request: request("GET", &[("Authorization", "Bearer t")]),
                preflight: Some(response(204, &[(ACAO, ORIGIN), (ACAH, "*")])),
                response: allowed(),
                expected: Ok(&[Warning::AuthorizationCoveredByWildcard]),
            },
        ];
        for case in cases {
            let outcome = fetch(&case.request, case.preflight.as_ref(), &case.response);
            let outcome = outcome.as_ref().map(Readable::warnings);
            let outcome = outcome.map_err(|blocked| (blocked.kind, blocked.stage));
            assert_eq!(outcome, case.expected, "{}", case.description);
        }
    }

    #[test]
    fn messages_read_like_chrome() {
        const PREFLIGHT: &str = "Response to preflight request doesn't pass access control check: ";
        let put = || request("PUT", &[]);
        let preflight = |request: Request<'static>, status, lines| {
            check_preflight(&request, &response(status, lines)).expect_err("blocked")
        };
        let actual = |request: Request<'static>, lines| {
            check_response(&request, &response(200, lines)).expect_err("blocked")
        };
        let cases = [
            (
                "missing preflight",
                fetch(&put(), None, &response(200, &[(ACAO, ORIGIN)])).expect_err("blocked"),
                "The request needs a CORS preflight, but no preflight response was supplied."
                    .to_owned(),
            ),
            (
                "preflight status",
                preflight(put(), 404, &[(ACAO, ORIGIN)]),
                format!("{PREFLIGHT}It does not have HTTP ok status."),
            ),
            (
                "preflight redirect",
                preflight(put(), 307, &[(ACAO, ORIGIN), ("Location", "/x")]),
                format!("{PREFLIGHT}Redirect is not allowed for a preflight request."),
            ),
            (
                "missing ACAO on the actual response",
                actual(put(), &[]),
                "No 'Access-Control-Allow-Origin' header is present on the requested resource."
                    .to_owned(),
            ),
            (
                "missing ACAO on the preflight",
                preflight(put(), 204, &[]),
                format!(
                    "{PREFLIGHT}No 'Access-Control-Allow-Origin' header is present on the \
                     requested resource."
                ),
            ),
            (
                "multiple ACAO",
                actual(put(), &[(ACAO, "*"), (ACAO, "*")]),
                "The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but \
                 only one is allowed."
                    .to_owned(),
            ),
            (
                "ACAO mismatch",
                actual(put(), &[(ACAO, "https://b.example")]),
                "The 'Access-Control-Allow-Origin' header has a value 'https://b.example' that \
                 is not equal to the supplied origin."
                    .to_owned(),
            ),
            (
                "wildcard with credentials",
                actual(include(put()), &[(ACAO, "*")]),
                "The value of the 'Access-Control-Allow-Origin' header in the response must not \
                 be the wildcard '*' when the request's credentials mode is 'include'."
                    .to_owned(),
            ),
            (
                "missing ACAC",
                actual(include(put()), &[(ACAO, ORIGIN)]),
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '' \
                 which must be 'true' when the request's credentials mode is 'include'."
                    .to_owned(),
            ),
            (
                "ACAC True",
                actual(include(put()), &[(ACAO, ORIGIN), (ACAC, "True")]),
                "The value of the 'Access-Control-Allow-Credentials' header in the response is \
                 'True' which must be 'true' when the request's credentials mode is 'include'."
                    .to_owned(),
            ),
            (
                "method not allowed",
                preflight(put(), 204, &[(ACAO, ORIGIN), (ACAM, "GET")]),
                "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
                    .to_owned(),
            ),
            (
                "header not allowed",
                preflight(
                    request("GET", &[("X-Requested-With", "f")]),
                    204,
                    &[(ACAO, ORIGIN)],
                ),
                "Request header field x-requested-with is not allowed by \
                 Access-Control-Allow-Headers in preflight response."
                    .to_owned(),
            ),
            (
                "private network header missing",
                preflight(
                    request("GET", &[]).private_network(true),
                    204,
                    &[(ACAO, ORIGIN)],
                ),
                format!(
                    "{PREFLIGHT}No 'Access-Control-Allow-Private-Network' header was present in \
                     the preflight response for this private network request."
                ),
            ),
            (
                "private network header not true",
                preflight(
                    request("GET", &[]).private_network(true),
                    204,
                    &[(ACAO, ORIGIN), (ACAPN, "1")],
                ),
                format!(
                    "{PREFLIGHT}The 'Access-Control-Allow-Private-Network' header in the \
                     preflight response for this private network request had a value of '1', \
                     not 'true'."
                ),
            ),
            (
                "unparsable ACAM",
                preflight(put(), 204, &[(ACAO, ORIGIN), (ACAM, "PUT;")]),
                "Cannot parse Access-Control-Allow-Methods response header field in preflight \
                 response."
                    .to_owned(),
            ),
            (
                "unparsable ACAH",
                preflight(put(), 204, &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "a b")]),
                "Cannot parse Access-Control-Allow-Headers response header field in preflight \
                 response."
                    .to_owned(),
            ),
        ];
        for (description, blocked, expected) in cases {
            let expected = format!("blocked by CORS policy: {expected}");
            assert_eq!(blocked.to_string(), expected, "{description}");
        }
    }

    #[test]
    fn blocked_names_the_header_and_the_value() {
        let custom = request("GET", &[("X-Custom", "1")]);
        let lines: Lines = &[(ACAO, ORIGIN), (ACAH, "x-a, x(b")];
        let blocked = check_preflight(&custom, &response(204, lines)).expect_err("blocked");
        assert_eq!(blocked.kind, BlockedKind::InvalidHeaderList);
        assert_eq!(blocked.header, Some("Access-Control-Allow-Headers"));
        assert_eq!(blocked.value.as_deref(), Some("x(b"));

        let patch = request("patch", &[]);
        let blocked =
            check_preflight(&patch, &response(204, &[(ACAO, ORIGIN)])).expect_err("blocked");
        assert_eq!(blocked.header, Some("Access-Control-Allow-Methods"));
        assert_eq!(blocked.value.as_deref(), Some("patch"));

        let get = request("GET", &[]);
        let blocked =
            check_preflight(&get, &response(503, &[(ACAO, ORIGIN)])).expect_err("blocked");
        assert_eq!(
            (blocked.header, blocked.value.as_deref()),
            (None, Some("503"))
        );
    }

    #[test]
    fn warning_says_the_standard_and_browsers_disagree() {
        let message = Warning::AuthorizationCoveredByWildcard.to_string();
        let disagreement = "the Fetch standard rejects this, current browsers accept it";
        assert!(message.contains(disagreement), "{message}");
    }

    #[test]
    fn max_age_is_capped_per_browser() {
        use Browser::{Chrome, Firefox, Safari};
        let cases: [(&str, &[&str], Browser, u32); 12] = [
            ("absent means 5 seconds", &[], Chrome, 5),
            ("below every cap", &["300"], Safari, 300),
            ("Chrome caps at 2 hours", &["86400"], Chrome, 7200),
            ("Firefox caps at 24 hours", &["100000"], Firefox, 86_400),
            ("Safari caps at 10 minutes", &["7200"], Safari, 600),
            ("-1 disables caching", &["-1"], Firefox, 0),
            ("0 disables caching", &["0"], Chrome, 0),
            ("surrounding spaces are stripped", &[" 60 "], Chrome, 60),
            ("unparsable means 5 seconds", &["ten"], Chrome, 5),
            ("a fraction is unparsable", &["1.5"], Chrome, 5),
            ("two lines are unparsable", &["60", "60"], Chrome, 5),
            (
                "huge values saturate to the cap",
                &["99999999999999999999999"],
                Firefox,
                86_400,
            ),
        ];
        for (description, values, browser, expected) in cases {
            let response = values.iter().fold(response(204, &[]), |response, value| {
                response.header(ACMA, value)
            });
            let seconds = preflight_cache_seconds(&response, browser);
            assert_eq!(seconds, expected, "{description}");
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
                let request = Request::new(a, b).header(a, b).header(b, a);
                let response = Response::new(200)
                    .header(ACAO, a)
                    .header(ACAM, b)
                    .header(ACAH, a)
                    .header(ACEH, b)
                    .header(ACMA, a)
                    .header(a, b);
                for request in [request.clone(), include(request).private_network(true)] {
                    let _ = preflight_for(&request);
                    let _ = check_preflight(&request, &response).map_err(|e| e.to_string());
                    let _ = fetch(&request, Some(&response), &response);
                    if let Ok(readable) = check_response(&request, &response) {
                        let _ = (readable.can_read(a), readable.get(b));
                    }
                }
                let _ = preflight_cache_seconds(&response, Browser::Safari);
            }
        }
    }
}
