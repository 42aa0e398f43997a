//! More apps whose middleware inside `Cors` dispatches a request again:
//! nested `Cors`, guards that read the query, attached routes, requests
//! without `Origin`, `#[cors(disable)]`, three dispatches, two Apps on one
//! thread, and a loose match. The answering handler's policy decides.

mod common;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{get, test as atest, web, App, HttpResponse, Responder};
use common::{actual, again, call, spa_fallback};
use cors_actix::{attach, cors, Cors, CorsPolicy};

const APP: &str = "https://app.example.com";
const PARTNER: &str = "https://partner.example";

// ---- App Cors + scope Cors; both dispatches in one poll ---------------

#[cors(origins = ["https://app.example.com"])]
#[get("/index")]
async fn s_index() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "index"))
        .finish()
}

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/{name}")]
async fn s_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

/// A scope with its own `Cors`, inside the App's; a fallback between them.
/// The scope's `Listen::finish` restores the App's frame holding the first
/// report, so the App's `Cors` never hears the second.
#[actix_web::test]
async fn nested_cors_fallback_in_one_poll() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spa_fallback))
            .wrap(Cors::new())
            .service(
                web::scope("/s")
                    .wrap(Cors::new())
                    .service(s_index)
                    .service(s_named),
            ),
    )
    .await;
    // Direct: s_index does not grant the partner.
    let res = call(&app, actual(Method::GET, "/s/index", PARTNER).to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("index"));
    assert_eq!(res.get("access-control-allow-origin"), None, "direct");
    // Fallback from s_named to s_index.
    let req = actual(Method::GET, "/s/missing?fallback=/s/index", PARTNER);
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("index"));
    assert_eq!(
        res.get("access-control-allow-origin"),
        None,
        "after fallback"
    );
    assert_eq!(res.get("access-control-allow-credentials"), None);
}

// ---- query-only re-dispatch on another task ---------------------------

fn v2(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head().uri.query() == Some("v=2")
}

#[cors(origins = ["https://app.example.com"])]
#[get("/q", guard = "v2")]
async fn q_v2() -> impl Responder {
    HttpResponse::Ok().insert_header(("x-page", "v2")).finish()
}

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/q")]
async fn q_plain() -> impl Responder {
    HttpResponse::NotFound().finish()
}

/// On a 404, the same path with `?v=2`, on a task of its own.
async fn spawned_v2(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() != StatusCode::NOT_FOUND {
        return Ok(res);
    }
    let target = format!("{}?v=2", res.request().path());
    let req = again(res, &target, None);
    actix_web::rt::spawn(async move { next.call(req).await })
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?
}

#[actix_web::test]
async fn query_only_redispatch_on_another_task() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spawned_v2))
            .wrap(Cors::new())
            .service(q_v2)
            .service(q_plain),
    )
    .await;
    // Direct: q_v2 grants APP only.
    let res = call(&app, actual(Method::GET, "/q?v=2", PARTNER).to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("v2"));
    assert_eq!(res.get("access-control-allow-origin"), None, "direct");
    let res = call(&app, actual(Method::GET, "/q", PARTNER).to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("v2"));
    assert_eq!(
        res.get("access-control-allow-origin"),
        None,
        "re-dispatched"
    );
    assert_eq!(res.get("access-control-allow-credentials"), None);
}

#[actix_web::test]
async fn query_only_redispatch_keeps_the_answering_grant() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spawned_v2))
            .wrap(Cors::new())
            .service(q_v2)
            .service(q_plain),
    )
    .await;
    let res = call(&app, actual(Method::GET, "/q", APP).to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("v2"));
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
}

// ---- fallback to an attach()-ed resource --------------------------------

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/files/{name}")]
async fn file_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

async fn files_index() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "files"))
        .finish()
}

#[actix_web::test]
async fn fallback_to_an_attached_route() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spa_fallback))
            .wrap(Cors::new())
            .service(attach(
                "/files/index",
                ["GET"],
                CorsPolicy::new().origins([APP]),
                web::resource("/files/index").route(web::get().to(files_index)),
            ))
            .service(file_named),
    )
    .await;
    // Direct: the attached policy grants APP, not the partner.
    let res = call(
        &app,
        actual(Method::GET, "/files/index", PARTNER).to_request(),
    )
    .await;
    assert_eq!(res.get("x-page").as_deref(), Some("files"));
    assert_eq!(res.get("access-control-allow-origin"), None, "direct");
    let res = call(&app, actual(Method::GET, "/files/index", APP).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
    // Fallback from file_named to the attached resource.
    let req = actual(Method::GET, "/files/missing?fallback=/files/index", PARTNER);
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("files"));
    assert_eq!(
        res.get("access-control-allow-origin"),
        None,
        "after fallback"
    );
    assert_eq!(res.get("access-control-allow-credentials"), None);
}

#[actix_web::test]
async fn fallback_to_an_attached_route_keeps_its_grant() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spa_fallback))
            .wrap(Cors::new())
            .service(attach(
                "/files/index",
                ["GET"],
                CorsPolicy::new().origins([APP]),
                web::resource("/files/index").route(web::get().to(files_index)),
            ))
            .service(file_named),
    )
    .await;
    let req = actual(Method::GET, "/files/missing?fallback=/files/index", APP);
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("files"));
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
}

// ---- no Origin: a `*` route's report outlives a fallback ----------------

#[cors(origins = "*")]
#[get("/open/{name}")]
async fn open_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

async fn private_index() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "private"))
        .finish()
}

/// Without `Origin`, `*` is added only for a route whose policy allows any
/// origin. A fallback from such a route to a page without a policy keeps it.
#[actix_web::test]
async fn no_origin_fallback_drops_the_wildcard() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spa_fallback))
            .wrap(Cors::new())
            .service(open_named)
            .route("/index.html", web::get().to(private_index)),
    )
    .await;
    let plain = |uri: &str| atest::TestRequest::get().uri(uri).to_request();
    let res = call(&app, plain("/index.html")).await;
    assert_eq!(res.get("x-page").as_deref(), Some("private"));
    assert_eq!(res.get("access-control-allow-origin"), None, "direct");
    let res = call(&app, plain("/open/missing")).await;
    assert_eq!(res.get("x-page").as_deref(), Some("private"));
    assert_eq!(
        res.get("access-control-allow-origin"),
        None,
        "after fallback"
    );
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[get("/admin/page")]
async fn admin_page() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "admin"))
        .finish()
}

/// On a 404, `/admin/page`, on a task of its own.
async fn spawned_admin(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() != StatusCode::NOT_FOUND {
        return Ok(res);
    }
    let req = again(res, "/admin/page", None);
    actix_web::rt::spawn(async move { next.call(req).await })
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?
}

/// Without `Origin`, an admin-only page answered on another task after a
/// `*` route's 404 gets `Access-Control-Allow-Origin: *` (no `Vary`).
#[actix_web::test]
async fn no_origin_spawned_fallback_to_an_annotated_page() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spawned_admin))
            .wrap(Cors::new())
            .service(open_named)
            .service(admin_page),
    )
    .await;
    let plain = |uri: &str| atest::TestRequest::get().uri(uri).to_request();
    let res = call(&app, plain("/admin/page")).await;
    assert_eq!(res.get("x-page").as_deref(), Some("admin"));
    assert_eq!(res.get("access-control-allow-origin"), None, "direct");
    let res = call(&app, plain("/open/missing")).await;
    assert_eq!(res.get("x-page").as_deref(), Some("admin"));
    assert_eq!(
        res.get("access-control-allow-origin"),
        None,
        "after fallback"
    );
}

// ---- `#[cors(disable)]` report kept over a page without a policy --------

#[cors(disable)]
#[get("/proxy/{name}")]
async fn proxy_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

/// A page that passes an upstream's headers through (its own business is
/// not CORS: `Cors` strips them on its direct responses).
async fn upstream_page() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "upstream"))
        .insert_header(("access-control-allow-origin", "*"))
        .finish()
}

#[actix_web::test]
async fn a_disabled_routes_report_does_not_cover_a_page_without_policy() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spa_fallback))
            .wrap(Cors::new())
            .route("/proxy/index", web::get().to(upstream_page))
            .service(proxy_named),
    )
    .await;
    let res = call(
        &app,
        actual(Method::GET, "/proxy/index", PARTNER).to_request(),
    )
    .await;
    assert_eq!(res.get("x-page").as_deref(), Some("upstream"));
    assert_eq!(res.get("access-control-allow-origin"), None, "direct");
    let req = actual(Method::GET, "/proxy/missing?fallback=/proxy/index", PARTNER);
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("upstream"));
    assert_eq!(
        res.get("access-control-allow-origin"),
        None,
        "after fallback"
    );
}

// ---- chains of three dispatches, mixing tasks ------------------------

#[cors(origins = ["https://app.example.com"])]
#[actix_web::route("/c/final", method = "GET", method = "HEAD")]
async fn c_final() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "final"))
        .finish()
}

#[cors(origins = ["https://partner.example"], credentials)]
#[actix_web::route("/c/{name}", method = "GET", method = "HEAD")]
async fn c_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

#[cors(origins = ["https://other.example"], credentials)]
#[actix_web::route("/d/{name}", method = "GET", method = "HEAD")]
async fn d_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

async fn plain_page() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "plain"))
        .finish()
}

/// `x-chain: s:/a,i:/b`: on each 404, the next target, spawned (`s`) or
/// in this task (`i`).
async fn chain(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let steps: Vec<(bool, String)> = req
        .headers()
        .get("x-chain")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| (s.starts_with("s:"), s[2..].to_owned()))
        .collect();
    let next = std::rc::Rc::new(next);
    let mut res = next.call(req).await?;
    for (spawned, target) in steps {
        if res.status() != StatusCode::NOT_FOUND {
            break;
        }
        let req = again(res, &target, None);
        res = match spawned {
            true => {
                let next = next.clone();
                actix_web::rt::spawn(async move { next.call(req).await })
                    .await
                    .map_err(actix_web::error::ErrorInternalServerError)??
            }
            false => next.call(req).await?,
        };
    }
    Ok(res)
}

#[actix_web::test]
async fn three_dispatches_on_mixed_tasks_follow_the_last() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(chain))
            .wrap(Cors::new())
            .service(c_final)
            .service(c_named)
            .service(d_named)
            .route("/plain", web::get().to(plain_page)),
    )
    .await;
    for chain in [
        "i:/d/x,i:/c/final",
        "s:/d/x,i:/c/final",
        "i:/d/x,s:/c/final",
        "s:/d/x,s:/c/final",
        "s:/c/y,i:/c/final",
        "i:/c/y,s:/c/final",
    ] {
        for method in [Method::GET, Method::HEAD] {
            let req = actual(method.clone(), "/c/x", PARTNER).insert_header(("x-chain", chain));
            let res = call(&app, req.to_request()).await;
            assert_eq!(
                res.get("x-page").as_deref(),
                Some("final"),
                "{chain} {method}"
            );
            assert_eq!(
                res.get("access-control-allow-origin"),
                None,
                "{chain} {method}"
            );
            assert_eq!(res.get("access-control-allow-credentials"), None, "{chain}");
            let req = actual(method.clone(), "/c/x", APP).insert_header(("x-chain", chain));
            let res = call(&app, req.to_request()).await;
            assert_eq!(
                res.get("access-control-allow-origin").as_deref(),
                Some(APP),
                "{chain} {method}"
            );
        }
    }
    // Ending on a page without a policy, through an annotated route whose
    // pattern does not match it.
    for chain in [
        "i:/d/x,i:/plain",
        "s:/d/x,i:/plain",
        "i:/d/x,s:/plain",
        "s:/d/x,s:/plain",
    ] {
        let req = actual(Method::GET, "/c/x", PARTNER).insert_header(("x-chain", chain));
        let res = call(&app, req.to_request()).await;
        assert_eq!(res.get("x-page").as_deref(), Some("plain"), "{chain}");
        assert_eq!(res.get("access-control-allow-origin"), None, "{chain}");
    }
    // Percent-encoded target: the router decodes `%66` to `f`.
    let req = actual(Method::GET, "/c/x", APP).insert_header(("x-chain", "i:/c/%66inal"));
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("final"));
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
}

// ---- two Apps interleaved on one thread --------------------------------

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/y/{name}")]
async fn y_named() -> impl Responder {
    actix_web::rt::task::yield_now().await;
    HttpResponse::NotFound().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/y/index")]
async fn y_index() -> impl Responder {
    actix_web::rt::task::yield_now().await;
    HttpResponse::Ok().insert_header(("x-page", "y")).finish()
}

#[actix_web::test]
async fn two_apps_interleaved_on_one_thread_keep_their_reports_apart() {
    let build = || {
        App::new()
            .wrap(actix_web::middleware::from_fn(chain))
            .wrap(Cors::new())
            .service(y_index)
            .service(y_named)
    };
    let one = atest::init_service(build()).await;
    let two = atest::init_service(build()).await;
    for chain in [
        "s:/y/index",
        "i:/y/index",
        "s:/y/z,i:/y/index",
        "i:/y/z,s:/y/index",
    ] {
        let req = |origin| {
            actual(Method::GET, "/y/missing", origin)
                .insert_header(("x-chain", chain))
                .to_request()
        };
        let (a, b, c, d) = futures_util::future::join4(
            call(&one, req(PARTNER)),
            call(&two, req(APP)),
            call(&two, req(PARTNER)),
            call(&one, req(APP)),
        )
        .await;
        for (res, want) in [(a, None), (b, Some(APP)), (c, None), (d, Some(APP))] {
            assert_eq!(res.get("x-page").as_deref(), Some("y"), "{chain}");
            assert_eq!(
                res.get("access-control-allow-origin").as_deref(),
                want,
                "{chain}"
            );
        }
    }
}

// ---- an unsure (unconfirmed) match counts as "can serve" -----------------

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/{name}")]
async fn t_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

/// A tenant scope whose regex no probe value satisfies: `t_named`'s prefix
/// is unconfirmed. `/toolong/n` matches it only loosely (the map refuses
/// it): the lookup is unsure and gives no policy, and the first route's
/// report is not of the request the page answered.
#[actix_web::test]
async fn an_unsure_match_does_not_keep_the_first_report() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spa_fallback))
            .wrap(Cors::new())
            .service(web::scope("/{t:[a-z]{3}}").service(t_named))
            .default_service(web::to(plain_page)),
    )
    .await;
    let res = call(
        &app,
        actual(Method::GET, "/toolong/n", PARTNER).to_request(),
    )
    .await;
    assert_eq!(res.get("x-page").as_deref(), Some("plain"));
    assert_eq!(res.get("access-control-allow-origin"), None, "direct");
    let req = actual(Method::GET, "/abc/missing?fallback=/toolong/n", PARTNER);
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("plain"));
    assert_eq!(
        res.get("access-control-allow-origin"),
        None,
        "after fallback"
    );
    assert_eq!(res.get("access-control-allow-credentials"), None);
}
