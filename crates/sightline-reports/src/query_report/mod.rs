//! The printable query report (issue 9): one logged plate query and its
//! results as a PDF for a case file. It takes plain data, never a store:
//! the server fills it from the query's audit entry and the results its
//! receipt opens, and `sightline bench report` from generated reads, so
//! both render through the same [`render_query_report`].
//!
//! What it draws is in [`layout`]. Maps come from a base-map [`Layer`]
//! (the same tiles as the web app), drawn in parallel, a bounded number at
//! a time, and reuse the layer's tile cache. Photos are embedded as stored:
//! JPEG bytes pass through untouched; PNG and WebP, which PDF cannot hold,
//! are decoded and embedded losslessly as pixels.

mod cover;
mod images;
pub mod layout;
mod maps;
mod pages;
pub(crate) mod paint;
mod sighting;
mod table;
pub(crate) mod text;
mod views;

use sightline_maps::Layer;
use std::sync::Arc;
use time::OffsetDateTime;

/// The signed checkpoint that covers the query's audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRef {
    pub tree_size: u64,
    /// The Merkle tree head.
    pub root_hash: [u8; 32],
    pub signed_at: OffsetDateTime,
}

/// Who ran the query, why, for what, and where it sits in the audit log:
/// the fields of its `query.run` entry.
#[derive(Debug, Clone)]
pub struct ReportHeader {
    pub agency: String,
    /// The user who ran the query, e.g. "Dana Jones (hsi.jones)".
    pub user: String,
    /// `None`: the user's own query.
    pub on_behalf_of: Option<String>,
    pub reason_code: String,
    pub program: Option<String>,
    pub case_reference: String,
    pub plate: String,
    pub state: String,
    pub timeframe_start: OffsetDateTime,
    pub timeframe_end: OffsetDateTime,
    /// When the query ran (its audit entry's time).
    pub ran_at: OffsetDateTime,
    /// The audit log the query is in, e.g. `agency:1`.
    pub log: String,
    /// The query's sequence number in that log: its id.
    pub seq: i64,
    /// `None`: no signed checkpoint covers the entry yet.
    pub checkpoint: Option<CheckpointRef>,
    /// When this report was made (the injected clock).
    pub generated_at: OffsetDateTime,
}

/// One sighting in the results, in time order.
#[derive(Debug, Clone)]
pub struct ReportRead {
    pub read_id: i64,
    pub captured_at: OffsetDateTime,
    pub source_name: String,
    /// How a person names the source's kind: "Toll road".
    pub source_kind: String,
    pub nearest_address: String,
    pub nearest_intersection: String,
    pub lat: f64,
    pub lon: f64,
    /// The stored bytes (PNG, JPEG or WebP); `None` if the photo is gone.
    pub vehicle_photo: Option<Vec<u8>>,
    pub plate_photo: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct QueryReport {
    pub header: ReportHeader,
    /// In time order, as the read store returns them.
    pub reads: Vec<ReportRead>,
}

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Draw the maps (false: their frames say so; the bench's baseline).
    pub maps: bool,
    /// Maps and photos prepared at once.
    pub parallel: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            maps: true,
            parallel: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// A rendered report.
#[derive(Debug, Clone)]
pub struct RenderedReport {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Maps drawn, and maps whose tiles could not be had (their frames
    /// say so; the rest of the report stands).
    pub maps_drawn: usize,
    pub maps_missing: usize,
    /// Photos that are gone or could not be decoded.
    pub photos_missing: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum QueryReportError {
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Renders `report`, its maps from `layer` (none: frames that say so).
pub async fn render_query_report(
    report: QueryReport,
    layer: Option<&Layer>,
    options: RenderOptions,
) -> Result<RenderedReport, QueryReportError> {
    let parallel = options.parallel.max(1);
    let QueryReport { header, reads } = report;
    let points: Vec<(f64, f64)> = reads.iter().map(|r| (r.lat, r.lon)).collect();
    let mut views = Vec::with_capacity(1 + 2 * reads.len());
    views.push(views::summary(&points));
    for i in 0..reads.len() {
        views.push(views::close_up(&points, i));
        views.push(views::overview(&points, i));
    }
    let map_layer = layer.filter(|_| options.maps);
    let rendered = maps::render_all(map_layer, views, parallel).await;
    let (maps_drawn, maps_missing) = (
        rendered.iter().filter(|m| m.is_some()).count(),
        if map_layer.is_some() {
            rendered.iter().filter(|m| m.is_none()).count()
        } else {
            0
        },
    );
    let mut rendered = rendered.into_iter();
    let summary = rendered.next().flatten();
    let mut per_read = Vec::with_capacity(reads.len());
    while let (Some(close), Some(over)) = (rendered.next(), rendered.next()) {
        per_read.push((close, over));
    }

    let mut reads = reads;
    let photos: Vec<images::StoredPair> = reads
        .iter_mut()
        .map(|r| {
            (
                r.vehicle_photo.take().map(Arc::new),
                r.plate_photo.take().map(Arc::new),
            )
        })
        .collect();
    let photos = images::photos(photos, parallel).await;
    let photos_missing = photos
        .iter()
        .map(|(v, p)| usize::from(v.is_none()) + usize::from(p.is_none()))
        .sum();

    let doc = pages::Doc {
        header,
        reads,
        summary,
        maps: per_read,
        photos,
        attribution: layer.map(|l| l.attribution().to_owned()),
        maps_wanted: options.maps && layer.is_some(),
    };
    let (pdf, pages) = tokio::task::spawn_blocking(move || doc.render())
        .await
        .map_err(|e| anyhow::anyhow!("report render task: {e}"))??;
    Ok(RenderedReport {
        pdf,
        pages,
        maps_drawn,
        maps_missing,
        photos_missing,
    })
}
