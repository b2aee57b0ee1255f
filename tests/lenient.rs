//! Lenient decoding, opt-in: a spec that marks properties `required` which
//! the server leaves out or sends as `null`. With `decode: lenient` in its
//! section they decode as `None`; strict (the default, or `decode =
//! "strict"` on the macro, which wins over the section) fails with a decode
//! error.

use axum::Json;
use serde_json::json;

polvo::service!("tests/specs/lenient.yaml");
polvo::service!("tests/specs/lenient.yaml", name = "strict", decode = "strict");

/// The server: `owner` is null and `size` missing, though both are required.
async fn server() -> String {
    let app = axum::Router::new().route(
        "/files/{id}",
        axum::routing::get(|| async { Json(json!({"id": "f1", "name": "a.txt", "owner": null, "tags": ["x"]})) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base_url
}

#[tokio::test]
async fn lenient_decoding_turns_missing_and_null_required_fields_into_none() {
    let client = lenient::Client::builder().base_url(server().await).build().expect("client");
    let file = client.get_file("f1").send().await.expect("the reply decodes");
    assert_eq!(file.id.as_deref(), Some("f1"));
    assert_eq!(file.name.as_deref(), Some("a.txt"));
    assert_eq!(file.owner, None, "null");
    assert_eq!(file.size, None, "missing");
    assert_eq!(file.tags, Some(vec!["x".to_owned()]));
}

#[tokio::test]
async fn strict_decoding_fails_on_the_same_reply() {
    let client = strict::Client::builder().base_url(server().await).build().expect("client");
    match client.get_file("f1").send().await {
        Err(polvo::Error::Decode { source, .. }) => {
            let message = source.to_string();
            assert!(message.contains("invalid type: null"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    // Strict types keep required fields plain.
    let file = strict::types::File { id: "f1".into(), name: "a".into(), owner: "o".into(), size: 1, tags: vec![] };
    assert_eq!(file.size, 1);
}

/// Without `decode` anywhere, decoding is strict; `Generator::decoding` is
/// the macro's option for build scripts.
#[test]
fn strict_is_the_default_without_the_section() {
    let dir = std::env::temp_dir().join(format!("polvo-lenient-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/specs/lenient.yaml"))
        .expect("read spec")
        .replace("x-polvo:\n  decode: lenient\n", "");
    std::fs::write(dir.join("plain.yaml"), spec).expect("write spec");
    let generate = |generator: polvo_codegen::Generator| generator.generate().expect("generates").tokens.to_string();
    let plain = generate(polvo_codegen::Generator::new("plain").spec(dir.join("plain.yaml"), "plain.yaml"));
    let lenient = generate(
        polvo_codegen::Generator::new("plain")
            .spec(dir.join("plain.yaml"), "plain.yaml")
            .decoding(polvo_codegen::Decoding::Lenient),
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(plain.contains("pub size : i64"), "{plain}");
    assert!(lenient.contains("pub size : Option < i64 >"), "{lenient}");
}
