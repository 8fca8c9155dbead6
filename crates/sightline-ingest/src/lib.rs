//! Ingest formats: raw bytes from a data source in, validated read drafts out.
//!
//! Where this crate sits in the data flow (R1):
//!
//! ```text
//! sources ──► ingest parse ──► complete ──► jurisdiction policy ──► store
//! (HTTP body,  (this crate:     (this crate:  (collection allowed?   (photos as
//!  CSV file)    per-record       camera site   retention; not here)   blobs, reads)
//!               violations)      + required
//!                                fields)
//! ```
//!
//! 1. A parser turns one input format into [`ParsedRead`]s, each field
//!    already a validated domain type, plus one [`RecordError`] per rejected
//!    record listing **every** [`Violation`] of that record. A whole body that
//!    cannot be read at all is a [`BodyError`]. Formats:
//!    - native JSON, a top-level array: [`parse_json_array`];
//!    - native NDJSON, one record a line: [`parse_ndjson`];
//!    - the JSON OpenALPR / Rekor agents POST (`alpr_group`, `alpr_results`):
//!      [`parse_openalpr`]; with their `heartbeat`s: [`parse_openalpr_message`];
//!    - CSV bulk files, streamed: [`csv_reads`];
//!    - the alert-list upload CSV, split into raw rows: [`alert_csv_rows`].
//! 2. [`complete`] fills what a format leaves to per-camera configuration
//!    ([`CameraSite`]) and insists on every field a stored read needs, giving
//!    a [`ReadDraft`].
//! 3. The caller (storage / HTTP layer) resolves photo references
//!    ([`PhotoData::Part`], [`PhotoData::Path`]), checks their bytes with
//!    [`check_photo`], applies the jurisdiction policy and stores the read.
//!
//! Nothing here touches a database, the network, the file system or the
//! clock: "now" is always passed in. No input, however malformed, panics.
//!
//! # Violation codes
//!
//! Every field error is a [`Violation`] whose `code` is stable snake_case and
//! names the *logical* field (the native format's name: `plate`, `state`,
//! `captured_at`, ...), while `field` names the field as the input spelt it
//! (for OpenALPR e.g. `best_plate_number` or `epoch_start`, for CSV the
//! column). The codes are listed in [`codes`].

mod alert_csv;
mod complete;
mod csv_file;
mod error;
mod fields;
mod heartbeat;
mod json;
mod lean;
mod native;
mod ndjson;
mod openalpr;
mod photo;
#[cfg(test)]
mod proptests;
mod reads_part;

pub use alert_csv::{AlertCsvRow, AlertCsvTooLarge, alert_csv_rows};
pub use complete::{CameraSite, ReadDraft, complete};
pub use csv_file::{CSV_COLUMNS, CsvReads, csv_reads};
pub use error::BodyError;
pub use heartbeat::{Heartbeat, StreamHealth};
pub use native::{parse_json_array, parse_json_array_max};
pub use ndjson::{parse_ndjson, parse_ndjson_max};
pub use openalpr::{OpenAlprMessage, parse_openalpr, parse_openalpr_message};
pub use photo::{MAX_PHOTO_BYTES, check_photo};
pub use reads_part::{is_ndjson_media, parse_native, reads_part_is_ndjson};

pub use sightline_core::purpose::Violation;

use sightline_core::agent::{AgentUuid, CropBox};
use sightline_core::read::VehicleAttributes;
use sightline_core::text::read_text::{PlaceText, SourceReadId};
use sightline_core::{GeoPoint, Jurisdiction, Plate};
use std::fmt;
use time::OffsetDateTime;

/// How far in the future (after the `now` passed in) a capture time may lie
/// before it is refused: camera clocks drift.
pub const MAX_CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// The stable violation codes this crate produces.
pub mod codes {
    pub const SOURCE_READ_ID_REQUIRED: &str = "source_read_id_required";
    pub const SOURCE_READ_ID_INVALID: &str = "source_read_id_invalid";
    pub const PLATE_REQUIRED: &str = "plate_required";
    pub const PLATE_WILDCARD: &str = "plate_wildcard";
    pub const PLATE_INVALID: &str = "plate_invalid";
    pub const STATE_REQUIRED: &str = "state_required";
    pub const STATE_UNKNOWN: &str = "state_unknown";
    pub const CAPTURED_AT_REQUIRED: &str = "captured_at_required";
    pub const CAPTURED_AT_INVALID: &str = "captured_at_invalid";
    pub const CAPTURED_AT_IN_FUTURE: &str = "captured_at_in_future";
    pub const LOCATION_REQUIRED: &str = "location_required";
    pub const LOCATION_INVALID: &str = "location_invalid";
    pub const NEAREST_ADDRESS_REQUIRED: &str = "nearest_address_required";
    pub const NEAREST_ADDRESS_INVALID: &str = "nearest_address_invalid";
    pub const NEAREST_INTERSECTION_REQUIRED: &str = "nearest_intersection_required";
    pub const NEAREST_INTERSECTION_INVALID: &str = "nearest_intersection_invalid";
    pub const CAMERA_ID_INVALID: &str = "camera_id_invalid";
    pub const VEHICLE_PHOTO_REQUIRED: &str = "vehicle_photo_required";
    pub const PLATE_PHOTO_REQUIRED: &str = "plate_photo_required";
    pub const PHOTO_INVALID: &str = "photo_invalid";
    pub const PHOTO_TOO_LARGE: &str = "photo_too_large";
    pub const RECORD_MALFORMED: &str = "record_malformed";

    /// Every code above.
    pub const ALL: &[&str] = &[
        SOURCE_READ_ID_REQUIRED,
        SOURCE_READ_ID_INVALID,
        PLATE_REQUIRED,
        PLATE_WILDCARD,
        PLATE_INVALID,
        STATE_REQUIRED,
        STATE_UNKNOWN,
        CAPTURED_AT_REQUIRED,
        CAPTURED_AT_INVALID,
        CAPTURED_AT_IN_FUTURE,
        LOCATION_REQUIRED,
        LOCATION_INVALID,
        NEAREST_ADDRESS_REQUIRED,
        NEAREST_ADDRESS_INVALID,
        NEAREST_INTERSECTION_REQUIRED,
        NEAREST_INTERSECTION_INVALID,
        CAMERA_ID_INVALID,
        VEHICLE_PHOTO_REQUIRED,
        PLATE_PHOTO_REQUIRED,
        PHOTO_INVALID,
        PHOTO_TOO_LARGE,
        RECORD_MALFORMED,
    ];
}

/// Photo bytes or a reference to them, as the input carried it.
#[derive(Clone, PartialEq, Eq)]
pub enum PhotoData {
    /// Decoded bytes that already passed [`check_photo`].
    Inline(Vec<u8>),
    /// The name of a multipart part sent alongside the records; the caller
    /// fetches it and runs [`check_photo`].
    Part(String),
    /// CSV: a path as written in the file, relative to the CSV file's
    /// directory. The caller resolves and reads it and runs [`check_photo`].
    Path(std::path::PathBuf),
    /// OpenALPR: the record carries no photo, but the agent that sent it
    /// serves one. The caller fetches it from the source's registered agent
    /// image service (never from anything in the payload) and runs
    /// [`check_photo`].
    Agent(AgentPhoto),
}

/// A photo on the agent's image service, named by what the payload may
/// contribute: a validated capture UUID and, for a crop, a pixel box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentPhoto {
    /// The full frame: `/img/{uuid}.jpg`.
    Frame(AgentUuid),
    /// The plate crop: `/crop/{uuid}?x1=..&y1=..&x2=..&y2=..`.
    Crop(AgentUuid, CropBox),
}

impl fmt::Debug for PhotoData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PhotoData::Inline(bytes) => write!(f, "Inline({} bytes)", bytes.len()),
            PhotoData::Part(name) => f.debug_tuple("Part").field(name).finish(),
            PhotoData::Path(path) => f.debug_tuple("Path").field(path).finish(),
            PhotoData::Agent(photo) => f.debug_tuple("Agent").field(photo).finish(),
        }
    }
}

/// A record that parsed and whose fields are each valid. Location and
/// addresses may be absent when the format relies on per-camera
/// configuration (OpenALPR); photos may be absent too. [`complete`] decides.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRead {
    pub source_read_id: SourceReadId,
    pub plate: Plate,
    /// The state (jurisdiction) of registration.
    pub jurisdiction: Jurisdiction,
    /// Always in UTC.
    pub captured_at: OffsetDateTime,
    pub location: Option<GeoPoint>,
    pub nearest_address: Option<PlaceText>,
    pub nearest_intersection: Option<PlaceText>,
    /// The camera as the source names it. OpenALPR: `"<site_id>/<camera_id>"`
    /// (just `"<camera_id>"` when the agent sent no `site_id`). Native and
    /// CSV: the optional `camera_id` field / column, as written.
    pub camera_id: Option<String>,
    pub vehicle_photo: Option<PhotoData>,
    pub plate_photo: Option<PhotoData>,
    /// The camera's vehicle analysis (OpenALPR `vehicle`), where present.
    pub vehicle: Option<VehicleAttributes>,
}

/// One rejected record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// Where the record was in the input:
    /// - JSON array: the 0-based element index;
    /// - NDJSON: the 0-based physical line index (blank lines count, so the
    ///   line number is `index + 1`);
    /// - OpenALPR: 0 for `alpr_group`, the 0-based position in `results[]`
    ///   for `alpr_results`;
    /// - CSV: the 1-based data row number, not counting the header.
    pub index: usize,
    /// The 1-based physical line of the record where known (NDJSON, CSV).
    pub line: Option<u64>,
    /// The record's own identifier, as sent, where one could be read
    /// (at most 200 characters of it).
    pub source_read_id: Option<String>,
    /// Every problem with the record; never empty.
    pub violations: Vec<Violation>,
}

/// The outcome of parsing a batch: what passed, with each record's index
/// (same meaning as [`RecordError::index`]), and what did not. Both lists are
/// in input order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub records: Vec<(usize, ParsedRead)>,
    pub errors: Vec<RecordError>,
}

impl Parsed {
    pub(crate) fn push(&mut self, index: usize, line: Option<u64>, outcome: RecordOutcome) {
        match outcome {
            Ok(read) => self.records.push((index, read)),
            Err(rejected) => self.errors.push(rejected.at(index, line)),
        }
    }
}

/// A record's violations before its position is known.
#[derive(Debug)]
pub(crate) struct Rejected {
    pub source_read_id: Option<String>,
    pub violations: Vec<Violation>,
}

impl Rejected {
    pub(crate) fn at(self, index: usize, line: Option<u64>) -> RecordError {
        RecordError {
            index,
            line,
            source_read_id: self.source_read_id,
            violations: self.violations,
        }
    }
}

pub(crate) type RecordOutcome = Result<ParsedRead, Rejected>;
