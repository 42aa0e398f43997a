use actix_web::get;
use cors_actix::cors;

#[cors(policy = ["admin"])]
#[get("/a")]
async fn list() -> &'static str {
    "ok"
}

#[cors(policy = "")]
#[get("/b")]
async fn empty() -> &'static str {
    "ok"
}

#[cors(policy = 3)]
#[get("/c")]
async fn number() -> &'static str {
    "ok"
}

fn main() {}
