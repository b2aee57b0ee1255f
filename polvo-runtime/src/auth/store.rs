//! Where tokens are kept: the [`TokenStore`] trait, an in-memory store and
//! a file store.
//!
//! The trait is shaped for shared stores too: `lock` lets a store hand out a
//! cross-process refresh lock (a Redis store would take a `SET NX PX` key),
//! so that of many processes sharing tokens only one refreshes them.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Mutex;

use super::token::{StoredTokens, TokenKey, TokenSet};

/// A boxed future, as the store methods return (so the trait can be used
/// as `dyn TokenStore`).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A failure of a token store.
#[derive(Debug, thiserror::Error)]
#[error("token store: {0}")]
pub struct StoreError(pub String);

/// Held while a refresh is under way; dropping it releases the lock.
pub struct StoreLock {
    _guard: Option<Box<dyn Send + Sync>>,
}

impl StoreLock {
    /// A lock that holds nothing (stores without cross-process locking).
    pub fn none() -> Self {
        StoreLock { _guard: None }
    }

    /// A lock released when `guard` is dropped.
    pub fn new(guard: impl Send + Sync + 'static) -> Self {
        StoreLock { _guard: Some(Box::new(guard)) }
    }
}

/// Keeps tokens by service, scheme and tenant.
pub trait TokenStore: Send + Sync + 'static {
    /// The tokens stored under `key`, if any.
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<TokenSet>>;

    /// Stores `tokens` under `key`, replacing what was there.
    fn save<'a>(&'a self, key: &'a TokenKey, tokens: &'a TokenSet) -> StoreFuture<'a, ()>;

    /// Forgets the tokens under `key`.
    fn remove<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()>;

    /// Takes the refresh lock of `key` across every process sharing the
    /// store. Refreshes within one process are already single-flight, so
    /// stores used by one process need not override this.
    fn lock<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, StoreLock> {
        let _ = key;
        Box::pin(async { Ok(StoreLock::none()) })
    }
}

/// Tokens kept in memory, lost when the process ends. The default.
#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<TokenKey, TokenSet>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

impl TokenStore for MemoryStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<TokenSet>> {
        let found =
            self.tokens.lock().map(|t| t.get(key).cloned()).map_err(|_| StoreError("memory store poisoned".into()));
        Box::pin(async move { found })
    }

    fn save<'a>(&'a self, key: &'a TokenKey, tokens: &'a TokenSet) -> StoreFuture<'a, ()> {
        let done = self
            .tokens
            .lock()
            .map(|mut t| {
                t.insert(key.clone(), tokens.clone());
            })
            .map_err(|_| StoreError("memory store poisoned".into()));
        Box::pin(async move { done })
    }

    fn remove<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        let done = self
            .tokens
            .lock()
            .map(|mut t| {
                t.remove(key);
            })
            .map_err(|_| StoreError("memory store poisoned".into()));
        Box::pin(async move { done })
    }
}

/// Tokens kept as JSON files in a directory, one per key, readable only by
/// their owner (0600; the directory 0700), each replaced atomically.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// A store in `dir`, created (0700) if it does not exist.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| StoreError(format!("cannot create {}: {e}", dir.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| StoreError(format!("cannot restrict {}: {e}", dir.display())))?;
        }
        Ok(FileStore { dir })
    }

    /// The file holding `key`'s tokens.
    pub fn path_of(&self, key: &TokenKey) -> PathBuf {
        let part = |s: &str| -> String {
            s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
        };
        // A hash keeps keys that differ only in replaced characters apart.
        let mut hash: u64 = 0xcbf29ce484222325;
        for b in key.to_string().bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x100000001b3);
        }
        self.dir.join(format!("{}.{}.{}.{hash:016x}.json", part(&key.service), part(&key.scheme), part(&key.tenant)))
    }

    fn write(path: &Path, text: &str) -> Result<(), StoreError> {
        use std::io::Write;
        // Unique per process and per write, so overlapping saves of one key
        // never share a temporary file.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp.{}.{n}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let result = options
            .open(&tmp)
            .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(|e| StoreError(format!("cannot write {}: {e}", path.display())))
    }
}

impl TokenStore for FileStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<TokenSet>> {
        let path = self.path_of(key);
        Box::pin(blocking(move || match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str::<StoredTokens>(&text).map(|s| Some(TokenSet::from(s))).map_err(|e| {
                StoreError(format!("{} is not a token file: {}", path.display(), super::error::json_problem(&e)))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError(format!("cannot read {}: {e}", path.display()))),
        }))
    }

    fn save<'a>(&'a self, key: &'a TokenKey, tokens: &'a TokenSet) -> StoreFuture<'a, ()> {
        let path = self.path_of(key);
        let text = serde_json::to_string(&StoredTokens::from(tokens));
        Box::pin(async move {
            let text = text.map_err(|e| StoreError(format!("cannot encode tokens: {e}")))?;
            blocking(move || FileStore::write(&path, &text)).await
        })
    }

    fn remove<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        let path = self.path_of(key);
        Box::pin(blocking(move || match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError(format!("cannot remove {}: {e}", path.display()))),
        }))
    }
}

/// Runs file I/O on tokio's blocking threads, off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| StoreError(format!("file store task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[tokio::test]
    async fn file_store_round_trips_with_owner_only_permissions() {
        let dir = std::env::temp_dir().join(format!("polvo-store-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = FileStore::new(&dir).unwrap();
        let key = TokenKey::new("hubspot", "oauth2", "portal/1");
        assert!(store.load(&key).await.unwrap().is_none());
        let mut tokens = TokenSet::new("access");
        tokens.refresh_token = Some(secrecy::SecretString::from("refresh".to_owned()));
        tokens.scopes = vec!["a".into()];
        store.save(&key, &tokens).await.unwrap();
        // Saving again replaces the file, still owner-only.
        tokens.access_token = secrecy::SecretString::from("access".to_owned());
        store.save(&key, &tokens).await.unwrap();
        let loaded = store.load(&key).await.unwrap().expect("stored");
        assert_eq!(loaded.access_token.expose_secret(), "access");
        assert_eq!(loaded.refresh_token.unwrap().expose_secret(), "refresh");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path_of(&key)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dir_mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
            assert_eq!(dir_mode, 0o700);
        }
        // Keys that differ only in characters replaced in file names stay apart.
        let other = TokenKey::new("hubspot", "oauth2", "portal:1");
        assert_ne!(store.path_of(&key), store.path_of(&other));
        assert!(store.load(&other).await.unwrap().is_none());
        // No temporary files are left behind.
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp."))
            .collect();
        assert!(leftovers.is_empty());
        store.remove(&key).await.unwrap();
        assert!(store.load(&key).await.unwrap().is_none());
        store.remove(&key).await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn overlapping_saves_of_one_key_leave_one_whole_file() {
        let dir = std::env::temp_dir().join(format!("polvo-store-overlap-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = std::sync::Arc::new(FileStore::new(&dir).unwrap());
        let key = TokenKey::new("s", "o", "t");
        let saves = (0..32).map(|i| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move { store.save(&key, &TokenSet::new(format!("access-{i}"))).await })
        });
        for save in saves.collect::<Vec<_>>() {
            save.await.unwrap().expect("every save succeeds");
        }
        let loaded = store.load(&key).await.unwrap().expect("stored");
        assert!(loaded.access_token.expose_secret().starts_with("access-"));
        let files = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(files, 1, "no temporary files are left behind");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_corrupt_token_file_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("polvo-store-corrupt-{}", std::process::id()));
        let store = FileStore::new(&dir).unwrap();
        let key = TokenKey::new("s", "o", "t");
        std::fs::write(store.path_of(&key), "{not json").unwrap();
        let err = store.load(&key).await.unwrap_err();
        assert!(err.to_string().contains("is not a token file"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
