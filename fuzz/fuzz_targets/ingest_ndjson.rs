//! Native NDJSON (`POST /api/v1/ingest/reads`, application/x-ndjson).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sightline_fuzz::{check_parsed, now};

fuzz_target!(|data: &[u8]| {
    let parsed = sightline_ingest::parse_ndjson(data, now());
    let lines = data
        .split(|b| *b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .count();
    check_parsed(&parsed, Some(lines));
    for e in &parsed.errors {
        assert_eq!(e.line, Some(e.index as u64 + 1), "NDJSON line != index + 1");
    }
});
