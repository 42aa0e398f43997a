//! Just enough HTTP/1.1 to send one request and read the response's head: the
//! header lines exactly as they came (repeated ones kept apart), no redirect
//! followed, nothing added but what is asked for.

use crate::args::Resolve;
use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest response head read; a server that sends more is refused.
const MAX_HEAD: usize = 64 * 1024;
/// The most header lines read from one response.
const MAX_HEADERS: usize = 256;

/// A URL split as the client needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// The host as in the URL, IPv6 in brackets, lowercase.
    pub host: String,
    pub port: u16,
    /// Path and query, at least `/`.
    pub path: String,
}

impl Target {
    pub fn parse(url: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("URL `{url}`: {why}");
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("no scheme"))?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(bad("only http:// and https:// are supported")),
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        if authority.contains('@') {
            return Err(bad("credentials in the URL are not supported"));
        }
        // `[v6]` or a name; then `:port`, where an empty port is the default.
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (inside, after) = bracketed
                .split_once(']')
                .ok_or_else(|| bad("unclosed `[`"))?;
            if inside.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(bad("not an IPv6 address in `[...]`"));
            }
            (&authority[..inside.len() + 2], after)
        } else {
            let end = authority.find(':').unwrap_or(authority.len());
            authority.split_at(end)
        };
        let port = match port.strip_prefix(':') {
            None if port.is_empty() => None,
            Some("") => None,
            Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => Some(
                digits
                    .parse()
                    .map_err(|_| bad("the port is not a number"))?,
            ),
            Some(_) => return Err(bad("the port is not a number")),
            None => return Err(bad("unexpected characters after the host")),
        };
        let port = port.unwrap_or(if https { 443 } else { 80 });
        let bad_byte =
            |b: u8| b.is_ascii_whitespace() || b.is_ascii_control() || b"[]@\\".contains(&b);
        if host.is_empty() || (!host.starts_with('[') && host.bytes().any(bad_byte)) {
            return Err(bad("no host, or a host with characters a URL cannot have"));
        }
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("spaces or control characters in the path"));
        }
        // As a browser sends it: bytes outside ASCII percent-encoded.
        let mut encoded = String::with_capacity(path.len());
        for c in path.chars() {
            if c.is_ascii() {
                encoded.push(c);
            } else {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    encoded.push_str(&format!("%{byte:02X}"));
                }
            }
        }
        let path = match encoded.as_str() {
            "" => "/".to_owned(),
            query if query.starts_with('?') => format!("/{query}"),
            _ => encoded,
        };
        Ok(Self {
            https,
            host: host.to_ascii_lowercase(),
            port,
            path,
        })
    }

    /// `scheme://host[:port]`, the target's own origin.
    pub fn origin(&self) -> String {
        let (scheme, default) = if self.https {
            ("https", 443)
        } else {
            ("http", 80)
        };
        if self.port == default {
            format!("{scheme}://{}", self.host)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }

    pub fn url(&self) -> String {
        format!("{}{}", self.origin(), self.path)
    }

    /// The `Host` header.
    fn authority(&self) -> String {
        let origin = self.origin();
        origin[origin.find("://").unwrap_or(0) + 3..].to_owned()
    }

    /// The host without IPv6 brackets, for DNS, SNI and `--resolve`.
    pub fn bare_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }
}

/// One request sent and the head of its response.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    /// The header lines sent, `Host` first.
    pub request_headers: Vec<(String, String)>,
    /// The address connected to.
    pub address: SocketAddr,
    pub status: u16,
    pub reason: String,
    /// The response's header lines, in order, repeated ones kept apart.
    pub headers: Vec<(String, String)>,
    pub elapsed: Duration,
}

/// The values of `name` in `lines` joined by `, `, or `None`.
pub fn header(lines: &[(String, String)], name: &str) -> Option<String> {
    let values: Vec<&str> = lines
        .iter()
        .filter(|(line, _)| line.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Connection settings.
pub struct Client {
    resolve: Vec<Resolve>,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl Client {
    pub fn new(
        resolve: Vec<Resolve>,
        cacert: Option<&Path>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(file) = cacert {
            let certificates = CertificateDer::pem_file_iter(file)
                .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
                .map_err(|error| format!("--cacert {}: {error}", file.display()))?;
            if certificates.is_empty() {
                return Err(format!(
                    "--cacert {}: no PEM certificate in it",
                    file.display()
                ));
            }
            for certificate in certificates {
                roots
                    .add(certificate)
                    .map_err(|error| format!("--cacert {}: {error}", file.display()))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| error.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            resolve,
            tls: Arc::new(tls),
            timeout,
        })
    }

    /// Sends `method target` with `headers` (after `Host`) and `body`, and reads
    /// the response's head. Interim (1xx) responses are skipped. The whole
    /// exchange (name lookup, connection, TLS, request and response head) has
    /// one deadline, the timeout.
    pub fn send(
        &self,
        target: &Target,
        method: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Exchange, String> {
        let started = Instant::now();
        let clock = Clock {
            deadline: started + self.timeout,
            timeout: self.timeout,
        };
        let mut request_headers = vec![("Host".to_owned(), target.authority())];
        request_headers.extend(headers.iter().cloned());
        if let Some(body) = body {
            request_headers.push(("Content-Length".into(), body.len().to_string()));
        }
        request_headers.push(("Connection".into(), "close".into()));
        let mut request = format!("{method} {} HTTP/1.1\r\n", target.path);
        for (name, value) in &request_headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body.unwrap_or_default());

        let fail = |error: String| format!("{} {}: {error}", method, target.url());
        let tcp = self.connect(target, &clock).map_err(fail)?;
        let address = tcp.peer_addr().map_err(|error| fail(error.to_string()))?;
        // Every socket read and write, TLS's own included, within the deadline.
        let timed = Timed { socket: tcp, clock };
        let head = if target.https {
            let name = ServerName::try_from(target.bare_host().to_owned())
                .map_err(|error| format!("{}: {error}", target.host))?;
            let connection = rustls::ClientConnection::new(Arc::clone(&self.tls), name)
                .map_err(|error| format!("TLS: {error}"))?;
            exchange(
                rustls::StreamOwned::new(connection, timed),
                &request,
                &clock,
            )
        } else {
            exchange(timed, &request, &clock)
        };
        let head = head.map_err(fail)?;
        Ok(Exchange {
            method: method.to_owned(),
            request_headers,
            address,
            status: head.status,
            reason: head.reason,
            headers: head.headers,
            elapsed: started.elapsed(),
        })
    }

    fn connect(&self, target: &Target, clock: &Clock) -> Result<TcpStream, String> {
        let host = target.bare_host();
        let overridden = self
            .resolve
            .iter()
            .find(|entry| entry.host == host && entry.port == target.port);
        let addresses: Vec<SocketAddr> = match overridden {
            Some(entry) => vec![SocketAddr::new(entry.address, target.port)],
            None => resolve(host, target.port, clock)?,
        };
        let mut last_error = format!("no address for {host}");
        let count = addresses.len();
        for (tried, address) in addresses.into_iter().enumerate() {
            // Each address gets its share of what is left, so that one that
            // hangs leaves time for the next.
            let left = u32::try_from(count - tried).unwrap_or(u32::MAX);
            match TcpStream::connect_timeout(&address, clock.remaining()? / left) {
                Ok(stream) => return Ok(stream),
                Err(error) => {
                    last_error = format!("cannot connect to {address}: {}", clock.say(&error))
                }
            }
        }
        Err(last_error)
    }
}

/// The addresses of `host`, looked up within `timeout`.
pub fn lookup(host: &str, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
    let clock = Clock {
        deadline: Instant::now() + timeout,
        timeout,
    };
    resolve(host, 0, &clock)
}

/// The system's name lookup has no timeout: it runs on a thread of its own,
/// and is given up (left to finish alone) when the deadline passes.
fn resolve(host: &str, port: u16, clock: &Clock) -> Result<Vec<SocketAddr>, String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let name = host.to_owned();
    std::thread::spawn(move || {
        let _ = sender.send(
            (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect),
        );
    });
    match receiver.recv_timeout(clock.remaining()?) {
        Ok(Ok(addresses)) => Ok(addresses),
        Ok(Err(error)) => Err(format!("cannot resolve {host}: {error}")),
        Err(_) => Err(format!(
            "cannot resolve {host} within {} s",
            clock.seconds()
        )),
    }
}

/// The deadline of one exchange.
#[derive(Clone, Copy)]
struct Clock {
    deadline: Instant,
    timeout: Duration,
}

impl Clock {
    fn seconds(&self) -> String {
        format!("{:.1}", self.timeout.as_secs_f64())
    }

    fn remaining(&self) -> Result<Duration, String> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(format!("no answer within {} s", self.seconds()));
        }
        Ok(remaining)
    }

    /// An I/O error, a timeout said as one.
    fn say(&self, error: &std::io::Error) -> String {
        match error.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                format!("no answer within {} s", self.seconds())
            }
            _ => error.to_string(),
        }
    }
}

/// A socket whose every read and write is given only what is left of the
/// deadline.
struct Timed {
    socket: TcpStream,
    clock: Clock,
}

impl Timed {
    fn arm(&self) -> std::io::Result<()> {
        let remaining = self
            .clock
            .remaining()
            .map_err(|error| std::io::Error::new(std::io::ErrorKind::TimedOut, error))?;
        self.socket.set_read_timeout(Some(remaining))?;
        self.socket.set_write_timeout(Some(remaining))
    }
}

impl Read for Timed {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        self.arm()?;
        self.socket.read(buffer)
    }
}

impl Write for Timed {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        self.arm()?;
        self.socket.write(buffer)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.socket.flush()
    }
}

#[derive(Debug)]
struct Head {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
}

/// The most interim (1xx) responses skipped before the final one.
const MAX_INTERIM: usize = 8;

fn exchange(mut stream: impl Read + Write, request: &str, clock: &Clock) -> Result<Head, String> {
    stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.flush())
        .map_err(|error| clock.say(&error))?;
    let mut buffer = Vec::new();
    let mut chunk = [0; 4096];
    let mut interim = 0;
    loop {
        // Parse what is there: an interim response is skipped, a final one ends.
        let mut lines = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut lines);
        match response.parse(&buffer) {
            Ok(httparse::Status::Complete(length)) => {
                let status = response.code.unwrap_or_default();
                if (100..200).contains(&status) && status != 101 {
                    interim += 1;
                    if interim > MAX_INTERIM {
                        return Err(format!("more than {MAX_INTERIM} interim (1xx) responses"));
                    }
                    buffer.drain(..length);
                    continue;
                }
                return Ok(Head {
                    status,
                    reason: response.reason.unwrap_or_default().to_owned(),
                    headers: response
                        .headers
                        .iter()
                        .map(|line| {
                            let value = String::from_utf8_lossy(line.value);
                            (
                                line.name.to_owned(),
                                value.trim_matches([' ', '\t']).to_owned(),
                            )
                        })
                        .collect(),
                });
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return Err(format!("more than {MAX_HEADERS} header lines"))
            }
            Err(error) => return Err(format!("not an HTTP/1.1 response: {error}")),
        }
        if buffer.len() > MAX_HEAD {
            return Err(format!("a response head longer than {MAX_HEAD} bytes"));
        }
        let read = stream.read(&mut chunk).map_err(|error| clock.say(&error))?;
        if read == 0 {
            return Err(if buffer.is_empty() {
                "the server closed the connection without a response".into()
            } else {
                "the server closed the connection in the middle of the response head".into()
            });
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let target = Target::parse("https://API.example.com/users/1?x=1#top").unwrap();
        assert_eq!(
            (
                target.https,
                target.host.as_str(),
                target.port,
                target.path.as_str()
            ),
            (true, "api.example.com", 443, "/users/1?x=1")
        );
        assert_eq!(target.origin(), "https://api.example.com");
        let target = Target::parse("http://[::1]:8080?q").unwrap();
        assert_eq!((target.bare_host(), target.port), ("::1", 8080));
        assert_eq!(target.url(), "http://[::1]:8080/?q");
        assert_eq!(target.authority(), "[::1]:8080");
        assert_eq!(Target::parse("http://a.example:/x").unwrap().port, 80);
        assert_eq!(
            Target::parse("http://a.example/é?q=ü").unwrap().path,
            "/%C3%A9?q=%C3%BC"
        );
        for bad in [
            "ftp://a",
            "a.example",
            "http://u@a",
            "http://a:x/",
            "http://a:+80/",
            "http:///p",
            "http://a/ b",
            "http://a]:80/",
            "http://[",
            "http://[::1/",
            "http://[zz]/",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_head_with_repeated_lines_and_an_interim_response() {
        let wire = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n\
                    HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\n\
                    access-control-allow-origin:  https://a.example \r\n\r\nignored";
        let stream = std::io::Cursor::new(wire.as_bytes().to_vec());
        let head = exchange(Duplex(stream), "", &test_clock()).unwrap();
        assert_eq!(head.status, 204);
        assert_eq!(
            head.headers,
            [
                ("Access-Control-Allow-Origin".into(), "*".into()),
                (
                    "access-control-allow-origin".into(),
                    "https://a.example".into()
                )
            ]
        );
        let endless = "HTTP/1.1 200 OK\r\n".to_owned() + &"X: y\r\n".repeat(300);
        let error = exchange(
            Duplex(std::io::Cursor::new(endless.into_bytes())),
            "",
            &test_clock(),
        );
        assert!(error.unwrap_err().contains("header lines"));
        let huge = "HTTP/1.1 200 OK\r\nX: ".to_owned() + &"y".repeat(100_000);
        let error = exchange(
            Duplex(std::io::Cursor::new(huge.into_bytes())),
            "",
            &test_clock(),
        );
        assert!(error.unwrap_err().contains("longer than"));
    }

    fn test_clock() -> Clock {
        Clock {
            deadline: Instant::now() + Duration::from_secs(10),
            timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn interim_responses_are_bounded() {
        let wire = "HTTP/1.1 100 Continue\r\n\r\n".repeat(100);
        let stream = Duplex(std::io::Cursor::new(wire.into_bytes()));
        let error = exchange(stream, "", &test_clock()).unwrap_err();
        assert!(error.contains("interim"), "{error}");
    }

    /// A stream that reads from a buffer and swallows writes.
    struct Duplex(std::io::Cursor<Vec<u8>>);

    impl Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
