//! `redis-server` (the Debian package) for the fleet tests: started on
//! 127.0.0.1 on a free port, without persistence, stopped on drop.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{STARTUP_ATTEMPTS, STARTUP_TIMEOUT, ServerError, accepts_connections, free_port};

/// A running `redis-server`. Dropping it kills and reaps the process.
#[derive(Debug)]
pub struct RedisServer {
    /// `redis://127.0.0.1:<port>/`.
    pub url: String,
    /// Its port.
    pub port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Kills the server (its data is lost: nothing is persisted).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty, after [`RedisServer::stop`].
    pub fn restart(&mut self) -> Result<(), ServerError> {
        self.stop();
        self.child = Some(spawn_ready(self.port)?);
        Ok(())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The installed server's version line (`redis-server --version`).
pub fn redis_version() -> Result<String, ServerError> {
    let output = Command::new("redis-server").arg("--version").output().map_err(not_installed)?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Starts `redis-server --bind 127.0.0.1 --port <free port> --save ''
/// --appendonly no` and waits (up to [`STARTUP_TIMEOUT`], on a new port up
/// to [`STARTUP_ATTEMPTS`] times) until it accepts connections. A server
/// the package's own service started (on 6379) plays no part.
pub fn start_redis() -> Result<RedisServer, ServerError> {
    let mut attempt = 1;
    loop {
        let port = free_port()?;
        match spawn_ready(port) {
            Ok(child) => {
                return Ok(RedisServer { url: format!("redis://127.0.0.1:{port}/"), port, child: Some(child) });
            }
            Err(e @ (ServerError::Exited { .. } | ServerError::Timeout { .. })) if attempt < STARTUP_ATTEMPTS => {
                eprintln!("{e}\n(starting it again)");
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

fn not_installed(source: std::io::Error) -> ServerError {
    if source.kind() == std::io::ErrorKind::NotFound {
        ServerError::NotInstalled { what: "`redis-server` (Debian package `redis-server`)".to_owned() }
    } else {
        ServerError::Spawn { name: "redis", program: "redis-server".to_owned(), source }
    }
}

/// Spawns the server on `port` and waits until it accepts connections.
fn spawn_ready(port: u16) -> Result<Child, ServerError> {
    let mut child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(not_installed)?;
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        if accepts_connections(port) {
            return Ok(child);
        }
        let exited = child.try_wait().map_err(|source| ServerError::Io { context: "watching redis".into(), source })?;
        if let Some(status) = exited {
            let output = format!("(its output went to stderr; port {port})");
            return Err(ServerError::Exited { name: "redis", status, attempt: 0, output });
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let output = format!("port {port}");
            return Err(ServerError::Timeout { name: "redis", seconds: STARTUP_TIMEOUT.as_secs(), attempt: 0, output });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
