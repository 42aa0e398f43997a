//! The origin matcher of a built policy: exact byte comparison, whole-label
//! patterns with the scheme and port fixed, `null` only on opt-in, the
//! predicate last, and a large policy.

use cors_core::{validate, BuildOptions, OriginPredicate, OriginSet, Policy, PolicySpec};
use std::cell::RefCell;

fn build(spec: &PolicySpec<'_>) -> Policy {
    validate(spec, BuildOptions { dev_origins: false })
        .policy
        .unwrap_or_else(|errors| panic!("{errors}"))
}

fn set(policy: &Policy) -> &OriginSet {
    policy.origins().expect("a list of origins, not `*`")
}

/// Checks each row, and that a match is the request's origin byte for byte.
fn check(set: &OriginSet, rows: &[(&str, &[u8], bool)]) {
    let mut wrong = Vec::new();
    for (description, origin, allowed) in rows {
        let got = set.matches(origin);
        if let Some(echo) = got {
            assert_eq!(
                echo.as_bytes(),
                *origin,
                "{description}: the match is not the request's origin"
            );
        }
        if got.is_some() != *allowed {
            wrong.push(format!(
                "{description}: `{}` {}",
                String::from_utf8_lossy(origin),
                if *allowed {
                    "should match"
                } else {
                    "must not match"
                }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn exact_origins_and_patterns() {
    let policy = build(&PolicySpec {
        origins: Some(&[
            "https://example.com",
            "https://*.example.com",
            "https://app.example.org:8443",
            "http://*.localhost:8080",
            "http://localhost:*",
            "http://127.0.0.1:3000",
            "http://[::1]:3000",
        ]),
        ..PolicySpec::EMPTY
    });
    check(
        set(&policy),
        &[
            ("the apex, listed", b"https://example.com", true),
            (
                "one level under the pattern",
                b"https://a.example.com",
                true,
            ),
            (
                "two levels under the pattern",
                b"https://a.b.example.com",
                true,
            ),
            (
                "a label with digits and dashes",
                b"https://a-1.example.com",
                true,
            ),
            ("a prefix of the domain", b"https://evilexample.com", false),
            (
                "the domain as a prefix",
                b"https://example.com.evil.net",
                false,
            ),
            (
                "a subdomain as a prefix",
                b"https://a.example.com.evil.net",
                false,
            ),
            ("the domain in a label", b"https://a-example.com", false),
            (
                "the domain after a path",
                b"https://evil.net/.example.com",
                false,
            ),
            ("http instead of https, apex", b"http://example.com", false),
            (
                "http instead of https, subdomain",
                b"http://a.example.com",
                false,
            ),
            ("wss instead of https", b"wss://a.example.com", false),
            ("a port on the apex", b"https://example.com:8443", false),
            (
                "a port on a subdomain",
                b"https://a.example.com:8443",
                false,
            ),
            (
                "the default port spelled out",
                b"https://example.com:443",
                false,
            ),
            ("the listed port", b"https://app.example.org:8443", true),
            ("a missing port", b"https://app.example.org", false),
            ("a wrong port", b"https://app.example.org:8444", false),
            ("a port prefix", b"https://app.example.org:844", false),
            (
                "a port with an extra digit",
                b"https://app.example.org:84430",
                false,
            ),
            (
                "*.localhost pattern, its port",
                b"http://app.localhost:8080",
                true,
            ),
            (
                "*.localhost pattern, deeper",
                b"http://a.b.localhost:8080",
                true,
            ),
            (
                "*.localhost pattern, another port",
                b"http://app.localhost:8081",
                false,
            ),
            (
                "*.localhost pattern, no port",
                b"http://app.localhost",
                false,
            ),
            (
                "*.localhost pattern, https",
                b"https://app.localhost:8080",
                false,
            ),
            ("localhost:* with a port", b"http://localhost:3000", true),
            (
                "localhost:* with another port",
                b"http://localhost:8080",
                true,
            ),
            ("localhost:* without a port", b"http://localhost", true),
            ("localhost:* over https", b"https://localhost:3000", false),
            (
                "localhost as a label of another domain",
                b"http://localhost.evil.net:3000",
                false,
            ),
            (
                "localhost inside another domain",
                b"http://evil.localhost.net:3000",
                false,
            ),
            ("ipv4, listed port", b"http://127.0.0.1:3000", true),
            ("ipv4, another port", b"http://127.0.0.1:3001", false),
            ("ipv4, no port", b"http://127.0.0.1", false),
            (
                "ipv4 as labels of another domain",
                b"http://127.0.0.1.evil.net:3000",
                false,
            ),
            ("ipv6, listed port", b"http://[::1]:3000", true),
            ("ipv6, no port", b"http://[::1]", false),
            ("uppercase host", b"https://Example.com", false),
            ("uppercase subdomain", b"https://A.example.com", false),
            ("uppercase scheme", b"HTTPS://example.com", false),
            ("all uppercase", b"HTTPS://EXAMPLE.COM", false),
            ("trailing slash on the apex", b"https://example.com/", false),
            (
                "trailing slash on a subdomain",
                b"https://a.example.com/",
                false,
            ),
            (
                "trailing slash after a port",
                b"http://localhost:3000/",
                false,
            ),
            ("a path", b"https://a.example.com/x", false),
            ("a query", b"https://example.com?x", false),
            ("userinfo", b"https://user@example.com", false),
            ("a literal wildcard", b"https://*.example.com", false),
            ("an empty label", b"https://.example.com", false),
            ("two dots", b"https://a..example.com", false),
            ("a trailing dot", b"https://example.com.", false),
            ("surrounding space", b" https://example.com", false),
            ("a trailing newline", b"https://example.com\n", false),
            ("a NUL byte", b"https://example.com\0", false),
            ("no scheme", b"example.com", false),
            ("empty", b"", false),
            ("null", b"null", false),
            ("invalid utf-8", b"https://\xffexample.com", false),
        ],
    );
}

#[test]
fn subdomains_on_any_port() {
    let policy = build(&PolicySpec {
        origins: Some(&["http://*.localhost:*"]),
        ..PolicySpec::EMPTY
    });
    check(
        set(&policy),
        &[
            ("with a port", b"http://app.localhost:5173", true),
            ("without a port", b"http://app.localhost", true),
            ("deeper", b"http://a.b.localhost:1", true),
            ("not the apex", b"http://localhost:5173", false),
            ("not https", b"https://app.localhost:5173", false),
            (
                "not another domain",
                b"http://app.localhost.evil.net:5173",
                false,
            ),
        ],
    );
}

#[test]
fn null_only_with_the_opt_in() {
    let with = build(&PolicySpec {
        origins: Some(&["https://app.example.com", "null"]),
        dangerously_allow_null_origin: Some(true),
        ..PolicySpec::EMPTY
    });
    assert!(set(&with).allows_null());
    assert_eq!(set(&with).matches(b"null"), Some("null"));
    for near in [&b"NULL"[..], b"Null", b"null ", b" null", b"nul", b"null\0"] {
        assert_eq!(
            set(&with).matches(near),
            None,
            "{:?}",
            String::from_utf8_lossy(near)
        );
    }
    check(
        set(&with),
        &[
            (
                "the listed origin still matches",
                b"https://app.example.com",
                true,
            ),
            ("others still do not", b"https://evil.example.com", false),
        ],
    );

    let without = build(&PolicySpec {
        origins: Some(&["https://app.example.com"]),
        dangerously_allow_null_origin: Some(true),
        ..PolicySpec::EMPTY
    });
    assert!(
        !set(&without).allows_null(),
        "the opt-in alone does not allow `null`"
    );
    assert_eq!(set(&without).matches(b"null"), None);
}

thread_local! {
    static ASKED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records every origin it is asked about.
fn partner(origin: &str) -> bool {
    ASKED.with(|asked| asked.borrow_mut().push(origin.to_owned()));
    origin.starts_with("https://") && origin.ends_with(".partner.example")
}

fn asked() -> Vec<String> {
    ASKED.with(|asked| std::mem::take(&mut *asked.borrow_mut()))
}

#[test]
fn origin_fn_is_consulted_last() {
    let policy = build(&PolicySpec {
        origins: Some(&["https://app.example.com", "https://*.example.org"]),
        origin_fn: Some(OriginPredicate(partner)),
        ..PolicySpec::EMPTY
    });
    let origins = set(&policy);
    assert!(origins.predicate().is_some());
    asked();

    // Matched by the lists: the predicate is never called.
    assert_eq!(
        origins.matches(b"https://app.example.com"),
        Some("https://app.example.com")
    );
    assert_eq!(
        origins.matches(b"https://a.example.org"),
        Some("https://a.example.org")
    );
    assert_eq!(asked(), Vec::<String>::new());

    // Well-formed and not listed: the predicate decides.
    assert_eq!(
        origins.matches(b"https://a.partner.example"),
        Some("https://a.partner.example")
    );
    assert_eq!(asked(), ["https://a.partner.example"]);
    assert_eq!(origins.matches(b"https://evil.example"), None);
    assert_eq!(asked(), ["https://evil.example"]);
    assert_eq!(origins.matches(b"http://a.partner.example"), None);
    assert_eq!(asked(), ["http://a.partner.example"]);

    // Not an origin a browser sends: refused before the predicate.
    for malformed in [
        &b"https://A.partner.example"[..],
        b"https://a.partner.example/",
        b"https://a.partner.example/x",
        b"null",
        b"",
        b"\xff",
    ] {
        assert_eq!(origins.matches(malformed), None);
        assert_eq!(
            asked(),
            Vec::<String>::new(),
            "{:?}",
            String::from_utf8_lossy(malformed)
        );
    }
}

#[test]
fn origin_fn_alone() {
    let policy = build(&PolicySpec {
        origin_fn: Some(OriginPredicate(partner)),
        ..PolicySpec::EMPTY
    });
    let origins = set(&policy);
    assert!(origins.exact_table().is_empty() && origins.subdomain_table().is_empty());
    assert_eq!(
        origins.matches(b"https://b.partner.example"),
        Some("https://b.partner.example")
    );
    assert_eq!(origins.matches(b"https://b.example"), None);
    asked();
}

#[test]
fn ten_thousand_origins_and_a_thousand_patterns() {
    let exact: Vec<String> = (0..10_000)
        .map(|i| format!("https://o{i}.example.net"))
        .collect();
    let patterns: Vec<String> = (0..1_000)
        .map(|i| format!("https://*.p{i}.example.org"))
        .collect();
    let origins: Vec<&str> = exact.iter().chain(&patterns).map(String::as_str).collect();
    let policy = build(&PolicySpec {
        origins: Some(&origins),
        credentials: Some(true),
        ..PolicySpec::EMPTY
    });
    let set = set(&policy);
    assert_eq!(set.exact_table().len(), 10_000);
    assert_eq!(set.subdomain_table().len(), 1_000);

    for origin in &exact {
        assert_eq!(set.matches(origin.as_bytes()), Some(origin.as_str()));
    }
    for i in 0..1_000 {
        for allowed in [
            format!("https://x.p{i}.example.org"),
            format!("https://a.b.p{i}.example.org"),
        ] {
            assert_eq!(set.matches(allowed.as_bytes()), Some(allowed.as_str()));
        }
        for refused in [
            format!("https://p{i}.example.org"),
            format!("https://x.p{i}.example.org:8443"),
            format!("http://x.p{i}.example.org"),
            format!("https://xp{i}.example.org"),
            format!("https://x.p{i}.example.org.evil.net"),
            format!("https://o{i}.example.net/"),
            format!("https://o{i}.example.net:443"),
            format!("https://o{i}.example.net.evil.net"),
            format!("http://o{i}.example.net"),
            format!("https://xo{i}.example.net"),
            format!("https://a.o{i}.example.net"),
        ] {
            assert_eq!(set.matches(refused.as_bytes()), None, "{refused}");
        }
    }
    for refused in [
        "https://o10000.example.net",
        "https://x.p1000.example.org",
        "https://example.net",
    ] {
        assert_eq!(set.matches(refused.as_bytes()), None, "{refused}");
    }
}
