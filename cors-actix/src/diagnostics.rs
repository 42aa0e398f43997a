//! Logs that explain rejections and misuse at run time.

use crate::register::{log_once, RouteCors};
use crate::report::KeyOrigin;
use crate::resolve::{Defaults, ResolvedRoute};
use crate::witness::Served;
use cors_core::{Place, Reason};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    PreflightRefused,
    /// An actual request answered 403 (strict mode, or a malformed `Origin`).
    Refused,
    /// An actual request served without CORS headers.
    ServedWithoutHeaders,
}

/// A route (its handler, or the App resource for a request no annotated
/// route decided; `None`: no resource) and a reason code.
type Seen = (Option<Box<str>>, &'static str);

/// How refusals are logged: the first of each route and reason at `warn`,
/// repeats at `debug`, and while repeats happen, one `warn` line per
/// interval that counts them. A scanner can then add no more than one line
/// per interval to a production log at `warn`, whatever it sends. Shared by
/// every worker of one [`Cors`](crate::Cors) value.
pub(crate) struct RefusalLog {
    /// The route and reason code of every refusal logged at `warn`; at most
    /// (routes + resources) × reason codes entries.
    seen: Mutex<Vec<Seen>>,
    /// Repeats since the last summary.
    repeats: AtomicU64,
    /// When the next summary may be written, in milliseconds since `start`.
    next_summary: AtomicU64,
    start: Instant,
    every: Duration,
}

impl RefusalLog {
    pub fn new(every: Duration) -> Self {
        RefusalLog {
            seen: Mutex::new(Vec::new()),
            repeats: AtomicU64::new(0),
            next_summary: AtomicU64::new(u64::try_from(every.as_millis()).unwrap_or(u64::MAX)),
            start: Instant::now(),
            every,
        }
    }

    /// How often repeats are summed up.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// The level of this refusal's line: `warn` the first time its route and
    /// reason are seen, `debug` after, with a summary due once per interval.
    fn level(&self, key: Option<&str>, code: &'static str) -> log::Level {
        let Ok(mut seen) = self.seen.lock() else {
            return log::Level::Warn;
        };
        // Compared borrowed: only a first occurrence stores its key.
        if !seen.iter().any(|(k, c)| k.as_deref() == key && *c == code) {
            seen.push((key.map(Box::from), code));
            return log::Level::Warn;
        }
        drop(seen);
        self.repeats.fetch_add(1, Ordering::Relaxed);
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let due = self.next_summary.load(Ordering::Relaxed);
        let every = u64::try_from(self.every.as_millis()).unwrap_or(u64::MAX);
        if now >= due
            && self
                .next_summary
                .compare_exchange(
                    due,
                    now.saturating_add(every),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            let counted = self.repeats.swap(0, Ordering::Relaxed).max(1);
            log::warn!(
                target: "cors_actix",
                "{counted} refused CORS request(s) repeated a route and reason already logged at warn; repeats are logged at debug and counted here at most once every {} s",
                self.every.as_secs()
            );
        }
        log::Level::Debug
    }
}

/// A refused request, as logged.
pub(crate) struct Refused<'a> {
    pub outcome: Outcome,
    pub method: &'a str,
    /// The path as sent, for the log line.
    pub path: &'a str,
    /// The annotated route whose policy decided, if one did.
    pub route: Option<&'a ResolvedRoute>,
    /// The App defaults, to tell where the key that refused was set (see
    /// [`place`]) once a line is to be written.
    pub defaults: Option<&'a Defaults>,
    /// For a request no annotated route decided: the pattern of the App's
    /// resource it reaches (bounded by the App's resources), so that a
    /// first refusal per unannotated route is still `warn`.
    pub resource: &'a dyn Fn() -> Option<String>,
}

/// Logs a rejection with its reason code, the debugging question it
/// answers, the offending value and the fix. Refusals go through `refusals`
/// (see [`RefusalLog`]); requests served without headers are `debug`.
pub(crate) fn log_rejection(refusals: &RefusalLog, refused: &Refused<'_>, reason: &Reason<'_>) {
    let kind = match refused.outcome {
        Outcome::PreflightRefused => "preflight refused",
        Outcome::Refused => "request refused with 403",
        Outcome::ServedWithoutHeaders => "cross-origin request served without CORS headers",
    };
    let handler = refused.route.map(|r| &*r.handler);
    // A refusal's level needs its key looked up; none when nothing would be
    // written at `warn`.
    let warn = || log::log_enabled!(target: "cors_actix", log::Level::Warn);
    let level = match (refused.outcome, handler) {
        (Outcome::ServedWithoutHeaders, _) => log::Level::Debug,
        _ if !warn() => return,
        (_, Some(handler)) => refusals.level(Some(handler), reason.code()),
        (_, None) => {
            // The App's resource stands for the route: one lookup, only
            // when a refusal is to be logged.
            let resource = (refused.resource)().map(|pattern| format!("resource {pattern}"));
            refusals.level(resource.as_deref(), reason.code())
        }
    };
    log::log!(
        target: "cors_actix",
        level,
        "{kind}: {} {} ({}) [{}] {} no: {}",
        refused.method,
        refused.path,
        handler.unwrap_or("no annotated route"),
        reason.code(),
        reason.question(),
        reason.explain(place(refused.route, refused.defaults, reason)),
    );
}

/// Where the key that refused a request was set: in the route's policy
/// (its attribute, named policy or attach policy, or the App defaults it
/// inherits), or, with no annotated route, in the App defaults.
pub(crate) fn place<'a>(
    route: Option<&'a ResolvedRoute>,
    defaults: Option<&'a Defaults>,
    reason: &Reason<'_>,
) -> Place<'a> {
    let Some(key) = reason.key() else {
        return match route {
            Some(route) if route.policy.is_none() => Place::Disabled,
            Some(_) => Place::Route,
            None => Place::AppDefaults,
        };
    };
    let origin = match route {
        Some(route) if route.policy.is_none() => return Place::Disabled,
        Some(route) => route
            .key_origins
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, o)| o),
        None => {
            let var = defaults
                .and_then(|d| d.keys.iter().find(|k| k.key == key.key()))
                .and_then(|k| k.env.as_deref());
            return var.map_or(Place::AppDefaults, Place::Environment);
        }
    };
    match origin {
        Some(KeyOrigin::NamedPolicy(name)) => Place::NamedPolicy(name),
        Some(KeyOrigin::AppDefaults) => Place::AppDefaults,
        Some(KeyOrigin::Environment(var)) => Place::Environment(var),
        Some(KeyOrigin::Route) | None => Place::Route,
    }
}
