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
use std::time::{Duration, Instant};

mod file_logins;

use super::pending::StoredLogin;
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

    /// Checks that tokens for `key` could be saved now: asked before a login
    /// spends its one-time code, so a store that cannot keep the tokens is
    /// reported while the login can still be repeated. The default asks
    /// [`TokenStore::load`] (a store that answers can usually save); stores
    /// with a direct test of writing override it.
    fn check<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.load(key).await.map(drop) })
    }

    /// Takes the refresh lock of `key` across every process sharing the
    /// store. Refreshes within one process are already single-flight, so
    /// stores used by one process need not override this.
    fn lock<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, StoreLock> {
        let _ = key;
        Box::pin(async { Ok(StoreLock::none()) })
    }

    /// Keeps a login `key`'s tenant started with `state` until it is taken
    /// or `login.expires_at` has passed (stores may drop it then). Every
    /// process sharing the store must be able to take it.
    fn save_login<'a>(&'a self, key: &'a TokenKey, state: &'a str, login: &'a StoredLogin) -> StoreFuture<'a, ()>;

    /// Takes the login saved under `key` and `state`, atomically: of
    /// callers racing for one login (in any process sharing the store), at
    /// most one gets it, and it is gone afterwards. An expired login may
    /// still be returned; the caller checks `expires_at`.
    fn take_login<'a>(&'a self, key: &'a TokenKey, state: &'a str) -> StoreFuture<'a, Option<StoredLogin>>;
}

/// A shared store is a store: an `Arc<dyn TokenStore>` (what
/// `ClientBuilder::shared_token_store` takes) can be wrapped, in an
/// [`EncryptedStore`](super::EncryptedStore) for one.
impl<T: TokenStore + ?Sized> TokenStore for std::sync::Arc<T> {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<TokenSet>> {
        (**self).load(key)
    }

    fn save<'a>(&'a self, key: &'a TokenKey, tokens: &'a TokenSet) -> StoreFuture<'a, ()> {
        (**self).save(key, tokens)
    }

    fn remove<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        (**self).remove(key)
    }

    fn check<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        (**self).check(key)
    }

    fn lock<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, StoreLock> {
        (**self).lock(key)
    }

    fn save_login<'a>(&'a self, key: &'a TokenKey, state: &'a str, login: &'a StoredLogin) -> StoreFuture<'a, ()> {
        (**self).save_login(key, state, login)
    }

    fn take_login<'a>(&'a self, key: &'a TokenKey, state: &'a str) -> StoreFuture<'a, Option<StoredLogin>> {
        (**self).take_login(key, state)
    }
}

/// The SHA-256 of a login's store key and `state`, in hex: names a stored
/// login without putting its `state` in file names or Redis keys.
pub(crate) fn login_digest(key: &TokenKey, state: &str) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    for part in [key.service.as_str(), &key.scheme, &key.tenant, state] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Tokens kept in memory, lost when the process ends. The default.
#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<TokenKey, TokenSet>>,
    logins: Mutex<HashMap<(TokenKey, String), StoredLogin>>,
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

    /// Keeps the login. At 10,000 logins, expired ones are dropped and,
    /// if none has expired, the one that expires first.
    fn save_login<'a>(&'a self, key: &'a TokenKey, state: &'a str, login: &'a StoredLogin) -> StoreFuture<'a, ()> {
        let done = self
            .logins
            .lock()
            .map(|mut logins| {
                if logins.len() >= super::pending::MAX_PENDING {
                    let now = std::time::SystemTime::now();
                    logins.retain(|_, l| l.is_live(now));
                }
                while logins.len() >= super::pending::MAX_PENDING {
                    let Some(first) = logins.iter().min_by_key(|(_, l)| l.expires_at).map(|(k, _)| k.clone()) else {
                        break;
                    };
                    logins.remove(&first);
                }
                logins.insert((key.clone(), state.to_owned()), login.clone());
            })
            .map_err(|_| StoreError("memory store poisoned".into()));
        Box::pin(async move { done })
    }

    fn take_login<'a>(&'a self, key: &'a TokenKey, state: &'a str) -> StoreFuture<'a, Option<StoredLogin>> {
        let taken = self
            .logins
            .lock()
            .map(|mut logins| logins.remove(&(key.clone(), state.to_owned())))
            .map_err(|_| StoreError("memory store poisoned".into()));
        Box::pin(async move { taken })
    }
}

/// Tokens kept as JSON files in a directory, one per key, readable only by
/// their owner (0600), each replaced atomically.
///
/// A file is named after its key: a readable part (the service, scheme and
/// tenant with characters other than ASCII letters, digits, `-` and `_`
/// replaced by `_`, cut to 100 bytes) and the SHA-256 of the
/// whole key, so names stay short whatever the tenant and distinct keys
/// never share a file. Files written under the earlier naming (before 0.2)
/// are still read when no file has the new name; the next save writes the
/// new name and removes the old file.
///
/// Processes sharing the directory on one machine refresh a tenant's
/// tokens once: [`TokenStore::lock`] takes an advisory lock (`flock`) on a
/// `.lock` file beside the key's file, which the operating system releases
/// when its holder ends, however it ends. The lock files stay (removing
/// them would let two holders lock different files of one name).
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
    lock_timeout: Duration,
}

/// How long [`FileStore::lock`](TokenStore::lock) waits by default for
/// another process's refresh before it reports an error.
pub const DEFAULT_FILE_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// The most bytes of a file name taken from the key's text.
pub(crate) const READABLE_NAME_BYTES: usize = 100;

impl FileStore {
    /// A store in `dir`. A directory that does not exist is created,
    /// readable only by its owner (0700); an existing one is used as it is,
    /// its permissions untouched (the token files themselves are 0600).
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        let cannot = |e: std::io::Error| StoreError(format!("cannot create {}: {e}", dir.display()));
        if !dir.is_dir() {
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(cannot)?;
            }
            // Only Unix sets a mode on it.
            #[cfg_attr(not(unix), allow(unused_mut))]
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            match builder.create(&dir) {
                Ok(()) => {}
                // Created meanwhile by someone else: theirs, left as it is.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
                Err(e) => return Err(cannot(e)),
            }
        }
        Ok(FileStore { dir, lock_timeout: DEFAULT_FILE_LOCK_TIMEOUT })
    }

    /// How long taking a key's refresh lock waits for another process that
    /// holds it (by default [`DEFAULT_FILE_LOCK_TIMEOUT`]); then the call
    /// fails with a store error naming the lock file.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The file whose advisory lock guards the refresh of `key`'s tokens.
    pub fn lock_path_of(&self, key: &TokenKey) -> PathBuf {
        self.path_of(key).with_extension("lock")
    }

    /// The file holding `key`'s tokens.
    pub fn path_of(&self, key: &TokenKey) -> PathBuf {
        use sha2::Digest;
        let mut readable = readable_name(key);
        // Sanitized text is ASCII, so any byte length is a character boundary.
        readable.truncate(READABLE_NAME_BYTES);
        // Each part is length-prefixed, so no two keys hash the same text.
        let mut hasher = sha2::Sha256::new();
        for part in [&key.service, &key.scheme, &key.tenant] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        let digest: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{readable}.{digest}.json"))
    }

    /// The file the earlier naming gave `key` (unbounded, with a 64-bit
    /// hash), read so that tokens stored before the change are not lost.
    fn legacy_path_of(&self, key: &TokenKey) -> PathBuf {
        let mut hash: u64 = 0xcbf29ce484222325;
        for b in key.to_string().bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x100000001b3);
        }
        self.dir.join(format!("{}.{hash:016x}.json", readable_name(key)))
    }

    /// A temporary file beside `path`, unique per process and per use, so
    /// overlapping writes of one key never share one.
    fn temporary(path: &Path) -> PathBuf {
        static USES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = USES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        path.with_extension(format!("tmp.{}.{n}", std::process::id()))
    }

    /// Creates `tmp` for writing, readable only by its owner.
    fn create(tmp: &Path) -> std::io::Result<std::fs::File> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(tmp)
    }

    fn write(path: &Path, text: &str) -> Result<(), StoreError> {
        use std::io::Write;
        let tmp = FileStore::temporary(path);
        let result = FileStore::create(&tmp)
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
        let (path, legacy) = (self.path_of(key), self.legacy_path_of(key));
        // Files are never moved here: a move could put the old file over
        // tokens a save wrote meanwhile. The next save removes the old one.
        Box::pin(blocking(move || match read_tokens(&path, false)? {
            Some(tokens) => Ok(Some(tokens)),
            None => Ok(read_tokens(&legacy, true).ok().flatten()),
        }))
    }

    /// Creates and removes a temporary file beside the key's file: the
    /// directory is writable and the name fits the file system. A token
    /// file that cannot be read (a corrupt one) does not matter here: the
    /// save replaces it.
    fn check<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        let path = self.path_of(key);
        Box::pin(blocking(move || {
            let tmp = FileStore::temporary(&path);
            let created = FileStore::create(&tmp);
            let _ = std::fs::remove_file(&tmp);
            created.map(drop).map_err(|e| StoreError(format!("cannot write {}: {e}", path.display())))
        }))
    }

    fn save<'a>(&'a self, key: &'a TokenKey, tokens: &'a TokenSet) -> StoreFuture<'a, ()> {
        let (path, legacy) = (self.path_of(key), self.legacy_path_of(key));
        let text = serde_json::to_string(&StoredTokens::from(tokens));
        Box::pin(async move {
            let text = text.map_err(|e| StoreError(format!("cannot encode tokens: {e}")))?;
            blocking(move || {
                FileStore::write(&path, &text)?;
                // An older copy under the earlier name holds stale secrets.
                let _ = std::fs::remove_file(&legacy);
                Ok(())
            })
            .await
        })
    }

    /// Writes the login to its own file in [`FileStore::logins_dir`]
    /// (0600), sweeping expired ones.
    fn save_login<'a>(&'a self, key: &'a TokenKey, state: &'a str, login: &'a StoredLogin) -> StoreFuture<'a, ()> {
        let (path, login) = (self.login_path_of(key, state), login.clone());
        Box::pin(blocking(move || file_logins::save(&path, &login)))
    }

    /// Renames the login's file to a name of its own (one taker wins), then
    /// reads and removes it.
    fn take_login<'a>(&'a self, key: &'a TokenKey, state: &'a str) -> StoreFuture<'a, Option<StoredLogin>> {
        let path = self.login_path_of(key, state);
        Box::pin(blocking(move || file_logins::take(&path)))
    }

    /// Takes an exclusive advisory lock on the key's `.lock` file, polling
    /// with backoff (no blocking thread waits), for at most the store's
    /// lock timeout.
    fn lock<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, StoreLock> {
        let path = self.lock_path_of(key);
        let timeout = self.lock_timeout;
        Box::pin(async move {
            let file = {
                let path = path.clone();
                blocking(move || open_lock_file(&path)).await?
            };
            let deadline = Instant::now() + timeout;
            let mut pause = Duration::from_millis(2);
            loop {
                match fs4::FileExt::try_lock(&file) {
                    // Closing the file (dropping the lock) releases it.
                    Ok(()) => return Ok(StoreLock::new(file)),
                    Err(fs4::TryLockError::WouldBlock) => {}
                    Err(fs4::TryLockError::Error(e)) => {
                        return Err(StoreError(format!("cannot lock {}: {e}", path.display())));
                    }
                }
                if Instant::now() >= deadline {
                    return Err(StoreError(format!(
                        "another process held {} for over {} s",
                        path.display(),
                        timeout.as_secs_f32()
                    )));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(50));
            }
        })
    }

    fn remove<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        let (path, legacy) = (self.path_of(key), self.legacy_path_of(key));
        Box::pin(blocking(move || {
            for file in [&path, &legacy] {
                match std::fs::remove_file(file) {
                    Ok(()) => {}
                    // A legacy name too long for the file system was never written.
                    Err(e) if file == &legacy || e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(StoreError(format!("cannot remove {}: {e}", file.display()))),
                }
            }
            Ok(())
        }))
    }
}

/// The tokens in `path`; `None` if there is no such file, or, with
/// `long_name_is_absent` (the unbounded earlier names), if the file system
/// refuses the name as too long, so there cannot be one.
fn read_tokens(path: &Path, long_name_is_absent: bool) -> Result<Option<TokenSet>, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str::<StoredTokens>(&text).map(|s| Some(TokenSet::from(s))).map_err(|e| {
            StoreError(format!("{} is not a token file: {}", path.display(), super::error::json_problem(&e)))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if long_name_is_absent && e.kind() == std::io::ErrorKind::InvalidFilename => Ok(None),
        Err(e) => Err(StoreError(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Opens (creating, owner-only) the lock file at `path`.
fn open_lock_file(path: &Path) -> Result<std::fs::File, StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| StoreError(format!("cannot open {}: {e}", path.display())))
}

/// The readable part of `key`'s file names: its parts, sanitized, joined by dots.
fn readable_name(key: &TokenKey) -> String {
    format!("{}.{}.{}", sanitized(&key.service), sanitized(&key.scheme), sanitized(&key.tenant))
}

/// A key part as file-name text: ASCII letters, digits, `-` and `_` kept,
/// everything else `_`.
fn sanitized(part: &str) -> String {
    part.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
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
    use std::sync::Arc;

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

    fn fresh_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("polvo-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[tokio::test]
    async fn long_and_non_ascii_tenants_get_short_distinct_file_names() {
        let dir = fresh_dir("names");
        let store = FileStore::new(&dir).unwrap();
        let long = "x".repeat(300);
        let tenants =
            [long.clone(), format!("{long}a"), format!("{long}b"), "müller-日本".to_owned(), "m_ller-__".into()];
        for (i, tenant) in tenants.iter().enumerate() {
            let key = TokenKey::new("hubspot", "oauth2", tenant.as_str());
            let name = store.path_of(&key).file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.len() <= READABLE_NAME_BYTES + 70, "{} bytes: {name}", name.len());
            store.save(&key, &TokenSet::new(format!("access-{i}"))).await.expect("saved");
        }
        for (i, tenant) in tenants.iter().enumerate() {
            let key = TokenKey::new("hubspot", "oauth2", tenant.as_str());
            let loaded = store.load(&key).await.unwrap().expect("stored");
            assert_eq!(loaded.access_token.expose_secret(), format!("access-{i}"), "{tenant}");
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), tenants.len(), "one file per key");
        // Keys whose parts split differently never share a name.
        let (a, b) = (TokenKey::new("a", "b_c", "d"), TokenKey::new("a_b", "c", "d"));
        assert_ne!(store.path_of(&a), store.path_of(&b));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn tokens_stored_under_the_earlier_naming_are_read_and_replaced_on_save() {
        let dir = fresh_dir("legacy");
        let store = FileStore::new(&dir).unwrap();
        let key = TokenKey::new("s", "o", "portal/1");
        let legacy = store.legacy_path_of(&key);
        assert_eq!(legacy.file_name().unwrap().to_string_lossy(), "s.o.portal_1.87e2bfed94b30847.json");
        std::fs::write(&legacy, r#"{"access_token":"from-before","refresh_token":"r"}"#).unwrap();
        let loaded = store.load(&key).await.unwrap().expect("read under the earlier name");
        assert_eq!(loaded.access_token.expose_secret(), "from-before");
        store.save(&key, &TokenSet::new("newer")).await.unwrap();
        assert!(!legacy.exists(), "a stale copy under the earlier name is removed on save");
        assert_eq!(store.load(&key).await.unwrap().unwrap().access_token.expose_secret(), "newer");
        store.remove(&key).await.unwrap();
        assert!(store.load(&key).await.unwrap().is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn loading_tokens_under_the_earlier_name_never_moves_files() {
        // A load that moved the old file could put it over tokens a save
        // wrote meanwhile: only a save replaces files.
        let dir = fresh_dir("legacy-load");
        let store = FileStore::new(&dir).unwrap();
        let key = TokenKey::new("s", "o", "t");
        std::fs::write(store.legacy_path_of(&key), r#"{"access_token":"from-before"}"#).unwrap();
        let listing = || {
            let mut names: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let before = listing();
        let loaded = store.load(&key).await.unwrap().expect("read under the earlier name");
        assert_eq!(loaded.access_token.expose_secret(), "from-before");
        assert_eq!(listing(), before, "a load leaves the files as they were");
        store.save(&key, &TokenSet::new("newer")).await.unwrap();
        assert!(!store.legacy_path_of(&key).exists() && store.path_of(&key).exists(), "a save moves to the new name");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_store_path_too_long_for_the_file_system_is_an_error_not_no_tokens() {
        // A directory whose path leaves no room for a token file's name.
        let mut dir = fresh_dir("long");
        while dir.as_os_str().len() < 4000 {
            dir.push("d".repeat(200));
        }
        let store = FileStore::new(&dir).expect("the directory itself is usable");
        let key = TokenKey::new("service", "oauth2", "t".repeat(200));
        assert!(store.path_of(&key).as_os_str().len() > 4096);
        let err = store.load(&key).await.expect_err("the file system refuses the path");
        assert!(err.to_string().contains("cannot read"), "{err}");
        let _ = std::fs::remove_dir_all(fresh_dir("long"));
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_directory_keeps_its_permissions_and_a_new_one_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = fresh_dir("perms");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        FileStore::new(&dir).unwrap();
        assert_eq!(mode(&dir), 0o755, "a directory the store did not create is left alone");
        let created = dir.join("a").join("tokens");
        FileStore::new(&created).unwrap();
        assert_eq!(mode(&created), 0o700);
        FileStore::new(&created).expect("opening it again is fine");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_held_refresh_lock_makes_others_wait_and_then_time_out_clearly() {
        let dir = fresh_dir("lock");
        let store = FileStore::new(&dir).unwrap().lock_timeout(Duration::from_millis(150));
        let (key, other) = (TokenKey::new("s", "o", "t"), TokenKey::new("s", "o", "u"));
        let held = store.lock(&key).await.expect("the first lock");
        // Another key's lock is independent.
        drop(store.lock(&other).await.expect("another key's lock"));
        let err = store.lock(&key).await.err().expect("the key is held").to_string();
        assert!(err.contains("another process held") && err.contains(".lock"), "{err}");
        let waiter = tokio::spawn({
            let (store, key) = (store.clone().lock_timeout(Duration::from_secs(30)), key.clone());
            async move { store.lock(&key).await.map(drop) }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "the waiter waits while the lock is held");
        drop(held);
        waiter.await.unwrap().expect("the lock is taken once released");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.lock_path_of(&key)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn a_login(verifier: &str, life: Duration) -> StoredLogin {
        let expires_at = std::time::SystemTime::now() + life;
        StoredLogin::new(secrecy::SecretString::from(verifier.to_owned()), expires_at)
    }

    /// Many takers race for one login: exactly one gets it.
    async fn one_taker_wins(store: Arc<dyn TokenStore>) {
        let key = TokenKey::new("s", "o", "t");
        store.save_login(&key, "state", &a_login("the-verifier", Duration::from_secs(600))).await.unwrap();
        let takers: Vec<_> = (0..16)
            .map(|_| {
                let (store, key) = (store.clone(), key.clone());
                tokio::spawn(async move { store.take_login(&key, "state").await })
            })
            .collect();
        let mut won = Vec::new();
        for taker in takers {
            won.extend(taker.await.unwrap().expect("a take succeeds or finds nothing"));
        }
        assert_eq!(won.len(), 1, "single use");
        assert_eq!(won[0].verifier.expose_secret(), "the-verifier");
        // Logins are kept by tenant and state.
        store.save_login(&key, "state", &a_login("again", Duration::from_secs(600))).await.unwrap();
        assert!(store.take_login(&TokenKey::new("s", "o", "u"), "state").await.unwrap().is_none());
        assert!(store.take_login(&key, "other").await.unwrap().is_none());
        assert!(store.take_login(&key, "state").await.unwrap().is_some());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_memory_store_gives_a_login_to_one_taker() {
        one_taker_wins(Arc::new(MemoryStore::new())).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_file_store_gives_a_login_to_one_taker_and_leaves_no_file() {
        let dir = fresh_dir("logins");
        let store = FileStore::new(&dir).unwrap();
        one_taker_wins(Arc::new(store.clone())).await;
        let left = std::fs::read_dir(store.logins_dir()).unwrap().count();
        assert_eq!(left, 0, "taken logins leave no file");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = TokenKey::new("s", "o", "t");
            store.save_login(&key, "st", &a_login("v", Duration::from_secs(600))).await.unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&store.login_path_of(&key, "st")), 0o600);
            assert_eq!(mode(&store.logins_dir()), 0o700);
            let name = store.login_path_of(&key, "st").file_name().unwrap().to_string_lossy().into_owned();
            assert!(!name.contains("st."), "the state is not in the file name: {name}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn saving_a_login_sweeps_expired_ones_from_a_file_store() {
        let dir = fresh_dir("logins-sweep");
        let store = FileStore::new(&dir).unwrap();
        let key = TokenKey::new("s", "o", "t");
        let expired = StoredLogin::new(
            secrecy::SecretString::from("old".to_owned()),
            std::time::SystemTime::now() - Duration::from_secs(1),
        );
        store.save_login(&key, "old", &expired).await.unwrap();
        assert!(store.login_path_of(&key, "old").exists());
        store.save_login(&key, "new", &a_login("new", Duration::from_secs(600))).await.unwrap();
        assert!(!store.login_path_of(&key, "old").exists(), "the expired login was swept");
        assert!(store.login_path_of(&key, "new").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_memory_store_keeps_a_bounded_number_of_logins() {
        let store = MemoryStore::new();
        let key = TokenKey::new("s", "o", "t");
        for i in 0..super::super::pending::MAX_PENDING + 10 {
            let life = Duration::from_secs(600 + i as u64);
            store.save_login(&key, &format!("s{i}"), &a_login("v", life)).await.unwrap();
        }
        assert_eq!(store.logins.lock().unwrap().len(), super::super::pending::MAX_PENDING);
        assert!(store.take_login(&key, "s0").await.unwrap().is_none(), "the first to expire gave way");
        assert!(store.take_login(&key, "s10009").await.unwrap().is_some());
    }
}
