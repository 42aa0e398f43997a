use actix_web::get;
use cors_actix::cors;

#[get("/items")]
#[cors(origins = ["https://app.example.com"])]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
