#![deny(warnings)]

polvo::service!("tests/specs/models.yaml");

use models::types::{Circle, Shape, Status, Thing, ThingKind};

fn main() {
    let shape = Shape::Circle(Circle { shape_type: "circle".into(), label: None, radius: 1.5 });
    let json = polvo::serde_json::to_value(&shape).unwrap();
    assert_eq!(json["radius"], 1.5);

    let status: Status = "Etc/GMT+1".into();
    assert_eq!(status, Status::EtcSlashGmtPlus1);
    assert_eq!(Status::from("brand-new").as_str(), "brand-new");
    assert_eq!(ThingKind::XLarge.to_string(), "x-large");

    let thing: Option<Thing> = None;
    let _ = thing.map(|t| (t.id, t.created_at, t.r#type, t.self_, t.plus_1, t.minus_1, t.parent));
}
