//! The escape hatches every request builder has, for a spec that is wrong
//! about its API (`tests/specs/escape-hatches.yaml` documents no query
//! parameters the server reads, no request bodies and no response
//! schemas): `.query()`, `.header()`, `.json_body()`, `.body_bytes()` and
//! `.send_raw()`; schema-less responses that keep their body; and decode
//! errors that name the field that broke. The server refuses any request
//! that lacks what only a hatch can send.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

polvo::service!("tests/specs/escape-hatches.yaml", name = "escapes");

type Params = Query<HashMap<String, String>>;

/// The bodies `PUT /notes/{id}/attachment` received, one per attempt.
type Uploads = Arc<Mutex<Vec<(String, Bytes)>>>;

fn text_header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn refuse(why: &str) -> Response {
    (StatusCode::BAD_REQUEST, why.to_owned()).into_response()
}

/// `POST /notes`: needs `?draft=true`, an `X-Trace` header and a JSON body
/// with `text`, none of which the spec documents.
async fn create_note(Query(params): Params, headers: HeaderMap, body: Bytes) -> Response {
    if params.get("draft").map(String::as_str) != Some("true") {
        return refuse("no draft parameter");
    }
    if text_header(&headers, "x-trace").as_deref() != Some("t-1") {
        return refuse("no x-trace header");
    }
    if text_header(&headers, "content-type").as_deref() != Some("application/json") {
        return refuse("not JSON");
    }
    let Ok(note) = serde_json::from_slice::<Value>(&body) else { return refuse("unreadable body") };
    let Some(text) = note.get("text").and_then(Value::as_str) else { return refuse("no text") };
    let reply = format!(r#"{{"id": "n1", "text": {}}}"#, Value::from(text));
    ([(header::CONTENT_TYPE, "application/json")], reply).into_response()
}

/// `GET /notes/{id}`: JSON the spec gives no schema for, with the
/// `Authorization` header the request came with.
async fn get_note(Path(id): Path<String>, headers: HeaderMap) -> Json<Value> {
    Json(json!({"id": id, "tags": ["a", "b"], "authorization": text_header(&headers, "authorization")}))
}

const ATTACHMENT: &[u8] = &[0x89, b'P', b'N', b'G', 0, 0xff];

/// `PUT /notes/{id}/attachment`: answers `503` to the first attempt (so the
/// client retries and sends the body again), `204` to an image.
async fn put_attachment(uploads: Uploads, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = text_header(&headers, "content-type").unwrap_or_default();
    let attempt = {
        let mut uploads = uploads.lock().unwrap();
        uploads.push((content_type.clone(), body.clone()));
        uploads.len()
    };
    if attempt == 1 {
        return (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "0")]).into_response();
    }
    if content_type != "image/png" || body.as_ref() != ATTACHMENT {
        return refuse("not the image");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /search`: the `query` the spec documents, and `page`, which it
/// does not. `query=fail` answers 500; `query=wrong` sends a number where
/// the spec has a string. Every JSON answer sets a session cookie.
async fn search(Query(params): Params) -> Response {
    let json = |status: StatusCode, body: &'static str| {
        let headers = [(header::CONTENT_TYPE, "application/json"), (header::SET_COOKIE, SESSION_COOKIE)];
        (status, headers, body).into_response()
    };
    match params.get("query").map(String::as_str) {
        Some("fail") => json(StatusCode::INTERNAL_SERVER_ERROR, r#"{ "message" : "index offline" }"#),
        Some("wrong") => json(
            StatusCode::OK,
            r#"{"results": [{"id": "a", "createdAt": "2024"}, {"id": "b", "createdAt": "2025"}, {"id": "c", "createdAt": 2026}]}"#,
        ),
        Some(_) if params.get("page").map(String::as_str) == Some("2") => {
            json(StatusCode::OK, r#"{"results": [{"id": "p2", "createdAt": "2024"}]}"#)
        }
        _ => refuse("no query, or no page"),
    }
}

/// The cookie `GET /search` sets: a secret `Debug` must not show.
const SESSION_COOKIE: &str = "session=s3cr3t-session; HttpOnly";

/// `GET /whoami`: the `Authorization` header it got, as text.
async fn whoami(headers: HeaderMap) -> String {
    text_header(&headers, "authorization").unwrap_or_default()
}

/// `GET /preferences`: every `Cookie` header it got, as text, one a line.
async fn preferences(headers: HeaderMap) -> String {
    let cookies: Vec<&str> = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).collect();
    cookies.join("\n")
}

async fn server() -> (String, Uploads) {
    let uploads = Uploads::default();
    let recorder = uploads.clone();
    let app = axum::Router::new()
        .route("/notes", post(create_note))
        .route("/notes/{id}", get(get_note).delete(|| async { StatusCode::NO_CONTENT }))
        .route(
            "/notes/{id}/attachment",
            get(|| async { ([(header::CONTENT_TYPE, "application/octet-stream")], ATTACHMENT) })
                .put(move |headers: HeaderMap, body: Bytes| put_attachment(recorder.clone(), headers, body)),
        )
        .route("/search", get(search))
        .route("/whoami", get(whoami))
        .route("/preferences", get(preferences));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base_url, uploads)
}

async fn client() -> (escapes::Client, Uploads) {
    let (base_url, uploads) = server().await;
    let client = escapes::Client::builder().base_url(base_url).build().expect("client");
    (client, uploads)
}

#[tokio::test]
async fn query_header_and_json_body_send_what_the_spec_forgot() {
    let (client, _) = client().await;
    // The spec documents no body for `POST /notes`: its successes decode to
    // the bytes the server sent, not `()`.
    let note: polvo::Bytes = client
        .create_note()
        .query("draft", true)
        .header("X-Trace", "t-1")
        .json_body(json!({"text": "hello"}))
        .send()
        .await
        .expect("the server got the parameter, the header and the body");
    assert_eq!(&note[..], br#"{"id": "n1", "text": "hello"}"#);

    let refused = client.create_note().json_body(json!({"text": "hello"})).send().await;
    match refused {
        Err(polvo::Error::Status { status, body, .. }) => {
            assert_eq!(status, 400);
            assert_eq!(&body[..], b"no draft parameter");
        }
        other => panic!("without the hatches the server refuses: {other:?}"),
    }
}

#[tokio::test]
async fn a_hatch_parameter_joins_the_documented_ones_and_clashing_names_get_a_suffix() {
    let (client, _) = client().await;
    // `query` and `send_raw` are parameters of `search` too: theirs are
    // `query_2` (the required argument) and `.send_raw_2(..)`.
    let page = client.search("lamps").send_raw_2(false).query("page", 2).send().await.expect("page 2");
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.results[0].id, "p2");
    let without = client.search("lamps").send().await;
    assert_eq!(without.expect_err("no page").status(), Some(polvo::StatusCode::BAD_REQUEST));
}

#[tokio::test]
async fn body_bytes_replaces_the_body_and_is_sent_again_on_a_retry() {
    let (client, uploads) = client().await;
    let () = client
        .put_attachment("n1")
        .body_bytes(ATTACHMENT, "image/png")
        .send_response()
        .await
        .map(|response| {
            assert_eq!(response.attempts(), 2, "the first attempt got a 503");
            response.into_body()
        })
        .expect("the second attempt stored the image");
    let uploads = uploads.lock().unwrap();
    assert_eq!(uploads.len(), 2);
    for (content_type, body) in uploads.iter() {
        assert_eq!((content_type.as_str(), body.as_ref()), ("image/png", ATTACHMENT), "every attempt has the body");
    }
}

#[tokio::test]
async fn send_raw_returns_an_error_status_undecoded() {
    let (client, _) = client().await;
    let once = polvo::CallOptions::new().retries(0);
    let raw = client.search("fail").with_options(once).send_raw().await.expect("a 500 is a response here");
    assert_eq!(raw.status(), polvo::StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(raw.headers()["content-type"], "application/json");
    assert_eq!(raw.attempts(), 1);
    assert_eq!(&raw.body()[..], br#"{ "message" : "index offline" }"#, "the bytes as sent");
    // `send()` decodes the same reply as the documented error.
    let error = client.search("fail").with_options(once).send().await.expect_err("a 500");
    let body = error.api_body().expect("the documented error body");
    assert_eq!(body.message.as_deref(), Some("index offline"));
}

#[tokio::test]
async fn send_raw_still_fails_on_transport_and_credential_errors() {
    let (client, _) = client().await;
    match client.whoami().send_raw().await {
        Err(polvo::Error::Auth(_)) => {}
        other => panic!("no bearer credential: expected an auth error, got {other:?}"),
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let closed = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let nowhere = escapes::Client::builder().base_url(closed).retries(0).build().expect("client");
    match nowhere.get_note("n1").send_raw().await {
        Err(polvo::Error::Transport(_)) => {}
        other => panic!("nothing listens: expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn credentials_win_over_a_hand_set_authorization_header() {
    let (base_url, _) = server().await;
    let client = escapes::Client::builder()
        .base_url(base_url)
        .credential(escapes::auth::bearer("from-polvo"))
        .build()
        .expect("client");
    let seen = client.whoami().header("Authorization", "Bearer by-hand").send().await.expect("whoami");
    assert_eq!(&seen[..], b"Bearer from-polvo");
    // An operation without credentials sends the hand-set header as it is.
    let note = client.get_note("n1").header("Authorization", "Bearer by-hand").send().await.expect("note");
    assert_eq!(note["authorization"], "Bearer by-hand");
}

/// A hand-set `Cookie` header keeps its pairs next to the spec's cookie
/// parameters and the cookie credential, in one header; the credential
/// replaces a hand-set pair of its name.
#[tokio::test]
async fn a_hand_set_cookie_header_merges_with_cookie_parameters_and_credentials() {
    let (base_url, _) = server().await;
    let guest = escapes::Client::builder().base_url(&base_url).build().expect("client");
    let seen = guest.get_preferences().theme("dark").header("Cookie", "sid=by-hand; lang=en").send().await;
    assert_eq!(utf8(&seen.expect("preferences")), "sid=by-hand; lang=en; theme=dark");

    let member = escapes::Client::builder()
        .base_url(&base_url)
        .credential(escapes::auth::session("from-polvo"))
        .build()
        .expect("client");
    let request = member.get_preferences().theme("dark").header("Cookie", "lang=en;sid=by-hand ; tz=UTC");
    assert_eq!(utf8(&request.send().await.expect("preferences")), "lang=en; tz=UTC; theme=dark; sid=from-polvo");
    // Without a parameter, and with two hand-set headers.
    let request = member.get_preferences().header("Cookie", "lang=en").header("Cookie", "sid=by-hand");
    assert_eq!(utf8(&request.send().await.expect("preferences")), "lang=en; sid=from-polvo");
    // A client-wide `Cookie` header merges the same way.
    let defaults = escapes::Client::builder()
        .base_url(&base_url)
        .header("Cookie", "lang=en")
        .credential(escapes::auth::session("from-polvo"))
        .build()
        .expect("client");
    assert_eq!(utf8(&defaults.get_preferences().send().await.expect("preferences")), "lang=en; sid=from-polvo");
}

fn utf8(body: &[u8]) -> &str {
    std::str::from_utf8(body).expect("text")
}

#[tokio::test]
async fn schema_less_responses_keep_their_body() {
    let (client, _) = client().await;
    let note: polvo::Value = client.get_note("n1").send().await.expect("JSON without a schema");
    assert_eq!(note["tags"], json!(["a", "b"]));
    let attachment: polvo::Bytes = client.get_attachment("n1").send().await.expect("bytes without a schema");
    assert_eq!(&attachment[..], ATTACHMENT);
    // `204` and `HEAD` answers have no body: those stay `()`.
    let () = client.delete_note("n1").send().await.expect("deleted");
    let () = client.note_exists("n1").send().await.expect("exists");
}

#[tokio::test]
async fn a_decode_error_names_the_field_and_keeps_the_reply() {
    let (client, _) = client().await;
    let error = client.search("wrong").send().await.expect_err("`createdAt` is a number in the third result");
    let polvo::Error::Decode { status, path, body, .. } = &error else { panic!("expected a decode error: {error:?}") };
    assert_eq!(*status, 200);
    assert_eq!(path, "results[2].createdAt");
    assert_eq!(error.decode_path(), Some("results[2].createdAt"));
    assert!(body.starts_with(br#"{"results": [{"id": "a""#), "the raw reply is kept");
    let message = error.to_string();
    assert!(
        message.starts_with(
            "could not decode the 200 OK response at `results[2].createdAt`: invalid type: integer `2026`"
        ),
        "{message}"
    );
}

#[tokio::test]
async fn debug_shows_response_headers_without_a_session_cookie() {
    let (client, _) = client().await;
    let once = polvo::CallOptions::new().retries(0);
    let raw = client.search("fail").with_options(once).send_raw().await.expect("a 500 is a response here");
    assert_eq!(raw.headers()["set-cookie"], SESSION_COOKIE, "the value is there for the caller");
    let error = client.search("fail").with_options(once).send().await.expect_err("a 500");
    let page = client.search("lamps").query("page", 2).send_response().await.expect("page 2");
    for shown in [format!("{raw:?}"), format!("{error:?}"), format!("{page:?}")] {
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains(r#""set-cookie": <redacted>"#), "{shown}");
        assert!(shown.contains(r#""content-type": "application/json""#), "{shown}");
    }
}
