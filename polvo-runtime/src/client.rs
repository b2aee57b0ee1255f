//! The shared client core and the builder every generated client uses.

use http::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Auth, AuthError, AuthState, Credential, MemoryStore, SchemeSpec, TokenStore};
use crate::error::BuildError;
use crate::request::Request;

/// Implemented by every generated `Client`, so the builder can create it.
#[doc(hidden)]
pub trait Service: Sized {
    /// The service's name: its module name.
    const NAME: &'static str;
    /// The service's security schemes.
    const SCHEMES: &'static [SchemeSpec];
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

    /// Applies the credentials an operation's `security` asks for to an
    /// empty header map, query and cookie list, as sending a request would
    /// (used to measure the auth layer on its own).
    #[doc(hidden)]
    pub async fn apply_credentials(
        &self,
        security: crate::auth::Security,
    ) -> Result<(http::HeaderMap, Vec<(String, String)>, Vec<(String, String)>), AuthError> {
        let (mut headers, mut query, mut cookies) = (http::HeaderMap::new(), Vec::new(), Vec::new());
        let mut target = crate::auth::Target { headers: &mut headers, query: &mut query, cookies: &mut cookies };
        self.inner.auth.apply(security, &self.tenant, &mut target).await?;
        Ok((headers, query, cookies))
    }

    /// Starts a request to `path` (already encoded) under the base URL.
    pub fn request(&self, method: http::Method, path: String) -> Request {
        Request::new(self.clone(), method, path)
    }
}

/// Configures a generated client: base URL, timeouts, default headers, or
/// an HTTP client of your own.
///
/// ```no_run
/// # mod petstore { pub struct Client; impl polvo_runtime::__private::Service for Client {
/// #   const NAME: &'static str = "petstore"; const SCHEMES: &'static [polvo_runtime::auth::SchemeSpec] = &[];
/// #   fn from_core(_: polvo_runtime::__private::ClientCore) -> Self { Client }
/// #   fn core(&self) -> &polvo_runtime::__private::ClientCore { unimplemented!() } } }
/// let client: petstore::Client = polvo_runtime::ClientBuilder::new(None)
///     .base_url("http://127.0.0.1:8080/v3")
///     .timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// # Ok::<(), polvo_runtime::BuildError>(())
/// ```
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct ClientBuilder<S> {
    default_base_url: Option<&'static str>,
    base_url: Option<String>,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    user_agent: String,
    headers: Vec<(String, String)>,
    credentials: Vec<Credential<S>>,
    store: Option<Arc<dyn TokenStore>>,
    refresh_skew: Duration,
    token_timeout: Duration,
    env_error: Option<AuthError>,
    service: PhantomData<fn() -> S>,
}

impl<S> fmt::Debug for ClientBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_deref().or(self.default_base_url))
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("credentials", &self.credentials.iter().map(|c| c.scheme()).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The timeout of a whole request unless the builder sets another.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

impl<S: Service> ClientBuilder<S> {
    /// A builder whose base URL defaults to the spec's server, if it names one.
    pub fn new(default_base_url: Option<&'static str>) -> Self {
        ClientBuilder {
            default_base_url,
            base_url: None,
            http: None,
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("polvo/", env!("CARGO_PKG_VERSION")).to_owned(),
            headers: Vec::new(),
            credentials: Vec::new(),
            store: None,
            refresh_skew: DEFAULT_REFRESH_SKEW,
            token_timeout: Duration::from_secs(30),
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

    /// How long before expiry a token is renewed (default 30 s).
    pub fn refresh_skew(mut self, skew: Duration) -> Self {
        self.refresh_skew = skew;
        self
    }

    /// The timeout of token requests (default 30 s).
    pub fn token_timeout(mut self, timeout: Duration) -> Self {
        self.token_timeout = timeout;
        self
    }

    /// Sends requests to `url` instead of the spec's server. Paths are
    /// appended to it, so include any prefix (`https://host/api/v3`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The timeout of a whole request, from connecting to reading the body
    /// (default 60 s). `None` waits forever.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
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

    /// A header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Uses a `reqwest` client of your own (its timeouts, proxy and TLS
    /// settings then apply; this builder's timeouts and headers do not).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
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
        let parsed = url::Url::parse(&url)
            .map_err(|e| BuildError::InvalidBaseUrl { url: url.clone(), reason: e.to_string() })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(BuildError::InvalidBaseUrl { url, reason: "the scheme must be http or https".into() });
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(BuildError::InvalidBaseUrl {
                url,
                reason: "a base URL cannot have a query or fragment".into(),
            });
        }
        let base_url = url.trim_end_matches('/').to_owned();
        // Endpoints the spec gives relative to its server follow the base URL.
        let mut credentials = self.credentials;
        crate::auth::resolve_relative_endpoints(&mut credentials, S::SCHEMES, &base_url).map_err(BuildError::Auth)?;
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut headers = HeaderMap::new();
                for (name, value) in &self.headers {
                    let n = HeaderName::from_bytes(name.as_bytes())
                        .map_err(|_| BuildError::InvalidHeader { name: name.clone() })?;
                    let mut v =
                        HeaderValue::from_str(value).map_err(|_| BuildError::InvalidHeader { name: name.clone() })?;
                    v.set_sensitive(true);
                    headers.append(n, v);
                }
                let mut builder = reqwest::Client::builder()
                    .user_agent(self.user_agent)
                    .default_headers(headers)
                    .connect_timeout(self.connect_timeout);
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                builder.build().map_err(BuildError::Http)?
            }
        };
        let token_http = crate::auth::token_client(self.token_timeout).map_err(BuildError::Http)?;
        let auth = if S::SCHEMES.is_empty() && credentials.is_empty() {
            AuthState::none(S::NAME, token_http)
        } else {
            let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
            AuthState::new(S::NAME, S::SCHEMES, credentials, store, token_http, self.refresh_skew)
                .map_err(BuildError::Auth)?
        };
        Ok(S::from_core(ClientCore {
            inner: Arc::new(Inner { http, base_url, auth }),
            tenant: Arc::from(DEFAULT_TENANT),
        }))
    }
}
