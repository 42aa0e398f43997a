//! `#[cors]` and `cors_policy!` in an edition-2024 crate.

#![deny(warnings)]

use actix_web::{App, HttpResponse, Responder, get, routes};
use cors_actix::{Cors, cors, cors_policy};

cors_policy! {
    /// Anyone may read.
    pub PUBLIC { origins = "*", max_age = 600 }
}

fn partner(origin: &str) -> bool {
    origin.ends_with(".partner.example")
}

/// A complete policy, with development origins and a predicate.
#[cors(
    origins = ["https://app.example.com", "https://*.example.com"],
    dev_origins = ["http://localhost:3000"],
    origin_fn = partner,
    headers = ["content-type"],
    max_age = 600,
)]
#[get("/files/{tail}*")]
pub async fn files() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(policy = PUBLIC, max_age = 60)]
#[routes]
#[get("/prices")]
#[post("/prices")]
async fn prices() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors]
#[actix_web::route("/inherits", method = "GET", method = "PUT")]
async fn inherits() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(disable)]
#[get("/internal")]
async fn internal() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let cors = Cors::builder().origins(["https://app.example.com"]).build().unwrap();
    let _app = App::new()
        .wrap(cors)
        .service(files)
        .service(prices)
        .service(inherits)
        .service(internal);
}
