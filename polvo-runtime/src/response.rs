//! Successful responses, and the raw response generated code decodes.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use std::fmt;

use crate::error::Error;
use crate::redact;

/// A decoded response with its status and headers.
///
/// `send()` gives the body alone; `send_response()` gives this. `Debug`
/// redacts the values of headers that may be secrets (`Set-Cookie`, …).
#[derive(Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
    attempts: u32,
}

impl<T> Response<T> {
    /// A response from its parts.
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Response { status, headers, body, attempts: 1 }
    }

    /// How many attempts the call made, this answer's included (more than
    /// 1 after retries).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, consuming the response.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Status, headers and body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }

    /// Converts the body with `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { status: self.status, headers: self.headers, body: f(self.body), attempts: self.attempts }
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redact::response_head(f, "Response", self.status, &self.headers)
            .field("body", &self.body)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.body
    }
}

/// A response as received: status, headers and the body's bytes, not
/// decoded. `send_raw()` on every request builder gives one, whatever the
/// status (the accessors are in the `raw` module). `Debug` redacts the
/// values of headers that may be secrets.
#[derive(Clone)]
pub struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redact::response_head(f, "RawResponse", self.status, &self.headers)
            .field("body", &self.body)
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// The decoding generated code picks by status. Not a stable API.
#[doc(hidden)]
impl RawResponse {
    /// Records how many attempts the call made.
    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.attempts = attempts;
    }

    fn ok<T, E>(self, body: T) -> Result<Response<T>, Error<E>> {
        Ok(Response { status: self.status, headers: self.headers, body, attempts: self.attempts })
    }

    fn decode<B: DeserializeOwned, E>(self) -> Result<(B, StatusCode, HeaderMap, u32), Error<E>> {
        match crate::decode::json::<B>(&self.body) {
            Ok(body) => Ok((body, self.status, self.headers, self.attempts)),
            Err(crate::decode::Failed { source, path }) => Err(Error::Decode {
                status: self.status,
                headers: self.headers,
                body: self.body,
                path,
                source,
                attempts: self.attempts,
            }),
        }
    }

    fn text_body(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Decodes a JSON success body.
    pub fn json<T: DeserializeOwned, E>(self) -> Result<Response<T>, Error<E>> {
        self.json_map(|body: T| body)
    }

    /// Decodes a JSON success body and wraps it with `f`.
    pub fn json_map<B: DeserializeOwned, T, E>(self, f: impl FnOnce(B) -> T) -> Result<Response<T>, Error<E>> {
        let (body, status, headers, attempts) = self.decode::<B, E>()?;
        Ok(Response { status, headers, body: f(body), attempts })
    }

    /// A text success body.
    pub fn text<E>(self) -> Result<Response<String>, Error<E>> {
        self.text_map(|s| s)
    }

    /// A text success body wrapped with `f`.
    pub fn text_map<T, E>(self, f: impl FnOnce(String) -> T) -> Result<Response<T>, Error<E>> {
        let text = self.text_body();
        self.ok(f(text))
    }

    /// A raw success body.
    pub fn bytes<E>(self) -> Result<Response<Bytes>, Error<E>> {
        self.bytes_map(|b| b)
    }

    /// A raw success body wrapped with `f`.
    pub fn bytes_map<T, E>(mut self, f: impl FnOnce(Bytes) -> T) -> Result<Response<T>, Error<E>> {
        let body = std::mem::take(&mut self.body);
        self.ok(f(body))
    }

    /// A success without a body: `value` is the result.
    pub fn empty<T, E>(self, value: T) -> Result<Response<T>, Error<E>> {
        self.ok(value)
    }

    /// An error status without a documented body type.
    pub fn error<T, E>(self) -> Result<Response<T>, Error<E>> {
        Err(Error::Status { status: self.status, headers: self.headers, body: self.body, attempts: self.attempts })
    }

    /// An error status whose JSON body is the operation's error type.
    pub fn error_json<T, E: DeserializeOwned>(self) -> Result<Response<T>, Error<E>> {
        self.error_json_map(|body: E| body)
    }

    /// An error status whose JSON body is one variant of the operation's error type.
    pub fn error_json_map<B: DeserializeOwned, T, E>(self, f: impl FnOnce(B) -> E) -> Result<Response<T>, Error<E>> {
        let (body, status, headers, attempts) = self.decode::<B, E>()?;
        Err(Error::Api { status, headers, body: f(body), attempts })
    }

    /// An error status with a text body.
    pub fn error_text<T>(self) -> Result<Response<T>, Error<String>> {
        self.error_text_map(|s| s)
    }

    /// An error status with a text body, wrapped with `f`.
    pub fn error_text_map<T, E>(self, f: impl FnOnce(String) -> E) -> Result<Response<T>, Error<E>> {
        let body = f(self.text_body());
        Err(Error::Api { status: self.status, headers: self.headers, body, attempts: self.attempts })
    }

    /// An error status with a raw body.
    pub fn error_bytes<T>(self) -> Result<Response<T>, Error<Bytes>> {
        self.error_bytes_map(|b| b)
    }

    /// An error status with a raw body, wrapped with `f`.
    pub fn error_bytes_map<T, E>(self, f: impl FnOnce(Bytes) -> E) -> Result<Response<T>, Error<E>> {
        Err(Error::Api { status: self.status, headers: self.headers, body: f(self.body), attempts: self.attempts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::SendError;

    fn headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("set-cookie", "session=s3cr3t; HttpOnly".parse().unwrap());
        headers
    }

    /// Every public type that holds response headers shows their names and
    /// redacts a session cookie.
    #[test]
    fn debug_never_shows_a_session_cookie() {
        let status = StatusCode::OK;
        let shown = [
            format!("{:?}", Response::new(status, headers(), "body")),
            format!("{:?}", RawResponse::new(status, headers(), Bytes::from_static(b"raw"))),
            format!("{:?}", Error::<()>::Status { status, headers: headers(), body: Bytes::new(), attempts: 1 }),
            format!("{:?}", Error::Api { status, headers: headers(), body: "api", attempts: 1 }),
            format!("{:?}", SendError::TooLarge { status, headers: headers(), limit: 1, attempts: 1 }),
            format!(
                "{:?}",
                Error::<()>::from(SendError::TooLarge { status, headers: headers(), limit: 1, attempts: 1 })
            ),
            format!("{:?}", crate::paginate::Page::new(vec![1], status, headers())),
        ];
        for shown in shown {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(shown.contains(r#""set-cookie": <redacted>"#), "{shown}");
            assert!(shown.contains(r#""content-type": "application/json""#), "{shown}");
        }
        let api = format!("{:?}", Error::Api { status, headers: headers(), body: "api", attempts: 2 });
        assert!(
            api.starts_with("Api { status: 200, headers: {") && api.ends_with(r#"body: "api", attempts: 2 }"#),
            "{api}"
        );
    }
}
