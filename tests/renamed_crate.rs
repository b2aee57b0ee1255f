//! A crate that depends on polvo under another name
//! (`my_polvo = { package = "polvo" }`) expands services with
//! `crate = "my_polvo"`: every path the generated code writes to polvo goes
//! through that one path.

mod support;

use support::ScratchCrate;

/// Specs that between them emit every kind of runtime path: models, unions
/// and string enums, operations of each body encoding, and every kind of
/// security scheme.
const SPECS: &[&str] = &[
    "models.yaml",
    "models-3.1.yaml",
    "operations.yaml",
    "transport.yaml",
    "auth/contacts.yaml",
    "auth/kinds.yaml",
    "auth/app.yaml",
    "auth/service.yaml",
];

#[test]
fn generated_code_reaches_polvo_only_through_the_crate_path() {
    let path: polvo_codegen::CratePath = "my_polvo".parse().expect("a crate name is a path");
    for spec in SPECS {
        let file = support::root().join("tests/specs").join(spec);
        let output = polvo_codegen::Generator::new("api")
            .spec(&file, *spec)
            .crate_path(path.clone())
            .generate()
            .unwrap_or_else(|d| panic!("{spec}: {d}"));
        let code = output.tokens.to_string();
        assert!(!code.contains(":: polvo"), "{spec}: the generated code still names `::polvo`");
        assert!(code.contains("my_polvo :: __private ::"), "{spec}: the generated code names `my_polvo`");
    }
}

/// The scratch crate's `lib.rs`: one service per spec, each with `options`.
fn lib_rs(options: &str) -> String {
    let mut lib = String::from("#![deny(warnings)]\n");
    for (i, spec) in SPECS.iter().enumerate() {
        lib.push_str(&format!("my_polvo::service!({spec:?}, name = \"api_{i}\"{options});\n"));
    }
    lib
}

#[test]
fn a_crate_that_renamed_polvo_compiles_with_the_crate_option() {
    let krate = ScratchCrate::with_polvo_as("renamed_polvo", &lib_rs(", crate = \"my_polvo\""), "my_polvo");
    krate.link_specs(&support::root().join("tests/specs"));
    let (ok, stderr) = krate.check();
    assert!(ok, "the services compile through `my_polvo`:\n{stderr}");

    // Without the option the generated code names `::polvo`, which this crate does not have.
    let krate = ScratchCrate::with_polvo_as("renamed_polvo_without_option", &lib_rs(""), "my_polvo");
    krate.link_specs(&support::root().join("tests/specs"));
    let (ok, stderr) = krate.check();
    assert!(!ok, "without `crate = \"my_polvo\"` the generated paths cannot resolve");
    assert!(stderr.contains("`polvo`"), "the error names the missing crate:\n{stderr}");
}
