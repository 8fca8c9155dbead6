//! Which box each map shows. Pure geometry over the sightings' positions
//! (`(lat, lon)`, time order): every view carries every sighting as a pin
//! numbered in time order, so a number means the same sighting on every
//! map and in the table; a sighting's own views highlight its pin.

use super::layout::{CLOSE_UP_MAP, OVERVIEW_MAP, PtRect, SUMMARY_MAP, map_px};
use sightline_maps::{BBox, Pin};

/// A map to draw: a box, an image size and pins.
#[derive(Debug, Clone)]
pub(crate) struct MapView {
    pub bbox: BBox,
    pub width: u32,
    pub height: u32,
    pub pins: Vec<Pin>,
}

/// Half the close-up's box, degrees of latitude: a few hundred metres
/// either way, so the nearest streets and their names show.
const CLOSE_HALF: f64 = 0.0025;
/// Sightings within this many degrees of a sighting join its overview.
const NEAR: f64 = 0.35;
/// The overview's least half-size, degrees: the town around the sighting.
const OVERVIEW_HALF: f64 = 0.03;

fn pins(points: &[(f64, f64)], highlight: Option<usize>) -> Vec<Pin> {
    points
        .iter()
        .enumerate()
        .map(|(i, &(lat, lon))| Pin {
            lat,
            lon,
            label: (i + 1).to_string(),
            highlight: Some(i) == highlight,
        })
        .collect()
}

/// The box around `points`, padded by a tenth of its span and at least
/// `min_half` degrees either side of its centre.
fn framed(points: &[(f64, f64)], min_half: f64) -> Option<BBox> {
    let first = points.first()?;
    let (mut s, mut w, mut n, mut e) = (first.0, first.1, first.0, first.1);
    for &(lat, lon) in points {
        s = s.min(lat);
        n = n.max(lat);
        w = w.min(lon);
        e = e.max(lon);
    }
    let pad_lat = ((n - s) * 0.1).max(0.0);
    let pad_lon = ((e - w) * 0.1).max(0.0);
    let (clat, clon) = ((s + n) / 2.0, (w + e) / 2.0);
    let half_lat = ((n - s) / 2.0 + pad_lat).max(min_half);
    let half_lon = ((e - w) / 2.0 + pad_lon).max(min_half);
    BBox::new(
        (clat - half_lat).max(-85.0),
        (clon - half_lon).max(-180.0),
        (clat + half_lat).min(85.0),
        (clon + half_lon).min(180.0),
    )
    .ok()
}

fn view(rect: PtRect, bbox: Option<BBox>, pins: Vec<Pin>) -> Option<MapView> {
    let (width, height) = map_px(rect);
    Some(MapView {
        bbox: bbox?,
        width,
        height,
        pins,
    })
}

/// Page 1: every sighting.
pub(crate) fn summary(points: &[(f64, f64)]) -> Option<MapView> {
    view(SUMMARY_MAP, framed(points, 0.01), pins(points, None))
}

/// Street level around sighting `i`.
pub(crate) fn close_up(points: &[(f64, f64)], i: usize) -> Option<MapView> {
    let at = points.get(i)?;
    view(
        CLOSE_UP_MAP,
        framed(std::slice::from_ref(at), CLOSE_HALF),
        pins(points, Some(i)),
    )
}

/// Sighting `i` among the sightings near it (the town, or the metro).
pub(crate) fn overview(points: &[(f64, f64)], i: usize) -> Option<MapView> {
    let &(lat, lon) = points.get(i)?;
    let near: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|&(a, b)| (a - lat).abs() <= NEAR && (b - lon).abs() <= NEAR)
        .collect();
    view(
        OVERVIEW_MAP,
        framed(&near, OVERVIEW_HALF),
        pins(points, Some(i)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_number_every_sighting_and_highlight_their_own() {
        let points = [(39.95, -75.16), (39.96, -75.15), (40.44, -79.99)];
        let close = close_up(&points, 1).unwrap();
        let over = overview(&points, 1).unwrap();
        assert_eq!(close.pins.len(), 3);
        assert!(close.pins[1].highlight && !close.pins[0].highlight);
        assert_eq!(close.pins[2].label, "3");
        assert_ne!(close.bbox, over.bbox);
        // Pittsburgh is far from Philadelphia: not in this overview's box.
        let far = overview(&points, 2).unwrap();
        assert_ne!(far.bbox, over.bbox);
        assert!(summary(&points).unwrap().pins.iter().all(|p| !p.highlight));
        assert!(summary(&[]).is_none());
        assert!(close_up(&points, 9).is_none());
    }
}
