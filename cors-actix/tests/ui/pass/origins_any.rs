use actix_web::{get, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = "*", headers = "*", expose = "*", max_age = 600)]
#[get("/public")]
async fn public() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(public);
}
