//! Emitting the auth side of a service: the scheme table the runtime reads,
//! the `auth` module of credential constructors, and the operations'
//! security requirements.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, doc_attrs};
use super::paths::ident;
use crate::model::Service;
use crate::model::auth::{JwtUsage, KeyLocation, Scheme, SchemeKind};
use crate::model::section::{ClaimConfig, ClientAuthConfig, Flow};

fn opt(value: &Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// The `SchemeSpec` of one scheme, as a constant expression.
fn scheme_spec(scheme: &Scheme, polvo: &TokenStream) -> TokenStream {
    let name = &scheme.name;
    let kind = match &scheme.kind {
        SchemeKind::ApiKey { location, name, prefix, env } => {
            let location = key_location(*location);
            quote! {
                #polvo::__private::SchemeKind::ApiKey {
                    location: #polvo::__private::KeyLocation::#location,
                    name: #name,
                    prefix: #prefix,
                    env: #env,
                }
            }
        }
        SchemeKind::Basic { username_env, password_env } => {
            quote!(#polvo::__private::SchemeKind::Basic { username_env: #username_env, password_env: #password_env })
        }
        SchemeKind::Bearer { env } => quote!(#polvo::__private::SchemeKind::Bearer { env: #env }),
        SchemeKind::OAuth2 {
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
        } => {
            let urls = [authorization_url, token_url, revocation_url, device_authorization_url, redirect_uri];
            let envs = [client_id_env, client_secret_env, refresh_token_env, private_key_env];
            oauth2_kind(flows, *client_auth, scopes, urls, envs, polvo)
        }
        SchemeKind::Jwt {
            algorithm,
            key_env,
            key_file_env,
            key_id,
            key_id_env,
            claims,
            issued_at_offset,
            lifetime,
            usage,
        } => {
            let key = JwtKey { algorithm, key_env, key_file_env, key_id, key_id_env };
            jwt_kind(&key, claims, (*issued_at_offset, *lifetime), usage, polvo)
        }
    };
    quote!(#polvo::__private::SchemeSpec { name: #name, kind: #kind })
}

/// The `KeyLocation` variant of an API key's place.
fn key_location(location: KeyLocation) -> TokenStream {
    match location {
        KeyLocation::Header => quote!(Header),
        KeyLocation::Query => quote!(Query),
        KeyLocation::Cookie => quote!(Cookie),
    }
}

/// An OAuth 2.0 scheme's `SchemeKind::OAuth2`. `urls` are the
/// authorization, token, revocation and device authorization endpoints and
/// the redirect URI; `envs` the variables of the client id, client secret,
/// refresh token and private key.
fn oauth2_kind(
    flows: &[Flow],
    client_auth: ClientAuthConfig,
    scopes: &[String],
    urls: [&Option<String>; 5],
    envs: [&String; 4],
    polvo: &TokenStream,
) -> TokenStream {
    let grants = flows.iter().map(|f| match f {
        Flow::AuthorizationCode => quote!(#polvo::__private::Grant::AuthorizationCode),
        Flow::ClientCredentials => quote!(#polvo::__private::Grant::ClientCredentials),
        Flow::DeviceCode => quote!(#polvo::__private::Grant::DeviceCode),
    });
    let client_auth = match client_auth {
        ClientAuthConfig::ClientSecretBasic => quote!(ClientSecretBasic),
        ClientAuthConfig::ClientSecretPost => quote!(ClientSecretPost),
        ClientAuthConfig::PrivateKeyJwt => quote!(PrivateKeyJwt),
        ClientAuthConfig::None => quote!(None),
    };
    let [authorization_url, token_url, revocation_url, device_authorization_url, redirect_uri] = urls.map(opt);
    let [client_id_env, client_secret_env, refresh_token_env, private_key_env] = envs;
    quote! {
        #polvo::__private::SchemeKind::OAuth2(#polvo::__private::OAuth2Spec {
            grants: &[#(#grants),*],
            authorization_url: #authorization_url,
            token_url: #token_url,
            revocation_url: #revocation_url,
            device_authorization_url: #device_authorization_url,
            client_auth: #polvo::__private::ClientAuth::#client_auth,
            default_scopes: &[#(#scopes),*],
            redirect_uri: #redirect_uri,
            client_id_env: #client_id_env,
            client_secret_env: #client_secret_env,
            refresh_token_env: #refresh_token_env,
            private_key_env: #private_key_env,
        })
    }
}

/// Where a JWT scheme's signing key comes from.
struct JwtKey<'a> {
    algorithm: &'a str,
    key_env: &'a str,
    key_file_env: &'a str,
    key_id: &'a Option<String>,
    key_id_env: &'a str,
}

/// A JWT scheme's `SchemeKind::Jwt`; `times` are the `iat` offset and the
/// lifetime, in seconds.
fn jwt_kind(
    key: &JwtKey<'_>,
    claims: &[(String, ClaimConfig)],
    times: (i64, i64),
    usage: &JwtUsage,
    polvo: &TokenStream,
) -> TokenStream {
    let JwtKey { algorithm, key_env, key_file_env, key_id, key_id_env } = key;
    let key_id = opt(key_id);
    let (issued_at_offset, lifetime) = times;
    let claims = claims.iter().map(|(name, value)| {
        let value = match value {
            ClaimConfig::Text(t) => quote!(#polvo::__private::ClaimValue::Text(#t)),
            ClaimConfig::Number(n) => quote!(#polvo::__private::ClaimValue::Number(#n)),
            ClaimConfig::Env { env } => quote!(#polvo::__private::ClaimValue::Env(#env)),
        };
        quote!((#name, #value))
    });
    let usage = match usage {
        JwtUsage::Direct { header, prefix } => {
            quote!(#polvo::__private::JwtUse::Direct { header: #header, prefix: #prefix })
        }
        JwtUsage::JwtBearerGrant { token_url, scopes } => {
            quote!(#polvo::__private::JwtUse::JwtBearerGrant { token_url: #token_url, scopes: &[#(#scopes),*] })
        }
        JwtUsage::BearerPost { url } => quote!(#polvo::__private::JwtUse::BearerPost { url: #url }),
    };
    quote! {
        #polvo::__private::SchemeKind::Jwt(#polvo::__private::JwtSpec {
            algorithm: #algorithm,
            key_env: #key_env,
            key_file_env: #key_file_env,
            key_id: #key_id,
            key_id_env: #key_id_env,
            claims: &[#(#claims),*],
            issued_at_offset: #issued_at_offset,
            lifetime: #lifetime,
            usage: #usage,
        })
    }
}

/// The `impl Service for Client`, with the scheme table.
pub fn service_impl(service: &Service, polvo: &TokenStream) -> TokenStream {
    let name = &service.module;
    let schemes = service.auth.schemes.iter().map(|scheme| scheme_spec(scheme, polvo));
    // Only a section that names the variable changes the generated code.
    let token_keys_env = service
        .auth
        .token_keys_env
        .as_ref()
        .map(|var| quote!(const TOKEN_KEYS_ENV: Option<&'static str> = Some(#var);));
    let operations = service
        .groups
        .iter()
        .flat_map(|group| &group.operations)
        .chain(&service.ungrouped)
        .map(|op| format!("{} {}", op.http_method, op.path));
    quote! {
        impl #polvo::__private::Service for Client {
            const NAME: &'static str = #name;
            const SCHEMES: &'static [#polvo::__private::SchemeSpec] = &[#(#schemes),*];
            #token_keys_env
            const OPERATIONS: &'static [&'static str] = &[#(#operations),*];

            fn from_core(core: #polvo::__private::ClientCore) -> Self {
                Client { core }
            }

            fn core(&self) -> &#polvo::__private::ClientCore {
                &self.core
            }
        }
    }
}

/// `request.security(&[...]);` for an operation, if the service has schemes.
pub fn security_statement(security: &Option<Vec<Vec<String>>>) -> Option<TokenStream> {
    let security = security.as_ref()?;
    let alternatives = security.iter().map(|req| quote!(&[#(#req),*]));
    Some(quote!(request.security(&[#(#alternatives),*]);))
}

/// What each scheme's env vars are, for docs.
fn env_doc(scheme: &Scheme) -> String {
    let vars: Vec<String> = match &scheme.kind {
        SchemeKind::ApiKey { env, .. } | SchemeKind::Bearer { env } => vec![code(env)],
        SchemeKind::Basic { username_env, password_env } => vec![code(username_env), code(password_env)],
        SchemeKind::OAuth2 { client_id_env, client_secret_env, refresh_token_env, .. } => {
            vec![
                code(client_id_env),
                format!("{} (optional for public clients)", code(client_secret_env)),
                format!("{} (optional)", code(refresh_token_env)),
            ]
        }
        SchemeKind::Jwt { key_env, key_file_env, .. } => {
            vec![format!("{} (the key) or {} (a path to it)", code(key_env), code(key_file_env))]
        }
    };
    format!("`Client::from_env` reads it from {}.", vars.join(", "))
}

/// The `auth` module: one credential constructor per scheme.
pub fn auth_module(service: &Service, polvo: &TokenStream) -> TokenStream {
    if service.auth.schemes.is_empty() {
        return TokenStream::new();
    }
    let fns = service.auth.schemes.iter().map(|scheme| {
        let name = &scheme.name;
        let f = ident(&scheme.fn_name);
        let env = env_doc(scheme);
        let (what, signature, body) = match &scheme.kind {
            SchemeKind::ApiKey { location, name: key, .. } => {
                let place = match location {
                    KeyLocation::Header => "header",
                    KeyLocation::Query => "query parameter",
                    KeyLocation::Cookie => "cookie",
                };
                (
                    format!("An API key, sent in the {place} {}.", code(key)),
                    quote!((key: impl Into<String>) -> #polvo::auth::Credential<super::Client>),
                    quote!(#polvo::auth::Credential::api_key(#name, key)),
                )
            }
            SchemeKind::Basic { .. } => (
                "A user name and password for HTTP basic authentication.".to_owned(),
                quote!((username: impl Into<String>, password: impl Into<String>) -> #polvo::auth::Credential<super::Client>),
                quote!(#polvo::auth::Credential::basic(#name, username, password)),
            ),
            SchemeKind::Bearer { .. } => (
                "A token, sent as `Authorization: Bearer <token>`.".to_owned(),
                quote!((token: impl Into<String>) -> #polvo::auth::Credential<super::Client>),
                quote!(#polvo::auth::Credential::bearer(#name, token)),
            ),
            SchemeKind::OAuth2 { .. } => (
                "An OAuth 2.0 client registration; add the secret, redirect URI or scopes with its methods. Tokens are then fetched, cached and refreshed by the client. To use an access token obtained elsewhere, give `polvo::auth::Credential::bearer` instead.".to_owned(),
                quote!((client_id: impl Into<String>) -> #polvo::auth::OAuth2Credential<super::Client>),
                quote!(#polvo::auth::OAuth2Credential::new(#name, client_id)),
            ),
            SchemeKind::Jwt { algorithm, .. } => (
                format!("A private key (PEM, DER or base64 DER) to sign {algorithm} JWTs with."),
                quote!((key: impl Into<Vec<u8>>) -> #polvo::auth::JwtCredential<super::Client>),
                quote!(#polvo::auth::JwtCredential::new(#name, key)),
            ),
        };
        let title = format!("The credential of the {} security scheme.", code(name));
        let docs = doc_attrs(&[Some(&title), scheme.description.as_deref(), Some(&what), Some(&env)]);
        quote! {
            #docs
            pub fn #f #signature {
                #body
            }
        }
    });
    quote! {
        /// Credentials for the API's security schemes, for `Client::builder().credential(..)`.
        pub mod auth {
            #(#fns)*
        }
    }
}

/// Client methods for credentials: `from_env`, `for_tenant`, `auth`, and,
/// when a scheme logs users in, `auth_url`, `start_login` and `fetch_access_token`.
pub fn client_methods(service: &Service, polvo: &TokenStream) -> TokenStream {
    if service.auth.schemes.is_empty() {
        return TokenStream::new();
    }
    let logins = service
        .auth
        .schemes
        .iter()
        .any(|s| matches!(&s.kind, SchemeKind::OAuth2 { flows, .. } if flows.contains(&Flow::AuthorizationCode)));
    let login_methods = logins.then(|| {
        quote! {
            /// Starts an OAuth 2.0 login (authorization code with PKCE and a random
            /// `state`): send the user to the returned URL. Empty `scopes` means the
            /// default ones.
            pub fn auth_url(&self, scopes: &[&str]) -> Result<#polvo::auth::PendingLogin, #polvo::auth::AuthError> {
                self.core.auth().auth_url(scopes)
            }

            /// Starts an OAuth 2.0 login like `auth_url`, kept in the client's token
            /// store so that any process sharing the store can finish it (behind a
            /// load balancer, the redirect may reach another replica).
            pub async fn start_login(&self, scopes: &[&str]) -> Result<#polvo::auth::PendingLogin, #polvo::auth::AuthError> {
                self.core.auth().start_login(scopes).await
            }

            /// Finishes a login with the `code` and `state` the redirect brought: the
            /// state is checked, the code exchanged and the tokens stored for the
            /// tenant that started the login (which is returned).
            pub async fn fetch_access_token(&self, code: &str, state: &str) -> Result<String, #polvo::auth::AuthError> {
                self.core.auth().fetch_access_token(code, state).await
            }
        }
    });
    quote! {
        /// A client with credentials from the environment (see [`auth`] for
        /// the variables of each scheme) and default settings.
        pub fn from_env() -> Result<Self, #polvo::BuildError> {
            Self::builder().from_env().build()
        }

        /// This client acting for another tenant (a user, account, portal or
        /// installation): same connection pool and credentials, that tenant's tokens.
        pub fn for_tenant(&self, tenant: impl AsRef<str>) -> Self {
            Client { core: self.core.for_tenant(tenant.as_ref()) }
        }

        /// Logins, tokens and revocation for this client's tenant.
        pub fn auth(&self) -> #polvo::auth::Auth<'_> {
            self.core.auth()
        }

        #login_methods
    }
}
