//! A spec's `x-polvo` section names the environment variable of the keys
//! (`token_keys_env`), and the generated client encrypts the token store
//! set on its builder with them: records on disk never hold the token, an
//! unset or malformed variable stops `build()`, and a keyring given in
//! code wins. The only test touching that variable, so no other test races it.

use polvo::auth::{EncryptionKey, FileStore, Keyring};
use std::path::{Path, PathBuf};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/auth/sealed.yaml");

const VAR: &str = "POLVO_TEST_SEALED_TOKEN_KEYS";
const ACCESS_TOKEN: &str = "sealed-access-token-5f3a9c";

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polvo-token-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Every file under `dir`, read as text.
fn stored_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    text
}

/// A token endpoint that answers exactly `token_requests` times, and the API.
async fn servers(token_requests: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(token_requests)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/me"))
        .and(header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"name": "ada"})))
        .mount(&server)
        .await;
    server
}

fn builder(server: &MockServer, dir: &Path) -> polvo::ClientBuilder<sealed::Client> {
    sealed::Client::builder()
        .base_url(server.uri())
        .credential(sealed::auth::oauth2("id").client_secret("secret").token_url(format!("{}/token", server.uri())))
        .token_store(FileStore::new(dir).unwrap())
}

fn key_text(id: &str) -> String {
    format!("{id}:{}", polvo::secrecy::ExposeSecret::expose_secret(&EncryptionKey::generate(id).unwrap().to_base64()))
}

#[tokio::test]
async fn the_section_names_the_variable_of_the_keys_that_encrypt_the_store() {
    let server = servers(1).await;
    let dir = fresh_dir("section");

    // Unset: no client, rather than tokens in clear.
    unsafe { std::env::remove_var(VAR) };
    let error = builder(&server, &dir).build().unwrap_err();
    assert!(matches!(error, polvo::BuildError::TokenKeys(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(VAR), "{message}");
    // Malformed: the variable is named, its value is not.
    unsafe { std::env::set_var(VAR, "k1:not-base64!") };
    let message = builder(&server, &dir).build().unwrap_err().to_string();
    assert!(message.contains(VAR) && message.contains("k1"), "{message}");
    assert!(!message.contains("not-base64"), "{message}");

    unsafe { std::env::set_var(VAR, key_text("k1")) };
    let client = builder(&server, &dir).build().unwrap();
    assert_eq!(client.get_me().send().await.unwrap().name.as_deref(), Some("ada"));
    let stored = stored_text(&dir);
    assert!(stored.contains("polvo-sealed-v1.k1."), "sealed with the key from {VAR}: {stored}");
    assert!(!stored.contains(ACCESS_TOKEN), "the token is not on disk in clear: {stored}");

    // A new client (nothing cached) reads the sealed tokens back: no second token request.
    let client = builder(&server, &dir).build().unwrap();
    assert_eq!(client.get_me().send().await.unwrap().name.as_deref(), Some("ada"));

    // Without the keys, the sealed record is an error, never a token.
    let plain = sealed::Client::builder()
        .base_url(server.uri())
        .credential(sealed::auth::oauth2("id").client_secret("secret").token_url(format!("{}/token", server.uri())))
        .token_encryption(Keyring::new(EncryptionKey::generate("other").unwrap()))
        .token_store(FileStore::new(&dir).unwrap())
        .build()
        .unwrap();
    let error = plain.get_me().send().await.unwrap_err().to_string();
    assert!(error.contains("k1"), "{error}");

    server.verify().await;
    let _ = std::fs::remove_dir_all(&dir);

    // A keyring given in code wins over the section's variable, set or not.
    let server = servers(1).await;
    let in_code = fresh_dir("in-code");
    let code_keys = key_text("code1");
    for var in [None, Some(key_text("k1"))] {
        match var {
            None => unsafe { std::env::remove_var(VAR) },
            Some(value) => unsafe { std::env::set_var(VAR, value) },
        }
        let client = builder(&server, &in_code)
            .token_encryption(Keyring::parse(&code_keys).unwrap())
            .build()
            .expect("the keyring in code, whatever the variable holds");
        assert_eq!(client.get_me().send().await.unwrap().name.as_deref(), Some("ada"));
    }
    let stored = stored_text(&in_code);
    assert!(stored.contains("polvo-sealed-v1.code1."), "{stored}");
    assert!(!stored.contains(ACCESS_TOKEN), "{stored}");
    unsafe { std::env::remove_var(VAR) };
    let _ = std::fs::remove_dir_all(&in_code);
}
