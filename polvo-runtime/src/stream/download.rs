//! A binary response read as it arrives.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http::{HeaderMap, StatusCode};
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::Error;

type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A successful answer whose body is read as it arrives, chunk by chunk,
/// never held whole: from a builder's `send_stream()`.
///
/// It is itself the `Stream` of the body's chunks; [`into_body`](Self::into_body)
/// keeps the chunks alone. The client's response size limit does not apply
/// (nothing is held): count what you keep. Dropping it before the end
/// closes the connection; the client goes on working.
#[must_use = "a download does nothing unless its body is polled"]
pub struct Download<E> {
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
    body: ByteStream<E>,
}

impl<E> std::fmt::Debug for Download<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::redact::response_head(f, "Download", self.status, &self.headers)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl<E> Download<E> {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, attempts: u32, response: reqwest::Response) -> Self {
        let chunks: Chunks = Box::pin(response.bytes_stream());
        Download { status, headers, attempts, body: ByteStream { chunks, ended: false, error: PhantomData } }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// How many attempts the call made (more than 1 after retries).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The body's length from `Content-Length`, when the server sent it.
    pub fn content_length(&self) -> Option<u64> {
        self.headers.get(http::header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
    }

    /// The body's chunks alone.
    pub fn into_body(self) -> ByteStream<E> {
        self.body
    }
}

impl<E> Stream for Download<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// The chunks of a response body as they arrive. A connection that fails
/// gives [`Error::Transport`] as the last item, and so does a body cut
/// short of its `Content-Length` or a compressed body without its end.
#[must_use = "a stream does nothing unless polled"]
pub struct ByteStream<E> {
    chunks: Chunks,
    ended: bool,
    error: PhantomData<fn() -> E>,
}

impl<E> std::fmt::Debug for ByteStream<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteStream").field("ended", &self.ended).finish_non_exhaustive()
    }
}

impl<E> Stream for ByteStream<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        match this.chunks.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(chunk))),
            Poll::Ready(Some(Err(e))) => {
                this.ended = true;
                Poll::Ready(Some(Err(Error::Transport(e.without_url()))))
            }
            Poll::Ready(None) => {
                this.ended = true;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
