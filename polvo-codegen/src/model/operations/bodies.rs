//! The request body of an operation, in each media type it can be sent as.

use serde_json::Value;

use super::super::schema::{child_pointer, non_empty};
use super::super::types::At;
use super::super::{BodyEncoding, Primitive, RequestBody, TypeRef};
use super::media::{is_json_media, media_base, media_rank, media_suffix};
use super::{OperationBuilder, strip_option_if_required};
use crate::load::DocId;

impl<'a> OperationBuilder<'_, 'a> {
    /// Every way the operation's body can be sent, the preferred first, each
    /// with the suffix its extra method gets (`xml`, `form`, …).
    pub(super) fn request_bodies(
        &mut self,
        doc: DocId,
        value: &'a Value,
        pointer: &str,
        type_prefix: &str,
    ) -> Vec<(String, RequestBody)> {
        let Some((value, doc, pointer)) = self.follow(doc, value, pointer) else { return Vec::new() };
        let Some(content) = value.get("content").and_then(Value::as_object) else { return Vec::new() };
        let mut candidates: Vec<(u8, &String, &'a Value)> = content
            .iter()
            .map(|(media, media_value)| (media_rank(media, media_value.get("schema")), media, media_value))
            .collect();
        candidates.sort_by_key(|c| c.0);
        let required = value.get("required").and_then(Value::as_bool) == Some(true);
        let description = non_empty(value.get("description").and_then(Value::as_str));
        let mut bodies: Vec<(String, RequestBody)> = Vec::new();
        for (_, media, media_value) in candidates {
            let body = self.request_body(doc, &pointer, media, media_value, type_prefix, required, description.clone());
            let duplicate = bodies
                .iter()
                .any(|(_, b)| b.encoding == body.encoding && b.ty == body.ty && b.content_type == body.content_type);
            if !duplicate {
                bodies.push((media_suffix(media), body));
            }
        }
        bodies
    }

    #[allow(clippy::too_many_arguments)]
    fn request_body(
        &mut self,
        doc: DocId,
        pointer: &str,
        media: &str,
        media_value: &'a Value,
        type_prefix: &str,
        required: bool,
        description: Option<String>,
    ) -> RequestBody {
        let schema_pointer = child_pointer(pointer, &["content", media, "schema"]);
        let schema = media_value.get("schema");
        let base = media_base(media);
        let hint = format!("{type_prefix}Body");
        let is_binary = schema.is_some_and(|s| s.get("format").and_then(Value::as_str) == Some("binary"));
        let (encoding, ty) = if is_json_media(media) && !is_binary {
            let ty = match schema {
                Some(s) => self.types.type_of(At { value: s, doc, pointer: &schema_pointer }, &hint),
                None => TypeRef::Json,
            };
            (BodyEncoding::Json, ty)
        } else if base == "application/x-www-form-urlencoded" || base == "multipart/form-data" {
            let ty = match schema {
                Some(s) => self.types.type_of(At { value: s, doc, pointer: &schema_pointer }, &hint),
                None => TypeRef::JsonObject,
            };
            if base == "multipart/form-data" {
                (BodyEncoding::Multipart, ty)
            } else {
                let deep_object = media_value
                    .get("encoding")
                    .and_then(Value::as_object)
                    .map(|enc| {
                        enc.iter()
                            .filter(|(_, e)| e.get("style").and_then(Value::as_str) == Some("deepObject"))
                            .map(|(k, _)| k.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                (BodyEncoding::Form { deep_object }, ty)
            }
        } else if base.starts_with("text/") && !is_binary {
            (BodyEncoding::Text, TypeRef::Primitive(Primitive::String))
        } else {
            (BodyEncoding::Bytes, TypeRef::Binary)
        };
        let content_type = if media.contains('*') {
            match encoding {
                BodyEncoding::Json => "application/json".to_owned(),
                BodyEncoding::Text => "text/plain".to_owned(),
                _ => "application/octet-stream".to_owned(),
            }
        } else {
            media.to_owned()
        };
        RequestBody { encoding, content_type, ty: strip_option_if_required(ty, required), required, description }
    }
}
