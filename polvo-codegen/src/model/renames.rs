//! Checks that the renames of the `x-polvo` section take no name that
//! something else of the same kind has: a rename that collides is a spec
//! error, never a silent numeric suffix on one of the two.

use indexmap::IndexMap;
use serde_json::Value;

use super::auth_config::RenameConfig;
use super::operations::{RawOperation, method_name_parts};
use crate::load::{DocId, DocumentSet};
use crate::naming;

/// What the checks look at.
pub(super) struct Names<'a, 'd> {
    /// The documents.
    pub docs: &'d DocumentSet,
    /// The service's root documents.
    pub roots: &'a [DocId],
    /// The section's renames.
    pub renames: &'a RenameConfig,
    /// The groups, by tag (or file), with their operations.
    pub groups: &'a IndexMap<String, Vec<usize>>,
    /// Every operation the service generates.
    pub raw_ops: &'a [RawOperation<'d>],
    /// The group of a root document, in a service of several files.
    pub group_of_doc: &'a dyn Fn(DocId) -> Option<String>,
}

/// Reports each rename that takes the name of another schema, group or
/// operation of its group, as `report(kind, key, message)`.
pub(super) fn report_collisions(names: &Names<'_, '_>, report: &mut dyn FnMut(&str, &str, String)) {
    types(names, report);
    groups(names, report);
    operations(names, report);
}

fn types(names: &Names<'_, '_>, report: &mut dyn FnMut(&str, &str, String)) {
    let renames = &names.renames.types;
    let mut keys: Vec<&String> = Vec::new();
    for &doc in names.roots {
        if let Some(schemas) = names.docs.doc(doc).root.pointer("/components/schemas").and_then(Value::as_object) {
            for key in schemas.keys() {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    let final_name = |key: &str| naming::pascal_ident(renames.get(key).map_or(key, String::as_str), "Schema");
    for (key, new) in renames {
        let wanted = naming::pascal_ident(new, "Schema");
        if let Some(other) = keys.iter().find(|other| other.as_str() != key && final_name(other) == wanted) {
            report(
                "types",
                key,
                format!("`{new}` is the name of the schema `{other}` too; choose a name no other schema has"),
            );
        }
    }
}

fn groups(names: &Names<'_, '_>, report: &mut dyn FnMut(&str, &str, String)) {
    let renames = &names.renames.groups;
    let final_name = |tag: &str| naming::snake_ident(renames.get(tag).map_or(tag, String::as_str), "default");
    for (tag, new) in renames {
        let wanted = naming::snake_ident(new, "default");
        if let Some(other) = names.groups.keys().find(|other| *other != tag && final_name(other) == wanted) {
            report(
                "groups",
                tag,
                format!("`{new}` is the name of the group `{other}` too; choose a name no other group has"),
            );
        }
    }
}

fn operations(names: &Names<'_, '_>, report: &mut dyn FnMut(&str, &str, String)) {
    let renames = &names.renames.operations;
    let group_of = |op: &RawOperation<'_>| (names.group_of_doc)(op.doc).or_else(|| op.first_tag().map(str::to_owned));
    let final_name = |op: &RawOperation<'_>| {
        let base = match op.operation_id().and_then(|id| renames.get(id)) {
            Some(name) => name.clone(),
            None => method_name_parts(op, group_of(op).is_some()).0,
        };
        naming::snake_ident(&base, "call")
    };
    for (id, new) in renames {
        let Some(renamed) = names.raw_ops.iter().find(|op| op.operation_id() == Some(id.as_str())) else { continue };
        let wanted = naming::snake_ident(new, "call");
        let taken = names.raw_ops.iter().find(|other| {
            other.operation_id() != Some(id.as_str())
                && group_of(other) == group_of(renamed)
                && final_name(other) == wanted
        });
        if let Some(other) = taken {
            let other = other
                .operation_id()
                .map_or_else(|| format!("{} {}", other.method.to_ascii_uppercase(), other.path), |o| format!("`{o}`"));
            report(
                "operations",
                id,
                format!(
                    "`{new}` is the method name of the operation {other} too; choose a name no other operation of its group has"
                ),
            );
        }
    }
}
