//! Which redirects a request follows, and what the next request may carry.
//!
//! polvo follows redirects itself (its reqwest client never does), so that
//! no credential leaves the API's origin:
//!
//! - To the **same origin** (scheme, host and port of the base URL), up to
//!   [`MAX_REDIRECTS`] hops: the request is sent again with its credentials,
//!   headers and cookies; `303`, and `301`/`302` after a `POST`, become a
//!   `GET` without a body; `307` and `308` keep the method and the body.
//! - To **another origin**, only a `GET` or `HEAD` (after those rewrites) is
//!   followed, and it is sent bare: no credential of any scheme, no default or
//!   parameter header, no cookie, no body. Every later hop stays bare, even
//!   one that leads back. A redirect that would resend a body elsewhere is
//!   not followed.
//! - **Never** from https to http, and never to another scheme.
//!
//! A redirect that is not followed is the response: its status, its
//! headers (`Location` among them) and its body reach the caller.

use http::{HeaderMap, Method, StatusCode};
use url::{Origin, Url};

/// How many redirects one call follows at most.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// What to do with a response.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Not a redirect: the response is the answer.
    Done,
    /// Send the next request.
    Follow(Hop),
    /// A redirect that is not followed: the response is the answer.
    Stop(&'static str),
}

/// The next request of a followed redirect.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Hop {
    /// Where it goes.
    pub(crate) url: Url,
    /// Its method, after the rewrites of `301`, `302` and `303`.
    pub(crate) method: Method,
    /// Whether the body is sent again (`307` and `308` only).
    pub(crate) keep_body: bool,
    /// Whether it may carry credentials, headers and cookies: it stays on the
    /// API's origin and no earlier hop left it.
    pub(crate) trusted: bool,
}

/// Where a request is in its chain of redirects.
#[derive(Debug)]
pub(crate) struct Chain<'a> {
    /// The API's origin: the only one credentials go to.
    pub(crate) origin: &'a Origin,
    /// The URL the response came from.
    pub(crate) current: &'a Url,
    /// The method that was sent.
    pub(crate) method: &'a Method,
    /// Whether a body was sent.
    pub(crate) has_body: bool,
    /// Whether the request that was sent was trusted (see [`Hop::trusted`]).
    pub(crate) trusted: bool,
    /// How many redirects were followed already.
    pub(crate) followed: usize,
}

/// Decides what a response means for the chain.
pub(crate) fn next(chain: &Chain<'_>, status: StatusCode, headers: &HeaderMap) -> Next {
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Next::Done;
    }
    if chain.followed >= MAX_REDIRECTS {
        return Next::Stop("too many redirects");
    }
    let Some(url) = location(chain.current, headers) else {
        return Next::Stop("the redirect has no usable `Location`");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Next::Stop("the redirect leads to a scheme other than http or https");
    }
    if chain.current.scheme() == "https" && url.scheme() == "http" {
        return Next::Stop("the redirect would downgrade https to plain http");
    }
    let (method, keep_body) = rewrite(status, chain.method, chain.has_body);
    let trusted = chain.trusted && url.origin() == *chain.origin;
    if !trusted && (keep_body || !matches!(method, Method::GET | Method::HEAD)) {
        return Next::Stop("a redirect to another origin is followed only for GET and HEAD, without a body");
    }
    Next::Follow(Hop { url, method, keep_body, trusted })
}

/// The `Location` header resolved against the URL it came from, without a
/// fragment (which is never sent).
fn location(current: &Url, headers: &HeaderMap) -> Option<Url> {
    let value = headers.get(http::header::LOCATION)?.to_str().ok()?;
    let mut url = current.join(value.trim()).ok()?;
    url.set_fragment(None);
    Some(url)
}

/// The method and body of the next request, as browsers and RFC 9110 §15.4
/// have them: `303` turns anything but `HEAD` into a `GET`; `301` and `302`
/// turn a `POST` into a `GET`; `307` and `308` change nothing.
fn rewrite(status: StatusCode, method: &Method, has_body: bool) -> (Method, bool) {
    let to_get = match status.as_u16() {
        303 => *method != Method::HEAD,
        301 | 302 => *method == Method::POST,
        _ => false,
    };
    if to_get { (Method::GET, false) } else { (method.clone(), has_body) }
}

/// The origin of a URL, as shown in messages: `https://host:port`, with no
/// user name, password, path or query, so no secret.
pub(crate) fn origin_text(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// `url` with the query pairs named in `credentials` replaced by them: a
/// same-origin `Location` that repeats the request's query must not send a
/// query API key twice (or a stale one).
pub(crate) fn with_query_credentials(mut url: Url, credentials: &[(String, String)]) -> Url {
    if credentials.is_empty() {
        return url;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !credentials.iter().any(|(c, _)| c == name))
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    url.query_pairs_mut().extend_pairs(kept.iter().chain(credentials));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn located(location: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::LOCATION, location.parse().unwrap());
        headers
    }

    fn decide(from: &str, method: Method, has_body: bool, status: u16, location: &str) -> Next {
        let origin = url("https://api.example.com").origin();
        let current = url(from);
        let chain = Chain { origin: &origin, current: &current, method: &method, has_body, trusted: true, followed: 0 };
        next(&chain, StatusCode::from_u16(status).unwrap(), &located(location))
    }

    fn hop(to: &str, method: Method, keep_body: bool, trusted: bool) -> Next {
        Next::Follow(Hop { url: url(to), method, keep_body, trusted })
    }

    #[test]
    fn same_origin_redirects_keep_credentials_and_rewrite_methods_like_browsers() {
        let api = "https://api.example.com/api/";
        assert_eq!(
            decide(api, Method::GET, false, 301, "/api"),
            hop("https://api.example.com/api", Method::GET, false, true)
        );
        assert_eq!(
            decide(api, Method::POST, true, 303, "/done"),
            hop("https://api.example.com/done", Method::GET, false, true)
        );
        assert_eq!(
            decide(api, Method::HEAD, false, 303, "x"),
            hop("https://api.example.com/api/x", Method::HEAD, false, true)
        );
        assert_eq!(
            decide(api, Method::POST, true, 302, "/b"),
            hop("https://api.example.com/b", Method::GET, false, true)
        );
        assert_eq!(
            decide(api, Method::PUT, true, 302, "/b"),
            hop("https://api.example.com/b", Method::PUT, true, true)
        );
        assert_eq!(
            decide(api, Method::POST, true, 307, "/b#f"),
            hop("https://api.example.com/b", Method::POST, true, true)
        );
        assert_eq!(
            decide(api, Method::PATCH, true, 308, "/b"),
            hop("https://api.example.com/b", Method::PATCH, true, true)
        );
        assert_eq!(decide(api, Method::GET, false, 200, "/b"), Next::Done);
        assert_eq!(decide(api, Method::GET, false, 304, "/b"), Next::Done);
    }

    #[test]
    fn another_origin_gets_only_bare_gets() {
        let api = "https://api.example.com/api";
        for other in ["https://cdn.example.com/f", "https://api.example.com:8443/f", "http://127.0.0.1/f"] {
            let next = decide(api, Method::POST, true, 307, other);
            assert!(matches!(next, Next::Stop(_)), "{other}: {next:?}");
        }
        assert_eq!(
            decide(api, Method::GET, false, 302, "https://cdn.example.com/f?sig=1"),
            hop("https://cdn.example.com/f?sig=1", Method::GET, false, false)
        );
        assert_eq!(
            decide(api, Method::POST, true, 303, "https://cdn.example.com/f"),
            hop("https://cdn.example.com/f", Method::GET, false, false)
        );
        assert!(matches!(decide(api, Method::DELETE, false, 307, "https://cdn.example.com/f"), Next::Stop(_)));
        assert!(matches!(decide(api, Method::GET, true, 307, "https://cdn.example.com/f"), Next::Stop(_)));
    }

    #[test]
    fn downgrades_odd_schemes_missing_locations_and_long_chains_stop() {
        let api = "https://api.example.com/api";
        assert_eq!(
            decide(api, Method::GET, false, 301, "http://api.example.com/api"),
            Next::Stop("the redirect would downgrade https to plain http")
        );
        assert!(matches!(decide(api, Method::GET, false, 302, "ftp://api.example.com/x"), Next::Stop(_)));
        assert!(matches!(decide(api, Method::GET, false, 302, "http://[::1"), Next::Stop(_)));
        let origin = url(api).origin();
        let current = url(api);
        let mut chain = Chain {
            origin: &origin,
            current: &current,
            method: &Method::GET,
            has_body: false,
            trusted: true,
            followed: 0,
        };
        assert!(matches!(next(&chain, StatusCode::FOUND, &HeaderMap::new()), Next::Stop(_)));
        chain.followed = MAX_REDIRECTS;
        assert_eq!(next(&chain, StatusCode::FOUND, &located("/x")), Next::Stop("too many redirects"));
    }

    #[test]
    fn a_chain_that_left_the_origin_never_trusts_again() {
        let origin = url("https://api.example.com").origin();
        let current = url("https://cdn.example.com/f");
        let chain = Chain {
            origin: &origin,
            current: &current,
            method: &Method::GET,
            has_body: false,
            trusted: false,
            followed: 1,
        };
        assert_eq!(
            next(&chain, StatusCode::FOUND, &located("https://api.example.com/again")),
            hop("https://api.example.com/again", Method::GET, false, false)
        );
    }

    #[test]
    fn query_credentials_are_replaced_not_repeated() {
        let credentials = vec![("hapikey".to_owned(), "k".to_owned())];
        let url = with_query_credentials(url("https://a.example/x?hapikey=k&limit=2"), &credentials);
        assert_eq!(url.as_str(), "https://a.example/x?limit=2&hapikey=k");
        let unchanged = with_query_credentials(Url::parse("https://a.example/x?limit=2").unwrap(), &[]);
        assert_eq!(unchanged.as_str(), "https://a.example/x?limit=2");
        assert_eq!(origin_text(&Url::parse("http://user:pw@a.example:8080/p?k=v").unwrap()), "http://a.example:8080");
    }
}
