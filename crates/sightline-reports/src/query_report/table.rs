//! The table of sightings: one row each, numbered as on the maps, with the
//! page that shows it in full.

use super::layout::{
    CONTENT_W, MARGIN, PAGE_W, PtRect, TABLE_LINE, TABLE_ROWS, TABLE_TOP, sighting_page,
};
use super::pages::Doc;
use super::paint::{INK, MUTED, Painter, RULE, SHADE, Style, utc};
use super::text::Face;

/// (heading, width in points); the widths add up to the content width.
const COLUMNS: [(&str, f32); 7] = [
    ("#", 18.0),
    ("Captured (UTC)", 86.0),
    ("Source", 100.0),
    ("Nearest address", 120.0),
    ("Nearest intersection", 95.0),
    ("GPS", 80.0),
    ("Page", 24.0),
];
const SIZE: f32 = 7.0;

impl Doc {
    pub(crate) fn table(&self, p: &mut Painter, from: usize) {
        let h = &self.header;
        let n = self.reads.len();
        p.text_in(
            MARGIN,
            52.0,
            CONTENT_W - 170.0,
            Style::new(Face::Bold, 14.0, INK),
            "Sightings in time order",
        );
        p.text_right(
            PAGE_W - MARGIN,
            52.0,
            Style::new(Face::Regular, 9.0, MUTED),
            &format!("Plate {} ({}) · query {}", h.plate, h.state, h.seq),
        );
        let upto = (from + TABLE_ROWS).min(n);
        p.text_in(MARGIN, 68.0, CONTENT_W, Style::new(Face::Regular, 8.0, MUTED), &format!(
                "Sightings {} to {upto} of {n}. Times are UTC. Numbers match the pins on every map; \
                 the last column is the sighting's own page.",
                from + 1
            ));
        let mut x = MARGIN;
        for (name, w) in COLUMNS {
            p.text_in(
                x,
                TABLE_TOP,
                w - 4.0,
                Style::new(Face::Bold, SIZE, INK),
                name,
            );
            x += w;
        }
        p.hline(MARGIN, PAGE_W - MARGIN, TABLE_TOP + 3.0, RULE);
        let mut y = TABLE_TOP + TABLE_LINE;
        for (i, r) in self.reads.iter().enumerate().take(upto).skip(from) {
            if (i - from) % 2 == 1 {
                p.fill_rect(
                    PtRect {
                        x: MARGIN,
                        y: y - 8.0,
                        w: CONTENT_W,
                        h: TABLE_LINE,
                    },
                    SHADE,
                );
            }
            let source = format!("{} ({})", r.source_name, r.source_kind);
            let cells = [
                (i + 1).to_string(),
                utc(r.captured_at),
                source,
                r.nearest_address.clone(),
                r.nearest_intersection.clone(),
                format!("{:.4}, {:.4}", r.lat, r.lon),
                sighting_page(i, n).to_string(),
            ];
            let mut x = MARGIN;
            for (cell, (_, w)) in cells.iter().zip(COLUMNS) {
                p.text_in(x, y, w - 4.0, Style::new(Face::Regular, SIZE, INK), cell);
                x += w;
            }
            y += TABLE_LINE;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width() {
        let total: f32 = COLUMNS.iter().map(|(_, w)| w).sum();
        assert!((total - CONTENT_W).abs() < 0.01, "{total}");
    }
}
