//! Typed, authenticated API clients from OpenAPI specs, generated at compile time.
//!
//! Drop a spec into your crate's `specs/` directory and name it:
//!
//! ```ignore
//! polvo::service!("petstore.yaml");
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = petstore::Client::new()?;
//! let pets = client.pet().find_pets_by_status().status("available").send().await?;
//! # Ok(()) }
//! ```
//!
//! The macro expands to `pub mod petstore` holding:
//! - `Client`, built with `Client::new()` (the spec's server) or
//!   `Client::builder().base_url(..).build()`;
//! - one accessor per tag (`client.pet()`), whose methods take the
//!   required parameters and return a request builder with one method per
//!   optional parameter, sent with `.send().await` (the body) or
//!   `.send_response().await` (body, status and headers);
//! - `types`, the schemas as structs and enums with serde support.
//!
//! Every call ends in `Result<T, polvo::Error<E>>`, where `E` is the
//! operation's documented error body.

pub use polvo_macros::service;
pub use polvo_runtime::{
    Binary, BoxError, BuildError, Bytes, CallOptions, ClientBuilder, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_MAX_RETRIES,
    DEFAULT_TENANT, DEFAULT_TIMEOUT, Date, DateTime, Error, HeaderMap, Hook, HookFuture, JsonObject, NoErrorBody,
    Quota, RawResponse, RequestError, Response, ResponseHead, RetryPolicy, StatusCode, Uuid, Value,
};
/// Streamed calls: server-sent events, downloads, uploads from a stream.
pub use polvo_runtime::{ByteStream, Download, Event, EventStream, StreamError};
pub use polvo_runtime::{auth, chrono, paginate, reqwest, reqwest_middleware, secrecy, serde_json, uuid, webhooks};

/// What generated code uses. Not a stable API: it changes with the macro.
#[doc(hidden)]
pub mod __private {
    pub use polvo_runtime::__private::*;
}

#[cfg(test)]
mod tests {
    /// The facade offers the runtime's defaults under the same names.
    #[test]
    fn the_runtime_defaults_are_reexported() {
        assert_eq!(crate::DEFAULT_TENANT, polvo_runtime::DEFAULT_TENANT);
        assert_eq!(crate::DEFAULT_TIMEOUT, polvo_runtime::DEFAULT_TIMEOUT);
        assert_eq!(crate::DEFAULT_MAX_RESPONSE_SIZE, polvo_runtime::DEFAULT_MAX_RESPONSE_SIZE);
    }
}
