//! Which serde impls the generated types get.
//!
//! By default a type gets only the impls its use needs: `Serialize` when an
//! operation sends it, `Deserialize` when one receives it (that halves the
//! serde code of a large API). People who store or forward API objects ask
//! for both with `serde = "both"` on the macro, [`crate::Generator::serde_impls`],
//! or `serde: both` in the spec's `x-polvo` section.

use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

/// The serde impls every generated type gets.
///
/// ```
/// use polvo_codegen::SerdeImpls;
/// assert_eq!("both".parse::<SerdeImpls>().expect("a choice"), SerdeImpls::Both);
/// assert_eq!(SerdeImpls::default(), SerdeImpls::Needed);
/// assert!("all".parse::<SerdeImpls>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SerdeImpls {
    /// `Serialize` for the types requests send, `Deserialize` for the types
    /// responses bring (the default).
    #[default]
    Needed,
    /// `Serialize` and `Deserialize` for every type, whichever way it travels.
    Both,
}

/// Why a `serde = "…"` value cannot be used.
#[derive(Debug, thiserror::Error)]
#[error(
    "`serde = {value:?}` is not a choice of serde impls: expected \"both\" (every type gets `Serialize` and `Deserialize`) or \"needed\" (the default: the impls each type's use needs)"
)]
pub struct InvalidSerdeImpls {
    /// The value given.
    pub value: String,
}

impl SerdeImpls {
    /// The value as written in the options.
    pub fn as_str(self) -> &'static str {
        match self {
            SerdeImpls::Needed => "needed",
            SerdeImpls::Both => "both",
        }
    }
}

impl FromStr for SerdeImpls {
    type Err = InvalidSerdeImpls;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "needed" => Ok(SerdeImpls::Needed),
            "both" => Ok(SerdeImpls::Both),
            _ => Err(InvalidSerdeImpls { value: value.to_owned() }),
        }
    }
}

impl fmt::Display for SerdeImpls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
