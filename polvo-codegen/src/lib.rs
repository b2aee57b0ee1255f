//! Spec loading, service model and Rust emission for polvo.
//!
//! The pipeline runs one way: [`load`] reads the spec files (JSON or YAML,
//! by extension) and every file their `$ref`s reach; [`model`] builds a
//! [`model::Service`] with every name decided; [`emit`] turns that into
//! tokens. Problems are collected as [`Diagnostic`]s along the way, so a
//! surface (the `service!` macro, a CLI, a build script) can show them all.
//!
//! ```no_run
//! let output = polvo_codegen::Generator::new("petstore")
//!     .spec("specs/petstore.yaml", "petstore.yaml")
//!     .generate()
//!     .expect("the spec is valid");
//! println!("{}", output.tokens);
//! ```

pub mod diag;
pub mod emit;
pub mod load;
pub mod model;
pub mod naming;

use proc_macro2::TokenStream;
use std::path::PathBuf;

pub use diag::{Diagnostic, Diagnostics, Location, Severity};

/// Configuration of one generation run, builder style.
#[derive(Clone, Debug)]
pub struct Generator {
    module: String,
    specs: Vec<(String, PathBuf)>,
    track_files: bool,
}

/// What a successful run produces.
#[derive(Debug)]
pub struct Output {
    /// `pub mod <name> { … }`.
    pub tokens: TokenStream,
    /// Every file read, for rebuild tracking.
    pub files: Vec<PathBuf>,
    /// Warnings: constructs that were degraded to looser types.
    pub warnings: Vec<Diagnostic>,
}

impl Generator {
    /// A run that emits `pub mod <module>`.
    pub fn new(module: impl Into<String>) -> Self {
        Generator { module: module.into(), specs: Vec::new(), track_files: false }
    }

    /// Adds a spec file: its path on disk and the name diagnostics use.
    pub fn spec(mut self, path: impl Into<PathBuf>, display_name: impl Into<String>) -> Self {
        self.specs.push((display_name.into(), path.into()));
        self
    }

    /// Emits `include_bytes!` of every file read, so that a proc macro's
    /// output is rebuilt when a spec changes.
    pub fn track_files(mut self, track: bool) -> Self {
        self.track_files = track;
        self
    }

    /// The module name: snake_case of `name`, or of the first spec's file stem.
    pub fn module_name(&self) -> &str {
        &self.module
    }

    /// Runs the pipeline; on failure returns every error (and warning) found.
    pub fn generate(&self) -> Result<Output, Diagnostics> {
        let mut diags = Diagnostics::new();
        let (docs, roots) = load::DocumentSet::load(&self.specs, &mut diags);
        if diags.has_errors() {
            return Err(diags);
        }
        let module = naming::snake_ident(&self.module, "api");
        let (service, model_diags) = model::build(&docs, &roots, &module);
        diags.extend(model_diags);
        if diags.has_errors() {
            return Err(diags);
        }
        let files: Vec<PathBuf> = docs.documents().iter().map(|d| d.path.clone()).collect();
        let tracked: Vec<String> = if self.track_files {
            files.iter().map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()).display().to_string()).collect()
        } else {
            Vec::new()
        };
        let tokens = emit::service_module(&service, &tracked);
        Ok(Output { tokens, files, warnings: diags.warnings().cloned().collect() })
    }
}
