//! Decoding a verified webhook's body into its payload type.

use serde::de::DeserializeOwned;

use super::WebhookError;

/// Why a webhook's body did not become its payload.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The body is not JSON, or not JSON of the payload's shape.
    #[error("{} does not decode{}: {source}", subject(webhook.as_deref()), place(path))]
    Decode {
        /// The webhook, when the caller named it.
        webhook: Option<String>,
        /// Where in the body decoding failed, as a dotted path of property
        /// names and list indices (`booking.passengers[0].name`; `.` for the
        /// body itself).
        path: String,
        /// What was wrong there.
        #[source]
        source: serde_json::Error,
    },
    /// The name matches none of the webhooks the client has payloads for.
    #[error("`{name}` is none of the webhooks this client decodes ({})", listed(known))]
    UnknownWebhook {
        /// The name given.
        name: String,
        /// The names the client knows.
        known: Vec<&'static str>,
    },
    /// The operation id matches none of the webhooks the client has
    /// payloads for.
    #[error("`{operation_id}` is none of the webhook operations this client decodes ({})", listed(known))]
    UnknownOperation {
        /// The operation id given.
        operation_id: String,
        /// The operation ids the client knows.
        known: Vec<&'static str>,
    },
    /// A GitHub delivery's event (and action) is none of the webhooks the
    /// client has payloads for: GitHub sent an event the client was not
    /// generated for, or the webhook was not selected.
    #[error(
        "GitHub's `{event}` event{} is none of the webhooks this client decodes (by operation id: {})",
        action.as_deref().map(|action| format!(" with action `{action}`")).unwrap_or_default(),
        listed(known)
    )]
    UnknownGitHubEvent {
        /// The `X-GitHub-Event` header's value.
        event: String,
        /// The body's `action`, when it has one.
        action: Option<String>,
        /// The operation ids the client knows.
        known: Vec<&'static str>,
    },
    /// The header that says which webhook a delivery is is missing or
    /// unreadable.
    #[error(transparent)]
    Header(WebhookError),
}

impl PayloadError {
    /// The error for a webhook name that matches none of `known`.
    pub fn unknown_webhook(name: &str, known: &[&'static str]) -> Self {
        PayloadError::UnknownWebhook { name: name.to_owned(), known: known.to_vec() }
    }

    /// The error for an operation id that matches none of `known`.
    pub fn unknown_operation(operation_id: &str, known: &[&'static str]) -> Self {
        PayloadError::UnknownOperation { operation_id: operation_id.to_owned(), known: known.to_vec() }
    }

    /// This error, saying which webhook's body it is about.
    pub fn in_webhook(self, name: &str) -> Self {
        match self {
            PayloadError::Decode { path, source, .. } => {
                PayloadError::Decode { webhook: Some(name.to_owned()), path, source }
            }
            other => other,
        }
    }

    /// Where in the body decoding failed (`None` for an unknown webhook).
    pub fn path(&self) -> Option<&str> {
        match self {
            PayloadError::Decode { path, .. } => Some(path),
            PayloadError::UnknownWebhook { .. }
            | PayloadError::UnknownOperation { .. }
            | PayloadError::UnknownGitHubEvent { .. }
            | PayloadError::Header(_) => None,
        }
    }
}

/// A generated client's `webhooks::Event`: a payload of any of its
/// webhooks, decoded by the `operationId` of the webhook's operation.
/// Generated for specs whose webhooks have operation ids; it is what
/// [`github::decode_event`](super::github::decode_event) needs.
pub trait FromOperationId: Sized {
    /// The operation ids of the webhooks it decodes, as the spec writes them.
    const OPERATION_IDS: &'static [&'static str];

    /// Decodes `body`, the raw body of the webhook whose operation the spec
    /// identifies as `operation_id` (one of [`Self::OPERATION_IDS`]).
    fn from_operation_id(operation_id: &str, body: &[u8]) -> Result<Self, PayloadError>;
}

/// How many known names an error lists before it only counts the rest.
const LISTED: usize = 12;

/// `known`, comma-separated, the first [`LISTED`] of them.
fn listed(known: &[&str]) -> String {
    let mut text = known.iter().take(LISTED).copied().collect::<Vec<_>>().join(", ");
    if known.len() > LISTED {
        text.push_str(&format!(" and {} more", known.len() - LISTED));
    }
    text
}

/// What an error is about: the named webhook's body, or a webhook body.
fn subject(webhook: Option<&str>) -> String {
    match webhook {
        Some(name) => format!("the body of the `{name}` webhook"),
        None => "the webhook body".to_owned(),
    }
}

/// ` at `path`` for a place inside the body, nothing for the body itself.
fn place(path: &str) -> String {
    if path == "." { String::new() } else { format!(" at `{path}`") }
}

/// Decodes a webhook's raw body, after its signature is verified, into its
/// payload type: a type of a generated client's `webhooks` module, or any
/// other type that deserializes from JSON. An error says where in the body
/// decoding failed.
///
/// ```
/// # fn handle(body: &[u8]) -> Result<(), polvo_runtime::webhooks::PayloadError> {
/// let payload: polvo_runtime::Value = polvo_runtime::webhooks::decode(body)?;
/// # Ok(()) }
/// ```
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, PayloadError> {
    crate::decode::json(body).map_err(|failed| PayloadError::Decode {
        webhook: None,
        // `.` names the body itself, as `serde_path_to_error` writes it.
        path: if failed.path.is_empty() { ".".to_owned() } else { failed.path },
        source: failed.source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Booking {
        id: String,
        passengers: Vec<Passenger>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Passenger {
        name: String,
    }

    #[test]
    fn a_body_of_the_right_shape_decodes() {
        let booking: Booking = decode(br#"{"id": "b1", "passengers": [{"name": "Ada"}]}"#).expect("decodes");
        assert_eq!(booking.passengers[0].name, "Ada");
    }

    #[test]
    fn errors_say_where_in_the_body_and_which_webhook() {
        let error = decode::<Booking>(br#"{"id": "b1", "passengers": [{"name": 7}]}"#).unwrap_err();
        assert_eq!(error.path(), Some("passengers[0].name"));
        let error = error.in_webhook("newBooking");
        let text = error.to_string();
        assert!(
            text.starts_with("the body of the `newBooking` webhook does not decode at `passengers[0].name`: "),
            "{text}"
        );
        assert!(text.contains("expected a string"), "{text}");
    }

    #[test]
    fn text_that_is_not_json_or_has_trailing_bytes_is_refused() {
        let error = decode::<Booking>(b"id=b1").unwrap_err();
        assert!(error.to_string().starts_with("the webhook body does not decode: expected value"), "{error}");
        let error = decode::<Booking>(br#"{"id": "b1", "passengers": []} x"#).unwrap_err();
        assert_eq!(error.path(), Some("."));
        assert!(error.to_string().contains("trailing characters"), "{error}");
    }

    #[test]
    fn an_unknown_webhook_lists_the_known_ones() {
        let error = PayloadError::unknown_webhook("refundIssued", &["newBooking", "bookingCancelled"]);
        assert_eq!(
            error.to_string(),
            "`refundIssued` is none of the webhooks this client decodes (newBooking, bookingCancelled)"
        );
        assert_eq!(error.path(), None);
    }

    #[test]
    fn an_unknown_operation_lists_the_first_twelve_known_ones() {
        let known: Vec<&'static str> = (0..14).map(|n| &*format!("op-{n}").leak()).collect();
        let error = PayloadError::unknown_operation("pull-request/labeled", &known);
        assert_eq!(
            error.to_string(),
            "`pull-request/labeled` is none of the webhook operations this client decodes \
             (op-0, op-1, op-2, op-3, op-4, op-5, op-6, op-7, op-8, op-9, op-10, op-11 and 2 more)"
        );
    }
}
