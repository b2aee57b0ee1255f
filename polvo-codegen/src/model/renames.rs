//! Checks that the renames of the `x-polvo` section take no name that
//! something else of the same kind has: a rename that collides is a spec
//! error, never a silent numeric suffix on one of the two.
//!
//! The checks read the names the service's scopes were asked for while
//! naming (see [`Claims`]), so they agree with the names handed out.

use super::operations::RawOperation;
use super::section::RenameConfig;
use crate::naming;

/// The identifiers each schema, group and operation asked its scope for,
/// in the order they asked, recorded while the service is named.
#[derive(Debug, Default)]
pub(super) struct Claims {
    /// (schema key, type name asked for), in registration order.
    pub types: Vec<(String, String)>,
    /// (tag, module name asked for), in group order.
    pub groups: Vec<(String, String)>,
    /// By operation index: (group index, method name asked for); `None`
    /// for the client's own operations.
    pub operations: Vec<(Option<usize>, String)>,
}

/// Reports each rename that takes the name of another schema, group or
/// operation of its group, as `report(kind, key, message)`.
pub(super) fn report_collisions(
    renames: &RenameConfig,
    claims: &Claims,
    raw_ops: &[RawOperation<'_>],
    report: &mut dyn FnMut(&str, &str, String),
) {
    for (key, new) in &renames.types {
        let wanted = naming::component_type(new);
        if let Some((other, _)) = claims.types.iter().find(|(other, asked)| other != key && *asked == wanted) {
            report(
                "types",
                key,
                format!("`{new}` is the name of the schema `{other}` too; choose a name no other schema has"),
            );
        }
    }
    for (tag, new) in &renames.groups {
        let wanted = naming::group_module(new);
        if let Some((other, _)) = claims.groups.iter().find(|(other, asked)| other != tag && *asked == wanted) {
            report(
                "groups",
                tag,
                format!("`{new}` is the name of the group `{other}` too; choose a name no other group has"),
            );
        }
    }
    operations(renames, claims, raw_ops, report);
}

fn operations(
    renames: &RenameConfig,
    claims: &Claims,
    raw_ops: &[RawOperation<'_>],
    report: &mut dyn FnMut(&str, &str, String),
) {
    for (id, new) in &renames.operations {
        let Some(renamed) = raw_ops.iter().position(|op| op.is_named(id)) else {
            continue;
        };
        let wanted = naming::method_ident(new);
        let group = claims.operations.get(renamed).and_then(|(group, _)| *group);
        let taken = raw_ops.iter().zip(&claims.operations).enumerate().find(|&(i, (other, (other_group, asked)))| {
            i != renamed && !other.is_named(id) && *other_group == group && *asked == wanted
        });
        if let Some((_, (other, _))) = taken {
            let other = other
                .operation_id()
                .map_or_else(|| naming::operation_key(other.method, other.path), |o| format!("`{o}`"));
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
