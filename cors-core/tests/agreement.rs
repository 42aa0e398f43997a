//! Engine–oracle agreement: the server side (`decide`) and the browser side
//! (`cors_core::browser`) are written independently; over generated
//! policies and page requests they must agree. When the engine accepts, the
//! browser accepts the response the engine produced; when the engine
//! rejects, the browser blocks the response sent without CORS headers.
//!
//! The browser decides what is sent: its preflight (method and the
//! `Access-Control-Request-Headers` it computes) is what the engine sees.

use cors_core::browser::{self, CredentialsMode};
use cors_core::{decide, CorsHeaders, Decision, Policy, PolicySpec, Request};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://*.example.com",
    "http://localhost:*",
    "http://*.localhost:8080",
    "https://api.example.org:8443",
    "*",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "*"];
const HEADERS: &[&str] = &[
    "content-type",
    "authorization",
    "x-requested-with",
    "x-custom",
    "*",
];
const EXPOSE: &[&str] = &["x-total-count", "etag", "*"];

const PAGE_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://a.b.example.com",
    "https://example.com",
    "https://evilexample.com",
    "https://app.example.com.evil.net",
    "http://localhost:3000",
    "http://app.localhost:8080",
    "http://app.localhost:8081",
    "https://api.example.org:8443",
    "https://api.example.org",
    "null",
];
const PAGE_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "patch", "delete",
];
const PAGE_HEADERS: &[(&str, &str)] = &[
    ("Content-Type", "application/json"),
    ("Content-Type", "text/plain"),
    ("Authorization", "Bearer token"),
    ("X-Requested-With", "fetch"),
    ("X-Custom", "1"),
    ("X-Other", "2"),
    ("Accept", "*/*"),
];

#[derive(Debug, Clone)]
struct Spec {
    origins: Vec<&'static str>,
    methods: Option<Vec<&'static str>>,
    headers: Option<Vec<&'static str>>,
    expose: Option<Vec<&'static str>>,
    credentials: bool,
    max_age: Option<i64>,
}

fn list(pool: &'static [&'static str]) -> impl Strategy<Value = Option<Vec<&'static str>>> {
    prop::option::of(subsequence(pool, 1..=pool.len()))
}

fn policy() -> impl Strategy<Value = (Spec, Policy)> {
    (
        subsequence(ORIGINS, 1..=3),
        list(METHODS),
        list(HEADERS),
        list(EXPOSE),
        any::<bool>(),
        prop::option::of(0i64..=7200),
    )
        .prop_map(
            |(origins, methods, headers, expose, credentials, max_age)| Spec {
                origins,
                methods,
                headers,
                expose,
                credentials,
                max_age,
            },
        )
        .prop_filter_map("valid policies only", |spec| {
            let built = Policy::build(&PolicySpec {
                origins: Some(&spec.origins),
                methods: spec.methods.as_deref(),
                headers: spec.headers.as_deref(),
                expose: spec.expose.as_deref(),
                credentials: Some(spec.credentials),
                max_age: spec.max_age,
                ..PolicySpec::EMPTY
            });
            built.ok().map(|policy| (spec, policy))
        })
}

fn page() -> impl Strategy<
    Value = (
        &'static str,
        &'static str,
        Vec<(&'static str, &'static str)>,
    ),
> {
    (
        select(PAGE_ORIGINS),
        select(PAGE_METHODS),
        subsequence(PAGE_HEADERS, 0..=3),
    )
        .prop_filter("one content-type at most", |(_, _, headers)| {
            headers.iter().filter(|(n, _)| *n == "Content-Type").count() <= 1
        })
}

/// The response a server sends for a decision: the CORS headers on success,
/// none on rejection.
fn lines(status: u16, headers: Option<&CorsHeaders<'_>>) -> (u16, Vec<(&'static str, String)>) {
    let mut lines: Vec<(&'static str, String)> = headers
        .map(|h| h.iter().map(|(n, v)| (n, v.to_owned())).collect())
        .unwrap_or_default();
    if let Some(h) = headers {
        if !h.vary.is_empty() {
            lines.push(("vary", h.vary.value().to_owned()));
        }
    }
    (status, lines)
}

fn response<'a>(lines: &'a (u16, Vec<(&'static str, String)>)) -> browser::Response<'a> {
    browser::Response {
        status: lines.0,
        headers: lines.1.iter().map(|(n, v)| (*n, v.as_str())).collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1024)
    ))]

    #[test]
    fn engine_and_browser_agree(((spec, policy), (origin, method, headers)) in (policy(), page())) {
        // A page only asks for credentials where the API offers them.
        let mode = if spec.credentials { CredentialsMode::Include } else { CredentialsMode::Omit };
        let mut page = browser::Request::new(origin, method).credentials(mode);
        for (name, value) in &headers {
            page = page.header(name, value);
        }
        let sent_method = page.normalized_method();

        if let Some(preflight) = browser::preflight_for(&page) {
            let mut request = Request::new(b"OPTIONS")
                .origin(origin.as_bytes())
                .request_method(preflight.request_method.as_bytes());
            if let Some(acrh) = &preflight.request_headers {
                request = request.request_headers(acrh.as_bytes());
            }
            match decide(&policy, &request) {
                Decision::Preflight { status, headers } => {
                    let answer = lines(status, Some(&headers));
                    let verdict = browser::check_preflight(&page, &response(&answer));
                    prop_assert!(verdict.is_ok(), "engine accepted, browser blocked: {verdict:?}\n{answer:?}\n{spec:?}");
                }
                Decision::PreflightRefused { reason, .. } => {
                    let answer = lines(403, None);
                    let verdict = browser::check_preflight(&page, &response(&answer));
                    prop_assert!(verdict.is_err(), "engine rejected ({reason}), browser accepted");
                    return Ok(());
                }
                other => prop_assert!(false, "a preflight decided as {other:?}"),
            }
        }

        let request = Request::new(sent_method.as_bytes()).origin(origin.as_bytes());
        match decide(&policy, &request) {
            Decision::Allowed(headers) => {
                let answer = lines(200, Some(&headers));
                let verdict = browser::check_response(&page, &response(&answer));
                prop_assert!(verdict.is_ok(), "engine allowed, browser blocked: {verdict:?}\n{answer:?}\n{spec:?}");
            }
            Decision::Rejected { reason, .. } => {
                let answer = lines(200, None);
                let verdict = browser::check_response(&page, &response(&answer));
                prop_assert!(verdict.is_err(), "engine rejected ({reason}), browser read it");
            }
            other => prop_assert!(false, "an actual request decided as {other:?}"),
        }
    }
}

#[test]
fn the_generators_reach_both_outcomes() {
    // Guards the property above against vacuity: fixed cases on each side.
    let policy = Policy::build(&PolicySpec {
        origins: Some(&["https://app.example.com"]),
        methods: Some(&["PUT"]),
        headers: Some(&["content-type"]),
        ..PolicySpec::EMPTY
    })
    .unwrap();
    let page = browser::Request::new("https://app.example.com", "PUT")
        .header("Content-Type", "application/json");
    let preflight = browser::preflight_for(&page).unwrap();
    assert_eq!(preflight.request_headers.as_deref(), Some("content-type"));
    let request = Request::new(b"OPTIONS")
        .origin(b"https://app.example.com")
        .request_method(b"PUT")
        .request_headers(b"content-type");
    let Decision::Preflight { status, headers } = decide(&policy, &request) else {
        panic!("accepted")
    };
    assert!(browser::check_preflight(&page, &response(&lines(status, Some(&headers)))).is_ok());

    let evil = browser::Request::new("https://evil.example", "GET");
    let Decision::Rejected { .. } = decide(
        &policy,
        &Request::new(b"GET").origin(b"https://evil.example"),
    ) else {
        panic!("rejected")
    };
    assert!(browser::check_response(&evil, &response(&lines(200, None))).is_err());
}
