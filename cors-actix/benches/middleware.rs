//! In-process cost of CORS middleware through actix-web's service stack: the
//! same app bare (no CORS), with `cors_actix::Cors`, and with `actix_cors`
//! configured alike, in one process. Requests are built outside the timed
//! loop; only `Service::call` and the response future are timed.
//!
//! `cargo bench -p cors-actix --bench middleware`

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::rt::System;
use actix_web::test::{init_service, TestRequest};
use actix_web::{get, options, web, App, HttpResponse, Responder};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ORIGIN: &str = "https://app.example.com";

#[cors_actix::cors(
    origins = ["https://app.example.com"],
    methods = ["GET"],
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

/// The bare app's preflight baseline: a trivial `OPTIONS` handler.
#[options("/items/{id}")]
async fn plain_options() -> impl Responder {
    HttpResponse::NoContent().finish()
}

fn actix_cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allowed_origin(ORIGIN)
        .allowed_methods(["GET"])
        .allowed_headers(["content-type", "authorization"])
        .expose_headers(["x-total-count"])
        .supports_credentials()
        .max_age(600)
}

async fn filler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// `routes - 1` plain routes registered before the measured one.
fn fill(cfg: &mut web::ServiceConfig, routes: usize) {
    for i in 1..routes {
        cfg.route(&format!("/r{i}/things/{{id}}"), web::get().to(filler));
    }
}

type Make = fn() -> actix_http::Request;

fn scenarios() -> Vec<(&'static str, Make)> {
    vec![
        ("preflight allowed", || {
            TestRequest::default()
                .method(Method::OPTIONS)
                .uri("/items/7")
                .insert_header(("Origin", ORIGIN))
                .insert_header(("Access-Control-Request-Method", "GET"))
                .insert_header((
                    "Access-Control-Request-Headers",
                    "authorization,content-type",
                ))
                .to_request()
        }),
        ("preflight rejected", || {
            TestRequest::default()
                .method(Method::OPTIONS)
                .uri("/items/7")
                .insert_header(("Origin", "https://evil.example"))
                .insert_header(("Access-Control-Request-Method", "GET"))
                .to_request()
        }),
        ("actual allowed", || {
            TestRequest::get()
                .uri("/items/7")
                .insert_header(("Origin", ORIGIN))
                .to_request()
        }),
        ("actual disallowed", || {
            TestRequest::get()
                .uri("/items/7")
                .insert_header(("Origin", "https://evil.example"))
                .to_request()
        }),
        ("no origin", || {
            TestRequest::get().uri("/items/7").to_request()
        }),
    ]
}

/// Times `iters` calls, building requests in batches outside the timer.
async fn time<S, B>(app: &S, make: Make, iters: u64) -> Duration
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let batch = left.min(1024);
        let requests: Vec<_> = (0..batch).map(|_| make()).collect();
        let start = Instant::now();
        for req in requests {
            let res = app.call(req).await;
            black_box(res.map(|r| r.status()).ok());
        }
        total += start.elapsed();
        left -= batch;
    }
    total
}

fn bench_app(c: &mut Criterion, routes: usize) {
    let system = System::new();
    let (bare, ours, theirs) = system.block_on(async {
        let bare = init_service(
            App::new()
                .configure(|c| fill(c, routes))
                .service(plain)
                .service(plain_options),
        )
        .await;
        let ours = init_service(
            App::new()
                .wrap(cors_actix::Cors::new())
                .configure(|c| fill(c, routes))
                .service(annotated),
        )
        .await;
        let theirs = init_service(
            App::new()
                .wrap(actix_cors())
                .configure(|c| fill(c, routes))
                .service(plain),
        )
        .await;
        (bare, ours, theirs)
    });
    let mut group = c.benchmark_group(format!("{routes} routes"));
    for (name, make) in scenarios() {
        group.bench_function(format!("{name}/bare"), |b| {
            b.iter_custom(|iters| system.block_on(time(&bare, make, iters)))
        });
        group.bench_function(format!("{name}/cors-actix"), |b| {
            b.iter_custom(|iters| system.block_on(time(&ours, make, iters)))
        });
        group.bench_function(format!("{name}/actix-cors"), |b| {
            b.iter_custom(|iters| system.block_on(time(&theirs, make, iters)))
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_app(c, 1);
    bench_app(c, 500);
}

criterion_group! {
    name = middleware;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(middleware);
