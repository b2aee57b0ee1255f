//! How strictly generated types decode what a server sends.
//!
//! Strict (the default) follows the spec: a property it marks `required`
//! is a plain field, and a reply without it (or with `null`) is a decode
//! error. Some specs overstate `required`; `decode = "lenient"` on the
//! macro, [`crate::Generator::decoding`], or `decode: lenient` in the spec's
//! `x-polvo` section makes every property an `Option`, so such replies
//! decode with `None` where the value is missing.

use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

/// How required properties decode.
///
/// ```
/// use polvo_codegen::Decoding;
/// assert_eq!("lenient".parse::<Decoding>().expect("a choice"), Decoding::Lenient);
/// assert_eq!(Decoding::default(), Decoding::Strict);
/// assert!("loose".parse::<Decoding>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decoding {
    /// Required properties are plain fields; missing or `null` is an error
    /// (the default).
    #[default]
    Strict,
    /// Every property is an `Option`: a required one that is missing or
    /// `null` decodes as `None`.
    Lenient,
}

/// Why a `decode = "…"` value cannot be used.
#[derive(Debug, thiserror::Error)]
#[error(
    "`decode = {value:?}` is not a way of decoding: expected \"lenient\" (required properties that are missing or null decode as `None`) or \"strict\" (the default)"
)]
pub struct InvalidDecoding {
    /// The value given.
    pub value: String,
}

impl Decoding {
    /// The value as written in the options.
    pub fn as_str(self) -> &'static str {
        match self {
            Decoding::Strict => "strict",
            Decoding::Lenient => "lenient",
        }
    }
}

impl FromStr for Decoding {
    type Err = InvalidDecoding;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "strict" => Ok(Decoding::Strict),
            "lenient" => Ok(Decoding::Lenient),
            _ => Err(InvalidDecoding { value: value.to_owned() }),
        }
    }
}

impl fmt::Display for Decoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
