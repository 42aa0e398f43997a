use actix_web::{get};
use cors_actix::cors;

#[cors(origins = ["http://app.example.com"], credentials)]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
