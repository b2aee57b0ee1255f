//! One OAuth 2.0 scheme listing both `authorizationCode` and
//! `clientCredentials` serves both kinds of client: the credential chooses
//! its grant (`.client_credentials()`), and user logins on the same scheme
//! keep refreshing. Against the real provider (`oidc-provider`,
//! tests/servers/oidc.mjs) on 127.0.0.1.

use polvo::Error;
use polvo::auth::{AuthError, Grant};
use polvo::secrecy::ExposeSecret;
use polvo_suite::servers::{NodeServer, start_oidc};
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/auth/both-flows.yaml", name = "jobs");

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
    server
}

fn http() -> polvo::reqwest::Client {
    polvo::reqwest::Client::builder().redirect(polvo::reqwest::redirect::Policy::none()).build().unwrap()
}

async fn grants(oidc: &NodeServer) -> Value {
    let stats: Value = http().get(oidc.url_for("/__test/stats")).send().await.unwrap().json().await.unwrap();
    stats["by_grant"].clone()
}

/// The machine client's registration: client credentials only at the provider.
fn service_credential(oidc: &NodeServer) -> polvo::auth::OAuth2Credential<jobs::Client> {
    jobs::auth::oauth2("polvo-service").client_secret("service-secret").token_url(oidc.url_for("/token"))
}

#[tokio::test]
async fn a_machine_client_chooses_client_credentials_on_a_scheme_that_prefers_login() {
    let oidc = provider(60);
    let api = api().await;
    let machine = jobs::Client::builder()
        .base_url(api.uri())
        .credential(service_credential(&oidc).client_credentials())
        .build()
        .unwrap();
    assert_eq!(machine.list_jobs().send().await.expect("jobs with a client-credentials token"), ["job-1"]);
    assert_eq!(grants(&oidc).await["client_credentials"], 1);

    // Without the choice the scheme's first flow, authorization code, needs a login.
    let unchosen = jobs::Client::builder().base_url(api.uri()).credential(service_credential(&oidc)).build().unwrap();
    match unchosen.list_jobs().send().await {
        Err(Error::Auth(AuthError::NotAuthorized { scheme, .. })) => assert_eq!(scheme, "oauth2"),
        other => panic!("expected NotAuthorized, got {other:?}"),
    }
    // Choosing it explicitly is the same.
    let user = jobs::Client::builder()
        .base_url(api.uri())
        .credential(service_credential(&oidc).grant(Grant::AuthorizationCode))
        .build()
        .unwrap();
    assert!(matches!(user.list_jobs().send().await, Err(Error::Auth(AuthError::NotAuthorized { .. }))));
}

/// Plays the browser: follows the authorization URL to the redirect.
async fn approve(url: &str) -> (String, String) {
    let response = http().get(url).send().await.expect("the provider answers");
    assert_eq!(response.status().as_u16(), 303, "the test provider approves at once");
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let get = |k: &str| location.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    (get("code").expect("a code"), get("state").expect("the state"))
}

#[tokio::test]
async fn a_user_login_on_the_same_scheme_keeps_refreshing() {
    let oidc = provider(2);
    let api = api().await;
    let user = jobs::Client::builder()
        .base_url(api.uri())
        .refresh_skew(Duration::ZERO)
        .credential(
            jobs::auth::oauth2("polvo-web")
                .client_secret("web-secret")
                .redirect_uri(REDIRECT)
                .authorization_url(oidc.url_for("/auth"))
                .token_url(oidc.url_for("/token")),
        )
        .build()
        .unwrap();
    let machine = jobs::Client::builder()
        .base_url(api.uri())
        .credential(service_credential(&oidc).client_credentials())
        .build()
        .unwrap();

    let login = user.auth_url(&["openid", "offline_access"]).expect("a login URL");
    let (code, state) = approve(login.url()).await;
    user.fetch_access_token(&code, &state).await.expect("tokens");
    let first = user.auth().token("oauth2").await.unwrap();
    machine.list_jobs().send().await.expect("the machine client's call");

    tokio::time::sleep(Duration::from_millis(2500)).await;
    user.list_jobs().send().await.expect("a call after expiry refreshes");
    let second = user.auth().token("oauth2").await.unwrap();
    assert_ne!(first.access_token.expose_secret(), second.access_token.expose_secret());
    let by_grant = grants(&oidc).await;
    assert_eq!(by_grant["refresh_token"], 1, "the user's token was refreshed: {by_grant}");
    assert_eq!(by_grant["client_credentials"], 1, "{by_grant}");
}
