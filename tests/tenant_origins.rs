//! `examples/tenant_origins.rs` run as a user runs it: a tenant's origin
//! added to the SQLite table is allowed without a restart, a bad one is
//! refused, a removed one is refused again.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The example, stopped when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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
    // Next to this test's binary: target/<profile>/examples/.
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples/tenant_origins");
    assert!(
        example.exists(),
        "{} is built by `cargo test`",
        example.display()
    );
    let dir = std::env::temp_dir().join(format!("tenant-origins-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (api, page) = (free_port(), free_port());
    let _server = Server(
        Command::new(example)
            .env("TENANTS_DB", dir.join("tenants.sqlite"))
            .env("TENANTS_POLL_MS", "100")
            .env("API_PORT", api.to_string())
            .env("PAGE_PORT", page.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
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
