//! The token cache: one slot per tenant, refreshed single-flight.
//!
//! However many requests find a tenant's token expired at once, exactly one
//! of them asks for a new one; the others wait for it and use what it got.
//! A failed attempt is shared the same way, so a dead refresh token causes
//! one token request, not one per waiting call.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::error::AuthError;
use super::store::TokenStore;
use super::token::{TokenKey, TokenSet};

/// What obtaining new tokens returns. Boxed, so that the futures of the
/// requests that wait on it stay `Send` whatever borrows it holds.
pub type RefreshFuture<'a> = Pin<Box<dyn Future<Output = Result<TokenSet, AuthError>> + Send + 'a>>;

/// Cached tokens of one scheme, by tenant.
#[derive(Default)]
pub struct TokenCache {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

#[derive(Default)]
struct Slot {
    state: Mutex<SlotState>,
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct SlotState {
    current: Option<TokenSet>,
    /// Counts refresh attempts, so waiters can tell one happened meanwhile.
    attempts: u64,
    /// The error of the last attempt, if it failed.
    failure: Option<AuthError>,
}

impl TokenCache {
    fn slot(&self, tenant: &str) -> Arc<Slot> {
        let mut slots = match self.slots.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        match slots.get(tenant) {
            Some(slot) => slot.clone(),
            None => slots.entry(tenant.to_owned()).or_default().clone(),
        }
    }

    /// The cached token of `tenant`, if it is fresh.
    pub fn fresh(&self, tenant: &str, skew: Duration) -> Option<TokenSet> {
        let slot = self.slot(tenant);
        let state = slot.state.lock().ok()?;
        state.current.as_ref().filter(|t| t.is_fresh(skew)).cloned()
    }

    /// Puts tokens in the cache (and clears a previous failure).
    pub fn put(&self, tenant: &str, tokens: TokenSet) {
        let slot = self.slot(tenant);
        if let Ok(mut state) = slot.state.lock() {
            state.current = Some(tokens);
            state.failure = None;
        }
    }

    /// Marks `token` as expired if it is still the cached one, so the next
    /// call refreshes (used after a 401).
    pub fn expire(&self, tenant: &str, token: &TokenSet) {
        let slot = self.slot(tenant);
        if let Ok(mut state) = slot.state.lock()
            && let Some(current) = &mut state.current
            && current.same_access_token(token)
        {
            current.expires_at = Some(SystemTime::UNIX_EPOCH);
        }
    }

    /// Forgets a tenant's tokens.
    pub fn forget(&self, tenant: &str) {
        let slot = self.slot(tenant);
        if let Ok(mut state) = slot.state.lock() {
            *state = SlotState::default();
        }
    }

    /// A fresh token for `tenant`: the cached one, the stored one, or one
    /// `refresh` obtains from the previous tokens (if any). Concurrent calls
    /// share one refresh.
    pub async fn get<'a, F>(
        &self,
        key: &TokenKey,
        store: &dyn TokenStore,
        skew: Duration,
        refresh: F,
    ) -> Result<TokenSet, AuthError>
    where
        F: FnOnce(Option<TokenSet>) -> RefreshFuture<'a>,
    {
        let slot = self.slot(&key.tenant);
        let (seen_attempts, dead) = {
            let state = slot.state.lock().map_err(|_| AuthError::Store("token cache poisoned".into()))?;
            if let Some(t) = state.current.as_ref().filter(|t| t.is_fresh(skew)) {
                return Ok(t.clone());
            }
            // A refresh token found dead stays dead, whether it came from the
            // cache or was configured up front.
            let dead = match &state.failure {
                Some(failure @ AuthError::ReauthorizationRequired { .. }) => {
                    Some((failure.clone(), state.current.clone()))
                }
                _ => None,
            };
            (state.attempts, dead)
        };
        if let Some((failure, current)) = dead {
            // The refresh token is dead: only a new login helps, which another
            // process sharing the store may have done. Never refresh again.
            let stored = store.load(key).await.map_err(|e| AuthError::Store(e.to_string()))?;
            let renewed = |t: &TokenSet| current.as_ref().is_none_or(|c| !c.same_access_token(t));
            return match stored.filter(renewed) {
                Some(t) => {
                    self.put(&key.tenant, t.clone());
                    if t.is_fresh(skew) { Ok(t) } else { Err(failure) }
                }
                None => Err(failure),
            };
        }

        let _refreshing = slot.refresh.lock().await;
        {
            let state = slot.state.lock().map_err(|_| AuthError::Store("token cache poisoned".into()))?;
            if let Some(t) = state.current.as_ref().filter(|t| t.is_fresh(skew)) {
                return Ok(t.clone());
            }
            if state.attempts != seen_attempts {
                // Someone refreshed while this call waited, and failed: share that outcome.
                if let Some(failure) = &state.failure {
                    return Err(failure.clone());
                }
            }
        }

        let _store_lock = store.lock(key).await.map_err(|e| AuthError::Store(e.to_string()))?;
        let stored = store.load(key).await.map_err(|e| AuthError::Store(e.to_string()))?;
        let current = {
            let state = slot.state.lock().map_err(|_| AuthError::Store("token cache poisoned".into()))?;
            state.current.clone()
        };
        // A fresh stored token was refreshed by another process, unless it is
        // the very token this process found stale (after a 401, say).
        let stale = |t: &TokenSet| current.as_ref().is_some_and(|c| c.same_access_token(t));
        if let Some(t) = stored.as_ref().filter(|t| t.is_fresh(skew) && !stale(t)) {
            self.put(&key.tenant, t.clone());
            return Ok(t.clone());
        }
        let previous = match stored {
            Some(s) if !stale(&s) || current.is_none() => Some(s),
            _ => current,
        };

        let outcome = refresh(previous.clone()).await;
        let result = {
            let mut state = slot.state.lock().map_err(|_| AuthError::Store("token cache poisoned".into()))?;
            state.attempts += 1;
            match outcome {
                Ok(mut tokens) => {
                    if tokens.refresh_token.is_none() {
                        // Providers that do not rotate refresh tokens omit them.
                        tokens.refresh_token = previous.and_then(|p| p.refresh_token);
                    }
                    state.current = Some(tokens.clone());
                    state.failure = None;
                    Ok(tokens)
                }
                Err(error) => {
                    if state.current.is_none() {
                        state.current = previous;
                    }
                    state.failure = Some(error.clone());
                    Err(error)
                }
            }
        };
        if let Ok(tokens) = &result {
            store.save(key, tokens).await.map_err(|e| AuthError::Store(e.to_string()))?;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::store::MemoryStore;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn expired(token: &str) -> TokenSet {
        let mut t = TokenSet::new(token);
        t.expires_at = Some(SystemTime::UNIX_EPOCH);
        t.refresh_token = Some(secrecy::SecretString::from("refresh-1".to_owned()));
        t
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_calls_share_one_refresh() {
        let cache = Arc::new(TokenCache::default());
        let store = Arc::new(MemoryStore::new());
        let key = TokenKey::new("svc", "oauth2", "default");
        cache.put("default", expired("old"));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (cache, store, key, calls) = (cache.clone(), store.clone(), key.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get(&key, store.as_ref(), Duration::ZERO, |previous| {
                        Box::pin(async move {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            assert!(previous.is_some_and(|p| p.refresh_token.is_some()));
                            let mut t = TokenSet::new("new");
                            t.expires_at = Some(SystemTime::now() + Duration::from_secs(60));
                            Ok(t)
                        })
                    })
                    .await
            }));
        }
        for task in tasks {
            let token = task.await.unwrap().expect("every call gets a token");
            assert_eq!(token.access_token.expose_secret(), "new");
            assert_eq!(
                token.refresh_token.as_ref().map(|r| r.expose_secret().to_owned()).as_deref(),
                Some("refresh-1")
            );
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let stored = store.load(&key).await.unwrap().expect("saved");
        assert_eq!(stored.access_token.expose_secret(), "new");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dead_refresh_token_is_tried_once() {
        let cache = Arc::new(TokenCache::default());
        let store = Arc::new(MemoryStore::new());
        let key = TokenKey::new("svc", "oauth2", "default");
        cache.put("default", expired("old"));
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
                    .get(&key, store.as_ref(), Duration::ZERO, |_| {
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
        let again = cache
            .get(&key, store.as_ref(), Duration::ZERO, |_| Box::pin(async { panic!("must not refresh again") }))
            .await;
        assert_eq!(again.unwrap_err(), dead());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // New tokens (a new login) clear the failure.
        let mut fresh = TokenSet::new("after-login");
        fresh.expires_at = Some(SystemTime::now() + Duration::from_secs(60));
        cache.put("default", fresh);
        assert_eq!(cache.fresh("default", Duration::ZERO).unwrap().access_token.expose_secret(), "after-login");
    }

    use secrecy::ExposeSecret;
}
