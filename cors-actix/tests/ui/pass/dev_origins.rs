use actix_web::{get, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(
    origins = ["https://app.example.com"],
    dev_origins = ["http://localhost:3000", "http://127.0.0.1:*"],
    credentials,
)]
#[get("/me")]
async fn me() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(me);
}
