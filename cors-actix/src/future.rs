//! The response future of the middleware: a concrete type, not a boxed
//! future.

use crate::live::Live;
use crate::middleware::{After, State};
use crate::witness::{Listen, Served};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::HttpRequest;
use actix_web::{Error, HttpMessage};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

pin_project_lite::pin_project! {
    /// The response future of [`CorsMiddleware`].
    pub struct CorsFuture<F, B> {
        #[pin]
        state: FutureState<F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = FutureStateProj]
    enum FutureState<F, B> {
        // Answered by the middleware itself; taken when ready.
        Done { response: Option<ServiceResponse<EitherBody<B>>> },
        // Waiting for the inner service, then finishing its response.
        Inner {
            #[pin]
            future: F,
            after: Option<After>,
            // The route the router dispatched to, once its witness ran.
            served: Option<Served>,
            state: Rc<State>,
            // The configuration the request started with.
            live: Arc<Live>,
        },
    }
}

impl<F, B> CorsFuture<F, B> {
    /// A response the middleware wrote itself.
    pub(crate) fn answered(response: ServiceResponse<EitherBody<B>>) -> Self {
        CorsFuture {
            state: FutureState::Done {
                response: Some(response),
            },
        }
    }

    /// The inner service's response, to be finished by `after`.
    pub(crate) fn forwarded(
        future: F,
        after: After,
        served: Option<Served>,
        state: Rc<State>,
        live: Arc<Live>,
    ) -> Self {
        CorsFuture {
            state: FutureState::Inner {
                future,
                after: Some(after),
                served,
                state,
                live,
            },
        }
    }
}

impl<F, B> Future for CorsFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            FutureStateProj::Done { response } => Poll::Ready(response.take().ok_or_else(|| {
                actix_web::error::ErrorInternalServerError("polled after completion")
            })),
            FutureStateProj::Inner {
                future,
                after,
                served,
                state,
                live,
            } => {
                // Middleware inside `Cors` may call the handler's service
                // from a poll (a second dispatch included), so the witness
                // can run here too.
                let listen = Listen::start();
                let polled = future.poll(cx);
                if let Some(heard) = listen.finish() {
                    *served = Some(heard);
                }
                let result = std::task::ready!(polled);
                let Some(after) = after.take() else {
                    return Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                        "polled after completion",
                    )));
                };
                Poll::Ready(match result {
                    Ok(mut response) => {
                        let finish = match after {
                            After::Fixed(finish) => finish,
                            After::NoOrigin { .. } => {
                                let request = response.request();
                                let served = answering(*served, request);
                                state.finish_no_origin(
                                    live,
                                    served,
                                    request.method(),
                                    Some(request.match_info().as_str()),
                                    Some(request.resource_map()),
                                )
                            }
                            After::Route { origin, .. } => {
                                let request = response.request();
                                let served = answering(*served, request);
                                state.finish_actual(
                                    live,
                                    served,
                                    origin,
                                    request.method(),
                                    (request.match_info().as_str(), request.path()),
                                    Some(request.resource_map()),
                                )
                            }
                        };
                        finish.apply(response.headers_mut());
                        Ok(response.map_into_left_body())
                    }
                    // Whoever turns the error into a response (an outer
                    // middleware or actix-web itself) gets the headers too.
                    Err(mut error) => {
                        let finish = match after {
                            After::Fixed(finish) => finish,
                            After::NoOrigin { method, path } => {
                                let url =
                                    path.map(|p| p.map(|p| actix_web::dev::Url::new(p.into())));
                                let path = url
                                    .as_ref()
                                    .map(|url| url.as_ref().map_or("", |url| url.path()));
                                state.finish_no_origin(live, *served, &method, path, None)
                            }
                            After::Route {
                                origin,
                                method,
                                path,
                            } => {
                                let url = path.map(|p| actix_web::dev::Url::new(p.into()));
                                let paths = url
                                    .as_ref()
                                    .map_or(("", ""), |url| (url.path(), url.uri().path()));
                                state.finish_actual(live, *served, origin, &method, paths, None)
                            }
                        };
                        error.add_response_mapper(move |mut response| {
                            finish.clone().apply(response.headers_mut());
                            response
                        });
                        Err(error)
                    }
                })
            }
        }
    }
}

/// The report of the witness that saw the request `request` is: heard in
/// the frame, or, from a dispatch on another task, left on the request.
/// When middleware inside `Cors` dispatched the request again (an SPA's
/// fallback to its page), a report of an earlier dispatch is of another
/// request and does not count; if the last dispatch reached no witness,
/// there is no report, and the lookup decides.
fn answering(heard: Option<Served>, request: &HttpRequest) -> Option<Served> {
    match heard {
        Some(heard) if heard.saw(request) => Some(heard),
        _ => {
            let left = request.extensions().get::<Served>().copied();
            [heard, left]
                .into_iter()
                .flatten()
                .filter(|s| s.saw(request))
                .reduce(Served::later)
        }
    }
}
