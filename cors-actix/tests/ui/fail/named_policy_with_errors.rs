// Only the policy's own errors are reported: the handler that names it
// still expands and type-checks, and so does its registration.
use actix_web::{get, App};
use cors_actix::{cors, cors_policy, Cors};

cors_policy! {
    pub PUBLIC_API { origins = "*", credentials }
}

#[cors(policy = PUBLIC_API, max_age = 600)]
#[get("/prices")]
async fn prices() -> &'static str {
    "[]"
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(prices);
}
