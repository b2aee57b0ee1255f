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
    let squeezed: String = source.split_whitespace().collect();
    let (_, ids) = squeezed.split_once("pubconstOPERATION_IDS:&'static[&'staticstr]=&[").expect("OPERATION_IDS");
    let ids: Vec<&str> = ids[..ids.find(']').expect("the list's end")].split(',').filter(|id| !id.is_empty()).collect();
    assert_eq!(ids, [r#""installation/created""#, r#""pull-request/opened""#, r#""push""#], "in spec order");

    let lib = format!(
        "#![deny(warnings)]\n#![allow(missing_docs)]\n{source}\n\
         pub fn _use(headers: &polvo::reqwest::header::HeaderMap, body: &[u8]) -> Result<(), polvo::webhooks::PayloadError> {{\n\
             let push: github::webhooks::Push = polvo::webhooks::decode(body)?;\n\
             let _: &str = &push.r#ref;\n\
             if let github::webhooks::Event::PullRequestOpened(opened) =\n\
                 github::webhooks::Event::from_name(\"pull-request-opened\", body)?\n\
             {{\n\
                 let _: i64 = opened.number;\n\
             }}\n\
             let event: github::webhooks::Event = polvo::webhooks::github::decode_event(headers, body)?;\n\
             let _: Option<&'static str> = event.operation_id();\n\
             let _ = github::webhooks::Event::from_operation_id(\"installation/created\", body)?;\n\
             Ok(())\n\
         }}\n"
    );
    let krate = ScratchCrate::new("github_webhooks", &lib);
    let (ok, stderr) = krate.check_with(&["-j", "1"]);
    assert!(ok, "the generated code has errors or warnings:\n{stderr}");
}

/// `polvo::webhooks::github::decode_event` relies on GitHub's spec naming
/// each webhook's operation `{event}/{action}` in kebab case (or `{event}`
/// alone): every webhook whose body's `action` has one value has that
/// value, kebab-cased, after the operation id's `/`, and no webhook without
/// an `action` has a `/`. (The `X-GitHub-Event` examples are not reliable:
/// `discussions` and `project-v2` are written where GitHub sends
/// `discussion` and `projects_v2`.)
#[test]
fn github_webhook_operation_ids_are_event_and_action() {
    let Some(file) = polvo_suite::shared_file("specs/github.json") else { return };
    let text = std::fs::read_to_string(file).expect("read github.json");
    let spec: polvo::serde_json::Value = polvo::serde_json::from_str(&text).expect("github.json is JSON");
    let schemas = &spec["components"]["schemas"];
    let resolve = |value: &polvo::serde_json::Value| -> polvo::serde_json::Value {
        let mut value = value.clone();
        while let Some(target) = value.get("$ref").and_then(|r| r.as_str()).map(str::to_owned) {
            let name = target.rsplit('/').next().expect("a component name");
            value = schemas[name].clone();
        }
        value
    };
    let hooks = spec["x-webhooks"].as_object().expect("x-webhooks");
    let mut checked = 0;
    for (name, item) in hooks {
        let operation = &item["post"];
        let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("`{name}` has no operationId"));
        let body = resolve(&operation["requestBody"]["content"]["application/json"]["schema"]);
        let action = body.get("properties").and_then(|p| p.get("action")).map(&resolve);
        let values = action.as_ref().and_then(|a| a["enum"].as_array()).filter(|values| values.len() == 1);
        match (id.split_once('/'), values) {
            (Some((_, id_action)), Some(values)) => {
                let value = values[0].as_str().expect("a string action").replace('_', "-");
                assert_eq!(id_action, value, "`{name}`: operation `{id}`, action `{}`", values[0]);
                checked += 1;
            }
            (None, _) => assert!(action.is_none(), "`{name}`: operation `{id}` has no action, its body has one"),
            (Some(_), None) => {} // an action of several shapes (`oneOf`) or values
        }
    }
    assert!(checked > 200, "only {checked} of {} webhooks have a one-valued action", hooks.len());
}
