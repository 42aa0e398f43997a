//! The browsers: where Chromium, Firefox and WebKit do not behave alike.

/// A browser engine's profile: the oracle follows it wherever engines differ.
///
/// Every difference below was seen in the end-to-end tests (`tests/browser.rs`),
/// which run each scenario in Chromium 156, Firefox ESR 153 and WebKitGTK 2.50 (the
/// engine of Safari) and hold the oracle to what each engine did. In the other
/// scenarios of those tests the three engines agreed with each other and with the
/// oracle.
///
/// | | Chrome | Firefox | Safari |
/// |---|---|---|---|
/// | `Access-Control-Max-Age` cap ([`max_age_cap`](Browser::max_age_cap)) | 7200 s | 86400 s | 600 s |
/// | a safelisted header set twice (`Headers.append`) | values joined, then checked: two 100-byte values are one 202-byte value, over 128, so preflighted | each value checked alone, as the standard says | as Chrome |
/// | a public page's request to a more private address (`private_network`) | no preflight: held until the user allows the page to reach the local network ([Local Network Access]); headless, refused at once | no preflight: held for the same permission; headless, never answered | not tested: MiniBrowser cannot be told a page is public; the oracle treats it as any request |
/// | nine 120-byte values of one safelisted header: over 1024 bytes in total | preflighted (the joined value is over 128 bytes) | **not** preflighted: Firefox has no 1024-byte total, which the standard demands | as Chrome |
///
/// Seen alike in all three, and modelled so:
///
/// - `Access-Control-Allow-Headers: *` lets `Authorization` through, although the
///   standard says it must not; the oracle passes it with
///   [`Warning::AuthorizationCoveredByWildcard`](super::Warning).
/// - A redirected preflight fails. A redirected actual request is preflighted again
///   at its new URL; the oracle does not follow redirects, so a test checks each hop
///   as a request of its own.
/// - `*` in `Access-Control-Expose-Headers` is a header name, not a wildcard, when
///   the request carries credentials.
/// - A `Content-Type` with a quoted parameter (`text/plain; charset="utf-8"`) is not
///   safelisted: `"` is a CORS-unsafe request-header byte.
///
/// Not modelled, since it is cookie policy rather than CORS: after a credentialed
/// `fetch()` from `http://127.0.0.1` to `http://localhost` (another site) set a
/// cookie, the next one sent it back in Chromium (a `Partitioned` cookie) and Firefox,
/// and not in WebKit (MiniBrowser's default policy, like Safari's, blocks third-party
/// cookies).
///
/// [Local Network Access]: https://wicg.github.io/local-network-access/
///
/// # Examples
///
/// ```
/// use cors_core::browser::{needs_preflight, Browser, Request};
///
/// let language = "a".repeat(100);
/// let request = |browser| {
///     Request::new("https://app.example", "GET")
///         .header("Accept-Language", &language)
///         .header("Accept-Language", &language)
///         .browser(browser)
/// };
/// assert!(needs_preflight(&request(Browser::Chrome)));
/// assert!(!needs_preflight(&request(Browser::Firefox)));
/// assert_eq!(Browser::Safari.max_age_cap(), 600);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Browser {
    /// Chromium-based browsers (Chrome, Edge, Opera, Brave); the oracle's default.
    #[default]
    Chrome,
    /// Firefox (Gecko).
    Firefox,
    /// Safari (WebKit).
    Safari,
}

impl Browser {
    /// The longest time, in seconds, this browser keeps a preflight result.
    ///
    /// ```
    /// use cors_core::browser::Browser;
    ///
    /// assert_eq!(Browser::Chrome.max_age_cap(), 7200);
    /// assert_eq!(Browser::Firefox.max_age_cap(), 86_400);
    /// ```
    #[must_use]
    pub const fn max_age_cap(self) -> u32 {
        match self {
            Self::Chrome => 7200,
            Self::Firefox => 86_400,
            Self::Safari => 600,
        }
    }

    /// Whether a public page's request to a more private address waits for the
    /// user's permission (Local Network Access) instead of a preflight.
    pub(super) const fn asks_local_network_permission(self) -> bool {
        matches!(self, Self::Chrome | Self::Firefox)
    }

    /// Whether the values of a request header set more than once are joined (`a, b`)
    /// before the safelist checks them. The standard checks each value alone.
    pub(super) const fn joins_repeated_headers(self) -> bool {
        matches!(self, Self::Chrome | Self::Safari)
    }

    /// Whether safelisted values longer than 1024 bytes in total make every
    /// safelisted header unsafe, as the standard says. (In Chrome and Safari no
    /// request reaches the total: their values are joined, and the distinct
    /// safelisted names hold at most 128 bytes each.)
    pub(super) const fn limits_safelisted_total(self) -> bool {
        matches!(self, Self::Chrome | Self::Safari)
    }
}
