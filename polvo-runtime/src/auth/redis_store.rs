//! [`RedisStore`]: tokens shared by every process of a fleet, with a
//! cross-process refresh lock (a lease), behind the `redis` cargo feature.
//!
//! Each key's tokens are a Redis hash `<namespace>:tokens:<service>:<scheme>:<tenant>`
//! (parts percent-encoded) holding the tokens (JSON) and a generation
//! number that every save increments. The refresh lock of a key is the
//! string `<namespace>:lock:…`, set with `SET NX PX` to a value only its
//! holder knows, renewed while the holder refreshes, and deleted only by
//! its holder (a compare-and-delete script). A holder that dies stops
//! renewing; its lease runs out and the next process takes over.
//!
//! A save made under the lease only succeeds if the generation is still
//! the one read under that lease: a holder that stalled past its lease
//! (while another process refreshed) cannot put its older tokens over the
//! newer ones.

mod lease;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use super::pending::StoredLogin;
use super::store::{StoreError, StoreFuture, StoreLock, TokenStore, login_digest};
use super::token::{StoredTokens, TokenKey, TokenSet};

/// The characters percent-encoded in the parts of a key: `:` separates
/// them, `%` escapes, and controls and spaces stay readable in `redis-cli`.
const KEY_PART: &AsciiSet = &CONTROLS.add(b':').add(b'%').add(b' ').add(b'*').add(b'?').add(b'[').add(b']');

/// How long a lease lasts unless renewed, by default.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(10);

/// How long taking a refresh lock waits for another process, by default.
pub const DEFAULT_REDIS_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one Redis command may take (connecting included) before the
/// call fails with a store error.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// How far past a record's useful life its Redis TTL reaches.
const TTL_MARGIN: Duration = Duration::from_secs(300);

/// Saves tokens and bumps the generation; with an expected generation
/// (ARGV[2] not empty) only if the stored one is still that. Returns
/// `{1, new generation}` or `{0, stored generation}`.
const SAVE_SCRIPT: &str = r"
local stored = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
if ARGV[2] ~= '' and stored ~= tonumber(ARGV[2]) then return {0, stored} end
local next = stored + 1
redis.call('HSET', KEYS[1], 'tokens', ARGV[1], 'generation', next)
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) else redis.call('PERSIST', KEYS[1]) end
return {1, next}
";

/// Returns the value of KEYS[1] and deletes it, in one step (`GETDEL`
/// without needing Redis 6.2).
const TAKE_SCRIPT: &str = r"
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value
";

/// Tokens kept in Redis, shared by every process that uses the same
/// server and namespace; see the module documentation for the layout.
///
/// ```no_run
/// # async fn run() -> Result<(), polvo_runtime::auth::StoreError> {
/// use polvo_runtime::auth::RedisStore;
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?.namespace("billing");
/// # Ok(()) }
/// ```
///
/// A call that needs Redis while it is unreachable fails with
/// `AuthError::Store` naming the server; the connection is re-established
/// in the background, and calls succeed again once Redis answers. Tokens
/// already held in a process's cache keep being used meanwhile.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    /// The server, for messages (never the password).
    address: String,
    namespace: String,
    lease: Duration,
    lock_timeout: Duration,
    refresh_token_lifetime: Option<Duration>,
    /// The generation read under the lease this process holds, by key (0:
    /// no record).
    leased: Arc<Mutex<HashMap<TokenKey, u64>>>,
    /// Keys whose lease this process holds.
    held: Arc<Mutex<HashSet<TokenKey>>>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("address", &self.address)
            .field("namespace", &self.namespace)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

fn guard<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RedisStore {
    /// A store on the Redis server at `url` (`redis://[:password@]host:port/db`),
    /// in the namespace `polvo`, with a command timeout of
    /// [`DEFAULT_REDIS_TIMEOUT`]. The connection is made on first use, so a
    /// store can be created while Redis is down; a malformed URL is an error.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        RedisStore::connect_with_timeout(url, DEFAULT_REDIS_TIMEOUT).await
    }

    /// [`RedisStore::connect`] with another command timeout.
    pub async fn connect_with_timeout(url: &str, timeout: Duration) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|e| StoreError(format!("redis URL: {e}")))?;
        let address = client.get_connection_info().addr().to_string();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| StoreError(format!("redis at {address}: {e}")))?;
        Ok(RedisStore {
            connection,
            address,
            namespace: "polvo".to_owned(),
            lease: DEFAULT_LEASE,
            lock_timeout: DEFAULT_REDIS_LOCK_TIMEOUT,
            refresh_token_lifetime: None,
            leased: Arc::default(),
            held: Arc::default(),
        })
    }

    /// Puts every key under `namespace` (default `polvo`): stores with
    /// different namespaces on one server never see each other's tokens.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// How long a refresh lock lasts without renewal (default
    /// [`DEFAULT_LEASE`]): how long the fleet waits for a holder that died.
    /// The holder renews it every third of this while it refreshes.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(30));
        self
    }

    /// How long taking a refresh lock waits for another process (default
    /// [`DEFAULT_REDIS_LOCK_TIMEOUT`]).
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// How long the provider's refresh tokens live: records holding a
    /// refresh token expire in Redis a little after that. Without it they
    /// never expire; records without a refresh token expire a little after
    /// their access token.
    pub fn refresh_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.refresh_token_lifetime = Some(lifetime);
        self
    }

    /// The Redis key of `key`'s tokens.
    pub fn record_key(&self, key: &TokenKey) -> String {
        self.redis_key("tokens", key)
    }

    /// The Redis key of `key`'s refresh lock.
    pub fn lock_key(&self, key: &TokenKey) -> String {
        self.redis_key("lock", key)
    }

    /// The Redis key of the login `key`'s tenant started with `state`: the
    /// tenant's key parts and the SHA-256 of the key and `state` (the
    /// `state` itself never shows in a key listing).
    pub fn login_key(&self, key: &TokenKey, state: &str) -> String {
        format!("{}:{}", self.redis_key("login", key), login_digest(key, state))
    }

    fn redis_key(&self, kind: &str, key: &TokenKey) -> String {
        let part = |p: &str| utf8_percent_encode(p, KEY_PART).to_string();
        format!("{}:{kind}:{}:{}:{}", part(&self.namespace), part(&key.service), part(&key.scheme), part(&key.tenant))
    }

    /// A store error for a failed Redis command.
    fn failed(&self, doing: &str, key: &TokenKey, e: &redis::RedisError) -> StoreError {
        StoreError(format!("redis at {} failed {doing} {key}: {e}", self.address))
    }

    /// How long the record of `tokens` should live in Redis, if limited.
    fn ttl_of(&self, tokens: &TokenSet) -> Option<Duration> {
        if tokens.refresh_token.is_some() {
            return self.refresh_token_lifetime.map(|life| life + TTL_MARGIN);
        }
        let left = tokens.expires_at?.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO);
        Some(left + TTL_MARGIN)
    }

    /// The generation a save must find: the one read under this process's
    /// lease (a refresh loads before it saves), or none (any) for saves
    /// that read nothing under a lease (a login, `set_tokens`).
    fn expected_generation(&self, key: &TokenKey) -> Option<u64> {
        if !guard(&self.held).contains(key) {
            return None;
        }
        guard(&self.leased).get(key).copied()
    }

    fn remember_generation(&self, key: &TokenKey, generation: u64) {
        if guard(&self.held).contains(key) {
            guard(&self.leased).insert(key.clone(), generation);
        }
    }

    async fn load_record(&self, key: &TokenKey) -> Result<Option<TokenSet>, StoreError> {
        let mut connection = self.connection.clone();
        let (tokens, generation): (Option<String>, Option<u64>) = redis::cmd("HMGET")
            .arg(self.record_key(key))
            .arg("tokens")
            .arg("generation")
            .query_async(&mut connection)
            .await
            .map_err(|e| self.failed("loading the tokens of", key, &e))?;
        self.remember_generation(key, generation.unwrap_or(0));
        let Some(text) = tokens else { return Ok(None) };
        let stored: StoredTokens = serde_json::from_str(&text)
            .map_err(|e| StoreError(format!("redis key {} holds no token record: {}", self.record_key(key), e)))?;
        Ok(Some(TokenSet::from(stored)))
    }

    async fn save_record(&self, key: &TokenKey, tokens: &TokenSet) -> Result<(), StoreError> {
        let text = serde_json::to_string(&StoredTokens::from(tokens))
            .map_err(|e| StoreError(format!("cannot encode tokens for {key}: {e}")))?;
        let expected = self.expected_generation(key);
        let ttl_ms = self.ttl_of(tokens).map_or(0, |ttl| u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        let mut connection = self.connection.clone();
        let (saved, generation): (u8, u64) = redis::Script::new(SAVE_SCRIPT)
            .key(self.record_key(key))
            .arg(text)
            .arg(expected.map(|g| g.to_string()).unwrap_or_default())
            .arg(ttl_ms)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| self.failed("saving the tokens of", key, &e))?;
        if saved == 0 {
            return Err(StoreError(format!(
                "newer tokens for {key} (generation {generation}) were stored by another process after this one's \
                 lease ran out; its own were not saved"
            )));
        }
        self.remember_generation(key, generation);
        Ok(())
    }

    async fn save_login_record(&self, key: &TokenKey, state: &str, login: &StoredLogin) -> Result<(), StoreError> {
        let ttl_ms = u64::try_from(login.time_left(SystemTime::now()).as_millis()).unwrap_or(u64::MAX);
        if ttl_ms == 0 {
            // Already expired: nothing to keep.
            return Ok(());
        }
        let mut connection = self.connection.clone();
        redis::cmd("SET")
            .arg(self.login_key(key, state))
            .arg(secrecy::ExposeSecret::expose_secret(&login.to_json()))
            .arg("PX")
            .arg(ttl_ms)
            .query_async::<()>(&mut connection)
            .await
            .map_err(|e| self.failed("saving a pending login of", key, &e))
    }

    async fn take_login_record(&self, key: &TokenKey, state: &str) -> Result<Option<StoredLogin>, StoreError> {
        let redis_key = self.login_key(key, state);
        let mut connection = self.connection.clone();
        let text: Option<String> = redis::Script::new(TAKE_SCRIPT)
            .key(&redis_key)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| self.failed("taking a pending login of", key, &e))?;
        text.map(|t| StoredLogin::from_json(&t, &format!("redis key {redis_key}"))).transpose()
    }

    async fn remove_record(&self, key: &TokenKey) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        redis::cmd("DEL")
            .arg(self.record_key(key))
            .query_async::<()>(&mut connection)
            .await
            .map_err(|e| self.failed("removing the tokens of", key, &e))
    }
}

impl TokenStore for RedisStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<TokenSet>> {
        Box::pin(self.load_record(key))
    }

    fn save<'a>(&'a self, key: &'a TokenKey, tokens: &'a TokenSet) -> StoreFuture<'a, ()> {
        Box::pin(self.save_record(key, tokens))
    }

    fn remove<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        Box::pin(self.remove_record(key))
    }

    /// `SET … PX` with the login's time left: Redis drops it when it expires.
    fn save_login<'a>(&'a self, key: &'a TokenKey, state: &'a str, login: &'a StoredLogin) -> StoreFuture<'a, ()> {
        Box::pin(self.save_login_record(key, state, login))
    }

    /// Gets and deletes the login in one script, so one caller gets it.
    fn take_login<'a>(&'a self, key: &'a TokenKey, state: &'a str) -> StoreFuture<'a, Option<StoredLogin>> {
        Box::pin(self.take_login_record(key, state))
    }

    /// Takes the key's lease: `SET NX PX`, retried with backoff while
    /// another process holds it, for at most the lock timeout.
    fn lock<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, StoreLock> {
        Box::pin(lease::acquire(self, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_are_namespaced_and_their_parts_cannot_run_together() {
        let store = RedisStore::connect("redis://127.0.0.1:1/").await.unwrap().namespace("app one");
        let key = TokenKey::new("contacts", "oauth2", "tenant:1%");
        assert_eq!(store.record_key(&key), "app%20one:tokens:contacts:oauth2:tenant%3A1%25");
        assert_eq!(store.lock_key(&key), "app%20one:lock:contacts:oauth2:tenant%3A1%25");
        let (a, b) = (TokenKey::new("a:b", "c", "d"), TokenKey::new("a", "b:c", "d"));
        assert_ne!(store.record_key(&a), store.record_key(&b));
    }

    #[tokio::test]
    async fn an_unreachable_server_is_a_store_error_naming_it() {
        let store = RedisStore::connect_with_timeout("redis://127.0.0.1:1/", Duration::from_millis(300)).await.unwrap();
        let err = store.load(&TokenKey::new("s", "o", "t")).await.unwrap_err().to_string();
        assert!(err.contains("redis at 127.0.0.1:1 failed loading the tokens of s/o/t"), "{err}");
        assert!(RedisStore::connect("not a url").await.unwrap_err().to_string().contains("redis URL"));
    }
}
