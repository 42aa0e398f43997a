use actix_web::{get};
use cors_actix::cors;

#[cors(origins = ["https://*.com", "https://*.co.uk"])]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
