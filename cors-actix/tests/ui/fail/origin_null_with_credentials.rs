use actix_web::{get};
use cors_actix::cors;

#[cors(origins = ["null"], credentials, dangerously_allow_null_origin)]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
