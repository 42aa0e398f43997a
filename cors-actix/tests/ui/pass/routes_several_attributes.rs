use actix_web::{routes, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = ["https://app.example.com"], headers = ["content-type"])]
#[routes]
#[get("/items")]
#[post("/items")]
#[put("/items/{id}")]
async fn items() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(items);
}
