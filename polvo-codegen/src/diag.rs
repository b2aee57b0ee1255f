//! Diagnostics: errors and warnings that point into a spec file.
//!
//! Every stage of the pipeline reports problems here instead of failing on
//! the first one, so a user sees every problem of a spec in one build. Each
//! diagnostic names the file and either a JSON pointer (for problems found
//! in the document's structure) or a line and column (for syntax errors).

use std::fmt;

/// Where in a spec file a diagnostic points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A JSON pointer into the parsed document, such as `/paths/~1pets/get`.
    Pointer(String),
    /// A line and column (both 1-based) in the file's text.
    LineColumn(usize, usize),
    /// The file as a whole.
    File,
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something polvo handled by falling back to a looser type; the
    /// generated code still compiles and is documented accordingly.
    Warning,
    /// Something that stops the spec from being turned into a client.
    Error,
}

/// One problem found in a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious the problem is.
    pub severity: Severity,
    /// The file, as the user named it (or as a `$ref` named it).
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// What is wrong, in a sentence that says how to fix it where possible.
    pub message: String,
}

impl Diagnostic {
    /// An error at a JSON pointer.
    pub fn error(file: impl Into<String>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            location: Location::Pointer(pointer.into()),
            message: message.into(),
        }
    }

    /// A warning at a JSON pointer.
    pub fn warning(file: impl Into<String>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, pointer, message) }
    }

    /// The place this diagnostic points at, as `file#/pointer` or `file:line:column`.
    pub fn place(&self) -> String {
        match &self.location {
            Location::Pointer(pointer) if pointer.is_empty() => self.file.clone(),
            Location::Pointer(pointer) => format!("{}#{}", self.file, pointer),
            Location::LineColumn(line, column) => format!("{}:{}:{}", self.file, line, column),
            Location::File => self.file.clone(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place(), self.message)
    }
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Diagnostics::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds an error at a JSON pointer.
    pub fn error(&mut self, file: &str, pointer: &str, message: impl Into<String>) {
        self.push(Diagnostic::error(file, pointer, message));
    }

    /// Adds a warning at a JSON pointer.
    pub fn warning(&mut self, file: &str, pointer: &str, message: impl Into<String>) {
        self.push(Diagnostic::warning(file, pointer, message));
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// The errors, in the order they were found.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Error)
    }

    /// The warnings, in the order they were found.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Warning)
    }

    /// Every diagnostic, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// How many diagnostics there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Moves every diagnostic of `other` into this collection.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
