//! How generated types decode and encode: required and optional fields,
//! nulls, unknown and extra properties, enums with unknown values, unions
//! with and without a discriminator, recursion.

use serde_json::json;

polvo::service!("tests/specs/models.yaml");
polvo::service!("tests/specs/models-3.1.yaml", name = "models31");

use models::types::{Catalog, Circle, Expr, IdOrName, Negation, Shape, Square, Status, Thing, ThingKind, Tree};

fn thing_json() -> serde_json::Value {
    json!({
        "id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
        "name": "lamp",
        "created_at": "2026-11-28T10:00:00Z",
        "birthday": "2020-02-29",
        "count": 3,
        "ratio": 0.5,
        "nickname": null,
        "tags": ["a", "b"],
        "labels": {"x": 1},
        "extra": {"anything": [1, "two"]},
        "status": "Etc/GMT-1",
        "kind": "x-large",
        "type": "keyword",
        "self": "me",
        "2fa": true,
        "+1": 10,
        "-1": 2,
        "version": 7,
        "an_unknown_property": {"ignored": true},
        "children": [{"id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e40", "name": "bulb", "created_at": "2026-11-28T10:00:00+01:00", "tags": []}],
        "parent": {"id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e41", "name": "room", "created_at": "2026-11-28T10:00:00Z", "tags": [], "kind": "galactic"}
    })
}

#[test]
fn structs_decode_every_field_kind() {
    let thing: Thing = serde_json::from_value(thing_json()).expect("decodes");
    assert_eq!(thing.id.to_string(), "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f");
    assert_eq!(thing.created_at.to_rfc3339(), "2026-11-28T10:00:00+00:00");
    assert_eq!(thing.birthday.map(|d| d.to_string()).as_deref(), Some("2020-02-29"));
    assert_eq!((thing.count, thing.total, thing.ratio), (Some(3), None, Some(0.5)));
    assert_eq!(thing.nickname, None);
    assert_eq!(thing.tags, ["a", "b"]);
    assert_eq!(thing.labels.as_ref().and_then(|l| l.get("x")), Some(&1));
    assert_eq!(thing.extra, Some(json!({"anything": [1, "two"]})));
    assert_eq!(thing.status, Some(Status::EtcSlashGmtMinus1));
    assert_eq!(thing.kind, Some(ThingKind::XLarge));
    assert_eq!(
        (thing.r#type.as_deref(), thing.self_.as_deref(), thing._2fa),
        (Some("keyword"), Some("me"), Some(true))
    );
    assert_eq!((thing.plus_1, thing.minus_1), (Some(10), Some(2)));
    assert_eq!(thing.version, Some(7));
    assert_eq!(thing.children.as_ref().map(|c| c[0].name.as_str()), Some("bulb"));
    let parent = thing.parent.expect("parent");
    assert_eq!(parent.kind, Some(ThingKind::Unknown("galactic".into())));
}

#[test]
fn missing_required_fields_and_wrong_types_are_errors() {
    let mut value = thing_json();
    value.as_object_mut().unwrap().remove("name");
    let error = serde_json::from_value::<Thing>(value).unwrap_err().to_string();
    assert_eq!(error, "missing field `name`");

    let error = serde_json::from_str::<Thing>("[1, 2]").unwrap_err().to_string();
    assert!(error.contains("expected a Thing object"), "{error}");

    let mut value = thing_json();
    value["count"] = json!("three");
    assert!(serde_json::from_value::<Thing>(value).is_err());
}

#[test]
fn keys_with_escapes_decode_too() {
    let text = thing_json().to_string().replace("\"name\"", "\"n\\u0061me\"");
    let thing: Thing = serde_json::from_str(&text).expect("decodes");
    assert_eq!(thing.name, "lamp");
}

#[test]
fn discriminated_unions_decode_by_tag_and_encode_their_payload() {
    let circle: Shape = serde_json::from_value(json!({"shape_type": "circle", "radius": 2.0})).unwrap();
    assert_eq!(circle, Shape::Circle(Circle { shape_type: "circle".into(), label: None, radius: 2.0 }));
    let square: Shape = serde_json::from_value(json!({"shape_type": "square", "side": 1.0, "label": "s"})).unwrap();
    assert!(matches!(square, Shape::Square(Square { side, .. }) if side == 1.0));
    assert_eq!(serde_json::to_value(&circle).unwrap(), json!({"shape_type": "circle", "radius": 2.0}));

    let error = serde_json::from_value::<Shape>(json!({"shape_type": "hexagon"})).unwrap_err().to_string();
    assert!(error.contains("unknown `shape_type` value `hexagon`"), "{error}");
    let error = serde_json::from_value::<Shape>(json!({"radius": 1})).unwrap_err().to_string();
    assert!(error.contains("missing the string property `shape_type`"), "{error}");
}

#[test]
fn untagged_unions_and_recursion() {
    let catalog: Catalog = serde_json::from_value(json!({
        "priority": 2,
        "id_or_name": "seven",
        "tree": [[], [[]]],
        "expr": {"negate": {"negate": 5}},
        "option": {"value": "v"},
        "empty": {},
        "names": ["a"]
    }))
    .expect("decodes");
    assert_eq!(catalog.priority, Some(2));
    assert_eq!(catalog.id_or_name, Some(IdOrName::String("seven".into())));
    assert_eq!(catalog.tree, Some(Tree(vec![Tree(vec![]), Tree(vec![Tree(vec![])])])));
    let inner = Expr::Negation(Box::new(Negation { negate: Box::new(Expr::Integer(5)) }));
    assert_eq!(catalog.expr, Some(Expr::Negation(Box::new(Negation { negate: Box::new(inner) }))));
    assert_eq!(catalog.option.and_then(|o| o.value).as_deref(), Some("v"));

    let number: IdOrName = serde_json::from_value(json!(7)).unwrap();
    assert_eq!(number, IdOrName::Integer(7));
    let error = serde_json::from_value::<IdOrName>(json!([1])).unwrap_err().to_string();
    assert!(error.contains("an array that fits none of the variants of `IdOrName`"), "{error}");
}

#[test]
fn openapi_3_1_nullable_types_and_consts() {
    let records: Vec<models31::types::Record> = serde_json::from_value(json!([
        {"id": 1, "note": null, "kind": "record", "flags": [true, null], "anything": [1], "owner": null},
        {"id": 2, "note": "hi", "kind": "record", "score": 1.5, "owner": {"name": "o"}}
    ]))
    .expect("decodes");
    assert_eq!(records[0].note, None);
    assert_eq!(records[0].flags, Some(vec![Some(true), None]));
    assert_eq!(records[0].owner, None);
    assert_eq!(records[1].note.as_deref(), Some("hi"));
    assert_eq!(records[1].owner.as_ref().and_then(|o| o.name.as_deref()), Some("o"));
    // Like serde's derive, a required but nullable property that is absent reads as `None`.
    let lenient: models31::types::Record = serde_json::from_value(json!({"id": 1, "kind": "record"})).unwrap();
    assert_eq!(lenient.note, None);
    let error = serde_json::from_value::<models31::types::Record>(json!({"note": "x", "kind": "record"})).unwrap_err();
    assert_eq!(error.to_string(), "missing field `id`");
}

#[test]
fn string_enums_round_trip_and_keep_unknown_values() {
    assert_eq!(serde_json::to_value(Status::Active).unwrap(), json!("active"));
    assert_eq!(serde_json::from_value::<Status>(json!("new-value")).unwrap(), Status::Unknown("new-value".into()));
    assert_eq!("inactive".parse::<Status>().unwrap(), Status::Inactive);
    assert_eq!(Status::Self_.to_string(), "self");
    assert_eq!(ThingKind::from("").as_str(), "");
    assert_eq!(ThingKind::from("2xl"), ThingKind::_2xl);
}
