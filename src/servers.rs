//! The Node test servers that polvo's end-to-end tests start: a real OAuth
//! 2.0 / OpenID Connect provider (`tests/servers/oidc.mjs`, on
//! oidc-provider), Stoplight Prism mocking an OpenAPI spec, and
//! oauth2-mock-server; and `redis-server` (the Debian package) for the
//! fleet tests ([`start_redis`]).
//!
//! Each `start_*` function spawns the server on 127.0.0.1, waits until it
//! is ready and returns a [`NodeServer`] that kills it when dropped. The
//! servers' npm packages live in `.ci/node_modules`, installed from
//! `.ci/package-lock.json` by `bash scripts/test.sh`. When Node or those
//! packages are missing the functions return an error that says so: a test
//! that needs a server fails, it is never skipped.
//!
//! Everything a server prints on stderr is forwarded to the test's stderr,
//! prefixed with its name. Its stdout is read for the readiness line and,
//! when the environment variable `POLVO_SERVER_LOG` is set, forwarded as
//! well (Prism logs every request there). See `tests/servers/README.md`.

mod redis;

pub use redis::{RedisServer, redis_version, start_redis};

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

/// How long one attempt to start a server may take to say it is ready.
/// Generous: on a 2-core machine several Node servers start at once while
/// other tests compile (a start normally takes under a second).
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(45);

/// How long Prism may take to load a large spec such as GitHub's (13 MB,
/// over a thousand operations): it loaded in 93 s while two crates compiled
/// on a 2-core machine (and in seconds on an idle one), so a hang is told
/// from a slow load only after this long.
pub const LARGE_SPEC_STARTUP_TIMEOUT: Duration = Duration::from_secs(300);

/// How many times a server is started before its test fails. A clean-checkout
/// CI run once saw oidc-provider print its start-up warning and then stay
/// silent for the whole 120 s it was given, although the same run had
/// started it sixteen times in under a second each: a start that hangs is
/// killed and tried again, and one that never starts still fails its test.
pub const STARTUP_ATTEMPTS: usize = 3;

/// How many of a server's last output lines an error message quotes.
const OUTPUT_TAIL: usize = 60;

/// What to run to install the servers' packages.
const INSTALL_HINT: &str = "run `bash scripts/test.sh` (it installs them with `npm ci --prefix .ci`)";

/// A test server running as a child process. Dropping it kills the process
/// and reaps it.
#[derive(Debug)]
pub struct NodeServer {
    /// The server's base URL, `http://127.0.0.1:<port>` without a trailing
    /// slash. For [`start_oidc`] this is also the issuer.
    pub url: String,
    child: Child,
}

impl NodeServer {
    /// The URL of `path` on this server: `path` is appended to
    /// [`NodeServer::url`] and should start with `/`.
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        // The process may already have exited; either way reap it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Why a test server could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Node or the servers' npm packages are not installed.
    #[error("{what} is not installed: {INSTALL_HINT}")]
    NotInstalled {
        /// What is missing (a program or a path).
        what: String,
    },
    /// The process could not be spawned for another reason.
    #[error("could not start {name} ({program}): {source}")]
    Spawn {
        /// The server's name.
        name: &'static str,
        /// The program that was run.
        program: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The server exited before it was ready.
    #[error(
        "{name} exited ({status}) before it was ready (attempt {attempt} of {STARTUP_ATTEMPTS}); its last output:\n{output}"
    )]
    Exited {
        /// The server's name.
        name: &'static str,
        /// How it exited.
        status: ExitStatus,
        /// Which attempt this was, counting from 1.
        attempt: usize,
        /// Its last lines of output, stdout and stderr interleaved.
        output: String,
    },
    /// The server did not become ready in time.
    #[error(
        "{name} was not ready after {seconds} s (attempt {attempt} of {STARTUP_ATTEMPTS}); its last output:\n{output}"
    )]
    Timeout {
        /// The server's name.
        name: &'static str,
        /// The time it was given.
        seconds: u64,
        /// Which attempt this was, counting from 1.
        attempt: usize,
        /// Its last lines of output, stdout and stderr interleaved.
        output: String,
    },
    /// Another I/O error while starting or watching the server.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// The repository root, where `.ci/` and `tests/servers/` are.
fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `.ci/node_modules/<relative>`, or [`ServerError::NotInstalled`] when it
/// is absent.
fn installed(relative: &str) -> Result<PathBuf, ServerError> {
    let path = repo_root().join(".ci").join("node_modules").join(relative);
    if path.exists() { Ok(path) } else { Err(ServerError::NotInstalled { what: format!("`{}`", path.display()) }) }
}

/// A free TCP port on 127.0.0.1: bound to port 0, read back, released.
fn free_port() -> Result<u16, ServerError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|source| ServerError::Io { context: "binding 127.0.0.1:0 to find a free port".to_owned(), source })?;
    let port = listener
        .local_addr()
        .map_err(|source| ServerError::Io { context: "reading the address of a bound port".to_owned(), source })?
        .port();
    Ok(port)
}

/// Whether 127.0.0.1:`port` accepts TCP connections.
fn accepts_connections(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// The port of the first `http://127.0.0.1:<port>` in `line`.
fn loopback_port_in(line: &str) -> Option<u16> {
    let rest = &line[line.find("http://127.0.0.1:")? + "http://127.0.0.1:".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A line a server printed, and on which stream.
enum Line {
    Stdout(String),
    Stderr(String),
}

/// Reads `stream` line by line until it closes, sending each line on
/// `lines` while anyone listens and forwarding it to this process's stderr
/// when `forward` is set (or, for stdout, when `POLVO_SERVER_LOG` is set and
/// the server is ready, that is once nobody listens any more).
fn pump<R, F>(name: &'static str, stream: R, forward: bool, wrap: F, lines: Sender<Line>)
where
    R: Read + Send + 'static,
    F: Fn(String) -> Line + Send + 'static,
{
    let log_after_ready = std::env::var_os("POLVO_SERVER_LOG").is_some();
    thread::spawn(move || {
        let mut listening = true;
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if forward || (!listening && log_after_ready) {
                eprintln!("[{name}] {line}");
            }
            if listening && lines.send(wrap(line)).is_err() {
                listening = false;
            }
        }
    });
}

/// Spawns `node <args…>` from the repository root with `env` added, its
/// stdin held open and its output pumped into the returned channel.
fn spawn_node(
    name: &'static str,
    args: &[&std::ffi::OsStr],
    env: &[(&str, &str)],
) -> Result<(Child, Receiver<Line>), ServerError> {
    let mut command = Command::new("node");
    command
        .args(args)
        .current_dir(repo_root())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ServerError::NotInstalled { what: "`node` (Node.js, on PATH)".to_owned() }
        } else {
            ServerError::Spawn { name, program: "node".to_owned(), source }
        }
    })?;
    let (sender, receiver) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        pump(name, stdout, false, Line::Stdout, sender.clone());
    }
    if let Some(stderr) = child.stderr.take() {
        pump(name, stderr, true, Line::Stderr, sender);
    }
    Ok((child, receiver))
}

/// Waits up to `timeout` for `ready` to return a URL, feeding it each
/// stdout line, and also for `also_ready` (checked every 100 ms once a URL
/// is known) to hold. Fails, killing the child, when it exits or times out.
fn wait_until_ready(
    name: &'static str,
    mut child: Child,
    lines: &Receiver<Line>,
    timeout: Duration,
    mut ready: impl FnMut(&str) -> Option<String>,
    also_ready: impl Fn(&str) -> bool,
) -> Result<NodeServer, ServerError> {
    let deadline = Instant::now() + timeout;
    let mut output: VecDeque<String> = VecDeque::new();
    let mut url: Option<String> = None;
    let tail = |output: &VecDeque<String>| Vec::from(output.clone()).join("\n");
    loop {
        if let Some(found) = url.as_ref().filter(|found| also_ready(found)) {
            return Ok(NodeServer { url: found.clone(), child });
        }
        match lines.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                let text = match line {
                    Line::Stdout(text) => {
                        if url.is_none() {
                            url = ready(&text);
                        }
                        text
                    }
                    Line::Stderr(text) => text,
                };
                if output.len() == OUTPUT_TAIL {
                    output.pop_front();
                }
                output.push_back(text);
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
        }
        match child.try_wait() {
            Ok(Some(status)) => {
                // Let the pumps hand over the last lines.
                while let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
                    let (Line::Stdout(text) | Line::Stderr(text)) = line;
                    if output.len() == OUTPUT_TAIL {
                        output.pop_front();
                    }
                    output.push_back(text);
                }
                return Err(ServerError::Exited { name, status, attempt: 0, output: tail(&output) });
            }
            Ok(None) => {}
            Err(source) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ServerError::Io { context: format!("watching {name}"), source });
            }
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ServerError::Timeout { name, seconds: timeout.as_secs(), attempt: 0, output: tail(&output) });
        }
    }
}

/// Spawns `node <args…>` and waits up to `timeout` until it is ready (see
/// [`wait_until_ready`]): one attempt at starting a server.
fn start_once(
    name: &'static str,
    args: &[&std::ffi::OsStr],
    env: &[(&str, &str)],
    timeout: Duration,
    ready: impl FnMut(&str) -> Option<String>,
    also_ready: impl Fn(&str) -> bool,
) -> Result<NodeServer, ServerError> {
    let (child, lines) = spawn_node(name, args, env)?;
    wait_until_ready(name, child, &lines, timeout, ready, also_ready)
}

/// Runs `start` up to [`STARTUP_ATTEMPTS`] times while it times out or the
/// server exits early, telling stderr about each attempt that failed. Other
/// errors (nothing installed, no process) are returned at once.
fn with_attempts(mut start: impl FnMut() -> Result<NodeServer, ServerError>) -> Result<NodeServer, ServerError> {
    for attempt in 1.. {
        let mut error = match start() {
            Err(error @ (ServerError::Timeout { .. } | ServerError::Exited { .. })) => error,
            other => return other,
        };
        if let ServerError::Timeout { attempt: number, .. } | ServerError::Exited { attempt: number, .. } = &mut error {
            *number = attempt;
        }
        if attempt >= STARTUP_ATTEMPTS {
            return Err(error);
        }
        eprintln!("{error}\n(starting it again)");
    }
    unreachable!("the attempts are counted without end")
}

/// Starts the OAuth 2.0 / OpenID Connect provider of
/// `tests/servers/oidc.mjs` on an ephemeral port and waits (up to [`STARTUP_TIMEOUT`], [`STARTUP_ATTEMPTS`] times)
/// for its `LISTENING <url>` line. `extra_env` is added to its environment,
/// e.g. `[("OIDC_ACCESS_TOKEN_TTL", "2")]`; the clients, test endpoints and
/// variables are listed in `tests/servers/README.md`.
///
/// The server exits when the returned [`NodeServer`] is dropped, or when
/// this process dies (it watches its stdin).
pub fn start_oidc(extra_env: &[(&str, &str)]) -> Result<NodeServer, ServerError> {
    const NAME: &str = "oidc";
    installed("oidc-provider/package.json")?;
    let script = repo_root().join("tests").join("servers").join("oidc.mjs");
    with_attempts(|| {
        start_once(
            NAME,
            &[script.as_os_str(), "--exit-with-stdin".as_ref()],
            extra_env,
            STARTUP_TIMEOUT,
            |line| line.strip_prefix("LISTENING ").map(|url| url.trim().to_owned()),
            |_| true,
        )
    })
}

/// Starts Prism (`prism mock <spec> -h 127.0.0.1 -p <free port>`, with
/// `extra_args` appended, e.g. `["--dynamic"]` or `["--errors"]`) and waits
/// (up to [`STARTUP_TIMEOUT`], [`STARTUP_ATTEMPTS`] times) until it has said that it is listening and its port
/// accepts connections.
pub fn start_prism(spec: &Path, extra_args: &[&str]) -> Result<NodeServer, ServerError> {
    start_prism_within(spec, extra_args, STARTUP_TIMEOUT)
}

/// [`start_prism`] for a large spec such as GitHub's: each attempt may take
/// up to [`LARGE_SPEC_STARTUP_TIMEOUT`] to load it.
pub fn start_prism_large_spec(spec: &Path, extra_args: &[&str]) -> Result<NodeServer, ServerError> {
    start_prism_within(spec, extra_args, LARGE_SPEC_STARTUP_TIMEOUT)
}

/// Starts Prism as [`start_prism`] says, giving each attempt `timeout`.
fn start_prism_within(spec: &Path, extra_args: &[&str], timeout: Duration) -> Result<NodeServer, ServerError> {
    const NAME: &str = "prism";
    let prism = installed(".bin/prism")?;
    // A fresh port for each attempt: another process may take a free port
    // between the moment it is found and Prism's bind.
    with_attempts(|| {
        let port = free_port()?;
        let port_text = port.to_string();
        let mut args: Vec<&std::ffi::OsStr> = vec![
            prism.as_os_str(),
            "mock".as_ref(),
            spec.as_os_str(),
            "-h".as_ref(),
            "127.0.0.1".as_ref(),
            "-p".as_ref(),
            port_text.as_ref(),
        ];
        args.extend(extra_args.iter().map(|arg| std::ffi::OsStr::new(*arg)));
        start_once(
            NAME,
            &args,
            &[],
            timeout,
            |line| line.contains("Prism is listening on").then(|| format!("http://127.0.0.1:{port}")),
            |_| accepts_connections(port),
        )
    })
}

/// Starts oauth2-mock-server 8 (`oauth2-mock-server -a 127.0.0.1 -p 0`) and
/// waits (up to [`STARTUP_TIMEOUT`], [`STARTUP_ATTEMPTS`] times) for it to say where it listens. Note that the issuer
/// it puts in its discovery document and tokens is
/// `http://localhost:<port>`, while [`NodeServer::url`] is
/// `http://127.0.0.1:<port>`.
pub fn start_oauth2_mock_server() -> Result<NodeServer, ServerError> {
    const NAME: &str = "oauth2-mock-server";
    let bin = installed(".bin/oauth2-mock-server")?;
    with_attempts(|| {
        let args = [bin.as_os_str(), "-a".as_ref(), "127.0.0.1".as_ref(), "-p".as_ref(), "0".as_ref()];
        start_once(
            NAME,
            &args,
            &[],
            STARTUP_TIMEOUT,
            |line| {
                if !line.contains("server listening on") {
                    return None;
                }
                loopback_port_in(line).map(|port| format!("http://127.0.0.1:{port}"))
            },
            |url| loopback_port_in(url).is_some_and(accepts_connections),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_loopback_port_in_a_log_line() {
        assert_eq!(loopback_port_in("OAuth 2 server listening on http://127.0.0.1:40123"), Some(40123));
        assert_eq!(loopback_port_in("Prism is listening on http://127.0.0.1:4010/"), Some(4010));
        assert_eq!(loopback_port_in("nothing here"), None);
    }

    fn timeout() -> ServerError {
        ServerError::Timeout { name: "test", seconds: 1, attempt: 0, output: String::new() }
    }

    #[test]
    fn a_start_that_hangs_is_tried_again_and_the_last_attempt_is_reported() {
        let mut calls = 0;
        let error = with_attempts(|| {
            calls += 1;
            Err(timeout())
        })
        .unwrap_err();
        assert_eq!(calls, STARTUP_ATTEMPTS);
        assert!(matches!(error, ServerError::Timeout { attempt, .. } if attempt == STARTUP_ATTEMPTS), "{error}");
    }

    #[test]
    fn a_missing_install_is_not_tried_again() {
        let mut calls = 0;
        let error = with_attempts(|| {
            calls += 1;
            Err(ServerError::NotInstalled { what: "node".to_owned() })
        })
        .unwrap_err();
        assert_eq!(calls, 1);
        assert!(matches!(error, ServerError::NotInstalled { .. }));
    }

    #[test]
    fn a_start_that_succeeds_after_a_hang_is_used() {
        let mut calls = 0;
        let server = with_attempts(|| {
            calls += 1;
            if calls == 1 {
                return Err(timeout());
            }
            // Any short-lived child will do; this test binary exists on every platform.
            let exe =
                std::env::current_exe().map_err(|source| ServerError::Io { context: "test binary".into(), source })?;
            let child = Command::new(exe)
                .arg("--list")
                .stdout(Stdio::null())
                .spawn()
                .map_err(|source| ServerError::Io { context: "test binary".into(), source })?;
            Ok(NodeServer { url: "http://127.0.0.1:1".to_owned(), child })
        })
        .unwrap();
        assert_eq!((calls, server.url.as_str()), (2, "http://127.0.0.1:1"));
    }

    #[test]
    fn a_free_port_is_not_zero() {
        assert_ne!(free_port().unwrap(), 0);
    }
}
