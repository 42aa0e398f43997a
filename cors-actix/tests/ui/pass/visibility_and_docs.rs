//! The handler keeps its visibility and its docs: a `pub` handler is used
//! from another module, and `missing_docs` would refuse the generated
//! struct if the docs were lost.
#![deny(missing_docs)]

use actix_web::App;
use cors_actix::Cors;

/// Handlers.
pub mod handlers {
    use actix_web::{get, HttpResponse, Responder};
    use cors_actix::cors;

    /// Lists the items.
    #[cors(origins = ["https://app.example.com"])]
    #[get("/items")]
    pub async fn list() -> impl Responder {
        HttpResponse::Ok().finish()
    }

    /// Visible to the parent module only.
    #[cors(origins = ["https://app.example.com"])]
    #[get("/items/{id}")]
    pub(crate) async fn item() -> impl Responder {
        HttpResponse::Ok().finish()
    }
}

fn main() {
    let _app = App::new()
        .wrap(Cors::new())
        .service(handlers::list)
        .service(handlers::item);
}
