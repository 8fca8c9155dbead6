//! Black-box checks of the demo data set: the world, the read stream and
//! the photos.

use sightline_core::collection::CollectionPolicy;
use sightline_core::{Jurisdiction, Plate, SourceKind};
use sightline_demo::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use std::time::Instant;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-03-02 15:30:00 UTC);

/// The default plan's reads, generated once for all tests here.
fn default_reads() -> &'static [DemoRead] {
    static READS: OnceLock<Vec<DemoRead>> = OnceLock::new();
    READS.get_or_init(|| {
        let w = world();
        let started = Instant::now();
        let all: Vec<DemoRead> = reads(&w, &DemoPlan::new(42, NOW)).collect();
        eprintln!("generated {} reads in {:?}", all.len(), started.elapsed());
        all
    })
}

#[test]
fn world_spans_many_states_and_every_kind() {
    let w = world();
    assert!(w.metros.len() >= 24);
    let states: HashSet<_> = w.metros.iter().map(|m| m.state).collect();
    assert!(states.len() >= 26);
    assert!(states.contains(&Jurisdiction::parse("DC").unwrap()));
    let kinds: HashSet<_> = w.sources.iter().map(|s| s.kind).collect();
    assert_eq!(kinds.len(), 4);
    for s in &w.sources {
        assert!(CollectionPolicy::default_for(s.jurisdiction).collection_allowed);
        assert!(w.metro(&s.metro).is_some(), "{}", s.metro);
    }
    let de = w
        .sources
        .iter()
        .find(|s| s.kind == SourceKind::TollRoad && s.jurisdiction.code() == "DE")
        .unwrap();
    assert!(de.name.contains("Delaware"));
    assert!(w.cameras.len() >= 4 * w.metros.len());
}

#[test]
fn default_plan_is_big_skewed_and_broad() {
    let all = default_reads();
    assert_eq!(all.len(), DemoPlan::DEFAULT_READS);
    let mut per_plate: HashMap<(&str, Jurisdiction), usize> = HashMap::new();
    for r in all {
        *per_plate
            .entry((r.plate.as_str(), r.jurisdiction))
            .or_default() += 1;
    }
    assert!(
        (25_000..=50_000).contains(&per_plate.len()),
        "{}",
        per_plate.len()
    );
    let max = per_plate.values().copied().max().unwrap();
    let once = per_plate.values().filter(|&&n| n == 1).count();
    assert!(max >= 200, "the busiest plate is seen {max} times");
    assert!(once >= 5_000, "{once} plates seen once");
    let states: HashSet<_> = all.iter().map(|r| r.jurisdiction).collect();
    assert!(states.len() >= 40, "{} registration states", states.len());
    let kinds: HashSet<_> = all.iter().map(|r| r.source_kind).collect();
    assert_eq!(kinds.len(), 4);
}

#[test]
fn reads_are_sorted_within_span_and_retention() {
    let w = world();
    let all = default_reads();
    let oldest = NOW - Duration::days(730);
    for pair in all.windows(2) {
        assert!(pair[0].captured_at <= pair[1].captured_at);
    }
    for r in all {
        assert!(r.captured_at <= NOW && r.captured_at >= oldest);
        let source = w.source(&r.source_key).unwrap();
        let policy = CollectionPolicy::default_for(source.jurisdiction);
        assert!(policy.collection_allowed);
        assert!(
            NOW - r.captured_at <= policy.retention(),
            "{} read at {} is past {} retention",
            r.source_read_id,
            r.captured_at,
            source.jurisdiction
        );
        assert_eq!(source.kind, r.source_kind);
    }
    // Short-retention states still appear, recently.
    let va = all
        .iter()
        .filter(|r| w.source(&r.source_key).unwrap().jurisdiction.code() == "VA")
        .count();
    assert!(va > 100, "{va} Virginia reads");
}

#[test]
fn reads_use_their_camera_and_unique_ids() {
    let w = world();
    let cams: HashMap<_, _> = w
        .cameras
        .iter()
        .map(|c| (c.camera_id.as_str(), c))
        .collect();
    let mut ids = HashSet::new();
    for r in default_reads() {
        let cam = cams[r.camera_id.as_str()];
        assert_eq!(cam.source_key, r.source_key);
        assert_eq!(cam.nearest_address, r.nearest_address);
        assert_eq!(cam.nearest_intersection, r.nearest_intersection);
        assert!((cam.location.lat() - r.location.lat()).abs() < 0.0001);
        assert!((cam.location.lon() - r.location.lon()).abs() < 0.0001);
        assert!(r.source_read_id.starts_with(&r.camera_id));
        assert!(ids.insert((r.source_key.as_str(), r.source_read_id.as_str())));
        assert_eq!(Plate::parse(r.plate.as_str()).unwrap(), r.plate);
        assert_eq!(r.vehicle, VehicleLook::for_plate(&r.plate, r.jurisdiction));
    }
}

#[test]
fn story_plates_are_there() {
    let all = default_reads();
    let w = world();
    let pa = Jurisdiction::parse("PA").unwrap();
    let wi = Jurisdiction::parse("WI").unwrap();
    let abc: Vec<_> = all
        .iter()
        .filter(|r| r.plate.as_str() == "ABC123" && r.jurisdiction == pa)
        .collect();
    let recent = abc
        .iter()
        .filter(|r| NOW - r.captured_at <= Duration::days(60))
        .count();
    assert!(recent >= 12, "{recent}");
    assert!(abc.len() > recent + 10);
    let states: HashSet<_> = abc
        .iter()
        .map(|r| w.source(&r.source_key).unwrap().jurisdiction.code())
        .collect();
    assert!(states.is_subset(&HashSet::from(["PA", "NJ", "DE"])));
    assert!(states.len() >= 2);
    let cameras: HashSet<_> = abc.iter().map(|r| r.camera_id.as_str()).collect();
    assert!(cameras.len() >= 4);

    let xyz: Vec<_> = all
        .iter()
        .filter(|r| r.plate.as_str() == "XYZ1234" && r.jurisdiction == wi)
        .collect();
    assert!(
        xyz.iter()
            .filter(|r| NOW - r.captured_at <= Duration::days(30))
            .count()
            >= 5
    );
    // Only the documented near misses resemble XYZ1234.
    let like: HashSet<_> = all
        .iter()
        .filter(|r| r.plate.as_str().contains("XYZ"))
        .map(|r| (r.plate.as_str(), r.jurisdiction.code()))
        .collect();
    let expected: HashSet<_> = STORY_PLATES
        .iter()
        .chain(NEAR_MISS_PLATES)
        .filter(|(p, _)| p.contains("XYZ"))
        .copied()
        .collect();
    assert_eq!(like, expected);
    assert!(
        all.iter()
            .filter(|r| r.plate.as_str().starts_with("ABC"))
            .all(|r| r.plate.as_str() == "ABC123" && r.jurisdiction == pa)
    );
}

#[test]
fn same_plan_same_reads_other_seed_other_reads() {
    let w = world();
    let plan = DemoPlan {
        reads: 5_000,
        ..DemoPlan::new(7, NOW)
    };
    let a: Vec<_> = reads(&w, &plan).collect();
    let b: Vec<_> = reads(&w, &plan).collect();
    assert_eq!(a.len(), 5_000);
    assert_eq!(a, b);
    assert_eq!(reads(&w, &plan).len(), 5_000);
    let c: Vec<_> = reads(&w, &DemoPlan { seed: 8, ..plan }).collect();
    assert_ne!(a, c);
    // The story does not depend on the seed.
    let story = |v: &[DemoRead]| {
        v.iter()
            .filter(|r| r.plate.as_str() == "ABC123")
            .map(|r| (r.captured_at, r.camera_id.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(story(&a), story(&c));
}

#[test]
fn short_spans_and_tiny_plans_work() {
    let w = world();
    let plan = DemoPlan {
        reads: 10,
        span_days: 3,
        ..DemoPlan::new(1, NOW)
    };
    let v: Vec<_> = reads(&w, &plan).collect();
    assert!(v.len() >= 10);
    assert!(v.iter().all(|r| NOW - r.captured_at <= Duration::days(3)));
    let none = DemoPlan {
        reads: 0,
        span_days: 0,
        ..plan
    };
    assert!(reads(&w, &none).count() <= 10);
}

#[test]
fn an_empty_world_gives_no_reads() {
    let mut w = world();
    w.cameras.clear();
    let stream = reads(&w, &DemoPlan::new(1, NOW));
    assert_eq!(stream.len(), 0);
    assert_eq!(stream.count(), 0);
}

/// Decodes a PNG fully; its width and height.
fn decode(bytes: &[u8]) -> Result<(u32, u32), Box<dyn std::error::Error>> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("no buffer size")?];
    let info = reader.next_frame(&mut buf)?;
    Ok((info.width, info.height))
}

#[test]
fn photos_decode_and_are_deterministic() {
    let w = world();
    let plan = DemoPlan {
        reads: 400,
        ..DemoPlan::new(3, NOW)
    };
    let sample: Vec<_> = reads(&w, &plan).collect();
    let mut max_plate = 0;
    let mut max_scene = 0;
    for r in sample.iter().step_by(7) {
        let p = render_plate_png(&r.plate, r.jurisdiction);
        assert_eq!(
            decode(&p).unwrap(),
            (u32::from(PLATE_W), u32::from(PLATE_H))
        );
        assert_eq!(p, render_plate_png(&r.plate, r.jurisdiction));
        let v = render_vehicle_png(r);
        assert_eq!(
            decode(&v).unwrap(),
            (u32::from(SCENE_W), u32::from(SCENE_H))
        );
        assert_eq!(v, render_vehicle_png(r));
        max_plate = max_plate.max(p.len());
        max_scene = max_scene.max(v.len());
    }
    assert!(max_plate < 6 * 1024, "plate photo {max_plate} bytes");
    assert!(max_scene < 6 * 1024, "vehicle photo {max_scene} bytes");
    // The vehicle photo ignores time and read id: a later read of the same
    // plate at the same camera is byte-identical.
    let r = &sample[0];
    let mut later = r.clone();
    later.captured_at += Duration::days(3);
    later.source_read_id.push('x');
    later.location = sightline_core::GeoPoint::new(0.0, 0.0).unwrap();
    assert_eq!(render_vehicle_png(r), render_vehicle_png(&later));
    // ...and differs for another look.
    let other = sample.iter().find(|o| o.vehicle != r.vehicle).unwrap();
    let mut swapped = r.clone();
    swapped.vehicle = other.vehicle;
    assert_ne!(render_vehicle_png(r), render_vehicle_png(&swapped));
}

#[test]
fn every_state_kind_and_body_renders() {
    let plate = Plate::parse("ABC-1234").unwrap();
    for j in Jurisdiction::all() {
        let p = render_plate_png(&plate, j);
        assert_eq!(decode(&p).unwrap(), (200, 100), "{j}");
    }
    let wi = Jurisdiction::parse("WI").unwrap();
    let base = VehicleLook::for_plate(&plate, wi);
    let mut distinct = HashSet::new();
    for body in BodyStyle::ALL {
        for kind in SourceKind::ALL {
            for variant in 0..4 {
                let look = VehicleLook { body, ..base };
                let png = render_vehicle_scene(&look, wi, kind, variant);
                assert_eq!(decode(&png).unwrap(), (320, 200));
                distinct.insert(png);
            }
        }
    }
    assert!(distinct.len() >= 6 * 4 * 3);
}

/// Writes sample photos to /tmp/demo-samples for a person to look at, and
/// times generation and rendering. `cargo test -p sightline-demo --release
/// -- --ignored --nocapture`.
#[test]
#[ignore = "writes files and prints timings"]
fn samples_and_timings() {
    let w = world();
    let started = Instant::now();
    let n = reads(&w, &DemoPlan::new(42, NOW)).count();
    eprintln!("{n} reads in {:?}", started.elapsed());
    let all = default_reads();
    let dir = std::path::Path::new("/tmp/demo-samples");
    std::fs::create_dir_all(dir).unwrap();
    let pa = Jurisdiction::parse("PA").unwrap();
    let abc = all
        .iter()
        .find(|r| r.plate.as_str() == "ABC123" && r.jurisdiction == pa)
        .unwrap();
    std::fs::write(
        dir.join("plate-ABC123-PA.png"),
        render_plate_png(&abc.plate, pa),
    )
    .unwrap();
    std::fs::write(dir.join("vehicle-ABC123-PA.png"), render_vehicle_png(abc)).unwrap();
    for kind in SourceKind::ALL {
        let r = all.iter().find(|r| r.source_kind == kind).unwrap();
        let name = format!("vehicle-{}-{}.png", kind.as_str(), r.vehicle.body.name());
        std::fs::write(dir.join(name.replace(' ', "_")), render_vehicle_png(r)).unwrap();
        let name = format!("plate-{}-{}.png", r.plate.as_str(), r.jurisdiction.code());
        std::fs::write(dir.join(name), render_plate_png(&r.plate, r.jurisdiction)).unwrap();
    }
    let started = Instant::now();
    let mut bytes = (0usize, 0usize);
    let k = 2_000;
    for r in all.iter().take(k) {
        bytes.0 += render_plate_png(&r.plate, r.jurisdiction).len();
    }
    let plate_time = started.elapsed();
    let started = Instant::now();
    for r in all.iter().take(k) {
        bytes.1 += render_vehicle_png(r).len();
    }
    let scene_time = started.elapsed();
    eprintln!(
        "plate photo: {:?} and {} bytes on average; vehicle photo: {:?} and {} bytes",
        plate_time / k as u32,
        bytes.0 / k,
        scene_time / k as u32,
        bytes.1 / k
    );
    let unique: HashSet<_> = all
        .iter()
        .map(|r| (r.plate.as_str(), r.jurisdiction))
        .collect();
    // What the vehicle photo depends on (the state stands for its plate
    // colours, which several states share): an upper bound on distinct photos.
    let scenes = all
        .iter()
        .map(|r| {
            let variant = sightline_demo::prng::hash_str(&r.camera_id) % 4;
            let v = r.vehicle;
            (
                v.color,
                v.body,
                v.make,
                r.jurisdiction,
                r.source_kind,
                variant,
            )
        })
        .collect::<HashSet<_>>()
        .len();
    eprintln!(
        "metros {}, sources {}, cameras {}, unique plates {}, distinct vehicle photos <= {scenes}",
        w.metros.len(),
        w.sources.len(),
        w.cameras.len(),
        unique.len()
    );
}
