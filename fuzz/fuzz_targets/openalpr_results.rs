//! OpenALPR / Rekor `alpr_results` (`POST /api/v1/ingest/openalpr`). As
//! for `alpr_group`, `data_type` is forced when the input is an object.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sightline_fuzz::openalpr::{check_message, forced};

fuzz_target!(|data: &[u8]| {
    check_message(data);
    if let Some(body) = forced(data, "alpr_results") {
        let results = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("results").and_then(Value::as_array).map(Vec::len));
        match (check_message(&body), results) {
            (Some(n), Some(r)) => assert_eq!(n, r, "one record per element of results[]"),
            (Some(_), None) => panic!("accepted alpr_results without a results array"),
            (None, _) => {}
        }
    }
});
