//! The decision engine: a pure function from a policy and the CORS-relevant
//! parts of a request to what the server should do.
//!
//! It never allocates: every header value it returns is either precomputed in
//! the [`Policy`] or borrowed from the request.

use crate::header::{request_header_lines, request_header_names, RequestHeadersProblem};
use crate::policy::{Allowed, Origins, Policy};
use crate::reason::Reason;

/// A request header as the engine sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RequestHeader<'a> {
    /// Not sent.
    #[default]
    Absent,
    /// Sent once, with this value.
    One(&'a [u8]),
    /// Sent on more than one line, values not given. Browsers send each of
    /// these headers once, so the engine refuses such requests.
    Repeated,
    /// Sent on these lines. `Access-Control-Request-Headers` is a list, and
    /// proxies may split a list over several lines: the engine reads them as
    /// one line joined with commas, under the same bounds. For `Origin` and
    /// `Access-Control-Request-Method`, several lines are refused as
    /// [`Repeated`](RequestHeader::Repeated) are.
    Lines(&'a [&'a [u8]]),
}

impl<'a> RequestHeader<'a> {
    /// From the values of every line of one header; several lines give
    /// [`Repeated`](RequestHeader::Repeated). To keep their values, collect
    /// them and pass [`Lines`](RequestHeader::Lines).
    pub fn from_lines<I: IntoIterator<Item = &'a [u8]>>(lines: I) -> Self {
        let mut lines = lines.into_iter();
        match (lines.next(), lines.next()) {
            (None, _) => RequestHeader::Absent,
            (Some(one), None) => RequestHeader::One(one),
            (Some(_), Some(_)) => RequestHeader::Repeated,
        }
    }

    fn is_present(self) -> bool {
        !matches!(self, RequestHeader::Absent)
    }
}

/// The parts of a request the decision depends on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Request<'a> {
    /// The request method.
    pub method: &'a [u8],
    /// `Origin`.
    pub origin: RequestHeader<'a>,
    /// `Access-Control-Request-Method`.
    pub request_method: RequestHeader<'a>,
    /// `Access-Control-Request-Headers`.
    pub request_headers: RequestHeader<'a>,
    /// `Access-Control-Request-Private-Network`.
    pub request_private_network: RequestHeader<'a>,
}

impl<'a> Request<'a> {
    /// A request with this method and no CORS headers.
    pub fn new(method: &'a [u8]) -> Self {
        Request {
            method,
            ..Request::default()
        }
    }

    /// Sets `Origin`.
    pub fn origin(mut self, origin: &'a [u8]) -> Self {
        self.origin = RequestHeader::One(origin);
        self
    }

    /// Sets `Access-Control-Request-Method`.
    pub fn request_method(mut self, method: &'a [u8]) -> Self {
        self.request_method = RequestHeader::One(method);
        self
    }

    /// Sets `Access-Control-Request-Headers`.
    pub fn request_headers(mut self, headers: &'a [u8]) -> Self {
        self.request_headers = RequestHeader::One(headers);
        self
    }

    /// Whether this is a CORS preflight: `OPTIONS` with both `Origin` and
    /// `Access-Control-Request-Method`. Any other `OPTIONS` belongs to the
    /// application.
    pub fn is_preflight(&self) -> bool {
        self.method == b"OPTIONS" && self.origin.is_present() && self.request_method.is_present()
    }
}

/// The `Vary` tokens a response must carry, as a small set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Vary(u8);

impl Vary {
    /// No token.
    pub const NONE: Vary = Vary(0);
    /// `Origin`.
    pub const ORIGIN: Vary = Vary(1);
    /// `Access-Control-Request-Method`.
    pub const REQUEST_METHOD: Vary = Vary(2);
    /// `Access-Control-Request-Headers`.
    pub const REQUEST_HEADERS: Vary = Vary(4);
    /// `Access-Control-Request-Private-Network`.
    pub const REQUEST_PRIVATE_NETWORK: Vary = Vary(8);

    const NAMES: [&'static str; 4] = [
        "Origin",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Access-Control-Request-Private-Network",
    ];

    /// Every combination, joined once, indexed by the bits.
    const VALUES: [&'static str; 16] = [
        "",
        "Origin",
        "Access-Control-Request-Method",
        "Origin, Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Origin, Access-Control-Request-Headers",
        "Access-Control-Request-Method, Access-Control-Request-Headers",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        "Access-Control-Request-Private-Network",
        "Origin, Access-Control-Request-Private-Network",
        "Access-Control-Request-Method, Access-Control-Request-Private-Network",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Private-Network",
        "Access-Control-Request-Headers, Access-Control-Request-Private-Network",
        "Origin, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
        "Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
    ];

    /// Both sets.
    pub const fn union(self, other: Vary) -> Vary {
        Vary(self.0 | other.0)
    }

    /// Whether no token is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every token of `other` is set.
    pub const fn contains(self, other: Vary) -> bool {
        self.0 & other.0 == other.0
    }

    /// The header value, tokens joined by `, ` (empty for [`Vary::NONE`]).
    pub const fn value(self) -> &'static str {
        Self::VALUES[self.index()]
    }

    /// How many sets there are: every [`Vary::index`] is below it.
    pub const COUNT: usize = 16;

    /// A number below [`Vary::COUNT`] that identifies the set, for tables
    /// built once per set, such as ready-made header values.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::Vary;
    ///
    /// let values: Vec<&str> = (0..Vary::COUNT).map(|i| Vary::from_index(i).value()).collect();
    /// let vary = Vary::ORIGIN.union(Vary::REQUEST_METHOD);
    /// assert_eq!(values[vary.index()], "Origin, Access-Control-Request-Method");
    /// assert_eq!(Vary::from_index(vary.index()), vary);
    /// ```
    pub const fn index(self) -> usize {
        (self.0 & 15) as usize
    }

    /// The set whose [`Vary::index`] is `index` (taken modulo
    /// [`Vary::COUNT`]).
    pub const fn from_index(index: usize) -> Vary {
        Vary((index % Self::COUNT) as u8)
    }

    /// The tokens still missing from a response that already has these
    /// `Vary` lines, so that merging never duplicates a token. `Vary: *`
    /// already covers everything.
    ///
    /// # Examples
    ///
    /// ```
    /// use cors_core::Vary;
    ///
    /// let wanted = Vary::ORIGIN.union(Vary::REQUEST_METHOD);
    /// let missing = wanted.missing_from([&b"accept-encoding, origin"[..]]);
    /// assert_eq!(missing, Vary::REQUEST_METHOD);
    /// assert_eq!(wanted.missing_from([&b"*"[..]]), Vary::NONE);
    /// ```
    pub fn missing_from<'a, I: IntoIterator<Item = &'a [u8]>>(self, existing: I) -> Vary {
        let mut missing = self.0;
        for line in existing {
            for token in line.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
                if token == b"*" {
                    return Vary::NONE;
                }
                for (bit, name) in Self::NAMES.iter().enumerate() {
                    if token.eq_ignore_ascii_case(name.as_bytes()) {
                        missing &= !(1 << bit);
                    }
                }
            }
        }
        Vary(missing)
    }
}

/// The value of `Access-Control-Allow-Origin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllowOrigin<'a> {
    /// `*`.
    Any,
    /// The request's own `Origin`, echoed back (validated, never the list).
    Mirror(&'a str),
}

impl<'a> AllowOrigin<'a> {
    /// The header value.
    pub fn value(self) -> &'a str {
        match self {
            AllowOrigin::Any => "*",
            AllowOrigin::Mirror(origin) => origin,
        }
    }
}

/// The CORS headers to set on a response. Empty strings mean "do not send".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorsHeaders<'a> {
    /// `Access-Control-Allow-Origin`.
    pub allow_origin: AllowOrigin<'a>,
    /// `Access-Control-Allow-Credentials: true`.
    pub allow_credentials: bool,
    /// `Access-Control-Allow-Methods` (preflights).
    pub allow_methods: &'a str,
    /// `Access-Control-Allow-Headers` (preflights).
    pub allow_headers: &'a str,
    /// `Access-Control-Max-Age` (preflights).
    pub max_age: &'a str,
    /// `Access-Control-Allow-Private-Network: true` (preflights).
    pub allow_private_network: bool,
    /// `Access-Control-Expose-Headers` (actual responses).
    pub expose_headers: &'a str,
    /// Tokens to merge into `Vary`.
    pub vary: Vary,
}

impl<'a> CorsHeaders<'a> {
    /// The `Access-Control-*` header lines to set, lowercase names first.
    /// `Vary` is not included: merge [`CorsHeaders::vary`] with what the
    /// response already has.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'a str)> {
        let flag = |on: bool| if on { "true" } else { "" };
        [
            ("access-control-allow-origin", self.allow_origin.value()),
            (
                "access-control-allow-credentials",
                flag(self.allow_credentials),
            ),
            ("access-control-allow-methods", self.allow_methods),
            ("access-control-allow-headers", self.allow_headers),
            ("access-control-max-age", self.max_age),
            (
                "access-control-allow-private-network",
                flag(self.allow_private_network),
            ),
            ("access-control-expose-headers", self.expose_headers),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
    }
}

/// What to do with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision<'a> {
    /// No `Origin`: not a CORS request. Serve it and merge `vary`.
    NotCors {
        /// Tokens to merge into `Vary` (a cache must not hand this response
        /// to a cross-origin reader).
        vary: Vary,
    },
    /// A preflight to answer now, with `status` and these headers; nothing
    /// behind the middleware runs.
    Preflight {
        /// The status to answer with (2xx).
        status: u16,
        /// The headers.
        headers: CorsHeaders<'a>,
    },
    /// A preflight to refuse (403 without CORS headers).
    PreflightRefused {
        /// Why.
        reason: Reason<'a>,
        /// Tokens to merge into `Vary`.
        vary: Vary,
    },
    /// An actual request from an allowed origin: serve it and add these
    /// headers to its response, whatever its status.
    Allowed(CorsHeaders<'a>),
    /// An actual request from an origin the policy does not allow: serve it
    /// without CORS headers, so the browser hides the response.
    Rejected {
        /// Why.
        reason: Reason<'a>,
        /// Tokens to merge into `Vary`.
        vary: Vary,
    },
}

/// Decides what a policy says about a request.
///
/// # Examples
///
/// ```
/// use cors_core::{decide, Decision, Policy, PolicySpec, Request};
///
/// let policy = Policy::build(&PolicySpec {
///     origins: Some(&["https://app.example.com"]),
///     methods: Some(&["GET", "PUT"]),
///     headers: Some(&["content-type"]),
///     ..PolicySpec::EMPTY
/// })
/// .unwrap();
///
/// let preflight = Request::new(b"OPTIONS")
///     .origin(b"https://app.example.com")
///     .request_method(b"PUT")
///     .request_headers(b"content-type");
/// let Decision::Preflight { status, headers } = decide(&policy, &preflight) else { panic!() };
/// assert_eq!(status, 204);
/// assert_eq!(headers.allow_origin.value(), "https://app.example.com");
/// assert_eq!(headers.allow_methods, "GET, PUT");
///
/// let evil = Request::new(b"GET").origin(b"https://evil.example");
/// assert!(matches!(decide(&policy, &evil), Decision::Rejected { .. }));
/// ```
pub fn decide<'a>(policy: &'a Policy, request: &Request<'a>) -> Decision<'a> {
    let origin_vary = if policy.varies_by_origin() {
        Vary::ORIGIN
    } else {
        Vary::NONE
    };
    let preflight = request.is_preflight();
    // A Private Network Access preflight's answer depends on its
    // `Access-Control-Request-Private-Network` too.
    let private_network = if request.request_private_network.is_present() || policy.private_network
    {
        Vary::REQUEST_PRIVATE_NETWORK
    } else {
        Vary::NONE
    };
    let vary = if preflight {
        origin_vary
            .union(Vary::REQUEST_METHOD)
            .union(Vary::REQUEST_HEADERS)
            .union(private_network)
    } else {
        origin_vary
    };
    let reject = |reason| match preflight {
        true => Decision::PreflightRefused { reason, vary },
        false => Decision::Rejected { reason, vary },
    };

    let origin = match request.origin {
        RequestHeader::Absent => return Decision::NotCors { vary },
        // The refusal depends on `Origin` even under a `*` policy: without
        // `Vary: Origin`, a cache could hand this header-less answer to every
        // later `fetch()` of the URL.
        RequestHeader::Repeated | RequestHeader::Lines(_) => {
            let vary = vary.union(Vary::ORIGIN);
            let reason = Reason::RepeatedHeader { name: "origin" };
            return match preflight {
                true => Decision::PreflightRefused { reason, vary },
                false => Decision::Rejected { reason, vary },
            };
        }
        RequestHeader::One(origin) => origin,
    };
    let allow_origin = match &policy.origins {
        Origins::Any => AllowOrigin::Any,
        Origins::List(set) => match set.matches(origin) {
            Some(origin) => AllowOrigin::Mirror(origin),
            None => return reject(Reason::OriginNotAllowed { origin }),
        },
    };
    let mut headers = CorsHeaders {
        allow_origin,
        allow_credentials: policy.credentials,
        allow_methods: "",
        allow_headers: "",
        max_age: "",
        allow_private_network: false,
        expose_headers: "",
        vary,
    };
    if !preflight {
        headers.expose_headers = policy.expose_headers_value();
        return Decision::Allowed(headers);
    }
    if let Err(reason) = check_preflight(policy, request) {
        return reject(reason);
    }
    headers.allow_methods = policy.allow_methods_value();
    headers.allow_headers = policy.allow_headers_value();
    headers.max_age = policy.max_age_value();
    headers.allow_private_network =
        policy.private_network && request.request_private_network == RequestHeader::One(b"true");
    Decision::Preflight {
        status: policy.preflight_status,
        headers,
    }
}

fn check_preflight<'a>(policy: &Policy, request: &Request<'a>) -> Result<(), Reason<'a>> {
    let method = match request.request_method {
        RequestHeader::One(method) => method,
        _ => {
            return Err(Reason::RepeatedHeader {
                name: "access-control-request-method",
            })
        }
    };
    if !crate::method::is_method(method) {
        return Err(Reason::InvalidMethod { method });
    }
    if let Allowed::List(methods) = &policy.methods {
        if methods.get(&[method]).is_none() {
            return Err(Reason::MethodNotAllowed { method });
        }
    }
    match request.request_headers {
        RequestHeader::Absent => {}
        RequestHeader::Repeated => {
            return Err(Reason::RepeatedHeader {
                name: "access-control-request-headers",
            })
        }
        RequestHeader::One(_) | RequestHeader::Lines(_) => {
            let names = match request.request_headers {
                RequestHeader::Lines(lines) => request_header_lines(lines),
                RequestHeader::One(value) => request_header_names(value),
                _ => request_header_names(b""),
            };
            for name in names {
                let name = name.map_err(|problem| match problem {
                    RequestHeadersProblem::TooLarge => Reason::TooManyRequestHeaders,
                    RequestHeadersProblem::InvalidName => Reason::InvalidRequestHeaders,
                })?;
                if let Allowed::List(allowed) = &policy.headers {
                    if allowed.get_ignore_case(name).is_none() {
                        return Err(Reason::HeaderNotAllowed { header: name });
                    }
                }
            }
        }
    }
    match request.request_private_network {
        RequestHeader::One(b"true") if !policy.private_network => {
            Err(Reason::PrivateNetworkNotAllowed)
        }
        RequestHeader::Repeated | RequestHeader::Lines(_) => Err(Reason::RepeatedHeader {
            name: "access-control-request-private-network",
        }),
        _ => Ok(()),
    }
}
