//! The validator, one row per rule: the exact rule, key and position of every
//! error, the notes, and the wording of the messages.

use cors_core::validate::check_route_methods;
use cors_core::{
    validate, BuildOptions, ConfigError, ErrorKind, Field, NoteKind, OriginPredicate,
    OriginProblem as P, PolicySpec, Validation,
};

/// `dev_origins` off, so that rows do not depend on the build profile.
const RELEASE: BuildOptions = BuildOptions { dev_origins: false };
const DEBUG: BuildOptions = BuildOptions { dev_origins: true };

/// An origin every row that is not about origins can use.
const APP: &[&str] = &["https://app.example.com"];

type Finding<K> = (K, Field, Option<usize>);

struct Row {
    description: &'static str,
    spec: PolicySpec<'static>,
    errors: &'static [Finding<ErrorKind>],
    notes: &'static [Finding<NoteKind>],
}

fn partner(origin: &str) -> bool {
    origin.ends_with(".partner.example")
}

/// The list a finding points into, to check that its value is verbatim.
fn list<'a>(spec: &PolicySpec<'a>, field: Field) -> Option<&'a [&'a str]> {
    match field {
        Field::Origins => spec.origins,
        Field::DevOrigins => spec.dev_origins,
        Field::Methods => spec.methods,
        Field::Headers => spec.headers,
        Field::Expose => spec.expose,
        _ => None,
    }
}

/// Only `origins = [origin]`.
const fn origin(origins: &'static [&'static str]) -> PolicySpec<'static> {
    PolicySpec {
        origins: Some(origins),
        ..PolicySpec::EMPTY
    }
}

/// `origins = [origin]` with `credentials`.
const fn credentialed(origins: &'static [&'static str]) -> PolicySpec<'static> {
    PolicySpec {
        origins: Some(origins),
        credentials: Some(true),
        ..PolicySpec::EMPTY
    }
}

const fn ok(description: &'static str, spec: PolicySpec<'static>) -> Row {
    Row {
        description,
        spec,
        errors: &[],
        notes: &[],
    }
}

const fn err(
    description: &'static str,
    spec: PolicySpec<'static>,
    errors: &'static [Finding<ErrorKind>],
) -> Row {
    Row {
        description,
        spec,
        errors,
        notes: &[],
    }
}

const fn origin_err(description: &'static str, value: &'static [&'static str], problem: P) -> Row {
    Row {
        description,
        spec: origin(value),
        errors: match problem {
            P::Empty => &[(ErrorKind::InvalidOrigin(P::Empty), Field::Origins, Some(0))],
            P::Whitespace => &[(
                ErrorKind::InvalidOrigin(P::Whitespace),
                Field::Origins,
                Some(0),
            )],
            P::NoScheme => &[(
                ErrorKind::InvalidOrigin(P::NoScheme),
                Field::Origins,
                Some(0),
            )],
            P::OpaqueScheme => &[(
                ErrorKind::InvalidOrigin(P::OpaqueScheme),
                Field::Origins,
                Some(0),
            )],
            P::Path => &[(ErrorKind::InvalidOrigin(P::Path), Field::Origins, Some(0))],
            P::TrailingSlash => &[(
                ErrorKind::InvalidOrigin(P::TrailingSlash),
                Field::Origins,
                Some(0),
            )],
            P::QueryOrFragment => &[(
                ErrorKind::InvalidOrigin(P::QueryOrFragment),
                Field::Origins,
                Some(0),
            )],
            P::Userinfo => &[(
                ErrorKind::InvalidOrigin(P::Userinfo),
                Field::Origins,
                Some(0),
            )],
            P::DefaultPort => &[(
                ErrorKind::InvalidOrigin(P::DefaultPort),
                Field::Origins,
                Some(0),
            )],
            P::InvalidPort => &[(
                ErrorKind::InvalidOrigin(P::InvalidPort),
                Field::Origins,
                Some(0),
            )],
            P::Uppercase => &[(
                ErrorKind::InvalidOrigin(P::Uppercase),
                Field::Origins,
                Some(0),
            )],
            P::NonAsciiHost => &[(
                ErrorKind::InvalidOrigin(P::NonAsciiHost),
                Field::Origins,
                Some(0),
            )],
            P::InvalidHost => &[(
                ErrorKind::InvalidOrigin(P::InvalidHost),
                Field::Origins,
                Some(0),
            )],
            P::MisplacedWildcard => &[(
                ErrorKind::InvalidOrigin(P::MisplacedWildcard),
                Field::Origins,
                Some(0),
            )],
            P::TooBroad => &[(
                ErrorKind::InvalidOrigin(P::TooBroad),
                Field::Origins,
                Some(0),
            )],
        },
        notes: &[],
    }
}

const fn methods(methods: &'static [&'static str]) -> PolicySpec<'static> {
    PolicySpec {
        origins: Some(APP),
        methods: Some(methods),
        ..PolicySpec::EMPTY
    }
}

const fn headers(headers: &'static [&'static str]) -> PolicySpec<'static> {
    PolicySpec {
        origins: Some(APP),
        headers: Some(headers),
        ..PolicySpec::EMPTY
    }
}

const fn expose(expose: &'static [&'static str]) -> PolicySpec<'static> {
    PolicySpec {
        origins: Some(APP),
        expose: Some(expose),
        ..PolicySpec::EMPTY
    }
}

const fn max_age(seconds: i64) -> PolicySpec<'static> {
    PolicySpec {
        origins: Some(APP),
        max_age: Some(seconds),
        ..PolicySpec::EMPTY
    }
}

const fn status(status: u16) -> PolicySpec<'static> {
    PolicySpec {
        origins: Some(APP),
        preflight_status: Some(status),
        ..PolicySpec::EMPTY
    }
}

use ErrorKind as E;
use Field as F;

fn rows() -> Vec<Row> {
    vec![
        // Wildcards.
        ok("`*` origin without credentials", origin(&["*"])),
        err(
            "`*` origin with credentials",
            credentialed(&["*"]),
            &[(E::WildcardWithCredentials, F::Origins, Some(0))],
        ),
        err(
            "`*` methods with credentials",
            PolicySpec {
                methods: Some(&["*"]),
                ..credentialed(APP)
            },
            &[(E::WildcardWithCredentials, F::Methods, Some(0))],
        ),
        err(
            "`*` headers with credentials",
            PolicySpec {
                headers: Some(&["*"]),
                ..credentialed(APP)
            },
            &[(E::WildcardWithCredentials, F::Headers, Some(0))],
        ),
        err(
            "`*` expose with credentials",
            PolicySpec {
                expose: Some(&["*"]),
                ..credentialed(APP)
            },
            &[(E::WildcardWithCredentials, F::Expose, Some(0))],
        ),
        ok(
            "`*` methods, headers and expose without credentials",
            PolicySpec {
                methods: Some(&["*"]),
                headers: Some(&["*"]),
                expose: Some(&["*"]),
                ..origin(APP)
            },
        ),
        err(
            "`*` beside other origins",
            origin(&["https://app.example.com", "*"]),
            &[(E::WildcardInList, F::Origins, Some(1))],
        ),
        err(
            "`*` beside other methods",
            methods(&["GET", "*"]),
            &[(E::WildcardInList, F::Methods, Some(1))],
        ),
        err(
            "`*` beside other headers",
            headers(&["*", "x-a"]),
            &[(E::WildcardInList, F::Headers, Some(0))],
        ),
        err(
            "`*` beside other exposed headers",
            expose(&["x-a", "*"]),
            &[(E::WildcardInList, F::Expose, Some(1))],
        ),
        err(
            "`*` beside others and with credentials: both rules",
            credentialed(&["https://app.example.com", "*"]),
            &[
                (E::WildcardInList, F::Origins, Some(1)),
                (E::WildcardWithCredentials, F::Origins, Some(1)),
            ],
        ),
        err(
            "`*` in dev_origins",
            PolicySpec {
                dev_origins: Some(&["*"]),
                ..origin(APP)
            },
            &[(E::WildcardInList, F::DevOrigins, Some(0))],
        ),
        // Missing or empty.
        err(
            "empty origins list",
            origin(&[]),
            &[(E::EmptyList, F::Origins, None)],
        ),
        err(
            "no origins at all",
            PolicySpec::EMPTY,
            &[(E::MissingOrigins, F::Origins, None)],
        ),
        ok(
            "no origins but an origin_fn",
            PolicySpec {
                origin_fn: Some(OriginPredicate(partner)),
                ..PolicySpec::EMPTY
            },
        ),
        // Every origin problem.
        origin_err("no scheme", &["app.example.com"], P::NoScheme),
        origin_err("no scheme, with a port", &["localhost:3000"], P::NoScheme),
        origin_err("path", &["https://app.example.com/api"], P::Path),
        origin_err(
            "trailing slash",
            &["https://app.example.com/"],
            P::TrailingSlash,
        ),
        origin_err(
            "query",
            &["https://app.example.com?x=1"],
            P::QueryOrFragment,
        ),
        origin_err(
            "fragment",
            &["https://app.example.com#top"],
            P::QueryOrFragment,
        ),
        origin_err(
            "userinfo",
            &["https://user:pass@app.example.com"],
            P::Userinfo,
        ),
        origin_err(
            "default port :443 on https",
            &["https://app.example.com:443"],
            P::DefaultPort,
        ),
        origin_err(
            "default port :80 on http",
            &["http://app.example.com:80"],
            P::DefaultPort,
        ),
        origin_err(
            "port above 65535",
            &["https://app.example.com:65536"],
            P::InvalidPort,
        ),
        origin_err(
            "port with a leading zero",
            &["https://app.example.com:08443"],
            P::InvalidPort,
        ),
        origin_err(
            "port that is not a number",
            &["https://app.example.com:https"],
            P::InvalidPort,
        ),
        origin_err("empty port", &["https://app.example.com:"], P::InvalidPort),
        origin_err("uppercase host", &["https://App.Example.com"], P::Uppercase),
        origin_err(
            "uppercase scheme",
            &["HTTPS://app.example.com"],
            P::Uppercase,
        ),
        origin_err("uppercase null", &["Null"], P::Uppercase),
        origin_err(
            "non-ascii host",
            &["https://bücher.example"],
            P::NonAsciiHost,
        ),
        origin_err("empty origin", &[""], P::Empty),
        origin_err(
            "trailing whitespace",
            &["https://app.example.com "],
            P::Whitespace,
        ),
        origin_err(
            "leading whitespace",
            &["\thttps://app.example.com"],
            P::Whitespace,
        ),
        origin_err("file://", &["file://"], P::OpaqueScheme),
        origin_err(
            "file:// with a path",
            &["file:///home/me/index.html"],
            P::OpaqueScheme,
        ),
        origin_err("empty label", &["https://app..example.com"], P::InvalidHost),
        origin_err("empty host", &["https://"], P::InvalidHost),
        origin_err("too broad: *.com", &["https://*.com"], P::TooBroad),
        origin_err("too broad: *.co.uk", &["https://*.co.uk"], P::TooBroad),
        origin_err(
            "too broad: *.github.io",
            &["https://*.github.io"],
            P::TooBroad,
        ),
        origin_err("too broad: an IP range", &["http://*.0.0.1"], P::TooBroad),
        origin_err(
            "wildcard inside a label",
            &["https://a*.example.com"],
            P::MisplacedWildcard,
        ),
        origin_err(
            "wildcard without its dot",
            &["https://*example.com"],
            P::MisplacedWildcard,
        ),
        origin_err(
            "wildcard not leftmost",
            &["https://app.*.example.com"],
            P::MisplacedWildcard,
        ),
        origin_err(
            "two wildcards",
            &["https://*.*.example.com"],
            P::MisplacedWildcard,
        ),
        origin_err(
            "wildcard top-level domain",
            &["https://example.*"],
            P::MisplacedWildcard,
        ),
        ok(
            "a pattern on a registrable domain",
            origin(&["https://*.example.co.uk"]),
        ),
        // null.
        err(
            "null without the opt-in",
            origin(&["null"]),
            &[(E::NullOrigin, F::Origins, Some(0))],
        ),
        ok(
            "null with dangerously_allow_null_origin",
            PolicySpec {
                dangerously_allow_null_origin: Some(true),
                ..origin(&["null"])
            },
        ),
        err(
            "null with dangerously_allow_null_origin = false",
            PolicySpec {
                dangerously_allow_null_origin: Some(false),
                ..origin(&["null"])
            },
            &[(E::NullOrigin, F::Origins, Some(0))],
        ),
        err(
            "null with credentials",
            credentialed(&["null"]),
            &[(E::NullWithCredentials, F::Origins, Some(0))],
        ),
        err(
            "null with credentials, even with the opt-in",
            PolicySpec {
                dangerously_allow_null_origin: Some(true),
                ..credentialed(&["null"])
            },
            &[(E::NullWithCredentials, F::Origins, Some(0))],
        ),
        // http with credentials.
        ok(
            "http without credentials",
            origin(&["http://app.example.com"]),
        ),
        err(
            "http with credentials",
            credentialed(&["http://app.example.com"]),
            &[(E::InsecureWithCredentials, F::Origins, Some(0))],
        ),
        err(
            "ws with credentials",
            credentialed(&["ws://app.example.com"]),
            &[(E::InsecureWithCredentials, F::Origins, Some(0))],
        ),
        err(
            "http pattern with credentials",
            credentialed(&["https://app.example.com", "http://*.example.com"]),
            &[(E::InsecureWithCredentials, F::Origins, Some(1))],
        ),
        err(
            "http any-port with credentials",
            credentialed(&["http://dev.example.com:*"]),
            &[(E::InsecureWithCredentials, F::Origins, Some(0))],
        ),
        ok(
            "https with credentials",
            credentialed(&["https://example.com", "https://*.example.com"]),
        ),
        ok(
            "loopback: localhost",
            credentialed(&["http://localhost:3000"]),
        ),
        ok(
            "loopback: localhost without a port",
            credentialed(&["http://localhost"]),
        ),
        ok(
            "loopback: localhost on any port",
            credentialed(&["http://localhost:*"]),
        ),
        ok(
            "loopback: a *.localhost pattern",
            credentialed(&["http://*.localhost:8080"]),
        ),
        ok(
            "loopback: a name under localhost",
            credentialed(&["http://app.localhost:8080"]),
        ),
        ok(
            "loopback: 127.0.0.1",
            credentialed(&["http://127.0.0.1:8080"]),
        ),
        ok("loopback: [::1]", credentialed(&["http://[::1]:8080"])),
        err(
            "not loopback: localhost as a label of another domain",
            credentialed(&["http://localhost.evil.net:3000"]),
            &[(E::InsecureWithCredentials, F::Origins, Some(0))],
        ),
        err(
            "not loopback: 127.0.0.1 as labels of another domain",
            credentialed(&["http://127.0.0.1.nip.io"]),
            &[(E::InsecureWithCredentials, F::Origins, Some(0))],
        ),
        ok(
            "http with credentials and dangerously_allow_insecure_origins",
            PolicySpec {
                dangerously_allow_insecure_origins: Some(true),
                ..credentialed(&["http://app.example.com", "http://*.example.net"])
            },
        ),
        // Methods.
        ok("custom method token", methods(&["PURGE", "PATCH"])),
        err(
            "method with a space",
            methods(&["GET /"]),
            &[(E::InvalidMethod, F::Methods, Some(0))],
        ),
        err(
            "empty method",
            methods(&["PUT", ""]),
            &[(E::InvalidMethod, F::Methods, Some(1))],
        ),
        err(
            "lowercase patch",
            methods(&["GET", "patch"]),
            &[(E::MethodCase, F::Methods, Some(1))],
        ),
        err(
            "mixed-case Delete",
            methods(&["Delete"]),
            &[(E::MethodCase, F::Methods, Some(0))],
        ),
        err(
            "TRACE is forbidden",
            methods(&["TRACE"]),
            &[(E::ForbiddenMethod, F::Methods, Some(0))],
        ),
        err(
            "CONNECT is forbidden",
            methods(&["CONNECT"]),
            &[(E::ForbiddenMethod, F::Methods, Some(0))],
        ),
        err(
            "TRACK is forbidden",
            methods(&["TRACK"]),
            &[(E::ForbiddenMethod, F::Methods, Some(0))],
        ),
        err(
            "lowercase track is forbidden too (case-insensitive in Fetch)",
            methods(&["track"]),
            &[(E::ForbiddenMethod, F::Methods, Some(0))],
        ),
        err(
            "lowercase trace is forbidden, not a case slip",
            methods(&["trace"]),
            &[(E::ForbiddenMethod, F::Methods, Some(0))],
        ),
        // Request headers.
        ok(
            "custom request headers",
            headers(&["content-type", "Authorization", "X-Requested-With"]),
        ),
        err(
            "header with a space",
            headers(&["x requested with"]),
            &[(E::InvalidHeader, F::Headers, Some(0))],
        ),
        err(
            "header with a colon",
            headers(&["x-a", "x-b:"]),
            &[(E::InvalidHeader, F::Headers, Some(1))],
        ),
        err(
            "empty header",
            headers(&[""]),
            &[(E::InvalidHeader, F::Headers, Some(0))],
        ),
        err(
            "forbidden: cookie",
            headers(&["cookie"]),
            &[(E::ForbiddenHeader, F::Headers, Some(0))],
        ),
        err(
            "forbidden: Cookie",
            headers(&["Cookie"]),
            &[(E::ForbiddenHeader, F::Headers, Some(0))],
        ),
        err(
            "forbidden: host",
            headers(&["host"]),
            &[(E::ForbiddenHeader, F::Headers, Some(0))],
        ),
        err(
            "forbidden: origin",
            headers(&["origin"]),
            &[(E::ForbiddenHeader, F::Headers, Some(0))],
        ),
        err(
            "forbidden: content-length",
            headers(&["content-length"]),
            &[(E::ForbiddenHeader, F::Headers, Some(0))],
        ),
        err(
            "forbidden: sec-fetch-mode",
            headers(&["sec-fetch-mode"]),
            &[(E::ForbiddenHeader, F::Headers, Some(0))],
        ),
        err(
            "forbidden: proxy-authorization",
            headers(&["proxy-authorization"]),
            &[(E::ForbiddenHeader, F::Headers, Some(0))],
        ),
        // Exposed headers.
        err(
            "expose set-cookie",
            expose(&["set-cookie"]),
            &[(E::NeverExposed, F::Expose, Some(0))],
        ),
        err(
            "expose Set-Cookie",
            expose(&["x-total-count", "Set-Cookie"]),
            &[(E::NeverExposed, F::Expose, Some(1))],
        ),
        err(
            "expose an invalid name",
            expose(&["x total"]),
            &[(E::InvalidHeader, F::Expose, Some(0))],
        ),
        Row {
            description: "expose a safelisted header",
            spec: expose(&["x-total-count", "Content-Type"]),
            errors: &[],
            notes: &[(NoteKind::AlreadyExposed, F::Expose, Some(1))],
        },
        // max_age.
        ok("max_age 0", max_age(0)),
        ok("max_age 7200, Chrome's cap", max_age(7200)),
        err(
            "max_age -1",
            max_age(-1),
            &[(E::MaxAgeNegative, F::MaxAge, None)],
        ),
        err(
            "max_age 86401",
            max_age(86401),
            &[(E::MaxAgeTooLarge, F::MaxAge, None)],
        ),
        Row {
            description: "max_age 7201 is a note",
            spec: max_age(7201),
            errors: &[],
            notes: &[(NoteKind::MaxAgeAboveChromeCap, F::MaxAge, None)],
        },
        Row {
            description: "max_age 86400, Firefox's cap, is a note",
            spec: max_age(86400),
            errors: &[],
            notes: &[(NoteKind::MaxAgeAboveChromeCap, F::MaxAge, None)],
        },
        // preflight_status.
        ok("preflight_status 200", status(200)),
        ok("preflight_status 299", status(299)),
        err(
            "preflight_status 301",
            status(301),
            &[(E::InvalidPreflightStatus, F::PreflightStatus, None)],
        ),
        err(
            "preflight_status 199",
            status(199),
            &[(E::InvalidPreflightStatus, F::PreflightStatus, None)],
        ),
        err(
            "preflight_status 404",
            status(404),
            &[(E::InvalidPreflightStatus, F::PreflightStatus, None)],
        ),
        // Duplicates.
        err(
            "same origin twice",
            origin(&[
                "https://app.example.com",
                "https://b.example.com",
                "https://app.example.com",
            ]),
            &[(E::Duplicate, F::Origins, Some(2))],
        ),
        err(
            "same header twice in different case",
            headers(&["X-Request-Id", "x-request-id"]),
            &[(E::Duplicate, F::Headers, Some(1))],
        ),
        err(
            "same method twice",
            methods(&["PUT", "PUT"]),
            &[(E::Duplicate, F::Methods, Some(1))],
        ),
        err(
            "same exposed header twice in different case",
            expose(&["x-total-count", "X-Total-Count"]),
            &[(E::Duplicate, F::Expose, Some(1))],
        ),
        ok(
            "methods differing in case are different methods",
            methods(&["PURGE", "Purge"]),
        ),
        // Redundancy.
        Row {
            description: "an exact origin covered by a pattern",
            spec: origin(&["https://*.example.com", "https://app.example.com"]),
            errors: &[],
            notes: &[(NoteKind::RedundantOrigin, F::Origins, Some(1))],
        },
        Row {
            description: "a deeper exact origin covered by a pattern",
            spec: origin(&["https://a.b.example.com", "https://*.example.com"]),
            errors: &[],
            notes: &[(NoteKind::RedundantOrigin, F::Origins, Some(0))],
        },
        ok(
            "the apex is not covered by its pattern",
            origin(&["https://*.example.com", "https://example.com"]),
        ),
        ok(
            "another scheme is not covered",
            origin(&["https://*.example.com", "http://app.example.com"]),
        ),
        ok(
            "another port is not covered",
            origin(&["https://*.example.com", "https://app.example.com:8443"]),
        ),
    ]
}

fn findings(validation: &Validation) -> Vec<Finding<ErrorKind>> {
    match &validation.policy {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|e| (e.kind(), e.field(), e.index()))
            .collect(),
    }
}

/// The wording every error message follows.
fn check_message(error: &ConfigError, context: &str) {
    let text = error.to_string();
    let rule = error.kind().rule();
    assert!(
        text.starts_with(&format!("{rule}: ")),
        "{context}: `{text}` does not start with its rule `{rule}`"
    );
    let value = error.value();
    match error.kind() {
        // Nothing was written: there is no value to quote.
        E::MissingOrigins | E::InvalidOrigin(P::Empty) => assert_eq!(value, "", "{context}"),
        E::EmptyList => assert!(text.contains("`origins = []`"), "{context}: {text}"),
        _ => assert!(
            text.contains(&format!("`{value}`")),
            "{context}: `{text}` does not quote `{value}`"
        ),
    }
    let (_, fix) = text
        .split_once("; ")
        .unwrap_or_else(|| panic!("{context}: `{text}` has no fix after `; `"));
    assert!(fix.len() > 5, "{context}: the fix of `{text}` is empty");
    assert!(
        !text.ends_with('.'),
        "{context}: `{text}` ends with a period"
    );
}

#[test]
fn one_row_per_rule() {
    let mut mismatches = Vec::new();
    for row in rows() {
        let validation = validate(&row.spec, RELEASE);
        let context = row.description;
        let errors = findings(&validation);
        if errors != row.errors {
            mismatches.push(format!(
                "{context}: errors {errors:?}, expected {:?}",
                row.errors
            ));
        }
        let notes: Vec<_> = validation
            .notes
            .iter()
            .map(|n| (n.kind(), n.field(), n.index()))
            .collect();
        if notes != row.notes {
            mismatches.push(format!(
                "{context}: notes {notes:?}, expected {:?}",
                row.notes
            ));
        }
        if let Err(errors) = &validation.policy {
            for error in errors {
                check_message(error, context);
                // The value is the entry as written, character for character.
                match (list(&row.spec, error.field()), error.index()) {
                    (Some(items), Some(i)) => assert_eq!(error.value(), items[i], "{context}"),
                    _ if error.field() == F::MaxAge => {
                        assert_eq!(
                            error.value(),
                            row.spec.max_age.unwrap().to_string(),
                            "{context}"
                        )
                    }
                    _ if error.field() == F::PreflightStatus => {
                        assert_eq!(
                            error.value(),
                            row.spec.preflight_status.unwrap().to_string(),
                            "{context}"
                        )
                    }
                    _ => {}
                }
            }
        }
        for note in &validation.notes {
            if let (Some(items), Some(i)) = (list(&row.spec, note.field()), note.index()) {
                assert_eq!(note.value(), items[i], "{context}: note value");
            }
            let text = note.to_string();
            assert!(
                text.contains(&format!("`{}`", note.value())),
                "{context}: note `{text}` does not quote its value"
            );
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn rule_names_are_distinct() {
    let kinds = [
        E::WildcardWithCredentials,
        E::WildcardInList,
        E::EmptyList,
        E::MissingOrigins,
        E::NullOrigin,
        E::NullWithCredentials,
        E::InsecureWithCredentials,
        E::InvalidMethod,
        E::MethodCase,
        E::ForbiddenMethod,
        E::InvalidHeader,
        E::ForbiddenHeader,
        E::NeverExposed,
        E::MaxAgeNegative,
        E::MaxAgeTooLarge,
        E::InvalidPreflightStatus,
        E::Duplicate,
        E::MethodNotServed,
    ]
    .into_iter()
    .chain(
        [
            P::Empty,
            P::Whitespace,
            P::NoScheme,
            P::OpaqueScheme,
            P::Path,
            P::TrailingSlash,
            P::QueryOrFragment,
            P::Userinfo,
            P::DefaultPort,
            P::InvalidPort,
            P::Uppercase,
            P::NonAsciiHost,
            P::InvalidHost,
            P::MisplacedWildcard,
            P::TooBroad,
        ]
        .map(E::InvalidOrigin),
    );
    let mut seen = std::collections::HashMap::new();
    for kind in kinds {
        let rule = kind.rule();
        assert!(
            !rule.is_empty() && rule == rule.to_lowercase(),
            "{kind:?}: `{rule}`"
        );
        if let Some(other) = seen.insert(rule, kind) {
            panic!("{kind:?} and {other:?} share the rule name `{rule}`");
        }
    }
}

#[test]
fn every_error_is_returned_in_written_order() {
    let spec = PolicySpec {
        origins: Some(&[
            "https://app.example.com/",
            "*",
            "null",
            "http://api.example.com",
        ]),
        dev_origins: Some(&["localhost:3000"]),
        methods: Some(&["GET", "patch", "TRACE"]),
        headers: Some(&["cookie", "x-a", "X-A"]),
        expose: Some(&["set-cookie", "*"]),
        credentials: Some(true),
        max_age: Some(-1),
        preflight_status: Some(301),
        ..PolicySpec::EMPTY
    };
    let expected = [
        (E::InvalidOrigin(P::TrailingSlash), F::Origins, Some(0)),
        (E::WildcardInList, F::Origins, Some(1)),
        (E::WildcardWithCredentials, F::Origins, Some(1)),
        (E::NullWithCredentials, F::Origins, Some(2)),
        (E::InsecureWithCredentials, F::Origins, Some(3)),
        (E::InvalidOrigin(P::NoScheme), F::DevOrigins, Some(0)),
        (E::MethodCase, F::Methods, Some(1)),
        (E::ForbiddenMethod, F::Methods, Some(2)),
        (E::ForbiddenHeader, F::Headers, Some(0)),
        (E::Duplicate, F::Headers, Some(2)),
        (E::NeverExposed, F::Expose, Some(0)),
        (E::WildcardInList, F::Expose, Some(1)),
        (E::WildcardWithCredentials, F::Expose, Some(1)),
        (E::MaxAgeNegative, F::MaxAge, None),
        (E::InvalidPreflightStatus, F::PreflightStatus, None),
    ];
    for options in [RELEASE, DEBUG] {
        let validation = validate(&spec, options);
        assert_eq!(findings(&validation), expected, "{options:?}");
        let errors = validation.policy.unwrap_err();
        assert_eq!(errors.len(), expected.len());
        assert!(!errors.is_empty());
        for error in &errors {
            check_message(error, "several errors");
        }

        // The whole set's Display lists every error, one per line, in order.
        let text = errors.to_string();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("15 CORS configuration errors:"));
        let listed: Vec<&str> = lines.collect();
        let each: Vec<String> = errors.iter().map(|e| format!("  - {e}")).collect();
        assert_eq!(listed, each);
        assert_eq!(errors.into_iter().count(), expected.len());
    }
}

#[test]
fn a_single_error_is_counted_in_the_singular() {
    let errors = validate(&credentialed(&["*"]), RELEASE).policy.unwrap_err();
    assert_eq!(
        errors.to_string(),
        "1 CORS configuration error:\n  - wildcard with credentials: wildcard origin `*` cannot be combined with `credentials`; list the origins instead"
    );
}

#[test]
fn messages_name_the_corrected_value() {
    let rows: &[(&str, &str)] = &[
        (
            "https://app.example.com/",
            "write `https://app.example.com`",
        ),
        (
            "https://app.example.com/api/v1",
            "write `https://app.example.com`",
        ),
        (
            "https://app.example.com/?x=1",
            "write `https://app.example.com`",
        ),
        (
            "https://app.example.com:443",
            "write `https://app.example.com`",
        ),
        ("http://localhost:80", "write `http://localhost`"),
        ("https://App.Example.com", "write `https://app.example.com`"),
        (
            " https://app.example.com",
            "write `https://app.example.com`",
        ),
        ("app.example.com", "write `https://app.example.com`"),
    ];
    for (value, fix) in rows {
        let spec = PolicySpec {
            origins: Some(std::slice::from_ref(value)),
            ..PolicySpec::EMPTY
        };
        let errors = validate(&spec, RELEASE).policy.unwrap_err();
        let text = errors.iter().next().unwrap().to_string();
        assert!(text.contains(fix), "{value:?}: `{text}` should say {fix}");
    }
    let errors = validate(&credentialed(&["http://app.example.com"]), RELEASE)
        .policy
        .unwrap_err();
    assert!(
        errors.to_string().contains("use `https://app.example.com`"),
        "{errors}"
    );
    let errors = validate(&methods(&["patch"]), RELEASE).policy.unwrap_err();
    assert!(errors.to_string().contains("write `PATCH`"), "{errors}");
}

#[test]
fn dev_origins_follow_the_build_options() {
    let spec = PolicySpec {
        origins: Some(&["https://app.example.com"]),
        dev_origins: Some(&["http://localhost:3000", "http://*.localhost:8080"]),
        credentials: Some(true),
        ..PolicySpec::EMPTY
    };
    let dev = validate(&spec, DEBUG).policy.unwrap();
    let release = validate(&spec, RELEASE).policy.unwrap();
    let (dev, release) = (dev.origins().unwrap(), release.origins().unwrap());
    for origin in [&b"http://localhost:3000"[..], b"http://app.localhost:8080"] {
        assert_eq!(
            dev.matches(origin).map(str::as_bytes),
            Some(origin),
            "dev build"
        );
        assert_eq!(release.matches(origin), None, "release build");
    }
    for set in [dev, release] {
        assert_eq!(
            set.matches(b"https://app.example.com"),
            Some("https://app.example.com")
        );
        assert_eq!(set.matches(b"http://localhost:3001"), None);
    }
}

#[test]
fn dev_origins_are_validated_in_both_builds() {
    let spec = PolicySpec {
        origins: Some(APP),
        dev_origins: Some(&["http://localhost:3000/", "http://dev.example.com", "*"]),
        credentials: Some(true),
        ..PolicySpec::EMPTY
    };
    for options in [RELEASE, DEBUG] {
        assert_eq!(
            findings(&validate(&spec, options)),
            [
                (E::InvalidOrigin(P::TrailingSlash), F::DevOrigins, Some(0)),
                (E::InsecureWithCredentials, F::DevOrigins, Some(1)),
                (E::WildcardInList, F::DevOrigins, Some(2)),
            ],
            "{options:?}"
        );
    }
}

#[test]
fn dev_origins_alone_build_only_in_development() {
    let spec = PolicySpec {
        dev_origins: Some(&["http://localhost:3000"]),
        ..PolicySpec::EMPTY
    };
    let dev = validate(&spec, DEBUG).policy.unwrap();
    assert!(dev
        .origins()
        .unwrap()
        .matches(b"http://localhost:3000")
        .is_some());
    assert_eq!(
        findings(&validate(&spec, RELEASE)),
        [(E::MissingOrigins, F::Origins, None)]
    );
    assert_eq!(BuildOptions::default().dev_origins, cfg!(debug_assertions));
}

#[test]
fn a_valid_spec_builds_the_header_values() {
    let spec = PolicySpec {
        origins: Some(&["https://app.example.com", "https://*.example.com"]),
        methods: Some(&["GET", "PUT", "PATCH"]),
        headers: Some(&["Content-Type", "x-requested-with"]),
        expose: Some(&["X-Total-Count"]),
        credentials: Some(true),
        max_age: Some(600),
        private_network: Some(true),
        preflight_status: Some(200),
        ..PolicySpec::EMPTY
    };
    let validation = validate(&spec, RELEASE);
    let policy = validation.policy.unwrap();
    assert_eq!(policy.allow_methods_value(), "GET, PUT, PATCH");
    assert_eq!(
        policy.allow_headers_value(),
        "Content-Type, x-requested-with"
    );
    assert_eq!(policy.expose_headers_value(), "X-Total-Count");
    assert_eq!(policy.max_age_value(), "600");
    assert!(policy.credentials());
    assert!(policy.private_network());
    assert_eq!(policy.preflight_status(), 200);
    assert!(policy.varies_by_origin());

    let defaults = validate(&origin(APP), RELEASE).policy.unwrap();
    assert_eq!(defaults.allow_methods_value(), "GET, HEAD, POST");
    assert_eq!(defaults.allow_headers_value(), "");
    assert_eq!(defaults.expose_headers_value(), "");
    assert_eq!(defaults.max_age_value(), "");
    assert_eq!(defaults.preflight_status(), 204);
    assert!(!defaults.credentials());

    let any = validate(
        &PolicySpec {
            headers: Some(&["*"]),
            ..origin(&["*"])
        },
        RELEASE,
    )
    .policy
    .unwrap();
    assert_eq!(any.allow_headers_value(), "*, authorization");
    assert!(any.origins().is_none());
    assert!(!any.varies_by_origin());
}

#[test]
fn route_methods_must_be_served() {
    assert_eq!(check_route_methods(&["GET", "*"], &["GET", "POST"]), Ok(()));
    let errors = check_route_methods(&["GET", "PUT", "DELETE"], &["GET", "PUT"]).unwrap_err();
    let found: Vec<_> = errors
        .iter()
        .map(|e| (e.kind(), e.field(), e.index(), e.value()))
        .collect();
    assert_eq!(found, [(E::MethodNotServed, F::Methods, Some(2), "DELETE")]);
    for error in &errors {
        check_message(error, "method not served");
    }
}

#[test]
fn a_predicate_with_credentials_is_noted() {
    fn partner(origin: &str) -> bool {
        origin.ends_with(".partner.example")
    }
    let spec = PolicySpec {
        origins: Some(&["https://app.example.com"]),
        origin_fn: Some(cors_core::OriginPredicate(partner)),
        credentials: Some(true),
        ..PolicySpec::EMPTY
    };
    let validation = validate(&spec, BuildOptions::default());
    assert!(validation.policy.is_ok());
    let kinds: Vec<_> = validation.notes.iter().map(|n| n.kind()).collect();
    assert_eq!(kinds, [NoteKind::PredicateWithCredentials]);
    let without = PolicySpec {
        credentials: Some(false),
        ..spec
    };
    assert!(validate(&without, BuildOptions::default()).notes.is_empty());
}

#[test]
fn a_predicate_beside_a_wildcard_is_never_consulted() {
    fn partner(origin: &str) -> bool {
        origin.ends_with(".partner.test")
    }
    let spec = PolicySpec {
        origins: Some(&["*"]),
        origin_fn: Some(cors_core::OriginPredicate(partner)),
        ..PolicySpec::EMPTY
    };
    let validation = validate(&spec, BuildOptions::default());
    assert!(validation.policy.is_ok());
    let note = &validation.notes[0];
    assert_eq!(note.kind(), NoteKind::PredicateNeverConsulted);
    assert_eq!((note.field(), note.index()), (Field::Origins, Some(0)));
    assert!(note.to_string().contains("never consulted"), "{note}");
    let listed = PolicySpec {
        origins: Some(&["https://app.example.com"]),
        ..spec
    };
    assert!(validate(&listed, BuildOptions::default()).notes.is_empty());
}
