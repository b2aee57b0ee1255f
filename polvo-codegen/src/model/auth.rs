//! The security schemes of a service: from `components.securitySchemes`,
//! corrected and completed by the `x-polvo` section, with every
//! environment variable named.

use serde_json::Value;

use super::endpoints::classify;
use super::section::{
    ClaimConfig, ClientAuthConfig, ExchangeGrant, Flow, KeyIn, PolvoSection, SchemeConfig, SchemeType,
};
use crate::diag::Diagnostics;
use crate::load::pointer;
use crate::naming;

/// Every scheme of a service.
#[derive(Clone, Debug, Default)]
pub struct AuthModel {
    /// The schemes, in spec order then section order.
    pub schemes: Vec<Scheme>,
    /// The security of operations that do not set their own.
    pub default_security: Option<Vec<Vec<String>>>,
    /// `(scheme, other)`: wherever `other` is accepted, `scheme` is too.
    pub accepted_for: Vec<(String, String)>,
    /// The section's security of single operations: `(key, security)`, the
    /// key an `operationId` or a method and path (`GET /pets/{id}`).
    pub operation_security: Vec<(String, Vec<Vec<String>>)>,
    /// The section's `token_keys_env`: the environment variable holding the
    /// keyring that encrypts a token store set on the builder.
    pub token_keys_env: Option<String>,
}

/// One scheme.
#[derive(Clone, Debug)]
pub struct Scheme {
    /// The scheme's name.
    pub name: String,
    /// The name of its credential function in the `auth` module.
    pub fn_name: String,
    /// For the docs.
    pub description: Option<String>,
    /// What it is.
    pub kind: SchemeKind,
}

/// Where an API key goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLocation {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// How a JWT is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwtUsage {
    /// Sent in a header with a prefix.
    Direct {
        /// The header.
        header: String,
        /// The prefix.
        prefix: String,
    },
    /// Exchanged at a token endpoint with the JWT-bearer grant.
    JwtBearerGrant {
        /// The token endpoint.
        token_url: String,
        /// Scopes.
        scopes: Vec<String>,
    },
    /// Exchanged for an installation token.
    BearerPost {
        /// The URL, with `{tenant}`.
        url: String,
    },
}

/// The kind of a scheme, with everything the runtime needs.
#[derive(Clone, Debug)]
pub enum SchemeKind {
    /// An API key.
    ApiKey {
        /// Where.
        location: KeyLocation,
        /// The header, parameter or cookie name.
        name: String,
        /// A prefix before the key.
        prefix: String,
        /// Its env var.
        env: String,
    },
    /// HTTP basic.
    Basic {
        /// Env var of the user name.
        username_env: String,
        /// Env var of the password.
        password_env: String,
    },
    /// HTTP bearer.
    Bearer {
        /// Its env var.
        env: String,
    },
    /// OAuth 2.0.
    OAuth2 {
        /// Flows, preferred first.
        flows: Vec<Flow>,
        /// Authorization endpoint.
        authorization_url: Option<String>,
        /// Token endpoint.
        token_url: Option<String>,
        /// Revocation endpoint.
        revocation_url: Option<String>,
        /// Device authorization endpoint.
        device_authorization_url: Option<String>,
        /// Client authentication.
        client_auth: ClientAuthConfig,
        /// Default scopes.
        scopes: Vec<String>,
        /// Redirect URI.
        redirect_uri: Option<String>,
        /// Env var of the client id.
        client_id_env: String,
        /// Env var of the client secret.
        client_secret_env: String,
        /// Env var of a refresh token.
        refresh_token_env: String,
        /// Env var of the private key (`private_key_jwt`).
        private_key_env: String,
    },
    /// A JWT the client signs.
    Jwt {
        /// The algorithm.
        algorithm: String,
        /// Env var of the key.
        key_env: String,
        /// Env var of a key file.
        key_file_env: String,
        /// `kid`.
        key_id: Option<String>,
        /// Env var of `kid`.
        key_id_env: String,
        /// Claims.
        claims: Vec<(String, ClaimConfig)>,
        /// Seconds added to now for `iat`.
        issued_at_offset: i64,
        /// Seconds from `iat` to `exp`.
        lifetime: i64,
        /// How it is used.
        usage: JwtUsage,
    },
}

const ALGORITHMS: &[&str] =
    &["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];

/// Where the section was found, for diagnostics.
pub struct SectionPlace<'a> {
    /// The file.
    pub file: &'a str,
    /// The pointer of the section in it.
    pub pointer: &'a str,
}

/// The spec whose schemes are read.
pub struct SpecSchemes<'a> {
    /// The file, for diagnostics.
    pub file: &'a str,
    /// Its root.
    pub root: &'a Value,
    /// Where the file keeps its schemes (`/components/securitySchemes`, or
    /// `/securityDefinitions` in Swagger 2.0, whose URLs sit on the scheme).
    pub layout: super::schema::SpecLayout,
    /// The URL of the spec's default server, which relative endpoint URLs
    /// are checked against.
    pub server: Option<&'a str>,
}

/// Builds the auth model from the spec's schemes and the section.
pub fn build_auth(
    spec: &SpecSchemes<'_>,
    section: Option<(&PolvoSection, SectionPlace<'_>)>,
    env_prefix: &str,
    diags: &mut Diagnostics,
) -> AuthModel {
    let spec_schemes = spec.root.pointer("/components/securitySchemes").and_then(Value::as_object);
    let empty = PolvoSection::default();
    let (section, place) = match section {
        Some((s, p)) => (s, Some(p)),
        None => (&empty, None),
    };
    let places = Places { section: place, spec_file: spec.file, schemes_pointer: spec.layout.schemes_pointer() };

    // Names in order: the spec's schemes, then new ones from the section.
    let mut names: Vec<String> = spec_schemes.map(|m| m.keys().cloned().collect()).unwrap_or_default();
    for name in section.schemes.keys() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    let typed = typed_schemes(&names, spec_schemes, section, &places, diags);
    let env = EnvNames::new(env_prefix, &typed);
    let mut fn_names = naming::scheme_fn_scope();
    let mut out = Vec::new();
    for scheme in &typed {
        let Some(kind) = scheme_kind(scheme, &env, spec, &places, diags) else { continue };
        let description = scheme.config.description.clone().or_else(|| scheme.spec_str("description"));
        let fn_name = fn_names.claim(&naming::scheme_fn(&scheme.name));
        out.push(Scheme { name: scheme.name.clone(), fn_name, description, kind });
    }

    // Both must name real schemes (a scheme with an error of its own still
    // counts, so one mistake is reported once).
    let known: Vec<&str> = names.iter().map(String::as_str).collect();
    let accepted_for = accepted_for(section, &known, &places, diags);
    let default_security = default_security(section, &known, spec.root, &places, diags);
    let operation_security = operation_security_settings(section, &known, &places, diags);
    let token_keys_env = token_keys_env(section, &places, diags);
    AuthModel { schemes: out, default_security, accepted_for, operation_security, token_keys_env }
}

/// The section's `token_keys_env`, if it is a name a variable can have
/// (ASCII letters, digits and `_`, not starting with a digit); otherwise
/// an error at the key.
fn token_keys_env(section: &PolvoSection, places: &Places<'_>, diags: &mut Diagnostics) -> Option<String> {
    let name = section.token_keys_env.as_deref()?;
    let portable = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.chars().next().is_some_and(|c| !c.is_ascii_digit());
    if !portable {
        places.error(
            diags,
            &["token_keys_env"],
            format!(
                "`{name}` is not an environment variable name: use ASCII letters, digits and `_`, not starting \
                 with a digit (`POLVO_TOKEN_KEYS`)"
            ),
        );
        return None;
    }
    Some(name.to_owned())
}

/// The section's security of single operations, each scheme checked to be
/// one of `known`.
fn operation_security_settings(
    section: &PolvoSection,
    known: &[&str],
    places: &Places<'_>,
    diags: &mut Diagnostics,
) -> Vec<(String, Vec<Vec<String>>)> {
    let mut out = Vec::new();
    for (key, config) in &section.operations {
        let Some(security) = &config.security else { continue };
        for (i, requirement) in security.iter().enumerate() {
            for (j, scheme) in requirement.iter().enumerate() {
                if !known.contains(&scheme.as_str()) {
                    places.error(
                        diags,
                        &["operations", key, "security", &i.to_string(), &j.to_string()],
                        format!("`{scheme}` is not a scheme of this service"),
                    );
                }
            }
        }
        out.push((key.clone(), security.clone()));
    }
    out
}

/// A scheme whose type is known, with what the spec and the section say of it.
struct TypedScheme<'s> {
    /// Its name.
    name: String,
    /// Its type.
    kind: SchemeType,
    /// The spec's scheme object, if the spec has the scheme.
    spec: Option<&'s Value>,
    /// The section's settings (defaults when it has none).
    config: SchemeConfig,
}

impl TypedScheme<'_> {
    /// A string member of the spec's scheme object.
    fn spec_str(&self, key: &str) -> Option<String> {
        self.spec.and_then(|s| s.get(key)).and_then(Value::as_str).map(str::to_owned)
    }
}

/// The schemes named `names` whose type the section or the spec gives; the
/// others are reported.
fn typed_schemes<'s>(
    names: &[String],
    spec_schemes: Option<&'s serde_json::Map<String, Value>>,
    section: &PolvoSection,
    places: &Places<'_>,
    diags: &mut Diagnostics,
) -> Vec<TypedScheme<'s>> {
    let mut typed = Vec::new();
    for name in names {
        let spec = spec_schemes.and_then(|m| m.get(name));
        let config = section.schemes.get(name).cloned().unwrap_or_default();
        let kind = match (config.kind, spec.and_then(spec_kind)) {
            (Some(k), _) | (None, Some(k)) => k,
            (None, None) => {
                match spec {
                    Some(s) => {
                        let t = s.get("type").and_then(Value::as_str).unwrap_or("?");
                        let scheme = s.get("scheme").and_then(Value::as_str).unwrap_or_default();
                        diags.warning(
                            places.spec_file,
                            &format!("{}/{}", places.schemes_pointer, pointer::escape(name)),
                            format!("security scheme type `{t}` {scheme} is not supported; operations that need it get no credentials unless the `x-polvo` section gives the scheme a `type`"),
                        );
                    }
                    None => places.error(
                        diags,
                        &["schemes", name],
                        format!("scheme `{name}` is not in the spec, so it needs a `type`"),
                    ),
                }
                continue;
            }
        };
        typed.push(TypedScheme { name: name.clone(), kind, spec, config });
    }
    typed
}

/// Default environment variable names, made unique where several schemes
/// would share one.
struct EnvNames<'p> {
    /// The service's prefix.
    prefix: &'p str,
    /// How many API key and bearer schemes there are.
    token_like: usize,
    /// How many OAuth schemes.
    oauth: usize,
    /// How many schemes that need a key (JWT and OAuth).
    key: usize,
    /// How many Basic schemes.
    basic: usize,
}

impl<'p> EnvNames<'p> {
    fn new(prefix: &'p str, schemes: &[TypedScheme<'_>]) -> Self {
        let count = |pred: fn(SchemeType) -> bool| schemes.iter().filter(|s| pred(s.kind)).count();
        EnvNames {
            prefix,
            token_like: count(|k| matches!(k, SchemeType::ApiKey | SchemeType::Bearer)),
            oauth: count(|k| k == SchemeType::Oauth2),
            key: count(|k| matches!(k, SchemeType::Jwt | SchemeType::Oauth2)),
            basic: count(|k| k == SchemeType::Basic),
        }
    }

    /// `PREFIX_SUFFIX`, or `PREFIX_SCHEME_SUFFIX` when the name is `shared`.
    fn var(&self, scheme: &str, shared: bool, suffix: &str) -> String {
        naming::env_var(self.prefix, scheme, shared, suffix)
    }
}

/// The model of one scheme, or `None` after reporting why it has none.
fn scheme_kind(
    scheme: &TypedScheme<'_>,
    env: &EnvNames<'_>,
    spec: &SpecSchemes<'_>,
    places: &Places<'_>,
    diags: &mut Diagnostics,
) -> Option<SchemeKind> {
    let (name, config) = (&scheme.name, &scheme.config);
    let var = |scheme: &str, shared: bool, suffix: &str| env.var(scheme, shared, suffix);
    let result = match scheme.kind {
        SchemeType::ApiKey => {
            let location = match (config.location, scheme.spec_str("in").as_deref()) {
                (Some(KeyIn::Header), _) | (None, Some("header")) => Some(KeyLocation::Header),
                (Some(KeyIn::Query), _) | (None, Some("query")) => Some(KeyLocation::Query),
                (Some(KeyIn::Cookie), _) | (None, Some("cookie")) => Some(KeyLocation::Cookie),
                _ => None,
            };
            let key_name = config.name.clone().or_else(|| scheme.spec_str("name"));
            let (Some(location), Some(key_name)) = (location, key_name) else {
                places.error(diags, &["schemes", name], format!("API key scheme `{name}` needs `in` and `name`"));
                return None;
            };
            Ok(SchemeKind::ApiKey {
                location,
                name: key_name,
                prefix: config.prefix.clone().unwrap_or_default(),
                env: config.env.clone().unwrap_or_else(|| var(name, env.token_like > 1, "API_KEY")),
            })
        }
        SchemeType::Basic => Ok(SchemeKind::Basic {
            username_env: config.username_env.clone().unwrap_or_else(|| var(name, env.basic > 1, "USERNAME")),
            password_env: config.password_env.clone().unwrap_or_else(|| var(name, env.basic > 1, "PASSWORD")),
        }),
        SchemeType::Bearer => Ok(SchemeKind::Bearer {
            env: config.env.clone().unwrap_or_else(|| var(name, env.token_like > 1, "API_KEY")),
        }),
        SchemeType::Oauth2 => {
            let urls = UrlContext {
                scheme_pointer: format!("{}/{}", spec.layout.schemes_pointer(), pointer::escape(name)),
                swagger: spec.layout.swagger,
                server: spec.server,
            };
            oauth_kind(name, scheme.spec, config, env.oauth > 1, &var, &urls).map(|(kind, notes)| {
                places.notes(diags, notes);
                kind
            })
        }
        SchemeType::Jwt => jwt_kind(name, config, env.key > 1, &var),
    };
    match result {
        Ok(kind) => Some(kind),
        Err((tokens, message)) => {
            let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
            places.error(diags, &tokens, message);
            None
        }
    }
}

/// The section's `accepted_for` pairs that name `known` schemes; the others are errors.
fn accepted_for(
    section: &PolvoSection,
    known: &[&str],
    places: &Places<'_>,
    diags: &mut Diagnostics,
) -> Vec<(String, String)> {
    let mut accepted_for = Vec::new();
    for (name, config) in &section.schemes {
        for (i, other) in config.accepted_for.iter().enumerate() {
            if known.contains(&other.as_str()) {
                accepted_for.push((name.clone(), other.clone()));
            } else {
                places.error(
                    diags,
                    &["schemes", name, "accepted_for", &i.to_string()],
                    format!("`{other}` is not a scheme of this service"),
                );
            }
        }
    }
    accepted_for
}

/// The default security: the section's (each scheme checked to be one of
/// `known`), else the spec's.
fn default_security(
    section: &PolvoSection,
    known: &[&str],
    root: &Value,
    places: &Places<'_>,
    diags: &mut Diagnostics,
) -> Option<Vec<Vec<String>>> {
    match &section.security {
        Some(security) => {
            for (i, requirement) in security.iter().enumerate() {
                for (j, scheme) in requirement.iter().enumerate() {
                    if !known.contains(&scheme.as_str()) {
                        places.error(
                            diags,
                            &["security", &i.to_string(), &j.to_string()],
                            format!("`{scheme}` is not a scheme of this service"),
                        );
                    }
                }
            }
            Some(security.clone())
        }
        None => root.get("security").map(parse_security),
    }
}

/// Where the diagnostics of the schemes go.
struct Places<'a> {
    /// The section, when the service has one.
    section: Option<SectionPlace<'a>>,
    /// The spec file.
    spec_file: &'a str,
    /// Where the spec keeps its schemes.
    schemes_pointer: &'static str,
}

impl Places<'_> {
    /// Where a problem of the section's `tokens` is: there, or without a
    /// section, in the spec's own scheme.
    fn section(&self, tokens: &[&str]) -> (String, String) {
        match &self.section {
            Some(p) => {
                let mut at = p.pointer.to_owned();
                for t in tokens {
                    at.push('/');
                    at.push_str(&pointer::escape(t));
                }
                (p.file.to_owned(), at)
            }
            None => {
                let at = match tokens {
                    ["schemes", name, ..] => format!("{}/{}", self.schemes_pointer, pointer::escape(name)),
                    _ => String::new(),
                };
                (self.spec_file.to_owned(), at)
            }
        }
    }

    /// An error at the section's `tokens`.
    fn error(&self, diags: &mut Diagnostics, tokens: &[&str], message: String) {
        let (file, at) = self.section(tokens);
        diags.error(&file, &at, message);
    }

    /// The notes about endpoint URLs, as warnings where each URL is written.
    fn notes(&self, diags: &mut Diagnostics, notes: Vec<UrlNote>) {
        for note in notes {
            let (file, at) = match note.place {
                UrlPlace::Spec(at) => (self.spec_file.to_owned(), at),
                UrlPlace::Section(tokens) => self.section(&tokens.iter().map(String::as_str).collect::<Vec<_>>()),
            };
            diags.warning(&file, &at, note.message);
        }
    }
}

/// The kind a `components.securitySchemes` entry describes, if polvo supports it.
fn spec_kind(spec: &Value) -> Option<SchemeType> {
    match spec.get("type").and_then(Value::as_str)? {
        "apiKey" => Some(SchemeType::ApiKey),
        "http" => match spec.get("scheme").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
            Some("basic") => Some(SchemeType::Basic),
            Some("bearer") => Some(SchemeType::Bearer),
            _ => None,
        },
        "oauth2" | "openIdConnect" => Some(SchemeType::Oauth2),
        _ => None,
    }
}

type ConfigError = (Vec<String>, String);

/// What the endpoint checks of one scheme need to know.
struct UrlContext<'a> {
    /// The JSON pointer of the scheme in the spec.
    scheme_pointer: String,
    /// Whether the spec is Swagger 2.0 (its URLs sit on the scheme, not in `flows`).
    swagger: bool,
    /// The spec's default server URL.
    server: Option<&'a str>,
}

/// Where an endpoint URL is written.
enum UrlPlace {
    /// In the spec, at this pointer.
    Spec(String),
    /// In the section, at these tokens.
    Section(Vec<String>),
}

/// A note for the module docs about an endpoint URL.
struct UrlNote {
    place: UrlPlace,
    message: String,
}

/// An endpoint URL and where it is written.
struct WrittenUrl {
    url: String,
    place: UrlPlace,
}

impl UrlContext<'_> {
    /// The URL `key` of the spec's `flow`.
    fn flow_url(&self, spec: Option<&Value>, flow: &str, key: &str) -> Option<WrittenUrl> {
        let url = spec?.get("flows")?.get(flow)?.get(key)?.as_str()?;
        let at = if self.swagger {
            format!("{}/{key}", self.scheme_pointer)
        } else {
            format!("{}/flows/{flow}/{key}", self.scheme_pointer)
        };
        Some(WrittenUrl { url: url.to_owned(), place: UrlPlace::Spec(at) })
    }

    /// Checks an endpoint that receives credentials. Plain http (off
    /// loopback) or a URL that does not parse, written in the section, is an
    /// error: the user wrote it. Written in the spec, or reached through a
    /// relative URL and an http server, it is a note: the client is
    /// generated, and refuses to send credentials there unless the user
    /// gives another URL.
    fn check(&self, scheme: &str, key: &str, written: &WrittenUrl) -> Result<Option<UrlNote>, ConfigError> {
        let raw = &written.url;
        let (endpoint, problem) = match classify(raw, self.server) {
            Ok(endpoint) => match &endpoint.insecure {
                None => return Ok(None),
                Some(_) => (Some(endpoint), "would receive credentials over plain http; endpoints that receive credentials must use https (plain http only on loopback)".to_owned()),
            },
            Err(e) => (None, format!("is not a valid URL: {e}")),
        };
        let relative = endpoint.as_ref().is_some_and(|e| e.relative);
        let place = match &written.place {
            UrlPlace::Section(tokens) if !relative => return Err((tokens.clone(), format!("`{raw}` {problem}"))),
            UrlPlace::Section(tokens) => UrlPlace::Section(tokens.clone()),
            UrlPlace::Spec(at) => UrlPlace::Spec(at.clone()),
        };
        let refusal = refusal(scheme, key);
        let message = match endpoint.and_then(|e| e.insecure) {
            Some(insecure) if relative => format!(
                "`{raw}` resolves to `{insecure}` with the default server, which is not https: {refusal} gives an https URL, or the client's base URL is https"
            ),
            Some(_) => format!("`{raw}` is not https: {refusal} gives an https URL"),
            None => format!("`{raw}` {problem}: {refusal} gives a valid https URL"),
        };
        Ok(Some(UrlNote { place, message }))
    }
}

/// What the runtime refuses when the endpoint `key` of `scheme` is unusable,
/// and how the user gets past it.
fn refusal(scheme: &str, key: &str) -> String {
    let what = match key {
        "revocation_url" => format!("`revoke()` with an OAuth 2.0 credential for `{scheme}` is refused"),
        "device_authorization_url" => format!("device logins with an OAuth 2.0 credential for `{scheme}` are refused"),
        _ => format!("a client with an OAuth 2.0 credential for `{scheme}` refuses to build"),
    };
    format!("{what} unless the credential's `.{key}(..)`")
}

/// The URL the section gives for `key`, else the first of the spec's `(flow, key)`s.
fn section_or_spec(
    urls: &UrlContext<'_>,
    name: &str,
    spec: Option<&Value>,
    config: (&str, &Option<String>),
    spec_keys: &[(&str, &str)],
) -> Option<WrittenUrl> {
    let (key, configured) = config;
    if let Some(url) = configured {
        let tokens = vec!["schemes".to_owned(), name.to_owned(), key.to_owned()];
        return Some(WrittenUrl { url: url.clone(), place: UrlPlace::Section(tokens) });
    }
    spec_keys.iter().find_map(|(flow, spec_key)| urls.flow_url(spec, flow, spec_key))
}

fn oauth_kind(
    name: &str,
    spec: Option<&Value>,
    config: &SchemeConfig,
    shared: bool,
    var: &dyn Fn(&str, bool, &str) -> String,
    urls: &UrlContext<'_>,
) -> Result<(SchemeKind, Vec<UrlNote>), ConfigError> {
    let flows_spec = spec.and_then(|s| s.get("flows")).and_then(Value::as_object);
    let mut flows = Vec::new();
    if let Some(flow) = config.flow {
        flows.push(flow);
    }
    for (key, flow) in [
        ("authorizationCode", Flow::AuthorizationCode),
        ("clientCredentials", Flow::ClientCredentials),
        ("deviceAuthorization", Flow::DeviceCode),
    ] {
        if flows_spec.is_some_and(|f| f.contains_key(key)) && !flows.contains(&flow) {
            flows.push(flow);
        }
    }
    let authorization_url = section_or_spec(
        urls,
        name,
        spec,
        ("authorization_url", &config.authorization_url),
        &[("authorizationCode", "authorizationUrl")],
    );
    let token_url = section_or_spec(
        urls,
        name,
        spec,
        ("token_url", &config.token_url),
        &[("authorizationCode", "tokenUrl"), ("clientCredentials", "tokenUrl"), ("deviceAuthorization", "tokenUrl")],
    );
    let revocation_url = section_or_spec(urls, name, spec, ("revocation_url", &config.revocation_url), &[]);
    let device_authorization_url = section_or_spec(
        urls,
        name,
        spec,
        ("device_authorization_url", &config.device_authorization_url),
        &[("deviceAuthorization", "deviceAuthorizationUrl")],
    );
    // The authorization endpoint receives no credential (the browser goes there).
    let mut notes = Vec::new();
    for (key, url) in [
        ("token_url", &token_url),
        ("revocation_url", &revocation_url),
        ("device_authorization_url", &device_authorization_url),
    ] {
        if let Some(url) = url
            && let Some(note) = urls.check(name, key, url)?
        {
            notes.push(note);
        }
    }
    if flows.contains(&Flow::ClientCredentials) && token_url.is_none() {
        let at = vec!["schemes".to_owned(), name.to_owned(), "token_url".to_owned()];
        return Err((at, format!("scheme `{name}` uses client credentials but has no token URL")));
    }
    let text = |written: Option<WrittenUrl>| written.map(|w| w.url);
    let kind = SchemeKind::OAuth2 {
        flows,
        authorization_url: text(authorization_url),
        token_url: text(token_url),
        revocation_url: text(revocation_url),
        device_authorization_url: text(device_authorization_url),
        client_auth: config.client_auth.unwrap_or(ClientAuthConfig::ClientSecretBasic),
        scopes: config.scopes.clone().unwrap_or_default(),
        redirect_uri: config.redirect_uri.clone(),
        client_id_env: config.client_id_env.clone().unwrap_or_else(|| var(name, shared, "CLIENT_ID")),
        client_secret_env: config.client_secret_env.clone().unwrap_or_else(|| var(name, shared, "CLIENT_SECRET")),
        refresh_token_env: config.refresh_token_env.clone().unwrap_or_else(|| var(name, shared, "REFRESH_TOKEN")),
        private_key_env: config.private_key_env.clone().unwrap_or_else(|| var(name, shared, "PRIVATE_KEY")),
    };
    Ok((kind, notes))
}

/// Checks a JWT exchange URL of the section: absolute (the runtime does not
/// resolve it) and https, or http on loopback.
fn check_exchange_url(url: &str) -> Result<(), String> {
    let endpoint = classify(url, None).map_err(|e| format!("`{url}` is not a valid URL: {e}"))?;
    if endpoint.relative {
        return Err(format!("`{url}` is a relative URL; write the exchange URL in full"));
    }
    match endpoint.insecure {
        Some(_) => Err(format!("`{url}` would receive credentials over plain http")),
        None => Ok(()),
    }
}

fn jwt_kind(
    name: &str,
    config: &SchemeConfig,
    shared: bool,
    var: &dyn Fn(&str, bool, &str) -> String,
) -> Result<SchemeKind, ConfigError> {
    let at = |key: &str| vec!["schemes".to_owned(), name.to_owned(), key.to_owned()];
    let exchange_at = |key: &str| ["schemes", name, "exchange", key].map(str::to_owned).to_vec();
    let algorithm = config.algorithm.clone().unwrap_or_else(|| "RS256".to_owned());
    if !ALGORITHMS.contains(&algorithm.as_str()) {
        return Err((
            at("algorithm"),
            format!("unknown JWT algorithm `{algorithm}`; use one of {}", ALGORITHMS.join(", ")),
        ));
    }
    let lifetime = config.lifetime.unwrap_or(300);
    if lifetime <= 0 {
        return Err((at("lifetime"), "the lifetime must be positive".into()));
    }
    if let Some(max) = config.max_lifetime
        && lifetime > max
    {
        return Err((at("lifetime"), format!("the lifetime ({lifetime} s) exceeds `max_lifetime` ({max} s)")));
    }
    let usage = match (&config.send, &config.exchange) {
        (Some(_), Some(_)) => {
            return Err((at("exchange"), "a JWT is either sent (`send`) or exchanged (`exchange`), not both".into()));
        }
        (Some(send), None) => JwtUsage::Direct {
            header: send.header.clone().unwrap_or_else(|| "Authorization".into()),
            prefix: send.prefix.clone().unwrap_or_else(|| "Bearer".into()),
        },
        (None, None) => JwtUsage::Direct { header: "Authorization".into(), prefix: "Bearer".into() },
        (None, Some(exchange)) => match exchange.grant {
            ExchangeGrant::JwtBearer => {
                let Some(url) = &exchange.token_url else {
                    return Err((at("exchange"), "the `jwt_bearer` exchange needs a `token_url`".into()));
                };
                check_exchange_url(url).map_err(|message| (exchange_at("token_url"), message))?;
                JwtUsage::JwtBearerGrant { token_url: url.clone(), scopes: exchange.scopes.clone() }
            }
            ExchangeGrant::InstallationToken => {
                let Some(url) = &exchange.url else {
                    return Err((at("exchange"), "the `installation_token` exchange needs a `url`".into()));
                };
                check_exchange_url(url).map_err(|message| (exchange_at("url"), message))?;
                JwtUsage::BearerPost { url: url.clone() }
            }
        },
    };
    Ok(SchemeKind::Jwt {
        algorithm,
        key_env: config.private_key_env.clone().unwrap_or_else(|| var(name, shared, "PRIVATE_KEY")),
        key_file_env: config.private_key_file_env.clone().unwrap_or_else(|| var(name, shared, "PRIVATE_KEY_FILE")),
        key_id: config.key_id.clone(),
        key_id_env: config.key_id_env.clone().unwrap_or_else(|| var(name, shared, "KEY_ID")),
        claims: config.claims.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        issued_at_offset: config.issued_at_offset.unwrap_or(0),
        lifetime,
        usage,
    })
}

/// An OpenAPI `security` value: alternatives of scheme sets.
pub fn parse_security(value: &Value) -> Vec<Vec<String>> {
    value
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_object).map(|req| req.keys().cloned().collect()).collect())
        .unwrap_or_default()
}

/// The alternatives an operation accepts: the section's setting for it,
/// else its own `security` (or the default), with schemes that are
/// `accepted_for` others added as further alternatives. When nothing
/// declares security but the service has schemes, credentials are sent if given.
pub fn operation_security(
    configured: Option<&Vec<Vec<String>>>,
    own: Option<&Value>,
    model: &AuthModel,
) -> Vec<Vec<String>> {
    let known: Vec<&str> = model.schemes.iter().map(|s| s.name.as_str()).collect();
    let declared = match (configured, own) {
        (Some(configured), _) => configured.clone(),
        (None, Some(v)) => parse_security(v),
        (None, None) => match &model.default_security {
            Some(d) => d.clone(),
            None => {
                let mut all: Vec<Vec<String>> = known.iter().map(|k| vec![(*k).to_owned()]).collect();
                all.push(Vec::new());
                return all;
            }
        },
    };
    let mut out: Vec<Vec<String>> = Vec::new();
    for requirement in declared {
        // Schemes polvo cannot configure stay in the requirement: no credential
        // can satisfy it, and the error at run time names them.
        if !out.contains(&requirement) {
            out.push(requirement.clone());
        }
        for (alias, target) in &model.accepted_for {
            if requirement.contains(target) {
                let replaced: Vec<String> =
                    requirement.iter().map(|s| if s == target { alias.clone() } else { s.clone() }).collect();
                if !out.contains(&replaced) {
                    out.push(replaced);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The auth model of a spec whose `oauth` scheme has `tokenUrl`, and
    /// the diagnostics, as `place: message`.
    fn with_token_url(token_url: &str, server: Option<&str>, section: Option<Value>) -> (AuthModel, Vec<String>) {
        let root = serde_json::json!({"components": {"securitySchemes": {"oauth": {
            "type": "oauth2",
            "flows": {"authorizationCode": {"authorizationUrl": "/authorize", "tokenUrl": token_url, "scopes": {}}}
        }}}});
        let mut diags = Diagnostics::new();
        let section =
            section.map(|v| super::super::section::parse_section(&v, "s.yaml", "/x-polvo", &mut diags).unwrap());
        let layout = super::super::schema::SpecLayout { swagger: false };
        let spec = SpecSchemes { file: "s.yaml", root: &root, layout, server };
        let place = SectionPlace { file: "s.yaml", pointer: "/x-polvo" };
        let model = build_auth(&spec, section.as_ref().map(|s| (s, place)), "S", &mut diags);
        (model, diags.iter().map(|d| format!("{}: {}", d.place(), d.message)).collect())
    }

    fn token_url_of(model: &AuthModel) -> Option<&str> {
        match &model.schemes[0].kind {
            SchemeKind::OAuth2 { token_url, .. } => token_url.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn relative_token_urls_stay_relative_for_the_runtime() {
        for server in [Some("https://api.example.com/v1"), Some("/api"), None] {
            let (model, diags) = with_token_url("/oauth/token", server, None);
            assert_eq!(token_url_of(&model), Some("/oauth/token"), "{server:?}");
            assert!(diags.is_empty(), "{server:?}: {diags:?}");
        }
    }

    #[test]
    fn a_relative_token_url_on_an_http_server_is_noted() {
        let (model, diags) = with_token_url("/oauth/token", Some("http://social.example"), None);
        assert_eq!(token_url_of(&model), Some("/oauth/token"));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            diags[0].starts_with("s.yaml#/components/securitySchemes/oauth/flows/authorizationCode/tokenUrl: `/oauth/token` resolves to `http://social.example/oauth/token`"),
            "{diags:?}"
        );
    }

    #[test]
    fn plain_http_is_an_error_only_when_the_section_asks_for_it() {
        let (model, diags) = with_token_url("http://auth.example.com/token", None, None);
        assert_eq!(token_url_of(&model), Some("http://auth.example.com/token"), "still generated");
        assert!(diags[0].contains("is not https"), "a note: {diags:?}");
        let section = serde_json::json!({"schemes": {"oauth": {"token_url": "http://evil.com\\@localhost/token"}}});
        let (model, diags) = with_token_url("https://auth.example.com/token", None, Some(section));
        assert!(model.schemes.is_empty());
        assert_eq!(
            diags,
            [
                "s.yaml#/x-polvo/schemes/oauth/token_url: `http://evil.com\\@localhost/token` would receive credentials over plain http; endpoints that receive credentials must use https (plain http only on loopback)"
            ]
        );
        let section = serde_json::json!({"schemes": {"oauth": {"token_url": "/oauth/token"}}});
        let (model, diags) =
            with_token_url("http://auth.example.com/token", Some("https://api.example.com"), Some(section));
        assert_eq!(token_url_of(&model), Some("/oauth/token"), "the section's relative URL wins");
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn urls_that_do_not_parse_are_reported_as_invalid_not_as_plain_http() {
        let (model, diags) = with_token_url("https://auth.example.com:99999/token", None, None);
        assert_eq!(token_url_of(&model), Some("https://auth.example.com:99999/token"), "still generated");
        assert_eq!(
            diags,
            [
                "s.yaml#/components/securitySchemes/oauth/flows/authorizationCode/tokenUrl: `https://auth.example.com:99999/token` is not a valid URL: invalid port number: a client with an OAuth 2.0 credential for `oauth` refuses to build unless the credential's `.token_url(..)` gives a valid https URL"
            ]
        );
        let section = serde_json::json!({"schemes": {"oauth": {"token_url": "http://[::1"}}});
        let (model, diags) = with_token_url("https://auth.example.com/token", None, Some(section));
        assert!(model.schemes.is_empty());
        assert_eq!(
            diags,
            ["s.yaml#/x-polvo/schemes/oauth/token_url: `http://[::1` is not a valid URL: invalid IPv6 address"]
        );
        // A relative URL that cannot be resolved against the default server.
        let (_, diags) = with_token_url("//exa mple.com/token", Some("https://api.example.com"), None);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].contains("`//exa mple.com/token` is not a valid URL: "), "{diags:?}");
    }

    #[test]
    fn token_keys_env_names_a_variable_or_is_an_error_at_its_key() {
        let section = serde_json::json!({"token_keys_env": "POLVO_TOKEN_KEYS"});
        let (model, diags) = with_token_url("https://auth.example.com/token", None, Some(section));
        assert_eq!(model.token_keys_env.as_deref(), Some("POLVO_TOKEN_KEYS"));
        assert!(diags.is_empty(), "{diags:?}");

        for bad in ["", "TOKEN KEYS", "1KEYS", "KEYS=x"] {
            let section = serde_json::json!({"token_keys_env": bad});
            let (model, diags) = with_token_url("https://auth.example.com/token", None, Some(section));
            assert_eq!(model.token_keys_env, None, "{bad:?}");
            assert_eq!(diags.len(), 1, "{bad:?}: {diags:?}");
            assert!(diags[0].starts_with("s.yaml#/x-polvo/token_keys_env: "), "{diags:?}");
            assert!(diags[0].contains(&format!("`{bad}` is not an environment variable name")), "{diags:?}");
        }
    }

    #[test]
    fn jwt_exchange_urls_must_be_absolute_and_secure() {
        assert!(check_exchange_url("https://oauth2.example.com/token").is_ok());
        assert!(check_exchange_url("http://127.0.0.1:8080/app/installations/{tenant}/access_tokens").is_ok());
        assert!(check_exchange_url("/token").unwrap_err().contains("relative"));
        assert!(check_exchange_url("http://localhost@evil.com/token").unwrap_err().contains("plain http"));
        assert_eq!(
            check_exchange_url("https://auth.example.com:99999/token").unwrap_err(),
            "`https://auth.example.com:99999/token` is not a valid URL: invalid port number"
        );
    }

    #[test]
    fn accepted_for_adds_alternatives() {
        let model = AuthModel {
            schemes: ["oauth2", "private_apps", "hapikey"]
                .iter()
                .map(|n| Scheme {
                    name: (*n).into(),
                    fn_name: (*n).into(),
                    description: None,
                    kind: SchemeKind::Bearer { env: String::new() },
                })
                .collect(),
            default_security: None,
            accepted_for: vec![("private_apps".into(), "oauth2".into())],
            operation_security: Vec::new(),
            token_keys_env: None,
        };
        let own = serde_json::json!([{"oauth2": ["crm.objects.contacts.read"]}]);
        assert_eq!(
            operation_security(None, Some(&own), &model),
            vec![vec!["oauth2".to_owned()], vec!["private_apps".to_owned()]]
        );
        assert_eq!(operation_security(None, Some(&serde_json::json!([])), &model), Vec::<Vec<String>>::new());
        let none = operation_security(None, None, &model);
        assert_eq!(none.len(), 4, "each scheme, or none: {none:?}");
        // The section's setting wins over the operation's own.
        let configured = vec![vec!["hapikey".to_owned()]];
        assert_eq!(operation_security(Some(&configured), Some(&own), &model), configured);
    }
}
