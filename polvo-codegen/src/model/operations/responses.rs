//! The responses of an operation: what success and errors decode into.

use serde_json::Value;

use super::super::schema::{child_pointer, non_empty};
use super::super::types::{At, strip_option};
use super::super::{Outcome, Primitive, Response, ResponseBody, Responses, StatusMatch, TypeRef};
use super::media::{accept_entry, is_json_media, media_base, media_rank};
use super::{OperationBuilder, RawOperation};
use crate::load::DocId;
use crate::naming::{self, Namespace};

impl<'a> OperationBuilder<'_, 'a> {
    /// The operation's responses. `type_prefix` starts the names of their
    /// inline types, `enum_prefix` the names of the success and error enums
    /// (the builder's name).
    pub(super) fn responses(&mut self, raw: &RawOperation<'a>, type_prefix: &str, enum_prefix: &str) -> Responses {
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
            let hint = naming::response_type(type_prefix, &status, is_success, successes > 1);
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
        keep_undocumented_bodies(&mut success, raw.method);
        let success_type = outcome(&mut success, &format!("{enum_prefix}Response"), true);
        let error_type = outcome(&mut errors, &format!("{enum_prefix}Error"), false);
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

/// A spec that documents no body for any success (no `content`) is taken
/// to have forgotten it, not to promise none: those successes decode to the
/// bytes the server sent, never a dropped `()`. Statuses that cannot carry
/// a body (`204`, `205`) and `HEAD` requests stay bodiless. When another
/// success documents a body, the bodiless ones stay bodiless (`None`).
fn keep_undocumented_bodies(success: &mut [Response], method: &str) {
    if method.eq_ignore_ascii_case("head") || success.iter().any(|r| r.body != ResponseBody::Empty) {
        return;
    }
    for response in success {
        if !matches!(response.status, StatusMatch::Code(204 | 205)) {
            response.body = ResponseBody::Bytes;
        }
    }
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

/// Works out what a set of responses decodes into. When their bodies have
/// several types, it is an enum with one variant per status, named after it
/// (`Ok`, `Created`, `NotFound`); a success status without a body is a unit
/// variant, an error status without one has none (it is `Error::Status`).
fn outcome(responses: &mut [Response], enum_name: &str, success: bool) -> Outcome {
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
        _ => Outcome::Enum { name: enum_name.to_owned(), variants: status_variants(responses, success) },
    }
}

/// The variants of a response enum, one per status that has one, each
/// named after its status; they are recorded on the responses too.
fn status_variants(responses: &mut [Response], success: bool) -> Vec<(String, Option<TypeRef>)> {
    let mut names = Namespace::new();
    let mut variants = Vec::new();
    for r in responses.iter_mut() {
        let payload = payload(&r.body);
        if payload.is_none() && !success {
            continue;
        }
        let name = names.claim(&naming::status_variant(&r.status));
        r.variant = Some(name.clone());
        variants.push((name, payload));
    }
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(parse_status("200"), Some(StatusMatch::Code(200)));
        assert_eq!(parse_status("4XX"), Some(StatusMatch::Class(4)));
        assert_eq!(parse_status("5xx"), Some(StatusMatch::Class(5)));
        assert_eq!(parse_status("default"), Some(StatusMatch::Default));
        assert_eq!(parse_status("20"), None);
        assert_eq!(parse_status("999"), None);
    }

    fn response(status: StatusMatch, body: ResponseBody) -> Response {
        Response { status, body, description: None, variant: None }
    }

    #[test]
    fn successes_without_any_documented_body_keep_the_bytes() {
        let statuses = [StatusMatch::Code(200), StatusMatch::Code(204), StatusMatch::Class(2), StatusMatch::Default];
        let mut success: Vec<Response> = statuses.iter().map(|s| response(s.clone(), ResponseBody::Empty)).collect();
        keep_undocumented_bodies(&mut success, "get");
        let bodies: Vec<&ResponseBody> = success.iter().map(|r| &r.body).collect();
        let (bytes, empty) = (ResponseBody::Bytes, ResponseBody::Empty);
        assert_eq!(bodies, [&bytes, &empty, &bytes, &bytes]);
        assert!(matches!(outcome(&mut success, "GetResponse", true), Outcome::Optional(TypeRef::Bytes)));

        let mut head = vec![response(StatusMatch::Code(200), ResponseBody::Empty)];
        keep_undocumented_bodies(&mut head, "head");
        assert_eq!(head[0].body, ResponseBody::Empty, "a HEAD response has no body");

        let pet = ResponseBody::Json(TypeRef::Named(0));
        let mut documented =
            vec![response(StatusMatch::Code(200), pet.clone()), response(StatusMatch::Code(201), ResponseBody::Empty)];
        keep_undocumented_bodies(&mut documented, "post");
        assert_eq!(documented[1].body, ResponseBody::Empty, "the spec documents a body, and none for 201");
    }

    #[test]
    fn enum_variants_are_one_per_status_named_after_it() {
        let (pet, job) = (ResponseBody::Json(TypeRef::Named(0)), ResponseBody::Json(TypeRef::Named(1)));
        let mut success = vec![
            response(StatusMatch::Code(200), pet.clone()),
            response(StatusMatch::Code(201), pet),
            response(StatusMatch::Code(202), job.clone()),
            response(StatusMatch::Code(204), ResponseBody::Empty),
        ];
        let Outcome::Enum { name, variants } = outcome(&mut success, "CreateResponse", true) else {
            panic!("two body types make an enum")
        };
        assert_eq!(name, "CreateResponse");
        let names: Vec<&str> = variants.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Ok", "Created", "Accepted", "NoContent"]);
        assert_eq!(variants[3].1, None);
        let recorded: Vec<Option<&str>> = success.iter().map(|r| r.variant.as_deref()).collect();
        assert_eq!(recorded, [Some("Ok"), Some("Created"), Some("Accepted"), Some("NoContent")]);

        let mut errors = vec![
            response(StatusMatch::Code(404), job),
            response(StatusMatch::Code(410), ResponseBody::Empty),
            response(StatusMatch::Class(5), ResponseBody::Text),
            response(StatusMatch::Default, ResponseBody::Bytes),
        ];
        let Outcome::Enum { variants, .. } = outcome(&mut errors, "CreateError", false) else {
            panic!("three body types make an enum")
        };
        let names: Vec<&str> = variants.iter().map(|(n, _)| n.as_str()).collect();
        // An error status without a body has no variant: it is `Error::Status`.
        assert_eq!(names, ["NotFound", "ServerError", "Other"]);
        assert_eq!(errors[1].variant, None);
    }
}
