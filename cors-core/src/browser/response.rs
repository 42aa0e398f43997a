//! What comes back: the response's header lines, and which of them JavaScript
//! can read.

use super::*;

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

    /// Where the browser goes next when this response is a redirect (301, 302,
    /// 303, 307 or 308 with a `Location`): the `Location`; `None` otherwise. A
    /// redirected preflight fails; an actual response that redirects is
    /// followed, so the page never reads it.
    ///
    /// ```
    /// use cors_core::browser::Response;
    ///
    /// let moved = Response::new(308).header("Location", "/users/");
    /// assert_eq!(moved.redirect_location(), Some("/users/"));
    /// assert_eq!(Response::new(304).header("Location", "/x").redirect_location(), None);
    /// ```
    #[must_use]
    pub fn redirect_location(&self) -> Option<&'a str> {
        if !REDIRECT_STATUSES.contains(&self.status) {
            return None;
        }
        self.values("Location").into_iter().next()
    }

    /// The values of every line named `name`, trimmed of spaces and tabs.
    pub(super) fn values(&self, name: &str) -> Vec<&'a str> {
        self.headers
            .iter()
            .filter(|(line_name, _)| line_name.eq_ignore_ascii_case(name))
            .map(|&(_, value)| trim_ows(value))
            .collect()
    }

    /// The value of `name` as the Fetch standard "gets" it: all lines joined by `", "`,
    /// or `None` when there is no such line.
    pub(super) fn combined(&self, name: &str) -> Option<String> {
        let values = self.values(name);
        (!values.is_empty()).then(|| values.join(", "))
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
    pub(super) warnings: Vec<Warning>,
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
    pub(super) fn from_response(request: &Request<'_>, response: &Response<'_>) -> Self {
        match header_list(response, EXPOSE_HEADERS) {
            Ok(names) if !request.includes_credentials() && names.contains(&"*") => Self::All,
            Ok(names) => Self::Listed(names.iter().map(|name| name.to_ascii_lowercase()).collect()),
            // An unparsable list exposes nothing; it does not block the response.
            Err(_) => Self::Listed(Vec::new()),
        }
    }

    pub(super) fn allows(&self, name: &str) -> bool {
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
    pub(super) fn from_response(request: &Request<'_>, response: &Response<'_>) -> Self {
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
