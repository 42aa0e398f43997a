//! `examples/tenant_origins.rs` run as a user runs it: a tenant's origin
//! added to the SQLite table is allowed without a restart, a bad one is
//! refused, a removed one is refused again.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[path = "support/example.rs"]
mod example;
use example::{free_port, Example};

/// One HTTP/1.0 exchange: the status and the raw response.
fn send(port: u16, method: &str, path: &str, headers: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    Some((status, response.to_ascii_lowercase()))
}

/// Tries `check` until it holds, for at most `limit`.
fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn a_tenant_added_to_the_database_is_allowed_without_a_restart() {
    let dir = std::env::temp_dir().join(format!("tenant-origins-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (api, page) = (free_port(), free_port());
    let db = dir.join("tenants.sqlite");
    let (api_port, page_port) = (api.to_string(), page.to_string());
    let _server = Example::start(
        "tenant_origins",
        &[
            ("TENANTS_DB", db.to_str().unwrap()),
            ("TENANTS_POLL_MS", "100"),
            ("API_PORT", &api_port),
            ("PAGE_PORT", &page_port),
        ],
    );
    let origin = format!("http://127.0.0.1:{page}");
    let from_tenant = format!("Origin: {origin}\r\n");
    let allowed = || {
        send(api, "GET", "/api/greeting", &from_tenant, "").map(|(status, response)| {
            assert_eq!(status, 200);
            response.contains(&format!("access-control-allow-origin: {origin}"))
        })
    };
    assert!(
        eventually(Duration::from_secs(20), || allowed().is_some()),
        "the example did not start (`cargo test --workspace` builds it; after `cargo test --test tenant_origins` alone, run `cargo build --example tenant_origins`)"
    );
    assert_eq!(allowed(), Some(false));
    // The page is served, and calls the API on its port.
    let (status, body) = send(page, "GET", "/", "", "").unwrap();
    assert_eq!(status, 200);
    assert!(body.contains(&format!("http://127.0.0.1:{api}")));

    assert_eq!(send(page, "POST", "/tenants", "", &origin).unwrap().0, 201);
    assert!(eventually(Duration::from_secs(5), || allowed() == Some(true)));
    let (status, listed) = send(page, "GET", "/tenants", "", "").unwrap();
    assert_eq!(status, 200);
    assert!(listed.contains(&origin));

    // The validator refuses a bad origin before it reaches the table.
    let (status, refused) = send(page, "POST", "/tenants", "", "https://bad.example/").unwrap();
    assert_eq!(status, 422);
    assert!(refused.contains("trailing slash"), "{refused}");

    assert_eq!(
        send(page, "DELETE", "/tenants", "", &origin).unwrap().0,
        204
    );
    assert!(eventually(Duration::from_secs(5), || allowed() == Some(false)));
    let _ = std::fs::remove_dir_all(&dir);
}
