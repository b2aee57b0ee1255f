//! The runtime of polvo-generated API clients.
//!
//! Generated code stays thin: it knows an operation's path, parameters,
//! body encoding and response types, and hands the rest to this crate:
//! the HTTP client ([`ClientBuilder`]), parameter and body encoding, the
//! decoding of responses, and the one [`Error`] type calls end in.
//!
//! Users depend on the `polvo` facade, which re-exports this crate.

// `Error` keeps the status, headers and raw body of a failed response so that
// nothing the server said is lost; it is large on purpose.
#![allow(clippy::result_large_err)]

pub mod auth;
mod binary;
mod client;
mod decode;
mod encode;
mod enums;
mod error;
mod extras;
mod hooks;
mod limit;
mod options;
pub mod paginate;
mod pipeline;
mod ratelimit;
mod raw;
mod redact;
mod redirect;
mod request;
mod response;
mod retry;
mod stream;
mod transport;
pub mod webhooks;

pub use binary::Binary;
pub use bytes::Bytes;
pub use client::{ClientBuilder, DEFAULT_TENANT, DEFAULT_TIMEOUT};
pub use error::{BuildError, Error, NoErrorBody, RequestError};
pub use governor::Quota;
pub use hooks::{BoxError, Hook, HookFuture, ResponseHead};
pub use http::{HeaderMap, StatusCode};
pub use limit::DEFAULT_MAX_RESPONSE_SIZE;
pub use options::CallOptions;
pub use response::{RawResponse, Response};
pub use retry::{DEFAULT_MAX_RETRIES, RetryPolicy};
pub use serde_json::Value;
pub use stream::{ByteStream, Download, Event, EventStream, StreamError};
pub use {chrono, reqwest, reqwest_middleware, secrecy, serde_json, uuid};

/// A JSON object with any members (`type: object` without properties).
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// A `date-time` value.
pub type DateTime = chrono::DateTime<chrono::Utc>;

/// A `date` value.
pub type Date = chrono::NaiveDate;

/// A `uuid` value.
pub use uuid::Uuid;

/// What generated code uses. Not a stable API: it changes with the macro.
#[doc(hidden)]
pub mod __private {
    pub use crate::auth::spec::{
        ClaimValue, ClientAuth, Grant, JwtSpec, JwtUse, KeyLocation, OAuth2Spec, Requirement, SchemeKind, SchemeSpec,
        Security,
    };
    pub use crate::auth::state::AuthState;
    pub use crate::client::{ClientCore, Service, apply_credentials, client_builder};
    pub use crate::encode::multipart::Multipart;
    pub use crate::encode::{encode_path, path_part, path_segment};
    pub use crate::enums::{
        Key, decode_variant, deserialize_string_enum, discriminator, no_variant_matched, required, unknown_tag,
    };
    pub use crate::extras::Extras;
    pub use crate::impl_string_enum;
    pub use crate::request::{Request, SendError};
    pub use crate::response::RawResponse;
    pub use crate::stream::{OpenBody, StreamedResponse, only_error};
    pub use http::{HeaderValue, Method};
    pub use serde;
    pub use serde_json;
}
