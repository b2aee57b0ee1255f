//! Credentials stay on the API's origin: how redirects are followed (two
//! local servers on 127.0.0.1 are two origins; a local TLS server with a
//! self-signed certificate for https), and the plain-http rule, which
//! covers credentials set by hand too; credentials replace same-named
//! parameters.

use polvo::{Error, RequestError, StatusCode};
use serde_json::json;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

polvo::service!("tests/specs/transport.yaml");

use transport::types::Item;

/// Every secret a test hands the client; none may reach another origin.
const SECRETS: &[&str] = &["key-SECRET", "query-SECRET", "cookie-SECRET", "bearer-SECRET", "default-SECRET"];

fn item() -> Item {
    Item { id: "9".into(), name: Some("lamp".into()), tags: None }
}

fn item_json() -> serde_json::Value {
    json!({"id": "9", "name": "lamp"})
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// A client of the API at `api` with every kind of credential and a
/// sensitive default header.
fn client(api: &MockServer) -> transport::Client {
    transport::Client::builder()
        .base_url(api.uri())
        .header("X-Default", "default-SECRET")
        .credential(transport::auth::header_key("key-SECRET"))
        .credential(transport::auth::query_key("query-SECRET"))
        .credential(transport::auth::cookie_key("cookie-SECRET"))
        .credential(transport::auth::bearer("bearer-SECRET"))
        .credential(transport::auth::basic("user", "basic-password"))
        .build()
        .expect("client")
}

/// Asserts that nothing `server` received carries a secret, a `Referer`,
/// an `Authorization` or a `Cookie`.
async fn assert_bare(server: &MockServer) {
    for request in server.received_requests().await.unwrap() {
        let text = format!("{} {:?} {}", request.url, request.headers, String::from_utf8_lossy(&request.body));
        for secret in SECRETS {
            assert!(!text.contains(secret), "another origin received `{secret}`: {text}");
        }
        for name in ["referer", "authorization", "cookie", "x-api-key", "x-default", "x-trace"] {
            assert_eq!(header(&request, name), None, "another origin received `{name}`: {text}");
        }
        assert!(request.body.is_empty(), "another origin received a body: {text}");
    }
}

async fn redirect_all(server: &MockServer, status: u16, location: String) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).insert_header("location", location))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_post_redirected_to_another_origin_is_not_followed() {
    let (api, other) = (MockServer::start().await, MockServer::start().await);
    redirect_all(&api, 307, format!("{}/items", other.uri())).await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(201).set_body_json(item_json()))
        .mount(&other)
        .await;

    let error = client(&api).create_item(item()).send().await.expect_err("the 307 comes back");
    match &error {
        Error::Status { status, headers, .. } => {
            assert_eq!(*status, StatusCode::TEMPORARY_REDIRECT);
            assert_eq!(headers["location"], format!("{}/items", other.uri()), "the caller can see where it led");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(other.received_requests().await.unwrap().is_empty(), "the other origin is never contacted");
    let sent = api.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(header(&sent[0], "x-api-key"), Some("key-SECRET"), "the API itself gets the key");
}

#[tokio::test]
async fn a_get_redirected_to_another_origin_is_followed_bare() {
    // A download link signed for another host, as GitHub and S3 give them.
    let (api, cdn) = (MockServer::start().await, MockServer::start().await);
    redirect_all(&api, 302, format!("{}/blobs/9?signature=abc", cdn.uri())).await;
    Mock::given(method("GET"))
        .and(path("/blobs/9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(item_json()))
        .mount(&cdn)
        .await;

    let fetched = client(&api).get_item("9").x_trace("trace-1").session("s-1").send().await.expect("followed");
    assert_eq!(fetched.id, "9");
    let sent = cdn.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].url.query(), Some("signature=abc"));
    assert_bare(&cdn).await;
    let first = &api.received_requests().await.unwrap()[0];
    assert_eq!(header(first, "x-api-key"), Some("key-SECRET"));
    assert_eq!(header(first, "x-default"), Some("default-SECRET"));
    assert_eq!(header(first, "x-trace"), Some("trace-1"));
}

#[tokio::test]
async fn no_credential_of_any_scheme_follows_a_redirect_to_another_origin() {
    let (api, other) = (MockServer::start().await, MockServer::start().await);
    redirect_all(&api, 301, format!("{}/elsewhere", other.uri())).await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).mount(&other).await;
    let client = client(&api);
    client.with_cookie().send().await.expect("cookie API key");
    client.with_bearer().send().await.expect("bearer");
    client.with_basic().send().await.expect("basic");
    client.search().q("lamp").send().await.expect_err("an empty body is not an item");
    let sent = api.received_requests().await.unwrap();
    assert_eq!(header(&sent[0], "cookie"), Some("sid=cookie-SECRET"));
    assert_eq!(header(&sent[1], "authorization"), Some("Bearer bearer-SECRET"));
    assert!(header(&sent[2], "authorization").is_some_and(|v| v.starts_with("Basic ")));
    assert_eq!(sent[3].url.query(), Some("q=lamp&api_key=query-SECRET"));
    assert_eq!(other.received_requests().await.unwrap().len(), 4);
    assert_bare(&other).await;
    for request in &sent {
        assert_eq!(header(request, "referer"), None);
    }
}

#[tokio::test]
async fn a_query_api_key_never_travels_in_a_referer() {
    let (api, other) = (MockServer::start().await, MockServer::start().await);
    Mock::given(path("/search"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/search/v2"))
        .mount(&api)
        .await;
    Mock::given(path("/search/v2"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", format!("{}/found", other.uri())))
        .mount(&api)
        .await;
    Mock::given(path("/found")).respond_with(ResponseTemplate::new(200).set_body_json(item_json())).mount(&other).await;

    client(&api).search().q("lamp").send().await.expect("found");
    let sent = api.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].url.query(), Some("api_key=query-SECRET"), "the same origin gets the key again");
    for request in &sent {
        assert_eq!(header(request, "referer"), None);
    }
    assert_eq!(other.received_requests().await.unwrap().len(), 1);
    assert_bare(&other).await;
}

#[tokio::test]
async fn same_origin_redirects_keep_their_credentials() {
    let api = MockServer::start().await;
    // Jupyter: `/api/contents/` answers 301 to `/api/contents`, repeating the query.
    Mock::given(path("/api/contents/"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/api/contents?api_key=query-SECRET"))
        .mount(&api)
        .await;
    Mock::given(path("/api/contents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(item_json()))
        .mount(&api)
        .await;
    // A 303 after a POST: the answer is fetched with GET, without the body.
    Mock::given(method("POST"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(303).insert_header("location", "/items/9"))
        .mount(&api)
        .await;
    // A 307 after a GET keeps the method (a body it would keep: see the next test).
    Mock::given(method("GET"))
        .and(path("/items/9"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/v2/items/9"))
        .mount(&api)
        .await;
    Mock::given(path("/v2/items/9"))
        .respond_with(ResponseTemplate::new(201).set_body_json(item_json()))
        .mount(&api)
        .await;

    let client = client(&api);
    assert_eq!(client.list_contents().send().await.expect("listed").id, "9");
    assert_eq!(client.create_item(item()).send().await.expect("created").id, "9");
    let sent = api.received_requests().await.unwrap();
    let summary: Vec<(String, String, Option<&str>)> =
        sent.iter().map(|r| (r.method.to_string(), r.url.path().to_owned(), r.url.query())).collect();
    assert_eq!(
        summary,
        [
            ("GET".to_owned(), "/api/contents/".to_owned(), Some("api_key=query-SECRET")),
            ("GET".to_owned(), "/api/contents".to_owned(), Some("api_key=query-SECRET")),
            ("POST".to_owned(), "/items".to_owned(), None),
            ("GET".to_owned(), "/items/9".to_owned(), None),
            ("GET".to_owned(), "/v2/items/9".to_owned(), None),
        ]
    );
    for request in &sent[2..] {
        assert_eq!(header(request, "x-api-key"), Some("key-SECRET"), "{}", request.url);
        assert_eq!(header(request, "x-default"), Some("default-SECRET"), "{}", request.url);
    }
    assert_eq!(header(&sent[2], "content-type"), Some("application/json"));
    assert!(!sent[2].body.is_empty());
    assert!(sent[3].body.is_empty() && header(&sent[3], "content-type").is_none(), "303 drops the body");
    for request in &sent {
        assert_eq!(header(request, "referer"), None, "no `Referer`, which would repeat the query key");
    }
}

#[tokio::test]
async fn a_307_on_the_same_origin_sends_the_body_again() {
    let api = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(308).insert_header("location", "/v2/items"))
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/items"))
        .respond_with(ResponseTemplate::new(201).set_body_json(item_json()))
        .mount(&api)
        .await;
    client(&api).create_item(item()).send().await.expect("created at the new address");
    let sent = api.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body, sent[1].body);
    assert_eq!(header(&sent[1], "x-api-key"), Some("key-SECRET"));
    assert_eq!(header(&sent[1], "referer"), None);
}

#[tokio::test]
async fn redirect_loops_end_with_the_last_redirect() {
    let api = MockServer::start().await;
    redirect_all(&api, 302, "/public".to_owned()).await;
    let client = transport::Client::builder().base_url(api.uri()).build().unwrap();
    let error = client.get_public().send().await.expect_err("a loop");
    assert_eq!(error.status(), Some(StatusCode::FOUND));
    assert_eq!(api.received_requests().await.unwrap().len(), 11, "the request and 10 redirects");
}

#[tokio::test]
async fn an_http_client_of_your_own_cannot_follow_redirects_itself() {
    let (api, other) = (MockServer::start().await, MockServer::start().await);
    redirect_all(&api, 307, format!("{}/items", other.uri())).await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(201)).mount(&other).await;
    let builder = polvo::reqwest::Client::builder().redirect(polvo::reqwest::redirect::Policy::limited(10));
    let client = transport::Client::builder()
        .base_url(api.uri())
        .http_client(builder)
        .header("X-Default", "default-SECRET")
        .credential(transport::auth::header_key("key-SECRET"))
        .build()
        .unwrap();
    let error = client.create_item(item()).send().await.expect_err("the 307 comes back");
    assert_eq!(error.status(), Some(StatusCode::TEMPORARY_REDIRECT));
    assert!(other.received_requests().await.unwrap().is_empty());
    let sent = api.received_requests().await.unwrap();
    assert_eq!(header(&sent[0], "x-default"), Some("default-SECRET"), "`.header()` applies to such a client too");
}

/// A TLS server on 127.0.0.1 with a self-signed certificate that answers
/// every request with a redirect to `location`. Returns its port and the
/// certificate to trust.
async fn tls_redirector(status: &'static str, location: String) -> (u16, polvo::reqwest::Certificate) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let der = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let answer = format!("HTTP/1.1 {status}\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, answer) = (acceptor.clone(), answer.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, polvo::reqwest::Certificate::from_der(&der).unwrap())
}

#[tokio::test]
async fn https_never_redirects_to_plain_http() {
    let plain = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(item_json()))
        .mount(&plain)
        .await;
    let (port, certificate) = tls_redirector("301 Moved Permanently", format!("{}/items/9", plain.uri())).await;
    let client = transport::Client::builder()
        .base_url(format!("https://127.0.0.1:{port}"))
        .http_client(polvo::reqwest::Client::builder().tls_certs_only([certificate]))
        .credential(transport::auth::header_key("key-SECRET"))
        .build()
        .unwrap();
    let error = client.get_item("9").send().await.expect_err("the downgrade is refused");
    match &error {
        Error::Status { status, headers, .. } => {
            assert_eq!(*status, StatusCode::MOVED_PERMANENTLY);
            assert!(headers["location"].to_str().unwrap().starts_with("http://127.0.0.1:"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(plain.received_requests().await.unwrap().is_empty(), "nothing goes over plain http");
}

#[tokio::test]
async fn credentials_are_refused_over_plain_http_off_loopback() {
    // The spec's own server is `http://api.transport.example.com`.
    let client = transport::Client::builder().credential(transport::auth::header_key("key-SECRET")).build().unwrap();
    match client.get_item("9").send().await {
        Err(error @ Error::Request(RequestError::InsecureUrl { .. })) => assert_eq!(
            error.to_string(),
            "the request could not be built: refusing to send credentials to `http://api.transport.example.com` \
             over plain http (allowed only on loopback): use an https base URL, or opt in with \
             `ClientBuilder::allow_insecure_http()`"
        ),
        other => panic!("unexpected {other:?}"),
    }
    let client = transport::Client::builder()
        .base_url("http://example.invalid:8080/v1")
        .credential(transport::auth::query_key("query-SECRET"))
        .build()
        .unwrap();
    match client.search().send().await {
        Err(Error::Request(RequestError::InsecureUrl { origin })) => assert_eq!(origin, "http://example.invalid:8080"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_base_url_with_a_user_name_or_password_is_refused() {
    // reqwest would turn the user name and password into `Authorization:
    // Basic` on every request, over plain http too, and polvo's rules would
    // not see it.
    let server = MockServer::start().await;
    for base_url in [
        "http://user:pw-SECRET@example.invalid:8080/v1".to_owned(),
        format!("http://user:pw-SECRET@127.0.0.1:{}", server.address().port()),
        format!("http://only-a-user@127.0.0.1:{}", server.address().port()),
    ] {
        let error = transport::Client::builder().base_url(&base_url).build().expect_err(&base_url);
        let message = error.to_string();
        assert!(matches!(error, polvo::BuildError::InvalidBaseUrl { .. }), "{error:?}");
        assert!(message.contains(".credential("), "{message}");
        assert!(!message.contains("pw-SECRET"), "{message}");
        assert!(!format!("{error:?}").contains("pw-SECRET"), "{error:?}");
    }
    let error = transport::Client::builder().base_url("http://user:pw-SECRET@[bad/").build().expect_err("no URL");
    assert!(!format!("{error} {error:?}").contains("pw-SECRET"), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A server on 127.0.0.1 that answers every request with an item, and a
/// plain-http base URL off loopback (`api.transport.test`) that reaches it.
async fn off_loopback_server() -> (MockServer, String, impl Fn() -> polvo::reqwest::ClientBuilder) {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(item_json()))
        .mount(&server)
        .await;
    let address = *server.address();
    let base_url = format!("http://api.transport.test:{}", address.port());
    (server, base_url, move || polvo::reqwest::Client::builder().resolve("api.transport.test", address))
}

#[tokio::test]
async fn default_headers_count_as_credentials_over_plain_http() {
    let (server, base_url, resolving) = off_loopback_server().await;
    let client = transport::Client::builder()
        .base_url(&base_url)
        .http_client(resolving())
        .header("X-Default", "default-SECRET")
        .build()
        .unwrap();
    let error = client.get_public().send().await.expect_err("`.header()` values may be secrets");
    assert!(matches!(error, Error::Request(RequestError::InsecureUrl { .. })), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
}

/// A token endpoint at `/oauth/token` of `server` that hands out `token-1`,
/// `token-2`, … and counts its requests.
async fn token_endpoint(server: &MockServer) -> Arc<std::sync::atomic::AtomicUsize> {
    let issued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = issued.clone();
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("token-{n}"), "token_type": "Bearer", "expires_in": 3600
            }))
        })
        .mount(server)
        .await;
    issued
}

fn oauth_client(api: &MockServer) -> transport::Client {
    transport::Client::builder()
        .base_url(api.uri())
        .credential(transport::auth::machine("client-1").client_secret("client-SECRET"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_401_after_a_redirect_renews_the_token_and_resends_only_the_last_hop() {
    let api = MockServer::start().await;
    let issued = token_endpoint(&api).await;
    Mock::given(method("POST"))
        .and(path("/with-oauth"))
        .respond_with(ResponseTemplate::new(303).insert_header("location", "/with-oauth/done"))
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/with-oauth/done"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .mount(&api)
        .await;
    Mock::given(method("GET")).and(path("/with-oauth/done")).respond_with(ResponseTemplate::new(200)).mount(&api).await;

    oauth_client(&api).post_with_oauth(item()).send().await.expect("done after renewing the token");
    assert_eq!(issued.load(std::sync::atomic::Ordering::SeqCst), 2, "the 401 renewed the token");
    let sent: Vec<(String, String, Option<String>)> = api
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() != "/oauth/token")
        .map(|r| (r.method.to_string(), r.url.path().to_owned(), header(r, "authorization").map(str::to_owned)))
        .collect();
    let bearer = |n: u32| Some(format!("Bearer token-{n}"));
    assert_eq!(
        sent,
        [
            ("POST".to_owned(), "/with-oauth".to_owned(), bearer(1)),
            ("GET".to_owned(), "/with-oauth/done".to_owned(), bearer(1)),
            ("GET".to_owned(), "/with-oauth/done".to_owned(), bearer(2)),
        ],
        "the POST is not sent twice"
    );
}

#[tokio::test]
async fn a_401_from_another_origin_renews_nothing() {
    let (api, other) = (MockServer::start().await, MockServer::start().await);
    let issued = token_endpoint(&api).await;
    Mock::given(path("/with-oauth"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", format!("{}/elsewhere", other.uri())))
        .mount(&api)
        .await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(401)).mount(&other).await;

    let error = oauth_client(&api).with_oauth().send().await.expect_err("the other origin's 401");
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(issued.load(std::sync::atomic::Ordering::SeqCst), 1, "another origin cannot expire the API's token");
    assert_eq!(other.received_requests().await.unwrap().len(), 1);
    assert_bare(&other).await;
}

#[tokio::test]
async fn oauth_and_jwt_bearer_tokens_never_follow_a_redirect_to_another_origin() {
    let (api, other) = (MockServer::start().await, MockServer::start().await);
    token_endpoint(&api).await;
    for route in ["/with-oauth", "/with-jwt"] {
        Mock::given(path(route))
            .respond_with(ResponseTemplate::new(302).insert_header("location", format!("{}/elsewhere", other.uri())))
            .mount(&api)
            .await;
    }
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).mount(&other).await;
    let client = transport::Client::builder()
        .base_url(api.uri())
        .credential(transport::auth::machine("client-1").client_secret("client-SECRET"))
        .credential(transport::auth::signed(b"jwt-key-SECRET".to_vec()))
        .build()
        .unwrap();
    client.with_oauth().send().await.expect("followed bare");
    client.with_jwt().send().await.expect("followed bare");
    let sent = api.received_requests().await.unwrap();
    let bearers: Vec<&str> =
        sent.iter().filter(|r| r.url.path() != "/oauth/token").filter_map(|r| header(r, "authorization")).collect();
    assert_eq!(bearers.len(), 2, "the API got both tokens: {bearers:?}");
    assert_eq!(other.received_requests().await.unwrap().len(), 2);
    assert_bare(&other).await;
}

#[tokio::test]
async fn the_timeout_covers_the_whole_redirect_chain() {
    let api = MockServer::start().await;
    // Each hop takes 500 ms; the chain of 11 would take 5.5 s.
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", "/public")
                .set_delay(std::time::Duration::from_millis(500)),
        )
        .mount(&api)
        .await;
    let client = transport::Client::builder()
        .base_url(api.uri())
        .timeout(std::time::Duration::from_millis(1500))
        .build()
        .unwrap();
    match client.get_public().send().await {
        Err(e @ Error::Timeout { attempts: 1 }) => assert!(e.is_timeout()),
        other => panic!("the call must time out as a whole: {other:?}"),
    }
    let hops = api.received_requests().await.unwrap().len();
    assert!(hops < 11, "the chain was cut short, after {hops} requests");
}

#[tokio::test]
async fn a_query_key_in_a_location_to_another_origin_stops_the_redirect() {
    let (api, other) = (MockServer::start().await, MockServer::start().await);
    // `https://example.com/x?hapikey=K` → `https://www.example.com/x?hapikey=K`.
    for (route, location) in [
        ("/search", format!("{}/found?api_key=query-SECRET", other.uri())),
        ("/api/contents/", format!("{}/query-SECRET/found", other.uri())),
    ] {
        Mock::given(path(route))
            .respond_with(ResponseTemplate::new(302).insert_header("location", location))
            .mount(&api)
            .await;
    }
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(item_json()))
        .mount(&other)
        .await;
    let client = client(&api);
    let error = client.search().send().await.expect_err("the 302 comes back");
    assert_eq!(error.status(), Some(StatusCode::FOUND));
    let error = client.list_contents().send().await.expect_err("the 302 comes back");
    assert_eq!(error.status(), Some(StatusCode::FOUND));
    assert!(other.received_requests().await.unwrap().is_empty(), "the key never reaches the other origin");
}

/// A client with an OAuth 2.0 credential whose base URL is plain http off
/// loopback, and the server that would answer both its API and token
/// requests.
async fn off_loopback_oauth_client() -> (MockServer, transport::Client) {
    let (server, base_url, resolving) = off_loopback_server().await;
    let token_url = format!("http://127.0.0.1:{}/oauth/token", server.address().port());
    let client = transport::Client::builder()
        .base_url(&base_url)
        .http_client(resolving())
        .credential(transport::auth::machine("client-1").client_secret("client-SECRET").token_url(token_url))
        .build()
        .unwrap();
    (server, client)
}

/// The call was refused as plain http, and nothing (no token request
/// either) reached the server.
async fn assert_refused_before_anything_is_sent<T: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<T, Error<E>>,
    server: &MockServer,
) {
    let error = result.expect_err("refused");
    assert!(matches!(error, Error::Request(RequestError::InsecureUrl { .. })), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty(), "no token was requested");
}

#[tokio::test]
async fn plain_http_is_refused_before_a_token_is_fetched() {
    let (server, client) = off_loopback_oauth_client().await;
    assert_refused_before_anything_is_sent(client.with_oauth().send().await, &server).await;
}

#[tokio::test]
async fn plain_http_is_refused_before_a_token_is_fetched_for_optional_credentials() {
    let (server, client) = off_loopback_oauth_client().await;
    // The operation answers without credentials too, but this client has some.
    assert_refused_before_anything_is_sent(client.maybe_oauth().send().await, &server).await;
}

#[tokio::test]
async fn a_head_redirected_by_a_303_stays_a_head() {
    let api = MockServer::start().await;
    Mock::given(method("HEAD"))
        .and(path("/public"))
        .respond_with(ResponseTemplate::new(303).insert_header("location", "/public/v2"))
        .mount(&api)
        .await;
    Mock::given(method("HEAD")).and(path("/public/v2")).respond_with(ResponseTemplate::new(200)).mount(&api).await;
    let client = transport::Client::builder().base_url(api.uri()).build().unwrap();
    client.head_public().send().await.expect("followed");
    let sent: Vec<(String, String)> = api
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_owned()))
        .collect();
    assert_eq!(sent, [("HEAD".to_owned(), "/public".to_owned()), ("HEAD".to_owned(), "/public/v2".to_owned())]);
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_not_loopback() {
    let (server, base_url, resolving) = off_loopback_server().await;
    let client = transport::Client::builder()
        .base_url(&base_url)
        .http_client(resolving())
        .credential(transport::auth::header_key("key-SECRET"))
        .build()
        .unwrap();
    let error = client.get_item("9").send().await.expect_err("refused");
    assert!(matches!(error, Error::Request(RequestError::InsecureUrl { .. })), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
    client.get_public().send().await.expect("a request without credentials may use plain http");

    let trusting = transport::Client::builder()
        .base_url(&base_url)
        .http_client(resolving())
        .allow_insecure_http()
        .credential(transport::auth::header_key("key-SECRET"))
        .build()
        .unwrap();
    trusting.get_item("9").send().await.expect("the user opted in");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(header(&sent[1], "x-api-key"), Some("key-SECRET"));
}

#[tokio::test]
async fn loopback_hosts_take_credentials_over_plain_http() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(item_json()))
        .mount(&server)
        .await;
    let port = server.address().port();
    for base_url in [format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")] {
        let client = transport::Client::builder()
            .base_url(base_url)
            .credential(transport::auth::header_key("key-SECRET"))
            .build()
            .unwrap();
        client.get_item("9").send().await.expect("loopback is allowed");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    // `[::1]` is loopback too: nothing listens there, so the call fails to
    // connect rather than being refused.
    let client = transport::Client::builder()
        .base_url("http://[::1]:9")
        .credential(transport::auth::header_key("key-SECRET"))
        .build()
        .unwrap();
    let error = client.get_item("9").send().await.expect_err("nothing listens");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn query_and_cookie_credentials_replace_same_named_parameters() {
    let api = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(item_json()))
        .mount(&api)
        .await;
    let client = client(&api);
    client.search().q("lamp").query("api_key", "by-hand").query("page", 2).send().await.expect("search");
    // The spec documents the cookie key as a parameter too.
    client.with_cookie().sid("by-hand").send().await.expect("spec cookie");
    client.with_cookie().header("Cookie", "sid=by-hand").send().await.expect("hand-set cookie header");
    let sent = api.received_requests().await.unwrap();
    for request in &sent[1..] {
        assert_eq!(request.headers.get_all("cookie").iter().count(), 1, "{request:?}");
        assert_eq!(header(request, "cookie"), Some("sid=cookie-SECRET"));
    }
    let query: Vec<(String, String)> = sent[0].url.query_pairs().into_owned().collect();
    let expected = [("q", "lamp"), ("page", "2"), ("api_key", "query-SECRET")];
    assert_eq!(query, expected.map(|(k, v)| (k.to_owned(), v.to_owned())), "the credential, once");
}

#[tokio::test]
async fn credentials_set_by_hand_are_refused_over_plain_http_off_loopback() {
    let (server, base_url, resolving) = off_loopback_server().await;
    let client = transport::Client::builder().base_url(&base_url).http_client(resolving()).build().unwrap();
    // `getPublic` takes no credentials, and the client has none.
    let refused = [
        client.get_public().header("Authorization", "Bearer by-hand").send().await,
        client.get_public().header("Proxy-Authorization", "Basic by-hand").send().await,
        client.get_public().header("Cookie", "sid=by-hand").send().await,
        // Named like the service's API keys (header names in any case).
        client.get_public().header("x-api-key", "by-hand").send().await,
        client.get_public().query("api_key", "by-hand").send().await,
    ];
    for result in refused {
        let error = result.expect_err("a credential over plain http");
        assert!(matches!(error, Error::Request(RequestError::InsecureUrl { .. })), "{error:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
    client.get_public().header("X-Trace", "t-1").query("page", 2).send().await.expect("no credential there");

    let trusting = transport::Client::builder()
        .base_url(&base_url)
        .http_client(resolving())
        .allow_insecure_http()
        .build()
        .unwrap();
    trusting.get_public().header("Authorization", "Bearer by-hand").send().await.expect("the user opted in");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(header(&sent[1], "authorization"), Some("Bearer by-hand"));
}
