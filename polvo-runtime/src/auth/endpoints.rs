//! Endpoint URLs a spec writes as relative references (`/oauth/token`).
//!
//! OpenAPI resolves them against the server URL. The client resolves them
//! against its base URL when it is built: the spec's first server unless the
//! user chose another, so a client pointed at a sandbox also fetches its
//! tokens there. Resolution follows RFC 3986: `oauth/token` against
//! `https://api.example.com/v1/` is `https://api.example.com/v1/oauth/token`,
//! while `/oauth/token` drops the base path. An endpoint is checked when it
//! is used ([`check_endpoint`]): a valid URL, https or http on loopback.

use url::Url;

use super::credential::{Credential, CredentialValue};
use super::error::AuthError;
use super::http::is_secure;
use super::spec::{SchemeKind, SchemeSpec};

/// Gives each OAuth 2.0 credential the absolute form of every endpoint of
/// its scheme that is a relative reference (the spec's, or one the user
/// gave), resolved against the client's base URL as RFC 3986 says.
pub(crate) fn resolve_relative_endpoints<S>(
    credentials: &mut [Credential<S>],
    schemes: &[SchemeSpec],
    base: &Url,
) -> Result<(), AuthError> {
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
            if !matches!(Url::parse(url), Err(url::ParseError::RelativeUrlWithoutBase)) {
                continue;
            }
            let resolved = base.join(url).map_err(|e| AuthError::Config {
                scheme: credential.scheme.clone(),
                reason: format!("the endpoint `{url}` cannot be resolved against the base URL `{base}`: {e}"),
            })?;
            *slot = Some(resolved.to_string());
        }
    }
    Ok(())
}

/// Checks an endpoint before credentials go to it: a URL that does not
/// parse is [`AuthError::Config`] with the parser's reason, one that is not
/// https (plain http only on loopback) is [`AuthError::InsecureUrl`].
/// `setting` is the credential method that gives another URL.
pub(crate) fn check_endpoint(scheme: &str, setting: &'static str, url: &str) -> Result<(), AuthError> {
    let parsed = Url::parse(url).map_err(|e| AuthError::Config {
        scheme: scheme.to_owned(),
        reason: format!("`{url}` (the `{setting}`) is not a valid URL: {e}"),
    })?;
    if !is_secure(&parsed) {
        return Err(AuthError::InsecureUrl { scheme: scheme.to_owned(), setting, url: url.to_owned() });
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

    fn base(url: &str) -> Url {
        Url::parse(url).unwrap()
    }

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
        resolve_relative_endpoints(&mut credentials, SCHEMES, &base("https://sandbox.example.com/api/v2")).unwrap();
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
        resolve_relative_endpoints(&mut credentials, SCHEMES, &base("http://api.example.com")).unwrap();
        assert_eq!(settings(&credentials[0]).token_url.as_deref(), Some("https://auth.example.com/token"));
    }

    #[test]
    fn relative_references_of_every_form() {
        let cases = [
            // A base path ending in `/` keeps its last segment.
            ("https://api.example.com/v1/", "oauth/token", "https://api.example.com/v1/oauth/token"),
            ("https://api.example.com/v1", "oauth/token", "https://api.example.com/oauth/token"),
            ("https://api.example.com/v1/", "/oauth/token", "https://api.example.com/oauth/token"),
            ("https://api.example.com/v1/", "../token", "https://api.example.com/token"),
            // Scheme-relative: another host, the base's scheme.
            ("https://api.example.com/v1", "//auth.example.com/token", "https://auth.example.com/token"),
            // A backslash is a slash in http(s) URLs.
            ("https://api.example.com/v1/", r"\oauth\token", "https://api.example.com/oauth/token"),
        ];
        for (base_url, relative, expected) in cases {
            let mut credentials: Vec<Credential<()>> = vec![
                OAuth2Credential::new("oauth", "id").token_url(relative).device_authorization_url(relative).into(),
            ];
            resolve_relative_endpoints(&mut credentials, SCHEMES, &base(base_url)).unwrap();
            let resolved = settings(&credentials[0]);
            assert_eq!(resolved.token_url.as_deref(), Some(expected), "{relative} against {base_url}");
            assert_eq!(resolved.device_authorization_url.as_deref(), Some(expected), "{relative} against {base_url}");
        }
    }

    #[test]
    fn endpoints_are_checked_as_urls_then_for_https() {
        assert!(check_endpoint("oauth", "token_url", "https://auth.example.com/token").is_ok());
        assert!(check_endpoint("oauth", "token_url", "http://127.0.0.1:9/token").is_ok());
        for url in ["https://auth.example.com:99999/token", "https://exa mple.com/t", "http://[::1"] {
            let error = check_endpoint("oauth", "token_url", url).unwrap_err();
            assert!(matches!(error, AuthError::Config { .. }), "{url}: {error}");
            assert!(error.to_string().contains("is not a valid URL: "), "{error}");
        }
        let error = check_endpoint("oauth", "revocation_url", "http://auth.example.com/revoke").unwrap_err();
        assert_eq!(
            error.to_string(),
            "refusing to send `oauth` credentials to `http://auth.example.com/revoke`: endpoints that receive credentials must use https (plain http only on loopback); give another URL with the credential's `.revocation_url(..)`"
        );
    }
}
