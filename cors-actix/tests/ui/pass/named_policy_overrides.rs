use actix_web::{get, post, App, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, Cors};

cors_policy! {
    /// The single-page app.
    pub APP {
        origins = ["https://example.com", "https://*.example.com"],
        headers = ["content-type"],
        credentials,
        max_age = 600,
    }
}

#[cors(policy = APP)]
#[get("/items")]
async fn list() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(policy = APP, max_age = 60, headers = ["content-type", "x-request-id"])]
#[post("/items")]
async fn create() -> impl Responder {
    HttpResponse::Created().finish()
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(list).service(create);
}
