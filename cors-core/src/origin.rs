//! Origins: the strict parser for configured origins and patterns, and the fast
//! matcher for the `Origin` header of requests.
//!
//! The parsers ([`parse_config_origin`] with [`OriginSpec`] and [`Parsed`], and
//! [`split_request_origin`]) are public API on purpose, with
//! [`request_header_names`](crate::header::request_header_names): the fuzz
//! targets drive them directly, and tools that check origins or
//! `Access-Control-Request-Headers` as this library does can use them. They
//! follow the crate's semver like the rest.
//!
//! A configured origin must already be in the form a browser sends: the
//! [serialised origin](https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin)
//! `scheme://host[:port]`, lowercase, with no default port, path, trailing slash,
//! query, fragment or userinfo. Anything else could never be byte-equal to a
//! browser's `Origin`, so it is rejected with the corrected value as the fix
//! instead of being normalised behind the user's back.
//!
//! Patterns match whole DNS labels, with the scheme and port fixed:
//!
//! | pattern | matches | does not match |
//! |---|---|---|
//! | `https://*.example.com` | `https://a.example.com`, `https://a.b.example.com` | `https://example.com`, `http://a.example.com`, `https://a.example.com:8443`, `https://evilexample.com` |
//! | `http://*.localhost:8080` | `http://app.localhost:8080` | `http://app.localhost:8081` |
//! | `http://localhost:*` | `http://localhost`, `http://localhost:3000` | `http://localhost.evil.net:3000` |
//!
//! The apex is not covered by `*.`: list it on its own when it should be
//! allowed. Deeper levels are covered, as a wildcard certificate's owner
//! controls them anyway. There are no regular expressions: an unescaped `.` or
//! a missing anchor in a hand-written regex is the classic way to allow
//! `https://example.com.evil.net`, and whole-label patterns express every
//! legitimate case without that risk.

use crate::{psl, table::Table};
use std::fmt;

/// Longest `Origin` the matcher looks at. Real origins are far shorter (a DNS
/// name is at most 253 bytes); longer values are refused without work.
pub const MAX_ORIGIN_LEN: usize = 512;

/// One entry of an `origins` list, classified by the strict parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginSpec<'a> {
    /// `*`: any origin.
    Any,
    /// `null`: the opaque origin of sandboxed frames, `file:` pages and
    /// some redirects. Dangerous; see [`ErrorKind::NullOrigin`](crate::ErrorKind::NullOrigin).
    Null,
    /// One serialised origin such as `https://app.example.com`.
    Exact(Parsed<'a>),
    /// `scheme://host:*`: one host on any port (for development).
    AnyPort(Parsed<'a>),
    /// `scheme://*.suffix[:port]`: every subdomain of `suffix`, at any depth.
    Subdomains(Parsed<'a>),
}

/// The parts of a configured origin or pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed<'a> {
    /// `http`, `https`, ...
    pub scheme: &'a str,
    /// The host, or for [`OriginSpec::Subdomains`] the suffix after `*.`.
    pub host: &'a str,
    /// `""`, `":8080"` or `":*"`, exactly as it follows the host.
    pub port: &'a str,
}

impl Parsed<'_> {
    /// Whether the host is a loopback name or address (`localhost`,
    /// `*.localhost`, `127.0.0.0/8`, `[::1]`): `http://` is fine there, since
    /// no network attacker sits between the browser and the machine itself.
    pub fn is_loopback(&self) -> bool {
        let host = self.host;
        host == "localhost"
            || host.ends_with(".localhost")
            || host == "[::1]"
            || host
                .strip_prefix("127.")
                .is_some_and(|rest| rest.split('.').count() == 3 && is_numeric_host(rest))
    }

    /// The key this entry is stored under in an origin table.
    pub(crate) fn key(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.port)
    }
}

/// Why a configured origin was refused by the strict parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OriginProblem {
    /// An empty string.
    Empty,
    /// Leading or trailing whitespace.
    Whitespace,
    /// No `scheme://`.
    NoScheme,
    /// A scheme whose origins are opaque (`file:`, `data:`, ...), sent as `null`.
    OpaqueScheme,
    /// A path after the host.
    Path,
    /// A lone `/` after the host.
    TrailingSlash,
    /// A `?query` or `#fragment`.
    QueryOrFragment,
    /// `user:pass@` before the host.
    Userinfo,
    /// `:443` on `https`, `:80` on `http`: browsers omit it.
    DefaultPort,
    /// A port that is not a number from 1 to 65535 without leading zeros.
    InvalidPort,
    /// Uppercase letters: browsers send lowercase.
    Uppercase,
    /// A non-ASCII host: browsers send the punycode (`xn--`) form.
    NonAsciiHost,
    /// A host with characters or empty labels that no browser would send,
    /// or an origin longer than [`MAX_ORIGIN_LEN`].
    InvalidHost,
    /// `*` anywhere but a whole leftmost label.
    MisplacedWildcard,
    /// A pattern over a public suffix (`*.com`, `*.co.uk`) or an IP address.
    TooBroad,
}

/// Parses one configured origin strictly.
///
/// # Errors
///
/// Returns the first [`OriginProblem`] found; see the module docs for the
/// accepted forms.
///
/// # Examples
///
/// ```
/// use cors_core::origin::{parse_config_origin, OriginProblem, OriginSpec};
///
/// assert!(matches!(parse_config_origin("https://app.example.com"), Ok(OriginSpec::Exact(_))));
/// assert!(matches!(parse_config_origin("https://*.example.com"), Ok(OriginSpec::Subdomains(_))));
/// assert_eq!(parse_config_origin("https://app.example.com/"), Err(OriginProblem::TrailingSlash));
/// assert_eq!(parse_config_origin("https://*.co.uk"), Err(OriginProblem::TooBroad));
/// ```
pub fn parse_config_origin(value: &str) -> Result<OriginSpec<'_>, OriginProblem> {
    use OriginProblem as P;
    if value.is_empty() {
        return Err(P::Empty);
    }
    // The request matcher refuses longer values unread: it could never match.
    if value.len() > MAX_ORIGIN_LEN {
        return Err(P::InvalidHost);
    }
    if value.trim() != value {
        return Err(P::Whitespace);
    }
    match value {
        "*" => return Ok(OriginSpec::Any),
        "null" => return Ok(OriginSpec::Null),
        _ if value.eq_ignore_ascii_case("null") => return Err(P::Uppercase),
        _ => {}
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return Err(
            if OPAQUE_SCHEMES.iter().any(|s| {
                starts_with_ignore_case(value, s) && value.as_bytes().get(s.len()) == Some(&b':')
            }) {
                P::OpaqueScheme
            } else {
                P::NoScheme
            },
        );
    };
    if !is_scheme(&scheme.to_ascii_lowercase()) {
        return Err(P::NoScheme);
    }
    if scheme.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(P::Uppercase);
    }
    if OPAQUE_SCHEMES.contains(&scheme) {
        return Err(P::OpaqueScheme);
    }
    let (authority, tail) = match rest.find(['/', '?', '#']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    match (&tail[..path_end], path_end < tail.len()) {
        ("", false) => {}
        ("/", false) => return Err(P::TrailingSlash),
        ("" | "/", true) => return Err(P::QueryOrFragment),
        _ => return Err(P::Path),
    }
    if authority.contains('@') {
        return Err(P::Userinfo);
    }
    let (host, port) = split_host_port(authority);
    if !host.is_ascii() {
        return Err(P::NonAsciiHost);
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(P::Uppercase);
    }
    check_port(scheme, port)?;
    let parsed = |host| Parsed { scheme, host, port };
    if let Some(suffix) = host.strip_prefix("*.") {
        if suffix.contains('*') {
            return Err(P::MisplacedWildcard);
        }
        if !is_domain(suffix) {
            return Err(P::InvalidHost);
        }
        if is_numeric_host(suffix) || psl::is_public_suffix(suffix) {
            return Err(P::TooBroad);
        }
        return Ok(OriginSpec::Subdomains(parsed(suffix)));
    }
    if host.contains('*') {
        return Err(P::MisplacedWildcard);
    }
    if !(is_domain(host) || is_ipv6_literal(host)) {
        return Err(P::InvalidHost);
    }
    Ok(if port == ":*" {
        OriginSpec::AnyPort(parsed(host))
    } else {
        OriginSpec::Exact(parsed(host))
    })
}

fn starts_with_ignore_case(value: &str, prefix: &str) -> bool {
    value
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Splits `host[:port]`, keeping the colon in the port; IPv6 literals keep
/// their brackets.
fn split_host_port(authority: &str) -> (&str, &str) {
    let host_end = if authority.starts_with('[') {
        authority.find(']').map_or(authority.len(), |i| i + 1)
    } else {
        authority.rfind(':').unwrap_or(authority.len())
    };
    authority.split_at(host_end)
}

fn check_port(scheme: &str, port: &str) -> Result<(), OriginProblem> {
    let Some(digits) = port.strip_prefix(':') else {
        return if port.is_empty() {
            Ok(())
        } else {
            Err(OriginProblem::InvalidHost)
        };
    };
    if digits == "*" {
        return Ok(());
    }
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OriginProblem::InvalidPort);
    }
    match digits.parse::<u16>() {
        Err(_) => Err(OriginProblem::InvalidPort),
        Ok(n) if default_port(scheme) == Some(n) => Err(OriginProblem::DefaultPort),
        Ok(_) => Ok(()),
    }
}

/// The port a browser leaves out of the serialised origin.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// Schemes whose origins are opaque: browsers send `null` for them.
const OPAQUE_SCHEMES: [&str; 5] = ["file", "data", "blob", "about", "javascript"];

/// The longest label of a DNS name, and the longest name.
const MAX_LABEL_LEN: usize = 63;
const MAX_DOMAIN_LEN: usize = 253;

fn is_scheme(scheme: &str) -> bool {
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase()) && bytes.all(is_scheme_byte)
}

/// A byte of a scheme after its first letter: `[a-z0-9+.-]`.
fn is_scheme_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b)
}

/// A byte of a host label as browsers serialise it: `[a-z0-9_-]`.
fn is_label_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
}

/// The inside of an IPv6 literal's brackets, as browsers serialise it.
fn is_ipv6_inner(inner: &[u8]) -> bool {
    inner.contains(&b':')
        && inner
            .iter()
            .all(|&b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b':' || b == b'.')
}

/// Lowercase DNS-style labels: non-empty, `[a-z0-9_-]`, separated by dots.
fn is_domain(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= MAX_DOMAIN_LEN
        && host.split('.').all(|label| {
            !label.is_empty() && label.len() <= MAX_LABEL_LEN && label.bytes().all(is_label_byte)
        })
}

fn is_numeric_host(host: &str) -> bool {
    host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn is_ipv6_literal(host: &str) -> bool {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .is_some_and(|inner| is_ipv6_inner(inner.as_bytes()))
}

/// An `Origin` header value split by the fast request parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestOrigin<'a> {
    /// The whole value.
    pub origin: &'a str,
    /// The scheme.
    pub scheme: &'a str,
    /// The host, brackets included for IPv6.
    pub host: &'a str,
    /// `""` or `":<digits>"`.
    pub port: &'a str,
}

/// Splits a request's `Origin` into scheme, host and port, refusing anything a
/// browser would not send (and anything longer than [`MAX_ORIGIN_LEN`]). The
/// work is one pass over at most [`MAX_ORIGIN_LEN`] bytes.
///
/// # Examples
///
/// ```
/// use cors_core::origin::split_request_origin;
///
/// let o = split_request_origin(b"http://app.localhost:8080").unwrap();
/// assert_eq!((o.scheme, o.host, o.port), ("http", "app.localhost", ":8080"));
/// assert!(split_request_origin(b"https://evil.net/.example.com").is_none());
/// ```
pub fn split_request_origin(value: &[u8]) -> Option<RequestOrigin<'_>> {
    if value.len() > MAX_ORIGIN_LEN {
        return None;
    }
    // One pass over the bytes: scheme, `://`, host, optional port.
    let scheme_end = value.iter().position(|&b| b == b':')?;
    let (first, rest) = value.split_first()?;
    if !first.is_ascii_lowercase() || !rest[..scheme_end - 1].iter().all(|&b| is_scheme_byte(b)) {
        return None;
    }
    let authority = value.get(scheme_end..)?.strip_prefix(b"://")?;
    let host_len = if authority.first() == Some(&b'[') {
        let close = authority.iter().position(|&b| b == b']')?;
        if !is_ipv6_inner(&authority[1..close]) {
            return None;
        }
        close + 1
    } else {
        // Labels of [a-z0-9_-], separated by single dots, with the lengths
        // of DNS names: at most 63 bytes a label, 253 in all.
        let mut previous = b'.';
        let mut len = 0;
        let mut label = 0;
        for &b in authority {
            match b {
                b'.' if previous == b'.' => return None,
                b'.' => label = 0,
                b':' => break,
                _ if is_label_byte(b) => label += 1,
                _ => return None,
            }
            if label > MAX_LABEL_LEN {
                return None;
            }
            previous = b;
            len += 1;
        }
        if len == 0 || len > MAX_DOMAIN_LEN || previous == b'.' {
            return None;
        }
        len
    };
    // Opaque origins are sent as `null`, never with their scheme.
    if OPAQUE_SCHEMES
        .iter()
        .any(|s| s.as_bytes() == &value[..scheme_end])
    {
        return None;
    }
    let port = &authority[host_len..];
    if let Some(digits) = port.strip_prefix(b":") {
        // What a browser serialises: 1 to 65535, no leading zero, and never
        // the scheme's default port.
        let valid = matches!(digits.first(), Some(b'1'..=b'9'))
            && digits.len() <= 5
            && digits.iter().all(u8::is_ascii_digit);
        if !valid {
            return None;
        }
        let number = digits
            .iter()
            .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
        let default = std::str::from_utf8(&value[..scheme_end])
            .ok()
            .and_then(default_port);
        if number > 65_535 || default.is_some_and(|d| u32::from(d) == number) {
            return None;
        }
    } else if !port.is_empty() {
        return None;
    }
    // Every byte checked above is ASCII, so this cannot fail.
    let origin = std::str::from_utf8(value).ok()?;
    let authority_start = scheme_end + 3;
    let port_start = authority_start + host_len;
    Some(RequestOrigin {
        origin,
        scheme: &origin[..scheme_end],
        host: &origin[authority_start..port_start],
        port: &origin[port_start..],
    })
}

/// The allowed origins of a validated policy, in lookup tables.
///
/// Lookup cost depends on the request's `Origin` (one hash for the exact
/// table, then two per label of its host for patterns), never on how many
/// origins are configured.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct OriginSet {
    pub(crate) exact: Table,
    pub(crate) subdomains: Table,
    /// Whether `exact` holds `host:*` entries, and `subdomains` `:*` patterns:
    /// lookups that cannot succeed are skipped.
    pub(crate) any_port: (bool, bool),
    pub(crate) null: bool,
    pub(crate) predicate: Option<OriginPredicate>,
}

/// A runtime check for the rare origin that no list or pattern can express.
/// It is consulted last, only for well-formed origins, and must be cheap and
/// free of side effects.
#[derive(Clone, Copy)]
pub struct OriginPredicate(pub fn(&str) -> bool);

impl PartialEq for OriginPredicate {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl Eq for OriginPredicate {}

impl fmt::Debug for OriginPredicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OriginPredicate(..)")
    }
}

impl fmt::Debug for OriginSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginSet")
            .field("exact", &self.exact.keys().collect::<Vec<_>>())
            .field("subdomains", &self.subdomains.keys().collect::<Vec<_>>())
            .field("null", &self.null)
            .field("predicate", &self.predicate.is_some())
            .finish()
    }
}

impl OriginSet {
    /// Assembles a set from tables emitted as static data by `cors-macros`.
    #[doc(hidden)]
    pub const fn from_static(
        exact: Table,
        subdomains: Table,
        any_port: (bool, bool),
        null: bool,
        predicate: Option<OriginPredicate>,
    ) -> OriginSet {
        OriginSet {
            exact,
            subdomains,
            any_port,
            null,
            predicate,
        }
    }

    /// The table of exact origins and `host:*` entries.
    #[doc(hidden)]
    pub fn exact_table(&self) -> &Table {
        &self.exact
    }

    /// The table of subdomain patterns, keyed by `scheme://suffix[:port]`.
    #[doc(hidden)]
    pub fn subdomain_table(&self) -> &Table {
        &self.subdomains
    }

    /// Whether there are `host:*` entries and `:*` patterns.
    #[doc(hidden)]
    pub fn any_port(&self) -> (bool, bool) {
        self.any_port
    }

    /// Whether `null` is allowed.
    pub fn allows_null(&self) -> bool {
        self.null
    }

    /// The runtime predicate, if any.
    pub fn predicate(&self) -> Option<OriginPredicate> {
        self.predicate
    }

    /// Returns the request's origin as text when this set allows it.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::{Policy, PolicySpec};
    ///
    /// let spec = PolicySpec { origins: Some(&["https://*.example.com"]), ..PolicySpec::EMPTY };
    /// let policy = Policy::build(&spec).unwrap();
    /// let origins = policy.origins().unwrap();
    /// assert!(origins.matches(b"https://a.b.example.com").is_some());
    /// assert!(origins.matches(b"https://example.com").is_none());
    /// assert!(origins.matches(b"https://a.example.com.evil.net").is_none());
    /// ```
    pub fn matches<'a>(&'a self, origin: &'a [u8]) -> Option<&'a str> {
        if origin == b"null" {
            return self.null.then_some("null");
        }
        if origin.len() > MAX_ORIGIN_LEN {
            return None;
        }
        // Byte-equal to a configured origin: that key is the answer, and the
        // request needs no parsing.
        // (`host:*` entries share the table but are no origins.)
        if let Some(key) = self.exact.get(&[origin]).filter(|k| !k.ends_with(":*")) {
            return Some(key);
        }
        // Nothing but exact origins: no need to parse this one.
        if !self.any_port.0 && self.subdomains.is_empty() && self.predicate.is_none() {
            return None;
        }
        let parts = split_request_origin(origin)?;
        if self.matches_pattern(&parts) {
            return Some(parts.origin);
        }
        self.predicate
            .filter(|p| (p.0)(parts.origin))
            .map(|_| parts.origin)
    }

    fn matches_pattern(&self, o: &RequestOrigin<'_>) -> bool {
        let (scheme, port) = (o.scheme.as_bytes(), o.port.as_bytes());
        let (any_port_hosts, any_port_patterns) = self.any_port;
        if any_port_hosts
            && self
                .exact
                .get(&[scheme, b"://", o.host.as_bytes(), b":*"])
                .is_some()
        {
            return true;
        }
        if self.subdomains.is_empty() {
            return false;
        }
        // Every proper suffix that starts after a dot: `a.b.example.com` tries
        // `b.example.com`, `example.com`, `com`. Labels are non-empty, so the
        // part before the suffix is at least one whole label.
        let host = o.host.as_bytes();
        host.iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'.')
            .any(|(dot, _)| {
                let suffix = &host[dot + 1..];
                self.subdomains
                    .get(&[scheme, b"://", suffix, port])
                    .is_some()
                    || (any_port_patterns
                        && self
                            .subdomains
                            .get(&[scheme, b"://", suffix, b":*"])
                            .is_some())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OriginProblem as P;

    #[test]
    fn strict_parser_table() {
        let rows: &[(&str, &str, Result<&str, OriginProblem>)] = &[
            ("plain https", "https://app.example.com", Ok("exact")),
            (
                "http localhost with port",
                "http://localhost:3000",
                Ok("exact"),
            ),
            ("ipv4", "http://127.0.0.1:8080", Ok("exact")),
            ("ipv6", "http://[::1]:8080", Ok("exact")),
            ("custom scheme", "chrome-extension://abcdef", Ok("exact")),
            ("any", "*", Ok("any")),
            ("null", "null", Ok("null")),
            ("subdomains", "https://*.example.com", Ok("subdomains")),
            (
                "subdomains of localhost",
                "http://*.localhost:8080",
                Ok("subdomains"),
            ),
            ("any port", "http://localhost:*", Ok("any-port")),
            (
                "subdomains any port",
                "http://*.localhost:*",
                Ok("subdomains"),
            ),
            ("empty", "", Err(P::Empty)),
            ("whitespace", " https://a.example", Err(P::Whitespace)),
            ("no scheme", "app.example.com", Err(P::NoScheme)),
            ("no scheme with port", "localhost:3000", Err(P::NoScheme)),
            ("file", "file://", Err(P::OpaqueScheme)),
            ("file path", "file:///home/x", Err(P::OpaqueScheme)),
            ("data", "data:text/html,x", Err(P::OpaqueScheme)),
            ("path", "https://a.example/api", Err(P::Path)),
            (
                "trailing slash",
                "https://a.example/",
                Err(P::TrailingSlash),
            ),
            ("query", "https://a.example?x=1", Err(P::QueryOrFragment)),
            ("fragment", "https://a.example#x", Err(P::QueryOrFragment)),
            (
                "slash then query",
                "https://a.example/?x",
                Err(P::QueryOrFragment),
            ),
            ("userinfo", "https://u:p@a.example", Err(P::Userinfo)),
            (
                "default https port",
                "https://x.com:443",
                Err(P::DefaultPort),
            ),
            ("default http port", "http://x.com:80", Err(P::DefaultPort)),
            ("port too big", "http://x.com:70000", Err(P::InvalidPort)),
            (
                "port leading zero",
                "http://x.com:0443",
                Err(P::InvalidPort),
            ),
            ("empty port", "http://x.com:", Err(P::InvalidPort)),
            (
                "uppercase host",
                "https://App.example.com",
                Err(P::Uppercase),
            ),
            (
                "uppercase scheme",
                "HTTPS://app.example.com",
                Err(P::Uppercase),
            ),
            ("uppercase null", "NULL", Err(P::Uppercase)),
            ("non-ascii", "https://bücher.example", Err(P::NonAsciiHost)),
            ("empty label", "https://a..example", Err(P::InvalidHost)),
            ("bad char", "https://a$b.example", Err(P::InvalidHost)),
            ("empty host", "https://", Err(P::InvalidHost)),
            (
                "wildcard mid label",
                "https://a*.example.com",
                Err(P::MisplacedWildcard),
            ),
            (
                "wildcard not leftmost",
                "https://a.*.example.com",
                Err(P::MisplacedWildcard),
            ),
            (
                "double wildcard",
                "https://*.*.example.com",
                Err(P::MisplacedWildcard),
            ),
            ("tld", "https://*.com", Err(P::TooBroad)),
            ("multi-label suffix", "https://*.co.uk", Err(P::TooBroad)),
            ("hosting suffix", "https://*.github.io", Err(P::TooBroad)),
            ("ip pattern", "http://*.0.0.1", Err(P::TooBroad)),
        ];
        for (description, input, expected) in rows {
            let got = parse_config_origin(input).map(|spec| match spec {
                OriginSpec::Any => "any",
                OriginSpec::Null => "null",
                OriginSpec::Exact(_) => "exact",
                OriginSpec::AnyPort(_) => "any-port",
                OriginSpec::Subdomains(_) => "subdomains",
            });
            assert_eq!(&got, expected, "{description}: {input:?}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for (input, loopback) in [
            ("http://localhost:3000", true),
            ("http://app.localhost", true),
            ("http://127.0.0.1:8080", true),
            ("http://127.1.2.3", true),
            ("http://[::1]:8080", true),
            ("http://*.localhost:8080", true),
            ("http://localhost.evil.net", false),
            ("http://127.0.0.1.evil.net", false),
            ("http://example.com", false),
        ] {
            let spec = parse_config_origin(input).unwrap();
            let (OriginSpec::Exact(p) | OriginSpec::AnyPort(p) | OriginSpec::Subdomains(p)) = spec
            else {
                panic!("{input} did not parse as a host");
            };
            assert_eq!(p.is_loopback(), loopback, "{input}");
        }
    }

    #[test]
    fn any_port_entries_are_not_origins() {
        let spec = crate::PolicySpec {
            origins: Some(&["http://localhost:*"]),
            ..crate::PolicySpec::EMPTY
        };
        let policy = crate::Policy::build(&spec).unwrap();
        let set = policy.origins().unwrap();
        assert_eq!(
            set.matches(b"http://localhost:3000"),
            Some("http://localhost:3000")
        );
        assert_eq!(set.matches(b"http://localhost:*"), None);
    }

    #[test]
    fn fast_parser_refuses_what_browsers_never_send() {
        for bad in [
            &b""[..],
            b"null",
            b"https://",
            b"https://a.example/",
            b"https://a.example:",
            b"https://a.example:123456",
            b"https://a.example:65536",
            b"https://a.example:0443",
            b"https://a.example:0",
            b"https://a..example",
            b"https://A.example",
            b"https://a.example ",
            b"https://evil.net/.example.com",
            b"https://u@a.example",
            b"http://localhost:*",
            b"\xff\xfe",
        ] {
            assert!(
                split_request_origin(bad).is_none(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(split_request_origin(&[b'a'; MAX_ORIGIN_LEN + 1]).is_none());
    }

    /// Found by the `origin` fuzz target, where the parsers disagreed. The
    /// fast parser accepted default ports, opaque schemes and over-long DNS
    /// names, which browsers never send and the strict parser refuses; the
    /// strict parser accepted an origin over `MAX_ORIGIN_LEN` (a long
    /// scheme), which the matcher refuses unread, so it could never match.
    #[test]
    fn fast_parser_agrees_with_the_strict_one_on_ports_schemes_and_lengths() {
        let long_label = format!("https://{}.example", "a".repeat(64));
        let long_name = format!("https://{}example", "abcdefghi.".repeat(25));
        assert!(long_name.len() - "https://".len() > 253);
        let long_scheme = format!("{}://a.example", "s".repeat(MAX_ORIGIN_LEN));
        for bad in [
            &long_scheme,
            "https://a.example:443",
            "wss://a.example:443",
            "http://a.example:80",
            "ws://a.example:80",
            "ftp://a.example:21",
            "file://a.example",
            "javascript://a.example",
            &long_label,
            &long_name,
        ] {
            assert!(split_request_origin(bad.as_bytes()).is_none(), "{bad}");
            assert!(
                !matches!(parse_config_origin(bad), Ok(OriginSpec::Exact(_))),
                "{bad}"
            );
        }
        let spec = crate::PolicySpec {
            origins: Some(&[long_scheme.as_str()]),
            ..crate::PolicySpec::EMPTY
        };
        let errors = crate::Policy::build(&spec).unwrap_err().to_string();
        assert!(errors.contains("is longer than the 512 bytes"), "{errors}");
        let longest_label = format!("https://{}.example", "a".repeat(63));
        for good in [
            "https://a.example:80",
            "http://a.example:443",
            "http://a.example:8080",
            "custom://a.example:443",
            &longest_label,
        ] {
            assert!(split_request_origin(good.as_bytes()).is_some(), "{good}");
            assert!(
                matches!(parse_config_origin(good), Ok(OriginSpec::Exact(_))),
                "{good}"
            );
        }
    }
}
