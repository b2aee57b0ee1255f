//! JWTs the client signs itself: keys, claims templates, minting and the
//! exchanges that turn a JWT into an access token.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::error::AuthError;
use super::spec::ClaimValue;
use super::token::TokenSet;

/// A signing key and its algorithm, checked when the client is built.
#[derive(Clone)]
pub struct SigningKey {
    algorithm: Algorithm,
    key: EncodingKey,
    key_id: Option<String>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads a key for `algorithm` from PEM text, DER bytes, base64 DER
    /// text, or (for `HS*`) the shared secret itself. Fails with a clear
    /// reason rather than at first use.
    pub fn new(scheme: &str, algorithm: &str, material: &[u8], key_id: Option<String>) -> Result<Self, AuthError> {
        let invalid = |reason: String| AuthError::InvalidKey { scheme: scheme.to_owned(), reason };
        let algorithm =
            Algorithm::from_str(algorithm).map_err(|_| invalid(format!("unknown algorithm `{algorithm}`")))?;
        let text = std::str::from_utf8(material).ok().map(str::trim);
        let is_pem = text.is_some_and(|t| t.starts_with("-----BEGIN"));
        let der = |bytes: &[u8]| -> Vec<u8> {
            match text.filter(|_| !is_pem) {
                Some(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=\n\r".contains(&b)) => {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD
                        .decode(t.replace(['\n', '\r'], ""))
                        .unwrap_or_else(|_| bytes.to_vec())
                }
                _ => bytes.to_vec(),
            }
        };
        use Algorithm::*;
        let key = match algorithm {
            HS256 | HS384 | HS512 => EncodingKey::from_secret(material),
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 if is_pem => EncodingKey::from_rsa_pem(material)
                .map_err(|e| invalid(format!("not an RSA private key in PEM: {e}")))?,
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => EncodingKey::from_rsa_der(&der(material)),
            ES256 | ES384 if is_pem => {
                EncodingKey::from_ec_pem(material).map_err(|e| invalid(format!("not an EC private key in PEM: {e}")))?
            }
            ES256 | ES384 => EncodingKey::from_ec_der(&der(material)),
            EdDSA if is_pem => EncodingKey::from_ed_pem(material)
                .map_err(|e| invalid(format!("not an Ed25519 private key in PEM: {e}")))?,
            EdDSA => EncodingKey::from_ed_der(&der(material)),
            other => return Err(invalid(format!("algorithm `{other:?}` is not supported for signing"))),
        };
        let signing = SigningKey { algorithm, key, key_id };
        // DER keys are only checked when used: sign once now so a bad key
        // fails when the client is built.
        signing.sign(&Map::new()).map_err(|reason| invalid(format!("cannot sign with it: {reason}")))?;
        Ok(signing)
    }

    /// Signs `claims`.
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String, String> {
        let mut header = Header::new(self.algorithm);
        header.kid = self.key_id.clone();
        jsonwebtoken::encode(&header, claims, &self.key).map_err(|e| e.to_string())
    }
}

/// Reads key material: PEM or base64 text from an environment variable, or
/// a file named by another.
pub fn key_material(scheme: &str, key_env: &str, key_file_env: &str) -> Result<Option<Vec<u8>>, AuthError> {
    if !key_env.is_empty()
        && let Ok(text) = std::env::var(key_env)
            .map(|t| t.trim().to_owned())
            .and_then(|t| if t.is_empty() { Err(std::env::VarError::NotPresent) } else { Ok(t) })
    {
        return Ok(Some(text.replace("\\n", "\n").into_bytes()));
    }
    if !key_file_env.is_empty()
        && let Ok(path) = std::env::var(key_file_env)
            .and_then(|p| if p.is_empty() { Err(std::env::VarError::NotPresent) } else { Ok(p) })
    {
        return read_key_file(scheme, std::path::Path::new(&path)).map(Some);
    }
    Ok(None)
}

/// A key's bytes from a file; a file that cannot be read is an `InvalidKey`.
pub fn read_key_file(scheme: &str, path: &std::path::Path) -> Result<Vec<u8>, AuthError> {
    std::fs::read(path).map_err(|e| AuthError::InvalidKey {
        scheme: scheme.to_owned(),
        reason: format!("cannot read `{}`: {e}", path.display()),
    })
}

/// Resolves a claims template, reading environment variables once.
pub fn resolve_claims(scheme: &str, template: &[(&str, ClaimValue)]) -> Result<Map<String, Value>, AuthError> {
    let mut claims = Map::new();
    for (name, value) in template {
        let value = match value {
            ClaimValue::Text(t) => Value::String((*t).to_owned()),
            ClaimValue::Number(n) => Value::from(*n),
            ClaimValue::Env(var) => {
                let text = std::env::var(var)
                    .map_err(|_| AuthError::MissingEnv { scheme: scheme.to_owned(), var: (*var).to_owned() })?;
                // Numeric ids (a GitHub App id) stay numbers.
                text.parse::<i64>().map(Value::from).unwrap_or(Value::String(text))
            }
        };
        claims.insert((*name).to_owned(), value);
    }
    Ok(claims)
}

/// Mints a JWT: `claims` plus `iat` (now + `issued_at_offset`) and `exp`
/// (`iat` + `lifetime`). Returns the token and when it expires.
pub fn mint(
    key: &SigningKey,
    claims: &Map<String, Value>,
    issued_at_offset: i64,
    lifetime: i64,
) -> Result<(SecretString, SystemTime), String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs() as i64;
    let (Some(iat), Some(exp)) = (
        now.checked_add(issued_at_offset),
        now.checked_add(issued_at_offset).and_then(|iat| iat.checked_add(lifetime)),
    ) else {
        return Err("the JWT's `iat` offset and lifetime are out of range".into());
    };
    let mut claims = claims.clone();
    claims.insert("iat".into(), Value::from(iat));
    claims.insert("exp".into(), Value::from(exp));
    let token = key.sign(&claims)?;
    let expires_at =
        UNIX_EPOCH.checked_add(Duration::from_secs(exp.max(0) as u64)).ok_or("the JWT's `exp` is out of range")?;
    Ok((SecretString::from(token), expires_at))
}

/// A TokenSet holding a minted JWT.
pub fn as_token_set(token: SecretString, expires_at: SystemTime) -> TokenSet {
    TokenSet { access_token: token, refresh_token: None, expires_at: Some(expires_at), scopes: Vec::new() }
}

/// A client assertion for `private_key_jwt` (RFC 7523 §3): issued by and
/// about the client, for the token endpoint, valid for a minute.
pub fn client_assertion(key: &SigningKey, client_id: &str, token_url: &str) -> Result<String, String> {
    let mut claims = Map::new();
    claims.insert("iss".into(), Value::from(client_id));
    claims.insert("sub".into(), Value::from(client_id));
    claims.insert("aud".into(), Value::from(token_url));
    claims.insert("jti".into(), Value::from(random_id()));
    let (token, _) = mint(key, &claims, 0, 60)?;
    Ok(token.expose_secret().to_owned())
}

/// 128 random bits, base64url.
pub fn random_id() -> String {
    oauth2::CsrfToken::new_random().secret().clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};

    const RSA: &[u8] = include_bytes!("../../../tests/fixtures/keys/rsa.pem");
    const RSA_PUB: &[u8] = include_bytes!("../../../tests/fixtures/keys/rsa.pub.pem");
    const RSA_DER: &[u8] = include_bytes!("../../../tests/fixtures/keys/rsa.der");
    const EC256: &[u8] = include_bytes!("../../../tests/fixtures/keys/ec256.pem");
    const EC256_PUB: &[u8] = include_bytes!("../../../tests/fixtures/keys/ec256.pub.pem");
    const EC384: &[u8] = include_bytes!("../../../tests/fixtures/keys/ec384.pem");
    const EC384_PUB: &[u8] = include_bytes!("../../../tests/fixtures/keys/ec384.pub.pem");
    const ED: &[u8] = include_bytes!("../../../tests/fixtures/keys/ed25519.pem");
    const ED_PUB: &[u8] = include_bytes!("../../../tests/fixtures/keys/ed25519.pub.pem");

    fn verify(token: &str, algorithm: Algorithm, key: DecodingKey) -> Map<String, Value> {
        let mut validation = Validation::new(algorithm);
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.required_spec_claims = ["exp".to_owned(), "iat".to_owned()].into_iter().collect();
        decode::<Map<String, Value>>(token, &key, &validation).expect("verifies with the public key").claims
    }

    #[test]
    fn every_algorithm_signs_tokens_the_public_key_verifies() {
        let cases: Vec<(&str, &[u8], DecodingKey)> = vec![
            ("RS256", RSA, DecodingKey::from_rsa_pem(RSA_PUB).unwrap()),
            ("RS384", RSA, DecodingKey::from_rsa_pem(RSA_PUB).unwrap()),
            ("RS512", RSA, DecodingKey::from_rsa_pem(RSA_PUB).unwrap()),
            ("PS256", RSA, DecodingKey::from_rsa_pem(RSA_PUB).unwrap()),
            ("RS256", RSA_DER, DecodingKey::from_rsa_pem(RSA_PUB).unwrap()),
            ("ES256", EC256, DecodingKey::from_ec_pem(EC256_PUB).unwrap()),
            ("ES384", EC384, DecodingKey::from_ec_pem(EC384_PUB).unwrap()),
            ("EdDSA", ED, DecodingKey::from_ed_pem(ED_PUB).unwrap()),
            ("HS256", b"shared secret", DecodingKey::from_secret(b"shared secret")),
        ];
        for (algorithm, private, public) in cases {
            let key = SigningKey::new("s", algorithm, private, Some("key-1".into()))
                .unwrap_or_else(|e| panic!("{algorithm}: {e}"));
            let mut claims = Map::new();
            claims.insert("iss".into(), Value::from(42));
            let (token, expires_at) = mint(&key, &claims, -60, 540).expect("mints");
            let alg = Algorithm::from_str(algorithm).unwrap();
            let header = decode_header(token.expose_secret()).unwrap();
            assert_eq!((header.alg, header.kid.as_deref()), (alg, Some("key-1")), "{algorithm}");
            let verified = verify(token.expose_secret(), alg, public);
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
            let iat = verified["iat"].as_i64().unwrap();
            assert!((now - 60 - iat).abs() <= 2, "{algorithm}: iat is 60 s back");
            assert_eq!(verified["exp"].as_i64().unwrap() - iat, 540);
            assert_eq!(verified["iss"], 42);
            assert_eq!(expires_at.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64, iat + 540);
        }
    }

    #[test]
    fn bad_keys_are_clear_errors() {
        let err =
            SigningKey::new("app", "RS256", b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----", None)
                .unwrap_err();
        assert!(matches!(&err, AuthError::InvalidKey { scheme, .. } if scheme == "app"), "{err}");
        let err = SigningKey::new("app", "RS256", b"not a key at all", None).unwrap_err();
        assert!(err.to_string().contains("`app` signing key cannot be used"), "{err}");
        let err = SigningKey::new("app", "ES256", RSA, None).unwrap_err();
        assert!(matches!(err, AuthError::InvalidKey { .. }));
        let err = SigningKey::new("app", "XS999", RSA, None).unwrap_err();
        assert!(err.to_string().contains("unknown algorithm"), "{err}");
    }

    #[test]
    fn claims_come_from_the_environment_once() {
        // SAFETY: only this test reads this variable.
        unsafe { std::env::set_var("POLVO_TEST_APP_ID", "12345") };
        let claims =
            resolve_claims("app", &[("iss", ClaimValue::Env("POLVO_TEST_APP_ID")), ("aud", ClaimValue::Text("x"))])
                .unwrap();
        assert_eq!(claims["iss"], 12345);
        assert_eq!(claims["aud"], "x");
        let err = resolve_claims("app", &[("iss", ClaimValue::Env("POLVO_TEST_UNSET_VARIABLE"))]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable `POLVO_TEST_UNSET_VARIABLE` is not set (needed for the `app` security scheme)"
        );
    }
}
