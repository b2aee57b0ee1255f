//! Verification of the webhooks a vendor sends: Stripe, HubSpot (v3) and
//! GitHub signatures, checked in constant time.
//!
//! Each verifier holds the signing secret and takes the request as it
//! arrived: its headers and the raw body bytes (HubSpot also signs the
//! method and URI). Verify *before* parsing the body, and verify the exact
//! bytes received: a re-serialised payload no longer matches.
//!
//! ```
//! use polvo_runtime::webhooks::GitHub;
//! # fn handle(headers: &http::HeaderMap, body: &[u8]) -> Result<(), polvo_runtime::webhooks::WebhookError> {
//! let verifier = GitHub::new("my webhook secret".into());
//! verifier.verify(headers, body)?;
//! # Ok(()) }
//! ```
//!
//! Timestamped signatures (Stripe, HubSpot) are checked against a clock,
//! [`SystemTime::now`] unless a test injects another with `with_clock`.
//!
//! Once verified, [`decode`] turns the body into its payload type; a client
//! generated with the `x-polvo` section's `webhooks` key has those types in
//! its `webhooks` module. [`github::decode_event`] finds which of them a
//! GitHub delivery is.

mod error;
pub mod github;
mod hubspot;
mod payload;
mod stripe;

pub use error::WebhookError;
pub use github::GitHub;
pub use hubspot::HubSpot;
pub use payload::{FromOperationId, PayloadError, decode};
pub use stripe::Stripe;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// HMAC-SHA256, the MAC all three vendors use.
type HmacSha256 = Hmac<Sha256>;

/// Where verifiers read the current time from.
#[derive(Clone)]
pub(crate) struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The given time source.
    pub(crate) fn new(now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    /// Milliseconds since the Unix epoch (negative before it).
    fn unix_millis(&self) -> i128 {
        let now = (self.0)();
        match now.duration_since(UNIX_EPOCH) {
            Ok(after) => after.as_millis() as i128,
            Err(before) => -(before.duration().as_millis() as i128),
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new(SystemTime::now)
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

/// A MAC keyed with `secret`, ready for the signed content of a signature
/// in `header`. HMAC takes keys of any length; were a key ever refused, the
/// signature could not be checked and is treated as not matching.
fn keyed_mac(secret: &SecretString, header: &'static str) -> Result<HmacSha256, WebhookError> {
    HmacSha256::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|_| WebhookError::SignatureMismatch { header })
}

/// Whether any of `candidates` is the MAC of what `mac` has been fed,
/// each compared in constant time.
fn any_matches<'a>(mac: HmacSha256, candidates: impl IntoIterator<Item = &'a [u8]>) -> bool {
    candidates.into_iter().fold(false, |found, candidate| mac.clone().verify_slice(candidate).is_ok() | found)
}

/// The value of `name` as text, or what is wrong with it.
fn header_text<'h>(headers: &'h http::HeaderMap, name: &'static str) -> Result<&'h str, WebhookError> {
    let value = headers.get(name).ok_or(WebhookError::MissingHeader { header: name })?;
    value.to_str().map_err(|_| WebhookError::MalformedHeader { header: name, reason: "it is not visible ASCII" })
}

/// Checks that a signature made at `signed_millis` (Unix milliseconds) is
/// no further than `tolerance` from the clock's now, in either direction.
fn check_freshness(
    header: &'static str,
    signed_millis: i128,
    clock: &Clock,
    tolerance: Duration,
) -> Result<(), WebhookError> {
    let age_millis = clock.unix_millis() - signed_millis;
    if age_millis.unsigned_abs() > tolerance.as_millis() {
        return Err(WebhookError::StaleTimestamp {
            header,
            age_secs: (age_millis / 1000) as i64,
            tolerance_secs: tolerance.as_secs(),
        });
    }
    Ok(())
}
