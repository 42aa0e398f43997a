use actix_web::get;
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], max_age = 1.5, origin_fn = allow())]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
