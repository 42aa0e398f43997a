use actix_web::{get};
use cors_actix::cors;

#[cors(disable = false)]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
