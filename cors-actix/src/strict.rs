//! Strict mode: refusing state-changing cross-origin requests from origins
//! the route's policy does not allow, before routing and again once the
//! router picked the route.

use crate::diagnostics::{log_rejection, Outcome, Refused};
use crate::live::Live;
use crate::middleware::State;
use crate::resolve::PolicyEntry;
use crate::witness::Served;
use actix_web::dev::ServiceRequest;
use actix_web::http::header;
use actix_web::{Error, HttpMessage};
use cors_core::strict::{browser_says_same_origin, is_same_origin, is_state_changing};
use cors_core::{Reason, Vary};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Set for good once a `Cors` in strict mode starts, in any App of the
/// process: only then can a request carry a [`StrictCheck`], which the
/// witness of every annotated route would otherwise look for in vain (a
/// lookup in the request's extensions, about 125 instructions).
pub(crate) static ANY_STRICT: AtomicBool = AtomicBool::new(false);

/// Left on a state-changing cross-origin request that strict mode let
/// through before routing, for the witness of the route the router picks,
/// with the configuration the request started with.
pub(crate) struct StrictCheck(pub(crate) Rc<State>, pub(crate) Arc<Live>);

/// Called by the witness of the route the router picked, before its
/// handler: whether strict mode refuses the request under that route's
/// policy. Only for requests `Cors` let through in strict mode.
pub(crate) fn strict_refusal_after_routing(req: &ServiceRequest, served: Served) -> Option<Error> {
    let (state, live) = {
        let check = req.extensions();
        let check = check.get::<StrictCheck>()?;
        (check.0.clone(), check.1.clone())
    };
    // The method as routed, which a rewrite inside `Cors` may have changed.
    if !is_state_changing(req.method().as_str().as_bytes()) {
        return None;
    }
    let origin = req.headers().get(header::ORIGIN)?;
    if same_origin(req, origin.as_bytes()) {
        return None;
    }
    let Some(ready) = state.ready(&live) else {
        return Some(actix_web::error::ErrorForbidden(""));
    };
    let method = req.method().as_str().as_bytes();
    let request = cors_core::Request::new(method).origin(origin.as_bytes());
    let route = ready.table.served(served);
    let entry = route.and_then(|r| r.policy.as_deref());
    let (reason, _) = strict_refusal(entry, &request)?;
    let resource = || None;
    let refused = Refused {
        outcome: Outcome::Refused,
        method: req.method().as_str(),
        path: req.path(),
        route,
        defaults: ready.defaults,
        resource: &resource,
    };
    log_rejection(&state.shared.refusals, &refused, &reason);
    Some(actix_web::error::ErrorForbidden(""))
}

/// Why strict mode refuses a request under this policy entry (`None`: no
/// policy), if it does; the rule is cors-core's.
pub(crate) fn strict_refusal<'a>(
    entry: Option<&'a PolicyEntry>,
    request: &cors_core::Request<'a>,
) -> Option<(Reason<'a>, Vary)> {
    cors_core::strict::strict_refusal(entry.map(PolicyEntry::policy), request)
}

/// Whether the request comes from the server's own origin, by cors-core's
/// rule, with the scheme and host as actix-web reads them (forwarding
/// headers included).
pub(crate) fn same_origin(req: &ServiceRequest, origin: &[u8]) -> bool {
    let sec_fetch_site = req.headers().get("sec-fetch-site").map(|v| v.as_bytes());
    // Before reading the connection info, which allocates.
    if browser_says_same_origin(sec_fetch_site) {
        return true;
    }
    let info = req.connection_info();
    is_same_origin(origin, sec_fetch_site, info.scheme(), info.host())
}
