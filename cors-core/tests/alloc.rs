//! `decide` never allocates: every value it returns is precomputed in the
//! policy or borrowed from the request.

use cors_core::{
    decide, validate, BuildOptions, Decision, Policy, PolicySpec, Reason, Request, RequestHeader,
};
use std::hint::black_box;

#[path = "../../tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

/// Runs `decide` and returns its decision with the allocations it made.
fn measure<'a>(policy: &'a Policy, request: &Request<'a>) -> (Decision<'a>, u64) {
    let before = allocations();
    let decision = black_box(decide(black_box(policy), black_box(request)));
    (decision, allocations() - before)
}

fn build(spec: &PolicySpec<'_>) -> Policy {
    validate(spec, BuildOptions { dev_origins: false })
        .policy
        .unwrap_or_else(|errors| panic!("{errors}"))
}

fn small() -> Policy {
    build(&PolicySpec {
        origins: Some(&["https://app.example.com"]),
        methods: Some(&["GET", "PUT"]),
        headers: Some(&["content-type", "x-requested-with"]),
        expose: Some(&["x-total-count"]),
        credentials: Some(true),
        max_age: Some(600),
        private_network: Some(true),
        ..PolicySpec::EMPTY
    })
}

/// 10,000 exact origins `https://o{i}.example.net` and 1,000 patterns
/// `https://*.p{i}.example.org`.
fn large() -> Policy {
    let exact: Vec<String> = (0..10_000)
        .map(|i| format!("https://o{i}.example.net"))
        .collect();
    let patterns: Vec<String> = (0..1_000)
        .map(|i| format!("https://*.p{i}.example.org"))
        .collect();
    let origins: Vec<&str> = exact.iter().chain(&patterns).map(String::as_str).collect();
    build(&PolicySpec {
        origins: Some(&origins),
        methods: Some(&["GET", "PUT"]),
        headers: Some(&["content-type", "x-requested-with"]),
        expose: Some(&["x-total-count"]),
        credentials: Some(true),
        max_age: Some(600),
        ..PolicySpec::EMPTY
    })
}

fn public() -> Policy {
    build(&PolicySpec {
        origins: Some(&["*"]),
        methods: Some(&["*"]),
        headers: Some(&["*"]),
        ..PolicySpec::EMPTY
    })
}

/// Which decision a case expects, so that each case is known to take the
/// path it is named after.
#[derive(Debug)]
enum Expect {
    NotCors,
    Preflight,
    PreflightRefused(&'static str),
    Allowed,
    Rejected(&'static str),
}

fn check(policy: &Policy, cases: &[(&str, Request<'_>, Expect)]) {
    // Warm up once: the first use of a thread-local or of stdout may allocate.
    let _ = measure(policy, &Request::new(b"GET"));
    let mut failures = Vec::new();
    for (description, request, expect) in cases {
        let (decision, allocated) = measure(policy, request);
        let ok = match (expect, decision) {
            (Expect::NotCors, Decision::NotCors { .. }) => true,
            (Expect::Preflight, Decision::Preflight { .. }) => true,
            (Expect::Allowed, Decision::Allowed(_)) => true,
            (Expect::PreflightRefused(code), Decision::PreflightRefused { reason, .. })
            | (Expect::Rejected(code), Decision::Rejected { reason, .. }) => reason.code() == *code,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{description}: expected {expect:?}, got {decision:?}"
            ));
        }
        if allocated != 0 {
            failures.push(format!("{description}: {allocated} allocation(s)"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn adversarial_acrh() -> Vec<u8> {
    let value: Vec<u8> = (0..10_000)
        .flat_map(|i| format!("x-name-{i:04},").into_bytes())
        .collect();
    assert!(value.len() >= 100_000);
    value
}

fn preflight<'a>(origin: &'a [u8], method: &'a [u8]) -> Request<'a> {
    Request::new(b"OPTIONS")
        .origin(origin)
        .request_method(method)
}

#[test]
fn the_counter_counts() {
    let before = allocations();
    let boxed = black_box(Box::new(black_box(7_u64)));
    assert_eq!(allocations() - before, 1);
    drop(boxed);
    // Formatting a reason is for logs, and does allocate.
    let before = allocations();
    let text = black_box(Reason::HeaderNotAllowed { header: b"X-A" }.to_string());
    assert!(allocations() - before > 0, "{text}");
}

#[test]
fn one_origin_policy() {
    let policy = small();
    let acrh = adversarial_acrh();
    let app = b"https://app.example.com";
    let pna = Request {
        request_private_network: RequestHeader::One(b"true"),
        ..preflight(app, b"PUT")
    };
    check(
        &policy,
        &[
            ("no Origin", Request::new(b"GET"), Expect::NotCors),
            (
                "preflight allowed",
                preflight(app, b"PUT").request_headers(b"Content-Type, x-requested-with"),
                Expect::Preflight,
            ),
            ("private network preflight allowed", pna, Expect::Preflight),
            (
                "preflight refused: origin",
                preflight(b"https://evil.example", b"PUT"),
                Expect::PreflightRefused("origin_not_allowed"),
            ),
            (
                "preflight refused: method",
                preflight(app, b"DELETE"),
                Expect::PreflightRefused("method_not_allowed"),
            ),
            (
                "preflight refused: header",
                preflight(app, b"PUT").request_headers(b"x-custom"),
                Expect::PreflightRefused("header_not_allowed"),
            ),
            (
                "preflight refused: invalid header",
                preflight(app, b"PUT").request_headers(b"a b"),
                Expect::PreflightRefused("invalid_request_headers"),
            ),
            (
                "preflight refused: adversarial ACRH",
                preflight(app, b"PUT").request_headers(&acrh),
                Expect::PreflightRefused("too_many_request_headers"),
            ),
            (
                "preflight refused: repeated Origin",
                Request {
                    origin: RequestHeader::Repeated,
                    ..preflight(app, b"PUT")
                },
                Expect::PreflightRefused("repeated_header"),
            ),
            (
                "actual allowed",
                Request::new(b"POST").origin(app),
                Expect::Allowed,
            ),
            (
                "actual rejected",
                Request::new(b"POST").origin(b"https://evil.example"),
                Expect::Rejected("origin_not_allowed"),
            ),
            (
                "actual rejected: junk origin",
                Request::new(b"GET").origin(b"\xff\xfe https://"),
                Expect::Rejected("origin_not_allowed"),
            ),
        ],
    );
}

#[test]
fn large_policy() {
    let policy = large();
    let acrh = adversarial_acrh();
    let exact = b"https://o9999.example.net";
    let pattern = b"https://a.b.c.p999.example.org";
    check(
        &policy,
        &[
            ("no Origin", Request::new(b"GET"), Expect::NotCors),
            (
                "preflight allowed: exact",
                preflight(exact, b"PUT").request_headers(b"content-type"),
                Expect::Preflight,
            ),
            (
                "preflight allowed: pattern",
                preflight(pattern, b"PUT").request_headers(b"x-requested-with"),
                Expect::Preflight,
            ),
            (
                "preflight refused: origin",
                preflight(b"https://o10000.example.net", b"PUT"),
                Expect::PreflightRefused("origin_not_allowed"),
            ),
            (
                "preflight refused: deep unknown origin",
                preflight(b"https://a.b.c.d.e.f.g.h.i.j.k.l.m.n.example.org", b"PUT"),
                Expect::PreflightRefused("origin_not_allowed"),
            ),
            (
                "preflight refused: method",
                preflight(exact, b"DELETE"),
                Expect::PreflightRefused("method_not_allowed"),
            ),
            (
                "preflight refused: header",
                preflight(pattern, b"PUT").request_headers(b"x-custom"),
                Expect::PreflightRefused("header_not_allowed"),
            ),
            (
                "preflight refused: adversarial ACRH",
                preflight(exact, b"PUT").request_headers(&acrh),
                Expect::PreflightRefused("too_many_request_headers"),
            ),
            (
                "actual allowed: exact",
                Request::new(b"GET").origin(exact),
                Expect::Allowed,
            ),
            (
                "actual allowed: pattern",
                Request::new(b"GET").origin(pattern),
                Expect::Allowed,
            ),
            (
                "actual rejected",
                Request::new(b"GET").origin(b"https://p999.example.org"),
                Expect::Rejected("origin_not_allowed"),
            ),
        ],
    );
}

#[test]
fn wildcard_policy() {
    let policy = public();
    let acrh = adversarial_acrh();
    let sixty_four: Vec<u8> = (0..64)
        .flat_map(|i| format!("x-h{i},").into_bytes())
        .collect();
    let origin = b"https://anyone.example";
    check(
        &policy,
        &[
            ("no Origin", Request::new(b"GET"), Expect::NotCors),
            (
                "preflight allowed: 64 names",
                preflight(origin, b"PURGE").request_headers(&sixty_four),
                Expect::Preflight,
            ),
            (
                "preflight refused: adversarial ACRH",
                preflight(origin, b"PUT").request_headers(&acrh),
                Expect::PreflightRefused("too_many_request_headers"),
            ),
            (
                "actual allowed",
                Request::new(b"GET").origin(origin),
                Expect::Allowed,
            ),
        ],
    );
}
