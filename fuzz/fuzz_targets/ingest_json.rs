//! Native JSON array (`POST /api/v1/ingest/reads`, application/json).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sightline_fuzz::{check_parsed, json_array_len, now};

fuzz_target!(|data: &[u8]| {
    let parsed = sightline_ingest::parse_json_array(data, now());
    match (parsed, json_array_len(data)) {
        (Ok(p), Some(n)) => check_parsed(&p, Some(n)),
        (Ok(_), None) => panic!("accepted a body that is not a JSON array"),
        (Err(e), Some(_)) => {
            // Only a batch past the record limit is refused whole; the
            // plain parse has none.
            panic!("refused a JSON array as a whole: {e}")
        }
        (Err(_), None) => {}
    }
});
