//! In-process cost of CORS middleware through actix-web's service stack: the
//! same app bare (no CORS), with `cors_actix::Cors`, and with `actix_cors`
//! configured alike, in one process.
//!
//! On a shared 2-core VM, timings drift between runs by more than a
//! middleware costs, so the three setups are measured in interleaved
//! rounds (bare, ours, theirs, bare, ...) and each figure is the median of
//! the rounds. Requests are built outside the timed region; the timed
//! region is `Service::call`, the response future and dropping the
//! response. Allocations per request are counted in the same run.
//!
//! `cargo bench -p cors-actix --bench middleware` (set `ROUNDS`, `BATCH`).

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::http::Method;
use actix_web::rt::{System, SystemRunner};
use actix_web::test::{init_service, TestRequest};
use actix_web::{get, options, web, App, HttpResponse, Responder};
use std::hint::black_box;

use std::time::Instant;

#[path = "../../tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

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

/// Header values as a server parses them: shared bytes, cheap to clone.
fn value(s: &'static str) -> HeaderValue {
    HeaderValue::from_static(s)
}

const SCENARIOS: &[(&str, Make)] = &[
    ("preflight allowed", || {
        TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/items/7")
            .insert_header(("origin", value(ORIGIN)))
            .insert_header(("access-control-request-method", value("GET")))
            .insert_header((
                "access-control-request-headers",
                value("authorization,content-type"),
            ))
            .to_request()
    }),
    ("preflight refused", || {
        TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/items/7")
            .insert_header(("origin", value("https://evil.example")))
            .insert_header(("access-control-request-method", value("GET")))
            .to_request()
    }),
    ("actual allowed", || {
        TestRequest::get()
            .uri("/items/7")
            .insert_header(("origin", value(ORIGIN)))
            .to_request()
    }),
    ("actual disallowed", || {
        TestRequest::get()
            .uri("/items/7")
            .insert_header(("origin", value("https://evil.example")))
            .to_request()
    }),
    ("no origin", || {
        TestRequest::get().uri("/items/7").to_request()
    }),
];

/// Nanoseconds and allocations per call, over one batch.
async fn batch<S, B>(app: &S, make: Make, size: usize) -> (f64, f64)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let requests: Vec<_> = (0..size).map(|_| make()).collect();
    let before = allocations();
    let start = Instant::now();
    for req in requests {
        let res = app.call(req).await;
        black_box(res.map(|r| r.status()).ok());
    }
    let elapsed = start.elapsed().as_nanos() as f64;
    let allocated = (allocations() - before) as f64;
    (elapsed / size as f64, allocated / size as f64)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench_app(system: &SystemRunner, routes: usize) {
    let rounds = env("ROUNDS", 31);
    let size = env("BATCH", 2000);
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
    let batch_size = if routes > 100 { size / 20 } else { size };
    println!("\n{routes} route(s), median of {rounds} interleaved rounds of {batch_size} requests");
    println!(
        "{:<20} {:>10} {:>12} {:>12} {:>12} {:>12} {:>9} {:>9} {:>9}",
        "scenario",
        "bare ns",
        "cors-actix",
        "actix-cors",
        "ours - bare",
        "theirs - bare",
        "allocs",
        "ours",
        "theirs"
    );
    let only = std::env::var("SCENARIO").ok();
    for (name, make) in SCENARIOS {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let mut times = [Vec::new(), Vec::new(), Vec::new()];
        let mut allocs = [Vec::new(), Vec::new(), Vec::new()];
        system.block_on(async {
            // Warm-up: pools, the index, lazily built state.
            batch(&bare, *make, 100).await;
            batch(&ours, *make, 100).await;
            batch(&theirs, *make, 100).await;
            for _ in 0..rounds {
                let results = [
                    batch(&bare, *make, batch_size).await,
                    batch(&ours, *make, batch_size).await,
                    batch(&theirs, *make, batch_size).await,
                ];
                for (i, (t, a)) in results.into_iter().enumerate() {
                    times[i].push(t);
                    allocs[i].push(a);
                }
            }
        });
        let [b, o, t] = times.map(|mut v| median(&mut v));
        let [ab, ao, at] = allocs.map(|mut v| median(&mut v));
        println!(
            "{name:<20} {b:>10.0} {o:>12.0} {t:>12.0} {:>+12.0} {:>+12.0} {ab:>9.1} {ao:>9.1} {at:>9.1}",
            o - b,
            t - b
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once, small.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let system = System::new();
    bench_app(&system, 1);
    if std::env::var("ROUTES").as_deref() != Ok("1") {
        bench_app(&system, 500);
    }
}
