//! Retries, timeouts, idempotency keys, rate limits, hooks, middleware and
//! the call's tracing span, against a
//! local server that injects faults (`429` with `Retry-After`, `503`, a
//! connection reset mid-body, a slow answer, malformed JSON). Every test
//! checks what reached the server: how many attempts, with which
//! idempotency key, and that a `POST` without a key is never sent twice.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::stream;
use polvo::{Bytes, CallOptions, Error, RetryPolicy};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

polvo::service!("tests/specs/retries/orders.yaml");
polvo::service!("tests/specs/retries/charges.yaml");

use orders::types::Item;

/// What the server does with one request.
#[derive(Clone, Debug)]
enum Fault {
    /// Answers with this status, these headers and a JSON error body.
    Status(u16, Vec<(&'static str, String)>),
    /// Answers with the item, `200` for a `GET` and `201` otherwise.
    Success,
    /// The same, with these headers.
    SuccessWith(Vec<(&'static str, String)>),
    /// Answers with the item after this long.
    Slow(Duration),
    /// Announces a body, sends part of it and closes the connection.
    ResetMidBody,
    /// Answers `200` with a body that is not JSON.
    Malformed,
}

/// A request as it reached the server.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    idempotency_key: Option<String>,
    signed: Option<String>,
    tagged: Option<String>,
    body: String,
    at: Instant,
}

/// A local server that answers each request with the next fault of its
/// script, then with `Success`.
#[derive(Clone, Default)]
struct Server {
    script: Arc<Mutex<VecDeque<Fault>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    async fn start(faults: impl IntoIterator<Item = Fault>) -> (Server, String) {
        let server = Server::default();
        server.script.lock().unwrap().extend(faults);
        let app = axum::Router::new().fallback(answer).with_state(server.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (server, format!("http://{address}"))
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn answer(State(server): State<Server>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.map(|b| String::from_utf8_lossy(&b).into_owned());
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    server.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        idempotency_key: header("idempotency-key"),
        signed: header("x-signed"),
        tagged: header("x-tagged"),
        body: body.unwrap_or_default(),
        at: Instant::now(),
    });
    let fault = server.script.lock().unwrap().pop_front().unwrap_or(Fault::Success);
    let success = if parts.method == axum::http::Method::GET { 200 } else { 201 };
    let item = || Body::from(r#"{"name":"widget","id":"ch_1"}"#);
    match fault {
        Fault::Status(status, headers) => {
            let mut response = json(status, Body::from(r#"{"error":"try again"}"#));
            for (name, value) in headers {
                response.headers_mut().insert(name, HeaderValue::from_str(&value).unwrap());
            }
            response
        }
        Fault::Success => json(success, item()),
        Fault::SuccessWith(headers) => {
            let mut response = json(success, item());
            for (name, value) in headers {
                response.headers_mut().insert(name, HeaderValue::from_str(&value).unwrap());
            }
            response
        }
        Fault::Slow(delay) => {
            tokio::time::sleep(delay).await;
            json(success, item())
        }
        Fault::ResetMidBody => {
            let chunks: Vec<Result<Bytes, std::io::Error>> =
                vec![Ok(Bytes::from_static(b"{\"name\":")), Err(std::io::Error::other("reset"))];
            let mut response = json(success, Body::from_stream(stream::iter(chunks)));
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from_static("100"));
            response
        }
        Fault::Malformed => json(200, Body::from(r#"{"name": "widget""#)),
    }
}

fn json(status: u16, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn unavailable() -> Fault {
    Fault::Status(503, Vec::new())
}

/// A client of `url` whose own backoff is short, so tests run fast.
fn builder(url: &str) -> polvo::ClientBuilder<orders::Client> {
    orders::Client::builder().base_url(url).retry_policy(RetryPolicy::new().initial_backoff(Duration::from_millis(5)))
}

fn item() -> Item {
    Item { name: "widget".into() }
}

#[tokio::test]
async fn a_503_then_success_is_retried_and_succeeds() {
    let (server, url) = Server::start([unavailable(), unavailable()]).await;
    let client = builder(&url).build().unwrap();
    let found = client.get_item("a").send_response().await.unwrap();
    assert_eq!(found.name, "widget");
    assert_eq!(found.attempts(), 3);
    assert_eq!(server.seen().len(), 3, "two retries by default");
}

#[tokio::test]
async fn retries_exhausted_return_the_last_response_as_it_was() {
    let last = Fault::Status(502, vec![("x-attempt", "last".into())]);
    let (server, url) = Server::start([unavailable(), unavailable(), last, Fault::Success]).await;
    let error = builder(&url).build().unwrap().get_item("a").send().await.unwrap_err();
    let Error::Status { status, headers, body, attempts } = &error else {
        panic!("expected the last answer, got {error:?}")
    };
    assert_eq!(*attempts, 3);
    assert_eq!(error.attempts(), Some(3));
    assert_eq!(status.as_u16(), 502);
    assert_eq!(headers["x-attempt"], "last");
    assert_eq!(&body[..], br#"{"error":"try again"}"#);
    assert_eq!(server.seen().len(), 3, "one attempt and two retries, no more");
}

#[tokio::test]
async fn a_non_retryable_answer_is_returned_at_once() {
    let (server, url) = Server::start([Fault::Status(404, Vec::new())]).await;
    let error = builder(&url).build().unwrap().get_item("a").send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.attempts(), Some(1));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_429_waits_for_retry_after_in_seconds() {
    let (server, url) = Server::start([Fault::Status(429, vec![("retry-after", "1".into())])]).await;
    builder(&url).build().unwrap().get_item("a").send().await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_millis(950), "the retry came {waited:?} after the 429, before `Retry-After: 1`");
}

#[tokio::test]
async fn a_429_waits_for_retry_after_as_an_http_date() {
    // Two seconds ahead, written with whole seconds: more than one second away.
    let date = httpdate(SystemTime::now() + Duration::from_secs(2));
    let (server, url) = Server::start([Fault::Status(429, vec![("retry-after", date)])]).await;
    builder(&url).build().unwrap().get_item("a").send().await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_millis(950), "the retry came {waited:?} after the 429, before its date");
}

#[tokio::test]
async fn retry_after_ms_is_honoured() {
    let (server, url) = Server::start([Fault::Status(503, vec![("retry-after-ms", "300".into())])]).await;
    builder(&url).build().unwrap().get_item("a").send().await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen[1].at - seen[0].at >= Duration::from_millis(290));
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_returns_the_429() {
    let (server, url) = Server::start([Fault::Status(429, vec![("retry-after", "3600".into())])]).await;
    let error = builder(&url).build().unwrap().get_item("a").send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.headers().unwrap()["retry-after"], "3600");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_retried_for_a_get() {
    let (server, url) = Server::start([Fault::ResetMidBody]).await;
    let found = builder(&url).build().unwrap().get_item("a").send().await.unwrap();
    assert_eq!(found.name, "widget");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_post_without_an_idempotency_key_is_never_sent_twice() {
    let client = builder("http://127.0.0.1:1").build().unwrap();
    for fault in [unavailable(), Fault::Status(429, vec![("retry-after", "0".into())]), Fault::ResetMidBody] {
        let (server, url) = Server::start([fault.clone(), Fault::Success]).await;
        let client = orders::Client::builder().base_url(&url).build().unwrap();
        let result = client.create_note(item()).send().await;
        assert!(result.is_err(), "{fault:?}: the failure is returned, not retried");
        let seen = server.seen();
        assert_eq!(seen.len(), 1, "{fault:?}: a POST without a key was sent {} times", seen.len());
        assert_eq!(seen[0].idempotency_key, None);
    }
    // Nor is one that could not connect.
    let attempts = Arc::new(AtomicU32::new(0));
    let counting =
        orders::Client::builder().base_url("http://127.0.0.1:1").hook(Counter(attempts.clone())).build().unwrap();
    assert!(matches!(counting.create_note(item()).send().await, Err(Error::Transport(_))));
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    drop(client);
}

#[tokio::test]
async fn a_post_with_a_declared_idempotency_header_is_retried_with_one_key() {
    let (server, url) = Server::start([unavailable(), Fault::ResetMidBody]).await;
    let client = builder(&url).build().unwrap();
    let created = client.create_order(item()).send().await.unwrap();
    assert_eq!(created.name, "widget");
    let keys: Vec<_> = server.seen().into_iter().map(|s| s.idempotency_key.expect("every attempt has a key")).collect();
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| *k == keys[0]), "the same key on every attempt: {keys:?}");
    let key = polvo::Uuid::parse_str(&keys[0]).expect("the key is a UUID");
    assert_eq!(key.get_version_num(), 4);
    // The next call is another logical call: another key.
    client.create_order(item()).send().await.unwrap();
    let next = server.seen()[3].idempotency_key.clone().unwrap();
    assert_ne!(next, keys[0]);
}

#[tokio::test]
async fn a_key_the_caller_gives_is_kept_on_every_attempt() {
    let (server, url) = Server::start([unavailable()]).await;
    builder(&url).build().unwrap().create_order(item()).idempotency_key("mine-1").send().await.unwrap();
    let keys: Vec<_> = server.seen().into_iter().map(|s| s.idempotency_key).collect();
    assert_eq!(keys, [Some("mine-1".to_owned()), Some("mine-1".to_owned())]);
}

#[tokio::test]
async fn the_sections_idempotency_header_makes_a_post_retryable() {
    let (server, url) = Server::start([Fault::Status(500, Vec::new())]).await;
    let client = charges::Client::builder()
        .base_url(&url)
        .retry_policy(RetryPolicy::new().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    client.create_charge(charges::types::CreateChargeBody { amount: Some(100) }).send().await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].idempotency_key.is_some());
    assert_eq!(seen[0].idempotency_key, seen[1].idempotency_key);
    assert!(seen.iter().all(|s| s.method == "POST" && s.path == "/charges"));
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_and_not_retried() {
    let (server, url) = Server::start([Fault::Malformed]).await;
    let error = builder(&url).build().unwrap().get_item("a").send().await.unwrap_err();
    let Error::Decode { status, body, attempts, .. } = &error else { panic!("expected a decode error, got {error:?}") };
    assert_eq!(*attempts, 1);
    assert_eq!(status.as_u16(), 200);
    assert_eq!(&body[..], br#"{"name": "widget""#);
    assert!(error.to_string().starts_with("could not decode the 200 OK response"), "{error}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_slow_attempt_times_out_and_is_retried() {
    let (server, url) = Server::start([Fault::Slow(Duration::from_secs(5))]).await;
    let client = builder(&url).attempt_timeout(Duration::from_millis(300)).build().unwrap();
    let found = client.get_item("a").send().await.unwrap();
    assert_eq!(found.name, "widget");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn the_calls_timeout_caps_every_attempt_and_wait() {
    let always = |_| Fault::Status(503, vec![("retry-after-ms", "300".into())]);
    let (server, url) = Server::start((0..20).map(always)).await;
    let client = builder(&url).retries(50).timeout(Duration::from_millis(1_000)).build().unwrap();
    let error = client.get_item("a").send().await.unwrap_err();
    // The last answer, once the next wait would pass the call's time.
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    let attempts = server.seen().len();
    assert!((2..=4).contains(&attempts), "{attempts} attempts in 1 s with 300 ms between them");
    // A slow answer is cut at the call's timeout, and not retried past it.
    let (server, url) = Server::start([Fault::Slow(Duration::from_secs(5))]).await;
    let client = builder(&url).timeout(Duration::from_millis(300)).build().unwrap();
    let error = client.get_item("a").send().await.unwrap_err();
    assert!(matches!(&error, Error::Timeout { attempts: 1 }) && error.is_timeout(), "{error:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn retries_can_be_turned_off_for_the_client() {
    let (server, url) = Server::start([unavailable()]).await;
    let error = builder(&url).retries(0).build().unwrap().get_item("a").send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_call_overrides_the_clients_retries() {
    let (server, url) = Server::start([unavailable(), unavailable()]).await;
    let client = builder(&url).retries(0).build().unwrap();
    client.get_item("a").with_options(CallOptions::new().retries(2)).send().await.unwrap();
    assert_eq!(server.seen().len(), 3);

    let (server, url) = Server::start([unavailable()]).await;
    let client = builder(&url).build().unwrap();
    let error = client.get_item("a").with_options(CallOptions::new().retries(0)).send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.seen().len(), 1);

    // And its timeout.
    let (server, url) = Server::start([Fault::Slow(Duration::from_secs(5))]).await;
    let client = builder(&url).build().unwrap();
    let options = CallOptions::new().retries(0).timeout(Duration::from_millis(200));
    let error = client.get_item("a").with_options(options).send().await.unwrap_err();
    assert!(matches!(&error, Error::Timeout { attempts: 1 }) && error.is_timeout(), "{error:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn connection_errors_are_retried() {
    let attempts = Arc::new(AtomicU32::new(0));
    let client = builder("http://127.0.0.1:1").hook(Counter(attempts.clone())).build().unwrap();
    let error = client.get_item("a").send().await.unwrap_err();
    assert!(matches!(&error, Error::Transport(e) if e.is_connect()), "{error:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn dropping_a_call_mid_retry_leaves_the_client_working() {
    let slow_retry = Fault::Status(503, vec![("retry-after", "30".into())]);
    let (server, url) = Server::start([slow_retry]).await;
    let client = builder(&url).build().unwrap();
    // The call is waiting for its retry when it is dropped.
    let call = tokio::time::timeout(Duration::from_millis(500), client.create_order(item()).send()).await;
    assert!(call.is_err(), "the call was still waiting");
    assert_eq!(server.seen().len(), 1);
    let created = client.create_order(item()).send().await.unwrap();
    assert_eq!(created.name, "widget");
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "the dropped call sent nothing more");
    assert_ne!(seen[0].idempotency_key, seen[1].idempotency_key, "a new call has a new key");
}

/// Counts the attempts sent.
struct Counter(Arc<AtomicU32>);

impl polvo::Hook for Counter {
    fn before_request<'a>(
        &'a self,
        _: &'a mut polvo::reqwest::Request,
    ) -> polvo::HookFuture<'a, Result<(), polvo::BoxError>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(()) })
    }
}

/// What a hook saw of a response: status, attempt, path template.
type Observed = (u16, u32, &'static str);

/// Signs each attempt with a header, and records the statuses it sees.
#[derive(Clone, Default)]
struct Signer {
    statuses: Arc<Mutex<Vec<Observed>>>,
}

impl polvo::Hook for Signer {
    fn before_request<'a>(
        &'a self,
        request: &'a mut polvo::reqwest::Request,
    ) -> polvo::HookFuture<'a, Result<(), polvo::BoxError>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            let signature = format!("{} {}", request.method(), request.url().path());
            request.headers_mut().insert("x-signed", signature.parse()?);
            Ok(())
        })
    }

    fn after_response<'a>(&'a self, response: &'a polvo::ResponseHead<'a>) -> polvo::HookFuture<'a, ()> {
        self.statuses.lock().unwrap().push((response.status.as_u16(), response.attempt, response.path_template));
        Box::pin(async {})
    }
}

#[tokio::test]
async fn hooks_run_around_every_attempt() {
    let (server, url) = Server::start([unavailable()]).await;
    let signer = Signer::default();
    let client = builder(&url).hook(signer.clone()).build().unwrap();
    client.get_item("a").send().await.unwrap();
    let signed: Vec<_> = server.seen().into_iter().map(|s| s.signed).collect();
    assert_eq!(signed, [Some("GET /items/a".to_owned()), Some("GET /items/a".to_owned())]);
    assert_eq!(*signer.statuses.lock().unwrap(), [(503, 1, "/items/{id}"), (200, 2, "/items/{id}")]);
}

/// Refuses every request.
struct Refuse;

impl polvo::Hook for Refuse {
    fn before_request<'a>(
        &'a self,
        _: &'a mut polvo::reqwest::Request,
    ) -> polvo::HookFuture<'a, Result<(), polvo::BoxError>> {
        Box::pin(async { Err("not signed".into()) })
    }
}

#[tokio::test]
async fn a_hook_error_ends_the_call_before_anything_is_sent() {
    let (server, url) = Server::start([]).await;
    let error = builder(&url).hook(Refuse).build().unwrap().get_item("a").send().await.unwrap_err();
    assert!(matches!(error, Error::Hook(_)), "{error:?}");
    assert!(error.to_string().contains("not signed"), "{error}");
    assert!(server.seen().is_empty());
}

type MiddlewareFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = polvo::reqwest_middleware::Result<polvo::reqwest::Response>> + Send + 'a>,
>;

/// A `reqwest-middleware` layer that tags each request.
fn tag<'a>(
    mut request: polvo::reqwest::Request,
    extensions: &'a mut axum::http::Extensions,
    next: polvo::reqwest_middleware::Next<'a>,
) -> MiddlewareFuture<'a> {
    request.headers_mut().insert("x-tagged", HeaderValue::from_static("yes"));
    Box::pin(next.run(request, extensions))
}

#[tokio::test]
async fn reqwest_middleware_layers_see_every_attempt() {
    let (server, url) = Server::start([unavailable()]).await;
    let client = builder(&url).middleware(tag).build().unwrap();
    client.get_item("a").send().await.unwrap();
    let tagged: Vec<_> = server.seen().into_iter().map(|s| s.tagged).collect();
    assert_eq!(tagged, [Some("yes".to_owned()), Some("yes".to_owned())]);
}

fn httpdate(time: SystemTime) -> String {
    // RFC 9110 IMF-fixdate, as servers send it.
    let seconds = time.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let date = polvo::chrono::DateTime::from_timestamp(seconds as i64, 0).unwrap();
    date.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn charge() -> charges::types::CreateChargeBody {
    charges::types::CreateChargeBody { amount: Some(100) }
}

fn charge_of(amount: i64) -> charges::types::CreateChargeBody {
    charges::types::CreateChargeBody { amount: Some(amount) }
}

#[tokio::test]
async fn a_client_quota_spaces_the_attempts() {
    let (server, url) = Server::start([]).await;
    let quota = polvo::Quota::with_period(Duration::from_millis(200)).unwrap();
    let client = builder(&url).rate_limit(quota).build().unwrap();
    for _ in 0..3 {
        client.get_item("a").send().await.unwrap();
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    for pair in seen.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(150), "two calls {gap:?} apart with one allowed per 200 ms");
    }
}

#[tokio::test]
async fn a_tenant_quota_holds_each_tenant_apart() {
    let (server, url) = Server::start([]).await;
    let quota = polvo::Quota::with_period(Duration::from_secs(60)).unwrap();
    let client = charges::Client::builder().base_url(&url).tenant_rate_limit(quota).build().unwrap();
    let (a, b) = (client.for_tenant("a"), client.for_tenant("b"));
    a.create_charge(charge()).send().await.unwrap();
    b.create_charge(charge()).send().await.expect("tenant b has a quota of its own");
    // Tenant a's next call waits for its quota; dropping it sends nothing.
    let waiting = tokio::time::timeout(Duration::from_millis(300), a.create_charge(charge()).send()).await;
    assert!(waiting.is_err(), "tenant a's second call waited");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn an_operation_quota_holds_that_operation_of_each_tenant_only() {
    let (server, url) = Server::start([]).await;
    let quota = polvo::Quota::with_period(Duration::from_secs(60)).unwrap();
    // The method in any case, the path as the spec writes it.
    let client = builder(&url).operation_rate_limit("get /items/{id}", quota).build().unwrap();
    client.get_item("a").send().await.unwrap();
    let waiting = tokio::time::timeout(Duration::from_millis(300), client.get_item("b").send()).await;
    assert!(waiting.is_err(), "the second call of the limited operation waited");
    // Other operations go ahead.
    client.create_note(item()).send().await.expect("another operation is not limited");
    let paths: Vec<String> = server.seen().iter().map(|seen| format!("{} {}", seen.method, seen.path)).collect();
    assert_eq!(paths, ["GET /items/a", "POST /notes"]);

    // Each tenant has a quota of its own for the operation.
    let (server, url) = Server::start([]).await;
    let client =
        charges::Client::builder().base_url(&url).operation_rate_limit("POST /charges", quota).build().unwrap();
    let (a, b) = (client.for_tenant("a"), client.for_tenant("b"));
    a.create_charge(charge_of(1)).send().await.unwrap();
    b.create_charge(charge_of(2)).send().await.expect("tenant b has a quota of its own");
    let waiting = tokio::time::timeout(Duration::from_millis(300), a.create_charge(charge_of(3)).send()).await;
    assert!(waiting.is_err(), "tenant a's second call waited");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_calls_rate_limit_cost_takes_that_many_cells_and_zero_exempts_it() {
    let (server, url) = Server::start([]).await;
    let quota = polvo::Quota::with_period(Duration::from_secs(60)).unwrap().allow_burst(3.try_into().unwrap());
    let client = builder(&url).rate_limit(quota).build().unwrap();
    let cost = |n| CallOptions::new().rate_limit_cost(n);
    client.get_item("a").with_options(cost(3)).send().await.expect("a cost of the whole burst");
    let waiting = tokio::time::timeout(Duration::from_millis(300), client.get_item("b").send()).await;
    assert!(waiting.is_err(), "the quota is used up: a call of cost 1 waits");
    client.get_item("c").with_options(cost(0)).send().await.expect("a cost of 0 is exempt");
    let error = client.get_item("d").with_options(cost(4)).send().await.unwrap_err();
    assert!(
        matches!(error, Error::Request(polvo::RequestError::RateLimitCost { cost: 4, burst: 3 })),
        "a cost above the burst fails at once: {error}"
    );
    let paths: Vec<String> = server.seen().iter().map(|seen| seen.path.clone()).collect();
    assert_eq!(paths, ["/items/a", "/items/c"]);
}

#[test]
fn an_operation_quota_must_name_an_operation_of_the_service() {
    let quota = polvo::Quota::with_period(Duration::from_secs(1)).unwrap();
    for name in ["GET /items", "GET /items/{itemId}", "GET/items/{id}", "/items/{id}", "FETCH /items/{id}", ""] {
        let error = builder("http://127.0.0.1:1").operation_rate_limit(name, quota).build().unwrap_err();
        assert!(matches!(&error, polvo::BuildError::UnknownOperation { operation } if operation == name), "{error}");
    }
    builder("http://127.0.0.1:1")
        .operation_rate_limit(" POST  /notes ", quota)
        .build()
        .expect("spaces around are fine");
}

#[tokio::test]
async fn the_apis_reported_limit_holds_its_tenant_until_the_reset() {
    let exhausted = vec![("x-ratelimit-remaining", "0".to_owned()), ("x-ratelimit-reset", "1".to_owned())];
    let (server, url) = Server::start([Fault::SuccessWith(exhausted)]).await;
    let client = charges::Client::builder().base_url(&url).adaptive_rate_limit().build().unwrap();
    let (a, b) = (client.for_tenant("a"), client.for_tenant("b"));
    a.create_charge(charge_of(1)).send().await.unwrap();
    let (held, free) = tokio::join!(a.create_charge(charge_of(1)).send(), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        b.create_charge(charge_of(2)).send().await
    });
    held.unwrap();
    free.unwrap();
    let seen = server.seen();
    let order: Vec<&str> = seen.iter().map(|s| s.body.as_str()).collect();
    // Tenant b, which started later, went ahead: a waited for the reset.
    assert_eq!(order, ["amount=1", "amount=2", "amount=1"]);
    let waited = seen[2].at - seen[0].at;
    assert!(waited >= Duration::from_millis(900), "tenant a sent again {waited:?} after `X-RateLimit-Reset: 1`");
}
