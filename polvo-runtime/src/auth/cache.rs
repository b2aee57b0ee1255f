//! The token cache: one slot per tenant, refreshed single-flight by a task
//! the slot owns.
//!
//! However many requests find a tenant's token stale at once, exactly one
//! refresh runs; the others wait for it and use what it got, as it is. The
//! refresh, saving to the store included, runs in a task of its own
//! (`tokio::spawn`), so a caller that gives up (a timeout, a web handler
//! whose client went away) cannot interrupt it halfway: a refresh token the
//! provider rotated is always stored. A failed attempt is shared the same
//! way, so a dead refresh token causes one token request, not one per
//! waiting call.
//!
//! Storing a login's tokens and revoking them run as exclusive operations
//! ([`TokenCache::exclusive`]): they wait for the refresh under way, and no
//! refresh starts while they run, so none can overwrite, resurrect or mark
//! dead what they stored or removed.
//!
//! Slots of tenants that have not been used for a while are evicted once
//! there are more than the cache's capacity; their tokens are still in the
//! store, so an evicted tenant's next call reloads them without a token
//! request.

use futures_util::FutureExt;
use futures_util::future::Shared;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime};

use secrecy::ExposeSecret;

use super::error::AuthError;
use super::store::TokenStore;
use super::token::{TokenKey, TokenSet};

/// What obtaining new tokens returns: a future that owns everything it
/// needs, so it can run in a task of its own.
pub type RefreshFuture = Pin<Box<dyn Future<Output = Result<TokenSet, AuthError>> + Send + 'static>>;

/// How a flight ends, for the calls that waited for it.
#[derive(Clone)]
enum Outcome {
    /// A refresh's result: used as it is by every call that waited.
    Tokens(Result<TokenSet, AuthError>),
    /// A refresh task that was dropped unfinished (its runtime shut down):
    /// calls that did not start it try again.
    Interrupted(AuthError),
    /// An exclusive operation (a login being stored, a revocation) ended:
    /// calls decide again what to do.
    Again,
}

/// Something under way in a slot, awaited by every call that needs its end.
type Flight = Shared<Pin<Box<dyn Future<Output = Outcome> + Send>>>;

/// How many tenants' slots a cache keeps before it evicts idle ones.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// How a scheme's token cache behaves: how long before expiry tokens are
/// renewed, and how many tenants' tokens it keeps in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheSettings {
    /// How long before expiry a token is renewed.
    pub skew: Duration,
    /// How many tenants' slots are kept before the least recently used
    /// idle ones are evicted (their tokens stay in the store).
    pub capacity: usize,
}

/// Where tokens put in the cache come from, which decides how close to
/// their expiry they are renewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Just obtained from the provider: their whole life lies ahead, so the
    /// skew is cut to half of it (a token that lives less than the skew is
    /// still used for a while).
    Fetched,
    /// Loaded from a store or given by the user: how long they have lived
    /// is unknown, so they are renewed the full skew before expiry.
    Loaded,
}

/// Cached tokens of one scheme, by tenant.
pub struct TokenCache {
    /// How long before expiry a token is renewed (for a token just fetched,
    /// at most half its life).
    skew: Duration,
    /// How many slots are kept before idle ones are evicted.
    capacity: usize,
    slots: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    by_tenant: HashMap<String, Entry>,
    /// Counts uses, so eviction can find the least recently used slots.
    clock: u64,
}

struct Entry {
    slot: Arc<Slot>,
    last_used: u64,
}

#[derive(Default)]
struct Slot {
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    current: Option<Cached>,
    /// The failure of a refresh token found dead: only new tokens clear it.
    dead: Option<AuthError>,
    /// The refresh or exclusive operation under way, with its number.
    flight: Option<(u64, Flight)>,
    /// Holds tokens given in the configuration, which live nowhere else:
    /// never evicted.
    pinned: bool,
}

/// Tokens with the moment they should be renewed.
struct Cached {
    tokens: TokenSet,
    renew_at: Option<SystemTime>,
    /// `Bearer <access token>`, ready to send (marked sensitive): built
    /// once per token, not once per call. `None` if the token has
    /// characters a header cannot carry.
    bearer: Option<http::HeaderValue>,
}

/// What a call for a token does next.
enum Step {
    Fresh(TokenSet),
    Dead(AuthError),
    Wait(Flight),
}

/// Numbers flights, so a finished one never clears its successor.
static FLIGHTS: AtomicU64 = AtomicU64::new(0);

/// Locks a mutex, recovering the data of a poisoned one: every critical
/// section here leaves the data consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// When tokens that arrive `now` should be renewed: `skew` before they
/// expire; for tokens just fetched, never earlier than half their life.
fn renew_at(tokens: &TokenSet, skew: Duration, now: SystemTime, arrival: Arrival) -> Option<SystemTime> {
    let expires_at = tokens.expires_at?;
    let skew = match arrival {
        Arrival::Fetched => skew.min(expires_at.duration_since(now).unwrap_or(Duration::ZERO) / 2),
        Arrival::Loaded => skew,
    };
    // A skew reaching past what the clock holds leaves no such token fresh.
    Some(expires_at.checked_sub(skew).unwrap_or(SystemTime::UNIX_EPOCH).min(expires_at))
}

/// Whether tokens that arrive `now` are fresh enough to use.
fn fresh_on_arrival(tokens: &TokenSet, skew: Duration, now: SystemTime, arrival: Arrival) -> bool {
    renew_at(tokens, skew, now, arrival).is_none_or(|at| now < at)
}

impl Cached {
    fn new(tokens: TokenSet, skew: Duration, arrival: Arrival) -> Self {
        let renew_at = renew_at(&tokens, skew, SystemTime::now(), arrival);
        let bearer = http::HeaderValue::try_from(format!("Bearer {}", tokens.access_token.expose_secret())).ok().map(
            |mut value| {
                value.set_sensitive(true);
                value
            },
        );
        Cached { tokens, renew_at, bearer }
    }

    fn is_fresh(&self, now: SystemTime) -> bool {
        self.renew_at.is_none_or(|at| now < at)
    }
}

impl Slot {
    fn fresh(&self) -> Option<TokenSet> {
        let state = lock(&self.state);
        state.current.as_ref().filter(|c| c.is_fresh(SystemTime::now())).map(|c| c.tokens.clone())
    }

    fn current(&self) -> Option<TokenSet> {
        lock(&self.state).current.as_ref().map(|c| c.tokens.clone())
    }

    fn fresh_bearer(&self) -> Option<http::HeaderValue> {
        let state = lock(&self.state);
        state.current.as_ref().filter(|c| c.is_fresh(SystemTime::now()))?.bearer.clone()
    }

    /// Puts new tokens in the slot and clears a dead refresh token.
    fn put(&self, tokens: TokenSet, skew: Duration, arrival: Arrival) {
        let mut state = lock(&self.state);
        state.current = Some(Cached::new(tokens, skew, arrival));
        state.dead = None;
    }

    /// Records a failed refresh: a dead refresh token is remembered, and
    /// the tokens it belonged to are kept (to tell them from newer ones).
    fn fail(&self, error: &AuthError, previous: Option<TokenSet>, skew: Duration) {
        let mut state = lock(&self.state);
        if matches!(error, AuthError::ReauthorizationRequired { .. }) {
            state.dead = Some(error.clone());
        }
        if state.current.is_none() {
            state.current = previous.map(|p| Cached::new(p, skew, Arrival::Loaded));
        }
    }

    /// Whether anything but the cache's own map holds this slot (a caller,
    /// or a refresh task): such a slot is never evicted.
    fn in_use(self: &Arc<Self>) -> bool {
        Arc::strong_count(self) > 1 || lock(&self.state).pinned
    }
}

/// Clears flight `id` of a slot, if it is still the slot's flight.
fn clear_flight(slot: &Weak<Slot>, id: u64) {
    if let Some(slot) = slot.upgrade() {
        let mut state = lock(&slot.state);
        if state.flight.as_ref().is_some_and(|(current, _)| *current == id) {
            state.flight = None;
        }
    }
}

/// Clears a slot's flight when its refresh ends, however it ends (finished,
/// panicked, or dropped), so no caller waits for it after. Created inside
/// the refresh, never before it is spawned: a future dropped by `spawn`
/// itself (a runtime shutting down) must not lock the slot, whose lock the
/// caller holds then. A refresh dropped before it ever ran is cleared by
/// the call that awaits its task (see [`start_flight`]).
struct FlightGuard {
    slot: Weak<Slot>,
    id: u64,
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        clear_flight(&self.slot, self.id);
    }
}

/// Holds a slot for an exclusive operation: while it lives, calls wait
/// instead of refreshing. Dropping it (however the operation ends) clears
/// the slot's flight, then wakes the calls that waited.
struct Gate {
    slot: Weak<Slot>,
    id: u64,
    _release: tokio::sync::oneshot::Sender<()>,
}

impl Drop for Gate {
    fn drop(&mut self) {
        clear_flight(&self.slot, self.id);
    }
}

impl TokenCache {
    /// A cache renewing tokens `skew` before they expire.
    #[cfg(test)]
    pub fn new(skew: Duration) -> Self {
        TokenCache::with_capacity(skew, DEFAULT_CAPACITY)
    }

    /// A cache with `settings`.
    pub fn with_settings(settings: CacheSettings) -> Self {
        TokenCache::with_capacity(settings.skew, settings.capacity)
    }

    /// A cache keeping about `capacity` tenants' slots.
    pub fn with_capacity(skew: Duration, capacity: usize) -> Self {
        TokenCache { skew, capacity: capacity.max(1), slots: Mutex::default() }
    }

    /// The slot of `tenant`, created if needed (evicting idle ones if the
    /// cache is full).
    fn slot(&self, tenant: &str) -> Arc<Slot> {
        let mut slots = lock(&self.slots);
        slots.clock += 1;
        let now = slots.clock;
        if let Some(entry) = slots.by_tenant.get_mut(tenant) {
            entry.last_used = now;
            return entry.slot.clone();
        }
        if slots.by_tenant.len() >= self.capacity {
            // Room for the new slot, and a quarter more so eviction is rare
            // (at least one, however small the capacity).
            slots.evict_idle(self.capacity - (self.capacity / 4).max(1));
        }
        let slot = Arc::new(Slot::default());
        slots.by_tenant.insert(tenant.to_owned(), Entry { slot: slot.clone(), last_used: now });
        slot
    }

    /// The slot of `tenant` if it has one, marked as just used.
    fn existing_slot(&self, tenant: &str) -> Option<Arc<Slot>> {
        let mut slots = lock(&self.slots);
        slots.clock += 1;
        let now = slots.clock;
        let entry = slots.by_tenant.get_mut(tenant)?;
        entry.last_used = now;
        Some(entry.slot.clone())
    }

    /// How many tenants have a slot.
    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.slots).by_tenant.len()
    }

    /// The cached token of `tenant`, if it is fresh.
    pub fn fresh(&self, tenant: &str) -> Option<TokenSet> {
        self.existing_slot(tenant)?.fresh()
    }

    /// The `Authorization: Bearer` value of `tenant`'s cached access token
    /// if it is fresh: what a call sends, without copying the token.
    pub fn fresh_bearer(&self, tenant: &str) -> Option<http::HeaderValue> {
        self.existing_slot(tenant)?.fresh_bearer()
    }

    /// The cached tokens of `tenant`, however stale.
    pub fn current(&self, tenant: &str) -> Option<TokenSet> {
        self.existing_slot(tenant)?.current()
    }

    /// Waits until nothing is under way for `tenant`'s tokens (a refresh or
    /// an exclusive operation, whatever its outcome).
    #[cfg(test)]
    pub async fn settled(&self, tenant: &str) {
        let Some(slot) = self.existing_slot(tenant) else { return };
        let flight = lock(&slot.state).flight.as_ref().map(|(_, flight)| flight.clone());
        if let Some(flight) = flight {
            let _ = flight.await;
        }
    }

    /// Runs `operation` on `tenant`'s tokens with no refresh alongside: it
    /// waits for the refresh under way, and calls for a token made while
    /// it runs wait for it to end (then look again). The operation must
    /// not ask this cache for a token of the same tenant.
    pub async fn exclusive<T>(&self, tenant: &str, operation: impl Future<Output = T>) -> T {
        let slot = self.slot(tenant);
        let _gate = loop {
            let busy = {
                let mut state = lock(&slot.state);
                match &state.flight {
                    Some((_, flight)) => flight.clone(),
                    None => {
                        let id = FLIGHTS.fetch_add(1, Ordering::Relaxed);
                        let (release, released) = tokio::sync::oneshot::channel::<()>();
                        let flight: Pin<Box<dyn Future<Output = Outcome> + Send>> =
                            Box::pin(released.map(|_| Outcome::Again));
                        state.flight = Some((id, flight.shared()));
                        break Gate { slot: Arc::downgrade(&slot), id, _release: release };
                    }
                }
            };
            let _ = busy.await;
        };
        operation.await
    }

    /// Puts tokens in the cache (and clears a dead refresh token).
    pub fn put(&self, tenant: &str, tokens: TokenSet, arrival: Arrival) {
        self.slot(tenant).put(tokens, self.skew, arrival);
    }

    /// Puts tokens given in the configuration in the cache, for good: they
    /// live nowhere else, so their slot is never evicted.
    pub fn seed(&self, tenant: &str, tokens: TokenSet) {
        let slot = self.slot(tenant);
        slot.put(tokens, self.skew, Arrival::Loaded);
        lock(&slot.state).pinned = true;
    }

    /// Marks `token` as expired if it is still the cached one, so the next
    /// call refreshes (used after a 401).
    pub fn expire(&self, tenant: &str, token: &TokenSet) {
        let Some(slot) = self.existing_slot(tenant) else { return };
        let mut state = lock(&slot.state);
        if let Some(current) = &mut state.current
            && current.tokens.same_access_token(token)
        {
            current.tokens.expires_at = Some(SystemTime::UNIX_EPOCH);
            current.renew_at = Some(SystemTime::UNIX_EPOCH);
        }
    }

    /// Marks `tenant`'s access token expired if `bearer` (as
    /// [`fresh_bearer`](Self::fresh_bearer) gave it) still carries it.
    pub fn expire_bearer(&self, tenant: &str, bearer: &http::HeaderValue) {
        let Some(slot) = self.existing_slot(tenant) else { return };
        let mut state = lock(&slot.state);
        if let Some(current) = &mut state.current
            && current.bearer.as_ref() == Some(bearer)
        {
            current.tokens.expires_at = Some(SystemTime::UNIX_EPOCH);
            current.renew_at = Some(SystemTime::UNIX_EPOCH);
        }
    }

    /// Forgets a tenant's tokens.
    pub fn forget(&self, tenant: &str) {
        if let Some(slot) = self.existing_slot(tenant) {
            let mut state = lock(&slot.state);
            state.current = None;
            state.dead = None;
            state.pinned = false;
        }
    }

    /// A fresh token for `key`'s tenant: the cached one, the stored one, or
    /// one `refresh` obtains from the previous tokens (if any). Concurrent
    /// calls share one refresh, which runs to completion in a task of its
    /// own even if every caller stops waiting.
    pub async fn get<F>(&self, key: &TokenKey, store: &Arc<dyn TokenStore>, refresh: F) -> Result<TokenSet, AuthError>
    where
        F: FnOnce(Option<TokenSet>) -> RefreshFuture + Send + 'static,
    {
        let slot = self.slot(&key.tenant);
        let mut refresh = Some(refresh);
        loop {
            let flight = match self.next_step(&slot, key, store, &mut refresh) {
                Ok(Step::Fresh(tokens)) => return Ok(tokens),
                Ok(Step::Dead(dead)) => return self.revive(&slot, key, store, dead).await,
                Ok(Step::Wait(flight)) => flight,
                Err(e) => return Err(e),
            };
            match flight.await {
                // Used as it is, even a token that is already within the
                // skew: it is the newest there is.
                Outcome::Tokens(result) => return result,
                // Someone else's refresh never ran: this call starts its own.
                Outcome::Interrupted(_) if refresh.is_some() => {}
                Outcome::Interrupted(error) => return Err(error),
                Outcome::Again => {}
            }
        }
    }

    /// What a call for a token does next, decided under the slot's lock:
    /// use the cached token, report a dead refresh token, or wait for what
    /// is under way (starting a refresh if nothing is, and `refresh` has not
    /// been used yet).
    fn next_step<F>(
        &self,
        slot: &Arc<Slot>,
        key: &TokenKey,
        store: &Arc<dyn TokenStore>,
        refresh: &mut Option<F>,
    ) -> Result<Step, AuthError>
    where
        F: FnOnce(Option<TokenSet>) -> RefreshFuture + Send + 'static,
    {
        let mut state = lock(&slot.state);
        if let Some(current) = state.current.as_ref().filter(|c| c.is_fresh(SystemTime::now())) {
            return Ok(Step::Fresh(current.tokens.clone()));
        }
        if let Some(dead) = &state.dead {
            return Ok(Step::Dead(dead.clone()));
        }
        if let Some((_, flight)) = &state.flight {
            return Ok(Step::Wait(flight.clone()));
        }
        // Only after this call's own refresh ended without tokens, which
        // `get` returns rather than asking again.
        let refresh = refresh.take().ok_or_else(|| interrupted(key, "its runtime shut down"))?;
        let id = FLIGHTS.fetch_add(1, Ordering::Relaxed);
        let flight = start_flight(slot, id, key.clone(), store.clone(), self.skew, refresh);
        state.flight = Some((id, flight.clone()));
        Ok(Step::Wait(flight))
    }

    /// With a dead refresh token, only a new login helps, which another
    /// process sharing the store may have done: look there, never refresh.
    async fn revive(
        &self,
        slot: &Slot,
        key: &TokenKey,
        store: &Arc<dyn TokenStore>,
        dead: AuthError,
    ) -> Result<TokenSet, AuthError> {
        let stored = store.load(key).await?;
        let current = slot.current();
        let renewed = |t: &TokenSet| current.as_ref().is_none_or(|c| !c.same_access_token(t));
        match stored.filter(renewed) {
            Some(tokens) => {
                let fresh = fresh_on_arrival(&tokens, self.skew, SystemTime::now(), Arrival::Loaded);
                slot.put(tokens.clone(), self.skew, Arrival::Loaded);
                if fresh { Ok(tokens) } else { Err(dead) }
            }
            None => Err(dead),
        }
    }
}

impl Slots {
    /// Evicts the least recently used slots that nothing holds until at
    /// most `keep` remain (or only slots in use are left).
    fn evict_idle(&mut self, keep: usize) {
        let mut idle: Vec<(u64, String)> = self
            .by_tenant
            .iter()
            .filter(|(_, e)| !e.slot.in_use())
            .map(|(tenant, e)| (e.last_used, tenant.clone()))
            .collect();
        idle.sort_unstable();
        let excess = self.by_tenant.len().saturating_sub(keep);
        for (_, tenant) in idle.into_iter().take(excess) {
            self.by_tenant.remove(&tenant);
        }
    }
}

fn interrupted(key: &TokenKey, reason: &str) -> AuthError {
    AuthError::RefreshInterrupted { scheme: key.scheme.clone(), tenant: key.tenant.clone(), reason: reason.to_owned() }
}

/// Starts a refresh in a task of its own and returns its shared outcome.
/// The task holds the slot, so it is not evicted while the refresh runs;
/// the refresh itself only refers to it, so nothing keeps a slot alive
/// through its own flight.
///
/// Without a tokio runtime (another executor) the refresh runs inside the
/// callers' futures instead; it is still kept in the slot, so if its caller
/// goes away the next caller carries on with it rather than starting over
/// (unless the idle slot was evicted meanwhile).
fn start_flight<F>(
    slot: &Arc<Slot>,
    id: u64,
    key: TokenKey,
    store: Arc<dyn TokenStore>,
    skew: Duration,
    refresh: F,
) -> Flight
where
    F: FnOnce(Option<TokenSet>) -> RefreshFuture + Send + 'static,
{
    let weak = Arc::downgrade(slot);
    let refreshing = {
        let (weak, key) = (weak.clone(), key.clone());
        async move {
            let _guard = FlightGuard { slot: weak.clone(), id };
            run_flight(&weak, &key, store.as_ref(), skew, refresh).await
        }
    };
    let outcome: Pin<Box<dyn Future<Output = Outcome> + Send>> = match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            let holder = slot.clone();
            let handle = runtime.spawn(async move {
                let _holds = holder;
                refreshing.await
            });
            Box::pin(async move {
                match handle.await {
                    Ok(result) => Outcome::Tokens(result),
                    // A panic ends the refresh for every caller (trying again
                    // would panic again); a task dropped by its runtime,
                    // perhaps before it ever ran, is cleared here.
                    Err(e) if e.is_panic() => Outcome::Tokens(Err(interrupted(&key, "it panicked"))),
                    Err(_) => {
                        clear_flight(&weak, id);
                        Outcome::Interrupted(interrupted(&key, "its runtime shut down"))
                    }
                }
            })
        }
        Err(_) => Box::pin(refreshing.map(Outcome::Tokens)),
    };
    outcome.shared()
}

/// The stored tokens, kept in the slot, if they can be used as they are:
/// fresh, and not the very token this process found stale (after a 401,
/// say). A fresh stored token another process refreshed qualifies.
fn usable_stored(
    slot: &Weak<Slot>,
    stored: Option<&TokenSet>,
    current: Option<&TokenSet>,
    skew: Duration,
) -> Option<TokenSet> {
    let stale = |t: &TokenSet| current.is_some_and(|c| c.same_access_token(t));
    let tokens = stored.filter(|t| !stale(t) && fresh_on_arrival(t, skew, SystemTime::now(), Arrival::Loaded))?;
    if let Some(slot) = slot.upgrade() {
        slot.put(tokens.clone(), skew, Arrival::Loaded);
    }
    Some(tokens.clone())
}

/// One refresh: use fresh stored tokens (without the store's lock), or,
/// under the lock, what another process stored meanwhile, or obtain new
/// tokens, then keep and save them. The slot may
/// be gone (evicted while no caller waited): the tokens are still saved.
async fn run_flight<F>(
    slot: &Weak<Slot>,
    key: &TokenKey,
    store: &dyn TokenStore,
    skew: Duration,
    refresh: F,
) -> Result<TokenSet, AuthError>
where
    F: FnOnce(Option<TokenSet>) -> RefreshFuture,
{
    let current = slot.upgrade().and_then(|s| s.current());
    // A fresh stored token needs no lock: loading it is the one round trip
    // a shared store costs. Only a refresh takes the lock (and loads again
    // under it, for what another process stored meanwhile).
    let stored = store.load(key).await?;
    if let Some(tokens) = usable_stored(slot, stored.as_ref(), current.as_ref(), skew) {
        return Ok(tokens);
    }
    let _store_lock = store.lock(key).await?;
    let stored = store.load(key).await?;
    if let Some(tokens) = usable_stored(slot, stored.as_ref(), current.as_ref(), skew) {
        return Ok(tokens);
    }
    let stale = |t: &TokenSet| current.as_ref().is_some_and(|c| c.same_access_token(t));
    let previous = match stored {
        Some(s) if !stale(&s) || current.is_none() => Some(s),
        _ => current,
    };
    match refresh(previous.clone()).await {
        Ok(mut tokens) => {
            if tokens.refresh_token.is_none() {
                // Providers that do not rotate refresh tokens omit them.
                tokens.refresh_token = previous.and_then(|p| p.refresh_token);
            }
            // Kept in memory first: if saving fails, this process can still
            // use them (and the error says that the store failed).
            if let Some(slot) = slot.upgrade() {
                slot.put(tokens.clone(), skew, Arrival::Fetched);
            }
            store.save(key, &tokens).await?;
            Ok(tokens)
        }
        Err(error) => {
            if let Some(slot) = slot.upgrade() {
                slot.fail(&error, previous, skew);
            }
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests;
