//! Which redirects a request follows, and what the next request may carry.
//!
//! polvo follows redirects itself (its reqwest client never does), so that
//! no credential leaves the API's origin:
//!
//! - To the **same origin** (scheme, host and port of the base URL), up to
//!   [`MAX_REDIRECTS`] hops: the request is sent again with its credentials,
//!   headers and cookies; `303` turns any method but `HEAD` into a `GET`
//!   without a body, `301`/`302` do so for a `POST` only; otherwise the
//!   method and the body are kept.
//! - To **another origin**, only a `GET` or `HEAD` (after those rewrites) is
//!   followed, and it is sent bare: no credential of any scheme, no default or
//!   parameter header, no cookie, no body. Every later hop stays bare, even
//!   one that leads back. A redirect that would resend a body elsewhere, or
//!   whose URL holds the value of a query credential, is not followed.
//! - **Never** from https to http, and never to another scheme.
//!
//! A user name and password in a `Location` are dropped. A redirect that is
//! not followed is the response: its status, its headers (`Location` among
//! them) and its body reach the caller; why it was not followed is logged
//! at `debug` level.

use std::fmt;

use http::{HeaderMap, Method, StatusCode};
use percent_encoding::percent_decode_str;
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
#[derive(PartialEq, Eq)]
pub(crate) struct Hop {
    /// Where it goes.
    pub(crate) url: Url,
    /// Its method, after the rewrites of `301`, `302` and `303`.
    pub(crate) method: Method,
    /// Whether the body is sent again: after a `307` or `308`, and after a
    /// `301` or `302` of anything but a `POST`.
    pub(crate) keep_body: bool,
    /// Whether it may carry credentials, headers and cookies: it stays on the
    /// API's origin and no earlier hop left it.
    pub(crate) trusted: bool,
}

impl Hop {
    /// The first request of a chain: to the API, with its body.
    pub(crate) fn first(url: Url, method: Method) -> Self {
        Hop { url, method, keep_body: true, trusted: true }
    }
}

/// Shows the origin of the URL only: its path and query may hold a key.
impl fmt::Debug for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hop")
            .field("origin", &origin_text(&self.url))
            .field("method", &self.method)
            .field("keep_body", &self.keep_body)
            .field("trusted", &self.trusted)
            .finish()
    }
}

/// Where a request is in its chain of redirects. No `Debug`: it holds the
/// query credentials.
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
    /// The query credentials (name, value) of the call: a redirect that
    /// leaves the origin must not carry one in its URL.
    pub(crate) query_credentials: &'a [(String, String)],
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
    if !trusted && carries_a_credential(&url, chain.query_credentials) {
        return Next::Stop("the redirect to another origin would carry a query API key in its URL");
    }
    Next::Follow(Hop { url, method, keep_body, trusted })
}

/// Whether `url` holds the value of a query credential anywhere: as a query
/// value, or in its text (percent-encoded or not).
fn carries_a_credential(url: &Url, credentials: &[(String, String)]) -> bool {
    if credentials.is_empty() {
        return false;
    }
    let decoded = percent_decode_str(url.as_str()).decode_utf8_lossy();
    credentials
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .any(|(_, value)| decoded.contains(value.as_str()) || url.query_pairs().any(|(_, v)| v == value.as_str()))
}

/// The `Location` header resolved against the URL it came from, without a
/// fragment (which is never sent) and without a user name or password
/// (which reqwest would turn into `Authorization: Basic`).
fn location(current: &Url, headers: &HeaderMap) -> Option<Url> {
    // UTF-8, not only ASCII: some servers send international host names and
    // paths as they are, and the URL parser encodes them.
    let value = std::str::from_utf8(headers.get(http::header::LOCATION)?.as_bytes()).ok()?;
    let mut url = current.join(value.trim()).ok()?;
    url.set_fragment(None);
    // Both fail only for URLs without a host, which http(s) URLs never are.
    let _ = url.set_username("");
    let _ = url.set_password(None);
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
/// query API key twice (or a stale one). Every other pair is kept byte for
/// byte, in its place (signed URLs and cursors depend on it).
pub(crate) fn with_query_credentials(mut url: Url, credentials: &[(String, String)]) -> Url {
    if credentials.is_empty() {
        return url;
    }
    let is_credential = |pair: &str| {
        let name = pair.split('=').next().unwrap_or_default();
        let name = url::form_urlencoded::parse(name.as_bytes()).next().map(|(name, _)| name).unwrap_or_default();
        credentials.iter().any(|(c, _)| *c == name)
    };
    let mut query: String = match url.query() {
        Some(query) => {
            query.split('&').filter(|pair| !pair.is_empty() && !is_credential(pair)).collect::<Vec<_>>().join("&")
        }
        None => String::new(),
    };
    let mut encoded = url::form_urlencoded::Serializer::new(String::new());
    encoded.extend_pairs(credentials);
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(&encoded.finish());
    url.set_query(Some(&query));
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
        let chain = Chain {
            origin: &origin,
            current: &current,
            method: &method,
            has_body,
            trusted: true,
            followed: 0,
            query_credentials: &[],
        };
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
            query_credentials: &[],
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
            query_credentials: &[],
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

    #[test]
    fn origins_compare_as_urls_not_as_text() {
        let api = "https://api.example.com/api";
        // The default port, an upper-case host and an IDNA host are the same
        // origin or not as URL parsing says.
        assert_eq!(
            decide(api, Method::POST, true, 307, "https://api.example.com:443/b"),
            hop("https://api.example.com/b", Method::POST, true, true)
        );
        assert_eq!(
            decide(api, Method::POST, true, 307, "https://API.Example.COM/b"),
            hop("https://api.example.com/b", Method::POST, true, true)
        );
        assert!(matches!(decide(api, Method::POST, true, 307, "https://api.exämple.com/b"), Next::Stop(_)));
        assert_eq!(
            decide(api, Method::GET, false, 302, "https://api.exämple.com/b"),
            hop("https://api.xn--exmple-cua.com/b", Method::GET, false, false)
        );
        assert_eq!(
            decide(api, Method::GET, false, 302, "https://[::1]:8443/b"),
            hop("https://[::1]:8443/b", Method::GET, false, false)
        );
        assert!(matches!(decide(api, Method::POST, true, 307, "https://[::1]/b"), Next::Stop(_)));
    }

    #[test]
    fn a_user_name_and_password_in_a_location_are_dropped() {
        let api = "https://api.example.com/api";
        assert_eq!(
            decide(api, Method::POST, true, 307, "https://user:pw@api.example.com/b"),
            hop("https://api.example.com/b", Method::POST, true, true)
        );
        assert_eq!(
            decide(api, Method::GET, false, 302, "https://user:pw@cdn.example.com/b"),
            hop("https://cdn.example.com/b", Method::GET, false, false)
        );
    }

    #[test]
    fn a_query_key_never_leaves_the_origin_inside_a_location() {
        let origin = url("https://api.example.com").origin();
        let current = url("https://api.example.com/x?hapikey=K%20ey");
        let credentials = vec![("hapikey".to_owned(), "K ey".to_owned())];
        let chain = Chain {
            origin: &origin,
            current: &current,
            method: &Method::GET,
            has_body: false,
            trusted: true,
            followed: 0,
            query_credentials: &credentials,
        };
        for location in [
            "https://www.example.com/x?hapikey=K%20ey",
            "https://www.example.com/x?other=K+ey",
            "https://www.example.com/K%20ey/x",
        ] {
            let next = next(&chain, StatusCode::FOUND, &located(location));
            assert!(matches!(next, Next::Stop(_)), "{location}: {next:?}");
        }
        assert!(matches!(next(&chain, StatusCode::FOUND, &located("https://www.example.com/x")), Next::Follow(_)));
        // The API's own origin gets the key (it is replaced, not repeated).
        assert!(matches!(next(&chain, StatusCode::FOUND, &located("/y?hapikey=K%20ey")), Next::Follow(_)));
        let shown = format!("{:?}", Hop::first(current.clone(), Method::GET));
        assert!(!shown.contains("hapikey") && shown.contains("https://api.example.com"), "{shown}");
    }

    #[test]
    fn other_query_pairs_of_a_location_are_kept_byte_for_byte() {
        // Signed URLs and cursors break if `%20` becomes `+` or pairs move.
        let credentials = vec![("api_key".to_owned(), "new key".to_owned())];
        let signed = url("https://a.example/x?b=%20a&a=1&sig=x%2By&api_key=old");
        let kept = with_query_credentials(signed, &credentials);
        assert_eq!(kept.as_str(), "https://a.example/x?b=%20a&a=1&sig=x%2By&api_key=new+key");
        let bare = with_query_credentials(url("https://a.example/x?z=%7E&c=1;2"), &credentials);
        assert_eq!(bare.as_str(), "https://a.example/x?z=%7E&c=1;2&api_key=new+key");
        let none = with_query_credentials(url("https://a.example/x"), &credentials);
        assert_eq!(none.as_str(), "https://a.example/x?api_key=new+key");
        let encoded_name = with_query_credentials(url("https://a.example/x?api%5Fkey=old&n=1"), &credentials);
        assert_eq!(encoded_name.as_str(), "https://a.example/x?n=1&api_key=new+key");
    }
}
