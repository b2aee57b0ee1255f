//! A fleet of processes sharing tokens through `RedisStore` (the `redis`
//! feature) on a real `redis-server` started by the test: one refresh for
//! the whole fleet, a lock holder killed mid-refresh, Redis going away and
//! coming back, late writers, and encrypted records. Workers are this test
//! binary run again for an ignored test, configured through the environment.

mod fleet;

use polvo::Error;
use polvo::auth::{AuthError, EncryptedStore, EncryptionKey, Keyring, RedisStore, TokenKey, TokenSet, TokenStore};
use polvo::secrecy::{ExposeSecret, SecretString};
use polvo_suite::servers::{NodeServer, RedisServer, redis_version, start_oidc, start_redis};
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/auth/contacts.yaml");

const REDIRECT: &str = "http://127.0.0.1:8765/callback";

fn redis() -> RedisServer {
    let server = start_redis().expect("redis-server starts (run `bash scripts/test.sh` to install it)");
    eprintln!("using {}", redis_version().unwrap());
    server
}

async fn api() -> MockServer {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&api)
        .await;
    api
}

/// A namespace of its own for each test, so tests never share keys.
fn namespace(test: &str) -> String {
    format!("{test}-{}", std::process::id())
}

fn default_key() -> TokenKey {
    TokenKey::new("contacts", "oauth2", "default")
}

fn keys_text() -> String {
    let k1 = EncryptionKey::new("fleet-1", [42; 32]).unwrap();
    format!("fleet-1:{}", k1.to_base64().expose_secret())
}

/// The store a fleet member uses: Redis, encrypted with the keys in `keys`.
async fn fleet_store(url: &str, namespace: &str, keys: &str) -> EncryptedStore<RedisStore> {
    let redis = RedisStore::connect(url).await.unwrap().namespace(namespace).lease(Duration::from_secs(2));
    EncryptedStore::new(redis, Keyring::parse(keys).unwrap())
}

fn http() -> polvo::reqwest::Client {
    polvo::reqwest::Client::builder().redirect(polvo::reqwest::redirect::Policy::none()).build().unwrap()
}

async fn stats(oidc: &str) -> Value {
    http().get(format!("{oidc}/__test/stats")).send().await.unwrap().json().await.unwrap()
}

fn web_client(oidc: &str, api: &str) -> polvo::ClientBuilder<contacts::Client> {
    contacts::Client::builder().base_url(api).credential(
        contacts::auth::oauth2("polvo-web")
            .client_secret("web-secret")
            .redirect_uri(REDIRECT)
            .authorization_url(format!("{oidc}/auth"))
            .token_url(format!("{oidc}/token")),
    )
}

/// Logs `client` in at the test provider (it approves at once).
async fn log_in(client: &contacts::Client) {
    let login = client.auth_url(&[]).expect("a login URL");
    let response = http().get(login.url()).send().await.unwrap();
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let get = |k: &str| location.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned()).unwrap();
    client.fetch_access_token(&get("code"), &get("state")).await.expect("tokens");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_of_250_calls_on_an_expired_token_make_one_token_request() {
    let redis = redis();
    let oidc: NodeServer = start_oidc(&[("OIDC_ACCESS_TOKEN_TTL", "600")]).expect("the OIDC provider starts");
    let api = api().await;
    let ns = namespace("fleet");
    let store = fleet_store(&redis.url, &ns, &keys_text()).await;
    let client = web_client(&oidc.url, &api.uri())
        .token_store(fleet_store(&redis.url, &ns, &keys_text()).await)
        .build()
        .unwrap();
    log_in(&client).await;
    // The stored access token expires; its (rotating) refresh token is good.
    let mut tokens = store.load(&default_key()).await.unwrap().expect("stored by the login");
    tokens.expires_at = Some(UNIX_EPOCH + Duration::from_secs(1));
    store.save(&default_key(), &tokens).await.unwrap();
    http().post(format!("{}/__test/reset", oidc.url)).send().await.unwrap();

    let dir = std::env::temp_dir().join(format!("polvo-fleet-redis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env = [
        ("FLEET_REDIS", redis.url.clone()),
        ("FLEET_NAMESPACE", ns.clone()),
        ("FLEET_KEYS", keys_text()),
        ("FLEET_OIDC", oidc.url.clone()),
        ("FLEET_API", api.uri()),
        ("FLEET_CALLS", "250".to_owned()),
    ];
    let workers = fleet::Workers::spawn("redis_worker", 4, &env, &dir.join("go"));
    // Every worker is up and waiting before the clock starts.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    workers.go();
    let results = tokio::task::spawn_blocking(move || workers.wait()).await.unwrap();
    eprintln!("fleet refresh, 4 processes x 250 calls: {:?} (worker start-up excluded)", started.elapsed());
    let mut successes = 0;
    for (ok, stdout) in &results {
        assert!(ok, "a worker failed:\n{stdout}");
        successes += fleet::successes(stdout);
    }
    assert_eq!(successes, 1000);
    let stats = stats(&oidc.url).await;
    assert_eq!(stats["token_requests"], 1, "exactly one token request for the fleet: {stats}");
    assert_eq!(stats["by_grant"]["refresh_token"], 1, "{stats}");
    let after = store.load(&default_key()).await.unwrap().expect("the refreshed tokens");
    assert!(after.is_fresh(Duration::ZERO) && !after.same_access_token(&tokens));
    let _ = std::fs::remove_dir_all(&dir);
}

/// One worker process of the fleet tests: `FLEET_CALLS` concurrent calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by the fleet tests"]
async fn redis_worker() {
    if !fleet::is_worker() {
        return;
    }
    let mut redis =
        RedisStore::connect(&fleet::env("FLEET_REDIS")).await.unwrap().namespace(fleet::env("FLEET_NAMESPACE"));
    if let Ok(ms) = std::env::var("FLEET_LEASE_MS") {
        redis = redis.lease(Duration::from_millis(ms.parse().unwrap()));
    }
    let store = EncryptedStore::new(redis, Keyring::from_env("FLEET_KEYS").unwrap());
    let builder = match std::env::var("FLEET_OIDC") {
        Ok(oidc) => web_client(&oidc, &fleet::env("FLEET_API")),
        Err(_) => contacts::Client::builder().base_url(fleet::env("FLEET_API")).credential(
            contacts::auth::oauth2("fleet").client_secret("secret").token_url(fleet::env("FLEET_TOKEN_URL")),
        ),
    };
    let client = builder.token_store(store).build().unwrap();
    fleet::wait_for_go().await;
    let calls: usize = fleet::env("FLEET_CALLS").parse().unwrap();
    fleet::run_calls(calls, || {
        let client = client.clone();
        async move { client.contacts().list_contacts().send().await.map(drop) }
    })
    .await;
}

fn expired_tokens(refresh: &str) -> TokenSet {
    let mut tokens = TokenSet::new("expired-access");
    tokens.refresh_token = Some(SecretString::from(refresh.to_owned()));
    tokens.expires_at = Some(UNIX_EPOCH + Duration::from_secs(1));
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_holder_killed_mid_refresh_is_replaced_after_its_lease() {
    let redis = redis();
    let ns = namespace("killed");
    fleet_store(&redis.url, &ns, &keys_text()).await.save(&default_key(), &expired_tokens("refresh-0")).await.unwrap();
    // The first refresh hangs until its client goes away; later ones answer.
    let endpoint = fleet::TokenEndpoint::start("refresh-0", Duration::from_secs(600)).await;
    let api = api().await;
    let dir = std::env::temp_dir().join(format!("polvo-fleet-killed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env = [
        ("FLEET_REDIS", redis.url.clone()),
        ("FLEET_NAMESPACE", ns.clone()),
        ("FLEET_KEYS", keys_text()),
        ("FLEET_TOKEN_URL", endpoint.url.clone()),
        ("FLEET_API", api.uri()),
        ("FLEET_CALLS", "20".to_owned()),
        ("FLEET_LEASE_MS", "1500".to_owned()),
    ];
    let mut holder = fleet::Workers::spawn("redis_worker", 1, &env, &dir.join("go-1"));
    holder.go();
    while endpoint.requests() == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Mid-refresh: the lease is held, the token request unanswered.
    holder.children()[0].kill().expect("SIGKILL");
    let lease_left = redis_command(&redis, &["PTTL", &format!("{ns}:lock:contacts:oauth2:default")]).await;
    assert!(
        matches!(lease_left, redis::Value::Int(ms) if ms > 0),
        "the dead holder's lease is still there: {lease_left:?}"
    );
    assert!(!holder.wait()[0].0);

    let others = fleet::Workers::spawn("redis_worker", 2, &env, &dir.join("go-2"));
    others.go();
    let results = tokio::task::spawn_blocking(move || others.wait()).await.unwrap();
    for (ok, stdout) in &results {
        assert!(ok, "a worker failed:\n{stdout}");
        assert_eq!(fleet::successes(stdout), 20);
    }
    assert_eq!(endpoint.requests(), 2, "the dead holder's request and one more");
    assert_eq!(endpoint.invalid_grants(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs one Redis command on `server`.
async fn redis_command(server: &RedisServer, args: &[&str]) -> redis::Value {
    let client = redis::Client::open(server.url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let mut command = redis::cmd(args[0]);
    for arg in &args[1..] {
        command.arg(*arg);
    }
    command.query_async(&mut connection).await.unwrap()
}

fn fresh_tokens(access: &str, refresh: &str) -> TokenSet {
    let mut tokens = TokenSet::new(access);
    tokens.refresh_token = Some(SecretString::from(refresh.to_owned()));
    tokens.expires_at = Some(SystemTime::now() + Duration::from_secs(3600));
    tokens
}

fn store_error<T: std::fmt::Debug, E: std::fmt::Debug>(result: Result<T, Error<E>>) -> String {
    match result {
        Err(Error::Auth(AuthError::Store(message))) => message,
        other => panic!("expected a store error, got {other:?}"),
    }
}

#[tokio::test]
async fn redis_stopped_and_restarted_mid_run_gives_clear_errors_then_recovers() {
    let mut redis = redis();
    let ns = namespace("restart");
    let store = RedisStore::connect_with_timeout(&redis.url, Duration::from_millis(500)).await.unwrap().namespace(&ns);
    let endpoint = fleet::TokenEndpoint::start("refresh-0", Duration::ZERO).await;
    let api = api().await;
    let client = contacts::Client::builder()
        .base_url(api.uri())
        .credential(contacts::auth::oauth2("fleet").client_secret("secret").token_url(&endpoint.url))
        .token_store(store.clone())
        .build()
        .unwrap();
    let other = TokenKey::new("contacts", "oauth2", "other");
    store.save(&default_key(), &fresh_tokens("a-default", "refresh-0")).await.unwrap();
    store.save(&other, &fresh_tokens("a-other", "r-other")).await.unwrap();
    client.contacts().list_contacts().send().await.expect("tokens from Redis");

    redis.stop();
    // A tenant whose tokens are not held in this process needs Redis.
    let err = store_error(client.for_tenant("other").contacts().list_contacts().send().await);
    assert!(
        err.contains(&format!("redis at 127.0.0.1:{}", redis.port)) && err.contains("contacts/oauth2/other"),
        "{err}"
    );
    // Tokens held in the process keep working.
    client.contacts().list_contacts().send().await.expect("the cached token needs no Redis");

    redis.restart().unwrap();
    // The restarted Redis lost its data: the tenant must log in again, once, no loop.
    let mut lost = None;
    for _ in 0..50 {
        match client.for_tenant("other").contacts().list_contacts().send().await {
            Err(Error::Auth(AuthError::Store(_))) => tokio::time::sleep(Duration::from_millis(100)).await,
            other => {
                lost = Some(other);
                break;
            }
        }
    }
    assert!(matches!(lost, Some(Err(Error::Auth(AuthError::NotAuthorized { .. })))), "{lost:?}");
    store.save(&other, &fresh_tokens("a-other-2", "r-other-2")).await.expect("Redis is back");
    client.for_tenant("other").contacts().list_contacts().send().await.expect("success after Redis returned");
    assert_eq!(endpoint.requests(), 0);
}

#[tokio::test]
async fn a_late_writer_never_overwrites_newer_tokens() {
    let redis = redis();
    let ns = namespace("late");
    let connect =
        || async { RedisStore::connect(&redis.url).await.unwrap().namespace(&ns).lease(Duration::from_millis(300)) };
    let (slow, fast) = (connect().await, connect().await);
    let key = default_key();
    slow.save(&key, &fresh_tokens("a0", "r0")).await.unwrap();

    let slow_lease = slow.lock(&key).await.unwrap();
    slow.load(&key).await.unwrap();
    // The slow holder stalls: its lease is gone (as if it had run out).
    redis_command(&redis, &["DEL", &slow.lock_key(&key)]).await;
    let fast_lease = fast.lock(&key).await.expect("the lease is free again");
    fast.load(&key).await.unwrap();
    fast.save(&key, &fresh_tokens("a-fast", "r-fast")).await.unwrap();
    drop(fast_lease);

    let err = slow.save(&key, &fresh_tokens("a-slow", "r-slow")).await.unwrap_err().to_string();
    assert!(err.contains("newer tokens for contacts/oauth2/default (generation 2)"), "{err}");
    drop(slow_lease);
    let stored = fast.load(&key).await.unwrap().unwrap();
    assert_eq!(stored.access_token.expose_secret(), "a-fast");
    // A save without a lease always writes, and so does one under a lease
    // that read nothing (a login stores its tokens that way).
    slow.save(&key, &fresh_tokens("a-set", "r-set")).await.unwrap();
    assert_eq!(fast.load(&key).await.unwrap().unwrap().access_token.expose_secret(), "a-set");
    let login_lease = slow.lock(&key).await.unwrap();
    slow.save(&key, &fresh_tokens("a-login", "r-login")).await.expect("a login under the lease is saved");
    drop(login_lease);
    assert_eq!(fast.load(&key).await.unwrap().unwrap().access_token.expose_secret(), "a-login");
}

#[tokio::test]
async fn records_expire_after_the_refresh_tokens_life_and_leases_are_released() {
    let redis = redis();
    let ns = namespace("ttl");
    let store =
        RedisStore::connect(&redis.url).await.unwrap().namespace(&ns).refresh_token_lifetime(Duration::from_secs(3600));
    let key = default_key();
    store.save(&key, &fresh_tokens("a", "r")).await.unwrap();
    let ttl = redis_command(&redis, &["PTTL", &store.record_key(&key)]).await;
    assert!(matches!(ttl, redis::Value::Int(ms) if ms > 3_600_000 && ms <= 3_900_000), "{ttl:?}");
    drop(store.lock(&key).await.unwrap());
    for _ in 0..100 {
        if redis_command(&redis, &["EXISTS", &store.lock_key(&key)]).await == redis::Value::Int(0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the released lease was not deleted");
}

#[tokio::test]
async fn a_tampered_encrypted_record_in_redis_is_an_error_naming_the_key_and_nothing_is_sent() {
    let redis = redis();
    let ns = namespace("tamper");
    let endpoint = fleet::TokenEndpoint::start("refresh-0", Duration::ZERO).await;
    let api = api().await;
    let store = fleet_store(&redis.url, &ns, &keys_text()).await;
    store.save(&default_key(), &expired_tokens("refresh-0")).await.unwrap();
    let record_key = store.inner().record_key(&default_key());
    let redis::Value::BulkString(bytes) = redis_command(&redis, &["HGET", &record_key, "tokens"]).await else {
        panic!("no record")
    };
    let mut record = String::from_utf8(bytes).unwrap();
    let at = record.rfind('"').unwrap() - 4;
    let flipped = if &record[at..=at] == "A" { "B" } else { "A" };
    record.replace_range(at..=at, flipped);
    redis_command(&redis, &["HSET", &record_key, "tokens", &record]).await;

    let client = contacts::Client::builder()
        .base_url(api.uri())
        .credential(contacts::auth::oauth2("fleet").client_secret("secret").token_url(&endpoint.url))
        .token_store(fleet_store(&redis.url, &ns, &keys_text()).await)
        .build()
        .unwrap();
    let err = store_error(client.contacts().list_contacts().send().await);
    assert!(err.contains("contacts/oauth2/default") && err.contains("`fleet-1`"), "{err}");
    assert_eq!(endpoint.requests(), 0, "nothing sent to the token endpoint");
    assert!(api.received_requests().await.unwrap().is_empty(), "nothing sent to the API");
}

#[tokio::test]
async fn records_in_redis_written_before_a_key_rotation_still_read() {
    let redis = redis();
    let ns = namespace("rotation");
    let old = EncryptionKey::new("old", [1; 32]).unwrap().to_base64();
    let new = EncryptionKey::new("new", [2; 32]).unwrap().to_base64();
    let before = fleet_store(&redis.url, &ns, &format!("old:{}", old.expose_secret())).await;
    before.save(&default_key(), &fresh_tokens("a-old", "r")).await.unwrap();
    let rotated = format!("new:{},old:{}", new.expose_secret(), old.expose_secret());
    let after = fleet_store(&redis.url, &ns, &rotated).await;
    let loaded = after.load(&default_key()).await.unwrap().expect("readable after rotation");
    assert_eq!(loaded.access_token.expose_secret(), "a-old");
    after.save(&default_key(), &loaded).await.unwrap();
    let record_key = after.inner().record_key(&default_key());
    let redis::Value::BulkString(bytes) = redis_command(&redis, &["HGET", &record_key, "tokens"]).await else {
        panic!("no record")
    };
    assert!(String::from_utf8(bytes).unwrap().contains("polvo-sealed-v1.new."), "rewritten with the new key");
}

/// Commands Redis ran since its statistics were last reset, but for
/// `INFO` and `CONFIG` (the test's own).
async fn commands_run(redis: &RedisServer) -> u64 {
    let redis::Value::BulkString(bytes) = redis_command(redis, &["INFO", "commandstats"]).await else {
        panic!("INFO answers text")
    };
    String::from_utf8(bytes)
        .unwrap()
        .lines()
        .filter(|line| line.starts_with("cmdstat_"))
        .filter(|line| !line.starts_with("cmdstat_info") && !line.starts_with("cmdstat_config"))
        .filter_map(|line| line.split("calls=").nth(1)?.split(',').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test]
async fn a_fresh_token_costs_one_redis_round_trip_when_not_held_and_none_when_held() {
    let redis = redis();
    let ns = namespace("round-trips");
    let store = RedisStore::connect(&redis.url).await.unwrap().namespace(&ns);
    let tenants: Vec<String> = (0..20).map(|i| format!("tenant-{i}")).collect();
    for tenant in &tenants {
        store.save(&TokenKey::new("contacts", "oauth2", tenant.as_str()), &fresh_tokens("a", "r")).await.unwrap();
    }
    let api = api().await;
    let builder = || {
        contacts::Client::builder()
            .base_url(api.uri())
            .credential(contacts::auth::oauth2("fleet").client_secret("secret").token_url("http://127.0.0.1:1/token"))
            .token_store(store.clone())
    };
    let round_robin = |client: contacts::Client| {
        let tenants = tenants.clone();
        async move {
            for _ in 0..2 {
                for tenant in &tenants {
                    client.for_tenant(tenant).contacts().list_contacts().send().await.expect("a stored token");
                }
            }
        }
    };
    redis_command(&redis, &["CONFIG", "RESETSTAT"]).await;
    round_robin(builder().build().unwrap()).await;
    assert_eq!(commands_run(&redis).await, 20, "one HMGET per tenant, then none while held");
    // A cache smaller than the tenants in use evicts them: one round trip per call, no more.
    redis_command(&redis, &["CONFIG", "RESETSTAT"]).await;
    round_robin(builder().token_cache_capacity(8).build().unwrap()).await;
    assert_eq!(commands_run(&redis).await, 40);
}
