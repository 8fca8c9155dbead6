//! The JSON that OpenALPR / Rekor agents POST, so that existing cameras plug
//! in unchanged. Field names follow the agent's documented output
//! (`openalpr/doc`, "JSON Plate Results" and "JSON Group Results").
//!
//! - `alpr_group` (one per vehicle pass) is one record, index 0:
//!   - `source_read_id` ← `best_uuid` (else the first of `uuids`)
//!   - plate ← `best_plate_number` (else `best_plate.plate`)
//!   - state ← `best_region` (else `best_plate.region`), `us-pa` or `pa`
//!   - captured_at ← `epoch_start`, milliseconds since the Unix epoch
//!   - vehicle photo ← `vehicle_crop_jpeg`, else `overview_jpeg` (Rekor),
//!     else the agent's full frame of `best_uuid` ([`AgentPhoto::Frame`]);
//!   - plate photo ← `best_plate.plate_crop_jpeg`, else the agent's crop of
//!     `best_uuid` around `best_plate.coordinates` ([`AgentPhoto::Crop`],
//!     clamped to `best_image_width` × `best_image_height`)
//! - `alpr_results` (one per video frame) gives one record per element of
//!   `results[]`, index = its position there:
//!   - `source_read_id` ← `uuid`, plus `#<index>` when there are several
//!     results
//!   - plate ← `results[i].plate`; state ← `results[i].region`
//!   - captured_at ← `epoch_time` (ms)
//!   - plate photo ← `results[i].plate_crop_jpeg`, else the agent's crop of
//!     `uuid` around `results[i].coordinates`; vehicle photo ← a top-level
//!     `vehicle_crop_jpeg`, else `overview_jpeg`, else the agent's frame of
//!     `uuid`
//!
//! Agent photos are named only by the capture UUID, when it is of the
//! charset [`AgentUuid`] allows, and a box: the HTTP layer fetches them from
//! the source's registered image service, never from a host in the payload.
//!
//! Both: `camera_id` ← `"<site_id>/<camera_id>"` (`"<camera_id>"` when the
//! agent sent no `site_id`; ids may be numbers or strings); location ←
//! `gps_latitude` / `gps_longitude` when present and not both 0 (agents
//! without GPS send zeros); `vehicle` ← the first (best) guess of
//! `vehicle.make`, `make_model`, `color`, `body_type` and `year`, where
//! well formed (a malformed `vehicle` is left out, never a rejection).
//! Addresses are never in this format: they come from the camera's
//! configured [`crate::CameraSite`] in [`crate::complete`], as do location
//! and photos when absent.
//!
//! Violation `field`s use the agent's names (`best_plate_number`,
//! `results[2].region`, ...); codes use the logical names
//! (`plate_invalid`, `state_unknown`, ...).

use crate::fields::{self, echo_id};
use crate::heartbeat::heartbeat;
use crate::json::{Field, Obj, kind};
use crate::native::not_an_object;
use crate::photo::decode_base64_photo;
use crate::{
    AgentPhoto, BodyError, Heartbeat, Parsed, ParsedRead, PhotoData, RecordOutcome, Rejected,
};
use serde_json::{Map, Value};
use sightline_core::agent::{AgentUuid, CropBox};
use sightline_core::purpose::Violation;
use sightline_core::read::{VehicleAttributes, VehicleGuess};
use time::OffsetDateTime;

/// OpenALPR data types that are well known but carry no plate read.
const NOT_READS: &[&str] = &["heartbeat", "alpr_alert"];

/// What an OpenALPR agent POSTed: reads, or a heartbeat.
#[derive(Debug, Clone, PartialEq)]
pub enum OpenAlprMessage {
    Reads(Parsed),
    Heartbeat(Heartbeat),
}

/// Parses an OpenALPR agent body (`data_type` `alpr_group` or
/// `alpr_results`). Any other `data_type` is a [`BodyError`]: `heartbeat`
/// and `alpr_alert` as [`BodyError::NotReads`], the rest as
/// [`BodyError::UnknownDataType`]. An `alpr_results` body without a
/// `results` array is a [`BodyError::Shape`].
pub fn parse_openalpr(body: &[u8], now: OffsetDateTime) -> Result<Parsed, BodyError> {
    match parse_openalpr_message(body, now)? {
        OpenAlprMessage::Reads(p) => Ok(p),
        OpenAlprMessage::Heartbeat(_) => Err(BodyError::NotReads {
            data_type: "heartbeat".to_owned(),
        }),
    }
}

/// Like [`parse_openalpr`], but a `heartbeat` is a message of its own.
pub fn parse_openalpr_message(
    body: &[u8],
    now: OffsetDateTime,
) -> Result<OpenAlprMessage, BodyError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| BodyError::not_json(&e))?;
    let Value::Object(map) = &value else {
        return Err(BodyError::Shape {
            expected: "an OpenALPR JSON object with a 'data_type'",
            found: kind(&value).to_owned(),
        });
    };
    match map.get("data_type").and_then(Value::as_str).map(str::trim) {
        Some("alpr_group") => {
            let mut parsed = Parsed::default();
            parsed.push(0, None, group(map, now));
            Ok(OpenAlprMessage::Reads(parsed))
        }
        Some("alpr_results") => results(map, now).map(OpenAlprMessage::Reads),
        Some("heartbeat") => Ok(OpenAlprMessage::Heartbeat(heartbeat(map))),
        Some(t) if NOT_READS.contains(&t) => Err(BodyError::NotReads {
            data_type: t.to_owned(),
        }),
        found => Err(BodyError::UnknownDataType {
            found: found.map(fields::clip),
        }),
    }
}

/// A frame's size from two integer fields, when both are plausible.
fn frame_size(o: &Obj<'_>, w: &str, h: &str) -> Option<(u32, u32)> {
    let side = |k: &str| {
        o.integer(k, &mut Vec::new())
            .present()
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| (1..=sightline_core::agent::MAX_FRAME_SIDE).contains(v))
    };
    Some((side(w)?, side(h)?))
}

/// A plate's corner points (`coordinates: [{x, y}, ...]`); malformed ones
/// give no points (and so no crop to fetch).
fn corners(o: &Obj<'_>) -> Vec<(i64, i64)> {
    let Field::Present(list) = o.array("coordinates", &mut Vec::new()) else {
        return Vec::new();
    };
    let pts: Option<Vec<_>> = list
        .iter()
        .take(16)
        .map(|p| Some((p.get("x")?.as_i64()?, p.get("y")?.as_i64()?)))
        .collect();
    pts.unwrap_or_default()
}

/// The agent's crop around a plate, when the capture can be named.
fn agent_crop(
    uuid: Option<&AgentUuid>,
    plate: Option<&Obj<'_>>,
    frame: Option<(u32, u32)>,
) -> Option<PhotoData> {
    let b = CropBox::around(&corners(plate?), frame)?;
    Some(PhotoData::Agent(AgentPhoto::Crop(uuid?.clone(), b)))
}

/// The best guess of each `vehicle` attribute the agent reported.
fn vehicle(o: &Obj<'_>) -> Option<VehicleAttributes> {
    let Field::Present(v) = o.object("vehicle", &mut Vec::new()) else {
        return None;
    };
    let best = |key: &str| -> Option<VehicleGuess> {
        let Field::Present(list) = v.array(key, &mut Vec::new()) else {
            return None;
        };
        let first = list.first()?;
        VehicleGuess::new(
            first.get("name")?.as_str()?,
            first.get("confidence")?.as_f64()?,
        )
    };
    let attrs = VehicleAttributes {
        make: best("make"),
        model: best("make_model"),
        color: best("color"),
        body_type: best("body_type"),
        year: best("year"),
    };
    (!attrs.is_empty()).then_some(attrs)
}

/// The vehicle photo in the message (`vehicle_crop_jpeg`, else Rekor's
/// `overview_jpeg`), else the agent's full frame.
fn vehicle_photo(
    o: &Obj<'_>,
    uuid: Option<&AgentUuid>,
    errs: &mut Vec<Violation>,
) -> Option<PhotoData> {
    if o.has("vehicle_crop_jpeg") {
        return jpeg(o, "vehicle_crop_jpeg", errs);
    }
    if o.has("overview_jpeg") {
        return jpeg(o, "overview_jpeg", errs);
    }
    uuid.map(|u| PhotoData::Agent(AgentPhoto::Frame(u.clone())))
}

/// A site and camera id joined as `"<site_id>/<camera_id>"`.
fn camera(o: &Obj<'_>, errs: &mut Vec<Violation>) -> Option<String> {
    let site = o
        .str_or_number("site_id", errs)
        .present()
        .filter(|s| !s.trim().is_empty());
    let cam = o.str_or_number("camera_id", errs).present()?;
    let joined = match site {
        Some(site) => format!("{}/{}", site.trim(), cam.trim()),
        None => cam,
    };
    fields::camera_id("camera_id", &joined, errs)
}

/// `gps_latitude` / `gps_longitude`; both 0 means "no GPS".
fn gps(o: &Obj<'_>, errs: &mut Vec<Violation>) -> Option<sightline_core::GeoPoint> {
    let lat = o.number("gps_latitude", errs);
    let lon = o.number("gps_longitude", errs);
    if let (Field::Present(a), Field::Present(b)) = (lat, lon)
        && a == 0.0
        && b == 0.0
    {
        return None;
    }
    fields::location("gps_latitude", lat, lon, errs)
}

fn jpeg(o: &Obj<'_>, key: &str, errs: &mut Vec<Violation>) -> Option<PhotoData> {
    let text = fields::non_blank(o.str(key, errs)).present()?;
    match decode_base64_photo(&o.field_name(key), text) {
        Ok(bytes) => Some(PhotoData::Inline(bytes)),
        Err(v) => {
            errs.push(v);
            None
        }
    }
}

/// The first present string of several candidates, in order; a malformed
/// candidate stops the search (it has been reported).
fn first_str<'a>(candidates: impl IntoIterator<Item = Field<&'a str>>) -> Field<&'a str> {
    for c in candidates {
        match fields::non_blank(c) {
            Field::Absent => continue,
            other => return other,
        }
    }
    Field::Absent
}

fn group(map: &Map<String, Value>, now: OffsetDateTime) -> RecordOutcome {
    let o = Obj::new(map);
    let mut errs = Vec::new();
    let best_plate = o.object("best_plate", &mut errs).present();

    let first_uuid = match o.array("uuids", &mut errs) {
        Field::Present(list) => match list.first() {
            Some(Value::String(s)) => Field::Present(s.as_str()),
            _ => Field::Absent,
        },
        Field::Absent | Field::Malformed => Field::Absent,
    };
    let raw_id = first_str([o.str("best_uuid", &mut errs), first_uuid]);
    let echoed = raw_id.present().and_then(echo_id);
    let uuid = raw_id
        .present()
        .and_then(|u| AgentUuid::parse(u.trim()).ok());
    let source_read_id = fields::source_read_id("best_uuid", raw_id, &mut errs);

    let raw_plate = first_str([
        o.str("best_plate_number", &mut errs),
        best_plate
            .as_ref()
            .map_or(Field::Absent, |b| b.str("plate", &mut errs)),
    ]);
    let plate = fields::plate("best_plate_number", raw_plate, &mut errs);

    let raw_region = first_str([
        o.str("best_region", &mut errs),
        best_plate
            .as_ref()
            .map_or(Field::Absent, |b| b.str("region", &mut errs)),
    ]);
    let jurisdiction = fields::state("best_region", raw_region, &mut errs);

    let captured_at = fields::captured_at_epoch_ms(
        "epoch_start",
        o.integer("epoch_start", &mut errs),
        now,
        &mut errs,
    );
    let location = gps(&o, &mut errs);
    let camera_id = camera(&o, &mut errs);
    let vehicle_photo = vehicle_photo(&o, uuid.as_ref(), &mut errs);
    let plate_photo = match &best_plate {
        Some(b) if b.has("plate_crop_jpeg") => jpeg(b, "plate_crop_jpeg", &mut errs),
        _ => agent_crop(
            uuid.as_ref(),
            best_plate.as_ref(),
            frame_size(&o, "best_image_width", "best_image_height"),
        ),
    };
    let vehicle = vehicle(&o);

    finish(
        echoed,
        errs,
        source_read_id,
        plate,
        jurisdiction,
        captured_at,
        Rest {
            location,
            camera_id,
            vehicle_photo,
            plate_photo,
            vehicle,
        },
    )
}

fn results(map: &Map<String, Value>, now: OffsetDateTime) -> Result<Parsed, BodyError> {
    let top = Obj::new(map);
    let list = match top.array("results", &mut Vec::new()) {
        Field::Present(list) => list,
        Field::Absent | Field::Malformed => {
            return Err(BodyError::Shape {
                expected: "an 'alpr_results' object with a 'results' array",
                found: map.get("results").map_or("no 'results'".to_owned(), |v| {
                    format!("'results' as {}", kind(v))
                }),
            });
        }
    };
    let several = list.len() > 1;
    let mut parsed = Parsed::default();
    for (index, item) in list.iter().enumerate() {
        parsed.push(index, None, result(&top, item, index, several, now));
    }
    Ok(parsed)
}

fn result(
    top: &Obj<'_>,
    item: &Value,
    index: usize,
    several: bool,
    now: OffsetDateTime,
) -> RecordOutcome {
    let mut errs = Vec::new();
    let raw_uuid = fields::non_blank(top.str("uuid", &mut errs));
    let id = raw_uuid.present().map(|u| {
        if several {
            format!("{}#{index}", u.trim())
        } else {
            u.to_owned()
        }
    });
    let echoed = id.as_deref().and_then(echo_id);

    let Value::Object(m) = item else {
        let mut v = not_an_object(item);
        v.field = format!("results[{index}]");
        return Err(Rejected {
            source_read_id: echoed,
            violations: vec![v],
        });
    };
    let r = Obj::new(m);
    let raw_id = match (&id, raw_uuid) {
        (Some(id), _) => Field::Present(id.as_str()),
        (None, Field::Malformed) => Field::Malformed,
        (None, _) => Field::Absent,
    };
    let source_read_id = fields::source_read_id("uuid", raw_id, &mut errs);
    let at = |key: &str| format!("results[{index}].{key}");
    let plate = fields::plate(&at("plate"), r.str("plate", &mut errs), &mut errs);
    let jurisdiction = fields::state(&at("region"), r.str("region", &mut errs), &mut errs);
    let captured_at = fields::captured_at_epoch_ms(
        "epoch_time",
        top.integer("epoch_time", &mut errs),
        now,
        &mut errs,
    );
    let location = gps(top, &mut errs);
    let camera_id = camera(top, &mut errs);
    let uuid = raw_uuid
        .present()
        .and_then(|u| AgentUuid::parse(u.trim()).ok());
    let vehicle_photo = vehicle_photo(top, uuid.as_ref(), &mut errs);
    let plate_photo = if r.has("plate_crop_jpeg") {
        fields::non_blank(r.str("plate_crop_jpeg", &mut errs))
            .present()
            .and_then(
                |text| match decode_base64_photo(&at("plate_crop_jpeg"), text) {
                    Ok(bytes) => Some(PhotoData::Inline(bytes)),
                    Err(v) => {
                        errs.push(v);
                        None
                    }
                },
            )
    } else {
        agent_crop(
            uuid.as_ref(),
            Some(&r),
            frame_size(top, "img_width", "img_height"),
        )
    };
    let vehicle = vehicle(top);

    finish(
        echoed,
        errs,
        source_read_id,
        plate,
        jurisdiction,
        captured_at,
        Rest {
            location,
            camera_id,
            vehicle_photo,
            plate_photo,
            vehicle,
        },
    )
}

/// The optional parts of a read.
struct Rest {
    location: Option<sightline_core::GeoPoint>,
    camera_id: Option<String>,
    vehicle_photo: Option<PhotoData>,
    plate_photo: Option<PhotoData>,
    vehicle: Option<VehicleAttributes>,
}

fn finish(
    echoed: Option<String>,
    errs: Vec<Violation>,
    source_read_id: Option<sightline_core::text::read_text::SourceReadId>,
    plate: Option<sightline_core::Plate>,
    jurisdiction: Option<sightline_core::Jurisdiction>,
    captured_at: Option<OffsetDateTime>,
    rest: Rest,
) -> RecordOutcome {
    match (source_read_id, plate, jurisdiction, captured_at) {
        (Some(source_read_id), Some(plate), Some(jurisdiction), Some(captured_at))
            if errs.is_empty() =>
        {
            Ok(ParsedRead {
                source_read_id,
                plate,
                jurisdiction,
                captured_at,
                location: rest.location,
                nearest_address: None,
                nearest_intersection: None,
                camera_id: rest.camera_id,
                vehicle_photo: rest.vehicle_photo,
                plate_photo: rest.plate_photo,
                vehicle: rest.vehicle,
            })
        }
        _ => Err(Rejected {
            source_read_id: echoed,
            violations: errs,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::tests::NOW;
    use crate::photo::tests::{TINY_JPEG, TINY_PNG, b64};
    use serde_json::json;
    use time::macros::datetime;

    const GROUP: &str = include_str!("../tests/fixtures/alpr_group.json");
    const RESULTS: &str = include_str!("../tests/fixtures/alpr_results.json");
    const HEARTBEAT: &str = include_str!("../tests/fixtures/heartbeat.json");

    fn codes(e: &crate::RecordError) -> Vec<(&str, &str)> {
        e.violations
            .iter()
            .map(|v| (v.code.as_str(), v.field.as_str()))
            .collect()
    }

    #[test]
    fn alpr_group_sample() {
        let parsed = parse_openalpr(GROUP.as_bytes(), NOW).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let [(0, r)] = parsed.records.as_slice() else {
            panic!("{parsed:?}")
        };
        assert_eq!(
            r.source_read_id.as_str(),
            "YAGHXYXZ4D3L6VKQ2M5N8P0R1S7T9U2W4X6Y8Z0A-2090267338-1763640000123"
        );
        assert_eq!(r.plate.as_str(), "6PK132");
        assert_eq!(r.jurisdiction.code(), "MO");
        assert_eq!(r.captured_at, datetime!(2025-11-20 12:00:00.123 UTC));
        assert_eq!(r.camera_id.as_deref(), Some("stl-north/2090267338"));
        let loc = r.location.unwrap();
        assert_eq!((loc.lat(), loc.lon()), (38.627, -90.1994));
        assert_eq!(r.vehicle_photo, Some(PhotoData::Inline(TINY_JPEG.to_vec())));
        assert_eq!(r.plate_photo, Some(PhotoData::Inline(TINY_JPEG.to_vec())));
        assert_eq!(r.nearest_address, None);
    }

    #[test]
    fn alpr_results_sample_one_record_per_result() {
        let parsed = parse_openalpr(RESULTS.as_bytes(), NOW).unwrap();
        let got: Vec<_> = parsed
            .records
            .iter()
            .map(|(i, r)| {
                (
                    *i,
                    r.source_read_id.as_str(),
                    r.plate.as_str(),
                    r.jurisdiction.code(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (0, "unspecified-cam16488027-1490574589596#0", "AE1T3E", "MO"),
                (
                    1,
                    "unspecified-cam16488027-1490574589596#1",
                    "KXT9210",
                    "PA"
                ),
            ]
        );
        let r = &parsed.records[0].1;
        assert_eq!(r.captured_at, datetime!(2017-03-27 00:29:49.596 UTC));
        assert_eq!(r.camera_id.as_deref(), Some("unspecified/16488027"));
        assert_eq!(r.location, None);
        // No crops in the message: the agent's frame, and its crop around
        // the second result's corners (with a margin, inside 1280 x 720).
        let uuid = AgentUuid::parse("unspecified-cam16488027-1490574589596").unwrap();
        assert_eq!(
            r.vehicle_photo,
            Some(PhotoData::Agent(AgentPhoto::Frame(uuid.clone())))
        );
        assert_eq!(r.plate_photo, Some(PhotoData::Inline(TINY_JPEG.to_vec())));
        assert_eq!(
            parsed.records[1].1.plate_photo,
            Some(PhotoData::Agent(AgentPhoto::Crop(
                uuid,
                CropBox {
                    x1: 782,
                    y1: 377,
                    x2: 950,
                    y2: 466
                }
            )))
        );
        // The third result has a plate too long and a European region.
        let [e] = parsed.errors.as_slice() else {
            panic!("{parsed:?}")
        };
        assert_eq!(e.index, 2);
        assert_eq!(
            e.source_read_id.as_deref(),
            Some("unspecified-cam16488027-1490574589596#2")
        );
        assert_eq!(
            codes(e),
            [
                ("plate_invalid", "results[2].plate"),
                ("state_unknown", "results[2].region")
            ]
        );
    }

    #[test]
    fn a_single_result_keeps_the_bare_uuid() {
        let body = json!({"data_type": "alpr_results", "epoch_time": 1_700_000_000_000_i64,
            "uuid": "u-1", "camera_id": "dock", "results": [{"plate": "abc123", "region": "us-nj",
            "plate_crop_jpeg": b64(TINY_PNG)}]});
        let parsed = parse_openalpr(body.to_string().as_bytes(), NOW).unwrap();
        let r = &parsed.records[0].1;
        assert_eq!(r.source_read_id.as_str(), "u-1");
        assert_eq!(r.camera_id.as_deref(), Some("dock"));
        assert_eq!(r.jurisdiction.code(), "NJ");
    }

    #[test]
    fn group_falls_back_to_best_plate_and_uuids() {
        let body = json!({"data_type": "alpr_group", "uuids": ["u-9", "u-10"], "epoch_start": "1700000000000",
            "camera_id": 5, "site_id": 12, "gps_latitude": 0, "gps_longitude": 0.0,
            "best_plate": {"plate": "XYZ-789", "region": "tx"}});
        let parsed = parse_openalpr(body.to_string().as_bytes(), NOW).unwrap();
        let r = &parsed.records[0].1;
        assert_eq!(r.source_read_id.as_str(), "u-9");
        assert_eq!(r.plate.as_str(), "XYZ789");
        assert_eq!(r.jurisdiction.code(), "TX");
        assert_eq!(r.camera_id.as_deref(), Some("12/5"));
        assert_eq!(r.location, None, "0,0 means no GPS");
        // The agent's frame of the first uuid; no corners, so no crop.
        assert_eq!(
            (r.vehicle_photo.clone(), r.plate_photo.clone()),
            (
                Some(PhotoData::Agent(AgentPhoto::Frame(
                    AgentUuid::parse("u-9").unwrap()
                ))),
                None
            )
        );
    }

    #[test]
    fn group_violations_use_agent_field_names() {
        let body = json!({"data_type": "alpr_group", "best_plate_number": "6PK*32", "best_region": "",
            "epoch_start": 9_999_999_999_999_i64, "gps_latitude": 38.6,
            "vehicle_crop_jpeg": "!!", "best_plate": {"plate_crop_jpeg": b64(b"BM bitmap")}});
        let parsed = parse_openalpr(body.to_string().as_bytes(), NOW).unwrap();
        assert!(parsed.records.is_empty());
        assert_eq!(
            codes(&parsed.errors[0]),
            [
                ("source_read_id_required", "best_uuid"),
                ("plate_wildcard", "best_plate_number"),
                ("state_required", "best_region"),
                ("captured_at_in_future", "epoch_start"),
                ("location_invalid", "gps_latitude"),
                ("photo_invalid", "vehicle_crop_jpeg"),
                ("photo_invalid", "best_plate.plate_crop_jpeg"),
            ]
        );
        let body = json!({"data_type": "alpr_group", "best_uuid": "u", "best_plate_number": 12,
            "best_region": "pa", "epoch_start": 1.5, "camera_id": [1]});
        let parsed = parse_openalpr(body.to_string().as_bytes(), NOW).unwrap();
        assert_eq!(
            codes(&parsed.errors[0]),
            [
                ("record_malformed", "best_plate_number"),
                ("record_malformed", "epoch_start"),
                ("record_malformed", "camera_id"),
            ]
        );
        assert_eq!(parsed.errors[0].source_read_id.as_deref(), Some("u"));
    }

    #[test]
    fn results_shared_field_errors_repeat_per_result() {
        let body = json!({"data_type": "alpr_results", "uuid": "u",
            "results": [{"plate": "A1", "region": "pa"}, "nope"]});
        let parsed = parse_openalpr(body.to_string().as_bytes(), NOW).unwrap();
        assert_eq!(
            codes(&parsed.errors[0]),
            [("captured_at_required", "epoch_time")]
        );
        assert_eq!(
            codes(&parsed.errors[1]),
            [("record_malformed", "results[1]")]
        );
        assert_eq!(parsed.errors[1].source_read_id.as_deref(), Some("u#1"));
        let empty = json!({"data_type": "alpr_results", "results": []});
        assert_eq!(
            parse_openalpr(empty.to_string().as_bytes(), NOW).unwrap(),
            Parsed::default()
        );
    }

    #[test]
    fn stock_group_without_images_names_agent_photos_and_vehicle() {
        let body = include_str!("../tests/fixtures/alpr_group_stock.json");
        let parsed = parse_openalpr(body.as_bytes(), NOW).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let r = &parsed.records[0].1;
        let uuid = AgentUuid::parse(r.source_read_id.as_str()).unwrap();
        assert_eq!(
            r.vehicle_photo,
            Some(PhotoData::Agent(AgentPhoto::Frame(uuid.clone())))
        );
        let Some(PhotoData::Agent(AgentPhoto::Crop(u, b))) = &r.plate_photo else {
            panic!("{:?}", r.plate_photo)
        };
        assert_eq!(u, &uuid);
        assert!(
            b.x1 < 402 && b.x2 > 478 && b.y1 < 551 && b.y2 > 583,
            "{b:?}"
        );
        let v = r.vehicle.as_ref().unwrap();
        assert_eq!(v.make.as_ref().unwrap().name, "ford");
        assert_eq!(v.model.as_ref().unwrap().name, "ford_f-150");
        assert_eq!(v.color.as_ref().unwrap().confidence, 81.25);
    }

    #[test]
    fn rekor_overview_is_the_vehicle_photo_and_bad_uuids_name_nothing() {
        let body = json!({"data_type": "alpr_group", "best_uuid": "../../admin", "epoch_start": 1_700_000_000_000_i64,
            "best_plate_number": "ABC123", "best_region": "us-pa", "overview_jpeg": b64(TINY_JPEG),
            "best_plate": {"coordinates": [{"x": 1, "y": 1}, {"x": 60, "y": 20}]},
            "vehicle": {"make": "not a list", "color": [{"name": "red"}]}});
        let parsed = parse_openalpr(body.to_string().as_bytes(), NOW).unwrap();
        let r = &parsed.records[0].1;
        assert_eq!(r.vehicle_photo, Some(PhotoData::Inline(TINY_JPEG.to_vec())));
        assert_eq!(r.plate_photo, None, "no valid uuid, so nothing to fetch");
        assert_eq!(r.vehicle, None, "malformed attributes are left out");
    }

    #[test]
    fn other_data_types_are_body_errors() {
        let e = parse_openalpr(HEARTBEAT.as_bytes(), NOW).unwrap_err();
        assert_eq!(
            e,
            BodyError::NotReads {
                data_type: "heartbeat".into()
            }
        );
        assert!(e.to_string().contains("alpr_group"), "{e}");
        let e = parse_openalpr(br#"{"data_type": "alpr_alert"}"#, NOW).unwrap_err();
        assert_eq!(e.code(), "data_type_not_reads");
        let e = parse_openalpr(br#"{"data_type": "selfie"}"#, NOW).unwrap_err();
        assert_eq!(e.code(), "data_type_unknown");
        assert!(
            e.to_string().contains("'alpr_group' and 'alpr_results'"),
            "{e}"
        );
        let e = parse_openalpr(br#"{"plate": "x"}"#, NOW).unwrap_err();
        assert_eq!(e, BodyError::UnknownDataType { found: None });
        let e = parse_openalpr(b"[]", NOW).unwrap_err();
        assert_eq!(e.code(), "body_shape_invalid");
        let e =
            parse_openalpr(br#"{"data_type": "alpr_results", "results": {}}"#, NOW).unwrap_err();
        assert_eq!(e.code(), "body_shape_invalid");
        assert_eq!(
            parse_openalpr(b"nope", NOW).unwrap_err().code(),
            "body_not_json"
        );
    }
}
