//! `Builder`, the build-script surface: the file it writes is the macro's
//! expansion formatted, written only when it changes, and its errors point
//! into the spec.

use polvo_codegen::{BuildError, Builder, Generator};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A spec of the suite's `tests/specs`, by absolute path.
fn suite_spec(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/specs").join(relative)
}

/// An empty directory of its own for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polvo-builder-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn writing_the_same_client_twice_leaves_the_file_untouched() {
    let dir = fresh_dir("twice");
    let builder = Builder::new().spec_at(suite_spec("operations.yaml"), "operations.yaml").out_dir(&dir).quiet();
    let path = builder.write().expect("written");
    assert_eq!(path, dir.join("operations.rs"), "named after the module");
    // An old modification time, which only a write would change.
    let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(long_ago).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();

    assert_eq!(builder.write().expect("written again"), path);
    assert_eq!(modified(&path), long_ago, "unchanged content is not written again");

    // A file that differs (edited by hand, or an older polvo's) is replaced.
    std::fs::write(&path, format!("{written}\n// edited\n")).unwrap();
    builder.write().expect("rewritten");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The macro's expansion of `generator` (it tracks the files it reads),
/// formatted, without the `include_bytes!` lines that do the tracking.
fn macro_expansion(generator: Generator) -> String {
    let output = generator.track_files(true).generate().expect("the spec generates");
    let formatted = output.formatted().expect("it parses");
    assert!(formatted.contains("include_bytes!"), "the macro tracks its files");
    formatted.lines().filter(|line| !line.contains("include_bytes!")).map(|line| format!("{line}\n")).collect()
}

#[test]
fn the_file_is_the_macros_expansion_formatted() {
    let spec = suite_spec("operations.yaml");
    let builder =
        Builder::new().spec_at(&spec, "operations.yaml").tags(["items"]).serde_impls(polvo_codegen::SerdeImpls::Both);
    let generated = builder.generate().expect("generated");
    let expected = macro_expansion(
        Generator::with_fallback_name("operations")
            .spec(&spec, "operations.yaml")
            .tags(["items"])
            .serde_impls(polvo_codegen::SerdeImpls::Both),
    );
    assert_eq!(generated.source, expected);
    assert_eq!(generated.module, "operations");
    // Not the whole spec: the tag filter applied.
    let everything = Builder::new().spec_at(&spec, "operations.yaml").generate().unwrap();
    assert_ne!(everything.source, generated.source);
}

#[test]
fn several_files_and_their_sidecar_are_read_and_reported() {
    let contacts = suite_spec("multi-sidecar/contacts.yaml");
    let generated = Builder::new().spec_at(&contacts, "multi-sidecar/contacts.yaml").generate().expect("generated");
    assert_eq!(generated.module, "crm_by_sidecar", "named by the sidecar");
    let read: Vec<String> = generated.files.iter().map(|p| p.display().to_string()).collect();
    for file in ["contacts.yaml", "companies.yaml", "contacts.polvo.yaml"] {
        assert!(read.iter().any(|p| p.ends_with(file)), "{file} is tracked: {read:?}");
    }
    let named = Builder::new().spec_at(&contacts, "contacts.yaml").name("crm").generate().unwrap();
    assert_eq!(named.module, "crm");
    assert!(named.source.contains("pub mod crm {"));
}

#[test]
fn spec_errors_point_into_the_spec_and_missing_files_say_where_they_were_looked_for() {
    let error = Builder::new().spec_at(suite_spec("broken/dangling-refs.yaml"), "dangling-refs.yaml").generate();
    match error {
        Err(BuildError::Spec(diagnostics)) => {
            let text = diagnostics.to_string();
            assert!(text.starts_with("dangling-refs.yaml#/"), "{text}");
        }
        other => panic!("expected spec errors, got {other:?}"),
    }
    let missing = Builder::new().spec("no/such/spec.yaml").generate().unwrap_err();
    assert!(missing.to_string().contains("`no/such/spec.yaml` not found: looked in `specs/`"), "{missing}");
    assert!(matches!(Builder::new().generate(), Err(BuildError::NoSpec)));
    let bad_name = Builder::new().spec_at(suite_spec("operations.yaml"), "o.yaml").name("--").generate();
    assert!(matches!(bad_name, Err(BuildError::InvalidName(_))));
}
