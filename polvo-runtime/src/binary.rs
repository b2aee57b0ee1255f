//! Binary content sent in requests: file uploads and raw bodies.

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Binary content for a request (`format: binary` in the spec): the bytes,
/// and for multipart uploads an optional file name and content type.
///
/// ```
/// let file = polvo_runtime::Binary::from(b"hello".to_vec())
///     .with_file_name("hello.txt")
///     .with_content_type("text/plain");
/// assert_eq!(file.len(), 5);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Binary {
    bytes: Bytes,
    file_name: Option<String>,
    content_type: Option<String>,
}

impl Binary {
    /// Binary content from bytes.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Binary { bytes: bytes.into(), file_name: None, content_type: None }
    }

    /// Sets the file name sent with a multipart part.
    pub fn with_file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the content type sent with a multipart part.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The bytes, consuming the value.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// The file name, if set.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The content type, if set.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Binary")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<Bytes> for Binary {
    fn from(bytes: Bytes) -> Self {
        Binary::new(bytes)
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Binary::new(bytes)
    }
}

impl From<&'static [u8]> for Binary {
    fn from(bytes: &'static [u8]) -> Self {
        Binary::new(bytes)
    }
}

impl From<String> for Binary {
    fn from(text: String) -> Self {
        Binary::new(text)
    }
}

impl From<&'static str> for Binary {
    fn from(text: &'static str) -> Self {
        Binary::new(text)
    }
}

/// In JSON, binary content is a string (the spec's `format: binary` on a
/// JSON property); invalid UTF-8 is replaced.
impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(&self.bytes))
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Binary::from)
    }
}
