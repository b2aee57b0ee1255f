//! Snapshots of the code generated for the project's own small specs.
//! Review changes with `cargo insta review`.

mod support;

fn snapshot(spec: &str, module: &str) {
    let path = support::root().join("tests/specs").join(spec);
    let source = support::generate_source(&path, module).unwrap_or_else(|d| panic!("{spec} should generate:\n{d}"));
    insta::assert_snapshot!(module, source);
}

#[test]
fn models() {
    snapshot("models.yaml", "models");
}

#[test]
fn models_3_1() {
    snapshot("models-3.1.yaml", "models_3_1");
}

#[test]
fn operations() {
    snapshot("operations.yaml", "operations");
}

#[test]
fn split_files() {
    snapshot("split/api.yaml", "split");
}
