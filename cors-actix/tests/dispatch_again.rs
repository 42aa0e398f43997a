//! Middleware inside `Cors` that dispatches a request again (a fallback on
//! a 404, as single-page apps have): the response carries the CORS headers
//! of the handler that answered last, wherever the dispatches ran.

mod common;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, Next};
use actix_web::{get, test as atest, web, App, HttpResponse, Responder};
use common::{actual, again, call, Reply};
use cors_actix::{attach, cors, Cors, CorsPolicy};

const APP: &str = "https://app.example.com";
const PARTNER: &str = "https://partner.example";

/// On a 404, the request again, at `?to=` (in the query it was sent with);
/// on a task of its own when the query also says `spawn`.
async fn fallback(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let query = req.query_string().to_owned();
    let res = next.call(req).await?;
    if res.status() != StatusCode::NOT_FOUND {
        return Ok(res);
    }
    let to = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("to="))
        .unwrap_or("/index.html")
        .replace("%3F", "?")
        .replace("%3D", "=");
    let req = again(res, &to, None);
    match query.contains("spawn") {
        true => actix_web::rt::spawn(async move { next.call(req).await })
            .await
            .map_err(actix_web::error::ErrorInternalServerError)?,
        false => next.call(req).await,
    }
}

fn page(name: &'static str) -> HttpResponse {
    HttpResponse::Ok().insert_header(("x-page", name)).finish()
}

/// What answered, and what it lets `origin` read.
async fn get<S>(app: &S, path: &str, origin: Option<&str>) -> Reply
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = ServiceResponse<actix_web::body::EitherBody<BoxBody>>,
        Error = actix_web::Error,
    >,
{
    let req = match origin {
        Some(origin) => actual(Method::GET, path, origin),
        None => atest::TestRequest::get().uri(path),
    };
    call(app, req.to_request()).await
}

fn assert_grant(res: &Reply, page: &str, origin: Option<&str>, credentials: bool) {
    assert_eq!(res.get("x-page").as_deref(), Some(page));
    assert_eq!(res.get("access-control-allow-origin").as_deref(), origin);
    let expected = credentials.then_some("true");
    assert_eq!(
        res.get("access-control-allow-credentials").as_deref(),
        expected
    );
}

#[cors(origins = ["https://app.example.com"])]
#[get("/index")]
async fn s_index() -> impl Responder {
    page("index")
}

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/{name}")]
async fn s_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

/// Both dispatches in one poll of the App's `Cors`, under a scope's `Cors`:
/// the App's hears the second report too.
#[actix_web::test]
async fn a_scope_cors_passes_the_later_report_to_the_apps() {
    let app = atest::init_service(
        App::new()
            .wrap(from_fn(fallback))
            .wrap(Cors::new())
            .service(
                web::scope("/s")
                    .wrap(Cors::new())
                    .service(s_index)
                    .service(s_named),
            ),
    )
    .await;
    for spawn in ["", "&spawn"] {
        let path = format!("/s/missing?to=/s/index{spawn}");
        assert_grant(&get(&app, &path, Some(PARTNER)).await, "index", None, false);
        assert_grant(
            &get(&app, &path, Some(APP)).await,
            "index",
            Some(APP),
            false,
        );
    }
}

fn v2(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head().uri.query() == Some("v=2")
}

#[cors(origins = ["https://app.example.com"])]
#[get("/q", guard = "v2")]
async fn q_v2() -> impl Responder {
    page("v2")
}

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/q")]
async fn q_plain() -> impl Responder {
    HttpResponse::NotFound().finish()
}

/// Only the query changes, and a guard reads it: the later report decides.
#[actix_web::test]
async fn a_query_that_changes_the_route_is_a_new_target() {
    let app = atest::init_service(
        App::new()
            .wrap(from_fn(fallback))
            .wrap(Cors::new())
            .service(q_v2)
            .service(q_plain),
    )
    .await;
    for spawn in ["", "&spawn"] {
        let path = format!("/q?to=/q%3Fv%3D2{spawn}");
        assert_grant(&get(&app, &path, Some(PARTNER)).await, "v2", None, false);
        assert_grant(&get(&app, &path, Some(APP)).await, "v2", Some(APP), false);
    }
}

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/files/{name}")]
async fn file_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

/// The second dispatch reaches an attached route registered before the
/// first route, whose pattern also matches: the attached policy decides.
#[actix_web::test]
async fn an_attached_route_the_router_picks_first_decides() {
    let app = atest::init_service(
        App::new()
            .wrap(from_fn(fallback))
            .wrap(Cors::new())
            .service(attach(
                "/files/index",
                ["GET"],
                CorsPolicy::new().origins([APP]),
                web::resource("/files/index").route(web::get().to(|| async { page("files") })),
            ))
            .service(file_named),
    )
    .await;
    let path = "/files/missing?to=/files/index";
    assert_grant(&get(&app, path, Some(PARTNER)).await, "files", None, false);
    assert_grant(&get(&app, path, Some(APP)).await, "files", Some(APP), false);
}

#[cors(origins = "*")]
#[get("/open/{name}")]
async fn open_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[get("/admin/page")]
async fn admin_page() -> impl Responder {
    page("admin")
}

/// Without `Origin`, `*` goes only on what a `*` policy answered: not on a
/// page without a policy, nor on an admin-only page, after a fallback.
#[actix_web::test]
async fn without_origin_a_star_does_not_outlive_its_route() {
    let app = atest::init_service(
        App::new()
            .wrap(from_fn(fallback))
            .wrap(Cors::new())
            .service(open_named)
            .service(admin_page)
            .route("/index.html", web::get().to(|| async { page("private") })),
    )
    .await;
    assert_grant(
        &get(&app, "/open/x?to=/index.html", None).await,
        "private",
        None,
        false,
    );
    for spawn in ["", "&spawn"] {
        let path = format!("/open/x?to=/admin/page{spawn}");
        assert_grant(&get(&app, &path, None).await, "admin", None, false);
    }
}

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/{name}")]
async fn t_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

/// A scope whose regex the resource map cannot confirm: the first route
/// matches the fallback's path only loosely, which proves nothing.
#[actix_web::test]
async fn a_loose_match_is_no_proof_of_the_answering_route() {
    let app = atest::init_service(
        App::new()
            .wrap(from_fn(fallback))
            .wrap(Cors::new())
            .service(web::scope("/{t:[a-z]{3}}").service(t_named))
            .default_service(web::to(|| async { page("plain") })),
    )
    .await;
    let path = "/abc/missing?to=/toolong/n";
    assert_grant(&get(&app, path, Some(PARTNER)).await, "plain", None, false);
}
