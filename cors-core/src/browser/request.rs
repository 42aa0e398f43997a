//! What the page sends: the request, its credentials mode, safelisting, and the
//! preflight the browser derives from it.

use super::*;
use std::borrow::Cow;

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
    /// public site to `192.168.0.1` or to loopback ([Local Network Access]).
    ///
    /// Chrome and Firefox send no preflight for it: they hold the request until the
    /// user allows the page to reach the local network, and no response header can
    /// grant that ([`BlockedKind::LocalNetworkPermission`]). Earlier Chrome versions
    /// sent a preflight with `Access-Control-Request-Private-Network: true` instead
    /// (Private Network Access); Chromium 156 no longer does. Safari's handling was
    /// not tested: for it, the oracle treats the request as any other.
    ///
    /// [Local Network Access]: https://wicg.github.io/local-network-access/
    pub private_network: bool,
    /// The browser whose behaviour the checks follow where engines differ; see
    /// [`Browser`] for the differences. [`Request::new`] takes Chrome's.
    pub browser: Browser,
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
            browser: Browser::default(),
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

    /// Sets the browser whose behaviour the checks follow.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::browser::{Browser, Request};
    ///
    /// let request = Request::new("https://a.example", "GET").browser(Browser::Safari);
    /// assert_eq!(request.browser, Browser::Safari);
    /// ```
    #[must_use]
    pub fn browser(mut self, browser: Browser) -> Self {
        self.browser = browser;
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
        for (name, value) in self.checked_headers() {
            if is_safelisted_request_header(name, &value) {
                safelisted_names.push(name);
                safelisted_len = safelisted_len.saturating_add(value.len());
            } else {
                unsafe_names.push(name);
            }
        }
        if self.browser.limits_safelisted_total() && safelisted_len > MAX_SAFELISTED_TOTAL_LEN {
            unsafe_names.extend(safelisted_names);
        }
        sorted_lowercase_set(unsafe_names)
    }

    /// The sent headers as the browser's safelist sees them: one by one (the
    /// standard, and Firefox), or with a repeated name's values joined by `, `
    /// (Chrome and Safari).
    fn checked_headers(&self) -> Vec<(&'a str, Cow<'a, str>)> {
        let mut headers: Vec<(&'a str, Cow<'a, str>)> = Vec::new();
        for (name, value) in self.sent_headers() {
            let earlier = headers
                .iter_mut()
                .find(|(seen, _)| seen.eq_ignore_ascii_case(name));
            match earlier {
                Some((_, joined)) if self.browser.joins_repeated_headers() => {
                    let joined = joined.to_mut();
                    joined.push_str(", ");
                    joined.push_str(value);
                }
                _ => headers.push((name, Cow::Borrowed(value))),
            }
        }
        headers
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

    pub(super) fn includes_credentials(&self) -> bool {
        self.credentials == CredentialsMode::Include
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
}

impl Preflight {
    /// The preflight's method, always `OPTIONS`.
    #[must_use]
    pub fn method(&self) -> &'static str {
        "OPTIONS"
    }

    /// The CORS header lines of the preflight, ready to put on a test request:
    /// `Origin`, `Access-Control-Request-Method`, and when present
    /// `Access-Control-Request-Headers`.
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
        headers
    }
}

pub(super) fn is_safelisted_method(method: &str) -> bool {
    SAFELISTED_METHODS.contains(&method)
}

/// Whether `fetch()` refuses to set this header (it is dropped silently).
pub(super) fn is_forbidden_request_header(name: &str, value: &str) -> bool {
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
pub(super) fn is_safelisted_request_header(name: &str, value: &str) -> bool {
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

pub(super) fn is_safelisted_content_type(value: &str) -> bool {
    !value.bytes().any(is_cors_unsafe_request_header_byte)
        && mime_essence(value)
            .is_some_and(|essence| SAFELISTED_CONTENT_TYPES.contains(&essence.as_str()))
}

/// The essence (`type/subtype`, lowercase) of a MIME type, parsed as the MIME
/// Sniffing standard does; parameters never make the parse fail, so they are skipped.
pub(super) fn mime_essence(value: &str) -> Option<String> {
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
pub(super) fn is_simple_range(value: &str) -> bool {
    let Some((start, end)) = value
        .strip_prefix("bytes=")
        .and_then(|range| range.split_once('-'))
    else {
        return false;
    };
    is_digits(start) && (end.is_empty() || (is_digits(end) && !decimal_greater(start, end)))
}

/// Whether the decimal digit string `a` is greater than `b`, without overflow.
pub(super) fn decimal_greater(a: &str, b: &str) -> bool {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    (a.len(), a) > (b.len(), b)
}

pub(super) fn is_digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit())
}

/// A CORS-unsafe request-header byte.
pub(super) fn is_cors_unsafe_request_header_byte(byte: u8) -> bool {
    (byte < 0x20 && byte != b'\t') || b"\"():<>?@[\\]{}\x7f".contains(&byte)
}

/// A byte allowed in a safelisted `Accept-Language` or `Content-Language` value.
pub(super) fn is_language_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b" *,-.;=".contains(&byte)
}
