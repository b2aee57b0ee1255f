//! Compile-pass and compile-fail tests of `polvo::service!`, with the
//! error messages pinned in `tests/ui/fail/*.stderr`.

use std::path::PathBuf;

/// trybuild compiles the test files in its own crate under the target
/// directory, so `CARGO_MANIFEST_DIR` is that crate; linking its `tests`
/// to ours lets the test files name specs as `tests/specs/...`.
fn link_specs_into_trybuild_crate() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() { target } else { root.join(target) };
    let project = target.join("tests").join("trybuild").join(env!("CARGO_PKG_NAME"));
    std::fs::create_dir_all(&project).expect("create trybuild project directory");
    let link = project.join("tests");
    if std::fs::read_link(&link).ok() != Some(root.join("tests")) {
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(root.join("tests"), &link).expect("link tests/ into the trybuild crate");
    }
}

#[test]
fn ui() {
    link_specs_into_trybuild_crate();
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
