//! The command line.

use cors_core::browser::{Blocked, Browser};
use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
cors-doctor: ask a server the five CORS questions, as a browser would

usage:
  cors-doctor URL --origin ORIGIN [--method METHOD] [--header NAME[:VALUE]]...
              [--credentials] [--send [--data BODY]] [--engine ENGINE] [--json]
              [--resolve HOST:PORT:ADDRESS]... [--cacert FILE] [--timeout SECONDS]
  cors-doctor --har FILE [--origin ORIGIN] [--engine ENGINE] [--json]

  URL                 the API's URL, http:// or https://
  --origin ORIGIN     the page's origin, such as https://app.example.com
  --method METHOD     the method the page's fetch() uses (default GET)
  --header NAME:VALUE a header the page's fetch() sets; repeat for more
                      (without a value, `cors-doctor` is sent)
  --credentials       the fetch() sends credentials (credentials: \"include\")
  --cookie COOKIES    with --credentials, the cookies the browser would send on the
                      actual request, such as `session=abc` (never on the preflight)
  --send              also send the actual request when its method is not GET or
                      HEAD; without it only the preflight is sent for such methods
  --data BODY         the actual request's body, with --send
  --engine ENGINE     chromium, firefox, webkit or all (default all)
  --json              the report as JSON
  --resolve H:P:A     connect to address A for host H and port P (as curl's)
  --cacert FILE       also trust the PEM certificates in FILE
  --timeout SECONDS   for each request: name lookup, connection, TLS and the
                      response head together (default 10)
  --har FILE          explain the cross-origin requests recorded in a HAR file
                      (exported from the browser's developer tools); sends nothing

exit status: 0 the browser lets the page read the response (or, for a request
not sent, passes the preflight); 1 the browser blocks it; 2 usage or network
error, or nothing could be checked (an unsent simple request, a redirect)
";

/// What to do.
#[derive(Debug)]
pub enum Command {
    Probe(Probe),
    Har(Har),
    Help,
}

/// A live probe of one URL.
#[derive(Debug)]
pub struct Probe {
    pub url: String,
    pub origin: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub credentials: bool,
    /// The `Cookie` header of the actual request, with `--credentials`.
    pub cookie: Option<String>,
    pub send: bool,
    pub data: Option<String>,
    pub output: Output,
    pub resolve: Vec<Resolve>,
    pub cacert: Option<PathBuf>,
    pub timeout: Duration,
}

/// Explaining a HAR file.
#[derive(Debug)]
pub struct Har {
    pub file: PathBuf,
    pub origin: Option<String>,
    pub output: Output,
}

/// How to report, shared by both commands.
#[derive(Debug, Clone)]
pub struct Output {
    pub engines: Vec<Browser>,
    pub json: bool,
}

/// `--resolve host:port:address`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    pub host: String,
    pub port: u16,
    pub address: std::net::IpAddr,
}

/// The placeholder value of a `--header NAME` given without one.
pub const PLACEHOLDER_VALUE: &str = "cors-doctor";

pub const ENGINES: [Browser; 3] = [Browser::Chrome, Browser::Firefox, Browser::Safari];

/// The engine's name on the command line and in reports.
pub fn engine_name(browser: Browser) -> &'static str {
    match browser {
        Browser::Firefox => "firefox",
        Browser::Safari => "webkit",
        _ => "chromium",
    }
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let mut url = None;
    let mut origin = None;
    let mut method = None;
    let mut headers = Vec::new();
    let mut credentials = false;
    let mut cookie = None;
    let mut send = false;
    let mut data = None;
    let mut engines = ENGINES.to_vec();
    let mut json = false;
    let mut resolve = Vec::new();
    let mut cacert = None;
    let mut timeout = Duration::from_secs(10);
    let mut har = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--origin" => origin = Some(value("--origin")?),
            "--method" | "-X" => method = Some(value("--method")?),
            "--header" | "-H" => headers.push(header(&value("--header")?)?),
            "--credentials" => credentials = true,
            "--cookie" => cookie = Some(value("--cookie")?),
            "--send" => send = true,
            "--data" => data = Some(value("--data")?),
            "--engine" => engines = engine(&value("--engine")?)?,
            "--json" => json = true,
            "--resolve" => resolve.push(resolve_entry(&value("--resolve")?)?),
            "--cacert" => cacert = Some(PathBuf::from(value("--cacert")?)),
            "--timeout" => timeout = seconds(&value("--timeout")?)?,
            "--har" => har = Some(PathBuf::from(value("--har")?)),
            _ if arg.starts_with('-') => return Err(format!("unknown option `{arg}`")),
            _ if url.is_none() => url = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`: one URL at a time")),
        }
    }
    if let Some(origin) = &origin {
        check_origin(origin)?;
    }
    let output = Output { engines, json };
    if let Some(file) = har {
        if url.is_some() {
            return Err("--har explains a file: give no URL".into());
        }
        return Ok(Command::Har(Har {
            file,
            origin,
            output,
        }));
    }
    let url = url.ok_or("give the URL to probe (or --har FILE)")?;
    let origin = origin.ok_or("give the page's origin: --origin https://app.example.com")?;
    let method = method.unwrap_or_else(|| "GET".into());
    if let Some(blocked) = Blocked::invalid_method(&method) {
        return Err(blocked.to_string());
    }
    if let Some((name, value)) = headers
        .iter()
        .find(|(name, value)| Blocked::invalid_header(name, value).is_some())
    {
        return Err(format!(
            "fetch() refuses the header `{name}: {value}`: not a valid name or value"
        ));
    }
    if let Some(cookie) = &cookie {
        if !credentials {
            return Err(
                "--cookie goes with --credentials: a cross-origin fetch() sends \
                        cookies only with credentials: \"include\""
                    .into(),
            );
        }
        if Blocked::invalid_header("Cookie", cookie).is_some() {
            return Err(format!("--cookie `{cookie}`: not a valid header value"));
        }
    }
    if data.is_some() && !send {
        return Err("--data goes with --send".into());
    }
    let upper = method.to_ascii_uppercase();
    if data.is_some() && (upper == "GET" || upper == "HEAD") {
        return Err(format!("fetch() refuses a body with {upper}: drop --data"));
    }
    Ok(Command::Probe(Probe {
        url,
        origin,
        method,
        headers,
        credentials,
        cookie,
        send,
        data,
        output,
        resolve,
        cacert,
        timeout,
    }))
}

/// `name:value`, `name: value` or `name` alone.
fn header(arg: &str) -> Result<(String, String), String> {
    let (name, value) = match arg.split_once(':') {
        Some((name, value)) => (name.trim(), value.trim()),
        None => (arg.trim(), PLACEHOLDER_VALUE),
    };
    if name.is_empty() {
        return Err(format!("--header `{arg}` has no name"));
    }
    Ok((name.to_owned(), value.to_owned()))
}

fn engine(arg: &str) -> Result<Vec<Browser>, String> {
    if arg == "all" {
        return Ok(ENGINES.to_vec());
    }
    ENGINES
        .into_iter()
        .find(|&browser| engine_name(browser) == arg)
        .map(|browser| vec![browser])
        .ok_or_else(|| format!("--engine `{arg}`: chromium, firefox, webkit or all"))
}

fn resolve_entry(arg: &str) -> Result<Resolve, String> {
    let bad =
        || format!("--resolve `{arg}`: HOST:PORT:ADDRESS, such as api.example.com:443:127.0.0.1");
    // An IPv6 host is written in brackets: [::1]:443:127.0.0.1.
    let (host, rest) = match arg.strip_prefix('[') {
        Some(bracketed) => {
            let (host, rest) = bracketed.split_once(']').ok_or_else(bad)?;
            (host, rest.strip_prefix(':').ok_or_else(bad)?)
        }
        None => arg.split_once(':').ok_or_else(bad)?,
    };
    let (port, address) = rest.split_once(':').ok_or_else(bad)?;
    let address = address.trim_start_matches('[').trim_end_matches(']');
    Ok(Resolve {
        host: host.to_ascii_lowercase(),
        port: port.parse().map_err(|_| bad())?,
        address: address.parse().map_err(|_| bad())?,
    })
}

fn seconds(arg: &str) -> Result<Duration, String> {
    match arg.parse::<f64>() {
        Ok(seconds) if (0.001..=3600.0).contains(&seconds) => Ok(Duration::from_secs_f64(seconds)),
        _ => Err(format!("--timeout `{arg}`: seconds, from 0.001 to 3600")),
    }
}

/// An origin as a browser sends it: `scheme://host[:port]`, or `null`.
fn check_origin(origin: &str) -> Result<(), String> {
    if origin == "null" || cors_core::origin::split_request_origin(origin.as_bytes()).is_some() {
        return Ok(());
    }
    Err(format!(
        "--origin `{origin}` is not an origin as a browser sends it: scheme://host[:port], \
         lowercase, no path or trailing slash (or `null`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(line: &str) -> Result<Command, String> {
        parse(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn a_probe_with_everything() {
        let command = parse_args(
            "https://api.example.com/users/1 --origin https://app.example.com --method PUT \
             --header content-type:application/json --header authorization --credentials \
             --engine webkit --resolve api.example.com:443:127.0.0.1 --timeout 2.5 --json",
        )
        .unwrap();
        let Command::Probe(probe) = command else {
            panic!("a probe")
        };
        assert_eq!(probe.method, "PUT");
        assert_eq!(
            probe.headers,
            [
                ("content-type".into(), "application/json".into()),
                ("authorization".into(), PLACEHOLDER_VALUE.into())
            ]
        );
        assert!(probe.credentials && probe.output.json && !probe.send);
        assert_eq!(probe.output.engines, [Browser::Safari]);
        assert_eq!(probe.resolve[0].port, 443);
        let ipv6 = resolve_entry("[::1]:8443:127.0.0.1").unwrap();
        assert_eq!((ipv6.host.as_str(), ipv6.port), ("::1", 8443));
        assert_eq!(probe.timeout, Duration::from_millis(2500));
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        for (line, expected) in [
            ("https://a.example", "--origin"),
            (
                "https://a.example --origin https://b.example/",
                "trailing slash",
            ),
            (
                "https://a.example --origin https://b.example --engine edge",
                "chromium",
            ),
            (
                "https://a.example --origin https://b.example --method G(T",
                "valid HTTP method",
            ),
            (
                "https://a.example --origin https://b.example --data x",
                "--send",
            ),
            (
                "https://a.example --origin https://b.example --resolve a:b:c",
                "HOST:PORT",
            ),
            (
                "https://a.example --origin https://b.example --bogus",
                "unknown option",
            ),
            ("--har f.har https://a.example", "no URL"),
            ("--origin https://b.example --timeout", "needs a value"),
            (
                "https://a.example --origin https://b.example --timeout 1e-10",
                "0.001",
            ),
            (
                "https://a.example --origin https://b.example --method trace",
                "unsupported",
            ),
            (
                "https://a.example --origin https://b.example --send --data x",
                "body with GET",
            ),
            (
                "https://a.example --origin https://b.example --cookie a=1",
                "--credentials",
            ),
        ] {
            let error = parse_args(line).unwrap_err();
            assert!(error.contains(expected), "{line}: {error}");
        }
    }
}
