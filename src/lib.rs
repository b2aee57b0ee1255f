//! Support shared by polvo's examples and end-to-end tests: where the
//! shared vendor specs live, and the local test servers the tests start.

use std::path::PathBuf;

pub mod servers;

/// The directory of the real vendor specs and the APIs.guru corpus
/// (`../shared` next to the repository), if it is present.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("shared");
    dir.is_dir().then_some(dir)
}

/// A file under the shared directory, or `None` (with a message saying the
/// test is skipped) when the directory is absent.
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    match shared_dir() {
        Some(dir) => Some(dir.join(relative)),
        None => {
            eprintln!("skipped: ../shared is absent, so `{relative}` cannot be read");
            None
        }
    }
}
