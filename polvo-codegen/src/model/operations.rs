//! Turning path items into [`Operation`]s: parameters, bodies, responses.

use serde_json::Value;

use super::schema::{child_pointer, non_empty};
use super::types::{At, TypeBuilder, strip_option};
use super::{
    BodyEncoding, Operation, Outcome, Param, ParamLocation, PathPart, Primitive, QueryStyle, RequestBody, Response,
    ResponseBody, Responses, StatusMatch, TypeRef,
};
use crate::load::{DocId, Place};
use crate::naming::{self, Namespace};

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
}

impl RawOperation<'_> {
    /// `operationId`.
    pub fn operation_id(&self) -> Option<&str> {
        self.value.get("operationId").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
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

/// The method name an operation gets, and whether it dropped a `group/`
/// prefix of the operationId (then inline types are named with the group too): its `operationId` in snake_case,
/// cleaned of noise such as HubSpot's `get-/crm/v3/objects/contacts_getPage`
/// (→ `get_page`) and GitHub's `repos/list-for-org` (→ `list_for_org`, in
/// its tag's group), or, without one, the method and path
/// (`GET /pets/{petId}` → `get_pets_by_pet_id`).
pub fn method_name_parts(raw: &RawOperation<'_>, grouped: bool) -> (String, bool) {
    let mut dropped_group = false;
    if let Some(id) = raw.operation_id() {
        let mut id = id;
        for sep in ["-", "_", " ", ""] {
            let prefix = format!("{}{}{}", raw.method, sep, raw.path);
            if let (Some(head), Some(rest)) = (id.get(..prefix.len()), id.get(prefix.len()..))
                && !rest.is_empty()
                && head.eq_ignore_ascii_case(&prefix)
            {
                id = rest;
                break;
            }
        }
        if grouped
            && let Some((_, last)) = id.rsplit_once('/')
            && !naming::snake(last).is_empty()
        {
            id = last;
            dropped_group = true;
        }
        let snake = naming::snake(id);
        if !snake.is_empty() {
            return (snake, dropped_group);
        }
    }
    let mut words = vec![raw.method.to_owned()];
    let path = raw.path.split('#').next().unwrap_or(raw.path);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            words.push(format!("by {param}"));
        } else {
            words.push(segment.to_owned());
        }
    }
    (naming::snake(&words.join(" ")), false)
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
        self.types.diags.warning(&file, pointer, message);
    }

    fn error(&mut self, doc: DocId, pointer: &str, message: impl Into<String>) {
        let file = self.types.documents().name(doc).to_owned();
        self.types.diags.error(&file, pointer, message);
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

    /// Builds one operation under the given names.
    /// `type_prefix` starts the names of the operation's inline types.
    pub fn build(
        &mut self,
        raw: &RawOperation<'a>,
        method_name: String,
        builder_name: String,
        type_prefix: &str,
    ) -> Operation {
        let value = raw.value;
        let mut notes = Vec::new();
        let mut names = Namespace::with_reserved(&["client", "send", "send_response", "new"]);

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

        // Path parameters first (in template order), then required, then optional.
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
        let remap: Vec<usize> = {
            let mut remap = vec![0; params.len()];
            for (new, &old) in order.iter().enumerate() {
                remap[old] = new;
            }
            remap
        };
        let path_parts = path_parts
            .into_iter()
            .map(|p| match p {
                PathPart::Param(i) => PathPart::Param(remap[i]),
                other => other,
            })
            .collect();
        let mut slots: Vec<Option<Param>> = params.into_iter().map(Some).collect();
        let params = order.iter().filter_map(|&i| slots[i].take()).collect();

        let responses = self.responses(raw, type_prefix, &builder_name);
        if value.get("servers").is_some() {
            notes.push("The spec gives this operation its own server; polvo sends it to the client's base URL.".into());
        }
        if value.get("callbacks").is_some() {
            notes.push("The spec documents callbacks for this operation; they are not generated.".into());
        }
        if !responses.links.is_empty() {
            let names: Vec<String> = responses.links.iter().map(|l| format!("`{l}`")).collect();
            notes.push(format!(
                "The spec links responses of this operation to other operations ({}); follow them with those \
                 operations' methods.",
                names.join(", ")
            ));
        }

        Operation {
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
            alternative_bodies: bodies,
            emits_outcomes: true,
            security: (!self.auth.schemes.is_empty())
                .then(|| super::auth::operation_security(value.get("security"), self.auth)),
            place: Place { doc: raw.doc, pointer: raw.pointer.clone() },
        }
    }

    fn parameters(&mut self, raw: &RawOperation<'a>, builder: &str, names: &mut Namespace) -> Vec<Param> {
        // Path-level parameters, overridden by operation-level ones with the same name and location.
        let mut all: Vec<(&'a Value, DocId, String)> = Vec::new();
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

        let mut params = Vec::with_capacity(all.len());
        for (value, doc, pointer) in all {
            let Some(name) = value.get("name").and_then(Value::as_str) else {
                self.error(doc, &pointer, "parameter has no `name`");
                continue;
            };
            let location = match value.get("in").and_then(Value::as_str) {
                Some("path") => ParamLocation::Path,
                Some("query") => ParamLocation::Query,
                Some("header") => ParamLocation::Header,
                Some("cookie") => ParamLocation::Cookie,
                other => {
                    self.error(
                        doc,
                        &child_pointer(&pointer, &["in"]),
                        format!(
                            "parameter `{name}` has `in: {}`; it must be path, query, header or cookie",
                            other.unwrap_or("(missing)")
                        ),
                    );
                    continue;
                }
            };
            if location == ParamLocation::Header
                && ["accept", "content-type", "authorization"].contains(&name.to_ascii_lowercase().as_str())
            {
                // OpenAPI says these are ignored: they are set from the media types and security.
                continue;
            }
            let hint = format!("{builder}{}", naming::pascal(name));
            let (ty, json) = match (value.get("schema"), value.get("content").and_then(Value::as_object)) {
                (Some(schema), _) => {
                    let schema_pointer = child_pointer(&pointer, &["schema"]);
                    (self.types.type_of(At { value: schema, doc, pointer: &schema_pointer }, &hint), false)
                }
                (None, Some(content)) => match content.iter().next() {
                    Some((media, media_value)) => {
                        let schema_pointer = child_pointer(&pointer, &["content", media, "schema"]);
                        let ty = match media_value.get("schema") {
                            Some(schema) => {
                                self.types.type_of(At { value: schema, doc, pointer: &schema_pointer }, &hint)
                            }
                            None => TypeRef::Json,
                        };
                        (ty, is_json_media(media))
                    }
                    None => (TypeRef::Primitive(Primitive::String), false),
                },
                (None, None) => {
                    self.warn(
                        doc,
                        &pointer,
                        format!("parameter `{name}` has neither `schema` nor `content`; taken as a string"),
                    );
                    (TypeRef::Primitive(Primitive::String), false)
                }
            };
            let style = match value.get("style").and_then(Value::as_str) {
                Some("spaceDelimited") => QueryStyle::SpaceDelimited,
                Some("pipeDelimited") => QueryStyle::PipeDelimited,
                Some("deepObject") => QueryStyle::DeepObject,
                _ => QueryStyle::Form,
            };
            let default_explode =
                matches!(location, ParamLocation::Query | ParamLocation::Cookie) && style == QueryStyle::Form;
            let explode = value.get("explode").and_then(Value::as_bool).unwrap_or(default_explode);
            let required =
                location == ParamLocation::Path || value.get("required").and_then(Value::as_bool) == Some(true);
            let rust_name = names.claim(&naming::snake_ident(name, "param"));
            params.push(Param {
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
            });
        }
        params
    }

    /// Splits the path into literals and parameters, adding a string
    /// parameter for any placeholder the spec forgot to declare and dropping
    /// declared path parameters that the template does not use.
    fn path_template(
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
                    rust_name: names.claim(&naming::snake_ident(text, "param")),
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

    /// Every way the operation's body can be sent, the preferred first, each
    /// with the suffix its extra method gets (`xml`, `form`, …).
    fn request_bodies(
        &mut self,
        doc: DocId,
        value: &'a Value,
        pointer: &str,
        builder: &str,
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
            let body = self.request_body(doc, &pointer, media, media_value, builder, required, description.clone());
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
        builder: &str,
        required: bool,
        description: Option<String>,
    ) -> RequestBody {
        let schema_pointer = child_pointer(pointer, &["content", media, "schema"]);
        let schema = media_value.get("schema");
        let base = media_base(media);
        let hint = format!("{builder}Body");
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

    fn responses(&mut self, raw: &RawOperation<'a>, builder: &str, enum_prefix: &str) -> Responses {
        let mut success = Vec::new();
        let mut errors = Vec::new();
        let mut default = None;
        let mut links: Vec<String> = Vec::new();
        let mut success_media = Vec::new();
        let mut error_media = Vec::new();
        let responses_pointer = child_pointer(&raw.pointer, &["responses"]);
        let entries = raw.value.get("responses").and_then(Value::as_object);
        let successes = entries.map(|e| e.keys().filter(|k| k.starts_with('2')).count()).unwrap_or(0);
        for (key, value) in entries.into_iter().flatten() {
            if key.starts_with("x-") {
                continue;
            }
            let pointer = child_pointer(&responses_pointer, &[key]);
            let status = match parse_status(key) {
                Some(s) => s,
                None => {
                    self.warn(
                        raw.doc,
                        &pointer,
                        format!("`{key}` is not a status code, a range like `4XX`, or `default`; ignored"),
                    );
                    continue;
                }
            };
            let Some((value, doc, pointer)) = self.follow(raw.doc, value, &pointer) else { continue };
            let is_success = match status {
                StatusMatch::Code(c) => (200..300).contains(&c),
                StatusMatch::Class(c) => c == 2,
                StatusMatch::Default => false,
            };
            let hint = match (is_success, successes > 1, &status) {
                (true, false, _) => format!("{builder}Response"),
                (true, true, StatusMatch::Code(c)) => format!("{builder}Response{c}"),
                (false, _, StatusMatch::Code(c)) => format!("{builder}Error{c}"),
                (_, _, StatusMatch::Class(c)) => format!("{builder}Response{c}xx"),
                (_, _, StatusMatch::Default) => format!("{builder}DefaultResponse"),
            };
            if let Some(declared) = value.get("links").and_then(Value::as_object) {
                for name in declared.keys() {
                    if !links.contains(name) {
                        links.push(name.clone());
                    }
                }
            }
            let (body, media) = self.response_body(doc, value, &pointer, &hint);
            if let Some(media) = media {
                let list = if is_success { &mut success_media } else { &mut error_media };
                list.push(media);
            }
            let response = Response {
                status: status.clone(),
                body,
                description: non_empty(value.get("description").and_then(Value::as_str)),
                variant: None,
            };
            match status {
                StatusMatch::Default => default = Some(response),
                _ if is_success => success.push(response),
                _ => errors.push(response),
            }
        }
        if let Some(default) = default {
            if success.is_empty() {
                success.push(default);
            } else {
                errors.push(default);
            }
        }
        let success_type = outcome(&mut success, &format!("{enum_prefix}Response"), self.types, true);
        let error_type = outcome(&mut errors, &format!("{enum_prefix}Error"), self.types, false);
        let mut accept: Vec<String> = Vec::new();
        for media in success_media.into_iter().chain(error_media) {
            if !accept.contains(&media) {
                accept.push(media);
            }
        }
        Responses { success, errors, success_type, error_type, links, accept }
    }

    /// How a response decodes, and the media type it is decoded from.
    fn response_body(
        &mut self,
        doc: DocId,
        value: &'a Value,
        pointer: &str,
        hint: &str,
    ) -> (ResponseBody, Option<String>) {
        let Some(content) = value.get("content").and_then(Value::as_object) else {
            return (ResponseBody::Empty, None);
        };
        let mut candidates: Vec<(u8, &String, &'a Value)> = content
            .iter()
            .map(|(media, media_value)| (media_rank(media, media_value.get("schema")), media, media_value))
            .collect();
        candidates.sort_by_key(|c| c.0);
        let Some(&(_, media, media_value)) = candidates.first() else {
            return (ResponseBody::Empty, None);
        };
        let accepted = accept_entry(media);
        let schema = media_value.get("schema");
        let is_binary = schema.is_some_and(|s| s.get("format").and_then(Value::as_str) == Some("binary"));
        let body = if is_json_media(media) && !is_binary {
            match schema {
                Some(s) => {
                    let schema_pointer = child_pointer(pointer, &["content", media, "schema"]);
                    ResponseBody::Json(self.types.type_of(At { value: s, doc, pointer: &schema_pointer }, hint))
                }
                None if media.contains('*') => ResponseBody::Bytes,
                None => ResponseBody::Json(TypeRef::Json),
            }
        } else if media_base(media).starts_with("text/") && !is_binary {
            ResponseBody::Text
        } else {
            ResponseBody::Bytes
        };
        (body, accepted)
    }
}

/// A response media type as an `Accept` entry, when it can be one: visible
/// ASCII with a `/`, no commas.
fn accept_entry(media: &str) -> Option<String> {
    let media = media.trim();
    let valid = media.contains('/') && media.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b',');
    valid.then(|| media.to_owned())
}

/// How much a media type is preferred (lower first): JSON, form,
/// multipart, text, then anything else.
fn media_rank(media: &str, schema: Option<&Value>) -> u8 {
    let base = media_base(media);
    if is_json_media(media) && base != "*/*" {
        0
    } else if base == "application/x-www-form-urlencoded" {
        1
    } else if base == "multipart/form-data" {
        2
    } else if base == "*/*" && schema.is_some() {
        3
    } else if base.starts_with("text/") {
        4
    } else {
        5
    }
}

/// The suffix of the extra method that sends a body of this media type:
/// `xml`, `form`, `multipart`, `text`, `bytes`, or the subtype in snake_case.
fn media_suffix(media: &str) -> String {
    let base = media_base(media);
    match base.as_str() {
        "application/x-www-form-urlencoded" => "form".to_owned(),
        "multipart/form-data" => "multipart".to_owned(),
        "application/octet-stream" => "bytes".to_owned(),
        "text/plain" => "text".to_owned(),
        "application/xml" | "text/xml" => "xml".to_owned(),
        "application/json" | "*/*" => "json".to_owned(),
        _ => {
            let subtype = base.rsplit('/').next().unwrap_or(&base);
            let subtype = subtype.strip_prefix("x-").unwrap_or(subtype);
            let name = naming::snake(subtype.trim_end_matches("+json").trim_start_matches("vnd."));
            if name.is_empty() { "body".to_owned() } else { name }
        }
    }
}

/// The media type without parameters, lower case.
fn media_base(media: &str) -> String {
    media.split(';').next().unwrap_or(media).trim().to_ascii_lowercase()
}

/// Whether a body of this media type is JSON (`*/*` with a schema counts).
pub fn is_json_media(media: &str) -> bool {
    let base = media_base(media);
    base == "application/json"
        || base == "text/json"
        || base.ends_with("+json")
        || base == "*/*"
        || base == "application/*"
}

fn parse_status(key: &str) -> Option<StatusMatch> {
    if key.eq_ignore_ascii_case("default") {
        return Some(StatusMatch::Default);
    }
    let bytes = key.as_bytes();
    if bytes.len() == 3 && bytes[0].is_ascii_digit() {
        if key[1..].eq_ignore_ascii_case("xx") {
            return Some(StatusMatch::Class(u16::from(bytes[0] - b'0')));
        }
        if let Ok(code) = key.parse::<u16>()
            && (100..600).contains(&code)
        {
            return Some(StatusMatch::Code(code));
        }
    }
    None
}

/// The payload type of a response body, if it has one.
fn payload(body: &ResponseBody) -> Option<TypeRef> {
    match body {
        ResponseBody::Empty => None,
        ResponseBody::Json(t) => Some(strip_option(t.clone())),
        ResponseBody::Text => Some(TypeRef::Primitive(Primitive::String)),
        ResponseBody::Bytes => Some(TypeRef::Bytes),
    }
}

/// Works out what a set of responses decodes into, naming enum variants.
fn outcome(responses: &mut [Response], enum_name: &str, types: &TypeBuilder<'_>, success: bool) -> Outcome {
    let mut distinct: Vec<TypeRef> = Vec::new();
    let mut has_empty = false;
    for r in responses.iter() {
        match payload(&r.body) {
            Some(t) if !distinct.contains(&t) => distinct.push(t),
            Some(_) => {}
            None => has_empty = true,
        }
    }
    match distinct.len() {
        0 => Outcome::Nothing,
        1 if success && has_empty => Outcome::Optional(distinct.remove(0)),
        1 => Outcome::Single(distinct.remove(0)),
        _ => {
            let mut names = Namespace::new();
            let mut variants: Vec<(String, Option<TypeRef>)> = Vec::new();
            for ty in &distinct {
                variants.push((names.claim(&variant_name_for_type(ty, types)), Some(ty.clone())));
            }
            for r in responses.iter_mut() {
                match payload(&r.body) {
                    Some(t) => {
                        let i = distinct.iter().position(|d| *d == t).unwrap_or(0);
                        r.variant = Some(variants[i].0.clone());
                    }
                    None if success => {
                        let name = names.claim(&status_variant_name(&r.status));
                        variants.push((name.clone(), None));
                        r.variant = Some(name);
                    }
                    None => {}
                }
            }
            Outcome::Enum { name: enum_name.to_owned(), variants }
        }
    }
}

fn variant_name_for_type(ty: &TypeRef, types: &TypeBuilder<'_>) -> String {
    match ty {
        TypeRef::Named(id) => types.name_of(*id).to_owned(),
        TypeRef::Vec(inner) => match inner.as_ref() {
            TypeRef::Named(id) => format!("{}List", types.name_of(*id)),
            _ => "List".into(),
        },
        TypeRef::Primitive(Primitive::String) => "Text".into(),
        TypeRef::Primitive(_) => "Value".into(),
        TypeRef::Bytes | TypeRef::Binary => "Bytes".into(),
        TypeRef::Map(_) | TypeRef::JsonObject => "Object".into(),
        _ => "Json".into(),
    }
}

fn status_variant_name(status: &StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => match reason_phrase(*code) {
            Some(reason) => naming::pascal(reason),
            None => format!("Status{code}"),
        },
        StatusMatch::Class(c) => format!("Status{c}xx"),
        StatusMatch::Default => "Other".into(),
    }
}

fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        200 => "ok",
        201 => "created",
        202 => "accepted",
        203 => "non authoritative information",
        204 => "no content",
        205 => "reset content",
        206 => "partial content",
        207 => "multi status",
        208 => "already reported",
        226 => "im used",
        _ => return None,
    })
}

fn strip_option_if_required(ty: TypeRef, required: bool) -> TypeRef {
    // Optional parameters are `Option`al in the builder already; a nullable
    // required one keeps its `Option`.
    if required { ty } else { strip_option(ty) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(id: Option<&'a Value>, method: &'a str, path: &'a str) -> RawOperation<'a> {
        RawOperation {
            doc: 0,
            path,
            method,
            value: id.unwrap_or(&Value::Null),
            pointer: String::new(),
            path_params: vec![],
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

    #[test]
    fn statuses() {
        assert_eq!(parse_status("200"), Some(StatusMatch::Code(200)));
        assert_eq!(parse_status("4XX"), Some(StatusMatch::Class(4)));
        assert_eq!(parse_status("5xx"), Some(StatusMatch::Class(5)));
        assert_eq!(parse_status("default"), Some(StatusMatch::Default));
        assert_eq!(parse_status("20"), None);
        assert_eq!(parse_status("999"), None);
    }

    #[test]
    fn media_types() {
        assert!(is_json_media("application/json; charset=utf-8"));
        assert!(is_json_media("application/vnd.github+json"));
        assert!(!is_json_media("text/plain"));
        assert!(media_rank("application/json", None) < media_rank("application/xml", None));
        assert!(media_rank("application/x-www-form-urlencoded", None) < media_rank("text/plain", None));
    }
}
