//! The oracle's own cases.

use super::*;

const ORIGIN: &str = "https://app.example";
// Header names spelled out here, apart from the module's constants.
const ACAO: &str = "Access-Control-Allow-Origin";
const ACAC: &str = "Access-Control-Allow-Credentials";
const ACAM: &str = "Access-Control-Allow-Methods";
const ACAH: &str = "Access-Control-Allow-Headers";
const ACEH: &str = "Access-Control-Expose-Headers";
const ACMA: &str = "Access-Control-Max-Age";

/// Header lines of a test request or response.
type Lines = &'static [(&'static str, &'static str)];

fn request(method: &'static str, lines: Lines) -> Request<'static> {
    Request {
        headers: lines.to_vec(),
        ..Request::new(ORIGIN, method)
    }
}

fn include(request: Request<'static>) -> Request<'static> {
    request.credentials(CredentialsMode::Include)
}

fn response(status: u16, lines: Lines) -> Response<'static> {
    Response {
        status,
        headers: lines.to_vec(),
    }
}

#[test]
fn fetch_normalises_only_six_methods() {
    let cases = [
        ("delete is uppercased", "delete", "DELETE"),
        ("get is uppercased", "get", "GET"),
        ("head is uppercased", "hEaD", "HEAD"),
        ("options is uppercased", "options", "OPTIONS"),
        ("post is uppercased", "Post", "POST"),
        ("put is uppercased", "put", "PUT"),
        ("patch stays lowercase", "patch", "patch"),
        ("mixed-case patch stays as written", "Patch", "Patch"),
        ("custom methods stay as written", "propfind", "propfind"),
    ];
    for (description, method, expected) in cases {
        let request = Request::new(ORIGIN, method);
        assert_eq!(request.normalized_method(), expected, "{description}");
    }
}

#[test]
fn methods_other_than_get_head_post_need_a_preflight() {
    let cases = [
        ("GET", "GET", false),
        ("HEAD", "HEAD", false),
        ("POST", "POST", false),
        ("lowercase get is normalised to GET", "get", false),
        ("PUT", "PUT", true),
        ("lowercase delete", "delete", true),
        ("lowercase patch", "patch", true),
        ("OPTIONS", "OPTIONS", true),
    ];
    for (description, method, expected) in cases {
        let request = Request::new(ORIGIN, method);
        assert_eq!(needs_preflight(&request), expected, "{description}");
        assert_eq!(preflight_for(&request).is_some(), expected, "{description}");
    }
}

/// Asserts, for each `(description, value, expected)`, whether a GET with the header
/// `name: value` needs a preflight.
fn assert_header_needs_preflight(name: &str, cases: &[(&str, &str, bool)]) {
    for &(description, value, expected) in cases {
        let request = Request::new(ORIGIN, "GET").header(name, value);
        assert_eq!(needs_preflight(&request), expected, "{name}: {description}");
        assert_eq!(
            preflight_for(&request).is_some(),
            expected,
            "{name}: {description}"
        );
    }
}

#[test]
fn content_type_is_safelisted_for_three_essences_only() {
    assert_header_needs_preflight(
        "Content-Type",
        &[
            ("JSON", "application/json", true),
            ("text/plain with charset", "text/plain;charset=utf-8", false),
            ("urlencoded", "application/x-www-form-urlencoded", false),
            ("multipart", "multipart/form-data; boundary=x", false),
            ("essence ignores case", "Text/PLAIN", false),
            ("space before ';'", "text/plain ; charset=utf-8", false),
            ("trimmed like Headers", "text/plain\r\n", false),
            ("'\"' is unsafe", "text/plain; charset=\"utf-8\"", true),
            ("no subtype", "text/", true),
            ("no '/'", "text", true),
            ("space in type", "text /plain", true),
            ("longer subtype", "text/plainx", true),
        ],
    );
}

#[test]
fn accept_is_safelisted_without_unsafe_bytes_up_to_128_bytes() {
    let a_128 = "a".repeat(128);
    let a_129 = "a".repeat(129);
    assert_header_needs_preflight(
        "Accept",
        &[
            ("*/*", "*/*", false),
            ("128 bytes", &a_128, false),
            ("129 bytes", &a_129, true),
            ("'(' is unsafe", "text/html(", true),
            ("a control byte", "a\u{1}b", true),
            ("DEL", "a\u{7f}", true),
        ],
    );
}

#[test]
fn languages_are_safelisted_with_a_restricted_alphabet() {
    for name in ["Accept-Language", "Content-Language"] {
        assert_header_needs_preflight(
            name,
            &[
                ("q-values", "en-US,en;q=0.9", false),
                ("'_' is not allowed", "en_US", true),
                ("'/' is not allowed", "de/DE", true),
            ],
        );
    }
}

#[test]
fn range_is_safelisted_as_a_simple_range_only() {
    assert_header_needs_preflight(
        "Range",
        &[
            ("bytes=N-", "bytes=0-", false),
            ("bytes=N-M", "bytes=0-99", false),
            (
                "long bounds",
                "bytes=0012345678901234567890-12345678901234567890",
                false,
            ),
            ("suffix bytes=-N", "bytes=-500", true),
            ("start after end", "bytes=5-1", true),
            ("several ranges", "bytes=0-1,2-3", true),
            ("whitespace", "bytes = 0-", true),
            ("unit is case-sensitive", "Bytes=0-", true),
            ("no '-'", "bytes=5", true),
        ],
    );
}

#[test]
fn other_headers_need_a_preflight_unless_forbidden() {
    let cases = [
        ("custom header", "X-Requested-With", "fetch", true),
        ("authorization", "Authorization", "Bearer t", true),
        ("forbidden Cookie: dropped", "Cookie", "a=b", false),
        ("forbidden Sec-*: dropped", "Sec-Fetch-Mode", "cors", false),
        ("forbidden Proxy-*: dropped", "Proxy-Foo", "x", false),
        ("TRACE override: dropped", "X-HTTP-Method", "trace", false),
        ("PUT override", "X-HTTP-Method", "PUT", true),
    ];
    for (description, name, value, expected) in cases {
        assert_header_needs_preflight(name, &[(description, value, expected)]);
    }
}

#[test]
fn repeated_safelisted_headers_follow_each_browser() {
    // What each engine did in tests/browser.rs: Chrome and Safari join a repeated
    // header's values before the 128-byte check; Firefox checks each value and has
    // no 1024-byte total.
    let a_100 = "a".repeat(100);
    let a_128 = "a".repeat(128);
    let cases = [
        ("1 x 128 bytes", &a_128, 1, [false, false, false]),
        ("2 x 100 bytes", &a_100, 2, [true, false, true]),
        ("8 x 128 bytes", &a_128, 8, [true, false, true]),
        ("9 x 128 bytes", &a_128, 9, [true, false, true]),
    ];
    for (description, value, count, expected) in cases {
        for (browser, expected) in [Browser::Chrome, Browser::Firefox, Browser::Safari]
            .into_iter()
            .zip(expected)
        {
            let request = Request {
                headers: vec![("Accept", value.as_str()); count],
                ..Request::new(ORIGIN, "GET").browser(browser)
            };
            assert_eq!(
                needs_preflight(&request),
                expected,
                "{description}, {browser:?}"
            );
            let acrh = preflight_for(&request).and_then(|preflight| preflight.request_headers);
            assert_eq!(
                acrh.as_deref(),
                expected.then_some("accept"),
                "{description}, {browser:?}"
            );
        }
    }
}

#[test]
fn distinct_safelisted_headers_never_reach_the_1024_byte_total() {
    // Distinct safelisted names: each value alone is safelisted, and together
    // they stay far under 1024 bytes, so no browser preflights them.
    let value = "a".repeat(128);
    for browser in [Browser::Chrome, Browser::Firefox, Browser::Safari] {
        let request = Request::new(ORIGIN, "GET")
            .header("Accept", &value)
            .header("Accept-Language", &value)
            .header("Content-Language", &value)
            .browser(browser);
        assert!(!needs_preflight(&request), "{browser:?}");
    }
}

#[test]
fn private_network_requests_wait_for_permission_in_chrome_and_firefox() {
    // As Chromium 156 and Firefox ESR 153 did in tests/browser.rs: no preflight,
    // nothing sent, whatever the server would answer.
    let allowed = Response::new(200).header(ACAO, "*");
    for browser in [Browser::Chrome, Browser::Firefox] {
        let request = Request::new(ORIGIN, "GET")
            .private_network(true)
            .browser(browser);
        assert!(!needs_preflight(&request), "{browser:?}");
        assert_eq!(preflight_for(&request), None, "{browser:?}");
        let blocked = fetch(&request, None, &allowed).unwrap_err();
        assert_eq!(blocked.kind, BlockedKind::LocalNetworkPermission);
        assert_eq!(blocked.stage, Stage::Preflight);
    }
    // Safari: not modelled, an ordinary request.
    let request = Request::new(ORIGIN, "GET")
        .private_network(true)
        .browser(Browser::Safari);
    assert!(fetch(&request, None, &allowed).is_ok());
}

#[test]
fn preflight_serialises_the_unsafe_header_names() {
    let cases: [(&str, Lines, Option<&str>); 5] = [
        ("none: no ACRH", &[], None),
        (
            "one name, lowercased",
            &[("X-Custom", "1")],
            Some("x-custom"),
        ),
        (
            "sorted, deduplicated, lowercased, no spaces",
            &[
                ("X-B", "1"),
                ("x-a", "1"),
                ("X-A", "2"),
                ("Content-Type", "application/json"),
            ],
            Some("content-type,x-a,x-b"),
        ),
        (
            "safelisted headers left out",
            &[("Accept", "*/*"), ("X-Z", "1")],
            Some("x-z"),
        ),
        (
            "forbidden headers left out",
            &[("Cookie", "a=b"), ("X-Z", "1")],
            Some("x-z"),
        ),
    ];
    for (description, lines, expected) in cases {
        let preflight = preflight_for(&request("PUT", lines)).expect(description);
        assert_eq!(preflight.method(), "OPTIONS", "{description}");
        assert_eq!(preflight.origin, ORIGIN, "{description}");
        assert_eq!(preflight.request_method, "PUT", "{description}");
        assert_eq!(
            preflight.request_headers.as_deref(),
            expected,
            "{description}"
        );
    }
}

#[test]
fn preflight_headers_list_every_cors_header() {
    let preflight = preflight_for(&request("patch", &[("X-Custom", "1")])).expect("preflighted");
    assert_eq!(
        preflight.headers(),
        [
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "patch"),
            ("Access-Control-Request-Headers", "x-custom"),
        ]
    );
}

/// A row of [`check_preflight_applies_every_check`].
struct PreflightCase {
    description: &'static str,
    request: Request<'static>,
    status: u16,
    lines: Lines,
    expected: Result<&'static [Warning], BlockedKind>,
}

#[test]
fn check_preflight_applies_every_check() {
    use BlockedKind::*;
    const PASS: Result<&[Warning], BlockedKind> = Ok(&[]);
    let put = || request("PUT", &[]);
    let custom = || request("GET", &[("X-Custom", "1")]);
    let authorization = || request("GET", &[("Authorization", "Bearer t")]);
    let cases = [
        PreflightCase {
            description: "method and header listed explicitly",
            request: request("PUT", &[("X-Custom", "1")]),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "X-Custom")],
            expected: PASS,
        },
        PreflightCase {
            description: "status 200 is ok",
            request: put(),
            status: 200,
            lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
            expected: PASS,
        },
        PreflightCase {
            description: "status 404 is not ok",
            request: put(),
            status: 404,
            lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
            expected: Err(PreflightStatus),
        },
        PreflightCase {
            description: "status 401 is not ok",
            request: put(),
            status: 401,
            lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
            expected: Err(PreflightStatus),
        },
        PreflightCase {
            description: "a redirect is never followed",
            request: put(),
            status: 302,
            lines: &[(ACAO, ORIGIN), (ACAM, "PUT"), ("Location", "/elsewhere")],
            expected: Err(PreflightRedirect),
        },
        PreflightCase {
            description: "a 3xx without Location is just not ok",
            request: put(),
            status: 302,
            lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
            expected: Err(PreflightStatus),
        },
        PreflightCase {
            description: "no ACAO",
            request: put(),
            status: 204,
            lines: &[(ACAM, "PUT")],
            expected: Err(MissingAllowOrigin),
        },
        PreflightCase {
            description: "no ACAO on a 404: Chrome reports the ACAO first",
            request: put(),
            status: 404,
            lines: &[],
            expected: Err(MissingAllowOrigin),
        },
        PreflightCase {
            description: "ACAO of another origin",
            request: put(),
            status: 204,
            lines: &[(ACAO, "https://evil.example"), (ACAM, "PUT")],
            expected: Err(AllowOriginMismatch),
        },
        PreflightCase {
            description: "ACAO twice",
            request: put(),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAO, ORIGIN), (ACAM, "PUT")],
            expected: Err(MultipleAllowOrigin),
        },
        PreflightCase {
            description: "ACAO * with credentials",
            request: include(put()),
            status: 204,
            lines: &[(ACAO, "*"), (ACAC, "true"), (ACAM, "PUT")],
            expected: Err(WildcardOriginWithCredentials),
        },
        PreflightCase {
            description: "credentials without ACAC",
            request: include(put()),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAM, "PUT")],
            expected: Err(AllowCredentialsNotTrue),
        },
        PreflightCase {
            description: "credentials with ACAC true",
            request: include(put()),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAM, "PUT")],
            expected: PASS,
        },
        PreflightCase {
            description: "PUT not in ACAM",
            request: put(),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAM, "GET, POST")],
            expected: Err(MethodNotAllowed),
        },
        PreflightCase {
            description: "no ACAM for PUT",
            request: put(),
            status: 204,
            lines: &[(ACAO, ORIGIN)],
            expected: Err(MethodNotAllowed),
        },
        PreflightCase {
            description: "ACAM is case-sensitive: put (sent as PUT) is not allowed by put",
            request: request("put", &[]),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAM, "put")],
            expected: Err(MethodNotAllowed),
        },
        PreflightCase {
            description: "ACAM is case-sensitive: patch is not allowed by PATCH",
            request: request("patch", &[]),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAM, "PATCH")],
            expected: Err(MethodNotAllowed),
        },
        PreflightCase {
            description: "ACAM patch allows patch",
            request: request("patch", &[]),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAM, "patch")],
            expected: PASS,
        },
        PreflightCase {
            description: "ACAM * without credentials",
            request: put(),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAM, "*")],
            expected: PASS,
        },
        PreflightCase {
            description: "ACAM * with credentials is the literal method '*'",
            request: include(put()),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAM, "*")],
            expected: Err(MethodNotAllowed),
        },
        PreflightCase {
            description: "POST passes any ACAM",
            request: request("POST", &[("X-Custom", "1")]),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "x-custom")],
            expected: PASS,
        },
        PreflightCase {
            description: "ACAH is case-insensitive",
            request: custom(),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAH, "x-CUSTOM")],
            expected: PASS,
        },
        PreflightCase {
            description: "header not in ACAH",
            request: custom(),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAH, "x-other")],
            expected: Err(HeaderNotAllowed),
        },
        PreflightCase {
            description: "no ACAH",
            request: custom(),
            status: 204,
            lines: &[(ACAO, ORIGIN)],
            expected: Err(HeaderNotAllowed),
        },
        PreflightCase {
            description: "ACAH * without credentials",
            request: custom(),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAH, "*")],
            expected: PASS,
        },
        PreflightCase {
            description: "ACAH * with credentials is the literal name '*'",
            request: include(custom()),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAH, "*")],
            expected: Err(HeaderNotAllowed),
        },
        PreflightCase {
            description: "authorization under *: browsers accept, with a warning",
            request: authorization(),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAH, "*")],
            expected: Ok(&[Warning::AuthorizationCoveredByWildcard]),
        },
        PreflightCase {
            description: "authorization listed next to *: no warning",
            request: authorization(),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAH, "*, Authorization")],
            expected: PASS,
        },
        PreflightCase {
            description: "authorization under * with credentials",
            request: include(authorization()),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAH, "*")],
            expected: Err(HeaderNotAllowed),
        },
        PreflightCase {
            description: "ACAH lines combined; spaces, tabs and empty items skipped",
            request: request("GET", &[("X-A", "1"), ("X-B", "2")]),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAH, ", x-a ,,"), (ACAH, "\tX-B")],
            expected: PASS,
        },
        PreflightCase {
            description: "ACAH with an item that is not a token",
            request: custom(),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAH, "x-custom, x other")],
            expected: Err(InvalidHeaderList),
        },
        PreflightCase {
            description: "ACAM with an item that is not a token, even for GET",
            request: request("GET", &[]),
            status: 204,
            lines: &[(ACAO, ORIGIN), (ACAM, "GET, P(T")],
            expected: Err(InvalidHeaderList),
        },
    ];
    for case in cases {
        let description = case.description;
        let outcome = check_preflight(&case.request, &response(case.status, case.lines));
        if let Err(blocked) = &outcome {
            assert_eq!(blocked.stage, Stage::Preflight, "{description}");
        }
        let outcome = outcome.as_ref().map(|verdict| verdict.warnings.as_slice());
        assert_eq!(
            outcome.map_err(|blocked| blocked.kind),
            case.expected,
            "{description}"
        );
    }
}

/// A row of [`check_response_applies_the_cors_check`].
struct ResponseCase {
    description: &'static str,
    credentials: CredentialsMode,
    status: u16,
    lines: Lines,
    expected: Result<(), BlockedKind>,
}

#[test]
fn check_response_applies_the_cors_check() {
    use BlockedKind::*;
    use CredentialsMode::{Include, Omit, SameOrigin};
    let cases = [
        ResponseCase {
            description: "no ACAO",
            credentials: Omit,
            status: 200,
            lines: &[],
            expected: Err(MissingAllowOrigin),
        },
        ResponseCase {
            description: "ACAO equal to the origin",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, ORIGIN)],
            expected: Ok(()),
        },
        ResponseCase {
            description: "ACAO within spaces and tabs, which HTTP parsers strip",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, " https://app.example\t")],
            expected: Ok(()),
        },
        ResponseCase {
            description: "ACAO with a trailing slash",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, "https://app.example/")],
            expected: Err(AllowOriginMismatch),
        },
        ResponseCase {
            description: "ACAO in another letter case",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, "https://APP.example")],
            expected: Err(AllowOriginMismatch),
        },
        ResponseCase {
            description: "ACAO with a suffix",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, "https://app.example.evil")],
            expected: Err(AllowOriginMismatch),
        },
        ResponseCase {
            description: "ACAO null",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, "null")],
            expected: Err(AllowOriginMismatch),
        },
        ResponseCase {
            description: "ACAO empty",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, "")],
            expected: Err(AllowOriginMismatch),
        },
        ResponseCase {
            description: "ACAO * with credentials omitted",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, "*")],
            expected: Ok(()),
        },
        ResponseCase {
            description: "ACAO * in same-origin mode",
            credentials: SameOrigin,
            status: 200,
            lines: &[(ACAO, "*")],
            expected: Ok(()),
        },
        ResponseCase {
            description: "ACAO * with credentials included",
            credentials: Include,
            status: 200,
            lines: &[(ACAO, "*"), (ACAC, "true")],
            expected: Err(WildcardOriginWithCredentials),
        },
        ResponseCase {
            description: "ACAO * twice",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, "*"), ("access-control-allow-origin", "*")],
            expected: Err(MultipleAllowOrigin),
        },
        ResponseCase {
            description: "ACAO origin twice",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, ORIGIN), (ACAO, ORIGIN)],
            expected: Err(MultipleAllowOrigin),
        },
        ResponseCase {
            description: "two origins on one line",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, "https://app.example https://b.example")],
            expected: Err(MultipleAllowOrigin),
        },
        ResponseCase {
            description: "credentials with ACAC true",
            credentials: Include,
            status: 200,
            lines: &[(ACAO, ORIGIN), (ACAC, "true")],
            expected: Ok(()),
        },
        ResponseCase {
            description: "credentials with ACAC True",
            credentials: Include,
            status: 200,
            lines: &[(ACAO, ORIGIN), (ACAC, "True")],
            expected: Err(AllowCredentialsNotTrue),
        },
        ResponseCase {
            description: "credentials without ACAC",
            credentials: Include,
            status: 200,
            lines: &[(ACAO, ORIGIN)],
            expected: Err(AllowCredentialsNotTrue),
        },
        ResponseCase {
            description: "credentials with ACAC true twice",
            credentials: Include,
            status: 200,
            lines: &[(ACAO, ORIGIN), (ACAC, "true"), (ACAC, "true")],
            expected: Err(AllowCredentialsNotTrue),
        },
        ResponseCase {
            description: "no credentials: no ACAC needed",
            credentials: Omit,
            status: 200,
            lines: &[(ACAO, ORIGIN)],
            expected: Ok(()),
        },
        ResponseCase {
            description: "a 500 with ACAO is readable",
            credentials: Omit,
            status: 500,
            lines: &[(ACAO, ORIGIN)],
            expected: Ok(()),
        },
        ResponseCase {
            description: "a 401 without ACAO is blocked",
            credentials: Omit,
            status: 401,
            lines: &[("WWW-Authenticate", "Bearer")],
            expected: Err(MissingAllowOrigin),
        },
    ];
    for case in cases {
        let description = case.description;
        let request = Request::new(ORIGIN, "GET").credentials(case.credentials);
        let outcome = check_response(&request, &response(case.status, case.lines));
        if let Err(blocked) = &outcome {
            assert_eq!(blocked.stage, Stage::Response, "{description}");
        }
        let outcome = outcome.map(drop).map_err(|blocked| blocked.kind);
        assert_eq!(outcome, case.expected, "{description}");
    }
}

#[test]
fn readable_headers_follow_the_expose_rules() {
    use CredentialsMode::{Include, Omit};
    let cases: [(&str, CredentialsMode, &[&str], &str, bool); 18] = [
        (
            "cache-control is safelisted",
            Omit,
            &[],
            "Cache-Control",
            true,
        ),
        (
            "content-language is safelisted",
            Omit,
            &[],
            "content-language",
            true,
        ),
        (
            "content-length is safelisted",
            Omit,
            &[],
            "content-length",
            true,
        ),
        (
            "content-type is safelisted",
            Omit,
            &[],
            "Content-Type",
            true,
        ),
        ("expires is safelisted", Omit, &[], "expires", true),
        (
            "last-modified is safelisted",
            Omit,
            &[],
            "last-modified",
            true,
        ),
        ("pragma is safelisted", Omit, &[], "pragma", true),
        (
            "a custom header needs ACEH",
            Omit,
            &[],
            "x-total-count",
            false,
        ),
        (
            "ACEH names ignore case",
            Omit,
            &["X-Total-Count"],
            "x-total-count",
            true,
        ),
        (
            "ACEH lines are combined",
            Omit,
            &["x-a", "X-Total-Count"],
            "x-total-count",
            true,
        ),
        (
            "ACEH exposes only what it names",
            Omit,
            &["x-a"],
            "x-b",
            false,
        ),
        (
            "ACEH * without credentials",
            Omit,
            &["*"],
            "x-anything",
            true,
        ),
        (
            "ACEH * with credentials is literal",
            Include,
            &["*"],
            "x-anything",
            false,
        ),
        (
            "ACEH names work with credentials",
            Include,
            &["x-a"],
            "x-a",
            true,
        ),
        (
            "set-cookie never, even under *",
            Omit,
            &["*"],
            "set-cookie",
            false,
        ),
        (
            "set-cookie never, even listed",
            Omit,
            &["Set-Cookie"],
            "Set-Cookie",
            false,
        ),
        (
            "set-cookie2 never",
            Omit,
            &["set-cookie2"],
            "set-cookie2",
            false,
        ),
        (
            "an unparsable ACEH exposes nothing",
            Omit,
            &["x-a, x b"],
            "x-a",
            false,
        ),
    ];
    for (description, credentials, expose, name, expected) in cases {
        let request = Request::new(ORIGIN, "GET").credentials(credentials);
        let response = expose.iter().fold(
            response(200, &[(ACAO, ORIGIN), (ACAC, "true")]),
            |response, names| response.header(ACEH, names),
        );
        let readable = check_response(&request, &response).expect(description);
        assert_eq!(readable.can_read(name), expected, "{description}");
    }
}

#[test]
fn readable_shows_only_the_visible_header_lines() {
    let lines: Lines = &[
        (ACAO, ORIGIN),
        ("Content-Type", "text/plain"),
        ("X-A", "1"),
        ("Set-Cookie", "id=1"),
        ("X-Hidden", "2"),
        ("x-a", " 3 "),
        (ACEH, "X-A"),
    ];
    let readable = check_response(&request("GET", &[]), &response(200, lines)).expect("passes");
    let visible: Vec<(&str, &str)> = readable
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    assert_eq!(
        visible,
        [("content-type", "text/plain"), ("x-a", "1"), ("x-a", "3")]
    );
    assert_eq!(readable.get("X-A").as_deref(), Some("1, 3"));
    assert_eq!(readable.get("set-cookie"), None);
    assert_eq!(readable.get("x-hidden"), None);

    let everything = response(200, lines).header(ACEH, "*");
    let readable = check_response(&request("GET", &[]), &everything).expect("passes");
    assert_eq!(readable.get("x-hidden").as_deref(), Some("2"));
    assert_eq!(readable.get("set-cookie"), None);
}

/// A row of [`fetch_runs_the_whole_cycle`].
struct FetchCase {
    description: &'static str,
    request: Request<'static>,
    preflight: Option<Response<'static>>,
    response: Response<'static>,
    expected: Result<&'static [Warning], (BlockedKind, Stage)>,
}

#[test]
fn fetch_runs_the_whole_cycle() {
    use BlockedKind::*;
    let allowed = || response(200, &[(ACAO, ORIGIN)]);
    let custom = || request("GET", &[("X-Custom", "1")]);
    let custom_preflight = || response(204, &[(ACAO, ORIGIN), (ACAH, "x-custom")]);
    let cases = [
        FetchCase {
            description: "a simple request needs no preflight response",
            request: request("GET", &[]),
            preflight: None,
            response: allowed(),
            expected: Ok(&[]),
        },
        FetchCase {
            description: "a preflight response for a simple request is ignored",
            request: request("GET", &[]),
            preflight: Some(response(404, &[])),
            response: allowed(),
            expected: Ok(&[]),
        },
        FetchCase {
            description: "a preflighted request without a preflight response",
            request: custom(),
            preflight: None,
            response: allowed(),
            expected: Err((PreflightMissing, Stage::Preflight)),
        },
        FetchCase {
            description: "a private network request waits for permission, in Chrome",
            request: request("GET", &[]).private_network(true),
            preflight: None,
            response: allowed(),
            expected: Err((LocalNetworkPermission, Stage::Preflight)),
        },
        FetchCase {
            description: "a failing preflight stops the cycle",
            request: custom(),
            preflight: Some(response(500, &[(ACAO, ORIGIN), (ACAH, "x-custom")])),
            response: allowed(),
            expected: Err((PreflightStatus, Stage::Preflight)),
        },
        FetchCase {
            description: "a passing preflight and a passing response",
            request: custom(),
            preflight: Some(custom_preflight()),
            response: allowed(),
            expected: Ok(&[]),
        },
        FetchCase {
            description: "a passing preflight, then a response without ACAO",
            request: custom(),
            preflight: Some(custom_preflight()),
            response: response(200, &[]),
            expected: Err((MissingAllowOrigin, Stage::Response)),
        },
        FetchCase {
            description: "preflight warnings reach the readable response",
            request: request("GET", &[("Authorization", "Bearer t")]),
            preflight: Some(response(204, &[(ACAO, ORIGIN), (ACAH, "*")])),
            response: allowed(),
            expected: Ok(&[Warning::AuthorizationCoveredByWildcard]),
        },
    ];
    for case in cases {
        let outcome = fetch(&case.request, case.preflight.as_ref(), &case.response);
        let outcome = outcome.as_ref().map(Readable::warnings);
        let outcome = outcome.map_err(|blocked| (blocked.kind, blocked.stage));
        assert_eq!(outcome, case.expected, "{}", case.description);
    }
}

#[test]
fn messages_read_like_chrome() {
    const PREFLIGHT: &str = "Response to preflight request doesn't pass access control check: ";
    let put = || request("PUT", &[]);
    let preflight = |request: Request<'static>, status, lines| {
        check_preflight(&request, &response(status, lines)).expect_err("blocked")
    };
    let actual = |request: Request<'static>, lines| {
        check_response(&request, &response(200, lines)).expect_err("blocked")
    };
    let cases = [
        (
            "missing preflight",
            fetch(&put(), None, &response(200, &[(ACAO, ORIGIN)])).expect_err("blocked"),
            "The request needs a CORS preflight, but no preflight response was supplied."
                .to_owned(),
        ),
        (
            "preflight status",
            preflight(put(), 404, &[(ACAO, ORIGIN)]),
            format!("{PREFLIGHT}It does not have HTTP ok status."),
        ),
        (
            "preflight redirect",
            preflight(put(), 307, &[(ACAO, ORIGIN), ("Location", "/x")]),
            format!("{PREFLIGHT}Redirect is not allowed for a preflight request."),
        ),
        (
            "missing ACAO on the actual response",
            actual(put(), &[]),
            "No 'Access-Control-Allow-Origin' header is present on the requested resource."
                .to_owned(),
        ),
        (
            "missing ACAO on the preflight",
            preflight(put(), 204, &[]),
            format!(
                "{PREFLIGHT}No 'Access-Control-Allow-Origin' header is present on the \
                 requested resource."
            ),
        ),
        (
            "multiple ACAO",
            actual(put(), &[(ACAO, "*"), (ACAO, "*")]),
            "The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but \
             only one is allowed."
                .to_owned(),
        ),
        (
            "ACAO mismatch",
            actual(put(), &[(ACAO, "https://b.example")]),
            "The 'Access-Control-Allow-Origin' header has a value 'https://b.example' that \
             is not equal to the supplied origin."
                .to_owned(),
        ),
        (
            "wildcard with credentials",
            actual(include(put()), &[(ACAO, "*")]),
            "The value of the 'Access-Control-Allow-Origin' header in the response must not \
             be the wildcard '*' when the request's credentials mode is 'include'."
                .to_owned(),
        ),
        (
            "missing ACAC",
            actual(include(put()), &[(ACAO, ORIGIN)]),
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '' \
             which must be 'true' when the request's credentials mode is 'include'."
                .to_owned(),
        ),
        (
            "ACAC True",
            actual(include(put()), &[(ACAO, ORIGIN), (ACAC, "True")]),
            "The value of the 'Access-Control-Allow-Credentials' header in the response is \
             'True' which must be 'true' when the request's credentials mode is 'include'."
                .to_owned(),
        ),
        (
            "method not allowed",
            preflight(put(), 204, &[(ACAO, ORIGIN), (ACAM, "GET")]),
            "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
                .to_owned(),
        ),
        (
            "header not allowed",
            preflight(
                request("GET", &[("X-Requested-With", "f")]),
                204,
                &[(ACAO, ORIGIN)],
            ),
            "Request header field x-requested-with is not allowed by \
             Access-Control-Allow-Headers in preflight response."
                .to_owned(),
        ),
        (
            "local network permission",
            fetch(
                &request("GET", &[]).private_network(true),
                None,
                &Response::new(200),
            )
            .unwrap_err(),
            "The request from a public page to a more private address waits for the \
             user's permission to access the local network (Local Network Access); no \
             response header grants it."
                .to_owned(),
        ),
        (
            "unparsable ACAM",
            preflight(put(), 204, &[(ACAO, ORIGIN), (ACAM, "PUT;")]),
            "Cannot parse Access-Control-Allow-Methods response header field in preflight \
             response."
                .to_owned(),
        ),
        (
            "unparsable ACAH",
            preflight(put(), 204, &[(ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "a b")]),
            "Cannot parse Access-Control-Allow-Headers response header field in preflight \
             response."
                .to_owned(),
        ),
    ];
    for (description, blocked, expected) in cases {
        let expected = format!("blocked by CORS policy: {expected}");
        assert_eq!(blocked.to_string(), expected, "{description}");
    }
}

#[test]
fn blocked_names_the_header_and_the_value() {
    let custom = request("GET", &[("X-Custom", "1")]);
    let lines: Lines = &[(ACAO, ORIGIN), (ACAH, "x-a, x(b")];
    let blocked = check_preflight(&custom, &response(204, lines)).expect_err("blocked");
    assert_eq!(blocked.kind, BlockedKind::InvalidHeaderList);
    assert_eq!(blocked.header, Some("Access-Control-Allow-Headers"));
    assert_eq!(blocked.value.as_deref(), Some("x(b"));

    let patch = request("patch", &[]);
    let blocked = check_preflight(&patch, &response(204, &[(ACAO, ORIGIN)])).expect_err("blocked");
    assert_eq!(blocked.header, Some("Access-Control-Allow-Methods"));
    assert_eq!(blocked.value.as_deref(), Some("patch"));

    let get = request("GET", &[]);
    let blocked = check_preflight(&get, &response(503, &[(ACAO, ORIGIN)])).expect_err("blocked");
    assert_eq!(
        (blocked.header, blocked.value.as_deref()),
        (None, Some("503"))
    );
}

#[test]
fn warning_says_the_standard_and_browsers_disagree() {
    let message = Warning::AuthorizationCoveredByWildcard.to_string();
    let disagreement = "the Fetch standard rejects this, current browsers accept it";
    assert!(message.contains(disagreement), "{message}");
}

#[test]
fn max_age_is_capped_per_browser() {
    use Browser::{Chrome, Firefox, Safari};
    let cases: [(&str, &[&str], Browser, u32); 12] = [
        ("absent means 5 seconds", &[], Chrome, 5),
        ("below every cap", &["300"], Safari, 300),
        ("Chrome caps at 2 hours", &["86400"], Chrome, 7200),
        ("Firefox caps at 24 hours", &["100000"], Firefox, 86_400),
        ("Safari caps at 10 minutes", &["7200"], Safari, 600),
        ("-1 disables caching", &["-1"], Firefox, 0),
        ("0 disables caching", &["0"], Chrome, 0),
        ("surrounding spaces are stripped", &[" 60 "], Chrome, 60),
        ("unparsable means 5 seconds", &["ten"], Chrome, 5),
        ("a fraction is unparsable", &["1.5"], Chrome, 5),
        ("two lines are unparsable", &["60", "60"], Chrome, 5),
        (
            "huge values saturate to the cap",
            &["99999999999999999999999"],
            Firefox,
            86_400,
        ),
    ];
    for (description, values, browser, expected) in cases {
        let response = values.iter().fold(response(204, &[]), |response, value| {
            response.header(ACMA, value)
        });
        let seconds = preflight_cache_seconds(&response, browser);
        assert_eq!(seconds, expected, "{description}");
    }
}

#[test]
fn odd_input_never_panics() {
    let odd = [
        "",
        " ",
        ",",
        ",,",
        "*",
        "-",
        "=",
        "/",
        ";",
        "é",
        "\u{1F600}",
        "a\u{0}b",
        "\r\n",
        "bytes=",
        "bytes=-",
        "bytes=é-",
        "text/\u{e9}",
        "é/é;é",
        "-é",
        "\t*\t",
    ];
    for a in odd {
        for b in odd {
            let request = Request::new(a, b).header(a, b).header(b, a);
            let response = Response::new(200)
                .header(ACAO, a)
                .header(ACAM, b)
                .header(ACAH, a)
                .header(ACEH, b)
                .header(ACMA, a)
                .header(a, b);
            for request in [request.clone(), include(request).private_network(true)] {
                let _ = preflight_for(&request);
                let _ = check_preflight(&request, &response).map_err(|e| e.to_string());
                let _ = fetch(&request, Some(&response), &response);
                if let Ok(readable) = check_response(&request, &response) {
                    let _ = (readable.can_read(a), readable.get(b));
                }
            }
            let _ = preflight_cache_seconds(&response, Browser::Safari);
        }
    }
}

#[test]
fn preflight_checks_report_every_failure_and_the_browser_keeps_its_order() {
    use crate::Question;
    use BlockedKind::*;
    // Everything wrong at once: a redirect, no ACAO, no method, no header.
    let put = request("PUT", &[("X-A", "1")]);
    let redirect = response(302, &[("Location", "/elsewhere")]);
    let checks = preflight_checks(&put, &redirect);
    let kinds = [
        checks.status.clone().unwrap_err().kind,
        checks.allow_origin.clone().unwrap_err().kind,
        checks.allow_methods.clone().unwrap_err().kind,
        checks.allow_headers.clone().unwrap_err().kind,
    ];
    assert_eq!(
        kinds,
        [
            PreflightRedirect,
            MissingAllowOrigin,
            MethodNotAllowed,
            HeaderNotAllowed
        ]
    );
    assert_eq!(checks.verdict().unwrap_err().kind, PreflightRedirect);

    // The CORS check comes before the status; an unparsable header list before
    // the method; each failure answers its own question.
    let cases: [(Lines, u16, BlockedKind, Question); 5] = [
        (&[], 500, MissingAllowOrigin, Question::AllowOrigin),
        (
            &[(ACAO, ORIGIN)],
            500,
            PreflightStatus,
            Question::PreflightStatus,
        ),
        (
            &[(ACAO, ORIGIN), (ACAH, "x(a")],
            204,
            InvalidHeaderList,
            Question::AllowHeaders,
        ),
        (
            &[(ACAO, ORIGIN), (ACAM, "P(T"), (ACAH, "x-a")],
            204,
            InvalidHeaderList,
            Question::AllowMethods,
        ),
        (
            &[(ACAO, ORIGIN), (ACAM, "PUT")],
            204,
            HeaderNotAllowed,
            Question::AllowHeaders,
        ),
    ];
    for (lines, status, kind, question) in cases {
        let preflight = response(status, lines);
        let blocked = check_preflight(&put, &preflight).expect_err("blocked");
        assert_eq!(
            (blocked.kind, blocked.question()),
            (kind, Some(question)),
            "{lines:?}"
        );
        assert_eq!(preflight_checks(&put, &preflight).verdict(), Err(blocked));
    }
    let credentialed = include(request("GET", &[]));
    let blocked = check_response(&credentialed, &response(200, &[(ACAO, "*")])).unwrap_err();
    assert_eq!(blocked.question(), Some(Question::Credentials));
    assert_eq!(Blocked::invalid_method("GET /").unwrap().question(), None);
}

#[test]
fn fetch_refuses_forbidden_methods_in_any_case() {
    for method in ["CONNECT", "trace", "Track"] {
        let blocked = Blocked::invalid_method(method).expect("refused");
        assert_eq!(blocked.kind, BlockedKind::InvalidMethod);
        assert_eq!(
            blocked.to_string(),
            format!("Failed to execute 'fetch': '{method}' HTTP method is unsupported.")
        );
    }
    assert!(Blocked::invalid_method("TRACES").is_none());
    let redirect = response(307, &[("Location", "")]);
    assert_eq!(redirect.redirect_location(), Some(""));
    assert_eq!(response(307, &[]).redirect_location(), None);
}
