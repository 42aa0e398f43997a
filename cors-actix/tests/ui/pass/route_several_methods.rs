use actix_web::{route, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = ["https://app.example.com"], methods = ["POST"])]
#[route("/items", method = "GET", method = "POST")]
async fn items() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(items);
}
