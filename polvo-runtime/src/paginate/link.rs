//! The `Link` header (RFC 8288): finding the `rel="next"` target and the
//! parameter a paginated operation continues with.
//!
//! Only the parameter's value is taken from the link: the next request is
//! the same operation with that parameter changed, so it goes to the
//! client's base URL with the client's credentials, whatever host the
//! header names.

use http::HeaderMap;
use serde::de::DeserializeOwned;
use url::Url;

use super::PaginationError;

/// The value of query parameter `parameter` in the `rel="next"` link of
/// `headers`, decoded as `T`; `None` when there is no next link.
pub fn next_link_parameter<T: DeserializeOwned>(
    headers: &HeaderMap,
    parameter: &'static str,
) -> Result<Option<T>, PaginationError> {
    let Some(target) = next_target(headers) else { return Ok(None) };
    let unreadable = PaginationError::NextLink { parameter, problem: "has an unreadable" };
    // A dummy base resolves relative links; only the query is read.
    let base = Url::parse("http://link.invalid/").map_err(|_| unreadable.clone())?;
    let url = base.join(&target).map_err(|_| unreadable.clone())?;
    let value = url
        .query_pairs()
        .find(|(name, _)| name == parameter)
        .map(|(_, value)| value.into_owned())
        .ok_or(PaginationError::NextLink { parameter, problem: "has no" })?;
    decode_query_value(&value).map(Some).ok_or(unreadable)
}

/// A query value as the parameter's type: as JSON first (numbers,
/// booleans), else as a string.
fn decode_query_value<T: DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_str(value).ok().or_else(|| serde_json::from_value(serde_json::Value::String(value.into())).ok())
}

/// The target of the first link whose `rel` includes `next`, over every
/// `Link` header.
fn next_target(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(links)
        .find(|link| link.rels.split_ascii_whitespace().any(|rel| rel.eq_ignore_ascii_case("next")))
        .map(|link| link.target.to_owned())
}

/// One link of a header: its target and its `rel` value.
struct Link<'a> {
    target: &'a str,
    rels: String,
}

/// The links of one header value: `<target>; param=value; …, <target>; …`.
/// Commas inside `<…>` and quoted strings do not split links.
fn links(value: &str) -> Vec<Link<'_>> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|c| open + c) else { break };
        let target = rest[open + 1..close].trim();
        let (params, after) = split_params(&rest[close + 1..]);
        out.push(Link { target, rels: rel_of(params) });
        rest = after;
    }
    out
}

/// The parameters of a link, up to the comma that ends it outside quotes,
/// and what follows that comma.
fn split_params(text: &str) -> (&str, &str) {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => return (&text[..i], &text[i + 1..]),
            _ => {}
        }
    }
    (text, "")
}

/// The `rel` parameter's value, unquoted (empty if absent).
fn rel_of(params: &str) -> String {
    params
        .split(';')
        .filter_map(|param| param.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("rel"))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with_link(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::LINK, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn githubs_link_header_gives_the_next_page() {
        let headers = with_link(
            r#"<https://api.github.com/repositories/1/issues?per_page=2&page=3>; rel="next", <https://api.github.com/repositories/1/issues?per_page=2&page=9>; rel="last""#,
        );
        assert_eq!(next_link_parameter::<i64>(&headers, "page"), Ok(Some(3)));
    }

    #[test]
    fn commas_in_targets_and_quotes_and_several_rels_are_understood() {
        let headers = with_link(
            r#"<https://x.test/a?q=a,b&page=1>; title="one, two"; rel="prev", </a?q=a,b&page=2>; rel="last next""#,
        );
        assert_eq!(next_link_parameter::<u32>(&headers, "page"), Ok(Some(2)));
        assert_eq!(next_link_parameter::<String>(&headers, "q"), Ok(Some("a,b".to_owned())));
    }

    #[test]
    fn no_next_link_is_the_last_page() {
        assert_eq!(next_link_parameter::<i64>(&HeaderMap::new(), "page"), Ok(None));
        assert_eq!(next_link_parameter::<i64>(&with_link(r#"<https://x.test/?page=1>; rel="prev""#), "page"), Ok(None));
    }

    #[test]
    fn a_next_link_without_the_parameter_or_with_a_bad_value_is_an_error() {
        let headers = with_link(r#"<https://x.test/?after=abc>; rel="next""#);
        assert_eq!(
            next_link_parameter::<i64>(&headers, "page"),
            Err(PaginationError::NextLink { parameter: "page", problem: "has no" })
        );
        let headers = with_link(r#"<https://x.test/?page=two>; rel="next""#);
        assert_eq!(
            next_link_parameter::<i64>(&headers, "page"),
            Err(PaginationError::NextLink { parameter: "page", problem: "has an unreadable" })
        );
    }
}
