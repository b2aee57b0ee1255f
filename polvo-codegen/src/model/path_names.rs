//! Method names for operations without an `operationId`, made from their
//! method and path the short way (see [`naming::path_method`]): the path
//! prefix every operation shares and the group's own name are dropped.
//!
//! Names are decided over every operation of the spec, before any
//! `tags`/`operations` selection, so choosing operations never renames
//! one. Within a group, operations whose short name is shared (with each
//! other or with an operationId's name) take the longer shape, all of
//! them, so which one keeps the short name never depends on order.

use std::collections::{BTreeMap, HashMap};

use super::operations::RawOperation;
use crate::naming::{self, PathNameShape};

/// Gives each operation without an `operationId` its path name;
/// `group_of` is the group an operation is in (`None` on the client).
pub(super) fn assign(raw_ops: &mut [RawOperation<'_>], group_of: impl Fn(&RawOperation<'_>) -> Option<String>) {
    let prefix = naming::common_path_prefix(raw_ops.iter().map(|op| op.path));
    let mut groups: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (i, op) in raw_ops.iter().enumerate() {
        groups.entry(group_of(op)).or_default().push(i);
    }
    for (group, members) in &groups {
        let taken: Vec<String> = members
            .iter()
            .filter(|&&i| raw_ops[i].operation_id().is_some())
            .map(|&i| raw_ops[i].method_name(group.is_some()).0)
            .collect();
        let unnamed: Vec<usize> = members.iter().copied().filter(|&i| raw_ops[i].operation_id().is_none()).collect();
        for (i, name) in names_in_group(raw_ops, &unnamed, &taken, prefix, group.as_deref()) {
            raw_ops[i].path_name = Some(name);
        }
    }
}

/// The names of the operations `unnamed` of one group, each in the
/// shortest shape no other operation of the group shares.
fn names_in_group(
    raw_ops: &[RawOperation<'_>],
    unnamed: &[usize],
    taken: &[String],
    prefix: usize,
    group: Option<&str>,
) -> Vec<(usize, String)> {
    let mut named = Vec::with_capacity(unnamed.len());
    let mut pending = unnamed.to_vec();
    for shape in [PathNameShape::Short, PathNameShape::WithParameters] {
        let names: Vec<String> = pending
            .iter()
            .map(|&i| naming::path_method(raw_ops[i].method, raw_ops[i].path, prefix, group, shape))
            .collect();
        let mut count: HashMap<&str, usize> = HashMap::new();
        for name in names.iter().chain(taken) {
            *count.entry(name.as_str()).or_default() += 1;
        }
        let mut still = Vec::new();
        for (&i, name) in pending.iter().zip(&names) {
            if count[name.as_str()] == 1 && !name.is_empty() {
                named.push((i, name.clone()));
            } else {
                still.push(i);
            }
        }
        pending = still;
    }
    // The rest keep every segment; the scope suffixes what still clashes.
    named.extend(
        pending
            .into_iter()
            .map(|i| (i, naming::path_method(raw_ops[i].method, raw_ops[i].path, 0, None, PathNameShape::Full))),
    );
    named
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::naming::{common_path_prefix, is_operation_key, path_method};
    use serde_json::Value;

    fn raw<'a>(method: &'a str, path: &'a str, value: &'a Value) -> RawOperation<'a> {
        RawOperation { doc: 0, path, method, value, pointer: String::new(), path_params: vec![], path_name: None }
    }

    #[test]
    fn the_short_name_drops_the_shared_prefix_the_group_and_the_parameters() {
        let path = "/api/contents/{path}/checkpoints/{checkpoint_id}";
        assert_eq!(path_method("delete", path, 1, Some("contents"), PathNameShape::Short), "delete_checkpoint");
        assert_eq!(
            path_method("delete", path, 1, Some("contents"), PathNameShape::WithParameters),
            "delete_by_path_checkpoints_by_checkpoint_id"
        );
        assert_eq!(
            path_method("delete", path, 1, Some("contents"), PathNameShape::Full),
            "delete_api_contents_by_path_checkpoints_by_checkpoint_id"
        );
        // A group named in the singular still drops the plural segment.
        assert_eq!(path_method("get", "/v1/pets/{id}/photos", 1, Some("pet"), PathNameShape::Short), "get_photos");
        // A segment that only starts like the group stays.
        assert_eq!(path_method("get", "/pets_archive", 0, Some("pets"), PathNameShape::Short), "get_pets_archive");
        assert_eq!(path_method("get", "/policies/{id}", 0, None, PathNameShape::Short), "get_policy");
        assert_eq!(path_method("get", "/status", 0, None, PathNameShape::Short), "get_status");
        // httpbin's `GET /get` says its method once.
        assert_eq!(path_method("get", "/get", 0, None, PathNameShape::Short), "get");
        assert_eq!(path_method("post", "/#X-Amz-Target=X.Y", 0, None, PathNameShape::Short), "post");
    }

    #[test]
    fn the_common_prefix_leaves_every_path_a_segment() {
        assert_eq!(common_path_prefix(["/api/v1/a", "/api/v1/b/{id}"]), 2);
        assert_eq!(common_path_prefix(["/api/a", "/api"]), 0);
        assert_eq!(common_path_prefix(["/api/a/{x}", "/api/a/{x}/b"]), 2);
        assert_eq!(common_path_prefix(["/only/one"]), 1);
        assert_eq!(common_path_prefix(["/get"]), 0);
        assert_eq!(common_path_prefix(["/a", "/b"]), 0);
        assert_eq!(common_path_prefix(std::iter::empty()), 0);
    }

    #[test]
    fn operations_are_named_by_method_and_path() {
        assert!(is_operation_key("GET /pets/{id}", "get", "/pets/{id}"));
        assert!(is_operation_key("  delete   /pets/{id} ", "delete", "/pets/{id}"));
        assert!(!is_operation_key("GET /pets/{id}", "put", "/pets/{id}"));
        assert!(!is_operation_key("GET /pets", "get", "/pets/{id}"));
        assert!(!is_operation_key("getPet", "get", "/pets/{id}"));
    }

    #[test]
    fn shared_short_names_take_the_longer_shape_together_whatever_the_order() {
        let none = Value::Null;
        let with_id = serde_json::json!({"operationId": "getStatus"});
        let ops = [
            ("get", "/api/sessions"),
            ("get", "/api/sessions/{session}"),
            ("post", "/api/sessions/{session}/restart"),
            ("get", "/api/x/{a}"),
            ("get", "/api/x/{b}"),
        ];
        for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0]] {
            let mut raw_ops: Vec<RawOperation<'_>> = order.iter().map(|&i| raw(ops[i].0, ops[i].1, &none)).collect();
            raw_ops.push(raw("get", "/api/status", &with_id));
            assign(&mut raw_ops, |op| op.path.starts_with("/api/sessions").then(|| "sessions".to_owned()));
            let name = |path: &str| raw_ops.iter().find(|op| op.path == path).unwrap().method_name(true).0;
            assert_eq!(name("/api/sessions"), "get");
            assert_eq!(name("/api/sessions/{session}"), "get_by_session");
            assert_eq!(name("/api/sessions/{session}/restart"), "post_restart");
            // Same with parameters too: the full name, and the scope's suffix settles the rest.
            assert_eq!(name("/api/x/{a}"), "get_x_by_a");
            assert_eq!(name("/api/x/{b}"), "get_x_by_b");
            assert_eq!(name("/api/status"), "get_status", "an operationId keeps its name");
        }
        // A short name an operationId's name has already goes long.
        let mut raw_ops = vec![raw("get", "/api/status", &none), raw("get", "/api/other", &with_id)];
        assign(&mut raw_ops, |_| None);
        assert_eq!(raw_ops[0].method_name(false).0, "get_api_status");
    }
}
