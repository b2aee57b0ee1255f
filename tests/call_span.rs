//! The `polvo.call` span of a call: method, path template, status, attempts
//! and duration, never the values in the path.
//!
//! Alone in its test binary: tracing caches per callsite whether anyone
//! listens, and calls made by other tests' threads while this test's
//! subscriber is being registered can leave that cache saying "no one".

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use polvo::RetryPolicy;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

polvo::service!("tests/specs/retries/orders.yaml");

/// Tracing output, captured.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A server on 127.0.0.1 that answers 503 twice, then the item.
async fn flaky_server() -> String {
    let calls = Arc::new(AtomicU32::new(0));
    let app = Router::new().route(
        "/items/{id}",
        get(move || {
            let calls = calls.clone();
            async move {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 | 1 => (StatusCode::SERVICE_UNAVAILABLE, [("content-type", "application/json")], "{}"),
                    _ => (StatusCode::OK, [("content-type", "application/json")], r#"{"name":"widget"}"#),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn each_call_has_a_span_with_its_method_template_status_and_attempts() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let url = flaky_server().await;
    let client = orders::Client::builder()
        .base_url(&url)
        .retry_policy(RetryPolicy::new().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    client.get_item("secret-id").send().await.unwrap();
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = logs.lines().find(|l| l.contains("polvo.call")).unwrap_or_else(|| panic!("no span:\n{logs}"));
    for field in ["method=GET", "path=\"/items/{id}\"", "status=200", "attempts=3", "duration_ms="] {
        assert!(line.contains(field), "the span lacks `{field}`: {line}");
    }
    // The template, never the values in the path.
    assert!(!logs.contains("secret-id"), "{logs}");
}
