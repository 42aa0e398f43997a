use actix_web::{get};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com/", "*"], credentials, headers = ["cookie"], max_age = -5)]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
