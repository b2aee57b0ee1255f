//! HubSpot-style OAuth 2.0: a user logs in through the authorization code
//! flow (PKCE and `state`, with a loopback redirect as command-line apps
//! use), the tokens land in a file store, and the client refreshes them by
//! itself when they expire.
//!
//! Runs offline against local servers: a real OAuth 2.0 provider
//! (`oidc-provider`, installed by `bash scripts/test.sh`; its access tokens
//! live 5 seconds here) and an in-process contacts API that checks each
//! token with the provider. The example plays the user's browser.
//!
//! `cargo run --example hubspot_oauth`

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

polvo::service!("hubspot.yaml");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = polvo_suite::servers::start_oidc(&[("OIDC_ACCESS_TOKEN_TTL", "5")])?;
    let api = serve_contacts(provider.url.clone()).await?;
    let (redirect_uri, mut redirects) = listen_for_redirect().await?;
    println!("OAuth provider: {}\ncontacts API:   {api}\nredirect URI:   {redirect_uri}\n", provider.url);

    let store_dir = std::env::temp_dir().join(format!("polvo-hubspot-example-{}", std::process::id()));
    let client = hubspot::Client::builder()
        .base_url(&api)
        .credential(
            // The client registration; the endpoints of the spec are replaced by the local provider's.
            hubspot::auth::oauth2("polvo-post")
                .client_secret("post-secret")
                .redirect_uri(&redirect_uri)
                .scopes(["openid", "offline_access", "contacts.read"])
                .authorization_url(provider.url_for("/auth"))
                .token_url(provider.url_for("/token"))
                .revocation_url(provider.url_for("/token/revocation")),
        )
        .token_store(polvo::auth::FileStore::new(&store_dir)?)
        .refresh_skew(Duration::from_secs(1))
        .build()?;

    // 1. Send the user to the provider.
    let login = client.auth_url(&[])?;
    println!("Open this URL to log in:\n  {}\n", login.url());
    play_the_browser(login.url()).await?;

    // 2. The provider redirects to the loopback address with a code and the state.
    let (code, state) = redirects.recv().await.ok_or("the redirect never came")?;
    let tenant = client.fetch_access_token(&code, &state).await?;
    println!("logged in (tenant `{tenant}`); tokens saved under {}", store_dir.display());

    // 3. Calls carry the access token.
    let page = client.contacts().get_page().limit(2).send().await?;
    for contact in &page.results {
        let email = contact.properties.get("email").cloned().flatten().unwrap_or_default();
        println!("  contact {} <{email}>", contact.id);
    }

    // 4. After the access token expires, the next call refreshes it first.
    println!("\nwaiting for the access token to expire…");
    tokio::time::sleep(Duration::from_secs(6)).await;
    let page = client.contacts().get_page().limit(2).send().await?;
    let stats: Value = polvo::reqwest::get(provider.url_for("/__test/stats")).await?.json().await?;
    println!(
        "still listing {} contacts; the provider saw {} refresh request(s)",
        page.results.len(),
        stats["by_grant"]["refresh_token"]
    );

    // 5. Log out: revoke the tokens at the provider and forget them.
    client.auth().revoke().await?;
    match client.contacts().get_page().send().await {
        Err(polvo::Error::Auth(e)) => println!("\nafter revoking: {e}"),
        other => println!("\nafter revoking: unexpected {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&store_dir);
    Ok(())
}

/// A loopback listener that receives the authorization redirect.
async fn listen_for_redirect() -> std::io::Result<(String, mpsc::Receiver<(String, String)>)> {
    let (sender, receiver) = mpsc::channel(1);
    let app = Router::new()
        .route(
            "/callback",
            get(|State(sender): State<mpsc::Sender<(String, String)>>, Query(q): Query<HashMap<String, String>>| async move {
                match (q.get("code"), q.get("state")) {
                    (Some(code), Some(state)) => {
                        let _ = sender.send((code.clone(), state.clone())).await;
                        "Logged in. You can close this window."
                    }
                    _ => "The login failed.",
                }
            }),
        )
        .with_state(sender);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((format!("http://{address}/callback"), receiver))
}

/// What a browser would do: open the URL; the test provider approves at once
/// and redirects to the loopback address.
async fn play_the_browser(url: &str) -> Result<(), polvo::reqwest::Error> {
    let browser = polvo::reqwest::Client::builder().build()?;
    browser.get(url).send().await?.error_for_status()?;
    Ok(())
}

/// A contacts API that asks the provider whether each token is active.
async fn serve_contacts(provider: String) -> std::io::Result<String> {
    let app = Router::new().route("/crm/v3/objects/contacts", get(contacts)).with_state(provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

async fn contacts(State(provider): State<String>, headers: HeaderMap) -> (StatusCode, Json<Value>) {
    let unauthorized = || {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"category": "INVALID_AUTHENTICATION", "message": "Authentication credentials not found."})),
        )
    };
    let Some(token) =
        headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    else {
        return unauthorized();
    };
    let introspection = polvo::reqwest::Client::new()
        .post(format!("{provider}/token/introspection"))
        .form(&[("token", token), ("client_id", "polvo-post"), ("client_secret", "post-secret")])
        .send()
        .await;
    let active = match introspection {
        Ok(response) => response.json::<Value>().await.map(|v| v["active"] == true).unwrap_or(false),
        Err(_) => false,
    };
    if !active {
        return unauthorized();
    }
    let results = json!([
        {"id": "101", "properties": {"email": "ada@example.com"}, "createdAt": "2026-11-01T09:00:00Z", "updatedAt": "2026-11-02T09:00:00Z", "archived": false},
        {"id": "102", "properties": {"email": "grace@example.com"}, "createdAt": "2026-11-03T09:00:00Z", "updatedAt": "2026-11-04T09:00:00Z", "archived": false},
    ]);
    (StatusCode::OK, Json(json!({"results": results})))
}
