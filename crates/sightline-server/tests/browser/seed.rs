//! The reads the browser suite queries: the seed's example plate ABC123
//! (PA) seen five times over the last 60 days at different places, each
//! with a rendered vehicle photo and plate crop.

use crate::helpers::{TestApp, b64, png};
use serde_json::{Value, json};
use sightline_core::{Jurisdiction, Plate, SourceKind};
use time::Duration;
use time::format_description::well_known::Rfc3339;

/// (days ago, lat, lon, address, intersection)
const SIGHTINGS: &[(i64, f64, f64, &str, &str)] = &[
    (
        52,
        39.9526,
        -75.1652,
        "1400 John F Kennedy Blvd, Philadelphia, PA 19107",
        "JFK Blvd & N Broad St",
    ),
    (
        40,
        39.9612,
        -75.1550,
        "900 Spring Garden St, Philadelphia, PA 19123",
        "Spring Garden St & N 9th St",
    ),
    (
        23,
        39.9496,
        -75.1503,
        "701 Market St, Philadelphia, PA 19106",
        "Market St & S 7th St",
    ),
    (
        9,
        40.0016,
        -75.1180,
        "3100 Kensington Ave, Philadelphia, PA 19134",
        "Kensington Ave & E Allegheny Ave",
    ),
    (
        2,
        40.2171,
        -76.8563,
        "1 Turnpike Rd, Harrisburg, PA 17112",
        "I-76 & PA-283",
    ),
];

/// A read record of `plate` with photos, at `at`, in one of the places above.
pub fn sighting(
    id: &str,
    plate: &str,
    state: &str,
    at: time::OffsetDateTime,
    place: usize,
) -> Value {
    let (_, lat, lon, address, intersection) = SIGHTINGS[place % SIGHTINGS.len()];
    let j = Jurisdiction::parse(state).unwrap();
    let p = Plate::parse(plate).unwrap();
    let look = sightline_demo::VehicleLook::for_plate(&p, j);
    let vehicle =
        sightline_demo::render_vehicle_scene(&look, j, SourceKind::TollRoad, (place % 4) as u8);
    json!({
        "source_read_id": id,
        "plate": plate,
        "state": state,
        "captured_at": at.format(&Rfc3339).unwrap(),
        "location": {"lat": lat, "lon": lon},
        "nearest_address": address,
        "nearest_intersection": intersection,
        "vehicle_photo": {"base64": b64(&vehicle)},
        "plate_photo": {"base64": b64(&png(plate, state))},
    })
}

pub async fn reads(app: &TestApp) {
    let records: Vec<Value> = SIGHTINGS
        .iter()
        .enumerate()
        .map(|(i, (days, ..))| {
            sighting(
                &format!("seed-{i}"),
                "ABC123",
                "PA",
                app.now() - Duration::days(*days),
                i,
            )
        })
        .collect();
    let report = app.ingest(&app.pa_key, &records).await;
    assert_eq!(report["accepted"], 5, "{report}");
}
