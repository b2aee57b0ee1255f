//! GitHub webhooks: [`GitHub`] checks a delivery's `X-Hub-Signature-256:
//! sha256=<hex>`, an HMAC-SHA256 of the body with the webhook's secret, and
//! [`decode_event`] decodes a verified delivery into a generated client's
//! `webhooks::Event`, by its `X-GitHub-Event` header and the body's
//! `action`. GitHub signs no timestamp; use the `X-GitHub-Delivery` id to
//! refuse replays if that matters.

mod delivery;

pub use delivery::decode_event;

use hmac::Mac;
use secrecy::SecretString;

use super::{WebhookError, any_matches, header_text, keyed_mac};

const HEADER: &str = "x-hub-signature-256";

/// Verifies GitHub webhooks.
#[derive(Debug, Clone)]
pub struct GitHub {
    secret: SecretString,
}

impl GitHub {
    /// A verifier for the webhook's secret.
    pub fn new(secret: SecretString) -> Self {
        GitHub { secret }
    }

    /// Checks that `body` is what GitHub signed in `X-Hub-Signature-256`.
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        let value = header_text(headers, HEADER)?;
        let hex_signature = value
            .trim()
            .strip_prefix("sha256=")
            .ok_or(WebhookError::MalformedHeader { header: HEADER, reason: "it does not start with `sha256=`" })?;
        let signature = hex::decode(hex_signature)
            .map_err(|_| WebhookError::MalformedHeader { header: HEADER, reason: "the signature is not hex" })?;
        let mut mac = keyed_mac(&self.secret, HEADER)?;
        mac.update(body);
        if any_matches(mac, [signature.as_slice()]) {
            Ok(())
        } else {
            Err(WebhookError::SignatureMismatch { header: HEADER })
        }
    }
}
