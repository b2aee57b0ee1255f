//! Tokens and what is known about them.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An access token, with the refresh token that renews it and when it
/// expires. Secrets never appear in `Debug` output.
#[derive(Clone)]
pub struct TokenSet {
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token, when the provider issued one.
    pub refresh_token: Option<SecretString>,
    /// When the access token expires, if the provider said.
    pub expires_at: Option<SystemTime>,
    /// The scopes granted.
    pub scopes: Vec<String>,
}

impl TokenSet {
    /// A token set holding only an access token.
    pub fn new(access_token: impl Into<String>) -> Self {
        TokenSet {
            access_token: SecretString::from(access_token.into()),
            refresh_token: None,
            expires_at: None,
            scopes: Vec::new(),
        }
    }

    /// Whether the access token is still good for at least `skew`: the
    /// rule the token cache applies to tokens of unknown age (loaded from a
    /// store or given by the user). Tokens it has just obtained are renewed
    /// at most half their life early instead.
    pub fn is_fresh(&self, skew: Duration) -> bool {
        match self.expires_at {
            None => true,
            // A skew too large to add to the clock leaves no token fresh.
            Some(at) => SystemTime::now().checked_add(skew).is_some_and(|soon| soon < at),
        }
    }

    /// Whether this is the same access token as `other`.
    pub fn same_access_token(&self, other: &TokenSet) -> bool {
        self.access_token.expose_secret() == other.access_token.expose_secret()
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[redacted]"))
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// The stored form of a [`TokenSet`] (used by stores that write tokens out).
#[derive(Serialize, Deserialize)]
pub struct StoredTokens {
    access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at_unix: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    scopes: Vec<String>,
}

impl From<&TokenSet> for StoredTokens {
    fn from(t: &TokenSet) -> Self {
        StoredTokens {
            access_token: t.access_token.expose_secret().to_owned(),
            refresh_token: t.refresh_token.as_ref().map(|r| r.expose_secret().to_owned()),
            // A time before 1970 is stored as 0, expired: not as no expiry.
            expires_at_unix: t.expires_at.map(|at| at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())),
            scopes: t.scopes.clone(),
        }
    }
}

impl From<StoredTokens> for TokenSet {
    fn from(s: StoredTokens) -> Self {
        TokenSet {
            access_token: SecretString::from(s.access_token),
            refresh_token: s.refresh_token.map(SecretString::from),
            // A time past what the clock can hold is taken as no expiry given.
            expires_at: s.expires_at_unix.and_then(|secs| UNIX_EPOCH.checked_add(Duration::from_secs(secs))),
            scopes: s.scopes,
        }
    }
}

/// When a token that lives `seconds` from now expires; `None` (no known
/// expiry) when a token endpoint sends a lifetime past what the clock can
/// hold.
pub(crate) fn expires_in(seconds: Duration) -> Option<SystemTime> {
    SystemTime::now().checked_add(seconds)
}

/// Which tokens: a service's scheme, for one tenant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenKey {
    /// The service (module) name.
    pub service: String,
    /// The security scheme.
    pub scheme: String,
    /// The tenant: one user, account, portal or installation. `default` for
    /// clients that serve one.
    pub tenant: String,
}

impl TokenKey {
    /// A key.
    pub fn new(service: impl Into<String>, scheme: impl Into<String>, tenant: impl Into<String>) -> Self {
        TokenKey { service: service.into(), scheme: scheme.into(), tenant: tenant.into() }
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.service, self.scheme, self.tenant)
    }
}
