//! The errors of the commands, each with its exit code.

use polvo_codegen::Diagnostics;
use std::path::PathBuf;

/// What the exit codes mean, for `--help`.
pub const EXIT_CODES: &str = exit_codes!();

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The spec could not be read or has errors.
    #[error("{0}")]
    Spec(Diagnostics),
    /// The spec could not be turned into a client for another reason.
    #[error("{0}")]
    Build(polvo_codegen::BuildError),
    /// The arguments do not fit the spec (an unknown scheme, no client id).
    #[error("{0}")]
    Usage(String),
    /// A login, the token store or the provider failed.
    #[error("{0}")]
    Auth(String),
    /// The output file could not be written.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl CliError {
    /// The process's exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Spec(_) | CliError::Build(_) => 1,
            CliError::Usage(_) => 2,
            CliError::Auth(_) => 3,
            CliError::Output { .. } => 4,
        }
    }

    /// The lines to print: one per spec error, each with its place.
    pub fn lines(&self) -> Vec<String> {
        match self {
            CliError::Spec(diagnostics) | CliError::Build(polvo_codegen::BuildError::Spec(diagnostics)) => {
                let errors: Vec<String> = diagnostics.errors().map(ToString::to_string).collect();
                if errors.is_empty() { vec!["the spec could not be read".to_owned()] } else { errors }
            }
            other => vec![other.to_string()],
        }
    }
}

impl From<polvo_codegen::BuildError> for CliError {
    fn from(error: polvo_codegen::BuildError) -> Self {
        match error {
            polvo_codegen::BuildError::Spec(diagnostics) => CliError::Spec(diagnostics),
            polvo_codegen::BuildError::InvalidName(_) => CliError::Usage(error.to_string()),
            other => CliError::Build(other),
        }
    }
}

impl From<polvo_runtime::auth::AuthError> for CliError {
    fn from(error: polvo_runtime::auth::AuthError) -> Self {
        CliError::Auth(error.to_string())
    }
}

impl From<polvo_runtime::auth::StoreError> for CliError {
    fn from(error: polvo_runtime::auth::StoreError) -> Self {
        CliError::Auth(error.to_string())
    }
}
