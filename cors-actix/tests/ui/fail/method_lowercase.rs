use actix_web::{patch};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], methods = ["patch"])]
#[patch("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
