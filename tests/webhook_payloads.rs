//! Typed webhook payloads: the webhooks the `x-polvo` section selects get a
//! type each in the generated `webhooks` module, and their bodies decode
//! into it, or fail saying which webhook and which field.

use polvo::webhooks::{PayloadError, decode};

polvo::service!("tests/specs/webhooks/bookings.yaml", name = "bookings");

use bookings::types::BookingCancelledCancelledBy;
use bookings::webhooks::{self, Event};

const NEW_BOOKING: &[u8] = br#"{
    "id": "1725ff48-ab45-4bb5-9d02-88745177dedb",
    "trip_id": "efdbb9d1-02c2-4bc3-afb7-6788d8782b1e",
    "passengers": [{"name": "John Doe", "has_bicycle": true}, {"name": "Ada"}]
}"#;

const BOOKING_CANCELLED: &[u8] = br#"{
    "booking_id": "1725ff48-ab45-4bb5-9d02-88745177dedb",
    "cancelled_by": "operator",
    "refund": {"amount": 4200, "currency": "EUR"}
}"#;

#[test]
fn a_ref_body_decodes_into_its_component() {
    let booking: webhooks::NewBooking = decode(NEW_BOOKING).expect("decodes");
    assert_eq!(booking.id.to_string(), "1725ff48-ab45-4bb5-9d02-88745177dedb");
    assert_eq!(booking.passengers.len(), 2);
    assert_eq!(booking.passengers[0].has_bicycle, Some(true));
    assert_eq!(booking.passengers[1].name, "Ada");
}

#[test]
fn an_inline_body_decodes_into_its_own_type() {
    let cancelled: webhooks::BookingCancelled = decode(BOOKING_CANCELLED).expect("decodes");
    assert_eq!(cancelled.cancelled_by, BookingCancelledCancelledBy::Operator);
    let refund = cancelled.refund.expect("a refund");
    assert_eq!((refund.amount, refund.currency.as_str()), (4200, "EUR"));
}

#[test]
fn the_event_enum_decodes_by_the_webhooks_name() {
    let event = Event::from_name("bookingCancelled", BOOKING_CANCELLED).expect("decodes");
    assert_eq!(event.name(), "bookingCancelled");
    assert!(matches!(&event, Event::BookingCancelled(c) if c.refund.is_some()), "{event:?}");
    let event = Event::from_name("newBooking", NEW_BOOKING).expect("decodes");
    assert!(matches!(&event, Event::NewBooking(b) if b.passengers.len() == 2), "{event:?}");
    assert_eq!(Event::NAMES, ["newBooking", "bookingCancelled"]);
}

#[test]
fn a_malformed_body_names_the_webhook_and_the_field() {
    let body = br#"{"id": "1725ff48-ab45-4bb5-9d02-88745177dedb", "trip_id": "t", "passengers": [{"name": 7}]}"#;
    let error = Event::from_name("newBooking", body).unwrap_err();
    assert_eq!(error.path(), Some("passengers[0].name"));
    let text = error.to_string();
    assert!(
        text.starts_with("the body of the `newBooking` webhook does not decode at `passengers[0].name`: invalid type"),
        "{text}"
    );

    let error = decode::<webhooks::BookingCancelled>(br#"{"booking_id": "not a uuid", "cancelled_by": "passenger"}"#)
        .unwrap_err();
    assert_eq!(error.path(), Some("booking_id"), "{error}");

    let error = decode::<webhooks::NewBooking>(br#"{"id": "1725ff48-ab45-4bb5-9d02-88745177dedb"}"#).unwrap_err();
    assert!(error.to_string().contains("missing field `trip_id`"), "{error}");

    let error = decode::<webhooks::NewBooking>(b"id=1&trip_id=2").unwrap_err();
    assert!(matches!(error, PayloadError::Decode { .. }), "{error:?}");
}

/// `refundIssued` is in the spec but not selected: the client has no type
/// for it, and decoding it by name says which names it knows.
#[test]
fn an_unselected_or_unknown_webhook_is_refused_by_name() {
    let error = Event::from_name("refundIssued", b"{}").unwrap_err();
    assert_eq!(
        error.to_string(),
        "`refundIssued` is none of the webhooks this client decodes (newBooking, bookingCancelled)"
    );
}
