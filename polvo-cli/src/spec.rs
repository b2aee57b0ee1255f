//! The spec arguments every command takes, and what they load.

use clap::Args;
use polvo_codegen::{Builder, CratePath, SerdeImpls, model::Service};
use std::path::PathBuf;

use crate::error::CliError;

/// The spec files of one service.
#[derive(Args, Debug)]
pub struct SpecArgs {
    /// The spec file (JSON or YAML); more files make one service, as
    /// `service!(["a.json", "b.json"])` does. An `x-polvo` sidecar next to
    /// the first (`<stem>.polvo.yaml`) is read too.
    #[arg(value_name = "SPEC", required = true)]
    pub specs: Vec<PathBuf>,
    /// The module name, as `name = "…"` (default: the sidecar's `name`,
    /// then the first file's stem).
    #[arg(long)]
    pub name: Option<String>,
    /// The `x-polvo` sidecar to read instead of `<stem>.polvo.yaml` next
    /// to the first spec.
    #[arg(long, value_name = "FILE")]
    pub sidecar: Option<PathBuf>,
}

/// Which operations and impls to generate, as the macro's options.
#[derive(Args, Debug)]
pub struct FilterArgs {
    /// Only operations with this tag (repeatable), as `tags = [..]`.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only this operation, by operationId or method name (repeatable), as `operations = [..]`.
    #[arg(long = "operation", value_name = "OPERATION")]
    pub operations: Vec<String>,
    /// `both` gives every type Serialize and Deserialize, as `serde = "both"`.
    #[arg(long, value_name = "IMPLS")]
    pub serde: Option<String>,
    /// The path generated code reaches polvo through, as `crate = "…"`.
    #[arg(long = "crate", value_name = "PATH")]
    pub crate_path: Option<String>,
}

impl SpecArgs {
    /// A builder for these files, each named in diagnostics as given.
    pub fn builder(&self) -> Builder {
        let mut builder = Builder::new().quiet();
        for path in &self.specs {
            builder = builder.spec_at(path, path.display().to_string());
        }
        if let Some(sidecar) = &self.sidecar {
            builder = builder.sidecar_at(sidecar, sidecar.display().to_string());
        }
        match &self.name {
            Some(name) => builder.name(name.clone()),
            None => builder,
        }
    }

    /// The service model, with the warnings found on the way.
    pub fn model(&self) -> Result<polvo_codegen::Inspection, CliError> {
        let generator = self.builder().generator()?;
        generator.model().map_err(CliError::Spec)
    }

    /// Just the service.
    pub fn service(&self) -> Result<Service, CliError> {
        self.model().map(|inspection| inspection.service)
    }
}

impl FilterArgs {
    /// Adds these options to `builder`; a bad value is a usage error.
    pub fn apply(&self, builder: Builder) -> Result<Builder, CliError> {
        let mut builder = builder.tags(self.tags.iter().cloned()).operations(self.operations.iter().cloned());
        if let Some(serde) = &self.serde {
            let impls: SerdeImpls = serde.parse().map_err(|e| CliError::Usage(format!("--serde: {e}")))?;
            builder = builder.serde_impls(impls);
        }
        if let Some(path) = &self.crate_path {
            let path: CratePath = path.parse().map_err(|e| CliError::Usage(format!("--crate: {e}")))?;
            builder = builder.crate_path(path);
        }
        Ok(builder)
    }
}
