use actix_web::{get};
use cors_actix::cors;

#[cors(origins = ["file:///home/me/index.html"])]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
