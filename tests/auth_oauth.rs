//! OAuth 2.0 against a real provider: `oidc-provider` (tests/servers/oidc.mjs)
//! on 127.0.0.1, started by the test. The API the tokens are for is a local
//! HTTP server that records what it received.
//!
//! These tests fail, rather than skip, when the provider cannot start: run
//! `bash scripts/test.sh`, which installs it.

use polvo::Error;
use polvo::auth::{AuthError, FileStore, TokenKey, TokenStore};
use polvo::secrecy::ExposeSecret;
use polvo_suite::servers::{NodeServer, start_oidc};
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/auth/contacts.yaml");
polvo::service!("tests/specs/auth/service.yaml", name = "machines");

const REDIRECT: &str = "http://127.0.0.1:8765/callback";

fn provider(ttl_seconds: u64) -> NodeServer {
    start_oidc(&[("OIDC_ACCESS_TOKEN_TTL", &ttl_seconds.to_string())])
        .expect("the OIDC provider starts (run `bash scripts/test.sh` to install it)")
}

async fn api() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(["job-1"])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    server
}

fn http() -> polvo::reqwest::Client {
    polvo::reqwest::Client::builder().redirect(polvo::reqwest::redirect::Policy::none()).build().unwrap()
}

async fn stats(oidc: &NodeServer) -> Value {
    http().get(oidc.url_for("/__test/stats")).send().await.unwrap().json().await.unwrap()
}

async fn reset(oidc: &NodeServer) {
    http().post(oidc.url_for("/__test/reset")).send().await.unwrap();
}

fn web_client(oidc: &NodeServer, api: &MockServer) -> polvo::ClientBuilder<contacts::Client> {
    contacts::Client::builder().base_url(api.uri()).credential(
        contacts::auth::oauth2("polvo-web")
            .client_secret("web-secret")
            .redirect_uri(REDIRECT)
            .authorization_url(oidc.url_for("/auth"))
            .token_url(oidc.url_for("/token"))
            .revocation_url(oidc.url_for("/token/revocation")),
    )
}

/// A client-credentials client of the test provider, calling `api`.
fn machine_client(oidc: &NodeServer, api: &MockServer) -> polvo::ClientBuilder<machines::Client> {
    machines::Client::builder().base_url(api.uri()).credential(
        machines::auth::service("polvo-service").client_secret("service-secret").token_url(oidc.url_for("/token")),
    )
}

/// Plays the browser: follows the authorization URL to the redirect and
/// returns the `code` and `state` it carries.
async fn approve(url: &str) -> (String, String) {
    let response = http().get(url).send().await.expect("the provider answers");
    assert_eq!(response.status().as_u16(), 303, "the test provider approves at once");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    let url = url::Url::parse(&location).unwrap();
    let get = |k: &str| url.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    (get("code").expect("a code"), get("state").expect("the state"))
}

async fn log_in(client: &contacts::Client) {
    let login = client.auth_url(&[]).expect("a login URL");
    let (code, state) = approve(login.url()).await;
    assert_eq!(client.fetch_access_token(&code, &state).await.expect("tokens"), "default");
}

fn bearer_of(request: &wiremock::Request) -> String {
    request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn authorization_code_with_pkce_and_state() {
    let oidc = provider(60);
    let api = api().await;
    let client = web_client(&oidc, &api).build().unwrap();

    let login = client.auth_url(&["openid", "contacts.read"]).unwrap();
    let url = url::Url::parse(login.url()).unwrap();
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["client_id"], "polvo-web");
    assert_eq!(query["redirect_uri"], REDIRECT);
    assert_eq!(query["scope"], "openid contacts.read");
    assert_eq!(query["state"], login.state());
    assert!(query["code_challenge"].len() >= 43);

    let (code, state) = approve(login.url()).await;
    // A forged state is refused, and does not use up the real one.
    assert_eq!(client.fetch_access_token(&code, "forged").await.unwrap_err(), AuthError::StateMismatch);
    client.fetch_access_token(&code, &state).await.expect("the code is exchanged");
    // The state is single-use.
    assert_eq!(client.fetch_access_token(&code, &state).await.unwrap_err(), AuthError::StateMismatch);

    client.contacts().list_contacts().send().await.expect("an authorized call");
    let token = client.auth().token("oauth2").await.unwrap();
    let requests = api.received_requests().await.unwrap();
    assert_eq!(bearer_of(&requests[0]), format!("Bearer {}", secret(&token)));
}

fn secret(tokens: &polvo::auth::TokenSet) -> String {
    tokens.access_token.expose_secret().to_owned()
}

#[tokio::test]
async fn no_tokens_yet_is_a_clear_error() {
    let oidc = provider(60);
    let api = api().await;
    let client = web_client(&oidc, &api).build().unwrap();
    match client.contacts().list_contacts().send().await {
        Err(Error::Auth(AuthError::NotAuthorized { scheme, tenant })) => {
            assert_eq!((scheme.as_str(), tenant.as_str()), ("oauth2", "default"))
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(api.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn client_credentials_cache_tokens_and_report_a_wrong_secret() {
    let oidc = provider(60);
    let api = api().await;
    let client = machine_client(&oidc, &api).build().unwrap();
    for _ in 0..3 {
        client.list_jobs().send().await.expect("jobs");
    }
    let requests = api.received_requests().await.unwrap();
    assert!(bearer_of(&requests[0]).starts_with("Bearer "));
    assert!(requests.iter().all(|r| bearer_of(r) == bearer_of(&requests[0])));
    assert_eq!(stats(&oidc).await["by_grant"]["client_credentials"], 1);

    let wrong = machines::Client::builder()
        .base_url(api.uri())
        .credential(
            machines::auth::service("polvo-service").client_secret("not-the-secret").token_url(oidc.url_for("/token")),
        )
        .build()
        .unwrap();
    match wrong.list_jobs().send().await {
        Err(Error::Auth(AuthError::TokenEndpoint { scheme, error, .. })) => {
            assert_eq!((scheme.as_str(), error.as_str()), ("service", "invalid_client"))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn client_secret_post_and_private_key_jwt_authenticate_the_client() {
    let oidc = provider(60);
    let api = api().await;
    let post = machines::Client::builder()
        .base_url(api.uri())
        .credential(
            machines::auth::service("polvo-post").client_secret("post-secret").token_url(oidc.url_for("/token")),
        )
        .build()
        .unwrap();
    // The scheme says client_secret_basic; polvo-post only takes the secret in the body.
    assert!(matches!(post.list_jobs().send().await, Err(Error::Auth(AuthError::TokenEndpoint { .. }))));

    let post = machines::Client::builder()
        .base_url(api.uri())
        .credential(
            machines::auth::service("polvo-post")
                .client_secret("post-secret")
                .client_auth(polvo::auth::ClientAuth::ClientSecretPost)
                .token_url(oidc.url_for("/token")),
        )
        .build()
        .unwrap();
    post.list_jobs().send().await.expect("client_secret_post client credentials");

    let jwt = machines::Client::builder()
        .base_url(api.uri())
        .credential(
            machines::auth::service("polvo-jwt")
                .private_key("RS256", include_bytes!("fixtures/keys/rsa.pem").to_vec(), Some("polvo-jwt-1"))
                .token_url(oidc.url_for("/token")),
        )
        .build()
        .unwrap();
    jwt.list_jobs().send().await.expect("private_key_jwt client credentials");
    assert_eq!(stats(&oidc).await["by_grant"]["client_credentials"], 3);
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token_and_saves_it() {
    let oidc = provider(2);
    let api = api().await;
    let dir = std::env::temp_dir().join(format!("polvo-refresh-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = FileStore::new(&dir).unwrap();
    let client = web_client(&oidc, &api).token_store(store.clone()).refresh_skew(Duration::ZERO).build().unwrap();
    log_in(&client).await;
    let key = TokenKey::new("contacts", "oauth2", "default");
    let first = store.load(&key).await.unwrap().expect("saved after login");
    client.contacts().list_contacts().send().await.expect("first call");

    tokio::time::sleep(Duration::from_millis(2500)).await;
    client.contacts().list_contacts().send().await.expect("a call after expiry refreshes first");
    let second = store.load(&key).await.unwrap().expect("saved after refresh");
    assert_eq!(stats(&oidc).await["by_grant"]["refresh_token"], 1);
    assert_ne!(secret(&first), secret(&second), "a new access token");
    let (r1, r2) = (
        first.refresh_token.as_ref().map(|r| r.expose_secret().to_owned()),
        second.refresh_token.as_ref().map(|r| r.expose_secret().to_owned()),
    );
    assert!(r1.is_some() && r2.is_some() && r1 != r2, "the rotated refresh token was saved");
    let requests = api.received_requests().await.unwrap();
    assert_ne!(bearer_of(&requests[0]), bearer_of(&requests[1]));

    // A second client on the same store picks the tokens up: nothing is lost between runs.
    let again = web_client(&oidc, &api).token_store(store.clone()).build().unwrap();
    again.contacts().list_contacts().send().await.expect("tokens from the file store");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn revocation_ends_the_tokens() {
    let oidc = provider(60);
    let api = api().await;
    let client = web_client(&oidc, &api).build().unwrap();
    log_in(&client).await;
    let token = client.auth().token("oauth2").await.unwrap();
    client.auth().revoke().await.expect("revoked");
    let introspection: Value = http()
        .post(oidc.url_for("/token/introspection"))
        .basic_auth("polvo-web", Some("web-secret"))
        .form(&[("token", secret(&token))])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(introspection["active"], false, "revoking the refresh token ends its access tokens");
    assert!(matches!(
        client.contacts().list_contacts().send().await,
        Err(Error::Auth(AuthError::NotAuthorized { .. }))
    ));
}

#[tokio::test]
async fn device_authorization_for_command_line_apps() {
    let oidc = provider(60);
    let api = api().await;
    let client = contacts::Client::builder()
        .base_url(api.uri())
        .credential(
            contacts::auth::oauth2("polvo-public")
                .client_auth(polvo::auth::ClientAuth::None)
                .device_authorization_url(oidc.url_for("/device/auth"))
                .token_url(oidc.url_for("/token"))
                .scopes(["openid", "offline_access", "contacts.read"]),
        )
        .build()
        .unwrap();
    let login = client.auth().device_login(&[]).await.expect("a device code");
    assert!(login.verification_uri().starts_with(&oidc.url));
    let user_code = login.user_code().to_owned();
    let approver = {
        let url = oidc.url_for("/__test/device/approve");
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            http().post(url).form(&[("user_code", user_code)]).send().await.unwrap().status()
        })
    };
    client.auth().finish_device_login(&login).await.expect("approved on the other device");
    assert!(approver.await.unwrap().is_success());
    client.contacts().list_contacts().send().await.expect("an authorized call");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_calls_on_an_expired_token_cause_one_token_request() {
    let oidc = provider(2);
    let api = api().await;
    let client = machine_client(&oidc, &api).refresh_skew(Duration::ZERO).build().unwrap();
    client.list_jobs().send().await.expect("a first token");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    reset(&oidc).await;
    let calls: Vec<_> = (0..200).map(|_| tokio::spawn(client.list_jobs().send())).collect();
    for call in calls {
        call.await.unwrap().expect("every call succeeds");
    }
    assert_eq!(stats(&oidc).await["token_requests"], 1, "exactly one token request for 200 calls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_refresh_token_asks_for_a_new_login_once() {
    let oidc = provider(2);
    let api = api().await;
    let client = web_client(&oidc, &api).refresh_skew(Duration::ZERO).build().unwrap();
    log_in(&client).await;
    // The provider revokes the grant behind the client's back.
    let tokens = client.auth().token("oauth2").await.unwrap();
    let refresh = tokens.refresh_token.as_ref().map(|r| r.expose_secret().to_owned()).unwrap();
    http()
        .post(oidc.url_for("/token/revocation"))
        .basic_auth("polvo-web", Some("web-secret"))
        .form(&[("token", refresh), ("token_type_hint", "refresh_token".to_owned())])
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    reset(&oidc).await;
    let calls: Vec<_> = (0..20).map(|_| tokio::spawn(client.contacts().list_contacts().send())).collect();
    for call in calls {
        match call.await.unwrap() {
            Err(Error::Auth(AuthError::ReauthorizationRequired { scheme, .. })) => assert_eq!(scheme, "oauth2"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(matches!(
        client.contacts().list_contacts().send().await,
        Err(Error::Auth(AuthError::ReauthorizationRequired { .. }))
    ));
    assert_eq!(stats(&oidc).await["token_requests"], 1, "one refresh attempt, no retry storm");
    assert!(api.received_requests().await.unwrap().is_empty(), "no call reached the API without a token");

    // Logging in again recovers.
    log_in(&client).await;
    client.contacts().list_contacts().send().await.expect("works after a new login");
}

#[tokio::test]
async fn a_401_renews_the_token_once() {
    let oidc = provider(60);
    let api = MockServer::start().await;
    let client = machine_client(&oidc, &api).build().unwrap();
    let first = client.auth().token("service").await.unwrap();
    Mock::given(header("authorization", format!("Bearer {}", secret(&first)).as_str()))
        .respond_with(ResponseTemplate::new(401))
        .mount(&api)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!([]))).mount(&api).await;
    client.list_jobs().send().await.expect("renewed after the 401");
    let requests = api.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_ne!(bearer_of(&requests[0]), bearer_of(&requests[1]));
    assert_eq!(stats(&oidc).await["token_requests"], 2);

    // A server that always answers 401 gets exactly one retry, then the error.
    api.reset().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(401)).mount(&api).await;
    let err = client.list_jobs().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(api.received_requests().await.unwrap().len(), 2);

    // A multipart upload is sent again whole, with the renewed token.
    api.reset().await;
    let current = client.auth().token("service").await.unwrap();
    Mock::given(header("authorization", format!("Bearer {}", secret(&current)).as_str()))
        .respond_with(ResponseTemplate::new(401))
        .mount(&api)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&api).await;
    let upload = machines::types::UploadAttachmentBody {
        file: polvo::Binary::from(b"attached bytes".to_vec()),
        note: Some("first try".into()),
    };
    client.upload_attachment("j1", upload).send().await.expect("renewed after the 401");
    let requests = api.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_ne!(bearer_of(&requests[0]), bearer_of(&requests[1]));
    let bodies: Vec<String> = requests.iter().map(|r| String::from_utf8_lossy(&r.body).into_owned()).collect();
    for body in &bodies {
        assert!(body.contains("attached bytes") && body.contains("first try"), "{body}");
    }
    // The same parts; only the boundary may differ.
    assert_eq!(bodies[0].len(), bodies[1].len());
}

#[tokio::test]
async fn token_endpoint_failures_are_typed_errors_without_retries() {
    let token = MockServer::start().await;
    let api = api().await;
    let client = |extra: Duration| {
        machines::Client::builder()
            .base_url(api.uri())
            .token_timeout(extra)
            .credential(machines::auth::service("id").client_secret("s").token_url(format!("{}/token", token.uri())))
            .build()
            .unwrap()
    };
    type Check = fn(&AuthError) -> bool;
    let cases: Vec<(ResponseTemplate, Check)> = vec![
        (
            ResponseTemplate::new(500).set_body_string("oops"),
            |e| matches!(e, AuthError::TokenEndpoint { error, .. } if error.contains("500")),
        ),
        (ResponseTemplate::new(200).set_body_string("<html>not json</html>"), |e| {
            matches!(e, AuthError::MalformedResponse { .. })
        }),
        (
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_scope", "error_description": "no such scope"})),
            |e| matches!(e, AuthError::TokenEndpoint { error, description, .. } if error == "invalid_scope" && description.as_deref() == Some("no such scope")),
        ),
        (
            // serde's message would quote the token; the error must not.
            ResponseTemplate::new(200).set_body_json(
                json!({"access_token": "sekrit-token", "token_type": "bearer", "expires_in": "sekrit-token"}),
            ),
            |e| {
                matches!(e, AuthError::MalformedResponse { reason, .. } if reason.contains("expires_in") && !reason.contains("sekrit"))
                    && !format!("{e} {e:?}").contains("sekrit")
            },
        ),
        (
            ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
            |e| matches!(e, AuthError::Transport { reason, .. } if reason.contains("timed out")),
        ),
    ];
    for (template, expected) in cases {
        token.reset().await;
        Mock::given(method("POST")).respond_with(template).mount(&token).await;
        match client(Duration::from_secs(1)).list_jobs().send().await {
            Err(Error::Auth(e)) => assert!(expected(&e), "unexpected {e:?}"),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(token.received_requests().await.unwrap().len(), 1, "no retries");
    }

    // A refresh token the provider rejects asks for a new login.
    token.reset().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant", "error_description": "expired"})),
        )
        .mount(&token)
        .await;
    let user_client = contacts::Client::builder()
        .base_url(api.uri())
        .credential(
            contacts::auth::oauth2("id")
                .client_secret("s")
                .token_url(format!("{}/token", token.uri()))
                .refresh_token("old"),
        )
        .build()
        .unwrap();
    for _ in 0..3 {
        match user_client.contacts().list_contacts().send().await {
            Err(Error::Auth(AuthError::ReauthorizationRequired { reason, .. })) => assert_eq!(reason, "expired"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(token.received_requests().await.unwrap().len(), 1, "a dead refresh token is tried once");

    // A lifetime past what the clock can hold is no expiry, not a panic.
    token.reset().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "long", "token_type": "bearer", "expires_in": u64::MAX})),
        )
        .mount(&token)
        .await;
    let machine = client(Duration::from_secs(5));
    machine.list_jobs().send().await.expect("a token that never expires");
    machine.list_jobs().send().await.expect("the same token");
    assert_eq!(token.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn tokens_are_renewed_before_they_expire_and_redirects_are_not_followed() {
    let token = MockServer::start().await;
    let api = api().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "t", "token_type": "bearer", "expires_in": 3})),
        )
        .mount(&token)
        .await;
    let client = machines::Client::builder()
        .base_url(api.uri())
        .refresh_skew(Duration::from_secs(2))
        .credential(machines::auth::service("id").client_secret("s").token_url(format!("{}/token", token.uri())))
        .build()
        .unwrap();
    client.list_jobs().send().await.unwrap();
    client.list_jobs().send().await.unwrap();
    assert_eq!(token.received_requests().await.unwrap().len(), 1, "3 s left is more than the 2 s skew");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // 1.5 s left: still valid, but within the skew (at most half the token's life), so it is renewed first.
    client.list_jobs().send().await.unwrap();
    assert_eq!(token.received_requests().await.unwrap().len(), 2, "renewed before expiry");

    // A token endpoint that redirects gets no second request, and the
    // client's credentials never reach the other address.
    let elsewhere = MockServer::start().await;
    token.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/token", elsewhere.uri())))
        .mount(&token)
        .await;
    let client = machines::Client::builder()
        .base_url(api.uri())
        .credential(machines::auth::service("id").client_secret("s").token_url(format!("{}/token", token.uri())))
        .build()
        .unwrap();
    match client.list_jobs().send().await {
        Err(Error::Auth(AuthError::TokenEndpoint { error, .. })) => assert!(error.contains("307"), "{error}"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn one_client_serves_many_tenants_with_their_own_tokens() {
    let oidc = provider(60);
    let api = api().await;
    let client = web_client(&oidc, &api).build().unwrap();
    for portal in ["portal-1", "portal-2"] {
        let tenant = client.for_tenant(portal);
        let login = tenant.auth_url(&[]).unwrap();
        let (code, state) = approve(login.url()).await;
        // The login belongs to the tenant that started it, which finishes it.
        assert_eq!(tenant.fetch_access_token(&code, &state).await.unwrap(), portal);
    }
    client.for_tenant("portal-1").contacts().list_contacts().send().await.expect("portal 1");
    client.for_tenant("portal-2").contacts().list_contacts().send().await.expect("portal 2");
    assert!(matches!(
        client.contacts().list_contacts().send().await,
        Err(Error::Auth(AuthError::NotAuthorized { .. }))
    ));
    let requests = api.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_ne!(bearer_of(&requests[0]), bearer_of(&requests[1]));
    assert_eq!(client.for_tenant("portal-1").auth().tenant(), "portal-1");
}

#[tokio::test]
async fn a_login_in_another_process_revives_a_dead_refresh_token() {
    let oidc = provider(2);
    let api = api().await;
    let dir = std::env::temp_dir().join(format!("polvo-shared-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = FileStore::new(&dir).unwrap();
    let worker = web_client(&oidc, &api).token_store(store.clone()).refresh_skew(Duration::ZERO).build().unwrap();
    log_in(&worker).await;
    let refresh =
        worker.auth().token("oauth2").await.unwrap().refresh_token.map(|r| r.expose_secret().to_owned()).unwrap();
    http()
        .post(oidc.url_for("/token/revocation"))
        .basic_auth("polvo-web", Some("web-secret"))
        .form(&[("token", refresh.as_str()), ("token_type_hint", "refresh_token")])
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(matches!(
        worker.contacts().list_contacts().send().await,
        Err(Error::Auth(AuthError::ReauthorizationRequired { .. }))
    ));

    // Another process (here: another client on the same store) logs the user in again.
    let web = web_client(&oidc, &api).token_store(store.clone()).build().unwrap();
    log_in(&web).await;
    worker.contacts().list_contacts().send().await.expect("the worker picks up the new tokens from the store");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_login_started_by_one_tenant_cannot_be_finished_by_another() {
    let oidc = provider(60);
    let api = api().await;
    let store = std::sync::Arc::new(polvo::auth::MemoryStore::new());
    let client = web_client(&oidc, &api).shared_token_store(store.clone()).build().unwrap();
    // The attacker starts a login for their own tenant and has the victim's
    // browser complete it: the redirect brings the victim's code to the app.
    let login = client.for_tenant("attacker").auth_url(&[]).unwrap();
    let (code, state) = approve(login.url()).await;
    reset(&oidc).await;
    for finisher in [client.for_tenant("victim"), client.clone()] {
        assert_eq!(finisher.fetch_access_token(&code, &state).await.unwrap_err(), AuthError::StateMismatch);
    }
    assert_eq!(stats(&oidc).await["token_requests"], 0, "the code was never redeemed");
    for tenant in ["attacker", "victim", "default"] {
        let key = TokenKey::new("contacts", "oauth2", tenant);
        assert!(store.load(&key).await.unwrap().is_none(), "nothing stored for {tenant}");
    }
    // The refusal leaves the login to the tenant that started it.
    assert_eq!(client.for_tenant("attacker").fetch_access_token(&code, &state).await.unwrap(), "attacker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_callers_of_a_token_shorter_lived_than_the_skew_cause_one_token_request() {
    // 20 s tokens and the default 30 s skew.
    let oidc = provider(20);
    let api = api().await;
    let client = machine_client(&oidc, &api).build().unwrap();
    let calls: Vec<_> = (0..100).map(|_| tokio::spawn(client.list_jobs().send())).collect();
    for call in calls {
        call.await.unwrap().expect("every call succeeds");
    }
    client.list_jobs().send().await.expect("a call right after");
    assert_eq!(stats(&oidc).await["token_requests"], 1, "one token request for 101 calls");
    let requests = api.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| bearer_of(r) == bearer_of(&requests[0])), "all with the one token");
}

#[tokio::test]
async fn a_tenant_of_three_hundred_characters_logs_in_with_a_file_store() {
    let oidc = provider(60);
    let api = api().await;
    let dir = std::env::temp_dir().join(format!("polvo-long-tenant-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = FileStore::new(&dir).unwrap();
    let client = web_client(&oidc, &api).token_store(store.clone()).build().unwrap();
    for tenant in ["t".repeat(300), format!("{}-ü", "t".repeat(299))] {
        let login = client.for_tenant(&tenant).auth_url(&[]).unwrap();
        let (code, state) = approve(login.url()).await;
        client.for_tenant(&tenant).fetch_access_token(&code, &state).await.expect("tokens stored");
        let stored = store.load(&TokenKey::new("contacts", "oauth2", tenant.as_str())).await.unwrap();
        assert!(stored.is_some_and(|t| t.refresh_token.is_some()), "saved in a file of its own");
        client.for_tenant(&tenant).contacts().list_contacts().send().await.expect("an authorized call");
    }
    // One token file per tenant (beside each, the `.lock` file of its refresh lock).
    let token_files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(token_files, 2);
    let _ = std::fs::remove_dir_all(&dir);
}
