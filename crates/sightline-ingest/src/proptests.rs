//! Property tests across the formats: no input panics, and a record built
//! from valid parts survives every format unchanged.

use crate::photo::tests::{TINY_JPEG, TINY_PNG, TINY_WEBP, b64};
use crate::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

fn drain_csv(bytes: &[u8]) {
    if let Ok(rows) = csv_reads(bytes, NOW) {
        for row in rows.take(10_000) {
            drop(row);
        }
    }
}

/// JSON made of the field names the parsers look at, so that arbitrary
/// values reach the deep paths and not only the "not JSON" exit.
fn json_like() -> impl Strategy<Value = Value> {
    const KEYS: &[&str] = &[
        "data_type",
        "source_read_id",
        "plate",
        "state",
        "captured_at",
        "location",
        "lat",
        "lon",
        "nearest_address",
        "nearest_intersection",
        "vehicle_photo",
        "plate_photo",
        "base64",
        "part",
        "camera_id",
        "site_id",
        "best_plate_number",
        "best_region",
        "best_plate",
        "best_uuid",
        "uuids",
        "uuid",
        "epoch_start",
        "epoch_time",
        "results",
        "region",
        "gps_latitude",
        "gps_longitude",
        "vehicle_crop_jpeg",
        "plate_crop_jpeg",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just("alpr_group".to_owned()),
            Just("alpr_results".to_owned()),
            Just("2026-11-20T12:00:00Z".to_owned()),
            Just("us-pa".to_owned()),
            Just(b64(TINY_JPEG)),
            "\\PC{0,12}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// The parts of one valid read.
#[derive(Debug, Clone)]
struct Parts {
    id: String,
    plate: String,
    state: Jurisdiction,
    captured_at: OffsetDateTime,
    lat: f64,
    lon: f64,
    address: String,
    intersection: String,
    vehicle: &'static [u8],
    plate_photo: &'static [u8],
}

fn parts() -> impl Strategy<Value = Parts> {
    let states: Vec<Jurisdiction> = Jurisdiction::all().collect();
    let photos = prop::sample::select(vec![TINY_JPEG, TINY_PNG, TINY_WEBP]);
    (
        "[A-Za-z0-9][A-Za-z0-9_.:-]{0,60}",
        ("[A-Z0-9]{1,8}", prop::collection::vec(0usize..4, 8)),
        prop::sample::select(states),
        1_000_000_000_000_i64..1_795_000_000_000,
        (-90_000_000_i32..=90_000_000, -180_000_000_i32..=180_000_000),
        "[A-Za-z0-9][A-Za-z0-9 ,.&#'-]{0,80}[A-Za-z0-9]",
        "[A-Za-z0-9][A-Za-z0-9 ,.&#'-]{0,80}[A-Za-z0-9]",
        (photos.clone(), photos),
    )
        .prop_map(
            |(id, (core, seps), state, ms, (lat, lon), address, intersection, (v, p))| {
                // Spaces, dashes and lower case never change a plate.
                let mut plate = String::new();
                for (i, c) in core.chars().enumerate() {
                    match seps.get(i) {
                        Some(1) => plate.push(c.to_ascii_lowercase()),
                        _ => plate.push(c),
                    }
                    match seps.get(i) {
                        Some(2) => plate.push(' '),
                        Some(3) => plate.push('-'),
                        _ => {}
                    }
                }
                Parts {
                    id,
                    plate,
                    state,
                    captured_at: OffsetDateTime::from_unix_timestamp_nanos(
                        i128::from(ms) * 1_000_000,
                    )
                    .unwrap(),
                    lat: f64::from(lat) / 1e6,
                    lon: f64::from(lon) / 1e6,
                    address,
                    intersection,
                    vehicle: v,
                    plate_photo: p,
                }
            },
        )
}

fn native(p: &Parts) -> Value {
    json!({
        "source_read_id": p.id,
        "plate": p.plate,
        "state": p.state.code(),
        "captured_at": p.captured_at.format(&Rfc3339).unwrap(),
        "location": {"lat": p.lat, "lon": p.lon},
        "nearest_address": p.address,
        "nearest_intersection": p.intersection,
        "vehicle_photo": {"base64": b64(p.vehicle)},
        "plate_photo": {"part": "plate-1"},
    })
}

fn assert_matches(p: &Parts, r: &ParsedRead) {
    let normal: String = p.plate.chars().filter(|c| *c != ' ' && *c != '-').collect();
    assert_eq!(r.source_read_id.as_str(), p.id);
    assert_eq!(r.plate.as_str(), normal.to_ascii_uppercase());
    assert_eq!(r.jurisdiction, p.state);
    assert_eq!(r.captured_at, p.captured_at);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_json_array(&bytes, NOW);
        let _ = parse_ndjson(&bytes, NOW);
        let _ = parse_openalpr(&bytes, NOW);
        drain_csv(&bytes);
    }

    #[test]
    fn arbitrary_csv_with_a_good_header_never_panics(rows in "[a-zA-Z0-9,\"\n\r :.-]{0,400}") {
        let body = format!("{}\n{rows}", CSV_COLUMNS.join(","));
        drain_csv(body.as_bytes());
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_like()) {
        let text = v.to_string();
        let _ = parse_json_array(text.as_bytes(), NOW);
        let _ = parse_json_array(format!("[{text}]").as_bytes(), NOW);
        let _ = parse_ndjson(text.as_bytes(), NOW);
        let _ = parse_openalpr(text.as_bytes(), NOW);
        let group = json!({"data_type": "alpr_group", "best_plate": v.clone(), "x": v.clone()});
        let mut merged = v.as_object().cloned().unwrap_or_default();
        merged.insert("data_type".into(), json!("alpr_results"));
        for body in [group, Value::Object(merged)] {
            if let Ok(parsed) = parse_openalpr(body.to_string().as_bytes(), NOW) {
                for (_, read) in parsed.records {
                    let _ = complete(read, None);
                }
            }
        }
    }

    #[test]
    fn native_record_round_trips_through_json_and_ndjson(p in parts(), q in parts()) {
        let array = json!([native(&p), native(&q)]).to_string();
        let lines = format!("{}\n{}\n", native(&p), native(&q));
        for parsed in [parse_json_array(array.as_bytes(), NOW).unwrap(), parse_ndjson(lines.as_bytes(), NOW)] {
            prop_assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
            prop_assert_eq!(parsed.records.len(), 2);
            let (i, r) = &parsed.records[0];
            prop_assert_eq!(*i, 0);
            assert_matches(&p, r);
            assert_matches(&q, &parsed.records[1].1);
            let draft = complete(r.clone(), None).unwrap();
            prop_assert_eq!((draft.location.lat(), draft.location.lon()), (p.lat, p.lon));
            prop_assert_eq!(draft.nearest_address.as_str(), p.address.as_str());
            prop_assert_eq!(draft.nearest_intersection.as_str(), p.intersection.as_str());
            prop_assert_eq!(draft.vehicle_photo, PhotoData::Inline(p.vehicle.to_vec()));
            prop_assert_eq!(draft.plate_photo, PhotoData::Part("plate-1".into()));
        }
    }

    #[test]
    fn record_round_trips_through_csv(p in parts()) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_COLUMNS.iter().take(10)).unwrap();
        w.write_record([
            p.id.clone(),
            p.plate.clone(),
            p.state.name().to_owned(),
            p.captured_at.format(&Rfc3339).unwrap(),
            p.lat.to_string(),
            p.lon.to_string(),
            p.address.clone(),
            p.intersection.clone(),
            "v/1.jpg".to_owned(),
            "p/1.jpg".to_owned(),
        ]).unwrap();
        let body = w.into_inner().unwrap();
        let rows: Vec<_> = csv_reads(body.as_slice(), NOW).unwrap().collect();
        let [Ok((1, r))] = rows.as_slice() else { panic!("{rows:?}") };
        assert_matches(&p, r);
        let d = complete(r.clone(), None).unwrap();
        prop_assert_eq!((d.location.lat(), d.location.lon()), (p.lat, p.lon));
        prop_assert_eq!(d.nearest_address.as_str(), p.address.as_str());
        prop_assert_eq!(d.vehicle_photo, PhotoData::Path("v/1.jpg".into()));
    }

    #[test]
    fn record_round_trips_through_openalpr_group(p in parts()) {
        let body = json!({
            "data_type": "alpr_group",
            "best_uuid": p.id,
            "best_plate_number": p.plate,
            "best_region": format!("us-{}", p.state.code().to_ascii_lowercase()),
            "epoch_start": (p.captured_at.unix_timestamp_nanos() / 1_000_000) as i64,
            "camera_id": 7,
            "site_id": "s",
            "gps_latitude": p.lat,
            "gps_longitude": p.lon,
            "vehicle_crop_jpeg": b64(p.vehicle),
            "best_plate": {"plate_crop_jpeg": b64(p.plate_photo)},
        });
        let parsed = parse_openalpr(body.to_string().as_bytes(), NOW).unwrap();
        prop_assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let r = &parsed.records[0].1;
        assert_matches(&p, r);
        prop_assert_eq!(r.camera_id.as_deref(), Some("s/7"));
        prop_assert_eq!(r.plate_photo.clone(), Some(PhotoData::Inline(p.plate_photo.to_vec())));
        if p.lat != 0.0 || p.lon != 0.0 {
            prop_assert_eq!(r.location.map(|l| (l.lat(), l.lon())), Some((p.lat, p.lon)));
        }
    }
}

#[test]
fn every_code_is_produced_somewhere() {
    // A sweep that trips every code; each is also asserted in its module.
    let bad_native = json!([
        {"plate": "AB*", "state": "ZZ", "captured_at": "noon", "location": {"lat": 100, "lon": 0},
         "nearest_address": "x".repeat(301), "nearest_intersection": "y".repeat(301),
         "camera_id": "c".repeat(201), "vehicle_photo": {"base64": "!"},
         "plate_photo": {"base64": "A".repeat(8 << 20)}},
        {"source_read_id": "s".repeat(129), "plate": "ÄÖ", "state": "", "captured_at": "2030-01-01T00:00:00Z"},
        {"source_read_id": "x", "plate": 5, "captured_at": ""},
        {"source_read_id": "y"},
        {"source_read_id": "ok", "plate": "ABC1", "state": "PA", "captured_at": "2026-11-20T00:00:00Z"}
    ]);
    let parsed = parse_json_array(bad_native.to_string().as_bytes(), NOW).unwrap();
    let mut seen: Vec<String> = parsed
        .errors
        .iter()
        .flat_map(|e| e.violations.iter().map(|v| v.code.clone()))
        .collect();
    for (_, read) in parsed.records {
        if let Err(vs) = complete(read, None) {
            seen.extend(vs.into_iter().map(|v| v.code));
        }
    }
    for code in codes::ALL {
        assert!(
            seen.iter().any(|s| s == code),
            "{code} never produced: {seen:?}"
        );
    }
}
