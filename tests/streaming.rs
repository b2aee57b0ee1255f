//! Streaming against a local server: server-sent events as typed items
//! that arrive one by one, downloads read in chunks as they arrive, and
//! request bodies sent from a stream (sent once: never retried, never
//! resent by a redirect).
#![deny(warnings)]

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use futures_util::{StreamExt, TryStreamExt, stream};
use polvo::{Binary, Bytes, CallOptions, Error, RetryPolicy, StreamError};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

polvo::service!("tests/specs/streaming/files.yaml");

/// How long a test waits for something that should come at once, so that
/// a client that buffers fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(20);

/// The size of the downloaded file: several megabytes.
const FILE_SIZE: usize = 4 * 1024 * 1024;
/// The size of the download's chunks, and how much arrives before the
/// server waits for the test's signal.
const CHUNK: usize = 64 * 1024;
const BEFORE_SIGNAL: usize = 1024 * 1024;
/// The clients' response size limit.
const MAX_RESPONSE_SIZE: u64 = 1024 * 1024;

/// The server's state: signals the test sends, attempts it counts, and
/// statuses it answers uploads with first.
#[derive(Clone, Default)]
struct Server {
    /// The events route sends the rest after this.
    events_gate: Arc<Notify>,
    /// The download route sends the rest after this.
    download_gate: Arc<Notify>,
    /// Uploads received.
    uploads: Arc<AtomicU32>,
    /// Statuses to answer the next uploads with (then `201`).
    upload_faults: Arc<Mutex<Vec<u16>>>,
}

impl Server {
    async fn start() -> (Server, files::Client) {
        let server = Server::default();
        let app = axum::Router::new()
            .route("/chats/{id}/events", get(chat_events))
            .route("/logs", get(logs))
            .route("/files/{name}", get(download).put(upload))
            .with_state(server.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = files::Client::builder()
            .base_url(format!("http://{address}"))
            .retry_policy(RetryPolicy::new().initial_backoff(Duration::from_millis(5)))
            // Below the downloaded file's size: the limit bounds what a call
            // holds, and a stream holds one chunk.
            .max_response_size(MAX_RESPONSE_SIZE)
            .build()
            .unwrap();
        (server, client)
    }
}

/// A body fed by a channel, so a route can send some and wait.
fn channel_body() -> (mpsc::Sender<Bytes>, Body) {
    let (sender, receiver) = mpsc::channel::<Bytes>(4);
    let chunks = stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (Ok::<_, std::io::Error>(chunk), receiver))
    });
    (sender, Body::from_stream(chunks))
}

fn with_type(status: u16, content_type: &'static str, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `ok`: three typed events, the second and third after the test's signal.
/// `malformed`: a good event, one whose data is not a token, a good one.
/// `fail`: a 500. `missing`: a documented 404. `slow`: no head for 30 s.
/// `huge`: an event that never ends.
async fn chat_events(State(server): State<Server>, Path(id): Path<String>) -> Response {
    match id.as_str() {
        "fail" => return with_type(500, "text/plain", Body::from("the model is down")),
        "missing" => return with_type(404, "application/json", Body::from(r#"{"title":"no such chat"}"#)),
        "slow" => tokio::time::sleep(Duration::from_secs(30)).await,
        _ => {}
    }
    let (sender, body) = channel_body();
    let gate = server.events_gate.clone();
    tokio::spawn(async move {
        let event = |text: &str| Bytes::from(text.to_owned());
        if id == "huge" {
            // One event that never ends, larger than the client's limit.
            sender.send(event("data: ")).await.ok();
            while sender.send(Bytes::from(vec![b'x'; CHUNK])).await.is_ok() {}
            return;
        }
        if id == "malformed" {
            sender.send(event("event: token\ndata: {\"text\":\"a\",\"index\":0}\n\n")).await.ok();
            sender.send(event("event: token\nid: 7\ndata: {\"text\": 12\n\n")).await.ok();
            sender.send(event("event: token\ndata: {\"text\":\"c\",\"index\":2}\n\n")).await.ok();
            return;
        }
        sender.send(event("event: token\nid: 1\ndata: {\"text\":\"Hel\",\"index\":0}\n\n")).await.ok();
        gate.notified().await;
        // One event split across two chunks, and data over two lines.
        sender.send(event("id: 2\ndata: {\"text\":\"lo\",")).await.ok();
        sender.send(event("\ndata: \"index\":1}\n\n")).await.ok();
        sender.send(event(": a comment\nevent: done\nretry: 3000\ndata: {\"text\":\"\",\"index\":2}\n\n")).await.ok();
    });
    with_type(200, "text/event-stream", body)
}

/// Text events.
async fn logs() -> Response {
    with_type(200, "text/event-stream", Body::from("data: started\n\ndata: line one\ndata: line two\n\n"))
}

/// The byte at `index` of a downloaded file.
fn file_byte(index: usize) -> u8 {
    (index % 251) as u8
}

/// `big`: the file, in chunks, the part after `BEFORE_SIGNAL` only after
/// the test's signal. `endless`: chunks until the client goes away.
/// `small`: a few bytes. Anything else: 404.
async fn download(State(server): State<Server>, Path(name): Path<String>) -> Response {
    let (sender, body) = channel_body();
    let gate = server.download_gate.clone();
    match name.as_str() {
        "big" => {
            tokio::spawn(async move {
                for start in (0..FILE_SIZE).step_by(CHUNK) {
                    if start == BEFORE_SIGNAL {
                        gate.notified().await;
                    }
                    let chunk: Vec<u8> = (start..start + CHUNK).map(file_byte).collect();
                    if sender.send(Bytes::from(chunk)).await.is_err() {
                        return;
                    }
                }
            });
        }
        "endless" => {
            tokio::spawn(async move { while sender.send(Bytes::from(vec![7u8; CHUNK])).await.is_ok() {} });
        }
        "small" => return with_type(200, "application/octet-stream", Body::from("small file")),
        _ => return with_type(404, "text/plain", Body::from("no such file")),
    }
    with_type(200, "application/octet-stream", body)
}

/// Counts the attempt, reads the whole body, and answers with the next
/// fault, or `201` with the size and SHA-256 of what arrived. `redirect`
/// answers `307` to another name.
async fn upload(State(server): State<Server>, Path(name): Path<String>, request: Request) -> Response {
    server.uploads.fetch_add(1, Ordering::SeqCst);
    let content_length = request.headers().get(header::CONTENT_LENGTH).map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(request.into_body(), 64 << 20).await.unwrap();
    if name == "redirect" {
        let mut response = with_type(307, "text/plain", Body::empty());
        response.headers_mut().insert(header::LOCATION, HeaderValue::from_static("/files/elsewhere"));
        return response;
    }
    let fault = {
        let mut faults = server.upload_faults.lock().unwrap();
        (!faults.is_empty()).then(|| faults.remove(0))
    };
    if let Some(status) = fault {
        return with_type(status, "text/plain", Body::from("busy"));
    }
    let receipt = serde_json::json!({
        "size": body.len(),
        "sha256": hex(&Sha256::digest(&body)),
        "content_length": content_length.map(|v| v.parse::<u64>().unwrap()),
    });
    with_type(201, "application/json", Body::from(receipt.to_string()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The next item of a stream, failing the test if none comes.
async fn next<S: futures_util::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    tokio::time::timeout(PATIENCE, stream.next()).await.expect("the next item should arrive")
}

#[tokio::test]
async fn typed_events_arrive_as_the_server_sends_them() {
    let (server, client) = Server::start().await;
    let mut events = client.chat_events("ok").send_events().await.unwrap();

    // The server sends the rest only after this event reached the test.
    let first = next(&mut events).await.unwrap().unwrap();
    assert_eq!((first.event(), first.id(), first.retry()), ("token", Some("1"), None));
    assert_eq!(first.data(), &files::types::Token { text: "Hel".into(), index: 0 });
    server.events_gate.notify_one();

    let second = next(&mut events).await.unwrap().unwrap();
    assert_eq!((second.event(), second.id()), ("message", Some("2")), "no `event` field: `message`");
    assert_eq!(second.into_data(), files::types::Token { text: "lo".into(), index: 1 });
    let third = next(&mut events).await.unwrap().unwrap();
    assert_eq!((third.event(), third.retry()), ("done", Some(Duration::from_millis(3000))));
    assert_eq!(third.data().index, 2);
    assert!(next(&mut events).await.is_none(), "the stream ends when the server closes it");
}

#[tokio::test]
async fn text_events_keep_their_data_as_sent() {
    let (_server, client) = Server::start().await;
    let events: Vec<String> =
        client.tail_logs().send_events().await.unwrap().map_ok(|event| event.into_data()).try_collect().await.unwrap();
    assert_eq!(events, ["started", "line one\nline two"]);
}

#[tokio::test]
async fn a_malformed_event_is_an_error_item_naming_it_and_the_stream_goes_on() {
    let (_server, client) = Server::start().await;
    let items: Vec<_> = client.chat_events("malformed").send_events().await.unwrap().collect().await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().data().text, "a");
    match &items[1] {
        Err(Error::Stream(StreamError::Decode { event, id, data, .. })) => {
            assert_eq!((event.as_str(), id.as_deref(), data.as_str()), ("token", Some("7"), "{\"text\": 12"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    let message = items[1].as_ref().unwrap_err().to_string();
    assert!(message.contains("event `token` (id `7`)"), "{message}");
    assert_eq!(items[2].as_ref().unwrap().data().text, "c");
}

#[tokio::test]
async fn an_error_status_ends_the_call_before_any_event_after_its_retries() {
    let (_server, client) = Server::start().await;
    match client.chat_events("fail").send_events().await {
        Err(Error::Status { status, body, attempts, .. }) => {
            assert_eq!(status, 500);
            assert_eq!(body, "the model is down");
            assert_eq!(attempts, 3, "a 500 is retried until the head of a success arrives");
        }
        other => panic!("expected the 500, got {other:?}"),
    }
    match client.chat_events("missing").send_events().await {
        Err(Error::Api { status, body, .. }) => {
            assert_eq!(status, 404);
            assert_eq!(body.title, "no such chat", "the documented error body is decoded");
        }
        other => panic!("expected the 404, got {other:?}"),
    }
}

#[tokio::test]
async fn a_large_download_arrives_in_chunks_as_it_is_sent() {
    let (server, client) = Server::start().await;
    // Larger than the client's response size limit, which bounds what a
    // call holds: a stream holds one chunk at a time.
    assert!(FILE_SIZE as u64 > MAX_RESPONSE_SIZE);
    let mut download = client.download_file("big").send_stream().await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()[header::CONTENT_TYPE], "application/octet-stream");

    let mut received = Vec::new();
    let mut chunks = 0;
    // The server sends the rest only after the first megabyte reached the test.
    while received.len() < BEFORE_SIGNAL {
        received.extend_from_slice(&next(&mut download).await.unwrap().unwrap());
        chunks += 1;
    }
    server.download_gate.notify_one();
    while let Some(chunk) = next(&mut download).await {
        received.extend_from_slice(&chunk.unwrap());
        chunks += 1;
    }
    assert_eq!(received.len(), FILE_SIZE);
    assert!(received.iter().enumerate().all(|(i, b)| *b == file_byte(i)), "the bytes arrive intact, in order");
    assert!(chunks > 1, "the body arrives in chunks");
}

#[tokio::test]
async fn dropping_a_download_midway_leaves_the_client_working() {
    let (_server, client) = Server::start().await;
    let mut endless = client.download_file("endless").send_stream().await.unwrap().into_body();
    let first = next(&mut endless).await.unwrap().unwrap();
    assert!(!first.is_empty() && first.iter().all(|b| *b == 7));
    drop(endless);

    let small: Vec<Bytes> = client.download_file("small").send_stream().await.unwrap().try_collect().await.unwrap();
    assert_eq!(small.concat(), b"small file");
    let buffered = client.download_file("small").send().await.unwrap();
    assert_eq!(buffered, "small file", "the buffered `send()` stays");
    match client.download_file("nothing").send_stream().await {
        Err(Error::Status { status, .. }) => assert_eq!(status, 404),
        other => panic!("expected the 404, got {other:?}"),
    }
}

/// A body of `size` bytes in chunks of 16 KiB, produced as it is sent.
fn chunked_body(size: usize) -> (impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send, String) {
    let data: Vec<u8> = (0..size).map(|i| (i * 7 % 256) as u8).collect();
    let digest = hex(&Sha256::digest(&data));
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        data.chunks(16 * 1024).map(|chunk| Ok(Bytes::copy_from_slice(chunk))).collect();
    (stream::iter(chunks), digest)
}

#[tokio::test]
async fn a_streamed_upload_reaches_the_server_intact() {
    let (_server, client) = Server::start().await;
    let (chunks, digest) = chunked_body(3 * 1024 * 1024 + 5);
    let receipt = client.upload_file("data.bin", Binary::from_stream(chunks)).send().await.unwrap();
    assert_eq!((receipt.size, receipt.sha256.as_str(), receipt.content_length), (3 * 1024 * 1024 + 5, &*digest, None));

    let (chunks, digest) = chunked_body(1000);
    let receipt = client.upload_file("data.bin", Binary::from_stream_with_length(chunks, 1000)).send().await.unwrap();
    assert_eq!((receipt.size, receipt.sha256, receipt.content_length), (1000, digest, Some(1000)));
}

#[tokio::test]
async fn a_streamed_upload_is_not_retried_while_bytes_are() {
    let (server, client) = Server::start().await;
    server.upload_faults.lock().unwrap().push(503);
    let (chunks, _) = chunked_body(64 * 1024);
    match client.upload_file("data.bin", Binary::from_stream(chunks)).send().await {
        Err(Error::Status { status, attempts, .. }) => assert_eq!((status.as_u16(), attempts), (503, 1)),
        other => panic!("expected the 503, got {other:?}"),
    }
    assert_eq!(server.uploads.load(Ordering::SeqCst), 1, "a stream that was sent is not sent again");

    server.upload_faults.lock().unwrap().push(503);
    let response = client.upload_file("data.bin", Binary::from(vec![1u8; 1000])).send_response().await.unwrap();
    assert_eq!((response.attempts(), response.body().size), (2, 1000), "bytes can be sent again");
    assert_eq!(server.uploads.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_redirect_that_would_resend_a_streamed_body_fails_clearly() {
    let (server, client) = Server::start().await;
    let (chunks, _) = chunked_body(1000);
    let request = client.upload_file("redirect", Binary::from_stream(chunks));
    match request.clone().send().await {
        Err(Error::Stream(StreamError::BodyNotReplayable { reason })) => {
            assert!(reason.contains("redirected"), "{reason}");
        }
        other => panic!("expected the stream to be refused, got {other:?}"),
    }
    assert_eq!(server.uploads.load(Ordering::SeqCst), 1, "the redirect was not followed");
    // A clone shares the stream, which was sent: it is refused, nothing sent.
    let error = request.send().await.unwrap_err();
    assert!(error.to_string().contains("can be sent only once"), "{error}");
    assert_eq!(server.uploads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_call_timeout_covers_the_head_not_the_stream() {
    let (server, client) = Server::start().await;
    let timeout = Duration::from_millis(300);
    let options = CallOptions::new().timeout(timeout);
    match client.chat_events("slow").with_options(options).send_events().await {
        Err(Error::Stream(StreamError::HeadTimeout)) => {}
        other => panic!("expected the head to time out, got {other:?}"),
    }
    let mut events = client.chat_events("ok").with_options(options).send_events().await.unwrap();
    next(&mut events).await.unwrap().unwrap();
    // Past the call's timeout, the stream goes on.
    tokio::time::sleep(timeout * 2).await;
    server.events_gate.notify_one();
    let rest: Vec<_> = events.try_collect().await.unwrap();
    assert_eq!(rest.len(), 2);
}

#[tokio::test]
async fn an_event_larger_than_the_size_limit_ends_the_stream() {
    let (_server, client) = Server::start().await;
    let mut events = client.chat_events("huge").send_events().await.unwrap();
    match next(&mut events).await {
        Some(Err(Error::Stream(StreamError::EventTooLarge { limit }))) => assert_eq!(limit, MAX_RESPONSE_SIZE),
        other => panic!("expected the event to be refused, got {other:?}"),
    }
    assert!(next(&mut events).await.is_none(), "the stream ends there");
}
