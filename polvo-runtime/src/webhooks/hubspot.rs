//! HubSpot's v3 signature: `X-HubSpot-Signature-v3` is the base64 of an
//! HMAC-SHA256, with the app's client secret, of
//! `method + uri + body + timestamp`, where the timestamp is
//! `X-HubSpot-Request-Timestamp` (Unix milliseconds) and the URI is the
//! full URL HubSpot called, with a few percent-escapes decoded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac;
use secrecy::SecretString;
use std::time::{Duration, SystemTime};

use super::{Clock, WebhookError, any_matches, check_freshness, header_text, keyed_mac};

const SIGNATURE: &str = "x-hubspot-signature-v3";
const TIMESTAMP: &str = "x-hubspot-request-timestamp";

/// The escapes HubSpot decodes in the URI before signing it.
const DECODED_ESCAPES: [(&str, &str); 12] = [
    ("%3A", ":"),
    ("%2F", "/"),
    ("%3F", "?"),
    ("%40", "@"),
    ("%21", "!"),
    ("%24", "$"),
    ("%27", "'"),
    ("%28", "("),
    ("%29", ")"),
    ("%2A", "*"),
    ("%2C", ","),
    ("%3B", ";"),
];

/// Verifies HubSpot webhooks and workflow/CRM-card requests (signature v3).
#[derive(Debug, Clone)]
pub struct HubSpot {
    secret: SecretString,
    max_age: Duration,
    clock: Clock,
}

impl HubSpot {
    /// HubSpot's documented window: requests older than 5 minutes are rejected.
    pub const MAX_AGE: Duration = Duration::from_secs(300);

    /// A verifier for the app's client secret.
    pub fn new(client_secret: SecretString) -> Self {
        HubSpot { secret: client_secret, max_age: Self::MAX_AGE, clock: Clock::default() }
    }

    /// Accepts timestamps at most `max_age` from now (default 5 minutes).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Reads the time from `now` instead of the system clock (for tests).
    pub fn with_clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Clock::new(now);
        self
    }

    /// Checks a request HubSpot sent: `method` (`POST`), `uri` the full URL
    /// it called (`https://example.com/webhooks?x=1`, as HubSpot sees it,
    /// not as a proxy rewrote it), its headers and raw body.
    pub fn verify(
        &self,
        method: &http::Method,
        uri: &str,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        let signature = STANDARD
            .decode(header_text(headers, SIGNATURE)?.trim())
            .map_err(|_| WebhookError::MalformedHeader { header: SIGNATURE, reason: "it is not base64" })?;
        let timestamp = header_text(headers, TIMESTAMP)?.trim();
        let millis: i128 = timestamp.parse().map_err(|_| WebhookError::MalformedHeader {
            header: TIMESTAMP,
            reason: "it is not a number of milliseconds",
        })?;
        check_freshness(TIMESTAMP, millis, &self.clock, self.max_age)?;
        let mut mac = keyed_mac(&self.secret, SIGNATURE)?;
        mac.update(method.as_str().as_bytes());
        mac.update(signed_uri(uri).as_bytes());
        mac.update(body);
        mac.update(timestamp.as_bytes());
        if any_matches(mac, [signature.as_slice()]) {
            Ok(())
        } else {
            Err(WebhookError::SignatureMismatch { header: SIGNATURE })
        }
    }
}

/// The URI as HubSpot signs it: the listed escapes decoded (either case of
/// hex digit), every other byte unchanged.
fn signed_uri(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3);
        let decoded = escape.and_then(|e| DECODED_ESCAPES.iter().find(|(code, _)| code.eq_ignore_ascii_case(e)));
        match decoded {
            Some((_, plain)) => {
                out.push_str(plain);
                rest = &rest[at + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::signed_uri;

    #[test]
    fn listed_escapes_are_decoded_and_others_kept() {
        assert_eq!(signed_uri("https://example.com/hook%3Fa%3ab%2C%20c%40d%"), "https://example.com/hook?a:b,%20c@d%");
    }
}
