//! Request bodies with required properties get `Type::new(required…)` and a
//! setter per optional property, so no struct literal (or
//! `..Default::default()`) is needed to send one.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/operations.yaml");

use operations::types::{AddAttachmentBody, NewItem};

#[tokio::test]
async fn a_body_built_with_new_and_setters_is_sent_as_written() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/items"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "7", "name": "lamp", "price": 12.5})))
        .mount(&server)
        .await;
    let client = operations::Client::builder().base_url(format!("{}/api", server.uri())).build().expect("client");

    client.items().create_item(NewItem::new("lamp").price(12.5)).send().await.expect("created");
    client.items().create_item(NewItem::new(String::from("bare"))).send().await.expect("created");

    let requests = server.received_requests().await.expect("recording is on");
    let bodies: Vec<serde_json::Value> = requests.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
    assert_eq!(bodies, [json!({"name": "lamp", "price": 12.5}), json!({"name": "bare"})], "unset options are left out");
}

#[test]
fn new_takes_the_required_properties_and_leaves_the_rest_unset() {
    let item = NewItem::new("lamp");
    assert_eq!((item.name.as_str(), item.price), ("lamp", None));
    let file = polvo::Binary::new(b"pdf".to_vec()).with_file_name("a.pdf");
    let body = AddAttachmentBody::new(file.clone()).title("Invoice").tags(vec!["paid".to_owned()]);
    assert_eq!(body.file, file);
    assert_eq!(body.title.as_deref(), Some("Invoice"));
    assert_eq!(body.tags, Some(vec!["paid".to_owned()]));
    assert_eq!(body.meta, None);
}

/// A property named after a method users call on the struct (`clone`) gets
/// no setter: an inherent `clone(value)` would shadow `Clone::clone`.
#[test]
fn no_setter_shadows_a_trait_method() {
    let dir = std::env::temp_dir().join(format!("polvo-constructors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let spec = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /repos:\n    post:\n      operationId: createRepo\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              type: object\n              required: [name]\n              properties:\n                name: {type: string}\n                clone: {type: boolean}\n                private: {type: boolean}\n      responses:\n        '201': {description: created}\n";
    std::fs::write(dir.join("t.yaml"), spec).expect("write spec");
    let output = polvo_codegen::Generator::new("t").spec(dir.join("t.yaml"), "t.yaml").generate().expect("generates");
    let _ = std::fs::remove_dir_all(&dir);
    let source = output.tokens.to_string();
    assert!(source.contains("pub fn new (name : impl :: std :: convert :: Into < String >)"), "{source}");
    assert!(source.contains("pub fn private (mut self"), "{source}");
    assert!(!source.contains("pub fn clone ("), "{source}");
}
