//! Native JSON array (`POST /api/v1/ingest/reads`, application/json).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sightline_fuzz::{check_parsed, now};

fuzz_target!(|data: &[u8]| {
    let parsed = sightline_ingest::parse_json_array(data, now());
    let shape = serde_json::from_slice::<Value>(data).ok();
    match (parsed, shape) {
        (Ok(p), Some(Value::Array(items))) => check_parsed(&p, Some(items.len())),
        (Ok(_), _) => panic!("accepted a body that is not a JSON array"),
        (Err(_), Some(Value::Array(_))) => panic!("refused a JSON array as a whole"),
        (Err(_), _) => {}
    }
});
