//! `cors-doctor`: asks a live server the five CORS questions, as a browser would,
//! or explains the cross-origin requests of a HAR file.
//!
//! ```text
//! cors-doctor https://api.example.com/users/1 --origin https://app.example.com \
//!     --method PUT --header content-type:application/json --credentials
//! ```
//!
//! The browser oracle of `cors-core` decides; this program sends the requests a
//! browser would send (the actual one only when that is safe), and shows each
//! question's answer with the header values seen. See the README's "Debugging
//! with the five questions".

mod args;
mod diagnose;
mod har;
mod http;
mod render;

use args::{Command, Output, Probe};
use cors_core::browser::{preflight_for, Browser, Preflight};
use diagnose::{diagnose, ActualSeen, Case, Diagnosis, PreflightSeen, Seen};
use http::{Client, Exchange, Target};
use std::fmt::Write;
use std::net::IpAddr;
use std::process::ExitCode;

fn main() -> ExitCode {
    let json = std::env::args().any(|arg| arg == "--json");
    // With --json, a script reads the error from standard output too.
    let fail = |error: &str| {
        if json {
            println!(
                "{}",
                serde_json::json!({ "error": error, "exit_status": 2 })
            );
        }
        ExitCode::from(2)
    };
    let command = match args::parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("cors-doctor: {error}\n\n{}", args::USAGE);
            return fail(&error);
        }
    };
    let result = match command {
        Command::Help => {
            print!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Command::Probe(probe) => run_probe(&probe),
        Command::Har(har) => har::run(&har),
    };
    match result {
        Ok(status) => ExitCode::from(status),
        Err(error) => {
            eprintln!("cors-doctor: {error}");
            fail(&error)
        }
    }
}

fn run_probe(probe: &Probe) -> Result<u8, String> {
    let target = Target::parse(&probe.url)?;
    if target.origin() == probe.origin {
        return Err(format!(
            "{} is the page's own origin: a same-origin request involves no CORS",
            probe.origin
        ));
    }
    let client = Client::new(
        probe.resolve.clone(),
        probe.cacert.as_deref(),
        probe.timeout,
    )?;
    let mut case = Case {
        url: target.url(),
        origin: probe.origin.clone(),
        method: probe.method.clone(),
        headers: probe.headers.clone(),
        credentials: probe.credentials,
        private_network: false,
        preflight: PreflightSeen::NotSent,
        other_preflights: Vec::new(),
        actual: ActualSeen::NotSent(String::new()),
        recorded_error: None,
    };
    let engines = &probe.output.engines;
    let profile = Profile::new(engines[0], &target, &probe.origin);
    let mut exchanges = Vec::new();

    // The preflights, each as the engines that send it send it (they differ
    // only where `Browser` says).
    let mut preflights: Vec<Preflight> = Vec::new();
    for &browser in engines {
        if let Some(preflight) = preflight_for(&case.request(browser)) {
            if !preflights.contains(&preflight) {
                preflights.push(preflight);
            }
        }
    }
    for preflight in preflights {
        let mut headers = vec![("Accept".to_owned(), "*/*".to_owned())];
        headers.extend(
            preflight
                .headers()
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned())),
        );
        headers.extend(profile.common(&[]));
        let exchange = client.send(&target, "OPTIONS", &headers, None)?;
        match case.preflight {
            PreflightSeen::NotSent => case.preflight = PreflightSeen::Answered(seen(&exchange)),
            _ => case.other_preflights.push((preflight, seen(&exchange))),
        }
        exchanges.push(exchange);
    }

    // The actual request: only when it cannot change anything, or when asked.
    let request = case.request(engines[0]);
    let method = request.normalized_method();
    if matches!(method, "GET" | "HEAD") || probe.send {
        let page: Vec<(String, String)> = request
            .sent_headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        let mut headers = Vec::new();
        if !page
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("accept"))
        {
            headers.push(("Accept".to_owned(), "*/*".to_owned()));
        }
        headers.push(("Origin".to_owned(), probe.origin.clone()));
        headers.extend(profile.common(&page));
        headers.extend(page);
        // The browser's cookies for the API: the actual request only.
        if let Some(cookie) = &probe.cookie {
            headers.push(("Cookie".to_owned(), cookie.clone()));
        }
        let exchange = client.send(&target, method, &headers, probe.data.as_deref())?;
        case.actual = ActualSeen::Answered(seen(&exchange));
        exchanges.push(exchange);
    } else {
        case.actual = ActualSeen::NotSent(format!(
            "{method} was not sent (a probe never changes data by surprise); add --send to \
             send it"
        ));
    }

    // Local Network Access: a public page calling a local or private address.
    // Not when --resolve chose the address: the real one is unknown.
    let resolved = probe
        .resolve
        .iter()
        .any(|entry| entry.host == target.bare_host() && entry.port == target.port);
    if let Some(exchange) = exchanges.first() {
        case.private_network = !resolved
            && local_address(exchange.address.ip())
            && public_origin(&probe.origin, probe.timeout);
    }

    let diagnoses: Vec<Diagnosis> = engines
        .iter()
        .map(|&browser| diagnose(&case, browser))
        .collect();
    // Headers given that fetch() would not send (`Cookie`, `Origin`, `Sec-*`).
    let request = case.request(engines[0]);
    let sent: Vec<(&str, &str)> = request.sent_headers().collect();
    let dropped: Vec<&str> = case
        .headers
        .iter()
        .filter(|(name, _)| !sent.iter().any(|(kept, _)| kept == name))
        .map(|(name, _)| name.as_str())
        .collect();
    report(&case, &exchanges, &diagnoses, &dropped, &probe.output);
    Ok(render::exit_status(&diagnoses))
}

fn seen(exchange: &Exchange) -> Seen {
    Seen {
        status: exchange.status,
        headers: exchange.headers.clone(),
    }
}

fn report(
    case: &Case,
    exchanges: &[Exchange],
    diagnoses: &[Diagnosis],
    dropped: &[&str],
    output: &Output,
) {
    if output.json {
        let mut value = render::json(case, diagnoses);
        value["dropped"] = dropped.into();
        value["sent"] = exchanges
            .iter()
            .map(|exchange| {
                serde_json::json!({
                    "method": exchange.method,
                    "headers": exchange.request_headers,
                    "status": exchange.status,
                    "elapsed_ms": exchange.elapsed.as_secs_f64() * 1000.0,
                })
            })
            .collect();
        println!("{value:#}");
        return;
    }
    let mut out = String::new();
    let credentials = if case.credentials {
        ", credentials included"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{} {} from origin {}{credentials}\n",
        case.method, case.url, case.origin
    );
    for exchange in exchanges {
        let _ = writeln!(
            out,
            "sent {} → {} {} ({:.0} ms)",
            exchange.method,
            exchange.status,
            exchange.reason,
            exchange.elapsed.as_secs_f64() * 1000.0
        );
    }
    if let ActualSeen::NotSent(why) = &case.actual {
        let _ = writeln!(out, "not sent: {why}");
    }
    for name in dropped {
        let _ = writeln!(
            out,
            "not sent: {name}: fetch() cannot set it (a forbidden request header); the \
             browser drops it"
        );
    }
    out.push('\n');
    render::text(case, diagnoses, &mut out);
    let _ = writeln!(out, "({})", render::legend());
    print!("{}", render::printable(&out));
}

/// The headers a browser adds to every request, as one engine writes them.
struct Profile {
    user_agent: &'static str,
    accept_language: &'static str,
    site: &'static str,
    referer: String,
}

impl Profile {
    fn new(browser: Browser, target: &Target, origin: &str) -> Self {
        let (user_agent, accept_language) = match browser {
            Browser::Firefox => (
                "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
                "en-US,en;q=0.5",
            ),
            Browser::Safari => (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/26.0 Safari/605.1.15",
                "en-US,en;q=0.9",
            ),
            _ => (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/156.0.0.0 Safari/537.36",
                "en-US,en;q=0.9",
            ),
        };
        Self {
            user_agent,
            accept_language,
            site: if same_site(&target.origin(), origin) {
                "same-site"
            } else {
                "cross-site"
            },
            // The default referrer policy sends only the origin cross-origin.
            referer: format!("{origin}/"),
        }
    }

    /// The headers, but those the page sets itself.
    fn common(&self, page: &[(String, String)]) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = vec![
            ("Accept-Language".into(), self.accept_language.into()),
            ("User-Agent".into(), self.user_agent.into()),
            ("Sec-Fetch-Mode".into(), "cors".into()),
            ("Sec-Fetch-Site".into(), self.site.into()),
            ("Sec-Fetch-Dest".into(), "empty".into()),
        ];
        if self.referer != "null/" {
            headers.push(("Referer".into(), self.referer.clone()));
        }
        headers.retain(|(name, _)| !page.iter().any(|(set, _)| set.eq_ignore_ascii_case(name)));
        headers
    }
}

/// Same scheme and the same last two host labels (or the same IP address):
/// close to the browser's "site" without the Public Suffix List.
fn same_site(a: &str, b: &str) -> bool {
    let split = |origin: &str| -> Option<(String, String)> {
        let (scheme, rest) = origin.split_once("://")?;
        let host = match rest.rfind(':') {
            Some(colon) if !rest[colon..].contains(']') => &rest[..colon],
            _ => rest,
        };
        let site = if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
            host.to_owned()
        } else {
            let labels: Vec<&str> = host.rsplit('.').take(2).collect();
            labels.into_iter().rev().collect::<Vec<_>>().join(".")
        };
        Some((scheme.to_owned(), site))
    };
    matches!((split(a), split(b)), (Some(a), Some(b)) if a == b)
}

/// Whether the page's origin is on the public internet: a public address, or a
/// name that resolves to public addresses only. Not `null`, a single label, a
/// special-use or customary local name, or a name that does not resolve: the
/// doctor cannot tell where such a page is served, and calls it local.
fn public_origin(origin: &str, timeout: std::time::Duration) -> bool {
    const LOCAL_NAMES: [&str; 11] = [
        "corp",
        "example",
        "home",
        "home.arpa",
        "internal",
        "invalid",
        "lan",
        "local",
        "localdomain",
        "localhost",
        "test",
    ];
    let Some(parts) = cors_core::origin::split_request_origin(origin.as_bytes()) else {
        return false;
    };
    let host = parts.host.trim_start_matches('[').trim_end_matches(']');
    let public = |address: IpAddr| !local_address(address) && !address.is_unspecified();
    if let Ok(address) = host.parse::<IpAddr>() {
        return public(address);
    }
    let local_name = !host.contains('.')
        || LOCAL_NAMES
            .iter()
            .any(|name| host == *name || host.ends_with(&format!(".{name}")));
    if local_name {
        return false;
    }
    match http::lookup(host, timeout) {
        Ok(addresses) => {
            !addresses.is_empty() && addresses.iter().all(|address| public(address.ip()))
        }
        Err(_) => false,
    }
}

/// Loopback, private (RFC 1918), link-local, or IPv6 unique-local.
fn local_address(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => local_address(IpAddr::V4(v4)),
            None => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
        },
    }
}
