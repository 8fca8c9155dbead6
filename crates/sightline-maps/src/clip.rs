//! Clipping in pixel space, so that paths handed to tiny-skia stay near
//! the tile even at zoom 18, where the world is 67 million pixels wide.

/// A point in pixels.
pub(crate) type Px = (f64, f64);

/// `[min x, min y, max x, max y]`.
pub(crate) type Rect = [f64; 4];

/// One side of the clip rectangle: inside test, crossing point, coordinate.
type Edge = (fn(Px, f64) -> bool, fn(Px, Px, f64) -> Px, f64);

/// Sutherland–Hodgman: the part of the closed `ring` inside `rect`.
pub(crate) fn clip_ring(ring: &[Px], rect: Rect) -> Vec<Px> {
    let mut out: Vec<Px> = ring.to_vec();
    let [x0, y0, x1, y1] = rect;
    let edges: [Edge; 4] = [
        (|p, v| p.0 >= v, |a, b, v| at_x(a, b, v), x0),
        (|p, v| p.0 <= v, |a, b, v| at_x(a, b, v), x1),
        (|p, v| p.1 >= v, |a, b, v| at_y(a, b, v), y0),
        (|p, v| p.1 <= v, |a, b, v| at_y(a, b, v), y1),
    ];
    for (inside, cut, v) in edges {
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else {
            return out;
        };
        let mut prev = last;
        for &p in &input {
            match (inside(p, v), inside(prev, v)) {
                (true, true) => out.push(p),
                (true, false) => {
                    out.push(cut(prev, p, v));
                    out.push(p);
                }
                (false, true) => out.push(cut(prev, p, v)),
                (false, false) => {}
            }
            prev = p;
        }
    }
    out
}

fn at_x(a: Px, b: Px, x: f64) -> Px {
    let t = (x - a.0) / (b.0 - a.0);
    (x, a.1 + t * (b.1 - a.1))
}

fn at_y(a: Px, b: Px, y: f64) -> Px {
    let t = (y - a.1) / (b.1 - a.1);
    (a.0 + t * (b.0 - a.0), y)
}

/// Liang–Barsky per segment: the pieces of `line` inside `rect`.
pub(crate) fn clip_line(line: &[Px], rect: Rect) -> Vec<Vec<Px>> {
    let mut pieces: Vec<Vec<Px>> = Vec::new();
    let mut current: Vec<Px> = Vec::new();
    for w in line.windows(2) {
        let [a, b] = w else { continue };
        match clip_segment(*a, *b, rect) {
            Some((p, q, clipped_end)) => {
                if current.last() != Some(&p) {
                    if current.len() >= 2 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(p);
                }
                current.push(q);
                if clipped_end {
                    pieces.push(std::mem::take(&mut current));
                }
            }
            None => {
                if current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    pieces
}

/// The visible part of `a→b`, and whether its end was cut.
fn clip_segment(a: Px, b: Px, [x0, y0, x1, y1]: Rect) -> Option<(Px, Px, bool)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| (a.0 + t * dx, a.1 + t * dy);
    Some((at(t0), at(t1), t1 < 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_inside_a_big_square_is_the_rect() {
        let ring = [(-1e7, -1e7), (1e7, -1e7), (1e7, 1e7), (-1e7, 1e7)];
        let out = clip_ring(&ring, [0.0, 0.0, 10.0, 10.0]);
        assert_eq!(out.len(), 4);
        assert!(
            out.iter()
                .all(|p| (0.0..=10.0).contains(&p.0) && (0.0..=10.0).contains(&p.1))
        );
    }

    #[test]
    fn line_through_is_cut_at_both_sides() {
        let out = clip_line(
            &[(-100.0, 5.0), (50.0, 5.0), (100.0, 5.0)],
            [0.0, 0.0, 10.0, 10.0],
        );
        assert_eq!(out.len(), 1);
        let piece = &out[0];
        assert_eq!(piece.len(), 2);
        assert!((piece[0].0 - 0.0).abs() < 1e-9 && (piece[1].0 - 10.0).abs() < 1e-9);
        assert!(clip_line(&[(-5.0, -5.0), (-1.0, -1.0)], [0.0, 0.0, 1.0, 1.0]).is_empty());
    }
}
