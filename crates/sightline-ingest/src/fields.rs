//! Field validation shared by every format: raw values in, domain types out,
//! each problem pushed as a [`Violation`] so that a record reports all of
//! them at once.
//!
//! `field` is the name as the input spelt it; the code is always built from
//! the logical (native) field name, so clients can switch on it whatever the
//! format.

use crate::codes;
use crate::json::Field;
use crate::{MAX_CLOCK_SKEW, PhotoData};
use sightline_core::plate::PlateError;
use sightline_core::purpose::Violation;
use sightline_core::text::TextError;
use sightline_core::text::read_text::{PlaceText, SourceReadId};
use sightline_core::{GeoPoint, Jurisdiction, Plate};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Longest camera identifier accepted.
pub(crate) const MAX_CAMERA_ID_CHARS: usize = 200;

/// How much of a rejected record's own id is echoed back.
const ECHO_ID_CHARS: usize = 200;

/// The record's id as sent, cut to a length safe to echo back.
pub(crate) fn echo_id(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.chars().take(ECHO_ID_CHARS).collect())
}

/// A text field that is present only when non-blank.
pub(crate) fn non_blank(raw: Field<&str>) -> Field<&str> {
    match raw {
        Field::Present(s) if s.trim().is_empty() => Field::Absent,
        other => other,
    }
}

fn text_violation(logical: &str, field: &str, what: &str, e: &TextError) -> Violation {
    match e {
        TextError::Empty => Violation::new(
            &format!("{logical}_required"),
            field,
            format!("{what} is required"),
        ),
        other => Violation::new(
            &format!("{logical}_invalid"),
            field,
            format!("{what} {other}"),
        ),
    }
}

pub(crate) fn source_read_id(
    field: &str,
    raw: Field<&str>,
    errs: &mut Vec<Violation>,
) -> Option<SourceReadId> {
    const WHAT: &str = "the source's identifier for the read";
    match raw {
        Field::Malformed => None,
        Field::Absent => {
            errs.push(Violation::new(
                codes::SOURCE_READ_ID_REQUIRED,
                field,
                format!("{WHAT} is required: it makes a resent read a no-op"),
            ));
            None
        }
        Field::Present(s) => match SourceReadId::parse(s) {
            Ok(id) => Some(id),
            Err(e) => {
                let mut v = text_violation("source_read_id", field, WHAT, &e);
                if v.code == codes::SOURCE_READ_ID_INVALID {
                    v = v.accepting(format!(
                        "1-{} characters, no control characters",
                        SourceReadId::MAX_CHARS
                    ));
                }
                errs.push(v);
                None
            }
        },
    }
}

/// Same mapping from [`PlateError`] as the query policy uses.
pub(crate) fn plate(field: &str, raw: Field<&str>, errs: &mut Vec<Violation>) -> Option<Plate> {
    let required = || Violation::new(codes::PLATE_REQUIRED, field, "a plate number is required");
    match raw {
        Field::Malformed => None,
        Field::Absent => {
            errs.push(required());
            None
        }
        Field::Present(s) => match Plate::parse(s) {
            Ok(p) => Some(p),
            Err(PlateError::Empty) => {
                errs.push(required());
                None
            }
            Err(e @ PlateError::Wildcard(_)) => {
                errs.push(
                    Violation::new(codes::PLATE_WILDCARD, field, e.to_string()).accepting(
                        "one complete plate number; wildcard and pattern characters are not plate characters",
                    ),
                );
                None
            }
            Err(e) => {
                errs.push(
                    Violation::new(codes::PLATE_INVALID, field, e.to_string())
                        .accepting("1-8 letters A-Z and digits 0-9; spaces and dashes are ignored"),
                );
                None
            }
        },
    }
}

pub(crate) fn state(
    field: &str,
    raw: Field<&str>,
    errs: &mut Vec<Violation>,
) -> Option<Jurisdiction> {
    match non_blank(raw) {
        Field::Malformed => None,
        Field::Absent => {
            errs.push(Violation::new(
                codes::STATE_REQUIRED,
                field,
                "the state (jurisdiction) of registration is required",
            ));
            None
        }
        Field::Present(s) => match Jurisdiction::parse(s) {
            Ok(j) => Some(j),
            Err(e) => {
                errs.push(
                    Violation::new(codes::STATE_UNKNOWN, field, e.to_string()).accepting(
                        "a USPS code (e.g. PA, DC, PR), a state name, an OpenALPR region (us-pa), or FED / DIP",
                    ),
                );
                None
            }
        },
    }
}

fn captured_at_required(field: &str) -> Violation {
    Violation::new(
        codes::CAPTURED_AT_REQUIRED,
        field,
        "the capture date and time is required",
    )
}

fn not_in_future(
    field: &str,
    t: OffsetDateTime,
    now: OffsetDateTime,
    errs: &mut Vec<Violation>,
) -> Option<OffsetDateTime> {
    let t = t.to_offset(UtcOffset::UTC);
    if t > now + MAX_CLOCK_SKEW {
        errs.push(
            Violation::new(
                codes::CAPTURED_AT_IN_FUTURE,
                field,
                format!(
                    "the capture time {} is more than {} minutes in the future; check the camera's clock",
                    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string()),
                    MAX_CLOCK_SKEW.whole_minutes()
                ),
            )
            .accepting(format!(
                "a time no later than {} minutes from now",
                MAX_CLOCK_SKEW.whole_minutes()
            )),
        );
        return None;
    }
    Some(t)
}

/// An RFC 3339 date-time, e.g. `2026-11-20T12:00:00Z`.
pub(crate) fn captured_at_rfc3339(
    field: &str,
    raw: Field<&str>,
    now: OffsetDateTime,
    errs: &mut Vec<Violation>,
) -> Option<OffsetDateTime> {
    match non_blank(raw) {
        Field::Malformed => None,
        Field::Absent => {
            errs.push(captured_at_required(field));
            None
        }
        Field::Present(s) => match OffsetDateTime::parse(s.trim(), &Rfc3339) {
            Ok(t) => not_in_future(field, t, now, errs),
            Err(e) => {
                errs.push(
                    Violation::new(
                        codes::CAPTURED_AT_INVALID,
                        field,
                        format!("'{}' is not an RFC 3339 date and time: {e}", clip(s)),
                    )
                    .accepting("RFC 3339, e.g. 2026-11-20T12:00:00Z or 2026-11-20T07:00:00-05:00"),
                );
                None
            }
        },
    }
}

/// Milliseconds since the Unix epoch (OpenALPR `epoch_time` / `epoch_start`).
pub(crate) fn captured_at_epoch_ms(
    field: &str,
    raw: Field<i128>,
    now: OffsetDateTime,
    errs: &mut Vec<Violation>,
) -> Option<OffsetDateTime> {
    match raw {
        Field::Malformed => None,
        Field::Absent => {
            errs.push(captured_at_required(field));
            None
        }
        Field::Present(ms) => {
            let t = ms
                .checked_mul(1_000_000)
                .filter(|_| ms > 0)
                .and_then(|ns| OffsetDateTime::from_unix_timestamp_nanos(ns).ok());
            match t {
                Some(t) => not_in_future(field, t, now, errs),
                None => {
                    errs.push(
                        Violation::new(
                            codes::CAPTURED_AT_INVALID,
                            field,
                            format!(
                                "{ms} is not a time in milliseconds since 1970-01-01T00:00:00Z"
                            ),
                        )
                        .accepting("a positive integer of milliseconds since the Unix epoch"),
                    );
                    None
                }
            }
        }
    }
}

/// GPS coordinates: both parts or neither. A part of the wrong JSON type has
/// already been reported.
pub(crate) fn location(
    field: &str,
    lat: Field<f64>,
    lon: Field<f64>,
    errs: &mut Vec<Violation>,
) -> Option<GeoPoint> {
    let invalid = |message: String| {
        Violation::new(codes::LOCATION_INVALID, field, message)
            .accepting("latitude -90 to 90 and longitude -180 to 180, in decimal degrees (WGS 84)")
    };
    match (lat, lon) {
        (Field::Absent, Field::Absent) => None,
        (Field::Malformed, _) | (_, Field::Malformed) => None,
        (Field::Present(_), Field::Absent) => {
            errs.push(invalid("a latitude was given without a longitude".into()));
            None
        }
        (Field::Absent, Field::Present(_)) => {
            errs.push(invalid("a longitude was given without a latitude".into()));
            None
        }
        (Field::Present(lat), Field::Present(lon)) => match GeoPoint::new(lat, lon) {
            Ok(p) => Some(p),
            Err(e) => {
                errs.push(invalid(e.to_string()));
                None
            }
        },
    }
}

/// A nearest address or intersection: optional here, bounded when present.
pub(crate) fn place(
    logical: &str,
    field: &str,
    what: &str,
    raw: Field<&str>,
    errs: &mut Vec<Violation>,
) -> Option<PlaceText> {
    match non_blank(raw) {
        Field::Absent | Field::Malformed => None,
        Field::Present(s) => match PlaceText::parse(s) {
            Ok(p) => Some(p),
            Err(e) => {
                errs.push(text_violation(logical, field, what, &e).accepting(format!(
                    "1-{} characters, no control characters",
                    PlaceText::MAX_CHARS
                )));
                None
            }
        },
    }
}

/// A camera identifier: optional, bounded, printable.
pub(crate) fn camera_id(field: &str, raw: &str, errs: &mut Vec<Violation>) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    let len = t.chars().count();
    if len > MAX_CAMERA_ID_CHARS || t.chars().any(char::is_control) {
        errs.push(
            Violation::new(
                codes::CAMERA_ID_INVALID,
                field,
                format!(
                    "the camera id must be 1-{MAX_CAMERA_ID_CHARS} characters with no control characters"
                ),
            )
            .accepting(format!("1-{MAX_CAMERA_ID_CHARS} printable characters")),
        );
        return None;
    }
    Some(t.to_owned())
}

/// The name of a multipart part carrying a photo.
pub(crate) fn part_name(field: &str, raw: &str, errs: &mut Vec<Violation>) -> Option<PhotoData> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
        errs.push(
            Violation::new(
                codes::PHOTO_INVALID,
                field,
                "a photo's multipart part name must be 1-200 characters with no control characters",
            )
            .accepting(r#"{"part": "name of a multipart part sent with the records"}"#),
        );
        return None;
    }
    Some(PhotoData::Part(t.to_owned()))
}

/// Input echoed into a message, cut short.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() > MAX {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

    fn codes_of(errs: &[Violation]) -> Vec<&str> {
        errs.iter().map(|e| e.code.as_str()).collect()
    }

    #[test]
    fn capture_time_skew_is_five_minutes() {
        let mut errs = Vec::new();
        let ok = captured_at_rfc3339("t", Field::Present("2026-11-21T12:05:00Z"), NOW, &mut errs);
        assert_eq!(ok, Some(datetime!(2026-11-21 12:05 UTC)));
        let late = captured_at_rfc3339("t", Field::Present("2026-11-21T12:05:01Z"), NOW, &mut errs);
        assert_eq!(late, None);
        assert_eq!(codes_of(&errs), ["captured_at_in_future"]);
    }

    #[test]
    fn capture_time_is_normalised_to_utc() {
        let mut errs = Vec::new();
        let t = captured_at_rfc3339(
            "t",
            Field::Present("2026-11-20T07:00:00-05:00"),
            NOW,
            &mut errs,
        )
        .unwrap();
        assert_eq!(t, datetime!(2026-11-20 12:00 UTC));
        assert_eq!(t.offset(), UtcOffset::UTC);
    }

    #[test]
    fn epoch_ms_bounds() {
        let mut errs = Vec::new();
        assert_eq!(
            captured_at_epoch_ms("e", Field::Present(1_538_924_513_527), NOW, &mut errs),
            Some(datetime!(2018-10-07 15:01:53.527 UTC))
        );
        assert_eq!(
            captured_at_epoch_ms("e", Field::Present(-5), NOW, &mut errs),
            None
        );
        assert_eq!(
            captured_at_epoch_ms("e", Field::Present(i128::MAX), NOW, &mut errs),
            None
        );
        assert_eq!(
            captured_at_epoch_ms("e", Field::Absent, NOW, &mut errs),
            None
        );
        assert_eq!(
            codes_of(&errs),
            [
                "captured_at_invalid",
                "captured_at_invalid",
                "captured_at_required"
            ]
        );
    }

    #[test]
    fn location_needs_both_parts_in_range() {
        let mut errs = Vec::new();
        assert!(location("l", Field::Present(1.0), Field::Present(2.0), &mut errs).is_some());
        assert!(location("l", Field::Absent, Field::Absent, &mut errs).is_none());
        assert!(errs.is_empty());
        assert!(location("l", Field::Present(1.0), Field::Absent, &mut errs).is_none());
        assert!(location("l", Field::Present(91.0), Field::Present(0.0), &mut errs).is_none());
        assert!(location("l", Field::Malformed, Field::Present(0.0), &mut errs).is_none());
        assert_eq!(codes_of(&errs), ["location_invalid", "location_invalid"]);
    }

    #[test]
    fn camera_id_is_bounded() {
        let mut errs = Vec::new();
        assert_eq!(
            camera_id("c", " site/7 ", &mut errs).as_deref(),
            Some("site/7")
        );
        assert_eq!(camera_id("c", "  ", &mut errs), None);
        assert_eq!(camera_id("c", &"x".repeat(201), &mut errs), None);
        assert_eq!(codes_of(&errs), ["camera_id_invalid"]);
    }
}
