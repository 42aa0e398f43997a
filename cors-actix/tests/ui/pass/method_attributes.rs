use actix_web::{delete, get, head, patch, post, put, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
async fn list() -> impl Responder {
    HttpResponse::Ok().body("[]")
}

#[cors(origins = ["https://app.example.com"], headers = ["content-type"])]
#[post("/items")]
async fn create() -> impl Responder {
    HttpResponse::Created().finish()
}

#[cors(origins = ["https://app.example.com"], headers = ["content-type"])]
#[put("/items/{id}")]
async fn replace() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[cors(origins = ["https://app.example.com"], methods = ["PATCH"])]
#[patch("/items/{id}")]
async fn update() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[delete("/items/{id}")]
async fn remove() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[cors(origins = ["https://app.example.com"], expose = ["x-total-count"])]
#[head("/items")]
async fn count() -> impl Responder {
    HttpResponse::Ok().insert_header(("x-total-count", "0")).finish()
}

fn main() {
    let _app = App::new()
        .wrap(Cors::new())
        .service(list)
        .service(create)
        .service(replace)
        .service(update)
        .service(remove)
        .service(count);
}
