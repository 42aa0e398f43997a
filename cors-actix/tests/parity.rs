//! Parity: the policy `#[cors(...)]` compiles into static data equals the
//! policy the runtime builder builds from the same keys. Both go through
//! `cors-core`'s one validator; this checks the static emission too (hash
//! tables, precomputed header values, flags).

use actix_web::{get, post, App, HttpResponse, Responder};
use cors_actix::{cors, Cors, CorsPolicy};
use cors_core::Policy;

#[cors(origins = ["https://app.example.com"])]
#[get("/minimal")]
async fn minimal() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(
    origins = ["https://example.com", "https://*.example.com", "http://localhost:*", "http://*.localhost:8080"],
    methods = ["GET"],
    headers = ["Content-Type", "authorization", "X-Requested-With"],
    expose = ["X-Total-Count", "etag"],
    credentials,
    max_age = 600,
    private_network,
    preflight_status = 200,
)]
#[get("/full")]
async fn full() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = "*", headers = "*", expose = "*", methods = ["POST"], max_age = 0)]
#[post("/wildcards")]
async fn wildcards() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn partner(origin: &str) -> bool {
    origin.ends_with(".partner.example")
}

#[cors(origins = ["https://app.example.com"], origin_fn = partner)]
#[get("/predicate")]
async fn predicate() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// The effective policy the middleware uses for a route: with no App
/// defaults, the attribute's static policy itself.
async fn compiled(
    service: impl actix_web::dev::HttpServiceFactory + 'static,
    method: &str,
    path: &str,
) -> Policy {
    let cors = Cors::new();
    let _app = actix_web::test::init_service(App::new().wrap(cors.clone()).service(service)).await;
    let report = cors.report().expect("started");
    let route = report.route(method, path).expect("registered");
    assert_eq!(
        route.source,
        cors_actix::PolicySource::Attribute,
        "the static policy, not a merge"
    );
    route.policy.clone().expect("enabled")
}

#[actix_web::test]
async fn attribute_and_builder_build_the_same_policy() {
    let cases = [
        (
            compiled(minimal, "GET", "/minimal").await,
            CorsPolicy::new()
                .origins(["https://app.example.com"])
                .methods(["GET"]),
        ),
        (
            compiled(full, "GET", "/full").await,
            CorsPolicy::new()
                .origins([
                    "https://example.com",
                    "https://*.example.com",
                    "http://localhost:*",
                    "http://*.localhost:8080",
                ])
                .methods(["GET"])
                .headers(["Content-Type", "authorization", "X-Requested-With"])
                .expose(["X-Total-Count", "etag"])
                .credentials(true)
                .max_age(600)
                .private_network(true)
                .preflight_status(200),
        ),
        (
            compiled(wildcards, "POST", "/wildcards").await,
            CorsPolicy::new()
                .origins(["*"])
                .headers(["*"])
                .expose(["*"])
                .methods(["POST"])
                .max_age(0),
        ),
        (
            compiled(predicate, "GET", "/predicate").await,
            CorsPolicy::new()
                .origins(["https://app.example.com"])
                .origin_fn(partner)
                .methods(["GET"]),
        ),
    ];
    for (from_attribute, builder) in cases {
        let from_builder = builder.build().unwrap();
        assert_eq!(from_attribute, from_builder);
        // Equal down to the precomputed values the middleware sends.
        assert_eq!(
            from_attribute.allow_headers_value(),
            from_builder.allow_headers_value()
        );
        assert_eq!(from_attribute.to_string(), from_builder.to_string());
    }
}

#[actix_web::test]
async fn the_comparison_sees_differences() {
    // Guards the test above against an equality that always holds.
    let attribute = compiled(full, "GET", "/full").await;
    let other = CorsPolicy::new()
        .origins([
            "https://example.com",
            "https://*.example.com",
            "http://localhost:*",
        ])
        .methods(["GET"])
        .build()
        .unwrap();
    assert_ne!(attribute, other);
}
