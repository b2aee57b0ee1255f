//! Static descriptions of a service's security schemes, emitted by the
//! `service!` macro from `components.securitySchemes` and the `x-polvo`
//! section. Everything here is `const`-constructible.

/// Where an API key goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// How an OAuth 2.0 client authenticates at the token endpoint.
///
/// More methods may be added (mutual TLS, for one), so a `match` on it needs
/// a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuth {
    /// HTTP basic with the client id and secret (the default).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A JWT signed with the client's private key (RFC 7523 §2.2).
    PrivateKeyJwt,
    /// A public client: only `client_id` is sent.
    None,
}

/// The OAuth 2.0 grant a scheme obtains tokens with on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Authorization code with PKCE: a user logs in through `auth_url`.
    AuthorizationCode,
    /// Client credentials: the client gets tokens itself.
    ClientCredentials,
    /// Device authorization (RFC 8628): a user approves on another device.
    DeviceCode,
}

/// A scheme's OAuth 2.0 endpoints and settings. An endpoint URL may be a
/// relative reference (`/oauth/token`), as OpenAPI allows: the client
/// resolves it against its base URL when it is built (RFC 3986).
#[derive(Clone, Copy, Debug)]
pub struct OAuth2Spec {
    /// The flows the spec declares, the preferred first.
    pub grants: &'static [Grant],
    /// The authorization endpoint; may be relative to the base URL.
    pub authorization_url: Option<&'static str>,
    /// The token endpoint; may be relative to the base URL.
    pub token_url: Option<&'static str>,
    /// The revocation endpoint (RFC 7009); may be relative to the base URL.
    pub revocation_url: Option<&'static str>,
    /// The device authorization endpoint (RFC 8628); may be relative to the base URL.
    pub device_authorization_url: Option<&'static str>,
    /// How the client authenticates at the token endpoint.
    pub client_auth: ClientAuth,
    /// Scopes requested when none are given.
    pub default_scopes: &'static [&'static str],
    /// The redirect URI for the authorization code flow, if fixed.
    pub redirect_uri: Option<&'static str>,
    /// Environment variable of the client id.
    pub client_id_env: &'static str,
    /// Environment variable of the client secret.
    pub client_secret_env: &'static str,
    /// Environment variable of a refresh token to start from.
    pub refresh_token_env: &'static str,
    /// Environment variable of the private key for `private_key_jwt`.
    pub private_key_env: &'static str,
}

/// A claim value in a JWT claims template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimValue {
    /// A fixed string.
    Text(&'static str),
    /// A fixed number.
    Number(i64),
    /// The value of an environment variable, read when the client is built.
    Env(&'static str),
}

/// How a minted JWT is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtUse {
    /// Sent as it is, in a header with a prefix (`Authorization: Bearer <jwt>`).
    Direct {
        /// The header.
        header: &'static str,
        /// The prefix before the token, such as `Bearer`; empty for none.
        prefix: &'static str,
    },
    /// Exchanged for an access token with the JWT-bearer grant (RFC 7523)
    /// at this token URL, with these scopes.
    JwtBearerGrant {
        /// The token endpoint.
        token_url: &'static str,
        /// Scopes to request (sent space-separated as `scope`).
        scopes: &'static [&'static str],
    },
    /// Exchanged at a URL that takes the JWT as a bearer token and answers
    /// `{"token": …, "expires_at": …}` (GitHub App installation tokens).
    /// `{tenant}` in the URL is replaced by the tenant (the installation id).
    BearerPost {
        /// The exchange URL.
        url: &'static str,
    },
}

/// A scheme that signs its own JWTs.
#[derive(Clone, Copy, Debug)]
pub struct JwtSpec {
    /// `RS256`, `ES256`, `EdDSA`, `HS256`, ….
    pub algorithm: &'static str,
    /// Environment variable holding the key (PEM text, or base64 DER).
    pub key_env: &'static str,
    /// Environment variable holding a path to the key file.
    pub key_file_env: &'static str,
    /// The `kid` header, fixed.
    pub key_id: Option<&'static str>,
    /// Environment variable of the `kid` header.
    pub key_id_env: &'static str,
    /// Claims besides `iat` and `exp`.
    pub claims: &'static [(&'static str, ClaimValue)],
    /// Seconds added to now for `iat` (GitHub wants -60).
    pub issued_at_offset: i64,
    /// Seconds from `iat` to `exp`.
    pub lifetime: i64,
    /// How the token is used.
    pub usage: JwtUse,
}

/// The kind of a scheme and its settings.
#[derive(Clone, Copy, Debug)]
pub enum SchemeKind {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Where it goes.
        location: KeyLocation,
        /// The header, parameter or cookie name.
        name: &'static str,
        /// A prefix before the key (`Bearer`, `token`); empty for none.
        prefix: &'static str,
        /// Environment variable of the key.
        env: &'static str,
    },
    /// HTTP basic authentication.
    Basic {
        /// Environment variable of the user name.
        username_env: &'static str,
        /// Environment variable of the password.
        password_env: &'static str,
    },
    /// HTTP bearer authentication with a token given up front.
    Bearer {
        /// Environment variable of the token.
        env: &'static str,
    },
    /// OAuth 2.0.
    OAuth2(OAuth2Spec),
    /// A JWT the client signs.
    Jwt(JwtSpec),
}

/// One security scheme of a service.
#[derive(Clone, Copy, Debug)]
pub struct SchemeSpec {
    /// The scheme's name in the spec (`components.securitySchemes` key).
    pub name: &'static str,
    /// What it is.
    pub kind: SchemeKind,
}

impl SchemeSpec {
    /// The environment variables that configure this scheme, required first.
    pub fn env_vars(&self) -> Vec<&'static str> {
        let vars = match &self.kind {
            SchemeKind::ApiKey { env, .. } | SchemeKind::Bearer { env } => vec![*env],
            SchemeKind::Basic { username_env, password_env } => vec![*username_env, *password_env],
            SchemeKind::OAuth2(o) => vec![o.client_id_env, o.client_secret_env],
            SchemeKind::Jwt(j) => vec![j.key_env],
        };
        vars.into_iter().filter(|v| !v.is_empty()).collect()
    }
}

/// A security requirement: the schemes that must all be applied together.
pub type Requirement = &'static [&'static str];

/// An operation's security: alternatives, any one of which suffices. An
/// empty list means the operation takes no credentials; an empty
/// requirement among the alternatives means credentials are optional.
pub type Security = &'static [Requirement];
