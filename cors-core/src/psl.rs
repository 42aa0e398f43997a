//! The public suffixes that a subdomain pattern may not sit directly on.
//!
//! A pattern such as `https://*.co.uk` or `https://*.github.io` would allow
//! origins owned by strangers. Every single-label suffix (`*.com`, `*.dev`) is
//! refused by rule, except `localhost`, whose subdomains browsers resolve to
//! loopback. Multi-label suffixes come from this list: the registry suffixes
//! of the most used country codes and the shared-hosting domains where anyone
//! can get a subdomain, taken from the Public Suffix List
//! (<https://publicsuffix.org/>). It is deliberately small and compiled in, so
//! the validator has no data file to load and gives the same answer at
//! compile time and at start-up. A suffix missing here is still only as broad
//! as the user wrote it.

/// Multi-label public suffixes, sorted for binary search.
const MULTI_LABEL: &[&str] = &[
    "ac.jp",
    "ac.uk",
    "appspot.com",
    "azurewebsites.net",
    "blogspot.com",
    "cloudfront.net",
    "co.id",
    "co.il",
    "co.in",
    "co.jp",
    "co.kr",
    "co.nz",
    "co.th",
    "co.uk",
    "co.za",
    "com.ar",
    "com.au",
    "com.br",
    "com.cn",
    "com.co",
    "com.hk",
    "com.mx",
    "com.my",
    "com.ng",
    "com.pe",
    "com.ph",
    "com.pk",
    "com.sa",
    "com.sg",
    "com.tr",
    "com.tw",
    "com.ua",
    "com.vn",
    "edu.au",
    "firebaseapp.com",
    "fly.dev",
    "github.io",
    "gitlab.io",
    "gov.uk",
    "herokuapp.com",
    "ltd.uk",
    "me.uk",
    "ne.jp",
    "net.au",
    "net.br",
    "net.cn",
    "netlify.app",
    "ngrok.io",
    "on.fly.dev",
    "onrender.com",
    "or.jp",
    "org.au",
    "org.br",
    "org.cn",
    "org.uk",
    "pages.dev",
    "plc.uk",
    "s3.amazonaws.com",
    "up.railway.app",
    "vercel.app",
    "web.app",
    "workers.dev",
];

/// Whether a pattern's suffix is too broad: one label other than `localhost`,
/// or a listed multi-label public suffix.
pub(crate) fn is_public_suffix(suffix: &str) -> bool {
    if !suffix.contains('.') {
        return suffix != "localhost";
    }
    MULTI_LABEL.binary_search(&suffix).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        assert!(MULTI_LABEL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn suffixes() {
        for (suffix, broad) in [
            ("com", true),
            ("dev", true),
            ("localhost", false),
            ("co.uk", true),
            ("github.io", true),
            ("example.com", false),
            ("example.co.uk", false),
        ] {
            assert_eq!(is_public_suffix(suffix), broad, "{suffix}");
        }
    }
}
