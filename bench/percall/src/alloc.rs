//! A global allocator that counts the allocations made on the thread that
//! asked for counting, and only while it asks: the calls under test run on
//! that thread, the server on others.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// The system allocator, counting.
pub struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    /// Whether each counted allocation's stack is printed (`PERCALL_TRACE`).
    static TRACE: Cell<bool> = const { Cell::new(false) };
    /// Set while a stack is being captured (capturing allocates).
    static IN_TRACE: Cell<bool> = const { Cell::new(false) };
}

fn count(size: usize) {
    if ON.try_with(Cell::get).unwrap_or(false) && !IN_TRACE.try_with(Cell::get).unwrap_or(true) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(size as u64, Ordering::Relaxed);
        if TRACE.try_with(Cell::get).unwrap_or(false) && !IN_TRACE.with(Cell::get) {
            IN_TRACE.with(|t| t.set(true));
            print_stack(size);
            IN_TRACE.with(|t| t.set(false));
        }
    }
}

/// Prints the frames of the current stack that belong to the code under
/// test (not the allocator's, std's or this bench's own plumbing).
fn print_stack(size: usize) {
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    const PLUMBING: [&str; 12] = [
        "print_stack", "count", "alloc", "realloc", "allocate", "grow", "with_capacity", "reserve", "finish_grow",
        "Global", "__rust", "exchange_malloc",
    ];
    let frames: Vec<&str> = trace
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("at "))
        .filter_map(|line| line.split_once(": ").map(|(_, name)| name))
        .filter(|name| !PLUMBING.iter().any(|word| name.starts_with(word) || name.starts_with(&format!("<{word}"))))
        .filter(|name| !name.starts_with("<alloc::") && !name.starts_with("alloc::"))
        .take(8)
        .collect();
    eprintln!("alloc {size:>6} B: {}", frames.join(" < "));
}

/// Prints the stack of every allocation `run` makes on this thread.
pub async fn traced<F: std::future::Future>(run: F) -> (u64, u64) {
    TRACE.with(|t| t.set(true));
    let counts = counted(run).await;
    TRACE.with(|t| t.set(false));
    counts
}

// SAFETY: every method forwards to `System` unchanged; counting touches only
// atomics and a const-initialised thread local, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations (reallocations included) and bytes requested on this thread
/// while `run` ran.
pub async fn counted<F: std::future::Future>(run: F) -> (u64, u64) {
    let (a0, b0) = (ALLOCATIONS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed));
    ON.with(|on| on.set(true));
    run.await;
    ON.with(|on| on.set(false));
    (ALLOCATIONS.load(Ordering::Relaxed) - a0, BYTES.load(Ordering::Relaxed) - b0)
}
