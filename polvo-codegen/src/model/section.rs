//! The `x-polvo` section: polvo's own description of what a spec cannot
//! say or says wrongly: the service name, credentials, environment
//! variables, token endpoints, JWT settings.
//!
//! It is read from a top-level `x-polvo` key of the spec, or from a sidecar
//! file `<stem>.polvo.yaml` next to it (so a vendor's spec stays untouched).
//! Unknown keys are errors, each reported with its JSON pointer.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

use crate::diag::Diagnostics;

/// The whole section.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolvoSection {
    /// The service (module) name, and the default prefix of env vars.
    pub name: Option<String>,
    /// The prefix of environment variables (default: the name, upper case).
    pub env_prefix: Option<String>,
    /// The default security of every operation, replacing the spec's
    /// top-level `security`: alternatives, each a list of schemes applied together.
    pub security: Option<Vec<Vec<String>>>,
    /// Schemes, by name: corrections of `components.securitySchemes`
    /// entries with the same name, or new schemes.
    #[serde(default)]
    pub schemes: BTreeMap<String, SchemeConfig>,
    /// Names to use instead of those derived from the spec.
    #[serde(default)]
    pub rename: RenameConfig,
    /// Settings of single operations, by `operationId` or by method and
    /// path (`"GET /pets/{id}"`).
    #[serde(default)]
    pub operations: BTreeMap<String, OperationConfig>,
    /// More spec files of the same service, next to the sidecar (read by
    /// the generator before the model is built).
    #[serde(default)]
    pub files: Vec<String>,
    /// OpenAPI Overlays applied to the spec before it is read, paths
    /// relative to the spec (read by the generator before the model is built).
    #[serde(default)]
    pub overlays: Vec<String>,
    /// `decode: lenient` makes every property an `Option`, so replies that
    /// leave out (or send `null` for) properties marked `required` decode.
    pub decode: Option<crate::Decoding>,
    /// `serde: both` gives every generated type `Serialize` and
    /// `Deserialize`; `needed` (the default) only the impls its use needs.
    pub serde: Option<crate::SerdeImpls>,
    /// How operations page, by `operationId`: declared where polvo does not
    /// detect it, or to correct or turn off (`style: none`) what it detects.
    #[serde(default)]
    pub pagination: BTreeMap<String, PaginationConfig>,
    /// The header of the API's idempotency keys (`Idempotency-Key`), sent
    /// with every `POST` and `PATCH` so that they can be retried safely.
    pub idempotency_header: Option<String>,
    /// The environment variable holding the keys (`id:base64-key,…`, the
    /// current key first) that encrypt a token store set on the client's
    /// builder.
    pub token_keys_env: Option<String>,
    /// The webhooks whose payload types are generated: `true` for all the
    /// spec describes (3.1 `webhooks`, or the `x-webhooks` extension), or
    /// a list of their names. None by default.
    pub webhooks: Option<WebhookSelection>,
}

/// Which webhooks get payload types: all, or those named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookSelection {
    /// `true` for every webhook, `false` for none.
    All(bool),
    /// The webhooks with these names, as the spec writes them.
    Named(Vec<String>),
}

impl<'de> Deserialize<'de> for WebhookSelection {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SelectionVisitor;
        impl<'de> serde::de::Visitor<'de> for SelectionVisitor {
            type Value = WebhookSelection;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`true`, `false` or a list of webhook names")
            }
            fn visit_bool<E: serde::de::Error>(self, all: bool) -> Result<Self::Value, E> {
                Ok(WebhookSelection::All(all))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(WebhookSelection::Named(names))
            }
        }
        deserializer.deserialize_any(SelectionVisitor)
    }
}

/// How one operation pages.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationConfig {
    /// The style.
    pub style: PageStyleConfig,
    /// The query parameter the next page's value goes into (default:
    /// `offset` for offset, `page` for link and page styles).
    pub parameter: Option<String>,
    /// Cursor style: the response field holding the next cursor, as a
    /// dotted path of property names (`paging.next.after`).
    pub cursor: Option<String>,
    /// Cursor style: the property of the page's last item that is the
    /// next cursor (Stripe's `id`), instead of `cursor`.
    pub cursor_from_last_item: Option<String>,
    /// The response field holding the items, as a dotted path (default:
    /// the body when it is an array, else `data`, `results` or `items`).
    pub items: Option<String>,
    /// A boolean response field saying whether more pages follow (`has_more`).
    pub has_more: Option<String>,
    /// Page style: the number of the first page (default 1).
    pub start: Option<i64>,
}

/// The styles of pagination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStyleConfig {
    /// A cursor from the response into a request parameter.
    Cursor,
    /// The `Link` header's `rel="next"` URL.
    Link,
    /// An offset advanced by the number of items received.
    Offset,
    /// A page number advanced by one.
    Page,
    /// Not paginated (turns detection off).
    None,
}

/// The settings of one operation.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationConfig {
    /// The operation's security, replacing its own and the default:
    /// alternatives, each a list of schemes applied together.
    pub security: Option<Vec<Vec<String>>>,
}

/// Renames: by `operationId`, by component schema name, by tag.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenameConfig {
    /// `operationId` → method name.
    #[serde(default)]
    pub operations: BTreeMap<String, String>,
    /// Component schema name → type name.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// Tag → group (module and accessor) name.
    #[serde(default)]
    pub groups: BTreeMap<String, String>,
}

/// The kinds of scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemeType {
    /// An API key in a header, query parameter or cookie.
    ApiKey,
    /// HTTP basic.
    Basic,
    /// HTTP bearer with a token given up front.
    Bearer,
    /// OAuth 2.0.
    Oauth2,
    /// A JWT the client signs.
    Jwt,
}

/// Where an API key goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyIn {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// OAuth 2.0 flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Authorization code with PKCE.
    AuthorizationCode,
    /// Client credentials.
    ClientCredentials,
    /// Device authorization.
    DeviceCode,
}

/// Client authentication at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthConfig {
    /// HTTP basic.
    ClientSecretBasic,
    /// In the form body.
    ClientSecretPost,
    /// A signed JWT.
    PrivateKeyJwt,
    /// A public client.
    None,
}

/// A claim template value: a string, a number, or `{env: VAR}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ClaimConfig {
    /// A fixed string.
    Text(String),
    /// A fixed number.
    Number(i64),
    /// An environment variable.
    Env {
        /// Its name.
        env: String,
    },
}

/// How a minted JWT is sent directly.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendConfig {
    /// The header (default `Authorization`).
    pub header: Option<String>,
    /// The prefix (default `Bearer`; empty for none).
    pub prefix: Option<String>,
}

/// Exchanges of a minted JWT for an access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeGrant {
    /// The JWT-bearer grant (RFC 7523) at a token endpoint.
    JwtBearer,
    /// A POST authenticated by the JWT that answers `{token, expires_at}`
    /// (GitHub App installation tokens).
    InstallationToken,
}

/// How a minted JWT is exchanged.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeConfig {
    /// The kind of exchange.
    pub grant: ExchangeGrant,
    /// The token endpoint (`jwt_bearer`).
    pub token_url: Option<String>,
    /// The exchange URL, with `{tenant}` for the installation (`installation_token`).
    pub url: Option<String>,
    /// Scopes (`jwt_bearer`).
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// One scheme.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeConfig {
    /// The kind; may be left out when correcting a scheme of the spec.
    #[serde(rename = "type")]
    pub kind: Option<SchemeType>,
    /// Other schemes whose operations also accept this one.
    #[serde(default)]
    pub accepted_for: Vec<String>,
    /// A description for the docs.
    pub description: Option<String>,

    /// API key: where it goes.
    #[serde(rename = "in")]
    pub location: Option<KeyIn>,
    /// API key: the header, parameter or cookie name.
    pub name: Option<String>,
    /// API key: a prefix before the key.
    pub prefix: Option<String>,
    /// API key or bearer: the environment variable of the key or token.
    pub env: Option<String>,
    /// Basic: the environment variable of the user name.
    pub username_env: Option<String>,
    /// Basic: the environment variable of the password.
    pub password_env: Option<String>,

    /// OAuth 2.0: the flow the client uses.
    pub flow: Option<Flow>,
    /// OAuth 2.0: the authorization endpoint.
    pub authorization_url: Option<String>,
    /// OAuth 2.0: the token endpoint.
    pub token_url: Option<String>,
    /// OAuth 2.0: the revocation endpoint.
    pub revocation_url: Option<String>,
    /// OAuth 2.0: the device authorization endpoint.
    pub device_authorization_url: Option<String>,
    /// OAuth 2.0: client authentication.
    pub client_auth: Option<ClientAuthConfig>,
    /// OAuth 2.0: default scopes.
    pub scopes: Option<Vec<String>>,
    /// OAuth 2.0: the redirect URI.
    pub redirect_uri: Option<String>,
    /// OAuth 2.0: env var of the client id.
    pub client_id_env: Option<String>,
    /// OAuth 2.0: env var of the client secret.
    pub client_secret_env: Option<String>,
    /// OAuth 2.0: env var of a refresh token.
    pub refresh_token_env: Option<String>,
    /// OAuth 2.0 (`private_key_jwt`) or JWT: env var of the private key.
    pub private_key_env: Option<String>,

    /// JWT: the algorithm.
    pub algorithm: Option<String>,
    /// JWT: env var of a file holding the key.
    pub private_key_file_env: Option<String>,
    /// JWT: the `kid` header.
    pub key_id: Option<String>,
    /// JWT: env var of the `kid` header.
    pub key_id_env: Option<String>,
    /// JWT: the claims besides `iat` and `exp`.
    #[serde(default)]
    pub claims: BTreeMap<String, ClaimConfig>,
    /// JWT: seconds added to now for `iat`.
    pub issued_at_offset: Option<i64>,
    /// JWT: seconds from `iat` to `exp`.
    pub lifetime: Option<i64>,
    /// JWT: the longest lifetime the provider accepts; `lifetime` must not exceed it.
    pub max_lifetime: Option<i64>,
    /// JWT: sent directly.
    pub send: Option<SendConfig>,
    /// JWT: exchanged for an access token.
    pub exchange: Option<ExchangeConfig>,
}

/// A parsed section and where it came from.
#[derive(Clone, Debug, Default)]
pub struct SectionSource {
    /// The section.
    pub section: PolvoSection,
    /// The file it is in (for diagnostics).
    pub file: String,
    /// The JSON pointer of the section in that file (`/x-polvo`, or empty for a sidecar).
    pub pointer: String,
}

/// Parses a section value, reporting any error at its JSON pointer.
pub fn parse_section(value: &Value, file: &str, pointer: &str, diags: &mut Diagnostics) -> Option<PolvoSection> {
    match serde_path_to_error::deserialize::<_, PolvoSection>(value) {
        Ok(section) => Some(section),
        Err(e) => {
            let path = e.path().to_string();
            let mut at = pointer.to_owned();
            if path != "." {
                for segment in path.split('.') {
                    let segment = segment.trim_end_matches(']').replace('[', ".");
                    for part in segment.split('.') {
                        if !part.is_empty() {
                            at.push('/');
                            at.push_str(&crate::load::pointer::escape(part));
                        }
                    }
                }
            }
            diags.error(file, &at, format!("invalid `x-polvo` section: {}", e.inner()));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_section() {
        let value: Value = serde_json::json!({
            "name": "hubspot",
            "security": [["private_apps"], ["oauth2"]],
            "schemes": {
                "private_apps": {"type": "bearer", "env": "HUBSPOT_ACCESS_TOKEN", "accepted_for": ["oauth2"]},
                "app": {"type": "jwt", "algorithm": "RS256", "claims": {"iss": {"env": "APP_ID"}, "aud": "x", "n": 3},
                        "exchange": {"grant": "installation_token", "url": "https://x/{tenant}"}}
            }
        });
        let mut diags = Diagnostics::new();
        let section = parse_section(&value, "x.yaml", "/x-polvo", &mut diags).expect("parses");
        assert_eq!(section.name.as_deref(), Some("hubspot"));
        let app = &section.schemes["app"];
        assert_eq!(app.claims["iss"], ClaimConfig::Env { env: "APP_ID".into() });
        assert_eq!(app.claims["aud"], ClaimConfig::Text("x".into()));
        assert_eq!(app.claims["n"], ClaimConfig::Number(3));
    }

    #[test]
    fn errors_point_at_the_bad_key() {
        let value: Value = serde_json::json!({"schemes": {"oauth2": {"type": "oauth2", "client_auth": "magic"}}});
        let mut diags = Diagnostics::new();
        assert!(parse_section(&value, "h.polvo.yaml", "", &mut diags).is_none());
        let error = diags.errors().next().expect("an error");
        assert_eq!(error.place(), "h.polvo.yaml#/schemes/oauth2/client_auth");
        assert!(error.message.contains("magic"), "{}", error.message);

        let value: Value = serde_json::json!({"schemes": {"k": {"typo": 1}}});
        let mut diags = Diagnostics::new();
        assert!(parse_section(&value, "s.yaml", "/x-polvo", &mut diags).is_none());
        assert_eq!(diags.errors().next().unwrap().place(), "s.yaml#/x-polvo/schemes/k/typo");
    }

    #[test]
    fn webhooks_are_all_none_or_a_list_of_names() {
        let parse = |value: Value| parse_section(&value, "s.yaml", "/x-polvo", &mut Diagnostics::new());
        let all = parse(serde_json::json!({"webhooks": true})).expect("parses");
        assert_eq!(all.webhooks, Some(WebhookSelection::All(true)));
        let named = parse(serde_json::json!({"webhooks": ["push", "newBooking"]})).expect("parses");
        assert_eq!(named.webhooks, Some(WebhookSelection::Named(vec!["push".into(), "newBooking".into()])));

        let mut diags = Diagnostics::new();
        let value = serde_json::json!({"webhooks": ["push", 3]});
        assert!(parse_section(&value, "s.yaml", "/x-polvo", &mut diags).is_none());
        let error = diags.errors().next().expect("an error");
        assert_eq!(error.place(), "s.yaml#/x-polvo/webhooks/1");
        let mut diags = Diagnostics::new();
        assert!(parse_section(&serde_json::json!({"webhooks": "all"}), "s.yaml", "", &mut diags).is_none());
        let error = diags.errors().next().expect("an error");
        assert_eq!(error.place(), "s.yaml#/webhooks");
        assert!(error.message.contains("`true`, `false` or a list of webhook names"), "{}", error.message);
    }
}
