//! OpenALPR / Rekor `alpr_group` (`POST /api/v1/ingest/openalpr`). The raw
//! input is parsed as sent; when it is a JSON object it is parsed again
//! with `data_type` forced to `alpr_group`, so mutations stay on this type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sightline_fuzz::openalpr::{check_message, forced};

fuzz_target!(|data: &[u8]| {
    check_message(data);
    if let Some(body) = forced(data, "alpr_group") {
        match check_message(&body) {
            Some(n) => assert_eq!(n, 1, "an alpr_group is exactly one record"),
            None => panic!("an alpr_group object refused as a whole"),
        }
    }
});
