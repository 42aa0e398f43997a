//! How a check ends: a refusal ([`Blocked`], at a [`Stage`]), or a pass with the
//! browser's leniencies noted ([`Warning`]).

use super::*;

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
    /// A public page's request to a more private address ([`Request::private_network`])
    /// waits for the user's permission to reach the local network, in Chrome and
    /// Firefox; no response header grants it, and nothing is sent before it. The
    /// stage is the preflight's, the first request that would have been sent.
    LocalNetworkPermission,
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
    pub(super) fn is_access_check(self) -> bool {
        matches!(
            self,
            Self::PreflightStatus
                | Self::PreflightRedirect
                | Self::MissingAllowOrigin
                | Self::MultipleAllowOrigin
                | Self::AllowOriginMismatch
                | Self::WildcardOriginWithCredentials
                | Self::AllowCredentialsNotTrue
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
    /// The offending value: the `Access-Control-Allow-Origin` or
    /// `Access-Control-Allow-Credentials` value (`None` when absent), the disallowed method, the disallowed request
    /// header name, the unparsable list item, or the status code.
    pub value: Option<String>,
}

impl Blocked {
    /// `fetch()`'s refusal of `method` when it is not an HTTP token or is a
    /// forbidden method (`CONNECT`, `TRACE`, `TRACK`, in any case), before any
    /// request (the stage is the preflight's, the first that would have been
    /// sent); `None` for a method `fetch()` accepts.
    ///
    /// ```
    /// use cors_core::browser::{Blocked, BlockedKind};
    ///
    /// assert_eq!(Blocked::invalid_method("GET /").unwrap().kind, BlockedKind::InvalidMethod);
    /// assert!(Blocked::invalid_method("trace").is_some());
    /// assert!(Blocked::invalid_method("PURGE").is_none());
    /// ```
    #[must_use]
    pub fn invalid_method(method: &str) -> Option<Self> {
        let forbidden = FORBIDDEN_METHODS
            .iter()
            .any(|forbidden| forbidden.eq_ignore_ascii_case(method));
        (!is_token(method) || forbidden).then(|| Self {
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

    /// The debugging question this refusal answers with "no" (see
    /// [`Question`](crate::Question)); `None` when `fetch()` threw before
    /// sending anything.
    ///
    /// ```
    /// use cors_core::browser::{check_response, Request, Response};
    /// use cors_core::Question;
    ///
    /// let request = Request::new("https://app.example", "GET");
    /// let blocked = check_response(&request, &Response::new(401)).unwrap_err();
    /// assert_eq!(blocked.question(), Some(Question::AllowOrigin));
    /// ```
    #[must_use]
    pub fn question(&self) -> Option<crate::Question> {
        use crate::Question;
        Some(match self.kind {
            BlockedKind::PreflightMissing => Question::PreflightSent,
            BlockedKind::PreflightStatus
            | BlockedKind::PreflightRedirect
            | BlockedKind::LocalNetworkPermission => Question::PreflightStatus,
            BlockedKind::MissingAllowOrigin
            | BlockedKind::MultipleAllowOrigin
            | BlockedKind::AllowOriginMismatch => Question::AllowOrigin,
            BlockedKind::WildcardOriginWithCredentials | BlockedKind::AllowCredentialsNotTrue => {
                Question::Credentials
            }
            BlockedKind::MethodNotAllowed => Question::AllowMethods,
            BlockedKind::HeaderNotAllowed => Question::AllowHeaders,
            BlockedKind::InvalidHeaderList if self.header == Some(ALLOW_METHODS) => {
                Question::AllowMethods
            }
            BlockedKind::InvalidHeaderList => Question::AllowHeaders,
            BlockedKind::InvalidMethod | BlockedKind::InvalidHeader => return None,
        })
    }

    pub(super) fn new(kind: BlockedKind, stage: Stage) -> Self {
        Self {
            kind,
            stage,
            header: None,
            value: None,
        }
    }

    pub(super) fn with_header(mut self, header: &'static str) -> Self {
        self.header = Some(header);
        self
    }

    pub(super) fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == BlockedKind::InvalidMethod {
            let value = self.value.as_deref().unwrap_or_default();
            return if is_token(value) {
                write!(
                    f,
                    "Failed to execute 'fetch': '{value}' HTTP method is unsupported."
                )
            } else {
                write!(
                    f,
                    "Failed to execute 'fetch': '{value}' is not a valid HTTP method."
                )
            };
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
            BlockedKind::LocalNetworkPermission => f.write_str(
                "The request from a public page to a more private address waits for the \
                 user's permission to access the local network (Local Network Access); \
                 no response header grants it.",
            ),
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
