//! The witness: route middleware that `#[cors]` adds to each route of a
//! handler. It runs after routing, guards included, and tells the running
//! `Cors` which route the router dispatched to, through a thread-local
//! [`Listen`] frame; the response then follows that route's policy. It also
//! notices a handler served without `Cors`, and lets strict mode check the
//! routed handler's policy before it runs.

use crate::register::RouteCors;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::HttpMessage;
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
        let frame = FRAME.with(|frame| {
            let now = frame.get();
            if let Frame::Active { strict, .. } = now {
                frame.set(Frame::Active {
                    heard: Some(self.served),
                    strict,
                });
            }
            now
        });
        if let Frame::Idle = frame {
            if self.served.route.covered.load(Ordering::Relaxed) {
                // `Cors` is around, but the request reached the handler on
                // another task (middleware that spawns the inner call): the
                // report travels with the request instead.
                req.extensions_mut().insert(self.served);
            } else {
                crate::diagnostics::served_without_cors(self.served.route);
            }
        }
        // Strict mode, checked again now that the route is known (outside a
        // frame, the request's extensions tell whether it applies).
        let strict = match frame {
            Frame::Active { strict, .. } => strict,
            Frame::Idle => true,
        };
        if strict {
            if let Some(refused) = crate::strict::strict_refusal_after_routing(&req, self.served) {
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
}

/// What the `Cors` middleware running on this thread has heard from
/// witnesses while it called or polled the services inside it.
#[derive(Clone, Copy)]
enum Frame {
    /// No `Cors` is calling or polling right now.
    Idle,
    /// A `Cors` is: the witness that ran, if one did, and whether that
    /// `Cors` is in strict mode.
    Active { heard: Option<Served>, strict: bool },
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
    /// `strict`: whether this `Cors` is in strict mode; a strict `Cors`
    /// around this one keeps the frame strict.
    pub fn start(strict: bool) -> Listen {
        FRAME.with(|f| {
            let saved = f.get();
            let outer = matches!(saved, Frame::Active { strict: true, .. });
            f.set(Frame::Active {
                heard: None,
                strict: strict || outer,
            });
            Listen { saved }
        })
    }

    /// The route whose witness ran inside this frame, if any. A `Cors`
    /// around this one (on the App, when this one is on a scope) hears of
    /// it too.
    pub fn finish(self) -> Option<Served> {
        let saved = self.saved;
        std::mem::forget(self);
        FRAME.with(|f| {
            let heard = match f.get() {
                Frame::Active { heard, .. } => heard,
                Frame::Idle => None,
            };
            f.set(match (saved, heard) {
                (
                    Frame::Active {
                        heard: None,
                        strict,
                    },
                    Some(_),
                ) => Frame::Active { heard, strict },
                (saved, _) => saved,
            });
            heard
        })
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        FRAME.with(|f| f.set(self.saved));
    }
}
