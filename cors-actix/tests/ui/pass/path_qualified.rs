use actix_web::{App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = ["https://app.example.com"])]
#[actix_web::get("/items")]
async fn list() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], methods = ["PUT"])]
#[actix_web::route("/items/{id}", method = "GET", method = "PUT")]
async fn item() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(list).service(item);
}
