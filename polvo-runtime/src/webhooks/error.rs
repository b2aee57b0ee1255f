//! Why a webhook was rejected.

/// Why a webhook failed verification. No variant holds the secret or the
/// signature received.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature (or timestamp) header is absent.
    #[error("the webhook has no `{header}` header")]
    MissingHeader {
        /// The header's name.
        header: &'static str,
    },
    /// The header is present but cannot be read.
    #[error("the webhook's `{header}` header is malformed: {reason}")]
    MalformedHeader {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signed timestamp is outside the accepted window (too old, or
    /// too far in the future): a replay, or a clock far off.
    #[error(
        "the webhook's timestamp in `{header}` is {age_secs} s from now, outside the tolerance of {tolerance_secs} s"
    )]
    StaleTimestamp {
        /// The header holding the timestamp.
        header: &'static str,
        /// Now minus the signed time, in seconds (negative: in the future).
        age_secs: i64,
        /// The accepted distance, in seconds.
        tolerance_secs: u64,
    },
    /// No signature in the header is the payload's signature with this
    /// secret: a tampered payload, or another secret.
    #[error("the webhook's signature in `{header}` does not match its payload")]
    SignatureMismatch {
        /// The header holding the signature.
        header: &'static str,
    },
}
