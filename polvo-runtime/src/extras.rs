//! What a caller adds to a generated request beyond the spec: the escape
//! hatches `.query()`, `.header()`, `.json_body()` and `.body_bytes()` of
//! every request builder, for a spec that forgot a parameter or a body.
//!
//! They are kept on the builder (which is `Clone`, so values are serialized
//! when set) and added to the [`Request`] after the spec's own parameters
//! and body, through the same encoding; the pipeline then sends them like
//! anything else (credentials, retries, redirects).

use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;
use std::fmt;

use crate::encode;
use crate::error::RequestError;
use crate::request::{Body, Request};

/// The query parameters, headers and body a caller added to one request.
#[derive(Clone, Default)]
pub struct Extras {
    query: Vec<(String, Value)>,
    headers: Vec<(String, Value)>,
    body: Option<(Bytes, String)>,
    /// The first value that did not serialize: which part, and why.
    failed: Option<(String, String)>,
}

impl fmt::Debug for Extras {
    /// Header values may be credentials the spec forgot: only their names
    /// are shown, and the body only by its size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Extras")
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &self.body.as_ref().map(|(bytes, ct)| format!("{} bytes of {ct}", bytes.len())))
            .finish_non_exhaustive()
    }
}

impl Extras {
    /// No extras.
    pub fn new() -> Self {
        Extras::default()
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T, what: String) -> Option<Value> {
        match encode::to_value(value, &what) {
            Ok(value) => Some(value),
            Err(error) => {
                let reason = match error {
                    RequestError::Serialize { source, .. } => source.to_string(),
                    other => other.to_string(),
                };
                self.failed.get_or_insert((what, reason));
                None
            }
        }
    }

    /// A query parameter, `form` style, exploded (`tag=a&tag=b`).
    pub fn query<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        if let Some(value) = self.value(value, format!("query parameter `{name}`")) {
            self.query.push((name.to_owned(), value));
        }
    }

    /// A header, `simple` style (`a,b`).
    pub fn header<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        if let Some(value) = self.value(value, format!("header `{name}`")) {
            self.headers.push((name.to_owned(), value));
        }
    }

    /// A JSON body, in place of the spec's.
    pub fn json_body<T: Serialize + ?Sized>(&mut self, body: &T) {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some((bytes.into(), "application/json".to_owned())),
            Err(source) => {
                self.failed.get_or_insert(("the request body".to_owned(), source.to_string()));
            }
        }
    }

    /// A body of any media type, in place of the spec's.
    pub fn body_bytes(&mut self, bytes: impl Into<Bytes>, content_type: &str) {
        self.body = Some((bytes.into(), content_type.to_owned()));
    }

    /// Adds the extras to `request`, after the spec's parameters and body.
    pub fn apply(self, request: &mut Request) {
        if let Some((what, reason)) = self.failed {
            let source = <serde_json::Error as serde::ser::Error>::custom(reason);
            request.error.get_or_insert(RequestError::Serialize { what, source });
            return;
        }
        for (name, value) in &self.query {
            request.query(name, value);
        }
        for (name, value) in &self.headers {
            add_header(request, name, value);
        }
        if let Some((bytes, content_type)) = self.body {
            match HeaderValue::from_str(&content_type) {
                Ok(content_type) => request.body = Body::Bytes(bytes, content_type),
                Err(_) => {
                    request.error.get_or_insert(RequestError::InvalidHeader { name: "content-type".into() });
                }
            }
        }
    }
}

/// Appends a header like [`Request::header`] does, marked sensitive: a
/// hand-set header may be a credential the spec forgot.
fn add_header(request: &mut Request, name: &str, value: &Value) {
    if value.is_null() {
        return;
    }
    let parsed = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&encode::simple(value)));
    match parsed {
        (Ok(name), Ok(mut value)) => {
            value.set_sensitive(true);
            request.headers.append(name, value);
        }
        _ => {
            request.error.get_or_insert(RequestError::InvalidHeader { name: name.to_owned() });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn request() -> Request {
        Request::new(Method::POST, "/".into())
    }

    #[test]
    fn extras_follow_the_spec_parameters_and_replace_its_body() {
        let mut req = request();
        req.query("limit", &10);
        req.json(&serde_json::json!({"spec": true}));
        let mut extras = Extras::new();
        extras.query("tag", &["a", "b"]);
        extras.header("X-Trace", &7);
        extras.json_body(&serde_json::json!({"mine": 1}));
        extras.apply(&mut req);
        let query: Vec<(&str, &str)> = req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(query, [("limit", "10"), ("tag", "a"), ("tag", "b")]);
        assert_eq!(req.headers["x-trace"], "7");
        assert!(req.headers["x-trace"].is_sensitive());
        let Body::Bytes(bytes, content_type) = &req.body else { panic!("a byte body") };
        assert_eq!(&bytes[..], br#"{"mine":1}"#);
        assert_eq!(content_type, "application/json");
    }

    #[test]
    fn bad_values_fail_the_request_and_debug_hides_header_values() {
        let mut extras = Extras::new();
        extras.header("X-Secret", &"hunter2");
        let shown = format!("{extras:?}");
        assert!(shown.contains("X-Secret") && !shown.contains("hunter2"), "{shown}");

        extras.header("Bad Name", &"x");
        let mut req = request();
        extras.apply(&mut req);
        assert!(matches!(req.error, Some(RequestError::InvalidHeader { ref name }) if name == "Bad Name"));

        let mut extras = Extras::new();
        let mut unkeyable = std::collections::HashMap::new();
        unkeyable.insert(vec![1], 1);
        extras.query("map", &unkeyable);
        extras.body_bytes(Bytes::from_static(b"x"), "text/plain\n");
        let mut req = request();
        extras.apply(&mut req);
        let error = req.error.expect("the query value does not serialize");
        assert!(error.to_string().starts_with("query parameter `map` could not be serialized"), "{error}");

        let mut extras = Extras::new();
        extras.body_bytes(Bytes::from_static(b"x"), "text/plain\n");
        let mut req = request();
        extras.apply(&mut req);
        assert!(matches!(req.error, Some(RequestError::InvalidHeader { ref name }) if name == "content-type"));
    }
}
