//! Shared by the fuzz targets: a capped global allocator (an input that
//! makes a parser allocate without bound aborts, and libFuzzer keeps it as
//! a crash) and the invariants every ingest parse must keep.

pub mod audit;
pub mod openalpr;

use serde_json::value::RawValue;
use sightline_ingest::{Parsed, codes};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use time::OffsetDateTime;

/// The largest single allocation a parse may make. Inputs are at most
/// `-max_len` bytes (64 KiB in scripts/fuzz.sh); anything near this is an
/// allocation sized by a number in the input, not by the input.
pub const MAX_ONE_ALLOCATION: usize = 64 << 20;
/// The most the harness may hold at once.
pub const MAX_LIVE: usize = 512 << 20;

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// [`System`], refusing (by aborting) an allocation over
/// [`MAX_ONE_ALLOCATION`] or one that would take the live total past
/// [`MAX_LIVE`].
#[derive(Debug)]
pub struct Capped;

fn over(size: usize) -> ! {
    // No allocation here: a fixed message, straight to stderr.
    let _ = std::io::stderr().write_all(b"==sightline-fuzz== allocation over the cap\n");
    let _ = size;
    std::process::abort()
}

fn reserve(size: usize) {
    if size > MAX_ONE_ALLOCATION {
        over(size);
    }
    let before = LIVE.fetch_add(size, Ordering::Relaxed);
    if before.saturating_add(size) > MAX_LIVE {
        over(size);
    }
}

// SAFETY: every call is forwarded to `System` unchanged; only counted.
unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        reserve(layout.size());
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        reserve(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        reserve(new_size);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Capped = Capped;

/// The fixed "now" every parse runs at: 2026-11-21T12:00Z (the seeds'
/// capture times lie just before it).
pub fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_795_262_400).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// What every batch parse must keep: `records + errors == expected`
/// (when the caller knows how many records the input held), indices
/// strictly increasing within each list and never shared between them,
/// every rejection with at least one violation, every violation code one
/// of the documented [`codes`], and every accepted read completing or
/// being refused by [`sightline_ingest::complete`] without a panic.
pub fn check_parsed(parsed: &Parsed, expected: Option<usize>) {
    let total = parsed.records.len() + parsed.errors.len();
    if let Some(n) = expected {
        assert_eq!(total, n, "accepted + rejected != records in the input");
    }
    let ok: Vec<usize> = parsed.records.iter().map(|(i, _)| *i).collect();
    let bad: Vec<usize> = parsed.errors.iter().map(|e| e.index).collect();
    assert!(
        ok.windows(2).all(|w| w[0] < w[1]),
        "record indices out of order"
    );
    assert!(
        bad.windows(2).all(|w| w[0] < w[1]),
        "error indices out of order"
    );
    assert!(
        ok.iter().all(|i| !bad.contains(i)),
        "an index both accepted and rejected"
    );
    for e in &parsed.errors {
        assert!(!e.violations.is_empty(), "a rejection without a violation");
        for v in &e.violations {
            assert!(
                codes::ALL.contains(&v.code.as_str()),
                "undocumented code {}",
                v.code
            );
        }
        if let Some(id) = &e.source_read_id {
            assert!(
                id.chars().count() <= 200,
                "echoed id longer than 200 characters"
            );
        }
    }
    for (_, read) in &parsed.records {
        assert!(
            read.captured_at.offset().is_utc(),
            "capture time not in UTC"
        );
        let _ = sightline_ingest::complete(read.clone(), None);
    }
}

/// The number of elements of `data` if it is a JSON array by JSON's
/// grammar alone (UTF-8 text, any nesting, any number), `None` otherwise.
///
/// Not `serde_json::Value`: that is stricter (nesting to 128, numbers an
/// f64 can hold), and the ingest parse refuses a body only when it is not
/// JSON; JSON past those limits costs one record, not the batch.
pub fn json_array_len(data: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(data).ok()?;
    serde_json::from_str::<Vec<&RawValue>>(text)
        .ok()
        .map(|v| v.len())
}
