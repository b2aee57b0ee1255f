//! What a shared token store costs per call: p50/p99 latency and calls per
//! second with `MemoryStore` and `RedisStore` on a fresh token (held in the
//! process), and with `RedisStore` when the token is not held (a cache of
//! one tenant, two tenants taking turns: one `HMGET` per call).
//!
//! `cargo bench --bench stores` prints Markdown rows for BENCHMARKS.md. It
//! starts an in-process API and a `redis-server` on 127.0.0.1
//! (`bash scripts/test.sh` installs it).

use axum::Router;
use axum::routing::get;
use polvo::auth::{MemoryStore, RedisStore, TokenKey, TokenSet, TokenStore};
use polvo_suite::servers::{redis_version, start_redis};
use std::time::{Duration, Instant, SystemTime};

polvo::service!("tests/specs/auth/contacts.yaml");

const CALLS: usize = 5_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let redis = start_redis()?;
    let api = serve().await?;
    let redis_store = RedisStore::connect(&redis.url).await?.namespace("bench");
    let memory = MemoryStore::new();
    let mut tokens = TokenSet::new("access");
    tokens.expires_at = Some(SystemTime::now() + Duration::from_secs(3600));
    for tenant in ["default", "a", "b"] {
        let key = TokenKey::new("contacts", "oauth2", tenant);
        redis_store.save(&key, &tokens).await?;
        memory.save(&key, &tokens).await?;
    }
    let builder = || {
        contacts::Client::builder()
            .base_url(&api)
            .credential(contacts::auth::oauth2("id").client_secret("s").token_url(format!("{api}/token")))
    };
    let memory_client = builder().token_store(memory).build()?;
    let redis_client = builder().token_store(redis_store.clone()).build()?;
    let uncached_client = builder().token_store(redis_store).token_cache_capacity(1).build()?;

    println!("{} on 127.0.0.1, {CALLS} sequential calls each", redis_version()?);
    println!("| store | p50 | p99 | calls/s |");
    println!("| --- | --- | --- | --- |");
    let held = |_| memory_client.contacts().list_contacts().send();
    report("MemoryStore, fresh token", measure(held).await);
    let held = |_| redis_client.contacts().list_contacts().send();
    report("RedisStore, fresh token held in the process", measure(held).await);
    let tenants = ["a", "b"];
    let not_held = |i: usize| uncached_client.for_tenant(tenants[i % 2]).contacts().list_contacts().send();
    report("RedisStore, fresh token not held (one HMGET per call)", measure(not_held).await);
    Ok(())
}

/// Each call's duration, sorted, and the whole run's.
async fn measure<F, Fut, T, E>(call: F) -> (Vec<Duration>, Duration)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    let mut each = Vec::with_capacity(CALLS);
    let start = Instant::now();
    for i in 0..CALLS {
        let begun = Instant::now();
        if let Err(e) = call(i).await {
            panic!("a benchmark call failed: {e:?}");
        }
        each.push(begun.elapsed());
    }
    let total = start.elapsed();
    each.sort_unstable();
    (each, total)
}

fn report(name: &str, (each, total): (Vec<Duration>, Duration)) {
    let at = |q: f64| each[((each.len() as f64 * q) as usize).min(each.len() - 1)].as_secs_f64() * 1e6;
    let rate = each.len() as f64 / total.as_secs_f64();
    println!("| {name} | {:.0} µs | {:.0} µs | {rate:.0} |", at(0.5), at(0.99));
}

/// An API that answers every call at once.
async fn serve() -> std::io::Result<String> {
    let app = Router::new().route("/contacts", get(|| async { axum::Json(serde_json::json!({"results": []})) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}
