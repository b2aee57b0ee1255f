//! OpenAPI Overlays 1.0: corrections of a spec kept in a file of their own.
//!
//! An overlay (`overlay: 1.0.0`, `info`, optional `extends`, `actions`)
//! lists actions applied in order to the spec's root document before
//! anything else reads it. Each action selects nodes with an RFC 9535
//! JSONPath `target` and either merges `update` into each of them or
//! removes them (`remove: true`):
//!
//! - an object target gets `update`'s properties, objects merged key by
//!   key at every depth, anything else (arrays, strings, numbers) replaced;
//! - an array target gets `update` appended (each item, when `update` is
//!   itself an array);
//! - any other target is replaced by `update`.
//!
//! A target that matches nothing is an error, so an overlay that no longer
//! fits its spec is noticed. Problems point into the overlay file, at the
//! action's JSON pointer (`fix.overlay.yaml#/actions/2/target`).

use serde_json::{Map, Value};
use serde_json_path::{JsonPath, PathElement};
use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use super::Document;
use crate::diag::Diagnostics;

/// The file extensions an overlay found next to its spec may have.
const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// The overlay next to a spec by name: `<stem>.overlay.yaml` (or `.yml`,
/// `.json`), with its display name.
pub fn beside(spec_name: &str, spec_path: &Path) -> Option<(String, PathBuf)> {
    let file = spec_path.file_name()?.to_str()?;
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let display_dir = spec_name.rsplit_once('/').map(|(dir, _)| format!("{dir}/")).unwrap_or_default();
    EXTENSIONS.iter().find_map(|ext| {
        let candidate = spec_path.with_file_name(format!("{stem}.overlay.{ext}"));
        candidate.is_file().then(|| (format!("{display_dir}{stem}.overlay.{ext}"), candidate))
    })
}

/// One step from a node to its child.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// A member of an object.
    Key(String),
    /// An item of an array.
    Index(usize),
}

impl Step {
    /// The order removals happen in: later items first, so the indexes
    /// of the ones still to remove stay right.
    fn cmp_for_removal(a: &[Step], b: &[Step]) -> Ordering {
        for (x, y) in a.iter().zip(b) {
            let order = match (x, y) {
                (Step::Index(x), Step::Index(y)) => y.cmp(x),
                (Step::Key(x), Step::Key(y)) => x.cmp(y),
                (Step::Key(_), Step::Index(_)) => Ordering::Less,
                (Step::Index(_), Step::Key(_)) => Ordering::Greater,
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        // Deeper nodes first: removing a parent first would leave nothing to find.
        b.len().cmp(&a.len())
    }
}

/// What an action does to the nodes it selects.
#[derive(Debug)]
enum Change {
    /// Merge this value into each node.
    Update(Value),
    /// Remove each node from its parent.
    Remove,
}

/// One checked action.
#[derive(Debug)]
struct Action {
    /// Its index in `actions`, for diagnostics.
    index: usize,
    /// The target as written.
    text: String,
    /// The parsed target.
    target: JsonPath,
    /// What it does.
    change: Change,
}

/// Applies `overlay` to `spec` (the document named `spec_name`), reporting
/// every problem at its place in the overlay. Nothing is applied when the
/// overlay itself is malformed.
pub fn apply(overlay: &Document, spec: &mut Value, spec_name: &str, diags: &mut Diagnostics) {
    let file = overlay.name.as_str();
    let before = diags.len();
    check_header(&overlay.root, file, diags);
    let actions: Vec<Action> = match overlay.root.get("actions").and_then(Value::as_array) {
        Some(list) => list.iter().enumerate().filter_map(|(i, action)| parse_action(i, action, file, diags)).collect(),
        None => Vec::new(),
    };
    if diags.len() > before {
        return;
    }
    for action in &actions {
        apply_action(action, spec, spec_name, file, diags);
    }
}

/// Checks `overlay`, `info`, `extends` and `actions` of the overlay document.
fn check_header(root: &Value, file: &str, diags: &mut Diagnostics) {
    let Some(map) = root.as_object() else {
        diags.error(file, "", "an overlay must be an object with `overlay`, `info` and `actions`");
        return;
    };
    match map.get("overlay").and_then(Value::as_str) {
        Some(version) if is_version_1_0(version) => {}
        Some(version) => diags.error(
            file,
            "/overlay",
            format!("polvo reads Overlay Specification 1.0 (`overlay: 1.0.0`), not `{version}`"),
        ),
        None => diags.error(file, "/overlay", "an overlay starts with `overlay: 1.0.0`, the version of its format"),
    }
    match map.get("info") {
        Some(Value::Object(info)) => {
            for key in ["title", "version"] {
                if !info.get(key).is_some_and(Value::is_string) {
                    diags.error(file, "/info", format!("`info` needs a `{key}` string"));
                }
            }
        }
        _ => diags.error(file, "/info", "an overlay needs `info` with a `title` and a `version`"),
    }
    if map.get("extends").is_some_and(|e| !e.is_string()) {
        diags.error(file, "/extends", "`extends` is the URL of the spec the overlay is meant for, a string");
    }
    match map.get("actions") {
        Some(Value::Array(actions)) if !actions.is_empty() => {}
        _ => diags.error(file, "/actions", "an overlay needs `actions`, a list of at least one action"),
    }
    unknown_keys(map, &["overlay", "info", "extends", "actions"], file, "", diags);
}

/// `1.0.x`, the versions of the format this module reads.
fn is_version_1_0(version: &str) -> bool {
    version.strip_prefix("1.0.").is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()))
}

/// Reports keys of `map` that are neither `known` nor `x-` extensions.
fn unknown_keys(map: &Map<String, Value>, known: &[&str], file: &str, pointer: &str, diags: &mut Diagnostics) {
    for key in map.keys() {
        if !known.contains(&key.as_str()) && !key.starts_with("x-") {
            diags.error(
                file,
                &format!("{pointer}/{}", super::pointer::escape(key)),
                format!("unknown key `{key}`; the keys here are {}", known.join(", ")),
            );
        }
    }
}

/// Checks action `index`: its target parses as JSONPath, and it either
/// updates or removes.
fn parse_action(index: usize, value: &Value, file: &str, diags: &mut Diagnostics) -> Option<Action> {
    let at = format!("/actions/{index}");
    let Some(map) = value.as_object() else {
        diags.error(file, &at, "an action is an object with a `target` and an `update` or `remove: true`");
        return None;
    };
    unknown_keys(map, &["target", "description", "update", "remove"], file, &at, diags);
    let Some(text) = map.get("target").and_then(Value::as_str) else {
        diags.error(file, &format!("{at}/target"), "an action needs a `target`, a JSONPath such as `$.paths['/pets']`");
        return None;
    };
    let target = match JsonPath::parse(text) {
        Ok(target) => target,
        Err(e) => {
            diags.error(
                file,
                &format!("{at}/target"),
                format!("`{text}` is not a JSONPath (RFC 9535): at character {}, {}", e.position(), e.message()),
            );
            return None;
        }
    };
    let remove = match map.get("remove") {
        None => false,
        Some(Value::Bool(remove)) => *remove,
        Some(_) => {
            diags.error(file, &format!("{at}/remove"), "`remove` is `true` or `false`");
            return None;
        }
    };
    let change = match (map.get("update"), remove) {
        (Some(_), true) => {
            diags.error(file, &at, "an action either updates or removes its target, not both");
            return None;
        }
        (Some(update), false) => Change::Update(update.clone()),
        (None, true) => Change::Remove,
        (None, false) => {
            diags.error(file, &at, "the action does nothing: give it an `update` or `remove: true`");
            return None;
        }
    };
    Some(Action { index, text: text.to_owned(), target, change })
}

/// Applies one action to the spec, reporting a target that matches nothing.
fn apply_action(action: &Action, spec: &mut Value, spec_name: &str, file: &str, diags: &mut Diagnostics) {
    let mut matches: Vec<Vec<Step>> = action.target.query_located(spec).locations().map(steps).collect();
    if matches.is_empty() {
        diags.error(
            file,
            &format!("/actions/{}/target", action.index),
            format!("`{}` matches nothing in `{spec_name}`, so the action cannot be applied", action.text),
        );
        return;
    }
    match &action.change {
        Change::Update(update) => {
            for path in &matches {
                if let Some(node) = node_mut(spec, path) {
                    merge(node, update);
                }
            }
        }
        Change::Remove => {
            if matches.iter().any(Vec::is_empty) {
                diags.error(
                    file,
                    &format!("/actions/{}/target", action.index),
                    "`$` is the whole spec, which an overlay cannot remove",
                );
                return;
            }
            matches.sort_by(|a, b| Step::cmp_for_removal(a, b));
            for path in &matches {
                remove(spec, path);
            }
        }
    }
}

/// The steps of a located node's path.
fn steps(path: &serde_json_path::NormalizedPath<'_>) -> Vec<Step> {
    path.iter()
        .map(|element| match element {
            PathElement::Name(name) => Step::Key((*name).to_owned()),
            PathElement::Index(index) => Step::Index(*index),
        })
        .collect()
}

/// The node at `path`, if it is still there.
fn node_mut<'a>(mut node: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    for step in path {
        node = match (node, step) {
            (Value::Object(map), Step::Key(key)) => map.get_mut(key)?,
            (Value::Array(items), Step::Index(index)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Removes the node at `path` (not empty) from its parent, if it is still there.
fn remove(spec: &mut Value, path: &[Step]) {
    let Some((last, parent)) = path.split_last() else { return };
    match (node_mut(spec, parent), last) {
        (Some(Value::Object(map)), Step::Key(key)) => {
            map.shift_remove(key);
        }
        (Some(Value::Array(items)), Step::Index(index)) if *index < items.len() => {
            items.remove(*index);
        }
        _ => {}
    }
}

/// Merges `update` into `node`: objects key by key at every depth; an
/// array target gets `update` appended; anything else is replaced.
fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (key, value) in update {
                match target.get_mut(key) {
                    Some(existing @ Value::Object(_)) if value.is_object() => merge(existing, value),
                    Some(existing) => *existing = value.clone(),
                    None => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(items), Value::Array(more)) => items.extend(more.iter().cloned()),
        (Value::Array(items), item) => items.push(item.clone()),
        (node, update) => *node = update.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Document {
        Document {
            name: "fix.overlay.yaml".into(),
            path: PathBuf::from("fix.overlay.yaml"),
            root: json!({"overlay": "1.0.0", "info": {"title": "Fix", "version": "1"}, "actions": actions}),
            content_hash: None,
        }
    }

    fn applied(spec: Value, actions: Value) -> Result<Value, Vec<String>> {
        let mut spec = spec;
        let mut diags = Diagnostics::new();
        apply(&overlay(actions), &mut spec, "api.yaml", &mut diags);
        if diags.has_errors() { Err(diags.errors().map(ToString::to_string).collect()) } else { Ok(spec) }
    }

    #[test]
    fn update_merges_objects_deeply_and_replaces_the_rest() {
        let spec = json!({"components": {"schemas": {"File": {
            "type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "string"}, "tags": {"type": "string", "description": "Tags"}}
        }}}});
        let out = applied(
            spec,
            json!([{"target": "$.components.schemas.File", "update": {
                "required": ["id"],
                "properties": {"tags": {"type": "array", "items": {"type": "string"}}}
            }}]),
        )
        .unwrap();
        let file = &out["components"]["schemas"]["File"];
        assert_eq!(file["required"], json!(["id"]), "arrays are replaced");
        assert_eq!(file["properties"]["tags"]["type"], "array");
        assert_eq!(file["properties"]["tags"]["description"], "Tags", "objects are merged, not replaced");
        assert_eq!(file["properties"]["id"], json!({"type": "string"}));
    }

    #[test]
    fn update_applies_to_every_match_and_appends_to_arrays() {
        let spec = json!({"paths": {"/a": {"get": {}}, "/b": {"get": {}, "post": {}}}, "servers": [{"url": "x"}]});
        let out = applied(
            spec,
            json!([
                {"target": "$.paths.*.get", "update": {"x-seen": true}},
                {"target": "$.servers", "update": {"url": "http://127.0.0.1:1"}},
                {"target": "$.servers", "update": [{"url": "y"}, {"url": "z"}]},
            ]),
        )
        .unwrap();
        assert_eq!(out["paths"]["/a"]["get"]["x-seen"], true);
        assert_eq!(out["paths"]["/b"]["get"]["x-seen"], true);
        assert!(out["paths"]["/b"]["post"].get("x-seen").is_none());
        let urls: Vec<&str> = out["servers"].as_array().unwrap().iter().map(|s| s["url"].as_str().unwrap()).collect();
        assert_eq!(urls, ["x", "http://127.0.0.1:1", "y", "z"]);
    }

    #[test]
    fn remove_takes_out_every_match_even_several_items_of_one_array() {
        let spec = json!({
            "paths": {"/a": {"get": {}}, "/internal": {"get": {}}},
            "tags": [{"name": "a"}, {"name": "x"}, {"name": "b"}, {"name": "x"}]
        });
        let out = applied(
            spec,
            json!([
                {"target": "$.paths['/internal']", "remove": true},
                {"target": "$.tags[?@.name == 'x']", "remove": true},
            ]),
        )
        .unwrap();
        assert_eq!(out["paths"], json!({"/a": {"get": {}}}));
        assert_eq!(out["tags"], json!([{"name": "a"}, {"name": "b"}]));
    }

    #[test]
    fn actions_apply_in_order_each_seeing_the_last_ones_result() {
        let spec = json!({"info": {"title": "T"}});
        let out = applied(
            spec.clone(),
            json!([
                {"target": "$.info", "update": {"x-step": {"n": 1}}},
                {"target": "$.info['x-step']", "update": {"n": 2}},
            ]),
        )
        .unwrap();
        assert_eq!(out["info"]["x-step"]["n"], 2);
        // The other way round, the second target does not exist yet.
        let errors = applied(
            spec,
            json!([
                {"target": "$.info['x-step']", "update": {"n": 2}},
                {"target": "$.info", "update": {"x-step": {"n": 1}}},
            ]),
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("fix.overlay.yaml#/actions/0/target: "), "{}", errors[0]);
    }

    #[test]
    fn a_target_matching_nothing_is_an_error_at_the_action() {
        let errors = applied(
            json!({"paths": {}}),
            json!([
                {"target": "$.paths", "update": {}},
                {"target": "$.paths['/gone'].get", "remove": true}
            ]),
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "fix.overlay.yaml#/actions/1/target: `$.paths['/gone'].get` matches nothing in `api.yaml`, so the action cannot be applied"
            ]
        );
    }

    #[test]
    fn a_bad_jsonpath_is_an_error_and_nothing_is_applied() {
        let errors = applied(
            json!({"info": {}}),
            json!([
                {"target": "$.info", "update": {"title": "changed"}},
                {"target": "$.paths[/pets]", "update": {}}
            ]),
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("fix.overlay.yaml#/actions/1/target: `$.paths[/pets]` is not a JSONPath"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn malformed_overlays_are_errors_that_say_where() {
        let mut spec = json!({});
        let mut diags = Diagnostics::new();
        let document = Document {
            name: "o.json".into(),
            path: PathBuf::from("o.json"),
            root: json!({"overlay": "2.0.0", "actions": [{"target": "$", "update": {}, "remove": true}, {"target": "$"}, {"target": "$", "updates": {}}]}),
            content_hash: None,
        };
        apply(&document, &mut spec, "api.yaml", &mut diags);
        let places: Vec<String> = diags.errors().map(|d| d.place()).collect();
        assert_eq!(
            places,
            [
                "o.json#/overlay",
                "o.json#/info",
                "o.json#/actions/0",
                "o.json#/actions/1",
                "o.json#/actions/2/updates",
                "o.json#/actions/2"
            ]
        );
        assert_eq!(spec, json!({}), "nothing is applied");
    }

    #[test]
    fn the_root_cannot_be_removed_but_can_be_updated() {
        let errors = applied(json!({}), json!([{"target": "$", "remove": true}])).unwrap_err();
        assert!(errors[0].contains("cannot remove"), "{}", errors[0]);
        let out = applied(json!({"a": 1}), json!([{"target": "$", "update": {"b": 2}}])).unwrap();
        assert_eq!(out, json!({"a": 1, "b": 2}));
    }

    #[test]
    fn versions_1_0_x_are_read() {
        assert!(is_version_1_0("1.0.0"));
        assert!(is_version_1_0("1.0.12"));
        assert!(!is_version_1_0("1.0"));
        assert!(!is_version_1_0("1.1.0"));
        assert!(!is_version_1_0("1.0.x"));
    }
}
