//! Stripe's `Stripe-Signature`: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`,
//! each `v1` an HMAC-SHA256 of `"{t}.{payload}"` with the endpoint's
//! signing secret (`whsec_…`).

use secrecy::SecretString;
use std::time::{Duration, SystemTime};

use super::{Clock, WebhookError, any_matches, check_freshness, header_text, keyed_mac};
use hmac::Mac;

const HEADER: &str = "stripe-signature";

/// Verifies Stripe webhooks.
#[derive(Debug, Clone)]
pub struct Stripe {
    secret: SecretString,
    tolerance: Duration,
    clock: Clock,
}

impl Stripe {
    /// The tolerance Stripe's own libraries use between the signed
    /// timestamp and now.
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

    /// A verifier for the endpoint's signing secret.
    pub fn new(secret: SecretString) -> Self {
        Stripe { secret, tolerance: Self::DEFAULT_TOLERANCE, clock: Clock::default() }
    }

    /// Accepts signatures made at most `tolerance` from now (default 300 s).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Reads the time from `now` instead of the system clock (for tests).
    pub fn with_clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Clock::new(now);
        self
    }

    /// Checks that `payload` is what Stripe signed, recently: some `v1`
    /// signature in `Stripe-Signature` must match.
    pub fn verify(&self, headers: &http::HeaderMap, payload: &[u8]) -> Result<(), WebhookError> {
        let header = parse(header_text(headers, HEADER)?)?;
        let mut mac = keyed_mac(&self.secret, HEADER)?;
        mac.update(header.timestamp.as_bytes());
        mac.update(b".");
        mac.update(payload);
        if !any_matches(mac, header.signatures.iter().map(Vec::as_slice)) {
            return Err(WebhookError::SignatureMismatch { header: HEADER });
        }
        let seconds: i128 = header.timestamp.parse().map_err(|_| malformed("`t` is not a number of seconds"))?;
        check_freshness(HEADER, seconds * 1000, &self.clock, self.tolerance)
    }
}

/// The parts of a `Stripe-Signature` header polvo checks.
struct SignatureHeader<'a> {
    /// `t`, as sent (it is signed as text).
    timestamp: &'a str,
    /// Every `v1`, decoded from hex.
    signatures: Vec<Vec<u8>>,
}

/// Splits the header into its timestamp and `v1` signatures; other schemes
/// (`v0`, test-mode entries) are ignored.
fn parse(value: &str) -> Result<SignatureHeader<'_>, WebhookError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in value.split(',') {
        let (key, val) = item.trim().split_once('=').ok_or_else(|| malformed("an entry is not `key=value`"))?;
        match key {
            "t" if timestamp.is_some() => return Err(malformed("it has more than one `t`")),
            "t" => timestamp = Some(val),
            "v1" => signatures.push(hex::decode(val).map_err(|_| malformed("a `v1` signature is not hex"))?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or_else(|| malformed("it has no `t` timestamp"))?;
    if !timestamp.bytes().all(|b| b.is_ascii_digit()) || timestamp.is_empty() {
        return Err(malformed("`t` is not a number of seconds"));
    }
    if signatures.is_empty() {
        return Err(malformed("it has no `v1` signature"));
    }
    Ok(SignatureHeader { timestamp, signatures })
}

fn malformed(reason: &'static str) -> WebhookError {
    WebhookError::MalformedHeader { header: HEADER, reason }
}
