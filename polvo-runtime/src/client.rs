//! The shared client core and the builder every generated client uses.

use http::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{
    Auth, AuthError, AuthState, CacheSettings, Credential, EncryptedStore, Keyring, MemoryStore, SchemeSpec, Security,
    TokenStore,
};
use crate::error::BuildError;
use crate::hooks::Hook;
use crate::limit::DEFAULT_MAX_RESPONSE_SIZE;
use crate::options::CallSettings;
use crate::ratelimit::{OperationQuota, RateLimits};
use crate::request::{Request, SendError};
use crate::response::RawResponse;
use crate::retry::RetryPolicy;

/// Implemented by every generated `Client`, so the builder can create it.
#[doc(hidden)]
pub trait Service: Sized {
    /// The service's name: its module name.
    const NAME: &'static str;
    /// The service's security schemes.
    const SCHEMES: &'static [SchemeSpec];
    /// The environment variable the `x-polvo` section's `token_keys_env`
    /// names: the keyring that encrypts the token store set on the builder.
    const TOKEN_KEYS_ENV: Option<&'static str> = None;
    /// Every operation, as `"METHOD /path/{template}"` with the path as the
    /// spec writes it: what `ClientBuilder::operation_rate_limit` may name.
    const OPERATIONS: &'static [&'static str] = &[];
    /// Wraps a configured core.
    fn from_core(core: ClientCore) -> Self;
    /// The core.
    fn core(&self) -> &ClientCore;
}

/// What every generated client holds: the HTTP client (one connection pool),
/// the base URL, the credentials, and the tenant it acts for. Cheap to clone.
#[derive(Clone)]
pub struct ClientCore {
    inner: Arc<Inner>,
    tenant: Arc<str>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    /// The base URL's origin: the only one credentials are sent to.
    origin: url::Origin,
    /// Set when the base URL is plain http off loopback and the builder did
    /// not allow that: the origin, for the error that refuses credentials.
    insecure_origin: Option<String>,
    /// Headers set with the builder's `.header()`, sent to the API's origin only.
    default_headers: HeaderMap,
    max_response_size: u64,
    /// Retries and timeouts of every call unless the call sets its own:
    /// the call's timeout covers every attempt, redirect and the resend
    /// after a 401 (`None` when the HTTP client is the user's own).
    settings: CallSettings,
    /// The user's hooks, in order.
    hooks: Vec<Box<dyn Hook>>,
    /// Client-side rate limits.
    rate_limits: RateLimits,
    /// The HTTP client wrapped in the user's `reqwest-middleware` layers.
    layered: Option<reqwest_middleware::ClientWithMiddleware>,
    auth: AuthState,
}

impl fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.inner.base_url)
            .field("tenant", &self.tenant)
            .field("auth", &self.inner.auth)
            .finish_non_exhaustive()
    }
}

/// The tenant of a client that serves one.
pub const DEFAULT_TENANT: &str = "default";

/// How long before expiry a token is renewed, unless the builder says otherwise.
pub(crate) const DEFAULT_REFRESH_SKEW: Duration = Duration::from_secs(30);

impl ClientCore {
    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The credentials.
    pub fn auth_state(&self) -> &AuthState {
        &self.inner.auth
    }

    /// The base URL's origin: where credentials, default headers and
    /// cookies may go.
    pub(crate) fn origin(&self) -> &url::Origin {
        &self.inner.origin
    }

    /// The base URL's origin when it is plain http off loopback and
    /// credentials must not be sent there.
    pub(crate) fn insecure_origin(&self) -> Option<&str> {
        self.inner.insecure_origin.as_deref()
    }

    /// The headers every request to the API's origin carries.
    pub(crate) fn default_headers(&self) -> &HeaderMap {
        &self.inner.default_headers
    }

    /// The largest response body a call reads.
    pub(crate) fn max_response_size(&self) -> u64 {
        self.inner.max_response_size
    }

    /// The retries and timeouts of a call that sets none of its own.
    pub(crate) fn call_settings(&self) -> &CallSettings {
        &self.inner.settings
    }

    /// The client-side rate limits.
    pub(crate) fn rate_limits(&self) -> &RateLimits {
        &self.inner.rate_limits
    }

    /// The tenant, shared.
    pub(crate) fn tenant_key(&self) -> &Arc<str> {
        &self.tenant
    }

    /// The user's hooks.
    pub(crate) fn hooks(&self) -> &[Box<dyn Hook>] {
        &self.inner.hooks
    }

    /// Sends one HTTP request, through the user's middleware if any.
    pub(crate) async fn execute(&self, request: reqwest::Request) -> Result<reqwest::Response, SendError> {
        match &self.inner.layered {
            None => self.inner.http.execute(request).await.map_err(|e| SendError::Transport(e.without_url())),
            // Boxed: the middleware chain's future is large, and a client
            // without layers would reserve room for it in every call.
            Some(layered) => Box::pin(layered.execute(request)).await.map_err(|e| match e {
                reqwest_middleware::Error::Reqwest(e) => SendError::Transport(e.without_url()),
                reqwest_middleware::Error::Middleware(e) => SendError::Middleware(e.into()),
            }),
        }
    }

    /// The tenant requests are made for.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The same client acting for another tenant: same connection pool and
    /// credentials, that tenant's tokens.
    pub fn for_tenant(&self, tenant: &str) -> ClientCore {
        ClientCore { inner: self.inner.clone(), tenant: Arc::from(tenant) }
    }

    /// Logins, tokens and revocation for this client's tenant.
    pub fn auth(&self) -> Auth<'_> {
        Auth::new(&self.inner.auth, &self.tenant)
    }

    /// Starts a request to `path` (already encoded) under the base URL.
    pub fn request(&self, method: http::Method, path: String) -> Request {
        Request::new(method, path)
    }

    /// Sends `request` through the client's pipeline (credentials, retries,
    /// hooks, middleware, transport; see the `pipeline` module) and reads
    /// the whole response.
    pub async fn send(&self, request: Request) -> Result<RawResponse, SendError> {
        crate::pipeline::call(self, request, crate::stream::ReadWhole).await
    }

    /// Sends `request` through the pipeline like [`send`](Self::send), and
    /// leaves the body of a 2xx answer unread, to be streamed (any other
    /// answer is read whole). The call's timeout covers the response head.
    pub async fn send_streaming(&self, request: Request) -> Result<crate::__private::StreamedResponse, SendError> {
        crate::pipeline::call(self, request, crate::stream::ReadHead).await
    }
}

/// Configures a generated client: base URL, timeouts, default headers, or
/// an HTTP client of your own.
///
/// ```no_run
/// # mod petstore { pub struct Client; impl polvo_runtime::__private::Service for Client {
/// #   const NAME: &'static str = "petstore"; const SCHEMES: &'static [polvo_runtime::__private::SchemeSpec] = &[];
/// #   fn from_core(_: polvo_runtime::__private::ClientCore) -> Self { Client }
/// #   fn core(&self) -> &polvo_runtime::__private::ClientCore { unimplemented!() } } }
/// # fn builder() -> polvo_runtime::ClientBuilder<petstore::Client> { polvo_runtime::__private::client_builder(None) }
/// // A generated client's `Client::builder()`.
/// let client: petstore::Client = builder()
///     .base_url("http://127.0.0.1:8080/v3")
///     .timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// # Ok::<(), polvo_runtime::BuildError>(())
/// ```
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct ClientBuilder<S> {
    default_base_url: Option<&'static str>,
    base_url: Option<String>,
    http: Option<reqwest::ClientBuilder>,
    timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    retry: RetryPolicy,
    hooks: Vec<Box<dyn Hook>>,
    middleware: Vec<Arc<dyn reqwest_middleware::Middleware>>,
    rate_limit: Option<governor::Quota>,
    tenant_rate_limit: Option<governor::Quota>,
    operation_rate_limits: Vec<(String, governor::Quota)>,
    adaptive_rate_limit: bool,
    connect_timeout: Duration,
    user_agent: String,
    headers: Vec<(String, String)>,
    credentials: Vec<Credential<S>>,
    store: Option<Arc<dyn TokenStore>>,
    token_keys: Option<Keyring>,
    refresh_skew: Duration,
    token_cache_capacity: usize,
    token_timeout: Duration,
    max_response_size: u64,
    allow_insecure_http: bool,
    env_error: Option<AuthError>,
    service: PhantomData<fn() -> S>,
}

impl<S> fmt::Debug for ClientBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_deref().or(self.default_base_url))
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("retry", &self.retry)
            .field("hooks", &self.hooks.len())
            .field("middleware", &self.middleware.len())
            .field("rate_limit", &self.rate_limit)
            .field("tenant_rate_limit", &self.tenant_rate_limit)
            .field("operation_rate_limits", &self.operation_rate_limits)
            .field("adaptive_rate_limit", &self.adaptive_rate_limit)
            .field("user_agent", &self.user_agent)
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("credentials", &self.credentials.iter().map(|c| c.scheme()).collect::<Vec<_>>())
            .field("max_response_size", &self.max_response_size)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish_non_exhaustive()
    }
}

/// The timeout of a whole request unless the builder sets another.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

impl<S: Service> ClientBuilder<S> {
    /// A builder whose base URL defaults to the spec's server, if it names one.
    fn new(default_base_url: Option<&'static str>) -> Self {
        ClientBuilder {
            default_base_url,
            base_url: None,
            http: None,
            timeout: Some(DEFAULT_TIMEOUT),
            attempt_timeout: None,
            retry: RetryPolicy::new(),
            hooks: Vec::new(),
            middleware: Vec::new(),
            rate_limit: None,
            tenant_rate_limit: None,
            operation_rate_limits: Vec::new(),
            adaptive_rate_limit: false,
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("polvo/", env!("CARGO_PKG_VERSION")).to_owned(),
            headers: Vec::new(),
            credentials: Vec::new(),
            store: None,
            token_keys: None,
            refresh_skew: DEFAULT_REFRESH_SKEW,
            token_cache_capacity: crate::auth::DEFAULT_TOKEN_CACHE_CAPACITY,
            token_timeout: Duration::from_secs(30),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            allow_insecure_http: false,
            env_error: None,
            service: PhantomData,
        }
    }

    /// Adds the credential of one security scheme (replacing an earlier one
    /// for the same scheme).
    pub fn credential(mut self, credential: impl Into<Credential<S>>) -> Self {
        let credential = credential.into();
        self.credentials.retain(|c| c.scheme() != credential.scheme());
        self.credentials.push(credential);
        self
    }

    /// Reads credentials from the environment variables each scheme names
    /// (`STRIPE_API_KEY`, `HUBSPOT_CLIENT_ID`, …; the generated `auth`
    /// module lists them). Fails, at `build`, naming the variable, if a
    /// scheme is half configured or nothing is configured at all.
    pub fn from_env(mut self) -> Self {
        let mut found = 0;
        for spec in S::SCHEMES {
            if self.credentials.iter().any(|c| c.scheme() == spec.name) {
                found += 1;
                continue;
            }
            match Credential::<S>::from_env(spec) {
                Ok(Some(credential)) => {
                    found += 1;
                    self.credentials.push(credential);
                }
                Ok(None) => {}
                Err(e) => {
                    self.env_error.get_or_insert(e);
                }
            }
        }
        if found == 0 && !S::SCHEMES.is_empty() && self.env_error.is_none() {
            let options: Vec<String> = S::SCHEMES
                .iter()
                .filter(|s| !s.env_vars().is_empty())
                .map(|s| format!("{} (`{}`)", s.env_vars().join(" and "), s.name))
                .collect();
            self.env_error = Some(AuthError::NothingInEnv { options: options.join(", or ") });
        }
        self
    }

    /// Where OAuth 2.0 tokens are kept (default: in memory). Shared by
    /// every tenant of the client.
    pub fn token_store(mut self, store: impl TokenStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// A token store shared with other clients.
    pub fn shared_token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Encrypts the store set with [`token_store`](Self::token_store) or
    /// [`shared_token_store`](Self::shared_token_store) with `keys` (it is
    /// wrapped in an [`EncryptedStore`]), instead of the keyring the
    /// `x-polvo` section's `token_keys_env` names. The default in-memory
    /// store is not encrypted: its tokens never leave the process.
    pub fn token_encryption(mut self, keys: Keyring) -> Self {
        self.token_keys = Some(keys);
        self
    }

    /// How long before expiry a token is renewed (default 30 s).
    pub fn refresh_skew(mut self, skew: Duration) -> Self {
        self.refresh_skew = skew;
        self
    }

    /// How many tenants' tokens each scheme keeps in memory (default
    /// [`DEFAULT_TOKEN_CACHE_CAPACITY`](crate::auth::DEFAULT_TOKEN_CACHE_CAPACITY)).
    /// Past it, the least recently used tenants with nothing under way are
    /// evicted; their tokens stay in the token store, so their next call
    /// reloads them without a token request.
    pub fn token_cache_capacity(mut self, tenants: usize) -> Self {
        self.token_cache_capacity = tenants;
        self
    }

    /// The timeout of token requests (default 30 s).
    pub fn token_timeout(mut self, timeout: Duration) -> Self {
        self.token_timeout = timeout;
        self
    }

    /// Sends requests to `url` instead of the spec's server. Paths are
    /// appended to it, so include any prefix (`https://host/api/v3`). A
    /// user name or password in it is refused at `build` (give them as a
    /// basic credential), as are a query and a fragment.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The timeout of a whole call, from connecting to reading the body,
    /// every retry and the waits between them, every redirect and the
    /// resend after a 401 included (default 60 s). Token requests have
    /// their own [`token_timeout`](Self::token_timeout). `None` waits
    /// forever. A call can set its own with `CallOptions::timeout`.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// The timeout of one attempt, from sending to reading the body
    /// (default: none, only the call's [`timeout`](Self::timeout)). An
    /// attempt that runs out of time is retried like a broken connection.
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.attempt_timeout = timeout.into();
        self
    }

    /// How many times a failed attempt is retried (default 2; 0 turns
    /// retries off). See [`retry_policy`](Self::retry_policy).
    pub fn retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.max_retries(retries);
        self
    }

    /// How failed attempts are retried: connection errors, `408`, `429` and
    /// `5xx` answers, with exponential backoff and jitter or after the
    /// `Retry-After` the server asks for. A `POST` or `PATCH` is retried
    /// only with an idempotency key (which polvo sets where the API takes
    /// one), so that nothing is done twice.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Adds a hook, run around every attempt sent to the API's origin, after
    /// the hooks added before it.
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.hooks.push(Box::new(hook));
        self
    }

    /// Limits the attempts the whole client sends, every tenant included:
    /// `Quota::per_second(nonzero!(10u32))`, or a burst with
    /// `.allow_burst(..)`. An attempt waits for its turn (within the call's
    /// timeout).
    pub fn rate_limit(mut self, quota: governor::Quota) -> Self {
        self.rate_limit = Some(quota);
        self
    }

    /// Limits the attempts each tenant sends (see
    /// [`ClientCore::for_tenant`]), each tenant with a quota of its own.
    pub fn tenant_rate_limit(mut self, quota: governor::Quota) -> Self {
        self.tenant_rate_limit = Some(quota);
        self
    }

    /// Limits the attempts each tenant sends to one operation, named by
    /// method and path as the spec writes them (`"POST
    /// /crm/v3/objects/contacts/search"`), for APIs that limit some
    /// operations more tightly than the rest. The operation's attempts also
    /// count against the client's and the tenant's quotas. A name the
    /// service does not have fails `.build()` with
    /// [`BuildError::UnknownOperation`].
    pub fn operation_rate_limit(mut self, operation: &str, quota: governor::Quota) -> Self {
        self.operation_rate_limits.push((operation.to_owned(), quota));
        self
    }

    /// Waits out the limit the API reports: after a response with
    /// `X-RateLimit-Remaining: 0`, the tenant's next attempts wait until
    /// `X-RateLimit-Reset` (a Unix time, as GitHub sends it, or seconds
    /// from now), at most 15 minutes and within the call's timeout.
    pub fn adaptive_rate_limit(mut self) -> Self {
        self.adaptive_rate_limit = true;
        self
    }

    /// Adds a [`reqwest-middleware`](reqwest_middleware) layer (tracing,
    /// caching, …), run on every HTTP request the client sends to the API,
    /// inside polvo's own retries, credentials and redirect handling.
    /// Token requests do not go through it.
    pub fn middleware(mut self, layer: impl reqwest_middleware::Middleware) -> Self {
        self.middleware.push(Arc::new(layer));
        self
    }

    /// The timeout for opening a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `polvo/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// A header sent with every request to the API's origin (never with a
    /// redirect to another origin). Its value is marked sensitive, so it can
    /// carry a secret; for the same reason it counts as a credential for
    /// the plain-http rule (see [`allow_insecure_http`](Self::allow_insecure_http)).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The largest response body a call reads, in bytes, counted after
    /// decompression (default [`DEFAULT_MAX_RESPONSE_SIZE`], 64 MiB). A larger
    /// body ends the call with [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge)
    /// as soon as the limit is passed; `u64::MAX` removes the limit.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Lets credentials go over plain http to a host that is not loopback.
    ///
    /// By default a request that would carry credentials (an API key, basic,
    /// bearer, OAuth 2.0 or JWT) or [`header`](Self::header) values to an
    /// `http://` base URL off `localhost`, `127.0.0.0/8` and `[::1]` fails
    /// with [`RequestError::InsecureUrl`](crate::RequestError::InsecureUrl)
    /// before anything is sent (and before any token is fetched), because
    /// anyone on the path can read them. Requests without either go over
    /// http either way. Use this only on a
    /// network you trust, such as a private test environment.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Builds the HTTP client from a `reqwest` builder of your own: its
    /// proxy, TLS (root certificates, client certificates), DNS, timeout,
    /// user agent and connection-pool settings apply; this builder's
    /// `timeout`, `connect_timeout` and `user_agent` do not. Headers set
    /// with [`header`](Self::header) still apply. reqwest applies its
    /// `timeout` to each request, so with redirects a call can take up to
    /// that long per hop.
    ///
    /// It takes a builder rather than a built `reqwest::Client` because
    /// polvo must change its redirect and `Referer` settings; each polvo
    /// client therefore has a connection pool of its own.
    ///
    /// polvo turns off reqwest's own redirect handling and `Referer` header
    /// on it, whatever the builder says, because polvo follows redirects
    /// itself so that credentials never leave the API's origin. Headers set
    /// on the reqwest builder (`default_headers`) go with every request the
    /// client makes, a redirect to another origin included, so put secrets
    /// in credentials or in [`header`](Self::header) instead.
    pub fn http_client(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(builder);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<S, BuildError> {
        if let Some(e) = self.env_error {
            return Err(BuildError::Auth(e));
        }
        let url = match (&self.base_url, self.default_base_url) {
            (Some(url), _) => url.clone(),
            (None, Some(url)) => url.to_owned(),
            (None, None) => return Err(BuildError::NoBaseUrl),
        };
        let parsed = parse_base_url(&url)?;
        let base_url = url.trim_end_matches('/').to_owned();
        // The reqwest builder's own timeout applies per request when it is the user's.
        let timeout = if self.http.is_some() { None } else { self.timeout };
        // Endpoints the spec gives relative to its server follow the base URL
        // as written (a trailing `/` keeps the last path segment).
        let mut credentials = self.credentials;
        crate::auth::resolve_relative_endpoints(&mut credentials, S::SCHEMES, &parsed).map_err(BuildError::Auth)?;
        let insecure_origin = (!self.allow_insecure_http && !crate::auth::is_secure(&parsed))
            .then(|| crate::redirect::origin_text(&parsed));
        let default_headers = header_map(&self.headers)?;
        let builder = match self.http {
            Some(builder) => builder,
            // The call's timeout is set on each request (see the `transport` module).
            None => reqwest::Client::builder().user_agent(self.user_agent).connect_timeout(self.connect_timeout),
        };
        // polvo follows redirects itself (see `redirect`), and sends no `Referer`.
        let http =
            builder.redirect(reqwest::redirect::Policy::none()).referer(false).build().map_err(BuildError::Http)?;
        let token_http = crate::auth::TokenClient::new(self.token_timeout);
        let auth = if S::SCHEMES.is_empty() && credentials.is_empty() {
            AuthState::none(S::NAME, token_http)
        } else {
            let store = token_store::<S>(self.store, self.token_keys)?;
            let caching = CacheSettings { skew: self.refresh_skew, capacity: self.token_cache_capacity };
            AuthState::new(S::NAME, S::SCHEMES, credentials, store, token_http, caching).map_err(BuildError::Auth)?
        };
        let layered = (!self.middleware.is_empty()).then(|| {
            self.middleware
                .into_iter()
                .fold(reqwest_middleware::ClientBuilder::new(http.clone()), |builder, layer| builder.with_arc(layer))
                .build()
        });
        let inner = Inner {
            http,
            base_url,
            origin: parsed.origin(),
            insecure_origin,
            default_headers,
            max_response_size: self.max_response_size,
            settings: CallSettings {
                retry: self.retry,
                timeout,
                attempt_timeout: self.attempt_timeout,
                rate_limit_cost: 1,
            },
            hooks: self.hooks,
            rate_limits: RateLimits::new(
                self.rate_limit,
                self.tenant_rate_limit,
                operation_quotas::<S>(self.operation_rate_limits)?,
                self.adaptive_rate_limit,
            ),
            layered,
            auth,
        };
        Ok(S::from_core(ClientCore { inner: Arc::new(inner), tenant: Arc::from(DEFAULT_TENANT) }))
    }
}

/// The operations named in `operation_rate_limit`, found among the
/// service's (the method in any case, the path exactly as the spec writes it).
fn operation_quotas<S: Service>(named: Vec<(String, governor::Quota)>) -> Result<Vec<OperationQuota>, BuildError> {
    named
        .into_iter()
        .map(|(name, quota)| {
            let unknown = || BuildError::UnknownOperation { operation: name.clone() };
            let (method, path) = name.trim().split_once(char::is_whitespace).ok_or_else(unknown)?;
            let (method, path) = (method.to_ascii_uppercase(), path.trim());
            let known = S::OPERATIONS.iter().find_map(|operation| {
                let (m, p) = operation.split_once(' ')?;
                (m == method && p == path).then_some(p)
            });
            let template = known.ok_or_else(unknown)?;
            let method = http::Method::from_bytes(method.as_bytes()).map_err(|_| unknown())?;
            Ok((method, template, quota))
        })
        .collect()
}

/// The token store a client keeps tokens in: the builder's, encrypted with
/// the builder's keyring or else the one in the variable the service's
/// section names (an unset or malformed variable is an error, never tokens
/// stored in clear), or else an unencrypted [`MemoryStore`].
fn token_store<S: Service>(
    store: Option<Arc<dyn TokenStore>>,
    keys: Option<Keyring>,
) -> Result<Arc<dyn TokenStore>, BuildError> {
    let Some(store) = store else { return Ok(Arc::new(MemoryStore::new())) };
    let keys = match (keys, S::TOKEN_KEYS_ENV) {
        (Some(keys), _) => keys,
        (None, Some(var)) => Keyring::from_env(var).map_err(|e| BuildError::TokenKeys(e.0))?,
        (None, None) => return Ok(store),
    };
    Ok(Arc::new(EncryptedStore::new(store, keys)))
}

/// The builder behind a generated `Client::builder()`: its base URL
/// defaults to the spec's server, if it names one.
pub fn client_builder<S: Service>(default_base_url: Option<&'static str>) -> ClientBuilder<S> {
    ClientBuilder::new(default_base_url)
}

/// Applies the credentials an operation's `security` asks for to an empty
/// header map, query and cookie list, as sending a request would (used to
/// measure the auth layer on its own).
pub async fn apply_credentials(
    core: &ClientCore,
    security: Security,
) -> Result<(HeaderMap, Vec<(String, String)>, Vec<(String, String)>), AuthError> {
    let (mut headers, mut query, mut cookies) = (HeaderMap::new(), Vec::new(), Vec::new());
    let mut target = crate::auth::Target { headers: &mut headers, query: &mut query, cookies: &mut cookies };
    core.inner.auth.apply(security, &core.tenant, &mut target).await?;
    Ok((headers, query, cookies))
}

/// Parses a base URL: http or https, without a query, fragment, user name
/// or password. Errors show the URL without its user name and password.
fn parse_base_url(url: &str) -> Result<url::Url, BuildError> {
    let invalid = |reason: String| BuildError::InvalidBaseUrl { url: without_userinfo(url), reason };
    let parsed = url::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https".into()));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL cannot have a query or fragment".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // reqwest would send them as `Authorization: Basic` with every
        // request, over plain http too, past polvo's rules for credentials.
        return Err(invalid(
            "a base URL cannot carry a user name or password: give them as the credential of the API's basic \
             scheme, `.credential(<module>::auth::<scheme>(user, password))`"
                .into(),
        ));
    }
    Ok(parsed)
}

/// `url` with anything between `scheme://` and an `@` before the host's
/// end replaced by `***`, so an error never repeats a password, even for a
/// URL that does not parse.
fn without_userinfo(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let authority_end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    match url[start..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

/// The builder's default headers, each value marked sensitive.
fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, BuildError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let invalid = || BuildError::InvalidHeader { name: name.clone() };
        let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let mut v = HeaderValue::from_str(value).map_err(|_| invalid())?;
        v.set_sensitive(true);
        map.append(n, v);
    }
    Ok(map)
}
