//! The two-origin demo: an API on `http://localhost:8080` and a page on
//! `http://127.0.0.1:8000` that calls it cross-origin and shows, call by
//! call, what the browser allowed. The server log explains every refusal.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! The API port can be changed with `API_PORT`. The page's port can be
//! changed with `PAGE_PORT` for tests that call the API alone; the page's own
//! calls work only from port 8000, since its origin is what the policies name.

use actix_web::{delete, get, post, put, web, App, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, Cors};

const PAGE_ORIGIN: &str = "http://127.0.0.1:8000";

/// Public data: any origin may read it.
#[cors(origins = "*", max_age = 600)]
#[get("/api/public")]
async fn public() -> impl Responder {
    HttpResponse::Ok().json(["anyone can read this"])
}

/// The page's origin may list users and read the `X-Total-Count` header.
#[cors(origins = ["http://127.0.0.1:8000"], expose = ["X-Total-Count"], max_age = 600)]
#[get("/api/users")]
async fn list_users() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .insert_header(("X-Internal-Id", "not exposed"))
        .json(["ada", "grace"])
}

/// JSON needs a preflight; `content-type` is allowed.
#[cors(origins = ["http://127.0.0.1:8000"], headers = ["content-type"])]
#[post("/api/users")]
async fn create_user(body: web::Json<NewUser>) -> impl Responder {
    HttpResponse::Created().json([body.into_inner().name])
}

/// Only the admin console may delete: the page's preflight is refused.
#[cors(origins = ["https://admin.example.com"])]
#[delete("/api/users/{id}")]
async fn delete_user() -> impl Responder {
    HttpResponse::NoContent().finish()
}

/// PUT is allowed, but not the `x-requested-with` header the page sends.
#[cors(origins = ["http://127.0.0.1:8000"], headers = ["content-type"])]
#[put("/api/users/{id}")]
async fn update_user() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// The body of `POST /api/users`.
#[derive(serde::Deserialize)]
struct NewUser {
    name: String,
}

const PAGE: &str = include_str!("quickstart.html");

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("cors_actix=debug,actix_web=info"),
    )
    .format_timestamp(None)
    .init();
    let port = |name: &str, default: u16| -> u16 {
        std::env::var(name)
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(default)
    };
    let (api_port, page_port) = (port("API_PORT", 8080), port("PAGE_PORT", 8000));
    let api_url = format!("http://localhost:{api_port}");
    let page = PAGE.replace("http://localhost:8080", &api_url);

    let api = HttpServer::new(|| {
        App::new()
            .wrap(Cors::new())
            .service(public)
            .service(list_users)
            .service(create_user)
            .service(delete_user)
            .service(update_user)
    })
    .workers(1)
    .bind(("127.0.0.1", api_port))?
    .run();

    let frontend = HttpServer::new(move || {
        let page = page.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let page = page.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body(page)
                }
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", page_port))?
    .run();

    println!("API:  {api_url}  (allows the page's origin {PAGE_ORIGIN} on some routes)");
    println!("Page: http://127.0.0.1:{page_port}/  <- open this in a browser");
    futures_util::future::try_join(api, frontend).await?;
    Ok(())
}
