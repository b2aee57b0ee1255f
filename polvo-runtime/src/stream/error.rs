//! What can go wrong in a streamed call beyond what any call meets.

/// Why a streamed call failed, beyond the errors of any call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// An event's `data` did not decode as the type the spec gives it. The
    /// stream goes on with the next event.
    #[error("event `{event}`{} does not match the spec: {source}", id_text(.id))]
    Decode {
        /// The event's name (`message` when the server sent none).
        event: String,
        /// The event's `id`, when it has one.
        id: Option<String>,
        /// The event's data as received.
        data: String,
        /// Why it did not decode.
        source: serde_json::Error,
    },
    /// The event stream is not valid UTF-8 or not in the `text/event-stream`
    /// format. The stream goes on after the bad part.
    #[error("the event stream is malformed: {0}")]
    Malformed(String),
    /// More than the client's response size limit arrived without an event
    /// being completed; the stream ends here.
    #[error(
        "an event is larger than the limit of {} (raise it with `ClientBuilder::max_response_size`)",
        crate::limit::describe(*.limit)
    )]
    EventTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The event stream ended in the middle of an event: the connection
    /// closed (or broke) before the blank line that ends it. The partial
    /// event is not delivered; the stream ends here.
    #[error("the event stream ended in the middle of an event: the connection closed before the event was complete")]
    Truncated,
    /// The response head (status and headers) did not arrive within the
    /// call's (or the attempt's) timeout.
    #[error("the response did not start within the call's timeout")]
    HeadTimeout,
    /// The request body is a stream, which can be sent only once, and it
    /// was needed again. Nothing more was sent.
    #[error(
        "the request body is a stream and can be sent only once, but {reason}; send a `Binary` of bytes to allow it"
    )]
    BodyNotReplayable {
        /// What needed the body again.
        reason: &'static str,
    },
}

fn id_text(id: &Option<String>) -> String {
    id.as_ref().map(|id| format!(" (id `{id}`)")).unwrap_or_default()
}
