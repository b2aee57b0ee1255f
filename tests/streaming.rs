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
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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
/// The size of the gzip-compressed download, before compression.
const GZIP_SIZE: usize = 2 * 1024 * 1024;
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
/// `huge`: an event that never ends. `gzip`: two gzip-compressed events,
/// the second after the signal. `partial`, `broken`: see [`cut_events`].
async fn chat_events(State(server): State<Server>, Path(id): Path<String>) -> Response {
    match id.as_str() {
        "fail" => return with_type(500, "text/plain", Body::from("the model is down")),
        "partial" | "broken" => return cut_events(&id, server.events_gate.clone()),
        "missing" => return with_type(404, "application/json", Body::from(r#"{"title":"no such chat"}"#)),
        "slow" => tokio::time::sleep(Duration::from_secs(30)).await,
        _ => {}
    }
    let (sender, body) = channel_body();
    let gate = server.events_gate.clone();
    let compressed = id == "gzip";
    tokio::spawn(async move {
        let event = |text: &str| Bytes::from(text.to_owned());
        if id == "huge" {
            // One event that never ends, larger than the client's limit.
            sender.send(event("data: ")).await.ok();
            while sender.send(Bytes::from(vec![b'x'; CHUNK])).await.is_ok() {}
            return;
        }
        if id == "gzip" {
            send_gzip_events(&sender, &gate).await;
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
    let mut response = with_type(200, "text/event-stream", body);
    if compressed {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// A whole event, then part of one. `partial`: the response then ends as
/// if complete (chunked, with its last chunk). `broken`: after the test's
/// signal the body fails, and the server drops the connection without the
/// last chunk.
fn cut_events(id: &str, gate: Arc<Notify>) -> Response {
    let chunks = [
        Ok(Bytes::from_static(b"event: token\ndata: {\"text\":\"a\",\"index\":0}\n\n")),
        Ok(Bytes::from_static(b"event: token\ndata: {\"text\":\"b\",\"index\":1}\n")),
    ];
    let body = match id {
        "broken" => Body::from_stream(stream::iter(chunks).chain(failing_after(gate))),
        _ => Body::from_stream(stream::iter(chunks)),
    };
    with_type(200, "text/event-stream", body)
}

/// A body's last item: an error once `gate` is notified (so that the
/// response head and the chunks before went out first).
fn failing_after(gate: Arc<Notify>) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    stream::once(async move {
        gate.notified().await;
        Err(std::io::Error::other("the connection broke"))
    })
}

/// Two gzip-compressed events, each flushed as soon as it is written: the
/// second only after the test's signal.
async fn send_gzip_events(sender: &mpsc::Sender<Bytes>, gate: &Notify) {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let flushed = |gzip: &mut flate2::write::GzEncoder<Vec<u8>>, text: &str| {
        gzip.write_all(text.as_bytes()).unwrap();
        gzip.flush().unwrap();
        Bytes::from(std::mem::take(gzip.get_mut()))
    };
    sender.send(flushed(&mut gzip, "event: token\ndata: {\"text\":\"zip\",\"index\":0}\n\n")).await.ok();
    gate.notified().await;
    let second = flushed(&mut gzip, "event: token\ndata: {\"text\":\"ped\",\"index\":1}\n\n");
    sender.send(second).await.ok();
    sender.send(Bytes::from(gzip.finish().unwrap())).await.ok();
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
/// `small`: a few bytes. `gzip`: see [`send_gzip_file`]. `broken`: a
/// chunked body that fails after 1000 bytes and the signal. Anything
/// else: 404.
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
        "gzip" => {
            tokio::spawn(send_gzip_file(sender, gate));
        }
        "broken" => {
            let chunks = stream::iter([Ok(Bytes::from(vec![1u8; 1000]))]).chain(failing_after(gate));
            return with_type(200, "application/octet-stream", Body::from_stream(chunks));
        }
        _ => return with_type(404, "text/plain", Body::from("no such file")),
    }
    let mut response = with_type(200, "application/octet-stream", body);
    if name == "gzip" {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// The file's first `GZIP_SIZE` bytes, gzip-compressed, sent in chunks
/// as they are compressed: the part after `BEFORE_SIGNAL` only after the
/// test's signal.
async fn send_gzip_file(sender: mpsc::Sender<Bytes>, gate: Arc<Notify>) {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for start in (0..GZIP_SIZE).step_by(CHUNK) {
        if start == BEFORE_SIGNAL {
            gate.notified().await;
        }
        let chunk: Vec<u8> = (start..start + CHUNK).map(file_byte).collect();
        gzip.write_all(&chunk).unwrap();
        gzip.flush().unwrap();
        if sender.send(Bytes::from(std::mem::take(gzip.get_mut()))).await.is_err() {
            return;
        }
    }
    sender.send(Bytes::from(gzip.finish().unwrap())).await.ok();
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

/// How a hand-written server ends the connection after its response.
#[derive(Clone, Copy, Debug)]
enum Ending {
    /// Closes it (FIN).
    Close,
    /// Resets it (RST).
    Reset,
}

/// A hand-written server on 127.0.0.1, for faults axum does not make: it
/// reads each request's head, writes `response` (head and body, as given)
/// and ends the connection as `ending` says. A client of it, without
/// retries.
async fn cutting_server(response: Bytes, ending: Ending) -> files::Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut connection, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match connection.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            connection.write_all(&response).await.ok();
            connection.flush().await.ok();
            match ending {
                Ending::Close => drop(connection.shutdown().await),
                Ending::Reset => connection.set_zero_linger().unwrap(),
            }
        }
    });
    files::Client::builder().base_url(format!("http://{address}")).retries(0).build().unwrap()
}

/// A download head announcing 1000 bytes, and 400 of them.
const SHORT_DOWNLOAD: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\n\
    0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\
    0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\
    0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\
    0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";

/// The chunks of a stream up to its first error: what arrived, the error
/// (if any), and whether the stream ended right after it.
async fn read_until_error<S, T, E>(mut stream: S) -> (Vec<T>, Option<Error<E>>, bool)
where
    S: futures_util::Stream<Item = Result<T, Error<E>>> + Unpin,
{
    let mut items = Vec::new();
    while let Some(item) = next(&mut stream).await {
        match item {
            Ok(item) => items.push(item),
            Err(error) => return (items, Some(error), next(&mut stream).await.is_none()),
        }
    }
    (items, None, true)
}

#[tokio::test]
async fn a_download_cut_short_of_its_content_length_ends_with_an_error() {
    for ending in [Ending::Close, Ending::Reset] {
        let client = cutting_server(Bytes::from_static(SHORT_DOWNLOAD), ending).await;
        let download = client.download_file("cut").send_stream().await.unwrap();
        assert_eq!(download.content_length(), Some(1000));
        let (chunks, error, ended) = read_until_error(download).await;
        let received: usize = chunks.iter().map(Bytes::len).sum();
        assert!(received <= 400, "{ending:?}: {received} bytes");
        match error {
            Some(Error::Transport(_)) => assert!(ended, "{ending:?}: the error is the last item"),
            other => panic!("{ending:?}: expected the cut to be an error item, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_chunked_download_whose_body_fails_ends_with_an_error() {
    let (server, client) = Server::start().await;
    let download = client.download_file("broken").send_stream().await.unwrap();
    server.download_gate.notify_one();
    let (chunks, error, ended) = read_until_error(download).await;
    assert!(chunks.iter().map(Bytes::len).sum::<usize>() <= 1000);
    assert!(matches!(error, Some(Error::Transport(_))) && ended, "expected a last error item, got {error:?}");
}

/// An event, then part of one on a body without a length (it ends when the
/// connection does).
const CUT_EVENTS: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n\
    event: token\ndata: {\"text\":\"a\",\"index\":0}\n\nevent: token\nid: 2\ndata: {\"text\":\"b\",\"ind";

#[tokio::test]
async fn an_event_stream_whose_connection_ends_mid_event_ends_with_an_error() {
    for ending in [Ending::Close, Ending::Reset] {
        let client = cutting_server(Bytes::from_static(CUT_EVENTS), ending).await;
        let events = client.chat_events("c1").send_events().await.unwrap();
        let (events, error, ended) = read_until_error(events).await;
        assert!(events.len() <= 1 && events.iter().all(|e| e.data().text == "a"), "{ending:?}: {events:?}");
        match error {
            Some(Error::Stream(StreamError::Truncated)) if matches!(ending, Ending::Close) => {}
            // A reset is a failed connection.
            Some(Error::Transport(_)) if matches!(ending, Ending::Reset) => {}
            other => panic!("{ending:?}: expected the partial event to be an error item, got {other:?}"),
        }
        assert!(ended, "{ending:?}: the error is the last item");
    }
}

#[tokio::test]
async fn an_event_stream_that_ends_mid_event_never_delivers_the_partial_event() {
    let (server, client) = Server::start().await;
    // Chunked: the response ends properly, with the partial event.
    let (events, error, ended) = read_until_error(client.chat_events("partial").send_events().await.unwrap()).await;
    assert_eq!(events.iter().map(|e| e.data().text.as_str()).collect::<Vec<_>>(), ["a"]);
    let error = error.expect("the partial event is an error item");
    assert!(matches!(error, Error::Stream(StreamError::Truncated)) && ended, "{error:?}");
    assert_eq!(
        error.to_string(),
        "streaming failed: the event stream ended in the middle of an event: the connection closed before the event was complete"
    );
    // The body fails: the connection ends without the last chunk.
    let events = client.chat_events("broken").send_events().await.unwrap();
    server.events_gate.notify_one();
    let (events, error, ended) = read_until_error(events).await;
    assert_eq!(events.len(), 1);
    assert!(matches!(error, Some(Error::Transport(_))) && ended, "{error:?}");
}

#[tokio::test]
async fn gzip_compressed_events_arrive_decoded_as_the_server_flushes_them() {
    let (server, client) = Server::start().await;
    let mut events = client.chat_events("gzip").send_events().await.unwrap();
    // The server sends the second only after the first reached the test.
    let first = next(&mut events).await.unwrap().unwrap();
    assert_eq!(first.data(), &files::types::Token { text: "zip".into(), index: 0 });
    server.events_gate.notify_one();
    let second = next(&mut events).await.unwrap().unwrap();
    assert_eq!(second.data(), &files::types::Token { text: "ped".into(), index: 1 });
    assert!(next(&mut events).await.is_none(), "the stream ends cleanly with the gzip trailer");
}

#[tokio::test]
async fn a_gzip_compressed_download_arrives_decoded_as_it_is_sent() {
    let (server, client) = Server::start().await;
    let mut download = client.download_file("gzip").send_stream().await.unwrap();
    let mut received = Vec::new();
    // The server sends the rest only after the first megabyte (decoded)
    // reached the test.
    while received.len() < BEFORE_SIGNAL {
        received.extend_from_slice(&next(&mut download).await.unwrap().unwrap());
    }
    server.download_gate.notify_one();
    while let Some(chunk) = next(&mut download).await {
        received.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(received.len(), GZIP_SIZE);
    assert!(received.iter().enumerate().all(|(i, b)| *b == file_byte(i)), "the bytes arrive decoded, in order");
}

#[tokio::test]
async fn a_gzip_compressed_download_cut_mid_stream_ends_with_an_error() {
    // The compressed stream stops before its end (and its trailer): the
    // body has no length, so only the decoder can tell.
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(&(0..64 * 1024).map(file_byte).collect::<Vec<u8>>()).unwrap();
    let compressed = gzip.finish().unwrap();
    let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-encoding: gzip\r\nconnection: close\r\n\r\n";
    let response = Bytes::from([&head[..], &compressed[..compressed.len() / 2]].concat());
    for ending in [Ending::Close, Ending::Reset] {
        let client = cutting_server(response.clone(), ending).await;
        let download = client.download_file("cut").send_stream().await.unwrap();
        let (chunks, error, ended) = read_until_error(download).await;
        assert!(chunks.iter().map(Bytes::len).sum::<usize>() < 64 * 1024, "{ending:?}");
        match error {
            Some(Error::Transport(_)) => assert!(ended, "{ending:?}: the error is the last item"),
            other => panic!("{ending:?}: expected the cut to be an error item, got {other:?}"),
        }
    }
}
