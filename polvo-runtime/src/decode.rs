//! Decoding a JSON response body, keeping where in the document it failed.

use serde::de::DeserializeOwned;

/// Why a body did not decode: the parser's error and the path to the
/// value it stopped at (`results[2].createdAt`; empty for the document
/// itself).
#[derive(Debug)]
pub(crate) struct Failed {
    pub source: serde_json::Error,
    pub path: String,
}

/// Decodes `body` as `T`. Only a body that fails is decoded again, with
/// the path tracked, so a success costs what `serde_json` alone does.
pub(crate) fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failed> {
    serde_json::from_slice(body).map_err(|source| match tracked::<T>(body) {
        Err(failed) => failed,
        // Cannot happen (decoding is deterministic); the first error stands.
        Ok(_) => Failed { source, path: String::new() },
    })
}

/// Decodes `body` as `T`, recording the path of the value that failed.
fn tracked<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failed> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path();
        let path = if path.iter().next().is_none() { String::new() } else { path.to_string() };
        Failed { source: error.into_inner(), path }
    })?;
    // Like `serde_json::from_slice`: nothing but whitespace may follow.
    deserializer.end().map_err(|source| Failed { source, path: String::new() })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        results: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        #[serde(rename = "createdAt")]
        created_at: String,
    }

    #[test]
    fn the_path_names_the_value_that_failed() {
        let body = br#"{"results": [{"createdAt": "a"}, {"createdAt": "b"}, {"createdAt": 3}]}"#;
        let failed = json::<Page>(body).expect_err("a number is not a string");
        assert_eq!(failed.path, "results[2].createdAt");
        assert!(failed.source.to_string().starts_with("invalid type: integer `3`"), "{}", failed.source);
    }

    #[test]
    fn the_document_itself_has_an_empty_path() {
        assert_eq!(json::<Page>(b"[]").expect_err("not an object").path, "");
        let trailing = json::<Vec<u8>>(b"[1] x").expect_err("trailing characters");
        assert_eq!(trailing.path, "");
        assert!(trailing.source.to_string().contains("trailing characters"));
        assert_eq!(json::<Vec<u8>>(b" [1, 2] \n").expect("whitespace may follow"), [1, 2]);
    }
}
