//! Why a request was refused, in the terms of the five debugging questions.

use crate::policy::Field;
use std::borrow::Cow;
use std::fmt;

/// The five questions that solve most CORS problems, plus the credentials
/// rules. Every [`Reason`] answers one of them with "no".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Question {
    /// 1. Is there an `OPTIONS` request (a preflight)?
    PreflightSent,
    /// 2. What is the preflight's status? It must be 2xx.
    PreflightStatus,
    /// 3. Does `Access-Control-Allow-Origin` match the request's `Origin`?
    AllowOrigin,
    /// 4. Does `Access-Control-Allow-Methods` list the method?
    AllowMethods,
    /// 5. Does `Access-Control-Allow-Headers` list every custom header?
    AllowHeaders,
    /// With credentials: an exact origin and `Access-Control-Allow-Credentials: true`.
    Credentials,
}

impl Question {
    /// The question as asked while debugging.
    pub fn text(self) -> &'static str {
        match self {
            Question::PreflightSent => "1. is there a preflight (OPTIONS) request?",
            Question::PreflightStatus => "2. is the preflight's status 2xx?",
            Question::AllowOrigin => "3. does Access-Control-Allow-Origin match the Origin?",
            Question::AllowMethods => "4. does Access-Control-Allow-Methods list the method?",
            Question::AllowHeaders => "5. does Access-Control-Allow-Headers list the headers?",
            Question::Credentials => {
                "credentials: is the origin exact and Access-Control-Allow-Credentials true?"
            }
        }
    }
}

impl fmt::Display for Question {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// Why the decision engine refused a request. Borrowed from the request, so
/// building one costs nothing; formatting it is for logs only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason<'a> {
    /// The `Origin` is not in the policy (or not a well-formed origin).
    OriginNotAllowed {
        /// The request's `Origin`, as sent.
        origin: &'a [u8],
    },
    /// A header that must appear once appeared several times.
    RepeatedHeader {
        /// Its name.
        name: &'static str,
    },
    /// `Access-Control-Request-Method` names a method the policy does not allow.
    MethodNotAllowed {
        /// The method, as sent.
        method: &'a [u8],
    },
    /// `Access-Control-Request-Method` is not a method token.
    InvalidMethod {
        /// The value, as sent.
        method: &'a [u8],
    },
    /// `Access-Control-Request-Headers` names a header the policy does not allow.
    HeaderNotAllowed {
        /// The first header name that is not allowed, as sent.
        header: &'a [u8],
    },
    /// `Access-Control-Request-Headers` has an item that is not a header name.
    InvalidRequestHeaders,
    /// `Access-Control-Request-Headers` is too long to be from a browser.
    TooManyRequestHeaders,
    /// A Private Network Access preflight, and the policy does not opt in.
    PrivateNetworkNotAllowed,
    /// No policy covers this path and method: no annotated route serves
    /// it, CORS is disabled for it, and there are no App defaults.
    NoPolicy {
        /// The method looked up (the preflight's requested method).
        method: &'a [u8],
    },
}

/// Longest value quoted in a message: a crafted header can be as long as
/// the server accepts, and a log line should not be.
const MAX_QUOTED: usize = 128;

fn text(bytes: &[u8]) -> Cow<'_, str> {
    let (head, long) = match bytes.get(..MAX_QUOTED) {
        Some(head) if bytes.len() > MAX_QUOTED => (head, true),
        _ => (bytes, false),
    };
    let shown = String::from_utf8_lossy(head);
    // Control characters (C0 and C1: a header may carry `\xC2\x85`, a line
    // break to many log readers) are written escaped.
    let shown = match shown.chars().any(char::is_control) {
        true => Cow::Owned(
            shown
                .chars()
                .map(|c| match c.is_control() {
                    true => c.escape_unicode().to_string(),
                    false => c.to_string(),
                })
                .collect(),
        ),
        false => shown,
    };
    match long {
        true => Cow::Owned(format!("{shown}… ({} bytes)", bytes.len())),
        false => shown,
    }
}

impl Reason<'_> {
    /// A stable code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::OriginNotAllowed { .. } => "origin_not_allowed",
            Reason::RepeatedHeader { .. } => "repeated_header",
            Reason::MethodNotAllowed { .. } => "method_not_allowed",
            Reason::InvalidMethod { .. } => "invalid_method",
            Reason::HeaderNotAllowed { .. } => "header_not_allowed",
            Reason::InvalidRequestHeaders => "invalid_request_headers",
            Reason::TooManyRequestHeaders => "too_many_request_headers",
            Reason::PrivateNetworkNotAllowed => "private_network_not_allowed",
            Reason::NoPolicy { .. } => "no_policy",
        }
    }

    /// Which of the five questions this answers with "no".
    pub fn question(&self) -> Question {
        match self {
            Reason::RepeatedHeader {
                name: "access-control-request-method",
            } => Question::AllowMethods,
            Reason::RepeatedHeader {
                name: "access-control-request-headers",
            } => Question::AllowHeaders,
            Reason::RepeatedHeader {
                name: "access-control-request-private-network",
            } => Question::PreflightStatus,
            Reason::OriginNotAllowed { .. }
            | Reason::RepeatedHeader { .. }
            | Reason::NoPolicy { .. } => Question::AllowOrigin,
            Reason::MethodNotAllowed { .. } | Reason::InvalidMethod { .. } => {
                Question::AllowMethods
            }
            Reason::HeaderNotAllowed { .. }
            | Reason::InvalidRequestHeaders
            | Reason::TooManyRequestHeaders => Question::AllowHeaders,
            Reason::PrivateNetworkNotAllowed => Question::PreflightStatus,
        }
    }

    /// The offending value, as sent (lossily decoded; past 128 bytes, cut
    /// and followed by its length).
    pub fn value(&self) -> Cow<'_, str> {
        match self {
            Reason::OriginNotAllowed { origin } => text(origin),
            Reason::RepeatedHeader { name } => Cow::Borrowed(name),
            Reason::MethodNotAllowed { method }
            | Reason::InvalidMethod { method }
            | Reason::NoPolicy { method } => text(method),
            Reason::HeaderNotAllowed { header } => text(header),
            Reason::InvalidRequestHeaders | Reason::TooManyRequestHeaders => {
                Cow::Borrowed("access-control-request-headers")
            }
            Reason::PrivateNetworkNotAllowed => {
                Cow::Borrowed("access-control-request-private-network")
            }
        }
    }

    /// The policy key whose value refused the request, if one did.
    ///
    /// ```
    /// use cors_core::{Field, Reason};
    ///
    /// assert_eq!(Reason::HeaderNotAllowed { header: b"x-a" }.key(), Some(Field::Headers));
    /// assert_eq!(Reason::InvalidRequestHeaders.key(), None);
    /// ```
    pub fn key(&self) -> Option<Field> {
        match self {
            Reason::OriginNotAllowed { .. } => Some(Field::Origins),
            Reason::MethodNotAllowed { .. } => Some(Field::Methods),
            Reason::HeaderNotAllowed { .. } => Some(Field::Headers),
            Reason::PrivateNetworkNotAllowed => Some(Field::PrivateNetwork),
            _ => None,
        }
    }

    /// What to change, when the request is legitimate, for a policy set on
    /// the route; see [`Reason::fix_at`].
    pub fn fix(&self) -> String {
        self.fix_at(Place::Route)
    }

    /// What to change, when the request is legitimate, for a policy that
    /// comes from `place`: a route's attribute names its keys
    /// (`methods = [...]`), the App defaults name the builder's methods.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::reason::{Place, Reason};
    ///
    /// let reason = Reason::MethodNotAllowed { method: b"PATCH" };
    /// assert!(reason.fix_at(Place::Route).contains("`methods = [...]`"));
    /// assert!(reason.fix_at(Place::AppDefaults).contains("Cors::builder().methods([...])"));
    ///
    /// // `null` and malformed origins are not something to list.
    /// let null = Reason::OriginNotAllowed { origin: b"null" };
    /// assert!(null.fix().contains("dangerously_allow_null_origin"));
    /// let upper = Reason::OriginNotAllowed { origin: b"https://App.example.com" };
    /// assert!(!upper.fix().contains("add it"));
    /// ```
    pub fn fix_at(&self, place: Place<'_>) -> String {
        // Where to write `key`, for the place it was set.
        let at = |key: &str| {
            match place {
            Place::Route | Place::Disabled => format!("`{key} = [...]`"),
            Place::NamedPolicy(name) => format!("the `{key}` of policy {name}"),
            Place::AppDefaults => format!(
                "the App defaults' `{key}` (`Cors::builder().{key}([...])`), which routes without `#[cors]` follow"
            ),
            Place::Environment(var) => format!(
                "{var}, the environment variable that sets `{key}` here (it wins over the value set in code)"
            ),
        }
        };
        match self {
            Reason::OriginNotAllowed { origin } => origin_fix(origin, at("origins")),
            Reason::RepeatedHeader { name } => {
                format!("send `{name}` once; browsers never repeat it")
            }
            Reason::MethodNotAllowed { method } => {
                // `patch` cannot be listed (the validator wants `PATCH`): the client must change.
                match std::str::from_utf8(method).ok().and_then(crate::method::known_uppercase) {
                    Some(upper) => format!("send `{upper}`: methods are case-sensitive and `fetch` sends `{}` as written", text(method)),
                    None => match place {
                        Place::Route => format!("add `{}` to `methods = [...]`, or serve it on this route", text(method)),
                        _ => format!("add `{}` to {}", text(method), at("methods")),
                    },
                }
            }
            Reason::InvalidMethod { .. } => "send a method token such as `PUT`".to_owned(),
            Reason::HeaderNotAllowed { .. } => format!("add it to {}", at("headers")),
            Reason::InvalidRequestHeaders => {
                "send header names separated by commas".to_owned()
            }
            Reason::TooManyRequestHeaders => format!(
                "send at most {} header names in at most {} bytes",
                crate::header::MAX_REQUEST_HEADER_NAMES,
                crate::header::MAX_REQUEST_HEADERS_LEN
            ),
            Reason::PrivateNetworkNotAllowed => match place {
                Place::AppDefaults | Place::Environment(_) => "set `Cors::builder().private_network(true)` if public sites may reach this private server".to_owned(),
                Place::NamedPolicy(name) => format!("set `private_network` in policy {name} if public sites may reach this private server"),
                Place::Route | Place::Disabled => "set `private_network` if public sites may reach this private server".to_owned(),
            },
            Reason::NoPolicy { method } => match place {
                Place::Disabled => "CORS is turned off for this route with `#[cors(disable)]`, App defaults included; remove `disable` if its preflights should be answered".to_owned(),
                _ => format!(
                    "annotate the handler serving `{}` here with `#[cors(...)]`, or give the `Cors` middleware App defaults",
                    text(method)
                ),
            },
        }
    }

    /// The reason and its fix for a policy from `place`, as one line.
    pub fn explain<'p>(&self, place: Place<'p>) -> Explained<'_, '_, 'p> {
        Explained {
            reason: self,
            place,
        }
    }
}

/// The fix for a refused `Origin`: listing it works only for an origin a
/// browser can send and the validator accepts.
fn origin_fix(origin: &[u8], list: String) -> String {
    use crate::origin::{parse_config_origin, OriginSpec};
    if origin == b"null" {
        return "`null` is the origin of sandboxed iframes and `file:` pages, which any site can create; if that is intended, set `dangerously_allow_null_origin` (never with credentials)".to_owned();
    }
    match std::str::from_utf8(origin).map(parse_config_origin) {
        Ok(Ok(OriginSpec::Exact(parsed))) if parsed.scheme == "http" && !parsed.is_loopback() => format!(
            "if it should be allowed, add it to {list}; with `credentials`, a plain-http origin also needs `dangerously_allow_insecure_origins`, since anyone on the network can act as it (serve the page over https instead)"
        ),
        Ok(Ok(OriginSpec::Exact(_) | OriginSpec::Null)) => {
            format!("if it should be allowed, add it to {list}")
        }
        _ => "browsers send origins in lowercase as scheme://host[:port] and nothing else, so this request did not come from a browser as sent; fix the client or the proxy that rewrote the header".to_owned(),
    }
}

/// Where the key that refused a request was set, so that the fix names
/// the place to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Place<'a> {
    /// A route's own `#[cors(...)]` or attached policy, or nowhere yet (the
    /// route is then the place to set it).
    Route,
    /// The named policy the route starts from.
    NamedPolicy(&'a str),
    /// The App defaults (`Cors::builder()`), set in code.
    AppDefaults,
    /// An environment variable (of the App defaults, or of a named or
    /// attached policy), which wins over code.
    Environment(&'a str),
    /// A route with `#[cors(disable)]`.
    Disabled,
}

/// A [`Reason`] with the fix for its [`Place`]; see [`Reason::explain`].
#[derive(Clone, Copy, Debug)]
pub struct Explained<'r, 'a, 'p> {
    reason: &'r Reason<'a>,
    place: Place<'p>,
}

impl fmt::Display for Explained<'_, '_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.reason.describe(f)?;
        write!(f, "; {}", self.reason.fix_at(self.place))
    }
}

impl fmt::Display for Reason<'_> {
    /// One line: what failed, with the value, then the fix for a policy on
    /// the route ([`Reason::explain`] for another place).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.explain(Place::Route).fmt(f)
    }
}

impl Reason<'_> {
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.value();
        match self {
            Reason::OriginNotAllowed { .. } => write!(f, "origin `{value}` is not allowed"),
            Reason::RepeatedHeader { .. } => write!(f, "header `{value}` was sent more than once"),
            Reason::MethodNotAllowed { .. } => write!(f, "method `{value}` is not allowed"),
            Reason::InvalidMethod { .. } => write!(f, "`{value}` is not a method"),
            Reason::HeaderNotAllowed { .. } => write!(f, "header `{}` is not allowed", value.to_ascii_lowercase()),
            Reason::InvalidRequestHeaders => f.write_str("access-control-request-headers has an invalid name"),
            Reason::TooManyRequestHeaders => f.write_str("access-control-request-headers is too large"),
            Reason::PrivateNetworkNotAllowed => write!(f, "{value} is not allowed"),
            Reason::NoPolicy { .. } => write!(
                f,
                "no CORS policy covers method `{value}` on this path (no annotated route serves it, CORS is disabled for it, or there are no App defaults)"
            ),
        }
    }
}
