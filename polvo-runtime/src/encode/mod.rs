//! Encoding parameter values and bodies the way OpenAPI describes them.
//!
//! Values are first serialized to JSON values, then laid out by style:
//! `form` (exploded or not), `spaceDelimited`, `pipeDelimited`,
//! `deepObject`, and the bracketed nesting of form bodies that Stripe and
//! others use (`card[exp_month]=12`, `items[0][price]=p_1`).

pub mod multipart;

use std::borrow::Cow;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

use crate::error::RequestError;

/// Characters escaped in a path segment: everything but RFC 3986 unreserved
/// characters and sub-delimiters that are safe in a segment.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Serializes a value into JSON, naming `what` on failure.
pub fn to_value<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<Value, RequestError> {
    serde_json::to_value(value).map_err(|source| RequestError::Serialize { what: what.to_owned(), source })
}

/// The text of a scalar: strings as they are, numbers and booleans in JSON
/// form; `None` for null, arrays and objects.
pub fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The `simple` style (path and header parameters): scalars as text, arrays
/// comma-separated, objects as `key,value,key,value`.
pub fn simple(value: &Value) -> String {
    match value {
        Value::Array(items) => items.iter().map(simple).collect::<Vec<_>>().join(","),
        Value::Object(map) => map.iter().flat_map(|(k, v)| [k.clone(), simple(v)]).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => scalar(other).unwrap_or_default(),
    }
}

/// [`simple`], taking the value: a string is moved out, not copied.
pub fn into_simple(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => simple(&other),
    }
}

/// `text` percent-encoded as (part of) a path segment; `text` itself when
/// nothing in it needs encoding.
fn encoded_segment(text: String) -> String {
    match Cow::from(utf8_percent_encode(&text, PATH_SEGMENT)) {
        Cow::Borrowed(_) => text,
        Cow::Owned(encoded) => encoded,
    }
}

/// A path parameter, `simple`-styled and percent-encoded as one segment.
pub fn encode_path<T: Serialize + ?Sized>(value: &T) -> String {
    let text = match serde_json::to_value(value) {
        Ok(v) => simple(&v),
        Err(_) => String::new(),
    };
    utf8_percent_encode(&text, PATH_SEGMENT).to_string()
}

/// The path parameter `name` as one encoded segment, refusing a value that
/// would not stay one: empty, `.` or `..` (which URL parsing drops or
/// resolves against the segments before it, so the request would reach
/// another path). Generated code builds paths with it, for a parameter
/// that is a whole segment (`/items/{id}`) or shares one only with dots
/// and other parameters.
pub fn path_segment<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<String, RequestError> {
    let text = path_text(name, value)?;
    match collapsing_segment(&text) {
        Some(problem) => Err(RequestError::PathParameter { name: name.to_owned(), problem }),
        None => Ok(encoded_segment(text)),
    }
}

/// What is wrong with `text` as a whole URL path segment, if URL parsing
/// would not keep it one: empty, `.` or `..` (dropped, or resolved against
/// the segments before it). Path parameters and tenants are checked by it.
pub(crate) fn collapsing_segment(text: &str) -> Option<&'static str> {
    match text {
        "" => Some("empty"),
        "." => Some("`.`"),
        ".." => Some("`..`"),
        _ => None,
    }
}

/// The path parameter `name`, encoded, for a segment whose literal text
/// keeps it a segment whatever the value (`/files/{name}.json`): any value,
/// the empty one included, is allowed.
pub fn path_part<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<String, RequestError> {
    Ok(encoded_segment(path_text(name, value)?))
}

/// The `simple`-style text of a path parameter.
fn path_text<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<String, RequestError> {
    // The description of the parameter is only written out on failure.
    let value = serde_json::to_value(value)
        .map_err(|source| RequestError::Serialize { what: format!("path parameter `{name}`"), source })?;
    Ok(into_simple(value))
}

/// How a query parameter is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryStyle {
    /// `style: form, explode: true` (the default): `id=1&id=2`, objects as `a=1&b=2`.
    Form,
    /// `style: form, explode: false`: `id=1,2`, objects as `point=x,1,y,2`.
    FormUnexploded,
    /// `style: spaceDelimited`: `id=1 2`.
    SpaceDelimited,
    /// `style: pipeDelimited`: `id=1|2`.
    PipeDelimited,
    /// `style: deepObject`: `filter[name]=x&filter[tags][0]=a`.
    DeepObject,
}

/// Appends the pairs of one query parameter. `null` sends nothing.
pub fn query_pairs(name: &str, value: &Value, style: QueryStyle, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Array(items) => match style {
            QueryStyle::Form => {
                for item in items {
                    out.push((name.to_owned(), simple(item)));
                }
            }
            QueryStyle::FormUnexploded => out.push((name.to_owned(), joined(items, ","))),
            QueryStyle::SpaceDelimited => out.push((name.to_owned(), joined(items, " "))),
            QueryStyle::PipeDelimited => out.push((name.to_owned(), joined(items, "|"))),
            QueryStyle::DeepObject => nested(name, value, out),
        },
        Value::Object(map) => match style {
            QueryStyle::Form => {
                for (k, v) in map {
                    if !v.is_null() {
                        out.push((k.clone(), simple(v)));
                    }
                }
            }
            QueryStyle::DeepObject => nested(name, value, out),
            _ => out.push((name.to_owned(), simple(value))),
        },
        other => out.push((name.to_owned(), scalar(other).unwrap_or_default())),
    }
}

fn joined(items: &[Value], separator: &str) -> String {
    items.iter().map(simple).collect::<Vec<_>>().join(separator)
}

/// Bracketed nesting: objects as `name[key]`, arrays as `name[0]`, to any depth.
fn nested(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                nested(&format!("{prefix}[{k}]"), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                nested(&format!("{prefix}[{i}]"), v, out);
            }
        }
        other => out.push((prefix.to_owned(), scalar(other).unwrap_or_default())),
    }
}

/// The pairs of an `application/x-www-form-urlencoded` body.
///
/// Top-level scalars are `key=value`; arrays repeat the key unless the
/// property is listed in `deep_object` (then `key[0]=…`); objects always
/// nest with brackets, since a flat form cannot hold them otherwise.
pub fn form_pairs(value: &Value, deep_object: &[&str]) -> Result<Vec<(String, String)>, RequestError> {
    let Value::Object(map) = value else {
        return Err(RequestError::InvalidBody(format!(
            "a form body must be an object, but the value serialized to {}",
            kind(value)
        )));
    };
    let mut out = Vec::new();
    for (key, v) in map {
        match v {
            Value::Array(items)
                if !deep_object.contains(&key.as_str()) && items.iter().all(|i| !i.is_object() && !i.is_array()) =>
            {
                for item in items {
                    if let Some(text) = scalar(item) {
                        out.push((key.clone(), text));
                    }
                }
            }
            Value::Array(_) | Value::Object(_) => nested(key, v, &mut out),
            Value::Null => {}
            other => out.push((key.clone(), scalar(other).unwrap_or_default())),
        }
    }
    Ok(out)
}

/// Encodes pairs as `application/x-www-form-urlencoded` text.
pub fn urlencoded(pairs: &[(String, String)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        serializer.append_pair(k, v);
    }
    serializer.finish()
}

/// A value's JSON kind, for messages: "a string", "an array", ….
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(name: &str, value: Value, style: QueryStyle) -> Vec<(String, String)> {
        let mut out = Vec::new();
        query_pairs(name, &value, style, &mut out);
        out
    }

    fn p(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn form_styles() {
        assert_eq!(pairs("id", json!([1, 2]), QueryStyle::Form), p(&[("id", "1"), ("id", "2")]));
        assert_eq!(pairs("id", json!([1, 2]), QueryStyle::FormUnexploded), p(&[("id", "1,2")]));
        assert_eq!(pairs("id", json!(["a", "b"]), QueryStyle::SpaceDelimited), p(&[("id", "a b")]));
        assert_eq!(pairs("id", json!(["a", "b"]), QueryStyle::PipeDelimited), p(&[("id", "a|b")]));
        assert_eq!(pairs("p", json!({"x": 1, "y": 2}), QueryStyle::Form), p(&[("x", "1"), ("y", "2")]));
        assert_eq!(pairs("p", json!({"x": 1, "y": 2}), QueryStyle::FormUnexploded), p(&[("p", "x,1,y,2")]));
        assert_eq!(pairs("p", Value::Null, QueryStyle::Form), p(&[]));
        assert_eq!(pairs("flag", json!(true), QueryStyle::Form), p(&[("flag", "true")]));
    }

    #[test]
    fn deep_object() {
        assert_eq!(
            pairs("created", json!({"gt": 1, "lte": 5}), QueryStyle::DeepObject),
            p(&[("created[gt]", "1"), ("created[lte]", "5")])
        );
        assert_eq!(
            pairs("expand", json!(["a", "b"]), QueryStyle::DeepObject),
            p(&[("expand[0]", "a"), ("expand[1]", "b")])
        );
    }

    #[test]
    fn stripe_style_form_bodies() {
        let body = json!({
            "amount": 2000,
            "expand": ["customer"],
            "metadata": {"order": "6735"},
            "items": [{"price": "p_1", "quantity": 2}],
            "tags": ["a", "b"],
            "skip": null,
        });
        assert_eq!(
            form_pairs(&body, &["expand", "metadata", "items"]).unwrap(),
            p(&[
                ("amount", "2000"),
                ("expand[0]", "customer"),
                ("metadata[order]", "6735"),
                ("items[0][price]", "p_1"),
                ("items[0][quantity]", "2"),
                ("tags", "a"),
                ("tags", "b"),
            ])
        );
        assert!(form_pairs(&json!([1]), &[]).is_err());
        assert_eq!(urlencoded(&p(&[("a[b]", "x y"), ("c", "1+1")])), "a%5Bb%5D=x+y&c=1%2B1");
    }

    #[test]
    fn paths() {
        assert_eq!(encode_path("a b/c"), "a%20b%2Fc");
        assert_eq!(encode_path(&42), "42");
        assert_eq!(encode_path(&vec![1, 2]), "1,2");
        assert_eq!(encode_path("ünï"), "%C3%BCn%C3%AF");
    }

    #[test]
    fn path_segments_that_would_change_the_path_are_refused() {
        assert_eq!(path_segment("id", "a b/c").unwrap(), "a%20b%2Fc");
        assert_eq!(path_segment("id", "...").unwrap(), "...");
        assert_eq!(path_segment("id", ".a").unwrap(), ".a");
        assert_eq!(path_segment("id", "%2e%2e").unwrap(), "%252e%252e", "escapes cannot spell a dot segment");
        assert_eq!(path_segment("id", "..\\").unwrap(), "..%5C");
        for (value, shown) in [(json!(""), "empty"), (json!("."), "`.`"), (json!(".."), "`..`"), (json!([]), "empty")] {
            let error = path_segment("itemId", &value).unwrap_err();
            assert!(
                matches!(&error, RequestError::PathParameter { name, problem } if name == "itemId" && *problem == shown),
                "{error:?}"
            );
        }
        assert_eq!(
            path_segment("itemId", "..").unwrap_err().to_string(),
            "path parameter `itemId` is `..`: the request would go to another path"
        );
        assert_eq!(path_segment("list", &vec![".", "."]).unwrap(), ".,.");
    }
}
