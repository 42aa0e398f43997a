//! The five questions, answered from what was seen, by the browser oracle.
//!
//! Nothing here decides a CORS rule: `cors_core::browser` does. This module
//! only asks it about each question, and says what to do about a "no".

use crate::http::header;
use cors_core::browser::{
    check_response, fetch, needs_preflight, preflight_cache_seconds, preflight_checks,
    preflight_for, Blocked, BlockedKind, Browser, CredentialsMode, Preflight, PreflightChecks,
    Request, Response, Stage,
};
use cors_core::Question;

/// A response as recorded: status and header lines.
#[derive(Debug, Clone)]
pub struct Seen {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    fn response(&self) -> Response<'_> {
        Response::from_lines(self.status, &self.headers)
    }

    fn header(&self, name: &str) -> Option<String> {
        header(&self.headers, name)
    }
}

/// What happened to the preflight.
#[derive(Debug, Clone)]
pub enum PreflightSeen {
    /// Sent, and this came back.
    Answered(Seen),
    /// Not sent: no engine asked for one.
    NotSent,
    /// Not in a HAR file: the browser had it cached, or the HAR did not record it.
    NotRecorded,
    /// In a HAR file without a response: a network error, or cancelled.
    NoResponse,
}

/// What happened to the actual request.
#[derive(Debug, Clone)]
pub enum ActualSeen {
    Answered(Seen),
    /// Not sent, and why.
    NotSent(String),
    /// In a HAR file without a response: blocked or cancelled before one.
    NoResponse,
}

/// One cross-origin `fetch()` and what the server answered.
#[derive(Debug, Clone)]
pub struct Case {
    pub url: String,
    pub origin: String,
    pub method: String,
    /// The headers the page's script sets.
    pub headers: Vec<(String, String)>,
    pub credentials: bool,
    /// A public page asking a more private address (Local Network Access).
    pub private_network: bool,
    pub preflight: PreflightSeen,
    /// When engines send different preflights (`Browser` lists where), each
    /// one sent and its answer; an engine whose preflight is not here gets
    /// `preflight`.
    pub other_preflights: Vec<(Preflight, Seen)>,
    pub actual: ActualSeen,
    /// The error the browser recorded in a HAR file (Chromium's `_error`).
    pub recorded_error: Option<String>,
}

/// A page's `fetch()` from `origin` with `headers`, and credentials included
/// or not, as the oracle takes it.
pub fn page_request<'a>(
    origin: &'a str,
    method: &'a str,
    headers: &'a [(String, String)],
    credentials: bool,
) -> Request<'a> {
    let mut request = Request::new(origin, method);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    if credentials {
        request = request.credentials(CredentialsMode::Include);
    }
    request
}

impl Case {
    /// The page's `fetch()`, as `browser` makes it.
    pub fn request(&self, browser: Browser) -> Request<'_> {
        page_request(&self.origin, &self.method, &self.headers, self.credentials)
            .browser(browser)
            .private_network(self.private_network)
    }

    /// The preflight `request` got, if any.
    fn preflight_of(&self, request: &Request<'_>) -> Option<&Seen> {
        let sent = preflight_for(request)?;
        let other = self
            .other_preflights
            .iter()
            .find(|(other, _)| *other == sent);
        match (other, &self.preflight) {
            (Some((_, seen)), _) | (None, PreflightSeen::Answered(seen)) => Some(seen),
            _ => None,
        }
    }
}

/// ✓, ✗, or why there is neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Pass,
    Fail,
    /// The question does not arise (no preflight), or the browser stopped before it.
    Skipped,
    /// Cannot be told from what was recorded.
    Unknown,
}

impl Mark {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Pass => "✓",
            Self::Fail => "✗",
            Self::Skipped => "–",
            Self::Unknown => "?",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Skipped => "skipped",
            Self::Unknown => "unknown",
        }
    }
}

/// One question's answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub question: Question,
    pub mark: Mark,
    /// What was seen, with the header values.
    pub detail: String,
}

/// What the browser does in the end.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The page reads the response.
    Allowed,
    /// The preflight passes; the actual request was not sent, so it is unchecked.
    PreflightPassed,
    /// The page gets a network error.
    Blocked(Blocked),
    /// The response passes, but it is a redirect: the browser follows it to
    /// this `Location`, which has answers of its own.
    Redirected(String),
    /// Nothing decisive was seen: no preflight and no actual response.
    Unchecked(String),
}

/// Everything one engine makes of a [`Case`].
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub engine: Browser,
    pub preflight_needed: bool,
    pub answers: Vec<Answer>,
    pub outcome: Outcome,
    /// For a passing preflight: how long this engine caches it.
    pub cache_seconds: Option<u32>,
    /// For a readable response: the header names JavaScript sees, and those it
    /// does not.
    pub readable: Vec<String>,
    pub hidden: Vec<String>,
    pub warnings: Vec<String>,
    /// For [`Outcome::Blocked`]: the console message and the server-side fix.
    pub console: Option<String>,
    pub fix: Option<String>,
}

impl Diagnosis {
    /// Whether two engines' diagnoses read the same, engine and preflight cache
    /// aside.
    pub fn same_as(&self, other: &Self) -> bool {
        let key = |d: &Self| {
            (
                d.answers
                    .iter()
                    .map(|a| (a.mark, a.detail.clone()))
                    .collect::<Vec<_>>(),
                d.console.clone(),
                d.readable.clone(),
                d.warnings.clone(),
            )
        };
        key(self) == key(other)
    }
}

/// Asks the oracle about `case` as `engine` would see it.
pub fn diagnose(case: &Case, engine: Browser) -> Diagnosis {
    let request = case.request(engine);
    let needed = needs_preflight(&request);
    let preflight = case.preflight_of(&request);
    let actual = match &case.actual {
        ActualSeen::Answered(seen) => Some(seen),
        ActualSeen::NotSent(_) | ActualSeen::NoResponse => None,
    };
    let checks = preflight.map(|seen| preflight_checks(&request, &seen.response()));
    let actual_check = actual.map(|seen| check_response(&request, &seen.response()));

    let outcome = outcome(case, &request, preflight, actual, checks.as_ref());

    let mut answers = Vec::new();
    answers.push(Answer {
        question: Question::PreflightSent,
        mark: match (&case.preflight, needed) {
            (_, false) | (PreflightSeen::Answered(_) | PreflightSeen::NoResponse, true) => {
                Mark::Pass
            }
            (PreflightSeen::NotRecorded, true) => Mark::Unknown,
            (PreflightSeen::NotSent, true) => Mark::Fail,
        },
        detail: preflight_detail(case, &request, needed),
    });
    let skipped = |question: Question, why: &str| Answer {
        question,
        mark: Mark::Skipped,
        detail: why.to_owned(),
    };
    let no_preflight = if needed {
        "no preflight was recorded"
    } else {
        "no preflight: nothing to check"
    };
    match (&checks, preflight) {
        (Some(checks), Some(seen)) => answers.push(Answer {
            question: Question::PreflightStatus,
            mark: mark(&checks.status),
            detail: status_detail(seen),
        }),
        _ => answers.push(skipped(Question::PreflightStatus, no_preflight)),
    }

    // Question 3 and credentials: on the preflight and on the actual response.
    let mut origin_results = Vec::new();
    if let (Some(checks), Some(seen)) = (&checks, preflight) {
        origin_results.push(("preflight", checks.allow_origin.clone(), seen));
    }
    if let (Some(result), Some(seen)) = (&actual_check, actual) {
        origin_results.push(("response", result.clone().map(|_| ()), seen));
    }
    for question in [Question::AllowOrigin, Question::Credentials] {
        if question == Question::Credentials && !case.credentials {
            continue;
        }
        let header_name = if question == Question::AllowOrigin {
            "Access-Control-Allow-Origin"
        } else {
            "Access-Control-Allow-Credentials"
        };
        if origin_results.is_empty() {
            answers.push(skipped(question, "no response to check"));
            continue;
        }
        let mut fails = false;
        let mut reached = false;
        let mut parts = Vec::new();
        for (what, result, seen) in &origin_results {
            let failed = match result {
                Err(blocked) => blocked.question() == Some(question),
                Ok(()) => false,
            };
            // Credentials are checked only once the origin passed.
            let reached_here = question == Question::AllowOrigin
                || !matches!(result, Err(b) if b.question() == Some(Question::AllowOrigin));
            fails |= failed;
            reached |= reached_here;
            let mut value = shown(seen.header(header_name).as_deref());
            // The credentials rule is also about the origin: `*` never passes.
            if question == Question::Credentials {
                let origin = shown(seen.header("Access-Control-Allow-Origin").as_deref());
                value = format!("{value} (Access-Control-Allow-Origin: {origin})");
            }
            parts.push(format!("{what} ({}): {value}", seen.status));
        }
        answers.push(Answer {
            question,
            mark: if fails {
                Mark::Fail
            } else if reached {
                Mark::Pass
            } else {
                Mark::Skipped
            },
            detail: format!("{header_name}: {}", parts.join("; ")),
        });
    }

    match (&checks, preflight) {
        (Some(checks), Some(seen)) => {
            let method = request.normalized_method();
            let listed = seen.header("Access-Control-Allow-Methods");
            let mut detail = format!(
                "{method} · Access-Control-Allow-Methods: {}",
                shown(listed.as_deref())
            );
            if !method_preflighted(case, engine) && checks.allow_methods.is_ok() {
                detail.push_str(&format!(" ({method} is safelisted: always allowed)"));
            }
            answers.push(Answer {
                question: Question::AllowMethods,
                mark: mark(&checks.allow_methods),
                detail,
            });
            let names = request.unsafe_header_names();
            let listed = seen.header("Access-Control-Allow-Headers");
            let asked = if names.is_empty() {
                "no header to list".to_owned()
            } else {
                names.join(", ")
            };
            answers.push(Answer {
                question: Question::AllowHeaders,
                mark: mark(&checks.allow_headers),
                detail: format!(
                    "{asked} · Access-Control-Allow-Headers: {}",
                    shown(listed.as_deref())
                ),
            });
        }
        _ => {
            answers.push(skipped(Question::AllowMethods, no_preflight));
            answers.push(skipped(Question::AllowHeaders, no_preflight));
        }
    }

    // A preflight that passed: how long it is cached, and the leniencies noted.
    let passed = checks.clone().and_then(|checks| checks.verdict().ok());
    let cache_seconds = match (&passed, preflight) {
        (Some(_), Some(seen)) => Some(preflight_cache_seconds(&seen.response(), engine)),
        _ => None,
    };
    let mut warnings: Vec<String> = mixed_content(case).into_iter().collect();
    if let Some(verdict) = passed {
        warnings.extend(verdict.warnings.iter().map(ToString::to_string));
    }
    let (mut readable, mut hidden) = (Vec::new(), Vec::new());
    if let (Outcome::Allowed, Some(Ok(response)), Some(seen)) = (&outcome, &actual_check, actual) {
        for (name, _) in &seen.headers {
            let lower = name.to_ascii_lowercase();
            let list = if response.can_read(name) {
                &mut readable
            } else if !lower.starts_with("access-control-")
                && !UNINTERESTING.contains(&lower.as_str())
            {
                &mut hidden
            } else {
                continue;
            };
            if !list.contains(&lower) {
                list.push(lower);
            }
        }
    }
    readable.sort_unstable();
    hidden.sort_unstable();
    let (console, fix) = match &outcome {
        Outcome::Blocked(blocked) => {
            let refused = blocked.kind == BlockedKind::MissingAllowOrigin
                && blocked.stage == Stage::Preflight;
            let status_failed = checks.as_ref().is_some_and(|checks| checks.status.is_err());
            let fix = match preflight {
                Some(seen) if refused && status_failed => {
                    let method_needs_listing = checks
                        .as_ref()
                        .is_some_and(|checks| checks.allow_methods.is_err());
                    refused_preflight_fix(case, &request, seen, method_needs_listing)
                }
                _ => fix(case, blocked, actual),
            };
            (Some(console_message(case, blocked)), Some(fix))
        }
        _ => (None, None),
    };
    Diagnosis {
        engine,
        preflight_needed: needed,
        answers,
        outcome,
        cache_seconds,
        readable,
        hidden,
        warnings,
        console,
        fix,
    }
}

/// What the browser does in the end, from the oracle's whole-cycle functions,
/// and what cannot be told from the responses seen.
fn outcome(
    case: &Case,
    request: &Request<'_>,
    preflight: Option<&Seen>,
    actual: Option<&Seen>,
    checks: Option<&PreflightChecks>,
) -> Outcome {
    let needed = needs_preflight(request);
    // The browser's decision, from the oracle's whole-cycle functions.
    let decided = |result: Result<_, Blocked>| match result {
        Ok(_) => Outcome::Allowed,
        Err(blocked) => Outcome::Blocked(blocked),
    };
    // The oracle's `fetch` decides Local Network Access before any response.
    let local_network = fetch(request, None, &Response::new(200))
        .err()
        .filter(|blocked| blocked.kind == BlockedKind::LocalNetworkPermission);
    let outcome = if let Some(blocked) = local_network {
        Outcome::Blocked(blocked)
    } else if matches!(case.preflight, PreflightSeen::NoResponse) && needed {
        Outcome::Unchecked(
            "the preflight got no response (a network error, or the browser cancelled it)".into(),
        )
    } else if needed && preflight.is_none() {
        match (actual, &case.preflight) {
            // Not in a HAR: judge the actual response alone, as after a cached
            // preflight that passed.
            (Some(seen), PreflightSeen::NotRecorded) => {
                decided(check_response(request, &seen.response()))
            }
            _ => Outcome::Unchecked("no preflight and no response was recorded".into()),
        }
    } else if let Some(Err(blocked)) = checks.cloned().map(PreflightChecks::verdict) {
        Outcome::Blocked(blocked)
    } else if let Some(seen) = actual {
        let preflight = preflight.map(Seen::response);
        decided(fetch(request, preflight.as_ref(), &seen.response()))
    } else if let ActualSeen::NoResponse = case.actual {
        Outcome::Unchecked(
            "the request got no response: the browser blocked or cancelled it for a reason \
             these headers do not show"
                .into(),
        )
    } else if preflight.is_some() {
        Outcome::PreflightPassed
    } else {
        Outcome::Unchecked(match &case.actual {
            ActualSeen::NotSent(why) => why.clone(),
            _ => String::new(),
        })
    };
    let outcome = match (outcome, actual) {
        (Outcome::Allowed, Some(seen)) => match seen.response().redirect_location() {
            Some(location) => Outcome::Redirected(location.to_owned()),
            None => Outcome::Allowed,
        },
        (outcome, _) => outcome,
    };
    // Headers cannot explain every failure a browser records.
    match (outcome, case.recorded_error.as_deref()) {
        (Outcome::Allowed | Outcome::PreflightPassed, Some("net::ERR_FAILED")) => {
            Outcome::Unchecked(
                "the browser recorded net::ERR_FAILED, which these headers do not explain: a \
                 `credentials: \"include\"` call that sent no cookie (the HAR cannot show \
                 it), mixed content, or a network error"
                    .into(),
            )
        }
        (outcome, _) => outcome,
    }
}

/// Response headers not worth telling the page's author about when hidden.
/// (`Set-Cookie` is never readable by JavaScript, CORS or not.)
const UNINTERESTING: [&str; 9] = [
    "connection",
    "date",
    "keep-alive",
    "server",
    "set-cookie",
    "set-cookie2",
    "transfer-encoding",
    "vary",
    "x-cors-reason",
];

fn mark<T>(result: &Result<T, Blocked>) -> Mark {
    if result.is_ok() {
        Mark::Pass
    } else {
        Mark::Fail
    }
}

fn shown(value: Option<&str>) -> String {
    match value {
        Some(value) => format!("`{value}`"),
        None => "(none)".into(),
    }
}

fn status_detail(seen: &Seen) -> String {
    match seen.response().redirect_location() {
        Some(location) => format!("{} · Location: {location}", seen.status),
        None => seen.status.to_string(),
    }
}

/// Whether the method alone makes the browser preflight (it is not
/// safelisted), as the oracle says.
fn method_preflighted(case: &Case, engine: Browser) -> bool {
    needs_preflight(&Request::new(&case.origin, &case.method).browser(engine))
}

/// An https page cannot call an http URL that is not on the machine itself:
/// browsers block it as mixed content, before CORS. (Not a CORS rule, so not
/// the oracle's.)
fn mixed_content(case: &Case) -> Option<String> {
    let target = crate::http::Target::parse(&case.url).ok()?;
    let origin = target.origin();
    let parsed = cors_core::origin::parse_config_origin(&origin).ok()?;
    let loopback = matches!(parsed, cors_core::origin::OriginSpec::Exact(p) if p.is_loopback());
    (case.origin.starts_with("https://") && !target.https && !loopback).then(|| {
        format!(
            "mixed content: a page on {} cannot fetch {}; browsers block it before CORS \
             (serve the API over https)",
            case.origin, case.url
        )
    })
}

fn preflight_detail(case: &Case, request: &Request<'_>, needed: bool) -> String {
    let method = request.normalized_method();
    let names = request.unsafe_header_names();
    if !needed {
        return format!("none needed: {method} with safelisted headers only is a simple request");
    }
    let mut why = Vec::new();
    if method_preflighted(case, request.browser) {
        why.push(format!("{method} is not a safelisted method"));
    }
    if !names.is_empty() {
        why.push(format!("not safelisted: {}", names.join(", ")));
    }
    let seen = match &case.preflight {
        PreflightSeen::Answered(_) => "yes",
        PreflightSeen::NoResponse => "yes, and it got no response",
        PreflightSeen::NotSent => "needed, not sent",
        PreflightSeen::NotRecorded => {
            "needed, not in the HAR: the browser had it cached (Access-Control-Max-Age), \
             or the HAR did not record it"
        }
    };
    format!("{seen} ({})", why.join("; "))
}

/// A preflight refused with an error status and no CORS headers: every check
/// fails on it and the browser reports the first, the missing origin, whatever
/// the server's reason was.
fn refused_preflight_fix(
    case: &Case,
    request: &Request<'_>,
    seen: &Seen,
    method_needs_listing: bool,
) -> String {
    let status = seen.status;
    let refused = format!(
        "the server refused the preflight ({status}) with no CORS headers, so the browser \
         only reports the missing Access-Control-Allow-Origin"
    );
    match status {
        401 => format!(
            "{refused}. A 401 means authentication ran first, but a preflight never carries \
             cookies or Authorization: answer OPTIONS before authentication (with cors-actix, \
             wrap the App with Cors outermost; elsewhere, let OPTIONS with \
             Access-Control-Request-Method through the auth layer)"
        ),
        404 | 405 => format!(
            "{refused}. No handler answers OPTIONS on this URL: answer preflights for it with \
             204 and the CORS headers (cors-actix answers them for every #[cors] route)"
        ),
        _ => match seen.header("x-cors-reason") {
            Some(reason) => format!("{refused}. The server's reason (x-cors-reason): {reason}"),
            None => {
                let mut asked = vec![format!("the origin {}", case.origin)];
                if method_needs_listing {
                    asked.push(format!("the method {}", request.normalized_method()));
                }
                let names = request.unsafe_header_names();
                if !names.is_empty() {
                    asked.push(format!("the headers {}", names.join(", ")));
                }
                format!(
                    "{refused}. One of these is not allowed: {}. The server's log says \
                     which (with cors-actix: target `cors_actix`; `debug_header(true)` in a \
                     debug build also puts it in the response, as x-cors-reason)",
                    asked.join(", ")
                )
            }
        },
    }
}

/// The console message, as Chrome words it.
fn console_message(case: &Case, blocked: &Blocked) -> String {
    if blocked.kind == BlockedKind::PreflightMissing {
        return blocked.to_string();
    }
    format!(
        "Access to fetch at '{}' from origin '{}' has been {blocked}",
        case.url, case.origin
    )
}

/// What to change on the server.
fn fix(case: &Case, blocked: &Blocked, actual: Option<&Seen>) -> String {
    let origin = &case.origin;
    let value = blocked.value.as_deref().unwrap_or_default();
    let on = match blocked.stage {
        Stage::Preflight => "the preflight (OPTIONS) response",
        Stage::Response => "the response",
    };
    match blocked.kind {
        BlockedKind::PreflightMissing => {
            "nothing, if the preflight was cached; otherwise record the HAR with the cache \
             disabled to see it"
                .into()
        }
        BlockedKind::PreflightStatus => format!(
            "the preflight has the CORS headers but status {value}: answer it with a 2xx \
             status (204)"
        ),
        BlockedKind::PreflightRedirect => format!(
            "the preflight was redirected ({value}); browsers never follow a preflight's \
             redirect. Call the final URL directly (often a trailing slash or http→https), or \
             answer OPTIONS before redirecting"
        ),
        BlockedKind::MissingAllowOrigin => match actual {
            Some(seen) if blocked.stage == Stage::Response && seen.status == 404 => {
                "nothing answers this URL with CORS headers (404): check the URL's path; if \
                 the 404 is meant to reach the page, it needs Access-Control-Allow-Origin too"
                    .into()
            }
            Some(seen) if blocked.stage == Stage::Response && seen.status >= 400 => format!(
                "the {status} response has no CORS headers, so the page gets a network error \
                 instead of the {status}. Either `{origin}` is not allowed (then allow it), \
                 or the server leaves CORS headers off error responses: put \
                 Access-Control-Allow-Origin on every response of an allowed origin, error \
                 responses included (cors-actix does, whoever produced the error)",
                status = seen.status
            ),
            _ => format!(
                "send `Access-Control-Allow-Origin: {origin}` on {on}, when {origin} is \
                 allowed (or `*` for a public API called without credentials)"
            ),
        },
        BlockedKind::MultipleAllowOrigin => format!(
            "Access-Control-Allow-Origin must hold exactly one origin: echo the request's \
             Origin when it is in your list, never the list. If two layers (the app and a \
             proxy) each add the header, keep one. Seen on {on}: `{value}`"
        ),
        BlockedKind::AllowOriginMismatch => format!(
            "{on} allows `{value}`, not `{origin}`: add `{origin}` to the allowed origins \
             (scheme, host and port must match exactly)"
        ),
        BlockedKind::WildcardOriginWithCredentials => format!(
            "with credentials, `*` is refused: echo the exact origin `{origin}` (when \
             allowed) in Access-Control-Allow-Origin on {on}, with `Vary: Origin`"
        ),
        BlockedKind::AllowCredentialsNotTrue => format!(
            "send `Access-Control-Allow-Credentials: true` (exactly) on {on}, or drop \
             `credentials: \"include\"` from the fetch() if the call needs no cookies"
        ),
        BlockedKind::MethodNotAllowed => format!(
            "list {value} in Access-Control-Allow-Methods on the preflight response (with \
             credentials, `*` does not count)"
        ),
        BlockedKind::HeaderNotAllowed => format!(
            "list {value} in Access-Control-Allow-Headers on the preflight response (with \
             credentials, `*` does not count)"
        ),
        BlockedKind::LocalNetworkPermission => format!(
            "a page on a public origin ({origin}) calling a local or private address needs \
             the user's permission (Local Network Access) before anything is sent: an https \
             page asks for it, an http page is refused. No response header grants it. Serve \
             the API on a public address, or call it from a local page"
        ),
        BlockedKind::InvalidHeaderList => format!(
            "{} holds `{value}`, which is not a name: make it a comma-separated list of \
             names",
            blocked.header.unwrap_or("the header")
        ),
        _ => "see the console message".into(),
    }
}
