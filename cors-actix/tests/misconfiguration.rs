//! The misconfiguration catalogue: one test per class of items 19–27 of the
//! CORS rules (`shared/design/cors-rules.md`).
//!
//! A class the library makes impossible to express is tested through the
//! runtime builder: `build()` fails with the matching `ErrorKind`. The
//! attribute refuses the same spellings at compile time; each test names the
//! trybuild case in `tests/ui/fail` that pins that compile error. A class
//! that is about what goes on the wire is tested through the middleware: the
//! attacker's origin gets no `Access-Control-Allow-Origin`, and the browser
//! oracle (`cors_core::browser`) blocks the read.

mod common;

use actix_web::http::Method;
use actix_web::{get, post, test as atest, web, App, HttpResponse, Responder, ResponseError};
use actix_web_httpauth::extractors::bearer::BearerAuth;
use actix_web_httpauth::middleware::HttpAuthentication;
use common::{actual, call, page, preflight, Reply};
use cors_actix::cors_core::browser;
use cors_actix::cors_core::{ErrorKind, Field};
use cors_actix::{attach, cors, BuildProblem, Cors, CorsBuilder, CorsPolicy};
use std::sync::atomic::{AtomicUsize, Ordering};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";
const PREFLIGHT_VARY: [&str; 3] = [
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
];

/// The rule and key of every problem `build()` reports; panics if it builds.
fn build_errors(builder: CorsBuilder) -> Vec<(ErrorKind, Field)> {
    let error = builder
        .build()
        .expect_err("this configuration must not build");
    error
        .problems()
        .iter()
        .map(|problem| match problem {
            BuildProblem::Config { error, .. } => (error.kind(), error.field()),
            other => panic!("not a configuration error: {other}"),
        })
        .collect()
}

/// The same for a route policy built at run time (`attach`).
fn policy_errors(policy: CorsPolicy) -> Vec<(ErrorKind, Field)> {
    policy
        .build()
        .expect_err("this policy must not build")
        .iter()
        .map(|e| (e.kind(), e.field()))
        .collect()
}

/// No `Access-Control-*` header at all.
fn assert_no_cors_headers(res: &Reply, what: &str) {
    for (name, _) in res.lines() {
        assert!(
            !name.starts_with("access-control-"),
            "{what}: {name} was sent"
        );
    }
}

// ---- 19. Reflecting any origin while allowing credentials ------------------

#[cors(origins = "*")]
#[get("/public")]
async fn public() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(credentials)]
#[get("/me")]
async fn me() -> impl Responder {
    HttpResponse::Ok().finish()
}

fn anything(_: &str) -> bool {
    true
}

/// Impossible to express: there is no "reflect the request's origin" mode,
/// and `*` with credentials does not build, in the App defaults, in a
/// policy attached by hand, nor after a route with `credentials` inherits
/// `*` from the defaults (a start-up error). The attribute's compile error
/// is `tests/ui/fail/wildcard_origin_with_credentials.rs`. `*` itself is
/// sent as `*`, which browsers never accept with credentials.
#[actix_web::test]
async fn c19_reflecting_any_origin_with_credentials_is_impossible() {
    assert_eq!(
        build_errors(Cors::builder().origins(["*"]).credentials(true)),
        [(ErrorKind::WildcardWithCredentials, Field::Origins)]
    );
    assert_eq!(
        policy_errors(CorsPolicy::new().origins(["*"]).credentials(true)),
        [(ErrorKind::WildcardWithCredentials, Field::Origins)]
    );
    // `*` in the defaults and `credentials` on the route: the App does not start.
    let cors = Cors::builder().origins(["*"]).build().unwrap();
    assert!(common::start_up_fails(App::new().wrap(cors.clone()).service(me)).await);
    let error = cors
        .startup_error()
        .expect("a typed start-up error")
        .to_string();
    assert!(error.contains("wildcard with credentials"), "{error}");

    // `*` is never turned into a mirror of the request's origin.
    let app = atest::init_service(App::new().wrap(Cors::new()).service(public)).await;
    let res = call(&app, actual(Method::GET, "/public", EVIL).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some("*"));
    assert_eq!(res.get("access-control-allow-credentials"), None);
    assert!(res.browser_reads(&page(EVIL, "GET", false)));
    assert!(
        !res.browser_reads(&page(EVIL, "GET", true)),
        "a credentialed read of `*` is blocked"
    );

    // Even `origin_fn` answering yes to everything never mirrors what is
    // not a serialised origin (it is consulted only for well-formed ones).
    let cors = Cors::builder().origin_fn(anything).build().unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors)
            .service(web::resource("/any").route(web::get().to(HttpResponse::Ok))),
    )
    .await;
    for origin in [
        "null",
        "https://evil.example/",
        "HTTPS://EVIL.EXAMPLE",
        "https://evil.example:443",
        "https://u@evil.example",
        "file://evil.example",
    ] {
        let res = call(&app, actual(Method::GET, "/any", origin).to_request()).await;
        assert_eq!(res.get("access-control-allow-origin"), None, "{origin}");
    }
}

// ---- 20. The `null` origin -------------------------------------------------

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/account")]
async fn account() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Impossible without an explicit opt-in, and impossible with credentials,
/// opt-in or not (`tests/ui/fail/origin_null.rs`,
/// `tests/ui/fail/origin_null_with_credentials.rs`). On the wire, `null`
/// is never allowed by a policy that does not list it.
#[actix_web::test]
async fn c20_the_null_origin() {
    assert_eq!(
        build_errors(Cors::builder().origins(["null"])),
        [(ErrorKind::NullOrigin, Field::Origins)]
    );
    assert_eq!(
        build_errors(Cors::builder().origins([APP, "null"]).credentials(true)),
        [(ErrorKind::NullWithCredentials, Field::Origins)]
    );
    assert_eq!(
        build_errors(
            Cors::builder()
                .origins(["null"])
                .credentials(true)
                .dangerously_allow_null_origin(true)
        ),
        [(ErrorKind::NullWithCredentials, Field::Origins)],
        "the opt-in never covers credentials"
    );

    let app = atest::init_service(App::new().wrap(Cors::new()).service(account)).await;
    let res = call(&app, actual(Method::GET, "/account", "null").to_request()).await;
    assert_eq!(res.status, 200);
    assert_no_cors_headers(&res, "null on an actual request");
    assert_eq!(res.vary(), ["Origin"]);
    assert!(!res.browser_reads(&page("null", "GET", true)));
    let res = call(
        &app,
        preflight("/account", "null", "GET", Some("x-a")).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    assert_no_cors_headers(&res, "null on a preflight");

    // With the opt-in (and no credentials), `null` is answered as `null`.
    let cors = Cors::builder()
        .origins(["null"])
        .dangerously_allow_null_origin(true)
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors)
            .service(web::resource("/sandboxed").route(web::get().to(HttpResponse::Ok))),
    )
    .await;
    let res = call(&app, actual(Method::GET, "/sandboxed", "null").to_request()).await;
    assert_eq!(
        res.get("access-control-allow-origin").as_deref(),
        Some("null")
    );
    assert_eq!(res.get("access-control-allow-credentials"), None);
    assert!(res.browser_reads(&page("null", "GET", false)));
}

// ---- 21. Prefix, suffix and regex matching --------------------------------

#[cors(origins = ["https://*.example.com", "https://example.com"], credentials)]
#[get("/wallet")]
async fn wallet() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Origins are compared whole, patterns match whole labels with the scheme
/// and port fixed, and there are no regular expressions. Misplaced `*` and
/// patterns over public suffixes do not build
/// (`tests/ui/fail/origin_misplaced_wildcard.rs`,
/// `tests/ui/fail/origin_too_broad.rs`).
#[actix_web::test]
async fn c21_prefix_and_suffix_origins_get_nothing() {
    assert_eq!(
        build_errors(Cors::builder().origins(["https://*example.com"])),
        [(
            ErrorKind::InvalidOrigin(cors_actix::cors_core::OriginProblem::MisplacedWildcard),
            Field::Origins
        )]
    );
    assert_eq!(
        build_errors(Cors::builder().origins(["https://*.com", "https://*.co.uk"])),
        [
            (
                ErrorKind::InvalidOrigin(cors_actix::cors_core::OriginProblem::TooBroad),
                Field::Origins
            ),
            (
                ErrorKind::InvalidOrigin(cors_actix::cors_core::OriginProblem::TooBroad),
                Field::Origins
            ),
        ]
    );

    let app = atest::init_service(App::new().wrap(Cors::new()).service(wallet)).await;
    for allowed in [
        "https://example.com",
        "https://a.example.com",
        "https://a.b.example.com",
    ] {
        let res = call(&app, actual(Method::GET, "/wallet", allowed).to_request()).await;
        assert_eq!(
            res.get("access-control-allow-origin").as_deref(),
            Some(allowed)
        );
        assert!(res.browser_reads(&page(allowed, "GET", true)), "{allowed}");
    }
    for attacker in [
        "https://evilexample.com",
        "https://example.com.evil.net",
        "https://a.example.com.evil.net",
        "https://a-example.com",
        "https://aexample.com",
        "https://example.co",
        "https://example.comm",
        "http://a.example.com",
        "https://a.example.com:8443",
        "https://example.com:443",
        "https://evil.net/.example.com",
        "https://evil.net?.example.com",
        "https://evil.net#.example.com",
        "https://A.example.com",
        "https://.example.com",
        "https://*.example.com",
    ] {
        let res = call(&app, actual(Method::GET, "/wallet", attacker).to_request()).await;
        assert_eq!(res.status, 200, "{attacker}: served, unreadable");
        assert_no_cors_headers(&res, attacker);
        assert_eq!(res.vary(), ["Origin"], "{attacker}");
        assert!(
            !res.browser_reads(&page(attacker, "GET", true)),
            "{attacker}"
        );

        let res = call(
            &app,
            preflight("/wallet", attacker, "GET", Some("x-a")).to_request(),
        )
        .await;
        assert_eq!(res.status, 403, "{attacker}");
        assert_no_cors_headers(&res, attacker);
    }
}

// ---- 22. `http://` origins with credentials --------------------------------

#[cors(origins = ["https://app.example.com", "https://*.example.org"], credentials)]
#[get("/session")]
async fn session() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Impossible without `dangerously_allow_insecure_origins`, except for
/// loopback (`tests/ui/fail/origin_http_with_credentials.rs`). On the
/// wire, the scheme is part of the origin: `http://` never matches an
/// `https://` entry or pattern.
#[actix_web::test]
async fn c22_plain_http_origins_with_credentials() {
    assert_eq!(
        build_errors(
            Cors::builder()
                .origins([
                    "http://app.example.com",
                    "http://*.example.com",
                    "ws://app.example.com"
                ])
                .credentials(true)
        ),
        [
            (ErrorKind::InsecureWithCredentials, Field::Origins),
            (ErrorKind::InsecureWithCredentials, Field::Origins),
            (ErrorKind::InsecureWithCredentials, Field::Origins),
        ]
    );
    assert_eq!(
        policy_errors(
            CorsPolicy::new()
                .origins(["http://app.example.com"])
                .credentials(true)
        ),
        [(ErrorKind::InsecureWithCredentials, Field::Origins)]
    );
    // Loopback cannot be reached by a network attacker.
    assert!(Cors::builder()
        .origins([
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "http://[::1]:8080"
        ])
        .credentials(true)
        .build()
        .is_ok());
    // Without credentials, http is the owner's choice.
    assert!(Cors::builder()
        .origins(["http://app.example.com"])
        .build()
        .is_ok());

    let app = atest::init_service(App::new().wrap(Cors::new()).service(session)).await;
    for attacker in ["http://app.example.com", "http://a.example.org"] {
        let res = call(&app, actual(Method::GET, "/session", attacker).to_request()).await;
        assert_no_cors_headers(&res, attacker);
        assert!(!res.browser_reads(&page(attacker, "GET", true)));
    }
    let res = call(&app, actual(Method::GET, "/session", APP).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some(APP));
}

// ---- 23. `*` with credentials in any header --------------------------------

/// Impossible in every list: origins, methods, headers and expose
/// (`tests/ui/fail/wildcard_origin_with_credentials.rs`,
/// `wildcard_methods_with_credentials.rs`,
/// `wildcard_headers_with_credentials.rs`,
/// `wildcard_expose_with_credentials.rs`), all reported at once. A
/// credentialed policy never puts `*` on the wire.
#[actix_web::test]
async fn c23_wildcards_with_credentials() {
    let mut errors = build_errors(
        Cors::builder()
            .origins(["*"])
            .methods(["*"])
            .headers(["*"])
            .expose(["*"])
            .credentials(true),
    );
    errors.sort_by_key(|(_, field)| *field);
    assert_eq!(
        errors,
        [
            (ErrorKind::WildcardWithCredentials, Field::Origins),
            (ErrorKind::WildcardWithCredentials, Field::Methods),
            (ErrorKind::WildcardWithCredentials, Field::Headers),
            (ErrorKind::WildcardWithCredentials, Field::Expose),
        ]
    );
    for (builder, field) in [
        (Cors::builder().methods(["*"]), Field::Methods),
        (Cors::builder().headers(["*"]), Field::Headers),
        (Cors::builder().expose(["*"]), Field::Expose),
    ] {
        assert_eq!(
            build_errors(builder.origins([APP]).credentials(true)),
            [(ErrorKind::WildcardWithCredentials, field)]
        );
    }

    let cors = Cors::builder()
        .origins([APP])
        .methods(["GET", "PUT"])
        .headers(["content-type", "authorization"])
        .expose(["x-total-count"])
        .credentials(true)
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new().wrap(cors).service(
            web::resource("/data")
                .route(web::get().to(HttpResponse::Ok))
                .route(web::put().to(HttpResponse::Ok)),
        ),
    )
    .await;
    let responses = [
        call(
            &app,
            preflight("/data", APP, "PUT", Some("authorization,content-type")).to_request(),
        )
        .await,
        call(&app, actual(Method::GET, "/data", APP).to_request()).await,
    ];
    for res in &responses {
        assert!(res.status.is_success());
        assert_eq!(
            res.get("access-control-allow-credentials").as_deref(),
            Some("true")
        );
        for (name, value) in res.lines() {
            if name.starts_with("access-control-") {
                assert!(
                    !value.split(',').any(|token| token.trim() == "*"),
                    "{name}: {value}"
                );
            }
        }
    }
    let browser = page(APP, "PUT", true)
        .header("Authorization", "Bearer x")
        .header("Content-Type", "application/json");
    assert!(responses[0].browser_accepts_preflight(&browser));
}

// ---- 24. `Vary: Origin` ----------------------------------------------------

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

#[cors(origins = ["https://app.example.com"])]
#[get("/vary/fails")]
async fn vary_fails() -> Result<HttpResponse, Teapot> {
    Err(Teapot)
}

#[cors(origins = ["https://app.example.com"])]
#[get("/vary/own")]
async fn vary_own() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("Vary", "Accept-Encoding, ORIGIN"))
        .finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/vary")]
async fn vary_plain() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Every response whose CORS headers depend on `Origin` says so: allowed and
/// disallowed origins, no `Origin` at all, preflights (with the request
/// method and headers), refusals, handler errors, and paths no route
/// serves (answered by the App defaults); each token once, merged with the
/// App's own.
#[actix_web::test]
async fn c24_vary_origin_on_every_origin_dependent_response() {
    let cors = Cors::builder().origins([APP]).build().unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors)
            .service(vary_fails)
            .service(vary_own)
            .service(vary_plain),
    )
    .await;
    let cases: Vec<(&str, actix_http::Request, u16, Vec<&str>)> = vec![
        (
            "allowed",
            actual(Method::GET, "/vary", APP).to_request(),
            200,
            vec!["Origin"],
        ),
        (
            "disallowed",
            actual(Method::GET, "/vary", EVIL).to_request(),
            200,
            vec!["Origin"],
        ),
        (
            "no Origin",
            atest::TestRequest::get().uri("/vary").to_request(),
            200,
            vec!["Origin"],
        ),
        (
            "allowed preflight",
            preflight("/vary", APP, "GET", None).to_request(),
            204,
            PREFLIGHT_VARY.to_vec(),
        ),
        (
            "refused preflight",
            preflight("/vary", EVIL, "GET", None).to_request(),
            403,
            PREFLIGHT_VARY.to_vec(),
        ),
        (
            "two Origin headers (served without CORS headers)",
            actual(Method::GET, "/vary", APP)
                .append_header(("Origin", EVIL))
                .to_request(),
            200,
            vec!["Origin"],
        ),
        (
            "handler error, allowed",
            actual(Method::GET, "/vary/fails", APP).to_request(),
            418,
            vec!["Origin"],
        ),
        (
            "handler error, disallowed",
            actual(Method::GET, "/vary/fails", EVIL).to_request(),
            418,
            vec!["Origin"],
        ),
        (
            "no route, defaults",
            actual(Method::GET, "/nowhere", APP).to_request(),
            404,
            vec!["Origin"],
        ),
        (
            "no route, disallowed",
            actual(Method::GET, "/nowhere", EVIL).to_request(),
            404,
            vec!["Origin"],
        ),
        (
            "no route, no Origin",
            atest::TestRequest::get().uri("/nowhere").to_request(),
            404,
            vec!["Origin"],
        ),
        (
            "the App's own Vary",
            actual(Method::GET, "/vary/own", EVIL).to_request(),
            200,
            vec!["Accept-Encoding", "ORIGIN"],
        ),
    ];
    for (what, request, status, vary) in cases {
        let res = call(&app, request).await;
        assert_eq!(res.status, status, "{what}");
        assert_eq!(res.vary(), vary, "{what}");
    }
}

// ---- 25. `*` on resources protected only by network position ---------------

#[cors(origins = "*")]
#[get("/intranet")]
async fn intranet() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = "*", private_network)]
#[get("/intranet/shared")]
async fn intranet_shared() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// What `*` means: every site on the web may read the resource through the
/// browser of anyone who can reach it, which includes a visitor inside the
/// network. It never carries credentials, so cookies and HTTP
/// authentication do not help an attacker. For resources protected only by
/// network position, the defence is the browser's: Chrome and Firefox hold a
/// public page's request to a private address until the user allows it
/// (Local Network Access). Earlier Chrome versions sent a Private Network
/// Access preflight instead, which the library refuses unless the route opts
/// in with `private_network`.
#[actix_web::test]
async fn c25_what_the_wildcard_means() {
    let app = atest::init_service(
        App::new()
            .wrap(Cors::new())
            .service(intranet_shared)
            .service(intranet),
    )
    .await;
    let res = call(&app, actual(Method::GET, "/intranet", EVIL).to_request()).await;
    assert_eq!(res.get("access-control-allow-origin").as_deref(), Some("*"));
    assert_eq!(res.get("access-control-allow-credentials"), None);
    assert!(res.vary().is_empty(), "nothing depends on Origin");
    assert!(
        res.browser_reads(&page(EVIL, "GET", false)),
        "`*`: any site can read it"
    );
    assert!(
        !res.browser_reads(&page(EVIL, "GET", true)),
        "but never with the visitor's credentials"
    );

    // A public page reaching into the private network: refused.
    let private = preflight("/intranet", EVIL, "GET", None)
        .insert_header(("Access-Control-Request-Private-Network", "true"))
        .to_request();
    let res = call(&app, private).await;
    assert_eq!(res.status, 403);
    assert_no_cors_headers(&res, "private network preflight");
    // Current browsers send no such preflight: they ask the user first.
    let browser = page(EVIL, "GET", false).private_network(true);
    assert!(!browser::needs_preflight(&browser));
    let held = browser::fetch(&browser, None, &browser::Response::new(200)).unwrap_err();
    assert_eq!(held.kind, browser::BlockedKind::LocalNetworkPermission);

    // Unless the route opts in.
    let private = preflight("/intranet/shared", EVIL, "GET", None)
        .insert_header(("Access-Control-Request-Private-Network", "true"))
        .to_request();
    let res = call(&app, private).await;
    assert_eq!(res.status, 204);
    assert_eq!(
        res.get("access-control-allow-private-network").as_deref(),
        Some("true")
    );
}

// ---- 26. CORS is not CSRF protection ---------------------------------------

static TRANSFERS: AtomicUsize = AtomicUsize::new(0);

#[cors(origins = ["https://app.example.com"], credentials)]
#[post("/transfer")]
async fn transfer() -> impl Responder {
    TRANSFERS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

/// A form POST is a simple request: the browser sends no preflight, the
/// request reaches the handler, and only the *read* of the response is
/// blocked. Strict mode refuses it with 403 before anything inside `Cors`
/// runs.
#[actix_web::test]
async fn c26_a_simple_cross_origin_post_reaches_the_handler_unless_strict() {
    let form = || {
        actual(Method::POST, "/transfer", EVIL)
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .insert_header(("Sec-Fetch-Site", "cross-site"))
            .insert_header(("Cookie", "session=victim"))
            .set_payload("to=attacker&amount=1000")
            .to_request()
    };
    let browser =
        page(EVIL, "POST", true).header("Content-Type", "application/x-www-form-urlencoded");
    assert!(
        !browser::needs_preflight(&browser),
        "no preflight protects it"
    );

    let app = atest::init_service(App::new().wrap(Cors::new()).service(transfer)).await;
    let before = TRANSFERS.load(Ordering::SeqCst);
    let res = call(&app, form()).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        TRANSFERS.load(Ordering::SeqCst),
        before + 1,
        "without strict mode the side effect happens"
    );
    assert_no_cors_headers(&res, "cross-site form post");
    assert!(!res.browser_reads(&browser), "only the read is blocked");

    let strict = Cors::builder().strict(true).build().unwrap();
    let app = atest::init_service(App::new().wrap(strict).service(transfer)).await;
    let before = TRANSFERS.load(Ordering::SeqCst);
    let res = call(&app, form()).await;
    assert_eq!(res.status, 403);
    assert_eq!(
        TRANSFERS.load(Ordering::SeqCst),
        before,
        "strict mode stops it before the handler"
    );
    assert_no_cors_headers(&res, "strict refusal");
    // The allowed origin still gets through.
    let res = call(&app, actual(Method::POST, "/transfer", APP).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(TRANSFERS.load(Ordering::SeqCst), before + 1);
}

// ---- 27. CORS headers exactly once on every response -----------------------

#[cors(origins = ["https://app.example.com"], credentials, expose = ["x-total-count"])]
#[get("/once/teapot")]
async fn once_teapot() -> Result<HttpResponse, Teapot> {
    Err(Teapot)
}

#[cors(origins = ["https://app.example.com"], credentials, expose = ["x-total-count"])]
#[get("/once/broken")]
async fn once_broken() -> Result<HttpResponse, actix_web::Error> {
    Err(actix_web::error::ErrorInternalServerError("broken"))
}

#[cors(origins = ["https://app.example.com"], credentials, expose = ["x-total-count"])]
#[get("/once/own")]
async fn once_own() -> impl Responder {
    HttpResponse::Ok()
        .append_header(("Access-Control-Allow-Origin", "*"))
        .append_header(("Access-Control-Allow-Origin", "https://other.example"))
        .append_header(("Access-Control-Allow-Credentials", "false"))
        .append_header(("Access-Control-Expose-Headers", "x-secret"))
        .append_header(("Vary", "Origin"))
        .append_header(("Vary", "origin"))
        .insert_header(("X-Total-Count", "1"))
        .finish()
}

#[cors(origins = ["https://app.example.com"], credentials, expose = ["x-total-count"])]
#[get("/once/secret")]
async fn once_secret() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "1"))
        .finish()
}

async fn validator(
    req: actix_web::dev::ServiceRequest,
    credentials: BearerAuth,
) -> Result<actix_web::dev::ServiceRequest, (actix_web::Error, actix_web::dev::ServiceRequest)> {
    if credentials.token() == "good" {
        Ok(req)
    } else {
        Err((actix_web::error::ErrorUnauthorized("bad token"), req))
    }
}

/// Successes, handler errors (a `ResponseError` and a 500), an
/// authentication error from scope middleware, 404 and 405 under the App
/// defaults, preflights, and a handler that set CORS headers itself: each
/// CORS header is sent exactly once, with the middleware's value, and the
/// browser can read every one of them.
#[actix_web::test]
async fn c27_cors_headers_exactly_once_on_every_response() {
    let cors = Cors::builder()
        .origins([APP])
        .credentials(true)
        .expose(["x-total-count"])
        .build()
        .unwrap();
    let app = atest::init_service(
        App::new()
            .wrap(cors)
            .service(once_teapot)
            .service(once_broken)
            .service(once_own)
            .service(
                web::scope("/once/private")
                    .wrap(HttpAuthentication::bearer(validator))
                    .service(once_secret),
            )
            .service(web::resource("/once/get-only").route(web::get().to(HttpResponse::Ok))),
    )
    .await;
    let cases: Vec<(&str, actix_http::Request, u16)> = vec![
        (
            "own headers",
            actual(Method::GET, "/once/own", APP).to_request(),
            200,
        ),
        (
            "ResponseError",
            actual(Method::GET, "/once/teapot", APP).to_request(),
            418,
        ),
        (
            "500",
            actual(Method::GET, "/once/broken", APP).to_request(),
            500,
        ),
        (
            "401 from auth",
            actual(Method::GET, "/once/private/once/secret", APP).to_request(),
            401,
        ),
        (
            "401 bad token",
            actual(Method::GET, "/once/private/once/secret", APP)
                .insert_header(("Authorization", "Bearer bad"))
                .to_request(),
            401,
        ),
        (
            "200 behind auth",
            actual(Method::GET, "/once/private/once/secret", APP)
                .insert_header(("Authorization", "Bearer good"))
                .to_request(),
            200,
        ),
        (
            "404",
            actual(Method::GET, "/once/nowhere", APP).to_request(),
            404,
        ),
        (
            "405",
            actual(Method::DELETE, "/once/get-only", APP).to_request(),
            405,
        ),
    ];
    for (what, request, status) in cases {
        let res = call(&app, request).await;
        assert_eq!(res.status, status, "{what}");
        assert_eq!(res.all("access-control-allow-origin"), [APP], "{what}");
        assert_eq!(
            res.all("access-control-allow-credentials"),
            ["true"],
            "{what}"
        );
        assert_eq!(
            res.all("access-control-expose-headers"),
            ["x-total-count"],
            "{what}"
        );
        // Merged, never added twice: the handler of `own headers` sent
        // its own two lines, which are kept as they are.
        let vary = if what == "own headers" {
            vec!["Origin", "origin"]
        } else {
            vec!["Origin"]
        };
        assert_eq!(res.vary(), vary, "{what}");
        assert!(res.browser_reads(&page(APP, "GET", true)), "{what}");
    }

    // Preflights, allowed (to an annotated route and to the defaults) and
    // refused: ACAO once or not at all.
    for (uri, origin, status, acao) in [
        ("/once/teapot", APP, 204, vec![APP]),
        ("/once/nowhere", APP, 204, vec![APP]),
        ("/once/teapot", EVIL, 403, vec![]),
    ] {
        let res = call(&app, preflight(uri, origin, "GET", None).to_request()).await;
        assert_eq!(res.status, status, "{uri} from {origin}");
        assert_eq!(
            res.all("access-control-allow-origin"),
            acao,
            "{uri} from {origin}"
        );
        assert_eq!(res.vary(), PREFLIGHT_VARY, "{uri} from {origin}");
        for name in [
            "access-control-allow-credentials",
            "access-control-allow-methods",
            "vary",
        ] {
            assert!(res.all(name).len() <= 1, "{name} on {uri} from {origin}");
        }
    }

    // A disallowed origin gets none of the middleware's headers, on errors too.
    let res = call(&app, actual(Method::GET, "/once/teapot", EVIL).to_request()).await;
    assert_eq!(res.status, 418);
    assert_no_cors_headers(&res, "disallowed origin on an error");
    assert_eq!(res.vary(), ["Origin"]);
}

// ---- attach follows the same rules -----------------------------------------

/// Policies attached by hand go through the same validator when the App
/// starts: a dangerous one stops the App instead of serving.
#[actix_web::test]
async fn attached_policies_are_validated_at_start_up_too() {
    let cors = Cors::new();
    let app = App::new().wrap(cors.clone()).service(attach(
        "/attached",
        ["GET"],
        CorsPolicy::new().origins(["null"]).credentials(true),
        web::resource("/attached").route(web::get().to(HttpResponse::Ok)),
    ));
    assert!(common::start_up_fails(app).await);
    let error = cors
        .startup_error()
        .expect("a typed start-up error")
        .to_string();
    assert!(error.contains("null origin with credentials"), "{error}");
    assert!(error.contains("attach(/attached)"), "{error}");
}
