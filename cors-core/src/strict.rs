//! Strict mode's rules: which cross-origin requests it stops before they
//! reach a handler, and under which policy. The middleware supplies the
//! request's parts; the rules live here, beside `decide`, where the property
//! tests and the fuzz targets reach them.

use crate::decision::{decide, Decision, Request, Vary};
use crate::policy::Policy;
use crate::reason::Reason;

/// The methods whose cross-origin requests strict mode stops: those with
/// side effects. A cross-site form can send POST; `fetch` can send the others.
pub const STATE_CHANGING_METHODS: [&str; 4] = ["POST", "PUT", "PATCH", "DELETE"];

/// Whether strict mode looks at a request with this method.
///
/// ```
/// use cors_core::strict::is_state_changing;
///
/// assert!(is_state_changing(b"DELETE"));
/// assert!(!is_state_changing(b"GET"));
/// assert!(!is_state_changing(b"delete"), "methods are case-sensitive");
/// ```
pub fn is_state_changing(method: &[u8]) -> bool {
    STATE_CHANGING_METHODS
        .iter()
        .any(|m| m.as_bytes() == method)
}

/// Whether a request comes from the server's own origin: the browser says
/// so (`Sec-Fetch-Site: same-origin`), or its `Origin` is the request's own
/// `scheme://host` (as the server reads them, forwarding headers included).
/// `http://` and `https://` are different origins.
///
/// ```
/// use cors_core::strict::is_same_origin;
///
/// assert!(is_same_origin(b"https://bank.example", None, "https", "bank.example"));
/// assert!(!is_same_origin(b"http://bank.example", None, "https", "bank.example"));
/// assert!(is_same_origin(b"https://other.example", Some(b"same-origin"), "https", "bank.example"));
/// ```
pub fn is_same_origin(
    origin: &[u8],
    sec_fetch_site: Option<&[u8]>,
    scheme: &str,
    host: &str,
) -> bool {
    if browser_says_same_origin(sec_fetch_site) {
        return true;
    }
    let rest = origin
        .strip_prefix(scheme.as_bytes())
        .and_then(|rest| rest.strip_prefix(b"://"));
    rest == Some(host.as_bytes())
}

/// Whether the browser says the request is same-origin
/// (`Sec-Fetch-Site: same-origin`): the first test of [`is_same_origin`],
/// which a server can make before it works out its own scheme and host.
///
/// ```
/// use cors_core::strict::browser_says_same_origin;
///
/// assert!(browser_says_same_origin(Some(b"same-origin")));
/// assert!(!browser_says_same_origin(Some(b"same-site")));
/// ```
pub fn browser_says_same_origin(sec_fetch_site: Option<&[u8]>) -> bool {
    sec_fetch_site == Some(b"same-origin")
}

/// Why strict mode refuses `request` under `policy` (`None`: no policy
/// covers it), if it does: a request no policy covers is refused, varying
/// on `Origin`; otherwise exactly what `decide` rejects.
///
/// ```
/// use cors_core::strict::strict_refusal;
/// use cors_core::{Policy, PolicySpec, Request};
///
/// let policy = Policy::build(&PolicySpec { origins: Some(&["https://app.example"]), ..PolicySpec::EMPTY }).unwrap();
/// let evil = Request::new(b"POST").origin(b"https://evil.example");
/// assert!(strict_refusal(Some(&policy), &evil).is_some());
/// let app = Request::new(b"POST").origin(b"https://app.example");
/// assert!(strict_refusal(Some(&policy), &app).is_none());
/// assert!(strict_refusal(None, &app).is_some());
/// ```
pub fn strict_refusal<'a>(
    policy: Option<&'a Policy>,
    request: &Request<'a>,
) -> Option<(Reason<'a>, Vary)> {
    match policy.map(|p| decide(p, request)) {
        None => Some((
            Reason::NoPolicy {
                method: request.method,
            },
            Vary::ORIGIN,
        )),
        Some(Decision::Rejected { reason, vary }) => Some((reason, vary)),
        Some(_) => None,
    }
}

/// The `Vary` of a request no policy covers: a preflight's answer depends
/// on the path, the requested method and headers; an actual response on
/// `Origin` only where strict mode could refuse it.
///
/// ```
/// use cors_core::strict::no_policy_vary;
/// use cors_core::Vary;
///
/// assert_eq!(no_policy_vary(false, false), Vary::NONE);
/// assert_eq!(no_policy_vary(false, true), Vary::ORIGIN);
/// ```
pub fn no_policy_vary(preflight: bool, strict: bool) -> Vary {
    match (preflight, strict) {
        (true, _) => Vary::ORIGIN
            .union(Vary::REQUEST_METHOD)
            .union(Vary::REQUEST_HEADERS),
        (false, true) => Vary::ORIGIN,
        (false, false) => Vary::NONE,
    }
}
