//! The server behind `scripts/soak.sh`: 50 routes under `/api`, each with its
//! own CORS policy attached with [`cors_actix::attach`] (what 50 annotated
//! handlers would register), behind bearer authentication on the scope, with
//! `Cors` outermost. One worker, on `127.0.0.1:$PORT` (default 18190).
//!
//! Route `i` is `/api/r{i}/{id}` and serves GET, POST, PUT and DELETE. Its
//! policy allows `https://app.example.com`, every `https://*.example.com`,
//! and its own partner `https://r{i}.partner.test`, with credentials; it
//! allows the request headers `content-type`, `authorization` and
//! `x-request-id`, exposes `x-request-id`, and lets preflights be cached for
//! 600 s. The bearer token is `soak-token`.
//!
//! ```text
//! cargo run --release --example soak_server
//! curl -i -X OPTIONS http://127.0.0.1:18190/api/r7/1 \
//!   -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: PUT'
//! ```

use actix_web::dev::ServiceRequest;
use actix_web::{web, App, HttpResponse, HttpServer};
use actix_web_httpauth::extractors::bearer::BearerAuth;
use actix_web_httpauth::middleware::HttpAuthentication;
use cors_actix::{attach, Cors, CorsPolicy};

const ROUTES: usize = 50;
const TOKEN: &str = "soak-token";

async fn validator(
    req: ServiceRequest,
    credentials: BearerAuth,
) -> Result<ServiceRequest, (actix_web::Error, ServiceRequest)> {
    if credentials.token() == TOKEN {
        Ok(req)
    } else {
        Err((actix_web::error::ErrorUnauthorized("bad token"), req))
    }
}

fn policy(route: usize) -> CorsPolicy {
    CorsPolicy::new()
        .origins([
            "https://app.example.com".to_owned(),
            "https://*.example.com".to_owned(),
            format!("https://r{route}.partner.test"),
        ])
        .methods(["GET", "POST", "PUT", "DELETE"])
        .headers(["content-type", "authorization", "x-request-id"])
        .expose(["x-request-id"])
        .credentials(true)
        .max_age(600)
}

async fn read(path: web::Path<(String,)>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-request-id", path.into_inner().0))
        .body("{\"ok\":true}")
}

async fn create() -> HttpResponse {
    HttpResponse::Created().finish()
}

async fn update(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok().body(body)
}

async fn remove() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

fn api(config: &mut web::ServiceConfig) {
    let mut scope = web::scope("/api").wrap(HttpAuthentication::bearer(validator));
    for route in 0..ROUTES {
        let pattern = format!("/r{route}/{{id}}");
        scope = scope.service(attach(
            &pattern,
            ["GET", "POST", "PUT", "DELETE"],
            policy(route),
            web::resource(pattern.as_str())
                .route(web::get().to(read))
                .route(web::post().to(create))
                .route(web::put().to(update))
                .route(web::delete().to(remove)),
        ));
    }
    config.service(scope);
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(18190);
    let server = HttpServer::new(|| App::new().wrap(Cors::new()).configure(api))
        .workers(1)
        .bind(("127.0.0.1", port))?
        .run();
    println!(
        "soak server on 127.0.0.1:{port}, pid {}",
        std::process::id()
    );
    server.await
}
