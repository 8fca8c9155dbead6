//! The counts table: a header row, zebra rows, numbers right-aligned, the
//! first column's names cut cleanly where they would overflow.

use super::Tally;
use crate::query_report::layout::{MARGIN, PAGE_W, PtRect};
use crate::query_report::paint::{INK, MUTED, Painter, RULE, SHADE, Style};
use crate::query_report::text::Face;

/// The numeric columns: heading and width in points.
const NUMBERS: [(&str, f32); 6] = [
    ("Searches", 58.0),
    ("Positive hits", 58.0),
    ("Hit ratio", 54.0),
    ("Alert-list hits", 58.0),
    ("Notifications sent", 64.0),
    ("Alert entries added", 64.0),
];
const SIZE: f32 = 8.0;
pub(super) const ROW_H: f32 = 12.5;
pub(super) const HEAD_H: f32 = 24.0;

fn cells(t: &Tally) -> [String; 6] {
    [
        t.searches.to_string(),
        t.positive_hits.to_string(),
        t.hit_ratio_text(),
        t.alert_hits.to_string(),
        t.notifications_sent.to_string(),
        t.alert_entries_added.to_string(),
    ]
}

/// The height of a table of `rows` rows, with a total row or not.
pub(super) fn height(rows: usize, total: bool) -> f32 {
    HEAD_H + rows as f32 * ROW_H + if total { ROW_H + 2.0 } else { 0.0 }
}

/// Draws `rows` under a header from `top`, then `total` in bold if given;
/// `first` is the index of the first row, so zebra stripes run on across
/// pages. Returns the bottom.
pub(super) fn counts(
    p: &mut Painter,
    top: f32,
    column: &str,
    rows: &[(String, Tally)],
    first: usize,
    total: Option<(&str, &Tally)>,
) -> f32 {
    let right = PAGE_W - MARGIN;
    let numbers_w: f32 = NUMBERS.iter().map(|(_, w)| w).sum();
    let name_w = right - MARGIN - numbers_w;
    let head = Style::new(Face::Bold, 7.5, INK);
    // Headings sit on the header's last line; two-line ones wrap upward.
    let base = top + HEAD_H - 6.0;
    p.text_in(MARGIN + 4.0, base, name_w - 8.0, head, column);
    let mut x = MARGIN + name_w;
    for (name, w) in NUMBERS {
        let lines = p.fonts.wrap(Face::Bold, name, 7.5, w - 6.0, 2);
        let n = lines.len() as f32;
        for (i, line) in lines.iter().enumerate() {
            p.text_right(x + w - 4.0, base - (n - 1.0 - i as f32) * 9.0, head, line);
        }
        x += w;
    }
    p.hline(MARGIN, right, top + HEAD_H - 1.5, INK);
    let mut y = top + HEAD_H;
    let row = |p: &mut Painter, y: f32, name: &str, t: &Tally, face: Face| {
        let style = Style::new(face, SIZE, INK);
        p.text_in(MARGIN + 4.0, y + 9.0, name_w - 8.0, style, name);
        let mut x = MARGIN + name_w;
        for (cell, (_, w)) in cells(t).iter().zip(NUMBERS) {
            p.text_right(x + w - 4.0, y + 9.0, style, cell);
            x += w;
        }
    };
    for (i, (name, t)) in rows.iter().enumerate() {
        if (first + i) % 2 == 1 {
            p.fill_rect(
                PtRect {
                    x: MARGIN,
                    y,
                    w: right - MARGIN,
                    h: ROW_H,
                },
                SHADE,
            );
        }
        row(p, y, name, t, Face::Regular);
        y += ROW_H;
    }
    p.hline(MARGIN, right, y, RULE);
    if let Some((label, t)) = total {
        y += 2.0;
        row(p, y, label, t, Face::Bold);
        y += ROW_H;
        p.hline(MARGIN, right, y, INK);
    }
    y
}

/// A muted note where a breakdown has no rows.
pub(super) fn nothing(p: &mut Painter, top: f32, text: &str) -> f32 {
    p.text_in(
        MARGIN,
        top + 10.0,
        PAGE_W - 2.0 * MARGIN,
        Style::new(Face::Regular, 9.0, MUTED),
        text,
    );
    top + 16.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query_report::layout::CONTENT_W;

    #[test]
    fn numbers_leave_the_names_room() {
        let numbers: f32 = NUMBERS.iter().map(|(_, w)| w).sum();
        assert!(CONTENT_W - numbers >= 150.0, "{}", CONTENT_W - numbers);
    }
}
