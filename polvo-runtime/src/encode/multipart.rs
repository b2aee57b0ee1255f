//! `multipart/form-data` bodies.

use bytes::Bytes;
use reqwest::multipart::{Form, Part};
use serde::Serialize;
use serde_json::Value;

use super::{scalar, to_value};
use crate::binary::Binary;
use crate::error::RequestError;

/// A multipart form under construction. Generated code adds one part per
/// property: files for binary properties, text or JSON for the rest.
///
/// The parts are kept as data, so a request can be sent again (after a 401
/// renews its token) with the same form.
#[derive(Default)]
pub struct Multipart {
    parts: Vec<FormPart>,
    error: Option<RequestError>,
}

/// One part: its field name, content and, for files, a file name.
#[derive(Clone)]
struct FormPart {
    name: String,
    bytes: Bytes,
    content_type: Option<String>,
    file_name: Option<String>,
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart").field("parts", &self.parts.len()).finish_non_exhaustive()
    }
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Multipart::default()
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
            Value::Object(_) => self.push(name, value.to_string().into(), Some("application/json"), None),
            other => {
                let text = scalar(other).unwrap_or_default();
                self.push(name, text.into(), None, None);
            }
        }
    }

    fn push(&mut self, name: &str, bytes: Bytes, content_type: Option<&str>, file_name: Option<&str>) {
        self.parts.push(FormPart {
            name: name.to_owned(),
            bytes,
            content_type: content_type.map(str::to_owned),
            file_name: file_name.map(str::to_owned),
        });
    }

    /// Adds a file part; `None` adds nothing. The file name defaults to the
    /// field name, since many servers only treat named parts as files.
    pub fn file(&mut self, name: &str, file: impl Into<Option<Binary>>) {
        let Some(file) = file.into() else { return };
        if file.is_stream() {
            return self.fail(RequestError::InvalidBody(format!(
                "multipart field `{name}` is content from a stream, which can be sent only as a whole request body"
            )));
        }
        let file_name = file.file_name().unwrap_or(name).to_owned();
        let content_type = file.content_type().unwrap_or("application/octet-stream").to_owned();
        if Part::bytes(Vec::new()).mime_str(&content_type).is_err() {
            return self.fail(RequestError::InvalidBody(format!(
                "multipart field `{name}` has an invalid content type `{content_type}`"
            )));
        }
        self.push(name, file.into_bytes(), Some(&content_type), Some(&file_name));
    }

    /// Adds one file part per item.
    pub fn files(&mut self, name: &str, files: impl Into<Option<Vec<Binary>>>) {
        for file in files.into().unwrap_or_default() {
            self.file(name, file);
        }
    }

    /// The first error met while building the form, taken out of it.
    pub(crate) fn take_error(&mut self) -> Option<RequestError> {
        self.error.take()
    }

    /// The form to send.
    pub(crate) fn to_form(&self) -> Result<Form, RequestError> {
        let mut form = Form::new();
        for part in &self.parts {
            let length = part.bytes.len() as u64;
            let mut body = Part::stream_with_length(reqwest::Body::from(part.bytes.clone()), length);
            if let Some(file_name) = &part.file_name {
                body = body.file_name(file_name.clone());
            }
            if let Some(content_type) = &part.content_type {
                body = body.mime_str(content_type).map_err(|_| {
                    RequestError::InvalidBody(format!(
                        "multipart field `{}` has an invalid content type `{content_type}`",
                        part.name
                    ))
                })?;
            }
            form = form.part(part.name.clone(), body);
        }
        Ok(form)
    }
}
