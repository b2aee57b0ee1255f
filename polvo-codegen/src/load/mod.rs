//! Loading spec files: reading them by extension, following `$ref`s into
//! other files next to them, and looking values up by JSON pointer.
//!
//! Every file a spec reaches is read once, up front, so the later stages
//! work on an immutable set of documents and can borrow from it freely.

pub mod overlay;
pub mod parse;
pub mod pointer;
pub mod swagger;

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, Location, Severity};
pub use parse::Format;

/// Index of a document in a [`DocumentSet`].
pub type DocId = usize;

/// One parsed spec file.
#[derive(Debug)]
pub struct Document {
    /// The name diagnostics use: the path as the user (or a `$ref`) wrote it.
    pub name: String,
    /// The file's path on disk.
    pub path: PathBuf,
    /// The parsed content.
    pub root: Value,
    /// A hash of the text that was parsed (`None` for documents inserted
    /// already parsed), so the expansion cache records exactly what was read.
    pub content_hash: Option<u64>,
}

impl Document {
    /// Reads and parses one file (JSON or YAML by its extension; Swagger 2.0
    /// read into OpenAPI 3.0's shapes); `None` (with a diagnostic) on failure.
    pub fn read(name: &str, path: &Path, diags: &mut Diagnostics) -> Option<Document> {
        let Some(format) = Format::from_file_name(name) else {
            diags.push(Diagnostic {
                severity: Severity::Error,
                file: name.to_owned(),
                location: Location::File,
                message: "cannot tell the spec's format: the file name must end in `.json`, `.yaml` or `.yml`".into(),
            });
            return None;
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                diags.push(Diagnostic {
                    severity: Severity::Error,
                    file: name.to_owned(),
                    location: Location::File,
                    message: format!("cannot read the file: {e}"),
                });
                return None;
            }
        };
        match parse::parse(name, &text, format) {
            Ok(mut root) => {
                if swagger::is_swagger(&root) {
                    swagger::convert(&mut root);
                }
                let content_hash = Some(crate::cache::content_hash(text.as_bytes()));
                Some(Document { name: name.to_owned(), path: path.to_path_buf(), root, content_hash })
            }
            Err(d) => {
                diags.push(d);
                None
            }
        }
    }
}

/// A place in a document: which document and the JSON pointer inside it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    /// The document.
    pub doc: DocId,
    /// The JSON pointer inside it.
    pub pointer: String,
}

/// Every document a service is built from: the root files and every file
/// they reach through `$ref`.
#[derive(Debug, Default)]
pub struct DocumentSet {
    docs: Vec<Document>,
    by_path: HashMap<PathBuf, DocId>,
}

impl DocumentSet {
    /// Reads the given root files and every file they reference, reporting
    /// unreadable or unparsable files to `diags`. Returns the set and the
    /// ids of the roots that loaded.
    pub fn load(roots: &[(String, PathBuf)], diags: &mut Diagnostics) -> (DocumentSet, Vec<DocId>) {
        let mut set = DocumentSet::default();
        let root_ids = set.load_roots(roots, diags);
        set.load_references(diags);
        (set, root_ids)
    }

    /// Reads the given root files, returning the ids of those that loaded.
    pub fn load_roots(&mut self, roots: &[(String, PathBuf)], diags: &mut Diagnostics) -> Vec<DocId> {
        roots.iter().filter_map(|(name, path)| self.load_file(name, path, diags)).collect()
    }

    /// Applies the overlays, in order, to document `target`, before anything
    /// reads it. Returns the overlay documents read, to be [added](Self::add)
    /// once the references are loaded (an overlay's own text is no spec).
    pub fn apply_overlays(
        &mut self,
        target: DocId,
        overlays: &[(String, PathBuf)],
        diags: &mut Diagnostics,
    ) -> Vec<Document> {
        let mut read = Vec::new();
        for (name, path) in overlays {
            let Some(document) = Document::read(name, path, diags) else { continue };
            let spec = &mut self.docs[target];
            overlay::apply(&document, &mut spec.root, &spec.name, diags);
            read.push(document);
        }
        read
    }

    /// Reads every file the documents read so far reference, and the files
    /// those reference, each once.
    pub fn load_references(&mut self, diags: &mut Diagnostics) {
        // Breadth-first over external references, so each file is read once.
        let mut next = 0;
        while next < self.docs.len() {
            let mut wanted = Vec::new();
            collect_external_refs(&self.docs[next].root, &mut String::new(), &mut wanted);
            for (pointer, target) in wanted {
                self.load_reference(next, &pointer, &target, diags);
            }
            next += 1;
        }
    }

    /// Reads the file `target` that document `from` refers to at `pointer`.
    fn load_reference(&mut self, from: DocId, pointer: &str, target: &str, diags: &mut Diagnostics) {
        let base = self.docs[from].path.parent().map(Path::to_path_buf).unwrap_or_default();
        let path = base.join(target);
        let key = normalize(&path);
        if self.by_path.contains_key(&key) {
            return;
        }
        let name = display_join(&self.docs[from].name, target);
        let mut problems = Diagnostics::new();
        if self.load_file(&name, &path, &mut problems).is_none() {
            diags.error(
                &self.docs[from].name,
                pointer,
                format!(
                    "`$ref` names the file `{target}`, which polvo could not load (the error about `{name}` says why)"
                ),
            );
            // The file's own problem, with its line and column.
            diags.extend(problems);
            // Remember the failure so the file is not retried.
            self.by_path.insert(key, usize::MAX);
        }
    }

    /// Parses one file and adds it; `None` (with a diagnostic) on failure.
    fn load_file(&mut self, name: &str, path: &Path, diags: &mut Diagnostics) -> Option<DocId> {
        if let Some(&id) = self.by_path.get(&normalize(path)) {
            return (id != usize::MAX).then_some(id);
        }
        let document = Document::read(name, path, diags)?;
        Some(self.add(document))
    }

    /// Adds a document read with [`Document::read`].
    pub fn add(&mut self, document: Document) -> DocId {
        let id = self.docs.len();
        self.by_path.insert(normalize(&document.path), id);
        self.docs.push(document);
        id
    }

    /// The document with this id.
    pub fn doc(&self, id: DocId) -> &Document {
        &self.docs[id]
    }

    /// Every document, in load order.
    pub fn documents(&self) -> &[Document] {
        &self.docs
    }

    /// The value at a place, if there is one.
    pub fn get(&self, place: &Place) -> Option<&Value> {
        let doc = self.docs.get(place.doc)?;
        if place.pointer.is_empty() { Some(&doc.root) } else { doc.root.pointer(&place.pointer) }
    }

    /// Resolves a `$ref` written in document `from` to the place it names.
    pub fn resolve(&self, from: DocId, reference: &str) -> Result<Place, String> {
        let target = pointer::parse_ref(reference)?;
        let doc = if target.file.is_empty() {
            from
        } else {
            let base = self.docs[from].path.parent().map(Path::to_path_buf).unwrap_or_default();
            match self.by_path.get(&normalize(&base.join(&target.file))) {
                Some(&id) if id != usize::MAX => id,
                _ => return Err(format!("`$ref` `{reference}` names a file that could not be loaded")),
            }
        };
        let place = Place { doc, pointer: target.pointer };
        if self.get(&place).is_none() {
            return Err(format!(
                "`$ref` `{reference}` points to nothing: {}#{} does not exist",
                self.docs[doc].name, place.pointer
            ));
        }
        Ok(place)
    }

    /// Follows `$ref`s from `place` until a value that is not a reference,
    /// returning that value and its place. Fails on a missing target or a
    /// loop of references.
    pub fn follow<'a>(&'a self, place: &Place) -> Result<(Place, &'a Value), String> {
        let mut current = place.clone();
        for _ in 0..64 {
            let value = self
                .get(&current)
                .ok_or_else(|| format!("{}#{} does not exist", self.docs[current.doc].name, current.pointer))?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => current = self.resolve(current.doc, reference)?,
                None => return Ok((current, value)),
            }
        }
        Err("`$ref`s form a loop that never reaches a value".into())
    }

    /// The name of a document, for diagnostics.
    pub fn name(&self, doc: DocId) -> &str {
        &self.docs[doc].name
    }
}

/// Collects `(pointer, file)` for every `$ref` in `value` that names another file.
fn collect_external_refs(value: &Value, pointer: &mut String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref")
                && let Ok(target) = pointer::parse_ref(reference)
                && !target.file.is_empty()
                && !out.iter().any(|(_, f)| *f == target.file)
            {
                out.push((format!("{pointer}/$ref"), target.file));
            }
            for (key, child) in map {
                if matches!(child, Value::Object(_) | Value::Array(_)) {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&pointer::escape(key));
                    collect_external_refs(child, pointer, out);
                    pointer.truncate(len);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                if matches!(child, Value::Object(_) | Value::Array(_)) {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    collect_external_refs(child, pointer, out);
                    pointer.truncate(len);
                }
            }
        }
        _ => {}
    }
}

/// A path with `.` and `..` removed, so the same file reached two ways is
/// read once. Falls back to the path itself when it cannot be canonicalized.
fn normalize(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The display name of `target` as seen from the file named `from`.
fn display_join(from: &str, target: &str) -> String {
    match from.rfind('/') {
        Some(i) => format!("{}/{}", &from[..i], target),
        None => target.to_owned(),
    }
}
