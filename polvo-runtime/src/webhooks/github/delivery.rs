//! Which webhook a GitHub delivery is. GitHub sends the event in the
//! `X-GitHub-Event` header (`pull_request`) and, for events with several
//! activities, the activity in the body's `action` (`opened`). Its OpenAPI
//! spec gives each webhook the operation id `{event}/{action}` written in
//! kebab case (`pull-request/opened`), or `{event}` alone (`push`) for an
//! event without activities: a delivery's operation id follows from the
//! two, and the generated `Event` decodes by it.

use serde::Deserialize;

use crate::webhooks::{FromOperationId, PayloadError, decode, header_text};

/// The header naming a delivery's event.
const EVENT_HEADER: &str = "x-github-event";

/// Decodes a GitHub delivery, after its signature is verified, into a
/// generated client's `webhooks::Event`: the webhook is the one whose
/// operation id is the `X-GitHub-Event` header's event and the body's
/// `action` (`pull_request` and `opened`: `pull-request/opened`), or the
/// event alone when the client has no webhook for the action.
///
/// A delivery of a webhook the client was not generated for is
/// [`PayloadError::UnknownGitHubEvent`], naming the event and action; a
/// missing header is [`PayloadError::Header`]; a body that does not fit is
/// [`PayloadError::Decode`], naming the webhook and the field. The body is
/// JSON: set the webhook's content type to `application/json` on GitHub.
///
/// ```
/// # struct Event;
/// # impl polvo_runtime::webhooks::FromOperationId for Event {
/// #     const OPERATION_IDS: &'static [&'static str] = &["pull-request/opened"];
/// #     fn from_operation_id(_: &str, _: &[u8]) -> Result<Self, polvo_runtime::webhooks::PayloadError> { Ok(Event) }
/// # }
/// # fn handle(headers: &http::HeaderMap, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// polvo_runtime::webhooks::GitHub::new("my webhook secret".into()).verify(headers, body)?;
/// let event: Event = polvo_runtime::webhooks::github::decode_event(headers, body)?;
/// # Ok(()) }
/// ```
pub fn decode_event<E: FromOperationId>(headers: &http::HeaderMap, body: &[u8]) -> Result<E, PayloadError> {
    let event = header_text(headers, EVENT_HEADER).map_err(PayloadError::Header)?.trim();
    let action = decode::<ActionField>(body)?.action;
    let with_action = action.as_deref().map(|action| format!("{}/{}", kebab(event), kebab(action)));
    let mut candidates = with_action.into_iter().chain([kebab(event)]);
    match candidates.find(|id| E::OPERATION_IDS.contains(&id.as_str())) {
        Some(operation_id) => E::from_operation_id(&operation_id, body),
        None => {
            Err(PayloadError::UnknownGitHubEvent { event: event.to_owned(), action, known: E::OPERATION_IDS.to_vec() })
        }
    }
}

/// The body's `action`; every other field is skipped.
#[derive(Deserialize)]
struct ActionField {
    action: Option<String>,
}

/// A GitHub event or action (`pull_request`, `review_requested`) as its
/// spec writes it in operation ids (`pull-request`, `review-requested`).
fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the operation id it was decoded by.
    #[derive(Debug, PartialEq)]
    struct Decoded(String);

    impl FromOperationId for Decoded {
        const OPERATION_IDS: &'static [&'static str] =
            &["push", "pull-request/opened", "sub-issues/parent-issue-added", "installation"];

        fn from_operation_id(operation_id: &str, _body: &[u8]) -> Result<Self, PayloadError> {
            Ok(Decoded(operation_id.to_owned()))
        }
    }

    fn headers(event: &str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert("X-GitHub-Event", event.parse().expect("a header value"));
        headers
    }

    fn operation_of(event: &str, body: &str) -> Result<String, PayloadError> {
        decode_event::<Decoded>(&headers(event), body.as_bytes()).map(|decoded| decoded.0)
    }

    #[test]
    fn the_event_and_action_name_the_operation() {
        assert_eq!(
            operation_of("pull_request", r#"{"action": "opened", "number": 1}"#).unwrap(),
            "pull-request/opened"
        );
        assert_eq!(
            operation_of("sub_issues", r#"{"action": "parent_issue_added"}"#).unwrap(),
            "sub-issues/parent-issue-added"
        );
        assert_eq!(operation_of("push", r#"{"ref": "refs/heads/main"}"#).unwrap(), "push");
    }

    /// An event the spec describes as a whole takes every action.
    #[test]
    fn an_action_without_a_webhook_of_its_own_falls_back_to_the_event() {
        assert_eq!(operation_of("installation", r#"{"action": "created"}"#).unwrap(), "installation");
    }

    #[test]
    fn an_unknown_event_or_action_names_what_was_received() {
        let error = operation_of("pull_request", r#"{"action": "labeled"}"#).unwrap_err();
        assert!(matches!(&error, PayloadError::UnknownGitHubEvent { action: Some(a), .. } if a == "labeled"));
        assert_eq!(
            error.to_string(),
            "GitHub's `pull_request` event with action `labeled` is none of the webhooks this client decodes \
             (by operation id: push, pull-request/opened, sub-issues/parent-issue-added, installation)"
        );
        let error = operation_of("star", "{}").unwrap_err();
        assert!(error.to_string().starts_with("GitHub's `star` event is none of the webhooks"), "{error}");
    }

    #[test]
    fn a_missing_header_or_a_body_that_is_no_json_object_is_refused() {
        let error = decode_event::<Decoded>(&http::HeaderMap::new(), b"{}").unwrap_err();
        assert_eq!(error.to_string(), "the webhook has no `x-github-event` header");
        let error = operation_of("push", "payload=%7B%7D").unwrap_err();
        assert!(matches!(error, PayloadError::Decode { .. }), "{error:?}");
        let error = operation_of("pull_request", r#"{"action": 7}"#).unwrap_err();
        assert_eq!(error.path(), Some("action"), "{error}");
    }
}
