//! Reading a response body with a size limit.
//!
//! `Content-Length` is checked before anything is read; then the bytes are
//! counted as they arrive, after decompression, so neither a lying header,
//! a chunked body nor a decompression bomb can make a call hold more than
//! the limit (plus one chunk) in memory.

use bytes::{Bytes, BytesMut};

/// The largest response body a client reads unless its builder sets another
/// limit: 64 MiB.
///
/// API responses are held whole in memory and then decoded (a JSON value
/// can take a few times its text), so the limit bounds what one call can
/// cost. Real API pages, even large exports, are far below it; a file
/// download that is larger needs `ClientBuilder::max_response_size`.
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 64 * 1024 * 1024;

/// The most a read reserves up front, whatever `Content-Length` says.
const MAX_PREALLOCATION: u64 = 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The body is larger than the limit.
    TooLarge,
    /// The connection failed or the body could not be decoded.
    Transport(reqwest::Error),
}

/// Reads the whole body of `response`, refusing more than `limit` bytes.
/// A body that arrives in one chunk is returned as it is, without a copy.
pub(crate) async fn read_body(mut response: reqwest::Response, limit: u64) -> Result<Bytes, ReadError> {
    // The size of the (decoded) body, when the transport knows it: a
    // `Content-Length` unless the body is decompressed, and 0 for `HEAD`.
    let announced = response.content_length();
    if announced.is_some_and(|length| length > limit) {
        return Err(ReadError::TooLarge);
    }
    // The first chunk is kept as it is; a copy starts with the second.
    let (mut first, mut body): (Option<Bytes>, Option<BytesMut>) = (None, None);
    let mut total = 0u64;
    while let Some(chunk) = response.chunk().await.map_err(|e| ReadError::Transport(e.without_url()))? {
        total += chunk.len() as u64;
        if total > limit {
            return Err(ReadError::TooLarge);
        }
        match (&mut body, first.take()) {
            (Some(body), _) => body.extend_from_slice(&chunk),
            (None, None) => first = Some(chunk),
            (None, Some(earlier)) => {
                let mut joined = BytesMut::with_capacity(capacity(announced, total));
                joined.extend_from_slice(&earlier);
                joined.extend_from_slice(&chunk);
                body = Some(joined);
            }
        }
    }
    Ok(match (body, first) {
        (Some(body), _) => body.freeze(),
        (None, first) => first.unwrap_or_default(),
    })
}

/// The room to reserve for a body of which `received` bytes arrived: what
/// `Content-Length` announces, up to [`MAX_PREALLOCATION`], and at least
/// what arrived.
fn capacity(announced: Option<u64>, received: u64) -> usize {
    let capacity = announced.unwrap_or(0).min(MAX_PREALLOCATION).max(received);
    usize::try_from(capacity).unwrap_or(usize::MAX)
}

/// The most of a redirect's body that is read so that its connection can
/// be used again; a larger body is dropped with its connection.
const MAX_DRAINED: u64 = 64 * 1024;

/// Reads and drops the body of a redirect that is followed, when it is
/// small, so that an HTTP/1 connection goes back to the pool.
pub(crate) async fn drain(response: reqwest::Response) {
    // A failure only means the connection is not reused.
    let _ = read_body(response, MAX_DRAINED).await;
}

/// A limit as people read it: `64 MiB`, `512 KiB`, or `1000 bytes`.
pub(crate) fn describe(limit: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    const GIB: u64 = 1024 * MIB;
    match limit {
        l if l >= GIB && l % GIB == 0 => format!("{} GiB", l / GIB),
        l if l >= MIB && l % MIB == 0 => format!("{} MiB", l / MIB),
        l if l >= KIB && l % KIB == 0 => format!("{} KiB", l / KIB),
        l => format!("{l} bytes"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reservation_is_bounded_but_holds_what_arrived() {
        const MIB: u64 = 1024 * 1024;
        assert_eq!(super::capacity(None, 10), 10);
        assert_eq!(super::capacity(Some(5000), 10), 5000);
        assert_eq!(super::capacity(Some(64 * MIB), 10), MIB as usize);
        // Two chunks of more than the preallocation cap together.
        assert_eq!(super::capacity(Some(64 * MIB), 3 * MIB), 3 * MIB as usize);
        assert_eq!(super::capacity(None, 3 * MIB), 3 * MIB as usize);
    }

    #[test]
    fn limits_read_as_people_write_them() {
        assert_eq!(super::describe(super::DEFAULT_MAX_RESPONSE_SIZE), "64 MiB");
        assert_eq!(super::describe(3 << 30), "3 GiB");
        assert_eq!(super::describe(512 * 1024), "512 KiB");
        assert_eq!(super::describe(1000), "1000 bytes");
        assert_eq!(super::describe(0), "0 bytes");
    }
}
