//! Route-pattern helpers shared by framework integrations.

use std::borrow::Cow;

/// Rewrites a trailing tail segment `{name}*` as `{name:.*}`.
///
/// A tail is only a tail at the very end of an actix-style pattern; a
/// lookup key that appends to the pattern needs the regex form, which
/// matches the same paths.
///
/// # Examples
///
/// ```
/// use cors_core::route::tail_as_regex;
///
/// assert_eq!(tail_as_regex("/files/{tail}*"), "/files/{tail:.*}");
/// assert_eq!(tail_as_regex("/users/{id}"), "/users/{id}");
/// ```
pub fn tail_as_regex(pattern: &str) -> Cow<'_, str> {
    let tail = pattern
        .strip_suffix("}*")
        .and_then(|head| Some((head, head.rfind('{')?)));
    match tail {
        Some((head, open)) if !head[open..].contains(':') => Cow::Owned(format!("{head}:.*}}")),
        _ => Cow::Borrowed(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails() {
        for (input, expected) in [
            ("/files/{tail}*", "/files/{tail:.*}"),
            ("/files/{tail:.*}", "/files/{tail:.*}"),
            ("/users/{id}", "/users/{id}"),
            ("/x/{a:\\d+}*", "/x/{a:\\d+}*"),
            ("}*", "}*"),
        ] {
            assert_eq!(tail_as_regex(input), expected, "{input}");
        }
    }
}
