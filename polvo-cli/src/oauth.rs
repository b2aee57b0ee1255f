//! The OAuth 2.0 side of the commands: the scheme the user means, the
//! client registration, and the runtime's auth state for it with the
//! default file token store.
//!
//! The CLI reads specs when it runs, so it has no generated client: it
//! describes the scheme to the runtime itself (the same description the
//! macro emits) and drives the runtime's login, token and revocation code.

use clap::Args;
use polvo_codegen::model::Service;
use polvo_codegen::model::auth::{Scheme, SchemeKind};
use polvo_codegen::model::section::{ClientAuthConfig, Flow};
use polvo_runtime::__private::{AuthState, ClientAuth, Grant, OAuth2Spec, SchemeKind as RuntimeKind, SchemeSpec};
use polvo_runtime::auth::{FileStore, OAuth2Credential, TokenKey};
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::CliError;

/// Which scheme, tenant and client registration.
#[derive(Args, Debug)]
pub struct OAuthArgs {
    /// The OAuth 2.0 scheme (default: the spec's first one).
    #[arg(long)]
    pub scheme: Option<String>,
    /// Whose tokens: one user, account or portal of a multi-tenant app.
    #[arg(long, default_value = polvo_runtime::DEFAULT_TENANT)]
    pub tenant: String,
    /// The OAuth 2.0 client id (default: the scheme's client id variable,
    /// such as HUBSPOT_CLIENT_ID). A client secret is read from the
    /// scheme's secret variable only; without one polvo logs in as a
    /// public client.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
}

/// The OAuth 2.0 settings of a scheme, as the model has them.
pub struct OAuthScheme<'a> {
    /// The scheme.
    pub scheme: &'a Scheme,
    /// Whether the spec names a revocation endpoint.
    pub revocable: bool,
}

/// The OAuth 2.0 scheme `name`, or the service's first one.
pub fn find_scheme<'a>(service: &'a Service, name: Option<&str>) -> Result<OAuthScheme<'a>, CliError> {
    let oauth: Vec<OAuthScheme<'a>> = service
        .auth
        .schemes
        .iter()
        .filter_map(|scheme| match &scheme.kind {
            SchemeKind::OAuth2 { revocation_url, .. } => {
                Some(OAuthScheme { scheme, revocable: revocation_url.is_some() })
            }
            _ => None,
        })
        .collect();
    let names: Vec<&str> = oauth.iter().map(|o| o.scheme.name.as_str()).collect();
    match name {
        None => oauth.into_iter().next().ok_or_else(|| {
            CliError::Usage(format!("the service `{}` has no OAuth 2.0 scheme to log in to", service.module))
        }),
        Some(name) => oauth.into_iter().find(|o| o.scheme.name == name).ok_or_else(|| {
            CliError::Usage(format!(
                "`{name}` is not an OAuth 2.0 scheme of `{}`; its OAuth 2.0 schemes are: {}",
                service.module,
                if names.is_empty() { "none".to_owned() } else { names.join(", ") }
            ))
        }),
    }
}

/// The default token store and the key of one scheme's tokens in it.
pub struct Tokens {
    /// The store.
    pub store: Arc<FileStore>,
    /// Where it is.
    pub dir: PathBuf,
    /// The key of these tokens.
    pub key: TokenKey,
}

impl Tokens {
    /// The default store, with the key generated clients use: service
    /// (module) name, scheme, tenant.
    pub fn open(service: &Service, scheme: &Scheme, tenant: &str) -> Result<Tokens, CliError> {
        let dir = FileStore::default_dir()?;
        let store = Arc::new(FileStore::new(&dir)?);
        Ok(Tokens { store, dir, key: TokenKey::new(&service.module, &scheme.name, tenant) })
    }

    /// The file these tokens are in.
    pub fn file(&self) -> PathBuf {
        self.store.path_of(&self.key)
    }
}

/// The runtime's auth state for one scheme, with the client registration
/// from the arguments and the environment, keeping tokens in `tokens`.
pub fn auth_state(
    service: &Service,
    scheme: &Scheme,
    args: &OAuthArgs,
    redirect_uri: Option<String>,
    tokens: &Tokens,
) -> Result<AuthState, CliError> {
    let not_oauth = || CliError::Usage(format!("`{}` is not an OAuth 2.0 scheme", scheme.name));
    let SchemeKind::OAuth2 { client_id_env, client_secret_env, client_auth, .. } = &scheme.kind else {
        return Err(not_oauth());
    };
    let client_id = args.client_id.clone().or_else(|| env(client_id_env)).ok_or_else(|| {
        CliError::Usage(format!("no client id for `{}`: pass --client-id or set {client_id_env}", scheme.name))
    })?;
    let mut credential = OAuth2Credential::<()>::new(&scheme.name, client_id);
    match env(client_secret_env) {
        Some(secret) if *client_auth != ClientAuthConfig::PrivateKeyJwt => {
            credential = credential.client_secret(secret);
        }
        _ if *client_auth == ClientAuthConfig::PrivateKeyJwt => {
            return Err(CliError::Usage(format!(
                "`{}` authenticates its client with a private key JWT, which `polvo login` does not do",
                scheme.name
            )));
        }
        // Without a secret the client is a public one: PKCE protects the code.
        _ => credential = credential.client_auth(ClientAuth::None),
    }
    if let Some(uri) = redirect_uri {
        credential = credential.redirect_uri(uri);
    }
    let spec: &'static [SchemeSpec] = Box::leak(Box::new([runtime_spec(scheme).ok_or_else(not_oauth)?]));
    let base_url = service.servers.first().map(|s| s.url.as_str());
    let state =
        AuthState::standalone(leak(&service.module), spec, vec![credential.into()], base_url, tokens.store.clone())?;
    Ok(state)
}

/// A value of an environment variable, if it is set and not empty.
fn env(name: &str) -> Option<String> {
    (!name.is_empty()).then(|| std::env::var(name).ok()).flatten().filter(|v| !v.is_empty())
}

/// Text that lives as long as the process, as the runtime's scheme
/// descriptions (made for `const` data) want. The CLI makes one per run.
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// The runtime's description of an OAuth 2.0 scheme: what the macro
/// emits for it; `None` for other kinds of scheme.
fn runtime_spec(scheme: &Scheme) -> Option<SchemeSpec> {
    let SchemeKind::OAuth2 {
        flows,
        authorization_url,
        token_url,
        revocation_url,
        device_authorization_url,
        client_auth,
        scopes,
        redirect_uri,
        client_id_env,
        client_secret_env,
        refresh_token_env,
        private_key_env,
    } = &scheme.kind
    else {
        return None;
    };
    let grants: Vec<Grant> = flows
        .iter()
        .map(|flow| match flow {
            Flow::AuthorizationCode => Grant::AuthorizationCode,
            Flow::ClientCredentials => Grant::ClientCredentials,
            Flow::DeviceCode => Grant::DeviceCode,
        })
        .collect();
    let scopes: Vec<&'static str> = scopes.iter().map(|s| leak(s)).collect();
    let url = |u: &Option<String>| u.as_deref().map(leak);
    Some(SchemeSpec {
        name: leak(&scheme.name),
        kind: RuntimeKind::OAuth2(OAuth2Spec {
            grants: Box::leak(grants.into_boxed_slice()),
            authorization_url: url(authorization_url),
            token_url: url(token_url),
            revocation_url: url(revocation_url),
            device_authorization_url: url(device_authorization_url),
            client_auth: match client_auth {
                ClientAuthConfig::ClientSecretBasic => ClientAuth::ClientSecretBasic,
                ClientAuthConfig::ClientSecretPost => ClientAuth::ClientSecretPost,
                ClientAuthConfig::PrivateKeyJwt => ClientAuth::PrivateKeyJwt,
                ClientAuthConfig::None => ClientAuth::None,
            },
            default_scopes: Box::leak(scopes.into_boxed_slice()),
            redirect_uri: url(redirect_uri),
            client_id_env: leak(client_id_env),
            client_secret_env: leak(client_secret_env),
            refresh_token_env: leak(refresh_token_env),
            private_key_env: leak(private_key_env),
        }),
    })
}
