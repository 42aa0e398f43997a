//! A global allocator that counts allocations per thread, shared by the
//! allocation tests and the middleware benchmark: each binary includes this
//! file as a module (`#[path = ...] mod counting_alloc;`), since a binary
//! has one `#[global_allocator]` of its own.
//!
//! Implementing `GlobalAlloc` takes an `unsafe impl`, which the workspace's
//! `unsafe_code = "deny"` lets a file opt into; this is the only such file.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

/// The system allocator, counting allocations on the calling thread (tests
/// run on several threads at once).
pub struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static DEALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// Bytes allocated and not yet freed, by every thread.
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

fn live(change: isize) {
    LIVE_BYTES.fetch_add(change, Ordering::Relaxed);
}

fn count() {
    // `try_with`: the allocator also runs while thread-locals are torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counter itself never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        live(layout.size() as isize);
        // SAFETY: the caller's guarantees are passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        live(layout.size() as isize);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        live(new_size as isize - layout.size() as isize);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        live(-(layout.size() as isize));
        let _ = DEALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made on this thread so far.
#[allow(dead_code)]
pub fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Deallocations made on this thread so far.
#[allow(dead_code)]
pub fn deallocations() -> u64 {
    DEALLOCATIONS.with(Cell::get)
}

/// Bytes allocated and not yet freed, by every thread of the process.
#[allow(dead_code)]
pub fn live_bytes() -> isize {
    LIVE_BYTES.load(Ordering::Relaxed)
}
