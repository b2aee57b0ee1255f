//! Turning path items into [`Operation`]s. The parts of an operation are
//! built in their own modules: [`parameters`] (and the path template),
//! [`bodies`], [`responses`]; [`media`] holds the media-type rules they share.

mod bodies;
mod media;
mod parameters;
mod responses;
mod streaming;

pub(super) use media::is_json_media;

use serde_json::Value;

use super::schema::{child_pointer, non_empty};
use super::section::RenameConfig;
use super::types::{TypeBuilder, strip_option};
use super::{Operation, Param, ParamLocation, PathPart, RequestBody, TypeRef};
use crate::load::{DocId, Place};
use crate::naming::{self, OperationNames};

/// The HTTP methods OpenAPI path items can hold, lower case.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One operation found in a path item, before it is built.
#[derive(Clone, Debug)]
pub struct RawOperation<'a> {
    /// The document.
    pub doc: DocId,
    /// The path key as written.
    pub path: &'a str,
    /// The method, lower case.
    pub method: &'a str,
    /// The operation object.
    pub value: &'a Value,
    /// Pointer of the operation object.
    pub pointer: String,
    /// Path-level parameters (value, pointer).
    pub path_params: Vec<(&'a Value, String)>,
    /// The method name made from the method and path, for an operation
    /// without an `operationId` (set once every operation is collected).
    pub path_name: Option<String>,
}

impl RawOperation<'_> {
    /// `operationId`.
    pub fn operation_id(&self) -> Option<&str> {
        self.value.get("operationId").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    }

    /// The method name the operation gets without a rename, and whether
    /// it dropped a `group/` prefix of its operationId.
    pub fn method_name(&self, grouped: bool) -> (String, bool) {
        match (&self.path_name, self.operation_id()) {
            (Some(name), None) => (name.clone(), false),
            _ => naming::operation_method(self.operation_id(), self.method, self.path, grouped),
        }
    }

    /// Whether the section's `key` names this operation: its `operationId`,
    /// or its method and path (`GET /pets/{id}`).
    pub fn is_named(&self, key: &str) -> bool {
        self.operation_id() == Some(key) || naming::is_operation_key(key, self.method, self.path)
    }

    /// The method name the operation asks for: its rename, or
    /// [`Self::method_name`]; and whether the group was taken off.
    pub fn method_base(&self, grouped: bool, renames: &RenameConfig) -> (String, bool) {
        match renames.operations.iter().find(|(key, _)| self.is_named(key)) {
            Some((_, rename)) => (rename.clone(), false),
            None => self.method_name(grouped),
        }
    }

    /// The first tag.
    pub fn first_tag(&self) -> Option<&str> {
        self.value
            .get("tags")
            .and_then(Value::as_array)?
            .iter()
            .filter_map(Value::as_str)
            .find(|t| !t.trim().is_empty())
    }
}

/// An operation as built, before the service gives each of its other body
/// media types an operation of its own.
pub struct BuiltOperation {
    /// The operation, sending its preferred media type.
    pub operation: Operation,
    /// Other media types the body can be sent as, each with the suffix of
    /// the extra method that sends it.
    pub alternative_bodies: Vec<(String, RequestBody)>,
}

/// Builds operations, sharing a type builder with the rest of the service.
pub struct OperationBuilder<'t, 'a> {
    /// The type builder.
    pub types: &'t mut TypeBuilder<'a>,
    /// The service's security schemes.
    pub auth: &'t super::auth::AuthModel,
}

impl<'a> OperationBuilder<'_, 'a> {
    fn warn(&mut self, doc: DocId, pointer: &str, message: impl Into<String>) {
        let file = self.types.documents().name(doc).to_owned();
        self.types.diags().warning(&file, pointer, message);
    }

    fn error(&mut self, doc: DocId, pointer: &str, message: impl Into<String>) {
        let file = self.types.documents().name(doc).to_owned();
        self.types.diags().error(&file, pointer, message);
    }

    /// Follows a `$ref` (to `components/parameters`, `responses`, …),
    /// reporting a dangling one.
    fn follow(&mut self, doc: DocId, value: &'a Value, pointer: &str) -> Option<(&'a Value, DocId, String)> {
        match value.get("$ref").and_then(Value::as_str) {
            None => Some((value, doc, pointer.to_owned())),
            Some(_) => {
                let docs = self.types.documents();
                match docs.follow(&Place { doc, pointer: pointer.to_owned() }) {
                    Ok((place, target)) => Some((target, place.doc, place.pointer)),
                    Err(message) => {
                        self.error(doc, &child_pointer(pointer, &["$ref"]), message);
                        None
                    }
                }
            }
        }
    }

    /// Builds one operation under the names its module's scope gave it.
    pub fn build(&mut self, raw: &RawOperation<'a>, names: OperationNames) -> BuiltOperation {
        let OperationNames { method: method_name, builder: builder_name, type_prefix } = names;
        let type_prefix = type_prefix.as_str();
        let value = raw.value;
        let mut names = naming::builder_scope();

        // Request body first, so it gets the name `body`.
        let mut bodies = match value.get("requestBody") {
            Some(b) => self.request_bodies(raw.doc, b, &child_pointer(&raw.pointer, &["requestBody"]), type_prefix),
            None => Vec::new(),
        };
        let body = if bodies.is_empty() { None } else { Some(bodies.remove(0).1) };
        if body.is_some() {
            names.claim("body");
        }

        let mut params = self.parameters(raw, type_prefix, &mut names);
        let path_parts = self.path_template(raw, &mut params, &mut names);
        let (params, path_parts) = order_params(params, path_parts);

        let responses = self.responses(raw, type_prefix, &builder_name);
        let notes = operation_notes(value, &responses.links);
        let streaming = self.streaming(raw, type_prefix, &responses);

        let operation = Operation {
            method_name,
            builder_name,
            operation_id: raw.operation_id().map(str::to_owned),
            http_method: raw.method.to_ascii_uppercase(),
            path: raw.path.split('#').next().unwrap_or(raw.path).to_owned(),
            path_parts,
            summary: non_empty(value.get("summary").and_then(Value::as_str)),
            description: non_empty(value.get("description").and_then(Value::as_str)),
            deprecated: value.get("deprecated").and_then(Value::as_bool) == Some(true),
            params,
            body,
            responses,
            notes,
            emits_outcomes: true,
            pagination: None,
            security: (!self.auth.schemes.is_empty()).then(|| {
                let configured = self.auth.operation_security.iter().find(|(key, _)| raw.is_named(key));
                super::auth::operation_security(configured.map(|(_, s)| s), value.get("security"), self.auth)
            }),
            place: Place { doc: raw.doc, pointer: raw.pointer.clone() },
            idempotency_header: None,
            streaming,
        };
        BuiltOperation { operation, alternative_bodies: bodies }
    }
}

/// Puts path parameters first (in template order), then required, then
/// optional ones, renumbering the template's references to them.
fn order_params(params: Vec<Param>, path_parts: Vec<PathPart>) -> (Vec<Param>, Vec<PathPart>) {
    let mut order: Vec<usize> = (0..params.len()).collect();
    let template_pos = |i: usize| path_parts.iter().position(|p| *p == PathPart::Param(i)).unwrap_or(usize::MAX);
    order.sort_by_key(|&i| {
        let p = &params[i];
        (
            p.location != ParamLocation::Path,
            !p.required,
            if p.location == ParamLocation::Path { template_pos(i) } else { i },
        )
    });
    let mut remap = vec![0; params.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = new;
    }
    let path_parts = path_parts
        .into_iter()
        .map(|p| match p {
            PathPart::Param(i) => PathPart::Param(remap[i]),
            other => other,
        })
        .collect();
    let mut slots: Vec<Option<Param>> = params.into_iter().map(Some).collect();
    let params = order.iter().filter_map(|&i| slots[i].take()).collect();
    (params, path_parts)
}

/// The notes on what of an operation is not generated: its own servers,
/// callbacks, and response links.
fn operation_notes(value: &Value, links: &[String]) -> Vec<String> {
    let mut notes = Vec::new();
    if value.get("servers").is_some() {
        notes.push("The spec gives this operation its own server; polvo sends it to the client's base URL.".into());
    }
    if value.get("callbacks").is_some() {
        notes.push("The spec documents callbacks for this operation; they are not generated.".into());
    }
    if !links.is_empty() {
        let names: Vec<String> = links.iter().map(|l| format!("`{l}`")).collect();
        notes.push(format!(
            "The spec links responses of this operation to other operations ({}); follow them with those \
             operations' methods.",
            names.join(", ")
        ));
    }
    notes
}

fn strip_option_if_required(ty: TypeRef, required: bool) -> TypeRef {
    // Optional parameters are `Option`al in the builder already; a nullable
    // required one keeps its `Option`.
    if required { ty } else { strip_option(ty) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The method name an operation gets, and whether it dropped a `group/` prefix.
    fn method_name_parts(raw: &RawOperation<'_>, grouped: bool) -> (String, bool) {
        raw.method_name(grouped)
    }

    fn raw<'a>(id: Option<&'a Value>, method: &'a str, path: &'a str) -> RawOperation<'a> {
        RawOperation {
            doc: 0,
            path,
            method,
            value: id.unwrap_or(&Value::Null),
            pointer: String::new(),
            path_params: vec![],
            path_name: None,
        }
    }

    #[test]
    fn method_names_from_noisy_operation_ids() {
        let v = serde_json::json!({"operationId": "get-/crm/v3/objects/contacts_getPage"});
        assert_eq!(method_name_parts(&raw(Some(&v), "get", "/crm/v3/objects/contacts"), true).0, "get_page");
        let v = serde_json::json!({"operationId": "get-/crm/v3/objects/contacts/{contactId}_getById"});
        assert_eq!(
            method_name_parts(&raw(Some(&v), "get", "/crm/v3/objects/contacts/{contactId}"), true).0,
            "get_by_id"
        );
        let v = serde_json::json!({"operationId": "repos/list-for-org"});
        assert_eq!(method_name_parts(&raw(Some(&v), "get", "/orgs/{org}/repos"), true).0, "list_for_org");
        assert_eq!(method_name_parts(&raw(Some(&v), "get", "/orgs/{org}/repos"), false).0, "repos_list_for_org");
        let v = serde_json::json!({"operationId": "findPetsByStatus"});
        assert_eq!(method_name_parts(&raw(Some(&v), "get", "/pet/findByStatus"), true).0, "find_pets_by_status");
    }

    #[test]
    fn method_names_without_operation_id() {
        let v = serde_json::json!({});
        assert_eq!(method_name_parts(&raw(Some(&v), "get", "/pets/{petId}"), true).0, "get_pets_by_pet_id");
        assert_eq!(method_name_parts(&raw(Some(&v), "post", "/#X-Amz-Target=X.Y"), true).0, "post");
    }
}
