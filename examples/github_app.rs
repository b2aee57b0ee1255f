//! A GitHub App: the client signs its own JWT (RS256, issued 60 s in the
//! past, valid 9 minutes), exchanges it for an installation token, and calls
//! the API with that token, per installation. Runs offline: a small
//! GitHub-like server, started in-process, checks the JWT signature with
//! the app's public key.
//!
//! `cargo run --example github_app`. The app's key comes from
//! `GITHUB_APP_PRIVATE_KEY` (or a file named by `GITHUB_APP_PRIVATE_KEY_FILE`)
//! and its id from `GITHUB_APP_ID`; a demo key pair is used when they are unset.
//! With a key of your own, set `GITHUB_APP_PUBLIC_KEY` (PEM) too, so the
//! local server can check the signatures.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};

polvo::service!("github.yaml");

const DEMO_PRIVATE_KEY: &str = include_str!("../tests/fixtures/keys/rsa.pem");
const DEMO_PUBLIC_KEY: &str = include_str!("../tests/fixtures/keys/rsa.pub.pem");
const DEMO_APP_ID: &str = "123456";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var("GITHUB_APP_PRIVATE_KEY").is_err() && std::env::var("GITHUB_APP_PRIVATE_KEY_FILE").is_err() {
        // SAFETY: set before any other thread is started.
        unsafe {
            std::env::set_var("GITHUB_APP_PRIVATE_KEY", DEMO_PRIVATE_KEY);
            std::env::set_var("GITHUB_APP_ID", DEMO_APP_ID);
        }
    }
    let base_url = serve_github().await?;
    println!("A GitHub-like API is listening at {base_url}\n");

    // Both schemes read the key and the app id from the environment. The
    // installation-token URL of the spec is replaced to reach the local server.
    let key = std::env::var("GITHUB_APP_PRIVATE_KEY")?;
    let client = github::Client::builder()
        .base_url(&base_url)
        .from_env()
        .credential(
            github::auth::installation(key.into_bytes())
                .exchange_url(format!("{base_url}/app/installations/{{tenant}}/access_tokens")),
        )
        .build()?;

    let app = client.apps().get_authenticated().send().await?;
    println!("authenticated as the app {} ({}), id {}", app.name, app.slug, app.id);

    // The tenant is the installation: each has its own token, one client serves all.
    for installation in ["1001", "2002"] {
        let issues = client
            .for_tenant(installation)
            .issues()
            .list_for_repo("octo-org", "hello-world")
            .state(github::types::IssuesListForRepoState::Open)
            .send()
            .await?;
        println!("installation {installation}: {} open issue(s)", issues.len());
        for issue in issues {
            println!("  #{} {}", issue.number, issue.title);
        }
    }
    Ok(())
}

async fn serve_github() -> std::io::Result<String> {
    let app = Router::new()
        .route("/app", get(authenticated_app))
        .route("/app/installations/{id}/access_tokens", post(installation_token))
        .route("/repos/{owner}/{repo}/issues", get(issues))
        .with_state(());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

/// Verifies the app's JWT as GitHub does: RS256 with the app's public key,
/// no more than 10 minutes of validity.
fn verify_app_jwt(headers: &HeaderMap) -> Result<Map<String, Value>, (StatusCode, Json<Value>)> {
    let deny = |message: &str| (StatusCode::UNAUTHORIZED, Json(json!({"message": message})));
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| deny("A JSON web token could not be decoded"))?;
    let public = std::env::var("GITHUB_APP_PUBLIC_KEY").unwrap_or_else(|_| DEMO_PUBLIC_KEY.to_owned());
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes()).map_err(|_| deny("no public key"))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.leeway = 0;
    validation.required_spec_claims = ["exp", "iat"].iter().map(|s| (*s).to_owned()).collect();
    let data =
        jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation).map_err(|e| deny(&e.to_string()))?;
    // GitHub takes the app id as a number or a string.
    if !data.claims.get("iss").is_some_and(|iss| iss.is_number() || iss.is_string()) {
        return Err(deny("Missing 'Issuer' claim ('iss')"));
    }
    let (iat, exp) = (data.claims["iat"].as_i64().unwrap_or(0), data.claims["exp"].as_i64().unwrap_or(0));
    if exp - iat > 600 {
        return Err(deny("'Expiration time' claim ('exp') is too far in the future"));
    }
    Ok(data.claims)
}

async fn authenticated_app(headers: HeaderMap) -> (StatusCode, Json<Value>) {
    match verify_app_jwt(&headers) {
        Ok(claims) => {
            (StatusCode::OK, Json(json!({"id": claims["iss"], "slug": "polvo-demo", "name": "polvo demo app"})))
        }
        Err(e) => e,
    }
}

async fn installation_token(headers: HeaderMap, Path(id): Path<String>) -> (StatusCode, Json<Value>) {
    match verify_app_jwt(&headers) {
        Ok(_) => (
            StatusCode::CREATED,
            Json(json!({"token": format!("ghs_installation_{id}"), "expires_at": "2099-01-01T00:00:00Z"})),
        ),
        Err(e) => e,
    }
}

async fn issues(
    State(()): State<()>,
    headers: HeaderMap,
    Path((owner, repo)): Path<(String, String)>,
) -> (StatusCode, Json<Value>) {
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Some(installation) = token.strip_prefix("Bearer ghs_installation_") else {
        return (StatusCode::UNAUTHORIZED, Json(json!({"message": "Bad credentials"})));
    };
    let title = format!("Issue of {owner}/{repo}, seen by installation {installation}");
    (StatusCode::OK, Json(json!([{"number": 1, "title": title, "state": "open"}])))
}
