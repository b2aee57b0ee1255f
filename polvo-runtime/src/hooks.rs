//! Code of the user's run on every attempt: before a request goes out (add
//! a header, sign it, log it) and after its response arrives.

use std::future::Future;
use std::pin::Pin;

/// An error a hook or a middleware layer ends a call with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The future a [`Hook`] method returns.
pub type HookFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a hook sees of a response: it runs before the body is read.
/// `Debug` redacts secret header values.
pub struct ResponseHead<'a> {
    /// The request's method.
    pub method: &'a http::Method,
    /// The operation's path template, such as `/pets/{petId}`.
    pub path_template: &'static str,
    /// The status.
    pub status: http::StatusCode,
    /// The response headers.
    pub headers: &'a http::HeaderMap,
    /// The attempt, from 1.
    pub attempt: u32,
}

impl std::fmt::Debug for ResponseHead<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseHead")
            .field("method", self.method)
            .field("path_template", &self.path_template)
            .field("status", &self.status)
            .field("headers", &crate::redact::headers(self.headers))
            .field("attempt", &self.attempt)
            .finish()
    }
}

/// Hooks registered with `ClientBuilder::hook`, run in order on every
/// attempt sent to the API's origin (not on a redirect to another origin).
///
/// `before_request` sees the request as it will be sent, credentials
/// included, and may change it; an error ends the call with
/// [`Error::Hook`](crate::Error::Hook) and nothing is sent. Both methods
/// do nothing unless implemented.
///
/// ```
/// use polvo_runtime::{Hook, HookFuture, BoxError};
/// struct RequestId;
/// impl Hook for RequestId {
///     fn before_request<'a>(&'a self, request: &'a mut polvo_runtime::reqwest::Request) -> HookFuture<'a, Result<(), BoxError>> {
///         Box::pin(async move {
///             request.headers_mut().insert("x-request-id", polvo_runtime::Uuid::new_v4().to_string().parse()?);
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait Hook: Send + Sync + 'static {
    /// Runs before each attempt is sent.
    fn before_request<'a>(&'a self, request: &'a mut reqwest::Request) -> HookFuture<'a, Result<(), BoxError>> {
        let _ = request;
        Box::pin(std::future::ready(Ok(())))
    }

    /// Runs when an attempt's response arrives, before its body is read.
    fn after_response<'a>(&'a self, response: &'a ResponseHead<'a>) -> HookFuture<'a, ()> {
        let _ = response;
        Box::pin(std::future::ready(()))
    }
}
