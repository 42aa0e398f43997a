//! Live reconfiguration: `build_reloadable` and `CorsHandle::reload`.

mod common;

use actix_web::http::Method;
use actix_web::{get, post, put, web, App, HttpResponse, Responder};
use common::{actual, call, capture_logs, logged, preflight};
use cors_actix::{cors, Cors, CorsHandle, CorsPolicy, PolicySource, ReloadError};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

const A: &str = "https://a.example";
const B: &str = "https://b.example";
const OWN: &str = "https://own.example";

/// Takes the App defaults.
#[cors]
#[put("/inherits")]
async fn inherits() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Has its own origins: a reload of the defaults leaves them.
#[cors(origins = ["https://own.example"])]
#[get("/own")]
async fn own() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Inherits the origins, and sets credentials.
#[cors(credentials)]
#[get("/with-credentials")]
async fn with_credentials() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(policy = "partners")]
#[post("/partners")]
async fn partners() -> impl Responder {
    HttpResponse::Ok().finish()
}

async fn plain() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn defaults(origins: &[&str]) -> cors_actix::CorsBuilder {
    Cors::builder()
        .origins(origins.iter().copied())
        .expose(["x-version"])
}

fn reloadable(origins: &[&str]) -> (Cors, CorsHandle) {
    defaults(origins).build_reloadable().unwrap()
}

macro_rules! app {
    ($cors:expr) => {
        actix_web::test::init_service(
            App::new()
                .wrap($cors)
                .service(inherits)
                .service(own)
                .service(with_credentials)
                .route("/plain", web::get().to(plain)),
        )
        .await
    };
}

/// The `Access-Control-Allow-Origin` of an actual request and of a
/// preflight from `origin` to `uri`.
async fn allowed<S, B>(app: &S, method: Method, uri: &str, origin: &str) -> (bool, bool)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let actual = call(app, actual(method.clone(), uri, origin).to_request()).await;
    let preflight = call(
        app,
        preflight(uri, origin, method.as_str(), None).to_request(),
    )
    .await;
    let echoed =
        |reply: &common::Reply| reply.get("access-control-allow-origin").as_deref() == Some(origin);
    assert_eq!(
        preflight.status == 204,
        echoed(&preflight),
        "{uri} {origin}"
    );
    (echoed(&actual), echoed(&preflight))
}

#[actix_web::test]
async fn a_reload_replaces_the_defaults_of_every_route_that_takes_them() {
    let (cors, handle) = reloadable(&[A]);
    let app = app!(cors);
    for (uri, method) in [("/inherits", Method::PUT), ("/plain", Method::GET)] {
        assert_eq!(allowed(&app, method.clone(), uri, A).await, (true, true));
        assert_eq!(allowed(&app, method.clone(), uri, B).await, (false, false));
    }
    assert_eq!(allowed(&app, Method::GET, "/own", OWN).await, (true, true));

    handle.reload(defaults(&[B])).unwrap();
    for (uri, method) in [("/inherits", Method::PUT), ("/plain", Method::GET)] {
        assert_eq!(
            allowed(&app, method.clone(), uri, A).await,
            (false, false),
            "{uri}"
        );
        assert_eq!(
            allowed(&app, method.clone(), uri, B).await,
            (true, true),
            "{uri}"
        );
    }
    // A route with its own origins keeps them.
    assert_eq!(allowed(&app, Method::GET, "/own", OWN).await, (true, true));
    assert_eq!(allowed(&app, Method::GET, "/own", B).await, (false, false));

    // The report follows.
    let report = handle.report().unwrap();
    let shown = report.defaults.as_ref().unwrap().to_string();
    assert!(shown.contains(B) && !shown.contains(A), "{shown}");
    let route = report
        .routes
        .iter()
        .find(|r| r.handler.ends_with("inherits"))
        .unwrap();
    let policy = route.policy.as_ref().unwrap().to_string();
    assert!(policy.contains(B) && !policy.contains(A), "{policy}");
    assert!(report.full_patterns, "the report keeps the full patterns");
}

#[actix_web::test]
async fn an_invalid_reload_is_refused_and_changes_nothing() {
    let (cors, handle) = reloadable(&[A]);
    let app = app!(cors);
    // The first request completes the table, and the report with it.
    let _ = call(&app, actual(Method::GET, "/plain", A).to_request()).await;
    let before = handle.report().unwrap();
    assert!(before.full_patterns);

    // The builder's own problem.
    let error = handle
        .reload(Cors::builder().origins(["*"]).credentials(true))
        .unwrap_err();
    let ReloadError::Build(build) = &error else {
        panic!("{error:?}")
    };
    assert!(build.to_string().contains("credentials"), "{build}");
    assert!(error.to_string().contains("unchanged"), "{error}");

    // Fine alone, but `with_credentials` inherits the origins and sets
    // credentials: `*` with credentials.
    let error = handle.reload(defaults(&["*"])).unwrap_err();
    let ReloadError::Routes(routes) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(routes.problems.len(), 1, "{routes}");
    assert!(
        routes.problems[0].handler.ends_with("with_credentials"),
        "{routes}"
    );

    // A setting that is not policy.
    let error = handle.reload(defaults(&[B]).strict(true)).unwrap_err();
    assert_eq!(error, ReloadError::Fixed { setting: "strict" });
    let error = handle
        .reload(defaults(&[B]).refusal_summary_every(std::time::Duration::from_secs(1)))
        .unwrap_err();
    assert_eq!(
        error,
        ReloadError::Fixed {
            setting: "refusal_summary_every"
        }
    );

    // Nothing changed: not the answers, not the report.
    assert_eq!(
        allowed(&app, Method::PUT, "/inherits", A).await,
        (true, true)
    );
    assert_eq!(
        allowed(&app, Method::PUT, "/inherits", B).await,
        (false, false)
    );
    assert_eq!(
        allowed(&app, Method::GET, "/with-credentials", A).await,
        (true, true)
    );
    assert_eq!(handle.report().unwrap(), before);
}

#[actix_web::test]
async fn a_reload_checks_the_routes_of_every_app_built_from_the_cors() {
    let (cors, handle) = Cors::builder().origins([A]).build_reloadable().unwrap();
    // One App without the credentials route, one with it.
    let first =
        actix_web::test::init_service(App::new().wrap(cors.clone()).service(inherits)).await;
    let second =
        actix_web::test::init_service(App::new().wrap(cors).service(with_credentials)).await;
    let _ = call(&first, actual(Method::PUT, "/inherits", A).to_request()).await;

    assert!(matches!(
        handle.reload(Cors::builder().origins(["*"])),
        Err(ReloadError::Routes(_))
    ));
    handle.reload(Cors::builder().origins([B])).unwrap();
    assert_eq!(
        allowed(&first, Method::PUT, "/inherits", B).await,
        (true, true)
    );
    assert_eq!(
        allowed(&second, Method::GET, "/with-credentials", B).await,
        (true, true)
    );
    assert_eq!(
        allowed(&second, Method::GET, "/with-credentials", A).await,
        (false, false)
    );
}

#[actix_web::test]
async fn a_reload_before_the_app_starts_applies_at_start() {
    let (cors, handle) = reloadable(&[A]);
    handle.reload(defaults(&[B])).unwrap();
    let app = app!(cors);
    assert_eq!(
        allowed(&app, Method::PUT, "/inherits", B).await,
        (true, true)
    );
    assert_eq!(
        allowed(&app, Method::PUT, "/inherits", A).await,
        (false, false)
    );
}

#[actix_web::test]
async fn named_policies_are_reloaded_and_must_stay_supplied() {
    let builder = |origins: &[&str]| {
        Cors::builder().named_policy(
            "partners",
            CorsPolicy::new().origins(origins.iter().copied()),
        )
    };
    let (cors, handle) = builder(&[A]).build_reloadable().unwrap();
    let app = actix_web::test::init_service(App::new().wrap(cors).service(partners)).await;
    assert_eq!(
        allowed(&app, Method::POST, "/partners", A).await,
        (true, true)
    );

    handle.reload(builder(&[B])).unwrap();
    assert_eq!(
        allowed(&app, Method::POST, "/partners", A).await,
        (false, false)
    );
    assert_eq!(
        allowed(&app, Method::POST, "/partners", B).await,
        (true, true)
    );
    let report = handle.report().unwrap();
    assert_eq!(
        report.routes[0].source,
        PolicySource::Supplied("partners".into())
    );

    // The route names a policy the new configuration does not supply.
    let error = handle.reload(Cors::builder().origins([A])).unwrap_err();
    let ReloadError::Routes(routes) = &error else {
        panic!("{error:?}")
    };
    assert!(routes.to_string().contains("partners"), "{routes}");
    assert_eq!(
        allowed(&app, Method::POST, "/partners", B).await,
        (true, true)
    );
}

static RELEASE: AtomicBool = AtomicBool::new(false);

#[cors]
#[get("/slow")]
async fn slow() -> impl Responder {
    while !RELEASE.load(Ordering::Acquire) {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn a_request_in_flight_finishes_under_the_configuration_it_started_with() {
    let (cors, handle) = Cors::builder()
        .origins([A])
        .expose(["x-before"])
        .build_reloadable()
        .unwrap();
    let app = Rc::new(actix_web::test::init_service(App::new().wrap(cors).service(slow)).await);
    let in_flight = {
        let app = app.clone();
        actix_web::rt::spawn(async move {
            call(&*app, actual(Method::GET, "/slow", A).to_request()).await
        })
    };
    // Let it reach the handler.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    handle
        .reload(Cors::builder().origins([B]).expose(["x-after"]))
        .unwrap();
    RELEASE.store(true, Ordering::Release);
    let reply = in_flight.await.unwrap();
    assert_eq!(reply.get("access-control-allow-origin").as_deref(), Some(A));
    assert_eq!(
        reply.get("access-control-expose-headers").as_deref(),
        Some("x-before")
    );

    // The next one gets the new configuration.
    let reply = call(&*app, actual(Method::GET, "/slow", B).to_request()).await;
    assert_eq!(reply.get("access-control-allow-origin").as_deref(), Some(B));
    assert_eq!(
        reply.get("access-control-expose-headers").as_deref(),
        Some("x-after")
    );
}

#[actix_web::test]
async fn each_reload_logs_what_changed() {
    capture_logs();
    let (cors, handle) = reloadable(&["https://one.log.example", "https://two.log.example"]);
    let app = app!(cors);
    let _ = call(&app, actual(Method::GET, "/plain", A).to_request()).await;
    handle
        .reload(defaults(&[
            "https://two.log.example",
            "https://three.log.example",
        ]))
        .unwrap();
    let lines = logged(&[
        "INFO",
        "+1 (https://three.log.example)",
        "-1 (https://one.log.example)",
    ]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    // `inherits` and `with_credentials` take the defaults' origins; `own`
    // does not.
    assert!(
        lines[0].contains("2 of 3 routes changed policy"),
        "{}",
        lines[0]
    );

    // A refused reload logs nothing of the kind.
    let _ = handle.reload(defaults(&["https://four.log.example/"]));
    assert!(logged(&["four.log.example"]).is_empty());
}

/// `CorsHandle` goes to any thread or task.
const _: fn() = || {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<CorsHandle>();
};

#[actix_web::test]
async fn a_reload_from_another_thread_reaches_the_app() {
    let (cors, handle) = reloadable(&[A]);
    let app = app!(cors);
    std::thread::spawn(move || handle.reload(defaults(&[B])))
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(allowed(&app, Method::GET, "/plain", B).await, (true, true));
}

#[actix_web::test]
async fn a_stopped_apps_routes_neither_refuse_nor_slow_a_reload() {
    let (cors, handle) = Cors::builder().origins([A]).build_reloadable().unwrap();
    let stopped =
        actix_web::test::init_service(App::new().wrap(cors.clone()).service(with_credentials))
            .await;
    let running = actix_web::test::init_service(App::new().wrap(cors).service(inherits)).await;
    // While it runs, `with_credentials` refuses a `*`.
    assert!(matches!(
        handle.reload(Cors::builder().origins(["*"])),
        Err(ReloadError::Routes(_))
    ));
    drop(stopped);
    handle.reload(Cors::builder().origins(["*"])).unwrap();
    let reply = call(&running, actual(Method::PUT, "/inherits", B).to_request()).await;
    assert_eq!(
        reply.get("access-control-allow-origin").as_deref(),
        Some("*")
    );
    // The report is the running App's.
    let report = handle.report().unwrap();
    assert_eq!(report.routes.len(), 1);
    assert!(report.routes[0].handler.ends_with("inherits"));
}

/// Starts an App's service as the server does, without a request.
macro_rules! start {
    ($app:expr) => {{
        use actix_service::{IntoServiceFactory, ServiceFactory};
        $app.into_factory()
            .new_service(actix_web::dev::AppConfig::default())
    }};
}

/// Two Apps built together on one thread cannot tell at start-up whose
/// routes are whose; both groups are checked by reloads all the same.
#[actix_web::test]
async fn apps_built_together_are_checked_by_reloads_before_their_first_request() {
    let (cors, handle) = Cors::builder().origins([A]).build_reloadable().unwrap();
    let (one, two) = futures_util::future::join(
        start!(App::new().wrap(cors.clone()).service(with_credentials)),
        start!(App::new().wrap(cors.clone()).service(inherits)),
    )
    .await;
    let (one, two) = (one.unwrap(), two.unwrap());
    // `with_credentials` would inherit `*`.
    assert!(matches!(
        handle.reload(Cors::builder().origins(["*"])),
        Err(ReloadError::Routes(_))
    ));
    assert_eq!(
        allowed(&one, Method::GET, "/with-credentials", A).await,
        (true, true)
    );
    handle.reload(Cors::builder().origins([B])).unwrap();
    assert_eq!(
        allowed(&one, Method::GET, "/with-credentials", B).await,
        (true, true)
    );
    assert_eq!(
        allowed(&two, Method::PUT, "/inherits", B).await,
        (true, true)
    );
    assert!(cors.startup_error().is_none());
}

/// An App with a `Cors` of its own, started while another App's routes
/// are registered on the same thread, takes them as its own until its
/// first request shows otherwise; from then on they are not its business.
#[actix_web::test]
async fn another_cors_routes_do_not_refuse_a_reload() {
    let other = App::new()
        .wrap(Cors::builder().origins([A]).build().unwrap())
        .service(with_credentials);
    let (cors, handle) = Cors::builder().origins([A]).build_reloadable().unwrap();
    let ours = start!(App::new().wrap(cors).route("/plain", web::get().to(plain)));
    let other = start!(other);
    let ours = ours.await.unwrap();
    let _other = other.await.unwrap();
    assert_eq!(allowed(&ours, Method::GET, "/plain", A).await, (true, true));
    assert!(handle.report().unwrap().routes.is_empty());
    handle.reload(Cors::builder().origins(["*"])).unwrap();
    let reply = call(&ours, actual(Method::GET, "/plain", B).to_request()).await;
    assert_eq!(
        reply.get("access-control-allow-origin").as_deref(),
        Some("*")
    );
}

/// The report is of the App that started last, whichever served first.
#[actix_web::test]
async fn the_report_is_of_the_app_that_started_last() {
    let (cors, handle) = reloadable(&[A]);
    let first = actix_web::test::init_service(App::new().wrap(cors.clone()).service(own)).await;
    let last = actix_web::test::init_service(App::new().wrap(cors).service(inherits)).await;
    let handlers = || -> Vec<String> {
        let report = handle.report().unwrap();
        report.routes.iter().map(|r| r.handler.clone()).collect()
    };
    let _ = call(&last, actual(Method::PUT, "/inherits", A).to_request()).await;
    let _ = call(&first, actual(Method::GET, "/own", OWN).to_request()).await;
    assert_eq!(handlers(), ["reload::inherits"]);
    handle.reload(defaults(&[B])).unwrap();
    assert_eq!(handlers(), ["reload::inherits"]);
    drop(last);
    handle.reload(defaults(&[A])).unwrap();
    assert_eq!(handlers(), ["reload::own"]);
}

/// `strict` and `debug_header` left unset keep what was built.
#[actix_web::test]
async fn settings_left_unset_keep_what_was_built() {
    let (_cors, handle) = defaults(&[A])
        .strict(true)
        .debug_header(true)
        .build_reloadable()
        .unwrap();
    handle.reload(defaults(&[B])).unwrap();
    handle
        .reload(defaults(&[B]).strict(true).debug_header(true))
        .unwrap();
    assert_eq!(
        handle.reload(defaults(&[B]).strict(false)),
        Err(ReloadError::Fixed { setting: "strict" })
    );
    assert_eq!(
        handle.reload(defaults(&[B]).debug_header(false)),
        Err(ReloadError::Fixed {
            setting: "debug_header"
        })
    );
}

#[actix_web::test]
async fn the_log_line_names_a_named_policy_removed() {
    capture_logs();
    let with = || {
        Cors::builder().origins([A]).named_policy(
            "retired-partners",
            CorsPolicy::new().origins(["https://gone.log.example"]),
        )
    };
    let (cors, handle) = with().build_reloadable().unwrap();
    let app = app!(cors);
    let _ = call(&app, actual(Method::GET, "/plain", A).to_request()).await;
    handle.reload(Cors::builder().origins([A])).unwrap();
    let lines = logged(&["policy \"retired-partners\" -1 (https://gone.log.example)"]);
    assert_eq!(lines.len(), 1, "{lines:?}");
}
