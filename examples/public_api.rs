//! A public, read-only API: any origin may read it, without credentials.
//!
//! `origins = "*"` sends `Access-Control-Allow-Origin: *`, the same for
//! everyone, so responses do not vary by `Origin` and caches can share them.
//! A wildcard cannot be combined with `credentials` (a compile error): a
//! page calling with `credentials: "include"` is refused by the browser, and
//! cookies are never involved. A named policy keeps the routes consistent;
//! `max_age` lets browsers cache the preflights of requests with custom
//! headers for ten minutes.
//!
//! Only put data behind `*` that anyone on the internet may read: a wildcard
//! on a service that is protected only by being on an internal network lets
//! any website read it through its visitors' browsers.
//!
//! ```text
//! cargo run --example public_api
//!
//! # Any origin: Access-Control-Allow-Origin: *
//! curl -i http://localhost:8080/prices -H 'Origin: https://anyone.example'
//!
//! # A preflight for a custom header: 204, cacheable for 600 s.
//! curl -i -X OPTIONS http://localhost:8080/prices/btc \
//!   -H 'Origin: https://anyone.example' \
//!   -H 'Access-Control-Request-Method: GET' \
//!   -H 'Access-Control-Request-Headers: x-client-version'
//!
//! # Writing is not part of the public API: the preflight is refused (403).
//! curl -i -X OPTIONS http://localhost:8080/prices/btc \
//!   -H 'Origin: https://anyone.example' -H 'Access-Control-Request-Method: PUT'
//! ```

use actix_web::{get, put, web, App, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, cors_policy, Cors};

cors_policy! {
    /// Anyone may read, and send the client-version header.
    PUBLIC { origins = "*", headers = ["x-client-version"], max_age = 600 }
}

#[cors(policy = PUBLIC)]
#[get("/prices")]
async fn prices() -> impl Responder {
    HttpResponse::Ok().json([("btc", 97_000), ("eth", 3_400)])
}

#[cors(policy = PUBLIC)]
#[get("/prices/{symbol}")]
async fn price(symbol: web::Path<String>) -> impl Responder {
    HttpResponse::Ok().json((symbol.into_inner(), 97_000))
}

/// Internal: no `#[cors]`, so no origin may call it from a browser.
#[put("/prices/{symbol}")]
async fn set_price() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("cors_actix=info"))
        .init();
    println!("public API on http://localhost:8080/prices");
    HttpServer::new(|| {
        App::new()
            .wrap(Cors::new())
            .service(prices)
            .service(price)
            .service(set_price)
    })
    .bind(("127.0.0.1", 8080))?
    .run()
    .await
}
