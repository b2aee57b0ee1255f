//! How the pipeline reads the final response of an attempt: whole (every
//! ordinary call), or only its head when it is a 2xx to be streamed.

use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use std::future::Future;

use super::download::Download;
use super::sse::EventStream;
use crate::limit::{self, ReadError};
use crate::request::SendError;
use crate::response::RawResponse;

/// What the retry stage and the rate limiter look at in an answer.
pub(crate) trait Answer {
    /// The status.
    fn status(&self) -> StatusCode;
    /// The headers.
    fn headers(&self) -> &HeaderMap;
}

/// How the final response of an attempt is read.
pub(crate) trait Reading: Copy + Send + Sync + 'static {
    /// What reading gives.
    type Output: Answer + Send;
    /// Whether the call's timeout ends when the response head arrives
    /// (else it covers the body too).
    const TIMEOUT_COVERS_HEAD_ONLY: bool;
    /// Reads `response` (the `attempt`-th), within `limit` bytes.
    fn read(
        self,
        response: reqwest::Response,
        limit: u64,
        attempt: u32,
    ) -> impl Future<Output = Result<Self::Output, SendError>> + Send;
}

/// Reads the whole body: every ordinary call.
#[derive(Clone, Copy)]
pub(crate) struct ReadWhole;

impl Reading for ReadWhole {
    type Output = RawResponse;
    const TIMEOUT_COVERS_HEAD_ONLY: bool = false;

    async fn read(self, response: reqwest::Response, limit: u64, attempt: u32) -> Result<RawResponse, SendError> {
        read_whole(response, limit, attempt).await
    }
}

/// Leaves a 2xx body unread for streaming; reads any other whole.
#[derive(Clone, Copy)]
pub(crate) struct ReadHead;

impl Reading for ReadHead {
    type Output = StreamedResponse;
    const TIMEOUT_COVERS_HEAD_ONLY: bool = true;

    async fn read(
        self,
        mut response: reqwest::Response,
        limit: u64,
        attempt: u32,
    ) -> Result<StreamedResponse, SendError> {
        if !response.status().is_success() {
            return read_whole(response, limit, attempt).await.map(StreamedResponse::Whole);
        }
        let (status, headers) = (response.status(), std::mem::take(response.headers_mut()));
        Ok(StreamedResponse::Open(OpenBody { status, headers, attempts: attempt, limit, response }))
    }
}

/// Reads the whole body of `response`, within `limit` bytes.
pub(crate) async fn read_whole(
    mut response: reqwest::Response,
    limit: u64,
    attempt: u32,
) -> Result<RawResponse, SendError> {
    // Taken, not cloned: the body is read without them.
    let (status, headers) = (response.status(), std::mem::take(response.headers_mut()));
    match limit::read_body(response, limit).await {
        Ok(body) => {
            let mut response = RawResponse::new(status, headers, body);
            response.set_attempts(attempt);
            Ok(response)
        }
        Err(ReadError::TooLarge) => Err(SendError::TooLarge { status, headers, limit, attempts: attempt }),
        Err(ReadError::Transport(e)) => Err(SendError::Transport(e)),
    }
}

impl Answer for RawResponse {
    fn status(&self) -> StatusCode {
        RawResponse::status(self)
    }

    fn headers(&self) -> &HeaderMap {
        RawResponse::headers(self)
    }
}

/// The answer to a streamed call, as generated code receives it.
#[derive(Debug)]
pub enum StreamedResponse {
    /// A 2xx whose body is still to be read.
    Open(OpenBody),
    /// Any other answer, read whole, to be decoded as an error.
    Whole(RawResponse),
}

impl Answer for StreamedResponse {
    fn status(&self) -> StatusCode {
        match self {
            StreamedResponse::Open(open) => open.status,
            StreamedResponse::Whole(whole) => whole.status(),
        }
    }

    fn headers(&self) -> &HeaderMap {
        match self {
            StreamedResponse::Open(open) => &open.headers,
            StreamedResponse::Whole(whole) => whole.headers(),
        }
    }
}

/// A 2xx answer whose body has not been read.
pub struct OpenBody {
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
    limit: u64,
    response: reqwest::Response,
}

/// Secret header values redacted; not the response's URL, which may hold
/// a query API key.
impl std::fmt::Debug for OpenBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::redact::response_head(f, "OpenBody", self.status, &self.headers)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl OpenBody {
    /// The body as a stream of byte chunks.
    pub fn download<E>(self) -> Download<E> {
        Download::new(self.status, self.headers, self.attempts, self.response)
    }

    /// The body as server-sent events whose data is JSON of type `T`.
    pub fn json_events<T: DeserializeOwned, E>(self) -> EventStream<T, E> {
        EventStream::new(self.response, self.limit, |data| serde_json::from_str(data))
    }

    /// The body as server-sent events whose data is text.
    pub fn text_events<E>(self) -> EventStream<String, E> {
        EventStream::new(self.response, self.limit, |data| Ok(data.to_owned()))
    }
}
