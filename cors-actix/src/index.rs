//! The pre-routing index: full route patterns of annotated routes, grouped
//! by method and by their first path segment, built once per worker on the
//! first request with an `Origin`.
//!
//! A lookup costs one method comparison per distinct method, one hash of the
//! request's first path segment, and a pattern match per candidate whose
//! first segment fits: it does not grow with the number of other routes,
//! and it ignores guards, as the router's own first pass does.

use crate::register::MARKER_NAME;
use actix_web::dev::ResourceDef;
use actix_web::HttpRequest;
use cors_core::table::Table;
use std::borrow::Cow;

/// Placeholders handed to `url_for` for the dynamic segments of scope
/// prefixes; more than this many is refused.
const MAX_PREFIX_SEGMENTS: usize = 16;

/// A route's patterns and methods, as the index needs them.
pub(crate) struct IndexInput<'a> {
    /// The route's pattern, relative to its scopes.
    pub pattern: &'a str,
    /// The methods it serves.
    pub methods: &'a [Cow<'static, str>],
}

struct Candidate {
    route: usize,
    matcher: Matcher,
}

/// A full route pattern, matched segment by segment when it is made of
/// literal segments, whole-segment `{name}` parameters and a final tail;
/// anything else (custom regexes, partial-segment parameters) is left to
/// actix-router's own `ResourceDef`.
enum Matcher {
    Segments {
        segments: Vec<Segment>,
        /// A final `{name}*` or `{name:.*}`: any rest of the path.
        tail: bool,
    },
    Def(ResourceDef),
}

enum Segment {
    Literal(Box<str>),
    Param,
}

impl Matcher {
    fn new(pattern: &str) -> Matcher {
        Matcher::segments(pattern).unwrap_or_else(|| Matcher::Def(ResourceDef::new(pattern)))
    }

    fn segments(pattern: &str) -> Option<Matcher> {
        let rest = pattern.strip_prefix('/')?;
        let mut segments = Vec::new();
        let mut tail = false;
        let mut parts = rest.split('/').peekable();
        while let Some(part) = parts.next() {
            let last = parts.peek().is_none();
            let param = part.strip_prefix('{').and_then(|p| {
                p.strip_suffix('}')
                    .map(|name| (name, false))
                    .or_else(|| p.strip_suffix("}*").map(|name| (name, true)))
            });
            match param {
                None if !part.contains(['{', '}']) => segments.push(Segment::Literal(part.into())),
                Some((name, star)) if !name.contains(['{', '}', '/']) => {
                    match name.split_once(':') {
                        None if !star => segments.push(Segment::Param),
                        None if last => tail = true,
                        Some((_, ".*")) if !star && last => tail = true,
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        Some(Matcher::Segments { segments, tail })
    }

    fn is_match(&self, path: &str) -> bool {
        let (segments, tail) = match self {
            Matcher::Def(def) => return def.is_match(path),
            Matcher::Segments { segments, tail } => (segments, *tail),
        };
        // `rest` is what follows a `/`; `None` once the path has ended.
        let mut rest = path.strip_prefix('/');
        for segment in segments {
            let Some(current) = rest else {
                return false;
            };
            let (part, next) = match current.bytes().position(|b| b == b'/') {
                Some(end) => (&current[..end], Some(&current[end + 1..])),
                None => (current, None),
            };
            let matched = match segment {
                Segment::Literal(literal) => part == &**literal,
                Segment::Param => !part.is_empty(),
            };
            if !matched {
                return false;
            }
            rest = next;
        }
        // A tail needs the `/` before it (and matches any rest, even
        // empty); otherwise the path must end here.
        rest.is_some() == tail
    }

    fn first_literal(&self) -> Option<&str> {
        match self {
            Matcher::Segments { segments, .. } => match segments.first() {
                Some(Segment::Literal(literal)) => Some(literal),
                _ => None,
            },
            Matcher::Def(def) => {
                let segment = first_segment(def.pattern().unwrap_or(""));
                (!segment.contains('{')).then_some(segment)
            }
        }
    }
}

/// Candidates of one method.
struct ByMethod {
    method: Box<str>,
    /// First path segments that are literal.
    segments: Table,
    /// Candidates per entry of `segments`, in registration order.
    by_segment: Vec<Vec<usize>>,
    /// Candidates whose first segment is dynamic, in registration order.
    any_segment: Vec<usize>,
    /// Every candidate, in registration order.
    all: Vec<usize>,
}

/// Up to this many candidates for a method are simply tried in order.
const FEW: usize = 4;

/// See the module docs.
pub(crate) struct Index {
    candidates: Vec<Candidate>,
    methods: Vec<ByMethod>,
}

/// A route that could not be indexed, and why.
pub(crate) struct Unindexed {
    pub route: usize,
    pub reason: &'static str,
}

/// The first segment of a path or pattern: between the leading `/` and the
/// next one.
fn first_segment(path: &str) -> &str {
    let path = path.strip_prefix('/').unwrap_or(path);
    match path.bytes().position(|b| b == b'/') {
        Some(end) => &path[..end],
        None => path,
    }
}

/// Decodes `%XX` escapes, as `url_for` encodes non-ASCII pattern text.
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|h| (*h as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The full pattern of route `index`: the scope prefix that actix joined onto
/// its marker, with dynamic prefix segments as `{cors_prefix<i>}`, followed
/// by the route's own pattern.
fn full_pattern(req: &HttpRequest, index: usize, pattern: &str) -> Result<String, &'static str> {
    let name = format!("{MARKER_NAME}{index}");
    let slots = (0..MAX_PREFIX_SEGMENTS).map(|i| format!("{MARKER_NAME}{i}~"));
    let url = req
        .url_for(&name, slots)
        .map_err(|_| "its scope prefix has too many dynamic segments")?;
    let path = percent_decode(url.path());
    let mut prefix = path
        .strip_suffix(&format!("/{name}"))
        .ok_or("its marker resource was not found")?
        .to_owned();
    for i in 0..MAX_PREFIX_SEGMENTS {
        prefix = prefix.replace(
            &format!("{MARKER_NAME}{i}~"),
            &format!("{{cors_prefix{i}}}"),
        );
    }
    Ok(prefix + pattern)
}

impl Index {
    /// Builds the index. Routes that cannot be indexed are returned too, so
    /// that they can be reported.
    pub fn build(req: &HttpRequest, routes: &[IndexInput<'_>]) -> (Index, Vec<Unindexed>) {
        let mut candidates = Vec::new();
        let mut unindexed = Vec::new();
        for (route, input) in routes.iter().enumerate() {
            match full_pattern(req, route, input.pattern) {
                Ok(full) => candidates.push(Candidate {
                    route,
                    matcher: Matcher::new(&full),
                }),
                Err(reason) => unindexed.push(Unindexed { route, reason }),
            }
        }
        let mut method_names: Vec<&str> = Vec::new();
        for input in routes {
            for method in input.methods {
                if !method_names.contains(&method.as_ref()) {
                    method_names.push(method);
                }
            }
        }
        let methods = method_names
            .into_iter()
            .map(|method| {
                let serving: Vec<usize> = candidates
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| routes[c.route].methods.iter().any(|m| m == method))
                    .map(|(i, _)| i)
                    .collect();
                let pattern_segment = |i: usize| candidates[i].matcher.first_literal();
                let literal: Vec<&str> =
                    serving.iter().filter_map(|&i| pattern_segment(i)).collect();
                let segments = Table::build(literal.iter().map(|s| s.to_string()));
                let mut by_segment = vec![Vec::new(); segments.len()];
                let mut any_segment = Vec::new();
                for &i in serving.iter() {
                    match pattern_segment(i).and_then(|s| segments.position(&[s.as_bytes()])) {
                        Some(slot) => by_segment[slot].push(i),
                        None => any_segment.push(i),
                    }
                }
                ByMethod {
                    method: method.into(),
                    segments,
                    by_segment,
                    any_segment,
                    all: serving,
                }
            })
            .collect();
        (
            Index {
                candidates,
                methods,
            },
            unindexed,
        )
    }

    /// The first route, in registration order, whose full pattern matches
    /// `path` and that serves `method`.
    pub fn find(&self, path: &str, method: &str) -> Option<usize> {
        let by_method = self.methods.iter().find(|m| &*m.method == method)?;
        if by_method.all.len() <= FEW {
            return by_method
                .all
                .iter()
                .filter_map(|&i| self.candidates.get(i))
                .find(|c| c.matcher.is_match(path))
                .map(|c| c.route);
        }
        let literal = by_method
            .segments
            .position(&[first_segment(path).as_bytes()])
            .and_then(|slot| by_method.by_segment.get(slot))
            .map_or(&[][..], Vec::as_slice);
        // Merge both candidate lists in registration order.
        let (mut a, mut b) = (
            literal.iter().peekable(),
            by_method.any_segment.iter().peekable(),
        );
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x < y => a.next(),
                (Some(_), Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => return None,
            };
            let candidate = next.and_then(|&i| self.candidates.get(i))?;
            if candidate.matcher.is_match(path) {
                return Some(candidate.route);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_matcher_agrees_with_actix_router() {
        let patterns = [
            "/",
            "/items",
            "/items/",
            "/items/{id}",
            "/api/{tenant}/users/{id}",
            "/files/{tail}*",
            "/files/{tail:.*}",
            "/{tail}*",
            "/caf\u{e9}/{name}",
            "/x/{id:\\d+}",
            "/v{version}/items",
            "/{a}/{b}",
        ];
        let paths = [
            "/",
            "/items",
            "/items/",
            "/items/7",
            "/items/7/",
            "/items//",
            "/api/acme/users/7",
            "/api//users/7",
            "/api/acme/users/",
            "/files",
            "/files/",
            "/files/a",
            "/files/a/b",
            "/caf\u{e9}/x y",
            "/x/12",
            "/x/ab",
            "/v2/items",
            "/a/b",
            "/a/b/c",
            "/a/",
            "//b",
            "",
        ];
        for pattern in patterns {
            let ours = Matcher::new(pattern);
            let def = ResourceDef::new(pattern);
            for path in paths {
                assert_eq!(
                    ours.is_match(path),
                    def.is_match(path),
                    "{pattern} on {path:?}"
                );
            }
        }
        assert!(matches!(
            Matcher::new("/items/{id}"),
            Matcher::Segments { .. }
        ));
        assert!(matches!(Matcher::new("/x/{id:\\d+}"), Matcher::Def(_)));
    }

    #[test]
    fn segments_and_decoding() {
        assert_eq!(first_segment("/api/users"), "api");
        assert_eq!(first_segment("/"), "");
        assert_eq!(first_segment("/{tenant}/x"), "{tenant}");
        assert_eq!(percent_decode("/caf%C3%A9/%7Bx%7D/%zz"), "/café/{x}/%zz");
    }
}
