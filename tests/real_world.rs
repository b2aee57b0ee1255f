//! The real vendor specs in `../shared/specs/` expand through the macro and
//! compile with warnings denied. The generated code is also compiled as
//! plain source, because rustc hides most lints inside macro output.
//! Skipped, with a message, when `../shared` is absent.

mod support;

use support::ScratchCrate;

/// (file under `../shared/specs/`, module name)
const SPECS: &[(&str, &str)] = &[
    ("petstore/petstore-3.0.yaml", "petstore_3_0"),
    ("petstore/petstore-3.1.yaml", "petstore_3_1"),
    ("train-travel-3.1.yaml", "train_travel"),
    ("hubspot/crm-contacts-v3.json", "hubspot_contacts"),
    ("stripe.json", "stripe"),
    ("github.json", "github"),
];

#[test]
fn vendor_specs_compile_as_plain_source_with_warnings_denied() {
    let Some(specs) = polvo_suite::shared_file("specs") else { return };
    let mut lib = String::from("#![deny(warnings)]\n#![allow(missing_docs)]\n");
    for (file, module) in SPECS {
        let source = support::generate_source(&specs.join(file), module)
            .unwrap_or_else(|d| panic!("{file} should generate:\n{d}"));
        lib.push_str(&source);
    }
    let krate = ScratchCrate::new("vendor_plain", &lib);
    let (ok, stderr) = krate.check();
    assert!(ok, "the generated code has errors or warnings:\n{stderr}");
}

#[test]
fn vendor_specs_expand_through_the_macro() {
    let Some(specs) = polvo_suite::shared_file("specs") else { return };
    let mut lib = String::from("#![deny(warnings)]\n");
    for (file, module) in SPECS {
        lib.push_str(&format!("polvo::service!(\"{file}\", name = \"{module}\");\n"));
    }
    lib.push_str(
        "pub fn _use(github: &github::Client, hubspot: &hubspot_contacts::Client) {\n\
         let _ = github.repos().get(\"rust-lang\", \"rust\");\n\
         let _ = hubspot.basic().get_page().limit(10);\n}\n",
    );
    let krate = ScratchCrate::new("vendor_macro", &lib);
    krate.link_specs(&specs);
    let (ok, stderr) = krate.check();
    assert!(ok, "the macro output does not compile:\n{stderr}");
}
