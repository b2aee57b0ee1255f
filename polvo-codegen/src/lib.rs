//! Spec loading, service model and Rust emission for polvo.
//!
//! The pipeline runs one way: `load` reads the spec files (JSON or YAML,
//! by extension) and every file their `$ref`s reach; `model` builds a
//! service with every name decided; `emit` turns that into tokens. Problems
//! are collected as [`Diagnostic`]s along the way, so a surface (the
//! `service!` macro, a CLI, a build script) can show them all.
//!
//! Build scripts use [`Builder`], which writes the formatted client to a
//! file. The public surface is [`Generator`] (a run's configuration), its
//! [`Output`] or [`Diagnostics`], [`CratePath`], [`SerdeImpls`], and the
//! [`ExpansionCache`] the macro keeps; the pipeline's stages are private.
//!
//! ```no_run
//! let output = polvo_codegen::Generator::new("petstore")
//!     .spec("specs/petstore.yaml", "petstore.yaml")
//!     .generate()
//!     .expect("the spec is valid");
//! println!("{}", output.tokens);
//! ```

mod builder;
mod cache;
mod crate_path;
mod decoding;
mod diag;
mod emit;
mod load;
// Hidden rather than private only until the fields the model sets and never
// reads (`Server::description`, `Operation::operation_id` and `place`,
// `PolvoSection::files`) are gone: private, they are dead code.
#[doc(hidden)]
pub mod model;
mod naming;
mod serde_impls;

use proc_macro2::TokenStream;
use std::path::PathBuf;

pub use builder::{BuildError, Builder, Generated, file_stem, resolve_spec};
pub use cache::ExpansionCache;
pub use crate_path::{CratePath, InvalidCratePath};
pub use decoding::{Decoding, InvalidDecoding};
pub use load::parse::MAX_JSON_NESTING;
pub use model::MAX_SCHEMA_DEPTH;
pub use serde_impls::{InvalidSerdeImpls, SerdeImpls};

/// Pieces of the pipeline that polvo's own tests reach. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::load::parse::{Format, parse};
    pub use crate::load::pointer::{escape, unescape};
}
pub use diag::{Diagnostic, Diagnostics, Location, Severity};

/// Configuration of one generation run, builder style.
#[derive(Clone, Debug)]
pub struct Generator {
    module: Option<String>,
    fallback_module: String,
    specs: Vec<(String, PathBuf)>,
    track_files: bool,
    filter: model::OperationFilter,
    crate_path: CratePath,
    /// The serde impls the user asked for; `None` leaves it to the section.
    serde_impls: Option<SerdeImpls>,
    /// How required properties decode; `None` leaves it to the section.
    decoding: Option<Decoding>,
    /// A sidecar given explicitly, instead of the one next to the first spec.
    sidecar: Option<(String, PathBuf)>,
}

/// The service model of a spec, for tools that show it (`polvo inspect`).
/// Not a stable API: the model changes with the generator.
#[doc(hidden)]
#[derive(Debug)]
pub struct Inspection {
    /// The service, with every name decided.
    pub service: model::Service,
    /// Every file read.
    pub files: Vec<PathBuf>,
    /// Constructs that were degraded to looser types.
    pub warnings: Vec<Diagnostic>,
}

/// What a successful run produces.
#[derive(Debug)]
pub struct Output {
    /// `pub mod <name> { … }`.
    pub tokens: TokenStream,
    /// Every file read, for rebuild tracking.
    pub files: Vec<PathBuf>,
    /// The hash of each of `files` as it was read, for the expansion cache.
    content_hashes: Vec<Option<u64>>,
    /// Warnings: constructs that were degraded to looser types.
    pub warnings: Vec<Diagnostic>,
}

impl Generator {
    /// A run that emits `pub mod <module>`.
    pub fn new(module: impl Into<String>) -> Self {
        let module = module.into();
        Generator {
            fallback_module: module.clone(),
            module: Some(module),
            specs: Vec::new(),
            track_files: false,
            filter: model::OperationFilter::default(),
            crate_path: CratePath::default(),
            serde_impls: None,
            sidecar: None,
            decoding: None,
        }
    }

    /// A run whose module is named by the spec's `x-polvo` section, or
    /// `fallback` (usually the spec's file stem) when it names none.
    pub fn with_fallback_name(fallback: impl Into<String>) -> Self {
        Generator {
            module: None,
            fallback_module: fallback.into(),
            specs: Vec::new(),
            track_files: false,
            filter: model::OperationFilter::default(),
            crate_path: CratePath::default(),
            serde_impls: None,
            sidecar: None,
            decoding: None,
        }
    }

    /// Adds a spec file: its path on disk and the name diagnostics use.
    pub fn spec(mut self, path: impl Into<PathBuf>, display_name: impl Into<String>) -> Self {
        self.specs.push((display_name.into(), path.into()));
        self
    }

    /// Generates only the operations with one of these tags (and those named
    /// with [`Generator::operations`]), and the types they reach.
    pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.filter.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Generates only these operations, by `operationId`, method and path
    /// (`"GET /pets/{id}"`) or generated method
    /// name (and those with the tags given to [`Generator::tags`]), and the
    /// types they reach.
    pub fn operations(mut self, operations: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.filter.operations.extend(operations.into_iter().map(Into::into));
        self
    }

    /// Emits `include_bytes!` of every file read, so that a proc macro's
    /// output is rebuilt when a spec changes.
    pub fn track_files(mut self, track: bool) -> Self {
        self.track_files = track;
        self
    }

    /// The path generated code reaches polvo through (default `::polvo`),
    /// for a crate that depends on polvo under another name:
    /// `my_polvo = { package = "polvo" }` and `.crate_path("my_polvo".parse()?)`,
    /// as serde's `#[serde(crate = "…")]`.
    pub fn crate_path(mut self, path: CratePath) -> Self {
        self.crate_path = path;
        self
    }

    /// Which serde impls the generated types get: [`SerdeImpls::Both`] gives
    /// every type `Serialize` and `Deserialize`, for storing or forwarding
    /// API objects. Wins over `serde` in the spec's `x-polvo` section; without
    /// either, each type gets only the impls its use needs.
    pub fn serde_impls(mut self, impls: SerdeImpls) -> Self {
        self.serde_impls = Some(impls);
        self
    }

    /// Reads the `x-polvo` section from this file (its path on disk and the
    /// name diagnostics use) instead of looking for `<stem>.polvo.yaml`
    /// next to the first spec.
    pub fn sidecar(mut self, path: impl Into<PathBuf>, display_name: impl Into<String>) -> Self {
        self.sidecar = Some((display_name.into(), path.into()));
        self
    }

    /// How required properties decode: [`Decoding::Lenient`] makes every
    /// property an `Option`, so a reply that leaves out a property the spec
    /// marks `required`, or sends `null`, still decodes. Wins over `decode`
    /// in the spec's `x-polvo` section; the default is [`Decoding::Strict`].
    pub fn decoding(mut self, decoding: Decoding) -> Self {
        self.decoding = Some(decoding);
        self
    }

    /// Whether `name` can name the generated module: it is turned into
    /// `snake_case`, so it needs letters or digits.
    pub fn is_valid_module_name(name: &str) -> bool {
        !naming::snake(name).is_empty()
    }

    /// More spec files of the service, listed under `files` in the sidecar
    /// (paths relative to it), after the ones given.
    fn sidecar_files(&self, sidecar: &load::Document, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
        let name = &sidecar.name;
        let Some(files) = sidecar.root.get("files") else { return Vec::new() };
        let Some(list) = files.as_array() else {
            diags.error(name, "/files", "`files` must be a list of spec files next to the sidecar");
            return Vec::new();
        };
        let dir = sidecar.path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        let display_dir = name.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
        let mut out = Vec::new();
        for (i, file) in list.iter().enumerate() {
            match file.as_str() {
                Some(file) if !self.specs.iter().any(|(_, p)| p.ends_with(file)) => {
                    out.push((format!("{display_dir}{file}"), dir.join(file)));
                }
                Some(_) => {}
                None => diags.error(name, &format!("/files/{i}"), "each entry of `files` is a path"),
            }
        }
        out
    }

    /// Corrects the spec files with their overlays before anything reads
    /// them: each file gets the overlay next to it by name, and the first
    /// also those the section lists. Returns the overlay documents read.
    fn apply_overlays(
        &self,
        docs: &mut load::DocumentSet,
        roots: &[load::DocId],
        sidecar: Option<&load::Document>,
        diags: &mut Diagnostics,
    ) -> Vec<load::Document> {
        let mut read = Vec::new();
        for (i, &root) in roots.iter().enumerate() {
            let spec = docs.doc(root);
            let files = match i {
                0 => self.overlay_files(sidecar, spec, diags),
                _ => load::overlay::beside(&spec.name, &spec.path).into_iter().collect(),
            };
            read.extend(docs.apply_overlays(root, &files, diags));
        }
        read
    }

    /// The overlays of the first spec, in the order they apply:
    /// `<stem>.overlay.yaml` next to it, then those the section (the sidecar,
    /// or the spec's own `x-polvo`) lists under `overlays`, paths relative to
    /// the spec.
    fn overlay_files(
        &self,
        sidecar: Option<&load::Document>,
        spec: &load::Document,
        diags: &mut Diagnostics,
    ) -> Vec<(String, PathBuf)> {
        let mut out: Vec<(String, PathBuf)> = load::overlay::beside(&spec.name, &spec.path).into_iter().collect();
        let (file, pointer, listed) = match sidecar {
            Some(sidecar) => (&sidecar.name, "/overlays", sidecar.root.get("overlays")),
            None => (&spec.name, "/x-polvo/overlays", spec.root.get("x-polvo").and_then(|s| s.get("overlays"))),
        };
        let Some(listed) = listed else { return out };
        let Some(list) = listed.as_array() else {
            diags.error(file, pointer, "`overlays` must be a list of overlay files, paths relative to the spec");
            return out;
        };
        let dir = spec.path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        let display_dir = spec.name.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
        for (i, entry) in list.iter().enumerate() {
            let Some(relative) = entry.as_str() else {
                diags.error(file, &format!("{pointer}/{i}"), "each entry of `overlays` is a path");
                continue;
            };
            let path = dir.join(relative);
            if !path.is_file() {
                diags.error(
                    file,
                    &format!("{pointer}/{i}"),
                    format!("the overlay `{relative}` is not a file next to the spec (`{}`)", path.display()),
                );
            } else if !out.iter().any(|(_, p)| same_file(p, &path)) {
                out.push((format!("{display_dir}{relative}"), path));
            }
        }
        out
    }

    /// The spec files given, with their display names.
    pub fn spec_files(&self) -> &[(String, PathBuf)] {
        &self.specs
    }

    /// Everything besides the files that decides the output, as text.
    pub(crate) fn options_fingerprint(&self) -> String {
        format!(
            "module={:?} fallback={:?} track={} tags={:?} operations={:?} crate={} serde={:?} sidecar={:?} decoding={:?}",
            self.module,
            self.fallback_module,
            self.track_files,
            self.filter.tags,
            self.filter.operations,
            self.crate_path,
            self.serde_impls,
            self.sidecar,
            self.decoding
        )
    }

    /// The sidecar given with [`Generator::sidecar`], else the `x-polvo`
    /// sidecar of the first spec, if there is one:
    /// `<stem>.polvo.yaml`, `.polvo.yml` or `.polvo.json` next to it.
    pub(crate) fn sidecar_path(&self) -> Option<(String, PathBuf)> {
        if let Some(given) = &self.sidecar {
            return Some(given.clone());
        }
        let (name, path) = self.specs.first()?;
        let file = path.file_name()?.to_str()?;
        let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
        let display_dir = name.rsplit_once('/').map(|(dir, _)| format!("{dir}/")).unwrap_or_default();
        ["yaml", "yml", "json"].iter().find_map(|ext| {
            let candidate = path.with_file_name(format!("{stem}.polvo.{ext}"));
            candidate.is_file().then(|| (format!("{display_dir}{stem}.polvo.{ext}"), candidate))
        })
    }

    /// The overlays next to the spec files by name (`<stem>.overlay.yaml`,
    /// `.overlay.yml` or `.overlay.json`): those of the files given, and of
    /// the files the sidecar lists.
    pub(crate) fn overlay_paths(&self) -> Vec<(String, PathBuf)> {
        let mut specs = self.specs.clone();
        if let Some((name, path)) = self.sidecar_path() {
            // Problems with the sidecar are reported when the code is generated.
            let mut ignored = Diagnostics::new();
            if let Some(sidecar) = load::Document::read(&name, &path, &mut ignored) {
                specs.extend(self.sidecar_files(&sidecar, &mut ignored));
            }
        }
        specs.iter().filter_map(|(name, path)| load::overlay::beside(name, path)).collect()
    }

    /// Runs the pipeline up to the service model, without emitting code:
    /// what `polvo inspect` shows. The model is not a stable API.
    #[doc(hidden)]
    pub fn model(&self) -> Result<Inspection, Diagnostics> {
        let mut diags = Diagnostics::new();
        let (docs, service) = self.build_model(&mut diags)?;
        let files = docs.documents().iter().map(|d| d.path.clone()).collect();
        Ok(Inspection { service, files, warnings: diags.warnings().cloned().collect() })
    }

    /// Loads the files and builds the service model; problems go to
    /// `diags`, which are returned whole when one is an error.
    fn build_model(&self, diags: &mut Diagnostics) -> Result<(load::DocumentSet, model::Service), Diagnostics> {
        // The sidecar is read once: for the files it lists, then as a document.
        let sidecar = self.sidecar_path().and_then(|(name, path)| load::Document::read(&name, &path, diags));
        let mut specs = self.specs.clone();
        if let Some(sidecar) = &sidecar {
            specs.extend(self.sidecar_files(sidecar, diags));
        }
        let mut docs = load::DocumentSet::default();
        let roots = docs.load_roots(&specs, diags);
        let overlays = self.apply_overlays(&mut docs, &roots, sidecar.as_ref(), diags);
        docs.load_references(diags);
        if diags.has_errors() {
            return Err(std::mem::take(diags));
        }
        let sidecar = sidecar.map(|document| docs.add(document));
        for overlay in overlays {
            docs.add(overlay);
        }
        let options = model::BuildOptions {
            module: self.module.clone(),
            fallback_module: self.fallback_module.clone(),
            sidecar,
            filter: self.filter.clone(),
            serde_impls: self.serde_impls,
            decoding: self.decoding,
        };
        let service = model::build(&docs, &roots, &options, diags);
        if diags.has_errors() {
            return Err(std::mem::take(diags));
        }
        Ok((docs, service))
    }

    /// Runs the pipeline; on failure returns every error (and warning) found.
    pub fn generate(&self) -> Result<Output, Diagnostics> {
        let mut diags = Diagnostics::new();
        let (docs, mut service) = self.build_model(&mut diags)?;
        let files: Vec<PathBuf> = docs.documents().iter().map(|d| d.path.clone()).collect();
        let content_hashes = docs.documents().iter().map(|d| d.content_hash).collect();
        let tracked: Vec<String> = if self.track_files {
            files.iter().map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()).display().to_string()).collect()
        } else {
            Vec::new()
        };
        // A proc macro cannot show warnings on stable Rust: the module's docs list them.
        for warning in diags.warnings() {
            let note = format!("`{}`: {}", warning.place(), warning.message);
            if !service.notes.contains(&note) {
                service.notes.push(note);
            }
        }
        let tokens = emit::service_module(&service, &tracked, &self.crate_path);
        Ok(Output { tokens, files, content_hashes, warnings: diags.warnings().cloned().collect() })
    }
}

/// Whether two paths name the same file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
