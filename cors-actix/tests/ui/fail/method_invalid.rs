use actix_web::{get};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], methods = ["GET", "GE T"])]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
