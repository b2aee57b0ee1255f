//! JSON pointers (RFC 6901) and `$ref` strings.

/// Escapes one reference token of a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    if token.contains(['~', '/']) { token.replace('~', "~0").replace('/', "~1") } else { token.to_owned() }
}

/// Unescapes one reference token (`~1` → `/`, `~0` → `~`).
pub fn unescape(token: &str) -> String {
    if token.contains('~') { token.replace("~1", "/").replace("~0", "~") } else { token.to_owned() }
}

/// The last token of a pointer, unescaped; empty for the root pointer.
pub fn last_token(pointer: &str) -> String {
    match pointer.rfind('/') {
        Some(i) => unescape(&pointer[i + 1..]),
        None => String::new(),
    }
}

/// The tokens of a pointer, unescaped.
pub fn tokens(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(unescape).collect()
}

/// A `$ref` split into the file it names (empty for the same document)
/// and the JSON pointer of its fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefTarget {
    /// The file part, relative to the referring document; empty when the
    /// reference is local.
    pub file: String,
    /// The JSON pointer of the fragment (empty for the whole document).
    pub pointer: String,
}

/// Splits a `$ref` string into file and pointer, percent-decoding the
/// fragment as URI fragments require.
pub fn parse_ref(reference: &str) -> Result<RefTarget, String> {
    let (file, fragment) = match reference.split_once('#') {
        Some((file, fragment)) => (file, fragment),
        None => (reference, ""),
    };
    let pointer = percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .map_err(|_| format!("`$ref` `{reference}` has a fragment that is not valid UTF-8 after percent-decoding"))?
        .into_owned();
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(format!("`$ref` `{reference}` has a fragment that is not a JSON pointer (it must start with `/`)"));
    }
    if file.contains("://") {
        return Err(format!(
            "`$ref` `{reference}` points to a remote document; polvo reads only files next to the spec, so download it and refer to it by relative path"
        ));
    }
    Ok(RefTarget { file: file.to_owned(), pointer })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_unescapes() {
        assert_eq!(escape("/pets/{id}"), "~1pets~1{id}");
        assert_eq!(escape("a~b"), "a~0b");
        assert_eq!(unescape("~1pets~1~0x"), "/pets/~x");
        assert_eq!(last_token("/components/schemas/A~1B"), "A/B");
        assert_eq!(tokens("/a/b~1c"), vec!["a".to_owned(), "b/c".to_owned()]);
    }

    #[test]
    fn parses_refs() {
        assert_eq!(
            parse_ref("#/components/schemas/Pet").unwrap(),
            RefTarget { file: String::new(), pointer: "/components/schemas/Pet".into() }
        );
        assert_eq!(
            parse_ref("common.yaml#/Pet%20Type").unwrap(),
            RefTarget { file: "common.yaml".into(), pointer: "/Pet Type".into() }
        );
        assert_eq!(parse_ref("other.json").unwrap(), RefTarget { file: "other.json".into(), pointer: String::new() });
        assert!(parse_ref("#Pet").is_err());
        assert!(parse_ref("https://example.com/x.json#/a").is_err());
    }
}
