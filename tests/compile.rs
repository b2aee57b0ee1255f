//! Compile-pass and compile-fail tests of `polvo::service!`, with the
//! error messages pinned in `tests/ui/fail/*.stderr`.

mod support;

use std::path::PathBuf;
use support::links;

/// trybuild compiles the test files in its own crate under the target
/// directory, so `CARGO_MANIFEST_DIR` is that crate; showing our `tests`
/// there (a link, or a copy where links cannot be made) lets the test
/// files name specs as `tests/specs/...`.
fn link_specs_into_trybuild_crate() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() { target } else { root.join(target) };
    let project = target.join("tests").join("trybuild").join(env!("CARGO_PKG_NAME"));
    std::fs::create_dir_all(&project).expect("create trybuild project directory");
    links::link_dir(&root.join("tests"), &project.join("tests"));
}

#[test]
fn ui() {
    link_specs_into_trybuild_crate();
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}

/// The copy made where links cannot be: every file, nested ones too, and
/// a second call replaces the first copy rather than failing on it.
#[test]
fn a_directory_shown_by_copy_holds_every_file_and_can_be_made_again() {
    let scratch = std::env::temp_dir().join(format!("polvo-links-{}", std::process::id()));
    let source = scratch.join("source");
    std::fs::create_dir_all(source.join("nested")).unwrap();
    std::fs::write(source.join("a.yaml"), "a").unwrap();
    std::fs::write(source.join("nested").join("b.yaml"), "b").unwrap();
    let copy = scratch.join("copy");
    links::copy_dir(&source, &copy).unwrap();
    assert_eq!(std::fs::read_to_string(copy.join("a.yaml")).unwrap(), "a");
    assert_eq!(std::fs::read_to_string(copy.join("nested").join("b.yaml")).unwrap(), "b");
    // `link_dir` over an earlier copy: the copy goes, the link (or a new copy) shows the source.
    links::link_dir(&source, &copy);
    assert_eq!(std::fs::read_to_string(copy.join("nested").join("b.yaml")).unwrap(), "b");
    links::link_dir(&source, &copy);
    assert_eq!(std::fs::read_to_string(copy.join("a.yaml")).unwrap(), "a");
    let _ = std::fs::remove_dir_all(&scratch);
}
