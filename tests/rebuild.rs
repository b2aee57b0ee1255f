//! Editing a spec file triggers a rebuild of the crate that expands it.

mod support;

use support::ScratchCrate;

const SPEC_V1: &str = "openapi: 3.0.3\ninfo: {title: Rebuild, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/First'}\ncomponents:\n  schemas:\n    First:\n      type: object\n      properties:\n        x: {type: string}\n";

#[test]
fn editing_the_spec_rebuilds_the_crate() {
    let lib = "#![deny(warnings)]\npolvo::service!(\"api.yaml\");\npub fn _use(value: api::types::First) -> Option<String> { value.x }\n";
    let krate = ScratchCrate::new("rebuild_on_edit", lib);
    let specs = krate.dir.join("specs");
    let _ = std::fs::remove_file(&specs);
    std::fs::create_dir_all(&specs).expect("create specs/");
    std::fs::write(specs.join("api.yaml"), SPEC_V1).expect("write spec");
    let (ok, stderr) = krate.check();
    assert!(ok, "the first version compiles:\n{stderr}");

    // Renaming the schema must be seen by the next build, with nothing else touched.
    std::fs::write(specs.join("api.yaml"), SPEC_V1.replace("First", "Second")).expect("edit spec");
    let (ok, stderr) = krate.check();
    assert!(!ok, "the edited spec no longer defines `First`, so the crate must fail to compile");
    assert!(stderr.contains("First"), "the error names the missing type:\n{stderr}");

    std::fs::write(specs.join("api.yaml"), SPEC_V1).expect("restore spec");
    let (ok, stderr) = krate.check();
    assert!(ok, "restoring the spec compiles again:\n{stderr}");
}
