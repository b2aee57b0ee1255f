//! Per-operation security set in the `x-polvo` section
//! (`tests/specs/operation-security.yaml`): a client holding basic, bearer
//! and API-key credentials sends to each operation what the section says it
//! takes, not what the spec's default says.

use axum::http::{HeaderMap, Uri};
use std::sync::{Arc, Mutex};

polvo::service!("tests/specs/operation-security.yaml", name = "secured");

/// A server that records the credential headers of each request.
async fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let record = record.clone();
        async move {
            let scheme = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let authorization = scheme("authorization").map(|v| v.split(' ').next().unwrap_or_default().to_owned());
            let key = scheme("x-api-key");
            record.lock().unwrap().push(format!("{} {authorization:?} {key:?}", uri.path()));
            axum::http::StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base_url, seen)
}

#[tokio::test]
async fn each_operation_gets_the_credential_the_section_names() {
    let (base_url, seen) = recording_server().await;
    let client = secured::Client::builder()
        .base_url(base_url)
        .credential(secured::auth::basic_auth("ada", "secret"))
        .credential(secured::auth::bearer_auth("token-1"))
        .credential(secured::auth::api_key("key-1"))
        .build()
        .expect("client");
    client.get_whoami().send().await.expect("whoami");
    client.get_files().send().await.expect("files");
    client.get_health().send().await.expect("health");
    assert_eq!(
        *seen.lock().unwrap(),
        [r#"/whoami Some("Bearer") None"#, r#"/files Some("Basic") None"#, r#"/health None Some("key-1")"#,]
    );
}

#[tokio::test]
async fn an_operation_the_section_makes_optional_goes_without_a_credential() {
    let (base_url, seen) = recording_server().await;
    let client = secured::Client::builder().base_url(base_url).build().expect("client");
    client.get_health().send().await.expect("health without credentials");
    assert_eq!(*seen.lock().unwrap(), ["/health None None"]);
}

#[test]
fn a_setting_for_no_operation_or_an_unknown_scheme_is_an_error() {
    let dir = std::env::temp_dir().join(format!("polvo-operation-security-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/specs/operation-security.yaml"))
        .expect("read spec")
        .replace("\"GET /whoami\"", "\"GET /who\"")
        .replace("[[apiKey], []]", "[[apikey]]");
    std::fs::write(dir.join("s.yaml"), spec).expect("write spec");
    let errors = polvo_codegen::Generator::new("s").spec(dir.join("s.yaml"), "s.yaml").generate().expect_err("errors");
    let _ = std::fs::remove_dir_all(&dir);
    let places: Vec<String> = errors.errors().map(|d| d.to_string()).collect();
    assert!(
        places
            .iter()
            .any(|e| e.starts_with("s.yaml#/x-polvo/operations/getHealth/security/0/0: `apikey` is not a scheme")),
        "{places:?}"
    );
    assert!(
        places.iter().any(|e| e.starts_with("s.yaml#/x-polvo/operations/GET ~1who: `GET /who` is no operationId")),
        "{places:?}"
    );
}
