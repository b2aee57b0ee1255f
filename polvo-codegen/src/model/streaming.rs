//! How an operation's successful answer can be streamed instead of read
//! whole: as server-sent events, or as a binary download.

use super::TypeRef;

/// The streamed forms of an operation's successful answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Streaming {
    /// Set when a 2xx answer is `text/event-stream`: what each event's
    /// `data` decodes into, for the builder's `send_events()`.
    pub events: Option<EventData>,
    /// The `Accept` header of `send_events()`: `text/event-stream`, then
    /// the media types of the error responses.
    pub events_accept: Vec<String>,
    /// Whether a 2xx answer is binary, for the builder's `send_stream()`.
    pub download: bool,
}

/// What the `data` of a server-sent event decodes into.
#[derive(Clone, Debug, PartialEq)]
pub enum EventData {
    /// JSON of this type (the media type's schema).
    Json(TypeRef),
    /// Text, as sent: the schema is a string, or there is none.
    Text,
}
