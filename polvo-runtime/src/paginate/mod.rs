//! Walking paginated operations as streams of pages and of items.
//!
//! Generated builders of paginated operations have `.pages()` and
//! `.items()`, built on [`pages`] and [`items`]: given a function that
//! fetches the page starting at a cursor (`None` for the first), they
//! fetch each next page as the stream is polled, end after the last, end
//! after an error (delivered as the stream's last item), and never fetch
//! the same cursor twice: a server that sends an earlier cursor again ends
//! the stream with [`PaginationError::RepeatedCursor`].
//!
//! ```
//! use polvo_runtime::paginate::{self, Fetched, Page, TryStreamExt};
//! # async fn run() -> Result<(), polvo_runtime::Error<()>> {
//! // Three pages of numbers, the cursor being the next page's index.
//! let stream = paginate::items(paginate::pages(None, |cursor: Option<u32>| async move {
//!     let at = cursor.unwrap_or(0);
//!     let next = (at < 2).then_some(at + 1);
//!     Ok::<_, polvo_runtime::Error<()>>(Fetched::new(Page::from_items(vec![at * 10, at * 10 + 1]), next))
//! }));
//! let all: Vec<u32> = stream.try_collect().await?;
//! assert_eq!(all, [0, 1, 10, 11, 20, 21]);
//! # Ok(()) }
//! ```

mod link;

pub use futures_util::stream::{Stream, StreamExt, TryStreamExt};
pub use link::next_link_parameter;

use futures_util::stream;
use http::{HeaderMap, StatusCode};
use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;

/// One page of a paginated operation: its items, with the response's
/// status and headers. `Debug` redacts secret header values.
#[derive(Clone)]
pub struct Page<T> {
    items: Vec<T>,
    status: StatusCode,
    headers: HeaderMap,
}

impl<T: std::fmt::Debug> std::fmt::Debug for Page<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("items", &self.items)
            .field("status", &self.status)
            .field("headers", &crate::redact::headers(&self.headers))
            .finish()
    }
}

impl<T> Page<T> {
    /// A page of a response.
    pub fn new(items: Vec<T>, status: StatusCode, headers: HeaderMap) -> Self {
        Page { items, status, headers }
    }

    /// A page of items alone (status 200, no headers).
    pub fn from_items(items: Vec<T>) -> Self {
        Page::new(items, StatusCode::OK, HeaderMap::new())
    }

    /// The page's items.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The page's items, taken out.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (rate limits, totals, …).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

/// A fetched page and the cursor of the page after it (`None`: it was the last).
#[derive(Clone, Debug)]
pub struct Fetched<T, C> {
    /// The page.
    pub page: Page<T>,
    /// Where the next page starts.
    pub next: Option<C>,
}

impl<T, C> Fetched<T, C> {
    /// A page and the next page's cursor.
    pub fn new(page: Page<T>, next: Option<C>) -> Self {
        Fetched { page, next }
    }
}

/// Why walking the pages stopped with an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The server gave, as the next page, a cursor it had given before:
    /// following it would fetch the same pages forever.
    #[error("page {page} pointed back to an earlier page's cursor; stopped instead of looping")]
    RepeatedCursor {
        /// The 1-based number of the page that repeated a cursor.
        page: usize,
    },
    /// The `Link` header names a next page whose URL lacks the parameter
    /// the operation pages with, or has a value of the wrong type.
    #[error("the `Link: rel=\"next\"` URL {problem} query parameter `{parameter}`")]
    NextLink {
        /// The parameter.
        parameter: &'static str,
        /// What is wrong: `has no` or `has an unreadable`.
        problem: &'static str,
    },
    /// The offset or page number of the next page does not fit its type.
    #[error("the next page's `{parameter}` would overflow its type")]
    Overflow {
        /// The parameter.
        parameter: &'static str,
    },
}

/// What the walk does next.
enum Step<C> {
    /// Fetch the page at this cursor (`None`: the first page, as the request stands).
    Fetch(Option<C>),
    /// Deliver this error, then end.
    Fail(PaginationError),
    /// The stream has ended.
    Done,
}

/// The state the stream carries between pages.
struct Walk<F, C> {
    fetch: F,
    step: Step<C>,
    seen: HashSet<C>,
    pages: usize,
}

/// The pages of a paginated operation. `fetch` gets `None` for the first
/// page and then each next cursor it returned; `start` is the cursor the
/// first request carries, if the caller set one (it counts as seen).
pub fn pages<T, C, E, F, Fut>(start: Option<C>, fetch: F) -> impl Stream<Item = Result<Page<T>, E>>
where
    C: Clone + Eq + Hash,
    E: From<PaginationError>,
    F: FnMut(Option<C>) -> Fut,
    Fut: Future<Output = Result<Fetched<T, C>, E>>,
{
    let walk = Walk { fetch, step: Step::Fetch(None), seen: start.into_iter().collect(), pages: 0 };
    stream::unfold(walk, |mut walk| async move {
        let cursor = match std::mem::replace(&mut walk.step, Step::Done) {
            Step::Done => return None,
            Step::Fail(error) => return Some((Err(E::from(error)), walk)),
            Step::Fetch(cursor) => cursor,
        };
        match (walk.fetch)(cursor).await {
            Err(error) => Some((Err(error), walk)),
            Ok(Fetched { page, next }) => {
                walk.pages += 1;
                walk.step = next_step(&mut walk.seen, next, walk.pages);
                Some((Ok(page), walk))
            }
        }
    })
}

/// Follows `next` unless it is a cursor already seen.
fn next_step<C: Clone + Eq + Hash>(seen: &mut HashSet<C>, next: Option<C>, page: usize) -> Step<C> {
    match next {
        None => Step::Done,
        Some(cursor) if seen.insert(cursor.clone()) => Step::Fetch(Some(cursor)),
        Some(_) => Step::Fail(PaginationError::RepeatedCursor { page }),
    }
}

/// The items of a stream of pages, in order; an error ends the stream after it.
pub fn items<T, E>(pages: impl Stream<Item = Result<Page<T>, E>>) -> impl Stream<Item = Result<T, E>> {
    pages.map_ok(|page| stream::iter(page.into_items().into_iter().map(Ok))).try_flatten()
}

/// The next offset: `offset` plus the number of items received, or an
/// overflow error.
pub fn next_offset<N>(parameter: &'static str, offset: N, received: usize) -> Result<N, PaginationError>
where
    N: TryFrom<usize> + CheckedAdd,
{
    N::try_from(received).ok().and_then(|n| offset.checked_add(n)).ok_or(PaginationError::Overflow { parameter })
}

/// Integers that add without overflowing, for offsets and page numbers.
pub trait CheckedAdd: Sized {
    /// `self + other`, or `None` on overflow.
    fn checked_add(self, other: Self) -> Option<Self>;
}

macro_rules! checked_add {
    ($($t:ty),*) => {$(
        impl CheckedAdd for $t {
            fn checked_add(self, other: Self) -> Option<Self> {
                <$t>::checked_add(self, other)
            }
        }
    )*};
}
checked_add!(i32, i64, u32, u64);

#[cfg(test)]
mod tests;
