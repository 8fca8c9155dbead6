//! The native record format, one JSON object per read, and the JSON-array
//! batch of them.
//!
//! ```json
//! {"source_read_id": "cam7-000123", "plate": "ABC 123", "state": "PA",
//!  "captured_at": "2026-11-20T12:00:00Z",
//!  "location": {"lat": 39.95, "lon": -75.16},
//!  "nearest_address": "1500 Market St, Philadelphia, PA",
//!  "nearest_intersection": "Market St & S 15th St",
//!  "camera_id": "cam7",
//!  "vehicle_photo": {"base64": "..."}, "plate_photo": {"part": "p1"}}
//! ```
//!
//! `location`, the addresses, `camera_id` and the photos may be left out
//! here; [`crate::complete`] insists on what a stored read needs. Unknown
//! fields are ignored; `null` is the same as leaving a field out.

use crate::fields::{self, echo_id};
use crate::json::{Field, Obj, json_error_message, kind};
use crate::lean::Lean;
use crate::photo::decode_base64_photo;
use crate::{BodyError, Parsed, ParsedRead, PhotoData, RecordOutcome, Rejected, codes};
use serde::de;
use serde_json::Value;
use serde_json::value::RawValue;
use sightline_core::purpose::Violation;
use time::OffsetDateTime;

/// Parses a native-format body: a top-level JSON array of records.
///
/// A body that is not JSON, or JSON that is not an array, is a
/// [`BodyError`]; every element is then parsed on its own, and a bad one
/// becomes a [`crate::RecordError`] whose `index` is its 0-based position.
pub fn parse_json_array(body: &[u8], now: OffsetDateTime) -> Result<Parsed, BodyError> {
    parse_json_array_max(body, now, usize::MAX)
}

/// Like [`parse_json_array`], refusing a batch of more than `max_records`
/// elements ([`BodyError::TooManyRecords`]) as soon as the one past the
/// limit is met.
///
/// The array is streamed: each element is parsed (keeping only the fields
/// the format reads, see the `lean` module), checked and dropped before the
/// next, so memory follows the records kept, not the body's JSON tree.
pub fn parse_json_array_max(
    body: &[u8],
    now: OffsetDateTime,
    max_records: usize,
) -> Result<Parsed, BodyError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => {}
        first => return Err(not_an_array(body, first.copied())),
    }
    // JSON is UTF-8. Checked up front, because the lean parse skips the
    // fields it does not read without looking inside their strings.
    let body = std::str::from_utf8(body).map_err(|e| {
        let before = body.get(..e.valid_up_to()).unwrap_or_default();
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        BodyError::NotJson {
            message: "invalid UTF-8".into(),
            line,
            column,
        }
    })?;
    let mut de = serde_json::Deserializer::from_str(body);
    let mut over = false;
    let streamed = de::Deserializer::deserialize_seq(
        &mut de,
        Batch {
            now,
            max_records,
            over: &mut over,
        },
    )
    .and_then(|parsed| de.end().map(|()| parsed));
    match streamed {
        Ok(parsed) => Ok(parsed),
        Err(_) if over => Err(BodyError::TooManyRecords { limit: max_records }),
        Err(e) => Err(BodyError::not_json(&e)),
    }
}

/// The error for a body that does not start an array: not JSON at all, or
/// JSON of another type (told by its first byte, once it is known to be
/// JSON; skipping it allocates nothing).
fn not_an_array(body: &[u8], first: Option<u8>) -> BodyError {
    if let Err(e) = serde_json::from_slice::<de::IgnoredAny>(body) {
        return BodyError::not_json(&e);
    }
    let found = match first {
        Some(b'{') => "a single JSON object: wrap one read as [ {...} ], or send NDJSON",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    };
    BodyError::Shape {
        expected: "a JSON array of read records",
        found: found.to_owned(),
    }
}

/// Parses the top-level array element by element.
struct Batch<'a> {
    now: OffsetDateTime,
    max_records: usize,
    over: &'a mut bool,
}

impl<'de> de::Visitor<'de> for Batch<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array of read records")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
        let mut parsed = Parsed::default();
        let mut index = 0;
        // Each element is first only checked to be JSON (the borrowed raw
        // text, nothing allocated), then parsed on its own: a record that
        // is JSON but more than serde_json will build (nested past its
        // depth limit, a number past f64) is that record's error, and its
        // neighbours are still read.
        while let Some(raw) = seq.next_element::<&RawValue>()? {
            if index == self.max_records {
                *self.over = true;
                return Err(de::Error::custom("too many records"));
            }
            let outcome = match serde_json::from_str::<Lean>(raw.get()) {
                Ok(Lean(item)) => parse_record(&item, self.now),
                Err(e) => Err(unusable(&e)),
            };
            parsed.push(index, None, outcome);
            index += 1;
        }
        Ok(parsed)
    }
}

/// Parses one native record (an array element or an NDJSON line).
pub(crate) fn parse_record(item: &Value, now: OffsetDateTime) -> RecordOutcome {
    let Value::Object(map) = item else {
        return Err(Rejected {
            source_read_id: None,
            violations: vec![not_an_object(item)],
        });
    };
    let o = Obj::new(map);
    let mut errs = Vec::new();

    let raw_id = o.str("source_read_id", &mut errs);
    let echoed = raw_id.present().and_then(echo_id);
    let source_read_id = fields::source_read_id("source_read_id", raw_id, &mut errs);
    let plate = fields::plate("plate", o.str("plate", &mut errs), &mut errs);
    let jurisdiction = fields::state("state", o.str("state", &mut errs), &mut errs);
    let captured_at = fields::captured_at_rfc3339(
        "captured_at",
        o.str("captured_at", &mut errs),
        now,
        &mut errs,
    );
    let location = match o.object("location", &mut errs) {
        Field::Present(loc) => {
            let lat = loc.number("lat", &mut errs);
            let lon = loc.number("lon", &mut errs);
            if matches!((lat, lon), (Field::Absent, Field::Absent)) {
                errs.push(
                    Violation::new(
                        codes::LOCATION_INVALID,
                        "location",
                        "the location has neither 'lat' nor 'lon'",
                    )
                    .accepting(r#"{"lat": 39.95, "lon": -75.16}"#),
                );
                None
            } else {
                fields::location("location", lat, lon, &mut errs)
            }
        }
        Field::Absent | Field::Malformed => None,
    };
    let nearest_address = fields::place(
        "nearest_address",
        "nearest_address",
        "the nearest address",
        o.str("nearest_address", &mut errs),
        &mut errs,
    );
    let nearest_intersection = fields::place(
        "nearest_intersection",
        "nearest_intersection",
        "the nearest intersection",
        o.str("nearest_intersection", &mut errs),
        &mut errs,
    );
    let camera_id = o
        .str_or_number("camera_id", &mut errs)
        .present()
        .and_then(|c| fields::camera_id("camera_id", &c, &mut errs));
    let vehicle_photo = photo(&o, "vehicle_photo", &mut errs);
    let plate_photo = photo(&o, "plate_photo", &mut errs);

    match (source_read_id, plate, jurisdiction, captured_at) {
        (Some(source_read_id), Some(plate), Some(jurisdiction), Some(captured_at))
            if errs.is_empty() =>
        {
            Ok(ParsedRead {
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
            })
        }
        _ => Err(Rejected {
            source_read_id: echoed,
            violations: errs,
        }),
    }
}

/// A record that is JSON, but one the parser will not build.
fn unusable(e: &serde_json::Error) -> Rejected {
    Rejected {
        source_read_id: None,
        violations: vec![
            Violation::new(
                codes::RECORD_MALFORMED,
                "record",
                format!(
                    "the record cannot be read: {} (column {} of the record)",
                    json_error_message(e),
                    e.column()
                ),
            )
            .accepting(
                "a JSON object nested at most 128 deep, with numbers a 64-bit float can hold",
            ),
        ],
    }
}

pub(crate) fn not_an_object(item: &Value) -> Violation {
    Violation::new(
        codes::RECORD_MALFORMED,
        "record",
        format!("a read record must be a JSON object, not {}", kind(item)),
    )
    .accepting("a JSON object with source_read_id, plate, state, captured_at, ...")
}

const PHOTO_SHAPES: &str =
    r#"{"base64": "<standard base64>"} or {"part": "<multipart part name>"}"#;

/// `{"base64": "..."}` or `{"part": "name"}`.
fn photo(o: &Obj<'_>, key: &str, errs: &mut Vec<Violation>) -> Option<PhotoData> {
    let Field::Present(p) = o.object(key, errs) else {
        return None;
    };
    let b64 = p.str("base64", errs);
    let part = p.str("part", errs);
    match (b64, part) {
        (Field::Malformed, _) | (_, Field::Malformed) => None,
        (Field::Present(_), Field::Present(_)) => {
            errs.push(
                Violation::new(
                    codes::PHOTO_INVALID,
                    key,
                    "a photo is either inline ('base64') or a multipart part ('part'), not both",
                )
                .accepting(PHOTO_SHAPES),
            );
            None
        }
        (Field::Absent, Field::Absent) => {
            let message = if p.has("url") {
                "photos cannot be fetched from a URL: send the bytes as 'base64' or a multipart 'part'"
            } else {
                "a photo object needs 'base64' or 'part'"
            };
            errs.push(Violation::new(codes::PHOTO_INVALID, key, message).accepting(PHOTO_SHAPES));
            None
        }
        (Field::Present(text), Field::Absent) => match decode_base64_photo(key, text) {
            Ok(bytes) => Some(PhotoData::Inline(bytes)),
            Err(v) => {
                errs.push(v);
                None
            }
        },
        (Field::Absent, Field::Present(name)) => fields::part_name(key, name, errs),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::photo::tests::{TINY_JPEG, TINY_PNG, b64};
    use serde_json::json;
    use time::macros::datetime;

    pub(crate) const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

    pub(crate) fn good() -> Value {
        json!({
            "source_read_id": "cam7-000123",
            "plate": "ABC 123",
            "state": "PA",
            "captured_at": "2026-11-20T12:00:00Z",
            "location": {"lat": 39.95, "lon": -75.16},
            "nearest_address": "1500 Market St, Philadelphia, PA",
            "nearest_intersection": "Market St & S 15th St",
            "vehicle_photo": {"base64": b64(TINY_JPEG)},
            "plate_photo": {"part": "p1"},
            "some_vendor_field": [1, 2, 3]
        })
    }

    /// Found by the fuzzer: invalid UTF-8 inside a vendor field the lean
    /// parse skips was accepted, though the body is not JSON.
    #[test]
    fn invalid_utf8_in_a_skipped_field_is_not_json() {
        let mut read = good();
        read["some_vendor_field"] = json!("ZZZZ");
        let text = serde_json::to_vec(&json!([read])).unwrap();
        let at = text.windows(4).position(|w| w == b"ZZZZ").unwrap();
        let mut body = text.clone();
        body.splice(at..at + 4, [0xff, 0xfe, 0xff, 0xfe]);
        // The same body with valid text is accepted.
        assert_eq!(parse_json_array(&text, NOW).unwrap().records.len(), 1);
        assert!(matches!(
            parse_json_array(&body, NOW),
            Err(BodyError::NotJson { line: 1, .. })
        ));
    }

    /// Found by the fuzzer: JSON that serde_json will not build as a
    /// `Value` (nesting past its limit of 128, a number past f64) is still
    /// JSON. In a field the format skips it is ignored; in one it reads it
    /// is that record's error; either way the neighbours are kept.
    #[test]
    fn json_past_the_parsers_limits_costs_one_record_at_most() {
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let deep_map = |n: usize| format!("{}1{}", r#"{"location":"#.repeat(n), "}".repeat(n));
        let read = |id: &str, extra: &str| {
            let mut r = good();
            r["source_read_id"] = json!(id);
            let text = r.to_string();
            format!("{}, {extra}}}", text.strip_suffix('}').unwrap())
        };
        let body = format!(
            "[{}, {}, {}, {}]",
            read("skipped-deep", &format!(r#""vendor": {}"#, deep(5000))),
            read("skipped-huge", r#""vendor": 1e400"#),
            read("kept-huge", r#""location": {"lat": 1e400, "lon": 1}"#),
            read("kept-deep", &format!(r#""location": {}"#, deep_map(200))),
        );
        let parsed = parse_json_array(body.as_bytes(), NOW).unwrap();
        let kept: Vec<_> = parsed
            .records
            .iter()
            .map(|(_, r)| r.source_read_id.as_str())
            .collect();
        assert_eq!(kept, ["skipped-deep", "skipped-huge"]);
        let rows: Vec<_> = parsed.errors.iter().map(|e| e.index).collect();
        assert_eq!(rows, [2, 3]);
        for e in &parsed.errors {
            assert_eq!(e.violations[0].code, codes::RECORD_MALFORMED);
            assert!(
                e.violations[0].message.contains("cannot be read"),
                "{:?}",
                e.violations
            );
        }
    }

    fn codes_of(r: &Rejected) -> Vec<&str> {
        r.violations.iter().map(|v| v.code.as_str()).collect()
    }

    fn reject(v: Value) -> Rejected {
        parse_record(&v, NOW).unwrap_err()
    }

    fn with(mut v: Value, key: &str, val: Value) -> Value {
        if let Some(m) = v.as_object_mut() {
            m.insert(key.to_owned(), val);
        }
        v
    }

    #[test]
    fn a_batch_past_its_limit_is_refused_without_reading_on() {
        let body = format!("[{},{},{}]", good(), good(), good());
        let at = parse_json_array_max(body.as_bytes(), NOW, 3).unwrap();
        assert_eq!(at.records.len(), 3);
        assert_eq!(
            parse_json_array_max(body.as_bytes(), NOW, 2),
            Err(BodyError::TooManyRecords { limit: 2 })
        );
        // Refused at the third element: the broken tail is never read.
        let broken = format!("[{},{},{}, this is not JSON", good(), good(), good());
        assert_eq!(
            parse_json_array_max(broken.as_bytes(), NOW, 2),
            Err(BodyError::TooManyRecords { limit: 2 })
        );
        // Within the limit, a broken body is still not JSON.
        assert_eq!(
            parse_json_array_max(broken.as_bytes(), NOW, 10)
                .unwrap_err()
                .code(),
            "body_not_json"
        );
        assert_eq!(
            crate::parse_ndjson_max(format!("{}\n\n{}\n", good(), good()).as_bytes(), NOW, 1),
            Err(BodyError::TooManyRecords { limit: 1 })
        );
    }

    #[test]
    fn shapes_other_than_an_array_are_named() {
        for (body, found) in [
            ("{}", "a single JSON object"),
            (" \"x\"", "a string"),
            ("true", "a boolean"),
            ("null", "null"),
            ("-1.5", "a number"),
        ] {
            match parse_json_array(body.as_bytes(), NOW) {
                Err(BodyError::Shape { found: f, .. }) => {
                    assert!(f.starts_with(found), "{body}: {f}")
                }
                other => panic!("{body}: {other:?}"),
            }
        }
        assert_eq!(
            parse_json_array(b"{", NOW).unwrap_err().code(),
            "body_not_json"
        );
        assert_eq!(
            parse_json_array(b"[] x", NOW).unwrap_err().code(),
            "body_not_json"
        );
        assert_eq!(parse_json_array(b" [ ] ", NOW).unwrap(), Parsed::default());
    }

    #[test]
    fn vendor_fields_are_skipped_but_known_ones_of_the_wrong_type_reported() {
        let mut v = good();
        v["vendor"] = json!([[0, 0, 0], {"a": [1, 2]}]);
        v["camera_id"] = json!([1, 2]);
        let body = format!("[{v}]");
        let parsed = parse_json_array(body.as_bytes(), NOW).unwrap();
        let e = &parsed.errors[0].violations[0];
        assert_eq!(
            (e.code.as_str(), e.field.as_str()),
            ("record_malformed", "camera_id")
        );
        assert!(e.message.contains("an array"), "{}", e.message);
    }

    #[test]
    fn the_documented_example_parses() {
        let r = parse_record(&good(), NOW).unwrap();
        assert_eq!(r.source_read_id.as_str(), "cam7-000123");
        assert_eq!(r.plate.as_str(), "ABC123");
        assert_eq!(r.plate.original(), "ABC 123");
        assert_eq!(r.jurisdiction.code(), "PA");
        assert_eq!(r.captured_at, datetime!(2026-11-20 12:00 UTC));
        let loc = r.location.unwrap();
        assert_eq!((loc.lat(), loc.lon()), (39.95, -75.16));
        assert_eq!(
            r.nearest_address.unwrap().as_str(),
            "1500 Market St, Philadelphia, PA"
        );
        assert_eq!(
            r.nearest_intersection.unwrap().as_str(),
            "Market St & S 15th St"
        );
        assert_eq!(r.vehicle_photo, Some(PhotoData::Inline(TINY_JPEG.to_vec())));
        assert_eq!(r.plate_photo, Some(PhotoData::Part("p1".into())));
        assert_eq!(r.camera_id, None);
    }

    #[test]
    fn optional_fields_may_be_left_out_or_null() {
        let v = json!({"source_read_id": "x", "plate": "abc1", "state": "pennsylvania",
            "captured_at": "2026-11-20T12:00:00Z", "location": null, "nearest_address": "",
            "camera_id": 42});
        let r = parse_record(&v, NOW).unwrap();
        assert_eq!(r.location, None);
        assert_eq!(r.nearest_address, None);
        assert_eq!(r.vehicle_photo, None);
        assert_eq!(r.camera_id.as_deref(), Some("42"));
    }

    #[test]
    fn every_violation_of_a_record_is_reported() {
        let v = json!({
            "plate": "AB*1", "state": "ZZ", "captured_at": "yesterday",
            "location": {"lat": 100, "lon": 0},
            "nearest_address": "x".repeat(301), "nearest_intersection": "a\u{7}b",
            "vehicle_photo": {"base64": "%%%"}, "plate_photo": {"base64": b64(b"GIF89a")}
        });
        let r = reject(v);
        assert_eq!(
            codes_of(&r),
            [
                "source_read_id_required",
                "plate_wildcard",
                "state_unknown",
                "captured_at_invalid",
                "location_invalid",
                "nearest_address_invalid",
                "nearest_intersection_invalid",
                "photo_invalid",
                "photo_invalid",
            ]
        );
        let fields: Vec<_> = r.violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields.last(), Some(&"plate_photo"));
        assert_eq!(r.source_read_id, None);
    }

    #[test]
    fn required_codes() {
        let r =
            reject(json!({"source_read_id": " ", "plate": " - ", "state": "", "captured_at": ""}));
        assert_eq!(
            codes_of(&r),
            [
                "source_read_id_required",
                "plate_required",
                "state_required",
                "captured_at_required"
            ]
        );
        let r = reject(json!({}));
        assert_eq!(
            codes_of(&r),
            [
                "source_read_id_required",
                "plate_required",
                "state_required",
                "captured_at_required"
            ]
        );
    }

    #[test]
    fn invalid_plate_future_time_and_long_id() {
        let v = with(good(), "plate", json!("ÄBC1"));
        let v = with(v, "captured_at", json!("2026-11-21T12:06:00Z"));
        let v = with(v, "source_read_id", json!("x".repeat(129)));
        let r = reject(v);
        assert_eq!(
            codes_of(&r),
            [
                "source_read_id_invalid",
                "plate_invalid",
                "captured_at_in_future"
            ]
        );
        // The id is echoed back, cut short, even though it was refused.
        assert_eq!(r.source_read_id.map(|s| s.len()), Some(129));
    }

    #[test]
    fn wrong_json_types_are_record_malformed_naming_the_field() {
        let v = with(good(), "plate", json!(123));
        let v = with(v, "location", json!("39.95,-75.16"));
        let v = with(v, "vehicle_photo", json!("base64..."));
        let r = reject(with(v, "state", json!(["PA"])));
        let got: Vec<_> = r
            .violations
            .iter()
            .map(|v| (v.code.as_str(), v.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("record_malformed", "plate"),
                ("record_malformed", "state"),
                ("record_malformed", "location"),
                ("record_malformed", "vehicle_photo"),
            ]
        );
        assert!(
            r.violations[0].message.contains("a number"),
            "{:?}",
            r.violations[0]
        );
        assert_eq!(r.source_read_id.as_deref(), Some("cam7-000123"));

        let r = reject(with(
            good(),
            "location",
            json!({"lat": "39.95", "lon": -75.16}),
        ));
        assert_eq!(r.violations[0].field, "location.lat");
    }

    #[test]
    fn photo_shapes() {
        let both = json!({"base64": b64(TINY_PNG), "part": "p"});
        let neither = json!({"url": "http://example.com/x.jpg"});
        let too_big = json!({"base64": "A".repeat(8 * 1024 * 1024)});
        for (photo, code) in [
            (both, "photo_invalid"),
            (neither, "photo_invalid"),
            (json!({"part": ""}), "photo_invalid"),
            (too_big, "photo_too_large"),
        ] {
            let r = reject(with(good(), "plate_photo", photo));
            assert_eq!(codes_of(&r), [code]);
            assert_eq!(r.violations[0].field, "plate_photo");
        }
    }

    #[test]
    fn location_without_coordinates() {
        let r = reject(with(good(), "location", json!({})));
        assert_eq!(codes_of(&r), ["location_invalid"]);
        let r = reject(with(good(), "location", json!({"lat": 1.0})));
        assert_eq!(codes_of(&r), ["location_invalid"]);
    }

    #[test]
    fn array_keeps_valid_records_with_their_indices() {
        let body = json!([
            good(),
            7,
            with(good(), "plate", json!("")),
            with(good(), "source_read_id", json!("b"))
        ]);
        let parsed = parse_json_array(body.to_string().as_bytes(), NOW).unwrap();
        let kept: Vec<_> = parsed
            .records
            .iter()
            .map(|(i, r)| (*i, r.source_read_id.as_str()))
            .collect();
        assert_eq!(kept, [(0, "cam7-000123"), (3, "b")]);
        let errs: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| {
                (
                    e.index,
                    e.violations[0].code.as_str(),
                    e.source_read_id.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            errs,
            [
                (1, "record_malformed", None),
                (2, "plate_required", Some("cam7-000123"))
            ]
        );
        assert_eq!(parsed.errors[0].violations[0].field, "record");
    }

    #[test]
    fn body_errors() {
        let e = parse_json_array(b"{\"plate\": 1}", NOW).unwrap_err();
        assert_eq!(e.code(), "body_shape_invalid");
        assert!(e.to_string().contains("NDJSON"), "{e}");
        let e = parse_json_array(b"[1,\n 2", NOW).unwrap_err();
        assert_eq!(e.code(), "body_not_json");
        assert_eq!(e.line(), Some(2));
        let e = parse_json_array(b"", NOW).unwrap_err();
        assert_eq!(e.code(), "body_not_json");
        assert!(parse_json_array(b"[]", NOW).unwrap().records.is_empty());
    }
}
