//! The auth layer against providers that misbehave or are slow, on local
//! servers that inject the fault: refresh tokens rotated while the caller
//! gives up, logins and revocations racing a refresh, huge token replies,
//! token types other than Bearer, expiry times far in the past, tenants
//! that would change a URL's path, and token stores that fail or hold a
//! corrupt file when a login finishes.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use polvo::Error;
use polvo::auth::{AuthError, FileStore, MemoryStore, TokenKey, TokenStore};
use polvo::secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/auth/contacts.yaml");
polvo::service!("tests/specs/auth/service.yaml", name = "machines");
polvo::service!("tests/specs/auth/app.yaml");

const RSA: &str = include_str!("fixtures/keys/rsa.pem");

async fn api() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [], "full_name": "o/r"})))
        .mount(&server)
        .await;
    server
}

fn secret(tokens: &polvo::auth::TokenSet) -> String {
    tokens.access_token.expose_secret().to_owned()
}

/// A provider that rotates the refresh token as soon as a refresh arrives
/// and answers the first refresh only after 2 s. Its access tokens live
/// 1 s. It records every refresh token presented; a refresh token that is
/// not the current one is `invalid_grant` (as with reuse detection).
#[derive(Default)]
struct Rotating {
    current: Mutex<String>,
    presented: Mutex<Vec<String>>,
    issued: AtomicUsize,
    revoked: Mutex<Vec<String>>,
}

async fn revoke(State(p): State<Arc<Rotating>>, Form(form): Form<HashMap<String, String>>) -> StatusCode {
    p.revoked.lock().unwrap().push(form.get("token").cloned().unwrap_or_default());
    StatusCode::OK
}

async fn rotate(
    State(p): State<Arc<Rotating>>,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let presented = form.get("refresh_token").cloned().unwrap_or_default();
    p.presented.lock().unwrap().push(presented.clone());
    let n = {
        let mut current = p.current.lock().unwrap();
        if *current != presented {
            return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"})));
        }
        let n = p.issued.fetch_add(1, Ordering::SeqCst) + 1;
        *current = format!("rt-{n}");
        n
    };
    if n == 1 {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let reply = json!({"access_token": format!("at-{n}"), "token_type": "Bearer", "expires_in": 1, "refresh_token": format!("rt-{n}")});
    (StatusCode::OK, Json(reply))
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

#[tokio::test]
async fn a_refresh_token_rotated_while_the_caller_gave_up_is_kept() {
    let provider = Arc::new(Rotating { current: Mutex::new("rt-0".into()), ..Rotating::default() });
    let url = serve(Router::new().route("/token", post(rotate)).with_state(provider.clone())).await;
    let api = api().await;
    let store = Arc::new(MemoryStore::new());
    let client = contacts::Client::builder()
        .base_url(api.uri())
        .shared_token_store(store.clone())
        .credential(
            contacts::auth::oauth2("id").client_secret("s").token_url(format!("{url}/token")).refresh_token("rt-0"),
        )
        .build()
        .unwrap();

    // A caller with a 500 ms deadline gives up while the provider, which has
    // already rotated the refresh token, takes 2 s to answer.
    let impatient = tokio::time::timeout(Duration::from_millis(500), client.contacts().list_contacts().send()).await;
    assert!(impatient.is_err(), "the first caller gave up");

    let tokens = client.auth().token("oauth2").await.expect("the next caller gets the refreshed token");
    assert_eq!(secret(&tokens), "at-1");
    let stored = store.load(&TokenKey::new("contacts", "oauth2", "default")).await.unwrap().expect("saved");
    assert_eq!(stored.refresh_token.map(|r| r.expose_secret().to_owned()).as_deref(), Some("rt-1"));

    // The access token lives 1 s: the next refresh presents the rotated refresh token.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    client.contacts().list_contacts().send().await.expect("refreshed again");
    assert_eq!(*provider.presented.lock().unwrap(), ["rt-0", "rt-1"], "never the old refresh token twice");
}

#[tokio::test]
async fn revoking_during_a_refresh_revokes_the_rotated_refresh_token() {
    let provider = Arc::new(Rotating { current: Mutex::new("rt-0".into()), ..Rotating::default() });
    let routes = Router::new().route("/token", post(rotate)).route("/revoke", post(revoke));
    let url = serve(routes.with_state(provider.clone())).await;
    let store = Arc::new(MemoryStore::new());
    let client = contacts::Client::builder()
        .shared_token_store(store.clone())
        .credential(
            contacts::auth::oauth2("id")
                .client_secret("s")
                .token_url(format!("{url}/token"))
                .revocation_url(format!("{url}/revoke"))
                .refresh_token("rt-0"),
        )
        .build()
        .unwrap();
    let impatient = tokio::time::timeout(Duration::from_millis(300), client.auth().token("oauth2")).await;
    assert!(impatient.is_err(), "the refresh is still under way");
    client.auth().revoke().await.expect("revoked");
    assert_eq!(*provider.revoked.lock().unwrap(), ["rt-1"], "the refresh token the provider rotated to");
    assert!(store.load(&TokenKey::new("contacts", "oauth2", "default")).await.unwrap().is_none(), "and forgotten");
}

/// A server that answers its first connection with `total` bytes of JSON
/// whitespace, chunked or with a `Content-Length`, and returns how many
/// bytes it managed to send before the client hung up.
async fn huge_reply(total: usize, chunked: bool) -> (String, tokio::task::JoinHandle<usize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sender = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut request).await;
        let framing =
            if chunked { "transfer-encoding: chunked".to_owned() } else { format!("content-length: {total}") };
        let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{framing}\r\n\r\n");
        if socket.write_all(head.as_bytes()).await.is_err() {
            return 0;
        }
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < total {
            let written = if chunked {
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                socket.write_all(&framed).await
            } else {
                socket.write_all(&chunk).await
            };
            if written.is_err() {
                break;
            }
            sent += chunk.len();
        }
        if chunked && sent >= total {
            let _ = socket.write_all(b"0\r\n\r\n").await;
        }
        sent
    });
    (url, sender)
}

fn too_large(e: &AuthError) -> bool {
    matches!(e, AuthError::MalformedResponse { reason, .. } if reason.contains("64 KiB"))
}

/// Runs `call` against a server that sends a 128 MiB reply, chunked or
/// with a `Content-Length`, and checks that it is refused as too large
/// with less than 32 MiB of it sent.
async fn refused_unread<F, Fut>(what: &str, chunked: bool, call: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<(), AuthError>>,
{
    const TOTAL: usize = 128 * 1024 * 1024;
    const READ_AT_MOST: usize = 32 * 1024 * 1024;
    let (url, sender) = huge_reply(TOTAL, chunked).await;
    let e = call(url).await.expect_err("refused");
    assert!(too_large(&e), "{what}, chunked: {chunked}: {e:?}");
    let sent = sender.await.unwrap();
    assert!(sent < READ_AT_MOST, "{what}, chunked: {chunked}: {sent} bytes went out");
}

/// An [`Error`] of an API call as the [`AuthError`] it must be.
fn auth_error<E: std::fmt::Debug>(e: Error<E>) -> AuthError {
    match e {
        Error::Auth(e) => e,
        other => panic!("not an auth error: {other:?}"),
    }
}

#[tokio::test]
async fn huge_token_device_and_exchange_replies_are_refused_without_being_read() {
    let server = api().await;
    let uri = server.uri();
    let api = &uri;
    for chunked in [true, false] {
        refused_unread("token reply", chunked, |url| async move {
            let client = machines::Client::builder()
                .base_url(api)
                .credential(machines::auth::service("id").client_secret("s").token_url(format!("{url}/token")))
                .build()
                .unwrap();
            client.list_jobs().send().await.map(drop).map_err(auth_error)
        })
        .await;
        refused_unread("device reply", chunked, |url| async move {
            let client = contacts::Client::builder()
                .credential(
                    contacts::auth::oauth2("public")
                        .client_auth(polvo::auth::ClientAuth::None)
                        .token_url(format!("{url}/token"))
                        .device_authorization_url(format!("{url}/device")),
                )
                .build()
                .unwrap();
            client.auth().device_login(&[]).await.map(drop)
        })
        .await;
        refused_unread("exchange reply", chunked, |url| async move {
            let client = apps::Client::builder()
                .base_url(api)
                .credential(
                    apps::auth::installation(RSA)
                        .claim("iss", 1)
                        .exchange_url(format!("{url}/installations/{{tenant}}")),
                )
                .build()
                .unwrap();
            client.for_tenant("1").get_repo("o", "r").send().await.map(drop).map_err(auth_error)
        })
        .await;
    }
}

/// A client whose signed JWTs are exchanged at `token` (RFC 7523).
fn jwt_bearer_client(api: &MockServer, token: &MockServer) -> apps::Client {
    apps::Client::builder()
        .base_url(api.uri())
        .credential(apps::auth::service_account(RSA).exchange_url(format!("{}/token", token.uri())))
        .build()
        .unwrap()
}

async fn token_endpoint(reply: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(reply)).mount(&server).await;
    server
}

#[tokio::test]
async fn only_bearer_tokens_are_used_and_other_types_are_named() {
    let api = api().await;
    let machine = |token: &MockServer| {
        machines::Client::builder()
            .base_url(api.uri())
            .credential(machines::auth::service("id").client_secret("s").token_url(format!("{}/token", token.uri())))
            .build()
            .unwrap()
    };
    for token_type in ["mac", "DPoP"] {
        let token = token_endpoint(json!({"access_token": "t", "token_type": token_type, "expires_in": 60})).await;
        match machine(&token).list_jobs().send().await {
            Err(Error::Auth(AuthError::UnsupportedTokenType { scheme, token_type: named })) => {
                assert_eq!((scheme.as_str(), named.as_str()), ("service", token_type))
            }
            other => panic!("{token_type}: unexpected {other:?}"),
        }
        assert!(api.received_requests().await.unwrap().is_empty(), "{token_type}: nothing sent with it");
    }
    // `bearer` in any case, and (leniently) no token_type at all.
    for reply in [
        json!({"access_token": "t", "token_type": "BEARER", "expires_in": 60}),
        json!({"access_token": "t", "expires_in": 60}),
    ] {
        let token = token_endpoint(reply.clone()).await;
        machine(&token).list_jobs().send().await.unwrap_or_else(|e| panic!("{reply}: {e}"));
    }

    // The JWT-bearer grant's replies are checked the same way.
    let token = token_endpoint(json!({"access_token": "t", "token_type": "N_A"})).await;
    match jwt_bearer_client(&api, &token).get_data().send().await {
        Err(Error::Auth(AuthError::UnsupportedTokenType { token_type, .. })) => assert_eq!(token_type, "N_A"),
        other => panic!("unexpected {other:?}"),
    }
    let token = token_endpoint(json!({"access_token": "t", "token_type": "Bearer", "expires_in": -5})).await;
    match jwt_bearer_client(&api, &token).get_data().send().await {
        Err(Error::Auth(AuthError::MalformedResponse { reason, .. })) => assert!(reason.contains("expires_in")),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn an_installation_token_that_expired_long_ago_is_never_taken_for_a_lasting_one() {
    let exchange = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"token": "ghs_t", "expires_at": "0001-01-01T00:00:00Z"})),
        )
        .mount(&exchange)
        .await;
    let api = api().await;
    let dir = std::env::temp_dir().join(format!("polvo-far-past-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = FileStore::new(&dir).unwrap();
    let client = || {
        apps::Client::builder()
            .base_url(api.uri())
            .token_store(store.clone())
            .credential(
                apps::auth::installation(RSA)
                    .claim("iss", 1)
                    .exchange_url(format!("{}/app/installations/{{tenant}}/access_tokens", exchange.uri())),
            )
            .build()
            .unwrap()
    };
    client().for_tenant("7").get_repo("o", "r").send().await.expect("the token is used once, as it came");
    // Another process on the same store must not take it for one without expiry.
    client().for_tenant("7").get_repo("o", "r").send().await.expect("exchanged again");
    assert_eq!(exchange.received_requests().await.unwrap().len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn empty_and_dot_tenants_are_refused_before_anything_is_sent() {
    let exchange = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"token": "ghs_t", "expires_at": "2099-01-01T00:00:00Z"})),
        )
        .mount(&exchange)
        .await;
    let api = api().await;
    let client = apps::Client::builder()
        .base_url(api.uri())
        .credential(
            apps::auth::installation(RSA)
                .claim("iss", 1)
                .exchange_url(format!("{}/app/installations/{{tenant}}/access_tokens", exchange.uri())),
        )
        .build()
        .unwrap();
    for tenant in ["", ".", ".."] {
        match client.for_tenant(tenant).get_repo("o", "r").send().await {
            Err(Error::Auth(AuthError::InvalidTenant { tenant: named, reason })) => {
                assert_eq!(named, tenant);
                assert!(reason.contains("must not be"), "{reason}");
            }
            other => panic!("{tenant:?}: unexpected {other:?}"),
        }
    }
    assert!(exchange.received_requests().await.unwrap().is_empty(), "no exchange reached another path");
    assert!(api.received_requests().await.unwrap().is_empty());

    let contacts = contacts::Client::builder()
        .credential(contacts::auth::oauth2("id").client_secret("s").authorization_url("https://login.example.com/auth"))
        .build();
    // The spec's token URL is https; nothing is sent anywhere here.
    let contacts = contacts.unwrap();
    assert!(matches!(contacts.for_tenant("..").auth_url(&[]), Err(AuthError::InvalidTenant { .. })));
    assert!(matches!(contacts.for_tenant("").auth().token("oauth2").await, Err(AuthError::InvalidTenant { .. })));
}

/// Tokens that expire `seconds` from now, with a refresh token.
fn tokens(access: &str, refresh: &str, seconds: u64) -> polvo::auth::TokenSet {
    let mut t = polvo::auth::TokenSet::new(access);
    t.refresh_token = Some(refresh.to_owned().into());
    t.expires_at = Some(std::time::SystemTime::now() + Duration::from_secs(seconds));
    t
}

fn expired(access: &str, refresh: &str) -> polvo::auth::TokenSet {
    let mut t = tokens(access, refresh, 0);
    t.expires_at = Some(std::time::UNIX_EPOCH);
    t
}

/// A provider whose answers depend on the refresh token presented, each
/// after 1 s: `slow-dead` is `invalid_grant`, `slow-ok` gives
/// `at-refreshed`, `live` gives `at-live` at once. Revocations take 1 s.
#[derive(Default)]
struct Scripted {
    presented: Mutex<Vec<String>>,
    revoked: Mutex<Vec<String>>,
}

async fn scripted_token(
    State(p): State<Arc<Scripted>>,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let presented = form.get("refresh_token").cloned().unwrap_or_default();
    p.presented.lock().unwrap().push(presented.clone());
    let ok = |access: &str| json!({"access_token": access, "token_type": "Bearer", "expires_in": 3600});
    match presented.as_str() {
        "live" => (StatusCode::OK, Json(ok("at-live"))),
        "slow-ok" => {
            tokio::time::sleep(Duration::from_secs(1)).await;
            (StatusCode::OK, Json(ok("at-refreshed")))
        }
        _ => {
            tokio::time::sleep(Duration::from_secs(1)).await;
            (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"})))
        }
    }
}

async fn slow_revoke(State(p): State<Arc<Scripted>>, Form(form): Form<HashMap<String, String>>) -> StatusCode {
    tokio::time::sleep(Duration::from_secs(1)).await;
    p.revoked.lock().unwrap().push(form.get("token").cloned().unwrap_or_default());
    StatusCode::OK
}

async fn scripted() -> (Arc<Scripted>, contacts::Client, Arc<MemoryStore>) {
    let provider = Arc::new(Scripted::default());
    let routes = Router::new().route("/token", post(scripted_token)).route("/revoke", post(slow_revoke));
    let url = serve(routes.with_state(provider.clone())).await;
    let store = Arc::new(MemoryStore::new());
    let client = contacts::Client::builder()
        .shared_token_store(store.clone())
        .credential(
            contacts::auth::oauth2("id")
                .client_secret("s")
                .token_url(format!("{url}/token"))
                .revocation_url(format!("{url}/revoke")),
        )
        .build()
        .unwrap();
    (provider, client, store)
}

#[tokio::test]
async fn tokens_stored_during_a_refresh_are_neither_overwritten_nor_marked_dead() {
    let (provider, client, store) = scripted().await;
    // A refresh that fails with `invalid_grant` while a login stores new tokens.
    let dead = client.for_tenant("a");
    dead.auth().set_tokens(expired("at-0", "slow-dead")).await.unwrap();
    let refreshing = tokio::spawn({
        let client = client.clone();
        async move { client.for_tenant("a").auth().token("oauth2").await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    dead.auth().set_tokens(tokens("at-login", "live", 1)).await.expect("stored");
    let _ = refreshing.await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let renewed = dead.auth().token("oauth2").await.expect("the new refresh token is used");
    assert_eq!(secret(&renewed), "at-live");

    // A refresh that succeeds while a login stores new tokens.
    let tenant = client.for_tenant("b");
    tenant.auth().set_tokens(expired("at-0", "slow-ok")).await.unwrap();
    let refreshing = tokio::spawn({
        let client = client.clone();
        async move { client.for_tenant("b").auth().token("oauth2").await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tenant.auth().set_tokens(tokens("at-login", "rt-login", 3600)).await.expect("stored");
    let _ = refreshing.await.unwrap();
    assert_eq!(secret(&tenant.auth().token("oauth2").await.unwrap()), "at-login", "the login's tokens are kept");
    let stored = store.load(&TokenKey::new("contacts", "oauth2", "b")).await.unwrap().expect("stored");
    assert_eq!(secret(&stored), "at-login");
    assert_eq!(*provider.presented.lock().unwrap(), ["slow-dead", "live", "slow-ok"]);
}

#[tokio::test]
async fn a_token_asked_for_during_a_revocation_waits_for_it_and_is_not_refreshed() {
    let (provider, client, store) = scripted().await;
    client.auth().set_tokens(expired("at-0", "slow-ok")).await.unwrap();
    let revoking = tokio::spawn({
        let client = client.clone();
        async move { client.auth().revoke().await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    match client.auth().token("oauth2").await {
        Err(AuthError::NotAuthorized { .. }) => {}
        other => panic!("unexpected {other:?}"),
    }
    revoking.await.unwrap().expect("revoked");
    assert_eq!(*provider.revoked.lock().unwrap(), ["slow-ok"]);
    assert!(provider.presented.lock().unwrap().is_empty(), "no refresh with a revoked refresh token");
    assert!(store.load(&TokenKey::new("contacts", "oauth2", "default")).await.unwrap().is_none());
}

#[tokio::test]
async fn revoking_configured_tokens_revokes_their_refresh_token_after_the_access_token_expired() {
    let provider = Arc::new(Scripted::default());
    let url = serve(Router::new().route("/revoke", post(slow_revoke)).with_state(provider.clone())).await;
    let client = contacts::Client::builder()
        .credential(
            contacts::auth::oauth2("id")
                .client_secret("s")
                .revocation_url(format!("{url}/revoke"))
                .tokens(expired("at-0", "rt-configured")),
        )
        .build()
        .unwrap();
    client.auth().revoke().await.expect("revoked");
    assert_eq!(*provider.revoked.lock().unwrap(), ["rt-configured"]);
}

/// A store whose first `failures` loads fail.
struct Failing {
    failures: AtomicUsize,
    inner: MemoryStore,
}

impl TokenStore for Failing {
    fn load<'a>(&'a self, key: &'a TokenKey) -> polvo::auth::StoreFuture<'a, Option<polvo::auth::TokenSet>> {
        let failed = self.failures.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        if failed {
            return Box::pin(async { Err(polvo::auth::StoreError("unreachable".into())) });
        }
        self.inner.load(key)
    }
    fn save<'a>(&'a self, key: &'a TokenKey, tokens: &'a polvo::auth::TokenSet) -> polvo::auth::StoreFuture<'a, ()> {
        self.inner.save(key, tokens)
    }
    fn remove<'a>(&'a self, key: &'a TokenKey) -> polvo::auth::StoreFuture<'a, ()> {
        self.inner.remove(key)
    }
    fn save_login<'a>(
        &'a self,
        key: &'a TokenKey,
        state: &'a str,
        login: &'a polvo::auth::StoredLogin,
    ) -> polvo::auth::StoreFuture<'a, ()> {
        self.inner.save_login(key, state, login)
    }
    fn take_login<'a>(
        &'a self,
        key: &'a TokenKey,
        state: &'a str,
    ) -> polvo::auth::StoreFuture<'a, Option<polvo::auth::StoredLogin>> {
        self.inner.take_login(key, state)
    }
}

fn login_client(token: &MockServer, store: impl TokenStore) -> contacts::Client {
    contacts::Client::builder()
        .token_store(store)
        .credential(
            contacts::auth::oauth2("id")
                .client_secret("s")
                .authorization_url("https://login.example.com/auth")
                .token_url(format!("{}/token", token.uri())),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_corrupt_token_file_does_not_block_the_login_that_replaces_it() {
    let token = token_endpoint(json!({"access_token": "at-login", "token_type": "Bearer", "expires_in": 3600})).await;
    let dir = std::env::temp_dir().join(format!("polvo-corrupt-login-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = FileStore::new(&dir).unwrap();
    let key = TokenKey::new("contacts", "oauth2", "default");
    std::fs::write(store.path_of(&key), "{not json").unwrap();
    let client = login_client(&token, store.clone());
    let login = client.auth_url(&[]).unwrap();
    client.fetch_access_token("code", login.state()).await.expect("the login replaces the corrupt file");
    assert_eq!(secret(&store.load(&key).await.unwrap().expect("stored")), "at-login");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_store_failure_before_the_code_is_spent_keeps_the_login() {
    let token = token_endpoint(json!({"access_token": "at-login", "token_type": "Bearer", "expires_in": 3600})).await;
    let client = login_client(&token, Failing { failures: AtomicUsize::new(1), inner: MemoryStore::new() });
    let login = client.auth_url(&[]).unwrap();
    match client.fetch_access_token("code", login.state()).await {
        Err(AuthError::Store(reason)) => assert!(reason.contains("unreachable"), "{reason}"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(token.received_requests().await.unwrap().is_empty(), "the code was not spent");
    client.fetch_access_token("code", login.state()).await.expect("the same login finishes once the store answers");
}

#[tokio::test]
async fn a_token_type_that_is_not_text_is_an_error() {
    let api = api().await;
    for token_type in [json!(5), json!(true), json!({"kind": "Bearer"})] {
        let token = token_endpoint(json!({"access_token": "t", "token_type": token_type, "expires_in": 60})).await;
        match jwt_bearer_client(&api, &token).get_data().send().await {
            Err(Error::Auth(AuthError::MalformedResponse { reason, .. })) => {
                assert!(reason.contains("token_type"), "{token_type}: {reason}")
            }
            other => panic!("{token_type}: unexpected {other:?}"),
        }
    }
    assert!(api.received_requests().await.unwrap().is_empty());
}
