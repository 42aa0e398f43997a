//! The witness: route middleware that `#[cors]` adds to each route of a
//! handler. It runs after routing, guards included, and tells the running
//! `Cors` which route the router dispatched to, through a thread-local
//! [`Listen`] frame; the response then follows that route's policy. It also
//! notices a handler served without `Cors`, and lets strict mode check the
//! routed handler's policy before it runs.

use crate::register::RouteCors;
use actix_web::dev::{RequestHead, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{HttpMessage, HttpRequest};
use futures_util::future::{ready, Either, Ready};
use std::cell::Cell;
use std::sync::atomic::Ordering;

/// Route middleware added by `#[cors]` to each route of a handler. It runs
/// after routing, guards included, and tells the `Cors` middleware which
/// route the router dispatched to, so that the response follows that
/// route's policy. It also notices a handler served without `Cors`.
#[doc(hidden)]
pub struct Witness {
    route: &'static RouteCors,
    def: u16,
}

impl Witness {
    #[doc(hidden)]
    pub const fn new(route: &'static RouteCors, def: u16) -> Self {
        Witness { route, def }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Witness
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = WitnessService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(WitnessService {
            served: Served {
                route: self.route,
                def: self.def,
                seq: 0,
                saw: (0, 0, 0),
            },
            service,
        }))
    }
}

#[doc(hidden)]
pub struct WitnessService<S> {
    served: Served,
    service: S,
}

impl<S, B> Service<ServiceRequest> for WitnessService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = Either<S::Future, Ready<Result<ServiceResponse<B>, actix_web::Error>>>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let served = Served {
            seq: SEQ.with(|seq| {
                let next = seq.get().wrapping_add(1);
                seq.set(next);
                next
            }),
            saw: identity(req.head()),
            ..self.served
        };
        let inside_cors = FRAME.with(|frame| match frame.get() {
            Frame::Idle => false,
            Frame::Active(_) => {
                frame.set(Frame::Active(Some(served)));
                true
            }
        });
        if !inside_cors {
            if self.served.route.covered.load(Ordering::Relaxed) {
                // `Cors` is around, but the request reached the handler on
                // another task (middleware that spawns the inner call): the
                // report travels with the request instead.
                req.extensions_mut().insert(served);
            } else {
                crate::diagnostics::served_without_cors(self.served.route);
            }
        }
        // Strict mode, checked again now that the route is known. The
        // request carries the check only if some `Cors` in the process is
        // strict: otherwise its extensions are not even looked at.
        if crate::strict::ANY_STRICT.load(Ordering::Relaxed) {
            if let Some(refused) = crate::strict::strict_refusal_after_routing(&req, served) {
                return Either::Right(ready(Err(refused)));
            }
        }
        Either::Left(self.service.call(req))
    }
}

/// The route a request was dispatched to, as its witness reports it.
#[derive(Clone, Copy)]
pub(crate) struct Served {
    pub route: &'static RouteCors,
    pub def: u16,
    /// When the witness spoke, counted per thread (a request's tasks all run
    /// on its worker's thread): of two reports for one request, dispatched
    /// twice, the later is that of the handler that answered.
    pub seq: u32,
    /// Which request the witness saw: see [`identity`].
    saw: (usize, usize, usize),
}

/// What tells one dispatch's request from another's: the addresses of its
/// target's and its method's text, and the target's length. Middleware
/// that dispatches a request again gives it a new target, or a new method,
/// while the old one is still in place, so their addresses differ; the same
/// request answered, rewritten or not before routing, shares the witness's.
/// (An address is compared, never read.)
fn identity(head: &RequestHead) -> (usize, usize, usize) {
    let target = head.uri.path_and_query().map_or("", |p| p.as_str());
    (
        target.as_ptr() as usize,
        target.len(),
        head.method.as_str().as_ptr() as usize,
    )
}

impl Served {
    /// Whether this report is of the request `request` is now.
    pub fn saw(&self, request: &HttpRequest) -> bool {
        self.saw == identity(request.head())
    }

    /// The later of two reports.
    pub fn later(self, other: Served) -> Served {
        // Wrapping: the counter runs over after 2³² witnesses.
        match self.seq.wrapping_sub(other.seq) as i32 > 0 {
            true => self,
            false => other,
        }
    }
}

thread_local! {
    static SEQ: Cell<u32> = const { Cell::new(0) };
}

/// What the `Cors` middleware running on this thread has heard from
/// witnesses while it called or polled the services inside it.
#[derive(Clone, Copy)]
enum Frame {
    /// No `Cors` is calling or polling right now.
    Idle,
    /// A `Cors` is; the witness that ran, if one did.
    Active(Option<Served>),
}

thread_local! {
    static FRAME: Cell<Frame> = const { Cell::new(Frame::Idle) };
}

/// Opens a frame for one call or poll of the services inside `Cors`; the
/// witness of the route the router picks writes into it. Restores the
/// enclosing frame when finished or dropped (a panic included).
pub(crate) struct Listen {
    saved: Frame,
}

impl Listen {
    pub fn start() -> Listen {
        Listen {
            saved: FRAME.with(|f| f.replace(Frame::Active(None))),
        }
    }

    /// The route whose witness ran inside this frame, if any. A `Cors`
    /// around this one (on the App, when this one is on a scope) hears of
    /// it too.
    pub fn finish(self) -> Option<Served> {
        let heard = match FRAME.with(|f| f.get()) {
            Frame::Active(served) => served,
            Frame::Idle => None,
        };
        // What this frame heard is newer than what the frame around it had
        // heard before (a second dispatch within one poll of the outer
        // `Cors`), so it replaces it.
        let restored = match (self.saved, heard) {
            (Frame::Active(_), Some(_)) => Frame::Active(heard),
            (saved, _) => saved,
        };
        FRAME.with(|f| f.set(restored));
        std::mem::forget(self);
        heard
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        FRAME.with(|f| f.set(self.saved));
    }
}
