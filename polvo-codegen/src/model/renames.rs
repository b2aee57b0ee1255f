//! Checks that the renames of the `x-polvo` section take no name that
//! something else of the same kind has: a rename that collides is a spec
//! error, never a silent numeric suffix on one of the two.

use indexmap::IndexMap;
use serde_json::Value;

use super::operations::RawOperation;
use super::section::RenameConfig;
use super::service::method_base;
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
        let root = &names.docs.doc(doc).root;
        if let Some(schemas) = root.pointer(super::service::schemas_pointer(root)).and_then(Value::as_object) {
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
    // The group of each operation, by index; ungrouped ones sit on the client.
    let mut group_of: Vec<Option<&str>> = vec![None; names.raw_ops.len()];
    for (group, ops) in names.groups {
        for &i in ops {
            if let Some(slot) = group_of.get_mut(i) {
                *slot = Some(group.as_str());
            }
        }
    }
    let final_name = |i: usize, op: &RawOperation<'_>| {
        naming::snake_ident(&method_base(op, group_of[i].is_some(), names.renames).0, "call")
    };
    for (id, new) in &names.renames.operations {
        let Some(renamed) = names.raw_ops.iter().position(|op| op.operation_id() == Some(id.as_str())) else {
            continue;
        };
        let wanted = naming::snake_ident(new, "call");
        let taken = names.raw_ops.iter().enumerate().find(|&(i, other)| {
            i != renamed
                && other.operation_id() != Some(id.as_str())
                && group_of[i] == group_of[renamed]
                && final_name(i, other) == wanted
        });
        if let Some((_, other)) = taken {
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
