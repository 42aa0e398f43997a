//! The preflight cache: how long each browser keeps a passing preflight.

use super::*;

/// How long `browser` caches the result of a passing preflight, in seconds.
///
/// `Access-Control-Max-Age` is capped by [`Browser::max_age_cap`]; absent or
/// unparsable (including several lines) it means 5 seconds; `0` and negative values
/// such as `-1` disable caching.
///
/// # Examples
///
/// ```
/// use cors_core::browser::{preflight_cache_seconds, Browser, Response};
///
/// let preflight = Response::new(204).header("Access-Control-Max-Age", "86400");
/// assert_eq!(preflight_cache_seconds(&preflight, Browser::Chrome), 7200);
/// assert_eq!(preflight_cache_seconds(&preflight, Browser::Firefox), 86400);
/// assert_eq!(preflight_cache_seconds(&Response::new(204), Browser::Safari), 5);
/// ```
#[must_use]
pub fn preflight_cache_seconds(preflight_response: &Response<'_>, browser: Browser) -> u32 {
    preflight_response
        .combined(MAX_AGE)
        .and_then(|value| parse_max_age(&value))
        .map_or(DEFAULT_MAX_AGE_SECONDS, |seconds| {
            seconds.min(browser.max_age_cap())
        })
}

/// `Access-Control-Max-Age` as delta-seconds, saturating; negative values mean 0;
/// `None` when unparsable.
pub(super) fn parse_max_age(value: &str) -> Option<u32> {
    if let Some(digits) = value.strip_prefix('-') {
        return is_digits(digits).then_some(0);
    }
    // All digits, so parsing fails only on overflow.
    is_digits(value).then(|| value.parse().unwrap_or(u32::MAX))
}
