//! `multipart/form-data` bodies.

use reqwest::multipart::{Form, Part};
use serde::Serialize;
use serde_json::Value;

use super::{scalar, to_value};
use crate::binary::Binary;
use crate::error::RequestError;

/// A multipart form under construction. Generated code adds one part per
/// property: files for binary properties, text or JSON for the rest.
pub struct Multipart {
    form: Form,
    error: Option<RequestError>,
}

impl Default for Multipart {
    fn default() -> Self {
        Multipart::new()
    }
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart").finish_non_exhaustive()
    }
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Multipart { form: Form::new(), error: None }
    }

    /// A form with one part per member of an object.
    pub fn from_object<T: Serialize + ?Sized>(value: &T) -> Self {
        let mut form = Multipart::new();
        match to_value(value, "the multipart body") {
            Ok(Value::Object(map)) => {
                for (k, v) in &map {
                    form.add_value(k, v);
                }
            }
            Ok(other) => form.fail(RequestError::InvalidBody(format!(
                "a multipart body must be an object, but the value serialized to `{other}`"
            ))),
            Err(e) => form.fail(e),
        }
        form
    }

    fn fail(&mut self, error: RequestError) {
        self.error.get_or_insert(error);
    }

    /// Adds a part from any serializable value: scalars as text, arrays as
    /// one part per item, objects as JSON. `None`/`null` adds nothing.
    pub fn part<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        match to_value(value, &format!("multipart field `{name}`")) {
            Ok(v) => self.add_value(name, &v),
            Err(e) => self.fail(e),
        }
    }

    fn add_value(&mut self, name: &str, value: &Value) {
        match value {
            Value::Null => {}
            Value::Array(items) => {
                for item in items {
                    self.add_value(name, item);
                }
            }
            Value::Object(_) => {
                let part = Part::text(value.to_string()).mime_str("application/json");
                match part {
                    Ok(part) => self.push(name, part),
                    Err(_) => self.fail(RequestError::InvalidBody("invalid JSON part".into())),
                }
            }
            other => {
                let text = scalar(other).unwrap_or_default();
                self.push(name, Part::text(text));
            }
        }
    }

    fn push(&mut self, name: &str, part: Part) {
        let form = std::mem::take(&mut self.form);
        self.form = form.part(name.to_owned(), part);
    }

    /// Adds a file part; `None` adds nothing. The file name defaults to the
    /// field name, since many servers only treat named parts as files.
    pub fn file(&mut self, name: &str, file: impl Into<Option<Binary>>) {
        let Some(file) = file.into() else { return };
        let file_name = file.file_name().unwrap_or(name).to_owned();
        let content_type = file.content_type().unwrap_or("application/octet-stream").to_owned();
        let bytes = file.into_bytes();
        let length = bytes.len() as u64;
        let part = Part::stream_with_length(reqwest::Body::from(bytes), length).file_name(file_name);
        match part.mime_str(&content_type) {
            Ok(part) => self.push(name, part),
            Err(_) => self.fail(RequestError::InvalidBody(format!(
                "multipart field `{name}` has an invalid content type `{content_type}`"
            ))),
        }
    }

    /// Adds one file part per item.
    pub fn files(&mut self, name: &str, files: impl Into<Option<Vec<Binary>>>) {
        for file in files.into().unwrap_or_default() {
            self.file(name, file);
        }
    }

    /// The finished form, or the first error met while building it.
    pub fn finish(self) -> Result<Form, RequestError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.form),
        }
    }
}
