//! The points of a newcomer's trial: what a first real App ran into, each
//! with the behaviour that answers it. The numbers are those of the trial's
//! list (start-up failures 1–3, semantics and documentation 4–9).

#[macro_use]
mod common;

use actix_web::http::Method;
use actix_web::{get, patch, test as atest, web, App, HttpResponse, Responder};
use common::{actual, call, preflight};
use cors_actix::{attach, cors, cors_policy, Cors, CorsPolicy, KeyOrigin};

const APP: &str = "https://app.example.com";

#[patch("/notes/{id}")]
async fn patch_note() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// The `x-cors-reason` a preflight gets.
async fn reason_of<S, B>(app: &S, path: &str, origin: &str, method: &str) -> String
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    let res = call(app, preflight(path, origin, method, None).to_request()).await;
    assert_eq!(res.status, 403, "{method} {path} from {origin}");
    res.get("x-cors-reason").expect("the debug header")
}

/// 4. A route without `#[cors]` follows the App defaults, whose `methods`
/// default to GET, HEAD and POST. A refused PATCH names the defaults'
/// `methods` as the place to change, not the route, which does serve it.
#[actix_web::test]
async fn p4_a_refusal_under_the_defaults_names_the_defaults() {
    let cors = Cors::builder()
        .origins([APP])
        .debug_header(true)
        .build()
        .unwrap();
    let report_defaults = cors.clone();
    let app = atest::init_service(App::new().wrap(cors).service(patch_note)).await;
    let reason = reason_of(&app, "/notes/1", APP, "PATCH").await;
    assert!(reason.starts_with("method_not_allowed"), "{reason}");
    assert!(
        reason.contains("App defaults' `methods` (`Cors::builder().methods([...])`)"),
        "{reason}"
    );
    assert!(!reason.contains("serve it on this route"), "{reason}");
    let defaults = report_defaults.report().unwrap().defaults.unwrap();
    assert_eq!(defaults.allow_methods_value(), "GET, HEAD, POST");
}

#[cors_actix::cors(origins = ["https://app.example.com"], methods = ["GET"])]
#[get("/items")]
async fn items() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// 7. A refused `null` or malformed `Origin` is not told to add itself to
/// `origins = [...]`, which would not compile; a well-formed one is.
#[actix_web::test]
async fn p7_refused_origins_get_a_fix_that_works() {
    let cors = Cors::builder().debug_header(true).build().unwrap();
    let app = atest::init_service(App::new().wrap(cors).service(items)).await;

    let null = reason_of(&app, "/items", "null", "GET").await;
    assert!(null.contains("dangerously_allow_null_origin"), "{null}");
    assert!(!null.contains("add it to"), "{null}");

    for malformed in [
        "https://App.example.com",
        "https://app.example.com/",
        "HTTPS://x.example",
    ] {
        let reason = reason_of(&app, "/items", malformed, "GET").await;
        assert!(reason.contains("did not come from a browser"), "{reason}");
        assert!(!reason.contains("add it to"), "{reason}");
    }

    let other = reason_of(&app, "/items", "https://other.example.com", "GET").await;
    assert!(other.contains("add it to `origins = [...]`"), "{other}");
}

cors_policy! {
    PUBLIC { origins = "*" }
}

#[cors(policy = PUBLIC)]
#[get("/prices")]
async fn prices() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = "*")]
#[get("/status")]
async fn status() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn credentialed_defaults() -> Cors {
    Cors::builder()
        .origins([APP])
        .credentials(true)
        .build()
        .unwrap()
}

/// 2. A public policy (`origins = "*"`, by name, inline or attached) under
/// credentialed App defaults does not take `credentials`: it starts, and
/// answers `*` without `Access-Control-Allow-Credentials`.
#[actix_web::test]
async fn p2_a_public_policy_does_not_inherit_credentials() {
    let cors = credentialed_defaults();
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(prices)
            .service(status)
            .service(attach(
                "/feed",
                ["GET"],
                CorsPolicy::new().origins(["*"]),
                web::resource("/feed").route(web::get().to(HttpResponse::Ok)),
            )),
    )
    .await;
    for path in ["/prices", "/status", "/feed"] {
        let res = call(
            &app,
            actual(Method::GET, path, "https://any.example").to_request(),
        )
        .await;
        assert_eq!(
            res.get("access-control-allow-origin").as_deref(),
            Some("*"),
            "{path}"
        );
        assert_eq!(res.get("access-control-allow-credentials"), None, "{path}");
    }
    let report = cors.report().unwrap();
    assert!(!report
        .route("GET", "/prices")
        .unwrap()
        .policy
        .as_ref()
        .unwrap()
        .credentials());
    // The defaults keep their credentials for routes without `#[cors]`.
    assert!(report.defaults.unwrap().credentials());
}

#[cors(headers = "*")]
#[get("/upload")]
async fn upload() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(headers = "*", credentials = false)]
#[get("/upload")]
async fn upload_fixed() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(credentials)]
#[get("/me")]
async fn me() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// 2. When a merged policy breaks a rule, the error says which key came
/// from where, and gives a fix that works for the merge; applying it works.
#[actix_web::test]
async fn p2_merge_errors_name_each_keys_source_and_a_working_fix() {
    let cors = credentialed_defaults();
    assert!(common::start_up_fails(App::new().wrap(cors.clone()).service(upload)).await);
    let error = cors.startup_error().unwrap();
    let route = &error.problems[0];
    let keys: Vec<(&str, &KeyOrigin)> = route.keys.iter().map(|k| (k.key, &k.origin)).collect();
    assert_eq!(
        keys,
        [
            ("headers", &KeyOrigin::Route),
            ("credentials", &KeyOrigin::AppDefaults)
        ]
    );
    let text = error.to_string();
    assert!(
        text.contains("`credentials` from the App defaults"),
        "{text}"
    );
    assert!(
        text.contains("set `credentials = false` on the route"),
        "{text}"
    );
    // The fix it gives, applied, starts.
    let cors = credentialed_defaults();
    assert!(!common::start_up_fails(App::new().wrap(cors).service(upload_fixed)).await);

    // The other way round: `*` from the defaults, `credentials` on the route.
    let cors = Cors::builder().origins(["*"]).build().unwrap();
    assert!(common::start_up_fails(App::new().wrap(cors.clone()).service(me)).await);
    let error = cors.startup_error().unwrap();
    assert_eq!(error.problems[0].keys[0].origin, KeyOrigin::AppDefaults);
    let text = error.to_string();
    assert!(
        text.contains("give the route its own `origins = [...]`"),
        "{text}"
    );
}

#[get("/search")]
async fn search() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn env_error(builder: cors_actix::CorsBuilder) -> String {
    builder.build().expect_err("must not build").to_string()
}

/// 3. The environment and code: the environment wins whatever the order of
/// the calls, every value read is validated, the report says which keys the
/// environment set, and list mistakes get messages in environment terms.
/// One test, since the variables are the process's.
#[actix_web::test]
async fn p3_the_environment_wins_and_is_always_validated() {
    std::env::set_var("CORS_ALLOWED_ORIGINS", APP);
    std::env::set_var("CORS_ALLOWED_HEADERS", "x-foo");
    std::env::set_var("CORS_MAX_AGE", "100000");
    // Code sets both keys after `with_env`; the invalid environment value
    // is still found, and named.
    let error = env_error(Cors::builder().with_env().headers(["x-bar"]).max_age(600));
    assert!(error.contains("CORS_MAX_AGE: max_age too large"), "{error}");

    std::env::set_var("CORS_MAX_AGE", "300");
    let cors = Cors::builder()
        .with_env()
        .headers(["x-bar"])
        .max_age(600)
        .build()
        .unwrap();
    let app = atest::init_service(App::new().wrap(cors.clone()).service(search)).await;
    let res = call(
        &app,
        preflight("/search", APP, "GET", Some("x-foo")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("300"));
    let res = call(
        &app,
        preflight("/search", APP, "GET", Some("x-bar")).to_request(),
    )
    .await;
    assert_eq!(res.status, 403, "the code's headers were replaced");

    let report = cors.report().unwrap();
    let key = |name: &str| {
        report
            .default_keys
            .iter()
            .find(|k| k.key == name)
            .unwrap()
            .clone()
    };
    assert_eq!(key("headers").env.as_deref(), Some("CORS_ALLOWED_HEADERS"));
    assert!(key("headers").overrides_code);
    assert!(key("max_age").overrides_code);
    assert_eq!(key("origins").env.as_deref(), Some("CORS_ALLOWED_ORIGINS"));
    assert!(!key("origins").overrides_code);
    let shown = report.to_string();
    assert!(
        shown.contains("`max_age` from CORS_MAX_AGE, replacing the value set in code"),
        "{shown}"
    );
    std::env::remove_var("CORS_ALLOWED_HEADERS");
    std::env::remove_var("CORS_MAX_AGE");

    // A `;`-separated list: the message is about the separator.
    std::env::set_var(
        "CORS_ALLOWED_ORIGINS",
        "https://a.example.com;https://b.example.com",
    );
    let error = env_error(Cors::builder().with_env());
    assert!(
        error.contains("separate them with commas: `https://a.example.com,https://b.example.com`"),
        "{error}"
    );
    assert!(!error.contains("has a path"), "{error}");

    // An empty variable: said in environment terms.
    for var in [
        "CORS_ALLOWED_ORIGINS",
        "CORS_MAX_AGE",
        "CORS_ALLOW_CREDENTIALS",
    ] {
        std::env::set_var("CORS_ALLOWED_ORIGINS", APP);
        std::env::set_var(var, " ");
        let error = env_error(Cors::builder().with_env());
        assert!(
            error.contains(&format!("{var} is set but empty")),
            "{error}"
        );
        std::env::remove_var(var);
    }
    std::env::remove_var("CORS_ALLOWED_ORIGINS");
    let error = env_error(Cors::builder().with_env());
    assert!(error.contains("CORS_ALLOWED_ORIGINS is not set"), "{error}");

    // A list of separators only lists nothing: an error, never an empty list
    // that silently replaces the code's.
    std::env::set_var("CORS_ALLOWED_ORIGINS", APP);
    for var in [
        "CORS_ALLOWED_HEADERS",
        "CORS_ALLOWED_METHODS",
        "CORS_EXPOSE_HEADERS",
        "CORS_ALLOWED_ORIGINS",
    ] {
        std::env::set_var(var, " , ");
        let error = env_error(Cors::builder().with_env().headers(["x-foo"]));
        assert!(error.contains(&format!("{var} lists no")), "{error}");
        // Back to a setting where only the next variable is wrong.
        std::env::remove_var(var);
        std::env::set_var("CORS_ALLOWED_ORIGINS", APP);
    }

    // Two variables for one key would make the order of the calls decide.
    std::env::set_var("P3_ADMIN_ORIGINS", "https://admin.example.com");
    for builder in [
        Cors::builder()
            .origins_from_env("P3_ADMIN_ORIGINS")
            .with_env(),
        Cors::builder()
            .with_env()
            .origins_from_env("P3_ADMIN_ORIGINS"),
    ] {
        let error = env_error(builder);
        assert!(error.contains("both set `origins`"), "{error}");
    }
    std::env::remove_var("P3_ADMIN_ORIGINS");

    // Origins from the environment are the whole list: the code's
    // `origin_fn` does not widen them (the merge rule's origin keys).
    fn any(_: &str) -> bool {
        true
    }
    let cors = Cors::builder().origin_fn(any).with_env().build().unwrap();
    let app = atest::init_service(App::new().wrap(cors.clone()).service(search)).await;
    let res = call(
        &app,
        preflight("/search", "https://evil.example", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    // ... and the report says the variable replaced what code set.
    let report = cors.report().unwrap();
    let origins = report
        .default_keys
        .iter()
        .find(|k| k.key == "origins")
        .unwrap();
    assert!(origins.overrides_code, "{origins:?}");

    // `*` from a variable with credentials set in code: the pair is refused,
    // naming the variable, as it would be written in code alone.
    std::env::set_var("CORS_ALLOWED_ORIGINS", "*");
    let error = env_error(Cors::builder().with_env().credentials(true));
    assert!(
        error.contains("CORS_ALLOWED_ORIGINS: wildcard with credentials"),
        "{error}"
    );
    std::env::set_var("CORS_ALLOWED_ORIGINS", APP);

    // A rule broken with credentials from a variable names that variable.
    std::env::set_var("CORS_ALLOW_CREDENTIALS", "true");
    let error = env_error(Cors::builder().with_env().headers(["*"]));
    assert!(
        error.contains("CORS_ALLOW_CREDENTIALS: wildcard with credentials"),
        "{error}"
    );
    std::env::remove_var("CORS_ALLOW_CREDENTIALS");

    // Names no variable can have are refused, not looked up.
    for (builder, name) in [
        (Cors::builder().with_env_prefixed("P3="), "P3="),
        (Cors::builder().origins_from_env("P3=ALLOWED"), "P3=ALLOWED"),
        (Cors::builder().origins_from_env(""), ""),
    ] {
        let error = env_error(builder);
        let said = match name {
            "" => "a variable's name cannot be empty",
            _ => "hold no `=` or NUL",
        };
        assert!(error.contains(said), "{name}: {error}");
    }

    // A refusal under keys the environment set names the variable, since
    // changing the builder would not help.
    std::env::set_var("CORS_ALLOWED_HEADERS", "x-foo");
    let cors = Cors::builder()
        .with_env()
        .debug_header(true)
        .build()
        .unwrap();
    let app = atest::init_service(App::new().wrap(cors).service(search)).await;
    let res = call(
        &app,
        preflight("/search", APP, "GET", Some("x-bar")).to_request(),
    )
    .await;
    let reason = res.get("x-cors-reason").unwrap();
    assert!(
        reason.contains("add it to CORS_ALLOWED_HEADERS"),
        "{reason}"
    );
    std::env::remove_var("CORS_ALLOWED_HEADERS");
    std::env::remove_var("CORS_ALLOWED_ORIGINS");
}

/// 8. Log volume: the first refusal of each route and reason is `warn`,
/// repeats are `debug`, and a `warn` line counts the repeats at most once
/// per interval.
#[actix_web::test]
async fn p8_repeated_refusals_do_not_flood_the_log_at_warn() {
    common::capture_logs();
    let probe = "https://scanner-p8.example";
    let cors = Cors::builder()
        .refusal_summary_every(std::time::Duration::from_secs(3600))
        .build()
        .unwrap();
    let app = atest::init_service(App::new().wrap(cors).service(items)).await;
    for _ in 0..5 {
        let res = call(&app, preflight("/items", probe, "GET", None).to_request()).await;
        assert_eq!(res.status, 403);
    }
    let warned = common::logged(&["WARN", probe]);
    let debugged = common::logged(&["DEBUG", probe]);
    assert_eq!(
        (warned.len(), debugged.len()),
        (1, 4),
        "{warned:?} {debugged:?}"
    );
    // Another reason on the same route is news: `warn` again.
    for _ in 0..2 {
        let res = call(
            &app,
            preflight("/items", APP, "GET", Some("x-p8")).to_request(),
        )
        .await;
        assert_eq!(res.status, 403);
    }
    assert_eq!(
        common::logged(&["WARN", "header_not_allowed", "x-p8"]).len(),
        1
    );
    assert!(common::logged(&["repeated a route and reason"]).is_empty());

    // A zero interval counts the repeats on each one.
    let probe = "https://scanner-p8b.example";
    let cors = Cors::builder()
        .refusal_summary_every(std::time::Duration::ZERO)
        .build()
        .unwrap();
    let app = atest::init_service(App::new().wrap(cors).service(items)).await;
    for _ in 0..3 {
        call(&app, preflight("/items", probe, "GET", None).to_request()).await;
    }
    let summaries = common::logged(&[
        "WARN",
        "refused CORS request(s) repeated a route and reason",
    ]);
    assert_eq!(summaries.len(), 2, "{summaries:?}");
    assert!(summaries[0].starts_with("WARN 1 refused"), "{summaries:?}");
}

static DELETES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cors(origins = ["https://app.example.com"], headers = ["x-trace"], expose = ["x-total-count", "x-cookie-seen", "x-override-seen"], credentials)]
#[actix_web::delete("/notes/{id}")]
async fn delete_note(req: actix_web::HttpRequest) -> impl Responder {
    DELETES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    // What reached the handler, for the test to read.
    let seen = |name: &str| match req.headers().contains_key(name) {
        true => "yes",
        false => "no",
    };
    HttpResponse::Ok()
        .insert_header(("x-total-count", "3"))
        .insert_header(("x-cookie-seen", seen("cookie")))
        .insert_header(("x-override-seen", seen("x-http-method-override")))
        .finish()
}

/// 10. The test helper runs a page's `fetch()` as a browser: a preflight
/// when one is due, the actual request only when the preflight passes, the
/// page's headers but not those a page cannot set, and `fetch()`'s own
/// refusal of a method that is not a token.
#[actix_web::test]
async fn p10_the_test_helper_fetches_as_a_browser() {
    use cors_actix::cors_core::browser::{BlockedKind, CredentialsMode, Request, Stage};
    use cors_actix::testing;
    use std::sync::atomic::Ordering::SeqCst;

    let app = atest::init_service(App::new().wrap(Cors::new()).service(delete_note)).await;
    let page = Request::new(APP, "delete")
        .header("X-Trace", "1")
        .header("Cookie", "a=1");
    let read = testing::fetch(&app, "/notes/1", &page).await.unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.get("x-total-count").as_deref(), Some("3"));
    assert_eq!(
        read.get("x-cookie-seen").as_deref(),
        Some("no"),
        "a page cannot set Cookie"
    );
    assert_eq!(DELETES.load(SeqCst), 1);

    // A refused preflight: the DELETE is never sent.
    let evil = Request::new("https://evil.example", "DELETE");
    let blocked = testing::fetch(&app, "/notes/1", &evil).await.unwrap_err();
    assert_eq!(blocked.stage, Stage::Preflight);
    assert_eq!(
        DELETES.load(SeqCst),
        1,
        "the handler ran after a refused preflight"
    );
    let unlisted = Request::new(APP, "DELETE").header("X-Other", "1");
    let blocked = testing::fetch(&app, "/notes/1", &unlisted)
        .await
        .unwrap_err();
    // A refused preflight is a 403 without CORS headers: the browser says so first.
    assert_eq!(
        (blocked.stage, blocked.kind),
        (Stage::Preflight, BlockedKind::MissingAllowOrigin)
    );
    assert_eq!(DELETES.load(SeqCst), 1);

    // `fetch()` throws on a method that is not a token, before any request.
    let bad = Request::new(APP, "DELETE /");
    let blocked = testing::fetch(&app, "/notes/1", &bad).await.unwrap_err();
    assert_eq!(blocked.kind, BlockedKind::InvalidMethod);
    assert_eq!(DELETES.load(SeqCst), 1);

    // A `Cookie` comes only from `fetch_with`'s base request, and only when
    // the page includes credentials, as `fetch()` sends it cross-origin.
    let base = || atest::TestRequest::default().insert_header(("cookie", "s=1"));
    for (mode, seen) in [
        (CredentialsMode::Include, "yes"),
        (CredentialsMode::SameOrigin, "no"),
        (CredentialsMode::Omit, "no"),
    ] {
        let page = page.clone().credentials(mode);
        let read = testing::fetch_with(&app, "/notes/2", &page, base())
            .await
            .unwrap();
        assert_eq!(read.get("x-cookie-seen").as_deref(), Some(seen), "{mode:?}");
    }
    assert_eq!(DELETES.load(SeqCst), 4);

    // Headers of the base request that a page could set are the page's to
    // send: dropped, so that no request header skips the preflight.
    let base = atest::TestRequest::default().insert_header(("x-http-method-override", "PATCH"));
    let page = Request::new(APP, "DELETE");
    let read = testing::fetch_with(&app, "/notes/5", &page, base)
        .await
        .unwrap();
    assert_eq!(read.get("x-override-seen").as_deref(), Some("no"));

    // A method override to a forbidden method is a header no page can send.
    let page = Request::new(APP, "DELETE").header("X-HTTP-Method-Override", "TRACE");
    let read = testing::fetch(&app, "/notes/3", &page).await.unwrap();
    assert_eq!(read.get("x-override-seen").as_deref(), Some("no"));

    // A header `fetch()` refuses throws before anything is sent.
    for (name, value) in [("X-Trace", "a\nb"), ("X Trace", "1"), ("X-Trace", "a\0")] {
        let page = Request::new(APP, "DELETE").header(name, value);
        let blocked = testing::fetch(&app, "/notes/4", &page).await.unwrap_err();
        assert_eq!(
            blocked.kind,
            BlockedKind::InvalidHeader,
            "{name:?}: {value:?}"
        );
    }
    assert_eq!(DELETES.load(SeqCst), 6);
}

#[cors(policy = "admin")]
#[actix_web::delete("/users/{id}")]
async fn delete_user() -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[cors(policy = "admin", max_age = 60)]
#[actix_web::put("/users/{id}")]
async fn put_user() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(policy = "nope")]
#[get("/nope")]
async fn nope() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// 11. Policies supplied by name when the App starts, from code or the
/// environment, named by routes with a string. Validated with each route,
/// a missing name stops the App naming the route, an unused one is a note.
#[actix_web::test]
async fn p11_routes_name_policies_supplied_at_start_up() {
    const ADMIN: &str = "https://admin.example.com";
    std::env::set_var("P11_ADMIN_ORIGINS", ADMIN);
    let cors = Cors::builder()
        .origins([APP])
        .credentials(true)
        .max_age(600)
        .named_policy(
            "admin",
            CorsPolicy::new().origins_from_env("P11_ADMIN_ORIGINS"),
        )
        .named_policy("unused", CorsPolicy::new().origins([APP]))
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(delete_user)
            .service(put_user),
    )
    .await;
    let res = call(
        &app,
        preflight("/users/1", ADMIN, "DELETE", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        res.get("access-control-allow-origin").as_deref(),
        Some(ADMIN)
    );
    // Keys the policy leaves out come from the App defaults.
    assert_eq!(
        res.get("access-control-allow-credentials").as_deref(),
        Some("true")
    );
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("600"));
    // The route's own keys win over the policy's.
    let res = call(&app, preflight("/users/1", ADMIN, "PUT", None).to_request()).await;
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("60"));
    // The App defaults' origins do not reach a route whose policy names its own.
    let res = call(
        &app,
        preflight("/users/1", APP, "DELETE", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);

    let report = cors.report().unwrap();
    assert_eq!(
        report.route("DELETE", "/users/{id}").unwrap().source,
        cors_actix::PolicySource::Supplied("admin".into())
    );
    assert!(
        report.notes.iter().any(|n| *n
            == cors_actix::ReportNote::UnusedPolicy {
                name: "unused".into()
            }),
        "{:?}",
        report.notes
    );

    // A name no policy answers to stops the App, naming the route.
    let cors = Cors::new();
    assert!(common::start_up_fails(App::new().wrap(cors.clone()).service(nope)).await);
    let error = cors.startup_error().unwrap().to_string();
    assert!(error.contains("newcomer::nope"), "{error}");
    assert!(error.contains(".named_policy(\"nope\""), "{error}");

    // The policy's own problems, and its environment's, name it.
    std::env::remove_var("P11_ADMIN_ORIGINS");
    let error = env_error(
        Cors::builder()
            .named_policy(
                "admin",
                CorsPolicy::new().origins_from_env("P11_ADMIN_ORIGINS"),
            )
            .named_policy("broken", CorsPolicy::new().origins(["https://a.example/"])),
    );
    assert!(
        error.contains("policy \"admin\": P11_ADMIN_ORIGINS is not set"),
        "{error}"
    );
    assert!(
        error.contains("policy \"broken\": trailing slash"),
        "{error}"
    );
    let twice = env_error(
        Cors::builder()
            .named_policy("a", CorsPolicy::new())
            .named_policy("a", CorsPolicy::new()),
    );
    assert!(twice.contains("policy \"a\": is supplied twice"), "{twice}");
}

/// 12. `#[cors(...)]` on a `#[scope]` module: its keys apply to every
/// handler inside; a handler's own attribute overrides them key by key.
#[cors(origins = ["https://app.example.com"], dev_origins = ["http://localhost:*"], max_age = 300, expose = ["x-total-count"])]
#[actix_web::scope("/api")]
mod api {
    use actix_web::{delete, get, post, put, HttpResponse, Responder};
    use cors_actix::cors;

    #[get("/items")]
    pub async fn list() -> impl Responder {
        HttpResponse::Ok().finish()
    }

    #[cors(max_age = 60)]
    #[post("/items")]
    pub async fn create() -> impl Responder {
        HttpResponse::Created().finish()
    }

    #[cors(origins = ["https://admin.example.com"])]
    #[delete("/items/{id}")]
    pub async fn remove() -> impl Responder {
        HttpResponse::NoContent().finish()
    }

    #[cors(disable)]
    #[put("/items/{id}")]
    pub async fn replace() -> impl Responder {
        HttpResponse::Ok().finish()
    }

    /// Not a handler: left alone.
    pub fn helper() -> u8 {
        7
    }
}

/// A handler's own `#[cors]` under another name still merges with the
/// module's keys, once.
#[cors(origins = ["https://admin.example.com"], max_age = 300)]
#[actix_web::scope("/renamed")]
mod renamed {
    use actix_web::{get, HttpResponse, Responder};
    use cors_actix::cors as c;

    #[c(max_age = 60)]
    #[get("/items")]
    pub async fn list() -> impl Responder {
        HttpResponse::Ok().finish()
    }
}

/// The other order: `#[scope]` above `#[cors]`.
#[actix_web::scope("/v2")]
#[cors(origins = ["https://app.example.com"], max_age = 120)]
mod v2 {
    use actix_web::{get, HttpResponse, Responder};

    #[get("/items")]
    pub async fn list() -> impl Responder {
        HttpResponse::Ok().finish()
    }
}

#[actix_web::test]
async fn p12_a_policy_for_a_whole_scope_module() {
    let cors = Cors::new();
    let app = atest::init_service(
        App::new()
            .wrap(cors.clone())
            .service(api::list)
            .service(api::create)
            .service(api::remove)
            .service(api::replace)
            .service(renamed::list)
            .service(v2::list),
    )
    .await;
    assert_eq!(api::helper(), 7);
    let res = call(&app, preflight("/api/items", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("300"));
    let res = call(&app, actual(Method::GET, "/api/items", APP).to_request()).await;
    assert_eq!(
        res.get("access-control-expose-headers").as_deref(),
        Some("x-total-count")
    );

    // The handler's key wins; the others come from the module.
    let res = call(
        &app,
        preflight("/api/items", APP, "POST", None).to_request(),
    )
    .await;
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("60"));
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));

    // The handler's own origins replace the module's, dev_origins included.
    let res = call(
        &app,
        preflight("/api/items/1", APP, "DELETE", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    let report = cors.report().unwrap();
    let remove = report.route("DELETE", "/api/items/{id}").unwrap();
    let shown = remove.policy.as_ref().unwrap().to_string();
    assert!(
        shown.starts_with("origins [https://admin.example.com];"),
        "{shown}"
    );
    assert!(shown.contains("max_age 300"), "{shown}");
    let list = report
        .route("GET", "/api/items")
        .unwrap()
        .policy
        .as_ref()
        .unwrap()
        .to_string();
    assert!(list.contains("http://localhost:*"), "{list}");

    // `disable` stays off.
    assert_eq!(report.route("PUT", "/api/items/{id}").unwrap().policy, None);

    // Renamed: the module's origins and the handler's max_age, one route.
    let res = call(
        &app,
        preflight("/renamed/items", "https://admin.example.com", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("60"));
    let report = cors.report().unwrap();
    let renamed: Vec<_> = report
        .routes
        .iter()
        .filter(|r| r.pattern == "/renamed/items")
        .collect();
    assert_eq!(renamed.len(), 1, "{renamed:?}");

    // Either order of `#[scope]` and `#[cors]` works.
    let res = call(&app, preflight("/v2/items", APP, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get("access-control-max-age").as_deref(), Some("120"));
}

#[cors(origins = ["https://app.example.com"], headers = ["content-type"], expose = ["x-body-len"])]
#[actix_web::post("/echo")]
async fn echo(body: actix_web::web::Bytes) -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("x-body-len", body.len().to_string()))
        .finish()
}

/// 10. `fetch_with` keeps the base request's body.
#[actix_web::test]
async fn p10_fetch_with_sends_the_body() {
    use cors_actix::cors_core::browser::Request;
    let app = atest::init_service(App::new().wrap(Cors::new()).service(echo)).await;
    let page = Request::new(APP, "POST").header("Content-Type", "application/json");
    let base = atest::TestRequest::default().set_payload("{\"a\":1}");
    let read = cors_actix::testing::fetch_with(&app, "/echo", &page, base)
        .await
        .unwrap();
    assert_eq!(read.get("x-body-len").as_deref(), Some("7"));
}

#[cors(origins = ["https://app.example.com"])]
#[actix_web::post("/items")]
async fn post_items() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/me")]
async fn me_credentialed() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(credentials)]
#[get("/account")]
async fn account() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(disable)]
#[actix_web::put("/legacy")]
async fn legacy() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// 4 and 7. The fix names where the refusing key was set: the route, the
/// App defaults a route inherits it from, a disabled route; and an origin
/// that needs a flag to be listed says so.
#[actix_web::test]
async fn p7_the_fix_names_where_the_refusing_key_was_set() {
    const PARTNER: &str = "https://partner.example";
    let cors = Cors::builder()
        .origins([APP, PARTNER])
        .strict(true)
        .debug_header(true)
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors)
            .service(post_items)
            .service(me_credentialed)
            .service(account)
            .service(legacy),
    )
    .await;

    // Strict mode refuses under the route found once the path is normalised:
    // the route's origins, not the App defaults', which list the partner.
    let res = call(&app, actual(Method::POST, "/items/", PARTNER).to_request()).await;
    assert_eq!(res.status, 403);
    let reason = res.get("x-cors-reason").unwrap();
    assert!(reason.contains("add it to `origins = [...]`"), "{reason}");

    // A route that inherits `origins` from the defaults: the defaults' key.
    let reason = reason_of(&app, "/account", "https://new.example.com", "GET").await;
    assert!(reason.contains("App defaults' `origins`"), "{reason}");

    // A plain-http origin on a credentialed route needs a flag to be listed.
    let reason = reason_of(&app, "/me", "http://app.example.com", "GET").await;
    assert!(
        reason.contains("dangerously_allow_insecure_origins"),
        "{reason}"
    );

    // `#[cors(disable)]`: the App defaults exist, and do not apply.
    let reason = reason_of(&app, "/legacy", APP, "PUT").await;
    assert!(reason.starts_with("no_policy"), "{reason}");
    assert!(reason.contains("remove `disable`"), "{reason}");
}

#[get("/alpha")]
async fn alpha() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[get("/beta")]
async fn beta() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// 8. The first refusal of each route without `#[cors]` is `warn` too: the
/// App's resource stands for the route.
#[actix_web::test]
async fn p8_first_refusals_of_unannotated_routes_are_each_warn() {
    common::capture_logs();
    let cors = Cors::builder().origins([APP]).build().unwrap();
    let app = atest::init_service(App::new().wrap(cors).service(alpha).service(beta)).await;
    call(
        &app,
        preflight("/alpha", "https://p8c-scanner.example", "GET", None).to_request(),
    )
    .await;
    call(
        &app,
        preflight("/beta", "https://p8c-partner.example", "GET", None).to_request(),
    )
    .await;
    assert_eq!(common::logged(&["WARN", "p8c-partner", "/beta"]).len(), 1);
}

#[cors(dangerously_allow_insecure_origins = false)]
#[get("/intranet")]
async fn intranet() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// 2. The keys of a merge error include the route's own key that caused it.
#[actix_web::test]
async fn p2_merge_errors_name_the_routes_own_key() {
    let cors = Cors::builder()
        .origins(["http://intranet.example"])
        .credentials(true)
        .dangerously_allow_insecure_origins(true)
        .build()
        .unwrap();
    assert!(common::start_up_fails(App::new().wrap(cors.clone()).service(intranet)).await);
    let error = cors.startup_error().unwrap();
    let keys: Vec<(&str, &KeyOrigin)> = error.problems[0]
        .keys
        .iter()
        .map(|k| (k.key, &k.origin))
        .collect();
    assert!(
        keys.contains(&("dangerously_allow_insecure_origins", &KeyOrigin::Route)),
        "{keys:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("the route sets `dangerously_allow_insecure_origins`"),
        "{text}"
    );
}

#[cors(origins = ["https://app.example.com"])]
#[get("/own")]
async fn own_origins() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn partner_only(origin: &str) -> bool {
    origin == "https://partner.example"
}

#[cors(origin_fn = partner_only)]
#[get("/partner")]
async fn partner() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(policy = "ops")]
#[get("/ops")]
async fn ops() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// 7. More places a fix must name right: no App defaults at all (the
/// route), a route whose `origin_fn` keeps the defaults' origins away (the
/// route), a named policy whose origins a variable sets (the variable,
/// which applied makes the request pass), a named policy with no origins.
#[actix_web::test]
async fn p7_fixes_name_the_place_that_holds_the_key() {
    let cors = Cors::builder().debug_header(true).build().unwrap();
    let app = atest::init_service(App::new().wrap(cors).service(own_origins)).await;
    let res = call(
        &app,
        preflight("/own", APP, "GET", Some("x-trace")).to_request(),
    )
    .await;
    let reason = res.get("x-cors-reason").unwrap();
    assert!(reason.contains("add it to `headers = [...]`"), "{reason}");

    let cors = Cors::builder()
        .origins([APP])
        .debug_header(true)
        .build()
        .unwrap();
    let app = atest::init_service(App::new().wrap(cors).service(partner)).await;
    let reason = reason_of(&app, "/partner", "https://new.example", "GET").await;
    assert!(reason.contains("add it to `origins = [...]`"), "{reason}");

    const OPS: &str = "https://ops.example.com";
    std::env::set_var("P7_OPS_ORIGINS", "https://admin.example.com");
    let build = || {
        Cors::builder()
            .origins([APP])
            .debug_header(true)
            .named_policy("ops", CorsPolicy::new().origins_from_env("P7_OPS_ORIGINS"))
            .build()
            .unwrap()
    };
    let app = atest::init_service(App::new().wrap(build()).service(ops)).await;
    let reason = reason_of(&app, "/ops", OPS, "GET").await;
    assert!(reason.contains("add it to P7_OPS_ORIGINS"), "{reason}");
    std::env::set_var("P7_OPS_ORIGINS", format!("https://admin.example.com,{OPS}"));
    let app = atest::init_service(App::new().wrap(build()).service(ops)).await;
    let res = call(&app, preflight("/ops", OPS, "GET", None).to_request()).await;
    assert_eq!(res.status, 204, "the fix, applied");
    std::env::remove_var("P7_OPS_ORIGINS");

    let cors = Cors::builder()
        .named_policy("ops", CorsPolicy::new().max_age(60))
        .build()
        .unwrap();
    assert!(common::start_up_fails(App::new().wrap(cors.clone()).service(ops)).await);
    let text = cors.startup_error().unwrap().to_string();
    assert!(!text.contains("Cors::new()"), "{text}");
    assert!(
        text.contains("policy \"ops\" names no origins either"),
        "{text}"
    );
}
