//! The refresh lock of a [`RedisStore`] key: a lease taken with
//! `SET NX PX`, renewed by its holder, released by compare-and-delete.

use chacha20poly1305::aead::OsRng;
use chacha20poly1305::aead::rand_core::RngCore;
use redis::aio::ConnectionManager;
use std::time::{Duration, Instant, SystemTime};

use super::{RedisStore, guard};
use crate::auth::store::{StoreError, StoreLock};
use crate::auth::token::TokenKey;

/// Extends the lease if its holder still owns it; 1 if so, else 0.
const RENEW_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
";

/// Deletes the lease if its holder still owns it.
const RELEASE_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// The longest pause between two attempts to take a held lease.
const MAX_PAUSE: Duration = Duration::from_millis(100);

/// A lease this process holds; dropping it stops the renewal and releases
/// the lease (if it is still this holder's).
struct Lease {
    store: RedisStore,
    key: TokenKey,
    lock_key: String,
    holder: String,
    renewal: tokio::task::JoinHandle<()>,
}

/// Takes `key`'s lease, waiting (polling with backoff and jitter) while
/// another process holds it, for at most the store's lock timeout.
pub(super) async fn acquire(store: &RedisStore, key: &TokenKey) -> Result<StoreLock, StoreError> {
    let lock_key = store.lock_key(key);
    let holder = random_holder();
    let deadline = Instant::now() + store.lock_timeout;
    let mut pause = Duration::from_millis(5);
    while !try_take(store, key, &lock_key, &holder).await? {
        if Instant::now() >= deadline {
            return Err(StoreError(format!(
                "the refresh lock of {key} ({lock_key}) stayed held by another process for over {} s",
                store.lock_timeout.as_secs_f32()
            )));
        }
        tokio::time::sleep(jittered(pause)).await;
        pause = (pause * 2).min(MAX_PAUSE);
    }
    guard(&store.held).insert(key.clone());
    let renewal = tokio::spawn(renew(store.connection.clone(), lock_key.clone(), holder.clone(), store.lease));
    Ok(StoreLock::new(Lease { store: store.clone(), key: key.clone(), lock_key, holder, renewal }))
}

/// One `SET lock holder NX PX lease`: whether the lease was free.
async fn try_take(store: &RedisStore, key: &TokenKey, lock_key: &str, holder: &str) -> Result<bool, StoreError> {
    let mut connection = store.connection.clone();
    let set: Option<String> = redis::cmd("SET")
        .arg(lock_key)
        .arg(holder)
        .arg("NX")
        .arg("PX")
        .arg(millis(store.lease))
        .query_async(&mut connection)
        .await
        .map_err(|e| store.failed("taking the refresh lock of", key, &e))?;
    Ok(set.is_some())
}

/// Extends the lease every third of its length while its holder owns it.
async fn renew(mut connection: ConnectionManager, lock_key: String, holder: String, lease: Duration) {
    loop {
        tokio::time::sleep(lease / 3).await;
        let renewed: Result<u8, _> = redis::Script::new(RENEW_SCRIPT)
            .key(&lock_key)
            .arg(&holder)
            .arg(millis(lease))
            .invoke_async(&mut connection)
            .await;
        match renewed {
            Ok(1) => {}
            Ok(_) => {
                tracing::warn!(lock = %lock_key, "a refresh lock ran out before it was renewed");
                return;
            }
            // Redis unreachable for a moment: try again next time.
            Err(e) => tracing::warn!(lock = %lock_key, error = %e, "cannot renew a refresh lock"),
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewal.abort();
        guard(&self.store.held).remove(&self.key);
        guard(&self.store.leased).remove(&self.key);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // No runtime to release it in: the lease runs out by itself.
            return;
        };
        let (mut connection, lock_key, holder) =
            (self.store.connection.clone(), std::mem::take(&mut self.lock_key), std::mem::take(&mut self.holder));
        runtime.spawn(async move {
            let released: Result<u8, _> =
                redis::Script::new(RELEASE_SCRIPT).key(&lock_key).arg(&holder).invoke_async(&mut connection).await;
            if let Err(e) = released {
                tracing::warn!(lock = %lock_key, error = %e, "cannot release a refresh lock; it runs out by itself");
            }
        });
    }
}

/// A value no other holder has.
fn random_holder() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `pause` plus up to half of it again, so waiters do not poll in step.
fn jittered(pause: Duration) -> Duration {
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    pause + pause.mul_f64(f64::from(nanos % 1000) / 2000.0)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX).max(1)
}
