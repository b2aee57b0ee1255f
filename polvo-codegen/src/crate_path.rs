//! The path generated code reaches polvo through.
//!
//! Every path the emitter writes to the runtime starts with it: `::polvo`
//! by default, or what the user names with `crate = "…"` when their crate
//! depends on polvo under another name (`my_polvo = { package = "polvo" }`),
//! as serde's `#[serde(crate = "…")]`.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::fmt;
use std::str::FromStr;

/// The path of the `polvo` crate as generated code writes it.
///
/// ```
/// let path: polvo_codegen::CratePath = "my_polvo".parse().expect("a plain crate name");
/// assert_eq!(path.to_string(), "my_polvo");
/// assert_eq!(polvo_codegen::CratePath::default().to_string(), "::polvo");
/// ```
#[derive(Clone, Debug)]
pub struct CratePath {
    /// The path as written, without spaces.
    text: String,
    /// The same path as tokens, for the emitter.
    tokens: TokenStream,
}

impl PartialEq for CratePath {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for CratePath {}

/// Why a `crate = "…"` value cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("`crate = {value:?}` is not a path to the polvo crate: {reason}")]
pub struct InvalidCratePath {
    /// The value given.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Default for CratePath {
    fn default() -> Self {
        CratePath { text: "::polvo".to_owned(), tokens: quote::quote!(::polvo) }
    }
}

impl FromStr for CratePath {
    type Err = InvalidCratePath;

    /// Accepts a path without generic arguments that means the same in
    /// every module of the generated code: `my_polvo`, `::my_polvo` or
    /// `crate::reexports::polvo`, but not `self::…` or `super::…`.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: String| InvalidCratePath { value: value.to_owned(), reason };
        let path: syn::Path = syn::parse_str(value.trim())
            .map_err(|e| invalid(format!("{e}; expected a path such as `my_polvo` or `::my_polvo`")))?;
        if path.segments.iter().any(|s| !s.arguments.is_none()) {
            return Err(invalid("a path to a crate has no generic arguments".to_owned()));
        }
        let first = path.segments.first().map(|s| s.ident.to_string()).unwrap_or_default();
        if path.leading_colon.is_none() && matches!(first.as_str(), "self" | "super" | "Self") {
            return Err(invalid(format!(
                "`{first}` means another module in each of the generated modules; name the crate (`my_polvo`) or \
                 start from the crate root (`crate::…`)"
            )));
        }
        let tokens = path.to_token_stream();
        let text = tokens.to_string().replace(' ', "");
        Ok(CratePath { text, tokens })
    }
}

impl fmt::Display for CratePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl CratePath {
    /// The path as tokens, for the emitter.
    pub(crate) fn tokens(&self) -> TokenStream {
        self.tokens.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::CratePath;

    #[test]
    fn plain_and_absolute_paths_are_kept_as_written() {
        for value in ["my_polvo", "::my_polvo", "crate::deps::polvo", " my_polvo ", "r#async"] {
            let path: CratePath = value.parse().unwrap_or_else(|e| panic!("{value}: {e}"));
            assert_eq!(path.to_string(), value.trim());
        }
        assert_eq!(CratePath::default().tokens().to_string(), ":: polvo");
    }

    #[test]
    fn malformed_paths_are_refused_with_the_reason() {
        for (value, reason) in [
            ("", "expected a path"),
            ("my-polvo", "expected a path"),
            ("my_polvo::", "expected a path"),
            ("my_polvo<T>", "no generic arguments"),
            ("self::polvo", "`self` means another module"),
            ("super::polvo", "`super` means another module"),
        ] {
            let err = value.parse::<CratePath>().expect_err(value);
            let message = err.to_string();
            assert!(message.starts_with(&format!("`crate = {value:?}` is not a path")), "{message}");
            assert!(message.contains(reason), "{value}: {message}");
        }
    }
}
