//! Typed webhook payloads: the webhooks the `x-polvo` section selects get a
//! type each in the generated `webhooks` module, and their bodies decode
//! into it, or fail saying which webhook and which field.

#![deny(warnings)]

mod support;

use polvo::webhooks::{PayloadError, decode};

polvo::service!("tests/specs/webhooks/bookings.yaml", name = "bookings");

use bookings::types::BookingCancelledCancelledBy;
use bookings::webhooks::{self, Event};

// A GitHub-shaped spec: operation ids `{event}/{action}`, the event in the
// `X-GitHub-Event` header, the action in the body.
polvo::service!("tests/specs/webhooks/github-events.json", name = "repo_events");

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

/// Train Travel's 3.1 spec describes `newBooking` with an inline `allOf` of
/// `Booking` and links: selected in a sidecar, it becomes a type of its own,
/// and the note that webhooks get no code is gone.
#[test]
fn train_travels_new_booking_gets_a_type_of_its_own() {
    let Some(spec) = polvo_suite::shared_file("specs/train-travel-3.1.yaml") else { return };
    let dir = support::root().join("target/polvo-scratch/train_travel_webhooks_sidecar");
    std::fs::create_dir_all(&dir).expect("create the sidecar's directory");
    let sidecar = dir.join("train-travel-3.1.polvo.yaml");
    std::fs::write(&sidecar, "webhooks: [newBooking]\n").expect("write the sidecar");
    let output = polvo_codegen::Generator::new("train_travel")
        .spec(&spec, "train-travel-3.1.yaml")
        .sidecar(&sidecar, "train-travel-3.1.polvo.yaml")
        .generate()
        .unwrap_or_else(|d| panic!("train-travel-3.1.yaml should generate with the sidecar:\n{d}"));
    assert!(output.warnings.iter().all(|w| !w.message.contains("webhooks")), "{:?}", output.warnings);
    let file: syn::File = syn::parse2(output.tokens).expect("generated code parses as Rust");
    let source = prettyplease::unparse(&file);
    assert!(source.contains("pub type NewBooking = types::NewBooking;"), "{source}");
    assert!(source.contains("pub struct NewBooking {"), "{source}");
}

/// `webhooks: true` on a spec without webhooks is a warning at the key.
#[test]
fn selecting_all_webhooks_of_a_spec_without_any_is_a_warning() {
    let dir = support::root().join("target/polvo-scratch/no_webhooks_sidecar");
    std::fs::create_dir_all(&dir).expect("create the sidecar's directory");
    let sidecar = dir.join("operations.polvo.yaml");
    std::fs::write(&sidecar, "webhooks: true\n").expect("write the sidecar");
    let output = polvo_codegen::Generator::new("ops")
        .spec(support::root().join("tests/specs/operations.yaml"), "operations.yaml")
        .sidecar(&sidecar, "operations.polvo.yaml")
        .generate()
        .unwrap_or_else(|d| panic!("operations.yaml should generate:\n{d}"));
    let warning = output.warnings.iter().find(|w| w.message.contains("webhooks")).expect("a warning");
    assert_eq!(warning.place(), "operations.polvo.yaml#/webhooks");
    assert!(!output.tokens.to_string().contains("mod webhooks"));
}

/// A delivery as GitHub sends it: the event in `X-GitHub-Event`, the body
/// as received.
fn github_delivery(event: &str, body: &[u8]) -> (polvo::reqwest::header::HeaderMap, Vec<u8>) {
    let mut headers = polvo::reqwest::header::HeaderMap::new();
    headers.insert("X-GitHub-Event", event.parse().expect("a header value"));
    (headers, body.to_vec())
}

/// Every webhook of the GitHub-shaped spec, delivered with the
/// `X-GitHub-Event` value its operation documents and its example body
/// (whose `action` is its action), decodes into its own variant.
#[test]
fn each_webhook_of_a_github_shaped_spec_decodes_from_its_delivery() {
    let text = std::fs::read_to_string(support::root().join("tests/specs/webhooks/github-events.json"))
        .expect("read the spec");
    let spec: polvo::serde_json::Value = polvo::serde_json::from_str(&text).expect("the spec is JSON");
    let hooks = spec["x-webhooks"].as_object().expect("x-webhooks");
    assert_eq!(hooks.len(), repo_events::webhooks::Event::NAMES.len());
    for (name, item) in hooks {
        let operation = &item["post"];
        let header = operation["parameters"]
            .as_array()
            .and_then(|params| params.iter().find(|p| p["name"] == "X-GitHub-Event"))
            .and_then(|param| param["example"].as_str())
            .expect("an X-GitHub-Event example");
        let example = &operation["requestBody"]["content"]["application/json"]["example"];
        let (headers, body) = github_delivery(header, &polvo::serde_json::to_vec(example).expect("JSON"));
        let event: repo_events::webhooks::Event = polvo::webhooks::github::decode_event(&headers, &body)
            .unwrap_or_else(|error| panic!("`{name}` does not decode: {error}"));
        assert_eq!(event.name(), name);
        assert_eq!(event.operation_id(), operation["operationId"].as_str());
    }
}

#[test]
fn a_github_delivery_decodes_into_its_typed_payload() {
    use repo_events::webhooks::Event as RepoEvent;
    let (headers, body) = github_delivery(
        "pull_request",
        br#"{"action": "closed", "number": 7, "merged": true, "repository": {"name": "polvo"}}"#,
    );
    let event: RepoEvent = polvo::webhooks::github::decode_event(&headers, &body).expect("decodes");
    assert!(matches!(&event, RepoEvent::PullRequestClosed(pr) if pr.merged && pr.number == 7), "{event:?}");

    // An event the spec describes as one webhook takes each of its actions.
    let (headers, body) = github_delivery("installation", br#"{"action": "created", "installation_id": 1}"#);
    let event: RepoEvent = polvo::webhooks::github::decode_event(&headers, &body).expect("decodes");
    assert!(matches!(&event, RepoEvent::Installation(i) if i.installation_id == 1), "{event:?}");

    let event = RepoEvent::from_operation_id(
        "push",
        br#"{"ref": "refs/heads/main", "after": "a1", "repository": {"name": "polvo"}}"#,
    )
    .expect("decodes");
    assert!(matches!(&event, RepoEvent::Push(push) if push.r#ref == "refs/heads/main"), "{event:?}");
    assert_eq!(RepoEvent::OPERATION_IDS[..2], ["push", "pull-request/opened"]);
}

#[test]
fn an_unknown_github_event_or_a_body_that_does_not_fit_says_what_it_got() {
    use repo_events::webhooks::Event as RepoEvent;
    let (headers, body) = github_delivery("pull_request", br#"{"action": "labeled", "number": 7}"#);
    let error = polvo::webhooks::github::decode_event::<RepoEvent>(&headers, &body).unwrap_err();
    assert_eq!(
        error.to_string(),
        "GitHub's `pull_request` event with action `labeled` is none of the webhooks this client decodes (by \
         operation id: push, pull-request/opened, pull-request/closed, sub-issues/parent-issue-added, installation)"
    );

    let (headers, body) =
        github_delivery("pull_request", br#"{"action": "opened", "number": "seven", "repository": {"name": "polvo"}}"#);
    let error = polvo::webhooks::github::decode_event::<RepoEvent>(&headers, &body).unwrap_err();
    assert_eq!(error.path(), Some("number"));
    assert!(
        error.to_string().starts_with("the body of the `pull-request-opened` webhook does not decode at `number`"),
        "{error}"
    );

    let error = polvo::webhooks::github::decode_event::<RepoEvent>(&Default::default(), b"{}").unwrap_err();
    assert_eq!(error.to_string(), "the webhook has no `x-github-event` header");

    let error = RepoEvent::from_operation_id("pull-request/labeled", b"{}").unwrap_err();
    assert!(
        error.to_string().starts_with("`pull-request/labeled` is none of the webhook operations this client decodes"),
        "{error}"
    );
}
