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

/// GitHub's 3.0 spec describes 270 webhooks under `x-webhooks`. A sidecar
/// selecting three generates their payload types (and what they reach)
/// next to the whole client, which compiles with warnings denied; the
/// webhooks left out get no type.
#[test]
fn github_webhook_payloads_selected_in_a_sidecar_compile() {
    let Some(specs) = polvo_suite::shared_file("specs") else { return };
    let dir = support::root().join("target/polvo-scratch/github_webhooks_sidecar");
    std::fs::create_dir_all(&dir).expect("create the sidecar's directory");
    let sidecar = dir.join("github.polvo.yaml");
    std::fs::write(&sidecar, "webhooks: [push, pull-request-opened, installation-created]\n")
        .expect("write the sidecar");
    let output = polvo_codegen::Generator::new("github")
        .spec(specs.join("github.json"), "github.json")
        .sidecar(&sidecar, "github.polvo.yaml")
        .generate()
        .unwrap_or_else(|d| panic!("github.json should generate with the sidecar:\n{d}"));
    let file: syn::File = syn::parse2(output.tokens).expect("generated code parses as Rust");
    let source = prettyplease::unparse(&file);
    for alias in [
        "pub type Push = types::WebhookPush;",
        "pub type PullRequestOpened = types::WebhookPullRequestOpened;",
        "pub type InstallationCreated = types::WebhookInstallationCreated;",
    ] {
        assert!(source.contains(alias), "no `{alias}` in the webhooks module");
    }
    assert!(!source.contains("pub struct WebhookIssuesOpened"), "an unselected webhook's payload is generated");

    let lib = format!(
        "#![deny(warnings)]\n#![allow(missing_docs)]\n{source}\n\
         pub fn _use(body: &[u8]) -> Result<(), polvo::webhooks::PayloadError> {{\n\
             let push: github::webhooks::Push = polvo::webhooks::decode(body)?;\n\
             let _: &str = &push.r#ref;\n\
             if let github::webhooks::Event::PullRequestOpened(opened) =\n\
                 github::webhooks::Event::from_name(\"pull-request-opened\", body)?\n\
             {{\n\
                 let _: i64 = opened.number;\n\
             }}\n\
             Ok(())\n\
         }}\n"
    );
    let krate = ScratchCrate::new("github_webhooks", &lib);
    let (ok, stderr) = krate.check_with(&["-j", "1"]);
    assert!(ok, "the generated code has errors or warnings:\n{stderr}");
}
