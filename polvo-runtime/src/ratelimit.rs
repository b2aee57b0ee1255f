//! Client-side rate limits: a quota for the whole client, one per tenant,
//! one per tenant for single operations (all [`governor`]), and waiting out
//! the limit the API itself reports in `X-RateLimit-Remaining` /
//! `X-RateLimit-Reset`, per tenant.

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, InsufficientCapacity, Quota};
use http::{HeaderMap, Method};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The longest a reported reset is waited for: a misread header must not
/// stall calls for long.
const MAX_REPORTED_WAIT: Duration = Duration::from_secs(15 * 60);

/// The rate limits of a client, applied before each attempt.
#[derive(Default)]
pub(crate) struct RateLimits {
    /// One quota shared by every tenant.
    client: Option<DefaultDirectRateLimiter>,
    /// One quota per tenant.
    tenant: Option<DefaultKeyedRateLimiter<Arc<str>>>,
    /// Quotas of single operations, each tenant with its own.
    operations: Vec<OperationLimit>,
    /// When each tenant may send again, from the API's headers; `None`
    /// when the client does not read them.
    reported: Option<Mutex<HashMap<Arc<str>, Instant>>>,
}

/// The quota of one operation, named by its method and path template.
struct OperationLimit {
    method: Method,
    template: &'static str,
    limiter: DefaultKeyedRateLimiter<Arc<str>>,
}

/// An operation's quota as the builder resolved it: method, path template
/// (as the spec writes it) and quota.
pub(crate) type OperationQuota = (Method, &'static str, Quota);

/// The rate limits a call's cost cannot fit: a cost above a quota's burst
/// would wait forever.
#[derive(Debug)]
pub(crate) struct CostTooHigh {
    /// The call's cost.
    pub cost: u32,
    /// The burst of the quota it does not fit.
    pub burst: u32,
}

impl RateLimits {
    /// Limits from the builder's settings.
    pub fn new(client: Option<Quota>, tenant: Option<Quota>, operations: Vec<OperationQuota>, adaptive: bool) -> Self {
        RateLimits {
            client: client.map(governor::RateLimiter::direct),
            tenant: tenant.map(governor::RateLimiter::keyed),
            operations: operations
                .into_iter()
                .map(|(method, template, quota)| OperationLimit {
                    method,
                    template,
                    limiter: governor::RateLimiter::keyed(quota),
                })
                .collect(),
            reported: adaptive.then(Mutex::default),
        }
    }

    /// Whether any limit is set (so that a call without one skips the step).
    pub fn is_active(&self) -> bool {
        self.client.is_some() || self.tenant.is_some() || !self.operations.is_empty() || self.reported.is_some()
    }

    /// Waits until `tenant` may send an attempt of `operation` (its method
    /// and path template) that takes `cost` cells of each quota (0: none,
    /// only the API's reported wait applies), at most until `deadline`
    /// (the attempt then times out at once). Cancelling the wait takes
    /// nothing from the quota being waited for. A cost above a quota's burst is an error,
    /// before any wait.
    pub async fn until_ready(
        &self,
        tenant: &Arc<str>,
        operation: (&Method, &str),
        cost: u32,
        deadline: Option<Instant>,
    ) -> Result<(), CostTooHigh> {
        let operation =
            self.operations.iter().find(|limit| limit.method == *operation.0 && limit.template == operation.1);
        let wait = async {
            if let Some(until) = self.reported_wait(tenant) {
                tracing::debug!(
                    wait_ms = until.saturating_duration_since(Instant::now()).as_millis() as u64,
                    "waiting for the API's rate limit to reset"
                );
                tokio::time::sleep_until(until.into()).await;
            }
            let Some(cost) = NonZeroU32::new(cost) else { return Ok(()) };
            if let Some(limit) = operation {
                limit.limiter.until_key_n_ready(tenant, cost).await.map_err(|e| too_high(cost, e))?;
            }
            if let Some(limiter) = &self.tenant {
                limiter.until_key_n_ready(tenant, cost).await.map_err(|e| too_high(cost, e))?;
            }
            if let Some(limiter) = &self.client {
                limiter.until_n_ready(cost).await.map_err(|e| too_high(cost, e))?;
            }
            Ok(())
        };
        match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), wait).await.unwrap_or(Ok(())),
            None => wait.await,
        }
    }

    /// Records what a response says of the API's limit for `tenant`.
    pub fn observe(&self, tenant: &Arc<str>, headers: &HeaderMap) {
        let Some(reported) = &self.reported else { return };
        let Some(wait) = exhausted_for(headers, SystemTime::now()) else { return };
        let until = Instant::now() + wait.min(MAX_REPORTED_WAIT);
        reported.lock().unwrap_or_else(PoisonError::into_inner).insert(tenant.clone(), until);
    }

    /// When `tenant` may send again, if the API said it must wait.
    fn reported_wait(&self, tenant: &Arc<str>) -> Option<Instant> {
        let mut reported = self.reported.as_ref()?.lock().unwrap_or_else(PoisonError::into_inner);
        let until = *reported.get(tenant)?;
        if until <= Instant::now() {
            reported.remove(tenant);
            return None;
        }
        Some(until)
    }
}

/// The error for a cost no quota's burst can hold.
fn too_high(cost: NonZeroU32, e: InsufficientCapacity) -> CostTooHigh {
    CostTooHigh { cost: cost.get(), burst: e.0 }
}

/// How long until the limit resets, when the headers say none is left:
/// `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset` as a Unix time in
/// seconds (GitHub) or as seconds from now (smaller than a Unix time of
/// this century).
pub(crate) fn exhausted_for(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    if number("x-ratelimit-remaining")? > 0 {
        return None;
    }
    let reset = number("x-ratelimit-reset")?;
    const A_UNIX_TIME: u64 = 1_000_000_000;
    if reset < A_UNIX_TIME {
        return Some(Duration::from_secs(reset));
    }
    let at = UNIX_EPOCH + Duration::from_secs(reset);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(remaining: &str, reset: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert("x-ratelimit-remaining", HeaderValue::from_str(remaining).unwrap());
        map.insert("x-ratelimit-reset", HeaderValue::from_str(reset).unwrap());
        map
    }

    #[test]
    fn the_reset_is_read_as_a_unix_time_or_as_seconds_from_now() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(exhausted_for(&headers("0", "1700000042"), now), Some(Duration::from_secs(42)));
        assert_eq!(exhausted_for(&headers("0", "1600000000"), now), Some(Duration::ZERO));
        assert_eq!(exhausted_for(&headers("0", "10"), now), Some(Duration::from_secs(10)));
        // Requests left, or headers that do not read as numbers: no wait.
        assert_eq!(exhausted_for(&headers("3", "10"), now), None);
        assert_eq!(exhausted_for(&headers("none", "10"), now), None);
        assert_eq!(exhausted_for(&headers("0", "soon"), now), None);
        assert_eq!(exhausted_for(&HeaderMap::new(), now), None);
    }

    #[test]
    fn a_reported_limit_holds_its_tenant_only_until_the_reset() {
        let limits = RateLimits::new(None, None, Vec::new(), true);
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("a"), Arc::from("b"));
        limits.observe(&a, &headers("0", "30"));
        let until = limits.reported_wait(&a).expect("tenant a waits");
        assert!(until > Instant::now() + Duration::from_secs(29));
        assert_eq!(limits.reported_wait(&b), None);
        limits.observe(&b, &headers("0", "0"));
        assert_eq!(limits.reported_wait(&b), None, "a reset that passed is no wait");
        // Without adaptive limiting, headers are not read.
        let off = RateLimits::new(None, None, Vec::new(), false);
        off.observe(&a, &headers("0", "30"));
        assert_eq!(off.reported_wait(&a), None);
        assert!(!off.is_active());
    }
}
