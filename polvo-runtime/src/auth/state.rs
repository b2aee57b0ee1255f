//! A client's configured credentials and how they are put on requests.

use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::cache::{CacheSettings, TokenCache};
use super::credential::{Credential, CredentialValue, JwtSettings, OAuth2Settings, expose};
use super::error::{AuthError, or_list};
use super::http::TokenHttpError;
use super::jwt::{SigningKey, as_token_set, mint, resolve_claims};
use super::oauth::{DeviceLogin, Endpoints, OAuth2Provider, PendingLogin};
use super::pending::StoredLogin;
use super::spec::{ClientAuth, Grant, JwtSpec, JwtUse, KeyLocation, Requirement, SchemeKind, SchemeSpec, Security};
use super::store::{StoreError, StoreFuture, TokenStore};
use super::token::{TokenKey, TokenSet, expires_in};

/// The configured schemes, by name. A list: a service has a handful of
/// schemes, and scanning them beats hashing the name on every call.
#[derive(Default)]
struct Providers(Vec<(&'static str, Provider)>);

impl Providers {
    fn get(&self, scheme: &str) -> Option<&Provider> {
        self.0.iter().find(|(name, _)| *name == scheme).map(|(_, provider)| provider)
    }

    fn contains_key(&self, scheme: &str) -> bool {
        self.get(scheme).is_some()
    }

    /// Adds the provider of `scheme`, replacing an earlier one.
    fn insert(&mut self, scheme: &'static str, provider: Provider) {
        match self.0.iter_mut().find(|(name, _)| *name == scheme) {
            Some(slot) => slot.1 = provider,
            None => self.0.push((scheme, provider)),
        }
    }
}

/// A configured scheme.
enum Provider {
    ApiKey {
        location: KeyLocation,
        name: String,
        prefix: String,
        key: SecretString,
        /// For a key sent in a header: the header, ready to send (marked
        /// sensitive), unless the name or value cannot be a header's.
        header: Option<(HeaderName, HeaderValue)>,
    },
    /// `value` is the header, ready to send (marked sensitive), unless it
    /// has characters a header cannot carry.
    Basic {
        header: SecretString,
        value: Option<HeaderValue>,
    },
    Bearer {
        token: SecretString,
        value: Option<HeaderValue>,
    },
    OAuth2(Arc<OAuth2Provider>),
    Jwt(Arc<JwtProvider>),
}

/// A scheme that signs JWTs, and maybe exchanges them for access tokens.
struct JwtProvider {
    scheme: String,
    service: String,
    key: SigningKey,
    claims: Map<String, Value>,
    issued_at_offset: i64,
    lifetime: i64,
    usage: JwtUse,
    exchange_url: Option<String>,
    cache: TokenCache,
    /// Where directly sent JWTs are "stored": nowhere.
    no_store: Arc<dyn TokenStore>,
}

/// What was put on a request, so a 401 can expire exactly that token.
pub(crate) struct Applied {
    scheme: &'static str,
    token: Option<TokenSet>,
    /// The cached `Authorization` value sent in place of a token copy
    /// (an OAuth 2.0 token fresh in the cache).
    bearer: Option<HeaderValue>,
}

/// Where credentials go on a request.
pub(crate) struct Target<'a> {
    pub(crate) headers: &'a mut HeaderMap,
    pub(crate) query: &'a mut Vec<(String, String)>,
    pub(crate) cookies: &'a mut Vec<(String, String)>,
}

/// Every credential a client has, with its token store.
pub struct AuthState {
    service: &'static str,
    schemes: &'static [SchemeSpec],
    providers: Providers,
    store: Arc<dyn TokenStore>,
    http: TokenClient,
}

/// The HTTP client for token requests, built on first use: a client whose
/// credentials are all fixed (API keys, bearer tokens, basic) never builds
/// one, and building a reqwest client reads the system's root certificates.
pub(crate) struct TokenClient {
    timeout: std::time::Duration,
    client: std::sync::OnceLock<reqwest::Client>,
}

impl TokenClient {
    /// A client whose requests time out after `timeout`, not built yet.
    pub(crate) fn new(timeout: std::time::Duration) -> Self {
        TokenClient { timeout, client: std::sync::OnceLock::new() }
    }

    /// The client, built now if this is its first use (for `scheme`, named
    /// in the error if it cannot be built).
    fn get(&self, scheme: &str) -> Result<&reqwest::Client, AuthError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let built = super::token_client(self.timeout).map_err(|e| AuthError::Transport {
            scheme: scheme.to_owned(),
            reason: format!("the HTTP client for token requests could not be built: {e}"),
        })?;
        Ok(self.client.get_or_init(|| built))
    }
}

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut configured: Vec<&str> = self.providers.0.iter().map(|(scheme, _)| *scheme).collect();
        configured.sort();
        f.debug_struct("AuthState")
            .field("service", &self.service)
            .field("configured", &configured)
            .finish_non_exhaustive()
    }
}

/// A store that keeps nothing: minted JWTs live in the cache only.
struct NoStore;

impl TokenStore for NoStore {
    fn load<'a>(&'a self, _: &'a TokenKey) -> StoreFuture<'a, Option<TokenSet>> {
        Box::pin(async { Ok(None) })
    }
    fn save<'a>(&'a self, _: &'a TokenKey, _: &'a TokenSet) -> StoreFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    fn remove<'a>(&'a self, _: &'a TokenKey) -> StoreFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    /// Refused: this store keeps nothing, and losing a login silently would
    /// only surface as a `StateMismatch` at the callback.
    fn save_login<'a>(&'a self, key: &'a TokenKey, _: &'a str, _: &'a StoredLogin) -> StoreFuture<'a, ()> {
        Box::pin(async move { Err(StoreError(format!("no store keeps logins of {key}"))) })
    }
    fn take_login<'a>(&'a self, _: &'a TokenKey, _: &'a str) -> StoreFuture<'a, Option<StoredLogin>> {
        Box::pin(async { Ok(None) })
    }
}

impl AuthState {
    /// Configures the given credentials against the service's schemes.
    pub(crate) fn new<S>(
        service: &'static str,
        schemes: &'static [SchemeSpec],
        credentials: Vec<Credential<S>>,
        store: Arc<dyn TokenStore>,
        http: TokenClient,
        caching: CacheSettings,
    ) -> Result<Self, AuthError> {
        let mut providers = Providers::default();
        for credential in credentials {
            let Some(spec) = schemes.iter().find(|s| s.name == credential.scheme) else {
                let known: Vec<&str> = schemes.iter().map(|s| s.name).collect();
                return Err(AuthError::Mismatch {
                    scheme: credential.scheme.clone(),
                    reason: format!("the service has no such scheme (its schemes are {})", or_list(&known)),
                });
            };
            let provider = provider(service, spec, credential.value, caching)?;
            providers.insert(spec.name, provider);
        }
        Ok(AuthState { service, schemes, providers, store, http })
    }

    /// An empty state (services without schemes).
    pub(crate) fn none(service: &'static str, http: TokenClient) -> Self {
        AuthState { service, schemes: &[], providers: Providers::default(), store: Arc::new(NoStore), http }
    }

    /// Where each of the service's API-key schemes goes, and its name.
    pub(crate) fn api_keys(&self) -> impl Iterator<Item = (KeyLocation, &'static str)> {
        self.schemes.iter().filter_map(|scheme| match scheme.kind {
            SchemeKind::ApiKey { location, name, .. } => Some((location, name)),
            _ => None,
        })
    }

    /// Whether a credential for `scheme` was given.
    pub fn has(&self, scheme: &str) -> bool {
        self.providers.contains_key(scheme)
    }

    /// Puts the credentials of the first satisfiable alternative of
    /// `security` on a request.
    /// The alternatives of `security` that credentials would be applied
    /// for: those that need credentials and whose every scheme has one.
    fn candidates(&self, security: Security) -> impl Iterator<Item = &&'static [&'static str]> {
        security.iter().filter(|req| !req.is_empty() && req.iter().all(|s| self.providers.contains_key(s)))
    }

    /// Whether [`AuthState::apply`] would put credentials on a request for
    /// `security` (and so possibly fetch a token), decided without doing it.
    pub(crate) fn would_apply(&self, security: Security) -> bool {
        self.candidates(security).next().is_some()
    }

    pub(crate) async fn apply(
        &self,
        security: Security,
        tenant: &str,
        target: &mut Target<'_>,
    ) -> Result<Vec<Applied>, AuthError> {
        if security.is_empty() {
            return Ok(Vec::new());
        }
        // Alternatives whose every scheme has a credential, in the spec's
        // order; then "no credentials" if the operation allows it.
        // Walked without being collected: most operations have one.
        let mut candidates = self.candidates(security).peekable();
        if candidates.peek().is_none() {
            if security.iter().any(|req| req.is_empty()) {
                return Ok(Vec::new());
            }
            let needed: Vec<String> = security.iter().map(|req| req.join(" + ")).collect();
            return Err(AuthError::NoCredentials { needed: or_list(&needed) });
        }
        let mut first_error = None;
        while let Some(requirement) = candidates.next() {
            // Each attempt starts from the request as it was: a rollback
            // point, kept only when another alternative is left to try.
            let rollback = candidates
                .peek()
                .is_some()
                .then(|| (target.headers.clone(), target.query.clone(), target.cookies.clone()));
            match self.apply_requirement(requirement, tenant, target).await {
                Ok(applied) => return Ok(applied),
                // No login yet for this scheme: another configured one may do.
                Err(e @ AuthError::NotAuthorized { .. }) => {
                    if let Some((headers, query, cookies)) = rollback {
                        *target.headers = headers;
                        *target.query = query;
                        *target.cookies = cookies;
                    }
                    first_error.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(first_error.unwrap_or(AuthError::NoCredentials { needed: String::new() }))
    }

    async fn apply_requirement(
        &self,
        requirement: Requirement,
        tenant: &str,
        target: &mut Target<'_>,
    ) -> Result<Vec<Applied>, AuthError> {
        let mut applied = Vec::with_capacity(requirement.len());
        for scheme in requirement {
            if let Some(provider) = self.providers.get(scheme) {
                applied.push(self.apply_one(scheme, provider, tenant, target).await?);
            }
        }
        Ok(applied)
    }

    /// Applies the first alternative of `security` without waiting, when
    /// every one of its schemes has a fixed credential (a key, a basic or a
    /// bearer token), or when it is one OAuth 2.0 scheme whose access token
    /// for `tenant` is cached and fresh; `None` otherwise, to be applied by
    /// [`AuthState::apply`]. The result is the one `apply` would give.
    pub(crate) fn apply_ready(
        &self,
        security: Security,
        tenant: &str,
        target: &mut Target<'_>,
    ) -> Option<Result<Vec<Applied>, AuthError>> {
        if security.is_empty() {
            return Some(Ok(Vec::new()));
        }
        let first = self.candidates(security).next()?;
        if let [scheme] = first
            && let Some(Provider::OAuth2(oauth)) = self.providers.get(scheme)
        {
            let bearer = oauth.cache.fresh_bearer(tenant)?;
            target.headers.insert(http::header::AUTHORIZATION, bearer.clone());
            return Some(Ok(vec![Applied { scheme, token: None, bearer: Some(bearer) }]));
        }
        let providers = first.iter().filter_map(|scheme| Some((*scheme, self.providers.get(scheme)?)));
        if !providers.clone().all(|(_, provider)| provider.is_fixed()) {
            return None;
        }
        for (scheme, provider) in providers {
            if let Err(e) = apply_fixed_one(scheme, provider, target) {
                return Some(Err(e));
            }
        }
        // A fixed credential has no token to expire.
        Some(Ok(Vec::new()))
    }

    async fn apply_one(
        &self,
        scheme: &'static str,
        provider: &Provider,
        tenant: &str,
        target: &mut Target<'_>,
    ) -> Result<Applied, AuthError> {
        let header = |target: &mut Target<'_>, name: &str, value: String| put_header(scheme, target, name, value);
        let bearer = |token: &TokenSet| prefixed("Bearer", token.access_token.expose_secret());
        let mut token = None;
        match provider {
            fixed @ (Provider::ApiKey { .. } | Provider::Basic { .. } | Provider::Bearer { .. }) => {
                apply_fixed_one(scheme, fixed, target)?
            }
            Provider::OAuth2(oauth) => {
                let t = oauth.token(self.http.get(scheme)?, &self.store, tenant).await?;
                header(target, "authorization", bearer(&t))?;
                token = Some(t);
            }
            Provider::Jwt(jwt) => {
                let t = jwt.token(self.http.get(scheme)?, &self.store, tenant).await?;
                match jwt.usage {
                    JwtUse::Direct { header: name, prefix } => {
                        header(target, name, prefixed(prefix, t.access_token.expose_secret()))?
                    }
                    JwtUse::JwtBearerGrant { .. } | JwtUse::BearerPost { .. } => {
                        header(target, "authorization", bearer(&t))?
                    }
                }
                token = Some(t);
            }
        }
        Ok(Applied { scheme, token, bearer: None })
    }

    /// After a 401: expires the tokens that were sent, so the next attempt
    /// gets new ones. Returns whether any token was renewable.
    pub(crate) fn expire(&self, applied: &[Applied], tenant: &str) -> bool {
        let mut renewable = false;
        for a in applied {
            if let (Some(bearer), Some(Provider::OAuth2(oauth))) = (&a.bearer, self.providers.get(a.scheme)) {
                oauth.cache.expire_bearer(tenant, bearer);
                renewable = true;
            }
            let Some(token) = &a.token else { continue };
            match self.providers.get(a.scheme) {
                Some(Provider::OAuth2(oauth)) => {
                    oauth.cache.expire(tenant, token);
                    renewable = true;
                }
                Some(Provider::Jwt(jwt)) => {
                    jwt.cache.expire(tenant, token);
                    renewable = true;
                }
                _ => {}
            }
        }
        renewable
    }

    fn oauth(&self, scheme: Option<&str>) -> Result<&OAuth2Provider, AuthError> {
        // In the spec's order, so the choice is the same on every run.
        let found =
            self.schemes.iter().filter(|s| scheme.is_none_or(|wanted| wanted == s.name)).find_map(|s| {
                match self.providers.get(s.name) {
                    Some(Provider::OAuth2(o)) => Some(o.as_ref()),
                    _ => None,
                }
            });
        found.ok_or_else(|| {
            let oauth: Vec<&str> =
                self.schemes.iter().filter(|s| matches!(s.kind, SchemeKind::OAuth2(_))).map(|s| s.name).collect();
            AuthError::NoCredentials {
                needed: match scheme {
                    Some(s) => format!("`{s}`"),
                    None if oauth.is_empty() => "an OAuth 2.0 scheme (the service has none)".to_owned(),
                    None => or_list(&oauth),
                },
            }
        })
    }

    /// Starts an authorization code login (see [`crate::auth::Auth::auth_url`]).
    pub fn auth_url(&self, scheme: Option<&str>, scopes: &[&str], tenant: &str) -> Result<PendingLogin, AuthError> {
        self.oauth(scheme)?.authorize(scopes, tenant)
    }

    /// Starts an authorization code login kept in the token store (see
    /// [`crate::auth::Auth::start_login`]).
    pub async fn start_login(
        &self,
        scheme: Option<&str>,
        scopes: &[&str],
        tenant: &str,
    ) -> Result<PendingLogin, AuthError> {
        self.oauth(scheme)?.start_login(self.store.as_ref(), scopes, tenant).await
    }

    /// Finishes a login that `tenant` started.
    pub async fn fetch_access_token(
        &self,
        scheme: Option<&str>,
        tenant: &str,
        code: &str,
        state: &str,
    ) -> Result<String, AuthError> {
        let oauth = self.oauth(scheme)?;
        oauth.finish_login(self.http.get(&oauth.scheme)?, self.store.as_ref(), tenant, code, state).await?;
        Ok(tenant.to_owned())
    }

    /// Starts a device login.
    pub async fn device_login(
        &self,
        scheme: Option<&str>,
        scopes: &[&str],
        tenant: &str,
    ) -> Result<DeviceLogin, AuthError> {
        let oauth = self.oauth(scheme)?;
        oauth.start_device(self.http.get(&oauth.scheme)?, scopes, tenant).await
    }

    /// Waits for a device login to be approved.
    pub async fn finish_device_login(&self, scheme: Option<&str>, login: &DeviceLogin) -> Result<(), AuthError> {
        let oauth = self.oauth(scheme)?;
        oauth.finish_device(self.http.get(&oauth.scheme)?, self.store.as_ref(), login).await.map(drop)
    }

    /// A fresh access token for a scheme and tenant.
    pub async fn token(&self, scheme: &str, tenant: &str) -> Result<TokenSet, AuthError> {
        match self.providers.get(scheme) {
            Some(Provider::OAuth2(o)) => o.token(self.http.get(scheme)?, &self.store, tenant).await,
            Some(Provider::Jwt(j)) => j.token(self.http.get(scheme)?, &self.store, tenant).await,
            Some(Provider::Bearer { token, .. }) => Ok(TokenSet::new(token.expose_secret().to_owned())),
            _ => Err(AuthError::NoCredentials { needed: format!("`{scheme}`") }),
        }
    }

    /// Stores tokens obtained elsewhere for a scheme and tenant.
    pub async fn set_tokens(&self, scheme: Option<&str>, tenant: &str, tokens: TokenSet) -> Result<(), AuthError> {
        self.oauth(scheme)?.save(self.store.as_ref(), tenant, &tokens).await
    }

    /// Revokes and forgets a tenant's tokens.
    pub async fn revoke(&self, scheme: Option<&str>, tenant: &str) -> Result<(), AuthError> {
        let oauth = self.oauth(scheme)?;
        oauth.revoke(self.http.get(&oauth.scheme)?, self.store.as_ref(), tenant).await
    }
}

/// The moment `seconds` after the Unix epoch (before it, if negative),
/// clamped to what the clock can hold, without arithmetic that can
/// overflow: far past times become the epoch (long expired), far future
/// ones the latest time the clock holds.
fn from_unix_seconds(seconds: i64) -> SystemTime {
    let magnitude = Duration::from_secs(seconds.unsigned_abs());
    let moment = if seconds >= 0 { UNIX_EPOCH.checked_add(magnitude) } else { UNIX_EPOCH.checked_sub(magnitude) };
    moment.unwrap_or(if seconds >= 0 { far_future() } else { UNIX_EPOCH })
}

/// A time far in the future that every clock can hold (year 9999).
fn far_future() -> SystemTime {
    UNIX_EPOCH.checked_add(Duration::from_secs(253_402_300_799)).unwrap_or(UNIX_EPOCH)
}

/// `text` as a header value marked sensitive, if a header can carry it.
fn sensitive_value(text: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(text).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Builds the provider of one scheme from its spec and credential.
fn provider(
    service: &str,
    spec: &SchemeSpec,
    value: CredentialValue,
    caching: CacheSettings,
) -> Result<Provider, AuthError> {
    let mismatch = |reason: &str| AuthError::Mismatch { scheme: spec.name.to_owned(), reason: reason.to_owned() };
    Ok(match (&spec.kind, value) {
        (
            SchemeKind::ApiKey { location, name, prefix, .. },
            CredentialValue::ApiKey(key) | CredentialValue::Bearer(key),
        ) => {
            let header = (*location == KeyLocation::Header)
                .then(|| {
                    Some((
                        HeaderName::from_bytes(name.as_bytes()).ok()?,
                        sensitive_value(&prefixed(prefix, key.expose_secret()))?,
                    ))
                })
                .flatten();
            Provider::ApiKey {
                location: *location,
                name: (*name).to_owned(),
                prefix: (*prefix).to_owned(),
                key,
                header,
            }
        }
        (SchemeKind::Basic { .. }, CredentialValue::Basic { username, password }) => {
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{}", password.expose_secret()));
            let text = format!("Basic {encoded}");
            Provider::Basic { value: sensitive_value(&text), header: SecretString::from(text) }
        }
        (SchemeKind::Bearer { .. } | SchemeKind::OAuth2(_), CredentialValue::Bearer(token))
        | (SchemeKind::Bearer { .. }, CredentialValue::ApiKey(token)) => {
            Provider::Bearer { value: sensitive_value(&format!("Bearer {}", token.expose_secret())), token }
        }
        (SchemeKind::OAuth2(o), CredentialValue::OAuth2(settings)) => {
            Provider::OAuth2(Arc::new(oauth_provider(service, spec.name, o, *settings, caching)?))
        }
        (SchemeKind::Jwt(j), CredentialValue::Jwt(settings)) => {
            Provider::Jwt(Arc::new(jwt_provider(service, spec.name, j, *settings, caching)?))
        }
        (SchemeKind::ApiKey { .. }, _) => return Err(mismatch("it is an API key scheme; give it an API key")),
        (SchemeKind::Basic { .. }, _) => {
            return Err(mismatch("it is an HTTP basic scheme; give it a user name and password"));
        }
        (SchemeKind::Bearer { .. }, _) => return Err(mismatch("it is an HTTP bearer scheme; give it a token")),
        (SchemeKind::OAuth2(_), _) => {
            return Err(mismatch("it is an OAuth 2.0 scheme; give it a client registration or a token"));
        }
        (SchemeKind::Jwt(_), _) => return Err(mismatch("it is a JWT scheme; give it a signing key")),
    })
}

fn oauth_provider(
    service: &str,
    scheme: &str,
    spec: &super::spec::OAuth2Spec,
    s: OAuth2Settings,
    caching: CacheSettings,
) -> Result<OAuth2Provider, AuthError> {
    let client_key = match &s.private_key {
        Some(key) => Some(SigningKey::new(
            scheme,
            s.private_key_algorithm.as_deref().unwrap_or("RS256"),
            expose(key),
            s.private_key_id.clone(),
        )?),
        None => None,
    };
    // A private key means `private_key_jwt`; otherwise the method of the
    // credential, the section or the spec. A missing secret is an error, not
    // a quiet switch to a public client (say `ClientAuth::None` for those).
    let client_auth = match (s.client_auth, &client_key) {
        (Some(auth), _) => auth,
        (None, Some(_)) => ClientAuth::PrivateKeyJwt,
        (None, None) => spec.client_auth,
    };
    // The credential's choice, else the scheme's preferred flow.
    let grant = s.grant.or_else(|| spec.grants.first().copied()).unwrap_or(Grant::AuthorizationCode);
    let urls = Endpoints {
        authorization: s.authorization_url.or(spec.authorization_url.map(str::to_owned)),
        token: s.token_url.or(spec.token_url.map(str::to_owned)),
        revocation: s.revocation_url.or(spec.revocation_url.map(str::to_owned)),
        device: s.device_authorization_url.or(spec.device_authorization_url.map(str::to_owned)),
        redirect: s.redirect_uri.or(spec.redirect_uri.map(str::to_owned)),
    };
    let scopes = s.scopes.unwrap_or_else(|| spec.default_scopes.iter().map(|s| (*s).to_owned()).collect());
    let provider = OAuth2Provider::new(
        service,
        scheme,
        grant,
        s.client_id,
        s.client_secret,
        client_auth,
        client_key,
        urls,
        scopes,
        s.refresh_token,
        caching,
    )?;
    if let Some(tokens) = s.tokens {
        provider.cache.seed(crate::client::DEFAULT_TENANT, tokens);
    }
    Ok(provider)
}

fn jwt_provider(
    service: &str,
    scheme: &str,
    spec: &JwtSpec,
    s: JwtSettings,
    caching: CacheSettings,
) -> Result<JwtProvider, AuthError> {
    let key_id = s.key_id.or(spec.key_id.map(str::to_owned));
    let key = SigningKey::new(scheme, spec.algorithm, expose(&s.key), key_id)?;
    // Claims from the environment are read once, now, so a missing variable
    // is reported when the client is built; explicit claims override them.
    let overridden: Vec<&str> = s.claims.iter().map(|(n, _)| n.as_str()).collect();
    let template: Vec<(&str, super::spec::ClaimValue)> =
        spec.claims.iter().filter(|(n, _)| !overridden.contains(n)).copied().collect();
    let mut claims = resolve_claims(scheme, &template)?;
    for (name, value) in s.claims {
        claims.insert(name, value);
    }
    if let Some(url) = s.exchange_url.as_deref() {
        super::endpoints::check_endpoint(scheme, "exchange_url", url)?;
    }
    if let (JwtUse::JwtBearerGrant { token_url: url, .. } | JwtUse::BearerPost { url }, None) =
        (spec.usage, &s.exchange_url)
    {
        super::endpoints::check_endpoint(scheme, "exchange_url", url)?;
    }
    Ok(JwtProvider {
        scheme: scheme.to_owned(),
        service: service.to_owned(),
        key,
        claims,
        issued_at_offset: spec.issued_at_offset,
        lifetime: spec.lifetime,
        usage: spec.usage,
        exchange_url: s.exchange_url,
        cache: TokenCache::with_settings(caching),
        no_store: Arc::new(NoStore),
    })
}

impl JwtProvider {
    fn mint(&self) -> Result<TokenSet, AuthError> {
        let (token, expires_at) = mint(&self.key, &self.claims, self.issued_at_offset, self.lifetime)
            .map_err(|reason| AuthError::InvalidKey { scheme: self.scheme.clone(), reason })?;
        Ok(as_token_set(token, expires_at))
    }

    async fn token(
        self: &Arc<Self>,
        http: &reqwest::Client,
        store: &Arc<dyn TokenStore>,
        tenant: &str,
    ) -> Result<TokenSet, AuthError> {
        if let Some(t) = self.cache.fresh(tenant) {
            return Ok(t);
        }
        // Empty, `.` and `..` tenants are refused: in the exchange URL they
        // would reach another path.
        super::tenant::check(tenant)?;
        let key = TokenKey::new(self.service.clone(), self.scheme.clone(), tenant);
        let (this, http) = (self.clone(), http.clone());
        match self.usage {
            // Minted inside the single flight: one signature however many callers wait.
            JwtUse::Direct { .. } => {
                self.cache.get(&key, &self.no_store, move |_| Box::pin(async move { this.mint() })).await
            }
            JwtUse::JwtBearerGrant { token_url, scopes } => {
                let url = self.exchange_url.clone().unwrap_or_else(|| token_url.to_owned());
                let exchange = move |_| -> super::cache::RefreshFuture {
                    Box::pin(async move { this.jwt_bearer_grant(&http, url, scopes).await })
                };
                self.cache.get(&key, store, exchange).await
            }
            JwtUse::BearerPost { url } => {
                // The tenant is one path segment: `../x` cannot reach other paths.
                let url = self
                    .exchange_url
                    .as_deref()
                    .unwrap_or(url)
                    .replace("{tenant}", &crate::encode::encode_path(tenant));
                let exchange = move |_| -> super::cache::RefreshFuture {
                    Box::pin(async move { this.bearer_post(&http, url).await })
                };
                self.cache.get(&key, store, exchange).await
            }
        }
    }

    /// Sends a token request and reads its answer as text.
    async fn exchange(&self, request: reqwest::RequestBuilder) -> Result<(http::StatusCode, String), AuthError> {
        let failed = |e: TokenHttpError| e.into_auth_error(&self.scheme);
        let response = request.send().await.map_err(|e| failed(TokenHttpError::from_reqwest(e)))?;
        let status = response.status();
        let body = super::http::read_limited(response).await.map_err(|e| failed(e.into()))?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    /// RFC 7523 §2.1: the JWT is the grant.
    async fn jwt_bearer_grant(
        &self,
        http: &reqwest::Client,
        url: String,
        scopes: &[&str],
    ) -> Result<TokenSet, AuthError> {
        let assertion = self.mint()?;
        let mut form = vec![
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer".to_owned()),
            ("assertion", assertion.access_token.expose_secret().to_owned()),
        ];
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        tracing::debug!(scheme = %self.scheme, "exchanging a signed JWT for an access token");
        let request = http
            .post(&url)
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::ACCEPT, "application/json")
            .body(body);
        let (status, text) = self.exchange(request).await?;
        let json: Value = serde_json::from_str(&text).map_err(|e| AuthError::MalformedResponse {
            scheme: self.scheme.clone(),
            reason: format!("{status} with a body that is {}", super::error::json_problem(&e)),
        })?;
        if !status.is_success() {
            return Err(AuthError::TokenEndpoint {
                scheme: self.scheme.clone(),
                error: json
                    .get("error")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| status.to_string()),
                description: json.get("error_description").and_then(Value::as_str).map(str::to_owned),
            });
        }
        let malformed =
            |reason: &str| AuthError::MalformedResponse { scheme: self.scheme.clone(), reason: reason.into() };
        let access = json.get("access_token").and_then(Value::as_str).ok_or_else(|| malformed("no `access_token`"))?;
        let token_type = match json.get("token_type") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(t.as_str()),
            Some(_) => return Err(malformed("`token_type` is not a string")),
        };
        super::reply::check_token_type(&self.scheme, token_type)?;
        let expires_at = match json.get("expires_in") {
            None | Some(Value::Null) => None,
            // A lifetime past what the clock can hold is no known expiry.
            Some(v) => v
                .as_u64()
                .map(|s| expires_in(Duration::from_secs(s)))
                .ok_or_else(|| malformed("`expires_in` is not a whole number of seconds"))?,
        };
        Ok(TokenSet {
            access_token: SecretString::from(access.to_owned()),
            refresh_token: None,
            expires_at,
            scopes: Vec::new(),
        })
    }

    /// GitHub App installation tokens: the JWT authenticates a POST whose
    /// answer is `{"token": …, "expires_at": "<RFC 3339>"}`.
    async fn bearer_post(&self, http: &reqwest::Client, url: String) -> Result<TokenSet, AuthError> {
        let jwt = self.mint()?;
        tracing::debug!(scheme = %self.scheme, "exchanging a signed JWT for an installation token");
        let request = http
            .post(&url)
            .header(http::header::AUTHORIZATION, format!("Bearer {}", jwt.access_token.expose_secret()))
            .header(http::header::ACCEPT, "application/json");
        let (status, text) = self.exchange(request).await?;
        if !status.is_success() {
            let message: Option<String> = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned));
            return Err(AuthError::TokenEndpoint {
                scheme: self.scheme.clone(),
                error: status.to_string(),
                description: message,
            });
        }
        let json: Value = serde_json::from_str(&text).map_err(|e| AuthError::MalformedResponse {
            scheme: self.scheme.clone(),
            reason: super::error::json_problem(&e),
        })?;
        let token = json
            .get("token")
            .and_then(Value::as_str)
            .ok_or_else(|| AuthError::MalformedResponse { scheme: self.scheme.clone(), reason: "no `token`".into() })?;
        let expires_at = match json.get("expires_at").and_then(Value::as_str) {
            None => None,
            Some(text) => {
                Some(chrono::DateTime::parse_from_rfc3339(text).map(|t| from_unix_seconds(t.timestamp())).map_err(
                    |_| AuthError::MalformedResponse {
                        scheme: self.scheme.clone(),
                        reason: "`expires_at` is not an RFC 3339 time".into(),
                    },
                )?)
            }
        };
        Ok(TokenSet {
            access_token: SecretString::from(token.to_owned()),
            refresh_token: None,
            expires_at,
            scopes: Vec::new(),
        })
    }
}

impl Provider {
    /// Whether the credential is fixed: applied without fetching or signing a token.
    fn is_fixed(&self) -> bool {
        matches!(self, Provider::ApiKey { .. } | Provider::Basic { .. } | Provider::Bearer { .. })
    }
}

/// Puts a fixed credential on `target`; nothing for a token provider.
fn apply_fixed_one(scheme: &str, provider: &Provider, target: &mut Target<'_>) -> Result<(), AuthError> {
    match provider {
        // Built once, shared (no copy of the secret per call).
        Provider::ApiKey { header: Some((name, value)), .. } => {
            target.headers.insert(name.clone(), value.clone());
        }
        Provider::ApiKey { location, name, prefix, key, header: None } => {
            let value = prefixed(prefix, key.expose_secret());
            match location {
                // The name or value cannot be a header's: `put_header` says which.
                KeyLocation::Header => put_header(scheme, target, name, value)?,
                KeyLocation::Query => target.query.push((name.clone(), value)),
                KeyLocation::Cookie => target.cookies.push((name.clone(), value)),
            }
        }
        // Fixed credentials: the header built once, shared (no copy of the secret per call).
        Provider::Basic { value: Some(value), .. } | Provider::Bearer { value: Some(value), .. } => {
            target.headers.insert(http::header::AUTHORIZATION, value.clone());
        }
        Provider::Basic { header: value, value: None } => {
            put_header(scheme, target, "authorization", value.expose_secret().to_owned())?
        }
        Provider::Bearer { token: t, value: None } => {
            put_header(scheme, target, "authorization", prefixed("Bearer", t.expose_secret()))?
        }
        Provider::OAuth2(_) | Provider::Jwt(_) => {}
    }
    Ok(())
}

/// Puts the credential header `name: value` (marked sensitive) on `target`.
fn put_header(scheme: &str, target: &mut Target<'_>, name: &str, value: String) -> Result<(), AuthError> {
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| AuthError::Config {
        scheme: scheme.to_owned(),
        reason: format!("`{name}` is not a header name"),
    })?;
    let mut value = HeaderValue::from_str(&value).map_err(|_| AuthError::Config {
        scheme: scheme.to_owned(),
        reason: "the credential has characters a header cannot carry".into(),
    })?;
    value.set_sensitive(true);
    target.headers.insert(name, value);
    Ok(())
}

/// A credential with its prefix (`Bearer`, `Ghost`, …), if it has one.
fn prefixed(prefix: &str, secret: &str) -> String {
    if prefix.is_empty() { secret.to_owned() } else { format!("{prefix} {secret}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    static SCHEMES: &[SchemeSpec] = &[
        SchemeSpec { name: "token", kind: SchemeKind::Bearer { env: "T" } },
        SchemeSpec {
            name: "key",
            kind: SchemeKind::ApiKey { location: KeyLocation::Query, name: "api_key", prefix: "", env: "K" },
        },
        SchemeSpec {
            name: "bad",
            kind: SchemeKind::ApiKey { location: KeyLocation::Header, name: "bad header", prefix: "", env: "B" },
        },
    ];

    fn state() -> AuthState {
        let credentials: Vec<Credential<()>> = vec![
            Credential::bearer("token", "t0k"),
            Credential::api_key("key", "k3y"),
            Credential::api_key("bad", "x"),
        ];
        let caching = CacheSettings { skew: Duration::from_secs(60), capacity: 8 };
        let http = TokenClient::new(Duration::from_secs(5));
        AuthState::new("svc", SCHEMES, credentials, Arc::new(NoStore), http, caching).expect("a valid state")
    }

    #[tokio::test]
    async fn fixed_credentials_never_build_the_token_client() {
        let state = state();
        let (mut headers, mut query, mut cookies): Applied3 = Default::default();
        let mut target = Target { headers: &mut headers, query: &mut query, cookies: &mut cookies };
        let security: Security = &[&["token"]];
        state.apply(security, "default", &mut target).await.unwrap();
        assert!(headers.contains_key(http::header::AUTHORIZATION));
        assert!(state.http.client.get().is_none(), "built for nothing");
        assert!(state.http.get("oauth").is_ok());
        assert!(state.http.client.get().is_some(), "built on first use, and kept");
    }

    type Applied3 = (HeaderMap, Vec<(String, String)>, Vec<(String, String)>);

    fn outcome(result: Result<Vec<Applied>, AuthError>, parts: Applied3) -> Result<Applied3, String> {
        result.map(|_| parts).map_err(|e| e.to_string())
    }

    #[tokio::test]
    async fn fixed_credentials_are_applied_without_waiting_exactly_as_apply_applies_them() {
        let state = state();
        let securities: [Security; 5] =
            [&[], &[&["token"]], &[&["key"], &["token"]], &[&["token", "key"]], &[&["bad"], &["token"]]];
        for security in securities {
            let (mut h1, mut q1, mut c1) = Default::default();
            let fixed =
                state.apply_ready(security, "", &mut Target { headers: &mut h1, query: &mut q1, cookies: &mut c1 });
            let fixed = outcome(fixed.expect("only fixed credentials here"), (h1, q1, c1));
            let (mut h2, mut q2, mut c2) = Default::default();
            let mut target = Target { headers: &mut h2, query: &mut q2, cookies: &mut c2 };
            let awaited = state.apply(security, "", &mut target).await;
            let awaited = outcome(awaited, (h2, q2, c2));
            assert_eq!(fixed, awaited, "security {security:?}");
        }
    }

    #[test]
    fn a_security_no_credential_satisfies_is_left_to_apply() {
        let (mut headers, mut query, mut cookies) = Default::default();
        let mut target = Target { headers: &mut headers, query: &mut query, cookies: &mut cookies };
        assert!(state().apply_ready(&[&["missing"]], "", &mut target).is_none());
        assert!(headers.is_empty() && query.is_empty() && cookies.is_empty());
    }
}
