use actix_web::{get, web, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = ["https://app.example.com"])]
#[get("/files/{tail}*")]
async fn file(tail: web::Path<String>) -> impl Responder {
    HttpResponse::Ok().body(tail.into_inner())
}

#[cors(origins = ["https://app.example.com"])]
#[get("/assets/{path:.*}")]
async fn asset(path: web::Path<String>) -> impl Responder {
    HttpResponse::Ok().body(path.into_inner())
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(file).service(asset);
}
