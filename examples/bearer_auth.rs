//! Bearer authentication on a `web::scope`, behind `Cors`.
//!
//! A browser sends the preflight of a request with `Authorization` without
//! that header, so an authentication middleware would refuse it and the
//! real request would never be sent. `Cors` wraps the whole App and answers
//! preflights before routing: they never reach the scope's authentication.
//! Responses of allowed requests get the CORS headers whatever their status,
//! so the 401 for a bad token is a 401 that the page's JavaScript can read
//! (with its `WWW-Authenticate`, exposed here), not an opaque network error.
//!
//! ```text
//! cargo run --example bearer_auth      # API_PORT=8081 for another port
//!
//! # The preflight passes without a token: 204, and the validator does not run.
//! curl -i -X OPTIONS http://localhost:8080/api/me \
//!   -H 'Origin: http://127.0.0.1:8000' \
//!   -H 'Access-Control-Request-Method: GET' \
//!   -H 'Access-Control-Request-Headers: authorization'
//!
//! # A bad token: 401 with Access-Control-Allow-Origin, readable by the page.
//! curl -i http://localhost:8080/api/me \
//!   -H 'Origin: http://127.0.0.1:8000' -H 'Authorization: Bearer wrong'
//!
//! # The good token: 200.
//! curl -i http://localhost:8080/api/me \
//!   -H 'Origin: http://127.0.0.1:8000' -H 'Authorization: Bearer let-me-in'
//! ```
//!
//! In the page at `http://127.0.0.1:8000`:
//!
//! ```text
//! const r = await fetch("http://localhost:8080/api/me", {
//!   headers: { Authorization: "Bearer wrong" },
//! });
//! r.status;                           // 401
//! r.headers.get("WWW-Authenticate");  // Bearer realm="api" error="invalid_token"
//! ```

use actix_web::dev::ServiceRequest;
use actix_web::{get, web, App, HttpResponse, HttpServer, Responder};
use actix_web_httpauth::extractors::bearer::{self, BearerAuth};
use actix_web_httpauth::extractors::AuthenticationError;
use actix_web_httpauth::middleware::HttpAuthentication;
use cors_actix::{cors, Cors};

const TOKEN: &str = "let-me-in";

/// `authorization` is never CORS-safelisted: it must be listed. Exposing
/// `WWW-Authenticate` lets the page read why it was refused.
#[cors(
    origins = ["http://127.0.0.1:8000"],
    headers = ["authorization"],
    expose = ["WWW-Authenticate"],
)]
#[get("/me")]
async fn me(auth: BearerAuth) -> impl Responder {
    HttpResponse::Ok().body(format!("hello, holder of {}", auth.token()))
}

/// Runs for actual requests only, never for preflights.
async fn validate(
    req: ServiceRequest,
    credentials: BearerAuth,
) -> Result<ServiceRequest, (actix_web::Error, ServiceRequest)> {
    if credentials.token() == TOKEN {
        Ok(req)
    } else {
        log::info!("refused token {:?}", credentials.token());
        let config = bearer::Config::default().realm("api");
        let error = AuthenticationError::from(config).with_error(bearer::Error::InvalidToken);
        Err((error.into(), req))
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let port: u16 = std::env::var("API_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    println!("API on http://localhost:{port}/api/me, for pages on http://127.0.0.1:8000");
    HttpServer::new(|| {
        App::new()
            // Outermost: CORS first, then the scope's authentication.
            .wrap(Cors::new())
            .service(
                web::scope("/api")
                    .wrap(HttpAuthentication::bearer(validate))
                    .service(me),
            )
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
