//! The HTTP client token requests go through: reqwest 0.13 with redirects
//! off (a token endpoint that redirects must not receive the credentials a
//! second time), adapted to the `oauth2` crate's client interface.

use std::future::Future;
use std::pin::Pin;

/// A failed token request, as the `oauth2` crate sees it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TokenHttpError {
    /// What went wrong.
    pub message: String,
    /// The status, when the endpoint answered with a server error.
    pub status: Option<u16>,
}

impl TokenHttpError {
    fn from_reqwest(e: reqwest::Error) -> Self {
        let kind = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "connection failed"
        } else {
            "request failed"
        };
        // The URL is left out: some token requests carry secrets in it.
        TokenHttpError { message: format!("{kind}: {}", e.without_url()), status: None }
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
                status: Some(status.as_u16()),
            });
        }
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(TokenHttpError::from_reqwest)?;
        let mut out = http::Response::new(body.to_vec());
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    })
}

/// Whether `url` may receive credentials: https anywhere, http only on loopback.
pub fn is_secure_url(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) if u.scheme() == "https" => true,
        Ok(u) if u.scheme() == "http" => match u.host() {
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
    #[test]
    fn only_https_or_loopback() {
        assert!(super::is_secure_url("https://login.example.com/token"));
        assert!(super::is_secure_url("http://127.0.0.1:8080/token"));
        assert!(super::is_secure_url("http://[::1]/token"));
        assert!(super::is_secure_url("http://localhost/token"));
        assert!(!super::is_secure_url("http://login.example.com/token"));
        assert!(!super::is_secure_url("http://10.0.0.1/token"));
        assert!(!super::is_secure_url("ftp://x/token"));
        assert!(!super::is_secure_url("not a url"));
    }
}
