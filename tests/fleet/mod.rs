//! Helpers of the fleet tests: a token endpoint that rotates refresh
//! tokens and counts every request, and worker processes (this test binary
//! run again for one ignored test, configured through the environment).

#![allow(dead_code)]

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A token endpoint on 127.0.0.1 whose refresh tokens are single use:
/// each refresh answers (the first after `delay`, later ones after at most
/// 50 ms) with a new access and refresh token; an old refresh token is
/// `invalid_grant`.
pub struct TokenEndpoint {
    /// The token URL.
    pub url: String,
    state: Arc<Endpoint>,
}

struct Endpoint {
    requests: AtomicUsize,
    invalid_grants: AtomicUsize,
    current_refresh: Mutex<String>,
    delay: Duration,
}

impl TokenEndpoint {
    /// Starts it; `first_refresh` is the refresh token it accepts first.
    pub async fn start(first_refresh: &str, delay: Duration) -> Self {
        let state = Arc::new(Endpoint {
            requests: AtomicUsize::new(0),
            invalid_grants: AtomicUsize::new(0),
            current_refresh: Mutex::new(first_refresh.to_owned()),
            delay,
        });
        let app = axum::Router::new().route("/token", axum::routing::post(token)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/token", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TokenEndpoint { url, state }
    }

    /// How many token requests it received.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// How many of them it answered with `invalid_grant`.
    pub fn invalid_grants(&self) -> usize {
        self.state.invalid_grants.load(Ordering::SeqCst)
    }
}

async fn token(State(state): State<Arc<Endpoint>>, Form(form): Form<HashMap<String, String>>) -> impl IntoResponse {
    let n = state.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let presented = form.get("refresh_token").cloned().unwrap_or_default();
    let is_refresh = form.get("grant_type").map(String::as_str) == Some("refresh_token");
    let valid = || is_refresh && *state.current_refresh.lock().unwrap() == presented;
    if valid() {
        // The grant completes only when the answer is ready: a client that
        // goes away meanwhile (its process killed) leaves the token valid.
        tokio::time::sleep(if n == 1 { state.delay } else { state.delay.min(Duration::from_millis(50)) }).await;
        let mut current = state.current_refresh.lock().unwrap();
        if *current == presented {
            *current = format!("refresh-{n}");
            let body = json!({
                "access_token": format!("access-{n}"),
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": format!("refresh-{n}"),
            });
            return (StatusCode::OK, Json(body));
        }
    }
    state.invalid_grants.fetch_add(1, Ordering::SeqCst);
    (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"})))
}

/// Worker processes running the ignored test `test` of this binary with
/// `env`; each waits until `go` exists, so all start their calls together.
pub struct Workers {
    children: Vec<Child>,
    go: PathBuf,
}

impl Workers {
    /// Spawns `count` workers.
    pub fn spawn(test: &str, count: usize, env: &[(&str, String)], go: &Path) -> Self {
        let _ = std::fs::remove_file(go);
        let children = (0..count)
            .map(|i| {
                let mut command = Command::new(std::env::current_exe().unwrap());
                command.args(["--ignored", "--exact", test, "--nocapture", "--test-threads=1"]);
                command.env("FLEET_WORKER", i.to_string()).env("FLEET_GO", go);
                for (name, value) in env {
                    command.env(name, value);
                }
                command.stdout(Stdio::piped()).spawn().expect("a worker process starts")
            })
            .collect();
        Workers { children, go: go.to_owned() }
    }

    /// Lets the workers start their calls.
    pub fn go(&self) {
        std::fs::write(&self.go, b"go").unwrap();
    }

    /// The child processes, to kill one.
    pub fn children(&mut self) -> &mut [Child] {
        &mut self.children
    }

    /// Waits for every worker; returns each one's stdout and whether it succeeded.
    pub fn wait(self) -> Vec<(bool, String)> {
        self.children
            .into_iter()
            .map(|child| {
                let output = child.wait_with_output().unwrap();
                (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
            })
            .collect()
    }
}

/// In a worker: the value of its environment variable `name`.
pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("the worker needs {name}"))
}

/// Whether this process is a worker (otherwise the ignored worker test
/// was run by hand, and does nothing).
pub fn is_worker() -> bool {
    std::env::var_os("FLEET_WORKER").is_some()
}

/// In a worker: waits for the parent's start signal.
pub async fn wait_for_go() {
    let go = PathBuf::from(env("FLEET_GO"));
    while !go.exists() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The number of successful calls a worker reported (its `FLEET-OK n` line).
pub fn successes(stdout: &str) -> usize {
    stdout
        .lines()
        .find_map(|l| l.split_once("FLEET-OK ").map(|(_, n)| n))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Runs `calls` concurrent calls of `call` and prints `FLEET-OK n`, then
/// panics if any failed.
pub async fn run_calls<F, Fut, E>(calls: usize, call: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let handles: Vec<_> = (0..calls).map(|_| tokio::spawn(call())).collect();
    let mut failures = Vec::new();
    let mut ok = 0;
    for handle in handles {
        match handle.await.unwrap() {
            Ok(()) => ok += 1,
            Err(e) => failures.push(e.to_string()),
        }
    }
    println!("FLEET-OK {ok}");
    let failed = failures.len();
    failures.dedup();
    assert!(failed == 0, "{failed} calls failed: {failures:?}");
}
