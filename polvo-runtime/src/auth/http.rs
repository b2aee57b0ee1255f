//! The HTTP client token requests go through: reqwest 0.13 with redirects
//! off (a token endpoint that redirects must not receive the credentials a
//! second time), adapted to the `oauth2` crate's client interface, and
//! reading at most [`MAX_REPLY_BYTES`] of any reply.

use std::future::Future;
use std::pin::Pin;

use super::error::AuthError;

/// The most a token, device-authorization or exchange reply may hold.
/// Real replies are a few kilobytes; a bigger one is refused before it is
/// read whole.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;

/// A failed token request, as the `oauth2` crate sees it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TokenHttpError {
    /// What went wrong.
    pub message: String,
    /// What kind of failure it is.
    pub kind: TokenHttpErrorKind,
}

/// What kind of failure a [`TokenHttpError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenHttpErrorKind {
    /// The endpoint could not be reached, or did not answer in time.
    Transport,
    /// The endpoint answered with a status that is no OAuth answer (a
    /// server error or a redirect).
    Status,
    /// The reply was larger than [`MAX_REPLY_BYTES`].
    TooLarge,
}

impl TokenHttpError {
    /// A failed request; the URL is left out, as some token requests carry
    /// secrets in it.
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        let kind = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "connection failed"
        } else {
            "request failed"
        };
        TokenHttpError { message: format!("{kind}: {}", e.without_url()), kind: TokenHttpErrorKind::Transport }
    }

    /// The [`AuthError`] this failure of a `scheme` token request is.
    pub(crate) fn into_auth_error(self, scheme: &str) -> AuthError {
        let scheme = scheme.to_owned();
        match self.kind {
            TokenHttpErrorKind::Status => AuthError::TokenEndpoint { scheme, error: self.message, description: None },
            TokenHttpErrorKind::TooLarge => AuthError::MalformedResponse { scheme, reason: self.message },
            TokenHttpErrorKind::Transport => AuthError::Transport { scheme, reason: self.message },
        }
    }
}

/// Why a reply's body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// It is larger than the limit.
    #[error("its body is larger than the {} KiB a token reply may have", MAX_REPLY_BYTES / 1024)]
    TooLarge,
    /// The connection failed while reading it. The error holds no URL (it
    /// may carry secrets).
    #[error("the connection failed while the reply was read")]
    Transport(#[source] reqwest::Error),
}

impl From<ReadError> for TokenHttpError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::TooLarge => TokenHttpError { message: e.to_string(), kind: TokenHttpErrorKind::TooLarge },
            ReadError::Transport(e) => TokenHttpError::from_reqwest(e),
        }
    }
}

/// Reads the body of a token reply, refusing one larger than
/// [`MAX_REPLY_BYTES`]: a declared `Content-Length` is checked first, then
/// the bytes are counted as they arrive, so a huge reply is never held.
///
/// The bytes are counted after decompression, and reqwest reports no
/// `Content-Length` for a body it decompresses.
pub async fn read_limited(response: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    match crate::limit::read_body(response, MAX_REPLY_BYTES as u64).await {
        Ok(body) => Ok(body.into()),
        Err(crate::limit::ReadError::TooLarge) => Err(ReadError::TooLarge),
        Err(crate::limit::ReadError::Transport(e)) => Err(ReadError::Transport(e)),
    }
}

/// Builds the client for token requests.
pub fn token_client(timeout: std::time::Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .user_agent(concat!("polvo/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The `oauth2` crate's HTTP client: reqwest without redirects.
pub struct TokenHttp(pub reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for TokenHttp {
    type Error = TokenHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, TokenHttpError>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        send(self.0.clone(), request)
    }
}

/// Sends an `oauth2` request with `client`.
pub fn send(
    client: reqwest::Client,
    request: oauth2::HttpRequest,
) -> Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, TokenHttpError>> + Send>> {
    Box::pin(async move {
        let (parts, body) = request.into_parts();
        let response = client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(TokenHttpError::from_reqwest)?;
        let status = response.status();
        if status.is_server_error() || status.is_redirection() {
            // Not an OAuth answer: report the status rather than a parse failure.
            return Err(TokenHttpError {
                message: format!("the endpoint answered {status}"),
                kind: TokenHttpErrorKind::Status,
            });
        }
        let headers = response.headers().clone();
        let body = read_limited(response).await?;
        let mut out = http::Response::new(body);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    })
}

/// Whether `url` may receive credentials: https anywhere, http only on loopback.
/// The generator applies the same rule at compile time
/// (`polvo-codegen/src/model/endpoints.rs`); both test the same cases.
pub fn is_secure(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    fn is_secure_url(url: &str) -> bool {
        url::Url::parse(url).is_ok_and(|u| super::is_secure(&u))
    }

    #[test]
    fn only_https_or_loopback() {
        assert!(is_secure_url("https://login.example.com/token"));
        assert!(is_secure_url("http://127.0.0.1:8080/token"));
        assert!(is_secure_url("http://[::1]/token"));
        assert!(is_secure_url("http://localhost/token"));
        assert!(!is_secure_url("http://login.example.com/token"));
        assert!(!is_secure_url("http://10.0.0.1/token"));
        assert!(!is_secure_url("ftp://x/token"));
        assert!(!is_secure_url("not a url"));
        assert!(is_secure_url("HTTP://LOCALHOST/token"), "schemes and hosts are case-insensitive");
        // The host is the one the URL parser reads.
        assert!(!is_secure_url(r"http://evil.com\@localhost/token"));
        assert!(!is_secure_url("http://localhost@evil.com/token"));
        assert!(!is_secure_url("http://localhost:80@evil.com/token"));
        assert!(!is_secure_url("http://127.0.0.1.evil.com/token"));
        assert!(is_secure_url("http://user@localhost:8080/token"));
    }
}
