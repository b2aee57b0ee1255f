//! One attempt of a call: its first request, the redirects it follows, the
//! hooks around each request to the API, the transport (reqwest, through
//! the user's `reqwest-middleware` layers if any), and reading the answer.

use http::{HeaderMap, HeaderValue};
use std::time::Instant;
use url::Url;

use crate::auth::Target;
use crate::client::ClientCore;
use crate::error::RequestError;
use crate::hooks::ResponseHead;
use crate::limit;
use crate::redirect::{self, Chain, Hop, Next};
use crate::request::{Body, Request, SendError, append_query};
use crate::stream::{Reading, StreamError};

/// The credentials of one call, kept apart from the request's own
/// headers, query and cookies: they go to the API's origin only.
#[derive(Default)]
pub(crate) struct Credentials {
    pub headers: HeaderMap,
    pub query: Vec<(String, String)>,
    pub cookies: Vec<(String, String)>,
}

impl Credentials {
    pub fn target(&mut self) -> Target<'_> {
        Target { headers: &mut self.headers, query: &mut self.query, cookies: &mut self.cookies }
    }

    /// Drops the request's query parameters and cookies named like a query
    /// or cookie credential (the spec's or hand-set ones): credentials win,
    /// and a name is never sent twice. Headers get the same rule where
    /// they are put on the request.
    pub fn replace_same_named(&self, request: &mut Request) {
        if !self.query.is_empty() && !request.query.is_empty() {
            request.query.retain(|(name, _)| !self.query.iter().any(|(credential, _)| credential == name));
        }
        if !self.cookies.is_empty() && !request.cookies.is_empty() {
            request.cookies.retain(|(name, _)| !self.cookies.iter().any(|(credential, _)| credential == name));
        }
    }

    /// The request's URL with the query credentials appended.
    pub fn first_url(&self, mut url: String) -> Result<Url, SendError> {
        append_query(&mut url, &self.query);
        // The parser's message never repeats the URL, which may hold a key.
        Url::parse(&url).map_err(|e| SendError::Request(RequestError::Url(e.to_string())))
    }
}

/// How many headers reqwest may add to a request's own (`User-Agent`,
/// `Accept-Encoding`, `Content-Type`, `Content-Length`, with `Accept`).
const RESERVED_FOR_REQWEST: usize = 5;

/// The one `Cookie` header of a request with cookies: the pairs of the
/// `Cookie` headers already in `headers` (set by hand, or a client-wide
/// default), but those named like a cookie credential, then the cookie
/// parameters, then the cookie credentials.
fn merged_cookie(
    headers: &HeaderMap,
    parameters: &[(String, String)],
    credentials: &[(String, String)],
) -> Result<HeaderValue, SendError> {
    let mut cookie: Vec<u8> = Vec::new();
    // A pair is pushed in parts (`name`, `=`, `value`): nothing is
    // formatted on the side.
    let mut push = |parts: &[&[u8]]| {
        if !cookie.is_empty() {
            cookie.extend_from_slice(b"; ");
        }
        parts.iter().for_each(|part| cookie.extend_from_slice(part));
    };
    for set in headers.get_all(http::header::COOKIE) {
        for pair in set.as_bytes().split(|&byte| byte == b';').map(<[u8]>::trim_ascii).filter(|p| !p.is_empty()) {
            let name = pair.split(|&byte| byte == b'=').next().unwrap_or_default().trim_ascii();
            if !credentials.iter().any(|(credential, _)| credential.as_bytes() == name) {
                push(&[pair]);
            }
        }
    }
    for (name, value) in parameters.iter().chain(credentials) {
        push(&[name.as_bytes(), b"=", value.as_bytes()]);
    }
    let mut value = HeaderValue::from_bytes(&cookie)
        .map_err(|_| SendError::Request(RequestError::InvalidHeader { name: "cookie".into() }))?;
    value.set_sensitive(true);
    Ok(value)
}

/// How a chain of requests ended.
pub(crate) struct Ended<O> {
    /// The final response.
    pub response: O,
    /// The last request, when the API's origin answered it with a 401.
    pub resend: Option<Hop>,
    /// How many redirects were followed.
    pub followed: usize,
}

/// One attempt: the request, what it is sent with, and until when.
pub(crate) struct Attempt<'a, R> {
    pub core: &'a ClientCore,
    pub request: &'a Request,
    pub credentials: &'a Credentials,
    /// When the attempt (or the call, if that is sooner) runs out of time.
    pub deadline: Option<Instant>,
    /// The attempt's number, from 1.
    pub number: u32,
    /// How the final response is read.
    pub reading: R,
}

impl<R: Reading> Attempt<'_, R> {
    /// [`exchange`](Self::exchange) within the attempt's deadline, which
    /// covers the whole chain of requests and the reading of the final
    /// response (for a streamed response, [`execute`](Self::execute)
    /// covers each response head instead). Nothing is sent once the
    /// deadline has passed.
    ///
    /// The deadline is a timer of polvo's own rather than reqwest's
    /// per-request timeout, which costs a boxed timer and an extensions map
    /// on every request.
    pub async fn exchange_in_time(&self, hop: Hop, followed: usize) -> Result<Ended<R::Output>, SendError> {
        let timed_out = || SendError::Timeout { attempts: self.number };
        match self.deadline {
            Some(deadline) if !R::TIMEOUT_COVERS_HEAD_ONLY => {
                if Instant::now() >= deadline {
                    return Err(timed_out());
                }
                tokio::time::timeout_at(deadline.into(), self.exchange(hop, followed))
                    .await
                    .unwrap_or_else(|_| Err(timed_out()))
            }
            _ => self.exchange(hop, followed).await,
        }
    }

    /// Sends `hop` and follows its redirects (`followed` were followed
    /// already). Returns the final response, and the last request again if
    /// the API itself answered it with a 401 (it may be resent with a
    /// renewed token).
    pub async fn exchange(&self, mut hop: Hop, mut followed: usize) -> Result<Ended<R::Output>, SendError> {
        loop {
            let (method, keep_body, trusted) = (hop.method.clone(), hop.keep_body, hop.trusted);
            let response = self.send_hop(hop).await?;
            let chain = Chain {
                origin: self.core.origin(),
                current: response.url(),
                method: &method,
                has_body: keep_body && self.request.has_body(),
                trusted,
                followed,
                query_credentials: &self.credentials.query,
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
                let limit = self.core.max_response_size();
                let response = self.reading.read(response, limit, self.number).await?;
                return Ok(Ended { response, resend, followed });
            };
            if next.keep_body && self.request.has_stream_body() {
                return Err(SendError::Stream(StreamError::BodyNotReplayable {
                    reason: "the server redirected the request (307 or 308) and following it means sending the body again",
                }));
            }
            tracing::debug!(
                status = %response.status(),
                to = %redirect::origin_text(&next.url),
                with_credentials = next.trusted,
                "following a redirect"
            );
            limit::drain(response).await;
            if next.trusted {
                next.url = redirect::with_query_credentials(next.url, &self.credentials.query);
            }
            hop = next;
            followed += 1;
        }
    }

    /// Sends one request of the chain, within what is left of the
    /// attempt's time. A trusted hop carries the request's headers, cookies
    /// and credentials, and the body if it keeps it, and goes through the
    /// hooks; any other hop carries only `Accept`.
    async fn send_hop(&self, hop: Hop) -> Result<reqwest::Response, SendError> {
        let trusted = hop.trusted;
        // The headers go straight into the request reqwest sends: no map of
        // them is built first and copied over.
        let (http, request) = self.core.http().request(hop.method, hop.url).build_split();
        let mut request = request.map_err(|e| SendError::Transport(e.without_url()))?;
        if trusted {
            self.put_api_headers(request.headers_mut())?;
        } else if let Some(accept) = self.request.accept_header() {
            request.headers_mut().insert(http::header::ACCEPT, accept.clone());
        }
        let mut builder = reqwest::RequestBuilder::from_parts(http, request);
        if trusted && hop.keep_body {
            builder = match &self.request.body {
                Body::None => builder,
                Body::Bytes(bytes, content_type) => {
                    builder.header(http::header::CONTENT_TYPE, content_type.clone()).body(bytes.clone())
                }
                Body::Multipart(form) => builder.multipart(form.to_form().map_err(SendError::Request)?),
                Body::Stream(stream, content_type) => {
                    let mut builder = builder.header(http::header::CONTENT_TYPE, content_type.clone());
                    if let Some(length) = stream.length() {
                        builder = builder.header(http::header::CONTENT_LENGTH, length);
                    }
                    builder.body(stream.to_body().map_err(SendError::Stream)?)
                }
            };
        }
        let mut request = builder.build().map_err(|e| SendError::Transport(e.without_url()))?;
        let hooks = if trusted { self.core.hooks() } else { &[] };
        for hook in hooks {
            hook.before_request(&mut request).await.map_err(SendError::Hook)?;
        }
        let response = self.execute(request).await?;
        if !hooks.is_empty() {
            let head = ResponseHead {
                method: &self.request.method,
                path_template: self.request.template,
                status: response.status(),
                headers: response.headers(),
                attempt: self.number,
            };
            for hook in hooks {
                hook.after_response(&head).await;
            }
        }
        Ok(response)
    }

    /// Puts the headers of a request to the API's origin into `headers`
    /// (empty): the request's own and its `Accept`, the client's default
    /// headers it does not set itself, the credentials (replacing
    /// same-named ones) and the cookies. Room for them all is made once.
    fn put_api_headers(&self, headers: &mut HeaderMap) -> Result<(), SendError> {
        let (request, credentials) = (self.request, self.credentials);
        let defaults = self.core.default_headers();
        // Room for reqwest's own too (`User-Agent`, `Accept-Encoding`, …):
        // a map that fills up is rebuilt.
        headers.reserve(request.headers.len() + defaults.len() + credentials.headers.len() + RESERVED_FOR_REQWEST);
        for (name, value) in &request.headers {
            if !credentials.headers.contains_key(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        if let Some(accept) = &request.accept {
            headers.insert(http::header::ACCEPT, accept.clone());
        }
        for (name, value) in defaults {
            if !request.sets_header(name) && !credentials.headers.contains_key(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        for (name, value) in &credentials.headers {
            headers.append(name.clone(), value.clone());
        }
        if !request.cookies.is_empty() || !credentials.cookies.is_empty() {
            let value = merged_cookie(headers, &request.cookies, &credentials.cookies)?;
            headers.insert(http::header::COOKIE, value);
        }
        Ok(())
    }

    /// Sends a request. For a streamed answer the deadline covers the
    /// response head only (reqwest's own timeout would cover the body).
    async fn execute(&self, request: reqwest::Request) -> Result<reqwest::Response, SendError> {
        match self.deadline {
            Some(deadline) if R::TIMEOUT_COVERS_HEAD_ONLY => {
                tokio::time::timeout_at(deadline.into(), self.core.execute(request))
                    .await
                    .map_err(|_| SendError::Stream(StreamError::HeadTimeout))?
            }
            _ => self.core.execute(request).await,
        }
    }
}
