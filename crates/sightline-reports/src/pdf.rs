//! PDF: A4 landscape pages with the title and header lines on the first,
//! one row per record in columns, and "Page n of N" on every page; an
//! attached file where the PDF is the readable face of machine-checkable
//! data (the audit export attaches its JSON Lines).

use crate::Report;
use krilla::Document;
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};

const W: f32 = 842.0;
const H: f32 = 595.0;
const MARGIN: f32 = 36.0;
const BODY: f32 = 7.5;
const LINE: f32 = 11.0;

/// Cuts `text` to what fits in `width` points at `size`, roughly: DejaVu
/// Sans glyphs average about 0.55 em.
fn fit(text: &str, width: f32, size: f32) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let max = ((width / (size * 0.55)).floor().max(1.0)) as usize;
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut s: String = one_line.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A file carried inside the PDF (`pdfdetach` lists and saves it).
#[derive(Debug, Clone)]
pub struct Attachment {
    pub name: String,
    pub mime_type: String,
    pub description: String,
    pub data: Vec<u8>,
}

pub fn to_pdf(report: &Report) -> anyhow::Result<Vec<u8>> {
    to_pdf_attaching(report, None)
}

/// [`to_pdf`], with `attachment` embedded in the document.
pub fn to_pdf_attaching(
    report: &Report,
    attachment: Option<Attachment>,
) -> anyhow::Result<Vec<u8>> {
    let font = Font::new(dejavu::sans::regular().to_vec().into(), 0)
        .ok_or_else(|| anyhow::anyhow!("the embedded font did not load"))?;
    let cols = report.columns.len().max(1);
    let weights: Vec<f32> = if report.widths.len() == cols {
        report.widths.clone()
    } else {
        vec![1.0; cols]
    };
    let total: f32 = weights.iter().sum::<f32>().max(f32::EPSILON);
    let widths: Vec<f32> = weights
        .iter()
        .map(|w| w / total * (W - 2.0 * MARGIN))
        .collect();
    let header_height = 24.0 + LINE * (report.header.len() as f32 + 1.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let first_rows = ((H - 2.0 * MARGIN - header_height - LINE * 2.0) / LINE)
        .floor()
        .max(1.0) as usize;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let other_rows = ((H - 2.0 * MARGIN - LINE * 3.0) / LINE).floor().max(1.0) as usize;
    let mut pages: Vec<&[Vec<crate::Cell>]> = Vec::new();
    let (first, mut rest) = report.rows.split_at(first_rows.min(report.rows.len()));
    pages.push(first);
    while !rest.is_empty() {
        let (page, tail) = rest.split_at(other_rows.min(rest.len()));
        pages.push(page);
        rest = tail;
    }
    // The appendix: wrapped lines, after the table, on pages of their own.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let per_line = ((W - 2.0 * MARGIN) / (BODY * 0.55)).floor().max(10.0) as usize;
    let wrapped: Vec<String> = report
        .appendix
        .iter()
        .flat_map(|line| {
            let chars: Vec<char> = line.chars().collect();
            chars
                .chunks(per_line)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect();
    let appendix_pages: Vec<&[String]> = wrapped.chunks(other_rows).collect();
    let table_pages = pages.len();
    let n_pages = table_pages + appendix_pages.len();
    let mut doc = Document::new();
    for (index, rows) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(W, H).ok_or_else(|| anyhow::anyhow!("page size"))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        let mut y = MARGIN + 14.0;
        let mut text = |x: f32, y: f32, size: f32, s: &str| {
            surface.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                s,
                false,
                TextDirection::Auto,
            );
        };
        if index == 0 {
            text(MARGIN, y, 14.0, &fit(&report.title, W - 2.0 * MARGIN, 14.0));
            y += 10.0;
            for (label, value) in &report.header {
                y += LINE;
                text(
                    MARGIN,
                    y,
                    8.5,
                    &fit(&format!("{label}: {value}"), W - 2.0 * MARGIN, 8.5),
                );
            }
            y += LINE;
        }
        y += LINE;
        let mut x = MARGIN;
        for (name, w) in report.columns.iter().zip(&widths) {
            text(x, y, BODY, &fit(&name.to_uppercase(), *w - 4.0, BODY));
            x += w;
        }
        for row in rows {
            y += LINE;
            let mut x = MARGIN;
            for (cell, w) in row.iter().zip(&widths) {
                text(x, y, BODY, &fit(&cell.display(), *w - 4.0, BODY));
                x += w;
            }
        }
        text(
            W - MARGIN - 60.0,
            H - MARGIN / 2.0,
            8.0,
            &format!("Page {} of {n_pages}", index + 1),
        );
        surface.finish();
        page.finish();
    }
    for (i, lines) in appendix_pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(W, H).ok_or_else(|| anyhow::anyhow!("page size"))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        let mut y = MARGIN + 14.0;
        for line in lines {
            surface.draw_text(
                Point::from_xy(MARGIN, y),
                font.clone(),
                BODY,
                line,
                false,
                TextDirection::Auto,
            );
            y += LINE;
        }
        let number = table_pages + i + 1;
        surface.draw_text(
            Point::from_xy(W - MARGIN - 60.0, H - MARGIN / 2.0),
            font.clone(),
            8.0,
            &format!("Page {number} of {n_pages}"),
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    if let Some(a) = attachment {
        doc.embed_file(EmbeddedFile {
            path: a.name,
            mime_type: MimeType::new(&a.mime_type),
            description: Some(a.description),
            association_kind: AssociationKind::Data,
            data: a.data.into(),
            modification_date: None,
            compress: Some(true),
            location: None,
        })
        .ok_or_else(|| anyhow::anyhow!("attaching a file to the PDF"))?;
    }
    doc.finish()
        .map_err(|e| anyhow::anyhow!("rendering the PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_long_text_with_an_ellipsis() {
        assert_eq!(fit("short", 100.0, 10.0), "short");
        let cut = fit(&"x".repeat(100), 55.0, 10.0);
        assert_eq!(cut.chars().count(), 10);
        assert!(cut.ends_with('…'));
    }
}
