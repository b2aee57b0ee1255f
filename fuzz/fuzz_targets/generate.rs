//! Feeds arbitrary bytes to the generator as a spec file, the way
//! `polvo::service!` reads one: the first byte picks JSON or YAML, the rest
//! is the file. Any outcome but a panic or a crash is fine.
//!
//! `cargo +nightly fuzz run generate -- -max_total_time=300` (from `fuzz/`),
//! seeded with the specs of `tests/specs` (see README.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A scratch file per fuzzing process, rewritten for every input.
fn scratch(extension: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("polvo-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        dir
    });
    dir.join(format!("spec.{extension}"))
}

/// The stack the generator runs on. cargo-fuzz builds optimized, so frames
/// are several times smaller than in the unoptimized proc macro that
/// rustc runs on what is left of its 8 MiB main thread; a small stack
/// keeps a deep recursion that would overflow there an overflow here.
const GENERATOR_STACK: usize = 512 << 10;

fuzz_target!(|data: &[u8]| {
    let Some((&format, text)) = data.split_first() else { return };
    let extension = if format % 2 == 0 { "json" } else { "yaml" };
    let path = scratch(extension);
    std::fs::write(&path, text).expect("write the spec");
    let generate = move || {
        let _ = polvo_codegen::Generator::new("api").spec(&path, format!("spec.{extension}")).generate();
    };
    let thread = std::thread::Builder::new()
        .name("generate".into())
        .stack_size(GENERATOR_STACK)
        .spawn(generate)
        .expect("spawn the generator thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
});
