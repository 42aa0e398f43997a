//! App defaults from the environment, checked at start-up.
//!
//! [`Cors::from_env`] reads `CORS_ALLOWED_ORIGINS` (required, comma-separated)
//! and, when set, `CORS_ALLOWED_METHODS`, `CORS_ALLOWED_HEADERS`,
//! `CORS_EXPOSE_HEADERS`, `CORS_ALLOW_CREDENTIALS` and `CORS_MAX_AGE`. Every
//! value goes through the validator the `#[cors]` attribute uses at compile
//! time: a bad entry stops the server before it listens, and the error names
//! the variable and the entry. To read only the origins, and set the rest in
//! code:
//!
//! ```text
//! let cors = Cors::builder()
//!     .origins_from_env("CORS_ALLOWED_ORIGINS")
//!     .credentials(true)
//!     .build()?;
//! ```
//!
//! Try it:
//!
//! ```text
//! CORS_ALLOWED_ORIGINS='https://app.example.com, https://*.example.com' \
//!   cargo run --example env_origins
//! curl -i http://localhost:8080/items -H 'Origin: https://shop.example.com'
//!
//! # A trailing slash: the server does not start.
//! CORS_ALLOWED_ORIGINS='https://app.example.com/' cargo run --example env_origins
//! # 1 CORS configuration error:
//! #   - CORS_ALLOWED_ORIGINS: trailing slash: origin `https://app.example.com/` never
//! #     matches, since browsers send no path; write `https://app.example.com`
//! ```

use actix_web::{get, App, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, Cors};

/// Everything from the App defaults, that is from the environment.
#[cors]
#[get("/items")]
async fn items() -> impl Responder {
    HttpResponse::Ok().json(["a", "b"])
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("cors_actix=info"))
        .init();
    let cors = match Cors::from_env() {
        Ok(cors) => cors,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    println!("API on http://localhost:8080/items");
    HttpServer::new(move || App::new().wrap(cors.clone()).service(items))
        .bind(("127.0.0.1", 8080))?
        .run()
        .await
}
