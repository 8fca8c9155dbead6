//! CSV bulk files, streamed row by row (for the CLI bulk importer).
//!
//! A header row is required. Columns, in any order (names are matched
//! case-insensitively; extra columns are ignored):
//!
//! | column | |
//! |---|---|
//! | `source_read_id`, `plate`, `state`, `captured_at` (RFC 3339) | always required |
//! | `vehicle_photo`, `plate_photo` | always required: file paths, relative to the CSV file's directory ([`PhotoData::Path`]) |
//! | `lat`, `lon`, `nearest_address`, `nearest_intersection` | required, unless a `camera_id` column is present (the camera's configured site fills them) |
//! | `camera_id` | optional |
//!
//! An empty cell is the same as a missing value.

use crate::fields::{self, echo_id};
use crate::json::Field;
use crate::{BodyError, ParsedRead, PhotoData, RecordError, codes};
use sightline_core::purpose::Violation;
use std::io::Read;
use time::OffsetDateTime;

/// Every column [`csv_reads`] reads, in the documented order (`camera_id`,
/// optional, last).
pub const CSV_COLUMNS: &[&str] = &[
    "source_read_id",
    "plate",
    "state",
    "captured_at",
    "lat",
    "lon",
    "nearest_address",
    "nearest_intersection",
    "vehicle_photo",
    "plate_photo",
    "camera_id",
];

const ALWAYS: &[&str] = &[
    "source_read_id",
    "plate",
    "state",
    "captured_at",
    "vehicle_photo",
    "plate_photo",
];
const SITE: &[&str] = &["lat", "lon", "nearest_address", "nearest_intersection"];

/// Column positions, found from the header.
#[derive(Debug, Clone, Default)]
struct Columns {
    /// Indexed like [`CSV_COLUMNS`].
    at: [Option<usize>; CSV_COLUMNS.len()],
}

impl Columns {
    fn get<'r>(&self, name: &str, record: &'r csv::StringRecord) -> Option<&'r str> {
        let i = CSV_COLUMNS.iter().position(|c| *c == name)?;
        let col = (*self.at.get(i)?)?;
        record.get(col).map(str::trim).filter(|s| !s.is_empty())
    }
}

/// Streams [`ParsedRead`]s out of a CSV file, one row at a time. Each item
/// is `(row, read)` or a [`RecordError`] whose `index` is the 1-based data
/// row (not counting the header) and whose `line` is the physical line.
///
/// A row that is not valid UTF-8 is a `record_malformed` error and reading
/// goes on; a read error of the underlying stream is one last
/// `record_malformed` error, after which the iterator ends.
pub struct CsvReads<R> {
    reader: csv::Reader<R>,
    columns: Columns,
    now: OffsetDateTime,
    row: usize,
    record: csv::StringRecord,
    done: bool,
}

impl<R> std::fmt::Debug for CsvReads<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvReads")
            .field("columns", &self.columns)
            .field("row", &self.row)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Reads and checks the CSV header of `r`, then streams its rows.
///
/// A header that lacks required columns, names one twice or cannot be read
/// is a [`BodyError`].
pub fn csv_reads<R: Read>(r: R, now: OffsetDateTime) -> Result<CsvReads<R>, BodyError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(r);
    let header = reader.byte_headers().map_err(|e| BodyError::Csv {
        message: e.to_string(),
        line: e.position().map(csv::Position::line),
    })?;
    let mut columns = Columns::default();
    for (col, raw) in header.iter().enumerate() {
        let name = String::from_utf8_lossy(raw);
        let name = name
            .trim_start_matches('\u{feff}')
            .trim()
            .to_ascii_lowercase();
        if let Some(i) = CSV_COLUMNS.iter().position(|c| *c == name)
            && let Some(slot) = columns.at.get_mut(i)
        {
            if slot.is_some() {
                return Err(BodyError::CsvColumnDuplicated {
                    column: CSV_COLUMNS.get(i).copied().unwrap_or("?"),
                });
            }
            *slot = Some(col);
        }
    }
    let has = |name: &str| {
        CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .and_then(|i| columns.at.get(i).copied().flatten())
            .is_some()
    };
    let mut required: Vec<&'static str> = ALWAYS.to_vec();
    if !has("camera_id") {
        required.extend_from_slice(SITE);
    }
    let missing: Vec<&'static str> = required.iter().copied().filter(|c| !has(c)).collect();
    if !missing.is_empty() {
        return Err(BodyError::CsvColumnsMissing { missing, required });
    }
    Ok(CsvReads {
        reader,
        columns,
        now,
        row: 0,
        record: csv::StringRecord::new(),
        done: false,
    })
}

impl<R: Read> CsvReads<R> {
    fn parse_row(&self, line: Option<u64>) -> Result<(usize, ParsedRead), RecordError> {
        let cell = |name: &str| match self.columns.get(name, &self.record) {
            Some(s) => Field::Present(s),
            None => Field::Absent,
        };
        let mut errs = Vec::new();
        let raw_id = cell("source_read_id");
        let source_read_id = fields::source_read_id("source_read_id", raw_id, &mut errs);
        let plate = fields::plate("plate", cell("plate"), &mut errs);
        let jurisdiction = fields::state("state", cell("state"), &mut errs);
        let captured_at =
            fields::captured_at_rfc3339("captured_at", cell("captured_at"), self.now, &mut errs);
        let lat = number("lat", cell("lat"), &mut errs);
        let lon = number("lon", cell("lon"), &mut errs);
        let location = fields::location("lat,lon", lat, lon, &mut errs);
        let nearest_address = fields::place(
            "nearest_address",
            "nearest_address",
            "the nearest address",
            cell("nearest_address"),
            &mut errs,
        );
        let nearest_intersection = fields::place(
            "nearest_intersection",
            "nearest_intersection",
            "the nearest intersection",
            cell("nearest_intersection"),
            &mut errs,
        );
        let camera_id = cell("camera_id")
            .present()
            .and_then(|c| fields::camera_id("camera_id", c, &mut errs));
        let path = |name: &str| cell(name).present().map(|p| PhotoData::Path(p.into()));
        let vehicle_photo = path("vehicle_photo");
        let plate_photo = path("plate_photo");

        match (source_read_id, plate, jurisdiction, captured_at) {
            (Some(source_read_id), Some(plate), Some(jurisdiction), Some(captured_at))
                if errs.is_empty() =>
            {
                Ok((
                    self.row,
                    ParsedRead {
                        source_read_id,
                        plate,
                        jurisdiction,
                        captured_at,
                        location,
                        nearest_address,
                        nearest_intersection,
                        camera_id,
                        vehicle_photo,
                        plate_photo,
                        vehicle: None,
                    },
                ))
            }
            _ => Err(RecordError {
                index: self.row,
                line,
                source_read_id: raw_id.present().and_then(echo_id),
                violations: errs,
            }),
        }
    }
}

/// A decimal-degrees cell.
fn number(column: &str, raw: Field<&str>, errs: &mut Vec<Violation>) -> Field<f64> {
    match raw {
        Field::Present(s) => match s.parse::<f64>() {
            Ok(f) => Field::Present(f),
            Err(_) => {
                errs.push(
                    Violation::new(
                        codes::LOCATION_INVALID,
                        column,
                        format!("'{}' is not a number", fields::clip(s)),
                    )
                    .accepting("decimal degrees, e.g. 39.95 and -75.16"),
                );
                Field::Malformed
            }
        },
        Field::Absent => Field::Absent,
        Field::Malformed => Field::Malformed,
    }
}

impl<R: Read> Iterator for CsvReads<R> {
    type Item = Result<(usize, ParsedRead), RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.read_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                self.row = self.row.saturating_add(1);
                let line = self.record.position().map(csv::Position::line);
                Some(self.parse_row(line))
            }
            Err(e) => {
                self.row = self.row.saturating_add(1);
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
                    _ => {
                        // Anything but a bad row may not let the reader
                        // move on: stop here rather than loop.
                        self.done = true;
                        format!("the CSV stream could not be read further: {e}")
                    }
                };
                Some(Err(RecordError {
                    index: self.row,
                    line: e.position().map(csv::Position::line),
                    source_read_id: None,
                    violations: vec![Violation::new(codes::RECORD_MALFORMED, "record", message)],
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::tests::NOW;
    use time::macros::datetime;

    const HEADER: &str = "source_read_id,plate,state,captured_at,lat,lon,nearest_address,nearest_intersection,vehicle_photo,plate_photo";

    fn all(body: &str) -> Vec<Result<(usize, ParsedRead), RecordError>> {
        csv_reads(body.as_bytes(), NOW).unwrap().collect()
    }

    #[test]
    fn a_good_row() {
        let body = format!(
            "{HEADER}\nr1,ABC 123,PA,2026-11-20T12:00:00Z,39.95,-75.16,\"1500 Market St, Philadelphia, PA\",Market St & S 15th St,photos/v1.jpg,photos/p1.jpg\n"
        );
        let rows = all(&body);
        let [Ok((1, r))] = rows.as_slice() else {
            panic!("{rows:?}")
        };
        assert_eq!(r.plate.as_str(), "ABC123");
        assert_eq!(r.captured_at, datetime!(2026-11-20 12:00 UTC));
        assert_eq!(
            r.nearest_address.as_ref().unwrap().as_str(),
            "1500 Market St, Philadelphia, PA"
        );
        assert_eq!(
            r.vehicle_photo,
            Some(PhotoData::Path("photos/v1.jpg".into()))
        );
        assert_eq!(r.location.unwrap().lon(), -75.16);
    }

    #[test]
    fn column_order_is_free_and_extras_are_ignored() {
        let body = "Plate_Photo,extra,PLATE,state,captured_at,source_read_id,vehicle_photo,camera_id\n\
                    p.png,zzz,xyz1,nj,2026-11-20T12:00:00Z,r9,v.png,gate-2\n";
        let rows = all(body);
        let [Ok((1, r))] = rows.as_slice() else {
            panic!("{rows:?}")
        };
        assert_eq!(r.camera_id.as_deref(), Some("gate-2"));
        assert_eq!(r.location, None);
        assert_eq!(r.plate_photo, Some(PhotoData::Path("p.png".into())));
    }

    #[test]
    fn bad_rows_keep_row_and_line_numbers() {
        let body = format!(
            "{HEADER}\n\
             r1,ABC123,PA,2026-11-20T12:00:00Z,39.95,-75.16,a,b,v,p\n\
             r2,,XX,noon,north,-75.16,a,b,,\n\
             \"r3\nstill r3\",ABC123,PA,2026-11-20T12:00:00Z,,,a,b,v,p\n\
             r4,ABC123,PA,2026-11-20T12:00:00Z,39.95\n\
             r5,ABC123,PA,2026-11-20T12:00:00Z,39.95,200,a,b,v,p\n"
        );
        let rows = all(&body);
        assert_eq!(rows.len(), 5);
        assert!(matches!(rows[0], Ok((1, _))));
        let e = rows[1].as_ref().unwrap_err();
        assert_eq!(
            (e.index, e.line, e.source_read_id.as_deref()),
            (2, Some(3), Some("r2"))
        );
        let got: Vec<_> = e
            .violations
            .iter()
            .map(|v| (v.code.as_str(), v.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("plate_required", "plate"),
                ("state_unknown", "state"),
                ("captured_at_invalid", "captured_at"),
                ("location_invalid", "lat"),
            ]
        );
        // A quoted newline: the record starts on line 4, the next on line 6.
        let Ok((3, r3)) = &rows[2] else {
            panic!("{:?}", rows[2])
        };
        assert_eq!(r3.source_read_id.as_str(), "r3\nstill r3");
        assert_eq!(r3.location, None);
        let e = rows[3].as_ref().unwrap_err();
        assert_eq!((e.index, e.line), (4, Some(6)));
        assert_eq!(e.violations[0].code, "location_invalid");
        assert_eq!(e.violations[0].field, "lat,lon");
        let e = rows[4].as_ref().unwrap_err();
        assert_eq!(e.violations[0].code, "location_invalid");
    }

    #[test]
    fn invalid_utf8_row_is_skipped_not_fatal() {
        let mut body = format!("{HEADER}\n").into_bytes();
        body.extend_from_slice(b"r1,AB\xff,PA,2026-11-20T12:00:00Z,1,2,a,b,v,p\n");
        body.extend_from_slice(b"r2,AB1,PA,2026-11-20T12:00:00Z,1,2,a,b,v,p\n");
        let rows: Vec<_> = csv_reads(body.as_slice(), NOW).unwrap().collect();
        assert_eq!(rows.len(), 2);
        let e = rows[0].as_ref().unwrap_err();
        assert_eq!(
            (e.index, e.violations[0].code.as_str()),
            (1, "record_malformed")
        );
        assert!(matches!(rows[1], Ok((2, _))));
    }

    #[test]
    fn header_problems_are_body_errors() {
        let e = csv_reads("plate,state\nA,PA\n".as_bytes(), NOW).unwrap_err();
        let BodyError::CsvColumnsMissing { missing, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(
            missing,
            &[
                "source_read_id",
                "captured_at",
                "vehicle_photo",
                "plate_photo",
                "lat",
                "lon",
                "nearest_address",
                "nearest_intersection"
            ]
        );
        assert!(e.to_string().contains("source_read_id"), "{e}");
        assert_eq!(e.code(), "csv_columns_missing");
        let e = csv_reads(format!("{HEADER},PLATE\n").as_bytes(), NOW).unwrap_err();
        assert_eq!(e, BodyError::CsvColumnDuplicated { column: "plate" });
        assert!(csv_reads(&b""[..], NOW).is_err());
    }

    #[test]
    fn bom_and_blank_lines() {
        let body = format!("\u{feff}{HEADER}\n\nr1,ABC123,PA,2026-11-20T12:00:00Z,1,2,a,b,v,p\n\n");
        let rows = all(&body);
        assert_eq!(rows.len(), 1);
        assert!(matches!(rows[0], Ok((1, _))));
    }

    /// Found by the `ingest_csv` fuzz target: a lone CR ends a record, so
    /// two rows can start on one physical line; row numbers still count up.
    #[test]
    fn a_lone_cr_ends_a_row_on_the_same_line() {
        let body = format!("{HEADER}\nr1,A1,PA,noon,1,2,a,b,v,p\rr2,,PA\n");
        let rows = all(&body);
        let [Err(first), Err(second)] = rows.as_slice() else {
            panic!("{rows:?}")
        };
        assert_eq!((first.index, first.line), (1, Some(2)));
        assert_eq!((second.index, second.line), (2, Some(2)));
    }
}
