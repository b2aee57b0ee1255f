//! The public side of [`RawResponse`]: what `send_raw()` gives a caller.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::response::RawResponse;

impl RawResponse {
    /// A raw response from its parts, as one attempt made it.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        RawResponse { status, headers, body, attempts: 1 }
    }

    /// The status, whatever it is: `send_raw()` does not turn an error
    /// status into an [`Error`](crate::Error).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, as the server sent it (after any `Content-Encoding` was
    /// undone).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body, consuming the response.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// Status, headers and body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, Bytes) {
        (self.status, self.headers, self.body)
    }

    /// How many attempts the call made, this answer's included (more than
    /// 1 after retries).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}
