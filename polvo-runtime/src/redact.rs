//! Response headers as `Debug` shows them: every name, and the value of
//! each header that may carry a secret (a session cookie, a token) replaced
//! by a placeholder. Every public type that holds response headers formats
//! them through [`headers`], so a `{:?}` in a log never prints a session.

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use std::fmt;

/// What a redacted value shows as.
const REDACTED: &str = "<redacted>";

/// Headers whose values are secrets by definition.
const SECRET_HEADERS: &[&str] =
    &["authorization", "proxy-authorization", "cookie", "set-cookie", "set-cookie2", "authentication-info"];

/// Parts of a header name that say its value is a secret (`x-auth-token`,
/// `x-subject-token`, `x-api-key`, `x-session-id`, …).
const SECRET_NAME_PARTS: &[&str] = &["token", "secret", "password", "api-key", "apikey", "session"];

/// `headers` for a `Debug` implementation: a map of every header in order,
/// with secret values shown as `<redacted>`.
pub(crate) fn headers(headers: &HeaderMap) -> impl fmt::Debug + '_ {
    Redacted(headers)
}

/// `f.debug_struct(name)` begun with a response's status and its headers
/// (redacted), for the caller to add its own fields and finish: every type
/// holding a response shows those two first, the same way.
pub(crate) fn response_head<'a, 'b>(
    f: &'a mut fmt::Formatter<'b>,
    name: &str,
    status: StatusCode,
    response_headers: &HeaderMap,
) -> fmt::DebugStruct<'a, 'b> {
    let mut head = f.debug_struct(name);
    head.field("status", &status).field("headers", &headers(response_headers));
    head
}

struct Redacted<'a>(&'a HeaderMap);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if is_secret(name, value) {
                map.entry(&name.as_str(), &format_args!("{REDACTED}"));
            } else {
                map.entry(&name.as_str(), value);
            }
        }
        map.finish()
    }
}

/// Whether the value of `name` may be a secret: a header that carries
/// credentials or a session, or one marked sensitive.
fn is_secret(name: &HeaderName, value: &HeaderValue) -> bool {
    // Header names are lowercase.
    let name = name.as_str();
    value.is_sensitive() || SECRET_HEADERS.contains(&name) || SECRET_NAME_PARTS.iter().any(|part| name.contains(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(pairs: &[(&'static str, &'static str)]) -> String {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        format!("{:?}", headers(&map))
    }

    #[test]
    fn secret_values_are_redacted_and_every_name_is_shown() {
        let shown = shown(&[
            ("content-type", "application/json"),
            ("set-cookie", "session=s3cr3t-1; HttpOnly"),
            ("set-cookie", "refresh=s3cr3t-2"),
            ("authorization", "Bearer s3cr3t-3"),
            ("proxy-authorization", "Basic s3cr3t-4"),
            ("cookie", "sid=s3cr3t-5"),
            ("x-subject-token", "s3cr3t-6"),
            ("x-api-key", "s3cr3t-7"),
            ("www-authenticate", "Bearer realm=\"api\""),
            ("x-ratelimit-remaining", "9"),
        ]);
        assert!(!shown.contains("s3cr3t"), "{shown}");
        for name in ["set-cookie", "authorization", "proxy-authorization", "cookie", "x-subject-token", "x-api-key"] {
            assert!(shown.contains(&format!("\"{name}\": <redacted>")), "{name}: {shown}");
        }
        assert_eq!(shown.matches("\"set-cookie\": <redacted>").count(), 2, "each value is an entry: {shown}");
        // Not secrets: a challenge names the scheme, not a credential.
        assert!(shown.contains(r#""www-authenticate": "Bearer realm=\"api\"""#), "{shown}");
        assert!(shown.starts_with(r#"{"content-type": "application/json", "#), "{shown}");
        assert!(shown.ends_with(r#""x-ratelimit-remaining": "9"}"#), "{shown}");
    }

    #[test]
    fn a_value_marked_sensitive_is_redacted_whatever_its_name() {
        let mut map = HeaderMap::new();
        let mut value = HeaderValue::from_static("s3cr3t");
        value.set_sensitive(true);
        map.insert("x-custom", value);
        assert_eq!(format!("{:?}", headers(&map)), r#"{"x-custom": <redacted>}"#);
        assert_eq!(format!("{:?}", headers(&HeaderMap::new())), "{}");
    }
}
