//! Rendering for people: audit exports and statistics as PDF (a readable
//! report with a header, one row per event and page numbers), Excel (typed
//! columns, frozen header, filters) and CSV; and the printable query report
//! ([`query_report`]): a logged query with each sighting's photos and maps;
//! and the quarterly report ([`quarterly`]): an agency's statistics for a
//! calendar quarter with charts and the signed checkpoint that covers it.
//! Bytes in memory, no storage: the caller hands over the data, and the
//! query report reads map tiles only through the `sightline-maps` layer it
//! is given. The PDFs embed DejaVu from the `dejavu` crate, so no font is
//! looked up or downloaded at run time.

mod csv_out;
mod pdf;
pub mod quarterly;
pub mod query_report;
mod xlsx;

pub use csv_out::{inert, to_csv};
pub use pdf::{Attachment, to_pdf, to_pdf_attaching};
pub use query_report::{
    CheckpointRef, QueryReport, QueryReportError, RenderOptions, RenderedReport, ReportHeader,
    ReportRead, render_query_report,
};
pub use xlsx::{to_xlsx, xlsx_rows};

use time::OffsetDateTime;

/// One cell, typed so Excel keeps numbers as numbers and times as times.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Time(OffsetDateTime),
}

impl Cell {
    /// How the cell reads in PDF and CSV.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Time(t) => t
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        }
    }
}

/// A titled table with labelled header lines (agency, period, filters,
/// who generated it, the checkpoint it was cut from).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: String,
    pub header: Vec<(String, String)>,
    pub columns: Vec<String>,
    /// Relative column widths for the PDF; equal when empty.
    pub widths: Vec<f32>,
    pub rows: Vec<Vec<Cell>>,
    /// Lines printed after the table (PDF) or on a second sheet (Excel),
    /// e.g. inclusion proofs; long lines wrap in the PDF.
    pub appendix: Vec<String>,
}
