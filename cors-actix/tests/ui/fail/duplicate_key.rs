use actix_web::{get};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], max_age = 600, max_age = 60)]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
