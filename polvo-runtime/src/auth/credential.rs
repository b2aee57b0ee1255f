//! Credentials a user hands to a client builder, one per security scheme.
//!
//! Generated clients have a function per scheme in their `auth` module
//! (`hubspot::auth::private_apps(token)`), typed by the service so a
//! credential for one API cannot be given to another's client.

use secrecy::{ExposeSecret, SecretBox, SecretString};
use std::marker::PhantomData;

use super::error::AuthError;
use super::spec::{ClientAuth, SchemeKind, SchemeSpec};
use super::token::TokenSet;

/// A credential for one security scheme of service `S`.
pub struct Credential<S> {
    pub(crate) scheme: String,
    pub(crate) value: CredentialValue,
    service: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for Credential<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.value {
            CredentialValue::ApiKey(_) => "api key",
            CredentialValue::Basic { .. } => "basic",
            CredentialValue::Bearer(_) => "bearer",
            CredentialValue::OAuth2(_) => "oauth2",
            CredentialValue::Jwt(_) => "jwt",
        };
        f.debug_struct("Credential").field("scheme", &self.scheme).field("kind", &kind).finish_non_exhaustive()
    }
}

pub(crate) enum CredentialValue {
    ApiKey(SecretString),
    Basic { username: String, password: SecretString },
    Bearer(SecretString),
    OAuth2(Box<OAuth2Settings>),
    Jwt(Box<JwtSettings>),
}

#[derive(Default)]
pub(crate) struct OAuth2Settings {
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<SecretString>,
    pub(crate) private_key: Option<SecretBox<[u8]>>,
    pub(crate) private_key_algorithm: Option<String>,
    pub(crate) private_key_id: Option<String>,
    pub(crate) refresh_token: Option<SecretString>,
    pub(crate) client_auth: Option<super::spec::ClientAuth>,
    pub(crate) tokens: Option<TokenSet>,
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) authorization_url: Option<String>,
    pub(crate) token_url: Option<String>,
    pub(crate) revocation_url: Option<String>,
    pub(crate) device_authorization_url: Option<String>,
    /// The grant the credential gets tokens with, instead of the scheme's
    /// preferred flow.
    pub(crate) grant: Option<super::spec::Grant>,
}

pub(crate) struct JwtSettings {
    pub(crate) key: SecretBox<[u8]>,
    pub(crate) key_id: Option<String>,
    pub(crate) claims: Vec<(String, serde_json::Value)>,
    pub(crate) exchange_url: Option<String>,
}

impl<S> Credential<S> {
    fn new(scheme: &str, value: CredentialValue) -> Self {
        Credential { scheme: scheme.to_owned(), value, service: PhantomData }
    }

    /// An API key for `scheme`.
    pub fn api_key(scheme: &str, key: impl Into<String>) -> Self {
        Credential::new(scheme, CredentialValue::ApiKey(SecretString::from(key.into())))
    }

    /// A user name and password for an HTTP basic `scheme`.
    pub fn basic(scheme: &str, username: impl Into<String>, password: impl Into<String>) -> Self {
        Credential::new(
            scheme,
            CredentialValue::Basic { username: username.into(), password: SecretString::from(password.into()) },
        )
    }

    /// A token for an HTTP bearer `scheme` (or an OAuth 2.0 scheme used with
    /// a token obtained elsewhere, such as a personal or private-app token).
    pub fn bearer(scheme: &str, token: impl Into<String>) -> Self {
        Credential::new(scheme, CredentialValue::Bearer(SecretString::from(token.into())))
    }

    /// The scheme this credential is for.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Reads the credential of `spec` from the environment variables it
    /// names. `Ok(None)` when none of them is set; an error naming the
    /// variable when only some are.
    pub(crate) fn from_env(spec: &SchemeSpec) -> Result<Option<Self>, AuthError> {
        let var = |name: &str| if name.is_empty() { None } else { std::env::var(name).ok().filter(|v| !v.is_empty()) };
        let missing = |name: &str| AuthError::MissingEnv { scheme: spec.name.to_owned(), var: name.to_owned() };
        let value = match &spec.kind {
            SchemeKind::ApiKey { env, .. } => var(env).map(|k| CredentialValue::ApiKey(SecretString::from(k))),
            SchemeKind::Bearer { env } => var(env).map(|t| CredentialValue::Bearer(SecretString::from(t))),
            SchemeKind::Basic { username_env, password_env } => match (var(username_env), var(password_env)) {
                (None, None) => None,
                (Some(username), Some(password)) => {
                    Some(CredentialValue::Basic { username, password: SecretString::from(password) })
                }
                (None, Some(_)) => return Err(missing(username_env)),
                (Some(_), None) => return Err(missing(password_env)),
            },
            SchemeKind::OAuth2(o) => match var(o.client_id_env) {
                None => None,
                Some(client_id) => {
                    let client_secret = var(o.client_secret_env).map(SecretString::from);
                    let private_key =
                        var(o.private_key_env).map(|k| SecretBox::from(k.replace("\\n", "\n").into_bytes()));
                    // Name the variable that the section's client authentication needs.
                    match o.client_auth {
                        ClientAuth::ClientSecretBasic | ClientAuth::ClientSecretPost
                            if client_secret.is_none() && private_key.is_none() =>
                        {
                            return Err(missing(o.client_secret_env));
                        }
                        ClientAuth::PrivateKeyJwt if private_key.is_none() => return Err(missing(o.private_key_env)),
                        _ => {}
                    }
                    Some(CredentialValue::OAuth2(Box::new(OAuth2Settings {
                        client_id,
                        client_secret,
                        private_key,
                        refresh_token: var(o.refresh_token_env).map(SecretString::from),
                        ..OAuth2Settings::default()
                    })))
                }
            },
            SchemeKind::Jwt(j) => super::jwt::key_material(spec.name, j.key_env, j.key_file_env)?.map(|key| {
                CredentialValue::Jwt(Box::new(JwtSettings {
                    key: SecretBox::from(key),
                    key_id: var(j.key_id_env),
                    claims: Vec::new(),
                    exchange_url: None,
                }))
            }),
        };
        Ok(value.map(|v| Credential::new(spec.name, v)))
    }
}

/// An OAuth 2.0 client registration for service `S`, built up with its
/// methods and given to a client builder with `.credential(..)`.
pub struct OAuth2Credential<S> {
    scheme: String,
    settings: OAuth2Settings,
    service: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for OAuth2Credential<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth2Credential")
            .field("scheme", &self.scheme)
            .field("client_id", &self.settings.client_id)
            .finish_non_exhaustive()
    }
}

impl<S> OAuth2Credential<S> {
    /// A registration with a client id, for `scheme`.
    pub fn new(scheme: &str, client_id: impl Into<String>) -> Self {
        OAuth2Credential {
            scheme: scheme.to_owned(),
            settings: OAuth2Settings { client_id: client_id.into(), ..OAuth2Settings::default() },
            service: PhantomData,
        }
    }

    /// The client secret.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.settings.client_secret = Some(SecretString::from(secret.into()));
        self
    }

    /// The private key for `private_key_jwt` client authentication (PEM,
    /// DER, or base64 DER), signed with `algorithm` (`RS256`, `ES256`, …).
    pub fn private_key(mut self, algorithm: &str, key: impl Into<Vec<u8>>, key_id: Option<&str>) -> Self {
        self.settings.private_key = Some(SecretBox::from(key.into()));
        self.settings.private_key_algorithm = Some(algorithm.to_owned());
        self.settings.private_key_id = key_id.map(str::to_owned);
        self
    }

    /// How the client authenticates at the token endpoint, instead of what
    /// the spec and its `x-polvo` section say.
    pub fn client_auth(mut self, method: super::spec::ClientAuth) -> Self {
        self.settings.client_auth = Some(method);
        self
    }

    /// Where the provider sends the user back after login.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.settings.redirect_uri = Some(uri.into());
        self
    }

    /// The scopes requested by default (instead of the `x-polvo` section's;
    /// without either, none are requested and the provider's defaults apply).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.settings.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// A refresh token from an earlier login, used until the store has newer tokens.
    pub fn refresh_token(mut self, token: impl Into<String>) -> Self {
        self.settings.refresh_token = Some(SecretString::from(token.into()));
        self
    }

    /// Tokens from an earlier login.
    pub fn tokens(mut self, tokens: TokenSet) -> Self {
        self.settings.tokens = Some(tokens);
        self
    }

    /// Replaces the spec's authorization endpoint (a sandbox or test provider).
    /// A relative URL is resolved against the client's base URL (RFC 3986).
    pub fn authorization_url(mut self, url: impl Into<String>) -> Self {
        self.settings.authorization_url = Some(url.into());
        self
    }

    /// Replaces the spec's token endpoint. A relative URL is resolved against
    /// the client's base URL (RFC 3986); the result must be https (plain http
    /// only on loopback), checked when the client is built.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.settings.token_url = Some(url.into());
        self
    }

    /// Replaces the spec's revocation endpoint. A relative URL is resolved
    /// against the client's base URL; the result must be https (plain http
    /// only on loopback), checked when `revoke()` uses it.
    pub fn revocation_url(mut self, url: impl Into<String>) -> Self {
        self.settings.revocation_url = Some(url.into());
        self
    }

    /// Gets tokens with the client credentials grant: a machine client,
    /// with no user, on a scheme whose spec lists `clientCredentials` among
    /// other flows (the first listed is used otherwise). User logins with
    /// other credentials of the same scheme keep their refresh tokens.
    pub fn client_credentials(self) -> Self {
        self.grant(super::spec::Grant::ClientCredentials)
    }

    /// The grant this credential gets tokens with, whichever flow the spec
    /// (or the `x-polvo` section's `flow`) prefers: one scheme can serve
    /// users logging in ([`Grant::AuthorizationCode`](super::spec::Grant::AuthorizationCode),
    /// refreshed) and machine clients ([`Grant::ClientCredentials`](super::spec::Grant::ClientCredentials)).
    pub fn grant(mut self, grant: super::spec::Grant) -> Self {
        self.settings.grant = Some(grant);
        self
    }

    /// Replaces the spec's device authorization endpoint. A relative URL is
    /// resolved against the client's base URL; the result must be https
    /// (plain http only on loopback), checked when a device login uses it.
    pub fn device_authorization_url(mut self, url: impl Into<String>) -> Self {
        self.settings.device_authorization_url = Some(url.into());
        self
    }
}

impl<S> From<OAuth2Credential<S>> for Credential<S> {
    fn from(c: OAuth2Credential<S>) -> Self {
        Credential::new(&c.scheme, CredentialValue::OAuth2(Box::new(c.settings)))
    }
}

/// A signing key for a JWT scheme of service `S`, with optional claim and
/// endpoint overrides.
pub struct JwtCredential<S> {
    scheme: String,
    settings: JwtSettings,
    service: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for JwtCredential<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtCredential")
            .field("scheme", &self.scheme)
            .field("key_id", &self.settings.key_id)
            .finish_non_exhaustive()
    }
}

impl<S> JwtCredential<S> {
    /// A key (PEM, DER or base64 DER; the shared secret for `HS*`) for `scheme`.
    pub fn new(scheme: &str, key: impl Into<Vec<u8>>) -> Self {
        JwtCredential {
            scheme: scheme.to_owned(),
            settings: JwtSettings {
                key: SecretBox::from(key.into()),
                key_id: None,
                claims: Vec::new(),
                exchange_url: None,
            },
            service: PhantomData,
        }
    }

    /// A key read from a file.
    pub fn from_file(scheme: &str, path: impl AsRef<std::path::Path>) -> Result<Self, AuthError> {
        super::jwt::read_key_file(scheme, path.as_ref()).map(|key| JwtCredential::new(scheme, key))
    }

    /// The `kid` header.
    pub fn key_id(mut self, kid: impl Into<String>) -> Self {
        self.settings.key_id = Some(kid.into());
        self
    }

    /// Sets (or replaces) a claim.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.settings.claims.push((name.into(), value.into()));
        self
    }

    /// Replaces the URL the JWT is exchanged at (the token endpoint, or the
    /// installation-token URL).
    pub fn exchange_url(mut self, url: impl Into<String>) -> Self {
        self.settings.exchange_url = Some(url.into());
        self
    }
}

impl<S> From<JwtCredential<S>> for Credential<S> {
    fn from(c: JwtCredential<S>) -> Self {
        Credential::new(&c.scheme, CredentialValue::Jwt(Box::new(c.settings)))
    }
}

/// Reads a secret byte string for the few places that need it.
pub(crate) fn expose(bytes: &SecretBox<[u8]>) -> &[u8] {
    bytes.expose_secret()
}
