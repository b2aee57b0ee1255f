//! A gate in front of Stoplight Prism, shared by the examples that call a
//! Prism-mocked vendor spec: Prism checks that requests conform to the spec
//! but not whether a credential is genuine, so the gate does that part (a
//! JWT's signature, an OAuth token's being active), as the vendor would,
//! and forwards what passes to Prism unchanged. It also records every
//! violation Prism reports in its `sl-violations` header, so an example can
//! show that all of its requests, including the token exchanges the client
//! makes by itself, conformed.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::sync::{Arc, Mutex};

/// The largest body the gate forwards, either way.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// What the gate checks before forwarding a request, and what it learns
/// from the answers.
pub trait Check: Send + Sync + 'static {
    /// `Ok` to forward the request; `Err` is the answer instead.
    fn check(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> impl Future<Output = Result<(), Response>> + Send;

    /// Sees each answer that Prism gave (e.g. to remember issued tokens).
    fn observe(&self, _path: &str, _status: StatusCode, _body: &[u8]) {}
}

/// One request Prism found fault with.
#[derive(Debug, Clone)]
pub struct Violation {
    /// `METHOD /path`.
    pub request: String,
    /// The `sl-violations` header, as Prism sent it.
    pub violations: String,
}

/// A running gate.
pub struct Gate {
    /// Its base URL, `http://127.0.0.1:<port>`.
    pub url: String,
    violations: Arc<Mutex<Vec<Violation>>>,
    requests: Arc<Mutex<usize>>,
}

impl Gate {
    /// The violations Prism reported so far, and how many requests were forwarded.
    pub fn report(&self) -> (Vec<Violation>, usize) {
        let violations = self.violations.lock().map(|v| v.clone()).unwrap_or_default();
        let requests = self.requests.lock().map(|n| *n).unwrap_or_default();
        (violations, requests)
    }
}

struct Shared<C> {
    upstream: String,
    check: C,
    http: polvo::reqwest::Client,
    violations: Arc<Mutex<Vec<Violation>>>,
    requests: Arc<Mutex<usize>>,
}

/// Starts a gate on 127.0.0.1 that checks each request with `check` and
/// forwards it to `upstream` (Prism's base URL).
pub async fn serve<C: Check>(upstream: &str, check: C) -> std::io::Result<Gate> {
    let violations = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::new(Mutex::new(0));
    let shared = Arc::new(Shared {
        upstream: upstream.trim_end_matches('/').to_owned(),
        check,
        http: polvo::reqwest::Client::new(),
        violations: violations.clone(),
        requests: requests.clone(),
    });
    let app = Router::new().fallback(forward::<C>).with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Gate { url: format!("http://{address}"), violations, requests })
}

async fn forward<C: Check>(State(shared): State<Arc<Shared<C>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    if let Err(refusal) = shared.check.check(&parts.method, &path, &parts.headers).await {
        return refusal;
    }
    let Ok(body) = to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "the gate could not read the body").into_response();
    };
    let path_and_query = parts.uri.path_and_query().map_or(path.as_str(), |p| p.as_str());
    let upstream = shared
        .http
        .request(parts.method.clone(), format!("{}{path_and_query}", shared.upstream))
        .headers(without_hop_by_hop(parts.headers))
        .body(body)
        .send()
        .await;
    let upstream = match upstream {
        Ok(response) => response,
        Err(e) => return (StatusCode::BAD_GATEWAY, format!("Prism did not answer: {e}")).into_response(),
    };
    let (status, headers) = (upstream.status(), upstream.headers().clone());
    if let Ok(mut count) = shared.requests.lock() {
        *count += 1;
    }
    if let Some(found) = headers.get("sl-violations") {
        let violation = Violation {
            request: format!("{} {path}", parts.method),
            violations: String::from_utf8_lossy(found.as_bytes()).into_owned(),
        };
        if let Ok(mut all) = shared.violations.lock() {
            all.push(violation);
        }
    }
    let Ok(bytes) = upstream.bytes().await else {
        return (StatusCode::BAD_GATEWAY, "Prism's answer broke off").into_response();
    };
    shared.check.observe(&path, status, &bytes);
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = without_hop_by_hop(headers);
    response
}

/// `headers` without those that describe one connection or one encoding
/// of the body (each side sets its own).
fn without_hop_by_hop(mut headers: HeaderMap) -> HeaderMap {
    let hop_by_hop: [HeaderName; 5] = [
        header::HOST,
        header::CONNECTION,
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
        HeaderName::from_static("keep-alive"),
    ];
    for name in hop_by_hop {
        headers.remove(name);
    }
    headers
}

/// The bearer token of `headers`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}
