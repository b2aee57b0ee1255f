//! A request under construction, filled in by generated code: plain data,
//! sent by the client's pipeline (`ClientCore::send`).

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Serialize;
use std::fmt;

use crate::auth::{AuthError, Security};
use crate::binary::Binary;
use crate::encode::{self, QueryStyle, multipart::Multipart};
use crate::error::{Error, RequestError};
use crate::hooks::BoxError;
use crate::options::CallOptions;

/// A request being built. Problems met while adding values are kept and
/// reported when it is sent, so generated code reads as a plain list of
/// steps.
#[derive(Debug)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    /// The operation's `Accept`, kept out of `headers` so that a request
    /// without header parameters builds no map (`None` when the caller set
    /// one in `headers`).
    pub(crate) accept: Option<HeaderValue>,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) security: Option<Security>,
    pub(crate) error: Option<RequestError>,
    /// The operation's path template, for tracing and hooks.
    pub(crate) template: &'static str,
    /// The call's own settings.
    pub(crate) options: CallOptions,
    /// The header the operation's idempotency key goes in.
    pub(crate) idempotency_header: Option<HeaderName>,
}

#[derive(Clone, Debug)]
pub(crate) enum Body {
    None,
    Bytes(Bytes, HeaderValue),
    /// Shared, so a request sent again reuses the parts.
    Multipart(std::sync::Arc<Multipart>),
    /// Read from a stream while it is sent: it can be sent once.
    Stream(crate::stream::UploadBody, HeaderValue),
}

/// Why sending failed, before any response was decoded. Converts into
/// every `Error<E>`. `Debug` redacts secret response headers.
pub enum SendError {
    /// The request could not be built.
    Request(RequestError),
    /// The request could not be sent or the response not read.
    Transport(reqwest::Error),
    /// The call's or the attempt's time ran out.
    Timeout {
        /// The attempt that ran out of time.
        attempts: u32,
    },
    /// Credentials could not be applied.
    Auth(AuthError),
    /// A hook refused the request.
    Hook(BoxError),
    /// A `reqwest-middleware` layer failed.
    Middleware(BoxError),
    /// The response body is larger than the client's limit.
    TooLarge {
        /// The status.
        status: http::StatusCode,
        /// The response headers.
        headers: HeaderMap,
        /// The limit, in bytes.
        limit: u64,
        /// The attempts the call made.
        attempts: u32,
    },
    /// A streamed call failed beyond what any call can.
    Stream(crate::stream::StreamError),
}

impl fmt::Debug for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Request(e) => f.debug_tuple("Request").field(e).finish(),
            SendError::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            SendError::Timeout { attempts } => f.debug_struct("Timeout").field("attempts", attempts).finish(),
            SendError::Auth(e) => f.debug_tuple("Auth").field(e).finish(),
            SendError::Hook(e) => f.debug_tuple("Hook").field(e).finish(),
            SendError::Middleware(e) => f.debug_tuple("Middleware").field(e).finish(),
            SendError::TooLarge { status, headers, limit, attempts } => {
                crate::redact::response_head(f, "TooLarge", *status, headers)
                    .field("limit", limit)
                    .field("attempts", attempts)
                    .finish()
            }
            SendError::Stream(e) => f.debug_tuple("Stream").field(e).finish(),
        }
    }
}

impl<E> From<SendError> for Error<E> {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Request(e) => Error::Request(e),
            SendError::Transport(e) => Error::Transport(e),
            SendError::Timeout { attempts } => Error::Timeout { attempts },
            SendError::Auth(e) => Error::Auth(e),
            SendError::Hook(e) => Error::Hook(e),
            SendError::Middleware(e) => Error::Middleware(e),
            SendError::TooLarge { status, headers, limit, attempts } => {
                Error::ResponseTooLarge { status, headers, limit, attempts }
            }
            SendError::Stream(e) => Error::Stream(e),
        }
    }
}

impl Request {
    pub(crate) fn new(method: Method, path: String) -> Self {
        Request {
            method,
            path,
            query: Vec::new(),
            headers: HeaderMap::new(),
            accept: None,
            cookies: Vec::new(),
            body: Body::None,
            security: None,
            error: None,
            template: "",
            options: CallOptions::new(),
            idempotency_header: None,
        }
    }

    /// The operation's path template (`/pets/{petId}`) and the call's options.
    pub fn operation(&mut self, template: &'static str, options: CallOptions) {
        self.template = template;
        self.options = options;
    }

    /// The header the API reads idempotency keys from: a key is generated
    /// for the call unless the caller set one, and every retry carries it.
    pub fn idempotency_header(&mut self, name: &'static str) {
        match HeaderName::from_bytes(name.as_bytes()) {
            Ok(name) => self.idempotency_header = Some(name),
            Err(_) => self.fail(RequestError::InvalidHeader { name: name.to_owned() }),
        }
    }

    /// The operation's security requirements: the alternatives, any one of
    /// which the client's credentials must satisfy.
    pub fn security(&mut self, security: Security) {
        self.security = Some(security);
    }

    fn fail(&mut self, error: RequestError) {
        self.error.get_or_insert(error);
    }

    /// `value` as JSON; on failure the error, naming what `what` describes
    /// (written out only then).
    fn value<T: Serialize + ?Sized>(&mut self, value: &T, what: impl FnOnce() -> String) -> Option<serde_json::Value> {
        match serde_json::to_value(value) {
            Ok(v) => Some(v),
            Err(source) => {
                self.fail(RequestError::Serialize { what: what(), source });
                None
            }
        }
    }

    fn query_styled<T: Serialize + ?Sized>(&mut self, name: &str, value: &T, style: QueryStyle) {
        if let Some(v) = self.value(value, || format!("query parameter `{name}`")) {
            encode::query_pairs(name, &v, style, &mut self.query);
        }
    }

    /// A query parameter, `form` style, exploded (`id=1&id=2`). `None` sends nothing.
    pub fn query<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        self.query_styled(name, value, QueryStyle::Form);
    }

    /// A query parameter, `form` style, not exploded (`id=1,2`).
    pub fn query_unexploded<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        self.query_styled(name, value, QueryStyle::FormUnexploded);
    }

    /// A query parameter, `spaceDelimited`.
    pub fn query_space_delimited<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        self.query_styled(name, value, QueryStyle::SpaceDelimited);
    }

    /// A query parameter, `pipeDelimited`.
    pub fn query_pipe_delimited<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        self.query_styled(name, value, QueryStyle::PipeDelimited);
    }

    /// A query parameter, `deepObject` (`filter[name]=x`).
    pub fn query_deep_object<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        self.query_styled(name, value, QueryStyle::DeepObject);
    }

    /// A query parameter whose value is sent as JSON text (`content: application/json`).
    pub fn query_json<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        if let Some(v) = self.value(value, || format!("query parameter `{name}`"))
            && !v.is_null()
        {
            self.query.push((name.to_owned(), v.to_string()));
        }
    }

    /// A header parameter, `simple` style. `None` sends nothing.
    pub fn header<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let Some(v) = self.value(value, || format!("header `{name}`")) else { return };
        if v.is_null() {
            return;
        }
        let text = encode::into_simple(v);
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&text)) {
            (Ok(n), Ok(v)) => {
                self.headers.append(n, v);
            }
            _ => self.fail(RequestError::InvalidHeader { name: name.to_owned() }),
        }
    }

    /// A cookie parameter. `None` sends nothing.
    pub fn cookie<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let Some(v) = self.value(value, || format!("cookie `{name}`")) else { return };
        if !v.is_null() {
            self.cookies.push((name.to_owned(), encode::into_simple(v)));
        }
    }

    /// A JSON body, sent as `application/json`.
    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) {
        self.json_body(body, HeaderValue::from_static("application/json"));
    }

    /// A JSON body sent as another JSON media type, such as
    /// `application/merge-patch+json`.
    pub fn json_as<T: Serialize + ?Sized>(&mut self, body: &T, content_type: &str) {
        match HeaderValue::from_str(content_type) {
            Ok(value) => self.json_body(body, value),
            Err(_) => self.fail(RequestError::InvalidHeader { name: "content-type".into() }),
        }
    }

    fn json_body<T: Serialize + ?Sized>(&mut self, body: &T, content_type: HeaderValue) {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Body::Bytes(bytes.into(), content_type),
            Err(source) => self.fail(RequestError::Serialize { what: "the request body".into(), source }),
        }
    }

    /// The media types the operation's responses come in, for `Accept`,
    /// as generated code gives them: a constant, built at compile time, so
    /// nothing is parsed or copied per call. A header the caller set with
    /// the same name is kept.
    pub fn accept(&mut self, media_types: HeaderValue) {
        if self.accept.is_none() && (self.headers.is_empty() || !self.headers.contains_key(http::header::ACCEPT)) {
            self.accept = Some(media_types);
        }
    }

    /// The `Accept` the request is sent with: the caller's, or the
    /// operation's.
    pub(crate) fn accept_header(&self) -> Option<&HeaderValue> {
        self.accept.as_ref().or_else(|| self.headers.get(http::header::ACCEPT))
    }

    /// Whether the request sets the header `name` itself.
    pub(crate) fn sets_header(&self, name: &HeaderName) -> bool {
        (self.accept.is_some() && name == http::header::ACCEPT) || self.headers.contains_key(name)
    }

    /// An `application/x-www-form-urlencoded` body; properties named in
    /// `deep_object` lay out arrays as `key[0]=…`.
    pub fn form<T: Serialize + ?Sized>(&mut self, body: &T, deep_object: &[&str]) {
        let Some(v) = self.value(body, || "the request body".to_owned()) else { return };
        match encode::form_pairs(&v, deep_object) {
            Ok(pairs) => {
                let text = encode::urlencoded(&pairs);
                self.body = Body::Bytes(text.into(), HeaderValue::from_static("application/x-www-form-urlencoded"));
            }
            Err(e) => self.fail(e),
        }
    }

    /// A `multipart/form-data` body.
    pub fn multipart(&mut self, mut form: Multipart) {
        match form.take_error() {
            Some(error) => self.fail(error),
            None => self.body = Body::Multipart(std::sync::Arc::new(form)),
        }
    }

    /// A raw body with a content type.
    pub fn binary(&mut self, body: impl Into<Binary>, content_type: &str) {
        let body = body.into();
        let content_type = body.content_type().unwrap_or(content_type).to_owned();
        match HeaderValue::from_str(&content_type) {
            Ok(ct) => match body.upload() {
                Some(stream) => self.body = Body::Stream(stream.clone(), ct),
                None => self.body = Body::Bytes(body.into_bytes(), ct),
            },
            Err(_) => self.fail(RequestError::InvalidHeader { name: "content-type".into() }),
        }
    }

    /// A text body with a content type.
    pub fn text(&mut self, body: impl Into<String>, content_type: &str) {
        let body: String = body.into();
        match HeaderValue::from_str(content_type) {
            Ok(ct) => self.body = Body::Bytes(body.into(), ct),
            Err(_) => self.fail(RequestError::InvalidHeader { name: "content-type".into() }),
        }
    }

    /// The full URL under `base_url`: base URL, path and encoded query.
    pub(crate) fn url(&self, base_url: &str) -> String {
        let mut url = String::with_capacity(base_url.len() + self.path.len() + 16);
        url.push_str(base_url);
        url.push_str(&self.path);
        append_query(&mut url, &self.query);
        url
    }

    /// Whether the request has a body.
    pub(crate) fn has_body(&self) -> bool {
        !matches!(self.body, Body::None)
    }

    /// Whether the body is a stream whose sending began, so that the
    /// request cannot be sent again.
    pub(crate) fn body_consumed(&self) -> bool {
        matches!(&self.body, Body::Stream(stream, _) if stream.started())
    }

    /// Whether the body is a stream (sent once at most).
    pub(crate) fn has_stream_body(&self) -> bool {
        matches!(self.body, Body::Stream(..))
    }
}

/// Appends `pairs`, form-encoded, to the query of `url`.
pub(crate) fn append_query(url: &mut String, pairs: &[(String, String)]) {
    if !pairs.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&encode::urlencoded(pairs));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_is_set_once_and_a_callers_own_is_kept() {
        let mut request = Request::new(Method::GET, "/".into());
        assert_eq!(request.accept_header(), None);
        request.accept(HeaderValue::from_static("application/json, text/plain"));
        request.accept(HeaderValue::from_static("text/csv"));
        assert_eq!(request.accept_header().unwrap(), "application/json, text/plain");
        assert!(request.sets_header(&http::header::ACCEPT));
        let mut request = Request::new(Method::GET, "/".into());
        request.headers.insert(http::header::ACCEPT, HeaderValue::from_static("text/csv"));
        request.accept(HeaderValue::from_static("application/json"));
        assert_eq!(request.accept_header().unwrap(), "text/csv");
    }
}
