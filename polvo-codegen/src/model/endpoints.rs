//! The endpoint URLs of security schemes (token, authorization, revocation,
//! device authorization, JWT exchange), parsed with the `url` crate and
//! checked the way the runtime checks them.
//!
//! OpenAPI lets these URLs be relative references, resolved against the
//! server URL. polvo keeps a relative URL relative in the scheme table, and
//! the client resolves it against its base URL when it is built (the spec's
//! first server unless the user chose another), so a client pointed at a
//! sandbox server also fetches its tokens there. Here, a relative URL is
//! checked as it resolves against the spec's default server, when that is
//! an absolute URL.

use url::Url;

/// What an endpoint URL is, as the client would use it with the spec's
/// default server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// A relative reference, resolved when the client is built.
    pub(crate) relative: bool,
    /// The URL credentials would go to without https (http off loopback, or
    /// another scheme), which the runtime refuses; `None` when the URL is
    /// secure or, being relative, cannot be known before the base URL is.
    pub(crate) insecure: Option<String>,
}

/// Reads `raw`, an endpoint URL of the spec or the section, resolving a
/// relative one against `server` (the spec's default server URL) when that
/// is absolute. A URL that does not parse (or a relative one that cannot be
/// resolved against an absolute server) is the parser's error.
pub(crate) fn classify(raw: &str, server: Option<&str>) -> Result<Endpoint, url::ParseError> {
    match Url::parse(raw) {
        Ok(url) => Ok(Endpoint { relative: false, insecure: insecure(&url) }),
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let resolved = match server.and_then(|s| Url::parse(s).ok()) {
                Some(base) => Some(base.join(raw)?),
                // A relative or absent server: resolved when the client is built.
                None => None,
            };
            Ok(Endpoint { relative: true, insecure: resolved.as_ref().and_then(insecure) })
        }
        Err(e) => Err(e),
    }
}

/// `None` for https anywhere and http to `localhost` or a loopback address
/// (the host as the `url` crate reads it, so `http://evil.com\@localhost/`
/// is `evil.com`); otherwise the URL. The same rule as the runtime's
/// `is_secure` of polvo-runtime (`polvo-runtime/src/auth/http.rs`);
/// the tests below use the same cases.
fn insecure(url: &Url) -> Option<String> {
    let secure = match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(url::Host::Domain(domain)) => domain == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    };
    (!secure).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insecure(raw: &str, server: Option<&str>) -> Option<String> {
        classify(raw, server).unwrap().insecure
    }

    #[test]
    fn https_and_loopback_http_are_secure() {
        for url in ["https://x/token", "http://127.0.0.1:9/token", "http://localhost/token", "http://[::1]:8/t"] {
            assert_eq!(insecure(url, None), None, "{url}");
        }
        assert_eq!(insecure("HTTP://LOCALHOST/token", None), None, "schemes and hosts are case-insensitive");
    }

    #[test]
    fn plain_http_elsewhere_and_other_schemes_are_not() {
        for url in ["http://example.com/token", "http://127.0.0.1.evil.com/token", "http://10.0.0.1/t", "ftp://x/t"] {
            assert!(insecure(url, None).is_some(), "{url}");
        }
    }

    #[test]
    fn the_host_is_the_one_a_url_parser_reads() {
        // A hand-written check took `localhost` after the `@` for the host.
        assert_eq!(
            insecure(r"http://evil.com\@localhost/token", None).as_deref(),
            Some("http://evil.com/@localhost/token")
        );
        assert!(insecure("http://localhost@evil.com/token", None).is_some());
        assert!(insecure("http://localhost:80@evil.com/token", None).is_some());
        assert_eq!(insecure("http://user@localhost:8080/token", None), None);
    }

    #[test]
    fn relative_urls_resolve_against_the_server() {
        let relative = classify("/oauth/token", Some("https://api.example.com/v2"));
        assert_eq!(relative, Ok(Endpoint { relative: true, insecure: None }));
        assert_eq!(
            insecure("/oauth/token", Some("http://mastodon.example/")).as_deref(),
            Some("http://mastodon.example/oauth/token")
        );
        // A relative or absent server: resolved only when the client is built.
        assert_eq!(classify("/oauth/token", Some("/api")), Ok(Endpoint { relative: true, insecure: None }));
        assert_eq!(classify("token", None), Ok(Endpoint { relative: true, insecure: None }));
        // RFC 3986: a trailing `/` keeps the server's last segment.
        assert_eq!(
            insecure("oauth/token", Some("http://api.example.com/v1/")).as_deref(),
            Some("http://api.example.com/v1/oauth/token")
        );
        assert_eq!(insecure("//auth.example.com/token", Some("https://api.example.com")), None);
        assert_eq!(
            insecure("//auth.example.com/token", Some("http://api.example.com")).as_deref(),
            Some("http://auth.example.com/token")
        );
    }

    #[test]
    fn urls_that_do_not_parse_are_errors_not_plain_http() {
        for (raw, reason) in [
            ("https://auth.example.com:99999/token", "invalid port number"),
            ("https://exa mple.com/t", "invalid international domain name"),
            ("http://[::1", "invalid IPv6 address"),
        ] {
            assert_eq!(classify(raw, None).map_err(|e| e.to_string()), Err(reason.to_owned()), "{raw}");
        }
        // A relative URL that cannot be resolved against the server.
        assert!(classify("//exa mple.com/t", Some("https://api.example.com")).is_err());
    }
}
