//! Rules on media types shared by bodies, parameters and responses.

use serde_json::Value;

use crate::naming;

/// A response media type as an `Accept` entry, when it can be one: visible
/// ASCII with a `/`, no commas.
pub(super) fn accept_entry(media: &str) -> Option<String> {
    let media = media.trim();
    let valid = media.contains('/') && media.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b',');
    valid.then(|| media.to_owned())
}

/// How much a media type is preferred (lower first): JSON, form,
/// multipart, text, then anything else.
pub(super) fn media_rank(media: &str, schema: Option<&Value>) -> u8 {
    let base = media_base(media);
    if is_json_media(media) && base != "*/*" {
        0
    } else if base == "application/x-www-form-urlencoded" {
        1
    } else if base == "multipart/form-data" {
        2
    } else if base == "*/*" && schema.is_some() {
        3
    } else if base.starts_with("text/") {
        4
    } else {
        5
    }
}

/// The suffix of the extra method that sends a body of this media type:
/// `xml`, `form`, `multipart`, `text`, `bytes`, or the subtype in snake_case.
pub(super) fn media_suffix(media: &str) -> String {
    naming::media_suffix(&media_base(media))
}

/// The media type without parameters, lower case.
pub(super) fn media_base(media: &str) -> String {
    media.split(';').next().unwrap_or(media).trim().to_ascii_lowercase()
}

/// Whether a body of this media type is JSON (`*/*` with a schema counts).
pub(in crate::model) fn is_json_media(media: &str) -> bool {
    let base = media_base(media);
    base == "application/json"
        || base == "text/json"
        || base.ends_with("+json")
        || base == "*/*"
        || base == "application/*"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert!(is_json_media("application/json; charset=utf-8"));
        assert!(is_json_media("application/vnd.github+json"));
        assert!(!is_json_media("text/plain"));
        assert!(media_rank("application/json", None) < media_rank("application/xml", None));
        assert!(media_rank("application/x-www-form-urlencoded", None) < media_rank("text/plain", None));
    }
}
