//! Where everything sits: A4 portrait, in points from the page's top-left
//! corner. Fixed, so tests and screenshots can crop the maps by rectangle
//! (at 72 dpi a point is a pixel). `docs/report.md` has the same table.
//!
//! * Page 1: the query (who, why, for what, when), its audit reference and
//!   [`SUMMARY_MAP`], every sighting numbered in time order.
//! * Pages 2 to 1 + T: the table of sightings, [`TABLE_ROWS`] a page
//!   (T = 0 when there are none).
//! * Then one page per sighting: [`VEHICLE_PHOTO`] and [`PLATE_PHOTO`],
//!   the details, [`CLOSE_UP_MAP`] and [`OVERVIEW_MAP`].

/// A rectangle on the page, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PtRect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl PtRect {
    pub const fn right(&self) -> f32 {
        self.x + self.w
    }
    pub const fn bottom(&self) -> f32 {
        self.y + self.h
    }
}

pub const PAGE_W: f32 = 595.0;
pub const PAGE_H: f32 = 842.0;
pub const MARGIN: f32 = 36.0;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;

/// Map pixels per point: labels in the base map's tiles are drawn for
/// screens, so 1.5 keeps them about 7 pt in print and sharp at 108 dpi,
/// with half the tiles and pixels that 2 would cost.
pub const MAP_SCALE: f32 = 1.5;

/// Page 1: all sightings on one map.
pub const SUMMARY_MAP: PtRect = PtRect {
    x: MARGIN,
    y: 372.0,
    w: CONTENT_W,
    h: 384.0,
};

/// A sighting's page: the vehicle photo (8:5, as demo cameras take it;
/// other shapes are fitted inside, centred).
pub const VEHICLE_PHOTO: PtRect = PtRect {
    x: MARGIN,
    y: 80.0,
    w: 288.0,
    h: 180.0,
};

/// A sighting's page: the plate photo (2:1).
pub const PLATE_PHOTO: PtRect = PtRect {
    x: 336.0,
    y: 80.0,
    w: 223.0,
    h: 111.5,
};

/// A sighting's page: the street-level close-up, this sighting in the middle.
pub const CLOSE_UP_MAP: PtRect = PtRect {
    x: MARGIN,
    y: 384.0,
    w: 257.0,
    h: 372.0,
};

/// A sighting's page: the overview with the other sightings near it.
pub const OVERVIEW_MAP: PtRect = PtRect {
    x: 302.0,
    y: 384.0,
    w: 257.0,
    h: 372.0,
};

/// Table rows on each page of the table of sightings.
pub const TABLE_ROWS: usize = 64;
pub(crate) const TABLE_TOP: f32 = 92.0;
pub(crate) const TABLE_LINE: f32 = 11.0;

/// The footer's baseline: generation time and "Page n of N".
pub(crate) const FOOTER_Y: f32 = PAGE_H - 22.0;

/// How many pages the table of `reads` sightings takes.
pub fn table_pages(reads: usize) -> usize {
    reads.div_ceil(TABLE_ROWS)
}

/// The page (1-based) of sighting `index` (0-based) among `reads`.
pub fn sighting_page(index: usize, reads: usize) -> usize {
    2 + table_pages(reads) + index
}

/// Pages in a report of `reads` sightings.
pub fn page_count(reads: usize) -> usize {
    1 + table_pages(reads) + reads
}

/// A map rectangle's size in image pixels.
pub(crate) fn map_px(rect: PtRect) -> (u32, u32) {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let px = |v: f32| (v * MAP_SCALE).round().max(1.0) as u32;
    (px(rect.w), px(rect.h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_reads() {
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(1), 3);
        assert_eq!(sighting_page(0, 1), 3);
        assert_eq!(table_pages(TABLE_ROWS + 1), 2);
        assert_eq!(page_count(200), 1 + 4 + 200);
        for r in [
            SUMMARY_MAP,
            CLOSE_UP_MAP,
            OVERVIEW_MAP,
            VEHICLE_PHOTO,
            PLATE_PHOTO,
        ] {
            assert!(r.x >= MARGIN && r.right() <= PAGE_W - MARGIN + 0.01);
            assert!(r.bottom() < FOOTER_Y - 20.0);
        }
        assert!(CLOSE_UP_MAP.right() < OVERVIEW_MAP.x);
    }
}
