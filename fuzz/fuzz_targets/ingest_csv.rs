//! CSV bulk files (`sightline import csv`), streamed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sightline_fuzz::now;

fuzz_target!(|data: &[u8]| {
    let Ok(rows) = sightline_ingest::csv_reads(data, now()) else {
        return;
    };
    let mut expected_row = 0usize;
    let mut last_line = 0u64;
    for item in rows {
        expected_row += 1;
        let (row, line) = match &item {
            Ok((row, read)) => {
                let _ = sightline_ingest::complete(read.clone(), None);
                (*row, None)
            }
            Err(e) => {
                assert!(!e.violations.is_empty(), "a rejection without a violation");
                for v in &e.violations {
                    assert!(
                        sightline_ingest::codes::ALL.contains(&v.code.as_str()),
                        "undocumented code {}",
                        v.code
                    );
                }
                (e.index, e.line)
            }
        };
        assert_eq!(row, expected_row, "CSV rows not numbered 1, 2, 3, ...");
        if let Some(l) = line {
            // Non-decreasing, not increasing: a lone CR ends a record too,
            // so two records can start on one physical (LF) line.
            assert!(l >= last_line, "CSV lines going backwards");
            last_line = l;
        }
        assert!(expected_row <= data.len() + 1, "more rows than bytes");
    }
});
