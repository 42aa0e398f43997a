//! The `Cors` middleware through actix-web's test service: preflights answered
//! before routing (never reaching auth, guards or handlers), exact headers on
//! every response, `Vary`, the merge rule, strict mode and misuse detection.
//! Every response is also checked against the browser oracle.

mod common;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::Method;
use actix_web::middleware::{Compress, ErrorHandlers, Logger, NormalizePath};
use actix_web::{
    delete, get, guard, patch, post, put, route, routes, test as atest, web, App, HttpResponse,
    Responder, ResponseError,
};
use actix_web_httpauth::extractors::bearer::BearerAuth;
use actix_web_httpauth::middleware::HttpAuthentication;
use common::{actual, call, capture_logs, case, check, check_all, logged, page, preflight};
use cors_actix::{attach, cors, cors_policy, Cors, CorsPolicy, PolicySource};
use futures_util::future::{ready, LocalBoxFuture, Ready};
use std::sync::atomic::{AtomicUsize, Ordering};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";
const PREFLIGHT_VARY: [&str; 3] = [
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
];

static HANDLER_RUNS: AtomicUsize = AtomicUsize::new(0);
static BEARER_RUNS: AtomicUsize = AtomicUsize::new(0);
static TRANSFER_RUNS: AtomicUsize = AtomicUsize::new(0);
/// Runs of the `Deny` middleware of `hand_written_auth...` only.
static DENY_RUNS: AtomicUsize = AtomicUsize::new(0);
/// Runs of every other `Deny`.
static OTHER_DENY_RUNS: AtomicUsize = AtomicUsize::new(0);

// ---- handlers ------------------------------------------------------------

#[cors(
    origins = ["https://app.example.com"],
    headers = ["content-type", "authorization"],
    expose = ["X-Total-Count"],
    credentials,
    max_age = 600,
)]
#[get("/users")]
async fn list_users() -> impl Responder {
    HANDLER_RUNS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .body("[]")
}

/// Like `list_users`, counting its own runs (tests run in parallel).
#[cors(
    origins = ["https://app.example.com"],
    headers = ["content-type", "authorization"],
    credentials,
    max_age = 600,
)]
#[get("/profile")]
async fn profile() -> impl Responder {
    PROFILE_RUNS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

static PROFILE_RUNS: AtomicUsize = AtomicUsize::new(0);
static INVITE_RUNS: AtomicUsize = AtomicUsize::new(0);

/// Like `create_user`, counting its own runs.
#[cors(origins = ["https://admin.example.com"], headers = ["content-type"])]
#[post("/invite")]
async fn invite() -> impl Responder {
    INVITE_RUNS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Created().finish()
}

#[cors(origins = ["https://admin.example.com"], headers = ["content-type"])]
#[post("/users")]
async fn create_user() -> impl Responder {
    HANDLER_RUNS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Created().finish()
}

#[cors(origins = ["https://app.example.com"], methods = ["PUT"], headers = ["content-type"])]
#[put("/users/{id}")]
async fn update_user(req: actix_web::HttpRequest) -> impl Responder {
    HANDLER_RUNS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().body(req.match_info().get("id").unwrap_or("").to_owned())
}

#[cors(origins = ["https://app.example.com"])]
#[get("/files/{tail}*")]
async fn files() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], methods = ["DELETE"])]
#[delete("/caf\u{e9}/{name}")]
async fn unicode_path() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[derive(Debug)]
struct Teapot;

impl std::fmt::Display for Teapot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("teapot")
    }
}

impl ResponseError for Teapot {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::IM_A_TEAPOT
    }
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/fails")]
async fn fails() -> Result<HttpResponse, Teapot> {
    Err(Teapot)
}

#[cors(origins = ["https://app.example.com"])]
#[get("/sets-its-own")]
async fn sets_its_own() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .insert_header(("Vary", "Accept-Language, origin"))
        .finish()
}

fn never_matches(_: &guard::GuardContext<'_>) -> bool {
    false
}

#[cors(origins = ["https://app.example.com"], methods = ["PATCH"])]
#[patch("/guarded", guard = "never_matches")]
async fn guarded() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], methods = ["PATCH"])]
#[patch("/wrapped", wrap = "Deny(&OTHER_DENY_RUNS)")]
async fn wrapped() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], headers = ["content-type"])]
#[route("/multi", method = "PUT", method = "DELETE")]
async fn multi() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[routes]
#[get("/either")]
#[post("/or")]
async fn either_or() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::scope("/shop")]
mod shop {
    use super::*;

    #[cors(origins = ["https://shop.example.com"], methods = ["PUT"])]
    #[put("/cart")]
    pub async fn cart() -> impl Responder {
        HttpResponse::Ok().finish()
    }
}

#[cors]
#[get("/inherits")]
async fn inherits() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(disable)]
#[get("/internal")]
async fn internal() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(credentials)]
#[get("/with-credentials")]
async fn with_credentials() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(headers = ["x-custom"])]
#[post("/partial")]
async fn partial() -> impl Responder {
    HttpResponse::Ok().finish()
}

cors_policy! {
    /// Anyone may read.
    PUBLIC { origins = "*", max_age = 60 }
}

#[cors(policy = PUBLIC, max_age = 120)]
#[get("/public")]
async fn public() -> impl Responder {
    HttpResponse::Ok().finish()
}

cors_policy! {
    PUT_ONLY { origins = ["https://app.example.com"], methods = ["PUT"] }
}

#[cors(policy = PUT_ONLY)]
#[get("/public-bad")]
async fn public_bad() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[post("/transfer")]
async fn transfer() -> impl Responder {
    TRANSFER_RUNS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

async fn plain() -> impl Responder {
    HttpResponse::Ok().finish()
}

// ---- auth middleware -----------------------------------------------------

async fn bearer(
    req: ServiceRequest,
    credentials: BearerAuth,
) -> Result<ServiceRequest, (actix_web::Error, ServiceRequest)> {
    BEARER_RUNS.fetch_add(1, Ordering::SeqCst);
    if credentials.token() == "good" {
        Ok(req)
    } else {
        Err((actix_web::error::ErrorUnauthorized("bad token"), req))
    }
}

/// A hand-written auth middleware that answers 401 itself (a response, not
/// an error) to anything without `Authorization`.
struct Deny(&'static AtomicUsize);

impl<S, B> Transform<S, ServiceRequest> for Deny
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    type Response = ServiceResponse<actix_web::body::EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = DenyService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(DenyService {
            inner: service,
            runs: self.0,
        }))
    }
}

struct DenyService<S> {
    inner: S,
    runs: &'static AtomicUsize,
}

impl<S, B> Service<ServiceRequest> for DenyService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    type Response = ServiceResponse<actix_web::body::EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(inner);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        self.runs.fetch_add(1, Ordering::SeqCst);
        if req.headers().contains_key("authorization") {
            let fut = self.inner.call(req);
            Box::pin(async move { Ok(fut.await?.map_into_left_body()) })
        } else {
            let res = req.into_response(HttpResponse::Unauthorized().finish());
            Box::pin(async move { Ok(res.map_into_right_body()) })
        }
    }
}

// ---- preflights ----------------------------------------------------------

#[actix_web::test]
async fn preflight_is_answered_with_exact_headers() {
    let app = atest::init_service(App::new().wrap(Cors::new()).service(profile)).await;
    let before = PROFILE_RUNS.load(Ordering::SeqCst);
    let res = check(
        &app,
        preflight("/profile", APP, "GET", Some("authorization,content-type")),
        204,
        &[
            ("access-control-allow-origin", Some(APP)),
            ("access-control-allow-credentials", Some("true")),
            ("access-control-allow-methods", Some("GET")),
            (
                "access-control-allow-headers",
                Some("content-type, authorization"),
            ),
            ("access-control-max-age", Some("600")),
        ],
    )
    .await;
    assert_eq!(
        res.get("access-control-expose-headers"),
        None,
        "expose is for actual responses"
    );
    assert_eq!(res.vary(), PREFLIGHT_VARY);
    assert_eq!(
        PROFILE_RUNS.load(Ordering::SeqCst),
        before,
        "the handler never runs for a preflight"
    );
    let browser = page(APP, "GET", true)
        .header("Authorization", "Bearer x")
        .header("Content-Type", "application/json");
    assert!(res.browser_accepts_preflight(&browser));
}

#[actix_web::test]
async fn preflight_never_reaches_auth_middleware_and_auth_errors_carry_cors_headers() {
    let app = atest::init_service(
        App::new().wrap(Cors::new()).service(
            web::scope("/api")
                .wrap(HttpAuthentication::bearer(bearer))
                .service(list_users),
        ),
    )
    .await;
    let before = BEARER_RUNS.load(Ordering::SeqCst);
    let res = check(
        &app,
        preflight("/api/users", APP, "GET", Some("authorization")),
        204,
        &[],
    )
    .await;
    assert_eq!(
        BEARER_RUNS.load(Ordering::SeqCst),
        before,
        "the auth middleware never sees the preflight"
    );
    let browser = page(APP, "GET", true).header("Authorization", "Bearer bad");
    assert!(res.browser_accepts_preflight(&browser));

    // A bad token: the auth middleware returns `Err`; its 401 is readable.
    let bad = actual(Method::GET, "/api/users", APP)
        .insert_header(("Authorization", "Bearer bad"))
        .to_request();
    let res = call(&app, bad).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
    assert_eq!(
        res.get("access-control-allow-credentials").as_deref(),
        Some("true")
    );
    assert_eq!(res.vary(), ["Origin"]);
    assert!(res.browser_reads(&browser), "JavaScript can read the 401");

    // No token at all: the extractor's error.
    let none = actual(Method::GET, "/api/users", APP).to_request();
    let res = call(&app, none).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));

    let good = actual(Method::GET, "/api/users", APP)
        .insert_header(("Authorization", "Bearer good"))
        .to_request();
    let res = call(&app, good).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.get("access-control-expose-headers").as_deref(),
        Some("X-Total-Count")
    );
    assert!(res.browser_reads(&browser));
}

#[actix_web::test]
async fn hand_written_auth_that_answers_401_never_sees_preflights() {
    let app = atest::init_service(
        App::new().wrap(Cors::new()).service(
            web::scope("/api")
                .wrap(Deny(&DENY_RUNS))
                .service(list_users),
        ),
    )
    .await;
    let before = DENY_RUNS.load(Ordering::SeqCst);
    check(
        &app,
        preflight("/api/users", APP, "GET", Some("authorization")),
        204,
        &[],
    )
    .await;
    assert_eq!(DENY_RUNS.load(Ordering::SeqCst), before);
    let res = check(
        &app,
        actual(Method::GET, "/api/users", APP),
        401,
        &[("access-control-allow-origin", Some(APP))],
    )
    .await;
    assert!(res.browser_reads(&page(APP, "GET", true)));
}

#[actix_web::test]
async fn route_guards_and_route_middleware_do_not_see_preflights() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(guarded)
            .service(wrapped),
    )
    .await;
    for path in ["/guarded", "/wrapped"] {
        let res = call(&app, preflight(path, APP, "PATCH", None).to_request()).await;
        assert_eq!(res.status, 204, "{path}");
        assert_eq!(
            res.get("access-control-allow-methods").as_deref(),
            Some("PATCH")
        );
        assert!(res.browser_accepts_preflight(&page(APP, "PATCH", false)));
    }
}

#[actix_web::test]
async fn the_requested_method_selects_the_handler_policy() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/api").service(list_users).service(create_user)),
    )
    .await;
    let admin = "https://admin.example.com";
    let replies = check_all(
        &app,
        vec![
            case(
                preflight("/api/users", admin, "POST", Some("content-type")),
                204,
                &[
                    ("access-control-allow-origin", Some(admin)),
                    ("access-control-allow-methods", Some("POST")),
                ],
            ),
            case(
                preflight("/api/users", admin, "GET", Some("content-type")),
                403,
                &[("access-control-allow-origin", None)],
            )
            .why("the GET handler does not allow the admin origin"),
            case(preflight("/api/users", APP, "DELETE", None), 403, &[])
                .why("a method no handler serves here, and no defaults"),
        ],
    )
    .await;
    let refused = &replies[1];
    assert_eq!(refused.vary(), PREFLIGHT_VARY);
    assert!(!refused.browser_accepts_preflight(
        &page(admin, "GET", false).header("content-type", "application/json")
    ));
}

#[actix_web::test]
async fn the_same_relative_path_in_two_scopes_keeps_each_policy() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/v1").service(list_users))
            .service(web::scope("/v2").service(create_user)),
    )
    .await;
    check_all(
        &app,
        vec![
            case(preflight("/v1/users", APP, "GET", None), 204, &[]),
            case(preflight("/v2/users", APP, "POST", None), 403, &[])
                .why("/v2 only allows the admin origin"),
            case(
                preflight("/v2/users", "https://admin.example.com", "POST", None),
                204,
                &[],
            ),
        ],
    )
    .await;
}

#[actix_web::test]
async fn nested_scopes_parameters_tails_and_percent_encoding() {
    let app = atest::init_service(
        App::new().wrap(Cors::new()).service(
            web::scope("/api")
                .service(unicode_path)
                .service(web::scope("/{tenant}").service(update_user).service(files)),
        ),
    )
    .await;
    let acao = [("access-control-allow-origin", Some(APP))];
    check_all(
        &app,
        vec![
            case(
                preflight("/api/acme/users/7", APP, "PUT", Some("content-type")),
                204,
                &[("access-control-allow-methods", Some("PUT"))],
            ),
            case(actual(Method::PUT, "/api/acme/users/7", APP), 200, &acao),
            case(actual(Method::GET, "/api/acme/files/a", APP), 200, &acao),
            case(
                actual(Method::GET, "/api/acme/files/a/b/c.txt", APP),
                200,
                &acao,
            ),
            case(
                preflight("/api/caf%C3%A9/x%20y", APP, "DELETE", None),
                204,
                &[],
            ),
            case(
                actual(Method::DELETE, "/api/caf%C3%A9/x%20y", APP),
                204,
                &acao,
            ),
        ],
    )
    .await;
}

#[actix_web::test]
async fn scope_modules_route_and_routes() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(shop::cart)
            .service(multi)
            .service(either_or),
    )
    .await;
    let both = [("access-control-allow-methods", Some("PUT, DELETE"))];
    let acao = [("access-control-allow-origin", Some(APP))];
    check_all(
        &app,
        vec![
            case(
                preflight("/shop/cart", "https://shop.example.com", "PUT", None),
                204,
                &[],
            ),
            case(
                preflight("/multi", APP, "PUT", Some("content-type")),
                204,
                &both,
            ),
            case(
                preflight("/multi", APP, "DELETE", Some("content-type")),
                204,
                &both,
            ),
            case(actual(Method::GET, "/either", APP), 200, &acao),
            case(actual(Method::POST, "/or", APP), 200, &acao),
        ],
    )
    .await;
}

#[actix_web::test]
async fn manually_built_resources_and_scopes_through_attach() {
    let app = atest::init_service(
        App::new().wrap(Cors::new()).service(
            web::scope("/api")
                .wrap(Deny(&OTHER_DENY_RUNS))
                .service(attach(
                    "/items",
                    ["GET", "POST"],
                    CorsPolicy::new().origins([APP]).headers(["content-type"]),
                    web::resource("/items")
                        .route(web::get().to(plain))
                        .route(web::post().to(plain)),
                ))
                .service(attach(
                    "/admin/{tail:.*}",
                    ["GET"],
                    CorsPolicy::new().origins(["https://admin.example.com"]),
                    web::scope("/admin").route("/{x}", web::get().to(plain)),
                )),
        ),
    )
    .await;
    let admin = "https://admin.example.com";
    check_all(
        &app,
        vec![
            case(
                preflight("/api/items", APP, "POST", Some("content-type")),
                204,
                &[("access-control-allow-methods", Some("GET, POST"))],
            ),
            case(preflight("/api/admin/x", admin, "GET", Some("x")), 403, &[])
                .why("`x` is not an allowed header"),
            case(
                actual(Method::GET, "/api/admin/x", admin).insert_header(("authorization", "t")),
                200,
                &[("access-control-allow-origin", Some(admin))],
            ),
        ],
    )
    .await;
}

// ---- defaults and the merge rule -----------------------------------------

fn defaults() -> Cors {
    Cors::builder()
        .origins([APP, "https://*.example.com"])
        .methods(["GET", "POST", "PUT"])
        .headers(["content-type"])
        .max_age(300)
        .build()
        .unwrap()
}

#[actix_web::test]
async fn unannotated_routes_use_the_defaults_or_get_403_without_them() {
    let app = atest::init_service(
        App::new()
            .wrap(defaults())
            .route("/plain", web::put().to(plain)),
    )
    .await;
    check(
        &app,
        preflight(
            "/plain",
            "https://a.example.com",
            "PUT",
            Some("content-type"),
        ),
        204,
        &[
            ("access-control-allow-origin", Some("https://a.example.com")),
            ("access-control-allow-methods", Some("GET, POST, PUT")),
            ("access-control-max-age", Some("300")),
        ],
    )
    .await;

    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .route("/plain", web::put().to(plain)),
    )
    .await;
    check(
        &app,
        preflight("/plain", APP, "PUT", None),
        403,
        &[("access-control-allow-origin", None)],
    )
    .await;
}

#[actix_web::test]
async fn keys_are_merged_key_by_key_and_the_route_wins() {
    let cors = defaults();
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(inherits)
            .service(partial)
            .service(list_users),
    )
    .await;
    check_all(
        &app,
        vec![
            case(
                preflight("/inherits", APP, "GET", Some("content-type")),
                204,
                &[
                    ("access-control-allow-methods", Some("GET")),
                    ("access-control-max-age", Some("300")),
                ],
            )
            .why("bare `#[cors]`: the defaults, for the route's own methods"),
            // A browser caches the methods of a preflight for the URL, which
            // an annotated route serves too.
            case(
                preflight("/inherits", APP, "PUT", Some("content-type")),
                204,
                &[("access-control-allow-methods", Some("PUT"))],
            )
            .why("a method the route does not serve: the defaults answer, for it alone"),
            case(
                preflight("/partial", APP, "POST", Some("x-custom")),
                204,
                &[
                    ("access-control-allow-headers", Some("x-custom")),
                    ("access-control-allow-methods", Some("POST")),
                    ("access-control-max-age", Some("300")),
                ],
            )
            .why("headers and methods from the route, origins and max-age from the defaults"),
            case(
                preflight("/partial", APP, "POST", Some("content-type")),
                403,
                &[],
            )
            .why("the route's headers replace the defaults'"),
            case(
                preflight("/users", "https://a.example.com", "GET", None),
                403,
                &[],
            )
            .why("a complete attribute ignores the defaults' origins"),
        ],
    )
    .await;

    let report = cors.report().expect("report after start-up");
    let merged = report.route("POST", "/partial").unwrap();
    assert_eq!(merged.source, PolicySource::AttributeAndDefaults);
    let policy = merged.policy.as_ref().unwrap();
    assert_eq!(policy.allow_headers_value(), "x-custom");
    assert_eq!(policy.max_age_value(), "300");
    assert_eq!(
        report.route("GET", "/users").unwrap().source,
        PolicySource::Attribute
    );
    assert_eq!(
        report.route("GET", "/inherits").unwrap().source,
        PolicySource::Defaults
    );
    assert!(report.to_string().contains("GET /users -> "));
}

#[actix_web::test]
async fn a_route_that_becomes_dangerous_with_the_defaults_fails_start_up() {
    let cors = Cors::builder().origins(["*"]).build().unwrap();
    assert!(common::start_up_fails(App::new().wrap(cors.clone()).service(with_credentials)).await);
    let error = cors.startup_error().expect("a typed start-up error");
    let text = error.to_string();
    assert!(text.contains("with_credentials"), "{text}");
    assert!(text.contains("GET /with-credentials"), "{text}");
    assert!(text.contains("wildcard with credentials"), "{text}");
}

#[actix_web::test]
async fn a_bare_attribute_without_defaults_fails_start_up_naming_the_handler() {
    let cors = Cors::new();
    assert!(common::start_up_fails(App::new().wrap(cors.clone()).service(inherits)).await);
    let text = cors.startup_error().unwrap().to_string();
    assert!(text.contains("inherits"), "{text}");
    assert!(text.contains("needs App defaults"), "{text}");
    assert!(text.contains("the middleware has none"), "{text}");
}

#[actix_web::test]
async fn named_policies_with_overrides_and_route_checks() {
    let cors = Cors::new();
    let app = atest::init_service(App::new().wrap(cors.clone()).service(public)).await;
    let res = check(
        &app,
        preflight("/public", "https://anyone.example", "GET", None),
        204,
        &[
            ("access-control-allow-origin", Some("*")),
            ("access-control-max-age", Some("120")),
        ],
    )
    .await;
    assert_eq!(
        res.vary(),
        [
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers"
        ]
    );
    assert_eq!(
        cors.report()
            .unwrap()
            .route("GET", "/public")
            .unwrap()
            .source,
        PolicySource::Named("PUBLIC".into())
    );

    // Under defaults with other methods, the named policy keeps the route's.
    let app = atest::init_service(App::new().wrap(defaults()).service(public)).await;
    let res = call(
        &app,
        preflight("/public", "https://anyone.example", "GET", None).to_request(),
    )
    .await;
    assert_eq!(
        res.get("access-control-allow-methods").as_deref(),
        Some("GET")
    );

    let cors = Cors::new();
    assert!(common::start_up_fails(App::new().wrap(cors.clone()).service(public_bad)).await);
    let text = cors.startup_error().unwrap().to_string();
    assert!(text.contains("method not served"), "{text}");
    assert!(text.contains("public_bad"), "{text}");
}

#[actix_web::test]
async fn disabled_routes_get_no_cors_even_with_defaults() {
    let app = atest::init_service(App::new().wrap(defaults()).service(internal)).await;
    check_all(
        &app,
        vec![
            case(
                actual(Method::GET, "/internal", APP),
                200,
                &[("access-control-allow-origin", None)],
            ),
            case(preflight("/internal", APP, "GET", None), 403, &[]),
        ],
    )
    .await;
}

// ---- actual requests -----------------------------------------------------

#[actix_web::test]
async fn every_response_carries_the_headers_404_405_and_handler_errors_included() {
    let app = atest::init_service(
        App::new()
            .wrap(defaults())
            .service(fails)
            .service(web::resource("/only-get").route(web::get().to(plain))),
    )
    .await;
    let acao = [("access-control-allow-origin", Some(APP))];
    let replies = check_all(
        &app,
        vec![
            case(actual(Method::GET, "/nowhere", APP), 404, &acao),
            case(actual(Method::POST, "/only-get", APP), 405, &acao),
            case(
                actual(Method::GET, "/fails", APP),
                418,
                &[
                    ("access-control-allow-origin", Some(APP)),
                    ("access-control-allow-credentials", Some("true")),
                ],
            ),
        ],
    )
    .await;
    assert!(replies[0].browser_reads(&page(APP, "GET", false)));
    assert!(replies[1].browser_reads(&page(APP, "POST", false)));
    assert!(replies[2].browser_reads(&page(APP, "GET", true)));
}

#[actix_web::test]
async fn headers_are_set_once_and_vary_is_merged() {
    let app = atest::init_service(App::new().wrap(Cors::new()).service(sets_its_own)).await;
    let res = call(&app, actual(Method::GET, "/sets-its-own", APP).to_request()).await;
    assert_eq!(
        res.all("access-control-allow-origin"),
        [APP],
        "replaced, not appended"
    );
    assert_eq!(
        res.vary(),
        ["Accept-Language", "origin"],
        "`origin` is already there"
    );
    assert!(res.browser_reads(&page(APP, "GET", false)));
}

#[actix_web::test]
async fn a_handler_cannot_grant_a_refused_origin_its_own_cors_headers() {
    let app = atest::init_service(App::new().wrap(Cors::new()).service(sets_its_own)).await;
    let res = check(&app, actual(Method::GET, "/sets-its-own", EVIL), 200, &[]).await;
    assert_eq!(
        res.get("access-control-allow-origin"),
        None,
        "the handler's `*` is removed"
    );
    assert!(!res.browser_reads(&page(EVIL, "GET", false)));
}

#[actix_web::test]
async fn vary_merges_with_compress_and_is_present_without_origin_and_for_disallowed_origins() {
    let app = atest::init_service(
        App::new()
            .wrap(Compress::default())
            .wrap(Cors::new())
            .service(list_users),
    )
    .await;
    let gzip =
        |req: atest::TestRequest| req.insert_header(("Accept-Encoding", "gzip")).to_request();
    let res = call(&app, gzip(actual(Method::GET, "/users", APP))).await;
    assert_eq!(res.vary(), ["accept-encoding", "Origin"]);

    let res = call(&app, gzip(atest::TestRequest::get().uri("/users"))).await;
    assert_eq!(
        res.get("access-control-allow-origin"),
        None,
        "no Origin, no ACAO"
    );
    assert_eq!(
        res.vary(),
        ["accept-encoding", "Origin"],
        "a cache must not reuse it cross-origin"
    );

    let res = call(&app, gzip(actual(Method::GET, "/users", EVIL))).await;
    assert_eq!(res.status, 200, "served, but without CORS headers");
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.vary(), ["accept-encoding", "Origin"]);
    assert!(!res.browser_reads(&page(EVIL, "GET", false)));
}

#[actix_web::test]
async fn no_vary_origin_when_every_policy_allows_any_origin() {
    let app = atest::init_service(App::new().wrap(Cors::new()).service(public)).await;
    let res = call(&app, atest::TestRequest::get().uri("/public").to_request()).await;
    assert!(res.vary().is_empty());
    let res = call(
        &app,
        actual(Method::GET, "/public", "https://x.example").to_request(),
    )
    .await;
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some("*"));
    assert!(res.vary().is_empty());
}

#[actix_web::test]
async fn options_without_request_method_goes_to_the_app() {
    let app = atest::init_service(App::new().wrap(defaults()).service(list_users)).await;
    let req = actual(Method::OPTIONS, "/users", APP).to_request();
    let res = call(&app, req).await;
    assert_ne!(res.status, 204, "not a preflight: the app answers");
    assert!(res.status == 404 || res.status == 405, "{}", res.status);
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
}

#[actix_web::test]
async fn disallowed_preflights_get_403_without_running_anything() {
    let app = atest::init_service(App::new().wrap(Cors::new()).service(invite)).await;
    let before = INVITE_RUNS.load(Ordering::SeqCst);
    let res = check(
        &app,
        preflight("/invite", EVIL, "POST", Some("content-type")),
        403,
        &[],
    )
    .await;
    for name in [
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
    ] {
        assert_eq!(res.get(name), None, "{name}");
    }
    assert_eq!(res.vary(), PREFLIGHT_VARY);
    assert_eq!(INVITE_RUNS.load(Ordering::SeqCst), before);
    let browser = page(EVIL, "POST", false).header("Content-Type", "application/json");
    assert!(!res.browser_accepts_preflight(&browser));

    // A header the route does not allow.
    check(
        &app,
        preflight(
            "/users",
            "https://admin.example.com",
            "POST",
            Some("x-requested-with"),
        ),
        403,
        &[],
    )
    .await;
}

// ---- strict mode ---------------------------------------------------------

#[actix_web::test]
async fn strict_mode_stops_cross_origin_state_changes_before_the_handler() {
    let strict = Cors::builder().strict(true).build().unwrap();
    let app = atest::init_service(App::new().wrap(strict).service(transfer)).await;
    let before = TRANSFER_RUNS.load(Ordering::SeqCst);
    let form = actual(Method::POST, "/transfer", EVIL)
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .insert_header(("Sec-Fetch-Site", "cross-site"))
        .to_request();
    let res = call(&app, form).await;
    assert_eq!(res.status, 403);
    assert_eq!(
        TRANSFER_RUNS.load(Ordering::SeqCst),
        before,
        "the side effect never happens"
    );

    check_all(
        &app,
        vec![
            case(
                actual(Method::POST, "/transfer", "https://bank.example")
                    .insert_header(("Host", "bank.example"))
                    .insert_header(("X-Forwarded-Proto", "https")),
                200,
                &[],
            )
            .why("same origin: Origin is the request's scheme and Host behind a TLS proxy"),
            case(
                actual(Method::POST, "/transfer", "https://elsewhere.example")
                    .insert_header(("Sec-Fetch-Site", "same-origin")),
                200,
                &[],
            )
            .why("same origin, by Sec-Fetch-Site"),
            case(atest::TestRequest::post().uri("/transfer"), 200, &[])
                .why("no Origin: not a browser's cross-origin request"),
            case(actual(Method::POST, "/transfer", APP), 200, &[]).why("an allowed origin"),
        ],
    )
    .await;

    // Without strict mode the same form POST reaches the handler.
    let app = atest::init_service(App::new().wrap(Cors::new()).service(transfer)).await;
    let before = TRANSFER_RUNS.load(Ordering::SeqCst);
    let res = check(&app, actual(Method::POST, "/transfer", EVIL), 200, &[]).await;
    assert_eq!(TRANSFER_RUNS.load(Ordering::SeqCst), before + 1);
    assert_eq!(res.get("access-control-allow-origin"), None);
}

// ---- environment, misuse, order ------------------------------------------

#[test]
fn defaults_from_the_environment_name_the_variable() {
    // Only this test touches these variables.
    std::env::set_var(
        "CORS_TEST_ORIGINS",
        "https://a.example, https://b.example:443 ,",
    );
    let error = Cors::builder()
        .origins_from_env("CORS_TEST_ORIGINS")
        .build()
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("CORS_TEST_ORIGINS: default port"), "{text}");
    assert!(text.contains("`https://b.example:443`"), "{text}");
    std::env::set_var("CORS_TEST_ORIGINS", "https://a.example,https://b.example");
    let cors = Cors::builder()
        .origins_from_env("CORS_TEST_ORIGINS")
        .build()
        .unwrap();
    assert!(format!("{cors:?}").contains("https://b.example"));
    let missing = Cors::builder()
        .origins_from_env("CORS_TEST_UNSET")
        .build()
        .unwrap_err();
    assert!(missing.to_string().contains("CORS_TEST_UNSET is not set"));
}

#[test]
fn build_lists_every_problem() {
    let error = Cors::builder()
        .origins(["https://a.example/", "*"])
        .headers(["cookie"])
        .credentials(true)
        .build()
        .unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("4 CORS configuration errors:"), "{text}");
    for needle in [
        "`https://a.example/`",
        "trailing slash",
        "wildcard in a list",
        "wildcard with credentials",
        "`cookie`",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
}

#[actix_web::test]
async fn an_annotated_route_served_without_cors_is_logged_once() {
    capture_logs();
    let app = atest::init_service(App::new().service(either_or)).await;
    for _ in 0..3 {
        let res = call(&app, actual(Method::GET, "/either", APP).to_request()).await;
        assert_eq!(res.get("access-control-allow-origin"), None);
    }
    let lines = logged(&["either_or", "without the Cors middleware"]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("ERROR"));
}

/// An annotated catch-all, guarded so that the router skips it for
/// requests without `x-internal: 1`.
#[cors(origins = ["https://internal.example.com"])]
#[get("/{all:.*}", guard = "internal_only")]
async fn catch_all() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn internal_only(ctx: &guard::GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("x-internal")
}

#[actix_web::test]
async fn a_shadowed_lookup_is_logged_naming_both_routes() {
    capture_logs();
    // The lookup before routing ignores guards: the catch-all, registered
    // first, wins it for every path, while the router serves `files`. The
    // actual response follows `files`, which served it; its preflights
    // follow the catch-all, and that is logged.
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/shadow").service(catch_all).service(files)),
    )
    .await;
    check(
        &app,
        actual(Method::GET, "/shadow/files/x", APP),
        200,
        &[("access-control-allow-origin", Some(APP))],
    )
    .await;
    let lines = logged(&[
        "`middleware::files` served GET /shadow/files/x",
        "a preflight for it finds middleware::catch_all",
    ]);
    assert_eq!(lines.len(), 1, "{:?}", logged(&["preflight for it"]));
    assert!(lines[0].starts_with("ERROR"));
}

/// Unannotated routes never shadow the lookup: it only knows annotated ones.
#[actix_web::test]
async fn an_earlier_plain_catch_all_does_not_hide_an_annotated_route() {
    let app = atest::init_service(
        App::new().wrap(defaults()).service(
            web::scope("/shadow")
                .service(
                    web::resource("/{all:.*}")
                        .guard(guard::Header("x-internal", "1"))
                        .route(web::get().to(plain)),
                )
                .service(files),
        ),
    )
    .await;
    let res = check(
        &app,
        preflight("/shadow/files/x", APP, "GET", None),
        204,
        &[],
    )
    .await;
    assert_eq!(
        res.get("access-control-allow-methods").as_deref(),
        Some("GET"),
        "the route's policy, not the defaults'"
    );
}

#[actix_web::test]
async fn rejections_are_logged_with_reason_question_value_and_fix() {
    capture_logs();
    let app = atest::init_service(App::new().wrap(Cors::new()).service(create_user)).await;
    let _ = call(
        &app,
        preflight(
            "/users",
            "https://admin.example.com",
            "POST",
            Some("x-requested-with"),
        )
        .to_request(),
    )
    .await;
    let lines = logged(&[
        "preflight refused",
        "[header_not_allowed]",
        "5. does Access-Control-Allow-Headers",
        "`x-requested-with`",
        "add it to `headers = [...]`",
    ]);
    assert!(!lines.is_empty(), "{:?}", logged(&["preflight refused"]));
    assert!(lines[0].starts_with("WARN"));
    assert!(lines[0].contains("create_user"));
}

#[actix_web::test]
async fn the_debug_header_names_the_reason_in_debug_builds() {
    let cors = Cors::builder().debug_header(true).build().unwrap();
    let app = atest::init_service(App::new().wrap(cors).service(create_user)).await;
    let res = call(&app, preflight("/users", EVIL, "POST", None).to_request()).await;
    let header = res.get("x-cors-reason");
    if cfg!(debug_assertions) {
        assert!(header
            .unwrap()
            .starts_with("origin_not_allowed: origin `https://evil.example` is not allowed"));
    } else {
        assert_eq!(header, None);
    }
}

#[actix_web::test]
async fn recommended_middleware_order() {
    // Outermost last: Logger, NormalizePath, Cors, Compress, ErrorHandlers.
    let app = atest::init_service(
        App::new()
            .wrap(ErrorHandlers::new())
            .wrap(Compress::default())
            .wrap(Cors::new())
            .wrap(NormalizePath::trim())
            .wrap(Logger::default())
            .service(
                web::scope("/api")
                    .wrap(Deny(&OTHER_DENY_RUNS))
                    .service(list_users),
            ),
    )
    .await;
    let replies = check_all(
        &app,
        vec![
            case(
                preflight("/api/users/", APP, "GET", Some("authorization")),
                204,
                &[],
            )
            .why("NormalizePath runs first, so the lookup sees the normalised path"),
            case(
                actual(Method::GET, "/api//users", APP)
                    .insert_header(("Authorization", "Bearer x"))
                    .insert_header(("Accept-Encoding", "gzip")),
                200,
                &[("access-control-allow-origin", Some(APP))],
            ),
        ],
    )
    .await;
    assert_eq!(replies[1].vary(), ["accept-encoding", "Origin"]);
}

/// Enough routes per method that the index groups them by first segment,
/// some under a scope with a dynamic prefix, some sharing a first segment.
/// (The shared ones are mounted on the App itself: inside a `scope("")`
/// registered first, actix-web would send every path to that scope.)
#[actix_web::test]
async fn the_index_finds_each_of_many_routes() {
    let mut tenant = web::scope("/{tenant}");
    let mut app = App::new().wrap(Cors::new());
    for i in 0..12 {
        let origin = format!("https://r{i}.example.com");
        let pattern = format!("/r{i}/items/{{id}}");
        tenant = tenant.service(attach(
            &pattern,
            ["GET"],
            CorsPolicy::new().origins([origin.as_str()]),
            web::resource(pattern.as_str()).route(web::get().to(plain)),
        ));
        let shared = format!("/shared/{i}");
        app = app.service(attach(
            &shared,
            ["GET"],
            CorsPolicy::new().origins([origin.as_str()]),
            web::resource(shared.as_str()).route(web::get().to(plain)),
        ));
    }
    let app = atest::init_service(app.service(tenant)).await;
    for i in 0..12 {
        let origin = format!("https://r{i}.example.com");
        let other = format!("https://r{}.example.com", (i + 1) % 12);
        for path in [format!("/acme/r{i}/items/7"), format!("/shared/{i}")] {
            let res = call(&app, actual(Method::GET, &path, &origin).to_request()).await;
            assert_eq!(res.status, 200, "{path}");
            assert_eq!(
                res.get("access-control-allow-origin"),
                Some(origin.clone()),
                "{path}"
            );
            let res = call(&app, preflight(&path, &other, "GET", None).to_request()).await;
            assert_eq!(res.status, 403, "{path} from {other}");
        }
    }
}

/// A bare attribute on a route that also serves a method no browser can
/// send: the defaults answer for the sendable ones, as a keyed attribute's
/// default methods do.
#[cors]
#[route("/probe", method = "GET", method = "TRACE")]
async fn probe() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn default_methods_leave_out_what_browsers_cannot_send() {
    let cors = defaults();
    let app = atest::init_service(App::new().wrap(cors.clone()).service(probe)).await;
    let res = call(&app, preflight("/probe", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 204, "{:?}", cors.startup_error());
    assert_eq!(
        res.get("access-control-allow-methods").as_deref(),
        Some("GET")
    );
}
