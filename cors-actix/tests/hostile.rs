//! Hostile requests through the middleware, in process: malformed,
//! repeated and oversized CORS headers. Each gets a clean refusal (403 from
//! `Cors`, with its reason code) or is passed through without CORS headers;
//! never a panic, never a 500. Every case asserts the status and the exact
//! response headers, the reason code (in the `x-cors-reason` debug header of
//! debug builds, and always in the captured logs), and, where a browser
//! could have sent the request, that the browser oracle blocks the read.
//!
//! Nothing here measures time (project rule): that an oversized header
//! costs no more than a normal one is shown by the reason it is refused
//! with, `too_many_request_headers`, which the engine decides from the
//! value's length before reading it.

mod common;

use actix_web::http::header::HeaderValue;
use actix_web::http::Method;
use actix_web::test::TestRequest;
use actix_web::{get, patch, test as atest, App, HttpResponse, Responder};
use common::{actual, call, capture_logs, logged, page, preflight, Reply};
use cors_actix::cors_core::browser;
use cors_actix::cors_core::header::{MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADER_NAMES};
use cors_actix::cors_core::origin::MAX_ORIGIN_LEN;
use cors_actix::{cors, Cors};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";
const VARY_ORIGIN: (&str, &str) = ("vary", "Origin");
const VARY_PREFLIGHT: (&str, &str) = (
    "vary",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
);

#[cors(origins = ["https://app.example.com"], headers = ["content-type", "x-custom"], credentials)]
#[get("/items/{id}")]
async fn get_item() -> impl Responder {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], headers = ["content-type", "x-custom"], credentials)]
#[patch("/items/{id}")]
async fn patch_item() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// App defaults, so that lookups that find no route (an invalid or
/// lowercase method) still reach the decision engine; and the debug header.
fn cors() -> Cors {
    Cors::builder()
        .origins([APP])
        .methods(["GET", "POST"])
        .headers(["content-type"])
        .debug_header(true)
        .build()
        .unwrap()
}

macro_rules! app {
    ($cors:expr) => {
        atest::init_service(App::new().wrap($cors).service(get_item).service(patch_item)).await
    };
}

/// Checks the status, the exact headers (`x-cors-reason` aside), the debug
/// header when `Cors` refused the request itself, and the logged reason code.
fn check(res: &Reply, path: &str, status: u16, headers: &[(&str, &str)], code: &str) {
    assert_ne!(res.status, 500, "{path}: never a 500");
    assert_eq!(res.status, status, "{path}");
    let mut got: Vec<(String, String)> = res
        .headers
        .iter()
        .filter(|(name, _)| name.as_str() != "x-cors-reason")
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    want.sort();
    assert_eq!(got, want, "{path}: headers");

    let refused_here = status == 403;
    let debug = res
        .headers
        .get("x-cors-reason")
        .map(|v| v.to_str().unwrap());
    match (refused_here && cfg!(debug_assertions), debug) {
        (true, Some(reason)) => assert!(
            reason.starts_with(&format!("{code}: ")),
            "{path}: x-cors-reason {reason:?}, expected {code}"
        ),
        (false, None) => {}
        (expected, got) => panic!("{path}: x-cors-reason {got:?} (expected: {expected})"),
    }
    if !code.is_empty() {
        assert!(
            !logged(&[&format!("[{code}]"), path]).is_empty(),
            "{path}: no log line with [{code}]: {:?}",
            logged(&[path])
        );
    }
}

fn get(path: &str) -> TestRequest {
    TestRequest::get().uri(path)
}

fn options(path: &str) -> TestRequest {
    TestRequest::default().method(Method::OPTIONS).uri(path)
}

#[actix_web::test]
async fn non_utf8_origin() {
    capture_logs();
    let app = app!(cors());
    for (path, origin) in [
        ("/items/non-utf8", &b"https://\xff.example"[..]),
        ("/items/non-utf8-suffix", b"https://app.example.com\xff"),
        ("/items/non-utf8-latin1", b"https://b\xfccher.example"),
    ] {
        let value = HeaderValue::from_bytes(origin).unwrap();
        let res = call(
            &app,
            get(path)
                .insert_header(("Origin", value.clone()))
                .to_request(),
        )
        .await;
        check(&res, path, 200, &[VARY_ORIGIN], "origin_not_allowed");

        let path = &format!("{path}-preflight");
        let res = call(
            &app,
            options(path)
                .insert_header(("Origin", value))
                .insert_header(("Access-Control-Request-Method", "PATCH"))
                .to_request(),
        )
        .await;
        check(&res, path, 403, &[VARY_PREFLIGHT], "origin_not_allowed");
    }
}

/// Browsers send `Origin` once. The decision engine refuses a request with
/// two, even when both are allowed: an actual request is served without
/// CORS headers, as for any refused origin, and a preflight gets 403.
#[actix_web::test]
async fn several_origin_headers() {
    capture_logs();
    let app = app!(cors());
    for (path, second) in [("/items/two-same", APP), ("/items/two-different", EVIL)] {
        let res = call(
            &app,
            actual(Method::GET, path, APP)
                .append_header(("Origin", second))
                .to_request(),
        )
        .await;
        check(&res, path, 200, &[VARY_ORIGIN], "repeated_header");
        assert!(!res.browser_reads(&page(APP, "GET", true)));
    }
    let path = "/items/two-preflight";
    let res = call(
        &app,
        preflight(path, APP, "PATCH", None)
            .append_header(("Origin", APP))
            .to_request(),
    )
    .await;
    check(&res, path, 403, &[VARY_PREFLIGHT], "repeated_header");
    assert!(!res.browser_accepts_preflight(&page(APP, "PATCH", true)));
}

/// Whitespace is never trimmed in process (the HTTP parser trims the
/// optional whitespace around a value on the wire); what is left is not a
/// serialised origin.
#[actix_web::test]
async fn origin_with_whitespace() {
    capture_logs();
    let app = app!(cors());
    for (path, origin) in [
        ("/items/ws-leading", " https://app.example.com"),
        ("/items/ws-trailing", "https://app.example.com "),
        ("/items/ws-inner", "https://app .example.com"),
        ("/items/ws-tab", "\thttps://app.example.com"),
        (
            "/items/ws-list",
            "https://app.example.com, https://evil.example",
        ),
    ] {
        let res = call(&app, actual(Method::GET, path, origin).to_request()).await;
        check(&res, path, 200, &[VARY_ORIGIN], "origin_not_allowed");
        let path = &format!("{path}-preflight");
        let res = call(&app, preflight(path, origin, "PATCH", None).to_request()).await;
        check(&res, path, 403, &[VARY_PREFLIGHT], "origin_not_allowed");
    }
}

#[actix_web::test]
async fn null_origin() {
    capture_logs();
    let app = app!(cors());
    let path = "/items/null";
    let res = call(&app, actual(Method::GET, path, "null").to_request()).await;
    check(&res, path, 200, &[VARY_ORIGIN], "origin_not_allowed");
    assert!(!res.browser_reads(&page("null", "GET", false)));
    let path = "/items/null-preflight";
    let res = call(
        &app,
        preflight(path, "null", "PATCH", Some("x-custom")).to_request(),
    )
    .await;
    check(&res, path, 403, &[VARY_PREFLIGHT], "origin_not_allowed");
    assert!(!res.browser_accepts_preflight(&page("null", "PATCH", false).header("X-Custom", "1")));
}

#[actix_web::test]
async fn origin_longer_than_any_browser_sends() {
    capture_logs();
    let app = app!(cors());
    let long = format!("https://{}.example.com", "a.".repeat(MAX_ORIGIN_LEN));
    let path = "/items/long-origin";
    let res = call(&app, actual(Method::GET, path, &long).to_request()).await;
    check(&res, path, 200, &[VARY_ORIGIN], "origin_not_allowed");
}

/// The preflight a page at `APP` sends for a PATCH with `x-custom`.
fn allowed_preflight_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("access-control-allow-origin", APP),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "PATCH"),
        ("access-control-allow-headers", "content-type, x-custom"),
        VARY_PREFLIGHT,
    ]
}

/// A 100 KB `Access-Control-Request-Headers` is refused from its length,
/// unread: `too_many_request_headers`. So is one name over the limit, while
/// exactly the limit is answered.
#[actix_web::test]
async fn huge_request_headers() {
    capture_logs();
    let app = app!(cors());
    let huge = "x-custom,".repeat(100 * 1024 / 9);
    assert!(huge.len() >= 100 * 1024 - 9 && huge.len() > MAX_REQUEST_HEADERS_LEN);
    let path = "/items/huge-acrh";
    let res = call(
        &app,
        preflight(path, APP, "PATCH", Some(huge.as_str())).to_request(),
    )
    .await;
    check(
        &res,
        path,
        403,
        &[VARY_PREFLIGHT],
        "too_many_request_headers",
    );
    let browser = page(APP, "PATCH", true).header("X-Custom", "1");
    assert!(!res.browser_accepts_preflight(&browser));

    let names = |n: usize| vec!["x-custom"; n].join(",");
    let path = "/items/one-name-too-many";
    let res = call(
        &app,
        preflight(
            path,
            APP,
            "PATCH",
            Some(names(MAX_REQUEST_HEADER_NAMES + 1).as_str()),
        )
        .to_request(),
    )
    .await;
    check(
        &res,
        path,
        403,
        &[VARY_PREFLIGHT],
        "too_many_request_headers",
    );

    let path = "/items/names-at-the-limit";
    let res = call(
        &app,
        preflight(
            path,
            APP,
            "PATCH",
            Some(names(MAX_REQUEST_HEADER_NAMES).as_str()),
        )
        .to_request(),
    )
    .await;
    check(&res, path, 204, &allowed_preflight_headers(), "");
    assert!(res.browser_accepts_preflight(&browser));

    // At the length limit, a name that is not allowed is found and named.
    let mut long = "x-custom,".repeat(20);
    long.push_str(&"x".repeat(MAX_REQUEST_HEADERS_LEN - long.len()));
    assert_eq!(long.len(), MAX_REQUEST_HEADERS_LEN);
    let path = "/items/length-at-the-limit";
    let res = call(
        &app,
        preflight(path, APP, "PATCH", Some(long.as_str())).to_request(),
    )
    .await;
    check(&res, path, 403, &[VARY_PREFLIGHT], "header_not_allowed");
}

/// `Access-Control-Request-Headers` on several lines is one list (RFC 9110
/// section 5.3), under the bounds of one line: 1,000 lines are refused
/// unread (`too_many_request_headers`), two are read together.
#[actix_web::test]
async fn a_thousand_request_headers_lines() {
    capture_logs();
    let app = app!(cors());
    let mut req = preflight("/items/thousand-lines", APP, "PATCH", None);
    for i in 0..1000 {
        req = req.append_header(("Access-Control-Request-Headers", format!("x-custom-{i}")));
    }
    let res = call(&app, req.to_request()).await;
    check(
        &res,
        "/items/thousand-lines",
        403,
        &[VARY_PREFLIGHT],
        "too_many_request_headers",
    );

    let path = "/items/two-lines";
    let res = call(
        &app,
        preflight(path, APP, "PATCH", Some("x-custom"))
            .append_header(("Access-Control-Request-Headers", "content-type"))
            .to_request(),
    )
    .await;
    check(&res, path, 204, &allowed_preflight_headers(), "");

    // A name the policy does not allow, on any line, is found and named.
    let path = "/items/two-lines-one-refused";
    let res = call(
        &app,
        preflight(path, APP, "PATCH", Some("x-custom"))
            .append_header(("Access-Control-Request-Headers", "x-other"))
            .to_request(),
    )
    .await;
    check(&res, path, 403, &[VARY_PREFLIGHT], "header_not_allowed");

    // The bounds count every line: 64 names over 64 lines are read, 65 over
    // 65 lines are not; 2,048 bytes in all, commas between lines included.
    let lines = |n: usize, value: &str| {
        (1..n).fold(
            preflight("/items/lines", APP, "PATCH", Some(value)),
            |req, _| req.append_header(("Access-Control-Request-Headers", value.to_owned())),
        )
    };
    let res = call(
        &app,
        lines(MAX_REQUEST_HEADER_NAMES, "x-custom").to_request(),
    )
    .await;
    check(&res, "/items/lines", 204, &allowed_preflight_headers(), "");
    let res = call(
        &app,
        lines(MAX_REQUEST_HEADER_NAMES + 1, "x-custom").to_request(),
    )
    .await;
    check(
        &res,
        "/items/lines",
        403,
        &[VARY_PREFLIGHT],
        "too_many_request_headers",
    );
    let res = call(
        &app,
        lines(2, &"x".repeat(MAX_REQUEST_HEADERS_LEN / 2)).to_request(),
    )
    .await;
    check(
        &res,
        "/items/lines",
        403,
        &[VARY_PREFLIGHT],
        "too_many_request_headers",
    );
}

#[actix_web::test]
async fn repeated_request_method_and_private_network() {
    capture_logs();
    let app = app!(cors());
    let path = "/items/two-acrm";
    let res = call(
        &app,
        preflight(path, APP, "PATCH", None)
            .append_header(("Access-Control-Request-Method", "PATCH"))
            .to_request(),
    )
    .await;
    check(&res, path, 403, &[VARY_PREFLIGHT], "repeated_header");

    let path = "/items/two-acrpn";
    let res = call(
        &app,
        preflight(path, APP, "PATCH", None)
            .append_header(("Access-Control-Request-Private-Network", "true"))
            .append_header(("Access-Control-Request-Private-Network", "true"))
            .to_request(),
    )
    .await;
    // A Private Network Access preflight varies on its request header too.
    let vary = (
        "vary",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
    );
    check(&res, path, 403, &[vary], "repeated_header");
}

/// A method that is not a token finds no route; the App defaults answer,
/// and the engine refuses it as `invalid_method`.
#[actix_web::test]
async fn invalid_method_tokens() {
    capture_logs();
    let app = app!(cors());
    for (path, method) in [
        ("/items/acrm-space", &b"GET /x"[..]),
        ("/items/acrm-at", b"P@TCH"),
        ("/items/acrm-empty", b""),
        ("/items/acrm-comma", b"GET,PATCH"),
        ("/items/acrm-non-utf8", b"PATCH\xff"),
    ] {
        let res = call(
            &app,
            actual(Method::OPTIONS, path, APP)
                .insert_header((
                    "Access-Control-Request-Method",
                    HeaderValue::from_bytes(method).unwrap(),
                ))
                .to_request(),
        )
        .await;
        check(&res, path, 403, &[VARY_PREFLIGHT], "invalid_method");
    }
}

/// `fetch` sends `patch` as written, and methods are case-sensitive: the
/// lowercase method finds no route and is refused (by the defaults, with a
/// hint to send `PATCH`; without defaults, as `no_policy`), and the browser
/// blocks. `PATCH` is answered.
#[actix_web::test]
async fn lowercase_patch() {
    capture_logs();
    let browser = page(APP, "patch", true);
    assert_eq!(browser.normalized_method(), "patch");
    assert_eq!(
        browser::preflight_for(&browser).unwrap().request_method,
        "patch"
    );

    let app = app!(cors());
    let path = "/items/lowercase";
    let res = call(&app, preflight(path, APP, "patch", None).to_request()).await;
    check(&res, path, 403, &[VARY_PREFLIGHT], "method_not_allowed");
    if cfg!(debug_assertions) {
        let reason = res.get("x-cors-reason").unwrap();
        assert!(reason.contains("send `PATCH`"), "{reason}");
    }
    assert!(!res.browser_accepts_preflight(&browser));

    let path = "/items/uppercase";
    let res = call(&app, preflight(path, APP, "PATCH", None).to_request()).await;
    check(
        &res,
        path,
        204,
        &[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "PATCH"),
            ("access-control-allow-headers", "content-type, x-custom"),
            VARY_PREFLIGHT,
        ],
        "",
    );
    assert!(res.browser_accepts_preflight(&page(APP, "PATCH", true)));

    let no_defaults = Cors::builder().debug_header(true).build().unwrap();
    let app = app!(no_defaults);
    let path = "/items/lowercase-no-defaults";
    let res = call(&app, preflight(path, APP, "patch", None).to_request()).await;
    // Which policy applies depends on the requested method (`PATCH` would
    // find one): the preflight `Vary`.
    check(&res, path, 403, &[VARY_PREFLIGHT], "no_policy");
}

/// Requests aimed at the library's own hidden marker resources are routed
/// like any unknown path.
#[actix_web::test]
async fn marker_paths() {
    capture_logs();
    let app = app!(cors());
    for path in ["/~cors~0", "/items/1//~cors~GET", "/items/~cors~0"] {
        let res = call(&app, actual(Method::GET, path, APP).to_request()).await;
        assert_ne!(res.status, 500, "{path}");
        assert!(
            res.status == 404 || res.status == 200,
            "{path}: {}",
            res.status
        );
        assert_eq!(res.all("access-control-allow-origin"), [APP], "{path}");
        let res = call(&app, actual(Method::GET, path, EVIL).to_request()).await;
        assert_eq!(res.get("access-control-allow-origin"), None, "{path}");
    }
}
