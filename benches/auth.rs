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

const ROUNDS: usize = 9;
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

    // Interleaved rounds, so that drift in the machine's load hits every
    // variant alike; the median round is reported. Every call gets the same
    // small empty 200 answer, so the differences are the auth layer's.
    // The same call made with reqwest by hand: the floor the runtime is measured against.
    let raw = polvo::reqwest::Client::builder().build()?;
    let raw_url = format!("{api}/contacts");
    let mut rounds: Vec<[f64; 6]> = Vec::new();
    for _ in 0..ROUNDS {
        rounds.push([
            timed(|| fixed.health().send()).await,
            timed(|| bearer.contacts().list_contacts().send()).await,
            timed(|| api_key.legacy().send()).await,
            timed(|| oauth.contacts().list_contacts().send()).await,
            timed(|| jwt.get_app().send()).await,
            timed(|| raw_call(&raw, &raw_url)).await,
        ]);
    }
    // The auth layer alone: the credentials an operation needs, put on an
    // empty request, with no network in the way.
    use polvo::__private::Service;
    let layers: [(&str, &polvo::__private::ClientCore, polvo::__private::Security); 5] = [
        ("none needed (`security: []`)", bearer.core(), &[]),
        ("bearer token", bearer.core(), &[&["private_apps"]]),
        ("API key in the query", api_key.core(), &[&["developer_hapikey"]]),
        ("OAuth 2.0, cached access token", oauth.core(), &[&["oauth2"]]),
        ("JWT signed by the client (RS256), cached", jwt.core(), &[&["app_jwt"]]),
    ];
    println!("| credentials | ns per request |");
    println!("|---|---|");
    let fixed_header = {
        const N: u32 = 200_000;
        let start = Instant::now();
        for _ in 0..N {
            let mut headers = polvo::HeaderMap::new();
            headers.insert("authorization", polvo::reqwest::header::HeaderValue::from_static("Bearer fixed-token"));
            std::hint::black_box(headers);
        }
        start.elapsed().as_nanos() as f64 / f64::from(N)
    };
    println!("| a fixed `Authorization` header inserted by hand | {fixed_header:.0} |");
    for (name, core, security) in layers {
        const N: u32 = 200_000;
        let start = Instant::now();
        for _ in 0..N {
            std::hint::black_box(polvo::__private::apply_credentials(core, security).await?);
        }
        println!("| {name} | {:.0} |", start.elapsed().as_nanos() as f64 / f64::from(N));
    }
    println!();

    let median = |i: usize| {
        let mut values: Vec<f64> = rounds.iter().map(|r| r[i]).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let base = median(0);
    println!("| credential | µs per call (median of {ROUNDS} rounds of {CALLS_PER_ROUND}) | vs. a fixed header |");
    println!("|---|---|---|");
    for (i, name) in [
        "fixed `Authorization` header (no auth layer)",
        "bearer token (`private_apps`)",
        "API key in the query (`hapikey`)",
        "OAuth 2.0, cached access token",
        "JWT signed by the client (RS256), cached",
    ]
    .iter()
    .enumerate()
    {
        let us = median(i);
        println!("| {name} | {us:.1} | {:+.1} µs |", us - base);
    }
    let raw_us = median(5);
    println!("| raw reqwest, bearer header by hand, body read | {raw_us:.1} | {:+.1} µs |", raw_us - base);
    println!();
    println!("polvo bearer call / raw reqwest call: {:.3}×", median(1) / raw_us);
    // The memory a call's future holds while it runs.
    let polvo_future = std::mem::size_of_val(&bearer.contacts().list_contacts().send());
    let raw_future = std::mem::size_of_val(&raw_call(&raw, &raw_url));
    println!("call future: polvo {polvo_future} bytes, raw reqwest {raw_future} bytes");

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

/// One call as a user would write it with reqwest alone: a bearer header,
/// the status checked, the body read.
async fn raw_call(client: &polvo::reqwest::Client, url: &str) -> Result<polvo::Bytes, polvo::reqwest::Error> {
    let response = client.get(url).bearer_auth("pat-token").header("accept", "application/json").send().await?;
    response.error_for_status()?.bytes().await
}

/// Mean microseconds per call over one round.
async fn timed<F, Fut, T, E>(call: F) -> f64
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
    start.elapsed().as_secs_f64() * 1e6 / CALLS_PER_ROUND as f64
}

/// An API that answers every call at once.
async fn serve() -> std::io::Result<String> {
    let app = Router::new()
        .route("/health", get(|| async { "" }))
        .route("/legacy", get(|| async { "" }))
        .route("/app", get(|| async { "" }))
        .route("/jobs", get(|| async { axum::Json(serde_json::json!([])) }))
        .route("/contacts", get(|| async { "{}" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}
