//! The route table: one regression test per finding of the review of the
//! policy lookup before routing. Each asserts what a user relies on.

mod common;

use actix_web::http::Method;
use actix_web::{delete, get, post, put, routes, test as atest, web, App, HttpResponse, Responder};
use common::{actual, again, call, capture_logs, logged, preflight, spa_fallback, start_up_fails};
use cors_actix::{attach, cors, cors_policy, Cors, CorsPolicy, RouteProblem};

const APP: &str = "https://app.example.com";
const ADMIN: &str = "https://admin.example.com";

#[cors(origins = ["https://admin.example.com"], credentials)]
#[get("/admin/secrets")]
async fn secrets() -> impl Responder {
    HttpResponse::Ok().body("secret")
}

#[cors(disable)]
#[get("/internal")]
async fn internal() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[put("/items/{id}")]
async fn put_item() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn defaults() -> Cors {
    Cors::builder()
        .origins([APP])
        .credentials(true)
        .build()
        .unwrap()
}

// ---- 1. no request can change which policy another request gets ----------

/// Headers that make `url_for` fail when it reads them from the request.
const HOSTILE: [(&str, &str); 5] = [
    ("x-forwarded-proto", "1"),
    ("x-forwarded-host", "bad host"),
    ("host", ""),
    ("forwarded", "host=\"a b\""),
    ("host", "[fe80::1%25eth0]:8080"),
];

#[actix_web::test]
async fn a_hostile_first_request_changes_nothing() {
    for (name, value) in HOSTILE {
        let app = atest::init_service(
            App::new()
                .wrap(defaults())
                .service(secrets)
                .service(internal)
                .service(web::scope("/api").service(put_item)),
        )
        .await;
        let first = actual(Method::GET, "/admin/secrets", APP)
            .insert_header((name, value))
            .to_request();
        let res = call(&app, first).await;
        assert_eq!(res.get("access-control-allow-origin"), None, "{name}");

        // The admin route keeps its own policy: the App's origin may not
        // read it with cookies.
        let res = call(
            &app,
            actual(Method::GET, "/admin/secrets", APP).to_request(),
        )
        .await;
        assert_eq!(res.get("access-control-allow-origin"), None, "{name}");
        assert_eq!(res.get("access-control-allow-credentials"), None, "{name}");
        let res = call(
            &app,
            actual(Method::GET, "/admin/secrets", ADMIN).to_request(),
        )
        .await;
        assert_eq!(
            res.get("access-control-allow-origin").as_deref(),
            Some(ADMIN)
        );

        // A disabled route gets no CORS headers.
        let res = call(&app, actual(Method::GET, "/internal", APP).to_request()).await;
        assert_eq!(res.get("access-control-allow-origin"), None, "{name}");

        // Preflights still find their route.
        let res = call(
            &app,
            preflight("/api/items/7", APP, "PUT", None).to_request(),
        )
        .await;
        assert_eq!(res.status, 204, "{name}");
        let res = call(
            &app,
            preflight("/admin/secrets", APP, "GET", None).to_request(),
        )
        .await;
        assert_eq!(res.status, 403, "{name}");
    }
}

#[actix_web::test]
async fn a_hostile_preflight_first_is_answered_like_any_other() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/api").service(put_item)),
    )
    .await;
    for (name, value) in HOSTILE {
        let req = preflight("/api/items/7", APP, "PUT", None)
            .insert_header((name, value))
            .to_request();
        assert_eq!(call(&app, req).await.status, 204, "{name}");
    }
}

// ---- 2. patterns as actix-web reads them ----------------------------------

#[cors(origins = ["https://app.example.com"])]
#[get("noslash")]
async fn noslash() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("{id}")]
async fn bare_param() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
async fn items() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Asserts the status of a GET preflight on each path.
async fn preflights<S, B>(app: &S, cases: &[(&str, u16)])
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    for (path, status) in cases {
        let res = call(app, preflight(path, APP, "GET", None).to_request()).await;
        assert_eq!(res.status, *status, "{path}");
    }
}

#[actix_web::test]
async fn a_missing_leading_slash_is_added_as_actix_adds_it() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/api").service(noslash))
            .service(web::scope("/p").service(bare_param))
            .service(web::scope("/x").service(attach(
                "x",
                ["GET"],
                CorsPolicy::new().origins([APP]),
                web::resource("x").to(HttpResponse::Ok),
            ))),
    )
    .await;
    preflights(
        &app,
        &[
            ("/api/noslash", 204),
            ("/apinoslash", 403),
            ("/p/7", 204),
            ("/p7", 403),
            ("/x/x", 204),
            ("/xx", 403),
        ],
    )
    .await;
    // The router agrees.
    let res = call(&app, actual(Method::GET, "/api/noslash", APP).to_request()).await;
    assert_eq!(res.status, 200);
}

#[actix_web::test]
async fn percent_encoded_scope_prefixes_match_as_the_router_matches() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/a%2Fb").service(items))
            .service(web::scope("/c%7Bd").service(noslash))
            .service(web::scope("/caf\u{e9} au lait").service(bare_param)),
    )
    .await;
    preflights(
        &app,
        &[
            ("/a%2Fb/items", 204),
            ("/a/b/items", 403),
            ("/c%7Bd/noslash", 403),
            ("/caf%C3%A9%20au%20lait/7", 204),
        ],
    )
    .await;
    // What the router does with the same paths.
    for (path, status) in [("/a%2Fb/items", 200), ("/a/b/items", 404)] {
        let res = call(&app, atest::TestRequest::get().uri(path).to_request()).await;
        assert_eq!(res.status, status, "{path}");
    }
}

#[actix_web::test]
async fn regex_scope_segments_keep_their_regex() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/v{version:\\d+}").service(items))
            .service(web::scope("/users/{id}").service(bare_param)),
    )
    .await;
    preflights(
        &app,
        &[
            ("/v2/items", 204),
            ("/vx/items", 403),
            ("/users/1/2", 204),
            ("/users/1", 403),
        ],
    )
    .await;
}

// ---- 3. #[routes] keeps each route's methods ------------------------------

#[cors]
#[routes]
#[get("/both")]
#[post("/both")]
async fn bare_routes() -> impl Responder {
    HttpResponse::Ok().finish()
}

cors_policy! {
    P { origins = ["https://app.example.com"] }
}

#[cors(policy = P)]
#[routes]
#[get("/named")]
#[put("/named")]
async fn named_routes() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(max_age = 60)]
#[routes]
#[get("/partial")]
#[post("/partial")]
async fn partial_routes() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[routes]
#[get("/complete")]
#[put("/complete")]
async fn complete_routes() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn each_route_attribute_keeps_its_methods() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::builder().origins([APP]).build().unwrap())
            .service(bare_routes)
            .service(named_routes)
            .service(partial_routes)
            .service(complete_routes),
    )
    .await;
    for (path, method) in [
        ("/both", "GET"),
        ("/both", "POST"),
        ("/named", "GET"),
        ("/named", "PUT"),
        ("/partial", "GET"),
        ("/partial", "POST"),
        ("/complete", "GET"),
        ("/complete", "PUT"),
    ] {
        let res = call(&app, preflight(path, APP, method, None).to_request()).await;
        assert_eq!(res.status, 204, "{method} {path}");
        assert_eq!(
            res.get("access-control-allow-methods").as_deref(),
            Some(method),
            "{method} {path}: each route answers for its own methods"
        );
    }
    let res = call(&app, preflight("/partial", APP, "POST", None).to_request()).await;
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("60"));
}

#[actix_web::test]
async fn a_named_policy_on_routes_works_without_defaults() {
    let app = atest::init_service(App::new().wrap(Cors::new()).service(named_routes)).await;
    let res = call(&app, preflight("/named", APP, "PUT", None).to_request()).await;
    assert_eq!(res.status, 204);
}

// ---- 4. a malformed attach pattern stops the App, and never panics --------

#[actix_web::test]
async fn a_malformed_attach_pattern_stops_start_up() {
    let cors = Cors::new();
    let app = App::new().wrap(cors.clone()).service(attach(
        "/y/{id",
        ["GET"],
        CorsPolicy::new().origins([APP]),
        web::resource("/y/{id}").to(HttpResponse::Ok),
    ));
    assert!(start_up_fails(app).await);
    let error = cors.startup_error().expect("a start-up error");
    let problem = &error.problems[0];
    assert_eq!(problem.handler, "attach(/y/{id)");
    assert!(
        matches!(&problem.problem, RouteProblem::InvalidPattern(m) if m.contains("never closed"))
    );
}

// ---- 5. registrations never leak between Apps -----------------------------

#[cors]
#[get("/bare")]
async fn bare() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn an_app_without_cors_leaves_no_trace() {
    // `bare` under `Cors::new()` could not start; it is not this App's.
    let without = atest::init_service(App::new().service(bare)).await;
    let app = atest::init_service(App::new().wrap(Cors::new()).service(items)).await;
    let res = call(&app, preflight("/items", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
    drop(without);
}

#[actix_web::test]
async fn two_apps_built_together_on_one_thread_keep_their_own_routes() {
    let a = atest::init_service(App::new().wrap(Cors::new()).service(items));
    let b = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/b").service(put_item)),
    );
    let (a, b) = futures_util::future::join(a, b).await;
    preflights(&a, &[("/items", 204), ("/b/items/1", 403)]).await;
    let res = call(&b, preflight("/b/items/1", APP, "PUT", None).to_request()).await;
    assert_eq!(res.status, 204);
    let res = call(&b, preflight("/items", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 403);
}

#[actix_web::test]
async fn cors_on_two_scopes_works_for_each_scope() {
    let app = atest::init_service(
        App::new()
            .service(web::scope("/one").wrap(Cors::new()).service(items))
            .service(web::scope("/two").wrap(Cors::new()).service(put_item)),
    )
    .await;
    let res = call(&app, preflight("/one/items", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
    let res = call(
        &app,
        preflight("/two/items/1", APP, "PUT", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    let res = call(&app, actual(Method::PUT, "/two/items/1", APP).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
}

// ---- 6. the report shows full patterns, logged once per Cors value --------

#[cors(origins = ["https://app.example.com"])]
#[actix_web::delete("/{id}")]
async fn delete_project() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("")]
async fn list_projects() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn the_report_has_full_patterns_and_is_logged_once() {
    capture_logs();
    let cors = Cors::builder()
        .origins(["https://report.example.com"])
        .build()
        .unwrap();
    let build = || {
        App::new().wrap(cors.clone()).service(
            web::scope("/api").service(
                web::scope("/v1").service(
                    web::scope("/projects")
                        .service(delete_project)
                        .service(list_projects),
                ),
            ),
        )
    };
    // Two workers.
    let one = atest::init_service(build()).await;
    let two = atest::init_service(build()).await;
    assert!(!cors.report().unwrap().full_patterns);
    for app in [&one, &two] {
        let res = call(app, atest::TestRequest::get().uri("/").to_request()).await;
        assert_eq!(res.status, 404);
    }
    let report = cors.report().unwrap();
    assert!(report.full_patterns);
    let route = report.route("DELETE", "/api/v1/projects/{id}").unwrap();
    assert_eq!(route.handler, "route_table::delete_project");
    assert!(report.route("GET", "/api/v1/projects").is_some());
    assert!(report.routes.iter().all(|r| !r.pattern.is_empty()));
    let lines = logged(&["CORS policies", "report.example.com"]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("DELETE /api/v1/projects/{id} -> route_table::delete_project"));
}

// ---- a table that cannot be completed fails closed --------------------------

#[cors(origins = ["https://app.example.com"])]
#[get("/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}")]
async fn nine() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_table_that_cannot_be_completed_fails_closed() {
    capture_logs();
    // Each pattern is within actix-web's 16 dynamic segments; together
    // they are not, so no matcher can be built for the route.
    let cors = defaults();
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(web::scope("/{s1}/{s2}/{s3}/{s4}/{s5}/{s6}/{s7}/{s8}").service(nine))
            .route("/plain", web::get().to(HttpResponse::Ok)),
    )
    .await;
    let deep = "/1/2/3/4/5/6/7/8/a/b/c/d/e/f/g/h/i";
    let res = call(&app, preflight(deep, APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 403);
    // Never the App defaults instead: not on the route, not elsewhere.
    let res = call(&app, actual(Method::GET, deep, APP).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.get("access-control-allow-origin"), None);
    let res = call(&app, actual(Method::GET, "/plain", APP).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin"), None);
    let res = call(&app, preflight("/plain", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 403);

    let error = cors.startup_error().expect("the reason");
    let problem = &error.problems[0];
    assert_eq!(problem.handler, "route_table::nine");
    assert!(
        matches!(&problem.problem, RouteProblem::InvalidPattern(m) if m.contains("17 dynamic segments")),
        "{error}"
    );
    let lines = logged(&["CORS start-up failed", "route_table::nine"]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("ERROR"));
}

// ---- findings of the second review ------------------------------------------

#[cors(origins = ["https://app.example.com"])]
#[get("/{a}/{id:(?P<p0>\\d+)}")]
async fn named_group() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/{id:(?P<x>\\d+)}")]
async fn named_x() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn named_groups_in_regexes_never_panic() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(named_group)
            .service(web::scope("/{t:(?P<x>[a-z]+)}").service(named_x)),
    )
    .await;
    for _ in 0..2 {
        let res = call(&app, actual(Method::GET, "/x/12", APP).to_request()).await;
        assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
    }
    preflights(&app, &[("/x/12", 204), ("/x/ab", 403), ("/abc/7", 204)]).await;
}

#[cors(origins = "*")]
#[get("/doc", guard = "v1")]
async fn doc_v1() -> impl Responder {
    HttpResponse::Ok().body("v1")
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[get("/doc")]
async fn doc_v2() -> impl Responder {
    HttpResponse::Ok().body("v2 private")
}

fn v1(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("x-v1")
}

/// Middleware that runs the rest of the chain on another task.
async fn detach(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    actix_web::rt::spawn(async move { next.call(req).await })
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?
}

#[actix_web::test]
async fn the_routed_handler_decides_even_across_tasks() {
    capture_logs();
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(detach))
            .wrap(Cors::new())
            .service(doc_v1)
            .service(doc_v2),
    )
    .await;
    // Served by `doc_v2`; the lookup before routing finds `doc_v1` (`*`).
    let res = call(
        &app,
        actual(Method::GET, "/doc", "https://public.example").to_request(),
    )
    .await;
    assert_eq!(res.get("access-control-allow-origin"), None);
    let res = call(&app, actual(Method::GET, "/doc", ADMIN).to_request()).await;
    assert_eq!(
        res.get("access-control-allow-origin").as_deref(),
        Some(ADMIN)
    );
    assert!(logged(&["doc_v2", "without the Cors middleware"]).is_empty());
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[put("/admin/secrets")]
async fn put_secrets() -> impl Responder {
    HttpResponse::Ok().body("secret")
}

#[actix_web::test]
async fn normalize_path_inside_cors_never_lends_the_defaults_to_a_route() {
    capture_logs();
    let cors = Cors::builder()
        .origins([APP])
        .methods(["GET", "PUT"])
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::NormalizePath::trim())
            .wrap(cors)
            .service(put_secrets),
    )
    .await;
    for path in ["/admin/secrets", "/admin/secrets/", "//admin//secrets"] {
        let res = call(&app, preflight(path, APP, "PUT", None).to_request()).await;
        assert_eq!(res.status, 403, "{path}");
    }
    let lines = logged(&["finds `route_table::put_secrets`", "wrap it outside"]);
    assert_eq!(lines.len(), 1, "{lines:?}");
}

#[cors(origins = "*", methods = ["PUT"])]
#[put("/report")]
async fn open_report() -> impl Responder {
    HttpResponse::Ok().body("open")
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[put("/{user}/report")]
async fn user_report() -> impl Responder {
    HttpResponse::Ok().body("user")
}

#[actix_web::test]
async fn an_unconfirmed_prefix_is_checked_against_the_resource_map() {
    let cors = Cors::new();
    // No probe value satisfies this regex: the prefix stays unconfirmed.
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(web::scope("/{year:(19|20)[0-9]{2}}").service(open_report))
            .service(user_report),
    )
    .await;
    // Checked against the resource map, the year route serves its years.
    let res = call(
        &app,
        preflight("/2024/report", "https://evil.example", "PUT", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    let report = cors.report().unwrap();
    assert!(!report.route("PUT", "/{p}/report").unwrap().confirmed);
    // The loose reading also matches `/alice/report`, which the map does not
    // lead to the year route: never the year route's `*` there. Since the
    // map cannot tell a regex from a guard, the lookup is unsure and stops:
    // refused, rather than risking another route's policy (a known limit).
    for origin in ["https://evil.example", ADMIN] {
        let res = call(
            &app,
            preflight("/alice/report", origin, "PUT", None).to_request(),
        )
        .await;
        assert_eq!(res.status, 403, "{origin}");
    }
    // The actual request follows the routed handler, whatever the lookup.
    let res = call(
        &app,
        actual(Method::PUT, "/alice/report", ADMIN).to_request(),
    )
    .await;
    assert_eq!(
        res.get("access-control-allow-origin").as_deref(),
        Some(ADMIN)
    );
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[put("/{year:\\d{4}}/archive")]
async fn archive() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn common_regexes_of_scope_segments_are_confirmed() {
    let cors = Cors::new();
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(web::scope("/{year:\\d{4}}").service(open_report))
            .service(web::scope("/{id:[0-9a-f]{24}}").service(archive))
            .service(user_report),
    )
    .await;
    let res = call(
        &app,
        preflight("/alice/report", ADMIN, "PUT", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    let report = cors.report().unwrap();
    assert!(
        report
            .route("PUT", "/{year:\\d{4}}/report")
            .unwrap()
            .confirmed
    );
    let archived = "/{id:[0-9a-f]{24}}/{year:\\d{4}}/archive";
    assert!(report.route("PUT", archived).unwrap().confirmed);
}

#[cors(origins = ["https://app.example.com"])]
#[get("/p/{name}", guard = "v1")]
async fn guarded_p() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://other.example.com"])]
#[get("/p/{name}")]
async fn open_p() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn decoded_paths_never_reach_the_logs() {
    capture_logs();
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(guarded_p)
            .service(open_p),
    )
    .await;
    let res = call(
        &app,
        actual(Method::GET, "/p/x%0AERROR%20forged%20line", APP).to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert!(!logged(&["/p/x%0AERROR%20forged%20line"]).is_empty());
    assert!(logged(&["\nERROR forged"]).is_empty());
}

// ---- findings of the third review -------------------------------------------

const B: &str = "https://b.example";

mod scoped {
    use super::*;

    #[cors(origins = ["https://admin.example.com"], credentials)]
    #[get("/items")]
    pub async fn admin_items() -> impl Responder {
        HttpResponse::Ok().body("admin")
    }

    #[cors(origins = ["https://b.example"])]
    #[get("/items")]
    pub async fn tenant_items() -> impl Responder {
        HttpResponse::Ok().body("tenant")
    }
}

#[actix_web::test]
async fn another_handler_of_the_same_shape_never_lends_its_policy() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/{v:v[0-9]+}").service(scoped::admin_items))
            .service(web::scope("/{tenant}").service(scoped::tenant_items)),
    )
    .await;
    // The router sends /acme/items to `tenant_items`.
    let res = call(
        &app,
        preflight("/acme/items", ADMIN, "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.get("access-control-allow-credentials"), None);
    let res = call(
        &app,
        preflight("/v1/items", ADMIN, "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[get("/items")]
async fn v1_items() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn an_error_under_an_unconfirmed_prefix_gets_no_policy() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/{ver:v1}").service(v1_items))
            .service(
                web::scope("/{ver:v2}")
                    .wrap_fn(|req: actix_web::dev::ServiceRequest, _| {
                        let fail = req.headers().contains_key("x-fail");
                        let res = req.into_response(HttpResponse::Ok().body("plain v2"));
                        async move {
                            match fail {
                                true => Err(actix_web::error::ErrorUnauthorized("login")),
                                false => Ok(res),
                            }
                        }
                    })
                    .service(web::resource("/items").route(web::get().to(HttpResponse::Ok))),
            ),
    )
    .await;
    let res = call(
        &app,
        preflight("/v2/items", ADMIN, "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    let res = call(&app, actual(Method::GET, "/v2/items", ADMIN).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin"), None);
    let res = call(
        &app,
        actual(Method::GET, "/v2/items", ADMIN)
            .insert_header(("x-fail", "1"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status, 401);
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.get("access-control-allow-credentials"), None);
}

#[cors(origins = ["https://app.example.com"])]
#[get("/{a}/x*")]
async fn star_literal() -> impl Responder {
    HttpResponse::Ok().body("A")
}

#[cors(origins = ["https://b.example"])]
#[get("/{b}")]
async fn any_one() -> impl Responder {
    HttpResponse::Ok().body("B")
}

#[actix_web::test]
async fn a_final_literal_star_is_read_as_actix_reads_it() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(star_literal)
            .service(any_one),
    )
    .await;
    // actix-router drops the final `/x*`: `star_literal` serves `/foo`.
    let res = call(&app, atest::TestRequest::get().uri("/foo").to_request()).await;
    assert_eq!(res.status, 200);
    let res = call(&app, preflight("/foo", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
    let res = call(&app, preflight("/foo", B, "GET", None).to_request()).await;
    assert_eq!(res.status, 403);
}

#[cors(origins = ["https://app.example.com"])]
#[get("/r/{id:[](?P<]>}")]
async fn odd_class() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_class_opening_with_a_bracket_never_panics() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(odd_class)
            .route("/health", web::get().to(HttpResponse::Ok)),
    )
    .await;
    for _ in 0..2 {
        let res = call(&app, atest::TestRequest::get().uri("/health").to_request()).await;
        assert_eq!(res.status, 200);
    }
    let res = call(&app, preflight("/r/%5D%3E", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
}

#[actix_web::test]
async fn a_scope_regex_over_several_segments_never_lets_the_defaults_answer() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::builder().origins([B]).build().unwrap())
            .service(web::scope("/{org:[a-z]+/[a-z]+}").service(items)),
    )
    .await;
    let res = call(
        &app,
        atest::TestRequest::get().uri("/acme/eu/items").to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    let res = call(
        &app,
        preflight("/acme/eu/items", B, "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    let res = call(
        &app,
        preflight("/acme/eu/items", APP, "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
}

#[cors(origins = ["https://admin.example.com"], headers = ["content-type"])]
#[post("/admin/users/")]
async fn create_user() -> impl Responder {
    HttpResponse::Created().body("created")
}

#[actix_web::test]
async fn normalize_path_adding_a_slash_inside_cors_is_refused_too() {
    let cors = Cors::builder()
        .origins([B])
        .headers(["content-type"])
        .methods(["GET", "POST"])
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::NormalizePath::new(
                actix_web::middleware::TrailingSlash::Always,
            ))
            .wrap(cors)
            .service(create_user),
    )
    .await;
    let res = call(
        &app,
        preflight("/admin/users", B, "POST", Some("content-type")).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
}

#[actix_web::test]
async fn apps_built_concurrently_are_each_checked_against_their_own_routes() {
    use actix_service::{IntoServiceFactory, ServiceFactory};
    let config = actix_web::dev::AppConfig::default;
    // Both register before either starts: neither may fail for the other's
    // routes. `bare` needs App defaults, which only `b` has.
    let cors_a = Cors::new();
    let a = App::new()
        .wrap(cors_a.clone())
        .service(items)
        .into_factory()
        .new_service(config());
    let b = App::new()
        .wrap(Cors::builder().origins([APP]).build().unwrap())
        .service(bare)
        .into_factory()
        .new_service(config());
    let (a, b) = futures_util::future::join(a, b).await;
    let (a, b) = (a.expect("a starts"), b.expect("b starts"));
    assert!(cors_a.startup_error().is_none());
    let res = call(&a, preflight("/items", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
    let res = call(&b, preflight("/bare", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);

    // An invalid App built beside another is caught by its first request,
    // and fails closed.
    let cors_c = Cors::new();
    let c = App::new()
        .wrap(cors_c.clone())
        .service(bare)
        .into_factory()
        .new_service(config());
    let d = App::new()
        .wrap(Cors::new())
        .service(items)
        .into_factory()
        .new_service(config());
    let (c, _d) = futures_util::future::join(c, d).await;
    let c = c.expect("c starts: its routes are not known yet");
    let res = call(&c, preflight("/bare", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 403);
    let error = cors_c.startup_error().expect("found on the first request");
    assert!(matches!(
        error.problems[0].problem,
        RouteProblem::NoDefaults
    ));
}

// ---- start-up errors reach a user who installed no logger -------------------

#[cors]
#[get("/needs-defaults")]
async fn needs_defaults() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Runs this test binary again, as a program without a logger would run,
/// and reads what it prints.
#[actix_web::test]
async fn a_start_up_error_is_printed_without_a_logger() {
    const CHILD: &str = "CORS_ACTIX_STARTUP_CHILD";
    if std::env::var_os(CHILD).is_some() {
        // The child: no logger; the App cannot start.
        let _ = atest::init_service(App::new().wrap(Cors::new()).service(needs_defaults)).await;
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_start_up_error_is_printed_without_a_logger",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // actix-web's own panic says only `()`; the reason comes first.
    assert!(!output.status.success());
    assert!(stderr.contains("service initialization failed"), "{stderr}");
    let reason = "[cors_actix] CORS start-up failed:\n  - `route_table::needs_defaults` (GET /needs-defaults): needs App defaults";
    assert!(stderr.contains(reason), "{stderr}");
    assert!(
        stderr.contains("`Cors::startup_error()` returns it"),
        "{stderr}"
    );
}

// ---- findings of the fourth review ------------------------------------------

mod tenant {
    use super::*;

    #[cors(origins = ["https://app.example.com"], credentials, headers = ["x-api"])]
    #[get("/items")]
    pub async fn list() -> impl Responder {
        HttpResponse::Ok().body("tenant items")
    }
}

mod admin {
    use super::*;

    /// No `#[cors]`: no CORS under `Cors::new()`. Same function name, so the
    /// same resource name, as `tenant::list`.
    #[get("/admin/items")]
    pub async fn list() -> impl Responder {
        HttpResponse::Ok().body("ADMIN SECRET")
    }
}

#[actix_web::test]
async fn a_shared_resource_name_never_lends_a_policy() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/{tenant:[A-Z]{3}}").service(tenant::list))
            .service(admin::list),
    )
    .await;
    let res = call(&app, actual(Method::GET, "/admin/items", APP).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.get("access-control-allow-credentials"), None);
    let res = call(
        &app,
        preflight("/admin/items", APP, "GET", Some("x-api")).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    // The tenant route itself is still found.
    let res = call(
        &app,
        preflight("/ABC/items", APP, "GET", Some("x-api")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
}

mod versions {
    use super::*;

    pub mod v1 {
        use super::*;

        #[cors(origins = ["https://admin.example.com"], credentials)]
        #[get("/items")]
        pub async fn list() -> impl Responder {
            HttpResponse::Ok().finish()
        }
    }

    pub mod v2 {
        use super::*;

        #[cors(origins = ["https://b.example"])]
        #[get("/items")]
        pub async fn list() -> impl Responder {
            HttpResponse::Ok().finish()
        }
    }
}

#[actix_web::test]
async fn same_named_handlers_under_regex_scopes_keep_their_policies() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/{ver:v1}").service(versions::v1::list))
            .service(web::scope("/{ver:v2}").service(versions::v2::list)),
    )
    .await;
    // Never v1's credentialed policy on v2's path.
    let res = call(
        &app,
        preflight("/v2/items", ADMIN, "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.get("access-control-allow-credentials"), None);
    let res = call(
        &app,
        preflight("/v1/items", ADMIN, "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
}

static SIDE_EFFECTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn public_host(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get("host")
        .is_some_and(|h| h == "public.example.com")
}

#[cors(origins = "*")]
#[post("/action", guard = "public_host")]
async fn public_action() -> impl Responder {
    HttpResponse::Ok().body("public")
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[post("/action")]
async fn admin_action() -> impl Responder {
    SIDE_EFFECTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn strict_mode_refuses_when_any_route_the_guards_may_pick_refuses() {
    let cors = Cors::builder().strict(true).build().unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors)
            .service(public_action)
            .service(admin_action),
    )
    .await;
    let form = actual(Method::POST, "/action", "https://evil.example")
        .insert_header(("host", "admin.example.com"))
        .insert_header(("content-type", "application/x-www-form-urlencoded"));
    let res = call(&app, form.to_request()).await;
    assert_eq!(res.status, 403);
    assert_eq!(SIDE_EFFECTS.load(std::sync::atomic::Ordering::SeqCst), 0);

    // `http://` is another origin than `https://` on the same host.
    let res = call(
        &app,
        actual(Method::POST, "/action", "http://admin.example.com")
            .insert_header(("host", "admin.example.com"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(SIDE_EFFECTS.load(std::sync::atomic::Ordering::SeqCst), 0);
    // The allowed origin passes, and the handler runs.
    let res = call(&app, actual(Method::POST, "/action", ADMIN).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(SIDE_EFFECTS.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[cors(origins = "*")]
#[get("/prices")]
async fn prices() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_repeated_origin_on_a_public_route_is_never_cached_for_others() {
    let app = atest::init_service(App::new().wrap(Cors::new()).service(prices)).await;
    let res = call(
        &app,
        actual(Method::GET, "/prices", APP)
            .append_header(("origin", B))
            .to_request(),
    )
    .await;
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.vary(), ["Origin"]);
}

#[cors(origins = ["https://admin.example.com"])]
#[get("/secrets")]
async fn admin_secrets() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn an_error_under_normalize_path_inside_cors_never_gets_the_defaults() {
    let cors = Cors::builder()
        .origins([APP])
        .credentials(true)
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::NormalizePath::trim())
            .wrap(cors)
            .service(
                web::scope("/admin")
                    .wrap_fn(|_req, _| async {
                        Err::<actix_web::dev::ServiceResponse, _>(
                            actix_web::error::ErrorUnauthorized("login"),
                        )
                    })
                    .service(admin_secrets),
            ),
    )
    .await;
    for path in ["/admin/secrets", "/admin/secrets/", "/admin//secrets"] {
        let res = call(&app, actual(Method::GET, path, APP).to_request()).await;
        assert_eq!(res.status, 401, "{path}");
        assert_eq!(res.get("access-control-allow-origin"), None, "{path}");
    }
}

#[actix_web::test]
async fn an_error_without_origin_on_a_public_route_still_answers_star() {
    let app = atest::init_service(
        App::new().wrap(Cors::new()).service(
            web::scope("/pub")
                .wrap_fn(|_req, _| async {
                    Err::<actix_web::dev::ServiceResponse, _>(
                        actix_web::error::ErrorTooManyRequests("slow down"),
                    )
                })
                .service(prices),
        ),
    )
    .await;
    let res = call(
        &app,
        atest::TestRequest::get().uri("/pub/prices").to_request(),
    )
    .await;
    assert_eq!(res.status, 429);
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some("*"));
}

// ---- findings of the fifth review -------------------------------------------

#[cors(origins = ["https://evil.example"], credentials)]
#[get("/items")]
async fn lang_items() -> impl Responder {
    HttpResponse::Ok().body("lang_items")
}

/// No `#[cors]`: under `Cors::new()` it gets no CORS at all.
#[get("/{a}/{b}/items")]
async fn deep_items() -> impl Responder {
    HttpResponse::Ok().body("deep_items SECRET")
}

const EVIL: &str = "https://evil.example";

#[actix_web::test]
async fn the_rest_of_the_path_must_match_the_routes_own_pattern() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(deep_items)
            .service(web::scope("/{lang:en|fr}").service(lang_items)),
    )
    .await;
    let res = call(&app, actual(Method::GET, "/en/x/items", EVIL).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.get("access-control-allow-credentials"), None);
    let res = call(
        &app,
        preflight("/en/x/items", EVIL, "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    // The language route itself.
    let res = call(&app, preflight("/fr/items", EVIL, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
}

#[cors(origins = ["https://evil.example"])]
#[post("/items")]
async fn lang_create() -> impl Responder {
    HttpResponse::Created().finish()
}

static STRICT_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[post("/{x}/items")]
async fn any_create() -> impl Responder {
    STRICT_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Created().finish()
}

#[post("/{a}/{b}/items")]
async fn deep_create() -> impl Responder {
    STRICT_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Created().finish()
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[post("/transfer")]
async fn strict_transfer() -> impl Responder {
    STRICT_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Ok().body("moved money")
}

#[actix_web::test]
async fn strict_mode_never_trusts_an_unsure_or_failed_lookup() {
    let strict = || Cors::builder().strict(true).build().unwrap();
    let runs = || STRICT_RUNS.load(std::sync::atomic::Ordering::SeqCst);

    // Unsure: the language route matches `/de/items` only loosely.
    let app = atest::init_service(
        App::new()
            .wrap(strict())
            .service(web::scope("/{lang:en|fr}").service(lang_create))
            .service(any_create),
    )
    .await;
    let res = call(&app, actual(Method::POST, "/de/items", EVIL).to_request()).await;
    assert_eq!(res.status, 403);
    let res = call(&app, actual(Method::POST, "/fr/items", EVIL).to_request()).await;
    assert_eq!(res.status, 201);

    // A prefix cut that leaves a rest the route does not match.
    let app = atest::init_service(
        App::new()
            .wrap(strict())
            .service(deep_create)
            .service(web::scope("/{lang:en|fr}").service(lang_create)),
    )
    .await;
    let res = call(&app, actual(Method::POST, "/en/x/items", EVIL).to_request()).await;
    assert_eq!(res.status, 403);
    assert_eq!(res.get("access-control-allow-origin"), None);

    // A table that failed closed keeps strict mode.
    let cors = strict();
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(web::scope("/{s1}/{s2}/{s3}/{s4}/{s5}/{s6}/{s7}/{s8}").service(nine))
            .service(strict_transfer),
    )
    .await;
    let res = call(&app, actual(Method::POST, "/transfer", EVIL).to_request()).await;
    assert_eq!(res.status, 403);
    assert!(cors.startup_error().is_some());
    assert_eq!(runs(), 0, "no refused request reached a handler");
}

#[actix_web::test]
async fn a_path_of_many_slashes_is_answered() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(web::scope("/{lang:en|fr}").service(web::scope("/api").service(items))),
    )
    .await;
    // Loosely read, the prefix could end at any slash; only the first ones
    // are looked at.
    let path = format!("/{}api/items", "a/".repeat(4000));
    let res = call(&app, preflight(&path, APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 403);
    let res = call(
        &app,
        preflight("/en/api/items", APP, "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
}

// ---- findings of the sixth review -------------------------------------------

static DELETES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cors(origins = ["https://admin.example.com"], credentials)]
#[post("/admin/delete")]
async fn admin_delete() -> impl Responder {
    DELETES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn strict_mode_holds_with_normalize_path_inside_cors() {
    use actix_web::middleware::{NormalizePath, TrailingSlash};
    for trailing in [TrailingSlash::Trim, TrailingSlash::MergeOnly] {
        let cors = Cors::builder().origins(["*"]).strict(true).build().unwrap();
        let app = atest::init_service(
            App::new()
                .wrap(NormalizePath::new(trailing))
                .wrap(cors)
                .service(admin_delete),
        )
        .await;
        for path in ["/admin/delete", "/admin//delete", "//admin/delete"] {
            let res = call(&app, actual(Method::POST, path, EVIL).to_request()).await;
            assert_eq!(res.status, 403, "{path}");
        }
        // The route's own origin still passes.
        let res = call(
            &app,
            actual(Method::POST, "/admin//delete", ADMIN).to_request(),
        )
        .await;
        assert_eq!(res.status, 200);
    }
    assert_eq!(DELETES.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[cors(origins = ["https://admin.example.com"], credentials, headers = ["content-type"])]
#[post("/x")]
async fn inner_x() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn an_attached_scope_never_answers_for_its_annotated_routes() {
    let app = atest::init_service(
        App::new().wrap(Cors::new()).service(attach(
            "/s/{tail:.*}",
            ["GET", "POST"],
            CorsPolicy::new()
                .origins([APP])
                .credentials(true)
                .headers(["content-type"]),
            web::scope("/s")
                .service(inner_x)
                .route("/other", web::post().to(HttpResponse::Ok)),
        )),
    )
    .await;
    // The annotated route inside decides its own preflights.
    let res = call(
        &app,
        preflight("/s/x", APP, "POST", Some("content-type")).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    let res = call(
        &app,
        preflight("/s/x", ADMIN, "POST", Some("content-type")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    // The rest of the scope follows the attached policy.
    let res = call(
        &app,
        preflight("/s/other", APP, "POST", Some("content-type")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
}

// ---- findings of the seventh review -----------------------------------------

static GUARDED_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn count_guarded() -> HttpResponse {
    GUARDED_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Ok().body("side effect")
}

fn signed(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("x-signature")
}

#[cors(origins = "*")]
#[post("/hook", guard = "signed")]
async fn webhook() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn strict_mode_holds_when_a_guard_passes_the_annotated_route_over() {
    let strict = || Cors::builder().strict(true).build().unwrap();
    let runs = || GUARDED_RUNS.load(std::sync::atomic::Ordering::SeqCst);
    let app = atest::init_service(
        App::new()
            .wrap(strict())
            .service(webhook)
            .route("/hook", web::post().to(|| async { count_guarded() })),
    )
    .await;
    let res = call(&app, actual(Method::POST, "/hook", EVIL).to_request()).await;
    assert_eq!(res.status, 403);
    let app = atest::init_service(
        App::new()
            .wrap(strict())
            .service(
                web::scope("")
                    .guard(actix_web::guard::Header("x-api", "1"))
                    .service(webhook),
            )
            .default_service(web::to(|| async { count_guarded() })),
    )
    .await;
    let res = call(&app, actual(Method::POST, "/hook", EVIL).to_request()).await;
    assert_eq!(res.status, 403);
    assert_eq!(runs(), 0);
}

static REWRITTEN_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cors(origins = ["https://admin.example.com"], credentials)]
#[post("/admin/remove")]
async fn admin_remove() -> impl Responder {
    REWRITTEN_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

#[cors(origins = "*")]
#[post("/admin/{tail:.*}")]
async fn admin_public() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = "*")]
#[post("/doc")]
async fn doc_comment() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[actix_web::delete("/doc")]
async fn doc_delete() -> impl Responder {
    REWRITTEN_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn strict_mode_is_checked_again_by_the_route_the_router_picks() {
    use actix_web::dev::Service;
    use actix_web::middleware::{NormalizePath, TrailingSlash};
    let strict = || Cors::builder().strict(true).build().unwrap();
    let runs = || REWRITTEN_RUNS.load(std::sync::atomic::Ordering::SeqCst);
    // A path rewritten inside `Cors`: as sent, it finds the `*` route.
    for (trailing, path) in [
        (TrailingSlash::Trim, "/admin/remove/"),
        (TrailingSlash::MergeOnly, "/admin//remove"),
    ] {
        let app = atest::init_service(
            App::new()
                .wrap(NormalizePath::new(trailing))
                .wrap(strict())
                .service(admin_remove)
                .service(admin_public),
        )
        .await;
        let res = call(&app, actual(Method::POST, path, EVIL).to_request()).await;
        assert_eq!(res.status, 403, "{path}");
        assert_eq!(res.get("access-control-allow-origin"), None);
        let res = call(&app, actual(Method::POST, path, ADMIN).to_request()).await;
        assert_eq!(res.status, 200, "{path}");
    }
    // A method rewritten inside `Cors`.
    let app = atest::init_service(
        App::new()
            .wrap_fn(|mut req: actix_web::dev::ServiceRequest, srv| {
                if req.query_string().contains("_method=DELETE") {
                    req.head_mut().method = Method::DELETE;
                }
                srv.call(req)
            })
            .wrap(strict())
            .service(doc_comment)
            .service(doc_delete),
    )
    .await;
    let res = call(
        &app,
        actual(Method::POST, "/doc?_method=DELETE", EVIL).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    let res = call(&app, actual(Method::POST, "/doc", EVIL).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(runs(), 2, "only the admin origin's requests ran");
}

// ---- findings of the eighth review ------------------------------------------

static NORMALISED_PUTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cors(origins = ["https://admin.example.com"], credentials)]
#[put("/things/{id}")]
async fn put_thing() -> impl Responder {
    NORMALISED_PUTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_catch_all_never_lets_the_defaults_answer_for_a_normalised_path() {
    use actix_web::middleware::{NormalizePath, TrailingSlash};
    let defaults = Cors::builder()
        .origins([APP])
        .methods(["GET", "PUT"])
        .credentials(true)
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .wrap(defaults)
            .service(put_thing)
            // An SPA fallback: a GET catch-all, which the resource map
            // matches for every path whatever the method.
            .service(
                web::resource("/{tail:.*}")
                    .route(web::get().to(|| async { HttpResponse::Ok().body("index.html") })),
            ),
    )
    .await;
    for path in ["/things/7", "/things/7/", "/things//7"] {
        let res = call(&app, preflight(path, APP, "PUT", None).to_request()).await;
        assert_eq!(res.status, 403, "{path}");
    }
    let res = call(
        &app,
        preflight("/things/7/", ADMIN, "PUT", None).to_request(),
    )
    .await;
    assert_eq!(
        res.status, 403,
        "refused, with a warning to wrap NormalizePath outside"
    );
}

static GET_DELETES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cors(origins = "*")]
#[get("/page")]
async fn page_get() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[actix_web::delete("/page")]
async fn page_delete() -> impl Responder {
    GET_DELETES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn strict_mode_sees_a_get_rewritten_to_delete() {
    use actix_web::dev::Service;
    let app = atest::init_service(
        App::new()
            .wrap_fn(|mut req: actix_web::dev::ServiceRequest, srv| {
                if req.query_string().contains("_method=DELETE") {
                    req.head_mut().method = Method::DELETE;
                }
                srv.call(req)
            })
            .wrap(Cors::builder().strict(true).build().unwrap())
            .service(page_get)
            .service(page_delete),
    )
    .await;
    let res = call(
        &app,
        actual(Method::GET, "/page?_method=DELETE", EVIL).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    let res = call(&app, actual(Method::GET, "/page", EVIL).to_request()).await;
    assert_eq!(res.status, 200);
    let res = call(
        &app,
        actual(Method::GET, "/page?_method=DELETE", ADMIN).to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(GET_DELETES.load(std::sync::atomic::Ordering::SeqCst), 1);
}

// ---- findings of the ninth review -------------------------------------------

fn partner(origin: &str) -> bool {
    origin.ends_with(".partner.example")
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[get("/own-origins")]
async fn own_origins() -> impl Responder {
    HttpResponse::Ok().body("secret")
}

cors_policy! {
    ADMIN_ONLY { origins = ["https://admin.example.com"], credentials }
}

#[cors(policy = ADMIN_ONLY, max_age = 600)]
#[get("/named-origins")]
async fn named_origins() -> impl Responder {
    HttpResponse::Ok().body("secret")
}

#[actix_web::test]
async fn a_routes_own_origins_take_nothing_from_the_defaults_origin_keys() {
    let partner_origin = "https://evil.partner.example";
    let cors = Cors::builder()
        .origins([APP])
        .origin_fn(partner)
        .dev_origins(["http://localhost:*"])
        .strict(true)
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(own_origins)
            .service(named_origins)
            .route("/plain", web::get().to(HttpResponse::Ok)),
    )
    .await;
    for path in ["/own-origins", "/named-origins"] {
        for origin in [partner_origin, "http://localhost:3000", APP] {
            let res = call(&app, actual(Method::GET, path, origin).to_request()).await;
            assert_eq!(
                res.get("access-control-allow-origin"),
                None,
                "{path} {origin}"
            );
        }
        let res = call(&app, actual(Method::GET, path, ADMIN).to_request()).await;
        assert_eq!(
            res.get("access-control-allow-origin").as_deref(),
            Some(ADMIN)
        );
    }
    // The defaults keep all three for routes without origins of their own.
    let res = call(
        &app,
        actual(Method::GET, "/plain", partner_origin).to_request(),
    )
    .await;
    assert_eq!(
        res.get("access-control-allow-origin").as_deref(),
        Some(partner_origin)
    );
    let report = cors.report().unwrap();
    let route = report.route("GET", "/own-origins").unwrap();
    assert!(!route
        .policy
        .as_ref()
        .unwrap()
        .to_string()
        .contains("origin_fn"));
}

// ---- findings of the tenth review -------------------------------------------

static ITEM_DELETES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cors(origins = ["https://admin.example.com"], headers = ["content-type"], credentials)]
#[actix_web::delete("/stock/{id}")]
async fn delete_stock() -> impl Responder {
    ITEM_DELETES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::NoContent().finish()
}

#[actix_web::test]
async fn the_defaults_never_list_a_method_an_annotated_route_serves_there() {
    let partner = "https://partner.example.com";
    let cors = Cors::builder()
        .origins([partner])
        .methods(["GET", "POST", "PUT", "DELETE"])
        .headers(["content-type"])
        .credentials(true)
        .max_age(600)
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors)
            .service(delete_stock)
            .route("/elsewhere", web::put().to(HttpResponse::Ok)),
    )
    .await;
    let res = call(
        &app,
        preflight("/stock/1", partner, "DELETE", Some("content-type")).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    // The defaults answer PUT here, and list only PUT: no DELETE to cache.
    let res = call(
        &app,
        preflight("/stock/1", partner, "PUT", Some("content-type")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        res.get("access-control-allow-methods").as_deref(),
        Some("PUT")
    );
    // Where no annotated route serves the path, the defaults' list stands.
    let res = call(
        &app,
        preflight("/elsewhere", partner, "PUT", Some("content-type")).to_request(),
    )
    .await;
    assert_eq!(
        res.get("access-control-allow-methods").as_deref(),
        Some("GET, POST, PUT, DELETE")
    );
}

#[cors(
    origins = ["https://partner.example.com"],
    methods = ["GET", "DELETE"],
    headers = ["x-requested-with"],
    max_age = 600
)]
#[routes]
#[get("/gadgets/{id}")]
#[delete("/mine/{id}")]
async fn gadgets() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn each_route_attribute_lists_only_its_own_methods() {
    let partner = "https://partner.example.com";
    let app = atest::init_service(App::new().wrap(Cors::new()).service(gadgets)).await;
    let res = call(
        &app,
        preflight("/gadgets/1", partner, "GET", Some("x-requested-with")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        res.get("access-control-allow-methods").as_deref(),
        Some("GET")
    );
    let res = call(
        &app,
        preflight("/mine/1", partner, "DELETE", None).to_request(),
    )
    .await;
    assert_eq!(
        res.get("access-control-allow-methods").as_deref(),
        Some("DELETE")
    );
}

#[actix_web::test]
async fn an_attach_without_methods_stops_start_up() {
    let cors = Cors::new();
    let app = App::new().wrap(cors.clone()).service(attach(
        "/x",
        Vec::<String>::new(),
        CorsPolicy::new().origins([APP]),
        web::resource("/x").route(web::get().to(HttpResponse::Ok)),
    ));
    assert!(start_up_fails(app).await);
    let error = cors.startup_error().unwrap();
    assert!(matches!(error.problems[0].problem, RouteProblem::NoMethods));
}

// ---- findings of the eleventh review ----------------------------------------

const PARTNER: &str = "https://partner.example.com";

#[cors(origins = ["https://partner.example.com"], methods = ["*"], max_age = 600)]
#[get("/w/{id}")]
async fn w_get() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://admin.example.com"])]
#[delete("/w/{id}")]
async fn w_delete() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[cors(origins = ["https://partner.example.com"], headers = ["x-token"], max_age = 600)]
#[get("/h/{id}")]
async fn h_get() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://partner.example.com"], max_age = 600)]
#[post("/h/{id}")]
async fn h_post() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://partner.example.com"], headers = ["x-token"], max_age = 600)]
#[get("/same/{id}")]
async fn same_get() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://partner.example.com"], headers = ["x-token"], max_age = 600)]
#[put("/same/{id}")]
async fn same_put() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_preflight_answer_other_routes_of_the_url_would_refuse_is_not_cached() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(w_get)
            .service(w_delete)
            .service(h_get)
            .service(h_post)
            .service(same_get)
            .service(same_put),
    )
    .await;
    // `*` methods beside an admin-only DELETE: answered, never cached.
    let res = call(&app, preflight("/w/1", PARTNER, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("0"));
    // A header the POST route refuses: never cached for the URL.
    let res = call(
        &app,
        preflight("/h/1", PARTNER, "GET", Some("x-token")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("0"));
    // Routes that grant the same: cached as configured.
    let res = call(
        &app,
        preflight("/same/1", PARTNER, "PUT", Some("x-token")).to_request(),
    )
    .await;
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("600"));
}

#[cors(origins = ["https://partner.example.com"], credentials, headers = ["content-type"])]
#[post("/c/{id}")]
async fn c_post() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn defaults_answers_other_routes_of_the_url_would_refuse_are_not_cached() {
    let cors = Cors::builder()
        .origins([PARTNER])
        .methods(["GET", "PUT"])
        .headers(["content-type", "x-api-key", "authorization"])
        .credentials(true)
        .max_age(600)
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors)
            .service(c_post)
            .route("/c/{id}", web::put().to(HttpResponse::Ok)),
    )
    .await;
    let res = call(
        &app,
        preflight("/c/1", PARTNER, "PUT", Some("x-api-key")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        res.get("access-control-allow-methods").as_deref(),
        Some("PUT")
    );
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("0"));
}

// ---- findings of the twelfth review -----------------------------------------

#[cors(origins = ["https://partner.example.com"], methods = ["*"], headers = "*", max_age = 600)]
#[get("/b/{id}")]
async fn b_get() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_wildcard_method_list_is_sent_as_the_routes_own_methods() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(b_get)
            .route("/b/{id}", web::delete().to(HttpResponse::Ok)),
    )
    .await;
    let res = call(
        &app,
        preflight("/b/1", PARTNER, "GET", Some("x-anything")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    // Never `*`, which a browser would cache for the DELETE too.
    assert_eq!(
        res.get("access-control-allow-methods").as_deref(),
        Some("GET")
    );
}

// ---- markers and the handler's own pattern ---------------------------------

/// Its own pattern matches any one segment, marker paths included.
#[cors(origins = ["https://admin.example.com"])]
#[get("/{name}")]
async fn by_name() -> impl Responder {
    HttpResponse::Ok().body("by name")
}

/// Two routes of one handler, the second taking any path.
#[cors(origins = ["https://admin.example.com"])]
#[routes]
#[get("/fixed")]
#[post("/{rest:.*}")]
async fn fixed_or_rest() -> impl Responder {
    HttpResponse::Ok().body("fixed or rest")
}

/// A marker goes after its handler unless one of the handler's own
/// patterns would take the marker's path: the route is then still found
/// exactly, its prefix confirmed by the resource map.
#[actix_web::test]
async fn a_handler_whose_pattern_takes_its_marker_path_is_still_confirmed() {
    let cors = Cors::new();
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(web::scope("/people/{team}").service(by_name))
            .service(web::scope("/any").service(fixed_or_rest)),
    )
    .await;
    for (path, method) in [
        ("/people/a/bob", "GET"),
        ("/any/fixed", "GET"),
        ("/any/x/y", "POST"),
    ] {
        let res = call(&app, preflight(path, ADMIN, method, None).to_request()).await;
        assert_eq!(res.status, 204, "{method} {path}");
        let res = call(&app, preflight(path, APP, method, None).to_request()).await;
        assert_eq!(res.status, 403, "{method} {path}");
    }
    let report = cors.report().expect("report");
    for (method, pattern) in [
        ("GET", "/people/{team}/{name}"),
        ("GET", "/any/fixed"),
        ("POST", "/any/{rest:.*}"),
    ] {
        let route = report.route(method, pattern).expect(pattern);
        assert!(route.confirmed, "{method} {pattern}");
    }
}

// ---- a second dispatch, and strict mode across tasks --------------------------

/// A 404 for a partner, after yielding once, so that the App's `Cors` polls
/// its inner future again.
#[cors(origins = ["https://partner.example"], credentials)]
#[get("/public/{name}")]
async fn public_file() -> impl Responder {
    actix_web::rt::task::yield_now().await;
    HttpResponse::NotFound().finish()
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[get("/private")]
async fn private_page() -> impl Responder {
    HttpResponse::Ok().body("secret")
}

/// Dispatches a 404 once more, to `/private`, as a fallback middleware
/// might: the second route is picked in a later poll of the same request.
async fn fall_back_to_private(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() != 404 {
        return Ok(res.map_into_boxed_body());
    }
    let (http, _) = res.into_parts();
    let mut req = actix_web::dev::ServiceRequest::from_request(http);
    let uri: actix_web::http::Uri = "/private".parse().expect("a path");
    req.head_mut().uri = uri.clone();
    req.match_info_mut().reset();
    req.match_info_mut().get_mut().update(&uri);
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The response follows the route that produced it, even when the router
/// picked it in a later poll than the first route.
#[actix_web::test]
async fn a_second_dispatch_in_a_later_poll_decides_the_response() {
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(fall_back_to_private))
            .wrap(Cors::new())
            .service(public_file)
            .service(private_page),
    )
    .await;
    let partner = "https://partner.example";
    let res = call(&app, actual(Method::GET, "/public/x", partner).to_request()).await;
    assert_eq!(res.status, 200, "served by `private_page`");
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.get("access-control-allow-credentials"), None);
    let res = call(&app, actual(Method::GET, "/public/x", ADMIN).to_request()).await;
    assert_eq!(
        res.get("access-control-allow-origin").as_deref(),
        Some(ADMIN)
    );
}

#[cors(origins = "*")]
#[get("/page")]
async fn scoped_page_get() -> impl Responder {
    HttpResponse::Ok().body("page")
}

static SCOPED_DELETES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cors(origins = ["https://admin.example.com"], credentials)]
#[delete("/page")]
async fn scoped_page_delete() -> impl Responder {
    SCOPED_DELETES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    HttpResponse::Ok().body("deleted")
}

/// A strict App `Cors` lets a GET through before routing; a method override
/// inside it makes it a DELETE, which a non-strict scope `Cors` routes on
/// another task. The routed handler's check still refuses it.
#[actix_web::test]
async fn strict_mode_holds_under_a_non_strict_scope_cors_on_another_task() {
    let strict = Cors::builder().strict(true).build().unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(detach))
            .wrap_fn(|mut req, srv| {
                if req.query_string().contains("_method=DELETE") {
                    req.head_mut().method = Method::DELETE;
                }
                actix_web::dev::Service::call(srv, req)
            })
            .wrap(strict)
            .service(
                web::scope("/s")
                    .wrap(Cors::new())
                    .service(scoped_page_get)
                    .service(scoped_page_delete),
            ),
    )
    .await;
    let before = SCOPED_DELETES.load(std::sync::atomic::Ordering::SeqCst);
    let req = actual(
        Method::GET,
        "/s/page?_method=DELETE",
        "https://evil.example",
    );
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.status, 403);
    assert_eq!(
        SCOPED_DELETES.load(std::sync::atomic::Ordering::SeqCst),
        before,
        "the handler never runs"
    );
}

#[cors(origins = ["https://app.example.com"])]
#[get("/")]
async fn root_page() -> impl Responder {
    HttpResponse::Ok().body("home")
}

#[cors(origins = ["https://evil.example"], credentials)]
#[actix_web::route("/", method = "GET", method = "CONNECT")]
async fn root_for_connect() -> impl Responder {
    HttpResponse::Ok().body("root")
}

/// Middleware inside `Cors` that refuses every request with an error, whose
/// response `Cors` never sees.
fn refuse_all(
    _req: actix_web::dev::ServiceRequest,
    _srv: &impl actix_web::dev::Service<actix_web::dev::ServiceRequest>,
) -> impl std::future::Future<Output = Result<actix_web::dev::ServiceResponse, actix_web::Error>> {
    async { Err(actix_web::error::ErrorUnauthorized("login")) }
}

/// An error's response reads the request's path as the router does, in
/// every form of request target: `GET http://host` (no path) is `/`.
#[actix_web::test]
async fn an_error_for_an_absolute_form_target_follows_the_routers_path() {
    let app = atest::init_service(
        App::new()
            .wrap_fn(refuse_all)
            .wrap(Cors::new())
            .service(root_page),
    )
    .await;
    for target in ["/", "http://localhost/", "http://localhost"] {
        let res = call(&app, actual(Method::GET, target, APP).to_request()).await;
        assert_eq!(res.status, 401, "{target}");
        assert_eq!(
            res.get("access-control-allow-origin").as_deref(),
            Some(APP),
            "{target}"
        );
    }
}

/// `CONNECT host:443` has the path `` for the router, which no route
/// matches: its error's response borrows no route's policy.
#[actix_web::test]
async fn an_error_for_an_authority_form_target_borrows_no_policy() {
    let refused = atest::init_service(
        App::new()
            .wrap_fn(refuse_all)
            .wrap(Cors::new())
            .service(root_for_connect),
    )
    .await;
    let served = atest::init_service(App::new().wrap(Cors::new()).service(root_for_connect)).await;
    let connect = || actual(Method::CONNECT, "example.com:443", "https://evil.example");
    let res = call(&served, connect().to_request()).await;
    assert_eq!(res.status, 404, "the router never picks `/` for it");
    assert_eq!(res.get("access-control-allow-origin"), None);
    let res = call(&refused, connect().to_request()).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.get("access-control-allow-credentials"), None);
}

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/app/{id}")]
async fn app_entry(id: web::Path<u32>) -> impl Responder {
    match *id {
        0 => HttpResponse::Ok()
            .insert_header(("x-page", "entry"))
            .finish(),
        _ => HttpResponse::NotFound().finish(),
    }
}

#[cors(origins = "*")]
#[get("/open/page")]
async fn open_page() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "open"))
        .finish()
}

async fn spa_page() -> impl Responder {
    HttpResponse::Ok().insert_header(("x-page", "spa")).finish()
}

/// A second dispatch that reaches no witness must not keep the policy of
/// the route the first one reached: the page that finally answered decides.
#[actix_web::test]
async fn a_fallback_to_an_unannotated_page_keeps_no_policy_of_the_first_route() {
    const PARTNER: &str = "https://partner.example";
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spa_fallback))
            .wrap(Cors::new())
            .service(app_entry)
            .service(open_page)
            .route("/index.html", web::get().to(spa_page)),
    )
    .await;
    let res = call(
        &app,
        actual(Method::GET, "/index.html", PARTNER).to_request(),
    )
    .await;
    assert_eq!(res.get("access-control-allow-origin"), None, "no policy");
    // `/app/7` is a 404 of `app_entry`, served again as `/index.html`.
    let res = call(&app, actual(Method::GET, "/app/7", PARTNER).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.get("x-page").as_deref(), Some("spa"));
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.get("access-control-allow-credentials"), None);
    // Served again by an annotated page: its witness speaks for it.
    let req = actual(Method::GET, "/app/7?fallback=/open/page", PARTNER);
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("open"));
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some("*"));
    assert_eq!(res.get("access-control-allow-credentials"), None);
    // Served again by the same route, on another path: still its policy.
    let req = actual(Method::GET, "/app/7?fallback=/app/0", PARTNER);
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("entry"));
    assert_eq!(
        res.get("access-control-allow-origin").as_deref(),
        Some(PARTNER)
    );
    assert_eq!(
        res.get("access-control-allow-credentials").as_deref(),
        Some("true")
    );
}

#[cors(origins = ["https://partner.example"], credentials)]
#[post("/form")]
async fn form_post() -> impl Responder {
    HttpResponse::NotFound().finish()
}

async fn form_page() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "form"))
        .finish()
}

/// On a 404, the same path again as a `GET`.
async fn as_get(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<actix_web::body::BoxBody>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() != actix_web::http::StatusCode::NOT_FOUND {
        return Ok(res);
    }
    let path = res.request().uri().to_string();
    next.call(again(res, &path, Some(Method::GET))).await
}

/// Dispatched again with another method, to an unannotated route on the
/// same path: the first route's pattern matches, its method does not.
#[actix_web::test]
async fn a_second_dispatch_with_another_method_keeps_no_policy_of_the_first_route() {
    const PARTNER: &str = "https://partner.example";
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(as_get))
            .wrap(Cors::new())
            .service(form_post)
            .route("/form", web::get().to(form_page)),
    )
    .await;
    let res = call(&app, actual(Method::GET, "/form", PARTNER).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin"), None, "no policy");
    let res = call(&app, actual(Method::POST, "/form", PARTNER).to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("form"));
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.get("access-control-allow-credentials"), None);
}

#[cors(origins = ["https://app.example.com"])]
#[get("/docs/index")]
async fn docs_index() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "index"))
        .finish()
}

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/docs/{name}")]
async fn docs_named() -> impl Responder {
    HttpResponse::NotFound().finish()
}

/// On a 404, `/docs/index`, dispatched on a task of its own.
async fn spawned_fallback(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<actix_web::body::BoxBody>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() != actix_web::http::StatusCode::NOT_FOUND {
        return Ok(res);
    }
    let req = again(res, "/docs/index", None);
    actix_web::rt::spawn(async move { next.call(req).await })
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?
}

/// Two witnesses report, one on `Cors`'s task and one on another, and both
/// routes' patterns match the final path: the later report is the handler
/// that answered.
#[actix_web::test]
async fn of_two_dispatches_on_two_tasks_the_later_decides() {
    const PARTNER: &str = "https://partner.example";
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::from_fn(spawned_fallback))
            .wrap(Cors::new())
            .service(docs_index)
            .service(docs_named),
    )
    .await;
    let res = call(
        &app,
        actual(Method::GET, "/docs/missing", PARTNER).to_request(),
    )
    .await;
    assert_eq!(res.get("x-page").as_deref(), Some("index"));
    assert_eq!(res.get("access-control-allow-origin"), None);
    assert_eq!(res.get("access-control-allow-credentials"), None);
    let res = call(&app, actual(Method::GET, "/docs/missing", APP).to_request()).await;
    assert_eq!(res.get("x-page").as_deref(), Some("index"));
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
}

#[cors(origins = ["https://partner.example"], credentials)]
#[get("/x")]
async fn shared_x() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "shared"))
        .finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/x", guard = "alt_header")]
async fn guarded_x() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-page", "guarded"))
        .finish()
}

fn alt_header(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("x-alt")
}

/// A handler registered in two scopes is two routes with one report; a
/// path `NormalizePath` inside `Cors` changed is checked against both.
#[actix_web::test]
async fn a_handler_in_two_scopes_keeps_its_policy_when_the_path_is_normalised() {
    const PARTNER: &str = "https://partner.example";
    let app = atest::init_service(
        App::new()
            .wrap(actix_web::middleware::NormalizePath::trim())
            .wrap(Cors::new())
            .service(web::scope("/a").service(guarded_x).service(shared_x))
            .service(web::scope("/b").service(guarded_x).service(shared_x)),
    )
    .await;
    for path in ["/a/x", "/b/x", "/a//x", "/b//x", "/a/x/", "/b/x/"] {
        let res = call(&app, actual(Method::GET, path, PARTNER).to_request()).await;
        assert_eq!(res.get("x-page").as_deref(), Some("shared"), "{path}");
        assert_eq!(
            res.get("access-control-allow-origin").as_deref(),
            Some(PARTNER),
            "{path}"
        );
    }
}
