//! The decision engine: which requests are preflights, what each decision
//! carries (exact header lines and `Vary`), why requests are refused, and how
//! `Vary` merges with what a response already has.

use cors_core::header::{MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADER_NAMES};
use cors_core::{
    decide, validate, AllowOrigin, BuildOptions, CorsHeaders, Decision, Policy, PolicySpec,
    Question, Reason, Request, RequestHeader, Vary,
};

fn build(spec: &PolicySpec<'_>) -> Policy {
    validate(spec, BuildOptions { dev_origins: false })
        .policy
        .unwrap_or_else(|errors| panic!("{errors}"))
}

/// A credentialed API for one site and its subdomains.
fn api() -> Policy {
    build(&PolicySpec {
        origins: Some(&["https://example.com", "https://*.example.com"]),
        methods: Some(&["GET", "PUT", "PATCH"]),
        headers: Some(&["content-type", "x-requested-with", "authorization"]),
        expose: Some(&["x-total-count"]),
        credentials: Some(true),
        max_age: Some(600),
        ..PolicySpec::EMPTY
    })
}

/// A public API: any origin, any method, any header.
fn public() -> Policy {
    build(&PolicySpec {
        origins: Some(&["*"]),
        methods: Some(&["*"]),
        headers: Some(&["*"]),
        expose: Some(&["*"]),
        ..PolicySpec::EMPTY
    })
}

const PREFLIGHT_VARY: Vary = Vary::ORIGIN
    .union(Vary::REQUEST_METHOD)
    .union(Vary::REQUEST_HEADERS);

fn preflight<'a>(origin: &'a [u8], method: &'a [u8]) -> Request<'a> {
    Request::new(b"OPTIONS")
        .origin(origin)
        .request_method(method)
}

fn lines<'a>(headers: &CorsHeaders<'a>) -> Vec<(&'static str, &'a str)> {
    headers.iter().collect()
}

fn rejection<'a>(decision: Decision<'a>) -> Reason<'a> {
    match decision {
        Decision::PreflightRefused { reason, .. } | Decision::Rejected { reason, .. } => reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn requests_without_origin_are_not_cors() {
    let api = api();
    for request in [
        Request::new(b"GET"),
        Request::new(b"POST").request_headers(b"x-a"),
        Request::new(b"OPTIONS"),
        // ACRM without Origin is not a preflight.
        Request::new(b"OPTIONS").request_method(b"PUT"),
    ] {
        assert!(!request.is_preflight());
        assert_eq!(
            decide(&api, &request),
            Decision::NotCors { vary: Vary::ORIGIN },
            "{request:?}"
        );
    }
    assert_eq!(Vary::ORIGIN.value(), "Origin");

    // With `*`, no response depends on the Origin: nothing to vary on.
    let public = public();
    assert_eq!(
        decide(&public, &Request::new(b"GET")),
        Decision::NotCors { vary: Vary::NONE }
    );
    assert_eq!(Vary::NONE.value(), "");
}

#[test]
fn options_without_acrm_is_an_actual_request() {
    let request = Request::new(b"OPTIONS").origin(b"https://example.com");
    assert!(!request.is_preflight());
    let api = api();
    let Decision::Allowed(headers) = decide(&api, &request) else {
        panic!("an OPTIONS without ACRM belongs to the application");
    };
    assert_eq!(
        lines(&headers),
        [
            ("access-control-allow-origin", "https://example.com"),
            ("access-control-allow-credentials", "true"),
            ("access-control-expose-headers", "x-total-count"),
        ]
    );
    assert_eq!(headers.vary, Vary::ORIGIN);

    // Only the exact method `OPTIONS` makes a preflight.
    for method in [&b"options"[..], b"Options", b"GET"] {
        let request = Request::new(method)
            .origin(b"https://example.com")
            .request_method(b"PUT");
        assert!(!request.is_preflight(), "{method:?}");
        assert!(matches!(decide(&api, &request), Decision::Allowed(_)));
    }
}

#[test]
fn accepted_preflight_has_exact_headers() {
    let api = api();
    let request = preflight(b"https://a.example.com", b"PUT")
        .request_headers(b"content-type,x-requested-with");
    assert!(request.is_preflight());
    let decision = decide(&api, &request);
    let Decision::Preflight { status, headers } = decision else {
        panic!("expected a preflight, got {decision:?}");
    };
    assert_eq!(status, 204);
    assert_eq!(
        lines(&headers),
        [
            ("access-control-allow-origin", "https://a.example.com"),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "GET, PUT, PATCH"),
            (
                "access-control-allow-headers",
                "content-type, x-requested-with, authorization"
            ),
            ("access-control-max-age", "600"),
        ]
    );
    assert_eq!(headers.vary, PREFLIGHT_VARY);
    assert_eq!(
        headers.vary.value(),
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    );
    assert_eq!(
        headers,
        CorsHeaders {
            allow_origin: AllowOrigin::Mirror("https://a.example.com"),
            allow_credentials: true,
            allow_methods: "GET, PUT, PATCH",
            allow_headers: "content-type, x-requested-with, authorization",
            max_age: "600",
            allow_private_network: false,
            expose_headers: "",
            vary: PREFLIGHT_VARY,
        }
    );

    let status_200 = build(&PolicySpec {
        origins: Some(&["https://example.com"]),
        preflight_status: Some(200),
        ..PolicySpec::EMPTY
    });
    let decision = decide(&status_200, &preflight(b"https://example.com", b"POST"));
    let Decision::Preflight {
        status: 200,
        headers,
    } = decision
    else {
        panic!("expected a 200 preflight, got {decision:?}");
    };
    // Defaults: the safelisted methods, no headers, no max-age, no credentials.
    assert_eq!(
        lines(&headers),
        [
            ("access-control-allow-origin", "https://example.com"),
            ("access-control-allow-methods", "GET, HEAD, POST"),
        ]
    );
}

#[test]
fn preflight_rejections() {
    let api = api();
    let oversized: Vec<u8> = (0..10_000)
        .flat_map(|i| format!("x-name-{i:04},").into_bytes())
        .collect();
    assert!(oversized.len() >= 100_000);
    let private = Request {
        request_private_network: RequestHeader::One(b"true"),
        ..preflight(b"https://example.com", b"PUT")
    };
    let rows: Vec<(&str, Request<'_>, Reason<'_>)> = vec![
        (
            "origin not listed",
            preflight(b"https://evil.example.net", b"PUT"),
            Reason::OriginNotAllowed {
                origin: b"https://evil.example.net",
            },
        ),
        (
            "origin uppercase",
            preflight(b"https://Example.com", b"PUT"),
            Reason::OriginNotAllowed {
                origin: b"https://Example.com",
            },
        ),
        (
            "origin repeated",
            Request {
                origin: RequestHeader::Repeated,
                ..preflight(b"", b"PUT")
            },
            Reason::RepeatedHeader { name: "origin" },
        ),
        (
            "method not listed",
            preflight(b"https://example.com", b"DELETE"),
            Reason::MethodNotAllowed { method: b"DELETE" },
        ),
        (
            "lowercase patch is not PATCH",
            preflight(b"https://example.com", b"patch"),
            Reason::MethodNotAllowed { method: b"patch" },
        ),
        (
            "method not a token",
            preflight(b"https://example.com", b"GET /"),
            Reason::InvalidMethod { method: b"GET /" },
        ),
        (
            "empty method",
            preflight(b"https://example.com", b""),
            Reason::InvalidMethod { method: b"" },
        ),
        (
            "method repeated",
            Request {
                request_method: RequestHeader::Repeated,
                ..preflight(b"https://example.com", b"")
            },
            Reason::RepeatedHeader {
                name: "access-control-request-method",
            },
        ),
        (
            "header not listed",
            preflight(b"https://example.com", b"PUT").request_headers(b"content-type,x-custom"),
            Reason::HeaderNotAllowed {
                header: b"x-custom",
            },
        ),
        (
            "header not listed, reported as sent",
            preflight(b"https://example.com", b"PUT").request_headers(b"Content-Type, X-Custom"),
            Reason::HeaderNotAllowed {
                header: b"X-Custom",
            },
        ),
        (
            "header forbidden to pages",
            preflight(b"https://example.com", b"PUT").request_headers(b"cookie"),
            Reason::HeaderNotAllowed { header: b"cookie" },
        ),
        (
            "invalid ACRH token",
            preflight(b"https://example.com", b"PUT").request_headers(b"content-type,bad name"),
            Reason::InvalidRequestHeaders,
        ),
        (
            "ACRH not utf-8",
            preflight(b"https://example.com", b"PUT").request_headers(b"x-\xff"),
            Reason::InvalidRequestHeaders,
        ),
        (
            "ACRH repeated",
            Request {
                request_headers: RequestHeader::Repeated,
                ..preflight(b"https://example.com", b"PUT")
            },
            Reason::RepeatedHeader {
                name: "access-control-request-headers",
            },
        ),
        (
            "100 KB ACRH of 10,000 names",
            preflight(b"https://example.com", b"PUT").request_headers(&oversized),
            Reason::TooManyRequestHeaders,
        ),
        (
            "private network without the opt-in",
            private,
            Reason::PrivateNetworkNotAllowed,
        ),
        (
            "private network header repeated",
            Request {
                request_private_network: RequestHeader::Repeated,
                ..preflight(b"https://example.com", b"PUT")
            },
            Reason::RepeatedHeader {
                name: "access-control-request-private-network",
            },
        ),
    ];
    for (description, request, reason) in rows {
        assert!(request.is_preflight(), "{description}");
        // A Private Network Access preflight varies on its request header too.
        let vary = match request.request_private_network {
            RequestHeader::Absent => PREFLIGHT_VARY,
            _ => PREFLIGHT_VARY.union(Vary::REQUEST_PRIVATE_NETWORK),
        };
        assert_eq!(
            decide(&api, &request),
            Decision::PreflightRefused { reason, vary },
            "{description}"
        );
    }
    // The uppercase spelling is accepted: the rejection above is about case.
    assert!(matches!(
        decide(&api, &preflight(b"https://example.com", b"PATCH")),
        Decision::Preflight { .. }
    ));
}

#[test]
fn the_first_problem_in_request_order_is_reported() {
    // Origin before method before headers before private network.
    let request = Request {
        request_private_network: RequestHeader::One(b"true"),
        ..preflight(b"https://evil.example.net", b"DELETE").request_headers(b"x-custom")
    };
    let api = api();
    assert_eq!(
        rejection(decide(&api, &request)),
        Reason::OriginNotAllowed {
            origin: b"https://evil.example.net"
        }
    );
    let request = Request {
        origin: RequestHeader::One(b"https://example.com"),
        ..request
    };
    assert_eq!(
        rejection(decide(&api, &request)),
        Reason::MethodNotAllowed { method: b"DELETE" }
    );
    let request = Request {
        request_method: RequestHeader::One(b"PUT"),
        ..request
    };
    assert_eq!(
        rejection(decide(&api, &request)),
        Reason::HeaderNotAllowed {
            header: b"x-custom"
        }
    );
    let request = Request {
        request_headers: RequestHeader::Absent,
        ..request
    };
    assert_eq!(
        rejection(decide(&api, &request)),
        Reason::PrivateNetworkNotAllowed
    );
}

#[test]
fn private_network_with_the_opt_in() {
    let policy = build(&PolicySpec {
        origins: Some(&["https://example.com"]),
        private_network: Some(true),
        ..PolicySpec::EMPTY
    });
    let asked = Request {
        request_private_network: RequestHeader::One(b"true"),
        ..preflight(b"https://example.com", b"POST")
    };
    let Decision::Preflight { headers, .. } = decide(&policy, &asked) else {
        panic!()
    };
    assert_eq!(
        lines(&headers),
        [
            ("access-control-allow-origin", "https://example.com"),
            ("access-control-allow-methods", "GET, HEAD, POST"),
            ("access-control-allow-private-network", "true"),
        ]
    );
    // Not asked: not answered.
    let Decision::Preflight { headers, .. } =
        decide(&policy, &preflight(b"https://example.com", b"POST"))
    else {
        panic!()
    };
    assert!(!headers.allow_private_network);
    assert!(headers
        .iter()
        .all(|(name, _)| name != "access-control-allow-private-network"));
}

#[test]
fn acrh_parsing_is_tolerant() {
    let api = api();
    for acrh in [
        &b"content-type,x-requested-with"[..],
        b"Content-Type, X-Requested-With",
        b"CONTENT-TYPE,AUTHORIZATION",
        b",, content-type ,,\tx-requested-with\t,",
        b"content-type,content-type,Content-Type",
        b"",
        b" , ,",
    ] {
        let request = preflight(b"https://example.com", b"PUT").request_headers(acrh);
        let decision = decide(&api, &request);
        assert!(
            matches!(decision, Decision::Preflight { .. }),
            "{:?}: {decision:?}",
            String::from_utf8_lossy(acrh)
        );
    }
    // Within both limits: 64 names are fine.
    let sixty_four: Vec<u8> = (0..MAX_REQUEST_HEADER_NAMES)
        .flat_map(|i| format!("h{i},").into_bytes())
        .collect();
    let request = preflight(b"https://example.com", b"PUT").request_headers(&sixty_four);
    let public = public();
    assert!(matches!(
        decide(&public, &request),
        Decision::Preflight { .. }
    ));
    // One more, even short and under `*`, is more than a browser sends.
    let sixty_five: Vec<u8> = (0..=MAX_REQUEST_HEADER_NAMES)
        .flat_map(|i| format!("h{i},").into_bytes())
        .collect();
    assert!(sixty_five.len() <= MAX_REQUEST_HEADERS_LEN);
    let request = preflight(b"https://example.com", b"PUT").request_headers(&sixty_five);
    assert_eq!(
        rejection(decide(&public, &request)),
        Reason::TooManyRequestHeaders
    );
    // A value over the limit in bytes is refused whatever the policy.
    let long = vec![b'x'; MAX_REQUEST_HEADERS_LEN + 1];
    let request = preflight(b"https://example.com", b"PUT").request_headers(&long);
    assert_eq!(
        rejection(decide(&public, &request)),
        Reason::TooManyRequestHeaders
    );
}

#[test]
fn wildcards_answer_any_method_and_header() {
    let public = public();
    let request =
        preflight(b"https://anyone.example", b"PURGE").request_headers(b"x-anything,Authorization");
    let Decision::Preflight {
        status: 204,
        headers,
    } = decide(&public, &request)
    else {
        panic!()
    };
    assert_eq!(
        lines(&headers),
        [
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "*"),
            ("access-control-allow-headers", "*, authorization"),
        ]
    );
    // `*` origins: the answer varies on the request headers, not on Origin.
    assert_eq!(
        headers.vary,
        Vary::REQUEST_METHOD.union(Vary::REQUEST_HEADERS)
    );
    assert_eq!(
        headers.vary.value(),
        "Access-Control-Request-Method, Access-Control-Request-Headers"
    );

    // Even a method in odd case, as `*` allows any method.
    let request = preflight(b"https://anyone.example", b"patch");
    assert!(matches!(
        decide(&public, &request),
        Decision::Preflight { .. }
    ));
    // But never a malformed one.
    let request = preflight(b"https://anyone.example", b"GET /");
    assert_eq!(
        decide(&public, &request),
        Decision::PreflightRefused {
            reason: Reason::InvalidMethod { method: b"GET /" },
            vary: Vary::REQUEST_METHOD.union(Vary::REQUEST_HEADERS),
        }
    );

    let Decision::Allowed(headers) = decide(
        &public,
        &Request::new(b"GET").origin(b"https://anyone.example"),
    ) else {
        panic!()
    };
    assert_eq!(
        lines(&headers),
        [
            ("access-control-allow-origin", "*"),
            ("access-control-expose-headers", "*")
        ]
    );
    assert_eq!(headers.vary, Vary::NONE);
}

#[test]
fn actual_requests() {
    let api = api();
    for origin in [
        &b"https://example.com"[..],
        b"https://a.example.com",
        b"https://a.b.example.com",
    ] {
        for method in [&b"GET"[..], b"POST", b"DELETE", b"PATCH", b"patch"] {
            let request = Request::new(method).origin(origin);
            let Decision::Allowed(headers) = decide(&api, &request) else {
                panic!("{request:?}")
            };
            // The one origin, byte for byte; never the list.
            assert_eq!(headers.allow_origin.value().as_bytes(), origin);
            assert_eq!(
                lines(&headers),
                [
                    (
                        "access-control-allow-origin",
                        std::str::from_utf8(origin).unwrap()
                    ),
                    ("access-control-allow-credentials", "true"),
                    ("access-control-expose-headers", "x-total-count"),
                ]
            );
            assert_eq!(headers.vary, Vary::ORIGIN);
        }
    }
    for origin in [
        &b"https://evil.example.net"[..],
        b"https://evilexample.com",
        b"https://example.com.evil.net",
        b"http://example.com",
        b"https://example.com/",
        b"null",
        b"",
    ] {
        assert_eq!(
            decide(&api, &Request::new(b"GET").origin(origin)),
            Decision::Rejected {
                reason: Reason::OriginNotAllowed { origin },
                vary: Vary::ORIGIN
            },
        );
    }
    assert_eq!(
        decide(
            &api,
            &Request {
                origin: RequestHeader::Repeated,
                ..Request::new(b"GET")
            }
        ),
        Decision::Rejected {
            reason: Reason::RepeatedHeader { name: "origin" },
            vary: Vary::ORIGIN
        },
    );
}

#[test]
fn header_values_from_lines() {
    assert_eq!(
        RequestHeader::from_lines(Vec::<&[u8]>::new()),
        RequestHeader::Absent
    );
    assert_eq!(
        RequestHeader::from_lines([&b"https://a.example"[..]]),
        RequestHeader::One(b"https://a.example")
    );
    assert_eq!(
        RequestHeader::from_lines([&b"*"[..], b"*"]),
        RequestHeader::Repeated
    );
    assert_eq!(
        RequestHeader::from_lines([&b"https://a.example"[..], b"https://a.example", b"x"]),
        RequestHeader::Repeated
    );
}

#[test]
fn every_reason_answers_a_question_and_names_its_fix() {
    let rows: &[(Reason<'_>, Question, &str, &str)] = &[
        (
            Reason::OriginNotAllowed { origin: b"https://evil.example" },
            Question::AllowOrigin,
            "origin_not_allowed",
            "origin `https://evil.example` is not allowed; if it should be allowed, add it to `origins = [...]`",
        ),
        (
            Reason::RepeatedHeader { name: "origin" },
            Question::AllowOrigin,
            "repeated_header",
            "header `origin` was sent more than once; send `origin` once; browsers never repeat it",
        ),
        (
            Reason::MethodNotAllowed { method: b"DELETE" },
            Question::AllowMethods,
            "method_not_allowed",
            "method `DELETE` is not allowed; add `DELETE` to `methods = [...]`, or serve it on this route",
        ),
        (
            Reason::MethodNotAllowed { method: b"patch" },
            Question::AllowMethods,
            "method_not_allowed",
            "method `patch` is not allowed; send `PATCH`: methods are case-sensitive and `fetch` sends `patch` as written",
        ),
        (
            Reason::InvalidMethod { method: b"GET /" },
            Question::AllowMethods,
            "invalid_method",
            "`GET /` is not a method; send a method token such as `PUT`",
        ),
        (
            Reason::HeaderNotAllowed { header: b"X-Requested-With" },
            Question::AllowHeaders,
            "header_not_allowed",
            "header `x-requested-with` is not allowed; add it to `headers = [...]`",
        ),
        (
            Reason::InvalidRequestHeaders,
            Question::AllowHeaders,
            "invalid_request_headers",
            "access-control-request-headers has an invalid name; send header names separated by commas",
        ),
        (
            Reason::TooManyRequestHeaders,
            Question::AllowHeaders,
            "too_many_request_headers",
            "access-control-request-headers is too large; send at most 64 header names in at most 2048 bytes",
        ),
        (
            Reason::PrivateNetworkNotAllowed,
            Question::PreflightStatus,
            "private_network_not_allowed",
            "access-control-request-private-network is not allowed; set `private_network` if public sites may reach this private server",
        ),
        (
            Reason::NoPolicy { method: b"PUT" },
            Question::AllowOrigin,
            "no_policy",
            "no CORS policy covers method `PUT` on this path (no annotated route serves it, CORS is disabled for it, or there are no App defaults); annotate the handler serving `PUT` here with `#[cors(...)]`, or give the `Cors` middleware App defaults",
        ),
    ];
    let mut codes = std::collections::HashSet::new();
    for (reason, question, code, display) in rows {
        assert_eq!(reason.question(), *question, "{reason:?}");
        assert_eq!(reason.code(), *code, "{reason:?}");
        codes.insert(reason.code());
        let text = reason.to_string();
        assert_eq!(text, *display, "{reason:?}");
        // Names the value (header names in lowercase) and ends with the fix.
        assert!(
            text.to_ascii_lowercase()
                .contains(&reason.value().to_ascii_lowercase()),
            "{text}"
        );
        assert!(text.ends_with(&format!("; {}", reason.fix())), "{text}");
        assert!(!question.text().is_empty() && question.to_string() == question.text());
    }
    assert_eq!(codes.len(), 9, "one distinct code per kind of reason");
    // Values are shown lossily, never panicking on bytes that are not text.
    let odd = Reason::OriginNotAllowed {
        origin: b"https://\xff.example",
    };
    assert_eq!(odd.value(), "https://\u{fffd}.example");
}

#[test]
fn vary_merges_without_duplicates() {
    let all = PREFLIGHT_VARY;
    let rows: &[(&str, &[&[u8]], Vary)] = &[
        ("nothing yet", &[], all),
        ("an empty line", &[b""], all),
        ("another token", &[b"accept-encoding"], all),
        (
            "origin among others",
            &[b"accept-encoding, origin"],
            Vary::REQUEST_METHOD.union(Vary::REQUEST_HEADERS),
        ),
        (
            "two lines, any case",
            &[b"Origin", b"ACCESS-CONTROL-REQUEST-METHOD"],
            Vary::REQUEST_HEADERS,
        ),
        (
            "spaces and empty items",
            &[b" ,Origin ,, access-control-request-headers ,"],
            Vary::REQUEST_METHOD,
        ),
        (
            "all three",
            &[b"origin, access-control-request-method, access-control-request-headers"],
            Vary::NONE,
        ),
        ("a star", &[b"*"], Vary::NONE),
        ("a star among others", &[b"accept, *"], Vary::NONE),
        ("a star on its own line", &[b"accept", b"*"], Vary::NONE),
        (
            "a longer token is another token",
            &[b"originator, x-origin"],
            all,
        ),
        (
            "a token inside a token is not it",
            &[b"access-control-request-method-x"],
            all,
        ),
    ];
    for (description, existing, missing) in rows {
        assert_eq!(
            all.missing_from(existing.iter().copied()),
            *missing,
            "{description}"
        );
    }
    assert_eq!(Vary::ORIGIN.missing_from([&b"accept"[..]]), Vary::ORIGIN);
    assert_eq!(Vary::NONE.missing_from([&b"accept"[..]]), Vary::NONE);
    assert_eq!(
        Vary::ORIGIN.missing_from([&b"access-control-request-method"[..]]),
        Vary::ORIGIN
    );

    assert!(Vary::NONE.is_empty() && !Vary::ORIGIN.is_empty());
    assert!(all.contains(Vary::ORIGIN) && all.contains(Vary::REQUEST_HEADERS));
    assert!(!Vary::ORIGIN.contains(Vary::REQUEST_METHOD));
    assert_eq!(
        Vary::REQUEST_METHOD.value(),
        "Access-Control-Request-Method"
    );
    assert_eq!(
        Vary::REQUEST_HEADERS.value(),
        "Access-Control-Request-Headers"
    );
    assert_eq!(
        Vary::ORIGIN.union(Vary::REQUEST_HEADERS).value(),
        "Origin, Access-Control-Request-Headers"
    );
}

#[test]
fn methods_are_case_sensitive_both_ways() {
    // Listing two spellings of a custom method allows exactly those two.
    let policy = build(&PolicySpec {
        origins: Some(&["https://example.com"]),
        methods: Some(&["PURGE", "Purge"]),
        ..PolicySpec::EMPTY
    });
    for method in [&b"PURGE"[..], b"Purge"] {
        let decision = decide(&policy, &preflight(b"https://example.com", method));
        assert!(
            matches!(decision, Decision::Preflight { .. }),
            "{decision:?}"
        );
    }
    for method in [&b"purge"[..], b"PURGe"] {
        let decision = decide(&policy, &preflight(b"https://example.com", method));
        assert_eq!(rejection(decision), Reason::MethodNotAllowed { method });
    }
}

#[test]
fn control_characters_of_a_request_are_escaped_in_reasons() {
    let origin = b"https://x\xc2\x85FAKE LINE\xc2\x9b31m\x1b[0m";
    let text = Reason::OriginNotAllowed { origin }.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(
        text.contains("\\u{85}FAKE LINE\\u{9b}31m\\u{1b}[0m"),
        "{text}"
    );
}
