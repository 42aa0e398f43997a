//! Header names: token syntax, the Fetch standard's forbidden and safelisted
//! names, and the bounded parser for `Access-Control-Request-Headers`.

/// Longest `Access-Control-Request-Headers` value that is parsed at all. A
/// browser sends each non-safelisted header name once, lowercased and joined
/// by `,`; a page would need dozens of custom headers to come near this.
pub const MAX_REQUEST_HEADERS_LEN: usize = 2048;

/// Most names accepted in one `Access-Control-Request-Headers`.
pub const MAX_REQUEST_HEADER_NAMES: usize = 64;

/// Whether `name` is an HTTP token (RFC 9110 §5.6.2), the syntax of header
/// names and methods.
///
/// # Examples
///
/// ```
/// assert!(cors_core::header::is_token(b"X-Requested-With"));
/// assert!(!cors_core::header::is_token(b"x requested"));
/// ```
pub fn is_token(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| TOKEN[usize::from(b)])
}

/// `tchar` of RFC 9110, as a lookup table.
const TOKEN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    table
};

/// Request headers a page can never set: the browser controls them, so they
/// never appear in `Access-Control-Request-Headers` and allowing them means
/// nothing. See the Fetch standard's
/// [forbidden request-header](https://fetch.spec.whatwg.org/#forbidden-request-header).
const FORBIDDEN_REQUEST_HEADERS: &[&str] = &[
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Whether browsers forbid pages from setting this request header
/// (case-insensitive, `proxy-*` and `sec-*` included).
///
/// # Examples
///
/// ```
/// use cors_core::header::is_forbidden_request_header;
///
/// assert!(is_forbidden_request_header("Cookie"));
/// assert!(is_forbidden_request_header("sec-fetch-site"));
/// assert!(!is_forbidden_request_header("authorization"));
/// ```
pub fn is_forbidden_request_header(name: &str) -> bool {
    let has_prefix = |prefix: &str| {
        name.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    has_prefix("proxy-")
        || has_prefix("sec-")
        || FORBIDDEN_REQUEST_HEADERS
            .iter()
            .any(|f| f.eq_ignore_ascii_case(name))
}

/// Response headers JavaScript can always read, so exposing them changes
/// nothing ([CORS-safelisted response-header name](https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name)).
pub const SAFELISTED_RESPONSE_HEADERS: &[&str] = &[
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Response headers that are never readable by JavaScript, exposed or not.
pub const FORBIDDEN_RESPONSE_HEADERS: &[&str] = &["set-cookie", "set-cookie2"];

/// Why an `Access-Control-Request-Headers` value was refused before any name
/// was looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestHeadersProblem {
    /// Over [`MAX_REQUEST_HEADERS_LEN`] bytes or [`MAX_REQUEST_HEADER_NAMES`] names.
    TooLarge,
    /// An item that is not a token.
    InvalidName,
}

/// Splits an `Access-Control-Request-Headers` value into names, tolerating
/// any letter case, spaces or tabs around items, and empty items. The work is
/// bounded: values over [`MAX_REQUEST_HEADERS_LEN`] are refused without being
/// read, and at most [`MAX_REQUEST_HEADER_NAMES`] names are yielded.
///
/// Each item is `Ok(name)` or `Err(problem)`; after an `Err` the iterator ends.
///
/// # Examples
///
/// ```
/// use cors_core::header::request_header_names;
///
/// let names: Vec<_> = request_header_names(b"Content-Type, ,x-a")
///     .map(|n| n.unwrap())
///     .collect();
/// assert_eq!(names, [&b"Content-Type"[..], b"x-a"]);
/// ```
pub fn request_header_names(value: &[u8]) -> RequestHeaderNames<'_> {
    RequestHeaderNames {
        rest: value,
        count: 0,
        failed: value.len() > MAX_REQUEST_HEADERS_LEN,
        oversized: value.len() > MAX_REQUEST_HEADERS_LEN,
    }
}

/// Iterator returned by [`request_header_names`].
#[derive(Clone, Debug)]
pub struct RequestHeaderNames<'a> {
    rest: &'a [u8],
    count: usize,
    failed: bool,
    oversized: bool,
}

impl<'a> Iterator for RequestHeaderNames<'a> {
    type Item = Result<&'a [u8], RequestHeadersProblem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.oversized {
            self.oversized = false;
            return Some(Err(RequestHeadersProblem::TooLarge));
        }
        while !self.failed && !self.rest.is_empty() {
            let (item, rest) = match self.rest.iter().position(|&b| b == b',') {
                Some(comma) => (&self.rest[..comma], &self.rest[comma + 1..]),
                None => (self.rest, &b""[..]),
            };
            self.rest = rest;
            let name = item.trim_ascii();
            if name.is_empty() {
                continue;
            }
            self.count += 1;
            if self.count > MAX_REQUEST_HEADER_NAMES {
                self.failed = true;
                return Some(Err(RequestHeadersProblem::TooLarge));
            }
            if !is_token(name) {
                self.failed = true;
                return Some(Err(RequestHeadersProblem::InvalidName));
            }
            return Some(Ok(name));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[u8]) -> Vec<Result<String, RequestHeadersProblem>> {
        request_header_names(v)
            .map(|r| r.map(|n| String::from_utf8(n.to_vec()).unwrap()))
            .collect()
    }

    #[test]
    fn tolerant_parsing() {
        let rows: &[(&str, &[u8], &[&str])] = &[
            (
                "browser form",
                b"authorization,content-type",
                &["authorization", "content-type"],
            ),
            (
                "spaces and case",
                b"Content-Type, X-A",
                &["Content-Type", "X-A"],
            ),
            ("empty items", b",, x-a ,,\tx-b\t,", &["x-a", "x-b"]),
            ("empty value", b"", &[]),
            ("only commas", b" , ,", &[]),
        ];
        for (description, input, expected) in rows {
            let got: Vec<_> = names(input).into_iter().map(Result::unwrap).collect();
            assert_eq!(&got, expected, "{description}");
        }
    }

    #[test]
    fn invalid_name_ends_the_list() {
        assert_eq!(
            names(b"x-a, bad name, x-b"),
            vec![Ok("x-a".into()), Err(RequestHeadersProblem::InvalidName)]
        );
        assert_eq!(
            names(b"x-\xff"),
            vec![Err(RequestHeadersProblem::InvalidName)]
        );
    }

    #[test]
    fn hostile_values_are_refused_without_reading() {
        let huge: Vec<u8> = (0..10_000)
            .flat_map(|i| format!("x-h{i},").into_bytes())
            .collect();
        assert!(huge.len() > 50_000);
        assert_eq!(names(&huge), vec![Err(RequestHeadersProblem::TooLarge)]);

        let many: Vec<u8> = (0..=MAX_REQUEST_HEADER_NAMES)
            .flat_map(|i| format!("h{i},").into_bytes())
            .collect();
        assert!(many.len() <= MAX_REQUEST_HEADERS_LEN);
        let parsed = names(&many);
        assert_eq!(parsed.len(), MAX_REQUEST_HEADER_NAMES + 1);
        assert_eq!(parsed.last(), Some(&Err(RequestHeadersProblem::TooLarge)));
    }

    #[test]
    fn forbidden_names() {
        for (name, forbidden) in [
            ("cookie", true),
            ("Host", true),
            ("ORIGIN", true),
            ("content-length", true),
            ("Sec-Fetch-Mode", true),
            ("proxy-authorization", true),
            ("authorization", false),
            ("x-sec-thing", false),
            ("content-type", false),
        ] {
            assert_eq!(is_forbidden_request_header(name), forbidden, "{name}");
        }
    }
}
