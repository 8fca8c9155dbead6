//! Text detection: the PP-OCR "DB" detector gives each pixel a probability
//! of being text; this turns that map into rotated boxes, one per line of
//! text.
//!
//! Post-processing follows the DB paper's recipe: threshold the map, grow
//! it by one pixel, take connected regions, keep those whose mean
//! probability is high enough, fit each region's minimum-area rectangle and
//! push its sides out ("unclip"), because the detector is trained on boxes
//! shrunk towards the text's centre.

use crate::OcrError;
use crate::image::{Quad, Rgb};
use rten::Model;
use rten_tensor::prelude::*;
use rten_tensor::{NdTensor, NdTensorView};
use std::collections::BTreeMap;

/// Detector settings. The defaults are PP-OCR's own.
#[derive(Debug, Clone, Copy)]
pub struct DetectOptions {
    /// The longest side the photo is scaled to before detection.
    pub max_side: usize,
    /// The shortest side it is scaled up to, for small crops.
    pub min_side: usize,
    pub pixel_threshold: f32,
    pub box_threshold: f32,
    pub unclip_ratio: f32,
}

impl Default for DetectOptions {
    fn default() -> Self {
        Self {
            max_side: 960,
            // Small photos (a plate close-up) are scaled up: the detector
            // misses large characters in a small image.
            min_side: 384,
            pixel_threshold: 0.3,
            box_threshold: 0.5,
            unclip_ratio: 1.6,
        }
    }
}

/// One line of text found in the photo.
#[derive(Debug, Clone, Copy)]
pub struct TextBox {
    /// Corners in the photo's pixels, clockwise from the top left, with the
    /// long side running left to right.
    pub quad: Quad,
    /// The detector's mean probability over the region.
    pub score: f32,
}

pub fn detect(model: &Model, img: &Rgb, opts: &DetectOptions) -> Result<Vec<TextBox>, OcrError> {
    let (w, h) = scaled_size(img.width(), img.height(), opts);
    let input = to_tensor(&img.resize(w, h));
    let out = model
        .run_one(input.into(), None)
        .map_err(|e| OcrError::Model(e.to_string()))?;
    let map: NdTensor<f32, 4> = out
        .try_into()
        .map_err(|_| OcrError::Model("the detector gave an unexpected output".into()))?;
    let prob = map.slice((0, 0));
    let sx = img.width() as f32 / w as f32;
    let sy = img.height() as f32 / h as f32;
    Ok(boxes(&prob, opts)
        .into_iter()
        .map(|b| TextBox {
            quad: Quad(b.quad.0.map(|(x, y)| (x * sx, y * sy))),
            score: b.score,
        })
        .collect())
}

/// Scales so the longest side is at most `max_side` and the shortest at
/// least `min_side`, each a multiple of 32 as the network needs.
fn scaled_size(width: usize, height: usize, opts: &DetectOptions) -> (usize, usize) {
    let (w, h) = (width as f32, height as f32);
    let mut ratio = (opts.max_side as f32 / w.max(h)).min(1.0);
    if w.min(h) * ratio < opts.min_side as f32 {
        ratio = (opts.min_side as f32 / w.min(h))
            .min(opts.max_side as f32 / w.max(h))
            .max(ratio);
    }
    let round32 = |v: f32| (((v / 32.0).round() as usize) * 32).max(32);
    (round32(w * ratio), round32(h * ratio))
}

/// BGR planes scaled to [-1, 1], as the PP-OCR networks were trained.
pub(crate) fn to_tensor(img: &Rgb) -> NdTensor<f32, 4> {
    let (w, h) = (img.width(), img.height());
    let mut t = NdTensor::zeros([1, 3, h, w]);
    for (i, px) in img.pixels().chunks_exact(3).enumerate() {
        let (y, x) = (i / w, i % w);
        for (plane, &v) in [2usize, 1, 0].into_iter().zip(px) {
            if let Some(slot) = t.get_mut([0, plane, y, x]) {
                *slot = f32::from(v) / 127.5 - 1.0;
            }
        }
    }
    t
}

fn boxes(prob: &NdTensorView<f32, 2>, opts: &DetectOptions) -> Vec<TextBox> {
    let [h, w] = prob.shape();
    let p = |x: usize, y: usize| prob.get([y, x]).copied().unwrap_or(0.0);
    // Threshold, then dilate by one pixel right and down (a 2x2 kernel).
    let mut on = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            let hit = p(x, y) > opts.pixel_threshold
                || (x > 0 && p(x - 1, y) > opts.pixel_threshold)
                || (y > 0 && p(x, y - 1) > opts.pixel_threshold)
                || (x > 0 && y > 0 && p(x - 1, y - 1) > opts.pixel_threshold);
            if let Some(slot) = on.get_mut(y * w + x) {
                *slot = hit;
            }
        }
    }
    let mut seen = vec![false; w * h];
    let mut found = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !on.get(start).copied().unwrap_or(false) || seen.get(start).copied().unwrap_or(true) {
            continue;
        }
        // One 8-connected region: its rows' extremes and its mean probability.
        let mut rows: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        let (mut sum, mut count) = (0f32, 0usize);
        stack.push(start);
        if let Some(s) = seen.get_mut(start) {
            *s = true;
        }
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            sum += p(x, y);
            count += 1;
            let row = rows.entry(y).or_insert((x, x));
            row.0 = row.0.min(x);
            row.1 = row.1.max(x);
            for (dx, dy) in NEIGHBOURS {
                let (nx, ny) = (x as isize + dx, y as isize + dy);
                if nx < 0 || ny < 0 || nx >= w as isize || ny >= h as isize {
                    continue;
                }
                let j = ny as usize * w + nx as usize;
                if on.get(j).copied().unwrap_or(false) && !seen.get(j).copied().unwrap_or(true) {
                    if let Some(s) = seen.get_mut(j) {
                        *s = true;
                    }
                    stack.push(j);
                }
            }
        }
        if count < 6 || sum / (count as f32) < opts.box_threshold {
            continue;
        }
        let points: Vec<(f32, f32)> = rows
            .iter()
            .flat_map(|(&y, &(x0, x1))| {
                let (y, x0, x1) = (y as f32, x0 as f32, x1 as f32 + 1.0);
                [(x0, y), (x1, y), (x0, y + 1.0), (x1, y + 1.0)]
            })
            .collect();
        let Some(rect) = min_area_rect(&points) else {
            continue;
        };
        let (rw, rh) = rect.size();
        if rw.min(rh) < 2.0 {
            continue;
        }
        let grow = rw * rh * opts.unclip_ratio / (2.0 * (rw + rh));
        let quad = rect.grown(grow / rw, grow / rh);
        found.push(TextBox {
            quad,
            score: sum / count as f32,
        });
    }
    found
}

const NEIGHBOURS: [(isize, isize); 8] = [
    (-1, -1),
    (0, -1),
    (1, -1),
    (-1, 0),
    (1, 0),
    (-1, 1),
    (0, 1),
    (1, 1),
];

/// The smallest rectangle around `points` (rotating calipers over the
/// convex hull), as a quad whose first edge is its more horizontal one.
fn min_area_rect(points: &[(f32, f32)]) -> Option<Quad> {
    let hull = convex_hull(points);
    if hull.len() < 3 {
        return None;
    }
    let mut best: Option<(f32, [(f32, f32); 4])> = None;
    for (i, &a) in hull.iter().enumerate() {
        let b = *hull.get((i + 1) % hull.len())?;
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        if len < 1e-6 {
            continue;
        }
        let (ux, uy) = ((b.0 - a.0) / len, (b.1 - a.1) / len);
        let (vx, vy) = (-uy, ux);
        let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for &(px, py) in &hull {
            let u = px * ux + py * uy;
            let v = px * vx + py * vy;
            (u0, u1, v0, v1) = (u0.min(u), u1.max(u), v0.min(v), v1.max(v));
        }
        let area = (u1 - u0) * (v1 - v0);
        if best.is_none_or(|(a, _)| area < a) {
            let at = |u: f32, v: f32| (u * ux + v * vx, u * uy + v * vy);
            best = Some((area, [at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)]));
        }
    }
    best.map(|(_, corners)| upright(corners))
}

/// Orders a rectangle's corners clockwise from the top left, with the more
/// horizontal edge as the top.
fn upright(corners: [(f32, f32); 4]) -> Quad {
    let [a, b, c, d] = corners;
    let horizontal = |p: (f32, f32), q: (f32, f32)| (q.0 - p.0).abs() >= (q.1 - p.1).abs();
    // Edges a-b and b-c: make the first edge the horizontal one.
    let [a, b, c, d] = if horizontal(a, b) {
        [a, b, c, d]
    } else {
        [b, c, d, a]
    };
    // Now a-b and d-c are horizontal; put the upper one first, left to right.
    let (top, bottom) = if (a.1 + b.1) <= (c.1 + d.1) {
        ((a, b), (d, c))
    } else {
        ((d, c), (a, b))
    };
    let (tl, tr) = if top.0.0 <= top.1.0 {
        (top.0, top.1)
    } else {
        (top.1, top.0)
    };
    let (bl, br) = if bottom.0.0 <= bottom.1.0 {
        (bottom.0, bottom.1)
    } else {
        (bottom.1, bottom.0)
    };
    Quad([tl, tr, br, bl])
}

fn convex_hull(points: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let mut pts = points.to_vec();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut lower: Vec<(f32, f32)> = Vec::new();
    for &p in &pts {
        while let [.., o, a] = lower[..] {
            if cross(o, a, p) <= 0.0 {
                lower.pop();
            } else {
                break;
            }
        }
        lower.push(p);
    }
    let mut upper: Vec<(f32, f32)> = Vec::new();
    for &p in pts.iter().rev() {
        while let [.., o, a] = upper[..] {
            if cross(o, a, p) <= 0.0 {
                upper.pop();
            } else {
                break;
            }
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tilted_bar_gets_a_tight_rotated_rectangle() {
        // A bar 40 long and 4 thick at about 10 degrees.
        let (c, s) = (10f32.to_radians().cos(), 10f32.to_radians().sin());
        let mut pts = Vec::new();
        for i in 0..=40 {
            for j in 0..=4 {
                let (u, v) = (i as f32, j as f32);
                pts.push((50.0 + u * c - v * s, 20.0 + u * s + v * c));
            }
        }
        let quad = min_area_rect(&pts).unwrap();
        let (w, h) = quad.size();
        assert!((w - 40.0).abs() < 0.5, "{w}");
        assert!((h - 4.0).abs() < 0.5, "{h}");
        let [tl, tr, _, bl] = quad.0;
        assert!(tl.0 < tr.0 && tl.1 < bl.1, "{quad:?}");
    }

    #[test]
    fn regions_below_the_box_threshold_are_dropped_and_boxes_are_unclipped() {
        let (w, h) = (64, 32);
        let mut map = NdTensor::<f32, 2>::zeros([h, w]);
        for y in 10..16 {
            for x in 8..40 {
                map[[y, x]] = 0.9;
            }
            for x in 48..60 {
                map[[y, x]] = 0.35; // above the pixel threshold, below the box threshold
            }
        }
        let found = boxes(&map.view(), &DetectOptions::default());
        assert_eq!(found.len(), 1);
        let (x0, y0, x1, y1) = found[0].quad.bounds();
        assert!(
            x0 < 8.0 && x1 > 41.0 && y0 < 10.0 && y1 > 17.0,
            "{:?}",
            found[0].quad
        );
    }

    #[test]
    fn sizes_are_multiples_of_32_within_the_limits() {
        let o = DetectOptions::default();
        assert_eq!(scaled_size(4032, 3024, &o), (960, 736));
        // A small crop is scaled up until its long side reaches the limit.
        let (w, h) = scaled_size(200, 60, &o);
        assert!(w == 960 && h > 60 && h % 32 == 0, "{w}x{h}");
        let (w, h) = scaled_size(300, 200, &o);
        assert!(h >= 384 && w % 32 == 0 && h % 32 == 0, "{w}x{h}");
        assert_eq!(scaled_size(10, 10, &o), (384, 384));
    }
}
