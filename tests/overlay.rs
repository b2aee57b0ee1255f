//! OpenAPI Overlays against a server that disagrees with its spec.
//!
//! `tests/specs/overlay/files.yaml` is wrong about its server in six ways
//! (a field's type, a `required` list, a response without a schema, a
//! missing query parameter, one operation's security, no server);
//! `files.overlay.yaml` next to it and `extra.overlay.yaml`, listed in its
//! `x-polvo` section, correct them. The local server below behaves as the
//! real API does, so each call here fails (or does not compile) without the
//! overlays.

mod support;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::HashMap;

polvo::service!("tests/specs/overlay/files.yaml");

/// `Err(401)` unless the request carries `Authorization: <scheme> …`.
fn authorized(headers: &HeaderMap, scheme: &str) -> Result<(), StatusCode> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if value.starts_with(&format!("{scheme} ")) { Ok(()) } else { Err(StatusCode::UNAUTHORIZED) }
}

fn file(id: &str) -> Value {
    json!({"id": id, "name": format!("{id}.txt"), "owner": null, "tags": ["draft", "shared"]})
}

/// The files API as it really behaves.
async fn server() -> String {
    let app = axum::Router::new()
        .route(
            "/files/{id}",
            get(|headers: HeaderMap, Path(id): Path<String>| async move {
                authorized(&headers, "Basic")?;
                Ok::<_, StatusCode>(Json(file(&id)))
            }),
        )
        .route(
            "/files",
            get(|headers: HeaderMap, Query(query): Query<HashMap<String, String>>| async move {
                authorized(&headers, "Basic")?;
                let all = ["notes", "report", "photo"];
                let q = query.get("q").map(String::as_str).unwrap_or_default();
                let found: Vec<Value> = all.iter().filter(|id| id.contains(q)).map(|id| file(id)).collect();
                Ok::<_, StatusCode>(Json(Value::Array(found)))
            }),
        )
        .route(
            "/status",
            get(|headers: HeaderMap| async move {
                authorized(&headers, "Basic")?;
                Ok::<_, StatusCode>(Json(json!({"healthy": true, "version": "2.1"})))
            }),
        )
        .route(
            "/whoami",
            get(|headers: HeaderMap| async move {
                authorized(&headers, "Bearer")?;
                Ok::<_, StatusCode>(Json(json!({"user": "ada"})))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base_url
}

/// A client holding both credentials, as a user of both schemes would.
async fn client() -> files::Client {
    files::Client::builder()
        .base_url(server().await)
        .credential(files::auth::basic_auth("ada", "secret"))
        .credential(files::auth::bearer_auth("token-1"))
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_wrong_field_type_and_an_overstated_required_are_corrected() {
    let file = client().await.files().get_file("notes").send().await.expect("the file decodes");
    assert_eq!(file.tags, ["draft", "shared"], "`tags` is a list, as the server sends it");
    assert_eq!(file.owner, None, "`owner` is no longer required, so `null` decodes");
    assert_eq!(file.name, "notes.txt");
}

#[tokio::test]
async fn an_added_query_parameter_is_sent() {
    let found = client().await.files().search_files().q("ot").send().await.expect("the search succeeds");
    let ids: Vec<&str> = found.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["notes", "photo"], "the server filtered by `q`");
}

#[tokio::test]
async fn an_added_response_schema_decodes_the_body() {
    let status = client().await.meta().get_status().send().await.expect("the status decodes");
    assert!(status.healthy);
    assert_eq!(status.version.as_deref(), Some("2.1"));
}

#[tokio::test]
async fn security_added_to_one_operation_sends_its_credential() {
    let me = client().await.meta().who_am_i().send().await.expect("the bearer token is sent");
    assert_eq!(me.user, "ada");
}

#[test]
fn an_added_server_is_the_default_base_url() {
    // The spec names no server; `extra.overlay.yaml` (listed in the spec's
    // section, applied after `files.overlay.yaml`) adds one.
    assert_eq!(files::Client::DEFAULT_BASE_URL, "https://files.example.test/v1");
    let client = files::Client::new().expect("`new` exists once there is a server");
    assert_eq!(client.base_url(), "https://files.example.test/v1");
}

/// The spec alone (copied where its overlays are not) generates the wrong
/// API: this is what the overlays change.
#[test]
fn without_the_overlays_the_spec_generates_what_it_says() {
    let dir = std::env::temp_dir().join(format!("polvo-overlay-plain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let spec = std::fs::read_to_string(support::root().join("tests/specs/overlay/files.yaml")).expect("read spec");
    let spec = spec.replace("x-polvo:\n  overlays: [extra.overlay.yaml]\n", "");
    std::fs::write(dir.join("files.yaml"), spec).expect("write spec");
    let plain = support::generate_source(&dir.join("files.yaml"), "files").expect("the plain spec generates");
    let overlaid = support::generate_source(&support::root().join("tests/specs/overlay/files.yaml"), "files")
        .expect("the overlaid spec generates");
    let _ = std::fs::remove_dir_all(&dir);
    for (without, with) in [
        ("pub tags: String", "pub tags: Vec<String>"),
        ("pub owner: String", "pub owner: Option<String>"),
        ("pub fn get_status", "pub healthy: bool"),
        ("pub fn search_files", "pub fn q("),
        ("pub fn who_am_i", "DEFAULT_BASE_URL"),
    ] {
        assert!(plain.contains(without), "the plain spec has `{without}`");
        assert!(overlaid.contains(with), "the overlaid spec has `{with}`");
    }
    for only_overlaid in
        ["pub tags: Vec<String>", "pub owner: Option<String>", "pub healthy: bool", "pub fn q(", "DEFAULT_BASE_URL"]
    {
        assert!(!plain.contains(only_overlaid), "the plain spec has no `{only_overlaid}`");
    }
}
