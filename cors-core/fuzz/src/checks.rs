//! The invariants the fuzz targets check, one function per target. Each takes
//! the fuzzer's raw bytes and panics when an invariant breaks.
//!
//! This file depends on `cors-core` and `std` only: the fuzz targets call it,
//! and `cors-core/tests/fuzz_corpus.rs` includes it by path to replay the
//! checked-in corpus (and a bounded number of mutations of it) under
//! `cargo test` on the stable toolchain.
//!
//! - [`origin`]: the strict configuration parser and the fast request
//!   matcher agree, and `OriginSet::matches` agrees with a naive reference
//!   matcher written from the documented rules.
//! - [`request_headers`]: `Access-Control-Request-Headers` parsing is bounded,
//!   never panics, yields only tokens, and agrees with a naive split.
//! - [`decision`]: `decide` over generated policies and requests never
//!   panics, never sends `*` with credentials, never allows an origin the
//!   policy does not list, echoes the request's `Origin` byte for byte, and
//!   accepts exactly what a reference model of the rules accepts.

use cors_core::header::{
    is_token, request_header_names, RequestHeadersProblem, MAX_REQUEST_HEADERS_LEN,
    MAX_REQUEST_HEADER_NAMES,
};
use cors_core::origin::{
    parse_config_origin, split_request_origin, OriginSpec, Parsed, MAX_ORIGIN_LEN,
};
use cors_core::{
    decide, validate, AllowOrigin, BuildOptions, CorsHeaders, Decision, OriginPredicate, Origins,
    Policy, PolicySpec, Request, RequestHeader, Vary,
};

// ---- origins ----------------------------------------------------------------

/// Origin parsing and matching.
///
/// The input is `config\nrequest`: `config` is a space-separated list of
/// configured origins, `request` an `Origin` header value. Without a newline
/// the whole input is both. Every piece is also checked on its own:
///
/// - whatever the fast parser (`split_request_origin`) accepts, the strict
///   parser (`parse_config_origin`) accepts as an exact origin, split the same
///   way: the fast path never lets through anything the strict parser would
///   reject as malformed;
/// - whatever the strict parser accepts as an exact origin, the fast parser
///   splits identically, and a policy listing it matches it (and none of its
///   near misses);
/// - a subdomain or any-port pattern matches a generated member and none of
///   the classic near misses (`evilexample.com`, `example.com.evil.net`, the
///   apex, another scheme or port);
/// - for a policy built from `config`, `OriginSet::matches(request)` answers
///   exactly what a naive reference matcher answers.
pub fn origin(data: &[u8]) {
    let (config, request) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, data),
    };
    one_origin(request);
    for entry in config.split(|&b| b == b' ').take(8) {
        one_origin(entry);
    }
    matcher_agrees(config, request);
}

fn show(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

fn parts(p: &Parsed<'_>) -> (String, String, String) {
    (p.scheme.to_owned(), p.host.to_owned(), p.port.to_owned())
}

/// A policy listing exactly `origins` (without credentials).
fn listing(origins: &[&str]) -> Policy {
    let spec = PolicySpec {
        origins: Some(origins),
        dangerously_allow_null_origin: Some(true),
        ..PolicySpec::EMPTY
    };
    validate(&spec, BuildOptions { dev_origins: false })
        .policy
        .unwrap_or_else(|errors| {
            panic!("the strict parser accepts {origins:?}, but the policy does not build: {errors}")
        })
}

fn one_origin(value: &[u8]) {
    if let Some(fast) = split_request_origin(value) {
        assert!(value.len() <= MAX_ORIGIN_LEN, "{} is too long", show(value));
        assert_eq!(fast.origin.as_bytes(), value);
        assert_eq!(
            format!("{}://{}{}", fast.scheme, fast.host, fast.port).as_bytes(),
            value,
            "the fast parser's parts do not make up {}",
            show(value)
        );
        match parse_config_origin(fast.origin) {
            Ok(OriginSpec::Exact(strict)) => assert_eq!(
                parts(&strict),
                (fast.scheme.into(), fast.host.into(), fast.port.into()),
                "the parsers split {} differently",
                show(value)
            ),
            other => panic!(
                "the fast parser accepts {}, the strict parser says {other:?}",
                show(value)
            ),
        }
    }
    let Ok(text) = std::str::from_utf8(value) else {
        return;
    };
    match parse_config_origin(text) {
        Ok(OriginSpec::Exact(strict)) => {
            let fast = split_request_origin(value).unwrap_or_else(|| {
                panic!(
                    "the strict parser accepts {}, the fast parser refuses it",
                    show(value)
                )
            });
            assert_eq!(
                parts(&strict),
                (fast.scheme.into(), fast.host.into(), fast.port.into())
            );
            let policy = listing(&[text]);
            let set = policy.origins().expect("a list of origins");
            assert_eq!(
                set.matches(value),
                Some(text),
                "a policy listing {text:?} does not match it"
            );
            let port_miss = if strict.port == ":1" { ":2" } else { ":1" };
            let misses = [
                format!("{text}/"),
                format!("{text}.evil.net"),
                format!("{text}{port_miss}"),
                text.to_ascii_uppercase(),
                text[..text.len() - 1].to_owned(),
                format!("{}://a{}{}", strict.scheme, strict.host, strict.port),
                format!("{}://a.{}{}", strict.scheme, strict.host, strict.port),
                format!("{}x://{}{}", strict.scheme, strict.host, strict.port),
            ];
            for miss in misses {
                if miss != text {
                    assert_eq!(
                        set.matches(miss.as_bytes()),
                        None,
                        "a policy listing only {text:?} matches {miss:?}"
                    );
                }
            }
        }
        Ok(OriginSpec::Subdomains(pattern)) => check_subdomains(text, &pattern),
        Ok(OriginSpec::AnyPort(pattern)) => check_any_port(text, &pattern),
        Ok(OriginSpec::Any | OriginSpec::Null) | Err(_) => {}
    }
}

/// Whether the strict parser accepts `origin` as an exact origin, one a
/// browser could send.
fn is_serialised_origin(origin: &str) -> bool {
    matches!(parse_config_origin(origin), Ok(OriginSpec::Exact(_)))
}

fn check_subdomains(text: &str, p: &Parsed<'_>) {
    let policy = listing(&[text]);
    let set = policy.origins().expect("a list of origins");
    let any_port = p.port == ":*";
    let port = if any_port { ":8443" } else { p.port };
    let (scheme, suffix) = (p.scheme, p.host);
    for member in [
        format!("{scheme}://a.{suffix}{port}"),
        format!("{scheme}://a-1.b_2.{suffix}{port}"),
    ] {
        // Only origins a browser could send (labels and names have lengths).
        if is_serialised_origin(&member) {
            assert_eq!(
                set.matches(member.as_bytes()),
                Some(member.as_str()),
                "{text:?} does not match {member:?}"
            );
        }
    }
    let other_port = if p.port == ":1" { ":2" } else { ":1" };
    let mut misses = vec![
        format!("{scheme}://{suffix}{port}"),
        format!("{scheme}://a{suffix}{port}"),
        format!("{scheme}://a-{suffix}{port}"),
        format!("{scheme}://{suffix}.evil.net{port}"),
        format!("{scheme}://a.{suffix}.evil.net{port}"),
        format!("{scheme}://evil.net/.{suffix}{port}"),
        format!("{scheme}://.{suffix}{port}"),
        format!("{scheme}://a..{suffix}{port}"),
        format!("{scheme}://A.{suffix}{port}"),
        format!("{scheme}://a.{suffix}{port}/"),
        format!("{scheme}x://a.{suffix}{port}"),
        format!("{scheme}://*.{suffix}{port}"),
    ];
    if !any_port {
        misses.push(format!("{scheme}://a.{suffix}{other_port}"));
    }
    for miss in misses {
        assert_eq!(
            set.matches(miss.as_bytes()),
            None,
            "{text:?} matches {miss:?}"
        );
    }
}

fn check_any_port(text: &str, p: &Parsed<'_>) {
    let policy = listing(&[text]);
    let set = policy.origins().expect("a list of origins");
    let (scheme, host) = (p.scheme, p.host);
    for member in [
        format!("{scheme}://{host}"),
        format!("{scheme}://{host}:3000"),
    ] {
        if is_serialised_origin(&member) {
            assert_eq!(
                set.matches(member.as_bytes()),
                Some(member.as_str()),
                "{text:?} does not match {member:?}"
            );
        }
    }
    for miss in [
        text.to_owned(),
        format!("{scheme}://{host}:"),
        format!("{scheme}://{host}:03000"),
        format!("{scheme}://{host}:65536"),
        format!("{scheme}://a.{host}:3000"),
        format!("{scheme}://a{host}:3000"),
        format!("{scheme}://{host}.evil.net:3000"),
        format!("{scheme}x://{host}:3000"),
        format!("{scheme}://{host}:3000/"),
    ] {
        assert_eq!(
            set.matches(miss.as_bytes()),
            None,
            "{text:?} matches {miss:?}"
        );
    }
}

/// The documented matching rules, written naively: `null` only when listed;
/// otherwise the request must be a serialised origin (the strict parser
/// accepts it as an exact origin), then equal to a listed origin, or have a
/// listed host with any port, or end in `.suffix` of a pattern with the same
/// scheme and port; or, last, satisfy the predicate.
pub fn reference_allows(
    specs: &[OriginSpec<'_>],
    request: &[u8],
    predicate: Option<fn(&str) -> bool>,
) -> bool {
    if request == b"null" {
        return specs.contains(&OriginSpec::Null);
    }
    let Ok(text) = std::str::from_utf8(request) else {
        return false;
    };
    let Ok(OriginSpec::Exact(r)) = parse_config_origin(text) else {
        return false;
    };
    let listed = specs.iter().any(|spec| match spec {
        OriginSpec::Exact(p) => format!("{}://{}{}", p.scheme, p.host, p.port) == text,
        OriginSpec::AnyPort(p) => p.scheme == r.scheme && p.host == r.host,
        OriginSpec::Subdomains(p) => {
            p.scheme == r.scheme
                && (p.port == ":*" || p.port == r.port)
                && r.host
                    .strip_suffix(p.host)
                    .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
        }
        OriginSpec::Any | OriginSpec::Null => false,
    });
    listed || predicate.is_some_and(|f| f(text))
}

fn matcher_agrees(config: &[u8], request: &[u8]) {
    let Ok(config) = std::str::from_utf8(config) else {
        return;
    };
    let entries: Vec<&str> = config
        .split(' ')
        .filter(|e| !e.is_empty())
        .take(8)
        .collect();
    if entries.is_empty() {
        return;
    }
    let spec = PolicySpec {
        origins: Some(&entries),
        dangerously_allow_null_origin: Some(true),
        ..PolicySpec::EMPTY
    };
    let Ok(policy) = validate(&spec, BuildOptions { dev_origins: false }).policy else {
        return;
    };
    let specs: Vec<OriginSpec<'_>> = entries
        .iter()
        .map(|e| parse_config_origin(e).expect("validated"))
        .collect();
    match policy.origin_rule() {
        Origins::Any => assert!(specs.contains(&OriginSpec::Any)),
        Origins::List(set) => {
            let got = set.matches(request);
            let expected = reference_allows(&specs, request, None);
            assert_eq!(
                got.is_some(),
                expected,
                "policy {entries:?} on Origin {}: the matcher says {got:?}, the reference {expected}",
                show(request)
            );
            if let Some(echo) = got {
                assert_eq!(echo.as_bytes(), request, "the matcher must echo its input");
            }
        }
    }
}

// ---- Access-Control-Request-Headers --------------------------------------------

/// `Access-Control-Request-Headers` parsing: bounded, never panics, names
/// are tokens, and the result agrees with a naive split.
///
/// The whole input is the header value; inputs shorter than 8 bytes are also
/// repeated until they pass [`MAX_REQUEST_HEADERS_LEN`], to reach the bounds.
pub fn request_headers(data: &[u8]) {
    one_request_headers(data);
    if !data.is_empty() && data.len() < 8 {
        one_request_headers(&data.repeat(MAX_REQUEST_HEADERS_LEN / data.len() + 1));
        // Exactly at the length bound, and one over.
        let at_bound: Vec<u8> = data
            .iter()
            .copied()
            .cycle()
            .take(MAX_REQUEST_HEADERS_LEN)
            .collect();
        one_request_headers(&at_bound);
    }
}

fn one_request_headers(value: &[u8]) {
    let range = value.as_ptr_range();
    let mut items = request_header_names(value);
    let mut yielded = Vec::new();
    let mut problem = None;
    // Bounded: never more than the name limit plus the one error.
    for _ in 0..=MAX_REQUEST_HEADER_NAMES + 1 {
        match items.next() {
            None => break,
            Some(Ok(name)) => {
                assert!(problem.is_none(), "a name after an error");
                assert!(is_token(name), "not a token: {}", show(name));
                let inner = name.as_ptr_range();
                assert!(
                    range.start <= inner.start && inner.end <= range.end,
                    "names borrow from the value"
                );
                yielded.push(name);
            }
            Some(Err(p)) => {
                assert!(problem.is_none(), "two errors");
                problem = Some(p);
            }
        }
    }
    assert!(items.next().is_none(), "the iterator must end");
    assert!(items.next().is_none(), "and stay ended");
    assert!(yielded.len() <= MAX_REQUEST_HEADER_NAMES);

    // The reference: split on commas, trim, skip empty items.
    let expected: (Vec<&[u8]>, Option<RequestHeadersProblem>) =
        if value.len() > MAX_REQUEST_HEADERS_LEN {
            (Vec::new(), Some(RequestHeadersProblem::TooLarge))
        } else {
            let mut names = Vec::new();
            let mut problem = None;
            for (i, name) in value
                .split(|&b| b == b',')
                .map(<[u8]>::trim_ascii)
                .filter(|n| !n.is_empty())
                .enumerate()
            {
                if i >= MAX_REQUEST_HEADER_NAMES {
                    problem = Some(RequestHeadersProblem::TooLarge);
                    break;
                }
                if !is_token(name) {
                    problem = Some(RequestHeadersProblem::InvalidName);
                    break;
                }
                names.push(name);
            }
            (names, problem)
        };
    assert_eq!(
        (yielded, problem),
        expected,
        "parsing {} disagrees with the reference",
        show(value)
    );
}

// ---- the decision ---------------------------------------------------------------

/// Reads fuzz input as a sequence of choices; runs out into zeros.
struct Choices<'a> {
    data: &'a [u8],
}

impl<'a> Choices<'a> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    fn pick<T: Copy>(&mut self, pool: &[T]) -> T {
        pool[self.below(pool.len())]
    }

    /// Up to 255 raw bytes, length first.
    fn bytes(&mut self) -> &'a [u8] {
        let n = usize::from(self.byte()).min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }
}

const ORIGIN_POOL: &[&str] = &[
    "https://app.example.com",
    "https://example.com",
    "https://*.example.com",
    "https://api.example.org:8443",
    "https://*.example.org:*",
    "http://localhost:*",
    "http://*.localhost:8080",
    "http://127.0.0.1:8080",
    "http://[::1]:8080",
    "http://plain.example.net",
    "chrome-extension://abcdef",
    "null",
    "*",
    // Never valid:
    "https://app.example.com/",
    "https://*.com",
    "https://app.example.com:443",
    "HTTPS://app.example.com",
];
const METHOD_POOL: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "PURGE", "patch", "*",
];
const HEADER_POOL: &[&str] = &[
    "content-type",
    "authorization",
    "x-requested-with",
    "X-Custom",
    "cookie",
    "*",
];
const EXPOSE_POOL: &[&str] = &["x-total-count", "ETag", "content-type", "set-cookie", "*"];

/// Labels put in place of a pattern's `*`, and suffixes appended to make
/// near misses.
const LABELS: &[&str] = &["a", "a.b", "", "A", "evil", "a..b", "-", "x_y"];
const SUFFIXES: &[&str] = &[
    "",
    "",
    "",
    "/",
    ".evil.net",
    " ",
    ":443",
    ":80",
    ":3000",
    ":0",
    ".",
];
const PORTS: &[&str] = &["", ":3000", ":8080", ":8443", ":443", ":65535", ":65536"];

const REQUEST_METHODS: &[&[u8]] = &[
    b"GET", b"HEAD", b"POST", b"PUT", b"PATCH", b"DELETE", b"PURGE", b"patch", b"GET /", b"",
    b"P\xffT",
];
const REQUEST_HEADERS: &[&[u8]] = &[
    b"",
    b"content-type",
    b"authorization,content-type",
    b"Content-Type, X-Custom",
    b",, x-requested-with ,\t,",
    b"cookie",
    b"bad name",
    b"x-\xff",
];

/// The predicate of generated policies with `origin_fn`.
fn partner(origin: &str) -> bool {
    origin.ends_with(".partner.test")
}

fn header_value<'a>(c: &mut Choices<'a>, one: &'a [u8]) -> RequestHeader<'a> {
    match c.below(6) {
        0 | 1 => RequestHeader::Absent,
        2 => RequestHeader::Repeated,
        _ => RequestHeader::One(one),
    }
}

/// The decision engine over generated policies and requests.
///
/// The first bytes choose a policy (from pools of valid and invalid entries,
/// plus raw fuzz bytes as an origin); policies that do not validate are
/// dropped after their errors are formatted. The next bytes choose a request
/// shaped after the policy (its origins with labels and near-miss suffixes,
/// its methods and headers), or raw bytes. Invariants: see the module docs.
pub fn decision(data: &[u8]) {
    let mut c = Choices { data };

    // The policy.
    let flags = c.byte();
    let credentials = flags & 1 != 0;
    let mut origins: Vec<String> = (0..1 + c.below(4))
        .map(|_| c.pick(ORIGIN_POOL).to_owned())
        .collect();
    if flags & 2 != 0 {
        origins.push(String::from_utf8_lossy(c.bytes()).into_owned());
    }
    let list = |c: &mut Choices<'_>, pool: &[&'static str]| -> Option<Vec<&'static str>> {
        match c.below(4) {
            0 => None,
            n => Some((0..n).map(|_| c.pick(pool)).collect()),
        }
    };
    let methods = list(&mut c, METHOD_POOL);
    let headers = list(&mut c, HEADER_POOL);
    let expose = list(&mut c, EXPOSE_POOL);
    let max_age = c.pick(&[
        None,
        Some(0),
        Some(600),
        Some(86_400),
        Some(-1),
        Some(100_000),
    ]);
    let preflight_status = c.pick(&[None, Some(200), Some(204), Some(299), Some(302)]);
    let origin_refs: Vec<&str> = origins.iter().map(String::as_str).collect();
    let spec = PolicySpec {
        origins: Some(&origin_refs),
        dev_origins: None,
        origin_fn: (flags & 4 != 0).then_some(OriginPredicate(partner)),
        methods: methods.as_deref(),
        headers: headers.as_deref(),
        expose: expose.as_deref(),
        credentials: Some(credentials),
        max_age,
        private_network: Some(flags & 8 != 0),
        preflight_status,
        dangerously_allow_null_origin: Some(flags & 16 != 0),
        dangerously_allow_insecure_origins: Some(flags & 32 != 0),
    };
    let validation = validate(&spec, BuildOptions { dev_origins: false });
    for note in &validation.notes {
        assert!(!note.to_string().is_empty());
    }
    let policy = match validation.policy {
        Ok(policy) => policy,
        Err(errors) => {
            assert!(!errors.is_empty());
            for error in &errors {
                assert!(!error.to_string().is_empty());
            }
            return;
        }
    };
    assert!(!policy.to_string().is_empty());

    // The request.
    let method: &[u8] = match c.below(8) {
        0 => b"GET",
        1 => b"POST",
        2 => b"PUT",
        3 => c.bytes(),
        _ => b"OPTIONS",
    };
    let origin_bytes: Vec<u8> = match c.below(4) {
        0 => c.bytes().to_vec(),
        _ => {
            let base = c.pick(&origin_refs);
            let label = c.pick(LABELS);
            let port = c.pick(PORTS);
            let shaped = base.replacen('*', label, 1).replace(":*", port);
            let shaped = match c.below(3) {
                0 => format!("{shaped}{}", partner_suffix(&mut c)),
                _ => shaped,
            };
            format!("{shaped}{}", c.pick(SUFFIXES)).into_bytes()
        }
    };
    let acrm: &[u8] = match c.below(3) {
        0 => c.bytes(),
        _ => c.pick(REQUEST_METHODS),
    };
    let acrh: Vec<u8> = match c.below(6) {
        0 => c.bytes().to_vec(),
        1 => {
            // Long: past the length bound, or past the name bound.
            let item = c.pick(REQUEST_HEADERS);
            let count = c.pick(&[MAX_REQUEST_HEADER_NAMES, MAX_REQUEST_HEADER_NAMES + 1, 3000]);
            vec![item; count].join(&b","[..])
        }
        _ => c.pick(REQUEST_HEADERS).to_vec(),
    };
    let private_network: &[u8] = match c.below(3) {
        0 => b"true",
        1 => b"false",
        _ => c.bytes(),
    };
    // Sometimes split over lines, as a proxy may send it.
    let acrh_lines: Vec<&[u8]> = acrh.split(|&b| b == b';').collect();
    let request_headers = match c.below(4) {
        0 => RequestHeader::Lines(&acrh_lines),
        _ => header_value(&mut c, &acrh),
    };
    let request = Request {
        method,
        origin: header_value(&mut c, &origin_bytes),
        request_method: header_value(&mut c, acrm),
        request_headers,
        request_private_network: header_value(&mut c, private_network),
    };
    // Often a preflight: OPTIONS with Origin and ACRM present.
    let request = if method == b"OPTIONS" && c.below(2) == 0 {
        Request {
            origin: RequestHeader::One(&origin_bytes),
            request_method: RequestHeader::One(acrm),
            ..request
        }
    } else {
        request
    };

    check_decision(&spec, &policy, &request);
}

fn partner_suffix(c: &mut Choices<'_>) -> &'static str {
    c.pick(&[".partner.test", "partner.test", ".partner.test.evil.net"])
}

/// What the rules say about `request`: `None` for not CORS, otherwise
/// whether it is accepted.
fn expected_acceptance(
    spec: &PolicySpec<'_>,
    policy: &Policy,
    request: &Request<'_>,
) -> Option<bool> {
    let origin = match request.origin {
        RequestHeader::Absent => return None,
        RequestHeader::Repeated | RequestHeader::Lines(_) => return Some(false),
        RequestHeader::One(origin) => origin,
    };
    let origin_ok = match policy.origin_rule() {
        Origins::Any => true,
        Origins::List(_) => {
            let specs: Vec<OriginSpec<'_>> = spec
                .origins
                .unwrap_or(&[])
                .iter()
                .map(|o| parse_config_origin(o).expect("validated"))
                .collect();
            reference_allows(&specs, origin, spec.origin_fn.map(|p| p.0))
        }
    };
    if !origin_ok {
        return Some(false);
    }
    if !request.is_preflight() {
        return Some(true);
    }
    let RequestHeader::One(method) = request.request_method else {
        return Some(false);
    };
    let methods = spec.methods.unwrap_or(&["GET", "HEAD", "POST"]);
    let method_ok = is_token(method)
        && (methods.contains(&"*") || methods.iter().any(|m| m.as_bytes() == method));
    if !method_ok {
        return Some(false);
    }
    let headers = spec.headers.unwrap_or(&[]);
    // Several lines are one list, joined with commas (RFC 9110, 5.3), with
    // at most as many lines as names.
    let joined;
    let request_headers = match request.request_headers {
        RequestHeader::Lines(lines) if lines.len() > MAX_REQUEST_HEADER_NAMES => {
            RequestHeader::Repeated
        }
        RequestHeader::Lines(lines) => {
            joined = lines.join(&b","[..]);
            RequestHeader::One(&joined)
        }
        other => other,
    };
    let headers_ok = match request_headers {
        RequestHeader::Absent => true,
        RequestHeader::Repeated | RequestHeader::Lines(_) => false,
        RequestHeader::One(value) if value.len() > MAX_REQUEST_HEADERS_LEN => false,
        RequestHeader::One(value) => {
            let names: Vec<&[u8]> = value
                .split(|&b| b == b',')
                .map(<[u8]>::trim_ascii)
                .filter(|n| !n.is_empty())
                .collect();
            names.len() <= MAX_REQUEST_HEADER_NAMES
                && names.iter().all(|n| {
                    is_token(n)
                        && (headers.contains(&"*")
                            || headers.iter().any(|h| h.as_bytes().eq_ignore_ascii_case(n)))
                })
        }
    };
    if !headers_ok {
        return Some(false);
    }
    Some(match request.request_private_network {
        RequestHeader::One(b"true") => spec.private_network == Some(true),
        RequestHeader::Repeated | RequestHeader::Lines(_) => false,
        _ => true,
    })
}

fn check_decision(spec: &PolicySpec<'_>, policy: &Policy, request: &Request<'_>) {
    let decision = decide(policy, request);
    let expected = expected_acceptance(spec, policy, request);
    let base = if policy.varies_by_origin() {
        Vary::ORIGIN
    } else {
        Vary::NONE
    };
    let preflight = request.is_preflight();
    // A Private Network Access preflight (the header sent, or the policy
    // answering them) varies on its request header too.
    let private_network = match request.request_private_network {
        RequestHeader::Absent if !policy.private_network() => Vary::NONE,
        _ => Vary::REQUEST_PRIVATE_NETWORK,
    };
    let vary = if preflight {
        base.union(Vary::REQUEST_METHOD)
            .union(Vary::REQUEST_HEADERS)
            .union(private_network)
    } else {
        base
    };
    let context = || format!("policy {policy} on {request:?}: {decision:?}");
    match decision {
        Decision::NotCors { vary: v } => {
            assert_eq!(expected, None, "{}", context());
            assert_eq!(v, vary, "{}", context());
        }
        Decision::Preflight { status, headers } => {
            assert_eq!(expected, Some(true), "{}", context());
            assert!(preflight, "{}", context());
            assert!((200..=299).contains(&status), "{}", context());
            assert_eq!(headers.expose_headers, "", "{}", context());
            assert_eq!(headers.allow_methods, policy.allow_methods_value());
            assert_eq!(headers.allow_headers, policy.allow_headers_value());
            assert_eq!(headers.max_age, policy.max_age_value());
            assert_eq!(
                headers.allow_private_network,
                policy.private_network()
                    && request.request_private_network == RequestHeader::One(b"true"),
                "{}",
                context()
            );
            check_headers(policy, request, &headers, vary);
        }
        Decision::Allowed(headers) => {
            assert_eq!(expected, Some(true), "{}", context());
            assert!(!preflight, "{}", context());
            assert_eq!(
                (
                    headers.allow_methods,
                    headers.allow_headers,
                    headers.max_age
                ),
                ("", "", ""),
                "{}",
                context()
            );
            assert!(!headers.allow_private_network);
            assert_eq!(headers.expose_headers, policy.expose_headers_value());
            check_headers(policy, request, &headers, vary);
        }
        Decision::PreflightRefused { reason, vary: v } | Decision::Rejected { reason, vary: v } => {
            // A repeated `Origin` varies on `Origin` whatever the policy.
            let vary = match request.origin {
                RequestHeader::Repeated | RequestHeader::Lines(_) => vary.union(Vary::ORIGIN),
                _ => vary,
            };
            assert_eq!(expected, Some(false), "{}", context());
            assert_eq!(
                matches!(decision, Decision::PreflightRefused { .. }),
                preflight,
                "{}",
                context()
            );
            assert_eq!(v, vary, "{}", context());
            // Formatting never panics, and every reason has a code.
            assert!(!reason.to_string().is_empty());
            assert!(!reason.code().is_empty());
            assert!(!reason.question().text().is_empty());
        }
    }
}

fn check_headers(policy: &Policy, request: &Request<'_>, headers: &CorsHeaders<'_>, vary: Vary) {
    let lines: Vec<(&str, &str)> = headers.iter().collect();
    let context = || format!("policy {policy} on {request:?}: {lines:?}");
    // Never `*` with credentials, neither in the struct nor on the wire.
    assert!(
        !(headers.allow_origin == AllowOrigin::Any && headers.allow_credentials),
        "{}",
        context()
    );
    assert_eq!(
        headers.allow_credentials,
        policy.credentials(),
        "{}",
        context()
    );
    if policy.credentials() {
        for (name, value) in &lines {
            assert!(
                !value.split(',').any(|token| token.trim() == "*"),
                "`*` in {name} with credentials: {}",
                context()
            );
        }
    }
    // Each header once.
    for (i, (name, _)) in lines.iter().enumerate() {
        assert!(!lines[..i].iter().any(|(n, _)| n == name), "{}", context());
    }
    assert_eq!(
        lines
            .iter()
            .filter(|(name, _)| *name == "access-control-allow-origin")
            .count(),
        1,
        "{}",
        context()
    );
    match headers.allow_origin {
        AllowOrigin::Any => assert_eq!(policy.origin_rule(), &Origins::Any, "{}", context()),
        AllowOrigin::Mirror(echo) => {
            // Byte-equal to the request's one `Origin`...
            assert_eq!(
                request.origin,
                RequestHeader::One(echo.as_bytes()),
                "{}",
                context()
            );
            // ...and an origin the policy allows.
            let set = policy.origins().expect("a mirrored origin needs a list");
            assert_eq!(set.matches(echo.as_bytes()), Some(echo), "{}", context());
        }
    }
    assert_eq!(headers.vary, vary, "{}", context());
}
