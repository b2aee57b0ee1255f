//! OAuth 2.0 on the `oauth2` crate: the authorization code flow with PKCE
//! and `state`, client credentials, refresh with rotation, device
//! authorization and revocation, with tokens cached per tenant.

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, DeviceAuthorizationUrl, EndpointMaybeSet,
    EndpointNotSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardDeviceAuthorizationResponse, StandardRevocableToken, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use super::cache::{Arrival, CacheSettings, TokenCache};
use super::endpoints::check_endpoint;
use super::error::AuthError;
use super::http::{TokenHttp, TokenHttpError};
use super::jwt::{SigningKey, client_assertion};
use super::pending::{LOGIN_TTL, PendingLogins, StoredLogin};
use super::reply::TokenReply;
use super::spec::{ClientAuth, Grant};
use super::store::TokenStore;
use super::token::{TokenKey, TokenSet};

/// The `oauth2` client polvo uses, before its endpoints are set: its own
/// token reply type, so that `token_type` is checked and may be absent.
type UnconfiguredClient = oauth2::Client<
    BasicErrorResponse,
    TokenReply,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

/// That client with its endpoints set.
type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenReply,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointMaybeSet,
    EndpointMaybeSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
>;

/// An OAuth 2.0 scheme with its client registration, ready to get tokens.
pub struct OAuth2Provider {
    pub(crate) scheme: String,
    pub(crate) service: String,
    pub(crate) grant: Grant,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<SecretString>,
    pub(crate) client_auth: ClientAuth,
    pub(crate) client_key: Option<SigningKey>,
    pub(crate) authorization_url: Option<String>,
    pub(crate) token_url: String,
    pub(crate) revocation_url: Option<String>,
    pub(crate) device_authorization_url: Option<String>,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) initial_refresh_token: Option<SecretString>,
    pub(crate) cache: TokenCache,
    pending: PendingLogins,
}

/// A login started by `start_login` or `auth_url`: send the user to
/// [`PendingLogin::url`], then pass the `code` and `state` the redirect
/// brings to `fetch_access_token`.
#[derive(Clone)]
pub struct PendingLogin {
    url: String,
    state: String,
}

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLogin").field("url", &self.url).finish_non_exhaustive()
    }
}

impl PendingLogin {
    /// The authorization URL to open in a browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `state` value the redirect must bring back.
    pub fn state(&self) -> &str {
        &self.state
    }
}

/// A device login (RFC 8628): show [`DeviceLogin::verification_uri`] and
/// [`DeviceLogin::user_code`] to the user, then wait with `finish`.
pub struct DeviceLogin {
    pub(crate) details: StandardDeviceAuthorizationResponse,
    pub(crate) tenant: String,
}

impl std::fmt::Debug for DeviceLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceLogin")
            .field("verification_uri", &self.verification_uri())
            .field("user_code", &self.user_code())
            .finish_non_exhaustive()
    }
}

impl DeviceLogin {
    /// Where the user goes to approve.
    pub fn verification_uri(&self) -> &str {
        self.details.verification_uri().as_str()
    }

    /// The code the user types there.
    pub fn user_code(&self) -> &str {
        self.details.user_code().secret()
    }

    /// The URI with the code already filled in, when the provider gives one.
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.details.verification_uri_complete().map(|u| u.secret().as_str())
    }
}

impl OAuth2Provider {
    /// A provider; checks the token endpoint, which every grant uses. The
    /// revocation and device authorization endpoints are checked when they
    /// are used, so one the credential never uses cannot block it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        service: &str,
        scheme: &str,
        grant: Grant,
        client_id: String,
        client_secret: Option<SecretString>,
        client_auth: ClientAuth,
        client_key: Option<SigningKey>,
        urls: Endpoints,
        scopes: Vec<String>,
        initial_refresh_token: Option<SecretString>,
        caching: CacheSettings,
    ) -> Result<Self, AuthError> {
        let config = |reason: &str| AuthError::Config { scheme: scheme.to_owned(), reason: reason.to_owned() };
        let token_url = urls.token.ok_or_else(|| config("no token URL"))?;
        check_endpoint(scheme, "token_url", &token_url)?;
        if client_auth == ClientAuth::PrivateKeyJwt && client_key.is_none() {
            return Err(config("`private_key_jwt` needs the client's private key"));
        }
        if matches!(client_auth, ClientAuth::ClientSecretBasic | ClientAuth::ClientSecretPost)
            && client_secret.is_none()
        {
            return Err(config("this client authentication needs a client secret"));
        }
        Ok(OAuth2Provider {
            scheme: scheme.to_owned(),
            service: service.to_owned(),
            grant,
            client_id,
            client_secret,
            client_auth,
            client_key,
            authorization_url: urls.authorization,
            token_url,
            revocation_url: urls.revocation,
            device_authorization_url: urls.device,
            redirect_uri: urls.redirect,
            scopes,
            initial_refresh_token,
            cache: TokenCache::with_settings(caching),
            pending: PendingLogins::default(),
        })
    }

    /// The store key of `tenant`'s tokens; refuses tenants that cannot be used.
    fn key(&self, tenant: &str) -> Result<TokenKey, AuthError> {
        super::tenant::check(tenant)?;
        Ok(TokenKey::new(self.service.clone(), self.scheme.clone(), tenant))
    }

    /// An invalid endpoint URL as a configuration error.
    fn bad_url(&self, what: &str, e: url::ParseError) -> AuthError {
        AuthError::Config { scheme: self.scheme.clone(), reason: format!("invalid {what}: {e}") }
    }

    /// The client for logins in a browser: with the authorization endpoint.
    fn login_client(&self) -> Result<OAuthClient, AuthError> {
        let url = self.authorization_url.clone().map(AuthUrl::new).transpose();
        Ok(self.client()?.set_auth_uri_option(url.map_err(|e| self.bad_url("authorization URL", e))?))
    }

    /// The client for device logins: with the device authorization
    /// endpoint, checked now as it receives the client's credentials.
    fn device_client(&self) -> Result<OAuthClient, AuthError> {
        let url = self.device_authorization_url.as_deref().ok_or_else(|| AuthError::Config {
            scheme: self.scheme.clone(),
            reason: "no device authorization URL".into(),
        })?;
        check_endpoint(&self.scheme, "device_authorization_url", url)?;
        let url =
            DeviceAuthorizationUrl::new(url.to_owned()).map_err(|e| self.bad_url("device authorization URL", e))?;
        Ok(self.client()?.set_device_authorization_url_option(Some(url)))
    }

    /// The client for token requests: only the endpoints every grant uses,
    /// so an unusable endpoint of another flow does not get in the way.
    fn client(&self) -> Result<OAuthClient, AuthError> {
        let token_url = TokenUrl::new(self.token_url.clone()).map_err(|e| self.bad_url("token URL", e))?;
        let mut client = UnconfiguredClient::new(ClientId::new(self.client_id.clone()))
            .set_auth_uri_option(None)
            .set_token_uri_option(Some(token_url))
            .set_device_authorization_url_option(None);
        if let Some(uri) = &self.redirect_uri {
            client =
                client.set_redirect_uri(RedirectUrl::new(uri.clone()).map_err(|e| self.bad_url("redirect URI", e))?);
        }
        match self.client_auth {
            ClientAuth::ClientSecretBasic => {}
            ClientAuth::ClientSecretPost | ClientAuth::PrivateKeyJwt | ClientAuth::None => {
                client = client.set_auth_type(oauth2::AuthType::RequestBody);
            }
        }
        if matches!(self.client_auth, ClientAuth::ClientSecretBasic | ClientAuth::ClientSecretPost)
            && let Some(secret) = &self.client_secret
        {
            client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
        }
        Ok(client)
    }

    /// The extra form parameters of `private_key_jwt` client authentication.
    fn assertion_params(&self) -> Result<Vec<(&'static str, String)>, AuthError> {
        match (&self.client_auth, &self.client_key) {
            (ClientAuth::PrivateKeyJwt, Some(key)) => {
                let assertion = client_assertion(key, &self.client_id, &self.token_url)
                    .map_err(|reason| AuthError::InvalidKey { scheme: self.scheme.clone(), reason })?;
                Ok(vec![
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned()),
                    ("client_assertion", assertion),
                ])
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Maps a failed token request to an [`AuthError`]; `refreshing` turns
    /// `invalid_grant` into [`AuthError::ReauthorizationRequired`].
    fn token_error<T: oauth2::ErrorResponseType + std::fmt::Display + 'static>(
        &self,
        error: RequestTokenError<TokenHttpError, oauth2::StandardErrorResponse<T>>,
        tenant: &str,
        refreshing: bool,
    ) -> AuthError {
        match error {
            RequestTokenError::ServerResponse(response) => {
                let description = response.error_description().cloned();
                let code = response.error().to_string();
                if refreshing && code == BasicErrorResponseType::InvalidGrant.as_ref() {
                    return AuthError::ReauthorizationRequired {
                        scheme: self.scheme.clone(),
                        tenant: tenant.to_owned(),
                        reason: description.unwrap_or_else(|| "invalid_grant".to_owned()),
                    };
                }
                AuthError::TokenEndpoint { scheme: self.scheme.clone(), error: code, description }
            }
            RequestTokenError::Request(e) => e.into_auth_error(&self.scheme),
            RequestTokenError::Parse(e, _) => {
                // serde's own message can quote the value it could not read,
                // which may be a token: say where and what kind of problem only.
                let reason = format!("at `{}`: {}", e.path(), super::error::json_problem(e.inner()));
                AuthError::MalformedResponse { scheme: self.scheme.clone(), reason }
            }
            RequestTokenError::Other(reason) => AuthError::MalformedResponse { scheme: self.scheme.clone(), reason },
        }
    }

    /// A fresh access token for `tenant`, refreshing (once, for every
    /// concurrent caller, in a task that finishes even if they all stop
    /// waiting) when the cached one is about to expire.
    pub(crate) async fn token(
        self: &Arc<Self>,
        http: &reqwest::Client,
        store: &Arc<dyn TokenStore>,
        tenant: &str,
    ) -> Result<TokenSet, AuthError> {
        if let Some(t) = self.cache.fresh(tenant) {
            return Ok(t);
        }
        let key = self.key(tenant)?;
        let (provider, http, owned) = (self.clone(), http.clone(), tenant.to_owned());
        let refresh = move |previous| -> super::cache::RefreshFuture {
            Box::pin(async move { provider.obtain(&http, &owned, previous).await })
        };
        self.cache.get(&key, store, refresh).await
    }

    /// Gets new tokens without a user: by refresh token, or by client
    /// credentials for clients that use them.
    async fn obtain(
        &self,
        http: &reqwest::Client,
        tenant: &str,
        previous: Option<TokenSet>,
    ) -> Result<TokenSet, AuthError> {
        // A client with its own credentials asks for a new token with them
        // (RFC 6749 §4.4.3): a refresh token it was given could die and
        // leave a machine client needing a login it cannot do.
        let refresh = match self.grant {
            Grant::ClientCredentials => None,
            _ => previous.as_ref().and_then(|p| p.refresh_token.clone()).or_else(|| self.initial_refresh_token.clone()),
        };
        let client = self.client()?;
        let caller = TokenHttp(http.clone());
        if let Some(refresh) = refresh {
            tracing::debug!(scheme = %self.scheme, tenant, "refreshing the access token");
            let token = RefreshToken::new(refresh.expose_secret().to_owned());
            let mut request = client
                .exchange_refresh_token(&token)
                .map_err(|e| AuthError::Config { scheme: self.scheme.clone(), reason: e.to_string() })?;
            for (name, value) in self.assertion_params()? {
                request = request.add_extra_param(name, value);
            }
            let response = request.request_async(&caller).await.map_err(|e| self.token_error(e, tenant, true))?;
            return response.into_tokens(&self.scheme);
        }
        if self.grant == Grant::ClientCredentials {
            tracing::debug!(scheme = %self.scheme, tenant, "requesting a token with client credentials");
            let mut request = client
                .exchange_client_credentials()
                .map_err(|e| AuthError::Config { scheme: self.scheme.clone(), reason: e.to_string() })?
                .add_scopes(self.scopes.iter().cloned().map(Scope::new));
            for (name, value) in self.assertion_params()? {
                request = request.add_extra_param(name, value);
            }
            let response = request.request_async(&caller).await.map_err(|e| self.token_error(e, tenant, false))?;
            return response.into_tokens(&self.scheme);
        }
        Err(AuthError::NotAuthorized { scheme: self.scheme.clone(), tenant: tenant.to_owned() })
    }

    /// Starts an authorization code login with PKCE (S256) and a random
    /// `state`, kept in this process until the redirect comes back.
    pub(crate) fn authorize(&self, scopes: &[&str], tenant: &str) -> Result<PendingLogin, AuthError> {
        let (login, verifier) = self.login_url(scopes, tenant)?;
        self.pending.insert(login.state.clone(), verifier, tenant, Instant::now());
        Ok(login)
    }

    /// Starts a login like [`OAuth2Provider::authorize`], kept in `store`
    /// (encrypted if the store encrypts) so that any process sharing it can
    /// finish the login.
    pub(crate) async fn start_login(
        &self,
        store: &dyn TokenStore,
        scopes: &[&str],
        tenant: &str,
    ) -> Result<PendingLogin, AuthError> {
        let key = self.key(tenant)?;
        let (login, verifier) = self.login_url(scopes, tenant)?;
        let record = StoredLogin::new(SecretString::from(verifier.into_secret()), SystemTime::now() + LOGIN_TTL);
        store.save_login(&key, &login.state, &record).await?;
        Ok(login)
    }

    /// The authorization URL of a new login of `tenant`, with its PKCE verifier.
    fn login_url(&self, scopes: &[&str], tenant: &str) -> Result<(PendingLogin, PkceCodeVerifier), AuthError> {
        super::tenant::check(tenant)?;
        let client = self.login_client()?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let scopes: Vec<Scope> = if scopes.is_empty() {
            self.scopes.iter().cloned().map(Scope::new).collect()
        } else {
            scopes.iter().map(|s| Scope::new((*s).to_owned())).collect()
        };
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .map_err(|e| AuthError::Config { scheme: self.scheme.clone(), reason: e.to_string() })?
            .add_scopes(scopes)
            .set_pkce_challenge(challenge)
            .url();
        Ok((PendingLogin { url: url.to_string(), state: state.secret().clone() }, verifier))
    }

    /// Finishes a login `tenant` started: checks `state` (a login another
    /// tenant started is refused, and nothing is sent), exchanges the code
    /// with the PKCE verifier, and stores the tokens.
    pub(crate) async fn finish_login(
        &self,
        http: &reqwest::Client,
        store: &dyn TokenStore,
        tenant: &str,
        code: &str,
        state: &str,
    ) -> Result<TokenSet, AuthError> {
        let key = self.key(tenant)?;
        // The code can be redeemed once: make sure the store could save its
        // tokens before spending it, and before using up the login's state
        // (a store failure leaves the login to be finished again). Should
        // saving still fail, the tokens stay cached.
        store.check(&key).await?;
        let verifier = self.take_verifier(store, &key, state).await?;
        let client = self.client()?;
        let caller = TokenHttp(http.clone());
        let mut request = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| AuthError::Config { scheme: self.scheme.clone(), reason: e.to_string() })?
            .set_pkce_verifier(verifier);
        for (name, value) in self.assertion_params()? {
            request = request.add_extra_param(name, value);
        }
        let response = request.request_async(&caller).await.map_err(|e| self.token_error(e, tenant, false))?;
        let tokens = response.into_tokens(&self.scheme)?;
        self.save_under(store, &key, &tokens, Arrival::Fetched).await?;
        Ok(tokens)
    }

    /// The PKCE verifier of the login `key`'s tenant started with `state`,
    /// taken once: from this process's logins (`auth_url`), else from the
    /// store (`start_login`, in any process). Unknown, expired, already
    /// finished, or started by another tenant: [`AuthError::StateMismatch`].
    async fn take_verifier(
        &self,
        store: &dyn TokenStore,
        key: &TokenKey,
        state: &str,
    ) -> Result<PkceCodeVerifier, AuthError> {
        if let Ok(verifier) = self.pending.take(state, &key.tenant, Instant::now()) {
            return Ok(verifier);
        }
        let Some(login) = store.take_login(key, state).await? else { return Err(AuthError::StateMismatch) };
        if !login.is_live(SystemTime::now()) {
            tracing::debug!(scheme = %self.scheme, tenant = %key.tenant, "refused an expired login");
            return Err(AuthError::StateMismatch);
        }
        Ok(PkceCodeVerifier::new(login.verifier.expose_secret().to_owned()))
    }

    /// Stores tokens for a tenant (a login finished elsewhere, or restored).
    /// Their age is unknown, so they are renewed the full skew before expiry.
    pub(crate) async fn save(&self, store: &dyn TokenStore, tenant: &str, tokens: &TokenSet) -> Result<(), AuthError> {
        self.save_under(store, &self.key(tenant)?, tokens, Arrival::Loaded).await
    }

    /// Keeps tokens in the cache, then saves them: if the store fails, this
    /// process can still use them (and the error says the store failed).
    /// A refresh under way finishes first, and none starts meanwhile, so
    /// it can neither overwrite these tokens nor mark them dead.
    async fn save_under(
        &self,
        store: &dyn TokenStore,
        key: &TokenKey,
        tokens: &TokenSet,
        arrival: Arrival,
    ) -> Result<(), AuthError> {
        self.cache
            .exclusive(&key.tenant, async {
                self.cache.put(&key.tenant, tokens.clone(), arrival);
                let _store_lock = store.lock(key).await?;
                store.save(key, tokens).await?;
                Ok(())
            })
            .await
    }

    /// Starts a device login.
    pub(crate) async fn start_device(
        &self,
        http: &reqwest::Client,
        scopes: &[&str],
        tenant: &str,
    ) -> Result<DeviceLogin, AuthError> {
        super::tenant::check(tenant)?;
        let client = self.device_client()?;
        let caller = TokenHttp(http.clone());
        let scopes: Vec<Scope> = if scopes.is_empty() {
            self.scopes.iter().cloned().map(Scope::new).collect()
        } else {
            scopes.iter().map(|s| Scope::new((*s).to_owned())).collect()
        };
        let mut request = client
            .exchange_device_code()
            .map_err(|e| AuthError::Config { scheme: self.scheme.clone(), reason: e.to_string() })?
            .add_scopes(scopes);
        for (name, value) in self.assertion_params()? {
            request = request.add_extra_param(name, value);
        }
        let details = request.request_async(&caller).await.map_err(|e| self.token_error(e, tenant, false))?;
        Ok(DeviceLogin { details, tenant: tenant.to_owned() })
    }

    /// Polls until the user approves a device login (or it expires), then stores the tokens.
    pub(crate) async fn finish_device(
        &self,
        http: &reqwest::Client,
        store: &dyn TokenStore,
        login: &DeviceLogin,
    ) -> Result<TokenSet, AuthError> {
        let client = self.device_client()?;
        let caller = TokenHttp(http.clone());
        let response = client
            .exchange_device_access_token(&login.details)
            .map_err(|e| AuthError::Config { scheme: self.scheme.clone(), reason: e.to_string() })?
            .request_async(&caller, tokio::time::sleep, None)
            .await
            .map_err(|e| self.token_error(e, &login.tenant, false))?;
        let tokens = response.into_tokens(&self.scheme)?;
        self.save_under(store, &self.key(&login.tenant)?, &tokens, Arrival::Fetched).await?;
        Ok(tokens)
    }

    /// Revokes a tenant's tokens at the provider (refresh token first, as it
    /// also ends the access tokens it issued) and forgets them. A refresh
    /// under way finishes first (its rotated refresh token is the one
    /// revoked), and calls for a token made meanwhile wait for the
    /// revocation instead of refreshing.
    pub(crate) async fn revoke(
        &self,
        http: &reqwest::Client,
        store: &dyn TokenStore,
        tenant: &str,
    ) -> Result<(), AuthError> {
        let key = self.key(tenant)?;
        self.cache
            .exclusive(tenant, async {
                let _store_lock = store.lock(&key).await?;
                let stored = store.load(&key).await?;
                // Cached tokens that are stored nowhere (given in the
                // configuration) still hold a live refresh token after their
                // access token expired.
                let cached = || {
                    let live = |t: &TokenSet| t.expires_at.is_none_or(|at| std::time::SystemTime::now() < at);
                    self.cache.current(tenant).filter(|t| t.refresh_token.is_some() || live(t))
                };
                if let Some(tokens) = stored.or_else(cached) {
                    self.send_revocation(http, &tokens).await?;
                }
                store.remove(&key).await?;
                self.cache.forget(tenant);
                Ok(())
            })
            .await
    }

    /// Asks the provider to revoke `tokens` (RFC 7009).
    async fn send_revocation(&self, http: &reqwest::Client, tokens: &TokenSet) -> Result<(), AuthError> {
        let Some(url) = &self.revocation_url else {
            return Err(AuthError::Config { scheme: self.scheme.clone(), reason: "no revocation URL".into() });
        };
        check_endpoint(&self.scheme, "revocation_url", url)?;
        // RFC 7009, sent directly: the `oauth2` crate refuses plain-http
        // revocation URLs even on loopback.
        let (token, hint) = match &tokens.refresh_token {
            Some(r) => (r.expose_secret().to_owned(), "refresh_token"),
            None => (tokens.access_token.expose_secret().to_owned(), "access_token"),
        };
        let mut form = vec![("token", token), ("token_type_hint", hint.to_owned())];
        let mut request = http.post(url).header(http::header::ACCEPT, "application/json");
        match self.client_auth {
            ClientAuth::ClientSecretBasic => {
                let secret = self.client_secret.as_ref().map(|s| s.expose_secret().to_owned());
                request = request.basic_auth(oauth_encode(&self.client_id), secret.as_deref().map(oauth_encode));
            }
            ClientAuth::ClientSecretPost => {
                form.push(("client_id", self.client_id.clone()));
                if let Some(secret) = &self.client_secret {
                    form.push(("client_secret", secret.expose_secret().to_owned()));
                }
            }
            ClientAuth::PrivateKeyJwt | ClientAuth::None => {
                form.push(("client_id", self.client_id.clone()));
                for (name, value) in self.assertion_params()? {
                    form.push((name, value));
                }
            }
        }
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let response = request
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| AuthError::Transport { scheme: self.scheme.clone(), reason: e.without_url().to_string() })?;
        let status = response.status();
        if !status.is_success() {
            // The error body only explains the failure: unreadable or too large, it is left out.
            let body = super::http::read_limited(response).await.unwrap_or_default();
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            return Err(AuthError::TokenEndpoint {
                scheme: self.scheme.clone(),
                error: json
                    .get("error")
                    .and_then(|e| e.as_str())
                    .map(str::to_owned)
                    .unwrap_or_else(|| status.to_string()),
                description: json.get("error_description").and_then(|e| e.as_str()).map(str::to_owned),
            });
        }
        Ok(())
    }
}

/// Form-encodes a client id or secret for HTTP basic authentication, as
/// RFC 6749 §2.3.1 asks.
fn oauth_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The endpoint URLs of a provider, after overrides.
#[derive(Clone, Debug, Default)]
pub(crate) struct Endpoints {
    pub(crate) authorization: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) revocation: Option<String>,
    pub(crate) device: Option<String>,
    pub(crate) redirect: Option<String>,
}
