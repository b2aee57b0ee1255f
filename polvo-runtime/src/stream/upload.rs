//! A request body read from a stream while it is sent. It can be sent
//! once: clones share it, and whichever sends first consumes it.

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use super::StreamError;
use crate::hooks::BoxError;

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// The stream behind a streamed `Binary`, shared by its clones.
#[derive(Clone)]
pub(crate) struct UploadBody {
    shared: Arc<Shared>,
    length: Option<u64>,
}

struct Shared {
    chunks: Mutex<Option<Chunks>>,
    /// Set when the transport first asks for a chunk: from then on the
    /// body cannot be sent again.
    started: AtomicBool,
}

impl UploadBody {
    pub(crate) fn new<S, B, Er>(stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = Result<B, Er>> + Send + 'static,
        B: Into<Bytes> + 'static,
        Er: Into<BoxError> + 'static,
    {
        let chunks: Chunks = Box::pin(stream.map_ok(Into::into).map_err(Into::into));
        let shared = Shared { chunks: Mutex::new(Some(chunks)), started: AtomicBool::new(false) };
        UploadBody { shared: Arc::new(shared), length }
    }

    /// The length given with the stream, sent as `Content-Length`.
    pub(crate) fn length(&self) -> Option<u64> {
        self.length
    }

    /// Whether sending began: a request that failed before (a connection
    /// refused) may be sent again, one that began may not.
    pub(crate) fn started(&self) -> bool {
        self.shared.started.load(Ordering::Acquire)
    }

    /// The body for the transport, which reads the shared stream as it
    /// sends. Refused once sending began.
    pub(crate) fn to_body(&self) -> Result<reqwest::Body, StreamError> {
        if self.started() {
            return Err(StreamError::BodyNotReplayable {
                reason: "it was sent already (by an earlier request, or a clone of this one)",
            });
        }
        Ok(reqwest::Body::wrap_stream(Reader(Arc::clone(&self.shared))))
    }
}

/// Shows whether sending began, not the stream.
impl std::fmt::Debug for UploadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadBody").field("length", &self.length).field("started", &self.started()).finish()
    }
}

impl PartialEq for UploadBody {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl Eq for UploadBody {}

/// Reads the shared stream for one request.
struct Reader(Arc<Shared>);

impl Stream for Reader {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.started.store(true, Ordering::Release);
        let mut chunks = self.0.chunks.lock().unwrap_or_else(PoisonError::into_inner);
        match chunks.as_mut() {
            Some(stream) => stream.poll_next_unpin(cx),
            None => Poll::Ready(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks() -> UploadBody {
        let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("ab")), Ok(Bytes::from("c"))]);
        UploadBody::new(chunks, Some(3))
    }

    #[test]
    fn a_body_may_be_handed_out_again_until_it_is_read() {
        let body = chunks();
        let clone = body.clone();
        assert_eq!(body, clone, "clones share the stream");
        assert_ne!(body, chunks());
        // A request that failed before its body was read (a refused
        // connection) leaves it whole.
        drop(body.to_body().unwrap());
        assert!(!clone.started());
        let mut reader = Reader(Arc::clone(&clone.shared));
        let waker = futures_util::task::noop_waker();
        let first = Pin::new(&mut reader).poll_next(&mut Context::from_waker(&waker));
        assert!(matches!(first, Poll::Ready(Some(Ok(ref chunk))) if chunk == "ab"));
        assert!(body.started(), "reading began, for every clone");
        let refused = body.to_body().unwrap_err();
        assert!(refused.to_string().contains("can be sent only once"), "{refused}");
    }
}
