//! Server-sent events (`text/event-stream`) as a `Stream` of typed events.
//!
//! The format is parsed by the `eventsource-stream` crate; this module
//! decodes each event's `data` and bounds what one event may hold.

use bytes::Bytes;
use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use super::StreamError;
use crate::error::Error;

/// One server-sent event: its name, id and reconnection time as the server
/// sent them, and its `data` decoded as the spec's type (`String` when the
/// spec gives none, or a string).
#[derive(Clone, Debug, PartialEq)]
pub struct Event<T> {
    event: String,
    id: Option<String>,
    retry: Option<Duration>,
    data: T,
}

impl<T> Event<T> {
    /// The event's name: its `event` field, `message` when it has none.
    pub fn event(&self) -> &str {
        &self.event
    }

    /// The event's `id`, when the server set one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The reconnection time the server asked for with `retry`, if any.
    pub fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// The decoded data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The decoded data, consuming the event.
    pub fn into_data(self) -> T {
        self.data
    }
}

/// Why the body could not be read further.
#[derive(Debug, thiserror::Error)]
enum BodyError {
    #[error(transparent)]
    Transport(reqwest::Error),
    #[error("an event is larger than the limit")]
    TooLarge,
    #[error("the body ended in the middle of an event")]
    Truncated,
}

type Parsed = Result<eventsource_stream::Event, EventStreamError<BodyError>>;

/// The events of a `text/event-stream` response, as they arrive.
///
/// Each item is an [`Event`] or an error. An event whose data does not
/// decode gives [`StreamError::Decode`] (naming the event) and the stream
/// goes on with the next one, as it does after a malformed line
/// ([`StreamError::Malformed`]): events are independent, so the caller
/// decides whether to skip a bad one or stop (`try_next()?` stops). A
/// connection that fails ([`Error::Transport`]), a body that ends in the
/// middle of an event ([`StreamError::Truncated`]; the partial event is
/// not delivered), or more than the client's response size limit arriving
/// without completing an event ([`StreamError::EventTooLarge`]), is the
/// last item. The stream ends when the server closes the response after a
/// whole event; dropping it closes the connection.
#[must_use = "a stream does nothing unless polled"]
pub struct EventStream<T, E> {
    parsed: Pin<Box<dyn Stream<Item = Parsed> + Send>>,
    /// Bytes received since the last complete event.
    pending: Arc<AtomicU64>,
    limit: u64,
    decode: fn(&str) -> Result<T, serde_json::Error>,
    ended: bool,
    error: PhantomData<fn() -> E>,
}

impl<T, E> std::fmt::Debug for EventStream<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").field("ended", &self.ended).finish_non_exhaustive()
    }
}

impl<T, E> EventStream<T, E> {
    pub(crate) fn new(
        response: reqwest::Response,
        limit: u64,
        decode: fn(&str) -> Result<T, serde_json::Error>,
    ) -> Self {
        let pending = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&pending);
        let bytes = checked_body(response).map(move |chunk| -> Result<Bytes, BodyError> {
            let chunk = chunk?;
            let received = counted.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
            if received > limit { Err(BodyError::TooLarge) } else { Ok(chunk) }
        });
        EventStream { parsed: Box::pin(bytes.eventsource()), pending, limit, decode, ended: false, error: PhantomData }
    }

    /// The item for one parsed event, or error.
    fn item(&mut self, parsed: Parsed) -> Result<Event<T>, Error<E>> {
        match parsed {
            Ok(event) => {
                self.pending.store(0, Ordering::Relaxed);
                self.typed(event)
            }
            Err(EventStreamError::Transport(BodyError::Transport(e))) => {
                self.ended = true;
                Err(Error::Transport(e))
            }
            Err(EventStreamError::Transport(BodyError::TooLarge)) => {
                self.ended = true;
                Err(Error::Stream(StreamError::EventTooLarge { limit: self.limit }))
            }
            Err(EventStreamError::Transport(BodyError::Truncated)) => {
                self.ended = true;
                Err(Error::Stream(StreamError::Truncated))
            }
            Err(EventStreamError::Utf8(e)) => Err(Error::Stream(StreamError::Malformed(e.to_string()))),
            Err(EventStreamError::Parser(e)) => Err(Error::Stream(StreamError::Malformed(e.to_string()))),
        }
    }

    fn typed(&self, event: eventsource_stream::Event) -> Result<Event<T>, Error<E>> {
        let name = if event.event.is_empty() { "message".to_owned() } else { event.event };
        let id = (!event.id.is_empty()).then_some(event.id);
        match (self.decode)(&event.data) {
            Ok(data) => Ok(Event { event: name, id, retry: event.retry, data }),
            Err(source) => Err(Error::Stream(StreamError::Decode { event: name, id, data: event.data, source })),
        }
    }
}

/// The body's chunks, ending with [`BodyError::Truncated`] when the body
/// ends in the middle of an event: a connection closed early looks like
/// the end of a body without a length, and the partial event must not be
/// dropped silently (nor taken for a whole one).
fn checked_body(response: reqwest::Response) -> impl Stream<Item = Result<Bytes, BodyError>> + Send {
    let chunks = Box::pin(response.bytes_stream());
    futures_util::stream::unfold(Some((chunks, EventBoundary::default())), |state| async move {
        let (mut chunks, mut boundary) = state?;
        match chunks.next().await {
            Some(Ok(chunk)) => {
                boundary.scan(&chunk);
                Some((Ok(chunk), Some((chunks, boundary))))
            }
            Some(Err(e)) => Some((Err(BodyError::Transport(e.without_url())), None)),
            None if boundary.mid_event() => Some((Err(BodyError::Truncated), None)),
            None => None,
        }
    })
}

/// Where the bytes read so far end: between events, or inside one (a
/// field line without the blank line that ends its event, or a line cut
/// short). Comment lines (`: keep-alive`) are not part of an event.
#[derive(Debug)]
struct EventBoundary {
    /// No byte of the current line read yet.
    at_line_start: bool,
    /// The current line is a comment.
    in_comment: bool,
    /// A field line was read since the last blank line.
    in_event: bool,
    /// The last byte was a CR, which a LF may follow in the same line end.
    after_cr: bool,
}

impl Default for EventBoundary {
    fn default() -> Self {
        EventBoundary { at_line_start: true, in_comment: false, in_event: false, after_cr: false }
    }
}

impl EventBoundary {
    /// Follows the lines of `bytes` (ended by CRLF, LF or CR).
    fn scan(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {}
                b'\n' | b'\r' if self.at_line_start => self.in_event = false,
                b'\n' | b'\r' => {
                    self.in_event |= !self.in_comment;
                    (self.at_line_start, self.in_comment) = (true, false);
                }
                _ if self.at_line_start => (self.at_line_start, self.in_comment) = (false, byte == b':'),
                _ => {}
            }
        }
    }

    /// Whether the bytes end inside an event.
    fn mid_event(&self) -> bool {
        self.in_event || (!self.at_line_start && !self.in_comment)
    }
}

impl<T, E> Stream for EventStream<T, E> {
    type Item = Result<Event<T>, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Every field is `Unpin`.
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        match this.parsed.as_mut().poll_next(cx) {
            Poll::Ready(Some(parsed)) => Poll::Ready(Some(this.item(parsed))),
            Poll::Ready(None) => {
                this.ended = true;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EventBoundary;

    fn ends_mid_event(chunks: &[&str]) -> bool {
        let mut boundary = EventBoundary::default();
        for chunk in chunks {
            boundary.scan(chunk.as_bytes());
        }
        boundary.mid_event()
    }

    #[test]
    fn a_body_ends_between_events_only_after_a_blank_line() {
        for whole in [&[][..], &["data: a\n\n"], &["data: a\r\n\r\n"], &["data: a\r\r"], &["data: a\r", "\n\r\n"]] {
            assert!(!ends_mid_event(whole), "{whole:?}");
        }
        // Comments between events, ended or not, are no event.
        for whole in [&["data: a\n\n: keep-alive\n"][..], &[": ping"], &["data: a\n\n", ":"]] {
            assert!(!ends_mid_event(whole), "{whole:?}");
        }
        for cut in
            [&["data: a\n"][..], &["data: a"], &["data: a\n\nid: 2\ndata: {\"b\""], &["event: x\r\n"], &["data: a\r"]]
        {
            assert!(ends_mid_event(cut), "{cut:?}");
        }
    }
}
