//! Writing the CORS headers: preflight answers, and the headers an actual
//! response gets (the policy's, never the app's own).

use crate::middleware::{ALLOW_PRIVATE_NETWORK, NOT_CACHED, TRUE};
use crate::register::{RouteCors, Source};
use crate::resolve::{PolicyEntry, ResolvedRoute};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use cors_core::{AllowOrigin, CorsHeaders, Vary};
use std::sync::atomic::{AtomicBool, Ordering};

/// `Access-Control-Allow-Origin`: `*`, or the request's own `Origin` header
/// value, shared, not copied. `decide` mirrors only the request's one
/// `Origin`, so the value is always the request's: never one rebuilt from
/// text, never a fallback.
pub(crate) fn allow_origin(origin: &HeaderValue, allow: AllowOrigin<'_>) -> HeaderValue {
    match allow {
        AllowOrigin::Mirror(_) => origin.clone(),
        AllowOrigin::Any => ANY_ORIGIN,
    }
}

/// `Access-Control-Allow-Origin: *`.
pub(crate) const ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");

macro_rules! vary_values {
    ($($index:literal)*) => {
        [$(HeaderValue::from_static(Vary::from_index($index).value())),*]
    };
}

/// The `Vary` value of every set, built at compile time: `from_static`
/// checks each byte when it runs, which for the longest value costs
/// hundreds of instructions.
static VARY_VALUES: [HeaderValue; Vary::COUNT] =
    vary_values!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);

/// The `Vary` header value of `vary`.
fn vary_value(vary: Vary) -> HeaderValue {
    VARY_VALUES[vary.index()].clone()
}

pub(crate) fn preflight_response(
    origin: &HeaderValue,
    status: u16,
    headers: &CorsHeaders<'_>,
    entry: &PolicyEntry,
    (only_method, uncached): (Option<&HeaderValue>, bool),
) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
    let mut response = HttpResponse::new(status);
    // A new response: `append` adds each header without looking for one
    // to replace.
    let map = response.headers_mut();
    map.append(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        allow_origin(origin, headers.allow_origin),
    );
    if headers.allow_credentials {
        map.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
    }
    let only_method = only_method.cloned();
    let precomputed = [
        (
            header::ACCESS_CONTROL_ALLOW_METHODS,
            match &only_method {
                Some(_) => &only_method,
                None => &entry.allow_methods,
            },
        ),
        (header::ACCESS_CONTROL_ALLOW_HEADERS, &entry.allow_headers),
        (
            header::ACCESS_CONTROL_MAX_AGE,
            match uncached {
                true => &NOT_CACHED,
                false => &entry.max_age,
            },
        ),
    ];
    for (name, value) in precomputed {
        if let Some(value) = value {
            map.append(name, value.clone());
        }
    }
    if headers.allow_private_network {
        map.append(ALLOW_PRIVATE_NETWORK, TRUE);
    }
    add_vary(map, headers.vary);
    response
}

/// Adds `Vary` to a response known to have none yet, without looking it up.
pub(crate) fn add_vary(headers: &mut HeaderMap, vary: Vary) {
    if !vary.is_empty() {
        headers.append(header::VARY, vary_value(vary));
    }
}

/// Adds the `Vary` tokens the response does not have yet, never a duplicate.
pub(crate) fn merge_vary(headers: &mut HeaderMap, vary: Vary) {
    let missing = vary.missing_from(headers.get_all(header::VARY).map(HeaderValue::as_bytes));
    if !missing.is_empty() {
        headers.append(header::VARY, vary_value(missing));
    }
}

/// What an actual response gets.
#[derive(Clone)]
pub(crate) enum Add {
    /// The headers of an allowed request.
    Allow {
        allow_origin: HeaderValue,
        credentials: bool,
        expose: Option<HeaderValue>,
    },
    /// No CORS headers: whatever CORS headers the app set itself go, so that
    /// no handler, proxied upstream or leftover middleware can grant what
    /// the policy does not.
    Strip,
    /// A `#[cors(disable)]` handler served it: CORS is its own business, and
    /// the headers it sets itself stay.
    Keep,
}

/// The CORS response headers, all of which the policy decides.
const CORS_RESPONSE_HEADERS: [HeaderName; 7] = [
    header::ACCESS_CONTROL_ALLOW_ORIGIN,
    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
    header::ACCESS_CONTROL_EXPOSE_HEADERS,
    header::ACCESS_CONTROL_ALLOW_METHODS,
    header::ACCESS_CONTROL_ALLOW_HEADERS,
    header::ACCESS_CONTROL_MAX_AGE,
    ALLOW_PRIVATE_NETWORK,
];

/// What to do with the inner service's response.
#[derive(Clone)]
pub(crate) struct Finish {
    pub(crate) add: Add,
    pub(crate) vary: Vary,
    /// The route whose policy decided, for the log line about headers the
    /// app set itself.
    pub(crate) route: Option<&'static RouteCors>,
}

impl Finish {
    /// No CORS headers, and this `Vary`.
    pub(crate) fn strip(vary: Vary) -> Finish {
        Finish {
            add: Add::Strip,
            vary,
            route: None,
        }
    }

    pub(crate) fn apply(self, headers: &mut HeaderMap) {
        // One pass over the names first: most responses carry no CORS
        // header and no `Vary`.
        let (mut app_set, mut has_vary) = (false, false);
        for name in headers.keys() {
            app_set |= name.as_str().starts_with("access-control-");
            has_vary |= *name == header::VARY;
        }
        if app_set && !matches!(self.add, Add::Keep) {
            let mut replaced = false;
            for name in CORS_RESPONSE_HEADERS {
                replaced |= headers.remove(name).next().is_some();
            }
            if replaced {
                log_app_set_headers(self.route);
            }
        }
        if let Add::Allow {
            allow_origin,
            credentials,
            expose,
        } = self.add
        {
            // None of these is on the response any more: `append` adds
            // without looking for a value to replace.
            headers.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
            if credentials {
                headers.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            }
            if let Some(expose) = expose {
                headers.append(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose);
            }
        }
        match has_vary {
            true => merge_vary(headers, self.vary),
            false => add_vary(headers, self.vary),
        }
    }
}

/// The static metadata of a `#[cors]` route.
pub(crate) fn static_route(route: Option<&ResolvedRoute>) -> Option<&'static RouteCors> {
    match route.map(|r| &*r.source) {
        Some(Source::Static(route)) => Some(route),
        _ => None,
    }
}

/// Logs, at debug, once per route (once in all for routes without static
/// metadata), that CORS headers the app set were replaced by the policy's.
fn log_app_set_headers(route: Option<&'static RouteCors>) {
    static OTHER_ROUTES: AtomicBool = AtomicBool::new(false);
    let flag = route.map_or(&OTHER_ROUTES, |r| &r.app_headers_logged);
    if !flag.swap(true, Ordering::Relaxed) {
        log::debug!(
            target: "cors_actix",
            "CORS headers set by the app on a response of {} were replaced by what its policy decides (use #[cors(disable)] on a handler that manages CORS itself)",
            route.map_or("a route without #[cors]", |r| r.handler),
        );
    }
}
