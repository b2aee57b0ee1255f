//! Generates clients for tests that read the real vendor specs in
//! `../shared/specs/`, the way a build script of a user's crate would.
//! When `../shared` is absent nothing is generated and those tests say
//! they are skipped.

use std::path::Path;

/// Writes formatted generated code to `OUT_DIR/<file>`.
fn write(out: &std::path::Path, file: &str, output: polvo_codegen::Output) -> bool {
    // Formatted, so that lints read it as a person would have written it.
    let source = match syn::parse2::<syn::File>(output.tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => output.tokens.to_string(),
    };
    std::fs::write(out.join(file), source).is_ok()
}

/// One HubSpot service over the contacts, companies and deals files.
fn generate_crm(dir: &std::path::Path, out: &std::path::Path) -> bool {
    let mut generator = polvo_codegen::Generator::with_fallback_name("crm");
    for object in ["contacts", "companies", "deals"] {
        let shared = Path::new("../shared/specs/hubspot").join(format!("crm-{object}-v3.json"));
        println!("cargo::rerun-if-changed={}", shared.display());
        let copy = dir.join(format!("crm-{object}-v3.json"));
        if std::fs::copy(&shared, &copy).is_err() {
            return false;
        }
        generator = generator.spec(&copy, format!("hubspot/crm-{object}-v3.json"));
    }
    match generator.generate() {
        Ok(output) => write(out, "hubspot_crm.rs", output),
        Err(diagnostics) => {
            println!("cargo::warning=the HubSpot CRM specs did not generate: {diagnostics}");
            false
        }
    }
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_specs)");
    println!("cargo::rerun-if-changed=tests/specs/hubspot/crm-contacts-v3.polvo.yaml");
    let shared = Path::new("../shared/specs/hubspot/crm-contacts-v3.json");
    println!("cargo::rerun-if-changed={}", shared.display());
    if !shared.is_file() {
        return;
    }
    let out = std::env::var("OUT_DIR").map(std::path::PathBuf::from).unwrap_or_default();
    // The sidecar must sit next to the spec: put both in one directory.
    let dir = out.join("hubspot-specs");
    let _ = std::fs::create_dir_all(&dir);
    let spec = dir.join("crm-contacts-v3.json");
    let sidecar = dir.join("crm-contacts-v3.polvo.yaml");
    let copied = std::fs::copy(shared, &spec)
        .and_then(|_| std::fs::copy("tests/specs/hubspot/crm-contacts-v3.polvo.yaml", &sidecar));
    if let Err(e) = copied {
        println!("cargo::warning=cannot prepare the HubSpot spec: {e}");
        return;
    }
    let single = polvo_codegen::Generator::with_fallback_name("contacts").spec(&spec, "hubspot/crm-contacts-v3.json");
    match single.generate() {
        Ok(output) => {
            if write(&out, "hubspot.rs", output) && generate_crm(&dir, &out) {
                println!("cargo::rustc-cfg=shared_specs");
            }
        }
        Err(diagnostics) => println!("cargo::warning=the HubSpot spec did not generate: {diagnostics}"),
    }
}
