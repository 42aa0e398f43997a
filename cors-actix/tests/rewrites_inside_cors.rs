//! Middleware inside `Cors` that rewrites a request before routing
//! (`NormalizePath`, a method override), in apps whose guards, attached
//! resources or unconfirmed scope prefixes the table cannot see through:
//! the response still follows the handler that served it.

mod common;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Next, NormalizePath};
use actix_web::{get, guard, test as atest, web, App, HttpResponse, Responder};
use common::{actual, call};
use cors_actix::{cors, Cors};

const APP: &str = "https://app.example.com";
const BETA: &str = "https://beta.example";

fn page(name: &'static str) -> HttpResponse {
    HttpResponse::Ok().insert_header(("x-page", name)).finish()
}

#[cors(origins = ["https://beta.example"], credentials)]
#[get("/items")]
async fn beta_items() -> impl Responder {
    page("beta")
}

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
async fn items() -> impl Responder {
    page("items")
}

/// Scopes told apart by a scope guard (the actix-web docs' pattern), with
/// `NormalizePath` inside `Cors`. No second dispatch.
#[actix_web::test]
async fn scope_guard_and_normalize_path() {
    let app = atest::init_service(
        App::new()
            .wrap(NormalizePath::trim())
            .wrap(Cors::new())
            .service(
                web::scope("/v")
                    .guard(guard::Header("x-beta", "1"))
                    .service(beta_items),
            )
            .service(web::scope("/v").service(items)),
    )
    .await;
    // Control: path unchanged -> report trusted.
    let r = call(&app, actual(Method::GET, "/v/items", APP).to_request()).await;
    assert_eq!(r.get("x-page").as_deref(), Some("items"));
    assert_eq!(r.get("access-control-allow-origin").as_deref(), Some(APP));
    // Same handler, trailing slash trimmed by NormalizePath.
    let a = call(&app, actual(Method::GET, "/v/items/", APP).to_request()).await;
    let b = call(&app, actual(Method::GET, "/v/items/", BETA).to_request()).await;
    assert_eq!(a.get("x-page").as_deref(), Some("items"));
    assert_eq!(b.get("x-page").as_deref(), Some("items"));
    assert_eq!(
        (
            a.get("access-control-allow-origin").as_deref(),
            b.get("access-control-allow-origin").as_deref(),
            b.get("access-control-allow-credentials").as_deref(),
        ),
        (Some(APP), None, None),
        "items' policy: APP yes, BETA no (beta_items' credentialed policy must not apply)"
    );
}

mod hosts {
    use super::*;

    #[cors(origins = ["https://beta.example"], credentials)]
    #[get("/me")]
    pub async fn admin_me() -> impl Responder {
        page("admin")
    }

    #[cors(origins = ["https://app.example.com"])]
    #[get("/me")]
    pub async fn www_me() -> impl Responder {
        page("www")
    }
}

/// A method override middleware (POST + X-HTTP-Method-Override) inside Cors.
async fn method_override(
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(m) = req
        .headers()
        .get("x-http-method-override")
        .and_then(|v| Method::from_bytes(v.as_bytes()).ok())
    {
        req.head_mut().method = m;
    }
    next.call(req).await
}

/// Virtual hosts by `guard::Host` on `scope("")` (actix-web's docs), with a
/// method override inside `Cors`: POST overridden to GET.
#[actix_web::test]
async fn host_guard_and_method_override() {
    let app = atest::init_service(
        App::new()
            .wrap(from_fn(method_override))
            .wrap(Cors::new())
            .service(
                web::scope("")
                    .guard(guard::Host("admin.example.com"))
                    .service(hosts::admin_me),
            )
            .service(web::scope("").service(hosts::www_me)),
    )
    .await;
    let req = |origin| {
        actual(Method::POST, "/me", origin)
            .insert_header(("host", "www.example.com"))
            .insert_header(("x-http-method-override", "GET"))
            .to_request()
    };
    let r = call(&app, req(APP)).await;
    assert_eq!(r.get("x-page").as_deref(), Some("www"));
    let app_acao = r.get("access-control-allow-origin");
    let r = call(&app, req(BETA)).await;
    assert_eq!(r.get("x-page").as_deref(), Some("www"));
    let beta_acao = r.get("access-control-allow-origin");
    assert_eq!(
        (app_acao.as_deref(), beta_acao.as_deref()),
        (Some(APP), None),
        "www_me's policy: APP yes, BETA no"
    );
}

#[cors(origins = ["https://beta.example"], credentials)]
#[get("/items")]
async fn tenant_items() -> impl Responder {
    page("tenant")
}

#[cors(origins = ["https://app.example.com"])]
#[get("/{x}/items")]
async fn any_items() -> impl Responder {
    page("any")
}

/// A scope regex the probes cannot satisfy (unconfirmed prefix) before the
/// serving route; NormalizePath inside Cors; no second dispatch.
#[actix_web::test]
async fn unconfirmed_earlier_prefix_and_normalize_path() {
    let app = atest::init_service(
        App::new()
            .wrap(NormalizePath::trim())
            .wrap(Cors::new())
            .service(web::scope("/{tenant:[a-z]+-[0-9]+}").service(tenant_items))
            .service(any_items),
    )
    .await;
    let r = call(&app, actual(Method::GET, "/t/items", APP).to_request()).await;
    assert_eq!(r.get("x-page").as_deref(), Some("any"));
    assert_eq!(r.get("access-control-allow-origin").as_deref(), Some(APP));
    let r = call(&app, actual(Method::GET, "/t/items/", APP).to_request()).await;
    assert_eq!(r.get("x-page").as_deref(), Some("any"));
    assert_eq!(
        r.get("access-control-allow-origin").as_deref(),
        Some(APP),
        "any_items served; its policy grants APP"
    );
}

#[cors(origins = ["https://beta.example"])]
#[get("/pub")]
async fn beta_pub() -> impl Responder {
    page("beta")
}

#[cors(origins = "*")]
#[get("/pub")]
async fn open_pub() -> impl Responder {
    page("open")
}

/// Without Origin: the `*` route served (NormalizePath inside Cors, scope guard).
#[actix_web::test]
async fn no_origin_star_kept_with_scope_guard() {
    let app = atest::init_service(
        App::new()
            .wrap(NormalizePath::trim())
            .wrap(Cors::new())
            .service(
                web::scope("/v")
                    .guard(guard::Header("x-beta", "1"))
                    .service(beta_pub),
            )
            .service(web::scope("/v").service(open_pub)),
    )
    .await;
    let r = call(&app, atest::TestRequest::get().uri("/v/pub").to_request()).await;
    assert_eq!(r.get("x-page").as_deref(), Some("open"));
    assert_eq!(r.get("access-control-allow-origin").as_deref(), Some("*"));
    let r = call(&app, atest::TestRequest::get().uri("/v/pub/").to_request()).await;
    assert_eq!(r.get("x-page").as_deref(), Some("open"));
    assert_eq!(r.get("access-control-allow-origin").as_deref(), Some("*"));
}

#[cors(origins = ["https://app.example.com"])]
#[get("/docs")]
async fn docs() -> impl Responder {
    page("docs")
}

/// An attached, guarded resource registered before an annotated route at
/// the same path (no second dispatch; NormalizePath inside Cors).
#[actix_web::test]
async fn attached_guarded_resource_before_and_normalize_path() {
    let app = atest::init_service(
        App::new()
            .wrap(NormalizePath::trim())
            .wrap(Cors::new())
            .service(cors_actix::attach(
                "/docs",
                ["GET"],
                cors_actix::CorsPolicy::new()
                    .origins([BETA])
                    .credentials(true),
                web::resource("/docs")
                    .guard(guard::Header("x-beta", "1"))
                    .route(web::get().to(|| async { page("beta-docs") })),
            ))
            .service(docs),
    )
    .await;
    let a = call(&app, actual(Method::GET, "/docs/", APP).to_request()).await;
    let b = call(&app, actual(Method::GET, "/docs/", BETA).to_request()).await;
    assert_eq!(a.get("x-page").as_deref(), Some("docs"));
    assert_eq!(b.get("x-page").as_deref(), Some("docs"));
    assert_eq!(
        (
            a.get("access-control-allow-origin").as_deref(),
            b.get("access-control-allow-origin").as_deref(),
        ),
        (Some(APP), None),
    );
}
