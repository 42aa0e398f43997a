//! Properties of the decision engine over generated policies and requests.
//!
//! Policies are drawn from pools of valid and invalid entries and kept only
//! when they validate; each request is shaped after its policy (the origins,
//! methods and headers it lists), mixed with near misses and random bytes.
//! 512 cases by default; set `PROPTEST_CASES` for more.

use cors_core::{
    decide, validate, AllowOrigin, BuildOptions, CorsHeaders, Decision, OriginPredicate, Origins,
    Policy, PolicySpec, Request, RequestHeader, Vary,
};
use proptest::prelude::*;
use proptest::sample::select;

/// Entries that validate on their own (some only with the right flags:
/// `http://` with credentials needs `dangerously_allow_insecure_origins`,
/// `null` needs `dangerously_allow_null_origin` and no credentials).
const ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://example.com",
    "https://*.example.com",
    "https://api.example.org:8443",
    "https://*.example.org:8443",
    "http://localhost:3000",
    "http://localhost:*",
    "http://*.localhost:8080",
    "http://127.0.0.1:8080",
    "http://[::1]:8080",
    "http://plain.example.net",
    "chrome-extension://abcdef",
    "null",
];

/// Entries that never validate.
const BAD_ORIGINS: &[&str] = &[
    "https://app.example.com/",
    "HTTPS://app.example.com",
    "https://*.com",
    "https://app.example.com:443",
    "example.com",
    "",
    "*",
];

const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "PURGE"];
const BAD_METHODS: &[&str] = &["patch", "TRACE", "GET /", "*", "PUT"];

const HEADERS: &[&str] = &[
    "content-type",
    "authorization",
    "x-requested-with",
    "X-Custom",
];
const BAD_HEADERS: &[&str] = &["Content-Type", "cookie", "bad name", "*", "sec-fetch-mode"];

const EXPOSE: &[&str] = &["x-total-count", "ETag", "content-type"];
const BAD_EXPOSE: &[&str] = &["set-cookie", "*", "x-total-count"];

/// Methods preflights ask for.
const REQUEST_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "PURGE", "patch", "put", "TRACE", "GET /",
    "*", "",
];

/// Header names preflights ask for.
const REQUEST_HEADERS: &[&str] = &[
    "content-type",
    "Content-Type",
    "authorization",
    "x-requested-with",
    "X-Custom",
    "x-custom",
    "x-other",
    "cookie",
    "*",
];

/// Origins requests come from: the pool, near misses, and junk.
const REQUEST_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://example.com",
    "https://a.example.com",
    "https://a.b.example.com",
    "https://evilexample.com",
    "https://example.com.evil.net",
    "https://a.example.com.evil.net",
    "http://example.com",
    "https://App.example.com",
    "https://app.example.com/",
    "https://app.example.com:443",
    "https://api.example.org:8443",
    "https://api.example.org",
    "https://x.example.org:8443",
    "http://localhost:3000",
    "http://localhost",
    "http://localhost:9999",
    "http://localhost.evil.net:3000",
    "http://a.localhost:8080",
    "http://127.0.0.1:8080",
    "http://[::1]:8080",
    "http://plain.example.net",
    "chrome-extension://abcdef",
    "https://a.partner.example",
    "null",
    "NULL",
    "*",
    "",
];

fn partner(origin: &str) -> bool {
    origin.ends_with(".partner.example")
}

/// The owned parts of a spec, so that a [`PolicySpec`] can borrow them.
#[derive(Clone, Debug)]
struct Parts {
    origins: Option<Vec<&'static str>>,
    dev_origins: Option<Vec<&'static str>>,
    origin_fn: bool,
    methods: Option<Vec<&'static str>>,
    headers: Option<Vec<&'static str>>,
    expose: Option<Vec<&'static str>>,
    credentials: Option<bool>,
    max_age: Option<i64>,
    private_network: Option<bool>,
    preflight_status: Option<u16>,
    null: Option<bool>,
    insecure: Option<bool>,
    dev: bool,
}

impl Parts {
    /// The origins the built policy holds: `origins`, and `dev_origins` in
    /// development builds.
    fn listed(&self) -> Vec<&'static str> {
        let dev = self.dev_origins.iter().flatten().filter(|_| self.dev);
        self.origins.iter().flatten().chain(dev).copied().collect()
    }

    fn spec(&self) -> PolicySpec<'_> {
        PolicySpec {
            origins: self.origins.as_deref(),
            dev_origins: self.dev_origins.as_deref(),
            origin_fn: self.origin_fn.then_some(OriginPredicate(partner)),
            methods: self.methods.as_deref(),
            headers: self.headers.as_deref(),
            expose: self.expose.as_deref(),
            credentials: self.credentials,
            max_age: self.max_age,
            private_network: self.private_network,
            preflight_status: self.preflight_status,
            dangerously_allow_null_origin: self.null,
            dangerously_allow_insecure_origins: self.insecure,
        }
    }
}

/// Unset, `*`, or distinct valid entries in any order, now and then with
/// one entry from `bad` (which may also be a duplicate or a misplaced `*`).
fn list(
    valid: &'static [&'static str],
    bad: &'static [&'static str],
    max: usize,
) -> impl Strategy<Value = Option<Vec<&'static str>>> {
    let items = (
        prop::sample::subsequence(valid, 0..=max).prop_shuffle(),
        prop::option::weighted(0.1, select(bad)),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut items, bad, at)| {
            if let Some(bad) = bad {
                items.insert(at.index(items.len() + 1), bad);
            }
            Some(items)
        });
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(vec!["*"])),
        8 => items,
    ]
}

fn flag() -> impl Strategy<Value = Option<bool>> {
    prop::option::of(any::<bool>())
}

prop_compose! {
    fn parts()(
        origins in list(ORIGINS, BAD_ORIGINS, 4),
        dev_origins in list(ORIGINS, BAD_ORIGINS, 2),
        origin_fn in prop::bool::weighted(0.2),
        methods in list(METHODS, BAD_METHODS, 3),
        headers in list(HEADERS, BAD_HEADERS, 3),
        expose in list(EXPOSE, BAD_EXPOSE, 2),
        credentials in flag(),
        max_age in prop::option::of(select(&[0_i64, 5, 600, 7201, 86_400, -1][..])),
        private_network in flag(),
        preflight_status in prop::option::of(select(&[200_u16, 204, 299, 301][..])),
        (null, insecure, dev) in (flag(), flag(), any::<bool>()),
    ) -> Parts {
        Parts {
            origins, dev_origins, origin_fn, methods, headers, expose, credentials, max_age,
            private_network, preflight_status, null, insecure, dev,
        }
    }
}

/// A policy that validates, with the parts it was built from.
fn policy() -> impl Strategy<Value = (Parts, Policy)> {
    parts().prop_filter_map("the spec must validate", |parts| {
        let options = BuildOptions {
            dev_origins: parts.dev,
        };
        let policy = validate(&parts.spec(), options).policy.ok()?;
        Some((parts, policy))
    })
}

/// A header as the engine sees it, owned.
#[derive(Clone, Debug)]
enum Value {
    Absent,
    One(Vec<u8>),
    Repeated,
}

impl Value {
    fn get(&self) -> RequestHeader<'_> {
        match self {
            Value::Absent => RequestHeader::Absent,
            Value::One(bytes) => RequestHeader::One(bytes),
            Value::Repeated => RequestHeader::Repeated,
        }
    }
}

fn value(one: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => Just(Value::Absent),
        16 => one.prop_map(Value::One),
        1 => Just(Value::Repeated),
    ]
}

/// `likely` (what the policy lists) most often, then `pool` (near misses),
/// strings of `pattern`, and random bytes.
fn bytes(
    likely: Vec<String>,
    pool: &'static [&'static str],
    pattern: &'static str,
) -> impl Strategy<Value = Vec<u8>> {
    let pool: Vec<String> = pool.iter().map(|s| s.to_string()).collect();
    let likely = if likely.is_empty() {
        pool.clone()
    } else {
        likely
    };
    prop_oneof![
        6 => select(likely).prop_map(String::into_bytes),
        3 => select(pool).prop_map(String::into_bytes),
        1 => pattern.prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..48),
    ]
}

/// Names joined by odd separators, mostly names the policy lists; now and
/// then random bytes or far too many names.
fn request_headers(names: Vec<String>) -> impl Strategy<Value = Vec<u8>> {
    let pool: Vec<String> = REQUEST_HEADERS.iter().map(|s| s.to_string()).collect();
    let names = if names.is_empty() {
        pool.clone()
    } else {
        names
    };
    let name = prop_oneof![
        6 => select(names),
        3 => select(pool),
        1 => "[A-Za-z0-9-]{0,12}",
        1 => "[ -~]{0,6}",
    ];
    let separator = select(&[",", ", ", " ,", ",,", "\t,"][..]);
    prop_oneof![
        8 => prop::collection::vec((name, separator), 0..4).prop_map(|items| {
            items.into_iter().flat_map(|(n, s)| [n, s.to_owned()]).collect::<String>().into_bytes()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => (1..300_usize).prop_map(|n| (0..n).flat_map(|i| format!("x-h{i},").into_bytes()).collect()),
    ]
}

#[derive(Clone, Debug)]
struct Req {
    method: Vec<u8>,
    origin: Value,
    request_method: Value,
    request_headers: Value,
    request_private_network: Value,
}

impl Req {
    fn get(&self) -> Request<'_> {
        Request {
            method: &self.method,
            origin: self.origin.get(),
            request_method: self.request_method.get(),
            request_headers: self.request_headers.get(),
            request_private_network: self.request_private_network.get(),
        }
    }
}

/// A request shaped after the policy: origins, methods and headers it
/// lists come up often, beside near misses and junk.
fn request(parts: &Parts) -> impl Strategy<Value = Req> {
    let origins: Vec<String> = parts
        .listed()
        .into_iter()
        .filter(|o| *o != "*")
        .map(|o| o.replace("*.", "a.b.").replace(":*", ":3000"))
        .collect();
    let strings = |list: &Option<Vec<&str>>| -> Vec<String> {
        list.iter()
            .flatten()
            .filter(|s| **s != "*")
            .map(|s| s.to_string())
            .collect()
    };
    let method = prop_oneof![
        10 => select(&["OPTIONS", "GET", "POST", "PUT", "PATCH", "patch", "DELETE", "options"][..])
            .prop_map(|m| m.as_bytes().to_vec()),
        10 => Just(b"OPTIONS".to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..8),
    ];
    let private_network =
        select(&["true", "false", "TRUE", ""][..]).prop_map(|s| s.as_bytes().to_vec());
    (
        method,
        value(bytes(
            origins,
            REQUEST_ORIGINS,
            "(https?|wss?)://[a-z0-9.*-]{0,24}(:[0-9*]{0,6})?/?",
        )),
        value(bytes(
            strings(&parts.methods),
            REQUEST_METHODS,
            "[ -~]{0,8}",
        )),
        prop_oneof![1 => Just(Value::Absent), 2 => value(request_headers(strings(&parts.headers)))],
        prop_oneof![4 => Just(Value::Absent), 1 => value(private_network)],
    )
        .prop_map(
            |(method, origin, request_method, request_headers, request_private_network)| Req {
                method,
                origin,
                request_method,
                request_headers,
                request_private_network,
            },
        )
}

/// A policy that validates, and a request to it.
fn scenario() -> impl Strategy<Value = (Parts, Policy, Req)> {
    policy().prop_flat_map(|(parts, policy)| {
        let request = request(&parts);
        (Just(parts), Just(policy), request)
    })
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512);
    ProptestConfig {
        cases,
        max_global_rejects: cases.saturating_mul(64),
        max_local_rejects: 1 << 20,
        ..ProptestConfig::default()
    }
}

/// The checks every set of CORS headers must pass.
fn check_headers(
    policy: &Policy,
    request: &Request<'_>,
    headers: &CorsHeaders<'_>,
) -> Result<(), TestCaseError> {
    let lines: Vec<_> = headers.iter().collect();
    // Never `*` with credentials, in the struct or on the wire.
    prop_assert!(!(headers.allow_origin == AllowOrigin::Any && headers.allow_credentials));
    prop_assert!(
        !(lines.contains(&("access-control-allow-origin", "*"))
            && lines.contains(&("access-control-allow-credentials", "true")))
    );
    prop_assert_eq!(headers.allow_credentials, policy.credentials());
    // Exactly one ACAO line.
    prop_assert_eq!(
        lines
            .iter()
            .filter(|(name, _)| *name == "access-control-allow-origin")
            .count(),
        1
    );
    match headers.allow_origin {
        AllowOrigin::Any => prop_assert_eq!(policy.origin_rule(), &Origins::Any),
        AllowOrigin::Mirror(echo) => {
            // Byte-equal to the request's one Origin...
            prop_assert_eq!(request.origin, RequestHeader::One(echo.as_bytes()));
            // ...and an origin the policy allows.
            let Some(set) = policy.origins() else {
                return Err(TestCaseError::fail("mirrored an origin under `*`"));
            };
            prop_assert_eq!(set.matches(echo.as_bytes()), Some(echo));
        }
    }
    prop_assert_eq!(
        headers.vary.contains(Vary::ORIGIN),
        policy.varies_by_origin()
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn engine_never_exceeds_the_policy((_parts, policy, req) in scenario()) {
        let request = req.get();
        let decision = decide(&policy, &request);
        let base = if policy.varies_by_origin() { Vary::ORIGIN } else { Vary::NONE };
        // Private Network Access preflights vary on their request header too.
        let private_network = match (request.request_private_network, policy.private_network()) {
            (RequestHeader::Absent, false) => Vary::NONE,
            _ => Vary::REQUEST_PRIVATE_NETWORK,
        };
        let preflight_vary = base
            .union(Vary::REQUEST_METHOD)
            .union(Vary::REQUEST_HEADERS)
            .union(private_network);
        match decision {
            Decision::NotCors { vary } => {
                prop_assert_eq!(request.origin, RequestHeader::Absent);
                prop_assert_eq!(vary, base);
            }
            Decision::Preflight { status, headers } => {
                prop_assert!(request.is_preflight());
                prop_assert!((200..=299).contains(&status));
                prop_assert_eq!(status, policy.preflight_status());
                prop_assert_eq!(headers.vary, preflight_vary);
                prop_assert_eq!(headers.expose_headers, "");
                prop_assert_eq!(headers.allow_methods, policy.allow_methods_value());
                prop_assert!(!headers.allow_private_network || policy.private_network());
                check_headers(&policy, &request, &headers)?;
            }
            Decision::Allowed(headers) => {
                prop_assert!(!request.is_preflight());
                prop_assert_eq!(headers.vary, base);
                prop_assert_eq!((headers.allow_methods, headers.allow_headers, headers.max_age), ("", "", ""));
                prop_assert!(!headers.allow_private_network);
                prop_assert_eq!(headers.expose_headers, policy.expose_headers_value());
                check_headers(&policy, &request, &headers)?;
            }
            Decision::PreflightRefused { reason, vary } => {
                prop_assert!(request.is_preflight());
                // A repeated `Origin` varies on `Origin` whatever the policy.
                let repeated = matches!(request.origin, RequestHeader::Repeated | RequestHeader::Lines(_));
                let expected = if repeated { preflight_vary.union(Vary::ORIGIN) } else { preflight_vary };
                prop_assert_eq!(vary, expected);
                // Formatting a reason never panics either.
                prop_assert!(!reason.to_string().is_empty());
                let _ = reason.question();
            }
            Decision::Rejected { reason, vary } => {
                prop_assert!(!request.is_preflight());
                prop_assert!(request.origin != RequestHeader::Absent);
                let repeated = matches!(request.origin, RequestHeader::Repeated | RequestHeader::Lines(_));
                prop_assert_eq!(vary, if repeated { base.union(Vary::ORIGIN) } else { base });
                prop_assert!(!reason.to_string().is_empty());
            }
        }
    }

    /// Every exact origin the policy lists is allowed on an actual request,
    /// echoed byte for byte.
    #[test]
    fn listed_origins_are_allowed((parts, policy) in policy(), method in select(&["GET", "POST", "PUT"][..])) {
        for origin in parts.listed() {
            let exact = origin == "null"
                || (origin.contains("://") && !origin.contains('*'));
            if !exact {
                continue;
            }
            let request = Request::new(method.as_bytes()).origin(origin.as_bytes());
            match decide(&policy, &request) {
                Decision::Allowed(headers) => {
                    let expected = match policy.origin_rule() {
                        Origins::Any => "*",
                        Origins::List(_) => origin,
                    };
                    prop_assert_eq!(headers.allow_origin.value(), expected);
                }
                other => prop_assert!(false, "{} was not allowed: {:?}", origin, other),
            }
        }
    }

    /// Whatever the bytes, the matcher agrees with itself: what it returns is
    /// the input, and only for a policy that lists something.
    #[test]
    fn matcher_returns_its_input((_parts, policy, req) in scenario()) {
        let RequestHeader::One(origin) = req.get().origin else { return Ok(()) };
        if let Some(set) = policy.origins() {
            if let Some(echo) = set.matches(origin) {
                prop_assert_eq!(echo.as_bytes(), origin);
                // A serialised origin: lowercase, nothing after the host and port.
                prop_assert!(!echo.bytes().any(|b| b.is_ascii_uppercase()));
                if echo != "null" {
                    let (_, authority) = echo.split_once("://").unwrap_or(("", "/"));
                    prop_assert!(!authority.contains(['/', '?', '#', '@', ' ', '*']), "{}", echo);
                }
            }
        }
    }
}

/// A messy origin: a valid one with some of the mistakes people make
/// (case, whitespace, a default or explicit port, a path, a query, a
/// missing scheme), in any combination.
fn messy_origin() -> impl Strategy<Value = String> {
    let odd = select(
        &[
            " *",
            " null",
            "NULL",
            "\tws://app.example.com",
            "HTTP://APP.EXAMPLE.COM",
            "http://app.example.com:80/",
        ][..],
    )
    .prop_map(str::to_owned);
    prop_oneof![odd, common_mistakes()]
}

fn common_mistakes() -> impl Strategy<Value = String> {
    (
        select(&["https", "http", "HTTPS", "Https", ""][..]),
        select(
            &[
                "app.example.com",
                "App.Example.COM",
                "localhost",
                "127.0.0.1",
                "[::1]",
                "api.example.org",
            ][..],
        ),
        select(&["", ":443", ":80", ":8443", ":08443", ":0"][..]),
        select(&["", "/", "/path", "/?q=1", "#top", "/a/b?c#d"][..]),
        select(&["", " ", "\t"][..]),
    )
        .prop_map(|(scheme, host, port, tail, space)| {
            let scheme = match scheme {
                "" => String::new(),
                s => format!("{s}://"),
            };
            format!("{space}{scheme}{host}{port}{tail}{space}")
        })
}

proptest! {
    /// Whatever origin was written, a value the validator suggests
    /// ("write `...`") is one it accepts.
    #[test]
    fn suggested_origins_validate(
        item in messy_origin(),
        others in proptest::collection::vec(select(ORIGINS), 0..3),
        credentials in any::<bool>(),
        null in any::<bool>(),
    ) {
        let list: Vec<&str> = std::iter::once(item.as_str()).chain(others.iter().copied()).collect();
        let spec = PolicySpec {
            origins: Some(&list),
            credentials: Some(credentials),
            dangerously_allow_null_origin: Some(null),
            ..PolicySpec::EMPTY
        };
        let Err(errors) = Policy::build(&spec) else { return Ok(()) };
        for error in errors.iter() {
            let message = error.to_string();
            let Some((_, rest)) = message.split_once("write `") else { continue };
            let Some((suggested, _)) = rest.split_once('`') else { continue };
            // The suggested value in place of the first item: no error is
            // about it any more.
            let fixed: Vec<&str> = std::iter::once(suggested).chain(others.iter().copied()).collect();
            let again = PolicySpec { origins: Some(&fixed), ..spec };
            if let Err(errors) = Policy::build(&again) {
                let about = errors.iter().find(|e| e.index() == Some(0) || e.value().eq_ignore_ascii_case(suggested));
                prop_assert!(about.is_none(), "{:?} suggests `{}`, which fails: {}", list, suggested, about.unwrap());
            }
        }
    }
}

/// `Sec-Fetch-Site` values, or none.
const SITES: &[Option<&[u8]>] = &[
    None,
    Some(b"same-origin"),
    Some(b"same-site"),
    Some(b"cross-site"),
];

proptest! {
    /// Strict mode refuses exactly what `decide` rejects, for requests a
    /// policy covers: it adds no rule of its own on top of the engine.
    #[test]
    fn strict_mode_refuses_what_decide_rejects((_parts, policy, req) in scenario()) {
        let request = req.get();
        let refused = cors_core::strict::strict_refusal(Some(&policy), &request);
        match decide(&policy, &request) {
            Decision::Rejected { reason, vary } => prop_assert_eq!(refused, Some((reason, vary))),
            _ => prop_assert!(refused.is_none(), "{:?}", refused),
        }
    }

    /// An `Origin` equal to the server's own scheme and host is same-origin,
    /// whatever the browser says; any other scheme or host is not, unless
    /// the browser says so.
    #[test]
    fn same_origin_is_scheme_and_host(
        scheme in select(&["http", "https"][..]),
        host in select(&["bank.example", "bank.example:8443", "[::1]:8080", "127.0.0.1"][..]),
        other in select(&["http", "https"][..]),
        site in select(SITES),
    ) {
        use cors_core::strict::is_same_origin;
        let origin = format!("{scheme}://{host}");
        prop_assert!(is_same_origin(origin.as_bytes(), site, scheme, host));
        let says = site == Some(&b"same-origin"[..]);
        prop_assert_eq!(is_same_origin(origin.as_bytes(), site, other, host), says || other == scheme);
        let longer = format!("{origin}.evil.example");
        prop_assert_eq!(is_same_origin(longer.as_bytes(), site, scheme, host), says);
    }
}
