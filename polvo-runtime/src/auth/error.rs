//! Why credentials could not be applied.

use std::fmt;

/// A failure to authenticate a request. Never contains a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// An environment variable a scheme needs is not set.
    #[error("environment variable `{var}` is not set (needed for the `{scheme}` security scheme)")]
    MissingEnv {
        /// The scheme.
        scheme: String,
        /// The variable.
        var: String,
    },
    /// `from_env` found no scheme it could configure.
    #[error("no credentials in the environment: set {options}")]
    NothingInEnv {
        /// What could be set, as a sentence.
        options: String,
    },
    /// The operation needs credentials of a scheme the client was not given.
    #[error("this operation needs credentials for {needed}, and the client has none of them")]
    NoCredentials {
        /// The acceptable schemes, as a sentence.
        needed: String,
    },
    /// A credential names a scheme the service does not have, or has a
    /// different kind.
    #[error("the `{scheme}` credential does not fit: {reason}")]
    Mismatch {
        /// The scheme.
        scheme: String,
        /// Why.
        reason: String,
    },
    /// A scheme is missing part of its configuration (a token URL, say).
    #[error("the `{scheme}` scheme is not fully configured: {reason}")]
    Config {
        /// The scheme.
        scheme: String,
        /// What is missing.
        reason: String,
    },
    /// An endpoint that would receive credentials (token, revocation,
    /// device authorization or JWT exchange) is not https, or is plain http
    /// off the loopback interface.
    #[error(
        "refusing to send `{scheme}` credentials to `{url}`: endpoints that receive credentials must use https (plain http only on loopback); give another URL with the credential's `.{setting}(..)`"
    )]
    InsecureUrl {
        /// The scheme.
        scheme: String,
        /// The credential setting that gives this URL (`token_url`, `revocation_url`, ...).
        setting: &'static str,
        /// The URL.
        url: String,
    },
    /// No user has logged in yet for this scheme and tenant.
    #[error(
        "no tokens for `{scheme}` (tenant `{tenant}`) yet: start a login with `auth_url` and finish it with `fetch_access_token`"
    )]
    NotAuthorized {
        /// The scheme.
        scheme: String,
        /// The tenant.
        tenant: String,
    },
    /// The refresh token is no longer accepted (`invalid_grant`): the user
    /// must log in again. Nothing is retried.
    #[error(
        "the `{scheme}` refresh token for tenant `{tenant}` was rejected ({reason}); the user must authorize again"
    )]
    ReauthorizationRequired {
        /// The scheme.
        scheme: String,
        /// The tenant.
        tenant: String,
        /// What the provider said.
        reason: String,
    },
    /// The `state` returned to the redirect URI matches no login started by
    /// this client (forged, replayed or expired).
    #[error("the login's `state` does not match any login this client started (it may be forged, reused or expired)")]
    StateMismatch,
    /// The token endpoint answered with an OAuth error.
    #[error("the `{scheme}` token endpoint refused the request: {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    TokenEndpoint {
        /// The scheme.
        scheme: String,
        /// The OAuth error code (`invalid_client`, …) or the HTTP status.
        error: String,
        /// The provider's description.
        description: Option<String>,
    },
    /// The token endpoint's answer is not a token response.
    #[error("the `{scheme}` token endpoint answered something that is not a token response: {reason}")]
    MalformedResponse {
        /// The scheme.
        scheme: String,
        /// What was wrong.
        reason: String,
    },
    /// The token endpoint could not be reached (or did not answer in time).
    #[error("the `{scheme}` token endpoint could not be reached: {reason}")]
    Transport {
        /// The scheme.
        scheme: String,
        /// Why.
        reason: String,
    },
    /// A signing key could not be read.
    #[error("the `{scheme}` signing key cannot be used: {reason}")]
    InvalidKey {
        /// The scheme.
        scheme: String,
        /// Why.
        reason: String,
    },
    /// The token store failed.
    #[error("{0}")]
    Store(String),
    /// A token refresh stopped before it finished: its task panicked, or
    /// the runtime it ran on shut down. The next call tries again.
    #[error("the `{scheme}` token refresh for tenant `{tenant}` did not finish: {reason}")]
    RefreshInterrupted {
        /// The scheme.
        scheme: String,
        /// The tenant.
        tenant: String,
        /// What stopped it.
        reason: String,
    },
    /// A tenant that cannot be used: tenants become parts of token-store
    /// keys and URL paths, where an empty, `.` or `..` tenant would stand
    /// for another.
    #[error("the tenant `{tenant}` cannot be used: {reason}")]
    InvalidTenant {
        /// The tenant.
        tenant: String,
        /// Why.
        reason: String,
    },
    /// The token endpoint issued a token of a type polvo cannot send (only
    /// `Bearer` tokens are supported; `mac` and `DPoP` are not).
    #[error("the `{scheme}` token endpoint issued a `{token_type}` token; only `Bearer` tokens are supported")]
    UnsupportedTokenType {
        /// The scheme.
        scheme: String,
        /// The `token_type` the endpoint sent.
        token_type: String,
    },
}

/// Lists scheme names as prose: "`a`", "`a` or `b`", "`a`, `b` or `c`".
/// What is wrong with a JSON document, without quoting any of it: serde's
/// own message can repeat a value, and the value may be a secret.
pub(crate) fn json_problem(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let kind = match error.classify() {
        Category::Syntax | Category::Eof => "not valid JSON",
        Category::Data => "a field is missing or has the wrong type",
        Category::Io => "it could not be read",
    };
    format!("{kind} (line {}, column {})", error.line(), error.column())
}

pub(crate) fn or_list(names: &[impl fmt::Display]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => "nothing".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

impl From<super::store::StoreError> for AuthError {
    fn from(e: super::store::StoreError) -> Self {
        AuthError::Store(e.to_string())
    }
}
