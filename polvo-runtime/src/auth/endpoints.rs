//! Endpoint URLs a spec writes as relative references (`/oauth/token`).
//!
//! OpenAPI resolves them against the server URL. The client resolves them
//! against its base URL when it is built: the spec's first server unless the
//! user chose another, so a client pointed at a sandbox also fetches its
//! tokens there. The result is then checked like any endpoint (https, or
//! http on loopback).

use super::credential::{Credential, CredentialValue};
use super::error::AuthError;
use super::spec::{SchemeKind, SchemeSpec};

/// Gives each OAuth 2.0 credential the absolute form of every endpoint of
/// its scheme that is a relative reference (the spec's, or one the user
/// gave), resolved against `base_url` as RFC 3986 says.
pub(crate) fn resolve_relative_endpoints<S>(
    credentials: &mut [Credential<S>],
    schemes: &[SchemeSpec],
    base_url: &str,
) -> Result<(), AuthError> {
    let Ok(base) = url::Url::parse(base_url) else { return Ok(()) };
    for credential in credentials {
        let CredentialValue::OAuth2(settings) = &mut credential.value else { continue };
        let Some(SchemeKind::OAuth2(spec)) = schemes.iter().find(|s| s.name == credential.scheme).map(|s| &s.kind)
        else {
            continue;
        };
        let slots = [
            (&mut settings.authorization_url, spec.authorization_url),
            (&mut settings.token_url, spec.token_url),
            (&mut settings.revocation_url, spec.revocation_url),
            (&mut settings.device_authorization_url, spec.device_authorization_url),
        ];
        for (slot, from_spec) in slots {
            let Some(url) = slot.as_deref().or(from_spec) else { continue };
            if !matches!(url::Url::parse(url), Err(url::ParseError::RelativeUrlWithoutBase)) {
                continue;
            }
            let resolved = base.join(url).map_err(|e| AuthError::Config {
                scheme: credential.scheme.clone(),
                reason: format!("the endpoint `{url}` cannot be resolved against the base URL `{base_url}`: {e}"),
            })?;
            *slot = Some(resolved.to_string());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::spec::{ClientAuth, Grant, OAuth2Spec};
    use crate::auth::{Credential, OAuth2Credential};

    const SCHEMES: &[SchemeSpec] = &[SchemeSpec {
        name: "oauth",
        kind: SchemeKind::OAuth2(OAuth2Spec {
            grants: &[Grant::ClientCredentials],
            authorization_url: Some("https://login.example.com/authorize"),
            token_url: Some("/oauth/token"),
            revocation_url: None,
            device_authorization_url: None,
            client_auth: ClientAuth::ClientSecretBasic,
            default_scopes: &[],
            redirect_uri: None,
            client_id_env: "",
            client_secret_env: "",
            refresh_token_env: "",
            private_key_env: "",
        }),
    }];

    fn settings(credential: &Credential<()>) -> &crate::auth::credential::OAuth2Settings {
        match &credential.value {
            CredentialValue::OAuth2(settings) => settings,
            _ => unreachable!("an OAuth 2.0 credential"),
        }
    }

    #[test]
    fn relative_endpoints_resolve_against_the_base_url() {
        let mut credentials: Vec<Credential<()>> = vec![
            OAuth2Credential::new("oauth", "id").into(),
            OAuth2Credential::new("oauth", "id").revocation_url("revoke").into(),
        ];
        resolve_relative_endpoints(&mut credentials, SCHEMES, "https://sandbox.example.com/api/v2").unwrap();
        let first = settings(&credentials[0]);
        assert_eq!(first.token_url.as_deref(), Some("https://sandbox.example.com/oauth/token"));
        assert_eq!(first.authorization_url, None, "absolute endpoints stay the spec's");
        let second = settings(&credentials[1]);
        assert_eq!(second.revocation_url.as_deref(), Some("https://sandbox.example.com/api/revoke"));
    }

    #[test]
    fn an_override_wins_over_the_spec() {
        let mut credentials: Vec<Credential<()>> =
            vec![OAuth2Credential::new("oauth", "id").token_url("https://auth.example.com/token").into()];
        resolve_relative_endpoints(&mut credentials, SCHEMES, "http://api.example.com").unwrap();
        assert_eq!(settings(&credentials[0]).token_url.as_deref(), Some("https://auth.example.com/token"));
    }
}
