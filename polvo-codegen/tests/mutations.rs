//! Real specs, broken on purpose, never make the generator panic or
//! overflow its stack: keys deleted, values of the wrong type, schemas
//! nested thousands of levels deep, `$ref` cycles (to itself, to an
//! enclosing schema, around several schemas, through `allOf`), references
//! to references and references to nothing. Spec errors are expected.
//!
//! The cases come from a fixed seed and seed specs that are all in this
//! repository (`tests/specs`, `specs`; the smaller ones, to keep the run
//! short), so every machine runs the same cases; `PROPTEST_CASES=5000` runs
//! more of them. Each case is named on stderr before it expands, so an
//! abort (a stack overflow ends the process) shows the case that caused it.

mod support;

use polvo_codegen::__private::{escape, unescape};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use support::Expansion;

/// Seed specs larger than this are left out: expanding them takes long.
const MAX_SEED_BYTES: u64 = 120_000;

/// Cases per run unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 300;

/// One change to a spec. Node numbers count the spec's nodes in document
/// order (or its schema-like nodes, with `schemas`), wrapping around.
#[derive(Clone, Debug)]
enum Mutation {
    /// Removes the node from its object or array.
    Delete { node: usize, schemas: bool },
    /// Replaces the node with a value of another type.
    Retype { node: usize, schemas: bool, value: usize },
    /// Renames the node's key (in an object) to an awkward one.
    Rename { node: usize, schemas: bool, key: usize },
    /// Replaces the node with text nested `depth` levels deep.
    Nest { node: usize, schemas: bool, depth: usize, shape: usize },
    /// Makes the node a `$ref` to itself.
    SelfRef { node: usize, schemas: bool },
    /// Makes the node a `$ref` to another node (an enclosing one, a
    /// reference, a string…).
    RefTo { node: usize, schemas: bool, target: usize },
    /// Adds schemas that refer to each other in a ring and points the node
    /// at the ring.
    Ring { node: usize, schemas: bool, length: usize, link: usize },
    /// Makes the node a `$ref` that names nothing.
    Dangling { node: usize, schemas: bool, reference: usize },
}

const REPLACEMENTS: &[&str] = &[
    r#""""#,
    r#""text""#,
    "0",
    "-1",
    "1e308",
    "true",
    "null",
    "[]",
    "{}",
    "[null]",
    r##"{"$ref":"#"}"##,
    r#"{"type":5}"#,
    r#"["a",{"b":[]}]"#,
    r#"{"type":["string","object","null"],"properties":[]}"#,
];

const KEYS: &[&str] = &["", "$ref", "~", "/", "0", "type", "properties", "allOf", "x-polvo", "{id}"];

const DANGLING: &[&str] = &[
    "#/components/schemas/PolvoMissing",
    "#/nope",
    "missing.yaml#/a",
    "#/paths/~1x~2",
    "#%FF",
    "#a",
    "",
    "#/components/schemas/",
    "http://example.com/x.json#/a",
    "..#/a",
];

/// How each link of a [`Mutation::Ring`] refers to the next.
fn ring_link(link: usize, next: &str) -> Value {
    match link % 5 {
        0 => json!({ "$ref": next }),
        1 => json!({ "allOf": [{ "$ref": next }, { "description": "a link" }] }),
        // AWS's specs: a property that merges the next schema with its own docs.
        4 => {
            json!({ "type": "object", "properties": { "p": { "allOf": [{ "$ref": next }, { "description": "a link" }] } } })
        }
        2 => json!({ "type": "object", "properties": { "p": { "$ref": next } }, "required": ["p"] }),
        _ => json!({ "oneOf": [{ "$ref": next }, { "type": "array", "items": { "$ref": next } }] }),
    }
}

/// Text nested `depth` levels deep, in one of a few shapes.
fn nested_text(depth: usize, shape: usize) -> String {
    let (open, leaf, close) = match shape % 5 {
        0 => (r#"{"type":"array","items":"#, "{}", "}"),
        1 => (r#"{"type":"object","properties":{"p":"#, r#"{"type":"string"}"#, "}}"),
        2 => (r#"{"allOf":["#, r#"{"type":"object"}"#, "]}"),
        3 => (r#"{"oneOf":[{"type":"string"},"#, "{}", "]}"),
        _ => ("[", "1", "]"),
    };
    let mut text = String::with_capacity(depth * (open.len() + close.len()) + leaf.len());
    for _ in 0..depth {
        text.push_str(open);
    }
    text.push_str(leaf);
    for _ in 0..depth {
        text.push_str(close);
    }
    text
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let node = any::<usize>();
    let schemas = prop::bool::weighted(0.7);
    prop_oneof![
        (node, schemas).prop_map(|(node, schemas)| Mutation::Delete { node, schemas }),
        (node, schemas, 0..REPLACEMENTS.len()).prop_map(|(node, schemas, value)| Mutation::Retype {
            node,
            schemas,
            value
        }),
        (node, schemas, 0..KEYS.len()).prop_map(|(node, schemas, key)| Mutation::Rename { node, schemas, key }),
        (node, schemas, prop_oneof![1..140usize, 140..6_000usize], 0..5usize)
            .prop_map(|(node, schemas, depth, shape)| Mutation::Nest { node, schemas, depth, shape }),
        (node, schemas).prop_map(|(node, schemas)| Mutation::SelfRef { node, schemas }),
        (node, schemas, any::<usize>()).prop_map(|(node, schemas, target)| Mutation::RefTo { node, schemas, target }),
        (node, schemas, 1..5usize, 0..5usize).prop_map(|(node, schemas, length, link)| Mutation::Ring {
            node,
            schemas,
            length,
            link
        }),
        (node, schemas, 0..DANGLING.len()).prop_map(|(node, schemas, reference)| Mutation::Dangling {
            node,
            schemas,
            reference
        }),
    ]
}

/// The JSON pointer of every node of `root` (the root itself excluded), in
/// document order; with `schemas`, only those that look like schemas.
fn nodes(root: &Value, schemas: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), root)];
    while let Some((pointer, value)) = stack.pop() {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (escape(k), v)).collect(),
            Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
            _ => Vec::new(),
        };
        for (token, child) in children.into_iter().rev() {
            stack.push((format!("{pointer}/{token}"), child));
        }
        let schema_like =
            value.get("type").is_some() || value.get("$ref").is_some() || value.get("properties").is_some();
        if !pointer.is_empty() && (!schemas || schema_like) {
            out.push(pointer);
        }
    }
    out
}

/// The node a mutation names, if the spec has any.
fn pick(root: &Value, node: usize, schemas: bool) -> Option<String> {
    let mut all = nodes(root, schemas);
    if all.is_empty() {
        all = nodes(root, false);
    }
    (!all.is_empty()).then(|| all.swap_remove(node % all.len()))
}

/// Splits a pointer into its parent's pointer and its last token (escaped).
fn split(pointer: &str) -> (&str, &str) {
    pointer.rsplit_once('/').unwrap_or(("", pointer))
}

/// Applies one mutation. Nested text is too deep for a `Value`, so the node
/// becomes a marker that [`render`] replaces; the marker's text is returned.
fn apply(root: &mut Value, mutation: &Mutation, markers: &mut Vec<(String, String)>) {
    let (node, schemas) = match *mutation {
        Mutation::Delete { node, schemas }
        | Mutation::Retype { node, schemas, .. }
        | Mutation::Rename { node, schemas, .. }
        | Mutation::Nest { node, schemas, .. }
        | Mutation::SelfRef { node, schemas }
        | Mutation::RefTo { node, schemas, .. }
        | Mutation::Ring { node, schemas, .. }
        | Mutation::Dangling { node, schemas, .. } => (node, schemas),
    };
    let Some(pointer) = pick(root, node, schemas) else { return };
    let replacement = match mutation {
        Mutation::Delete { .. } => return delete(root, &pointer),
        Mutation::Rename { key, .. } => return rename(root, &pointer, KEYS[*key]),
        Mutation::Retype { value, .. } => serde_json::from_str(REPLACEMENTS[*value]).expect("a JSON replacement"),
        Mutation::Nest { depth, shape, .. } => {
            let marker = format!("polvo-nested-text-{}", markers.len());
            markers.push((format!("\"{marker}\""), nested_text(*depth, *shape)));
            Value::String(marker)
        }
        Mutation::SelfRef { .. } => json!({ "$ref": format!("#{pointer}") }),
        Mutation::RefTo { target, .. } => {
            let all = nodes(root, false);
            json!({ "$ref": format!("#{}", all[target % all.len()]) })
        }
        Mutation::Ring { length, link, .. } => ring(root, *length, *link),
        Mutation::Dangling { reference, .. } => json!({ "$ref": DANGLING[*reference] }),
    };
    if let Some(slot) = root.pointer_mut(&pointer) {
        *slot = replacement;
    }
}

fn delete(root: &mut Value, pointer: &str) {
    let (parent, token) = split(pointer);
    match root.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&unescape(token));
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = token.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

fn rename(root: &mut Value, pointer: &str, key: &str) {
    let (parent, token) = split(pointer);
    if let Some(Value::Object(map)) = root.pointer_mut(parent)
        && let Some(value) = map.shift_remove(&unescape(token))
    {
        map.insert(key.to_owned(), value);
    }
}

/// Adds `length` schemas `PolvoRing<i>` that refer to the next in a ring,
/// returning a reference to the first.
fn ring(root: &mut Value, length: usize, link: usize) -> Value {
    let first = "#/components/schemas/PolvoRing0".to_owned();
    if let Some(map) = root.as_object_mut() {
        let components = map.entry("components").or_insert_with(|| json!({}));
        if let Some(components) = components.as_object_mut() {
            let schemas = components.entry("schemas").or_insert_with(|| json!({}));
            if let Some(schemas) = schemas.as_object_mut() {
                for i in 0..length {
                    let next = format!("#/components/schemas/PolvoRing{}", (i + 1) % length);
                    schemas.insert(format!("PolvoRing{i}"), ring_link(link + i, &next));
                }
            }
        }
    }
    json!({ "$ref": first })
}

/// The mutated spec's text: JSON (with the nested texts put in), or YAML.
fn render(root: &Value, markers: &[(String, String)], yaml: bool) -> (String, &'static str) {
    if yaml && markers.is_empty() {
        return (serde_yaml::to_string(root).expect("YAML text"), "yaml");
    }
    let mut text = serde_json::to_string(root).expect("JSON text");
    for (marker, nested) in markers {
        text = text.replace(marker, nested);
    }
    (text, "json")
}

/// Spec files under `dir` (not sidecars), up to [`MAX_SEED_BYTES`].
fn seed_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let is_spec = [".json", ".yaml", ".yml"].iter().any(|ext| name.ends_with(ext)) && !name.contains(".polvo.");
        if path.is_dir() {
            seed_files(&path, out);
        } else if is_spec && std::fs::metadata(&path).is_ok_and(|m| m.len() <= MAX_SEED_BYTES) {
            out.push(path);
        }
    }
}

/// The seed specs, parsed; files that do not parse (the broken test specs)
/// are left out.
fn seeds() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    seed_files(&root.join("tests/specs"), &mut files);
    seed_files(&root.join("specs"), &mut files);
    files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let value: Value = if path.extension().is_some_and(|e| e == "json") {
                serde_json::from_str(&text).ok()?
            } else {
                serde_yaml::from_str(&text).ok()?
            };
            let name = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
            Some((name, value))
        })
        .collect()
}

#[test]
fn mutated_real_specs_never_panic() {
    let seeds = seeds();
    assert!(seeds.len() >= 20, "expected the test specs under tests/specs, found {} specs", seeds.len());
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CASES);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = (0..seeds.len(), prop::collection::vec(mutation(), 1..5), any::<bool>());
    let count = std::sync::atomic::AtomicUsize::new(0);
    let refused = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&strategy, |(seed, mutations, yaml)| {
        let case = count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (name, original) = &seeds[seed];
        let mut spec = original.clone();
        let mut markers = Vec::new();
        for mutation in &mutations {
            apply(&mut spec, mutation, &mut markers);
        }
        let (text, extension) = render(&spec, &markers, yaml);
        let path = support::scratch_spec(&format!("mutated-{case}.{extension}"), &text);
        // Straight to stderr, past the test harness's capture, which an abort would lose.
        let _ = writeln!(std::io::stderr(), "case {case}: {name} as {extension}, {mutations:?}");
        let outcome = support::expand(&path, &format!("mutated.{extension}"));
        drop(path);
        match outcome {
            Expansion::Panicked(message) => {
                Err(TestCaseError::fail(format!("{name} with {mutations:?} made the generator panic: {message}")))
            }
            Expansion::TimedOut(limit) => Err(TestCaseError::fail(format!(
                "{name} with {mutations:?} did not finish expanding within {} s",
                limit.as_secs()
            ))),
            Expansion::Expanded(_) => Ok(()),
            Expansion::Refused(_) => {
                refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            }
        }
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    println!(
        "{} mutated specs from {} seeds: {} refused with spec errors, the rest expanded, none panicked",
        count.into_inner(),
        seeds.len(),
        refused.into_inner()
    );
}
