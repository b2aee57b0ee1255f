//! Which streamed forms an operation's successful answer has.

use serde_json::Value;

use super::super::schema::child_pointer;
use super::super::streaming::{EventData, Streaming};
use super::super::types::At;
use super::super::{Primitive, ResponseBody, Responses, TypeRef};
use super::media::{accept_entry, media_base};
use super::{OperationBuilder, RawOperation};

/// The media type of server-sent events.
const EVENT_STREAM: &str = "text/event-stream";

impl<'a> OperationBuilder<'_, 'a> {
    /// The streamed forms of the operation's answer: server-sent events
    /// when a 2xx response has `text/event-stream` content, a download when
    /// a 2xx response is binary. `type_prefix` names an inline event type.
    pub(super) fn streaming(&mut self, raw: &RawOperation<'a>, type_prefix: &str, responses: &Responses) -> Streaming {
        let download = responses.success.iter().any(|r| r.body == ResponseBody::Bytes);
        let mut streaming = Streaming { download, ..Streaming::default() };
        let pointer = child_pointer(&raw.pointer, &["responses"]);
        let entries = raw.value.get("responses").and_then(Value::as_object);
        let mut error_media = Vec::new();
        for (status, value) in entries.into_iter().flatten() {
            let Some((value, doc, pointer)) = self.follow(raw.doc, value, &child_pointer(&pointer, &[status])) else {
                continue;
            };
            let Some(content) = value.get("content").and_then(Value::as_object) else { continue };
            if !status.starts_with('2') {
                error_media.extend(content.keys().filter_map(|media| accept_entry(media)));
                continue;
            }
            let events = content.iter().find(|(media, _)| media_base(media) == EVENT_STREAM);
            if let (None, Some((media, media_value))) = (&streaming.events, events) {
                let schema_pointer = child_pointer(&pointer, &["content", media, "schema"]);
                let data = match media_value.get("schema") {
                    None => EventData::Text,
                    Some(schema) => {
                        let hint = format!("{type_prefix}Event");
                        match self.types.type_of(At { value: schema, doc, pointer: &schema_pointer }, &hint) {
                            TypeRef::Primitive(Primitive::String) => EventData::Text,
                            other => EventData::Json(other),
                        }
                    }
                };
                streaming.events = Some(data);
            }
        }
        if streaming.events.is_some() {
            streaming.events_accept.push(EVENT_STREAM.to_owned());
            for media in error_media {
                if !streaming.events_accept.contains(&media) {
                    streaming.events_accept.push(media);
                }
            }
        }
        streaming
    }
}
