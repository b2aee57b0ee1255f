//! The token endpoint's answer (RFC 6749 §5.1), as the `oauth2` crate reads
//! it, with `token_type` checked rather than ignored.
//!
//! `token_type` is REQUIRED by RFC 6749, and polvo only sends `Bearer`
//! tokens, so any other type (`mac`, `DPoP`, …) is an error naming it
//! rather than a token sent the wrong way. Some providers (LinkedIn, for
//! one) omit the field although they issue bearer tokens: an absent
//! `token_type` is taken as `Bearer`.

use oauth2::{AccessToken, RefreshToken, TokenResponse};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::time::Duration;

use super::error::AuthError;
use super::token::{TokenSet, expires_in};

/// The `token_type` of a reply, as sent (absent: `None`).
#[derive(Clone, Debug, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(transparent)]
pub struct ReplyTokenType(Option<String>);

impl oauth2::TokenType for ReplyTokenType {}

/// A successful token response.
#[derive(Debug, Deserialize, Serialize)]
pub struct TokenReply {
    access_token: AccessToken,
    #[serde(default)]
    token_type: ReplyTokenType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<RefreshToken>,
    #[serde(default, rename = "scope", skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

impl TokenResponse for TokenReply {
    type TokenType = ReplyTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &ReplyTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }
    fn scopes(&self) -> Option<&Vec<oauth2::Scope>> {
        None
    }
}

impl TokenReply {
    /// The tokens of this reply, if they are bearer tokens.
    pub fn into_tokens(self, scheme: &str) -> Result<TokenSet, AuthError> {
        check_token_type(scheme, self.token_type.0.as_deref())?;
        Ok(TokenSet {
            access_token: SecretString::from(self.access_token.into_secret()),
            refresh_token: self.refresh_token.map(|r| SecretString::from(r.into_secret())),
            expires_at: self.expires_in.and_then(|s| expires_in(Duration::from_secs(s))),
            scopes: self.scope.map(|s| s.split_whitespace().map(str::to_owned).collect()).unwrap_or_default(),
        })
    }
}

/// Accepts `Bearer` in any case, and no type at all; refuses the rest.
pub fn check_token_type(scheme: &str, token_type: Option<&str>) -> Result<(), AuthError> {
    match token_type {
        None => {
            tracing::debug!(scheme, "the token reply has no `token_type`; taking it as `Bearer`");
            Ok(())
        }
        Some(t) if t.eq_ignore_ascii_case("bearer") => Ok(()),
        Some(other) => {
            // The provider's text, kept short: it is not a secret, but it is not ours either.
            let shown: String = other.chars().take(40).collect();
            Err(AuthError::UnsupportedTokenType { scheme: scheme.to_owned(), token_type: shown })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: serde_json::Value) -> Result<TokenSet, AuthError> {
        serde_json::from_value::<TokenReply>(json).expect("a token reply").into_tokens("oauth2")
    }

    #[test]
    fn bearer_in_any_case_or_absent_is_accepted() {
        for token_type in [Some("Bearer"), Some("bearer"), Some("BEARER"), None] {
            let mut json = serde_json::json!({"access_token": "a", "expires_in": 60, "scope": "x y"});
            if let Some(t) = token_type {
                json["token_type"] = t.into();
            }
            let tokens = read(json).unwrap_or_else(|e| panic!("{token_type:?}: {e}"));
            assert_eq!(tokens.scopes, ["x", "y"]);
            assert!(tokens.expires_at.is_some());
        }
    }

    #[test]
    fn other_token_types_are_errors_naming_the_type() {
        for token_type in ["mac", "DPoP", "N_A"] {
            let err = read(serde_json::json!({"access_token": "a", "token_type": token_type})).unwrap_err();
            assert_eq!(err, AuthError::UnsupportedTokenType { scheme: "oauth2".into(), token_type: token_type.into() });
            assert!(err.to_string().contains(&format!("`{token_type}`")), "{err}");
        }
    }
}
