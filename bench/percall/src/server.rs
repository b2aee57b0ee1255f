//! The API every client calls: an axum server on 127.0.0.1 with its own
//! runtime thread, answering at once with a small JSON contact.

use axum::Router;
use axum::routing::{get, post};

const CONTACT: &str = r#"{"id":"42","email":"ada@example.com","name":"Ada"}"#;

/// Starts the server; returns its base URL.
pub fn start() -> std::io::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
            let json = || async { ([("content-type", "application/json")], CONTACT) };
            let stored = |_body: axum::body::Bytes| async { ([("content-type", "application/json")], CONTACT) };
            let app = Router::new().route("/contacts/{id}", get(json)).route("/contacts", post(stored));
            axum::serve(listener, app).await.expect("the bench server runs");
        });
    });
    Ok(format!("http://{address}"))
}
