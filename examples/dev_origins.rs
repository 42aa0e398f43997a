//! Development origins: a local frontend dev server allowed in debug builds
//! only.
//!
//! `dev_origins` are added to `origins` when the crate is built with
//! `debug_assertions` (`cargo run`, `cargo test`) and ignored in release
//! builds, so `http://localhost:3000` can call the API during development
//! without ever being trusted in production. They exist both as an App
//! default ([`cors_actix::CorsBuilder::dev_origins`]) and per route
//! (`#[cors(dev_origins = [...])]`).
//!
//! ```text
//! cargo run --example dev_origins
//! # Allowed: Access-Control-Allow-Origin: http://localhost:3000
//! curl -i http://localhost:8080/todos -H 'Origin: http://localhost:3000'
//! # A Vite dev server on any port of 127.0.0.1, for the admin route:
//! curl -i http://localhost:8080/admin/stats -H 'Origin: http://127.0.0.1:5173'
//!
//! cargo run --release --example dev_origins
//! # Refused: no Access-Control-Allow-Origin (the server log says why).
//! curl -i http://localhost:8080/todos -H 'Origin: http://localhost:3000'
//! ```

use actix_web::{get, App, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, Cors};

/// Takes the App defaults: production origin, plus the dev server in debug
/// builds.
#[cors]
#[get("/todos")]
async fn todos() -> impl Responder {
    HttpResponse::Ok().json(["write the docs"])
}

/// Its own origins, and its own development origins.
#[cors(
    origins = ["https://admin.example.com"],
    dev_origins = ["http://127.0.0.1:*"],
)]
#[get("/admin/stats")]
async fn stats() -> impl Responder {
    HttpResponse::Ok().json([("todos", 1)])
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("cors_actix=info"))
        .init();
    let cors = Cors::builder()
        .origins(["https://app.example.com"])
        .dev_origins(["http://localhost:3000"])
        .build()
        .map_err(std::io::Error::other)?;
    if cfg!(debug_assertions) {
        println!("debug build: development origins are allowed");
    } else {
        println!("release build: development origins are ignored");
    }
    println!("API on http://localhost:8080 (routes /todos and /admin/stats)");
    HttpServer::new(move || App::new().wrap(cors.clone()).service(todos).service(stats))
        .bind(("127.0.0.1", 8080))?
        .run()
        .await
}
