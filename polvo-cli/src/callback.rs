//! The loopback redirect listener of a browser login (RFC 8252 §7.3):
//! `http://127.0.0.1:<port>/callback` on an ephemeral port unless one is
//! given, serving one redirect and closed right after.

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

use crate::error::CliError;

/// The path the provider redirects to.
const PATH: &str = "/callback";

/// What the redirect brought.
pub struct Redirect {
    /// The authorization code.
    pub code: String,
    /// The `state`, checked by the runtime against the login it started.
    pub state: String,
}

/// The first redirect's query, handed from the handler to the login.
type Slot = Arc<Mutex<Option<oneshot::Sender<HashMap<String, String>>>>>;

/// A listener bound to 127.0.0.1, waiting for the redirect.
pub struct Loopback {
    listener: tokio::net::TcpListener,
    redirect_uri: String,
}

impl Loopback {
    /// Binds 127.0.0.1 on `port` (0: one the system picks).
    pub async fn bind(port: u16) -> Result<Loopback, CliError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| CliError::Auth(format!("cannot listen on 127.0.0.1:{port} for the redirect: {e}")))?;
        let port = listener.local_addr().map_err(|e| CliError::Auth(format!("no local address: {e}")))?.port();
        Ok(Loopback { listener, redirect_uri: format!("http://127.0.0.1:{port}{PATH}") })
    }

    /// The redirect URI to register with the login.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Serves until the first redirect to the callback path (or `timeout`),
    /// then closes the listener. A redirect carrying `error` is an error.
    pub async fn wait(self, timeout: Duration) -> Result<Redirect, CliError> {
        let (sender, receiver) = oneshot::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let slot: Slot = Arc::new(Mutex::new(Some(sender)));
        let app = Router::new().route(PATH, get(callback)).with_state(slot);
        let server = axum::serve(self.listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        let server = tokio::spawn(async move { server.await });
        let outcome = tokio::time::timeout(timeout, receiver).await;
        let _ = stop.send(());
        // The browser's connection may stay open: stop waiting after a moment.
        let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
        let query = match outcome {
            Ok(Ok(query)) => query,
            Ok(Err(_)) => return Err(CliError::Auth("the redirect listener stopped".into())),
            Err(_) => {
                return Err(CliError::Auth(format!(
                    "no redirect within {} s: the login was not completed",
                    timeout.as_secs()
                )));
            }
        };
        redirect_of(&query)
    }
}

/// The code and state of a redirect, or the provider's error.
fn redirect_of(query: &HashMap<String, String>) -> Result<Redirect, CliError> {
    if let Some(error) = query.get("error") {
        let detail = query.get("error_description").map(|d| format!(": {d}")).unwrap_or_default();
        return Err(CliError::Auth(format!("the provider refused the login: {error}{detail}")));
    }
    match (query.get("code"), query.get("state")) {
        (Some(code), Some(state)) => Ok(Redirect { code: code.clone(), state: state.clone() }),
        _ => Err(CliError::Auth("the redirect carried no `code` and `state`".into())),
    }
}

/// The callback: hands the query to the login and tells the browser.
async fn callback(State(slot): State<Slot>, Query(query): Query<HashMap<String, String>>) -> Html<&'static str> {
    let refused = query.contains_key("error");
    if let Some(sender) = slot.lock().ok().and_then(|mut slot| slot.take()) {
        let _ = sender.send(query);
    }
    Html(if refused {
        "<p>polvo: the login was refused; the terminal says why. You can close this window.</p>"
    } else {
        "<p>polvo: login received; the terminal says when the tokens are saved. You can close this window.</p>"
    })
}
