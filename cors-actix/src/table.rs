//! The route table: every annotated route's full pattern (scope prefixes
//! included), taken from the App's own resource map, and an index that
//! finds the route serving a path and method before routing.
//!
//! # Where full patterns come from
//!
//! actix-web 4 does not show scope prefixes while an App is built. Its
//! resource map does, once the App runs: each route's marker resource
//! `/~cors~<n>` sits under the same scopes as the route. The table is
//! completed on the first request a worker serves, and nothing of that
//! request is read: the marker's URL is generated against a request made
//! here, with no client headers ([`clean_request`]), and everything else
//! comes from the map.
//!
//! 1. `url_for` on the marker walks the marker's real parents and writes
//!    their patterns out as a path, with placeholder values in dynamic
//!    segments (the `url` crate percent-encodes some characters).
//! 2. That path is confirmed against the map: when the map's own matching
//!    (`match_name`) leads to this very marker, `match_pattern` returns the
//!    parents' patterns exactly as registered, regexes and percent-escapes
//!    included. The prefix is accepted only if the result ends in the
//!    marker's own pattern.
//! 3. When no path confirms (a regex in a scope segment that the
//!    placeholders do not satisfy, or an earlier scope with the same prefix
//!    told apart by guards, which the map ignores), the structure of the
//!    generated path is used: the same literal segments, and each dynamic
//!    segment matching any one segment. The report notes such routes.
//!
//! # Lookups
//!
//! Full patterns are grouped by method, then by literal first segment (a
//! hash lookup), and the few candidates are tried in registration order.
//! The cost does not grow with the number of other routes.

use crate::pattern::{Matcher, PatternError};
use crate::register::{marker_name, Source, MARKER_NAME};
use crate::report::{ReportNote, RouteError, RouteProblem};
use crate::resolve::ResolvedRoute;
use crate::witness::Served;
use actix_web::dev::ResourceMap;
use actix_web::error::UrlGenerationError;
use actix_web::HttpRequest;
use cors_core::table::Table as NameTable;

/// Values handed to `url_for` for dynamic prefix segments; a prefix with
/// more dynamic segments than actix-web allows in one pattern is refused.
const SLOTS: usize = 16;

/// A request with no client headers, to generate URLs with: the host and
/// scheme of a URL are never read, and must not come from a client.
pub(crate) fn clean_request() -> HttpRequest {
    actix_web::test::TestRequest::default().to_http_request()
}

/// Whether the marker is registered in this App's resource map.
pub(crate) fn in_app(rmap: &ResourceMap, clean: &HttpRequest, marker: u64) -> bool {
    !matches!(
        rmap.url_for(clean, &marker_name(marker), [""; 0]),
        Err(UrlGenerationError::ResourceNotFound)
    )
}

/// A scope prefix, as recovered.
pub(crate) struct Prefix {
    pub text: String,
    /// Confirmed by the resource map (exact), or only its structure.
    pub confirmed: bool,
}

/// Undoes the `url` crate's percent-encoding of a path, for the bytes it
/// encodes. Braces stay encoded: a brace in a pattern starts a parameter,
/// which `url_for` replaced, so an encoded one was written encoded.
fn decode(path: &str) -> Option<String> {
    let encoded = |b: u8| {
        b <= 0x20 || matches!(b, b'"' | b'#' | b'<' | b'>' | b'?' | b'`' | 0x7f) || b >= 0x80
    };
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|h| (*h as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) if encoded((hi * 16 + lo) as u8) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A dynamic segment of a prefix read without its regex.
const LOOSE: &str = "{p}";

/// Probe values for dynamic prefix segments; see [`prefix`].
const PROBES: &[&str] = &[
    "0",
    "a",
    "0000",
    "A",
    "AAA",
    "v1",
    "00000000-0000-0000-0000-000000000000",
    "000000000000000000000000",
];

fn placeholder(i: usize) -> String {
    format!("{MARKER_NAME}{i}~")
}

/// The scope prefix of a marker; see the module docs.
pub(crate) fn prefix(
    rmap: &ResourceMap,
    clean: &HttpRequest,
    marker: u64,
) -> Result<Prefix, String> {
    let name = marker_name(marker);
    let own = format!("/{name}");
    let unique: Vec<String> = (0..SLOTS).map(placeholder).collect();
    // Values that satisfy the common regexes of dynamic segments too: digits
    // and letters of common lengths, versions, UUIDs, object ids.
    let attempts =
        std::iter::once(unique).chain(PROBES.iter().map(|v| vec![(*v).to_owned(); SLOTS]));
    let mut structure = None;
    for (attempt, elements) in attempts.enumerate() {
        let url = match rmap.url_for(clean, &name, elements) {
            Ok(url) => url,
            Err(UrlGenerationError::ResourceNotFound) => {
                return Err("its marker is not in this App's resource map".into())
            }
            Err(_) => {
                return Err(format!(
                    "its scope prefixes have more than {SLOTS} dynamic segments"
                ))
            }
        };
        let raw = url.path();
        let decoded = decode(raw);
        for path in [decoded.as_deref(), Some(raw)].into_iter().flatten() {
            if rmap.match_name(path) != Some(name.as_str()) {
                continue;
            }
            let full = rmap.match_pattern(path);
            if let Some(prefix) = full.as_deref().and_then(|f| f.strip_suffix(&own)) {
                return Ok(Prefix {
                    text: prefix.to_owned(),
                    confirmed: true,
                });
            }
        }
        if attempt == 0 {
            structure = decoded.map(|decoded| (decoded, raw.contains('%')));
        }
    }
    let (path, escaped) = structure.ok_or("its scope prefix is not valid UTF-8 once decoded")?;
    let mut text = path
        .strip_suffix(&own)
        .ok_or("the URL of its marker does not end in the marker")?
        .to_owned();
    let mut dynamic = false;
    for i in 0..SLOTS {
        let slot = placeholder(i);
        dynamic |= text.contains(&slot);
        text = text.replace(&slot, LOOSE);
    }
    // Literal text without escapes reads back exactly: only a dynamic
    // segment's regex, or an escape's spelling, can be lost.
    Ok(Prefix {
        text,
        confirmed: !dynamic && !escaped,
    })
}

struct Candidate {
    route: usize,
    matcher: Matcher,
    /// For a prefix the resource map could not confirm.
    unconfirmed: Option<Unconfirmed>,
}

/// What checks a loose match against the resource map.
struct Unconfirmed {
    /// The prefix as recovered, each dynamic segment matching any text: the
    /// part of a request's path it matches may be the request's prefix.
    prefix: Matcher,
    /// The route's own pattern, which the rest of the path must match.
    own: Matcher,
    marker: u64,
}

/// At most this many places to cut a request's path into prefix and rest
/// are looked at (the slashes from the start, and the end), so a path of
/// many slashes costs no more.
const MAX_CUTS: usize = 32;

impl Shape {
    /// Whether the path matches candidate `c`: `Some(true)` or `Some(false)`,
    /// or `None` when it matches only loosely and cannot be confirmed.
    ///
    /// A prefix that was not confirmed is read with each dynamic segment
    /// matching any text, then checked against the App's resource map when
    /// one is at hand: the request's own prefix, followed by the marker's
    /// pattern, must lead the map to this route's marker. The map walks the
    /// App as the router does (the scope regexes and the scopes that capture
    /// a path first included), so that is exact but for guards, which the map
    /// ignores: a route of another method, or behind a guard, may take the
    /// probe's path first. So a failed check only means "not sure". The rest
    /// of the path after the cut must match the route's own pattern. Resource
    /// names are no help here: actix-web names resources after their
    /// functions, and two modules' `list` share a name.
    fn matches(&self, c: &Candidate, path: &str, rmap: Option<&ResourceMap>) -> Option<bool> {
        if !c.matcher.is_match(path) {
            return Some(false);
        }
        let Some(unconfirmed) = &c.unconfirmed else {
            return Some(true);
        };
        // Without the map (an error's response), a loose match is unsure.
        let rmap = rmap?;
        let name = marker_name(unconfirmed.marker);
        let slashes = path
            .char_indices()
            .filter(|&(_, c)| c == '/')
            .map(|(i, _)| i)
            .take(MAX_CUTS);
        for cut in slashes.chain([path.len()]) {
            let (prefix, rest) = path.split_at(cut);
            if !unconfirmed.prefix.is_match(prefix) || !unconfirmed.own.is_match(rest) {
                continue;
            }
            let probe = format!("{prefix}/{name}");
            if rmap.match_name(&probe) == Some(name.as_str()) {
                return Some(true);
            }
        }
        None
    }
}

/// What a lookup found.
pub(crate) enum Found<'t> {
    /// The first route that matches.
    Route(&'t ResolvedRoute),
    /// This route matches loosely and could not be confirmed, and no route
    /// before it matches: neither its policy, nor a later route's, nor the
    /// App defaults can be trusted.
    Unsure(&'t ResolvedRoute),
    /// No route matches.
    None,
}

/// Candidates of one method.
struct ByMethod {
    method: Box<str>,
    /// First path segments that are literal.
    segments: NameTable,
    /// Candidates per entry of `segments`, in registration order.
    by_segment: Vec<Vec<usize>>,
    /// Candidates whose first segment is dynamic, in registration order.
    any_segment: Vec<usize>,
    /// Every candidate, in registration order.
    all: Vec<usize>,
}

/// Up to this many candidates for a method are simply tried in order.
const FEW: usize = 4;

/// The structure of one App's route table, from its resource map; see the
/// module docs. It holds no policy: the same shape serves every
/// configuration a reload brings, each with its own [`ResolvedRoute`]s, in
/// registration order.
pub(crate) struct Shape {
    /// Each route's full pattern, and whether the resource map confirmed it.
    pub full: Vec<(String, bool)>,
    /// Notes on routes whose prefix could not be confirmed.
    pub notes: Vec<ReportNote>,
    candidates: Vec<Candidate>,
    methods: Vec<ByMethod>,
    /// `(address of the handler's metadata, route attribute, route)`,
    /// sorted, for what the witnesses report.
    by_served: Vec<(usize, u16, usize)>,
}

/// The first segment of a path: between the leading `/` and the next one.
fn first_segment(path: &str) -> &str {
    let path = path.strip_prefix('/').unwrap_or(path);
    match path.bytes().position(|b| b == b'/') {
        Some(end) => &path[..end],
        None => path,
    }
}

fn address(route: &crate::register::RouteCors) -> usize {
    std::ptr::from_ref(route) as usize
}

/// The route table of one App under one configuration: its shape, with the
/// routes resolved under that configuration.
#[derive(Clone, Copy)]
pub(crate) struct Table<'a> {
    pub shape: &'a Shape,
    /// In registration order, as the shape was built from.
    pub routes: &'a [ResolvedRoute],
}

impl Shape {
    /// The shape of the table of `routes`, from the App's resource map.
    pub fn build(
        routes: &[ResolvedRoute],
        rmap: &ResourceMap,
        clean: &HttpRequest,
    ) -> Result<Shape, Vec<RouteError>> {
        let mut problems = Vec::new();
        let mut full = Vec::with_capacity(routes.len());
        let mut notes = Vec::new();
        let mut candidates = Vec::with_capacity(routes.len());
        for (index, route) in routes.iter().enumerate() {
            let problem = |problem| RouteError {
                handler: route.handler.to_string(),
                methods: route.methods.iter().map(|m| m.to_string()).collect(),
                pattern: route.pattern.to_string(),
                problem,
                keys: Vec::new(),
                fix: None,
            };
            let prefix = match prefix(rmap, clean, route.marker) {
                Ok(prefix) => prefix,
                Err(message) => {
                    problems.push(problem(RouteProblem::NotFound(message)));
                    continue;
                }
            };
            let pattern = format!("{}{}", prefix.text, route.pattern);
            if !prefix.confirmed {
                notes.push(ReportNote::UnconfirmedPrefix {
                    handler: route.handler.to_string(),
                    pattern: pattern.clone(),
                });
            }
            let unconfirmed = match prefix.confirmed {
                true => Ok(None),
                false => Matcher::new(&prefix.text.replace(LOOSE, "{p:.+}")).and_then(|matcher| {
                    Ok(Some(Unconfirmed {
                        prefix: matcher,
                        own: Matcher::new(&route.pattern)?,
                        marker: route.marker,
                    }))
                }),
            };
            // Loosely read, a dynamic prefix segment matches any text, one
            // segment or several (its regex may span segments); the resource
            // map then has the last word.
            let matcher = match prefix.confirmed {
                true => Matcher::new(&pattern),
                false => Matcher::new(&pattern.replace(LOOSE, "{p:.+}")),
            };
            match matcher.and_then(|m| Ok((m, unconfirmed?))) {
                Ok((matcher, unconfirmed)) => candidates.push(Candidate {
                    route: index,
                    matcher,
                    unconfirmed,
                }),
                Err(PatternError(message)) => {
                    problems.push(problem(RouteProblem::InvalidPattern(message)));
                }
            }
            full.push((pattern, prefix.confirmed));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut by_served: Vec<(usize, u16, usize)> = routes
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match &*r.source {
                Source::Static(route) => Some((address(route), r.def, i)),
                Source::Manual(_) => None,
            })
            .collect();
        by_served.sort_unstable();
        for route in routes {
            if let Source::Static(route) = &*route.source {
                route
                    .covered
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let methods = Shape::group(routes, &candidates);
        Ok(Shape {
            full,
            notes,
            candidates,
            methods,
            by_served,
        })
    }

    fn group(routes: &[ResolvedRoute], candidates: &[Candidate]) -> Vec<ByMethod> {
        let mut method_names: Vec<&str> = Vec::new();
        for route in routes {
            for method in &route.methods {
                if !method_names.contains(&method.as_ref()) {
                    method_names.push(method);
                }
            }
        }
        method_names
            .into_iter()
            .map(|method| {
                let serving: Vec<usize> = candidates
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        routes
                            .get(c.route)
                            .is_some_and(|r| r.methods.iter().any(|m| m == method))
                    })
                    .map(|(i, _)| i)
                    .collect();
                let literal_of = |i: usize| candidates[i].matcher.first_literal();
                let literal: Vec<&str> = serving.iter().filter_map(|&i| literal_of(i)).collect();
                let segments = NameTable::build(literal.iter().map(|s| s.to_string()));
                let mut by_segment = vec![Vec::new(); segments.len()];
                let mut any_segment = Vec::new();
                for &i in &serving {
                    match literal_of(i).and_then(|s| segments.position(&[s.as_bytes()])) {
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
            .collect()
    }
}

impl<'a> Table<'a> {
    /// The first route, in registration order, whose full pattern matches
    /// `path` (as the router matches it) and that serves `method`. With the
    /// App's resource map, routes whose prefix was not confirmed are checked
    /// against it.
    pub fn find(self, path: &str, method: &[u8], rmap: Option<&ResourceMap>) -> Found<'a> {
        let Some(by_method) = self
            .shape
            .methods
            .iter()
            .find(|m| m.method.as_bytes() == method)
        else {
            return Found::None;
        };
        let mut unsure = None;
        let mut check = |i: usize| {
            let candidate = self.shape.candidates.get(i)?;
            let route = self.routes.get(candidate.route)?;
            match self.shape.matches(candidate, path, rmap) {
                Some(true) => Some(route),
                Some(false) => None,
                None => {
                    unsure.get_or_insert(route);
                    Some(route)
                }
            }
        };
        let found = if by_method.all.len() <= FEW {
            by_method.all.iter().find_map(|&i| check(i))
        } else {
            let literal = by_method
                .segments
                .position(&[first_segment(path).as_bytes()])
                .and_then(|slot| by_method.by_segment.get(slot))
                .map_or(&[][..], Vec::as_slice);
            // Both candidate lists, merged in registration order.
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
                    (None, None) => break None,
                };
                if let Some(route) = next.and_then(|&i| check(i)) {
                    break Some(route);
                }
            }
        };
        // An unsure route stops the search: it may be the router's choice,
        // so no later route, nor the defaults, can be trusted either.
        match (found, unsure) {
            (_, Some(route)) => Found::Unsure(route),
            (Some(route), None) => Found::Route(route),
            (None, None) => Found::None,
        }
    }

    /// Every route, in registration order, whose full pattern matches `path`
    /// and that serves `method`, guards aside: those the router may pick.
    /// Each comes with whether the match is sure (`false`: matched only
    /// loosely, and not confirmed).
    pub fn all_matching<'s>(
        self,
        path: &'s str,
        method: &[u8],
        rmap: Option<&'s ResourceMap>,
    ) -> impl Iterator<Item = (&'a ResolvedRoute, bool)> + 's
    where
        'a: 's,
    {
        let by_method = self
            .shape
            .methods
            .iter()
            .find(|m| m.method.as_bytes() == method);
        by_method
            .into_iter()
            .flat_map(|m| m.all.iter())
            .filter_map(move |&i| self.shape.candidates.get(i))
            .filter_map(move |c| match self.shape.matches(c, path, rmap) {
                Some(false) => None,
                sure => Some((self.routes.get(c.route)?, sure.is_some())),
            })
    }

    /// Whether a preflight answered under `answer` for `origin` may be
    /// cached: a browser reuses its methods and headers for later requests
    /// to the URL whatever their method, so every other annotated or attached
    /// route that matches `path` (even loosely) for another method must
    /// allow the origin, with the credentials and headers `answer` allows.
    pub fn cacheable(
        self,
        path: &str,
        except: &[u8],
        rmap: Option<&ResourceMap>,
        answer: &cors_core::Policy,
        origin: &[u8],
    ) -> bool {
        let request = cors_core::Request::new(b"GET").origin(origin);
        let covers = |other: &cors_core::Policy| {
            let origin_ok = matches!(
                cors_core::decide(other, &request),
                cors_core::Decision::Allowed(_)
            );
            let headers_ok = match (answer.headers(), other.headers()) {
                (_, cors_core::Allowed::Any) => true,
                (cors_core::Allowed::Any, _) => false,
                (cors_core::Allowed::List(ours), cors_core::Allowed::List(theirs)) => ours
                    .keys()
                    .all(|h| theirs.get_ignore_case(h.as_bytes()).is_some()),
            };
            origin_ok && headers_ok && (other.credentials() || !answer.credentials())
        };
        self.shape
            .methods
            .iter()
            .filter(|m| m.method.as_bytes() != except)
            .all(|m| {
                self.all_matching(path, m.method.as_bytes(), rmap)
                    .all(|(route, _)| route.policy.as_ref().is_some_and(|p| covers(p.policy())))
            })
    }

    /// Whether an annotated or attached route matches `path` (even loosely)
    /// for some method other than `except`.
    pub fn matches_other_methods(
        self,
        path: &str,
        except: &[u8],
        rmap: Option<&ResourceMap>,
    ) -> bool {
        self.shape
            .methods
            .iter()
            .filter(|m| m.method.as_bytes() != except)
            .any(|m| {
                self.all_matching(path, m.method.as_bytes(), rmap)
                    .next()
                    .is_some()
            })
    }

    /// The route a witness reported.
    pub fn served(self, served: Served) -> Option<&'a ResolvedRoute> {
        let key = (address(served.route), served.def);
        let at = self
            .shape
            .by_served
            .binary_search_by(|&(a, d, _)| (a, d).cmp(&key))
            .ok()?;
        self.routes.get(self.shape.by_served.get(at)?.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_undoes_only_what_url_encodes() {
        assert_eq!(decode("/caf%C3%A9/a%20b").as_deref(), Some("/café/a b"));
        assert_eq!(decode("/a%2Fb/%25/%2B").as_deref(), Some("/a%2Fb/%25/%2B"));
        assert_eq!(decode("/a%7Bb%7D").as_deref(), Some("/a%7Bb%7D"));
        assert_eq!(decode("/%zz/%3F").as_deref(), Some("/%zz/?"));
        assert_eq!(decode("/%C3"), None);
    }

    #[test]
    fn first_segments() {
        assert_eq!(first_segment("/api/users"), "api");
        assert_eq!(first_segment("/"), "");
        assert_eq!(first_segment("/{tenant}/x"), "{tenant}");
    }
}
