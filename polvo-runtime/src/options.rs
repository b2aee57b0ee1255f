//! Settings of one call, in place of the client's.

use std::time::Duration;

use crate::retry::RetryPolicy;

/// Settings for one call, given to a request builder's `.with_options(..)`;
/// what is not set here comes from the client's builder.
///
/// ```
/// use polvo_runtime::CallOptions;
/// use std::time::Duration;
/// // One retry at most, and 5 s for the whole call, retries included.
/// let options = CallOptions::new().retries(1).timeout(Duration::from_secs(5));
/// # let _ = options;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct CallOptions {
    retries: Option<u32>,
    retry_policy: Option<RetryPolicy>,
    timeout: Option<Option<Duration>>,
    attempt_timeout: Option<Option<Duration>>,
    rate_limit_cost: Option<u32>,
}

impl CallOptions {
    /// No overrides: the client's settings apply.
    pub const fn new() -> Self {
        CallOptions { retries: None, retry_policy: None, timeout: None, attempt_timeout: None, rate_limit_cost: None }
    }

    /// How many times a failed attempt is retried (0: none).
    pub const fn retries(mut self, retries: u32) -> Self {
        self.retries = Some(retries);
        self
    }

    /// The whole retry policy of this call.
    pub const fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// The time the whole call may take, every attempt and wait included
    /// (`None` waits forever).
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = Some(timeout.into());
        self
    }

    /// The time one attempt may take, from sending to reading the body
    /// (`None`: only the call's timeout applies).
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.attempt_timeout = Some(timeout.into());
        self
    }

    /// How many cells of the client's rate-limit quotas each attempt of this
    /// call takes (1 unless set): for an API that counts some calls as
    /// several (a search, a batch). `0` exempts the call from the quotas;
    /// the wait the API itself reported (`.adaptive_rate_limit()`) still
    /// holds. A cost above a quota's burst fails the call before anything
    /// is sent ([`RequestError::RateLimitCost`](crate::RequestError::RateLimitCost)).
    pub const fn rate_limit_cost(mut self, cost: u32) -> Self {
        self.rate_limit_cost = Some(cost);
        self
    }

    /// These options over the client's `defaults`.
    pub(crate) fn over(self, defaults: &CallSettings) -> CallSettings {
        let mut retry = self.retry_policy.unwrap_or(defaults.retry);
        if let Some(retries) = self.retries {
            retry = retry.max_retries(retries);
        }
        CallSettings {
            retry,
            timeout: self.timeout.unwrap_or(defaults.timeout),
            attempt_timeout: self.attempt_timeout.unwrap_or(defaults.attempt_timeout),
            rate_limit_cost: self.rate_limit_cost.unwrap_or(defaults.rate_limit_cost),
        }
    }
}

/// The settings a call runs with: the client's, with the call's options over them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallSettings {
    pub retry: RetryPolicy,
    /// The whole call, retries included.
    pub timeout: Option<Duration>,
    /// One attempt.
    pub attempt_timeout: Option<Duration>,
    /// The cells of each rate-limit quota an attempt takes.
    pub rate_limit_cost: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_options_override_only_what_they_set() {
        let defaults = CallSettings {
            retry: RetryPolicy::new(),
            timeout: Some(Duration::from_secs(60)),
            attempt_timeout: None,
            rate_limit_cost: 1,
        };
        let same = CallOptions::new().over(&defaults);
        assert_eq!(
            (same.retry, same.timeout, same.attempt_timeout, same.rate_limit_cost),
            (RetryPolicy::new(), defaults.timeout, None, 1)
        );
        let changed = CallOptions::new()
            .retries(0)
            .timeout(None)
            .attempt_timeout(Duration::from_secs(1))
            .rate_limit_cost(0)
            .over(&defaults);
        assert_eq!(changed.rate_limit_cost, 0);
        assert_eq!(changed.retry.retries(), 0);
        assert_eq!(changed.timeout, None);
        assert_eq!(changed.attempt_timeout, Some(Duration::from_secs(1)));
        // `retries` applies on top of a whole policy, in either order.
        let policy = RetryPolicy::new().max_backoff(Duration::from_secs(1));
        let both = CallOptions::new().retries(7).retry_policy(policy).over(&defaults);
        assert_eq!(both.retry, policy.max_retries(7));
    }
}
