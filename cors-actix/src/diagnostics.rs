//! Logs that explain rejections and misuse at run time.

use crate::register::{log_once, RouteCors, Served};
use crate::resolve::ResolvedRoute;
use cors_core::Reason;

/// Called by a witness that ran with no `Cors` around it: logs once per
/// handler.
pub(crate) fn served_without_cors(route: &'static RouteCors) {
    if log_once(&route.unwrapped_logged) {
        log::error!(
            target: "cors_actix",
            "`{}` has #[cors] but was served without the Cors middleware, so it sends no CORS headers and its preflights are not answered; add `.wrap(Cors::new())` (or `Cors::builder()...build()?`) to the App",
            route.handler
        );
    }
}

/// Once per handler, the first time it serves a request with an `Origin`:
/// checks that a preflight for the same path and method would have found
/// this route. When it finds another (guards told the routes apart, which
/// the lookup before routing cannot see), logs it: that path's preflights
/// are answered under the other route's policy.
pub(crate) fn check_preflight_route(
    served: Served,
    found: Option<&ResolvedRoute>,
    method: &str,
    path: &str,
) {
    let same = found.is_some_and(|route| match &*route.source {
        crate::register::Source::Static(r) => {
            std::ptr::eq(*r, served.route) && route.def == served.def
        }
        crate::register::Source::Manual(_) => false,
    });
    // Once per handler, whatever the outcome: the check is not repeated.
    if !log_once(&served.route.shadow_logged) || same {
        return;
    }
    let other = found.map_or("no annotated route", |r| &*r.handler);
    log::error!(
        target: "cors_actix",
        "`{}` served {method} {path}, but a preflight for it finds {other}: an earlier route whose pattern matches the same paths wins the lookup before routing (guards are not part of it), so preflights for this path follow the other policy; register `{}` first or make the patterns disjoint",
        served.route.handler,
        served.route.handler,
    );
}

/// What happened to a refused request.
#[derive(Clone, Copy)]
pub(crate) enum Outcome {
    /// A preflight answered 403.
    PreflightRejected,
    /// An actual request answered 403 (strict mode, or a malformed `Origin`).
    Refused,
    /// An actual request served without CORS headers.
    ServedWithoutHeaders,
}

/// Logs a rejection with its reason code, the debugging question it
/// answers, the offending value and the fix.
pub(crate) fn log_rejection(
    outcome: Outcome,
    method: &str,
    path: &str,
    handler: Option<&str>,
    reason: &Reason<'_>,
) {
    let (kind, level) = match outcome {
        Outcome::PreflightRejected => ("preflight rejected", log::Level::Warn),
        Outcome::Refused => ("request refused with 403", log::Level::Warn),
        Outcome::ServedWithoutHeaders => (
            "cross-origin request served without CORS headers",
            log::Level::Debug,
        ),
    };
    log::log!(
        target: "cors_actix",
        level,
        "{kind}: {} {} ({}) [{}] {} no: {reason}",
        method,
        path,
        handler.unwrap_or("no annotated route"),
        reason.code(),
        reason.question(),
    );
}
