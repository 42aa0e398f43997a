//! Conformance defects: `*` policies and HTTP caches, and CORS headers the
//! app sets itself. (Split `Access-Control-Request-Headers` lines and the
//! repeated-`Origin` rule are in `hostile.rs`; Private Network Access `Vary`
//! in cors-core's decision tests.)

mod common;

use actix_web::http::Method;
use actix_web::{get, test as atest, web, App, HttpResponse, Responder};
use common::{actual, call, capture_logs, logged, page, preflight};
use cors_actix::{cors, Cors};

const APP: &str = "https://app.example.com";
const OTHER: &str = "https://other.example";

// ---- `*` policies answer `*` on every response ------------------------------

#[cors(origins = "*", expose = ["x-total-count"])]
#[get("/public")]
async fn public() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-total-count", "3"))
        .finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/listed")]
async fn listed() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_public_route_answers_star_even_without_origin() {
    let app =
        atest::init_service(App::new().wrap(Cors::new()).service(public).service(listed)).await;
    // A navigation or an `<img>` sends no `Origin`; a cache keeps the answer
    // and may hand it to a `fetch()` from any origin later.
    let cached = call(&app, atest::TestRequest::get().uri("/public").to_request()).await;
    assert_eq!(
        cached.get("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        cached.get("access-control-expose-headers").as_deref(),
        Some("x-total-count")
    );
    assert!(cached.vary().is_empty(), "{:?}", cached.vary());
    assert!(cached.browser_reads(&page(OTHER, "GET", false)));

    let res = call(&app, actual(Method::GET, "/public", OTHER).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some("*"));
    assert!(res.vary().is_empty());

    // A route that lists origins answers none without `Origin`, and varies.
    let res = call(&app, atest::TestRequest::get().uri("/listed").to_request()).await;
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.vary(), ["Origin"]);
}

#[actix_web::test]
async fn public_app_defaults_answer_star_on_unannotated_routes() {
    let cors = Cors::builder().origins(["*"]).build().unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors)
            .route("/plain", web::get().to(HttpResponse::Ok))
            .service(listed),
    )
    .await;
    let res = call(&app, atest::TestRequest::get().uri("/plain").to_request()).await;
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some("*"));
    // The listed route keeps its own policy.
    let res = call(&app, atest::TestRequest::get().uri("/listed").to_request()).await;
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.vary(), ["Origin"]);
}

// ---- CORS headers are exactly what the policy decides -----------------------

/// A handler (or a proxy copying upstream headers, or a leftover inner CORS
/// middleware) that sets CORS headers of its own.
fn with_own_cors_headers() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("access-control-allow-origin", "*"))
        .insert_header(("access-control-allow-credentials", "true"))
        .insert_header(("access-control-expose-headers", "x-secret"))
        .insert_header(("access-control-allow-methods", "DELETE"))
        .insert_header(("access-control-allow-headers", "x-anything"))
        .insert_header(("access-control-max-age", "86400"))
        .insert_header(("access-control-allow-private-network", "true"))
        .insert_header(("x-secret", "s3cr3t"))
        .finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/proxy")]
async fn proxy() -> impl Responder {
    with_own_cors_headers()
}

#[cors(disable)]
#[get("/own")]
async fn own() -> impl Responder {
    with_own_cors_headers()
}

const CORS_HEADERS: [&str; 7] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-allow-private-network",
];

#[actix_web::test]
async fn app_set_cors_headers_never_grant_more_than_the_policy() {
    capture_logs();
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(proxy)
            .service(own)
            .route(
                "/plain",
                web::get().to(|| async { with_own_cors_headers() }),
            ),
    )
    .await;
    // An allowed origin gets the policy's headers, and only those.
    let res = call(&app, actual(Method::GET, "/proxy", APP).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
    for name in &CORS_HEADERS[1..] {
        assert_eq!(res.get(name), None, "{name}");
    }
    // So a credentialed fetch cannot read `x-secret`.
    let credentialed = page(APP, "GET", true);
    assert!(!res.browser_reads(&credentialed));
    assert!(res.browser_reads(&page(APP, "GET", false)));

    // A refused origin, no `Origin`, and a route without a policy: none.
    for req in [
        actual(Method::GET, "/proxy", OTHER).to_request(),
        atest::TestRequest::get().uri("/proxy").to_request(),
        actual(Method::GET, "/plain", APP).to_request(),
    ] {
        let res = call(&app, req).await;
        for name in CORS_HEADERS {
            assert_eq!(res.get(name), None, "{name}");
        }
    }
    let lines = logged(&["proxy", "replaced by what its policy decides"]);
    assert_eq!(lines.len(), 1, "once per route: {lines:?}");
    assert!(lines[0].starts_with("DEBUG"));

    // `#[cors(disable)]` hands CORS to the handler: its headers stay.
    let res = call(&app, actual(Method::GET, "/own", APP).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some("*"));
    assert_eq!(
        res.get("access-control-expose-headers").as_deref(),
        Some("x-secret")
    );
    // Its preflights are still refused before routing.
    let res = call(&app, preflight("/own", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 403);
}
