//! What the auth layer costs: the time per call with each kind of credential
//! against a fixed `Authorization` header, and how 1,000 concurrent calls on
//! an expired OAuth 2.0 token fare (wall time, token requests caused).
//!
//! `cargo bench --bench auth` prints Markdown rows for BENCHMARKS.md. It
//! starts an in-process API on 127.0.0.1 and the test OAuth provider
//! (`bash scripts/test.sh` installs it).

use axum::Router;
use axum::routing::get;
use polvo::auth::TokenSet;
use std::time::{Duration, Instant};

polvo::service!("tests/specs/auth/contacts.yaml");
polvo::service!("tests/specs/auth/service.yaml", name = "machines");
polvo::service!("tests/specs/auth/app.yaml");

const ROUNDS: usize = 5;
const CALLS_PER_ROUND: usize = 2_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let api = serve().await?;
    let fixed = contacts::Client::builder().base_url(&api).header("Authorization", "Bearer fixed-token").build()?;
    let bearer =
        contacts::Client::builder().base_url(&api).credential(contacts::auth::private_apps("pat-token")).build()?;
    let api_key =
        contacts::Client::builder().base_url(&api).credential(contacts::auth::developer_hapikey("key")).build()?;
    let oauth = contacts::Client::builder()
        .base_url(&api)
        .credential(contacts::auth::oauth2("id").client_secret("s").tokens(TokenSet::new("cached-access-token")))
        .build()?;
    let jwt = apps::Client::builder()
        .base_url(&api)
        .credential(apps::auth::app_jwt(include_str!("../tests/fixtures/keys/rsa.pem")).claim("iss", 1))
        .build()?;

    // Interleaved rounds, so that drift in the machine's load hits every variant alike.
    let mut totals = [Duration::ZERO; 5];
    for _ in 0..ROUNDS {
        totals[0] += timed(|| fixed.health().send()).await;
        totals[1] += timed(|| bearer.contacts().list_contacts().send()).await;
        totals[2] += timed(|| api_key.legacy().send()).await;
        totals[3] += timed(|| oauth.contacts().list_contacts().send()).await;
        totals[4] += timed(|| jwt.get_app().send()).await;
    }
    let per_call = |d: Duration| d.as_secs_f64() * 1e6 / (ROUNDS * CALLS_PER_ROUND) as f64;
    let base = per_call(totals[0]);
    println!("| credential | µs per call | vs. a fixed header |");
    println!("|---|---|---|");
    for (name, total) in [
        ("fixed `Authorization` header (no auth layer)", totals[0]),
        ("bearer token (`private_apps`)", totals[1]),
        ("API key in the query (`hapikey`)", totals[2]),
        ("OAuth 2.0, cached access token", totals[3]),
        ("JWT signed by the client (RS256), cached", totals[4]),
    ] {
        let us = per_call(total);
        println!("| {name} | {us:.1} | {:+.1} µs |", us - base);
    }

    // 1,000 concurrent calls when the token has just expired.
    let provider = polvo_suite::servers::start_oidc(&[("OIDC_ACCESS_TOKEN_TTL", "2")])?;
    let machines = machines::Client::builder()
        .base_url(&api)
        .refresh_skew(Duration::ZERO)
        .credential(
            machines::auth::service("polvo-service")
                .client_secret("service-secret")
                .token_url(provider.url_for("/token")),
        )
        .build()?;
    machines.list_jobs().send().await?;
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    polvo::reqwest::Client::new().post(provider.url_for("/__test/reset")).send().await?;
    let start = Instant::now();
    let calls: Vec<_> = (0..1_000).map(|_| tokio::spawn(machines.list_jobs().send())).collect();
    let mut failed = 0;
    for call in calls {
        if !matches!(call.await, Ok(Ok(_))) {
            failed += 1;
        }
    }
    let elapsed = start.elapsed();
    let stats: serde_json::Value = polvo::reqwest::get(provider.url_for("/__test/stats")).await?.json().await?;
    println!();
    println!("| 1,000 concurrent calls on an expired token | value |");
    println!("|---|---|");
    println!("| wall time, token request included | {:.0} ms |", elapsed.as_secs_f64() * 1e3);
    println!("| token requests at the provider | {} |", stats["token_requests"]);
    println!("| failed calls | {failed} |");
    Ok(())
}

async fn timed<F, Fut, T, E>(call: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    let start = Instant::now();
    for _ in 0..CALLS_PER_ROUND {
        if let Err(e) = call().await {
            panic!("a benchmark call failed: {e:?}");
        }
    }
    start.elapsed()
}

/// An API that answers every call at once.
async fn serve() -> std::io::Result<String> {
    let app = Router::new()
        .route("/health", get(|| async { "" }))
        .route("/legacy", get(|| async { "" }))
        .route("/app", get(|| async { "" }))
        .route("/jobs", get(|| async { axum::Json(serde_json::json!([])) }))
        .route("/contacts", get(|| async { axum::Json(serde_json::json!({"results": []})) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}
