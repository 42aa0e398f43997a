//! The behavioural cases of tower-http's CORS layer (tower-rs/tower-http,
//! `tower-http/src/cors/`: `tests.rs`, the unit tests of
//! `allow_private_network.rs` and the module doctest of `mod.rs`), written
//! fresh against this library. Each case names the peer's file and test.
//! tower-http's suite is small, so the rules its layer enforces in code
//! (`ensure_usable_cors_rules`, `AllowOrigin::list`, `Cors::call` and its
//! response future in `mod.rs`) are ported too; their comments name the
//! function instead of a test. Where this library deliberately answers
//! otherwise, the case asserts this library's answer and says why and where
//! it is documented.
//!
//! Not ported, because this library has no such feature:
//! - `tests.rs: include_custom_permissive_to_vary_set_by_inner_service`,
//!   `permissive_with_custom_vary_builder`, `permissive_with_inner_and_builder_vary`:
//!   a custom `Vary` list (`CorsLayer::vary`). `Vary` is computed from the
//!   policy and merged with the handler's (README, "Middleware order"); the
//!   handler-`Vary` halves of these tests are ported.
//! - `tests.rs: test_allow_origin_async_predicate`: an async origin predicate
//!   with access to the request (its path). `origin_fn` is a synchronous
//!   `fn(&str) -> bool`; a per-path origin list is what `#[cors]` on the
//!   handler does, and that is what the port checks.
//! - `allow_private_network.rs: cors_private_network_header_is_added_correctly_with_predicate`:
//!   a Private Network Access predicate on the origin and the path. Here
//!   `private_network` is a flag of each route's policy; the port puts it on
//!   one route and not the other.
//! - `AllowOrigin::mirror_request`, `AllowMethods::mirror_request`,
//!   `AllowHeaders::mirror_request` and `CorsLayer::very_permissive()`:
//!   echoing whatever is asked. Allowed values are fixed per policy, computed
//!   at compile or start-up time (README, "The preflight cycle"); ported with
//!   fixed lists.
//! - `MaxAge::dynamic` and `AllowCredentials::predicate`: per-request values;
//!   both are fixed per policy here.

#[macro_use]
mod common;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use actix_web::{get, HttpResponse, Responder};
use common::{actual, builder_error_kinds, call, names, policy_error_kinds, preflight, Reply};
use cors_actix::cors_core::ErrorKind;
use cors_actix::{cors, Cors, CorsPolicy};
use std::collections::BTreeSet;

const ACAO: &str = "access-control-allow-origin";
const ACAC: &str = "access-control-allow-credentials";
const ACAM: &str = "access-control-allow-methods";
const ACAH: &str = "access-control-allow-headers";
const ACEH: &str = "access-control-expose-headers";
const ACMA: &str = "access-control-max-age";
const ACAPN: &str = "access-control-allow-private-network";
const ACRPN: &str = "access-control-request-private-network";
const ORIGIN: &str = "origin";
const ACRM: &str = "access-control-request-method";
const ACRH: &str = "access-control-request-headers";
const EXAMPLE: &str = "https://example.com";

// ---- helpers ---------------------------------------------------------------

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_ascii_lowercase()).collect()
}

/// The methods of `Access-Control-Allow-Methods` (case-sensitive).
fn methods(res: &Reply) -> BTreeSet<String> {
    res.all(ACAM)
        .iter()
        .flat_map(|v| v.split(',').map(|t| t.trim().to_owned()))
        .filter(|t| !t.is_empty())
        .collect()
}

async fn ok() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-handler", "ran"))
        .finish()
}

async fn vary_accept_and_encoding() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Vary", "accept, accept-encoding"))
        .finish()
}

async fn vary_encoding() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Vary", "accept-encoding"))
        .finish()
}

/// `CorsLayer::permissive()`: any origin, method and request header, every
/// response header exposed.
fn permissive() -> Cors {
    Cors::builder()
        .origins(["*"])
        .methods(["*"])
        .headers(["*"])
        .expose(["*"])
        .build()
        .unwrap()
}

/// `Cors::new(..).allow_origin(Any).allow_methods(Any).allow_headers(Any)`.
fn any_any_any() -> Cors {
    Cors::builder()
        .origins(["*"])
        .methods(["*"])
        .headers(["*"])
        .build()
        .unwrap()
}

// ---- handlers ----------------------------------------------------------------

// tests.rs `derived_vary_header_for_mixed_wildcard_configuration`: any origin,
// methods and request headers mirrored (here: the route's and `*`).
#[cors(origins = "*", headers = "*")]
#[get("/mixed")]
async fn mixed() -> impl Responder {
    HttpResponse::Ok().finish()
}

// tests.rs `very_permissive_emits_vary_headers`, with the origin listed.
#[cors(origins = ["https://example.com"], headers = ["content-type"], credentials)]
#[get("/very")]
async fn very() -> impl Responder {
    HttpResponse::Ok().finish()
}

// tests.rs `exact_origin_does_not_emit_origin_vary_header`.
#[cors(origins = ["http://example.com"], methods = ["GET"], headers = ["content-type"])]
#[get("/exact")]
async fn exact() -> impl Responder {
    HttpResponse::Ok().finish()
}

// tests.rs `test_allow_origin_async_predicate`: origins for this path only.
#[cors(origins = ["http://example.com"])]
#[get("/for-path")]
async fn for_path() -> impl Responder {
    HttpResponse::Ok().body("hello world")
}

// allow_private_network.rs: Private Network Access on one path, not another.
#[cors(origins = ["http://localhost"], private_network)]
#[get("/allow-private")]
async fn allow_private() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["http://localhost"])]
#[get("/other")]
async fn other() -> impl Responder {
    HttpResponse::Ok().finish()
}

// mod.rs `Cors::call`: which headers go on which response.
#[cors(origins = ["https://example.com"], expose = ["x-total-count"], credentials, max_age = 600)]
#[get("/full")]
async fn full() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("Vary", "accept-encoding"))
        .insert_header(("x-total-count", "2"))
        .finish()
}

/// Every CORS response header, set by a handler itself.
fn with_own_cors_headers(mut res: actix_web::HttpResponseBuilder) -> HttpResponse {
    res.insert_header((ACAO, "*"))
        .insert_header((ACAC, "true"))
        .insert_header((ACEH, "x-secret"))
        .insert_header((ACAM, "DELETE"))
        .insert_header((ACAH, "x-anything"))
        .insert_header((ACMA, "999"))
        .insert_header((ACAPN, "true"))
        .finish()
}

// mod.rs `ResponseFuture::poll` ("extend will overwrite previous headers").
#[cors(origins = ["https://example.com"])]
#[get("/own")]
async fn own() -> impl Responder {
    with_own_cors_headers(HttpResponse::Ok())
}

#[cors(origins = "*")]
#[get("/own-star")]
async fn own_star() -> impl Responder {
    HttpResponse::Ok()
        .insert_header((ACAO, "https://example.com"))
        .insert_header((ACAC, "true"))
        .finish()
}

#[cors(disable)]
#[get("/own-disabled")]
async fn own_disabled() -> impl Responder {
    with_own_cors_headers(HttpResponse::Ok())
}

// ---- Vary, and wildcard policies on every response ---------------------------

#[actix_web::test]
async fn permissive_responses_without_origin() {
    let app = app!(permissive(), ok);
    let res = call(&app, TestRequest::get().uri("/").to_request()).await;
    assert_eq!(res.status, 200);
    // tests.rs: permissive_vary_header_is_empty
    assert_eq!(names(&res, "vary"), set(&[]));
    // tests.rs: permissive_vary_header_is_empty, the same response: tower-http
    // sends a constant origin to every request. So does this library for a
    // `*` policy (README, "Wildcard or specific origins"; DESIGN.md, "`Vary`,
    // and `*` on every response"): `*` and the fixed expose list, also
    // without `Origin`.
    assert_eq!(res.get(ACAO).as_deref(), Some("*"));
    assert_eq!(res.get(ACEH).as_deref(), Some("*"));
    assert_eq!(res.get(ACAM), None, "preflight-only");

    // tests.rs: cors_map_layer_smoke_without_vary_header (no expose).
    let app = app!(any_any_any(), ok);
    let res = call(&app, TestRequest::get().uri("/").to_request()).await;
    assert_eq!(names(&res, "vary"), set(&[]));
    assert_eq!(res.get(ACAO).as_deref(), Some("*"));
    assert_eq!(res.get(ACEH), None);

    // mod.rs doctest: any origin, GET and POST; a GET from an origin gets `*`.
    let cors = Cors::builder()
        .origins(["*"])
        .methods(["GET", "POST"])
        .build()
        .unwrap();
    let app = app!(cors, ok);
    let res = call(&app, actual(Method::GET, "/", EXAMPLE).to_request()).await;
    assert_eq!(res.get(ACAO).as_deref(), Some("*"));
    assert_eq!(names(&res, "vary"), set(&[]));
}

#[actix_web::test]
async fn the_handlers_vary_is_kept() {
    // tests.rs: include_custom_permissive_to_vary_set_by_inner_service (the
    // inner service's `Vary`; the custom list is not ported). Nothing is
    // added: a `*` answer depends on nothing.
    let app = app!(permissive(), vary_accept_and_encoding);
    let res = call(&app, TestRequest::get().uri("/").to_request()).await;
    assert_eq!(res.all("vary"), ["accept, accept-encoding"]);
    let res = call(&app, actual(Method::GET, "/", EXAMPLE).to_request()).await;
    assert_eq!(names(&res, "vary"), set(&["accept", "accept-encoding"]));

    // tests.rs: permissive_with_inner_and_builder_vary (the inner half).
    let app = app!(permissive(), vary_encoding);
    let res = call(&app, TestRequest::get().uri("/").to_request()).await;
    assert_eq!(res.all("vary"), ["accept-encoding"]);

    // mod.rs `ResponseFuture::poll` ("vary header can have multiple values,
    // don't overwrite"): with a listed origin, `Origin` is merged in.
    let app = app!(Cors::new(), ok, full);
    let res = call(&app, actual(Method::GET, "/full", EXAMPLE).to_request()).await;
    assert_eq!(names(&res, "vary"), set(&["accept-encoding", ORIGIN]));
}

#[actix_web::test]
async fn vary_on_preflights() {
    let app = app!(Cors::new(), ok, mixed, very);

    // tests.rs: derived_vary_header_for_mixed_wildcard_configuration
    let res = call(
        &app,
        preflight("/mixed", EXAMPLE, "GET", Some("content-type")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(names(&res, "vary"), set(&[ACRM, ACRH]));
    assert_eq!(res.get(ACAO).as_deref(), Some("*"));
    assert_eq!(methods(&res), BTreeSet::from(["GET".to_owned()]));
    // Deliberate difference: `*` is not a mirror of the request; it is sent
    // as `*, authorization` (README, "Testing your own CORS").
    assert_eq!(names(&res, ACAH), set(&["*", "authorization"]));

    // tests.rs: very_permissive_emits_vary_headers (origin listed,
    // credentials, fixed lists).
    let res = call(
        &app,
        preflight("/very", EXAMPLE, "GET", Some("content-type")).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(names(&res, "vary"), set(&[ORIGIN, ACRM, ACRH]));
    assert_eq!(res.get(ACAO).as_deref(), Some(EXAMPLE));
    assert_eq!(res.get(ACAC).as_deref(), Some("true"));
    assert_eq!(names(&res, ACAH), set(&["content-type"]));
    // Deliberate difference: an origin that is not listed is refused, where
    // very_permissive() mirrors any origin with credentials (README,
    // "Migrating from actix-cors", `Cors::permissive()` row).
    let res = call(
        &app,
        preflight("/very", "https://other.example", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.get(ACAO), None);
    assert_eq!(res.get(ACAC), None);

    // tests.rs: cors_map_layer_smoke_with_vary_header (any origin and headers,
    // no requested headers). Deliberate difference: `Vary` also names
    // `Access-Control-Request-Headers`: every preflight is checked against
    // both request headers and refused (403) on either (DESIGN.md (l)).
    let app = app!(any_any_any(), ok);
    let res = call(&app, preflight("/", EXAMPLE, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
    assert_eq!(names(&res, "vary"), set(&[ACRM, ACRH]));
    assert_eq!(res.get(ACAO).as_deref(), Some("*"));
}

#[actix_web::test]
async fn one_exact_origin() {
    let app = app!(Cors::new(), ok, exact);
    // tests.rs: exact_origin_does_not_emit_origin_vary_header.
    let res = call(
        &app,
        actual(Method::GET, "/exact", "http://example.com").to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.get(ACAO).as_deref(), Some("http://example.com"));
    // Deliberate difference: `Vary: Origin`. tower-http sends one listed
    // origin as a constant to everyone; here it is checked and echoed only to
    // itself, so the answer depends on `Origin` (README, "Origin lists,
    // echoed back with validation").
    assert_eq!(names(&res, "vary"), set(&[ORIGIN]));
    // mod.rs `AllowOrigin::to_future` (a constant for `exact`): another
    // origin would get `http://example.com` from tower-http; here nothing.
    let res = call(
        &app,
        actual(Method::GET, "/exact", "http://example.org").to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.get(ACAO), None);
    assert_eq!(names(&res, "vary"), set(&[ORIGIN]));
    // Without `Origin`: nothing but `Vary`.
    let res = call(&app, TestRequest::get().uri("/exact").to_request()).await;
    assert_eq!(res.get(ACAO), None);
    assert_eq!(names(&res, "vary"), set(&[ORIGIN]));
}

#[actix_web::test]
async fn origins_for_one_path() {
    // tests.rs: test_allow_origin_async_predicate, as a per-handler list.
    let app = app!(Cors::new(), ok, for_path);
    let rows: [(Option<&str>, Option<&str>); 3] = [
        (Some("http://example.com"), Some("http://example.com")),
        (Some("http://example.org"), None),
        (None, None),
    ];
    for (origin, want) in rows {
        let mut req = TestRequest::get().uri("/for-path");
        if let Some(origin) = origin {
            req = req.insert_header(("Origin", origin));
        }
        let res = call(&app, req.to_request()).await;
        assert_eq!(res.status, 200, "{origin:?}");
        assert_eq!(res.get(ACAO).as_deref(), want, "{origin:?}");
    }
    // The same origin on a path without that policy: no CORS headers.
    let res = call(
        &app,
        actual(Method::GET, "/elsewhere", "http://example.com").to_request(),
    )
    .await;
    assert_eq!(res.get(ACAO), None);
}

// ---- Private Network Access --------------------------------------------------------

#[actix_web::test]
async fn private_network_access() {
    let app = app!(Cors::new(), ok, allow_private, other);
    let local = "http://localhost";
    let pna = |path: &str, origin: &str| {
        preflight(path, origin, "GET", None).insert_header((ACRPN, "true"))
    };

    // allow_private_network.rs: cors_private_network_header_is_added_correctly,
    // as the preflight a browser sends.
    let res = call(&app, pna("/allow-private", local).to_request()).await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get(ACAPN).as_deref(), Some("true"));
    assert_eq!(res.get(ACAO).as_deref(), Some(local));
    // The answer varies on the PNA request header too (README, "The CORS
    // headers of a response", `Vary`).
    assert_eq!(names(&res, "vary"), set(&[ORIGIN, ACRM, ACRH, ACRPN]));

    // cors_private_network_header_is_added_correctly, second request: no
    // `Access-Control-Request-Private-Network`, no `Allow-Private-Network`.
    let req = preflight("/allow-private", local, "GET", None);
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get(ACAPN), None);

    // The peer's literal request: a GET with the PNA header and no Origin.
    // Deliberate difference: it is no preflight, so no
    // `Allow-Private-Network` (README, "The #[cors] attribute":
    // `private_network` answers Private Network Access *preflights*).
    let req = TestRequest::get()
        .uri("/allow-private")
        .insert_header((ACRPN, "true"));
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.get(ACAPN), None);

    // ..._with_predicate: the allowed path and origin.
    let res = call(&app, pna("/allow-private", local).to_request()).await;
    assert_eq!(res.get(ACAPN).as_deref(), Some("true"));
    // ..._with_predicate: another path. Deliberate difference: the whole
    // preflight is refused (403, `private_network_not_allowed`), not merely
    // answered without `Allow-Private-Network` (README, "Debugging with the
    // five questions", question 2).
    let res = call(&app, pna("/other", local).to_request()).await;
    assert_eq!(res.status, 403);
    assert_eq!(res.get(ACAPN), None);
    assert_eq!(res.get(ACAO), None);
    // ..._with_predicate: another origin (`not-localhost`, as the peer writes
    // it): refused.
    let res = call(&app, pna("/allow-private", "not-localhost").to_request()).await;
    assert_eq!(res.status, 403);
    assert_eq!(res.get(ACAPN), None);
    // ..._with_predicate: the peer's origin `localhost` is no serialised
    // origin (no scheme), so a browser never sends it: refused at run time ...
    let res = call(&app, pna("/allow-private", "localhost").to_request()).await;
    assert_eq!(res.status, 403);
    // ... and refused as configuration (README, "Origin lists": no scheme).
    let no_scheme = CorsPolicy::new().origins(["localhost"]);
    assert!(matches!(
        policy_error_kinds(&no_scheme).as_slice(),
        [ErrorKind::InvalidOrigin(_)]
    ));
}

// ---- configurations the layer refuses -------------------------------------------------

#[actix_web::test]
async fn credentials_never_with_a_wildcard() {
    // mod.rs: ensure_usable_cors_rules panics for each of these four; here
    // each is a `WildcardWithCredentials` error from `build()`.
    let listed = || CorsPolicy::new().origins([EXAMPLE]).credentials(true);
    let rows = [
        ("Allow-Headers: *", listed().headers(["*"])),
        ("Allow-Methods: *", listed().methods(["*"])),
        (
            "Allow-Origin: *",
            CorsPolicy::new().origins(["*"]).credentials(true),
        ),
        ("Expose-Headers: *", listed().expose(["*"])),
    ];
    for (what, policy) in rows {
        assert_eq!(
            policy_error_kinds(&policy),
            [ErrorKind::WildcardWithCredentials],
            "{what}"
        );
    }
    // The same through the App defaults.
    let built = Cors::builder()
        .origins([EXAMPLE])
        .headers(["*"])
        .credentials(true)
        .build();
    assert_eq!(
        builder_error_kinds(built),
        [ErrorKind::WildcardWithCredentials]
    );

    // allow_origin.rs: AllowOrigin::list panics on `*` in a list.
    let star_in_list = CorsPolicy::new().origins(["http://example.com", "*"]);
    assert_eq!(
        policy_error_kinds(&star_in_list),
        [ErrorKind::WildcardInList]
    );
}

// ---- which headers on which response (mod.rs `Cors::call`) ----------------------------

#[actix_web::test]
async fn preflight_and_actual_headers() {
    let app = app!(Cors::new(), ok, full);
    // mod.rs `Cors::call`: credentials on preflights; max-age on preflights
    // only; expose on actual responses only.
    let res = call(&app, preflight("/full", EXAMPLE, "GET", None).to_request()).await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get(ACAC).as_deref(), Some("true"));
    assert_eq!(res.get(ACMA).as_deref(), Some("600"));
    assert_eq!(res.get(ACEH), None);
    // Deliberate difference: with no `methods`, tower-http sends no
    // `Allow-Methods`; here the route's own methods (README, "The preflight
    // cycle").
    assert_eq!(methods(&res), BTreeSet::from(["GET".to_owned()]));

    let res = call(&app, actual(Method::GET, "/full", EXAMPLE).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.get(ACAC).as_deref(), Some("true"));
    assert_eq!(res.get(ACMA), None);
    assert_eq!(names(&res, ACEH), set(&["x-total-count"]));
    assert_eq!(res.get(ACAM), None);

    // CorsLayer::max_age docs: no max-age configured, none sent.
    let app = app!(Cors::new(), ok, exact);
    let res = call(
        &app,
        preflight("/exact", "http://example.com", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(res.get(ACMA), None);
}

#[actix_web::test]
async fn preflights_that_tower_http_answers_200() {
    let app = app!(Cors::new(), ok, full);
    // mod.rs `Cors::call`: every OPTIONS request is answered by the layer,
    // without calling the inner service. Deliberate difference: without
    // `Access-Control-Request-Method` it is no preflight and goes to the App
    // (DESIGN.md (l); README, "Simple requests and preflights").
    let res = call(&app, actual(Method::OPTIONS, "/", EXAMPLE).to_request()).await;
    assert_eq!(res.get("x-handler").as_deref(), Some("ran"));
    assert_eq!(res.status, 200);

    // mod.rs `ResponseFuture::poll` (PreflightCall): a preflight from an
    // origin that is not allowed gets an empty 200 without
    // `Allow-Origin`. Deliberate difference: 403 (DESIGN.md (l), "A
    // disallowed preflight" names tower-http's bare 200).
    let req = preflight("/full", "https://other.example", "GET", None);
    let res = call(&app, req.to_request()).await;
    assert_eq!(res.status, 403);
    assert_eq!(res.get(ACAO), None);
    assert_eq!(res.get(ACAC), None, "tower-http would still send it");
    assert_eq!(res.get(ACMA), None, "tower-http would still send it");
    assert_eq!(names(&res, "vary"), set(&[ORIGIN, ACRM, ACRH]));
    // Same for a method the route does not serve.
    let res = call(
        &app,
        preflight("/full", EXAMPLE, "DELETE", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.get(ACAO), None);
}

#[actix_web::test]
async fn the_policy_decides_the_cors_headers_not_the_handler() {
    let app = app!(Cors::new(), ok, own, own_star, own_disabled);
    // mod.rs `ResponseFuture::poll`: the layer's headers overwrite the inner
    // service's of the same names. Deliberate difference: every CORS header
    // is what the policy decides, so the handler's others (here
    // `Allow-Methods`, `Max-Age`... on an actual response, which tower-http
    // keeps) are removed too (README, "The CORS headers of a response";
    // DESIGN.md, "The response's CORS headers are the policy's").
    let res = call(&app, actual(Method::GET, "/own", EXAMPLE).to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.all(ACAO), [EXAMPLE]);
    for name in [ACAC, ACEH, ACAM, ACAH, ACMA, ACAPN] {
        assert_eq!(res.get(name), None, "{name} is not the policy's");
    }
    // The same handler, answering an origin the policy refuses: no CORS
    // header at all.
    let res = call(
        &app,
        actual(Method::GET, "/own", "https://other.example").to_request(),
    )
    .await;
    for name in [ACAO, ACAC, ACEH, ACAM, ACAH, ACMA, ACAPN] {
        assert_eq!(res.get(name), None, "{name}");
    }
    // A `*` policy replaces the handler's origin with `*` and drops its
    // credentials (README, "The CORS headers of a response").
    let res = call(&app, actual(Method::GET, "/own-star", EXAMPLE).to_request()).await;
    assert_eq!(res.all(ACAO), ["*"]);
    assert_eq!(res.get(ACAC), None);
    // ... also without `Origin` (README, "Wildcard or specific origins").
    let res = call(&app, TestRequest::get().uri("/own-star").to_request()).await;
    assert_eq!(res.all(ACAO), ["*"]);
    assert_eq!(res.get(ACAC), None);
    // The exception: `#[cors(disable)]` keeps what the handler sets.
    let res = call(
        &app,
        actual(Method::GET, "/own-disabled", EXAMPLE).to_request(),
    )
    .await;
    assert_eq!(res.get(ACAO).as_deref(), Some("*"));
    assert_eq!(res.get(ACAC).as_deref(), Some("true"));
    assert_eq!(res.get(ACEH).as_deref(), Some("x-secret"));
    assert_eq!(res.get(ACMA).as_deref(), Some("999"));
}
