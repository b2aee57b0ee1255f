//! When a failed attempt is tried again, and after how long.
//!
//! Connection errors, `408`, `429` and `5xx` answers are retried with
//! exponential backoff and jitter, or after the `Retry-After` /
//! `retry-after-ms` the server asks for. A request is retried only when
//! sending it twice cannot do anything twice: its method is idempotent, or
//! it carries an idempotency key.

use http::{HeaderMap, Method, StatusCode};
use std::time::{Duration, SystemTime};

/// How a client (or one call) retries failed attempts.
///
/// On by default: two retries, backoff from 0.5 s doubling up to 8 s with
/// jitter, and a server's `Retry-After` honoured up to 60 s.
///
/// ```
/// use polvo_runtime::RetryPolicy;
/// use std::time::Duration;
/// let patient = RetryPolicy::new().max_retries(5).max_backoff(Duration::from_secs(30));
/// let none = RetryPolicy::none();
/// # let _ = (patient, none);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::new()
    }
}

/// How many times a failed attempt is retried unless configured otherwise.
pub const DEFAULT_MAX_RETRIES: u32 = 2;

impl RetryPolicy {
    /// The default policy: 2 retries, 0.5 s to 8 s backoff, `Retry-After` up to 60 s.
    pub const fn new() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// No retries: every call is one attempt.
    pub const fn none() -> Self {
        RetryPolicy::new().max_retries(0)
    }

    /// How many times a failed attempt is retried (so a call makes at most
    /// `retries + 1` attempts).
    pub const fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait before the first retry; each further retry waits twice as
    /// long, up to [`max_backoff`](Self::max_backoff), less up to a quarter
    /// of jitter.
    pub const fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between attempts that polvo chooses itself.
    pub const fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` honoured: a server asking for a longer
    /// wait gets its answer returned at once rather than retried.
    pub const fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The number of retries.
    pub const fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (0 for the first) that polvo
    /// chooses itself: `initial × 2^retry`, capped at the maximum, less
    /// `jitter` (from 0 to 1) times a quarter of it.
    pub(crate) fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        let full = self.initial_backoff.saturating_mul(factor).min(self.max_backoff);
        full.mul_f64(1.0 - 0.25 * jitter.clamp(0.0, 1.0))
    }

    /// The wait before the next retry: the server's, if it asks for one
    /// within the policy's limit, else the backoff. `None` when the server
    /// asks for more than the limit.
    pub(crate) fn wait(&self, retry: u32, headers: Option<&HeaderMap>, jitter: f64) -> Option<Duration> {
        match headers.and_then(|h| retry_after(h, SystemTime::now())) {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked),
            None => Some(self.backoff(retry, jitter)),
        }
    }
}

/// Whether an answer with `status` is worth trying again: `408`, `429` and
/// every `5xx`.
pub(crate) fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429) || status.is_server_error()
}

/// Whether sending a request twice is safe: its method is idempotent
/// (RFC 9110), or it carries an idempotency key.
pub(crate) fn replay_safe(method: &Method, has_idempotency_key: bool) -> bool {
    has_idempotency_key
        || matches!(
            *method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
        )
}

/// The wait a response asks for: `retry-after-ms` (milliseconds, as some
/// APIs send), else `Retry-After` in seconds or as an HTTP date (a date in
/// the past is no wait). Unreadable values are ignored.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = text("retry-after")?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A number from 0 to 1 for jitter.
pub(crate) fn jitter() -> f64 {
    fastrand::f64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_reads_seconds_dates_and_milliseconds() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after(&headers(&[("retry-after", "7")]), now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers(&[("retry-after", " 0 ")]), now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(retry_after(&headers(&[("retry-after", &later)]), now), Some(Duration::from_secs(30)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(retry_after(&headers(&[("retry-after", &earlier)]), now), Some(Duration::ZERO));
        // `retry-after-ms` is more precise and wins.
        let both = headers(&[("retry-after", "7"), ("retry-after-ms", "250")]);
        assert_eq!(retry_after(&both, now), Some(Duration::from_millis(250)));
    }

    #[test]
    fn unreadable_retry_after_values_are_ignored() {
        let now = SystemTime::UNIX_EPOCH;
        for value in ["soon", "-3", "1.5", ""] {
            assert_eq!(retry_after(&headers(&[("retry-after", value)]), now), None, "{value:?}");
        }
        assert_eq!(retry_after(&headers(&[("retry-after-ms", "-1")]), now), None);
        assert_eq!(retry_after(&headers(&[("retry-after-ms", "NaN")]), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_doubles_within_its_jitter_bounds_and_is_capped() {
        let policy = RetryPolicy::new();
        for retry in 0..40 {
            let full = Duration::from_millis(500).saturating_mul(1 << retry.min(5)).min(Duration::from_secs(8));
            assert_eq!(policy.backoff(retry, 0.0), full, "retry {retry}");
            assert_eq!(policy.backoff(retry, 1.0), full.mul_f64(0.75), "retry {retry}");
            let middle = policy.backoff(retry, 0.5);
            assert!(middle < full && middle > full.mul_f64(0.75), "retry {retry}: {middle:?}");
        }
        assert_eq!(policy.backoff(0, 0.0), Duration::from_millis(500));
        assert_eq!(policy.backoff(4, 0.0), Duration::from_secs(8));
        // Out-of-range jitter is clamped, never a negative or larger wait.
        assert_eq!(policy.backoff(1, 7.0), Duration::from_millis(750));
        assert_eq!(policy.backoff(1, -1.0), Duration::from_secs(1));
    }

    #[test]
    fn a_server_asking_for_more_than_the_limit_is_not_waited_for() {
        let policy = RetryPolicy::new().max_retry_after(Duration::from_secs(5));
        let asks = |v: &str| headers(&[("retry-after", v)]);
        assert_eq!(policy.wait(0, Some(&asks("5")), 0.0), Some(Duration::from_secs(5)));
        assert_eq!(policy.wait(0, Some(&asks("6")), 0.0), None);
        assert_eq!(policy.wait(1, None, 0.0), Some(Duration::from_secs(1)));
    }

    #[test]
    fn statuses_and_methods_that_are_retried() {
        for status in [408, 429, 500, 502, 503, 504, 599] {
            assert!(retryable_status(StatusCode::from_u16(status).unwrap()), "{status}");
        }
        for status in [200, 301, 400, 401, 403, 404, 409, 422] {
            assert!(!retryable_status(StatusCode::from_u16(status).unwrap()), "{status}");
        }
        assert!(replay_safe(&Method::GET, false));
        assert!(replay_safe(&Method::PUT, false));
        assert!(replay_safe(&Method::DELETE, false));
        assert!(!replay_safe(&Method::POST, false));
        assert!(!replay_safe(&Method::PATCH, false));
        assert!(replay_safe(&Method::POST, true));
    }
}
