//! Route patterns, read exactly as actix-router reads them, without ever
//! panicking.
//!
//! actix-router's `ResourceDef::new` panics on a malformed pattern. A
//! pattern reaches this module from three places: a route attribute (which
//! actix-web itself already accepted), the scope prefixes recovered from the
//! App's resource map (accepted too), and [`attach`](crate::attach), which
//! nothing checked. Joining a prefix and a pattern can break what each
//! accepted alone: two `{id}` segments become one duplicate capture name,
//! and the dynamic segments of both may exceed actix-router's limit of 16.
//!
//! So every pattern is first split into [`Piece`]s by actix-router's own
//! grammar, then written out again in a canonical form whose parameters are
//! named `p0`, `p1`, .... The canonical pattern matches the same paths
//! (names play no part in matching) and is only handed to `ResourceDef`
//! once it can no longer make it panic.

use actix_web::dev::ResourceDef;
use std::borrow::Cow;
use std::fmt::Write as _;

/// actix-router's limit of dynamic segments in one pattern.
const MAX_DYNAMIC_SEGMENTS: usize = 16;

/// The pattern a resource registers, as actix-web normalises it: a missing
/// leading slash is added to every non-empty pattern.
pub(crate) fn normalise(pattern: &str) -> Cow<'_, str> {
    if pattern.is_empty() || pattern.starts_with('/') {
        Cow::Borrowed(pattern)
    } else {
        Cow::Owned(format!("/{pattern}"))
    }
}

/// One piece of a pattern.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    /// Text matched as written.
    Literal(&'a str),
    /// `{name}` (`regex: None`), `{name:regex}`, or a tail `{name}*`.
    Param { regex: Option<&'a str>, tail: bool },
}

/// Why a pattern cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PatternError(pub String);

/// Splits `pattern` as actix-router's `ResourceDef::parse` does.
fn pieces(pattern: &str) -> Result<Vec<Piece<'_>>, PatternError> {
    let mut pieces = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Literal(&rest[..open]));
        }
        let param = &rest[open..];
        // The closing brace that balances the opening one, as actix-router
        // finds it (a custom regex may hold braces of its own).
        let mut depth = 0usize;
        let close = param
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => return false,
                }
                depth == 0
            })
            .map(|(i, _)| i)
            .ok_or_else(|| {
                PatternError(format!(
                    "`{pattern}` has a `{{` that is never closed; close it, as in `{{id}}`"
                ))
            })?;
        let inner = &param[1..close];
        let after = &param[close + 1..];
        let tail = after == "*";
        let regex = match inner.split_once(':') {
            Some(_) if tail => {
                return Err(PatternError(format!(
                    "`{pattern}` gives a custom regex to a tail segment, which actix-web does not support; write `{{name}}*` or `{{name:.*}}`"
                )))
            }
            Some((_, regex)) => Some(regex),
            None => None,
        };
        pieces.push(Piece::Param { regex, tail });
        rest = if tail { "" } else { after };
    }
    if !rest.is_empty() {
        pieces.push(Piece::Literal(rest));
    }
    let dynamic = pieces
        .iter()
        .filter(|p| matches!(p, Piece::Param { .. }))
        .count();
    if dynamic > MAX_DYNAMIC_SEGMENTS {
        return Err(PatternError(format!(
            "`{pattern}` has {dynamic} dynamic segments (scope prefixes included), more than actix-web's {MAX_DYNAMIC_SEGMENTS}"
        )));
    }
    Ok(pieces)
}

/// Checks a pattern that nothing else checked (an [`attach`](crate::attach)
/// pattern): its syntax, and each custom regex.
pub(crate) fn check(pattern: &str) -> Result<(), PatternError> {
    for piece in pieces(pattern)? {
        if let Piece::Param {
            regex: Some(regex), ..
        } = piece
        {
            if let Err(error) = regex_lite::Regex::new(&format!("(?:{regex})")) {
                return Err(PatternError(format!(
                    "`{pattern}` has the regex `{regex}`, which does not compile: {error}"
                )));
            }
        }
    }
    Ok(())
}

/// The pattern written again with its parameters named `p0`, `p1`, ...:
/// it matches the same paths, and no two parameters share a name.
fn canonical(pieces: &[Piece<'_>]) -> String {
    let mut canonical = String::new();
    let mut index = 0;
    for piece in pieces {
        match piece {
            Piece::Literal(text) => canonical.push_str(text),
            Piece::Param { regex, tail } => {
                let _ = write!(canonical, "{{p{index}");
                if let Some(regex) = regex {
                    canonical.push(':');
                    unnamed_groups(regex, &mut canonical);
                }
                canonical.push('}');
                if *tail {
                    canonical.push('*');
                }
                index += 1;
            }
        }
    }
    canonical
}

/// Checks that the regex actix-router will build from the canonical pattern
/// compiles, so that `ResourceDef` can never panic on it, whatever the
/// rewriting of its parts missed. (With actix-web's `unicode` feature the
/// router compiles with `regex`, which also accepts what `regex-lite` does.)
fn compiles(pattern: &str, pieces: &[Piece<'_>]) -> Result<(), PatternError> {
    let mut regex = String::from("(?s-m)^(");
    let mut index = 0;
    for piece in pieces {
        match piece {
            Piece::Literal(text) => regex.push_str(&regex_lite::escape(text)),
            Piece::Param {
                regex: custom,
                tail,
            } => {
                let _ = write!(regex, "(?P<p{index}>");
                match (custom, tail) {
                    (Some(custom), _) => unnamed_groups(custom, &mut regex),
                    (None, true) => regex.push_str(".*"),
                    (None, false) => regex.push_str("[^/]+"),
                }
                regex.push(')');
                index += 1;
            }
        }
    }
    regex.push_str(")$");
    regex_lite::Regex::new(&regex).map(drop).map_err(|error| {
        PatternError(format!(
            "`{pattern}` cannot be matched once joined with its scope prefixes: {error}"
        ))
    })
}

/// Writes `regex` with its named groups (`(?P<name>...)`, `(?<name>...)`)
/// made non-capturing: they match the same text, and their names can no
/// longer clash with a parameter's or with each other across joined
/// patterns. Escapes and character classes are copied as they are.
fn unnamed_groups(regex: &str, out: &mut String) {
    let mut rest = regex;
    // Depth of nested character classes (`[a-z&&[^x]]`), and whether the
    // next character opens a class's content, where `]` and `^` are
    // literal (`[]a]`, `[^]a]`).
    let mut class_depth = 0usize;
    let mut class_start = false;
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        let starting = std::mem::take(&mut class_start);
        match c {
            '\\' => {
                // The escape and the character it escapes.
                let escaped = rest[len..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..len + escaped]);
                rest = &rest[len + escaped..];
                continue;
            }
            '[' => {
                class_depth += 1;
                class_start = true;
            }
            '^' if starting && class_depth > 0 => class_start = true,
            ']' if class_depth > 0 && !starting => class_depth -= 1,
            '(' if class_depth == 0 => {
                let name_start = ["(?P<", "(?<"]
                    .iter()
                    .find(|opening| rest.starts_with(**opening))
                    .map(|opening| opening.len());
                let name_end =
                    name_start.and_then(|start| rest[start..].find('>').map(|end| start + end));
                if let Some(end) = name_end {
                    out.push_str("(?:");
                    rest = &rest[end + 1..];
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
        rest = &rest[len..];
    }
}

/// A full pattern (scope prefixes included), matched against the path the
/// router matches.
pub(crate) enum Matcher {
    /// Literal segments, whole-segment parameters without a regex, and
    /// an optional final tail: nearly every pattern. Matched segment by
    /// segment, without a regex.
    Segments {
        segments: Vec<Segment>,
        /// A final `{name}*` or `{name:.*}`: any rest of the path.
        tail: bool,
    },
    /// Anything else, matched by actix-router itself.
    Def(ResourceDef),
}

pub(crate) enum Segment {
    Literal(Box<str>),
    Param,
}

impl Matcher {
    /// The matcher of a full pattern, or why none can be built.
    pub fn new(pattern: &str) -> Result<Matcher, PatternError> {
        let pieces = pieces(pattern)?;
        let canonical = canonical(&pieces);
        if let Some(segments) = Matcher::segments(&canonical) {
            return Ok(segments);
        }
        compiles(pattern, &pieces)?;
        Ok(Matcher::Def(ResourceDef::new(canonical)))
    }

    /// The segment matcher, when the canonical pattern fits it.
    fn segments(pattern: &str) -> Option<Matcher> {
        // actix-router drops a final literal that ends in `*` (it only warns),
        // and reads a pattern without `{` but ending in `*` as dynamic; leave
        // such oddities to it. A `{name}*` tail is read here.
        if pattern.ends_with('*') && !pattern.ends_with("}*") {
            return None;
        }
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

    /// Whether `path` (as the router matches it) matches.
    pub fn is_match(&self, path: &str) -> bool {
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

    /// The first segment, when it is literal: the index groups by it.
    pub fn first_literal(&self) -> Option<&str> {
        match self {
            Matcher::Segments { segments, .. } => match segments.first() {
                Some(Segment::Literal(literal)) => Some(literal),
                _ => None,
            },
            Matcher::Def(_) => None,
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
            "/a}b/{c}",
            "/files*",
            "/a/{t}*/b",
            "/{id:[0-9]{2}}/x",
            "",
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
            "/files*",
            "/caf\u{e9}/x y",
            "/x/12",
            "/x/ab",
            "/v2/items",
            "/a/b",
            "/a/b/c",
            "/a/",
            "/a}b/c",
            "/a/x/b",
            "/a/x",
            "/12/x",
            "//b",
            "",
        ];
        for pattern in patterns {
            let ours = Matcher::new(pattern).unwrap();
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
            Ok(Matcher::Segments { .. })
        ));
        assert!(matches!(Matcher::new("/x/{id:\\d+}"), Ok(Matcher::Def(_))));
    }

    #[test]
    fn joined_patterns_that_actix_would_panic_on_are_renamed_or_refused() {
        // The same name in a scope and its route, as actix-web allows.
        let joined = Matcher::new("/users/{id:\\d+}/posts/{id:\\d+}").unwrap();
        assert!(joined.is_match("/users/1/posts/2"));
        assert!(!joined.is_match("/users/a/posts/2"));
        let many: String = (0..17).map(|i| format!("/{{s{i}}}")).collect();
        assert!(Matcher::new(&many).is_err());
        assert!(Matcher::new("/y/{id").is_err());
        assert!(Matcher::new("/y/{id:\\d+}*").is_err());
    }

    #[test]
    fn named_groups_in_regexes_cannot_clash() {
        // Each part is a pattern actix-web accepts; joined, their names
        // would clash with each other and with the canonical `p0`.
        for pattern in [
            "/{a}/{id:(?P<p0>\\d+)}",
            "/{t:(?P<x>[a-z]+)}/{id:(?P<x>\\d+)}",
            "/{t:(?<x>[a-z]+)}/{id:(?<x>\\d+)}",
        ] {
            let matcher = Matcher::new(pattern).unwrap();
            if !pattern.contains("<x>") {
                // Alone, actix-router accepts this one: both agree.
                let def = ResourceDef::new(pattern);
                for path in ["/x/12", "/abc/12", "/abc/x", "/12/12"] {
                    assert_eq!(
                        matcher.is_match(path),
                        def.is_match(path),
                        "{pattern} {path}"
                    );
                }
            }
            assert!(matcher.is_match("/abc/12"), "{pattern}");
            assert!(!matcher.is_match("/abc/x"), "{pattern}");
        }
        for (regex, written) in [
            ("\\(?P<no>[(?P<x>])(?P<y>a)", "\\(?P<no>[(?P<x>])(?:a)"),
            // `]` first in a class is literal; classes nest.
            ("[](?P<x>)](?P<y>a)", "[](?P<x>)](?:a)"),
            ("[^](?P<x>)](?P<y>a)", "[^](?P<x>)](?:a)"),
            ("[a-z&&[^(?P<x>]](?P<y>a)", "[a-z&&[^(?P<x>]](?:a)"),
            ("(?i)(?<n>a|b)", "(?i)(?:a|b)"),
        ] {
            let mut out = String::new();
            unnamed_groups(regex, &mut out);
            assert_eq!(out, written, "{regex}");
        }
    }

    #[test]
    fn attach_patterns_are_checked_without_panicking() {
        assert!(check("/y/{id}").is_ok());
        assert!(check("/y/{id:[0-9]+}").is_ok());
        for bad in [
            "/y/{id",
            "/y/{id:(}",
            "/y/{id:x}*",
            "/{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}{k}{l}{m}{n}{o}{p}{q}",
        ] {
            let error = check(bad).unwrap_err();
            assert!(error.0.contains(bad), "{error:?}");
        }
    }

    #[test]
    fn leading_slash_as_actix_adds_it() {
        assert_eq!(normalise("noslash"), "/noslash");
        assert_eq!(normalise("{id}"), "/{id}");
        assert_eq!(normalise("/x"), "/x");
        assert_eq!(normalise(""), "");
    }
}
