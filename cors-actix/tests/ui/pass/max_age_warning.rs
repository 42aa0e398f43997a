// `max_age` above Chrome's cap of 7200 s is a note: it compiles, with a
// `deprecated` warning on `10000`. trybuild does not compare the output of
// pass cases, so the warning's text and span are checked by
// `ui/fail/max_age_above_chrome_cap.rs`, which denies that lint.
use actix_web::{get, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = ["https://app.example.com"], max_age = 10000)]
#[get("/items")]
async fn list() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(list);
}
