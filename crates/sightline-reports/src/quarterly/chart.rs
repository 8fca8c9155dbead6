//! Horizontal bar charts (searches, positive hits and alert-list hits per
//! row, the console's colours) and the summary's figure tiles.

use super::Tally;
use crate::query_report::layout::{MARGIN, PAGE_W, PtRect};
use crate::query_report::paint::{INK, MUTED, Painter, Rgb, SHADE, Style};
use crate::query_report::text::Face;

/// The series, in the colours of the console's charts (audit.css); they
/// differ in lightness too, so they part in grey print.
pub(super) const SERIES: [(&str, Rgb); 3] = [
    ("Searches", [0x1f, 0x5f, 0xbf]),
    ("Positive hits", [0x1e, 0x6b, 0x3a]),
    ("Alert-list hits", [0x7a, 0x4d, 0x00]),
];
const GRID: Rgb = [0xd1, 0xd5, 0xdb];

/// Rows a chart draws at most; the table beside it has them all.
pub(super) const CHART_ROWS: usize = 12;
const LABEL_W: f32 = 150.0;
const BAR_H: f32 = 5.0;
const BAR_GAP: f32 = 1.0;
const ROW_GAP: f32 = 7.0;
const ROW_H: f32 = 3.0 * BAR_H + 2.0 * BAR_GAP + ROW_GAP;
const LEGEND_H: f32 = 18.0;
const AXIS_H: f32 = 16.0;
/// Room right of the longest bar for its value.
const VALUE_W: f32 = 30.0;

/// The height of a chart of `rows` rows (at most [`CHART_ROWS`]).
pub(super) fn height(rows: usize) -> f32 {
    LEGEND_H + rows.min(CHART_ROWS) as f32 * ROW_H + AXIS_H
}

/// The axis step: 1, 2 or 5 times a power of ten, at most five steps to `max`.
fn step(max: u64) -> u64 {
    let mut power = 1u64;
    loop {
        for m in [1, 2, 5] {
            let s = power.saturating_mul(m);
            if max.div_ceil(s) <= 5 {
                return s;
            }
        }
        power = power.saturating_mul(10);
    }
}

fn values(t: &Tally) -> [u64; 3] {
    [t.searches, t.positive_hits, t.alert_hits]
}

/// Draws the chart of the first [`CHART_ROWS`] of `rows` from `top`.
pub(super) fn bars(p: &mut Painter, top: f32, rows: &[(String, Tally)]) {
    let rows = rows.get(..rows.len().min(CHART_ROWS)).unwrap_or(rows);
    // Legend.
    let mut x = MARGIN + LABEL_W;
    for (name, colour) in SERIES {
        p.fill_rect(
            PtRect {
                x,
                y: top + 2.0,
                w: 8.0,
                h: 8.0,
            },
            colour,
        );
        p.text_in(
            x + 12.0,
            top + 9.0,
            100.0,
            Style::new(Face::Regular, 8.0, INK),
            name,
        );
        x += 100.0;
    }
    let plot_x = MARGIN + LABEL_W;
    let plot_w = PAGE_W - MARGIN - VALUE_W - plot_x;
    let max = rows
        .iter()
        .flat_map(|(_, t)| values(t))
        .max()
        .unwrap_or(0)
        .max(1);
    let step = step(max);
    let axis_max = max.div_ceil(step) * step;
    #[allow(clippy::cast_precision_loss)] // chart scale
    let scale = |v: u64| v as f32 / axis_max as f32 * plot_w;
    let plot_top = top + LEGEND_H;
    let plot_bottom = plot_top + rows.len() as f32 * ROW_H - ROW_GAP + 3.0;
    // Grid lines and their values under the axis.
    let mut tick = 0;
    while tick <= axis_max {
        let gx = plot_x + scale(tick);
        p.fill_rect(
            PtRect {
                x: gx - 0.25,
                y: plot_top - 3.0,
                w: 0.5,
                h: plot_bottom - plot_top + 3.0,
            },
            GRID,
        );
        let label = tick.to_string();
        let w = p.fonts.width(Face::Regular, &label, 7.0);
        p.text_in(
            gx - w / 2.0,
            plot_bottom + 9.0,
            w + 1.0,
            Style::new(Face::Regular, 7.0, MUTED),
            &label,
        );
        tick += step;
    }
    for (i, (name, t)) in rows.iter().enumerate() {
        let y = plot_top + i as f32 * ROW_H;
        let label_w = p.fonts.width(
            Face::Regular,
            &p.fonts.fit(Face::Regular, name, 8.0, LABEL_W - 10.0),
            8.0,
        );
        p.text_in(
            plot_x - 6.0 - label_w,
            y + 1.5 * BAR_H + BAR_GAP + 3.0,
            LABEL_W - 10.0,
            Style::new(Face::Regular, 8.0, INK),
            name,
        );
        for (j, (v, (_, colour))) in values(t).iter().zip(SERIES).enumerate() {
            let by = y + j as f32 * (BAR_H + BAR_GAP);
            let w = scale(*v);
            if w > 0.0 {
                p.fill_rect(
                    PtRect {
                        x: plot_x,
                        y: by,
                        w,
                        h: BAR_H,
                    },
                    colour,
                );
            }
            p.text_in(
                plot_x + w + 3.0,
                by + BAR_H - 0.3,
                VALUE_W,
                Style::new(Face::Regular, 6.0, MUTED),
                &v.to_string(),
            );
        }
    }
}

/// Figure tiles, four to a row, from `top`; returns the bottom.
pub(super) fn tiles(p: &mut Painter, top: f32, items: &[(&str, String)]) -> f32 {
    const GAP: f32 = 8.0;
    const H: f32 = 50.0;
    let w = (PAGE_W - 2.0 * MARGIN - 3.0 * GAP) / 4.0;
    let mut bottom = top;
    for (i, (label, value)) in items.iter().enumerate() {
        let (col, row) = (i % 4, i / 4);
        let x = MARGIN + col as f32 * (w + GAP);
        let y = top + row as f32 * (H + GAP);
        p.fill_rect(PtRect { x, y, w, h: H }, SHADE);
        p.text_in(
            x + 8.0,
            y + 22.0,
            w - 16.0,
            Style::new(Face::Bold, 16.0, INK),
            value,
        );
        p.lines(
            x + 8.0,
            y + 35.0,
            w - 16.0,
            Style::new(Face::Regular, 7.5, MUTED),
            9.0,
            2,
            label,
        );
        bottom = y + H;
    }
    bottom
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(step(1), 1);
        assert_eq!(step(5), 1);
        assert_eq!(step(6), 2);
        assert_eq!(step(11), 5);
        assert_eq!(step(40), 10);
        assert_eq!(step(1234), 500);
    }
}
