//! No key, secret, token or JWT appears in `Debug` or `Display` output, in
//! errors, or in logs: `tracing` events and `log` records (which reqwest
//! writes), captured at TRACE level from every target.

use polvo::auth::{Credential, TokenSet};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/auth/contacts.yaml");
polvo::service!("tests/specs/auth/service.yaml", name = "machines");
polvo::service!("tests/specs/auth/app.yaml");

const SECRETS: &[&str] = &[
    "pat-SECRET-1",
    "hapi-SECRET-2",
    "partner-SECRET-3",
    "client-SECRET-4",
    "access-SECRET-5",
    "refresh-SECRET-6",
    "ghs_SECRET7",
];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `log` records, written to the same buffer as the `tracing` events.
struct LogCapture(Captured);

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}\n", record.level(), record.target(), record.args());
        self.0.0.lock().unwrap().extend_from_slice(line.as_bytes());
    }
    fn flush(&self) {}
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows the secret `{secret}`:\n{text}");
    }
    assert!(!text.contains("BEGIN PRIVATE KEY") && !text.contains("MIIE"), "{what} shows a private key:\n{text}");
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output_errors_and_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    // Spans are written when they close, with every field: the call's span
    // (method, path template, status, attempts, duration) included.
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    log::set_boxed_logger(Box::new(LogCapture(captured.clone()))).expect("the only logger of this test binary");
    log::set_max_level(log::LevelFilter::Trace);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "access-SECRET-5", "refresh_token": "refresh-SECRET-6", "token_type": "Bearer", "expires_in": 1})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/app/installations/1/access_tokens"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"token": "ghs_SECRET7", "expires_at": "2099-01-01T00:00:00Z"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/jobs")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream broke"))
        .mount(&server)
        .await;

    let builder = contacts::Client::builder()
        .base_url(server.uri())
        .credential(contacts::auth::private_apps("pat-SECRET-1"))
        .credential(contacts::auth::developer_hapikey("hapi-SECRET-2"))
        .credential(contacts::auth::partner_id("partner-SECRET-3"))
        .credential(
            contacts::auth::oauth2("id").client_secret("client-SECRET-4").tokens(TokenSet::new("access-SECRET-5")),
        );
    assert_no_secret("the builder", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_no_secret("the client", &format!("{client:?}"));
    client.contacts().list_contacts().send().await.unwrap();
    let merge_error = client.contacts().merge_contacts("1").send().await.unwrap_err();
    assert_no_secret("an error's Display", &merge_error.to_string());
    assert_no_secret("an error's Debug", &format!("{merge_error:?}"));

    let machines = machines::Client::builder()
        .base_url(server.uri())
        .credential(
            machines::auth::service("id").client_secret("client-SECRET-4").token_url(format!("{}/token", server.uri())),
        )
        .build()
        .unwrap();
    let auth_error = machines.list_jobs().send().await.unwrap_err();
    assert_no_secret("a 401 error", &format!("{auth_error} {auth_error:?}"));
    let tokens = machines.auth().token("service").await.unwrap();
    assert_no_secret("a token set", &format!("{tokens:?}"));

    let key = include_str!("fixtures/keys/rsa.pem");
    let credential = apps::auth::installation(key)
        .claim("iss", 1)
        .exchange_url(format!("{}/app/installations/{{tenant}}/access_tokens", server.uri()));
    assert_no_secret("a JWT credential", &format!("{credential:?}"));
    let apps = apps::Client::builder().base_url(server.uri()).credential(credential).build().unwrap();
    apps.for_tenant("1").get_repo("o", "r").send().await.unwrap();
    let as_credential: Credential<contacts::Client> = contacts::auth::private_apps("pat-SECRET-1");
    assert_no_secret("a credential", &format!("{as_credential:?}"));

    // JWTs the client minted: the installation-token exchange's, and the
    // one sent directly by `app_jwt`.
    let direct = apps::Client::builder()
        .base_url(server.uri())
        .credential(apps::auth::app_jwt(key).claim("iss", 1))
        .build()
        .unwrap();
    assert_no_secret("a client with a JWT", &format!("{direct:?}"));
    direct.get_app().send().await.unwrap();
    let jwts: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| {
            r.headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ey").map(|t| format!("ey{t}"))
        })
        .collect();
    assert_eq!(jwts.len(), 2, "one JWT for the exchange, one sent directly");

    let bad_key = apps::Client::builder()
        .credential(apps::auth::app_jwt("-----BEGIN PRIVATE KEY-----\nMIIEsecret\n-----END PRIVATE KEY-----"))
        .build()
        .unwrap_err();
    assert_no_secret("a bad key error", &format!("{bad_key} {bad_key:?}"));

    drop(_guard);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("refreshing") || logs.contains("requesting a token"),
        "the auth layer logs what it does:\n{logs}"
    );
    assert!(
        logs.contains("polvo.call") && logs.contains("attempts=") && logs.contains("status=") && logs.contains("path="),
        "every call has its span:\n{logs}"
    );
    assert_no_secret("the logs", &logs);
    for jwt in &jwts {
        // The signature is the part that must never be seen.
        let signature = jwt.rsplit('.').next().unwrap();
        assert!(!logs.contains(signature), "the logs show a JWT:\n{logs}");
    }
}
