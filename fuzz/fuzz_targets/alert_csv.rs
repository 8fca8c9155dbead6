//! The alert-list batch upload (`POST /api/v1/alert-lists/{id}/uploads`):
//! the CSV split into rows, then each row's values through the checks the
//! server runs on them before any lookup (plate, state, reason code, note,
//! notify scope).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sightline_core::alert::{MAX_LIST_ENTRIES, NotifyScope};
use sightline_core::purpose::ReasonCode;
use sightline_core::text::Note;
use sightline_core::{Jurisdiction, Plate};
use sightline_ingest::alert_csv_rows;

fuzz_target!(|data: &[u8]| {
    let small = alert_csv_rows(data, 3);
    let Ok(rows) = alert_csv_rows(data, MAX_LIST_ENTRIES) else {
        assert!(small.is_err(), "refused at 2,500 rows but not at 3");
        return;
    };
    match small {
        Ok(s) => assert_eq!(s, rows, "the row limit changed the rows read"),
        Err(t) => assert!(t.rows > 3, "refused at 3 rows with {} rows", t.rows),
    }
    for (i, row) in rows.iter().enumerate() {
        match row {
            Ok(r) => {
                assert_eq!(r.row, i + 1, "rows not numbered 1, 2, 3, ...");
                assert!(r.users.iter().all(|u| !u.is_empty() && u.trim() == u));
                let _ = r.plate.as_deref().map(Plate::parse);
                let _ = r.state.as_deref().map(Jurisdiction::parse);
                let _ = r.reason_code.as_deref().map(ReasonCode::parse);
                let _ = r.note.as_deref().map(Note::parse);
                let _ = NotifyScope::parse(&r.scope);
            }
            Err(v) => {
                assert_eq!(v.code, "row_malformed");
                assert_eq!(v.field, format!("rows[{}]", i + 1));
            }
        }
    }
});
