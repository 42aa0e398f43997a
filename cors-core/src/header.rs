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
        lines: &[],
        count: 0,
        failed: value.len() > MAX_REQUEST_HEADERS_LEN,
        oversized: value.len() > MAX_REQUEST_HEADERS_LEN,
    }
}

/// The names of an `Access-Control-Request-Headers` header sent on several
/// lines, which RFC 9110 (section 5.3) reads as one line joined with commas,
/// as proxies and gateways may split it. The bounds of
/// [`request_header_names`] apply to the lines together: their bytes, commas
/// between lines included, and their names. More lines than
/// [`MAX_REQUEST_HEADER_NAMES`] are refused unread, as a line that names no
/// header has no business there.
///
/// ```
/// use cors_core::header::request_header_lines;
///
/// let lines: &[&[u8]] = &[b"content-type", b"", b"x-a, x-b"];
/// let names: Vec<_> = request_header_lines(lines).map(|n| n.unwrap()).collect();
/// assert_eq!(names, [&b"content-type"[..], b"x-a", b"x-b"]);
/// ```
pub fn request_header_lines<'a>(lines: &'a [&'a [u8]]) -> RequestHeaderNames<'a> {
    let joined = lines.iter().map(|l| l.len()).sum::<usize>() + lines.len().saturating_sub(1);
    let oversized = joined > MAX_REQUEST_HEADERS_LEN || lines.len() > MAX_REQUEST_HEADER_NAMES;
    let (rest, lines) = match lines.split_first() {
        Some((first, others)) => (*first, others),
        None => (&b""[..], lines),
    };
    RequestHeaderNames {
        rest,
        lines,
        count: 0,
        failed: oversized,
        oversized,
    }
}

/// Iterator returned by [`request_header_names`] and [`request_header_lines`].
#[derive(Clone, Debug)]
pub struct RequestHeaderNames<'a> {
    rest: &'a [u8],
    /// Lines after the one being read.
    lines: &'a [&'a [u8]],
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
        while !self.failed {
            if self.rest.is_empty() {
                let (next, lines) = self.lines.split_first()?;
                (self.rest, self.lines) = (next, lines);
                continue;
            }
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
    fn lines_are_one_list_under_the_same_bounds() {
        let read = |lines: &[&[u8]]| -> Vec<Result<String, RequestHeadersProblem>> {
            request_header_lines(lines)
                .map(|r| r.map(|n| String::from_utf8(n.to_vec()).unwrap()))
                .collect()
        };
        assert_eq!(read(&[]), []);
        assert_eq!(
            read(&[b"a", b"", b" b , c"]),
            [Ok("a".into()), Ok("b".into()), Ok("c".into())]
        );
        assert_eq!(
            read(&[b"a", b"b c"]),
            [Ok("a".into()), Err(RequestHeadersProblem::InvalidName)]
        );
        let name = [b'x'; 1023];
        let at_limit: &[&[u8]] = &[&name, &[b'y'; 1024]];
        assert_eq!(read(at_limit).len(), 2);
        let over: &[&[u8]] = &[&name, &[b'y'; 1025]];
        assert_eq!(read(over), [Err(RequestHeadersProblem::TooLarge)]);
        let many: Vec<&[u8]> = vec![b"x-a"; MAX_REQUEST_HEADER_NAMES];
        assert_eq!(read(&many).len(), MAX_REQUEST_HEADER_NAMES);
        let too_many: Vec<&[u8]> = vec![b""; MAX_REQUEST_HEADER_NAMES + 1];
        assert_eq!(read(&too_many), [Err(RequestHeadersProblem::TooLarge)]);
        let names: Vec<&[u8]> = vec![b"a, b"; MAX_REQUEST_HEADER_NAMES / 2 + 1];
        assert_eq!(
            read(&names).last(),
            Some(&Err(RequestHeadersProblem::TooLarge))
        );
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
