// Errors in a module's `#[cors]` point at the module's tokens, also when
// only a handler's own keys make them errors.
#[cors_actix::cors(origins = ["https://app.example.com/"])]
#[actix_web::scope("/a")]
mod trailing_slash {
    use actix_web::{get, HttpResponse, Responder};

    #[get("/x")]
    pub async fn x() -> impl Responder {
        HttpResponse::Ok().finish()
    }
}

#[cors_actix::cors(policy = ADMIN)]
mod with_policy {}

#[cors_actix::cors(origins = ["https://App.example.com"])]
mod no_handlers {}

#[cors_actix::cors(origins = "*")]
#[actix_web::scope("/b")]
mod public {
    use actix_web::{get, HttpResponse, Responder};
    use cors_actix::cors;

    #[cors(credentials)]
    #[get("/me")]
    pub async fn me() -> impl Responder {
        HttpResponse::Ok().finish()
    }
}

fn main() {}
