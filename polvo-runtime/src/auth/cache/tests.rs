use super::*;
use crate::auth::store::MemoryStore;
use secrecy::ExposeSecret;
use std::sync::atomic::AtomicUsize;

fn expired(token: &str) -> TokenSet {
    let mut t = TokenSet::new(token);
    t.expires_at = Some(SystemTime::UNIX_EPOCH);
    t.refresh_token = Some(secrecy::SecretString::from("refresh-1".to_owned()));
    t
}

fn lasting(token: &str, seconds: u64) -> TokenSet {
    let mut t = TokenSet::new(token);
    t.expires_at = Some(SystemTime::now() + Duration::from_secs(seconds));
    t
}

fn memory() -> Arc<dyn TokenStore> {
    Arc::new(MemoryStore::new())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_refresh() {
    let cache = Arc::new(TokenCache::new(Duration::ZERO));
    let store = memory();
    let key = TokenKey::new("svc", "oauth2", "default");
    cache.put("default", expired("old"), Arrival::Fetched);
    let calls = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (cache, store, key, calls) = (cache.clone(), store.clone(), key.clone(), calls.clone());
        tasks.push(tokio::spawn(async move {
            cache
                .get(&key, &store, move |previous| {
                    Box::pin(async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        assert!(previous.is_some_and(|p| p.refresh_token.is_some()));
                        Ok(lasting("new", 60))
                    })
                })
                .await
        }));
    }
    for task in tasks {
        let token = task.await.unwrap().expect("every call gets a token");
        assert_eq!(token.access_token.expose_secret(), "new");
        let refresh = token.refresh_token.as_ref().map(|r| r.expose_secret().to_owned());
        assert_eq!(refresh.as_deref(), Some("refresh-1"), "the refresh token is kept when none comes back");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let stored = store.load(&key).await.unwrap().expect("saved");
    assert_eq!(stored.access_token.expose_secret(), "new");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_refresh_token_is_tried_once() {
    let cache = Arc::new(TokenCache::new(Duration::ZERO));
    let store = memory();
    let key = TokenKey::new("svc", "oauth2", "default");
    cache.put("default", expired("old"), Arrival::Fetched);
    let calls = Arc::new(AtomicUsize::new(0));
    let dead = || AuthError::ReauthorizationRequired {
        scheme: "oauth2".into(),
        tenant: "default".into(),
        reason: "invalid_grant".into(),
    };
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (cache, store, key, calls) = (cache.clone(), store.clone(), key.clone(), calls.clone());
        tasks.push(tokio::spawn(async move {
            cache
                .get(&key, &store, move |_| {
                    Box::pin(async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Err(dead())
                    })
                })
                .await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap_err(), dead());
    }
    // Later calls fail at once, without asking again.
    let again = cache.get(&key, &store, |_| Box::pin(async { panic!("must not refresh again") })).await;
    assert_eq!(again.unwrap_err(), dead());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // New tokens (a new login) clear the failure.
    cache.put("default", lasting("after-login", 60), Arrival::Fetched);
    assert_eq!(cache.fresh("default").unwrap().access_token.expose_secret(), "after-login");
}

#[tokio::test]
async fn a_refresh_finishes_and_is_saved_after_its_caller_gives_up() {
    let cache = Arc::new(TokenCache::new(Duration::ZERO));
    let store = memory();
    let key = TokenKey::new("svc", "oauth2", "t");
    let (finished_tx, finished_rx) = tokio::sync::oneshot::channel();
    let waiting = cache.get(&key, &store, move |_| {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let _ = finished_tx.send(());
            Ok(lasting("rotated", 60))
        })
    });
    assert!(tokio::time::timeout(Duration::from_millis(50), waiting).await.is_err(), "the caller gave up");
    finished_rx.await.expect("the refresh ran on without its caller");
    // Saving follows at once, still inside the refresh's task.
    cache.settled("t").await;
    assert_eq!(store.load(&key).await.unwrap().expect("saved").access_token.expose_secret(), "rotated");
    assert_eq!(cache.fresh("t").expect("cached").access_token.expose_secret(), "rotated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_refresh_is_an_error_for_every_waiter_and_the_next_call_tries_again() {
    let cache = Arc::new(TokenCache::new(Duration::ZERO));
    let store = memory();
    let key = TokenKey::new("svc", "oauth2", "t");
    let waiters: Vec<_> = (0..5)
        .map(|_| {
            let (cache, store, key) = (cache.clone(), store.clone(), key.clone());
            tokio::spawn(async move {
                cache
                    .get(&key, &store, |_| {
                        Box::pin(async {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            panic!("a bug in a refresh")
                        })
                    })
                    .await
            })
        })
        .collect();
    for waiter in waiters {
        match waiter.await.unwrap() {
            Err(AuthError::RefreshInterrupted { scheme, tenant, reason }) => {
                assert_eq!((scheme.as_str(), tenant.as_str(), reason.as_str()), ("oauth2", "t", "it panicked"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let next = cache.get(&key, &store, |_| Box::pin(async { Ok(lasting("after", 60)) })).await;
    assert_eq!(next.unwrap().access_token.expose_secret(), "after");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_shorter_lived_than_the_skew_is_fetched_once_for_all_waiters() {
    // 30 s skew, 20 s token: renewed after 10 s, not at once.
    let cache = Arc::new(TokenCache::new(Duration::from_secs(30)));
    let store = memory();
    let key = TokenKey::new("svc", "oauth2", "t");
    let calls = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (cache, store, key, calls) = (cache.clone(), store.clone(), key.clone(), calls.clone());
            tokio::spawn(async move {
                cache
                    .get(&key, &store, move |_| {
                        Box::pin(async move {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok(lasting("short", 20))
                        })
                    })
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("a token");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(cache.fresh("t").is_some(), "used for half its life");
}

#[test]
fn the_skew_never_exceeds_half_a_tokens_life() {
    let now = SystemTime::now();
    let lives = |seconds: u64| {
        let mut t = TokenSet::new("t");
        t.expires_at = Some(now + Duration::from_secs(seconds));
        t
    };
    let skew = Duration::from_secs(30);
    assert_eq!(renew_at(&lives(3600), skew, now, Arrival::Fetched), Some(now + Duration::from_secs(3570)));
    assert_eq!(renew_at(&lives(20), skew, now, Arrival::Fetched), Some(now + Duration::from_secs(10)));
    assert_eq!(renew_at(&lives(60), skew, now, Arrival::Fetched), Some(now + Duration::from_secs(30)));
    assert_eq!(renew_at(&TokenSet::new("no expiry"), skew, now, Arrival::Fetched), None);
    // Tokens of unknown age (stored, configured) are renewed the full skew early.
    for seconds in [5, 60, 3600] {
        assert_eq!(
            fresh_on_arrival(&lives(seconds), skew, SystemTime::now(), Arrival::Loaded),
            lives(seconds).is_fresh(skew)
        );
    }
    assert_eq!(renew_at(&lives(20), skew, now, Arrival::Loaded), Some(now - Duration::from_secs(10)));
    assert_eq!(renew_at(&lives(3600), skew, now, Arrival::Loaded), Some(now + Duration::from_secs(3570)));
    // Expired on arrival, far in the past, or a skew past what the clock holds: no panic.
    let mut past = TokenSet::new("t");
    past.expires_at = SystemTime::UNIX_EPOCH.checked_sub(Duration::from_secs(1 << 40));
    assert_eq!(renew_at(&past, skew, now, Arrival::Fetched), past.expires_at);
    assert!(renew_at(&lives(20), Duration::MAX, now, Arrival::Fetched).is_some());
}

#[test]
fn idle_slots_are_evicted_and_slots_in_use_or_seeded_are_kept() {
    let cache = TokenCache::with_capacity(Duration::ZERO, 8);
    cache.seed("configured", lasting("seeded", 60));
    let held = cache.slot("busy");
    cache.put("regular", lasting("r", 60), Arrival::Fetched);
    for i in 0..100 {
        cache.put(&format!("tenant-{i}"), lasting("t", 60), Arrival::Fetched);
        assert!(cache.len() <= 8, "{} slots", cache.len());
        // A tenant whose cached token keeps being used counts as recently used.
        assert!(cache.fresh("regular").is_some(), "after {i}");
    }
    assert!(cache.fresh("configured").is_some(), "tokens from the configuration are never evicted");
    assert!(cache.existing_slot("busy").is_some_and(|s| Arc::ptr_eq(&s, &held)), "a slot in use is kept");
    assert!(cache.fresh("tenant-99").is_some(), "the most recent tenant is kept");
    assert!(cache.fresh("tenant-0").is_none(), "the least recently used tenant is evicted");
}

#[test]
fn without_a_tokio_runtime_the_refresh_runs_in_the_callers_future() {
    let cache = TokenCache::new(Duration::ZERO);
    let store = memory();
    let key = TokenKey::new("svc", "jwt", "t");
    let got = cache
        .get(&key, &store, |_| Box::pin(async { Ok(lasting("minted", 60)) }))
        .now_or_never()
        .expect("ready at once: nothing here waits")
        .expect("a token");
    assert_eq!(got.access_token.expose_secret(), "minted");
    assert_eq!(cache.fresh("t").unwrap().access_token.expose_secret(), "minted");
}

#[tokio::test]
async fn a_stored_or_configured_token_within_the_skew_is_refreshed() {
    // 30 s skew: a token loaded with 5 s left (after a restart, or given in
    // the configuration) is renewed, not used until 2.5 s before expiry.
    let cache = TokenCache::new(Duration::from_secs(30));
    let store = memory();
    let refreshed = |_| -> RefreshFuture { Box::pin(async { Ok(lasting("refreshed", 3600)) }) };
    let key = TokenKey::new("svc", "oauth2", "restarted");
    store.save(&key, &lasting("stored", 5)).await.unwrap();
    let got = cache.get(&key, &store, refreshed).await.expect("a token");
    assert_eq!(got.access_token.expose_secret(), "refreshed");
    cache.seed("configured", lasting("seeded", 5));
    let key = TokenKey::new("svc", "oauth2", "configured");
    let got = cache.get(&key, &store, refreshed).await.expect("a token");
    assert_eq!(got.access_token.expose_secret(), "refreshed");
}

#[test]
fn a_refresh_whose_runtime_shut_down_before_it_ran_does_not_block_the_tenant() {
    let cache = Arc::new(TokenCache::new(Duration::ZERO));
    let store = memory();
    let key = TokenKey::new("svc", "oauth2", "t");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        // Polled once: the refresh task is spawned, then the runtime ends
        // before it ever runs.
        let started = cache.get(&key, &store, |_| Box::pin(async { Ok(lasting("never", 60)) })).now_or_never();
        assert!(started.is_none(), "the refresh is under way");
    });
    drop(runtime);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for round in 0..2 {
        let got = runtime.block_on(cache.get(&key, &store, |_| Box::pin(async { Ok(lasting("later", 60)) })));
        assert_eq!(got.expect("a token").access_token.expose_secret(), "later", "round {round}");
        cache.expire("t", &lasting("later", 60));
    }
}

#[test]
fn a_refresh_spawned_on_a_runtime_that_already_shut_down_is_an_error_not_a_deadlock() {
    let cache = TokenCache::new(Duration::ZERO);
    let store = memory();
    let key = TokenKey::new("svc", "oauth2", "t");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let handle = runtime.handle().clone();
    drop(runtime);
    {
        let _inside = handle.enter();
        let call = cache.get(&key, &store, |_| Box::pin(async { Ok(lasting("never", 60)) }));
        match call.now_or_never().expect("nothing to wait for") {
            Err(AuthError::RefreshInterrupted { reason, .. }) => assert_eq!(reason, "its runtime shut down"),
            other => panic!("unexpected {other:?}"),
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let got = runtime.block_on(cache.get(&key, &store, |_| Box::pin(async { Ok(lasting("later", 60)) })));
    assert_eq!(got.expect("the tenant is not stuck").access_token.expose_secret(), "later");
}

#[test]
fn without_a_tokio_runtime_an_abandoned_refresh_does_not_keep_its_slot_alive() {
    let cache = TokenCache::with_capacity(Duration::ZERO, 4);
    let store = memory();
    let key = TokenKey::new("svc", "jwt", "abandoned");
    let abandoned = cache.get(&key, &store, |_| Box::pin(futures_util::future::pending())).now_or_never();
    assert!(abandoned.is_none(), "still under way when its caller went away");
    let slot = cache.existing_slot("abandoned").expect("kept for the next caller");
    assert!(lock(&slot.state).flight.is_some());
    assert_eq!(Arc::strong_count(&slot), 2, "held by the cache and this test only, not by its own refresh");
    let weak = Arc::downgrade(&slot);
    drop(slot);
    for i in 0..8 {
        cache.put(&format!("tenant-{i}"), lasting("t", 60), Arrival::Fetched);
    }
    assert!(cache.existing_slot("abandoned").is_none(), "evicted once idle");
    assert!(weak.upgrade().is_none(), "and freed with its refresh");
}

#[tokio::test]
async fn a_hundred_thousand_tenants_stay_within_the_capacity_and_evicted_ones_reload_from_the_store() {
    let capacity = 1_000;
    let cache = TokenCache::with_settings(CacheSettings { skew: Duration::ZERO, capacity });
    let store = memory();
    let refreshes = Arc::new(AtomicUsize::new(0));
    let get = |tenant: String| {
        let token = format!("token-{tenant}");
        let key = TokenKey::new("svc", "oauth2", tenant);
        let refreshes = refreshes.clone();
        let store = store.clone();
        let cache = &cache;
        async move {
            cache
                .get(&key, &store, move |_| {
                    Box::pin(async move {
                        refreshes.fetch_add(1, Ordering::SeqCst);
                        Ok(lasting(&token, 3600))
                    })
                })
                .await
        }
    };
    for i in 0..100_000 {
        get(format!("tenant-{i}")).await.expect("a token");
        assert!(cache.len() <= capacity, "{} slots after {i} tenants", cache.len());
    }
    assert_eq!(refreshes.load(Ordering::SeqCst), 100_000);
    // The first tenant was evicted long ago: its token comes back from the
    // store, without a token request.
    let again = get("tenant-0".to_owned()).await.unwrap();
    assert_eq!(again.access_token.expose_secret(), "token-tenant-0");
    assert_eq!(refreshes.load(Ordering::SeqCst), 100_000);
}

#[test]
fn small_capacities_are_bounds_too() {
    for capacity in 1..=4 {
        let cache = TokenCache::with_capacity(Duration::ZERO, capacity);
        for i in 0..20 {
            cache.put(&format!("tenant-{i}"), lasting("t", 60), Arrival::Fetched);
            assert!(cache.len() <= capacity, "{} slots with a capacity of {capacity}", cache.len());
        }
        assert!(cache.fresh("tenant-19").is_some(), "the newest tenant is kept");
    }
}

#[test]
fn each_tenant_gets_the_bearer_value_of_its_own_fresh_token_and_a_401_expires_only_that_one() {
    let cache = TokenCache::new(Duration::ZERO);
    cache.put("a", lasting("token-a", 60), Arrival::Fetched);
    cache.put("b", lasting("token-b", 60), Arrival::Fetched);
    cache.put("stale", expired("token-stale"), Arrival::Fetched);
    let bearer_a = cache.fresh_bearer("a").expect("a's token is fresh");
    assert_eq!(bearer_a, "Bearer token-a");
    assert!(bearer_a.is_sensitive(), "kept out of Debug and logs");
    assert_eq!(cache.fresh_bearer("b").expect("b's token is fresh"), "Bearer token-b");
    assert!(cache.fresh_bearer("stale").is_none(), "an expired token is never sent from the cache");
    assert!(cache.fresh_bearer("nobody").is_none());

    // A 401 for tenant a's value expires a's token, and only it.
    cache.expire_bearer("b", &bearer_a);
    assert!(cache.fresh_bearer("b").is_some(), "another tenant's value expires nothing of b's");
    cache.expire_bearer("a", &bearer_a);
    assert!(cache.fresh_bearer("a").is_none());
    assert!(cache.fresh_bearer("b").is_some());

    // A 401 for a value a newer token has replaced leaves the newer one.
    cache.put("a", lasting("token-a2", 60), Arrival::Fetched);
    cache.expire_bearer("a", &bearer_a);
    assert_eq!(cache.fresh_bearer("a").expect("the newer token stays"), "Bearer token-a2");
}
