//! The declared minimum Rust version (`rust-version` in the root
//! Cargo.toml) holds for everything a user of polvo builds: no package in
//! the resolved dependency graph of the published crates (normal and build
//! dependencies, on every platform) declares a newer one.
//!
//! Only one toolchain is available where CI runs, so the other half of the
//! check is clippy's `incompatible_msrv` lint (std APIs newer than
//! `rust-version`), which the test script runs with warnings denied.

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::process::Command;

/// The crates published to crates.io, whose dependencies users build (the
/// CLI's too: `cargo install polvo-cli` builds them).
const PUBLISHED: [&str; 5] = ["polvo", "polvo-runtime", "polvo-macros", "polvo-codegen", "polvo-cli"];

/// A Rust version as `rust-version` writes it (`1.88`, `1.88.0`); a
/// missing patch or minor number is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RustVersion([u64; 3]);

impl RustVersion {
    fn parse(text: &str) -> Result<Self, String> {
        let mut parts = [0; 3];
        let mut fields = text.split('.');
        for part in &mut parts {
            let Some(field) = fields.next() else { break };
            *part = field.parse().map_err(|_| format!("`{text}` is not a Rust version"))?;
        }
        match fields.next() {
            None => Ok(RustVersion(parts)),
            Some(_) => Err(format!("`{text}` is not a Rust version")),
        }
    }
}

impl std::fmt::Display for RustVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [major, minor, patch] = self.0;
        write!(f, "{major}.{minor}.{patch}")
    }
}

/// The `rust-version` the published crates declare, which must be one
/// and the same for all of them.
fn declared_rust_version(metadata: &Value) -> Result<RustVersion, String> {
    let mut declared = BTreeSet::new();
    for name in PUBLISHED {
        let package = packages(metadata)?
            .find(|p| p["name"] == name && p["source"].is_null())
            .ok_or_else(|| format!("the workspace has no package `{name}`"))?;
        let version = package["rust_version"].as_str().ok_or_else(|| format!("`{name}` declares no rust-version"))?;
        declared.insert(version.to_owned());
    }
    match declared.len() {
        1 => RustVersion::parse(declared.first().expect("one version")),
        _ => Err(format!("the published crates declare different rust-versions: {declared:?}")),
    }
}

fn packages(metadata: &Value) -> Result<impl Iterator<Item = &Value>, String> {
    Ok(metadata["packages"].as_array().ok_or("the metadata lists no `packages`")?.iter())
}

/// Every package the published crates need to build (themselves included),
/// by id: dependencies reached through normal or build edges of
/// `resolve`, never through dev-dependencies.
fn built_for_users(metadata: &Value) -> Result<BTreeSet<String>, String> {
    let nodes: HashMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .ok_or("the metadata has no `resolve` graph")?
        .iter()
        .filter_map(|node| Some((node["id"].as_str()?, node)))
        .collect();
    let mut pending: Vec<String> = packages(metadata)?
        .filter(|p| p["source"].is_null() && PUBLISHED.iter().any(|name| p["name"] == *name))
        .filter_map(|p| p["id"].as_str().map(str::to_owned))
        .collect();
    let mut reached = BTreeSet::new();
    while let Some(id) = pending.pop() {
        if !reached.insert(id.clone()) {
            continue;
        }
        let node = nodes.get(id.as_str()).ok_or_else(|| format!("`{id}` is not in the `resolve` graph"))?;
        for dep in node["deps"].as_array().into_iter().flatten() {
            let kinds = dep["dep_kinds"].as_array().map(Vec::as_slice).unwrap_or_default();
            let dev_only = !kinds.is_empty() && kinds.iter().all(|kind| kind["kind"] == "dev");
            if !dev_only {
                pending.extend(dep["pkg"].as_str().map(str::to_owned));
            }
        }
    }
    Ok(reached)
}

/// The packages users build that declare a newer Rust than the published
/// crates do, as `name version (rust-version X)`.
fn newer_than_declared(metadata: &Value) -> Result<Vec<String>, String> {
    let declared = declared_rust_version(metadata)?;
    let built = built_for_users(metadata)?;
    let mut newer = Vec::new();
    for package in packages(metadata)?.filter(|p| p["id"].as_str().is_some_and(|id| built.contains(id))) {
        let Some(needs) = package["rust_version"].as_str() else { continue };
        if RustVersion::parse(needs)? > declared {
            let (name, version) = (package["name"].as_str().unwrap_or("?"), package["version"].as_str().unwrap_or("?"));
            newer.push(format!("{name} {version} (rust-version {needs})"));
        }
    }
    Ok(newer)
}

#[test]
fn no_dependency_of_the_published_crates_needs_a_newer_rust_than_they_declare() {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "cargo metadata failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let declared = declared_rust_version(&metadata).unwrap_or_else(|e| panic!("{e}"));
    let newer = newer_than_declared(&metadata).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        newer.is_empty(),
        "these dependencies of the published crates need a newer Rust than their rust-version {declared}: {}",
        newer.join(", ")
    );
}

/// A package of a fake `cargo metadata` document; `source` is null for
/// workspace members.
fn package(name: &str, version: &str, rust_version: Option<&str>, member: bool) -> Value {
    let source = if member { Value::Null } else { "registry+https://github.com/rust-lang/crates.io-index".into() };
    serde_json::json!({
        "name": name, "version": version, "id": format!("{name} {version}"),
        "source": source, "rust_version": rust_version,
    })
}

/// A resolve node of `id` with `(dependency id, kind)` edges (kind null,
/// "dev" or "build").
fn node(id: &str, deps: &[(&str, Option<&str>)]) -> Value {
    let deps: Vec<Value> = deps
        .iter()
        .map(|(pkg, kind)| serde_json::json!({"pkg": pkg, "dep_kinds": [{"kind": kind, "target": null}]}))
        .collect();
    serde_json::json!({"id": id, "deps": deps})
}

/// A workspace whose published crates declare 1.88, with `extra`
/// packages and edges from polvo-runtime to them.
fn fake_metadata(extra: &[Value], runtime_deps: &[(&str, Option<&str>)], extra_nodes: &[Value]) -> Value {
    let mut packages: Vec<Value> = PUBLISHED.iter().map(|name| package(name, "0.1.0", Some("1.88"), true)).collect();
    packages.push(package("polvo-suite", "0.1.0", None, true));
    packages.extend(extra.iter().cloned());
    let mut nodes = vec![
        node("polvo 0.1.0", &[("polvo-runtime 0.1.0", None), ("polvo-macros 0.1.0", None)]),
        node("polvo-macros 0.1.0", &[("polvo-codegen 0.1.0", None)]),
        node("polvo-codegen 0.1.0", &[]),
        node("polvo-cli 0.1.0", &[("polvo-codegen 0.1.0", None), ("polvo-runtime 0.1.0", None)]),
        node("polvo-runtime 0.1.0", runtime_deps),
        node("polvo-suite 0.1.0", &[("suite-only 1.0.0", None)]),
    ];
    nodes.extend(extra_nodes.iter().cloned());
    serde_json::json!({"packages": packages, "resolve": {"nodes": nodes}})
}

#[test]
fn a_transitive_normal_or_build_dependency_needing_a_newer_rust_is_named() {
    let extra = [
        package("direct", "1.0.0", Some("1.70"), false),
        package("deep", "2.3.0", Some("1.90"), false),
        package("builder", "0.5.0", Some("1.88.1"), false),
    ];
    let nodes = [node("direct 1.0.0", &[("deep 2.3.0", None)]), node("deep 2.3.0", &[]), node("builder 0.5.0", &[])];
    let metadata = fake_metadata(&extra, &[("direct 1.0.0", None), ("builder 0.5.0", Some("build"))], &nodes);
    let mut newer = newer_than_declared(&metadata).unwrap();
    newer.sort();
    assert_eq!(newer, ["builder 0.5.0 (rust-version 1.88.1)", "deep 2.3.0 (rust-version 1.90)"]);
}

#[test]
fn dev_dependencies_packages_outside_the_published_graph_and_equal_versions_pass() {
    let extra = [
        package("test-helper", "1.0.0", Some("1.95"), false),
        package("suite-only", "1.0.0", Some("1.95"), false),
        package("same", "1.0.0", Some("1.88.0"), false),
        package("unversioned", "1.0.0", None, false),
    ];
    let nodes = [
        node("test-helper 1.0.0", &[]),
        node("suite-only 1.0.0", &[]),
        node("same 1.0.0", &[]),
        node("unversioned 1.0.0", &[]),
    ];
    let deps = [("test-helper 1.0.0", Some("dev")), ("same 1.0.0", None), ("unversioned 1.0.0", None)];
    let metadata = fake_metadata(&extra, &deps, &nodes);
    assert_eq!(newer_than_declared(&metadata).unwrap(), Vec::<String>::new());
}

#[test]
fn published_crates_that_disagree_or_leave_out_the_rust_version_are_an_error() {
    let mut metadata = fake_metadata(&[], &[], &[]);
    metadata["packages"][1]["rust_version"] = "1.90".into();
    let error = newer_than_declared(&metadata).unwrap_err();
    assert!(error.contains("different rust-versions"), "{error}");
    metadata["packages"][1]["rust_version"] = Value::Null;
    assert_eq!(newer_than_declared(&metadata).unwrap_err(), "`polvo-runtime` declares no rust-version");
}

#[test]
fn rust_versions_compare_by_number() {
    let v = |text| RustVersion::parse(text).unwrap();
    assert!(v("1.100") > v("1.88"));
    assert_eq!(v("1.88"), v("1.88.0"));
    assert!(v("2") > v("1.95.3"));
    for bad in ["", "1.x", "1.88.0.1", "1..2"] {
        assert!(RustVersion::parse(bad).is_err(), "{bad}");
    }
}
