//! The errors a call can end in.

use bytes::Bytes;

use crate::auth::AuthError;
use crate::redact;
use http::{HeaderMap, StatusCode};
use std::fmt;

/// Everything a call to an API can fail with.
///
/// `E` is the operation's documented error body: a schema type, an enum of
/// several (one variant per type), or [`NoErrorBody`] when the spec
/// documents none. Whatever the failure, the status, headers and raw body
/// of a response are kept, so nothing the server said is lost. `Debug`
/// redacts the values of response headers that may be secrets
/// (`Set-Cookie`, …).
#[non_exhaustive]
pub enum Error<E> {
    /// The server answered with a documented error status, and its body
    /// decoded as the documented type.
    Api {
        /// The status.
        status: StatusCode,
        /// The response headers.
        headers: HeaderMap,
        /// The decoded error body.
        body: E,
        /// The attempts the call made, this answer's included (more than 1
        /// after retries).
        attempts: u32,
    },
    /// The server answered with an error status the spec gives no body
    /// type for (or did not document at all).
    Status {
        /// The status.
        status: StatusCode,
        /// The response headers.
        headers: HeaderMap,
        /// The raw body.
        body: Bytes,
        /// The attempts the call made, this answer's included (more than 1
        /// after retries).
        attempts: u32,
    },
    /// The response body did not decode as the documented type.
    Decode {
        /// The status.
        status: StatusCode,
        /// The response headers.
        headers: HeaderMap,
        /// The raw body that did not decode.
        body: Bytes,
        /// Where in the body decoding failed: the path to the value, as
        /// `results[2].createdAt`; empty when the body as a whole is wrong
        /// (not JSON, or not the documented shape at its top).
        path: String,
        /// Why it did not decode.
        source: serde_json::Error,
        /// The attempts the call made, this answer's included (more than 1
        /// after retries).
        attempts: u32,
    },
    /// The request could not be built (a value that does not serialize, a
    /// header value with forbidden characters, …). Nothing was sent.
    Request(RequestError),
    /// The request could not be sent or the response not received
    /// (connection refused, TLS, a reset connection, …; and the timeouts of
    /// a reqwest client given with `ClientBuilder::http_client`).
    Transport(reqwest::Error),
    /// The call ran out of time: its timeout (`ClientBuilder::timeout`,
    /// 60 s by default, or the call's own) or an attempt's
    /// (`attempt_timeout`) passed before the response was read whole.
    /// Retried, like a dropped connection, while retries and time are left.
    Timeout {
        /// The attempts the call made, the one that ran out of time included.
        attempts: u32,
    },
    /// Credentials could not be applied: none configured for the
    /// operation, a token endpoint refused, a refresh token expired, ….
    Auth(AuthError),
    /// A hook registered with [`ClientBuilder::hook`](crate::ClientBuilder::hook)
    /// refused the request. Nothing more was sent.
    Hook(crate::BoxError),
    /// A `reqwest-middleware` layer registered with
    /// [`ClientBuilder::middleware`](crate::ClientBuilder::middleware) failed.
    Middleware(crate::BoxError),
    /// The response body is larger than the client's limit
    /// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size),
    /// 64 MiB by default), counted after decompression. Reading stopped
    /// there: the body is not kept.
    ResponseTooLarge {
        /// The status.
        status: StatusCode,
        /// The response headers.
        headers: HeaderMap,
        /// The limit, in bytes.
        limit: u64,
        /// The attempts the call made, this answer's included (more than 1
        /// after retries).
        attempts: u32,
    },
    /// Walking the pages of a paginated operation went wrong: the server
    /// sent a cursor it had sent before, or a next-page link without the
    /// expected parameter. The pages before were delivered.
    Pagination(crate::paginate::PaginationError),
    /// A streamed call went wrong: an event that did not decode, a
    /// response head that did not arrive in time, a streamed request body
    /// that would have to be sent twice (see [`StreamError`](crate::StreamError)).
    Stream(crate::StreamError),
}

impl<E> Error<E> {
    /// The response status, when there was a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. }
            | Error::Status { status, .. }
            | Error::Decode { status, .. }
            | Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Transport(e) => e.status(),
            Error::Request(_)
            | Error::Auth(_)
            | Error::Pagination(_)
            | Error::Hook(_)
            | Error::Middleware(_)
            | Error::Timeout { .. }
            | Error::Stream(_) => None,
        }
    }

    /// The response headers, when there was a response.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. }
            | Error::Status { headers, .. }
            | Error::Decode { headers, .. }
            | Error::ResponseTooLarge { headers, .. } => Some(headers),
            _ => None,
        }
    }

    /// How many attempts the call made when it ended with a response
    /// (more than 1 after retries); `None` for errors without one.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Api { attempts, .. }
            | Error::Status { attempts, .. }
            | Error::Decode { attempts, .. }
            | Error::ResponseTooLarge { attempts, .. }
            | Error::Timeout { attempts } => Some(*attempts),
            _ => None,
        }
    }

    /// Whether the call ran out of time: [`Error::Timeout`], a streamed
    /// response's head that came too late, or the timeout of a reqwest
    /// client given with `ClientBuilder::http_client`.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Stream(crate::StreamError::HeadTimeout) => true,
            Error::Transport(e) => e.is_timeout(),
            _ => false,
        }
    }

    /// The decoded error body, for [`Error::Api`].
    pub fn api_body(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The raw response body, for [`Error::Status`] and [`Error::Decode`].
    pub fn raw_body(&self) -> Option<&Bytes> {
        match self {
            Error::Status { body, .. } | Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Where in the response body decoding failed, for [`Error::Decode`]:
    /// the path to the value (`results[2].createdAt`), empty when the body
    /// as a whole is wrong.
    pub fn decode_path(&self) -> Option<&str> {
        match self {
            Error::Decode { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Converts the error body with `f`, keeping everything else.
    pub fn map_api<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::Api { status, headers, body, attempts } => Error::Api { status, headers, body: f(body), attempts },
            Error::Status { status, headers, body, attempts } => Error::Status { status, headers, body, attempts },
            Error::Decode { status, headers, body, path, source, attempts } => {
                Error::Decode { status, headers, body, path, source, attempts }
            }
            Error::Request(e) => Error::Request(e),
            Error::Transport(e) => Error::Transport(e),
            Error::Timeout { attempts } => Error::Timeout { attempts },
            Error::Auth(e) => Error::Auth(e),
            Error::Hook(e) => Error::Hook(e),
            Error::Middleware(e) => Error::Middleware(e),
            Error::ResponseTooLarge { status, headers, limit, attempts } => {
                Error::ResponseTooLarge { status, headers, limit, attempts }
            }
            Error::Pagination(e) => Error::Pagination(e),
            Error::Stream(e) => Error::Stream(e),
        }
    }
}

impl<E> From<crate::paginate::PaginationError> for Error<E> {
    fn from(e: crate::paginate::PaginationError) -> Self {
        Error::Pagination(e)
    }
}

impl<E> From<RequestError> for Error<E> {
    fn from(e: RequestError) -> Self {
        Error::Request(e)
    }
}

/// As derived, with the response headers redacted.
impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { status, headers, body, attempts } => redact::response_head(f, "Api", *status, headers)
                .field("body", body)
                .field("attempts", attempts)
                .finish(),
            Error::Status { status, headers, body, attempts } => redact::response_head(f, "Status", *status, headers)
                .field("body", body)
                .field("attempts", attempts)
                .finish(),
            Error::Decode { status, headers, body, path, source, attempts } => {
                redact::response_head(f, "Decode", *status, headers)
                    .field("body", body)
                    .field("path", path)
                    .field("source", source)
                    .field("attempts", attempts)
                    .finish()
            }
            Error::ResponseTooLarge { status, headers, limit, attempts } => {
                redact::response_head(f, "ResponseTooLarge", *status, headers)
                    .field("limit", limit)
                    .field("attempts", attempts)
                    .finish()
            }
            Error::Request(e) => f.debug_tuple("Request").field(e).finish(),
            Error::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            Error::Timeout { attempts } => f.debug_struct("Timeout").field("attempts", attempts).finish(),
            Error::Auth(e) => f.debug_tuple("Auth").field(e).finish(),
            Error::Hook(e) => f.debug_tuple("Hook").field(e).finish(),
            Error::Middleware(e) => f.debug_tuple("Middleware").field(e).finish(),
            Error::Pagination(e) => f.debug_tuple("Pagination").field(e).finish(),
            Error::Stream(e) => f.debug_tuple("Stream").field(e).finish(),
        }
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { status, .. } => write!(f, "the API answered {status}"),
            Error::Status { status, body, .. } => {
                write!(f, "the API answered {status}")?;
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                if !text.is_empty() {
                    let short: String = text.chars().take(200).collect();
                    write!(f, ": {short}")?;
                    if short.len() < text.len() {
                        f.write_str("…")?;
                    }
                }
                Ok(())
            }
            Error::Decode { status, path, source, .. } if path.is_empty() => {
                write!(f, "could not decode the {status} response: {source}")
            }
            Error::Decode { status, path, source, .. } => {
                write!(f, "could not decode the {status} response at `{path}`: {source}")
            }
            Error::Request(e) => write!(f, "the request could not be built: {e}"),
            Error::Transport(e) => write!(f, "the request failed: {e}"),
            Error::Timeout { attempts: 1 } => f.write_str("the call timed out"),
            Error::Timeout { attempts } => write!(f, "the call timed out (after {attempts} attempts)"),
            Error::Auth(e) => write!(f, "authentication failed: {e}"),
            Error::Hook(e) => write!(f, "a hook refused the request: {e}"),
            Error::Middleware(e) => write!(f, "a middleware layer failed: {e}"),
            Error::ResponseTooLarge { status, limit, .. } => write!(
                f,
                "the {status} response body is larger than the limit of {} (raise it with `ClientBuilder::max_response_size`)",
                crate::limit::describe(*limit)
            ),
            Error::Pagination(e) => write!(f, "pagination failed: {e}"),
            Error::Stream(e) => write!(f, "streaming failed: {e}"),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode { source, .. } => Some(source),
            Error::Request(e) => Some(e),
            Error::Transport(e) => Some(e),
            Error::Auth(e) => Some(e),
            Error::Pagination(e) => Some(e),
            Error::Stream(e) => Some(e),
            Error::Hook(e) | Error::Middleware(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// Why a request could not be built. Nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// A value could not be serialized.
    #[error("{what} could not be serialized: {source}")]
    Serialize {
        /// Which part of the request.
        what: String,
        /// The serializer's error.
        source: serde_json::Error,
    },
    /// A header name or value has characters HTTP does not allow.
    #[error("the value of header `{name}` is not a valid header value")]
    InvalidHeader {
        /// The header's name.
        name: String,
    },
    /// A body value has a shape its media type cannot carry.
    #[error("{0}")]
    InvalidBody(String),
    /// The URL could not be built.
    #[error("the request URL is invalid: {0}")]
    Url(String),
    /// A path parameter's value is empty, `.` or `..`: URL parsing would
    /// drop or resolve that segment, and the request would reach another path.
    #[error("path parameter `{name}` is {problem}: the request would go to another path")]
    PathParameter {
        /// The parameter's name in the spec.
        name: String,
        /// What is wrong with the value, for the message: `empty`, `` `.` `` or `` `..` ``.
        problem: &'static str,
    },
    /// The request would carry credentials over plain http to a host that is
    /// not loopback, and the client was not built with
    /// [`ClientBuilder::allow_insecure_http`](crate::ClientBuilder::allow_insecure_http).
    #[error(
        "refusing to send credentials to `{origin}` over plain http (allowed only on loopback): use an https base URL, or opt in with `ClientBuilder::allow_insecure_http()`"
    )]
    InsecureUrl {
        /// The origin the request was for (scheme, host and port only).
        origin: String,
    },
    /// The call's rate-limit cost
    /// ([`CallOptions::rate_limit_cost`](crate::CallOptions::rate_limit_cost))
    /// is more than a quota's burst: the call could never be sent.
    #[error(
        "the call's rate-limit cost of {cost} is more than a quota allows at once ({burst}): it could never be sent"
    )]
    RateLimitCost {
        /// The call's cost.
        cost: u32,
        /// The burst of the quota it does not fit.
        burst: u32,
    },
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The spec names no absolute server and the builder was given no base URL.
    #[error("no base URL: the spec names no absolute server, so set one with `.base_url(...)`")]
    NoBaseUrl,
    /// The base URL does not parse, is not http(s), or carries a query, a
    /// fragment, a user name or a password.
    #[error("invalid base URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL given, with any user name and password replaced by `***`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A default header has an invalid name or value.
    #[error("default header `{name}` has an invalid name or value")]
    InvalidHeader {
        /// The header's name.
        name: String,
    },
    /// The HTTP client could not be created.
    #[error("the HTTP client could not be created: {0}")]
    Http(#[source] reqwest::Error),
    /// The credentials could not be configured.
    #[error("{0}")]
    Auth(#[from] AuthError),
    /// `ClientBuilder::operation_rate_limit` names an operation the service
    /// does not have, or not as `"METHOD /path/{template}"`.
    #[error(
        "no operation `{operation}` to rate-limit: name it by method and path as the spec writes it, such as `GET /pets/{{petId}}`"
    )]
    UnknownOperation {
        /// The name given.
        operation: String,
    },
    /// The keys encrypting the token store could not be read: the variable
    /// the `x-polvo` section's `token_keys_env` names is unset or malformed
    /// (the message names it; never a key).
    #[error("{0}")]
    TokenKeys(String),
}

/// The error body type of operations whose spec documents no error body.
/// It has no values: such operations never produce [`Error::Api`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoErrorBody {}

impl fmt::Display for NoErrorBody {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}
