//! Wire-level tests: a generated client against a real HTTP server
//! (wiremock) on 127.0.0.1, checking the exact method, path, query, headers
//! and body sent, and how each kind of response decodes.

use polvo::StatusCode;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

polvo::service!("tests/specs/operations.yaml");
polvo::service!("tests/specs/transport.yaml");

use operations::items::{ListItemsError, UpdateItem};
use operations::types::{
    ListItemsFilter, ListItemsSort, ListItemsWhere, NewItem, UpdateItemBody, UpdateItemBodyPricesItem,
};

async fn server() -> (MockServer, operations::Client) {
    let server = MockServer::start().await;
    let client = operations::Client::builder().base_url(format!("{}/api", server.uri())).build().expect("client");
    (server, client)
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    requests.remove(0)
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn query_header_and_cookie_parameters_in_every_style() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .and(path("/api/items"))
        .respond_with(ResponseTemplate::new(200).insert_header("X-Total", "2").set_body_json(
            json!({"items": [{"id": "1", "name": "a"}, {"id": "2", "name": "b", "price": 2.5}], "next": null}),
        ))
        .mount(&server)
        .await;

    let response = client
        .items()
        .list_items("req-42")
        .limit(10)
        .tag(vec!["red".to_owned(), "blue".to_owned()])
        .ids(vec![1, 2, 3])
        .words(vec!["big".to_owned(), "cat".to_owned()])
        .flags(vec!["x".to_owned(), "y".to_owned()])
        .filter(ListItemsFilter { color: Some("red".into()), size: Some(3) })
        .sort(ListItemsSort::MinusName)
        .session("s3cr3t")
        .next_token("t1")
        .next_token_2("t2")
        .r#where(ListItemsWhere { price_lt: Some(9.5) })
        .send_response()
        .await
        .expect("list succeeds");

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-total"], "2");
    assert_eq!(response.items.len(), 2);
    assert_eq!(response.items[1].price, Some(2.5));
    assert_eq!(response.next, None);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/api/items");
    assert_eq!(
        request.url.query(),
        Some(
            "limit=10&tag=red&tag=blue&ids=1%2C2%2C3&words=big+cat&flags=x%7Cy\
             &filter%5Bcolor%5D=red&filter%5Bsize%5D=3&sort=-name&nextToken=t1&next_token=t2\
             &where=%7B%22price_lt%22%3A9.5%7D"
        )
    );
    assert_eq!(header(&request, "x-request-id"), Some("req-42"));
    assert_eq!(header(&request, "cookie"), Some("session=s3cr3t"));
    assert_eq!(request.body.len(), 0);
}

#[tokio::test]
async fn unset_optional_parameters_send_nothing() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .and(path("/api/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .mount(&server)
        .await;
    client.items().list_items("r").send().await.expect("list succeeds");
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), None);
    assert_eq!(header(&request, "cookie"), None);
}

#[tokio::test]
async fn documented_errors_decode_into_the_operation_error_enum() {
    let (server, client) = server().await;
    let cases = [
        (400, ResponseTemplate::new(400).set_body_json(json!({"title": "bad", "detail": "no"}))),
        (422, ResponseTemplate::new(422).set_body_json(json!({"errors": ["name is required"]}))),
        (503, ResponseTemplate::new(503).set_body_string("try later")),
    ];
    for (status, template) in cases {
        server.reset().await;
        Mock::given(path("/api/items")).respond_with(template).mount(&server).await;
        let error = client.items().list_items("r").send().await.expect_err("an error status");
        assert_eq!(error.status(), Some(StatusCode::from_u16(status).unwrap()));
        match (status, error) {
            (400, polvo::Error::Api { body: ListItemsError::BadRequest(p), .. }) => {
                assert_eq!((p.title.as_str(), p.detail.as_deref()), ("bad", Some("no")))
            }
            (422, polvo::Error::Api { body: ListItemsError::UnprocessableContent(v), .. }) => {
                assert_eq!(v.errors, ["name is required"])
            }
            (503, polvo::Error::Api { body: ListItemsError::ServerError(t), .. }) => assert_eq!(t, "try later"),
            (status, other) => panic!("{status}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn undocumented_statuses_and_bad_bodies_keep_the_raw_response() {
    let (server, client) = server().await;
    Mock::given(path("/api/items"))
        .respond_with(ResponseTemplate::new(418).insert_header("x-why", "teapot").set_body_string("short and stout"))
        .mount(&server)
        .await;
    match client.items().list_items("r").send().await {
        Err(polvo::Error::Status { status, headers, body, .. }) => {
            assert_eq!(status.as_u16(), 418);
            assert_eq!(headers["x-why"], "teapot");
            assert_eq!(&body[..], b"short and stout");
        }
        other => panic!("unexpected {other:?}"),
    }

    server.reset().await;
    Mock::given(path("/api/items"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"items\": [{\"id\": 1}]"))
        .mount(&server)
        .await;
    match client.items().list_items("r").send().await {
        Err(error @ polvo::Error::Decode { .. }) => {
            assert_eq!(error.raw_body().map(|b| &b[..]), Some(&b"{\"items\": [{\"id\": 1}]"[..]));
            assert!(error.to_string().starts_with("could not decode the 200 OK response"), "{error}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn json_bodies_and_several_success_statuses() {
    let (server, client) = server().await;
    Mock::given(method("POST"))
        .and(path("/api/items"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "9", "name": "lamp"})))
        .mount(&server)
        .await;
    let created =
        client.items().create_item(NewItem { name: "lamp".into(), price: Some(12.0) }).send().await.expect("created");
    assert_eq!(created.map(|i| i.id), Some("9".to_owned()));
    let request = only_request(&server).await;
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
        json!({"name": "lamp", "price": 12.0})
    );

    server.reset().await;
    Mock::given(method("POST")).and(path("/api/items")).respond_with(ResponseTemplate::new(202)).mount(&server).await;
    assert_eq!(
        client.items().create_item(NewItem { name: "x".into(), price: None }).send().await.expect("accepted"),
        None
    );

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/api/items"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"title": "down"})))
        .mount(&server)
        .await;
    match client.items().create_item(NewItem { name: "x".into(), price: None }).send().await {
        Err(polvo::Error::Api { status, body, .. }) => {
            assert_eq!(status.as_u16(), 500);
            assert_eq!(body.title, "down");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn optional_bodies_are_sent_only_when_set() {
    let (server, client) = server().await;
    Mock::given(method("PUT"))
        .and(path("/api/items/a%20b%2Fc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "a b/c", "name": "n"})))
        .mount(&server)
        .await;
    client.items().replace_item("a b/c").send().await.expect("replaced");
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/api/items/a%20b%2Fc");
    assert!(request.body.is_empty());
    assert_eq!(header(&request, "content-type"), None);

    server.reset().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1", "name": "n"})))
        .mount(&server)
        .await;
    client.items().replace_item("1").body(NewItem { name: "n".into(), price: None }).send().await.expect("replaced");
    assert_eq!(&only_request(&server).await.body[..], br#"{"name":"n"}"#);
}

#[tokio::test]
async fn form_bodies_nest_deep_objects_like_stripe() {
    let (server, client) = server().await;
    Mock::given(method("PATCH"))
        .and(path("/api/items/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "7", "name": "n"})))
        .mount(&server)
        .await;
    let body = UpdateItemBody {
        name: Some("new name".into()),
        metadata: Some([("order".to_owned(), "6735".to_owned())].into_iter().collect()),
        expand: Some(vec!["owner".into(), "tags".into()]),
        prices: Some(vec![UpdateItemBodyPricesItem { currency: Some("usd".into()), amount: Some(500) }]),
    };
    let request: UpdateItem = client.items().update_item("7", body);
    request.send().await.expect("updated");
    let request = only_request(&server).await;
    assert_eq!(header(&request, "content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        "name=new+name&metadata%5Border%5D=6735&expand%5B0%5D=owner&expand%5B1%5D=tags\
         &prices%5B0%5D%5Bcurrency%5D=usd&prices%5B0%5D%5Bamount%5D=500"
    );
}

#[tokio::test]
async fn raw_bytes_text_and_multipart_bodies() {
    let (server, client) = server().await;
    Mock::given(method("PUT"))
        .and(path("/api/items/7/photo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"size": 4})))
        .mount(&server)
        .await;
    let stored = client.media().upload_photo("7", vec![0x89, b'P', b'N', b'G']).send().await.expect("stored");
    assert_eq!(stored.size, Some(4));
    let request = only_request(&server).await;
    assert_eq!(header(&request, "content-type"), Some("application/octet-stream"));
    assert_eq!(&request.body[..], &[0x89, b'P', b'N', b'G']);

    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/api/items/7/photo"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("content-type", "image/png").set_body_bytes(vec![1, 2, 3]),
        )
        .mount(&server)
        .await;
    let photo: polvo::Bytes = client.media().download_photo("7").send().await.expect("photo");
    assert_eq!(&photo[..], &[1, 2, 3]);

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/api/notes"))
        .respond_with(ResponseTemplate::new(200).set_body_string("noted: hi"))
        .mount(&server)
        .await;
    assert_eq!(client.add_note("hi").send().await.expect("note"), "noted: hi");
    let request = only_request(&server).await;
    assert_eq!(header(&request, "content-type"), Some("text/plain"));
    assert_eq!(&request.body[..], b"hi");

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/api/attachments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "att_1"})))
        .mount(&server)
        .await;
    let body = operations::types::AddAttachmentBody {
        file: polvo::Binary::from(b"file bytes".to_vec()).with_file_name("notes.txt").with_content_type("text/plain"),
        title: Some("Notes".into()),
        tags: Some(vec!["a".into(), "b".into()]),
        meta: Some(operations::types::AddAttachmentBodyMeta { source: Some("scanner".into()) }),
    };
    let created = client.media().add_attachment(body).send().await.expect("attached");
    assert_eq!(created.id.as_deref(), Some("att_1"));
    let request = only_request(&server).await;
    let content_type = header(&request, "content-type").expect("content type");
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("multipart");
    let text = String::from_utf8_lossy(&request.body);
    let parts: Vec<&str> = text.split(&format!("--{boundary}")).filter(|p| p.contains("Content-Disposition")).collect();
    assert_eq!(parts.len(), 5, "{text}");
    assert!(
        parts[0].contains("name=\"file\"; filename=\"notes.txt\"") && parts[0].contains("Content-Type: text/plain")
    );
    assert!(parts[0].contains("\r\n\r\nfile bytes\r\n"));
    assert!(parts[1].contains("name=\"title\"") && parts[1].contains("\r\n\r\nNotes\r\n"));
    assert!(parts[2].contains("name=\"tags\"") && parts[2].contains("\r\n\r\na\r\n"));
    assert!(parts[3].contains("name=\"tags\"") && parts[3].contains("\r\n\r\nb\r\n"));
    assert!(
        parts[4].contains("name=\"meta\"")
            && parts[4].contains("application/json")
            && parts[4].contains(r#"{"source":"scanner"}"#)
    );
}

#[tokio::test]
async fn every_http_method() {
    let (server, client) = server().await;
    Mock::given(method("TRACE"))
        .and(path("/api/items/1"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"TRACE /api/items/1".to_vec()))
        .mount(&server)
        .await;
    Mock::given(path("/api/items/1")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    client.items().delete_item("1").send().await.expect("delete");
    client.items().item_exists("1").send().await.expect("head");
    client.items().item_options("1").send().await.expect("options");
    let echoed = client.items().trace_item("1").send().await.expect("trace");
    assert_eq!(&echoed[..], b"TRACE /api/items/1");
    let methods: Vec<String> = server.received_requests().await.unwrap().iter().map(|r| r.method.to_string()).collect();
    assert_eq!(methods, ["DELETE", "HEAD", "OPTIONS", "TRACE"]);

    server.reset().await;
    Mock::given(path("/api/items/1")).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    assert_eq!(client.items().item_exists("1").send().await.unwrap_err().status(), Some(StatusCode::NOT_FOUND));
}

#[tokio::test]
async fn operations_without_an_id_or_tag_sit_on_the_client() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .and(path("/api/health"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    assert_eq!(client.get_health().send().await.expect("health").ok, Some(true));
}

#[tokio::test]
async fn transport_failures_and_bad_base_urls_are_errors() {
    let client = operations::Client::builder().base_url("http://127.0.0.1:9").build().expect("client");
    let error = client.get_health().send().await.expect_err("nothing listens on port 9");
    assert!(matches!(error, polvo::Error::Transport(_)), "{error:?}");
    assert!(operations::Client::builder().base_url("ftp://x").build().is_err());
    assert!(operations::Client::builder().base_url("not a url").build().is_err());
    assert_eq!(operations::Client::new().expect("default").base_url(), "https://ops.example.com/api");
}

#[tokio::test]
async fn a_form_body_with_nothing_set_sends_an_empty_body() {
    // Unset optional fields are left out, so a body with none set is empty
    // (the nested encoding of set fields is in `form_bodies_nest_deep_objects_like_stripe`).
    let (server, client) = server().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "7", "name": "n"})))
        .mount(&server)
        .await;
    let body = UpdateItemBody { name: None, metadata: None, expand: None, prices: None };
    client.items().update_item("7", body).send().await.expect("updated");
    assert_eq!(only_request(&server).await.body.len(), 0);
}

#[tokio::test]
async fn path_parameters_that_would_change_the_path_are_refused() {
    let (server, client) = server().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "..a", "name": "n"})))
        .mount(&server)
        .await;
    for (value, shown) in [("", "empty"), (".", "`.`"), ("..", "`..`")] {
        match client.items().replace_item(value).send().await {
            Err(polvo::Error::Request(error @ polvo::RequestError::PathParameter { .. })) => assert_eq!(
                error.to_string(),
                format!("path parameter `itemId` is {shown}: the request would go to another path")
            ),
            other => panic!("{value:?}: unexpected {other:?}"),
        }
        // The photo's path goes on after the parameter.
        let error = client.media().download_photo(value).send().await.expect_err("refused");
        assert!(matches!(error, polvo::Error::Request(polvo::RequestError::PathParameter { .. })), "{error:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
    client.items().replace_item("..a").send().await.expect("dots inside a value are fine");
    assert_eq!(only_request(&server).await.url.path(), "/api/items/..a");
}

#[tokio::test]
async fn a_parameter_inside_a_segment_with_text_may_be_empty() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = transport::Client::builder().base_url(server.uri()).build().unwrap();
    // `/files/{name}.json`: the segment keeps its text whatever the value.
    for name in ["", ".", ".."] {
        client.get_file(name).send().await.unwrap_or_else(|e| panic!("{name:?}: {e:?}"));
    }
    let paths: Vec<String> =
        server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(paths, ["/files/.json", "/files/..json", "/files/...json"]);
    // `/versions/{major}.{minor}`: the segment has only a dot besides its
    // parameters (two empty values would make it `.`), so empty, `.` and
    // `..` stay refused.
    for (major, minor) in [("", ""), ("", "1"), (".", "1")] {
        let error = client.get_version(major, minor).send().await.expect_err("refused");
        assert!(matches!(error, polvo::Error::Request(polvo::RequestError::PathParameter { .. })), "{error:?}");
    }
    client.get_version("1", "2").send().await.expect("a version");
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}
