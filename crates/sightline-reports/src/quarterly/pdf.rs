//! The PDF: A4 portrait. The cover, the summary (figure tiles, the months
//! as a chart and a table), then the breakdowns laid out in flow: each
//! starts with its heading and chart on a page that has room for them and
//! a few rows, and its table runs on over as many pages as it needs, its
//! header repeated. Laid out first, then drawn, so every footer can say
//! "Page n of N".

use super::{QuarterlyReport, Tally, chart, table};
use crate::query_report::layout::{CONTENT_W, FOOTER_Y, MARGIN, PAGE_W};
use crate::query_report::paint::{INK, MUTED, Painter, RULE, Style, a4_page, pdf_date};
use crate::query_report::text::{Face, Fonts};
use krilla::Document;
use krilla::metadata::Metadata;

const TOP: f32 = 44.0;
const BOTTOM: f32 = FOOTER_Y - 26.0;
const HEADING_H: f32 = 34.0;
/// A breakdown starts where its heading, chart and this many rows fit.
const KEEP_ROWS: usize = 3;

/// One thing on a breakdown page, at its top.
enum Block<'a> {
    Heading {
        title: &'a str,
        note: String,
    },
    Chart(&'a [(String, Tally)]),
    Table {
        column: &'a str,
        rows: &'a [(String, Tally)],
        first: usize,
    },
    Nothing,
}

type Page<'a> = Vec<(f32, Block<'a>)>;

/// Puts `block` at `y` on the last page.
fn place<'a>(pages: &mut [Page<'a>], y: f32, block: Block<'a>) {
    if let Some(page) = pages.last_mut() {
        page.push((y, block));
    }
}

impl QuarterlyReport {
    fn flow(&self) -> Vec<Page<'_>> {
        let mut pages: Vec<Page> = vec![Vec::new()];
        let mut y = TOP;
        for b in &self.breakdowns {
            let n = b.rows.len();
            let chart_h = if n == 0 { 0.0 } else { chart::height(n) + 10.0 };
            let need = HEADING_H + chart_h + table::height(n.min(KEEP_ROWS), false);
            if y + need > BOTTOM && pages.last().is_some_and(|p| !p.is_empty()) {
                pages.push(Vec::new());
                y = TOP;
            }
            let note = if n == 0 {
                String::new()
            } else if n > chart::CHART_ROWS {
                format!(
                    "{n} rows, most searches first; the chart shows the first {}, the table all of them.",
                    chart::CHART_ROWS
                )
            } else {
                format!(
                    "{n} row{}, most searches first.",
                    if n == 1 { "" } else { "s" }
                )
            };
            place(
                &mut pages,
                y,
                Block::Heading {
                    title: &b.title,
                    note,
                },
            );
            y += HEADING_H;
            if n == 0 {
                place(&mut pages, y, Block::Nothing);
                y += 16.0 + 24.0;
                continue;
            }
            place(&mut pages, y, Block::Chart(&b.rows));
            y += chart_h;
            let mut i = 0;
            while i < n {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let fit = ((BOTTOM - y - table::HEAD_H) / table::ROW_H)
                    .floor()
                    .max(0.0) as usize;
                let take = fit.min(n - i);
                if take > 0 {
                    place(
                        &mut pages,
                        y,
                        Block::Table {
                            column: &b.column,
                            rows: b.rows.get(i..i + take).unwrap_or_default(),
                            first: i,
                        },
                    );
                    y += table::height(take, false);
                    i += take;
                }
                if i < n {
                    pages.push(Vec::new());
                    y = TOP;
                    place(
                        &mut pages,
                        y,
                        Block::Heading {
                            title: &b.title,
                            note: format!("Continued: rows {} to {n}.", i + 1),
                        },
                    );
                    y += HEADING_H;
                }
            }
            y += 24.0;
        }
        pages.retain(|p| !p.is_empty());
        pages
    }

    fn summary(&self, p: &mut Painter) {
        let t = &self.totals;
        p.text_in(
            MARGIN,
            TOP + 14.0,
            CONTENT_W,
            Style::new(Face::Bold, 16.0, INK),
            &format!("Summary, {}", self.quarter),
        );
        p.text_in(
            MARGIN,
            TOP + 30.0,
            CONTENT_W,
            Style::new(Face::Regular, 9.0, MUTED),
            &format!(
                "{} to {} · {}",
                self.period_start, self.period_end, self.scope
            ),
        );
        let ratio = t.hit_ratio_text();
        let bottom = chart::tiles(
            p,
            TOP + 42.0,
            &[
                ("Searches", t.searches.to_string()),
                (
                    "Positive hits (searches with a read)",
                    t.positive_hits.to_string(),
                ),
                ("Hit ratio", ratio),
                ("Alert-list hits", t.alert_hits.to_string()),
                ("Notifications sent", t.notifications_sent.to_string()),
                (
                    "Alert-list entries added",
                    t.alert_entries_added.to_string(),
                ),
                (
                    "Alert-list entries active when this report was made",
                    self.alert_list_size.to_string(),
                ),
            ],
        );
        let mut y = bottom + 28.0;
        p.text_in(
            MARGIN,
            y,
            CONTENT_W,
            Style::new(Face::Bold, 12.0, INK),
            "Month by month",
        );
        y += 8.0;
        chart::bars(p, y, &self.months);
        y += chart::height(self.months.len()) + 10.0;
        table::counts(
            p,
            y,
            "Month",
            &self.months,
            0,
            Some(("The quarter", &self.totals)),
        );
    }

    fn block(&self, p: &mut Painter, y: f32, block: &Block) {
        match block {
            Block::Heading { title, note } => {
                p.text_in(
                    MARGIN,
                    y + 14.0,
                    CONTENT_W,
                    Style::new(Face::Bold, 13.0, INK),
                    title,
                );
                p.text_in(
                    MARGIN,
                    y + 27.0,
                    CONTENT_W,
                    Style::new(Face::Regular, 8.0, MUTED),
                    note,
                );
            }
            Block::Chart(rows) => chart::bars(p, y, rows),
            Block::Table {
                column,
                rows,
                first,
            } => {
                table::counts(p, y, column, rows, *first, None);
            }
            Block::Nothing => {
                table::nothing(p, y, "Nothing in this period.");
            }
        }
    }

    fn footer(&self, p: &mut Painter, number: usize, total: usize) {
        p.hline(MARGIN, PAGE_W - MARGIN, FOOTER_Y - 10.0, RULE);
        p.text_in(
            MARGIN,
            FOOTER_Y,
            CONTENT_W - 70.0,
            Style::new(Face::Regular, 7.0, MUTED),
            &format!(
                "Sightline quarterly report · {} · {} · generated {}",
                self.agency, self.quarter, self.generated_at
            ),
        );
        p.text_right(
            PAGE_W - MARGIN,
            FOOTER_Y,
            Style::new(Face::Regular, 8.0, MUTED),
            &format!("Page {number} of {total}"),
        );
    }
}

/// The report as a PDF, with DejaVu embedded.
pub fn to_pdf(report: &QuarterlyReport) -> anyhow::Result<Vec<u8>> {
    let fonts = Fonts::load()?;
    let flow = report.flow();
    let total = 2 + flow.len();
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(format!(
                "Sightline quarterly report: {}, {}",
                report.agency, report.quarter
            ))
            .creator("Sightline".to_owned())
            .creation_date(pdf_date(report.generated_at.at)),
    );
    let mut number = 0;
    let mut page = |doc: &mut Document, draw: &mut dyn FnMut(&mut Painter)| {
        number += 1;
        a4_page(doc, &fonts, |p| {
            draw(p);
            report.footer(p, number, total);
        })
    };
    page(&mut doc, &mut |p| report.cover(p))?;
    page(&mut doc, &mut |p| report.summary(p))?;
    for blocks in &flow {
        page(&mut doc, &mut |p| {
            for (y, b) in blocks {
                report.block(p, *y, b);
            }
        })?;
    }
    doc.finish()
        .map_err(|e| anyhow::anyhow!("rendering the PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    #[test]
    fn long_tables_run_on_and_every_block_fits() {
        let report = sample::report(90);
        let flow = report.flow();
        assert!(flow.len() >= 3, "{}", flow.len());
        for page in &flow {
            for (y, _) in page {
                assert!(*y >= TOP && *y < BOTTOM);
            }
        }
        let pdf = to_pdf(&report).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        // For a person to look at: `SIGHTLINE_REPORT_SAMPLES=DIR cargo test`.
        if let Ok(dir) = std::env::var("SIGHTLINE_REPORT_SAMPLES") {
            let dir = std::path::Path::new(&dir);
            std::fs::write(dir.join("quarterly.pdf"), &pdf).unwrap();
            let xlsx = super::super::to_xlsx(&report).unwrap();
            std::fs::write(dir.join("quarterly.xlsx"), xlsx).unwrap();
        }
        let short = sample::report(3);
        assert_eq!(short.flow().len(), 2, "small breakdowns share pages");
    }
}
