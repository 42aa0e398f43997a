//! Methods: token syntax, case, and the ones browsers refuse to send.

use crate::header::is_token;

/// Methods that `fetch()` refuses to send at all.
pub const FORBIDDEN_METHODS: &[&str] = &["CONNECT", "TRACE", "TRACK"];

/// Well-known methods, for spotting a lowercase spelling in configuration.
const KNOWN_METHODS: &[&str] = &[
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE",
];

/// Whether `method` is a valid method token.
///
/// # Examples
///
/// ```
/// assert!(cors_core::method::is_method(b"PATCH"));
/// assert!(!cors_core::method::is_method(b"GET /"));
/// ```
pub fn is_method(method: &[u8]) -> bool {
    is_token(method)
}

/// The uppercase spelling when `method` is a known method written in another
/// case (`patch` → `PATCH`): methods are case-sensitive, so that spelling
/// would never match what browsers send.
pub fn known_uppercase(method: &str) -> Option<&'static str> {
    KNOWN_METHODS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(method) && **known != method)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_variants() {
        assert_eq!(known_uppercase("patch"), Some("PATCH"));
        assert_eq!(known_uppercase("Get"), Some("GET"));
        assert_eq!(known_uppercase("PATCH"), None);
        assert_eq!(known_uppercase("PURGE"), None);
    }
}
