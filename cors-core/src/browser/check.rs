//! The checks: whether a preflight is sent, the CORS-preflight fetch, the CORS
//! check, and the whole `fetch()`.

use super::*;

/// Whether the browser sends a [CORS preflight] before `request`.
///
/// It does when the normalised method is not `GET`, `HEAD` or `POST`, when a header
/// is not [CORS-safelisted] (`Accept`, `Accept-Language`, `Content-Language`,
/// `Content-Type`, `Range`, each with a valid value of at most 128 bytes, and at most
/// 1024 bytes of such values in total; [`Browser`] says where engines differ).
///
/// # Examples
///
/// ```
/// use cors_core::browser::{needs_preflight, Request};
///
/// let form = Request::new("https://app.example", "POST")
///     .header("Content-Type", "text/plain;charset=UTF-8");
/// assert!(!needs_preflight(&form));
///
/// let json = Request::new("https://app.example", "POST")
///     .header("Content-Type", "application/json");
/// assert!(needs_preflight(&json));
/// ```
///
/// [CORS preflight]: https://fetch.spec.whatwg.org/#cors-preflight-request
/// [CORS-safelisted]: https://fetch.spec.whatwg.org/#cors-safelisted-request-header
#[must_use]
pub fn needs_preflight(request: &Request<'_>) -> bool {
    !is_safelisted_method(request.normalized_method()) || !request.unsafe_header_names().is_empty()
}

/// The preflight the browser sends before `request`, or `None` when it sends none.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{preflight_for, Request};
///
/// let request = Request::new("https://app.example", "patch")
///     .header("X-Requested-With", "fetch")
///     .header("Content-Type", "application/json")
///     .header("x-requested-with", "again");
/// let preflight = preflight_for(&request).expect("needs a preflight");
/// assert_eq!(preflight.method(), "OPTIONS");
/// assert_eq!(preflight.request_method, "patch");
/// assert_eq!(
///     preflight.request_headers.as_deref(),
///     Some("content-type,x-requested-with")
/// );
///
/// assert_eq!(preflight_for(&Request::new("https://app.example", "GET")), None);
/// ```
#[must_use]
pub fn preflight_for(request: &Request<'_>) -> Option<Preflight> {
    if !needs_preflight(request) {
        return None;
    }
    let unsafe_names = request.unsafe_header_names();
    Some(Preflight {
        origin: request.origin.to_owned(),
        request_method: request.normalized_method().to_owned(),
        request_headers: (!unsafe_names.is_empty()).then(|| unsafe_names.join(",")),
    })
}

/// The checks of the [CORS-preflight fetch] on `preflight_response`, in Chrome's
/// order: no redirect; the CORS check (`Access-Control-Allow-Origin`, and
/// `Access-Control-Allow-Credentials` when credentials are included); an ok status
/// (2xx); parsable `Access-Control-Allow-Methods` and `Access-Control-Allow-Headers`; the
/// method allowed; every CORS-unsafe request header allowed.
///
/// The checks run even when `request` would need no preflight.
///
/// # Errors
///
/// Returns [`Blocked`] with [`Stage::Preflight`] and the first failing check's
/// [`BlockedKind`].
///
/// # Examples
///
/// ```
/// use cors_core::browser::{check_preflight, BlockedKind, Request, Response, Warning};
///
/// let request = Request::new("https://app.example", "DELETE")
///     .header("Authorization", "Bearer abc");
/// let preflight = Response::new(204)
///     .header("Access-Control-Allow-Origin", "*")
///     .header("Access-Control-Allow-Methods", "GET, DELETE")
///     .header("Access-Control-Allow-Headers", "*");
///
/// // Browsers accept `*` for `authorization`, the standard does not.
/// let verdict = check_preflight(&request, &preflight)?;
/// assert_eq!(verdict.warnings, [Warning::AuthorizationCoveredByWildcard]);
///
/// let put = Request::new("https://app.example", "PUT");
/// let blocked = check_preflight(&put, &preflight).unwrap_err();
/// assert_eq!(blocked.kind, BlockedKind::MethodNotAllowed);
/// assert_eq!(
///     blocked.to_string(),
///     "blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods \
///      in preflight response."
/// );
/// # Ok::<(), cors_core::browser::Blocked>(())
/// ```
///
/// [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch
pub fn check_preflight(
    request: &Request<'_>,
    preflight_response: &Response<'_>,
) -> Result<Verdict, Blocked> {
    preflight_checks(request, preflight_response).verdict()
}

/// Every check of the [CORS-preflight fetch], each run on its own, where
/// [`check_preflight`] stops at the first failure: one result per debugging
/// question, for a tool that shows them all.
///
/// [`PreflightChecks::verdict`] is what the browser decides, in its order.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{preflight_checks, BlockedKind, Request, Response};
///
/// let request = Request::new("https://app.example", "PUT").header("X-Trace", "1");
/// let preflight = Response::new(204)
///     .header("Access-Control-Allow-Origin", "https://app.example")
///     .header("Access-Control-Allow-Methods", "GET");
/// let checks = preflight_checks(&request, &preflight);
/// assert!(checks.status.is_ok() && checks.allow_origin.is_ok());
/// assert_eq!(checks.allow_methods.unwrap_err().kind, BlockedKind::MethodNotAllowed);
/// assert_eq!(checks.allow_headers.unwrap_err().kind, BlockedKind::HeaderNotAllowed);
/// ```
///
/// [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch
#[must_use]
pub fn preflight_checks(
    request: &Request<'_>,
    preflight_response: &Response<'_>,
) -> PreflightChecks {
    let stage = Stage::Preflight;
    let status = preflight_response.status;
    let status = if is_redirect(preflight_response) {
        Err(Blocked::new(BlockedKind::PreflightRedirect, stage).with_value(status.to_string()))
    } else if !(200..=299).contains(&status) {
        Err(Blocked::new(BlockedKind::PreflightStatus, stage).with_value(status.to_string()))
    } else {
        Ok(())
    };
    PreflightChecks {
        status,
        allow_origin: cors_check(request, preflight_response, stage),
        allow_methods: allow_list(preflight_response, ALLOW_METHODS)
            .and_then(|methods| check_method(request, &methods)),
        allow_headers: allow_list(preflight_response, ALLOW_HEADERS)
            .and_then(|names| check_headers(request, &names)),
    }
}

/// The checks of a preflight response, each on its own: see [`preflight_checks`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PreflightChecks {
    /// No redirect, and a 2xx status.
    pub status: Result<(), Blocked>,
    /// The CORS check: `Access-Control-Allow-Origin`, and with credentials
    /// `Access-Control-Allow-Credentials`.
    pub allow_origin: Result<(), Blocked>,
    /// `Access-Control-Allow-Methods` parses and allows the method.
    pub allow_methods: Result<(), Blocked>,
    /// `Access-Control-Allow-Headers` parses and allows every CORS-unsafe request
    /// header; the warnings of a pass.
    pub allow_headers: Result<Vec<Warning>, Blocked>,
}

impl PreflightChecks {
    /// The browser's decision: the first failure in Chrome's order (a redirect,
    /// the CORS check, the status, an unparsable list, the method, the headers),
    /// as [`check_preflight`] returns it.
    ///
    /// # Errors
    ///
    /// The first failing check's [`Blocked`].
    pub fn verdict(self) -> Result<Verdict, Blocked> {
        let Self {
            status,
            allow_origin,
            allow_methods,
            allow_headers,
        } = self;
        // Each `first` returns the failures the browser meets before the next step.
        let status = first(status, BlockedKind::PreflightRedirect)?;
        allow_origin?;
        status?;
        let methods = first(allow_methods, BlockedKind::InvalidHeaderList)?;
        let headers = first(allow_headers, BlockedKind::InvalidHeaderList)?;
        methods?;
        let warnings = headers?;
        Ok(Verdict { warnings })
    }
}

/// `Err` when `result` failed with `kind`; otherwise `result`, for later.
fn first<T>(result: Result<T, Blocked>, kind: BlockedKind) -> Result<Result<T, Blocked>, Blocked> {
    match result {
        Err(blocked) if blocked.kind == kind => Err(blocked),
        result => Ok(result),
    }
}

/// The [CORS check] on the actual `response`, and the headers JavaScript can read.
///
/// `Access-Control-Allow-Origin` must be present, a single value, and either `*` (only
/// when credentials are not included) or byte-equal to the request's origin. With
/// credentials included, `Access-Control-Allow-Credentials` must be exactly `true`.
/// The status does not matter: a 500 with the right headers is readable, a 401
/// without them reaches the page as a network error.
///
/// # Errors
///
/// Returns [`Blocked`] with [`Stage::Response`] when the CORS check fails.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{check_response, BlockedKind, CredentialsMode, Request, Response};
///
/// let request = Request::new("https://app.example", "GET")
///     .credentials(CredentialsMode::Include);
/// let response = Response::new(200)
///     .header("Access-Control-Allow-Origin", "https://app.example")
///     .header("Access-Control-Allow-Credentials", "True");
/// let blocked = check_response(&request, &response).unwrap_err();
/// assert_eq!(blocked.kind, BlockedKind::AllowCredentialsNotTrue);
/// assert_eq!(blocked.value.as_deref(), Some("True"));
/// ```
///
/// [CORS check]: https://fetch.spec.whatwg.org/#concept-cors-check
pub fn check_response(request: &Request<'_>, response: &Response<'_>) -> Result<Readable, Blocked> {
    cors_check(request, response, Stage::Response)?;
    Ok(Readable::from_response(request, response))
}

/// The whole cycle of a cross-origin `fetch()`: the preflight when
/// [`needs_preflight`], then the actual response.
///
/// `preflight_response` is ignored when no preflight is needed. Warnings from the
/// preflight are kept in [`Readable::warnings`].
///
/// # Errors
///
/// Returns [`Blocked`] with [`BlockedKind::PreflightMissing`] when a preflight is
/// needed and `preflight_response` is `None`, the error of [`check_preflight`], or the
/// error of [`check_response`].
///
/// # Examples
///
/// ```
/// use cors_core::browser::{fetch, BlockedKind, Request, Response};
///
/// let request = Request::new("https://app.example", "GET").header("X-Trace", "1");
/// let response = Response::new(200).header("Access-Control-Allow-Origin", "*");
/// let blocked = fetch(&request, None, &response).unwrap_err();
/// assert_eq!(blocked.kind, BlockedKind::PreflightMissing);
///
/// let preflight = Response::new(204)
///     .header("Access-Control-Allow-Origin", "*")
///     .header("Access-Control-Allow-Headers", "x-trace");
/// assert!(fetch(&request, Some(&preflight), &response).is_ok());
///
/// // A public page's request to a local address waits for the user, in Chrome.
/// let local = Request::new("https://public.example", "GET").private_network(true);
/// let blocked = fetch(&local, None, &response).unwrap_err();
/// assert_eq!(blocked.kind, BlockedKind::LocalNetworkPermission);
/// ```
pub fn fetch(
    request: &Request<'_>,
    preflight_response: Option<&Response<'_>>,
    response: &Response<'_>,
) -> Result<Readable, Blocked> {
    if request.private_network && request.browser.asks_local_network_permission() {
        return Err(Blocked::new(
            BlockedKind::LocalNetworkPermission,
            Stage::Preflight,
        ));
    }
    let warnings = if needs_preflight(request) {
        let preflight_response = preflight_response
            .ok_or_else(|| Blocked::new(BlockedKind::PreflightMissing, Stage::Preflight))?;
        check_preflight(request, preflight_response)?.warnings
    } else {
        Vec::new()
    };
    let mut readable = check_response(request, response)?;
    readable.warnings = warnings;
    Ok(readable)
}

/// The CORS check shared by the preflight and the actual response.
pub(super) fn cors_check(
    request: &Request<'_>,
    response: &Response<'_>,
    stage: Stage,
) -> Result<(), Blocked> {
    let origin_error = |kind| Blocked::new(kind, stage).with_header(ALLOW_ORIGIN);
    let Some(allow_origin) = response.combined(ALLOW_ORIGIN) else {
        return Err(origin_error(BlockedKind::MissingAllowOrigin));
    };
    if allow_origin == "*" {
        return if request.includes_credentials() {
            Err(origin_error(BlockedKind::WildcardOriginWithCredentials).with_value(allow_origin))
        } else {
            Ok(())
        };
    }
    if allow_origin != request.origin {
        let kind = if allow_origin.contains([',', ' ']) {
            BlockedKind::MultipleAllowOrigin
        } else {
            BlockedKind::AllowOriginMismatch
        };
        return Err(origin_error(kind).with_value(allow_origin));
    }
    if request.includes_credentials() {
        let allow_credentials = response.combined(ALLOW_CREDENTIALS);
        if allow_credentials.as_deref() != Some("true") {
            let mut blocked = Blocked::new(BlockedKind::AllowCredentialsNotTrue, stage)
                .with_header(ALLOW_CREDENTIALS);
            blocked.value = allow_credentials;
            return Err(blocked);
        }
    }
    Ok(())
}

pub(super) fn is_redirect(response: &Response<'_>) -> bool {
    response.redirect_location().is_some()
}

/// A preflight allow-list header; an item that is not a token fails the preflight.
pub(super) fn allow_list<'r>(
    response: &Response<'r>,
    name: &'static str,
) -> Result<Vec<&'r str>, Blocked> {
    header_list(response, name).map_err(|item| {
        Blocked::new(BlockedKind::InvalidHeaderList, Stage::Preflight)
            .with_header(name)
            .with_value(item)
    })
}

/// The items of a comma-separated header list over all lines named `name`: trimmed,
/// empty items skipped; `Err` with the first item that is not an HTTP token.
/// An absent header is an empty list.
pub(super) fn header_list<'r>(
    response: &Response<'r>,
    name: &str,
) -> Result<Vec<&'r str>, &'r str> {
    let mut items = Vec::new();
    for line in response.values(name) {
        for item in line
            .split(',')
            .map(trim_ows)
            .filter(|item| !item.is_empty())
        {
            if !is_token(item) {
                return Err(item);
            }
            items.push(item);
        }
    }
    Ok(items)
}

pub(super) fn check_method(request: &Request<'_>, allowed: &[&str]) -> Result<(), Blocked> {
    let method = request.normalized_method();
    let wildcard = !request.includes_credentials() && allowed.contains(&"*");
    if is_safelisted_method(method) || allowed.contains(&method) || wildcard {
        return Ok(());
    }
    Err(
        Blocked::new(BlockedKind::MethodNotAllowed, Stage::Preflight)
            .with_header(ALLOW_METHODS)
            .with_value(method),
    )
}

pub(super) fn check_headers(
    request: &Request<'_>,
    allowed: &[&str],
) -> Result<Vec<Warning>, Blocked> {
    let wildcard = !request.includes_credentials() && allowed.contains(&"*");
    let mut warnings = Vec::new();
    for name in request.unsafe_header_names() {
        if allowed.iter().any(|item| item.eq_ignore_ascii_case(&name)) {
            continue;
        }
        if !wildcard {
            return Err(
                Blocked::new(BlockedKind::HeaderNotAllowed, Stage::Preflight)
                    .with_header(ALLOW_HEADERS)
                    .with_value(name),
            );
        }
        // The standard's "CORS non-wildcard request-header name"; browsers let it pass.
        if name == "authorization" {
            warnings.push(Warning::AuthorizationCoveredByWildcard);
        }
    }
    Ok(warnings)
}
