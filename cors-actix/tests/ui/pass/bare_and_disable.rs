use actix_web::{get, post, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

/// App defaults apply.
#[cors]
#[get("/items")]
async fn list() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// No CORS at all, App defaults included.
#[cors(disable)]
#[post("/webhook")]
async fn webhook() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new()
        .wrap(Cors::builder().origins(["https://app.example.com"]).build().unwrap())
        .service(list)
        .service(webhook);
}
