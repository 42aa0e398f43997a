// `name =`, `guard =` and `wrap =` of the route attribute are kept beside
// the route middleware `#[cors]` adds.
use actix_web::guard::GuardContext;
use actix_web::middleware::DefaultHeaders;
use actix_web::{get, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

fn json_only(ctx: &GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("accept")
}

#[cors(origins = ["https://app.example.com"])]
#[get(
    "/items",
    name = "item_list",
    guard = "json_only",
    wrap = "DefaultHeaders::new().add((\"x-version\", \"1\"))"
)]
async fn list() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(list);
}
