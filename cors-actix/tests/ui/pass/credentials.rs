use actix_web::{get, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/flag")]
async fn flag() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], credentials = true)]
#[get("/yes")]
async fn yes() -> impl Responder {
    HttpResponse::Ok().finish()
}

// `credentials = false` allows a wildcard again.
#[cors(origins = "*", credentials = false)]
#[get("/no")]
async fn no() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new()
        .wrap(Cors::new())
        .service(flag)
        .service(yes)
        .service(no);
}
