// `#[scope]` prefixes the route attributes of its module before `#[cors]`
// reads them, so `#[cors]` sees `/api/items`.
use actix_web::{scope, App};
use cors_actix::Cors;

#[scope("/api")]
mod api {
    use actix_web::{get, post, HttpResponse, Responder};
    use cors_actix::cors;

    #[cors(origins = ["https://app.example.com"])]
    #[get("/items")]
    pub async fn list() -> impl Responder {
        HttpResponse::Ok().finish()
    }

    #[cors]
    #[post("/items")]
    pub async fn create() -> impl Responder {
        HttpResponse::Created().finish()
    }
}

fn main() {
    let _app = App::new()
        .wrap(Cors::builder().origins(["https://app.example.com"]).build().unwrap())
        .service(api::list)
        .service(api::create);
}
