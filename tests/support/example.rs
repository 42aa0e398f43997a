//! A built example of the workspace run as a child process by a test, and
//! stopped when the test ends, however it ends; and a free loopback port to
//! give it. The tests that run examples live in two packages, so each
//! includes this file as a module (`#[path = ...] mod example;`).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

/// A running example, killed when dropped.
pub struct Example(Child);

impl Example {
    /// Starts `target/<profile>/examples/<name>` (next to the test's own
    /// binary) with `env`, its output discarded.
    pub fn start(name: &str, env: &[(&str, &str)]) -> Self {
        let exe = std::env::current_exe().unwrap();
        let path = exe
            .parent()
            .and_then(|deps| deps.parent())
            .unwrap()
            .join("examples")
            .join(name);
        assert!(
            path.exists(),
            "{} is built by `cargo test --workspace` (after `cargo test --test ...` alone, \
             run `cargo build --examples`)",
            path.display()
        );
        let child = Command::new(path)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Self(child)
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nothing listens on (now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
