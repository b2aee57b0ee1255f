//! Credentials that need no token endpoint: API keys, basic, bearer, JWTs
//! the client signs, and their exchanges, against a local HTTP server; the
//! choice among an operation's security alternatives; `from_env`.

use polvo::auth::AuthError;
use polvo::{BuildError, Error};
use serde_json::{Map, Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

polvo::service!("tests/specs/auth/contacts.yaml");
polvo::service!("tests/specs/auth/app.yaml");

const RSA: &str = include_str!("fixtures/keys/rsa.pem");
const RSA_PUB: &str = include_str!("fixtures/keys/rsa.pub.pem");
/// The same key in PKCS#1 (`BEGIN RSA PRIVATE KEY`), the form GitHub hands out.
const RSA_PKCS1: &str = include_str!("fixtures/keys/rsa.pkcs1.pem");
const EC256: &str = include_str!("fixtures/keys/ec256.pem");
const EC256_PUB: &str = include_str!("fixtures/keys/ec256.pub.pem");

fn header_of<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    server
}

#[tokio::test]
async fn private_app_tokens_are_bearer_tokens_accepted_where_oauth_is() {
    let server = ok_server().await;
    let client = contacts::Client::builder()
        .base_url(server.uri())
        .credential(contacts::auth::private_apps("pat-na1-secret"))
        .build()
        .unwrap();
    client.contacts().list_contacts().limit(5).send().await.expect("listed");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(header_of(&requests[0], "authorization"), Some("Bearer pat-na1-secret"));
    assert_eq!(header_of(&requests[0], "private-app"), None, "the spec's wrong header is not sent");
    assert_eq!(requests[0].url.query(), Some("limit=5"));
}

#[tokio::test]
async fn schemes_required_together_are_all_sent_and_security_none_sends_nothing() {
    let server = ok_server().await;
    let client = contacts::Client::builder()
        .base_url(server.uri())
        .credential(contacts::auth::developer_hapikey("hapi-123"))
        .credential(contacts::auth::partner_id("partner-9"))
        .credential(contacts::auth::private_apps("pat"))
        .build()
        .unwrap();
    client.contacts().merge_contacts("7").send().await.expect("merged");
    client.health().send().await.expect("health");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.query(), Some("hapikey=hapi-123"));
    assert_eq!(header_of(&requests[0], "x-partner-id"), Some("partner-9"));
    assert_eq!(header_of(&requests[0], "authorization"), None);
    assert_eq!(requests[1].url.path(), "/health");
    assert_eq!(requests[1].url.query(), None);
    assert_eq!(header_of(&requests[1], "authorization"), None);
    assert_eq!(header_of(&requests[1], "x-partner-id"), None);
}

#[tokio::test]
async fn an_operation_without_matching_credentials_fails_before_sending() {
    let server = ok_server().await;
    let client = contacts::Client::builder()
        .base_url(server.uri())
        .credential(contacts::auth::developer_hapikey("hapi-123"))
        .build()
        .unwrap();
    match client.contacts().merge_contacts("7").send().await {
        Err(Error::Auth(AuthError::NoCredentials { needed })) => assert_eq!(needed, "`developer_hapikey + partner_id`"),
        other => panic!("unexpected {other:?}"),
    }
    match client.contacts().list_contacts().send().await {
        Err(Error::Auth(e)) => assert_eq!(
            e.to_string(),
            "this operation needs credentials for `oauth2` or `private_apps`, and the client has none of them"
        ),
        other => panic!("unexpected {other:?}"),
    }
    client.legacy().send().await.expect("the API key alone is enough here");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn credentials_must_fit_their_scheme() {
    let err =
        contacts::Client::builder().credential(polvo::auth::Credential::basic("oauth2", "u", "p")).build().unwrap_err();
    assert!(matches!(err, BuildError::Auth(AuthError::Mismatch { .. })), "{err}");
    let err = contacts::Client::builder().credential(polvo::auth::Credential::bearer("nope", "t")).build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "the `nope` credential does not fit: the service has no such scheme (its schemes are `oauth2`, `private_apps`, `developer_hapikey` or `partner_id`)"
    );
}

#[test]
fn credentials_from_the_environment_name_what_is_missing() {
    // Each variable name is used by this test only.
    // SAFETY: no other test reads or writes these variables.
    unsafe {
        std::env::remove_var("CONTACTS_ACCESS_TOKEN");
        std::env::remove_var("CONTACTS_API_KEY");
        std::env::remove_var("CONTACTS_DEVELOPER_HAPIKEY_API_KEY");
        std::env::remove_var("CONTACTS_CLIENT_ID");
        std::env::remove_var("CONTACTS_PARTNER_ID");
    }
    let err = contacts::Client::from_env().unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("no credentials in the environment: set "), "{message}");
    assert!(message.contains("CONTACTS_ACCESS_TOKEN (`private_apps`)"), "{message}");
    assert!(message.contains("CONTACTS_CLIENT_ID and CONTACTS_CLIENT_SECRET (`oauth2`)"), "{message}");

    unsafe { std::env::set_var("CONTACTS_ACCESS_TOKEN", "pat-from-env") };
    let client = contacts::Client::from_env().expect("configured from the environment");
    assert!(format!("{client:?}").contains("private_apps"));
    assert!(!format!("{client:?}").contains("pat-from-env"), "no secret in Debug output");
    unsafe { std::env::remove_var("CONTACTS_ACCESS_TOKEN") };

    // An OAuth client id without the secret its client authentication needs.
    unsafe {
        std::env::set_var("CONTACTS_CLIENT_ID", "id-from-env");
        std::env::remove_var("CONTACTS_CLIENT_SECRET");
    }
    let err = contacts::Client::from_env().unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment variable `CONTACTS_CLIENT_SECRET` is not set (needed for the `oauth2` security scheme)"
    );
    unsafe { std::env::remove_var("CONTACTS_CLIENT_ID") };

    // A JWT claim read from an unset variable is named.
    unsafe { std::env::set_var("APPS_APP_PRIVATE_KEY", RSA) };
    let err = apps::Client::builder().from_env().build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment variable `APPS_APP_ID` is not set (needed for the `app_jwt` security scheme)"
    );
    unsafe { std::env::remove_var("APPS_APP_PRIVATE_KEY") };
}

fn verify(
    token: &str,
    algorithm: jsonwebtoken::Algorithm,
    key: jsonwebtoken::DecodingKey,
) -> jsonwebtoken::TokenData<Map<String, Value>> {
    let mut validation = jsonwebtoken::Validation::new(algorithm);
    validation.leeway = 0;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation).expect("the JWT verifies with the public key")
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn github_app_jwts_are_signed_cached_and_sent() {
    let server = ok_server().await;
    let client = apps::Client::builder()
        .base_url(server.uri())
        .credential(apps::auth::app_jwt(RSA_PKCS1).claim("iss", 123456))
        .build()
        .unwrap();
    client.get_app().send().await.expect("first call");
    client.get_app().send().await.expect("second call");
    let requests = server.received_requests().await.unwrap();
    let tokens: Vec<&str> =
        requests.iter().map(|r| header_of(r, "authorization").unwrap().strip_prefix("Bearer ").unwrap()).collect();
    assert_eq!(tokens[0], tokens[1], "a minted JWT is reused until shortly before it expires");
    let data = verify(
        tokens[0],
        jsonwebtoken::Algorithm::RS256,
        jsonwebtoken::DecodingKey::from_rsa_pem(RSA_PUB.as_bytes()).unwrap(),
    );
    let (iat, exp) = (data.claims["iat"].as_i64().unwrap(), data.claims["exp"].as_i64().unwrap());
    assert!((now() - 60 - iat).abs() <= 2, "iat is 60 s in the past");
    assert_eq!(exp - iat, 540, "GitHub wants at most 10 minutes");
    assert_eq!(data.claims["iss"], 123456);
}

#[tokio::test]
async fn app_store_connect_jwts_carry_kid_and_audience() {
    let server = ok_server().await;
    let client = apps::Client::builder()
        .base_url(server.uri())
        .credential(
            apps::auth::store_jwt(EC256).key_id("ABC123DEFG").claim("iss", "57246542-96fe-1a63-e053-0824d011072a"),
        )
        .build()
        .unwrap();
    client.get_reports().send().await.expect("reports");
    let request = &server.received_requests().await.unwrap()[0];
    let token = header_of(request, "authorization").unwrap().strip_prefix("Bearer ").unwrap();
    let data = verify(
        token,
        jsonwebtoken::Algorithm::ES256,
        jsonwebtoken::DecodingKey::from_ec_pem(EC256_PUB.as_bytes()).unwrap(),
    );
    assert_eq!(data.header.kid.as_deref(), Some("ABC123DEFG"));
    assert_eq!(data.claims["aud"], "appstoreconnect-v1");
    let (iat, exp) = (data.claims["iat"].as_i64().unwrap(), data.claims["exp"].as_i64().unwrap());
    assert!((now() - iat).abs() <= 2);
    assert_eq!(exp - iat, 1200, "App Store Connect allows at most 20 minutes");
}

#[tokio::test]
async fn installation_tokens_are_exchanged_per_tenant() {
    let server = MockServer::start().await;
    for (installation, token) in [("42", "ghs_forty_two"), ("7", "ghs_seven")] {
        Mock::given(method("POST"))
            .and(path(format!("/app/installations/{installation}/access_tokens")))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(json!({"token": token, "expires_at": "2099-01-01T00:00:00Z"})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/repos/octo/hello"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"full_name": "octo/hello"})))
        .mount(&server)
        .await;
    let client = apps::Client::builder()
        .base_url(server.uri())
        .credential(
            apps::auth::installation(RSA)
                .claim("iss", 99)
                .exchange_url(format!("{}/app/installations/{{tenant}}/access_tokens", server.uri())),
        )
        .build()
        .unwrap();
    for _ in 0..3 {
        let repo = client.for_tenant("42").get_repo("octo", "hello").send().await.expect("repo");
        assert_eq!(repo.full_name.as_deref(), Some("octo/hello"));
    }
    client.for_tenant("7").get_repo("octo", "hello").send().await.expect("repo for another installation");
    let requests = server.received_requests().await.unwrap();
    let exchange = &requests[0];
    let jwt = header_of(exchange, "authorization").unwrap().strip_prefix("Bearer ").unwrap();
    let data = verify(
        jwt,
        jsonwebtoken::Algorithm::RS256,
        jsonwebtoken::DecodingKey::from_rsa_pem(RSA_PUB.as_bytes()).unwrap(),
    );
    assert_eq!(data.claims["iss"], 99);
    let repo_calls: Vec<Option<&str>> = requests
        .iter()
        .filter(|r| r.url.path() == "/repos/octo/hello")
        .map(|r| header_of(r, "authorization"))
        .collect();
    assert_eq!(
        repo_calls,
        [Some("Bearer ghs_forty_two"); 3].into_iter().chain([Some("Bearer ghs_seven")]).collect::<Vec<_>>()
    );

    // A tenant is one path segment of the exchange URL, however it is spelled.
    let err = client.for_tenant("../../x").get_repo("octo", "hello").send().await.unwrap_err();
    assert!(matches!(err, polvo::Error::Auth(_)), "{err:?}");
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(last.url.path(), "/app/installations/..%2F..%2Fx/access_tokens");
}

#[tokio::test]
async fn service_accounts_exchange_a_jwt_with_the_jwt_bearer_grant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "ya29.exchanged", "expires_in": 3599, "token_type": "Bearer"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/data")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = apps::Client::builder()
        .base_url(server.uri())
        .credential(apps::auth::service_account(RSA).exchange_url(format!("{}/token", server.uri())))
        .build()
        .unwrap();
    client.get_data().send().await.expect("data");
    client.get_data().send().await.expect("data again, with the cached token");
    let requests = server.received_requests().await.unwrap();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&requests[0].body).into_owned().collect();
    assert_eq!(form[0], ("grant_type".to_owned(), "urn:ietf:params:oauth:grant-type:jwt-bearer".to_owned()));
    assert_eq!(form[2], ("scope".to_owned(), "https://www.example.com/auth/data".to_owned()));
    let data = verify(
        &form[1].1,
        jsonwebtoken::Algorithm::RS256,
        jsonwebtoken::DecodingKey::from_rsa_pem(RSA_PUB.as_bytes()).unwrap(),
    );
    assert_eq!(data.claims["iss"], "robot@project.example.com");
    assert_eq!(data.claims["aud"], "https://oauth2.example.com/token");
    assert_eq!(header_of(&requests[1], "authorization"), Some("Bearer ya29.exchanged"));
    assert_eq!(header_of(&requests[2], "authorization"), Some("Bearer ya29.exchanged"));
}

#[tokio::test]
async fn bad_keys_and_insecure_endpoints_fail_when_the_client_is_built() {
    let err = apps::Client::builder()
        .credential(apps::auth::app_jwt("-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----"))
        .build()
        .unwrap_err();
    assert!(err.to_string().starts_with("the `app_jwt` signing key cannot be used"), "{err}");
    let err = apps::Client::builder().credential(apps::auth::store_jwt(RSA)).build().unwrap_err();
    assert!(matches!(err, BuildError::Auth(AuthError::InvalidKey { .. })), "an RSA key cannot sign ES256: {err}");
    let err = apps::Client::builder()
        .credential(apps::auth::service_account(RSA).exchange_url("http://tokens.example.com/token"))
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::Auth(AuthError::InsecureUrl { setting: "exchange_url", .. })), "{err}");
    let err = contacts::Client::builder()
        .credential(contacts::auth::oauth2("id").client_secret("s").token_url("http://auth.example.com/token"))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "refusing to send `oauth2` credentials to `http://auth.example.com/token`: endpoints that receive credentials must use https (plain http only on loopback); give another URL with the credential's `.token_url(..)`"
    );
}

#[tokio::test]
async fn api_keys_in_queries_are_kept_out_of_error_messages() {
    let client = contacts::Client::builder()
        .base_url("http://127.0.0.1:9")
        .credential(contacts::auth::developer_hapikey("hapi-very-secret"))
        .build()
        .unwrap();
    let err = client.legacy().send().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)));
    assert!(!err.to_string().contains("hapi-very-secret"), "{err}");
    assert!(!format!("{err:?}").contains("hapi-very-secret"), "{err:?}");
}

#[tokio::test]
async fn an_alternative_without_a_login_gives_way_to_one_that_works() {
    let server = ok_server().await;
    // An OAuth 2.0 registration with no login yet, and a private app token.
    let client = contacts::Client::builder()
        .base_url(server.uri())
        .credential(contacts::auth::oauth2("id").client_secret("secret"))
        .credential(contacts::auth::private_apps("pat-fallback"))
        .build()
        .unwrap();
    client.contacts().list_contacts().send().await.expect("the private app token is used");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(header_of(&requests[0], "authorization"), Some("Bearer pat-fallback"));
}

#[tokio::test]
async fn an_oauth_client_without_a_secret_must_say_it_is_public() {
    let err = contacts::Client::builder().credential(contacts::auth::oauth2("id")).build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "the `oauth2` scheme is not fully configured: this client authentication needs a client secret"
    );
    contacts::Client::builder()
        .credential(contacts::auth::oauth2("id").client_auth(polvo::auth::ClientAuth::None))
        .build()
        .expect("a public client");
}

polvo::service!("tests/specs/auth/kinds.yaml");

#[tokio::test]
async fn cookies_basic_and_prefixed_jwts_from_a_key_file() {
    let server = ok_server().await;
    let key_file = std::env::temp_dir().join(format!("polvo-ghost-key-{}", std::process::id()));
    std::fs::write(&key_file, b"ghost-admin-secret").unwrap();
    // SAFETY: no other test reads or writes this variable.
    unsafe { std::env::set_var("KINDS_ADMIN_KEY_FILE", &key_file) };
    let client = kinds::Client::builder()
        .base_url(server.uri())
        .from_env()
        .credential(kinds::auth::session("sess-1"))
        .credential(kinds::auth::basic("user", "p@ss:word"))
        .build()
        .unwrap();
    client.with_cookie().send().await.unwrap();
    client.with_basic().send().await.unwrap();
    client.with_ghost().page(2).send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(header_of(&requests[0], "cookie"), Some("session_id=sess-1"));
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode("user:p@ss:word");
    assert_eq!(header_of(&requests[1], "authorization"), Some(format!("Basic {basic}").as_str()));
    let ghost = header_of(&requests[2], "authorization").unwrap().strip_prefix("Ghost ").expect("the Ghost prefix");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.leeway = 0;
    validation.set_audience(&["/admin/"]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(
        ghost,
        &jsonwebtoken::DecodingKey::from_secret(b"ghost-admin-secret"),
        &validation,
    )
    .unwrap();
    assert_eq!(data.header.kid.as_deref(), Some("ghost-key-1"));
    assert_eq!(requests[2].url.query(), Some("page=2"));
    unsafe { std::env::remove_var("KINDS_ADMIN_KEY_FILE") };
    let _ = std::fs::remove_file(&key_file);
}
