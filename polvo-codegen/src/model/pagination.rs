//! Which operations page, and how: declared in the `x-polvo` section
//! (`pagination:`, by `operationId`), or detected from the shapes the
//! common APIs use:
//!
//! - Stripe: a body with `data` (the items) and `has_more`, and a
//!   `starting_after` parameter taking the last item's `id`;
//! - HubSpot: a body with `results` (the items) and `paging.next.after`,
//!   going into an `after` parameter;
//! - GitHub: a body that is an array and `page` and `per_page` query
//!   parameters, the next page named by the `Link` header.
//!
//! Only `GET` operations are detected; a declaration may name any.

use super::section::{PageStyleConfig, PaginationConfig, SectionSource};
use super::{
    FieldStep, Operation, Outcome, PageStyle, Pagination, ParamLocation, Primitive, Service, TypeDef, TypeKind, TypeRef,
};
use crate::diag::Diagnostics;
use crate::load::pointer;

/// How many aliases are followed to a type's definition.
const MAX_ALIASES: usize = 16;

/// Sets [`Operation::pagination`] of every operation of `service`.
/// `operation_ids` are those of every operation of the spec, generated or
/// not: a declaration for none of them is an error.
pub fn detect(
    service: &mut Service,
    section: Option<&SectionSource>,
    operation_ids: &[String],
    diags: &mut Diagnostics,
) {
    if let Some(source) = section {
        for id in source.section.pagination.keys().filter(|id| !operation_ids.contains(id)) {
            let at = format!("{}/pagination/{}", source.pointer, pointer::escape(id));
            diags.error(&source.file, &at, format!("no operation has the operationId `{id}`"));
        }
    }
    let types = &service.types;
    let operations =
        service.groups.iter_mut().flat_map(|g| g.operations.iter_mut()).chain(service.ungrouped.iter_mut());
    for op in operations {
        let declared = section
            .and_then(|s| Some((s, op.operation_id.as_ref()?)))
            .and_then(|(s, id)| s.section.pagination.get(id).map(|config| (s, id, config)));
        op.pagination = match declared {
            None => detected(op, types),
            Some((source, id, config)) => declared_pagination(op, config, types).unwrap_or_else(|message| {
                let at = format!("{}/pagination/{}", source.pointer, pointer::escape(id));
                diags.error(&source.file, &at, format!("pagination of `{id}`: {message}"));
                None
            }),
        };
    }
}

/// The pagination the common shapes give, if the operation has one.
pub fn detected(op: &Operation, types: &[TypeDef]) -> Option<Pagination> {
    if op.http_method != "GET" {
        return None;
    }
    let body = success_body(op)?;
    stripe(op, body, types).or_else(|| hubspot(op, body, types)).or_else(|| github(op, body, types))
}

/// `data` + `has_more`, `starting_after` = the last item's `id`.
fn stripe(op: &Operation, body: &TypeRef, types: &[TypeDef]) -> Option<Pagination> {
    let param = optional_query_param(op, "starting_after")?;
    let (items, item) = items_at(types, body, "data").ok()?;
    let has_more = bool_at(types, body, "has_more").ok()?;
    let cursor = cursor_at(types, &item, "id", &op.params[param].ty).ok()?;
    Some(Pagination { style: PageStyle::LastItem(cursor), param, items, item, has_more: Some(has_more) })
}

/// `results` + `paging.next.after` → `after`.
fn hubspot(op: &Operation, body: &TypeRef, types: &[TypeDef]) -> Option<Pagination> {
    let param = optional_query_param(op, "after")?;
    let (items, item) = items_at(types, body, "results").ok()?;
    let cursor = cursor_at(types, body, "paging.next.after", &op.params[param].ty).ok()?;
    Some(Pagination { style: PageStyle::Cursor(cursor), param, items, item, has_more: None })
}

/// An array body, `page` and `per_page` numbers, and the `Link` header.
fn github(op: &Operation, body: &TypeRef, types: &[TypeDef]) -> Option<Pagination> {
    optional_query_param(op, "per_page")?;
    let param = optional_query_param(op, "page")?;
    let TypeRef::Vec(item) = resolve(types, body) else { return None };
    is_integer(types, &op.params[param].ty).then(|| Pagination {
        style: PageStyle::Link,
        param,
        items: Vec::new(),
        item: (**item).clone(),
        has_more: None,
    })
}

/// The pagination a section entry declares; `None` for `style: none`.
fn declared_pagination(
    op: &Operation,
    config: &PaginationConfig,
    types: &[TypeDef],
) -> Result<Option<Pagination>, String> {
    let default_param = match config.style {
        PageStyleConfig::None => return Ok(None),
        PageStyleConfig::Cursor => None,
        PageStyleConfig::Link | PageStyleConfig::Page => Some("page"),
        PageStyleConfig::Offset => Some("offset"),
    };
    let body = success_body(op).ok_or("its success responses are not one JSON type")?;
    let name = config.parameter.as_deref().or(default_param).ok_or("`parameter` is required for style `cursor`")?;
    let param = op
        .params
        .iter()
        .position(|p| p.wire_name == name && p.location == ParamLocation::Query)
        .ok_or_else(|| format!("the operation has no query parameter `{name}`"))?;
    let param_ty = &op.params[param].ty;
    let (items, item) = match &config.items {
        Some(path) => items_at(types, body, path)?,
        None => default_items(types, body)?,
    };
    let has_more = config.has_more.as_deref().map(|path| bool_at(types, body, path)).transpose()?;
    let style = match config.style {
        PageStyleConfig::Cursor => match (&config.cursor, &config.cursor_from_last_item) {
            (Some(path), None) => PageStyle::Cursor(cursor_at(types, body, path, param_ty)?),
            (None, Some(path)) => PageStyle::LastItem(cursor_at(types, &item, path, param_ty)?),
            _ => return Err("style `cursor` needs one of `cursor` and `cursor_from_last_item`".into()),
        },
        PageStyleConfig::Link if is_primitive(types, param_ty) => PageStyle::Link,
        PageStyleConfig::Link => return Err(format!("parameter `{name}` is not a string or number")),
        _ if !is_integer(types, param_ty) => return Err(format!("parameter `{name}` is not an integer")),
        PageStyleConfig::Offset => PageStyle::Offset,
        _ => PageStyle::PageNumber { start: config.start.unwrap_or(1) },
    };
    Ok(Some(Pagination { style, param, items, item, has_more }))
}

/// The one type every success response decodes into.
fn success_body(op: &Operation) -> Option<&TypeRef> {
    match &op.responses.success_type {
        Outcome::Single(ty) => Some(ty),
        _ => None,
    }
}

/// The index of an optional query parameter named `name`.
fn optional_query_param(op: &Operation, name: &str) -> Option<usize> {
    op.params.iter().position(|p| p.wire_name == name && p.location == ParamLocation::Query && !p.required)
}

/// The items when none are declared: the body itself when it is an
/// array, else its `data`, `results` or `items` array.
fn default_items(types: &[TypeDef], body: &TypeRef) -> Result<(Vec<FieldStep>, TypeRef), String> {
    if let TypeRef::Vec(item) = resolve(types, body) {
        return Ok((Vec::new(), (**item).clone()));
    }
    ["data", "results", "items"].iter().find_map(|name| items_at(types, body, name).ok()).ok_or_else(|| {
        "the body is not an array and has no `data`, `results` or `items` array; name it in `items`".into()
    })
}

/// The array at `path` and its item type.
fn items_at(types: &[TypeDef], body: &TypeRef, path: &str) -> Result<(Vec<FieldStep>, TypeRef), String> {
    let (steps, leaf) = field_path(types, body, path)?;
    match resolve(types, &leaf) {
        TypeRef::Vec(item) => Ok((steps, (**item).clone())),
        _ => Err(format!("`{path}` is not an array")),
    }
}

/// The boolean at `path`.
fn bool_at(types: &[TypeDef], body: &TypeRef, path: &str) -> Result<Vec<FieldStep>, String> {
    let (steps, leaf) = field_path(types, body, path)?;
    match resolve(types, &leaf) {
        TypeRef::Primitive(Primitive::Bool) => Ok(steps),
        _ => Err(format!("`{path}` is not a boolean")),
    }
}

/// The path to a cursor of the parameter's type.
fn cursor_at(types: &[TypeDef], root: &TypeRef, path: &str, param: &TypeRef) -> Result<Vec<FieldStep>, String> {
    let (steps, leaf) = field_path(types, root, path)?;
    if resolve(types, &leaf) == resolve(types, param) {
        Ok(steps)
    } else {
        Err(format!("`{path}` does not have the parameter's type"))
    }
}

/// The fields along a dotted path of property names, and the type at its end.
fn field_path(types: &[TypeDef], root: &TypeRef, path: &str) -> Result<(Vec<FieldStep>, TypeRef), String> {
    let mut steps = Vec::new();
    let mut current = root.clone();
    for (depth, name) in path.split('.').enumerate() {
        let fields = match resolve(types, &current) {
            TypeRef::Named(id) => match &types[*id].kind {
                TypeKind::Struct(def) => Some(&def.fields),
                _ => None,
            },
            _ => None,
        };
        let at = || path.split('.').take(depth).collect::<Vec<_>>().join(".");
        let fields = fields.ok_or_else(|| match depth {
            0 => "the body is not an object with properties".to_owned(),
            _ => format!("`{}` is not an object with properties", at()),
        })?;
        let field = fields.iter().find(|f| f.wire_name == name).ok_or_else(|| match depth {
            0 => format!("the body has no property `{name}`"),
            _ => format!("`{}` has no property `{name}`", at()),
        })?;
        let (optional, inner) = match &field.ty {
            TypeRef::Option(inner) => (true, &**inner),
            other => (false, other),
        };
        let (boxed, inner) = match inner {
            TypeRef::Box(inner) => (true, &**inner),
            other => (false, other),
        };
        steps.push(FieldStep { field: field.rust_name.clone(), optional, boxed });
        current = inner.clone();
    }
    Ok((steps, current))
}

/// The type `ty` stands for: aliases followed, boxes opened.
fn resolve<'t>(types: &'t [TypeDef], mut ty: &'t TypeRef) -> &'t TypeRef {
    for _ in 0..MAX_ALIASES {
        ty = match ty {
            TypeRef::Box(inner) => inner,
            TypeRef::Named(id) => match &types[*id].kind {
                TypeKind::Alias(target) => target,
                _ => return ty,
            },
            _ => return ty,
        };
    }
    ty
}

fn is_integer(types: &[TypeDef], ty: &TypeRef) -> bool {
    matches!(resolve(types, ty), TypeRef::Primitive(Primitive::I32 | Primitive::I64 | Primitive::U32 | Primitive::U64))
}

fn is_primitive(types: &[TypeDef], ty: &TypeRef) -> bool {
    matches!(resolve(types, ty), TypeRef::Primitive(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Diagnostics, Generator};
    use std::path::{Path, PathBuf};

    /// `../shared/specs/<file>`, or `None` (with a message) when `../shared` is absent.
    fn vendor_spec(file: &str) -> Option<PathBuf> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs").join(file);
        if path.is_file() {
            Some(path)
        } else {
            eprintln!("skipped: {} is absent", path.display());
            None
        }
    }

    /// The model of `path` reduced to `operations`.
    fn service(path: &Path, operations: &[&str]) -> Result<Service, Diagnostics> {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let generator = Generator::new("api").spec(path, name).operations(operations.iter().copied());
        generator.model().map(|inspection| inspection.service)
    }

    fn operation<'s>(service: &'s Service, id: &str) -> &'s Operation {
        let mut all = service.groups.iter().flat_map(|g| &g.operations).chain(&service.ungrouped);
        all.find(|op| op.operation_id.as_deref() == Some(id)).unwrap_or_else(|| panic!("no operation `{id}`"))
    }

    fn param_name(op: &Operation) -> &str {
        &op.params[op.pagination.as_ref().expect("paginated").param].wire_name
    }

    fn fields(steps: &[FieldStep]) -> Vec<&str> {
        steps.iter().map(|s| s.field.as_str()).collect()
    }

    #[test]
    fn hubspot_get_page_is_detected() {
        let Some(path) = vendor_spec("hubspot/crm-contacts-v3.json") else { return };
        let page = "get-/crm/v3/objects/contacts_getPage";
        let by_id = "get-/crm/v3/objects/contacts/{contactId}_getById";
        let service = service(&path, &[page, by_id]).unwrap();
        let op = operation(&service, page);
        let pagination = op.pagination.as_ref().expect("getPage pages");
        assert_eq!(param_name(op), "after");
        assert_eq!(fields(&pagination.items), ["results"]);
        let PageStyle::Cursor(cursor) = &pagination.style else { panic!("{:?}", pagination.style) };
        assert_eq!(fields(cursor), ["paging", "next", "after"]);
        assert_eq!(operation(&service, by_id).pagination, None);
    }

    #[test]
    fn a_stripe_list_is_detected() {
        let Some(path) = vendor_spec("stripe.json") else { return };
        let service = service(&path, &["GetCustomers", "GetCustomersCustomer"]).unwrap();
        let op = operation(&service, "GetCustomers");
        let pagination = op.pagination.as_ref().expect("GetCustomers pages");
        assert_eq!(param_name(op), "starting_after");
        assert_eq!(fields(&pagination.items), ["data"]);
        assert_eq!(pagination.has_more.as_deref().map(fields), Some(vec!["has_more"]));
        let PageStyle::LastItem(cursor) = &pagination.style else { panic!("{:?}", pagination.style) };
        assert_eq!(fields(cursor), ["id"]);
        assert_eq!(operation(&service, "GetCustomersCustomer").pagination, None);
    }

    #[test]
    fn a_github_list_is_detected() {
        let Some(path) = vendor_spec("github.json") else { return };
        let service = service(&path, &["issues/list-for-repo", "issues/get"]).unwrap();
        let op = operation(&service, "issues/list-for-repo");
        let pagination = op.pagination.as_ref().expect("list-for-repo pages");
        assert_eq!(param_name(op), "page");
        assert_eq!(pagination.style, PageStyle::Link);
        assert!(pagination.items.is_empty());
        assert_eq!(operation(&service, "issues/get").pagination, None);
    }

    /// A spec with one Stripe-shaped list and `section` as its `x-polvo`.
    fn spec_with_section(section: serde_json::Value) -> (tempfile::TempDir, PathBuf) {
        let spec = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "x-polvo": section,
            "paths": {"/things": {"get": {
                "operationId": "listThings",
                "parameters": [
                    {"name": "starting_after", "in": "query", "schema": {"type": "string"}},
                    {"name": "page", "in": "query", "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "data": {"type": "array", "items": {"type": "object", "required": ["id"],
                                 "properties": {"id": {"type": "string"}}}},
                        "has_more": {"type": "boolean"},
                        "next": {"type": "object", "properties": {"token": {"type": "integer"}}}
                    }
                }}}}}
            }}}
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("api.json");
        std::fs::write(&path, spec.to_string()).unwrap();
        (dir, path)
    }

    fn declared_error(config: serde_json::Value) -> String {
        let (_dir, path) = spec_with_section(serde_json::json!({"pagination": {"listThings": config}}));
        let diags = service(&path, &[]).expect_err("the declaration is refused");
        let error = diags.errors().next().expect("an error");
        format!("{}: {}", error.place(), error.message)
    }

    #[test]
    fn style_none_turns_detection_off() {
        let (_dir, path) = spec_with_section(serde_json::json!({}));
        assert!(operation(&service(&path, &[]).unwrap(), "listThings").pagination.is_some());
        let (_dir, path) = spec_with_section(serde_json::json!({"pagination": {"listThings": {"style": "none"}}}));
        assert_eq!(operation(&service(&path, &[]).unwrap(), "listThings").pagination, None);
    }

    #[test]
    fn bad_declarations_say_what_and_where() {
        let place = "api.json#/x-polvo/pagination/listThings: pagination of `listThings`";
        let cases = [
            (
                serde_json::json!({"style": "cursor", "cursor": "next.token"}),
                "`parameter` is required for style `cursor`",
            ),
            (
                serde_json::json!({"style": "cursor", "parameter": "after", "cursor": "x"}),
                "the operation has no query parameter `after`",
            ),
            (
                serde_json::json!({"style": "cursor", "parameter": "page", "cursor": "next.token"}),
                "`next.token` does not have the parameter's type",
            ),
            (
                serde_json::json!({"style": "cursor", "parameter": "page", "cursor": "next.missing"}),
                "`next` has no property `missing`",
            ),
            (serde_json::json!({"style": "cursor", "parameter": "page"}), "style `cursor` needs one of"),
            (serde_json::json!({"style": "page"}), "parameter `page` is not an integer"),
            (
                serde_json::json!({"style": "offset", "parameter": "page", "items": "has_more"}),
                "`has_more` is not an array",
            ),
        ];
        for (config, expected) in cases {
            let error = declared_error(config.clone());
            assert!(error.starts_with(place), "{config}: {error}");
            assert!(error.contains(expected), "{config}: {error}");
        }
    }

    #[test]
    fn a_declaration_for_no_operation_is_an_error() {
        let (_dir, path) = spec_with_section(serde_json::json!({"pagination": {"listThingz": {"style": "link"}}}));
        let diags = service(&path, &[]).expect_err("refused");
        let error = diags.errors().next().expect("an error");
        assert_eq!(error.place(), "api.json#/x-polvo/pagination/listThingz");
        assert_eq!(error.message, "no operation has the operationId `listThingz`");
    }

    #[test]
    fn a_declared_cursor_replaces_the_detected_one() {
        let config = serde_json::json!({"style": "cursor", "parameter": "page", "cursor_from_last_item": "id"});
        let (_dir, path) = spec_with_section(serde_json::json!({"pagination": {"listThings": config}}));
        let service = service(&path, &[]).unwrap();
        let op = operation(&service, "listThings");
        assert_eq!(param_name(op), "page");
        let pagination = op.pagination.as_ref().unwrap();
        assert_eq!(
            pagination.style,
            PageStyle::LastItem(vec![FieldStep { field: "id".into(), optional: false, boxed: false }])
        );
        assert_eq!(fields(&pagination.items), ["data"]);
        assert_eq!(pagination.has_more, None);
    }
}
