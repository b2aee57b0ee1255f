//! Editing a spec file, or a file it refers to, triggers a rebuild of the
//! crate that expands it.

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

#[test]
fn editing_a_referenced_file_rebuilds_the_crate() {
    let lib = "#![deny(warnings)]\npolvo::service!(\"api.yaml\");\npub fn _use(value: api::types::First) -> Option<String> { value.x }\n";
    let krate = ScratchCrate::new("rebuild_on_ref_edit", lib);
    let specs = krate.dir.join("specs");
    let _ = std::fs::remove_file(&specs);
    std::fs::create_dir_all(&specs).expect("create specs/");
    let root = "openapi: 3.0.3\ninfo: {title: Rebuild, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'models.yaml#/First'}\n";
    let models = "First:\n  type: object\n  properties:\n    x: {type: string}\n";
    std::fs::write(specs.join("api.yaml"), root).expect("write spec");
    std::fs::write(specs.join("models.yaml"), models).expect("write models");
    let (ok, stderr) = krate.check();
    assert!(ok, "the first version compiles:\n{stderr}");

    // Only the referenced file changes: `x` becomes an integer.
    std::fs::write(specs.join("models.yaml"), models.replace("type: string", "type: integer")).expect("edit models");
    let (ok, stderr) = krate.check();
    assert!(!ok, "`x` is no longer a string, so the crate must fail to compile");
    assert!(stderr.contains("mismatched types"), "the error is about `x`'s type:\n{stderr}");

    std::fs::write(specs.join("models.yaml"), models).expect("restore models");
    let (ok, stderr) = krate.check();
    assert!(ok, "restoring the file compiles again:\n{stderr}");
}

#[test]
fn editing_an_overlay_rebuilds_the_crate() {
    let lib = "#![deny(warnings)]\npolvo::service!(\"api.yaml\");\npub fn _use(value: api::types::First) -> Option<Vec<String>> { value.x }\n";
    let krate = ScratchCrate::new("rebuild_on_overlay_edit", lib);
    let specs = krate.dir.join("specs");
    let _ = std::fs::remove_file(&specs);
    std::fs::create_dir_all(&specs).expect("create specs/");
    let _ = std::fs::remove_file(specs.join("api.overlay.yaml"));
    std::fs::write(specs.join("api.yaml"), SPEC_V1).expect("write spec");
    let overlay = "overlay: 1.0.0\ninfo: {title: Fix, version: '1'}\nactions:\n  - target: $.components.schemas.First.properties.x\n    update: {type: array, items: {type: string}}\n";
    let (ok, _) = krate.check();
    assert!(!ok, "without the overlay `x` is a string, so the crate must fail to compile");

    // Adding the overlay next to the spec is seen by the next build.
    std::fs::write(specs.join("api.overlay.yaml"), overlay).expect("write overlay");
    let (ok, stderr) = krate.check();
    assert!(ok, "the overlay makes `x` a list:\n{stderr}");

    // So is editing it, with the spec untouched.
    std::fs::write(
        specs.join("api.overlay.yaml"),
        overlay.replace("type: array, items: {type: string}", "type: integer"),
    )
    .expect("edit overlay");
    let (ok, stderr) = krate.check();
    assert!(!ok, "`x` is now an integer, so the crate must fail to compile");
    assert!(stderr.contains("mismatched types"), "the error is about `x`'s type:\n{stderr}");

    std::fs::write(specs.join("api.overlay.yaml"), overlay).expect("restore overlay");
    let (ok, stderr) = krate.check();
    assert!(ok, "restoring the overlay compiles again:\n{stderr}");
}
