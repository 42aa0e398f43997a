//! The server behind `scripts/load.sh`: the same one-route app three times,
//! bare, with `cors_actix::Cors` and with `actix_cors::Cors` configured
//! alike, on three loopback ports (`BASE_PORT`, +1, +2; default 18080),
//! one worker each.

use actix_web::{get, options, App, HttpResponse, HttpServer, Responder};

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

/// The bare app answers `OPTIONS` with a trivial handler.
#[options("/items/{id}")]
async fn plain_options() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let base: u16 = std::env::var("BASE_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(18080);
    let bare = HttpServer::new(|| App::new().service(plain).service(plain_options))
        .workers(1)
        .bind(("127.0.0.1", base))?
        .run();
    let ours = HttpServer::new(|| App::new().wrap(cors_actix::Cors::new()).service(annotated))
        .workers(1)
        .bind(("127.0.0.1", base + 1))?
        .run();
    let theirs = HttpServer::new(|| {
        App::new()
            .wrap(
                actix_cors::Cors::default()
                    .allowed_origin("https://app.example.com")
                    .allowed_methods(["GET"])
                    .allowed_headers(["content-type", "authorization"])
                    .expose_headers(["x-total-count"])
                    .supports_credentials()
                    .max_age(600),
            )
            .service(plain)
    })
    .workers(1)
    .bind(("127.0.0.1", base + 2))?
    .run();
    println!(
        "bare 127.0.0.1:{base}, cors-actix :{}, actix-cors :{}",
        base + 1,
        base + 2
    );
    futures_util::future::try_join3(bare, ours, theirs).await?;
    Ok(())
}
