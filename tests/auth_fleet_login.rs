//! Logins across replicas: a login started with `start_login` in one
//! process is finished by another process sharing the token store (a
//! `FileStore`, a `RedisStore` on a real `redis-server`, each plain or
//! encrypted), against a real provider (`oidc-provider`) that the test
//! plays the browser for. A replayed callback, an expired login and a
//! login finished for another tenant are refused; under an
//! `EncryptedStore` the stored record does not hold the PKCE verifier.
//! Workers are this test binary run again for the ignored test
//! `login_worker`, configured through the environment.

mod fleet;

use base64::Engine;
use polvo::auth::{
    AuthError, EncryptedStore, EncryptionKey, FileStore, Keyring, RedisStore, StoredLogin, TokenKey, TokenStore,
};
use polvo::secrecy::{ExposeSecret, SecretString};
use polvo_suite::servers::{NodeServer, RedisServer, redis_version, start_oidc, start_redis};
use serde_json::{Value, json};
use sha2::Digest;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/auth/contacts.yaml");

const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const TENANT: &str = "acme";

/// Where the processes of one test keep tokens and logins.
#[derive(Clone)]
enum Shared {
    Files(std::path::PathBuf),
    Redis { url: String, namespace: String },
}

/// The environment telling a worker which store to use.
fn store_env(shared: &Shared, encrypted: bool) -> Vec<(&'static str, String)> {
    let mut env = match shared {
        Shared::Files(dir) => vec![("FLEET_DIR", dir.display().to_string())],
        Shared::Redis { url, namespace } => vec![("FLEET_REDIS", url.clone()), ("FLEET_NAMESPACE", namespace.clone())],
    };
    if encrypted {
        env.push(("FLEET_KEYS", keys_text()));
    }
    env
}

fn keys_text() -> String {
    let key = EncryptionKey::new("login-1", [7; 32]).unwrap();
    format!("login-1:{}", key.to_base64().expose_secret())
}

/// The store of `shared`, encrypted when `keys` are given.
async fn open_store(shared: &Shared, keys: Option<&str>) -> Arc<dyn TokenStore> {
    match (shared, keys) {
        (Shared::Files(dir), None) => Arc::new(FileStore::new(dir).unwrap()),
        (Shared::Files(dir), Some(k)) => {
            Arc::new(EncryptedStore::new(FileStore::new(dir).unwrap(), Keyring::parse(k).unwrap()))
        }
        (Shared::Redis { url, namespace }, keys) => {
            let redis = RedisStore::connect(url).await.unwrap().namespace(namespace.as_str());
            match keys {
                None => Arc::new(redis),
                Some(k) => Arc::new(EncryptedStore::new(redis, Keyring::parse(k).unwrap())),
            }
        }
    }
}

/// The store a worker was told to use.
async fn worker_store() -> Arc<dyn TokenStore> {
    let shared = match std::env::var("FLEET_DIR") {
        Ok(dir) => Shared::Files(dir.into()),
        Err(_) => Shared::Redis { url: fleet::env("FLEET_REDIS"), namespace: fleet::env("FLEET_NAMESPACE") },
    };
    open_store(&shared, std::env::var("FLEET_KEYS").ok().as_deref()).await
}

fn web_client(oidc: &str, api: &str, store: Arc<dyn TokenStore>) -> contacts::Client {
    contacts::Client::builder()
        .base_url(api)
        .credential(
            contacts::auth::oauth2("polvo-web")
                .client_secret("web-secret")
                .redirect_uri(REDIRECT)
                .authorization_url(format!("{oidc}/auth"))
                .token_url(format!("{oidc}/token")),
        )
        .shared_token_store(store)
        .build()
        .unwrap()
}

fn http() -> polvo::reqwest::Client {
    polvo::reqwest::Client::builder().redirect(polvo::reqwest::redirect::Policy::none()).build().unwrap()
}

/// Plays the browser: follows the authorization URL to the redirect and
/// returns the `code` and `state` it carries.
async fn approve(url: &str) -> (String, String) {
    let response = http().get(url).send().await.expect("the provider answers");
    assert_eq!(response.status().as_u16(), 303, "the test provider approves at once");
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    let get = |k: &str| location.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned()).unwrap();
    (get("code"), get("state"))
}

async fn token_requests(oidc: &str) -> u64 {
    let stats: Value = http().get(format!("{oidc}/__test/stats")).send().await.unwrap().json().await.unwrap();
    stats["token_requests"].as_u64().unwrap()
}

/// Runs one worker with `role` and returns its stdout, failing the test if it failed.
async fn run_worker(role: &str, env: Vec<(&'static str, String)>, go: std::path::PathBuf) -> String {
    let mut env = env;
    env.push(("FLEET_ROLE", role.to_owned()));
    let workers = fleet::Workers::spawn("login_worker", 1, &env, &go);
    workers.go();
    let mut results = tokio::task::spawn_blocking(move || workers.wait()).await.unwrap();
    let (ok, stdout) = results.remove(0);
    assert!(ok, "the {role} worker failed:\n{stdout}");
    stdout
}

/// The value after `tag ` on a worker's output line (libtest may print
/// its own text before it on the line).
fn reported<'a>(stdout: &'a str, tag: &str) -> &'a str {
    let marker = format!("{tag} ");
    stdout
        .lines()
        .find_map(|l| l.split_once(marker.as_str()).map(|(_, value)| value.trim()))
        .unwrap_or_else(|| panic!("no `{tag}` line in:\n{stdout}"))
}

/// Whether `raw` holds the PKCE verifier of `challenge` (S256): any run of
/// the verifier's characters (RFC 7636 §4.1) whose hash is the challenge.
fn holds_verifier(raw: &str, challenge: &str) -> bool {
    let unreserved = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
    raw.split(|c: char| !unreserved(c)).filter(|run| run.len() >= 43).any(|run| {
        // A run may be the verifier with sealed-record dots around it.
        run.split('.').chain([run]).any(|candidate| {
            let digest = sha2::Sha256::digest(candidate.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == challenge
        })
    })
}

/// The raw text the store keeps for a pending login (no store in between).
async fn raw_login(shared: &Shared, state: &str) -> String {
    let key = TokenKey::new("contacts", "oauth2", TENANT);
    match shared {
        Shared::Files(dir) => {
            let path = FileStore::new(dir).unwrap().login_path_of(&key, state);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", path.display());
            }
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        }
        Shared::Redis { url, namespace } => {
            let redis_key =
                RedisStore::connect(url).await.unwrap().namespace(namespace.as_str()).login_key(&key, state);
            let mut connection =
                redis::Client::open(url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
            let raw: Option<String> = redis::cmd("GET").arg(&redis_key).query_async(&mut connection).await.unwrap();
            raw.unwrap_or_else(|| panic!("no login under {redis_key}"))
        }
    }
}

async fn api() -> MockServer {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&api)
        .await;
    api
}

/// One process starts the login, the test approves it in the "browser",
/// another process finishes it; then the replay, the expired login and
/// the other tenant are refused by this third process, with nothing sent.
async fn login_across_processes(shared: Shared, encrypted: bool, scratch: &std::path::Path) {
    let oidc: NodeServer = start_oidc(&[("OIDC_ACCESS_TOKEN_TTL", "600")]).expect("the OIDC provider starts");
    let api = api().await;
    let mut env = store_env(&shared, encrypted);
    env.extend([("FLEET_OIDC", oidc.url.clone()), ("FLEET_API", api.uri())]);

    let started = run_worker("start", env.clone(), scratch.join("go-start")).await;
    let url = reported(&started, "LOGIN-URL").to_owned();
    let parsed = url::Url::parse(&url).unwrap();
    let challenge = parsed.query_pairs().find(|(n, _)| n == "code_challenge").unwrap().1.into_owned();
    let (code, state) = approve(&url).await;

    let raw = raw_login(&shared, &state).await;
    assert!(!raw.contains(&state), "the record does not need the state: {raw}");
    if encrypted {
        assert!(raw.contains("polvo-sealed-v1.login-1."), "a sealed record: {raw}");
        assert!(!holds_verifier(&raw, &challenge), "the stored record holds the verifier in clear: {raw}");
    } else {
        assert!(holds_verifier(&raw, &challenge), "a plain store keeps the verifier itself: {raw}");
    }

    let keys = encrypted.then(keys_text);
    let here = web_client(&oidc.url, &api.uri(), open_store(&shared, keys.as_deref()).await);
    // Another tenant cannot finish it, and does not use it up.
    let err = here.for_tenant("intruder").fetch_access_token(&code, &state).await.unwrap_err();
    assert_eq!(err, AuthError::StateMismatch);

    env.extend([("FLEET_CODE", code.clone()), ("FLEET_STATE", state.clone())]);
    let finished = run_worker("finish", env, scratch.join("go-finish")).await;
    assert_eq!(reported(&finished, "FINISHED"), TENANT, "{finished}");
    assert_eq!(reported(&finished, "CALLED"), "ok", "{finished}");
    let key = TokenKey::new("contacts", "oauth2", TENANT);
    let store = open_store(&shared, keys.as_deref()).await;
    assert!(store.load(&key).await.unwrap().is_some(), "the finishing process stored the tenant's tokens");

    let exchanged = token_requests(&oidc.url).await;
    assert_eq!(exchanged, 1, "one code exchange, by the finishing process");
    let replay = here.for_tenant(TENANT).fetch_access_token(&code, &state).await.unwrap_err();
    assert_eq!(replay, AuthError::StateMismatch, "a replayed callback is refused");

    let expired = StoredLogin::new(SecretString::from("v".repeat(64)), SystemTime::now() - Duration::from_secs(1));
    store.save_login(&key, "expired-state", &expired).await.unwrap();
    let late = here.for_tenant(TENANT).fetch_access_token("some-code", "expired-state").await.unwrap_err();
    assert_eq!(late, AuthError::StateMismatch, "an expired login is refused");
    assert_eq!(token_requests(&oidc.url).await, exchanged, "nothing was sent for the refused callbacks");
}

fn scratch(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("polvo-login-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn redis() -> RedisServer {
    let server = start_redis().expect("redis-server starts (run `bash scripts/test.sh` to install it)");
    eprintln!("using {}", redis_version().unwrap());
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_started_in_one_process_is_finished_in_another_through_a_file_store() {
    let dir = scratch("file");
    login_across_processes(Shared::Files(dir.join("tokens")), false, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_started_in_one_process_is_finished_in_another_through_an_encrypted_file_store() {
    let dir = scratch("file-sealed");
    login_across_processes(Shared::Files(dir.join("tokens")), true, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_started_in_one_process_is_finished_in_another_through_redis() {
    let redis = redis();
    let dir = scratch("redis");
    let shared = Shared::Redis { url: redis.url.clone(), namespace: format!("login-{}", std::process::id()) };
    login_across_processes(shared, false, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_started_in_one_process_is_finished_in_another_through_encrypted_redis() {
    let redis = redis();
    let dir = scratch("redis-sealed");
    let shared = Shared::Redis { url: redis.url.clone(), namespace: format!("login-sealed-{}", std::process::id()) };
    login_across_processes(shared, true, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_many_replicas_racing_for_one_login_in_redis_one_gets_it() {
    let redis = redis();
    let shared = Shared::Redis { url: redis.url.clone(), namespace: format!("login-race-{}", std::process::id()) };
    let key = TokenKey::new("contacts", "oauth2", TENANT);
    let life = SystemTime::now() + Duration::from_secs(600);
    open_store(&shared, None)
        .await
        .save_login(&key, "s", &StoredLogin::new("v".repeat(50).into(), life))
        .await
        .unwrap();
    let mut racers = Vec::new();
    for _ in 0..16 {
        // Each with its own connection, as replicas have.
        let (store, key) = (open_store(&shared, None).await, key.clone());
        racers.push(tokio::spawn(async move { store.take_login(&key, "s").await.unwrap() }));
    }
    let mut won = 0;
    for racer in racers {
        won += usize::from(racer.await.unwrap().is_some());
    }
    assert_eq!(won, 1, "a login is taken once");
}

/// One worker process of the tests above: `FLEET_ROLE=start` starts a
/// login and prints its URL; `finish` finishes it and makes a call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by the login tests of this file"]
async fn login_worker() {
    if !fleet::is_worker() {
        return;
    }
    let client = web_client(&fleet::env("FLEET_OIDC"), &fleet::env("FLEET_API"), worker_store().await);
    let client = client.for_tenant(TENANT);
    fleet::wait_for_go().await;
    match fleet::env("FLEET_ROLE").as_str() {
        "start" => {
            let login = client.start_login(&[]).await.expect("the login is stored");
            println!("LOGIN-URL {}", login.url());
        }
        "finish" => {
            let tenant =
                client.fetch_access_token(&fleet::env("FLEET_CODE"), &fleet::env("FLEET_STATE")).await.expect("tokens");
            println!("FINISHED {tenant}");
            client.contacts().list_contacts().send().await.expect("an authorized call");
            println!("CALLED ok");
        }
        other => panic!("unknown role {other}"),
    }
}
