use actix_web::{get, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

mod checks {
    pub fn is_partner(origin: &str) -> bool {
        origin.ends_with(".partner.example")
    }
}

fn is_preview(origin: &str) -> bool {
    origin.starts_with("https://preview-")
}

// `origin_fn` alone names the origins.
#[cors(origin_fn = is_preview)]
#[get("/preview")]
async fn preview() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], origin_fn = checks::is_partner)]
#[get("/partners")]
async fn partners() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new()
        .wrap(Cors::new())
        .service(preview)
        .service(partners);
}
