//! Binary content sent in requests: file uploads and raw bodies.

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use crate::hooks::BoxError;
use crate::stream::UploadBody;

/// Binary content for a request (`format: binary` in the spec): the bytes,
/// and for multipart uploads an optional file name and content type.
///
/// ```
/// let file = polvo_runtime::Binary::from(b"hello".to_vec())
///     .with_file_name("hello.txt")
///     .with_content_type("text/plain");
/// assert_eq!(file.len(), 5);
/// ```
///
/// A large raw request body can come from a stream of chunks instead
/// ([`from_stream`](Self::from_stream)), read while the request is sent.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Binary {
    bytes: Bytes,
    file_name: Option<String>,
    content_type: Option<String>,
    stream: Option<UploadBody>,
}

impl Binary {
    /// Binary content from bytes.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Binary { bytes: bytes.into(), file_name: None, content_type: None, stream: None }
    }

    /// Content read from a stream of chunks while the request is sent,
    /// never held whole (sent with `Transfer-Encoding: chunked`). It goes
    /// only in a raw request body (not a multipart part or JSON).
    ///
    /// Such a body can be sent once: the call is not retried once sending
    /// began, a redirect that would send it again fails with
    /// `StreamError::BodyNotReplayable`, and so does sending a clone of a
    /// request that was sent.
    ///
    /// ```
    /// use polvo_runtime::{Binary, Bytes};
    /// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("a")), Ok(Bytes::from("b"))]);
    /// let body = Binary::from_stream(chunks);
    /// assert!(body.is_stream());
    /// ```
    pub fn from_stream<S, B, E>(stream: S) -> Self
    where
        S: futures_util::Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes> + 'static,
        E: Into<BoxError> + 'static,
    {
        Binary { stream: Some(UploadBody::new(stream, None)), ..Binary::default() }
    }

    /// Like [`from_stream`](Self::from_stream), for a stream of `length`
    /// bytes, sent as `Content-Length` (some servers require it). The
    /// stream must yield exactly that many bytes.
    pub fn from_stream_with_length<S, B, E>(stream: S, length: u64) -> Self
    where
        S: futures_util::Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes> + 'static,
        E: Into<BoxError> + 'static,
    {
        Binary { stream: Some(UploadBody::new(stream, Some(length))), ..Binary::default() }
    }

    /// Whether the content comes from a stream ([`from_stream`](Self::from_stream)).
    pub fn is_stream(&self) -> bool {
        self.stream.is_some()
    }

    /// The stream behind the content, if it is one.
    pub(crate) fn upload(&self) -> Option<&UploadBody> {
        self.stream.as_ref()
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

    /// The bytes (none for content from a stream).
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

    /// The number of bytes (for a stream, the length given with it, or 0).
    pub fn len(&self) -> usize {
        match &self.stream {
            Some(stream) => stream.length().map_or(0, |length| usize::try_from(length).unwrap_or(usize::MAX)),
            None => self.bytes.len(),
        }
    }

    /// Whether there are no bytes (`false` for a stream, whose length may
    /// be unknown).
    pub fn is_empty(&self) -> bool {
        self.stream.is_none() && self.bytes.is_empty()
    }
}

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Binary")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("stream", &self.stream.is_some())
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
        if self.stream.is_some() {
            return Err(serde::ser::Error::custom("content from a stream can be sent only as a whole request body"));
        }
        serializer.serialize_str(&String::from_utf8_lossy(&self.bytes))
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Binary::from)
    }
}
