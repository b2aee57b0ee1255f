//! The parameters of an operation and its path template.

use serde_json::Value;

use super::super::schema::{child_pointer, non_empty};
use super::super::types::At;
use super::super::{Param, ParamLocation, PathPart, Primitive, QueryStyle, TypeRef};
use super::media::is_json_media;
use super::{OperationBuilder, RawOperation, strip_option_if_required};
use crate::load::DocId;
use crate::naming::{self, Namespace};

/// A parameter object after its `$ref` is followed: value, document, pointer.
type Declared<'a> = (&'a Value, DocId, String);

impl<'a> OperationBuilder<'_, 'a> {
    /// The operation's parameters, each named in `names`; `type_prefix`
    /// starts the names of their inline types.
    pub(super) fn parameters(
        &mut self,
        raw: &RawOperation<'a>,
        type_prefix: &str,
        names: &mut Namespace,
    ) -> Vec<Param> {
        let declared = self.declared_parameters(raw);
        declared.into_iter().filter_map(|declared| self.parameter(declared, type_prefix, names)).collect()
    }

    /// Path-level parameters, overridden by operation-level ones with the
    /// same name and location, with their `$ref`s followed.
    fn declared_parameters(&mut self, raw: &RawOperation<'a>) -> Vec<Declared<'a>> {
        let mut all: Vec<Declared<'a>> = Vec::new();
        let mut keys: Vec<(String, String)> = Vec::new();
        let op_params = raw.value.get("parameters").and_then(Value::as_array);
        let op_list: Vec<(&'a Value, String)> = op_params
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, v)| (v, child_pointer(&raw.pointer, &["parameters", &i.to_string()])))
                    .collect()
            })
            .unwrap_or_default();
        for (value, pointer) in raw.path_params.iter().cloned().chain(op_list) {
            let Some((value, doc, pointer)) = self.follow(raw.doc, value, &pointer) else { continue };
            let name = value.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            let location = value.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
            let key = (name, location);
            if let Some(existing) = keys.iter().position(|k| *k == key) {
                all[existing] = (value, doc, pointer);
            } else {
                keys.push(key);
                all.push((value, doc, pointer));
            }
        }
        all
    }

    /// One parameter, or `None` when it is in error or one OpenAPI says to ignore.
    fn parameter(
        &mut self,
        (value, doc, pointer): Declared<'a>,
        type_prefix: &str,
        names: &mut Namespace,
    ) -> Option<Param> {
        let Some(name) = value.get("name").and_then(Value::as_str) else {
            self.error(doc, &pointer, "parameter has no `name`");
            return None;
        };
        let location = self.parameter_location(value, doc, &pointer, name)?;
        if location == ParamLocation::Header
            && ["accept", "content-type", "authorization"].contains(&name.to_ascii_lowercase().as_str())
        {
            // OpenAPI says these are ignored: they are set from the media types and security.
            return None;
        }
        let (ty, json) = self.parameter_type(value, doc, &pointer, name, &naming::member_type(type_prefix, name));
        let style = match value.get("style").and_then(Value::as_str) {
            Some("spaceDelimited") => QueryStyle::SpaceDelimited,
            Some("pipeDelimited") => QueryStyle::PipeDelimited,
            Some("deepObject") => QueryStyle::DeepObject,
            _ => QueryStyle::Form,
        };
        let default_explode =
            matches!(location, ParamLocation::Query | ParamLocation::Cookie) && style == QueryStyle::Form;
        let explode = value.get("explode").and_then(Value::as_bool).unwrap_or(default_explode);
        let required = location == ParamLocation::Path || value.get("required").and_then(Value::as_bool) == Some(true);
        let rust_name = names.claim(&naming::param_ident(name));
        Some(Param {
            wire_name: name.to_owned(),
            rust_name,
            location,
            required,
            ty: strip_option_if_required(ty, required),
            style,
            explode,
            json,
            description: non_empty(value.get("description").and_then(Value::as_str)),
            deprecated: value.get("deprecated").and_then(Value::as_bool) == Some(true),
        })
    }

    /// Where a parameter goes; an error when `in` says nothing OpenAPI knows.
    fn parameter_location(&mut self, value: &Value, doc: DocId, pointer: &str, name: &str) -> Option<ParamLocation> {
        match value.get("in").and_then(Value::as_str) {
            Some("path") => Some(ParamLocation::Path),
            Some("query") => Some(ParamLocation::Query),
            Some("header") => Some(ParamLocation::Header),
            Some("cookie") => Some(ParamLocation::Cookie),
            other => {
                self.error(
                    doc,
                    &child_pointer(pointer, &["in"]),
                    format!(
                        "parameter `{name}` has `in: {}`; it must be path, query, header or cookie",
                        other.unwrap_or("(missing)")
                    ),
                );
                None
            }
        }
    }

    /// A parameter's type, from its `schema` or `content`, and whether it
    /// is sent as JSON text; `hint` names an inline type.
    fn parameter_type(
        &mut self,
        value: &'a Value,
        doc: DocId,
        pointer: &str,
        name: &str,
        hint: &str,
    ) -> (TypeRef, bool) {
        match (value.get("schema"), value.get("content").and_then(Value::as_object)) {
            (Some(schema), _) => {
                let schema_pointer = child_pointer(pointer, &["schema"]);
                (self.types.type_of(At { value: schema, doc, pointer: &schema_pointer }, hint), false)
            }
            (None, Some(content)) => match content.iter().next() {
                Some((media, media_value)) => {
                    let schema_pointer = child_pointer(pointer, &["content", media, "schema"]);
                    let ty = match media_value.get("schema") {
                        Some(schema) => self.types.type_of(At { value: schema, doc, pointer: &schema_pointer }, hint),
                        None => TypeRef::Json,
                    };
                    (ty, is_json_media(media))
                }
                None => (TypeRef::Primitive(Primitive::String), false),
            },
            (None, None) => {
                self.warn(
                    doc,
                    pointer,
                    format!("parameter `{name}` has neither `schema` nor `content`; taken as a string"),
                );
                (TypeRef::Primitive(Primitive::String), false)
            }
        }
    }

    /// Splits the path into literals and parameters, adding a string
    /// parameter for any placeholder the spec forgot to declare and dropping
    /// declared path parameters that the template does not use.
    pub(super) fn path_template(
        &mut self,
        raw: &RawOperation<'a>,
        params: &mut Vec<Param>,
        names: &mut Namespace,
    ) -> Vec<PathPart> {
        let path = raw.path.split('#').next().unwrap_or(raw.path);
        // Literal text and placeholder names, in order.
        let mut pieces: Vec<(bool, &str)> = Vec::new();
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else { break };
            if start > 0 {
                pieces.push((false, &rest[..start]));
            }
            pieces.push((true, &rest[start + 1..start + len]));
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            pieces.push((false, rest));
        }
        let placeholders: Vec<&str> = pieces.iter().filter(|p| p.0).map(|p| p.1).collect();
        let mut unused = Vec::new();
        params.retain(|p| {
            let keep = p.location != ParamLocation::Path || placeholders.contains(&p.wire_name.as_str());
            if !keep {
                unused.push(p.wire_name.clone());
            }
            keep
        });
        for name in unused {
            self.warn(
                raw.doc,
                &raw.pointer,
                format!("path parameter `{name}` does not appear in the path; it is not sent"),
            );
        }
        pieces
            .into_iter()
            .map(|(is_param, text)| {
                if !is_param {
                    return PathPart::Literal(text.to_owned());
                }
                if let Some(i) = params.iter().position(|p| p.location == ParamLocation::Path && p.wire_name == text) {
                    return PathPart::Param(i);
                }
                self.warn(
                    raw.doc,
                    &raw.pointer,
                    format!("the path has a `{{{text}}}` placeholder but no path parameter `{text}`; it is taken as a string argument"),
                );
                params.push(Param {
                    wire_name: text.to_owned(),
                    rust_name: names.claim(&naming::param_ident(text)),
                    location: ParamLocation::Path,
                    required: true,
                    ty: TypeRef::Primitive(Primitive::String),
                    style: QueryStyle::Form,
                    explode: false,
                    json: false,
                    description: None,
                    deprecated: false,
                });
                PathPart::Param(params.len() - 1)
            })
            .collect()
    }
}
