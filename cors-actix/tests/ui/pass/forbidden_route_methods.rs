// A route serving a method no browser can send (`TRACE`, `CONNECT`) takes
// the route's other methods as its default `methods`: there is nothing to
// allow for the forbidden one, and no `methods` key to blame.
use actix_web::{route, trace, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = ["https://app.example.com"])]
#[route("/debug", method = "GET", method = "TRACE")]
async fn debug() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[trace("/echo")]
async fn echo() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new().wrap(Cors::new()).service(debug).service(echo);
}
