use super::*;
use futures_util::TryStreamExt;
use std::sync::{Arc, Mutex};

type TestError = crate::Error<()>;

/// A fetch over `pages` (each its items and next cursor) that records the
/// cursors it was asked for.
fn fetcher(
    pages: Vec<(Vec<u32>, Option<&'static str>)>,
    asked: Arc<Mutex<Vec<Option<&'static str>>>>,
) -> impl FnMut(Option<&'static str>) -> std::future::Ready<Result<Fetched<u32, &'static str>, TestError>> {
    let mut pages = pages.into_iter();
    move |cursor| {
        asked.lock().unwrap().push(cursor);
        let (items, next) = pages.next().expect("asked for more pages than there are");
        std::future::ready(Ok(Fetched::new(Page::from_items(items), next)))
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
}

#[test]
fn items_of_every_page_in_order_then_the_end() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let pages = vec![(vec![1, 2], Some("b")), (vec![3], Some("c")), (vec![4, 5], None)];
    let all: Vec<u32> = block_on(items(super::pages(None, fetcher(pages, asked.clone()))).try_collect()).unwrap();
    assert_eq!(all, [1, 2, 3, 4, 5]);
    assert_eq!(*asked.lock().unwrap(), [None, Some("b"), Some("c")]);
}

#[test]
fn a_repeated_cursor_ends_with_an_error_instead_of_looping() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    // The third page points back to the second.
    let pages = vec![(vec![1], Some("b")), (vec![2], Some("c")), (vec![3], Some("b"))];
    let results: Vec<Result<Page<u32>, TestError>> =
        block_on(super::pages(None, fetcher(pages, asked.clone())).collect());
    assert_eq!(results.len(), 4);
    assert!(results[..3].iter().all(Result::is_ok));
    assert!(matches!(&results[3], Err(crate::Error::Pagination(PaginationError::RepeatedCursor { page: 3 }))));
    assert_eq!(asked.lock().unwrap().len(), 3);
}

#[test]
fn the_starting_cursor_counts_as_seen() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let pages = vec![(vec![1], Some("a"))];
    let results: Vec<Result<Page<u32>, TestError>> =
        block_on(super::pages(Some("a"), fetcher(pages, asked.clone())).collect());
    assert!(matches!(
        &results[..],
        [Ok(_), Err(crate::Error::Pagination(PaginationError::RepeatedCursor { page: 1 }))]
    ));
}

#[test]
fn an_error_is_the_last_item() {
    let mut calls = 0;
    let stream = super::pages(None, move |_cursor: Option<u32>| {
        calls += 1;
        std::future::ready(match calls {
            1 => Ok(Fetched::new(Page::from_items(vec![1]), Some(1))),
            _ => Err(TestError::Pagination(PaginationError::Overflow { parameter: "x" })),
        })
    });
    let results: Vec<Result<Page<u32>, TestError>> = block_on(stream.collect());
    assert_eq!(results.len(), 2);
    assert!(results[1].is_err());
}

#[test]
fn offsets_advance_by_the_items_received_and_refuse_to_overflow() {
    assert_eq!(next_offset("offset", 20_i64, 10), Ok(30));
    assert_eq!(next_offset("offset", u32::MAX - 1, 1), Ok(u32::MAX));
    assert_eq!(next_offset("offset", i32::MAX, 1), Err(PaginationError::Overflow { parameter: "offset" }));
}
