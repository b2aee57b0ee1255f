//! Response bodies: compressed ones are decoded, and no body is read past
//! the client's size limit, whether announced by `Content-Length`, chunked,
//! or compressed (a decompression bomb). Local servers on 127.0.0.1.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, header};
use futures_util::stream;
use polvo::{Bytes, Error, StatusCode};
use std::io::Write;
use std::sync::{Arc, Mutex};

polvo::service!("tests/specs/transport.yaml");

/// One answer, sent for every request; the `Accept-Encoding` of each
/// request is recorded.
#[derive(Clone)]
struct Answer {
    encoding: Option<&'static str>,
    body: Arc<dyn Fn() -> Body + Send + Sync>,
    content_length: Option<u64>,
    seen: Arc<Mutex<Vec<Option<String>>>>,
}

impl Answer {
    fn new(body: impl Fn() -> Body + Send + Sync + 'static) -> Self {
        Answer { encoding: None, body: Arc::new(body), content_length: None, seen: Arc::default() }
    }

    fn bytes(bytes: Vec<u8>) -> Self {
        let bytes = Bytes::from(bytes);
        Answer::new(move || Body::from(bytes.clone()))
    }

    /// A body of `chunks` chunks of `chunk` bytes each, streamed without
    /// `Content-Length` (chunked) unless one is set.
    fn streamed(chunks: usize, chunk: &'static [u8]) -> Self {
        Answer::new(move || {
            Body::from_stream(stream::iter(
                (0..chunks).map(move |_| Ok::<_, std::io::Error>(Bytes::from_static(chunk))),
            ))
        })
    }

    /// Starts a server; returns a client of it with `limit`, if any.
    async fn serve(&self, limit: Option<u64>) -> transport::Client {
        let builder = transport::Client::builder().base_url(self.start().await);
        match limit {
            Some(limit) => builder.max_response_size(limit),
            None => builder,
        }
        .build()
        .unwrap()
    }

    /// Starts a server; returns its base URL.
    async fn start(&self) -> String {
        let answer = self.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap| {
            let answer = answer.clone();
            async move {
                let accepted = headers.get(header::ACCEPT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
                answer.seen.lock().unwrap().push(accepted);
                let mut response = axum::response::Response::new((answer.body)());
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                if let Some(encoding) = answer.encoding {
                    headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
                }
                if let Some(length) = answer.content_length {
                    headers.insert(header::CONTENT_LENGTH, length.into());
                }
                response
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        base_url
    }
}

const ENCODINGS: [&str; 4] = ["gzip", "deflate", "br", "zstd"];

/// `data` compressed as `encoding` names it (`deflate` is zlib, as HTTP has it).
fn compress(encoding: &str, data: &[u8]) -> Vec<u8> {
    match encoding {
        "gzip" => {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(data).unwrap();
            encoder.finish().unwrap()
        }
        "deflate" => {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(data).unwrap();
            encoder.finish().unwrap()
        }
        "br" => {
            let mut out = Vec::new();
            let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 1, 22);
            encoder.write_all(data).unwrap();
            drop(encoder);
            out
        }
        "zstd" => zstd::encode_all(data, 1).unwrap(),
        other => panic!("no encoder for {other}"),
    }
}

/// An item, padded with JSON whitespace to exactly `size` bytes: valid
/// however large, so only the limit can refuse it.
fn padded_item(size: usize) -> Vec<u8> {
    let mut body = br#"{"id": "9", "name": "lamp", "tags": ["a", "b"]}"#.to_vec();
    assert!(body.len() <= size);
    body.resize(size, b' ');
    body
}

fn assert_too_large<T: std::fmt::Debug>(result: Result<T, Error<polvo::NoErrorBody>>, limit: u64, what: &str) {
    let error = result.expect_err(what);
    let Error::ResponseTooLarge { status, limit: reported, headers, .. } = &error else {
        panic!("{what}: unexpected {error:?}")
    };
    assert_eq!((*status, *reported), (StatusCode::OK, limit), "{what}");
    assert_eq!(headers.get(header::CONTENT_TYPE).map(HeaderValue::as_bytes), Some(&b"application/json"[..]), "{what}");
    assert_eq!(error.headers(), Some(headers), "{what}");
    let message = error.to_string();
    assert!(message.contains("larger than the limit of") && message.contains("max_response_size"), "{message}");
}

#[tokio::test]
async fn every_compression_decodes_into_the_typed_body() {
    for encoding in ENCODINGS {
        let json = br#"{"id": "9", "name": "lamp", "tags": ["a", "b"]}"#;
        let mut answer = Answer::bytes(compress(encoding, json));
        answer.encoding = Some(encoding);
        let client = answer.serve(None).await;
        let item = client.get_public().send().await.unwrap_or_else(|e| panic!("{encoding}: {e:?}"));
        assert_eq!((item.id.as_str(), item.name.as_deref()), ("9", Some("lamp")), "{encoding}");
        assert_eq!(item.tags.as_deref(), Some(&["a".to_owned(), "b".to_owned()][..]));
        let seen = answer.seen.lock().unwrap()[0].clone().expect("Accept-Encoding is sent");
        assert!(seen.split(',').any(|e| e.trim() == encoding), "{encoding} is offered: {seen}");
    }
}

#[tokio::test]
async fn a_decompression_bomb_stops_at_the_limit() {
    const LIMIT: u64 = 1024 * 1024;
    for encoding in ENCODINGS {
        // 16 MiB of valid JSON that compresses to a few KiB.
        let compressed = compress(encoding, &padded_item(16 * 1024 * 1024));
        assert!((compressed.len() as u64) < LIMIT / 8, "{encoding}: {} bytes", compressed.len());
        let mut answer = Answer::bytes(compressed);
        answer.encoding = Some(encoding);
        let client = answer.serve(Some(LIMIT)).await;
        assert_too_large(client.get_public().send().await, LIMIT, encoding);
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_or_without_content_length() {
    const LIMIT: u64 = 256 * 1024;
    let announced = Answer::bytes(padded_item(LIMIT as usize + 1));
    let result = announced.serve(Some(LIMIT)).await.get_public().send().await;
    assert_eq!(
        result.as_ref().map_err(ToString::to_string).unwrap_err(),
        "the 200 OK response body is larger than the limit of 256 KiB (raise it with `ClientBuilder::max_response_size`)"
    );
    assert_too_large(result, LIMIT, "Content-Length");

    // 64 chunks of 16 KiB: 1 MiB, chunked.
    static CHUNK: [u8; 16 * 1024] = [b' '; 16 * 1024];
    let chunked = Answer::streamed(64, &CHUNK);
    assert_too_large(chunked.serve(Some(LIMIT)).await.get_public().send().await, LIMIT, "chunked");

    // A body exactly at the limit is read, with or without Content-Length.
    let client = Answer::bytes(padded_item(LIMIT as usize)).serve(Some(LIMIT)).await;
    assert_eq!(client.get_public().send().await.expect("at the limit").id, "9");
    let chunked = Answer::streamed(16, &CHUNK);
    match chunked.serve(Some(LIMIT)).await.get_public().send().await {
        Err(error @ Error::Decode { .. }) => {
            assert_eq!(error.raw_body().map(Bytes::len), Some(LIMIT as usize), "read whole, then found not to be JSON")
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn the_default_limit_refuses_a_body_announced_larger_than_64_mib() {
    static CHUNK: [u8; 64 * 1024] = [b' '; 64 * 1024];
    assert_eq!(polvo::DEFAULT_MAX_RESPONSE_SIZE, 64 * 1024 * 1024);
    // The server would stream 64 MiB + 64 KiB; the client reads none of it.
    let mut answer = Answer::streamed(1025, &CHUNK);
    answer.content_length = Some(1025 * 64 * 1024);
    let client = answer.serve(None).await;
    assert_too_large(client.get_public().send().await, polvo::DEFAULT_MAX_RESPONSE_SIZE, "default");
}

#[tokio::test]
async fn a_compressed_token_reply_is_capped_after_decompression() {
    // A token reply of 1 MiB (valid JSON) that travels as a few KiB of gzip:
    // the 64 KiB cap of token replies counts the decompressed bytes.
    let mut token = br#"{"access_token": "t", "token_type": "Bearer", "expires_in": 3600}"#.to_vec();
    token.resize(1024 * 1024, b' ');
    let mut answer = Answer::bytes(compress("gzip", &token));
    answer.encoding = Some("gzip");
    let client = transport::Client::builder()
        .base_url(answer.start().await)
        .credential(transport::auth::machine("client-1").client_secret("client-secret"))
        .build()
        .unwrap();
    match client.with_oauth().send().await {
        Err(Error::Auth(error)) => assert!(error.to_string().contains("64 KiB"), "{error}"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(answer.seen.lock().unwrap().len(), 1, "only the token request was sent");
}

#[tokio::test]
async fn a_followed_redirect_leaves_its_connection_reusable() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    // The redirect has a body of 48 KiB, more than arrives with its head:
    // polvo reads it, so the next hop goes over the same connection.
    let peers: Arc<Mutex<Vec<SocketAddr>>> = Arc::default();
    let seen = peers.clone();
    let app = axum::Router::new().fallback(move |ConnectInfo(peer): ConnectInfo<SocketAddr>, uri: axum::http::Uri| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(peer);
            let mut response = if uri.path() == "/public" {
                let mut moved = axum::response::Response::new(Body::from(vec![b'.'; 48 * 1024]));
                *moved.status_mut() = StatusCode::FOUND;
                moved.headers_mut().insert(header::LOCATION, HeaderValue::from_static("/public/v2"));
                moved
            } else {
                axum::response::Response::new(Body::from(r#"{"id": "9"}"#))
            };
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
    });
    let client = transport::Client::builder().base_url(base_url).build().unwrap();
    assert_eq!(client.get_public().send().await.expect("followed").id, "9");
    let peers = peers.lock().unwrap().clone();
    assert_eq!(peers.len(), 2);
    assert_eq!(peers[0], peers[1], "both hops used one connection");
}
