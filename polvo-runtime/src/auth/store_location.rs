//! The default place of a [`FileStore`]: where `polvo login` saves tokens
//! and where a program finds them with one builder call.

use std::ffi::OsString;
use std::path::PathBuf;

use super::store::{FileStore, StoreError};

impl FileStore {
    /// The environment variable that moves the default token directory.
    pub const DIR_ENV: &'static str = "POLVO_TOKEN_DIR";

    /// The directory `polvo login` saves tokens in and
    /// [`FileStore::default_location`] reads: `$POLVO_TOKEN_DIR` when set,
    /// otherwise `$XDG_DATA_HOME/polvo/tokens`, otherwise
    /// `~/.local/share/polvo/tokens` (on Windows `%LOCALAPPDATA%\polvo\tokens`).
    pub fn default_dir() -> Result<PathBuf, StoreError> {
        default_dir_from(|name| std::env::var_os(name))
    }

    /// The store in [`FileStore::default_dir`], created (readable only by
    /// its owner) if needed. Give it to a generated client and it uses the
    /// tokens `polvo login` saved:
    ///
    /// ```ignore
    /// let client = hubspot::Client::builder()
    ///     .from_env()
    ///     .token_store(polvo::auth::FileStore::default_location()?)
    ///     .build()?;
    /// ```
    pub fn default_location() -> Result<FileStore, StoreError> {
        FileStore::new(FileStore::default_dir()?)
    }
}

/// [`FileStore::default_dir`] with the environment read through `var`.
fn default_dir_from(var: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, StoreError> {
    // Relative paths in these variables are ignored, as the XDG spec says.
    let absolute = |name: &str| var(name).map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(dir) = var(FileStore::DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let data_home = if cfg!(windows) {
        absolute("LOCALAPPDATA")
    } else {
        absolute("XDG_DATA_HOME").or_else(|| absolute("HOME").map(|home| home.join(".local").join("share")))
    };
    data_home.map(|dir| dir.join("polvo").join("tokens")).ok_or_else(|| {
        StoreError(format!("no directory for tokens: set {} (or HOME) to choose one", FileStore::DIR_ENV))
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn dir_with(vars: &[(&str, &str)]) -> Result<PathBuf, StoreError> {
        default_dir_from(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| OsString::from(v)))
    }

    #[test]
    fn the_variable_wins_then_xdg_data_home_then_home() {
        let all = [("POLVO_TOKEN_DIR", "/run/tokens"), ("XDG_DATA_HOME", "/data"), ("HOME", "/home/me")];
        assert_eq!(dir_with(&all).unwrap(), PathBuf::from("/run/tokens"));
        assert_eq!(dir_with(&all[1..]).unwrap(), PathBuf::from("/data/polvo/tokens"));
        assert_eq!(dir_with(&all[2..]).unwrap(), PathBuf::from("/home/me/.local/share/polvo/tokens"));
        // Empty or relative values are ignored.
        let ignored = [("POLVO_TOKEN_DIR", ""), ("XDG_DATA_HOME", "data"), ("HOME", "/home/me")];
        assert_eq!(dir_with(&ignored).unwrap(), PathBuf::from("/home/me/.local/share/polvo/tokens"));
        let err = dir_with(&[]).unwrap_err();
        assert!(err.to_string().contains("set POLVO_TOKEN_DIR"), "{err}");
    }
}
