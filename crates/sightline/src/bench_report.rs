//! `sightline bench report`: what the printable query report costs. One
//! plate seen `--reads` times at demo cameras across the demo's metros
//! (round robin, so nearly every sighting stands somewhere new), with the
//! demo's real vehicle and plate photos, rendered through the same
//! `render_query_report` the server uses, over the configured base map.
//!
//! Figures: the first render (cold tile cache), then the median of
//! `--runs` renders (warm cache, as a busy server is), beside a baseline
//! measured in the same run: the same report without maps. Never run as a
//! timed test in CI.

use clap::Args;
use sightline_core::{Jurisdiction, Plate};
use sightline_demo::{DemoRead, VehicleLook};
use sightline_reports::{
    CheckpointRef, QueryReport, RenderOptions, ReportHeader, ReportRead, render_query_report,
};
use std::time::{Duration, Instant};
use time::macros::datetime;

#[derive(Debug, Args)]
pub struct ReportBench {
    /// Sightings in the report.
    #[arg(long, default_value_t = 200)]
    reads: usize,
    /// Renders timed after the first.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Write the last full report here, to look at.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

fn sample(n: usize) -> anyhow::Result<QueryReport> {
    let world = sightline_demo::world();
    let plate = Plate::parse("BNC4821")?;
    let state = Jurisdiction::parse("PA")?;
    let vehicle = VehicleLook::for_plate(&plate, state);
    let plate_png = sightline_demo::render_plate_png(&plate, state);
    // Round robin over metros, then over each metro's cameras.
    let mut by_metro: Vec<Vec<&sightline_demo::DemoCamera>> = Vec::new();
    for m in &world.metros {
        let cams: Vec<_> = world
            .cameras
            .iter()
            .filter(|c| {
                world
                    .source(&c.source_key)
                    .is_some_and(|s| s.metro == m.name)
            })
            .collect();
        if !cams.is_empty() {
            by_metro.push(cams);
        }
    }
    anyhow::ensure!(!by_metro.is_empty(), "the demo world has no cameras");
    let start = datetime!(2026-09-22 06:00 UTC);
    let mut reads = Vec::with_capacity(n);
    for i in 0..n {
        let metro = by_metro
            .get(i % by_metro.len())
            .ok_or_else(|| anyhow::anyhow!("metro"))?;
        let cam = metro
            .get((i / by_metro.len()) % metro.len())
            .ok_or_else(|| anyhow::anyhow!("camera"))?;
        let source = world
            .source(&cam.source_key)
            .ok_or_else(|| anyhow::anyhow!("source"))?;
        let captured_at = start + time::Duration::minutes(i64::try_from(i)? * 397);
        let demo = DemoRead {
            source_key: source.key.clone(),
            source_kind: source.kind,
            camera_id: cam.camera_id.clone(),
            source_read_id: format!("{}-{i}", cam.camera_id),
            plate: plate.clone(),
            jurisdiction: state,
            captured_at,
            location: cam.location,
            nearest_address: cam.nearest_address.clone(),
            nearest_intersection: cam.nearest_intersection.clone(),
            vehicle,
        };
        reads.push(ReportRead {
            read_id: i64::try_from(i)? + 1,
            captured_at,
            source_name: source.name.clone(),
            source_kind: source.kind.label().to_owned(),
            nearest_address: cam.nearest_address.clone(),
            nearest_intersection: cam.nearest_intersection.clone(),
            lat: cam.location.lat(),
            lon: cam.location.lon(),
            vehicle_photo: Some(sightline_demo::render_vehicle_png(&demo)),
            plate_photo: Some(plate_png.clone()),
        });
    }
    Ok(QueryReport {
        header: ReportHeader {
            agency: "Bench Agency".into(),
            user: "Bench Investigator (bench.user)".into(),
            on_behalf_of: None,
            reason_code: "criminal-investigation".into(),
            program: Some("HSI".into()),
            case_reference: "Benchmark case 2026-000200".into(),
            plate: plate.as_str().to_owned(),
            state: state.code().to_owned(),
            timeframe_start: start,
            timeframe_end: start + time::Duration::days(60),
            ran_at: start + time::Duration::days(60),
            log: "agency:1".into(),
            seq: 1,
            checkpoint: Some(CheckpointRef {
                tree_size: 1,
                root_hash: [0; 32],
                signed_at: start + time::Duration::days(60),
            }),
            generated_at: start + time::Duration::days(60),
        },
        reads,
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

pub async fn report(
    settings: &crate::settings::Settings,
    args: &ReportBench,
) -> anyhow::Result<()> {
    let layers = sightline_maps::MapLayers::from_config(&settings.map_config())?;
    let street = layers.street();
    let data = sample(args.reads)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "sightline bench report: {} sightings, {} cores, base map: {}",
        args.reads,
        cores,
        street.map_or("none", |l| l.attribution())
    );
    let render = |maps: bool| {
        let data = data.clone();
        async move {
            let began = Instant::now();
            let out = render_query_report(
                data,
                street,
                RenderOptions {
                    maps,
                    ..RenderOptions::default()
                },
            )
            .await?;
            anyhow::Ok((began.elapsed(), out))
        }
    };
    let (cold, first) = render(true).await?;
    println!(
        "{:<40} {:>8.2} s   {} pages, {:.1} MB, {} maps ({} missing)",
        "first render (cold tile cache)",
        cold.as_secs_f64(),
        first.pages,
        first.pdf.len() as f64 / 1e6,
        first.maps_drawn,
        first.maps_missing
    );
    let runs = args.runs.max(1);
    let (mut full, mut text) = (Vec::new(), Vec::new());
    let mut last = first;
    for _ in 0..runs {
        let (t, out) = render(true).await?;
        full.push(t);
        last = out;
        text.push(render(false).await?.0);
    }
    let (full, text) = (median(full), median(text));
    println!(
        "{:<40} {:>8.2} s   median of {runs}",
        "full report (warm tile cache)",
        full.as_secs_f64()
    );
    println!(
        "{:<40} {:>8.2} s   median of {runs}",
        "baseline: the same report without maps",
        text.as_secs_f64()
    );
    println!(
        "{:<40} {:>8.2}x baseline; maps take {:.2} s",
        "",
        full.as_secs_f64() / text.as_secs_f64().max(1e-9),
        (full.saturating_sub(text)).as_secs_f64()
    );
    if let Some(path) = &args.out {
        std::fs::write(path, &last.pdf)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
