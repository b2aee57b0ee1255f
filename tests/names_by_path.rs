//! Operations named by method and path: the short default names of a spec
//! without operationIds (`tests/specs/no-operation-ids.yaml`, whose
//! generated code `tests/snapshots.rs` pins), and `"GET /pets/{id}"` as a
//! key wherever the section or the macro names an operation.

mod support;

use axum::http::{Method, Uri};
use std::sync::{Arc, Mutex};

polvo::service!("tests/specs/no-operation-ids.yaml", name = "notebook");

/// A server that answers 204 to anything and records what it was asked.
async fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().fallback(move |method: Method, uri: Uri| {
        let record = record.clone();
        async move {
            record.lock().unwrap().push(format!("{method} {uri}"));
            axum::http::StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base_url, seen)
}

#[tokio::test]
async fn short_names_call_the_right_paths() {
    let (base_url, seen) = recording_server().await;
    let client = notebook::Client::builder().base_url(base_url).build().expect("client");
    client.contents().delete_checkpoint("notes.ipynb", "c1").send().await.expect("delete");
    client.contents().get("notes.ipynb").send().await.expect("get");
    client.sessions().get().send().await.expect("list");
    client.sessions().get_by_session("s1").send().await.expect("get one");
    // Renamed in the section by `"DELETE /api/sessions/{session}"`.
    client.sessions().end_session("s1").send().await.expect("end");
    client.get_status().send().await.expect("status");
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "DELETE /api/contents/notes.ipynb/checkpoints/c1",
            "GET /api/contents/notes.ipynb",
            "GET /api/sessions",
            "GET /api/sessions/s1",
            "DELETE /api/sessions/s1",
            "GET /api/status",
        ]
    );
}

fn spec() -> std::path::PathBuf {
    support::root().join("tests/specs/no-operation-ids.yaml")
}

#[test]
fn the_operations_selection_takes_method_and_path() {
    let output = polvo_codegen::Generator::new("nb")
        .spec(spec(), "no-operation-ids.yaml")
        .operations(["DELETE /api/contents/{path}/checkpoints/{checkpoint_id}", "get /api/status"])
        .generate()
        .expect("generates");
    let source = output.tokens.to_string();
    assert!(source.contains("fn delete_checkpoint"), "the chosen operation is there");
    assert!(source.contains("fn get_status"), "the method is matched in any case");
    assert!(!source.contains("fn get_checkpoints"), "others are not");
    // The names do not change with the selection.
    assert!(!source.contains("fn delete_api_"), "{source}");
}

#[test]
fn a_method_and_path_that_names_nothing_is_an_error() {
    let errors = polvo_codegen::Generator::new("nb")
        .spec(spec(), "no-operation-ids.yaml")
        .operations(["GET /api/nowhere"])
        .generate()
        .expect_err("names nothing");
    let message = errors.to_string();
    assert!(
        message.contains("`operations` names `GET /api/nowhere`, which is no operationId, method and path"),
        "{message}"
    );
}

#[test]
fn a_rename_by_method_and_path_that_names_nothing_is_an_error() {
    let dir = std::env::temp_dir().join(format!("polvo-names-by-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let text = std::fs::read_to_string(spec())
        .expect("read spec")
        .replace("DELETE /api/sessions/{session}", "DELETE /api/session/{id}");
    std::fs::write(dir.join("nb.yaml"), text).expect("write spec");
    let errors =
        polvo_codegen::Generator::new("nb").spec(dir.join("nb.yaml"), "nb.yaml").generate().expect_err("names nothing");
    let _ = std::fs::remove_dir_all(&dir);
    let message = errors.to_string();
    assert!(message.contains("nb.yaml#/x-polvo/rename/operations/DELETE ~1api~1session~1{id}"), "{message}");
    assert!(message.contains("nor is it the method and path of one"), "{message}");
}
