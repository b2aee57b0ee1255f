//! Decoding a verified webhook's body into its payload type.

use serde::de::DeserializeOwned;

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
    #[error("`{name}` is none of the webhooks this client decodes ({})", known.join(", "))]
    UnknownWebhook {
        /// The name given.
        name: String,
        /// The names the client knows.
        known: Vec<&'static str>,
    },
}

impl PayloadError {
    /// The error for a webhook name that matches none of `known`.
    pub fn unknown_webhook(name: &str, known: &[&'static str]) -> Self {
        PayloadError::UnknownWebhook { name: name.to_owned(), known: known.to_vec() }
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
            PayloadError::UnknownWebhook { .. } => None,
        }
    }
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
}
