//! `serde = "both"` (and `serde: both` in the `x-polvo` section): every
//! generated type gets `Serialize` and `Deserialize`, whichever way it
//! travels, and both directions agree on the JSON, so a response can be
//! stored or forwarded and a stored request read back and sent.

use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/serde-both.yaml", name = "orders", serde = "both");
polvo::service!("tests/specs/models.yaml", name = "models_both", serde = "both");
polvo::service!("tests/specs/serde-section.yaml", name = "pings");
polvo::service!("tests/specs/operations.yaml", name = "operations_both", serde = "both");

use orders::types::{Channel, NewOrder, Order, OrderTotal, Payment, Status};

/// An order as the server sends it: an unknown status, an extra property,
/// an untagged union, a null, free-form objects; optional fields absent.
fn order_json() -> serde_json::Value {
    json!({
        "id": "o1",
        "status": "returned",
        "placed_at": "2026-11-28T10:00:00Z",
        "total": "12.50",
        "lines": [{"sku": "lamp", "count": 2}, {"sku": "bulb"}],
        "metadata": {"source": {"app": "ios"}},
        "settings": {"wrap": true},
        "courier": null,
        "warehouse": "w2"
    })
}

/// An order as a user stored it: an unknown channel, an extra property, a
/// null that is required, a tagged union; `gift` left out.
fn new_order_json() -> serde_json::Value {
    json!({
        "item": "lamp",
        "quantity": 2,
        "note": null,
        "channel": "fax",
        "payment": {"method": "voucher", "code": "V-1"},
        "ref": "r-9"
    })
}

#[tokio::test]
async fn a_received_type_serializes_to_the_json_it_came_from() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/orders/o1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(order_json()))
        .mount(&server)
        .await;
    let client = orders::Client::builder().base_url(server.uri()).build().unwrap();
    let order: Order = client.get_order("o1").send().await.unwrap();
    assert_eq!(order.status, Status::Unknown("returned".into()));
    assert_eq!(order.total, Some(OrderTotal::String("12.50".into())));
    assert_eq!(order.additional_properties.get("warehouse").map(String::as_str), Some("w2"));

    let forwarded = serde_json::to_value(&order).unwrap();
    // `courier: null` is an unset optional field, so it is left out.
    let mut expected = order_json();
    expected.as_object_mut().unwrap().remove("courier");
    assert_eq!(forwarded, expected);
    assert_eq!(serde_json::from_value::<Order>(forwarded).unwrap(), order);
}

#[tokio::test]
async fn a_sent_type_read_back_from_json_is_sent_unchanged() {
    let stored = new_order_json();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/orders"))
        .and(body_json(&stored))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let order: NewOrder = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(order.note, None);
    assert_eq!(order.gift, None);
    assert_eq!(order.channel, Some(Channel::Unknown("fax".into())));
    assert!(matches!(&order.payment, Some(Payment::Voucher(v)) if v.code == "V-1"));
    assert_eq!(order.additional_properties.get("ref").map(String::as_str), Some("r-9"));
    assert_eq!(serde_json::to_value(&order).unwrap(), stored);

    let client = orders::Client::builder().base_url(server.uri()).build().unwrap();
    client.create_order(order).send().await.expect("the body matched the stored JSON");
}

#[test]
fn a_missing_required_field_is_still_an_error_when_reading_a_sent_type() {
    let error = serde_json::from_value::<NewOrder>(json!({"item": "lamp", "note": null})).unwrap_err();
    assert!(error.to_string().contains("quantity"), "{error}");
}

#[test]
fn every_kind_of_model_round_trips() {
    use models_both::types::{Catalog, Thing};
    let thing = json!({
        "id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
        "name": "lamp",
        "created_at": "2026-11-28T10:00:00Z",
        "birthday": "2020-02-29",
        "count": 3,
        "nickname": null,
        "tags": ["a"],
        "labels": {"x": 1},
        "extra": [1, "two"],
        "status": "Etc/GMT-1",
        "kind": "galactic",
        "2fa": true,
        "children": [{"id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e40", "name": "bulb", "created_at": "2026-11-28T09:00:00Z", "tags": []}]
    });
    let decoded: Thing = serde_json::from_value(thing).unwrap();
    let encoded = serde_json::to_value(&decoded).unwrap();
    assert_eq!(encoded["kind"], "galactic", "an unknown enum value is written back as read");
    assert_eq!(serde_json::from_value::<Thing>(encoded).unwrap(), decoded);

    let catalog_json = || {
        json!({
            "priority": 2,
            "id_or_name": "lamp",
            "tree": [[], [[]]],
            "expr": {"negate": {"negate": 3}},
            "option": {"value": "v"},
            "empty": {},
            "names": ["a", "b"]
        })
    };
    let decoded: Catalog = serde_json::from_value(catalog_json()).unwrap();
    let encoded = serde_json::to_value(&decoded).unwrap();
    assert_eq!(encoded, catalog_json());
    assert_eq!(serde_json::from_value::<Catalog>(encoded).unwrap(), decoded);
}

#[tokio::test]
async fn the_section_can_ask_for_both_impls() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ping"))
        .and(body_json(json!({"message": "hi"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"message": "hello"})))
        .mount(&server)
        .await;
    let client = pings::Client::builder().base_url(server.uri()).build().unwrap();
    let ping: pings::types::Ping = serde_json::from_value(json!({"message": "hi"})).unwrap();
    let pong = client.ping(ping).send().await.unwrap();
    assert_eq!(serde_json::to_value(&pong).unwrap(), json!({"message": "hello"}));
}

/// A multipart body's binary part is a string in JSON, as
/// `format: binary` on a JSON property is; its file name and content type
/// are not part of the JSON.
#[test]
fn a_multipart_body_round_trips_with_its_binary_part_as_text() {
    use operations_both::types::AddAttachmentBody;
    let stored = json!({"file": "hello", "title": "greeting", "meta": {}});
    let body: AddAttachmentBody = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(body.file.bytes().as_ref(), b"hello");
    assert_eq!(serde_json::to_value(&body).unwrap(), stored);
}
