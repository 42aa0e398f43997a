//! Allocations per request, counted by a global allocator: with the `Cors`
//! middleware they equal those of the same app without it on actual
//! requests, and a preflight answered by `Cors` allocates no more than a
//! bare app answering `OPTIONS` with a trivial handler.
//!
//! Header values are built as a server parses them (shared bytes), so that
//! echoing the `Origin` is a reference-count increment, as in production.

use actix_web::dev::Service;
use actix_web::http::header::HeaderValue;
use actix_web::http::Method;
use actix_web::test::{init_service, TestRequest};
use actix_web::{get, options, App, HttpResponse, Responder};

#[path = "../../tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{allocations, deallocations};

#[cors_actix::cors(
    origins = ["https://app.example.com", "https://*.example.org"],
    headers = ["content-type", "authorization"],
    expose = ["x-total-count"],
    credentials,
    max_age = 600,
)]
#[get("/items/{id}")]
async fn annotated() -> impl Responder {
    HttpResponse::Ok().body("item")
}

#[get("/items/{id}")]
async fn plain() -> impl Responder {
    HttpResponse::Ok().body("item")
}

#[options("/items/{id}")]
async fn plain_options() -> impl Responder {
    HttpResponse::NoContent().finish()
}

fn request(method: Method, origin: Option<&'static str>, preflight: bool) -> actix_http::Request {
    let mut req = TestRequest::default().method(method).uri("/items/7");
    if let Some(origin) = origin {
        req = req.insert_header(("origin", HeaderValue::from_static(origin)));
    }
    if preflight {
        req = req
            .insert_header((
                "access-control-request-method",
                HeaderValue::from_static("GET"),
            ))
            .insert_header((
                "access-control-request-headers",
                HeaderValue::from_static("authorization,content-type"),
            ));
    }
    req.to_request()
}

/// Allocations of one call, after warm-up, request construction excluded.
async fn per_call<S, B>(app: &S, make: impl Fn() -> actix_http::Request) -> u64
where
    S: Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    for _ in 0..50 {
        let _ = app.call(make()).await;
    }
    let mut counts = Vec::new();
    for _ in 0..20 {
        let req = make();
        let before = allocations();
        let res = app.call(req).await;
        let after = allocations();
        drop(res);
        counts.push(after - before);
    }
    counts.sort_unstable();
    counts[counts.len() / 2]
}

#[actix_web::test]
async fn the_middleware_adds_no_allocation() {
    let bare = init_service(App::new().service(plain).service(plain_options)).await;
    let ours = init_service(App::new().wrap(cors_actix::Cors::new()).service(annotated)).await;

    let cases: [(&str, Method, Option<&'static str>, bool); 5] = [
        (
            "actual allowed",
            Method::GET,
            Some("https://app.example.com"),
            false,
        ),
        (
            "actual allowed by pattern",
            Method::GET,
            Some("https://a.example.org"),
            false,
        ),
        (
            "actual disallowed",
            Method::GET,
            Some("https://evil.example"),
            false,
        ),
        ("no origin", Method::GET, None, false),
        (
            "preflight",
            Method::OPTIONS,
            Some("https://app.example.com"),
            true,
        ),
    ];
    for (name, method, origin, preflight) in cases {
        let make = || request(method.clone(), origin, preflight);
        let without = per_call(&bare, make).await;
        let with = per_call(&ours, make).await;
        println!("{name}: {without} allocations bare, {with} with Cors");
        if preflight {
            // The bare baseline runs a handler; `Cors` answers by itself.
            assert!(with <= without, "{name}: {with} > {without}");
        } else {
            assert_eq!(with, without, "{name}");
        }
    }
    // The preflight was really answered by `Cors`, not by a handler.
    let res = ours
        .call(request(
            Method::OPTIONS,
            Some("https://app.example.com"),
            true,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.headers().contains_key("access-control-allow-origin"));
}

/// Under a scope whose regex no probe satisfies, the route's prefix is not
/// confirmed at start-up; an actual request from an allowed origin still
/// follows its witness and allocates nothing more.
#[actix_web::test]
async fn an_unconfirmed_prefix_adds_no_allocation_to_actual_requests() {
    use actix_web::web;
    let scope = || web::scope("/{lang:en|fr}");
    let bare = init_service(App::new().service(scope().service(plain))).await;
    let ours = init_service(
        App::new()
            .wrap(cors_actix::Cors::new())
            .service(scope().service(annotated)),
    )
    .await;
    for origin in [
        Some("https://app.example.com"),
        Some("https://evil.example"),
        None,
    ] {
        let make = || {
            let mut req = TestRequest::get().uri("/en/items/7");
            if let Some(origin) = origin {
                req = req.insert_header(("origin", HeaderValue::from_static(origin)));
            }
            req.to_request()
        };
        let without = per_call(&bare, make).await;
        let with = per_call(&ours, make).await;
        assert_eq!(with, without, "{origin:?}");
    }
}

#[cors_actix::cors]
#[get("/items/{id}")]
async fn takes_defaults() -> impl Responder {
    HttpResponse::Ok().body("item")
}

/// A reloadable `Cors` allocates no more than a fixed one, on the first
/// request after a reload too: the worker's copy of the configuration is
/// replaced by a reference count.
#[actix_web::test]
async fn a_reloadable_app_adds_no_allocation_even_right_after_a_reload() {
    use cors_actix::Cors;
    // Many origins: freeing a configuration is that many deallocations.
    let many: Vec<String> = (0..200)
        .map(|i| format!("https://t{i}.example.net"))
        .collect();
    let builder = |origin: &str| {
        Cors::builder()
            .origins(
                [origin, "https://*.example.org"]
                    .into_iter()
                    .chain(many.iter().map(String::as_str)),
            )
            .headers(["content-type", "authorization"])
            .expose(["x-total-count"])
            .credentials(true)
            .max_age(600)
    };
    let fixed = init_service(
        App::new()
            .wrap(builder("https://app.example.com").build().unwrap())
            .service(takes_defaults),
    )
    .await;
    let (cors, handle) = builder("https://app.example.com")
        .build_reloadable()
        .unwrap();
    let reloadable = init_service(App::new().wrap(cors).service(takes_defaults)).await;
    let cases: [(Method, Option<&'static str>, bool); 4] = [
        (Method::GET, Some("https://app.example.com"), false),
        (Method::GET, Some("https://evil.example"), false),
        (Method::GET, None, false),
        (Method::OPTIONS, Some("https://app.example.com"), true),
    ];
    for (method, origin, preflight) in cases {
        let make = || request(method.clone(), origin, preflight);
        let baseline = per_call(&fixed, make).await;
        assert_eq!(
            per_call(&reloadable, make).await,
            baseline,
            "{method} {origin:?}"
        );
        // Each call right after a reload (to the same origins, so that the
        // answer stays comparable): it allocates as many times as before,
        // and frees no configuration (that is for the next reload).
        let mut counts = Vec::new();
        let mut freed = Vec::new();
        for _ in 0..20 {
            handle.reload(builder("https://app.example.com")).unwrap();
            let req = make();
            let (before, frees_before) = (allocations(), deallocations());
            let res = reloadable.call(req).await;
            assert!(res.is_ok());
            drop(res);
            counts.push(allocations() - before);
            freed.push(deallocations() - frees_before);
        }
        assert!(
            counts.iter().all(|&n| n == baseline),
            "{counts:?} vs {baseline}"
        );
        let steady = {
            let req = make();
            let frees_before = deallocations();
            drop(reloadable.call(req).await);
            deallocations() - frees_before
        };
        assert!(
            freed.iter().all(|&n| n == steady),
            "{method} {origin:?}: deallocations right after a reload {freed:?}, {steady} otherwise"
        );
    }
}
