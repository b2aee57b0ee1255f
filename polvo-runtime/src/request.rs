//! A request under construction, filled in by generated code.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Serialize;

use crate::auth::{Applied, AuthError, Security, Target};
use crate::binary::Binary;
use crate::client::ClientCore;
use crate::encode::{self, QueryStyle, multipart::Multipart};
use crate::error::{Error, RequestError};
use crate::limit::{self, ReadError};
use crate::redirect::{self, Chain, Hop, Next};
use crate::response::RawResponse;
use std::time::Instant;
use url::Url;

/// A request being built. Problems met while adding values are kept and
/// reported by [`Request::send`], so generated code reads as a plain list
/// of steps.
#[derive(Debug)]
pub struct Request {
    core: ClientCore,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    cookies: Vec<(String, String)>,
    body: Body,
    security: Option<Security>,
    error: Option<RequestError>,
}

#[derive(Clone, Debug)]
enum Body {
    None,
    Bytes(Bytes, HeaderValue),
    /// Shared, so a request sent again reuses the parts.
    Multipart(std::sync::Arc<Multipart>),
}

/// Why sending failed, before any response was decoded. Converts into
/// every `Error<E>`.
#[derive(Debug)]
pub enum SendError {
    /// The request could not be built.
    Request(RequestError),
    /// The request could not be sent or the response not read.
    Transport(reqwest::Error),
    /// Credentials could not be applied.
    Auth(AuthError),
    /// The response body is larger than the client's limit.
    TooLarge {
        /// The status.
        status: http::StatusCode,
        /// The response headers.
        headers: HeaderMap,
        /// The limit, in bytes.
        limit: u64,
    },
}

impl<E> From<SendError> for Error<E> {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Request(e) => Error::Request(e),
            SendError::Transport(e) => Error::Transport(e),
            SendError::Auth(e) => Error::Auth(e),
            SendError::TooLarge { status, headers, limit } => Error::ResponseTooLarge { status, headers, limit },
        }
    }
}

impl Request {
    pub(crate) fn new(core: ClientCore, method: Method, path: String) -> Self {
        Request {
            core,
            method,
            path,
            query: Vec::new(),
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            body: Body::None,
            security: None,
            error: None,
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

    fn value<T: Serialize + ?Sized>(&mut self, value: &T, what: &str) -> Option<serde_json::Value> {
        match encode::to_value(value, what) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    fn query_styled<T: Serialize + ?Sized>(&mut self, name: &str, value: &T, style: QueryStyle) {
        if let Some(v) = self.value(value, &format!("query parameter `{name}`")) {
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
        if let Some(v) = self.value(value, &format!("query parameter `{name}`"))
            && !v.is_null()
        {
            self.query.push((name.to_owned(), v.to_string()));
        }
    }

    /// A header parameter, `simple` style. `None` sends nothing.
    pub fn header<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let Some(v) = self.value(value, &format!("header `{name}`")) else { return };
        if v.is_null() {
            return;
        }
        let text = encode::simple(&v);
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&text)) {
            (Ok(n), Ok(v)) => {
                self.headers.append(n, v);
            }
            _ => self.fail(RequestError::InvalidHeader { name: name.to_owned() }),
        }
    }

    /// A cookie parameter. `None` sends nothing.
    pub fn cookie<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let Some(v) = self.value(value, &format!("cookie `{name}`")) else { return };
        if !v.is_null() {
            self.cookies.push((name.to_owned(), encode::simple(&v)));
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

    /// The media types the operation's responses come in, for `Accept`.
    /// A header the caller set with the same name is kept.
    pub fn accept(&mut self, media_types: &str) {
        if let Ok(value) = HeaderValue::from_str(media_types) {
            self.headers.entry(http::header::ACCEPT).or_insert(value);
        }
    }

    /// An `application/x-www-form-urlencoded` body; properties named in
    /// `deep_object` lay out arrays as `key[0]=…`.
    pub fn form<T: Serialize + ?Sized>(&mut self, body: &T, deep_object: &[&str]) {
        let Some(v) = self.value(body, "the request body") else { return };
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
            Ok(ct) => self.body = Body::Bytes(body.into_bytes(), ct),
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

    /// The full URL: base URL, path and encoded query.
    pub fn url(&self) -> String {
        let mut url = String::with_capacity(self.core.base_url().len() + self.path.len() + 16);
        url.push_str(self.core.base_url());
        url.push_str(&self.path);
        append_query(&mut url, &self.query);
        url
    }

    /// Sends the request and reads the whole response. Credentials go on
    /// first; after a 401 from the API, renewable tokens are renewed and the
    /// last request of the chain is sent once more (every body polvo sends
    /// is held in memory, so any request can be replayed; a request that a
    /// redirect already answered is not repeated). Redirects to the API's
    /// origin are followed with the credentials; to another origin, only a
    /// `GET` or `HEAD` is followed, without credentials, headers, cookies or
    /// body; https never leads to http. The client's timeout covers the
    /// whole call: every hop and the resend.
    pub async fn send(mut self) -> Result<RawResponse, SendError> {
        if let Some(e) = self.error.take() {
            return Err(SendError::Request(e));
        }
        // Before any credential is applied, so no token is fetched (or
        // rotated) for a request that cannot be sent.
        self.refuse_plain_http()?;
        let (credentials, applied) = self.credentials().await?;
        // From the first request on: token requests have their own timeout.
        let deadline = self.core.timeout().map(|timeout| Instant::now() + timeout);
        let first = Hop::first(credentials.first_url(self.url())?, self.method.clone());
        let ended = self.exchange(first, 0, &credentials, deadline).await?;
        let Some(last) = ended.resend else { return Ok(ended.response) };
        if !self.core.auth_state().expire(&applied, self.core.tenant()) {
            return Ok(ended.response);
        }
        tracing::debug!("401 with a renewable token: renewing it and sending the last request once more");
        let (credentials, _) = self.credentials().await?;
        let again = match ended.followed {
            0 => Hop::first(credentials.first_url(self.url())?, self.method.clone()),
            _ => Hop { url: redirect::with_query_credentials(last.url, &credentials.query), ..last },
        };
        Ok(self.exchange(again, ended.followed, &credentials, deadline).await?.response)
    }

    /// Applies the operation's credentials.
    async fn credentials(&self) -> Result<(Credentials, Vec<Applied>), SendError> {
        let mut credentials = Credentials::default();
        let Some(security) = self.security else { return Ok((credentials, Vec::new())) };
        let mut target = credentials.target();
        let applied =
            self.core.auth_state().apply(security, self.core.tenant(), &mut target).await.map_err(SendError::Auth)?;
        Ok((credentials, applied))
    }

    /// Refuses a request for a plain-http base URL off loopback that would
    /// carry credentials or the client's default headers (which may be
    /// secrets), unless the client allows it. Decided before anything is
    /// applied: an operation that requires credentials, or that would get
    /// the ones the client has (optional ones included), is refused.
    fn refuse_plain_http(&self) -> Result<(), SendError> {
        let Some(origin) = self.core.insecure_origin() else { return Ok(()) };
        let carries_secrets = !self.core.default_headers().is_empty()
            || self.security.is_some_and(|alternatives| {
                let required =
                    !alternatives.is_empty() && alternatives.iter().all(|requirement| !requirement.is_empty());
                required || self.core.auth_state().would_apply(alternatives)
            });
        if carries_secrets {
            return Err(SendError::Request(RequestError::InsecureUrl { origin: origin.to_owned() }));
        }
        Ok(())
    }

    /// Sends `hop` and follows its redirects (`followed` were followed
    /// already). Returns the final response, and the last request again if
    /// the API itself answered it with a 401 (it may be resent with a
    /// renewed token).
    async fn exchange(
        &self,
        mut hop: Hop,
        mut followed: usize,
        credentials: &Credentials,
        deadline: Option<Instant>,
    ) -> Result<Ended, SendError> {
        loop {
            let (method, keep_body, trusted) = (hop.method.clone(), hop.keep_body, hop.trusted);
            let response = self.send_hop(hop, credentials, deadline).await?;
            let chain = Chain {
                origin: self.core.origin(),
                current: response.url(),
                method: &method,
                has_body: keep_body && !matches!(self.body, Body::None),
                trusted,
                followed,
                query_credentials: &credentials.query,
            };
            let next = match redirect::next(&chain, response.status(), response.headers()) {
                Next::Done => None,
                Next::Stop(reason) => {
                    tracing::debug!(status = %response.status(), "not following a redirect: {reason}");
                    None
                }
                Next::Follow(next) => Some(next),
            };
            let Some(mut next) = next else {
                let resend = (trusted && response.status() == http::StatusCode::UNAUTHORIZED).then(|| Hop {
                    url: response.url().clone(),
                    method,
                    keep_body,
                    trusted,
                });
                return Ok(Ended { response: self.read(response).await?, resend, followed });
            };
            tracing::debug!(
                status = %response.status(),
                to = %redirect::origin_text(&next.url),
                with_credentials = next.trusted,
                "following a redirect"
            );
            limit::drain(response).await;
            if next.trusted {
                next.url = redirect::with_query_credentials(next.url, &credentials.query);
            }
            hop = next;
            followed += 1;
        }
    }

    /// Sends one request of the chain, within what is left of the call's
    /// time. A trusted hop carries the request's headers, cookies and
    /// credentials, and the body if it keeps it; any other hop carries only
    /// `Accept`.
    async fn send_hop(
        &self,
        hop: Hop,
        credentials: &Credentials,
        deadline: Option<Instant>,
    ) -> Result<reqwest::Response, SendError> {
        let mut builder = self.core.http().request(hop.method, hop.url);
        if let Some(deadline) = deadline {
            // Zero once the deadline passed: reqwest then times out at once.
            builder = builder.timeout(deadline.saturating_duration_since(Instant::now()));
        }
        if hop.trusted {
            builder = builder.headers(self.headers_for_api(credentials)?);
            if hop.keep_body {
                builder = match &self.body {
                    Body::None => builder,
                    Body::Bytes(bytes, content_type) => {
                        builder.header(http::header::CONTENT_TYPE, content_type.clone()).body(bytes.clone())
                    }
                    Body::Multipart(form) => builder.multipart(form.to_form().map_err(SendError::Request)?),
                };
            }
        } else if let Some(accept) = self.headers.get(http::header::ACCEPT) {
            builder = builder.header(http::header::ACCEPT, accept.clone());
        }
        builder.send().await.map_err(|e| SendError::Transport(e.without_url()))
    }

    /// The headers of a request to the API's origin: the request's own, the
    /// client's default headers it does not set itself, the credentials
    /// (replacing same-named ones) and the cookies.
    fn headers_for_api(&self, credentials: &Credentials) -> Result<HeaderMap, SendError> {
        let mut headers = self.headers.clone();
        for (name, value) in self.core.default_headers() {
            if !self.headers.contains_key(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        for name in credentials.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &credentials.headers {
            headers.append(name.clone(), value.clone());
        }
        if !self.cookies.is_empty() || !credentials.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .chain(&credentials.cookies)
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let mut value = HeaderValue::from_str(&cookie)
                .map_err(|_| SendError::Request(RequestError::InvalidHeader { name: "cookie".into() }))?;
            value.set_sensitive(true);
            headers.insert(http::header::COOKIE, value);
        }
        Ok(headers)
    }

    /// Reads the final response, within the client's size limit.
    async fn read(&self, response: reqwest::Response) -> Result<RawResponse, SendError> {
        let (status, headers) = (response.status(), response.headers().clone());
        let limit = self.core.max_response_size();
        match limit::read_body(response, limit).await {
            Ok(body) => Ok(RawResponse::new(status, headers, body)),
            Err(ReadError::TooLarge) => Err(SendError::TooLarge { status, headers, limit }),
            Err(ReadError::Transport(e)) => Err(SendError::Transport(e)),
        }
    }
}

/// How a chain of requests ended.
struct Ended {
    /// The final response.
    response: RawResponse,
    /// The last request, when the API's origin answered it with a 401.
    resend: Option<Hop>,
    /// How many redirects were followed.
    followed: usize,
}

/// Appends `pairs`, form-encoded, to the query of `url`.
fn append_query(url: &mut String, pairs: &[(String, String)]) {
    if !pairs.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&encode::urlencoded(pairs));
    }
}

/// The credentials of one attempt, kept apart from the request's own
/// headers, query and cookies: they go to the API's origin only.
#[derive(Default)]
struct Credentials {
    headers: HeaderMap,
    query: Vec<(String, String)>,
    cookies: Vec<(String, String)>,
}

impl Credentials {
    fn target(&mut self) -> Target<'_> {
        Target { headers: &mut self.headers, query: &mut self.query, cookies: &mut self.cookies }
    }

    /// The request's URL with the query credentials appended.
    fn first_url(&self, mut url: String) -> Result<Url, SendError> {
        append_query(&mut url, &self.query);
        // The parser's message never repeats the URL, which may hold a key.
        Url::parse(&url).map_err(|e| SendError::Request(RequestError::Url(e.to_string())))
    }
}
