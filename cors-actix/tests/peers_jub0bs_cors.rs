//! The behavioural cases of jub0bs/cors (Go, `github.com/jub0bs/cors`:
//! `middleware_test.go` and `config_test.go`), written fresh against this
//! library. Each case names the peer's test, configuration group and row.
//!
//! The peer wraps one spy handler (status 200, `Vary: foo`, body `bar`) in
//! one middleware per configuration. Here each configuration is a
//! `CorsPolicy` attached with `attach` to a resource whose spy answers the
//! methods the group needs (`x-spy: ran` shows it ran), or App defaults from
//! `Cors::builder()`. The peer's `Methods` left out means "safelisted methods
//! only, no preflight needed"; here a policy without `methods` allows the
//! methods its route serves (README "The merge rule"), so such groups say
//! which methods their resource serves.
//!
//! Differences that recur, asserted as this library behaves:
//! - Preflight answers carry `Vary: Origin, Access-Control-Request-Method,
//!   Access-Control-Request-Headers` (no `Origin` under `*`); jub0bs sends no
//!   `Vary` on preflights. Responses to OPTIONS actual requests get
//!   `Vary: Origin` like any other (DESIGN.md "Vary").
//! - An accepted preflight lists every allowed method and every allowed
//!   header, whatever was asked, even for a safelisted method; jub0bs echoes
//!   the one method and the requested headers, and omits
//!   Access-Control-Allow-Methods for GET, HEAD and POST (README "The
//!   preflight cycle": values are precomputed).
//! - `headers = "*"` is answered `*, authorization` (DESIGN.md (k)); jub0bs
//!   sends `*` unless `Authorization` is also listed.
//! - A refused preflight is always 403; jub0bs' debug mode answers some with
//!   204 and partial headers. Here the debug aid is the `x-cors-reason`
//!   header on the 403 (README "Debugging with the five questions").
//! - `Access-Control-Request-Headers` is read tolerantly and bounded by
//!   size (2048 bytes, 64 names or lines), not by jub0bs' 16 empty elements
//!   or lines (DESIGN.md (m)).
//! - Configuration that jub0bs normalises (duplicates, `*` beside other
//!   entries, mixed-case methods) is refused here, each with the fix
//!   (README "Compile errors"; DESIGN.md (f)).
//!
//! Not ported, because this library has no such feature:
//! - `TestReconfigure` (`Middleware.Reconfigure`, `SetDebug` at run time): a
//!   `Cors` value is immutable once built; a new App gets a new one. Its rows
//!   are ported with the same configurations of `TestMiddleware`. The
//!   do-nothing middleware of a nil `Config` has no equivalent either;
//!   `passthrough` asserts what `Cors::new()` does instead.
//! - `TestConfig`'s read-back of the normalised `Config` (`Middleware.Config`)
//!   beyond whether it builds: `Cors::report()` shows policies as written.
//! - `DangerouslyTolerateSubdomainsOfPublicSuffixes` (`TestConfig/wildcard
//!   pattern encompassing subdomains of a public suffix`): patterns over a
//!   public suffix are always refused, there is no override (DESIGN.md (g)).
//! - `Test_incomparability_of_Config`, `Test_that_unkeyed_Config_struct_
//!   literals_are_illegal`, `Test_that_Config_can_be_JSON_marshaled`: Go
//!   type-system properties of the peer's `Config`, not HTTP behaviour.

mod common;

use actix_web::dev::Service;
use actix_web::http::header::{HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, VARY};
use actix_web::http::Method;
use actix_web::test::{self as atest, TestRequest};
use actix_web::{get, web, App, HttpResponse};
use common::{actual, call, preflight, tokens, Reply};
use cors_actix::cors_core::validate::validate;
use cors_actix::cors_core::{BuildOptions, ErrorKind, OriginProblem, PolicySpec};
use cors_actix::{attach, cors, Cors, CorsPolicy};
use std::sync::atomic::{AtomicUsize, Ordering};

const LOCAL: &str = "http://localhost:9090";
const PF_VARY: &str = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
const ANY_PF_VARY: &str = "Access-Control-Request-Method, Access-Control-Request-Headers";

type Row = (
    &'static str,
    TestRequest,
    u16,
    &'static [(&'static str, &'static str)],
);

/// Headers every case checks: each is absent unless listed.
const CHECKED: [&str; 8] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-expose-headers",
    "vary",
    "x-spy",
];

/// Status and every `CHECKED` header: lists as sets (header names
/// case-insensitively, methods exactly), the others byte for byte.
fn expect(case: &str, res: &Reply, status: u16, want: &[(&str, &str)]) {
    assert_eq!(res.status.as_u16(), status, "{case}: status");
    for name in CHECKED {
        let wanted = want.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        let got = res.all(name);
        if name == "vary" || name.ends_with("-methods") || name.ends_with("-headers") {
            let exact = name.ends_with("-methods");
            let got = tokens(got.iter().map(String::as_str), exact);
            assert_eq!(
                got,
                tokens(wanted.map(|(_, v)| *v), exact),
                "{case}: {name}"
            );
        } else {
            let wanted: Vec<String> = wanted.map(|(_, v)| v.to_string()).into_iter().collect();
            assert_eq!(got, wanted, "{case}: {name}");
        }
    }
}

/// The peer's spy handler.
async fn spy() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Vary", "foo"))
        .insert_header(("x-spy", "ran"))
        .body("bar")
}

fn spy_resource(methods: &[&str]) -> actix_web::Resource {
    methods.iter().fold(web::resource("/whatever"), |r, m| {
        r.route(web::method(Method::from_bytes(m.as_bytes()).unwrap()).to(spy))
    })
}

/// Runs `rows` against an App whose `/whatever` serves `served`, with
/// `policy` attached to it when given, behind `cors`.
async fn group(
    name: &str,
    cors: Cors,
    policy: Option<CorsPolicy>,
    served: &[&str],
    rows: Vec<Row>,
) {
    let app = App::new().wrap(cors);
    let app = match policy {
        Some(p) => app.service(attach("/whatever", served, p, spy_resource(served))),
        None => app.service(spy_resource(served)),
    };
    let app = atest::init_service(app).await;
    for (case, req, status, want) in rows {
        let res = call(&app, req.to_request()).await;
        expect(&format!("{name}: {case}"), &res, status, want);
        if status == 403 && cfg!(debug_assertions) {
            let debug = res.get("x-cors-reason").is_some();
            assert_eq!(
                debug,
                name.starts_with("debug"),
                "{name}: {case}: x-cors-reason"
            );
        }
    }
}

async fn attached(name: &str, policy: CorsPolicy, served: &[&str], rows: Vec<Row>) {
    group(name, Cors::new(), Some(policy), served, rows).await;
}

async fn plain(name: &str, cors: Cors, served: &[&str], rows: Vec<Row>) {
    group(name, cors, None, served, rows).await;
}

fn get(origin: Option<&str>) -> TestRequest {
    match origin {
        Some(o) => actual(Method::GET, "/whatever", o),
        None => TestRequest::get().uri("/whatever"),
    }
}

/// An OPTIONS request that is not a preflight.
fn opt(origin: Option<&str>) -> TestRequest {
    match origin {
        Some(o) => actual(Method::OPTIONS, "/whatever", o),
        None => TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/whatever"),
    }
}

fn pf(origin: &str, method: &str, acrh: Option<&str>) -> TestRequest {
    preflight("/whatever", origin, method, acrh)
}

/// A preflight whose Access-Control-Request-Headers is `lines`, one header
/// line each.
fn pf_lines(origin: &str, method: &str, lines: &[String]) -> TestRequest {
    lines.iter().fold(pf(origin, method, None), |req, line| {
        req.append_header(("Access-Control-Request-Headers", line.as_str()))
    })
}

fn empty_lines(n: usize, last: &str) -> Vec<String> {
    let mut lines = vec![String::new(); n];
    lines.push(last.to_owned());
    lines
}

// ---- TestMiddleware ------------------------------------------------------

#[actix_web::test]
async fn passthrough() {
    // middleware_test.go TestMiddleware/passthrough (nil Config): jub0bs
    // passes everything through. The closest here is `Cors::new()` with a
    // route without policy: actual requests are untouched, but preflights
    // are refused with 403, never passed to the App (DESIGN.md (l), "A
    // preflight with no policy").
    let served = ["GET", "PUT", "PURGE", "OPTIONS"];
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("non-CORS GET", get(None), 200, &[("vary", "foo"), ("x-spy", "ran")]),
        ("non-CORS OPTIONS", opt(None), 200, &[("vary", "foo"), ("x-spy", "ran")]),
        ("actual GET from allowed", get(Some(LOCAL)), 200, &[("vary", "foo"), ("x-spy", "ran")]),
        ("actual GET from disallowed", get(Some("https://example.com")), 200, &[("vary", "foo"), ("x-spy", "ran")]),
        ("actual GET from invalid", get(Some("invalid_origin")), 200, &[("vary", "foo"), ("x-spy", "ran")]),
        ("actual OPTIONS from allowed", opt(Some(LOCAL)), 200, &[("vary", "foo"), ("x-spy", "ran")]),
        ("fake preflight with GET from allowed", pf(LOCAL, "GET", None), 403, &[("vary", PF_VARY)]),
        ("preflight with PURGE from allowed", pf(LOCAL, "PURGE", None), 403, &[("vary", PF_VARY)]),
        ("preflight with PURGE and Content-Type", pf(LOCAL, "PURGE", Some("content-type")), 403, &[("vary", PF_VARY)]),
        ("preflight with PUT from allowed", pf(LOCAL, "PUT", None), 403, &[("vary", PF_VARY)]),
    ];
    plain("passthrough", Cors::new(), &served, rows).await;
}

#[actix_web::test]
async fn credentialed() {
    // TestMiddleware/credentialed: Origins [localhost:9090], Credentialed,
    // Methods GET POST PURGE HELP, RequestHeaders Authorization, MaxAge 30,
    // ResponseHeaders X-Foo X-Bar.
    #[rustfmt::skip]
    let policy = CorsPolicy::new().origins([LOCAL]).credentials(true).methods(["GET", "POST", "PURGE", "HELP"]).headers(["Authorization"]).max_age(30).expose(["X-Foo", "X-Bar"]);
    let served = ["GET", "POST", "PUT", "PURGE", "HELP", "OPTIONS"];
    const OK: &[(&str, &str)] = &[
        ("vary", PF_VARY),
        ("access-control-allow-origin", LOCAL),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "GET, POST, PURGE, HELP"),
        ("access-control-allow-headers", "authorization"),
        ("access-control-max-age", "30"),
    ];
    const ACTUAL: &[(&str, &str)] = &[
        ("vary", "foo, Origin"),
        ("x-spy", "ran"),
        ("access-control-allow-origin", LOCAL),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "x-foo, x-bar"),
    ];
    const SERVED: &[(&str, &str)] = &[("vary", "foo, Origin"), ("x-spy", "ran")];
    const REFUSED: &[(&str, &str)] = &[("vary", PF_VARY)];
    let commas17 = format!("authorization{}", ",".repeat(17));
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("non-CORS GET", get(None), 200, SERVED),
        // jub0bs sends no Vary on OPTIONS responses; see the file comment.
        ("non-CORS OPTIONS", opt(None), 200, SERVED),
        ("actual GET from allowed", get(Some(LOCAL)), 200, ACTUAL),
        ("actual GET from disallowed", get(Some("https://example.com")), 200, SERVED),
        ("actual GET from invalid", get(Some("invalid_origin")), 200, SERVED),
        ("actual OPTIONS from allowed", opt(Some(LOCAL)), 200, ACTUAL),
        ("actual OPTIONS from disallowed", opt(Some("https://example.com")), 200, SERVED),
        // jub0bs: no Access-Control-Allow-Methods for a safelisted method.
        ("fake preflight with GET from allowed", pf(LOCAL, "GET", None), 204, OK),
        ("preflight with PURGE from allowed", pf(LOCAL, "PURGE", None), 204, OK),
        ("preflight with PURGE and Content-Type", pf(LOCAL, "PURGE", Some("content-type")), 403, REFUSED),
        ("preflight with PURGE and Authorization", pf(LOCAL, "PURGE", Some("authorization")), 204, OK),
        ("... with some empty elements", pf(LOCAL, "PURGE", Some(",,authorization,,")), 204, OK),
        // jub0bs refuses more than 16 empty elements or lines; see the file comment.
        ("... with too many empty elements", pf(LOCAL, "PURGE", Some(&commas17)), 204, OK),
        ("... with 16 empty ACRH lines", pf_lines(LOCAL, "PURGE", &empty_lines(16, "authorization")), 204, OK),
        ("... with 17 empty ACRH lines", pf_lines(LOCAL, "PURGE", &empty_lines(17, "authorization")), 204, OK),
        ("... with 64 empty ACRH lines (bound)", pf_lines(LOCAL, "PURGE", &empty_lines(64, "authorization")), 403, REFUSED),
        ("fake preflight with GET from disallowed", pf("https://example.com", "GET", None), 403, REFUSED),
        ("fake preflight with GET from invalid", pf("invalid_origin", "GET", None), 403, REFUSED),
        ("preflight with PUT from allowed", pf(LOCAL, "PUT", None), 403, REFUSED),
        ("preflight with PUT from disallowed", pf("https://example.com", "PUT", None), 403, REFUSED),
        ("preflight with GET and headers from allowed", pf(LOCAL, "GET", Some("bar,baz,foo")), 403, REFUSED),
        ("preflight with GET and headers from disallowed", pf("https://example.org", "GET", Some("bar,baz,foo")), 403, REFUSED),
    ];
    attached("credentialed", policy, &served, rows).await;
}

#[actix_web::test]
async fn credentialed_request_headers() {
    // TestMiddleware/"credentialed all req headers": `*` request headers
    // with credentials is refused here (README error 2), since browsers
    // read `*` literally on credentialed requests.
    #[rustfmt::skip]
    let star = CorsPolicy::new().origins([LOCAL]).credentials(true).headers(["*"]);
    let kinds: Vec<_> = star.build().unwrap_err().iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, [ErrorKind::WildcardWithCredentials]);

    // Its rows, with the requested names listed instead: the list is read
    // with any whitespace and empty elements or lines.
    #[rustfmt::skip]
    let policy = CorsPolicy::new().origins([LOCAL]).credentials(true).headers(["bar", "baz", "foo"]).max_age(30).expose(["X-Foo", "X-Bar"]);
    const OK: &[(&str, &str)] = &[
        ("vary", PF_VARY),
        ("access-control-allow-origin", LOCAL),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "GET"),
        ("access-control-allow-headers", "bar, baz, foo"),
        ("access-control-max-age", "30"),
    ];
    let (c16, c17) = (
        format!("bar,baz,foo{}", ",".repeat(16)),
        format!("bar,baz,foo{}", ",".repeat(17)),
    );
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("preflight with GET and headers", pf(LOCAL, "GET", Some("bar,baz,foo")), 204, OK),
        ("... with some OWS", pf(LOCAL, "GET", Some("bar , baz\t, foo\t")), 204, OK),
        ("... with too much OWS", pf(LOCAL, "GET", Some("bar \t, baz\t, foo\t")), 204, OK),
        ("... with some empty elements", pf(LOCAL, "GET", Some(&c16)), 204, OK),
        ("... with too many empty elements", pf(LOCAL, "GET", Some(&c17)), 204, OK),
        ("... with some empty ACRH lines", pf_lines(LOCAL, "GET", &empty_lines(16, "bar,baz,foo")), 204, OK),
        ("... with too many empty ACRH lines", pf_lines(LOCAL, "GET", &empty_lines(17, "bar,baz,foo")), 204, OK),
    ];
    attached("credentialed all req headers", policy, &["GET"], rows).await;

    // TestMiddleware/"credentialed no req headers"
    #[rustfmt::skip]
    let none = CorsPolicy::new().origins([LOCAL]).credentials(true).max_age(30).expose(["X-Foo", "X-Bar"]);
    let rows: Vec<Row> = vec![(
        "preflight with GET and headers from allowed",
        pf(LOCAL, "GET", Some("bar,baz,foo")),
        403,
        &[("vary", PF_VARY)],
    )];
    attached("credentialed no req headers", none, &["GET"], rows).await;
}

#[actix_web::test]
async fn debug_mode() {
    // TestMiddleware/"debug credentialed no req headers" and "debug
    // credentialed some req headers", and TestReconfigure's rows of the
    // same: jub0bs' debug mode answers a preflight that fails after the
    // origin check with 204 and Access-Control-Allow-Origin/-Credentials
    // (and Access-Control-Allow-Headers), so the browser reports the
    // precise failure. Here the preflight stays 403 and the reason is in
    // `x-cors-reason` (debug builds; README "Debugging with the five
    // questions"). App defaults stand for the middleware-wide config.
    let cors = |headers: &[&str]| {
        #[rustfmt::skip]
        let b = Cors::builder().origins([LOCAL]).credentials(true).max_age(30).expose(["X-Foo", "X-Bar"]);
        let b = if headers.is_empty() {
            b
        } else {
            b.headers(headers.iter().copied())
        };
        b.debug_header(true).build().unwrap()
    };
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("preflight with GET and headers from allowed", pf(LOCAL, "GET", Some("bar,baz,foo")), 403, &[("vary", PF_VARY)]),
        ("preflight with disallowed method", pf(LOCAL, "PUT", None), 403, &[("vary", PF_VARY)]),
        ("preflight with PUT from invalid", pf("invalid_origin", "PUT", None), 403, &[("vary", PF_VARY)]),
    ];
    plain("debug no req headers", cors(&[]), &["GET", "PUT"], rows).await;
    let rows: Vec<Row> = vec![(
        "preflight with GET and headers from allowed",
        pf(LOCAL, "GET", Some("bar,baz,foo")),
        403,
        &[("vary", PF_VARY)],
    )];
    let some = cors(&["Authorization"]);
    plain("debug some req headers", some, &["GET"], rows).await;
}

#[actix_web::test]
async fn allow_all() {
    // TestMiddleware/"all req headers other than Authorization" and "debug
    // allow all": Origins, Methods, RequestHeaders and ResponseHeaders `*`,
    // MaxAge 30. jub0bs' second group lists `Authorization` beside `*`;
    // here `*` alone already covers it (DESIGN.md (k)) and a list with `*`
    // does not build (see `config_normalisation_is_refused`). Every
    // response, with or without Origin, carries `*` and the fixed
    // Access-Control-Expose-Headers (pending change 1); no Vary: Origin.
    // Deliberate difference: `methods = ["*"]` is sent as the methods the
    // route serves, never `*`, since browsers cache a preflight's methods
    // for the URL (DESIGN.md, "Preflight answers and the browser's
    // preflight cache").
    #[rustfmt::skip]
    let policy = CorsPolicy::new().origins(["*"]).methods(["*"]).headers(["*"]).expose(["*"]).max_age(30);
    const ACTUAL: &[(&str, &str)] = &[
        ("vary", "foo"),
        ("x-spy", "ran"),
        ("access-control-allow-origin", "*"),
        ("access-control-expose-headers", "*"),
    ];
    const OK: &[(&str, &str)] = &[
        ("vary", ANY_PF_VARY),
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "GET, OPTIONS, PURGE, PUT"),
        ("access-control-allow-headers", "*, authorization"),
        ("access-control-max-age", "30"),
    ];
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("non-CORS GET", get(None), 200, ACTUAL),
        ("non-CORS OPTIONS", opt(None), 200, ACTUAL),
        ("actual GET", get(Some(LOCAL)), 200, ACTUAL),
        ("actual GET from invalid", get(Some("invalid_origin")), 200, ACTUAL),
        ("actual OPTIONS", opt(Some(LOCAL)), 200, ACTUAL),
        ("fake preflight with GET", pf(LOCAL, "GET", None), 204, OK),
        ("preflight with PURGE", pf(LOCAL, "PURGE", None), 204, OK),
        // Also "all req headers other than Authorization": the same answer.
        ("preflight with PURGE and Content-Type", pf(LOCAL, "PURGE", Some("content-type")), 204, OK),
        ("fake preflight with GET from invalid", pf("invalid_origin", "GET", None), 204, OK),
        ("preflight with PUT", pf(LOCAL, "PUT", None), 204, OK),
        ("preflight with GET and headers", pf(LOCAL, "GET", Some("bar,baz,foo")), 204, OK),
    ];
    let served = ["GET", "PUT", "PURGE", "OPTIONS"];
    attached("allow all", policy, &served, rows).await;
}

#[actix_web::test]
async fn credentialed_allow_some() {
    // TestMiddleware/"credentialed allow some"
    #[rustfmt::skip]
    let policy = CorsPolicy::new().origins(["https://example.com:8080", "https://*.example.com"]).credentials(true).methods(["GET", "POST", "PUT", "DELETE"]).headers(["Foo", "Bar", "Baz", "Qux", "Quux"]).max_age(30).expose(["X-Foo", "X-Bar"]);
    const O: &str = "https://example.com:8080";
    const SERVED: &[(&str, &str)] = &[("vary", "foo, Origin"), ("x-spy", "ran")];
    const ACTUAL: &[(&str, &str)] = &[
        ("vary", "foo, Origin"),
        ("x-spy", "ran"),
        ("access-control-allow-origin", O),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "x-foo, x-bar"),
    ];
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("non-CORS GET", get(None), 200, SERVED),
        ("non-CORS OPTIONS", opt(None), 200, SERVED),
        ("actual GET from allowed", get(Some(O)), 200, ACTUAL),
        ("actual GET from disallowed", get(Some("https://example.com:6060")), 200, SERVED),
        ("actual GET from invalid", get(Some("invalid_origin")), 200, SERVED),
        ("actual OPTIONS from allowed", opt(Some(O)), 200, ACTUAL),
        // The pattern's port is fixed (none): :8080 does not match.
        ("actual OPTIONS from disallowed", opt(Some("https://foo.example.com:8080")), 200, SERVED),
        ("preflight with GET and headers from allowed", pf(O, "GET", Some("bar,baz,foo")), 204, &[
            ("vary", PF_VARY), ("access-control-allow-origin", O), ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
            ("access-control-allow-headers", "foo, bar, baz, qux, quux"), ("access-control-max-age", "30"),
        ]),
    ];
    let served = ["GET", "POST", "PUT", "DELETE", "OPTIONS"];
    attached("credentialed allow some", policy, &served, rows).await;
}

#[actix_web::test]
async fn outer_vary_middleware() {
    // TestMiddleware/"outer Vary middleware": an outer middleware adds
    // `Vary: before`; nothing may clobber it. Here it adds it after `Cors`
    // returns, as actix middleware can only touch the response then.
    // jub0bs refuses every preflight of this Origins-only config; here the
    // route's own methods (GET, OPTIONS) are allowed (README "The merge rule").
    let policy = CorsPolicy::new().origins([LOCAL]);
    let served = ["GET", "OPTIONS"];
    let app = App::new()
        .wrap(Cors::new())
        .wrap_fn(|req, srv| {
            let fut = srv.call(req);
            async move {
                let mut res = fut.await?;
                res.headers_mut()
                    .append(VARY, HeaderValue::from_static("before"));
                Ok(res)
            }
        })
        .service(attach("/whatever", served, policy, spy_resource(&served)));
    let app = atest::init_service(app).await;
    const SERVED: &[(&str, &str)] = &[("vary", "before, foo, Origin"), ("x-spy", "ran")];
    const REFUSED: &[(&str, &str)] = &[(
        "vary",
        "before, Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    )];
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("non-CORS GET", get(None), 200, SERVED),
        ("actual GET from allowed", get(Some(LOCAL)), 200, &[
            ("vary", "before, foo, Origin"), ("x-spy", "ran"), ("access-control-allow-origin", LOCAL)]),
        ("actual GET from disallowed", get(Some("https://example.com")), 200, SERVED),
        ("actual GET from invalid", get(Some("invalid_origin")), 200, SERVED),
        ("actual OPTIONS from allowed", opt(Some(LOCAL)), 200, &[
            ("vary", "before, foo, Origin"), ("x-spy", "ran"), ("access-control-allow-origin", LOCAL)]),
        ("actual OPTIONS from disallowed", opt(Some("https://example.com")), 200, SERVED),
        ("fake preflight with GET from allowed", pf(LOCAL, "GET", None), 204, &[
            ("vary", "before, Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
            ("access-control-allow-origin", LOCAL), ("access-control-allow-methods", "GET, OPTIONS")]),
        ("preflight with PURGE from allowed", pf(LOCAL, "PURGE", None), 403, REFUSED),
        ("preflight with PURGE and Content-Type", pf(LOCAL, "PURGE", Some("content-type")), 403, REFUSED),
        ("fake preflight with GET from disallowed", pf("https://example.com", "GET", None), 403, REFUSED),
        ("preflight with PUT from allowed", pf(LOCAL, "PUT", None), 403, REFUSED),
        ("preflight with GET and headers from allowed", pf(LOCAL, "GET", Some("bar,baz,foo")), 403, REFUSED),
    ];
    for (case, req, status, want) in rows {
        let res = call(&app, req.to_request()).await;
        expect(&format!("outer Vary: {case}"), &res, status, want);
    }
}

#[actix_web::test]
async fn similar_origins_ghsa_vhxv_fg4m_p2w8() {
    // TestMiddleware/"regression tests for GHSA-vhxv-fg4m-p2w8": origins
    // that are concatenations of allowed ones are not allowed.
    let policy = CorsPolicy::new().origins(["https://foo.com", "https://bar.com"]);
    const SERVED: &[(&str, &str)] = &[("vary", "foo, Origin"), ("x-spy", "ran")];
    const REFUSED: &[(&str, &str)] = &[("vary", PF_VARY)];
    let mut rows: Vec<Row> = Vec::new();
    for o in ["https://barfoo.com", "https://foobar.com"] {
        rows.push(("actual GET from disallowed", get(Some(o)), 200, SERVED));
        rows.push(("actual OPTIONS from disallowed", opt(Some(o)), 200, SERVED));
        rows.push((
            "fake preflight with GET from disallowed",
            pf(o, "GET", None),
            403,
            REFUSED,
        ));
        rows.push((
            "preflight with PUT from disallowed",
            pf(o, "PUT", None),
            403,
            REFUSED,
        ));
        rows.push((
            "preflight with GET and headers",
            pf(o, "GET", Some("bar,baz,foo")),
            403,
            REFUSED,
        ));
    }
    attached("GHSA", policy, &["GET", "PUT", "OPTIONS"], rows).await;
}

#[actix_web::test]
async fn non_http_scheme() {
    // TestMiddleware/"insecure origin with non-HTTP scheme": jub0bs needs
    // DangerouslyTolerateInsecureOrigins for `connector://` with
    // credentials. Here only plain `http://` (not loopback) counts as
    // insecure (README "Credentials"), so it builds without the flag.
    const O: &str = "connector://example.com";
    let policy = CorsPolicy::new().origins([O]).credentials(true);
    assert!(policy.build().is_ok());
    const SERVED: &[(&str, &str)] = &[("vary", "foo, Origin"), ("x-spy", "ran")];
    const ACTUAL: &[(&str, &str)] = &[
        ("vary", "foo, Origin"),
        ("x-spy", "ran"),
        ("access-control-allow-origin", O),
        ("access-control-allow-credentials", "true"),
    ];
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("non-CORS GET", get(None), 200, SERVED),
        ("non-CORS OPTIONS", opt(None), 200, SERVED),
        ("actual GET from allowed", get(Some(O)), 200, ACTUAL),
        ("actual GET from disallowed", get(Some("connector://example.com:6060")), 200, SERVED),
        ("actual GET from invalid", get(Some("invalid_origin")), 200, SERVED),
        ("actual OPTIONS from allowed", opt(Some(O)), 200, ACTUAL),
        ("actual OPTIONS from disallowed", opt(Some("connector://example.com:8080")), 200, SERVED),
        ("preflight with GET and headers from allowed", pf(O, "GET", Some("bar,baz,foo")), 403, &[("vary", PF_VARY)]),
    ];
    attached("non-HTTP scheme", policy, &["GET", "OPTIONS"], rows).await;
}

#[actix_web::test]
async fn arbitrary_subdomains_and_ports() {
    // TestMiddleware/"arbitrary subdomains and arbitrary ports"
    let policy = CorsPolicy::new().origins(["http://*.example.com:*"]);
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("actual GET from subdomain", get(Some("http://foo.example.com")), 200, &[
            ("vary", "foo, Origin"), ("x-spy", "ran"), ("access-control-allow-origin", "http://foo.example.com")]),
        ("actual GET from subdomain and port", get(Some("http://foo.example.com:6060")), 200, &[
            ("vary", "foo, Origin"), ("x-spy", "ran"), ("access-control-allow-origin", "http://foo.example.com:6060")]),
        ("actual GET from deeper subdomain", get(Some("http://bar.foo.example.com")), 200, &[
            ("vary", "foo, Origin"), ("x-spy", "ran"), ("access-control-allow-origin", "http://bar.foo.example.com")]),
        ("actual GET from deeper subdomain and port", get(Some("http://bar.foo.example.com:8080")), 200, &[
            ("vary", "foo, Origin"), ("x-spy", "ran"), ("access-control-allow-origin", "http://bar.foo.example.com:8080")]),
        ("actual GET from disallowed (apex)", get(Some("http://example.com")), 200, &[("vary", "foo, Origin"), ("x-spy", "ran")]),
        ("preflight with GET and headers from allowed", pf("http://foo.example.com", "GET", Some("bar,baz,foo")), 403,
            &[("vary", PF_VARY)]),
    ];
    attached("subdomains and ports", policy, &["GET"], rows).await;
}

#[actix_web::test]
async fn many_origins() {
    // TestMiddleware/"many origins" (single-label hosts), and
    // TestConfig/"many origins" (it builds).
    let origins = [
        "bat", "cat", "fat", "hat", "meerkat", "mat", "oat", "pat", "rat", "sat",
    ]
    .map(|h| format!("https://{h}"));
    let policy = CorsPolicy::new().origins(&origins);
    assert!(policy.build().is_ok());
    let app = App::new().wrap(Cors::new()).service(attach(
        "/whatever",
        ["GET"],
        policy,
        spy_resource(&["GET"]),
    ));
    let app = atest::init_service(app).await;
    for o in origins.iter().map(String::as_str).chain(["https://hazmat"]) {
        let res = call(&app, get(Some(o)).to_request()).await;
        let mut want = vec![("vary", "foo, Origin"), ("x-spy", "ran")];
        if o != "https://hazmat" {
            want.push(("access-control-allow-origin", o));
        }
        expect(
            &format!("many origins: actual GET from {o}"),
            &res,
            200,
            &want,
        );
    }
}

#[actix_web::test]
async fn mutation_by_wrapping_middleware() {
    // middleware_test.go Test_mutation_by_wrapping_middleware: a middleware
    // outside `Cors` overwrites Access-Control-Allow-Credentials of the
    // first response; the second response must still say `true`.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    #[rustfmt::skip]
    let policy = CorsPolicy::new().origins(["https://example.com"]).methods(["PUT"]).credentials(true);
    let app = App::new()
        .wrap(Cors::new())
        .wrap_fn(|req, srv| {
            let fut = srv.call(req);
            async move {
                let mut res = fut.await?;
                if CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
                    res.headers_mut().insert(
                        ACCESS_CONTROL_ALLOW_CREDENTIALS,
                        HeaderValue::from_static("oops!"),
                    );
                }
                Ok(res)
            }
        })
        .service(attach("/whatever", ["PUT"], policy, spy_resource(&["PUT"])));
    let app = atest::init_service(app).await;
    let req = || preflight("/whatever", "https://example.com", "PUT", None).to_request();
    let first = call(&app, req()).await;
    assert_eq!(
        first.get("access-control-allow-credentials").as_deref(),
        Some("oops!")
    );
    let second = call(&app, req()).await;
    assert_eq!(second.status.as_u16(), 204);
    assert_eq!(
        second.get("access-control-allow-credentials").as_deref(),
        Some("true")
    );
}

/// A handler that writes CORS headers of its own, as util_test.go's
/// `newMutatingHandler` overwrites them.
async fn mutating() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Access-Control-Allow-Origin", "https://attacker.example"))
        .insert_header(("Access-Control-Allow-Credentials", "false"))
        .insert_header(("Access-Control-Expose-Headers", "x-secret"))
        .insert_header(("Access-Control-Allow-Methods", "DELETE"))
        .insert_header(("Vary", "foo"))
        .finish()
}

#[cors(disable)]
#[get("/own")]
async fn own() -> HttpResponse {
    mutating().await
}

#[actix_web::test]
async fn handler_written_cors_headers() {
    // util_test.go newMutatingHandler (jub0bs/cors#14, rs/cors#198): what
    // the handler does to the CORS headers must not change what the
    // policy grants. Here the CORS headers of a response are exactly the
    // policy's (pending change 2); a `#[cors(disable)]` handler keeps its own.
    #[rustfmt::skip]
    let policy = CorsPolicy::new().origins([LOCAL]).credentials(true).expose(["X-Foo", "X-Bar"]);
    let resource = web::resource("/whatever").route(web::get().to(mutating));
    let app = App::new()
        .wrap(Cors::new())
        .service(attach("/whatever", ["GET"], policy, resource))
        .service(own);
    let app = atest::init_service(app).await;
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("allowed: replaced", get(Some(LOCAL)), 200, &[("vary", "foo, Origin"), ("access-control-allow-origin", LOCAL),
            ("access-control-allow-credentials", "true"), ("access-control-expose-headers", "x-foo, x-bar")]),
        ("allowed again: still the policy's", get(Some(LOCAL)), 200, &[("vary", "foo, Origin"),
            ("access-control-allow-origin", LOCAL), ("access-control-allow-credentials", "true"),
            ("access-control-expose-headers", "x-foo, x-bar")]),
        ("disallowed: removed", get(Some("https://example.com")), 200, &[("vary", "foo, Origin")]),
        ("no Origin: removed", get(None), 200, &[("vary", "foo, Origin")]),
        // No policy decides this route, so nothing adds Vary: Origin either.
        ("#[cors(disable)]: kept", actual(Method::GET, "/own", LOCAL), 200, &[("vary", "foo"),
            ("access-control-allow-origin", "https://attacker.example"), ("access-control-allow-credentials", "false"),
            ("access-control-expose-headers", "x-secret"), ("access-control-allow-methods", "DELETE")]),
    ];
    for (case, req, status, want) in rows {
        let res = call(&app, req.to_request()).await;
        expect(&format!("mutating handler: {case}"), &res, status, want);
    }
}

// ---- config_test.go ------------------------------------------------------

fn errors(policy: CorsPolicy) -> Vec<ErrorKind> {
    match policy.build() {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(|e| e.kind()).collect(),
    }
}

fn o() -> CorsPolicy {
    CorsPolicy::new().origins(["https://example.com"])
}

#[test]
fn invalid_configurations() {
    use ErrorKind as K;
    // config_test.go TestConfig_invalid: each row's configuration and the
    // kinds of error this library reports, all at once, in the order written.
    #[rustfmt::skip]
    let rows: Vec<(&str, CorsPolicy, Vec<ErrorKind>)> = vec![
        ("no origin pattern specified", CorsPolicy::new(), vec![K::MissingOrigins]),
        ("null origin", CorsPolicy::new().origins(["null"]), vec![K::NullOrigin]),
        ("invalid origin pattern", CorsPolicy::new().origins(["http://example.com:6060/path"]),
            vec![K::InvalidOrigin(OriginProblem::Path)]),
        ("empty method name", o().methods([""]), vec![K::InvalidMethod]),
        ("invalid method name", o().methods(["résumé"]), vec![K::InvalidMethod]),
        ("forbidden method name", o().methods(["GET", "CONNECT"]), vec![K::ForbiddenMethod]),
        ("empty request-header name", o().headers([""]), vec![K::InvalidHeader]),
        ("invalid request-header name", o().headers(["résumé"]), vec![K::InvalidHeader]),
        ("forbidden request-header name", o().headers(["Connection"]), vec![K::ForbiddenHeader]),
        ("forbidden request-header name with Sec- prefix", o().headers(["Sec-Foo"]), vec![K::ForbiddenHeader]),
        ("forbidden request-header name with Proxy- prefix", o().headers(["Proxy-Foo"]), vec![K::ForbiddenHeader]),
        // jub0bs also prohibits CORS response-header names as request
        // headers; this library does not check that (no browser sends them,
        // so allowing one grants nothing).
        ("prohibited request-header name", o().headers(["Access-Control-Allow-Origin"]), vec![]),
        ("max age exceeds upper bound", o().headers(["Content-Type", "Authorization"]).max_age(86_401), vec![K::MaxAgeTooLarge]),
        ("empty response-header name", o().expose([""]), vec![K::InvalidHeader]),
        ("invalid response-header name", o().expose(["résumé"]), vec![K::InvalidHeader]),
        ("forbidden response-header name", o().expose(["Set-Cookie"]), vec![K::NeverExposed]),
        // Likewise not checked here: exposing a request-only CORS name.
        ("prohibited response-header name", o().expose(["Access-Control-Request-Method"]), vec![]),
        ("wildcard origin with Credentialed", CorsPolicy::new().origins(["*"]).credentials(true), vec![K::WildcardWithCredentials]),
        ("insecure origins with Credentialed",
            CorsPolicy::new().origins(["http://example.com:6060", "http://*.example.com:6060"]).credentials(true),
            vec![K::InsecureWithCredentials, K::InsecureWithCredentials]),
        // jub0bs refuses this only with credentials (and has an override);
        // here a pattern over a public suffix is always refused (DESIGN.md (g)).
        ("public-suffix pattern with Credentialed", CorsPolicy::new().origins(["https://*.com"]).credentials(true),
            vec![K::InvalidOrigin(OriginProblem::TooBroad)]),
        ("wildcard response-header name with Credentialed", o().credentials(true).expose(["*"]), vec![K::WildcardWithCredentials]),
        ("multiple configuration issues",
            CorsPolicy::new().origins(["http://example.com", "https://example.com/"]).methods(["CONNECT", "résumé"])
                .headers(["résumé", "Access-Control-Allow-Origin"]).max_age(86_401),
            vec![K::InvalidOrigin(OriginProblem::TrailingSlash), K::ForbiddenMethod, K::InvalidMethod, K::InvalidHeader, K::MaxAgeTooLarge]),
    ];
    for (case, policy, want) in rows {
        assert_eq!(errors(policy), want, "{case}");
    }

    // TestConfig_invalid/"max age less than -1": the builder takes a `u32`,
    // so the value is checked where it can be written, by the one validator
    // the attribute also uses.
    let spec = PolicySpec {
        origins: Some(&["https://example.com"]),
        max_age: Some(-2),
        ..PolicySpec::EMPTY
    };
    let got = validate(&spec, BuildOptions::default()).policy.unwrap_err();
    assert_eq!(
        got.iter().map(|e| e.kind()).collect::<Vec<_>>(),
        [K::MaxAgeNegative]
    );
}

#[test]
fn config_normalisation_is_refused() {
    use ErrorKind as K;
    // config_test.go TestConfig: jub0bs accepts these and normalises them
    // (drops duplicates, folds entries into `*`, uppercases safelisted
    // methods). This library refuses each with the fix instead, so that the
    // configuration says exactly what is allowed (README "Compile errors").
    let http = || CorsPolicy::new().origins(["http://example.com"]);
    #[rustfmt::skip]
    let rows: Vec<(&str, CorsPolicy, Vec<ErrorKind>)> = vec![
        ("anonymous allow all", CorsPolicy::new().origins(["*"]).methods(["*"]).headers(["authoriZation", "*", "Authorization"]).expose(["*"]),
            vec![K::WildcardInList, K::Duplicate]),
        ("discrete methods discrete headers zero max age",
            CorsPolicy::new().origins(["https://example.com", "https://example.com"])
                .headers(["x-foO", "x-Bar", "authoRizaTion", "Authorization"]).max_age(0).expose(["x-FOO", "X-baR", "x-foo"]),
            vec![K::Duplicate, K::Duplicate, K::Duplicate]),
        ("credentialed all req headers",
            CorsPolicy::new().origins(["http://example.com", "https://*.example.com:8080"]).credentials(true)
                .methods(["POST", "PUT", "DELETE", "GET"]).headers(["*"]).dangerously_allow_insecure_origins(true),
            vec![K::WildcardWithCredentials]),
        ("discrete origin patterns in addition to wildcard",
            CorsPolicy::new().origins(["http://example.com", "https://*.example.com", "*"]), vec![K::WildcardInList]),
        ("discrete methods in addition to wildcard", http().methods(["DELETE", "GET", "PATCH", "*"]), vec![K::WildcardInList]),
        ("browser-normalized methods", http().methods(["Get", "getaway", "headstrong", "postal"]), vec![K::MethodCase]),
        ("discrete request-header names in addition to wildcard (anonymous)", http().headers(["X-Api-Key", "*"]),
            vec![K::WildcardInList]),
        ("discrete request-header names in addition to wildcard (credentialed)",
            o().credentials(true).headers(["X-Api-Key", "*"]), vec![K::WildcardInList, K::WildcardWithCredentials]),
        ("discrete response-header names in addition to wildcard", http().expose(["X-Foo", "X-Bar", "*"]), vec![K::WildcardInList]),
    ];
    for (case, policy, want) in rows {
        let mut got = errors(policy);
        got.dedup();
        let mut want = want;
        want.dedup();
        assert_eq!(got, want, "{case}");
    }
}

#[test]
fn valid_configurations() {
    // config_test.go TestConfig rows that build here as written.
    #[rustfmt::skip]
    let rows: Vec<(&str, CorsPolicy)> = vec![
        ("anonymous allow all but not Authorization request header",
            CorsPolicy::new().origins(["*"]).methods(["*"]).headers(["*"]).expose(["*"])),
        // Builds; exposing safelisted names only earns a note (README
        // "Compile errors": warnings).
        ("safelisted response-header names", CorsPolicy::new().origins(["http://example.com"]).expose([
            "Cache-Control", "content-Language", "content-lEngth", "content-typE", "expireS", "lasT-modified", "prAgmA", "X-Foo",
        ])),
        ("max age with no possible preflight", CorsPolicy::new().origins(["http://example.com"]).max_age(10)),
        // The peer's "credentialed all req headers" without `*` headers
        // (refused above); the nested pattern only earns a note.
        ("credentialed, nested patterns", CorsPolicy::new()
            .origins(["http://example.com", "https://*.example.com:8080", "https://*.foo.example.com:8080"])
            .credentials(true).methods(["POST", "PUT", "DELETE", "GET"]).max_age(86_400).dangerously_allow_insecure_origins(true)),
    ];
    for (case, policy) in rows {
        assert!(policy.build().is_ok(), "{case}: {:?}", policy.build().err());
    }
}
