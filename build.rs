//! Generates clients for the tests and examples that read the real vendor
//! specs in `../shared/specs/`, the way a build script of a user's crate
//! would: with `polvo_codegen::Builder`. When `../shared` is absent nothing
//! is generated and those tests and examples say they are skipped.

use std::path::Path;

const SIDECAR: &str = "tests/specs/hubspot/crm-contacts-v3.polvo.yaml";
const GITHUB_SPEC: &str = "../shared/specs/github.json";
const GITHUB_SIDECAR: &str = "tests/specs/github/github.polvo.yaml";

/// The operations of GitHub's spec that the `github_app` example calls:
/// a filter keeps the generated client (and its build) small, as the whole
/// spec has over a thousand operations.
const GITHUB_OPERATIONS: [&str; 3] =
    ["apps/get-authenticated", "apps/create-installation-access-token", "apps/list-repos-accessible-to-installation"];

/// Copies `hubspot/<file>` of the shared specs into `dir` (the sidecar must
/// sit next to the spec, so both go into one directory).
fn copy_shared(dir: &Path, file: &str) -> Option<std::path::PathBuf> {
    let shared = Path::new("../shared/specs/hubspot").join(file);
    println!("cargo::rerun-if-changed={}", shared.display());
    let copy = dir.join(file);
    match std::fs::copy(&shared, &copy) {
        Ok(_) => Some(copy),
        Err(e) => {
            println!("cargo::warning=cannot copy {}: {e}", shared.display());
            None
        }
    }
}

/// Writes `builder`'s client to `OUT_DIR/<file_name>`; says why not.
fn write(builder: polvo_codegen::Builder, file_name: &str) -> bool {
    match builder.file_name(file_name).write() {
        Ok(_) => true,
        Err(e) => {
            println!("cargo::warning=`{file_name}` was not generated: {e}");
            false
        }
    }
}

/// One service over the contacts spec with the project's sidecar.
fn generate_contacts(dir: &Path) -> bool {
    let Some(spec) = copy_shared(dir, "crm-contacts-v3.json") else { return false };
    if let Err(e) = std::fs::copy(SIDECAR, dir.join("crm-contacts-v3.polvo.yaml")) {
        println!("cargo::warning=cannot copy the HubSpot sidecar: {e}");
        return false;
    }
    let builder = polvo_codegen::Builder::new().spec_at(spec, "hubspot/crm-contacts-v3.json");
    write(builder, "hubspot.rs")
}

/// One HubSpot service over the contacts, companies and deals files (named
/// by the sidecar `generate_contacts` put next to the first).
fn generate_crm(dir: &Path) -> bool {
    let mut builder = polvo_codegen::Builder::new();
    for object in ["contacts", "companies", "deals"] {
        let file = format!("crm-{object}-v3.json");
        let Some(copy) = copy_shared(dir, &file) else { return false };
        builder = builder.spec_at(copy, format!("hubspot/{file}"));
    }
    write(builder, "hubspot_crm.rs")
}

/// The few operations of GitHub's spec in `OUT_DIR/github.rs`, with the
/// project's sidecar (the spec declares no security schemes); sets
/// `cfg(github_spec)` when done.
fn generate_github() {
    println!("cargo::rerun-if-changed={GITHUB_SPEC}");
    println!("cargo::rerun-if-changed={GITHUB_SIDECAR}");
    if !Path::new(GITHUB_SPEC).is_file() {
        return;
    }
    let builder = polvo_codegen::Builder::new()
        .spec_at(GITHUB_SPEC, "github.json")
        .sidecar_at(GITHUB_SIDECAR, GITHUB_SIDECAR)
        .operations(GITHUB_OPERATIONS);
    if write(builder, "github.rs") {
        println!("cargo::rustc-cfg=github_spec");
    }
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_specs)");
    println!("cargo::rustc-check-cfg=cfg(github_spec)");
    generate_github();
    println!("cargo::rerun-if-changed={SIDECAR}");
    println!("cargo::rerun-if-changed=../shared/specs/hubspot/crm-contacts-v3.json");
    if !Path::new("../shared/specs/hubspot/crm-contacts-v3.json").is_file() {
        return;
    }
    let out = std::env::var("OUT_DIR").map(std::path::PathBuf::from).unwrap_or_default();
    let dir = out.join("hubspot-specs");
    let _ = std::fs::create_dir_all(&dir);
    // `&` rather than `&&`: both are generated, each saying why if not.
    if generate_contacts(&dir) & generate_crm(&dir) {
        println!("cargo::rustc-cfg=shared_specs");
    }
}
