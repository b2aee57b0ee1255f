//! Pending logins in a [`FileStore`]: one owner-only file per login in the
//! store's `logins` directory, named after the SHA-256 of its store key and
//! `state` (so no `state` shows in a listing).
//!
//! A login is taken by renaming its file to a name unique to the taker
//! (only one rename of a file succeeds, across processes), then reading and
//! removing it. Saving a login sweeps expired ones, and files a taker that
//! died left behind.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{FileStore, StoreError};
use crate::auth::pending::StoredLogin;
use crate::auth::token::TokenKey;

/// The extension of a waiting login's file.
const LOGIN_EXTENSION: &str = "login";

/// The mark in the name of a file being taken.
const TAKEN_MARK: &str = ".taken.";

/// How old a file being taken must be before a sweep removes it (its
/// taker died between the rename and the removal).
const ABANDONED_AFTER: Duration = Duration::from_secs(60);

impl FileStore {
    /// The directory of pending logins.
    pub fn logins_dir(&self) -> PathBuf {
        self.dir.join("logins")
    }

    /// The file of the login `key`'s tenant started with `state`.
    pub fn login_path_of(&self, key: &TokenKey, state: &str) -> PathBuf {
        self.logins_dir().join(format!("{}.{LOGIN_EXTENSION}", super::login_digest(key, state)))
    }
}

/// Writes `login` to `path` (atomically, 0600), creating the logins
/// directory (0700) if needed, after sweeping expired logins.
pub(super) fn save(path: &Path, login: &StoredLogin) -> Result<(), StoreError> {
    let dir = path.parent().ok_or_else(|| StoreError(format!("{} has no directory", path.display())))?;
    create_private_dir(dir)?;
    sweep(dir, SystemTime::now());
    let text = login.to_json();
    FileStore::write(path, secrecy::ExposeSecret::expose_secret(&text))
}

/// Takes the login at `path`: renames it away (so no one else can take
/// it), reads it and removes it. `None` if there is none.
pub(super) fn take(path: &Path) -> Result<Option<StoredLogin>, StoreError> {
    let taken = path.with_extension(format!("{LOGIN_EXTENSION}{TAKEN_MARK}{}", unique()));
    match std::fs::rename(path, &taken) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError(format!("cannot take {}: {e}", path.display()))),
    }
    let text = std::fs::read_to_string(&taken);
    let _ = std::fs::remove_file(&taken);
    let text = text.map_err(|e| StoreError(format!("cannot read {}: {e}", taken.display())))?;
    StoredLogin::from_json(&text, &path.display().to_string()).map(Some)
}

/// A suffix no other take in this or another process uses.
fn unique() -> String {
    static TAKES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = TAKES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}.{n}", std::process::id())
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(StoreError(format!("cannot create {}: {e}", dir.display()))),
    }
}

/// Removes expired logins and long-abandoned files being taken. Best
/// effort: a file another process removes meanwhile is skipped.
fn sweep(dir: &Path, now: SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = if name.contains(TAKEN_MARK) {
            let modified = entry.metadata().and_then(|m| m.modified());
            modified.is_ok_and(|at| now.duration_since(at).is_ok_and(|age| age > ABANDONED_AFTER))
        } else if path.extension().is_some_and(|e| e == LOGIN_EXTENSION) {
            let login = std::fs::read_to_string(&path).ok().and_then(|t| StoredLogin::from_json(&t, "").ok());
            login.is_some_and(|l| !l.is_live(now))
        } else {
            false
        };
        if stale {
            let _ = std::fs::remove_file(&path);
        }
    }
}
