// A key's error is reported even when the route attribute is malformed
// (actix-web reports that one).
use actix_web::get;
use cors_actix::cors;

#[cors(origin = ["https://app.example.com"])]
#[get(42)]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
