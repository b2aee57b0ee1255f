//! OAuth 2.0 for a scheme known only at run time: tools that read a spec
//! when they run (the `polvo` CLI) have no generated client, so they build
//! the auth state of a service from scheme descriptions they made.

use std::sync::Arc;
use std::time::Duration;

use super::credential::Credential;
use super::error::AuthError;
use super::spec::SchemeSpec;
use super::state::AuthState;
use super::store::TokenStore;

/// How long a token request of a standalone state may take.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

impl AuthState {
    /// The auth state of `service` with these `schemes` and `credentials`,
    /// keeping tokens in `store`: what a generated client's builder makes,
    /// for a tool without one. Relative endpoint URLs are resolved against
    /// `base_url`. Not a stable API.
    #[doc(hidden)]
    pub fn standalone(
        service: &'static str,
        schemes: &'static [SchemeSpec],
        mut credentials: Vec<Credential<()>>,
        base_url: Option<&str>,
        store: Arc<dyn TokenStore>,
    ) -> Result<AuthState, AuthError> {
        if let Some(base) = base_url.and_then(|url| url::Url::parse(url).ok()) {
            super::resolve_relative_endpoints(&mut credentials, schemes, &base)?;
        }
        let http = super::TokenClient::new(TOKEN_TIMEOUT);
        let caching = super::CacheSettings {
            skew: crate::client::DEFAULT_REFRESH_SKEW,
            capacity: super::DEFAULT_TOKEN_CACHE_CAPACITY,
        };
        AuthState::new(service, schemes, credentials, store, http, caching)
    }
}
