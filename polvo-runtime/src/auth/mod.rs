//! Credentials and tokens: API keys, HTTP basic and bearer, OAuth 2.0 with
//! automatic refresh, and JWTs the client signs itself.
//!
//! A generated client knows its service's security schemes (from the spec
//! and its `x-polvo` section) and which operations need which. Give it
//! credentials once, with `.credential(..)` on its builder or with
//! `Client::from_env()`, and every request carries what its operation
//! needs: tokens are fetched, cached, refreshed before they expire (one
//! refresh for any number of concurrent calls) and renewed once after a
//! 401.

mod cache;
mod credential;
mod encrypted;
mod endpoints;
mod error;
mod http;
mod jwt;
mod oauth;
mod pending;
#[cfg(feature = "redis")]
mod redis_store;
mod reply;
pub(crate) mod spec;
mod standalone;
pub(crate) mod state;
mod store;
mod store_location;
mod tenant;
mod token;

pub(crate) use cache::CacheSettings;
/// How many tenants' tokens each scheme keeps in memory unless the builder
/// says otherwise (`token_cache_capacity`).
pub const DEFAULT_TOKEN_CACHE_CAPACITY: usize = cache::DEFAULT_CAPACITY;
pub use credential::{Credential, JwtCredential, OAuth2Credential};
pub use encrypted::{EncryptedStore, EncryptionKey, KEY_BYTES, Keyring};
pub use error::AuthError;
pub use oauth::{DeviceLogin, PendingLogin};
pub use pending::StoredLogin;
#[cfg(feature = "redis")]
pub use redis_store::{DEFAULT_LEASE, DEFAULT_REDIS_LOCK_TIMEOUT, DEFAULT_REDIS_TIMEOUT, RedisStore};
pub use spec::{ClientAuth, Grant};
pub use store::{DEFAULT_FILE_LOCK_TIMEOUT, FileStore, MemoryStore, StoreError, StoreFuture, StoreLock, TokenStore};
pub use token::{StoredTokens, TokenKey, TokenSet};

pub(crate) use endpoints::resolve_relative_endpoints;
pub(crate) use http::{is_secure, token_client};
pub(crate) use spec::{SchemeSpec, Security};
pub(crate) use state::{Applied, AuthState, Target, TokenClient};

/// The OAuth 2.0 side of a client, for one tenant: logins, tokens,
/// revocation. Reached with `client.auth()`.
#[derive(Clone, Copy, Debug)]
pub struct Auth<'a> {
    state: &'a AuthState,
    tenant: &'a str,
    scheme: Option<&'a str>,
}

impl<'a> Auth<'a> {
    pub(crate) fn new(state: &'a AuthState, tenant: &'a str) -> Self {
        Auth { state, tenant, scheme: None }
    }

    /// Uses `scheme` when the service has several OAuth 2.0 schemes (by
    /// default the one that was configured is used).
    pub fn scheme(mut self, scheme: &'a str) -> Self {
        self.scheme = Some(scheme);
        self
    }

    /// The tenant these tokens belong to.
    pub fn tenant(&self) -> &str {
        self.tenant
    }

    /// Starts an authorization code login with PKCE: send the user to the
    /// returned URL. `scopes` empty means the default scopes.
    ///
    /// The login is kept in this process's memory, so the redirect must
    /// come back to this process; behind a load balancer use
    /// [`Auth::start_login`].
    pub fn auth_url(&self, scopes: &[&str]) -> Result<PendingLogin, AuthError> {
        self.state.auth_url(self.scheme, scopes, self.tenant)
    }

    /// Starts an authorization code login like [`Auth::auth_url`], but keeps
    /// it (PKCE verifier, tenant, expiry) in the client's token store, so
    /// that any process sharing the store can finish it with
    /// [`Auth::fetch_access_token`]: once, within 10 minutes, for this
    /// tenant only. The verifier is encrypted when the store is an
    /// [`EncryptedStore`]. A store that cannot keep the login is
    /// [`AuthError::Store`].
    pub async fn start_login(&self, scopes: &[&str]) -> Result<PendingLogin, AuthError> {
        self.state.start_login(self.scheme, scopes, self.tenant).await
    }

    /// Finishes a login with the `code` and `state` the redirect brought:
    /// checks `state`, exchanges the code and stores the tokens for this
    /// tenant, which is returned. Only the tenant that started the login can
    /// finish it: a `state` another tenant started is
    /// [`AuthError::StateMismatch`], and nothing is sent to the provider.
    pub async fn fetch_access_token(&self, code: &str, state: &str) -> Result<String, AuthError> {
        self.state.fetch_access_token(self.scheme, self.tenant, code, state).await
    }

    /// Starts a device login (RFC 8628) for command-line apps.
    pub async fn device_login(&self, scopes: &[&str]) -> Result<DeviceLogin, AuthError> {
        self.state.device_login(self.scheme, scopes, self.tenant).await
    }

    /// Waits until the user approves a device login, then stores the tokens.
    pub async fn finish_device_login(&self, login: &DeviceLogin) -> Result<(), AuthError> {
        self.state.finish_device_login(self.scheme, login).await
    }

    /// A fresh access token of `scheme`, refreshed if needed.
    pub async fn token(&self, scheme: &str) -> Result<TokenSet, AuthError> {
        self.state.token(scheme, self.tenant).await
    }

    /// Stores tokens obtained elsewhere.
    pub async fn set_tokens(&self, tokens: TokenSet) -> Result<(), AuthError> {
        self.state.set_tokens(self.scheme, self.tenant, tokens).await
    }

    /// Revokes the tenant's tokens at the provider (RFC 7009) and forgets them.
    pub async fn revoke(&self) -> Result<(), AuthError> {
        self.state.revoke(self.scheme, self.tenant).await
    }
}
