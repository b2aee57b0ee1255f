//! Processes on one machine sharing a `FileStore` refresh a tenant's
//! tokens once: its advisory file lock spans processes. Each worker is
//! this test binary run again (the ignored test `file_store_worker`).

mod fleet;

use polvo::auth::{FileStore, TokenKey, TokenSet, TokenStore};
use polvo::secrecy::SecretString;
use std::time::{Duration, UNIX_EPOCH};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/auth/contacts.yaml");

const CALLS_PER_WORKER: usize = 50;

fn expired_tokens() -> TokenSet {
    let mut tokens = TokenSet::new("expired-access");
    tokens.refresh_token = Some(SecretString::from("refresh-0".to_owned()));
    tokens.expires_at = Some(UNIX_EPOCH + Duration::from_secs(1));
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sharing_a_file_store_refresh_once() {
    let dir = std::env::temp_dir().join(format!("polvo-fleet-file-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = FileStore::new(&dir).unwrap();
    store.save(&TokenKey::new("contacts", "oauth2", "default"), &expired_tokens()).await.unwrap();
    // Slow enough that, without the lock, both processes would refresh.
    let endpoint = fleet::TokenEndpoint::start("refresh-0", Duration::from_millis(400)).await;
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"results": []})))
        .mount(&api)
        .await;

    let env =
        [("FLEET_DIR", dir.display().to_string()), ("FLEET_TOKEN_URL", endpoint.url.clone()), ("FLEET_API", api.uri())];
    let workers = fleet::Workers::spawn("file_store_worker", 2, &env, &dir.join("go"));
    workers.go();
    let results = tokio::task::spawn_blocking(move || workers.wait()).await.unwrap();
    for (ok, stdout) in &results {
        assert!(ok, "a worker failed:\n{stdout}");
        assert_eq!(fleet::successes(stdout), CALLS_PER_WORKER, "{stdout}");
    }
    assert_eq!(endpoint.invalid_grants(), 0, "no process used a refresh token another had rotated");
    assert_eq!(endpoint.requests(), 1, "one token request for both processes");
    let _ = std::fs::remove_dir_all(&dir);
}

/// One worker process of the test above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by two_processes_sharing_a_file_store_refresh_once"]
async fn file_store_worker() {
    if !fleet::is_worker() {
        return;
    }
    let client = contacts::Client::builder()
        .base_url(fleet::env("FLEET_API"))
        .credential(contacts::auth::oauth2("fleet").client_secret("secret").token_url(fleet::env("FLEET_TOKEN_URL")))
        .token_store(FileStore::new(fleet::env("FLEET_DIR")).unwrap())
        .build()
        .unwrap();
    fleet::wait_for_go().await;
    fleet::run_calls(CALLS_PER_WORKER, || {
        let client = client.clone();
        async move { client.contacts().list_contacts().send().await.map(drop) }
    })
    .await;
}
