//! The query report from plain data: photos in every accepted format (and
//! one that does not decode), maps from the built-in base map, pages and
//! images as poppler's `pdfimages` and `pdftotext` see them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sightline_core::{Jurisdiction, Plate};
use sightline_maps::MapLayers;
use sightline_reports::query_report::layout::page_count;
use sightline_reports::{
    CheckpointRef, QueryReport, RenderOptions, ReportHeader, ReportRead, render_query_report,
};
use std::process::Command;
use time::macros::datetime;

fn rgb_of(png_bytes: &[u8]) -> (Vec<u8>, u32, u32) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let rgb = buf[..info.buffer_size()]
        .chunks_exact(info.color_type.samples())
        .flat_map(|c| [c[0], c[1], c[2]])
        .collect();
    (rgb, info.width, info.height)
}

fn jpeg(png_bytes: &[u8]) -> Vec<u8> {
    let (rgb, w, h) = rgb_of(png_bytes);
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(
            &rgb,
            u16::try_from(w).unwrap(),
            u16::try_from(h).unwrap(),
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    out
}

fn webp(png_bytes: &[u8]) -> Vec<u8> {
    let (rgb, w, h) = rgb_of(png_bytes);
    let mut out = Vec::new();
    image_webp::WebPEncoder::new(&mut out)
        .encode(&rgb, w, h, image_webp::ColorType::Rgb8)
        .unwrap();
    out
}

fn poppler(tool: &str, args: &[&str], pdf: &std::path::Path) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| {
            panic!("{tool} is needed (poppler-utils; scripts/install-test-deps.sh): {e}")
        });
    assert!(out.status.success(), "{tool} failed: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn report() -> QueryReport {
    let world = sightline_demo::world();
    let plate = Plate::parse("RPT100").unwrap();
    let state = Jurisdiction::parse("PA").unwrap();
    let plate_png = sightline_demo::render_plate_png(&plate, state);
    let cams: Vec<_> = world
        .cameras
        .iter()
        .filter(|c| c.source_key.starts_with("philadelphia-pa-"))
        .take(3)
        .chain(
            world
                .cameras
                .iter()
                .filter(|c| c.source_key.starts_with("pittsburgh-pa-"))
                .take(1),
        )
        .collect();
    assert_eq!(cams.len(), 4);
    let look = sightline_demo::VehicleLook::for_plate(&plate, state);
    let reads = cams
        .iter()
        .enumerate()
        .map(|(i, cam)| {
            let source = world.source(&cam.source_key).unwrap();
            let vehicle = sightline_demo::render_vehicle_scene(&look, state, source.kind, 0);
            let (vehicle_photo, plate_photo) = match i {
                0 => (vehicle, plate_png.clone()),
                1 => (jpeg(&vehicle), jpeg(&plate_png)),
                2 => (webp(&vehicle), webp(&plate_png)),
                // A PNG signature and nothing after it: stored, but no image.
                _ => (vehicle, b"\x89PNG\r\n\x1a\nbroken".to_vec()),
            };
            ReportRead {
                read_id: 100 + i as i64,
                captured_at: datetime!(2026-11-20 08:00 UTC) + time::Duration::hours(i as i64),
                source_name: source.name.clone(),
                source_kind: source.kind.label().to_owned(),
                nearest_address: cam.nearest_address.clone(),
                nearest_intersection: cam.nearest_intersection.clone(),
                lat: cam.location.lat(),
                lon: cam.location.lon(),
                vehicle_photo: Some(vehicle_photo),
                plate_photo: Some(plate_photo),
            }
        })
        .collect();
    QueryReport {
        header: ReportHeader {
            agency: "Agency A".into(),
            user: "Dana Jones (hsi.jones)".into(),
            on_behalf_of: Some("Sam Field".into()),
            reason_code: "criminal-investigation".into(),
            program: Some("HSI".into()),
            case_reference: "Subject name John Doe, case number 12345678".into(),
            plate: "RPT100".into(),
            state: "PA".into(),
            timeframe_start: datetime!(2026-09-22 12:00 UTC),
            timeframe_end: datetime!(2026-11-21 12:00 UTC),
            ran_at: datetime!(2026-11-21 12:00:05 UTC),
            log: "agency:1".into(),
            seq: 42,
            checkpoint: Some(CheckpointRef {
                tree_size: 57,
                root_hash: [0xab; 32],
                signed_at: datetime!(2026-11-21 12:00:10 UTC),
            }),
            generated_at: datetime!(2026-11-21 12:30 UTC),
        },
        reads,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_holds_every_photo_format_and_both_maps() {
    let layers = MapLayers::builtin().unwrap();
    let out = render_query_report(report(), layers.street(), RenderOptions::default())
        .await
        .unwrap();
    assert_eq!(out.pages, page_count(4));
    assert_eq!((out.maps_drawn, out.maps_missing), (9, 0));
    assert_eq!(out.photos_missing, 1, "the broken PNG");

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&pdf, &out.pdf).unwrap();
    // To look at it: REPORT_PDF=/tmp/report.pdf cargo test -p sightline-reports
    if let Some(keep) = std::env::var_os("REPORT_PDF") {
        std::fs::write(keep, &out.pdf).unwrap();
    }
    // page num type width height color comp bpc enc ...
    let list = poppler("pdfimages", &["-list"], &pdf);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let on = |page: &str| rows.iter().filter(|r| r[0] == page).count();
    assert_eq!(on("1"), 1, "the summary map\n{list}");
    assert_eq!(on("2"), 0, "the table has no images\n{list}");
    // Sightings 1-3: two photos and two maps each; 4 lost its plate photo.
    assert_eq!((on("3"), on("4"), on("5"), on("6")), (4, 4, 4, 3), "{list}");
    let jpegs: Vec<_> = rows.iter().filter(|r| r[8] == "jpeg").collect();
    assert_eq!(jpegs.len(), 2, "JPEG photos pass through\n{list}");
    assert!(jpegs.iter().all(|r| r[0] == "4"), "{list}");

    let text = poppler("pdftotext", &["-layout"], &pdf);
    for needle in [
        "Sightline query report",
        "criminal-investigation",
        "Subject name John Doe, case number 12345678",
        "Sam Field",
        "tree size 57",
        "Plate photo not available",
        "Page 6 of 6",
        "Generated 2026-11-21 12:30:00 UTC",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_base_map_or_a_checkpoint_the_report_says_so() {
    let mut r = report();
    r.header.checkpoint = None;
    r.reads.truncate(1);
    let out = render_query_report(r, None, RenderOptions::default())
        .await
        .unwrap();
    assert_eq!((out.pages, out.maps_drawn, out.maps_missing), (3, 0, 0));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&pdf, &out.pdf).unwrap();
    let text = poppler("pdftotext", &[], &pdf);
    assert!(text.contains("Not yet covered"), "{text}");
    assert!(
        text.contains("/api/v1/audit/proofs/inclusion?seq=42"),
        "{text}"
    );
    assert!(text.contains("No base map is configured"), "{text}");

    let mut empty = report();
    empty.reads.clear();
    let out = render_query_report(empty, None, RenderOptions::default())
        .await
        .unwrap();
    assert_eq!(out.pages, 1);
}
