//! The cost of `cors_core::decide`, the whole per-request decision.
//!
//! `cargo bench -p cors-core --bench decision`

use cors_core::{decide, Policy, PolicySpec, Request};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

fn small() -> Policy {
    Policy::build(&PolicySpec {
        origins: Some(&["https://app.example.com"]),
        methods: Some(&["GET", "PUT"]),
        headers: Some(&["content-type", "authorization"]),
        expose: Some(&["x-total-count"]),
        credentials: Some(true),
        max_age: Some(600),
        ..PolicySpec::EMPTY
    })
    .unwrap()
}

/// 10,000 exact origins and 1,000 subdomain patterns; the request's origin
/// is one of the last listed.
fn large() -> Policy {
    let mut origins: Vec<String> = (0..10_000)
        .map(|i| format!("https://app{i}.example.com"))
        .collect();
    origins.extend((0..1_000).map(|i| format!("https://*.tenant{i}.example.net")));
    origins.push("https://app.example.com".into());
    let origins: Vec<&str> = origins.iter().map(String::as_str).collect();
    Policy::build(&PolicySpec {
        origins: Some(&origins),
        methods: Some(&["GET", "PUT"]),
        headers: Some(&["content-type", "authorization"]),
        expose: Some(&["x-total-count"]),
        credentials: Some(true),
        max_age: Some(600),
        ..PolicySpec::EMPTY
    })
    .unwrap()
}

fn scenarios(acrh: &[u8]) -> Vec<(&'static str, Request<'_>)> {
    vec![
        (
            "preflight allowed",
            Request::new(b"OPTIONS")
                .origin(b"https://app.example.com")
                .request_method(b"PUT")
                .request_headers(b"authorization,content-type"),
        ),
        (
            "preflight refused",
            Request::new(b"OPTIONS")
                .origin(b"https://evil.example")
                .request_method(b"PUT")
                .request_headers(b"authorization,content-type"),
        ),
        (
            "actual allowed",
            Request::new(b"GET").origin(b"https://app.example.com"),
        ),
        (
            "actual allowed by pattern",
            Request::new(b"GET").origin(b"https://a.tenant999.example.net"),
        ),
        (
            "actual disallowed",
            Request::new(b"GET").origin(b"https://evil.example"),
        ),
        ("no origin", Request::new(b"GET")),
        (
            "adversarial ACRH",
            Request::new(b"OPTIONS")
                .origin(b"https://app.example.com")
                .request_method(b"PUT")
                .request_headers(acrh),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let acrh: Vec<u8> = (0..10_000)
        .flat_map(|i| format!("x-header-{i:04},").into_bytes())
        .collect();
    assert!(acrh.len() >= 100_000);
    let policies = [
        ("1 origin", small()),
        ("10k origins + 1k patterns", large()),
    ];
    let mut group = c.benchmark_group("decide");
    for (policy_name, policy) in &policies {
        for (name, request) in scenarios(&acrh) {
            group.bench_with_input(
                BenchmarkId::new(name, policy_name),
                &request,
                |b, request| {
                    b.iter(|| black_box(decide(black_box(policy), black_box(request))));
                },
            );
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
