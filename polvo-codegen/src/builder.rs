//! The build-script surface: [`Builder`] writes a service's client to a
//! file, as `prost-build` and `tonic-build` do, for crates that prefer
//! `include!`d or checked-in code to the `service!` macro.

use std::path::{Path, PathBuf};

use crate::{CratePath, Diagnostics, Generator, Output, SerdeImpls};

/// Writes the client of one service to a Rust file, from a build script.
///
/// It takes the `service!` macro's options and writes the code the macro
/// would expand to, formatted with `prettyplease`. The one difference is
/// that the macro also emits an `include_bytes!` of every spec file, its
/// way of asking to be rebuilt when one changes; a build script prints
/// `cargo::rerun-if-changed` lines for every file read instead (the spec
/// files, their `$ref`'d files and the `x-polvo` sidecar).
///
/// ```no_run
/// // build.rs, in `fn main()`:
/// if let Err(e) = polvo_codegen::Builder::new().spec("petstore.yaml").tags(["pets"]).write() {
///     panic!("{e}");
/// }
/// ```
///
/// ```ignore
/// // src/lib.rs: the file is `OUT_DIR/<module>.rs`.
/// include!(concat!(env!("OUT_DIR"), "/petstore.rs"));
/// ```
///
/// Spec paths are found as the macro finds them: an absolute path as it
/// is, a relative one in `$CARGO_MANIFEST_DIR/specs/` and then in
/// `$CARGO_MANIFEST_DIR` (the current directory when that is not set).
/// The file is only written when its content changes, so an unchanged spec
/// does not rebuild the crate.
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `.write()` or `.generate()` is called"]
pub struct Builder {
    /// Each spec's name as given, and its path when given apart.
    specs: Vec<(String, Option<PathBuf>)>,
    name: Option<String>,
    tags: Vec<String>,
    operations: Vec<String>,
    crate_path: Option<CratePath>,
    serde_impls: Option<SerdeImpls>,
    sidecar: Option<(String, PathBuf)>,
    out_dir: Option<PathBuf>,
    file_name: Option<String>,
    quiet: bool,
}

/// What a [`Builder`] can fail with.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// No spec file was given.
    #[error("no spec file given: add one with `.spec(\"…\")`")]
    NoSpec,
    /// A spec file is not where it was looked for.
    #[error("{0}")]
    SpecNotFound(String),
    /// The name given with [`Builder::name`] cannot name a module.
    #[error("`{0}` cannot name the service's module: it needs letters or digits")]
    InvalidName(String),
    /// The spec has errors: every one of them, each with its file and pointer.
    #[error("{0}")]
    Spec(Diagnostics),
    /// The generated code is not valid Rust (a bug in polvo).
    #[error("polvo generated code that does not parse (please report this): {0}")]
    Unparsable(String),
    /// Neither [`Builder::out_dir`] nor `OUT_DIR` says where to write.
    #[error("no output directory: `OUT_DIR` is not set (outside a build script, call `.out_dir(…)`)")]
    NoOutDir,
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A generated client, formatted.
#[derive(Debug)]
pub struct Generated {
    /// The service's module name (`pub mod <module>`).
    pub module: String,
    /// The formatted source.
    pub source: String,
    /// Every file read, to track for rebuilds.
    pub files: Vec<PathBuf>,
    /// What was degraded to looser types (also listed in the module's docs).
    pub warnings: Vec<crate::Diagnostic>,
}

impl Builder {
    /// A builder with no spec yet.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Adds a spec file; several make one service, as `service!(["a.json",
    /// "b.json"])` does. The first one's file stem names the module unless
    /// [`Builder::name`] or its `x-polvo` section does.
    pub fn spec(mut self, path: impl Into<String>) -> Self {
        self.specs.push((path.into(), None));
        self
    }

    /// Adds a spec file at exactly `path` (not looked up), called
    /// `display_name` in diagnostics and docs, and whose stem is the
    /// fallback module name.
    pub fn spec_at(mut self, path: impl Into<PathBuf>, display_name: impl Into<String>) -> Self {
        self.specs.push((display_name.into(), Some(path.into())));
        self
    }

    /// The module name (`name = "…"` of the macro).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Generates only the operations with these tags (`tags = [..]`).
    pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Generates only these operations, by `operationId` or method name
    /// (`operations = [..]`).
    pub fn operations(mut self, operations: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.operations.extend(operations.into_iter().map(Into::into));
        self
    }

    /// The path the generated code reaches polvo through (`crate = "…"`).
    pub fn crate_path(mut self, path: CratePath) -> Self {
        self.crate_path = Some(path);
        self
    }

    /// The serde impls of the generated types (`serde = "both"`).
    pub fn serde_impls(mut self, impls: SerdeImpls) -> Self {
        self.serde_impls = Some(impls);
        self
    }

    /// Reads the `x-polvo` section from the file at `path` (named
    /// `display_name` in diagnostics) instead of the sidecar next to the
    /// first spec.
    pub fn sidecar_at(mut self, path: impl Into<PathBuf>, display_name: impl Into<String>) -> Self {
        self.sidecar = Some((display_name.into(), path.into()));
        self
    }

    /// Where to write (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The file's name in the output directory (default `<module>.rs`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Prints no `cargo::rerun-if-changed` lines (for use outside build
    /// scripts, where stdout is not cargo's).
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// The [`Generator`] the macro would configure for these options, with
    /// the spec paths found the macro's way.
    pub fn generator(&self) -> Result<Generator, BuildError> {
        let (first, _) = self.specs.first().ok_or(BuildError::NoSpec)?;
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
        let mut generator = match &self.name {
            Some(name) if !Generator::is_valid_module_name(name) => return Err(BuildError::InvalidName(name.clone())),
            Some(name) => Generator::new(name.clone()),
            None => Generator::with_fallback_name(file_stem(first)),
        };
        generator = generator
            .tags(self.tags.iter().cloned())
            .operations(self.operations.iter().cloned())
            .crate_path(self.crate_path.clone().unwrap_or_default());
        if let Some(impls) = self.serde_impls {
            generator = generator.serde_impls(impls);
        }
        if let Some((name, path)) = &self.sidecar {
            generator = generator.sidecar(path, name.clone());
        }
        for (name, path) in &self.specs {
            let path = match path {
                Some(path) => path.clone(),
                None => resolve_spec(&manifest_dir, name).map_err(BuildError::SpecNotFound)?,
            };
            generator = generator.spec(path, name.clone());
        }
        Ok(generator)
    }

    /// Generates and formats the client without writing it.
    pub fn generate(&self) -> Result<Generated, BuildError> {
        let output = self.generator()?.generate().map_err(BuildError::Spec)?;
        let module = module_name(&output).unwrap_or_default();
        let source = output.formatted().map_err(BuildError::Unparsable)?;
        Ok(Generated { module, source, files: output.files, warnings: output.warnings })
    }

    /// Generates the client and writes it to `<out_dir>/<file_name>`,
    /// unless that file already holds exactly this code; prints
    /// `cargo::rerun-if-changed` for every file read (even when generation
    /// fails, so that fixing the spec reruns the build script). Returns the
    /// file's path.
    pub fn write(&self) -> Result<PathBuf, BuildError> {
        if !self.quiet {
            // The given files, before generation can fail on one of them.
            if let Ok(generator) = self.generator() {
                for (_, path) in generator.spec_files() {
                    println!("cargo::rerun-if-changed={}", path.display());
                }
            }
        }
        let generated = self.generate()?;
        if !self.quiet {
            for file in &generated.files {
                println!("cargo::rerun-if-changed={}", file.display());
            }
        }
        let dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or(BuildError::NoOutDir)?,
        };
        let path = dir.join(self.file_name.clone().unwrap_or_else(|| format!("{}.rs", generated.module)));
        write_if_changed(&path, &generated.source)
            .map_err(|source| BuildError::Write { path: path.clone(), source })?;
        Ok(path)
    }
}

impl Output {
    /// The generated code formatted with `prettyplease`, as [`Builder`]
    /// writes it; an error (a bug in polvo) if it does not parse.
    pub fn formatted(&self) -> Result<String, String> {
        let file = syn::parse2::<syn::File>(self.tokens.clone()).map_err(|e| e.to_string())?;
        Ok(prettyplease::unparse(&file))
    }
}

/// The name of the `pub mod` the output holds.
fn module_name(output: &Output) -> Option<String> {
    let file = syn::parse2::<syn::File>(output.tokens.clone()).ok()?;
    file.items.iter().find_map(|item| match item {
        syn::Item::Mod(module) => Some(module.ident.to_string()),
        _ => None,
    })
}

/// Writes `text` to `path` unless it already holds exactly that, so that
/// its modification time (and what cargo rebuilds) only changes with it.
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    match std::fs::read(path) {
        Ok(existing) if existing == text.as_bytes() => Ok(()),
        _ => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)
        }
    }
}

/// Finds a spec the way `service!` does: an absolute path as it is, a
/// relative one in `<manifest_dir>/specs/`, then in `<manifest_dir>`.
/// The error says where it looked.
pub fn resolve_spec(manifest_dir: &Path, file: &str) -> Result<PathBuf, String> {
    let given = Path::new(file);
    if given.is_absolute() {
        return if given.is_file() { Ok(given.to_path_buf()) } else { Err(format!("spec file `{file}` not found")) };
    }
    let candidates = [manifest_dir.join("specs").join(given), manifest_dir.join(given)];
    for candidate in &candidates {
        if candidate.is_file() {
            return Ok(candidate.clone());
        }
    }
    Err(format!("spec file `{file}` not found: looked in `specs/` and in the crate's root directory"))
}

/// The file name without directories and extension: the module name the
/// macro falls back to.
pub fn file_stem(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem).to_owned()
}
