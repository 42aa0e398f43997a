use actix_web::{get};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], credentials = "yes", max_age = "600")]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
