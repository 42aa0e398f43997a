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
    def: ResourceDef,
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
}

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
    path.split('/').next().unwrap_or("")
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
                    def: ResourceDef::new(full),
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
                let pattern_segment = |i: usize| {
                    let segment = first_segment(candidates[i].def.pattern().unwrap_or(""));
                    (!segment.contains('{')).then_some(segment)
                };
                let literal: Vec<&str> =
                    serving.iter().filter_map(|&i| pattern_segment(i)).collect();
                let segments = Table::build(literal.iter().map(|s| s.to_string()));
                let mut by_segment = vec![Vec::new(); segments.len()];
                let mut any_segment = Vec::new();
                for &i in &serving {
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
            if candidate.def.is_match(path) {
                return Some(candidate.route);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_decoding() {
        assert_eq!(first_segment("/api/users"), "api");
        assert_eq!(first_segment("/"), "");
        assert_eq!(first_segment("/{tenant}/x"), "{tenant}");
        assert_eq!(percent_decode("/caf%C3%A9/%7Bx%7D/%zz"), "/café/{x}/%zz");
    }
}
