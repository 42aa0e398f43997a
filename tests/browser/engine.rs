//! The three browser engines: where to find them and how to run one on a page.
//!
//! Every engine runs with `clock.c` preloaded: its clocks run ahead by the
//! seconds in a file the page server writes, so a page can move the browser's
//! clock forward (for the preflight cache's `Max-Age` caps) without waiting.
//! The shim is compiled by the test with the system's C compiler.

use cors_core::browser::Browser;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A browser engine, and the browser whose behaviour the oracle models for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
            Engine::WebKit => "WebKit",
        }
    }

    /// The oracle's profile for this engine.
    pub fn browser(self) -> Browser {
        match self {
            Engine::Chromium => Browser::Chrome,
            Engine::Firefox => Browser::Firefox,
            Engine::WebKit => Browser::Safari,
        }
    }

    /// The Debian packages that provide the engine and what runs it here.
    pub fn packages(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium gcc",
            Engine::Firefox => "firefox-esr gcc",
            Engine::WebKit => "libwebkit2gtk-4.1-0 xvfb gcc",
        }
    }

    /// Whether the engine can be told that a page is on the public internet.
    pub fn can_mark_public(self) -> bool {
        matches!(self, Engine::Chromium | Engine::Firefox)
    }

    /// The variable that names the engine's binary, when it is not found.
    fn variable(self) -> &'static str {
        match self {
            Engine::Chromium => "CHROMIUM",
            Engine::Firefox => "FIREFOX",
            Engine::WebKit => "MINIBROWSER",
        }
    }

    /// What runs this engine, or why it cannot run here.
    pub fn find(self) -> Result<Launcher, String> {
        let cc = on_path(&["cc", "gcc", "clang"]).ok_or("no C compiler for the clock shim")?;
        let binary = std::env::var_os(self.variable())
            .map(PathBuf::from)
            .or_else(|| match self {
                Engine::Chromium => on_path(&["chromium", "chromium-browser", "google-chrome"]),
                Engine::Firefox => on_path(&["firefox-esr", "firefox"]),
                Engine::WebKit => find_minibrowser(),
            })
            .ok_or_else(|| format!("no {} found (set ${})", self.name(), self.variable()))?;
        let xvfb = if self == Engine::WebKit {
            Some(on_path(&["Xvfb"]).ok_or("no Xvfb found: WebKit needs a display")?)
        } else {
            None
        };
        Ok(Launcher {
            engine: self,
            binary,
            xvfb,
            cc,
        })
    }
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Files under `/usr/lib/<triple>/<folder>/<file>`, for the first folder that has it.
fn in_lib(folders: &[&str], file: &str) -> Option<PathBuf> {
    let triples = std::fs::read_dir("/usr/lib").ok()?;
    let mut dirs: Vec<PathBuf> = triples.flatten().map(|e| e.path()).collect();
    dirs.push(PathBuf::from("/usr/lib"));
    dirs.into_iter()
        .flat_map(|dir| folders.iter().map(move |f| dir.join(f).join(file)))
        .find(|candidate| candidate.is_file())
}

/// WebKitGTK's MiniBrowser: not on `PATH`, in the library's folder.
fn find_minibrowser() -> Option<PathBuf> {
    in_lib(
        &["webkit2gtk-4.1", "webkitgtk-6.0", "webkit2gtk-4.0"],
        "MiniBrowser",
    )
}

/// How to start one engine.
#[derive(Debug)]
pub struct Launcher {
    pub engine: Engine,
    binary: PathBuf,
    /// Xvfb, for the engines that need a display.
    xvfb: Option<PathBuf>,
    cc: PathBuf,
}

/// Runs `program` under `setpriv --pdeathsig TERM` (util-linux) where there is
/// one: it gets SIGTERM if the test dies before it can stop it.
fn start(program: &Path) -> Command {
    match on_path(&["setpriv"]) {
        Some(setpriv) => {
            let mut c = Command::new(setpriv);
            c.args(["--pdeathsig", "TERM", "--"]).arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// An Xvfb server of the test's own, on the first free display from `:99`.
struct Display {
    server: Child,
    number: u32,
}

impl Display {
    fn start(xvfb: &Path, dir: &Path) -> Result<Display, String> {
        for number in 99..200 {
            let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
            let lock = PathBuf::from(format!("/tmp/.X{number}-lock"));
            if socket.exists() || lock.exists() {
                continue;
            }
            let log = std::fs::File::create(dir.join("xvfb.log"))
                .map_err(|e| format!("xvfb log: {e}"))?;
            let mut server = start(xvfb)
                .args([&format!(":{number}"), "-nolisten", "tcp", "-screen", "0"])
                .arg("1280x1024x24")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}", xvfb.display()))?;
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if socket.exists() {
                    return Ok(Display { server, number });
                }
                if matches!(server.try_wait(), Ok(Some(_))) || Instant::now() > deadline {
                    // Taken meanwhile, or broken: the next display.
                    let _ = server.kill();
                    let _ = server.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Err("Xvfb found no free display from :99 to :199".to_owned())
    }

    fn name(&self) -> String {
        format!(":{}", self.number)
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.server.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while !matches!(self.server.try_wait(), Ok(Some(_))) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

impl Launcher {
    /// The engine's own version line, for the report: the README's table
    /// names the versions it was made with.
    pub fn version(&self, running: &Running) -> String {
        let mut command = Command::new(&self.binary);
        if let Some(display) = &running.display {
            command.env("DISPLAY", display.name());
        }
        command
            .arg("--version")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .and_then(|out| {
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .find(|line| !line.trim().is_empty())
                    .map(|line| line.trim().to_owned())
            })
            .unwrap_or_else(|| "version unknown".to_owned())
    }

    /// Compiles the clock shim into `dir`.
    fn clock_shim(&self, dir: &Path) -> Result<PathBuf, String> {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/clock.c");
        let shim = dir.join("clock.so");
        let output = Command::new(&self.cc)
            .args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(&shim)
            .arg(&source)
            .arg("-ldl")
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.cc.display()))?;
        if !output.status.success() {
            return Err(format!(
                "the clock shim did not compile:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(shim)
    }

    /// Opens `url` in a fresh profile under `dir`, the clock offset read from
    /// `clock`, and the page at `public` (`host:port`) taken to be on the public
    /// internet where the engine can be told so.
    pub fn open(
        &self,
        url: &str,
        dir: &Path,
        clock: &Path,
        public: &str,
    ) -> Result<Running, String> {
        let shim = self.clock_shim(dir)?;
        let profile = dir.join("profile");
        std::fs::create_dir_all(&profile).map_err(|e| format!("profile: {e}"))?;
        let display = match &self.xvfb {
            Some(xvfb) => Some(Display::start(xvfb, dir)?),
            None => None,
        };
        let mut command = match self.engine {
            Engine::Chromium => {
                let mut c = start(&self.binary);
                c.args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ])
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg(format!("--ip-address-space-overrides={public}=public"));
                c
            }
            Engine::Firefox => {
                // Quiet the first run: no default-browser check, no telemetry,
                // no background connections that this closed network refuses.
                let public = format!("\"{public}\"");
                let prefs = [
                    ("network.lna.address_space.public.override", public.as_str()),
                    ("browser.shell.checkDefaultBrowser", "false"),
                    ("datareporting.policy.dataSubmissionEnabled", "false"),
                    ("toolkit.telemetry.reportingpolicy.firstRun", "false"),
                    ("app.update.enabled", "false"),
                    ("network.captive-portal-service.enabled", "false"),
                    ("browser.safebrowsing.downloads.remote.enabled", "false"),
                ];
                let user_js: String = prefs
                    .iter()
                    .map(|(k, v)| format!("user_pref(\"{k}\", {v});\n"))
                    .collect();
                std::fs::write(profile.join("user.js"), user_js)
                    .map_err(|e| format!("user.js: {e}"))?;
                let mut c = start(&self.binary);
                c.args(["--headless", "--no-remote", "--profile"])
                    .arg(&profile);
                c
            }
            Engine::WebKit => {
                let mut c = start(&self.binary);
                // `--private`: an ephemeral session, as a fresh profile.
                c.arg("--private");
                if let Some(display) = &display {
                    c.env("DISPLAY", display.name());
                }
                c
            }
        };
        // A file, not a pipe: a helper that outlives the stop cannot hold it open.
        let log = dir.join("stderr.log");
        let stderr = std::fs::File::create(&log).map_err(|e| format!("stderr log: {e}"))?;
        command
            .arg(url)
            .env("HOME", dir)
            // The engines' temporary files go with the profile.
            .env("TMPDIR", dir)
            .env("LD_PRELOAD", &shim)
            .env("CORS_TEST_CLOCK_FILE", clock)
            // The engines' own sandboxes: WebKit's cannot start as root in a
            // container, and Firefox's stop the clock shim reading its file.
            .env("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS", "1")
            .env("MOZ_DISABLE_CONTENT_SANDBOX", "1")
            .env("MOZ_DISABLE_SOCKET_PROCESS_SANDBOX", "1")
            .env("MOZ_DISABLE_RDD_SANDBOX", "1")
            .env("MOZ_DISABLE_UTILITY_SANDBOX", "1")
            .env("MOZ_DISABLE_GMP_SANDBOX", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            // A process group of its own, so that stopping it stops its
            // helpers (renderers, content processes) too.
            .process_group(0);
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.binary.display()))?;
        Ok(Running {
            child,
            display,
            log,
            stopped: false,
        })
    }
}

/// A running engine; stopped when dropped.
pub struct Running {
    child: Child,
    /// The engine's own X display, stopped after it.
    display: Option<Display>,
    log: PathBuf,
    stopped: bool,
}

impl Running {
    /// Whether the engine has exited by itself.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Stops the engine and its process group; returns the end of its stderr.
    pub fn stop(&mut self) -> String {
        // `kill` (procps) signals the whole group; `.ci/run` installs it.
        // Whatever happens, the leader is killed and reaped, so this ends.
        let group = format!("-{}", self.child.id());
        let signal = |name: &str| {
            Command::new("kill")
                .args([name, "--", &group])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        };
        signal("-TERM");
        // Until every process of the group is gone (`kill -0` fails), or 5 s.
        let deadline = Instant::now() + Duration::from_secs(5);
        while signal("-0") && Instant::now() < deadline {
            self.exited();
            std::thread::sleep(Duration::from_millis(50));
        }
        signal("-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The display goes after its client.
        drop(self.display.take());
        self.stopped = true;
        let stderr = std::fs::read(&self.log).unwrap_or_default();
        let stderr = String::from_utf8_lossy(&stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.stopped {
            self.stop();
        }
    }
}
