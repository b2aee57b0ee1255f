//! Logins started by `auth_url` and not finished yet, by their `state`.
//!
//! Each belongs to the tenant that started it: finishing it for another
//! tenant is refused (RFC 6749 §10.12: otherwise a login an attacker started
//! for their own tenant, finished in a victim's browser, would store the
//! victim's tokens under the attacker's tenant). Logins expire after
//! [`LOGIN_TTL`], and at most [`MAX_PENDING`] are kept: when full, the
//! oldest gives way.
//!
//! Logins started with `start_login` are kept in the token store instead,
//! as [`StoredLogin`] records, so that any process sharing the store can
//! finish them.

use oauth2::PkceCodeVerifier;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::store::StoreError;

use super::error::AuthError;

/// How long a started login waits for its redirect.
pub(crate) const LOGIN_TTL: Duration = Duration::from_secs(600);

/// How many unfinished logins are kept.
pub(crate) const MAX_PENDING: usize = 10_000;

/// A login waiting in a token store for its redirect, kept under the
/// store key of the tenant that started it and its `state`.
///
/// Stores keep it until it is taken (once) or expires. Below an
/// [`EncryptedStore`](super::EncryptedStore), the store it wraps sees a
/// record whose `verifier` is the sealed login; `Debug` never shows it.
#[derive(Debug, Clone)]
pub struct StoredLogin {
    /// The PKCE code verifier: a secret, as it redeems the login's code.
    pub verifier: SecretString,
    /// When the login stops being accepted.
    pub expires_at: SystemTime,
}

/// A stored login as JSON: `{"verifier": …, "expires_at_ms": unix milliseconds}`.
#[derive(serde::Serialize, serde::Deserialize)]
struct LoginJson {
    verifier: String,
    expires_at_ms: u64,
}

impl StoredLogin {
    /// A login whose verifier is `verifier`, accepted until `expires_at`.
    pub fn new(verifier: SecretString, expires_at: SystemTime) -> Self {
        StoredLogin { verifier, expires_at }
    }

    /// Whether it is still accepted at `now`.
    pub fn is_live(&self, now: SystemTime) -> bool {
        now < self.expires_at
    }

    /// How long it has left at `now` (zero once expired).
    pub fn time_left(&self, now: SystemTime) -> Duration {
        self.expires_at.duration_since(now).unwrap_or(Duration::ZERO)
    }

    /// The record as JSON text, as stores keep it.
    pub fn to_json(&self) -> SecretString {
        let ms =
            self.expires_at.duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let json = LoginJson { verifier: self.verifier.expose_secret().to_owned(), expires_at_ms: ms };
        // A struct of a string and a number always serializes.
        SecretString::from(serde_json::to_string(&json).unwrap_or_default())
    }

    /// A record from the JSON [`StoredLogin::to_json`] wrote; `what` names
    /// it in the error.
    pub fn from_json(text: &str, what: &str) -> Result<Self, StoreError> {
        let json: LoginJson = serde_json::from_str(text)
            .map_err(|e| StoreError(format!("{what} is no pending login: {}", super::error::json_problem(&e))))?;
        Ok(StoredLogin {
            verifier: SecretString::from(json.verifier),
            expires_at: UNIX_EPOCH + Duration::from_millis(json.expires_at_ms),
        })
    }
}

/// The unfinished logins of one OAuth 2.0 scheme.
pub(crate) struct PendingLogins {
    by_state: Mutex<HashMap<String, Pending>>,
    ttl: Duration,
    capacity: usize,
}

struct Pending {
    verifier: PkceCodeVerifier,
    tenant: String,
    started: Instant,
}

impl Default for PendingLogins {
    fn default() -> Self {
        PendingLogins::with_limits(LOGIN_TTL, MAX_PENDING)
    }
}

impl PendingLogins {
    /// A table whose logins expire after `ttl`, keeping at most `capacity`.
    pub(crate) fn with_limits(ttl: Duration, capacity: usize) -> Self {
        PendingLogins { by_state: Mutex::default(), ttl, capacity: capacity.max(1) }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.by_state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a login of `tenant` started `now`, dropping expired ones and,
    /// if the table is full, the oldest.
    pub(crate) fn insert(&self, state: String, verifier: PkceCodeVerifier, tenant: &str, now: Instant) {
        let mut table = self.table();
        table.retain(|_, p| now.saturating_duration_since(p.started) < self.ttl);
        while table.len() >= self.capacity {
            let Some(oldest) = table.iter().min_by_key(|(_, p)| p.started).map(|(s, _)| s.clone()) else { break };
            table.remove(&oldest);
        }
        table.insert(state, Pending { verifier, tenant: tenant.to_owned(), started: now });
    }

    /// Takes the login of `state` for `tenant`: its PKCE verifier, once.
    /// An unknown or expired state, or one another tenant started, is
    /// [`AuthError::StateMismatch`]; the other tenant's login stays.
    pub(crate) fn take(&self, state: &str, tenant: &str, now: Instant) -> Result<PkceCodeVerifier, AuthError> {
        let mut table = self.table();
        let Some(pending) = table.get(state) else { return Err(AuthError::StateMismatch) };
        if now.saturating_duration_since(pending.started) >= self.ttl {
            table.remove(state);
            return Err(AuthError::StateMismatch);
        }
        if pending.tenant != tenant {
            tracing::warn!(
                started_by = %pending.tenant,
                presented_by = %tenant,
                "refused a login state that another tenant started"
            );
            return Err(AuthError::StateMismatch);
        }
        table.remove(state).map(|p| p.verifier).ok_or(AuthError::StateMismatch)
    }

    /// How many logins are waiting.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.table().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> PkceCodeVerifier {
        oauth2::PkceCodeChallenge::new_random_sha256().1
    }

    #[test]
    fn a_login_is_finished_once_and_only_by_the_tenant_that_started_it() {
        let logins = PendingLogins::default();
        let now = Instant::now();
        logins.insert("s1".into(), verifier(), "attacker", now);
        assert_eq!(logins.take("s1", "victim", now).unwrap_err(), AuthError::StateMismatch);
        assert_eq!(logins.take("forged", "attacker", now).unwrap_err(), AuthError::StateMismatch);
        logins.take("s1", "attacker", now).expect("the tenant that started it finishes it");
        assert_eq!(logins.take("s1", "attacker", now).unwrap_err(), AuthError::StateMismatch, "single use");
    }

    #[test]
    fn logins_expire() {
        let logins = PendingLogins::with_limits(Duration::from_secs(600), 100);
        let start = Instant::now();
        logins.insert("old".into(), verifier(), "t", start);
        logins.insert("new".into(), verifier(), "t", start + Duration::from_secs(300));
        let later = start + Duration::from_secs(601);
        assert_eq!(logins.take("old", "t", later).unwrap_err(), AuthError::StateMismatch);
        logins.take("new", "t", later).expect("still within its 10 minutes");
        // Expired logins are dropped when new ones arrive, finished or not.
        logins.insert("a".into(), verifier(), "t", start);
        logins.insert("b".into(), verifier(), "t", start + Duration::from_secs(1200));
        assert_eq!(logins.len(), 1);
    }

    #[test]
    fn the_table_is_capped_and_the_oldest_login_gives_way() {
        let logins = PendingLogins::with_limits(Duration::from_secs(600), 50);
        let start = Instant::now();
        for i in 0..1000u64 {
            logins.insert(format!("s{i}"), verifier(), "t", start + Duration::from_millis(i));
            assert!(logins.len() <= 50);
        }
        let now = start + Duration::from_secs(2);
        assert_eq!(logins.take("s0", "t", now).unwrap_err(), AuthError::StateMismatch, "the oldest was dropped");
        logins.take("s999", "t", now).expect("the newest is kept");
    }
}
