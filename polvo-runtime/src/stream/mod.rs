//! Streamed calls: server-sent events, downloads and uploads that are not
//! held whole in memory.
//!
//! - [`EventStream`]: a `text/event-stream` response as a `Stream` of typed
//!   [`Event`]s (generated builders' `send_events()`).
//! - [`Download`]: a binary response's status and headers, and its body as
//!   a `Stream` of [`Bytes`](bytes::Bytes) chunks (`send_stream()`).
//! - [`Binary::from_stream`](crate::Binary::from_stream): a request body
//!   read from a `Stream` of chunks while it is sent.
//!
//! The pipeline (credentials, rate limit, retries, hooks) runs as for any
//! call until the response head arrives: a non-2xx answer is read whole
//! and ends the call as an ordinary error (`Error::Status`, `Error::Api`),
//! retries included. A 2xx answer's body is then handed over as it
//! arrives: from there on nothing is retried, the call's timeout no longer
//! applies (drop the stream, or wrap it in a timeout, to stop waiting), and
//! the client's response size limit bounds one event, not the whole stream.

mod download;
mod error;
mod reading;
mod sse;
mod upload;

pub use download::{ByteStream, Download};
pub use error::StreamError;
pub(crate) use reading::{Answer, ReadHead, ReadWhole, Reading};
pub use reading::{OpenBody, StreamedResponse};
pub use sse::{Event, EventStream};
pub(crate) use upload::UploadBody;

use crate::error::Error;
use crate::response::Response;

/// The error of a response that is decoded only for its error: generated
/// code decodes a streamed call's non-2xx answer with the same statements
/// as a buffered one, whose success type is uninhabited here.
pub fn only_error<E>(decoded: Result<Response<std::convert::Infallible>, Error<E>>) -> Error<E> {
    match decoded {
        Err(error) => error,
        Ok(response) => match *response.body() {},
    }
}
