//! The demo's street network as real geometry. Each metro gets a street
//! grid, turned a little off north: every arterial of
//! [`MetroSpec::streets`] is one straight street, every cross street of
//! [`MetroSpec::cross`] another, and a camera named "A & B" stands exactly
//! where A and B cross (the crossing is a vertex of both lines). Unnamed
//! blocks between them are filled with local streets. A toll road is a
//! highway through its gantries' place, crossed by its local roads.
//!
//! `sightline-maps` renders this as the built-in street layer, so the
//! intersections the reads name are where a map shows those streets cross.

use crate::metro_data::{METROS, MetroSpec, TollSpec};
use crate::prng::Rng;
use sightline_core::GeoPoint;

/// What a street is, for how a map draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreetKind {
    Highway,
    Arterial,
    Local,
}

/// One street: a name and a polyline of at least two points.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoStreet {
    pub name: String,
    pub kind: StreetKind,
    pub path: Vec<GeoPoint>,
}

/// Seed of the street layout; changing it moves every in-town camera.
const GRID_SEED: u64 = 0x5167_471E_0000_0002;
/// How far streets run past the outermost crossing, km.
const OVERHANG_KM: f64 = 1.6;
/// Spacing of local streets, km.
const BLOCK_KM: f64 = 0.22;

const LOCAL_NAMES: &[&str] = &[
    "Oak",
    "Elm",
    "Maple",
    "Cedar",
    "Pine",
    "Birch",
    "Willow",
    "Spruce",
    "Ash",
    "Hickory",
    "Poplar",
    "Laurel",
    "Magnolia",
    "Sycamore",
    "Juniper",
    "Holly",
    "Hazel",
    "Linden",
    "Cherry",
    "Dogwood",
    "Aspen",
    "Cypress",
    "Alder",
    "Beech",
    "Chapel",
    "Mill",
    "Church",
    "Mulberry",
    "Orchard",
    "Meadow",
    "Ridge",
    "Park",
    "Lake",
    "Hill",
    "Spring",
    "Garden",
    "Sunset",
    "Prospect",
    "Franklin",
    "Jefferson",
    "Madison",
    "Monroe",
    "Jackson",
    "Adams",
    "Lincoln",
    "Hamilton",
    "Clinton",
    "Warren",
    "Grant",
    "Logan",
    "Fulton",
    "Lee",
    "Carroll",
    "Howard",
    "Morris",
    "Harrison",
    "Tyler",
    "Polk",
    "Pierce",
    "Taylor",
];
const LOCAL_SUFFIXES: &[&str] = &["St", "Ave", "Pl", "Ter", "Dr", "Way", "Ct", "Ln"];

/// A metro's grid in local kilometres east and north of its centre.
#[derive(Debug, Clone)]
pub(crate) struct MetroGrid {
    center: GeoPoint,
    /// Unit vector along the arterials (roughly east).
    along: (f64, f64),
    /// Offset of each arterial from the centre, along the normal (roughly north).
    arterials: Vec<f64>,
    /// Offset of each cross street from the centre, along `along`.
    crosses: Vec<f64>,
    seed: u64,
}

fn spaced(n: usize, rng: &mut Rng, lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    let mut at = 0.0;
    for i in 0..n {
        if i > 0 {
            at += rng.range_f64(lo, hi);
        }
        out.push(at);
    }
    let mid = at / 2.0;
    out.iter_mut().for_each(|v| *v -= mid);
    out
}

/// Local km → a point rounded to the micro-degree, like every demo location.
fn to_geo(center: GeoPoint, x: f64, y: f64) -> GeoPoint {
    let lat = center.lat() + y / 111.0;
    let lon = center.lon() + x / (111.0 * center.lat().to_radians().cos().max(0.1));
    GeoPoint::new((lat * 1e6).round() / 1e6, (lon * 1e6).round() / 1e6).unwrap_or(center)
}

impl MetroGrid {
    /// The grid of the `index`th metro; deterministic.
    pub(crate) fn new(spec: &MetroSpec, index: usize) -> Option<Self> {
        let center = GeoPoint::new(spec.lat, spec.lon).ok()?;
        let mut rng = Rng::derive(GRID_SEED, index as u64);
        let theta = rng.range_f64(-0.35, 0.35);
        let seed = rng.next_u64();
        Some(Self {
            center,
            along: (theta.cos(), theta.sin()),
            arterials: spaced(spec.streets.len(), &mut rng, 0.7, 1.5),
            crosses: spaced(spec.cross.len(), &mut rng, 0.7, 1.5),
            seed,
        })
    }

    fn local(&self, d: f64, e: f64) -> (f64, f64) {
        let (tx, ty) = self.along;
        // normal = (-ty, tx)
        (d * -ty + e * tx, d * tx + e * ty)
    }

    fn point(&self, d: f64, e: f64) -> GeoPoint {
        let (x, y) = self.local(d, e);
        to_geo(self.center, x, y)
    }

    /// Where arterial `s` crosses cross street `c`.
    pub(crate) fn crossing(&self, s: usize, c: usize) -> Option<GeoPoint> {
        Some(self.point(*self.arterials.get(s)?, *self.crosses.get(c)?))
    }

    fn streets(&self, spec: &MetroSpec) -> Vec<DemoStreet> {
        let span = |v: &[f64]| {
            (
                v.first().copied().unwrap_or(0.0) - OVERHANG_KM,
                v.last().copied().unwrap_or(0.0) + OVERHANG_KM,
            )
        };
        let (e_lo, e_hi) = span(&self.crosses);
        let (d_lo, d_hi) = span(&self.arterials);
        let mut out = Vec::new();
        // Arterials: constant d, through every crossing.
        for (s, &d) in self.arterials.iter().enumerate() {
            let mut path = vec![self.point(d, e_lo)];
            path.extend((0..self.crosses.len()).filter_map(|c| self.crossing(s, c)));
            path.push(self.point(d, e_hi));
            out.push(DemoStreet {
                name: spec.streets.get(s).copied().unwrap_or("Main St").to_owned(),
                kind: StreetKind::Arterial,
                path,
            });
        }
        for (c, &e) in self.crosses.iter().enumerate() {
            let mut path = vec![self.point(d_lo, e)];
            path.extend((0..self.arterials.len()).filter_map(|s| self.crossing(s, c)));
            path.push(self.point(d_hi, e));
            out.push(DemoStreet {
                name: spec.cross.get(c).copied().unwrap_or("1st St").to_owned(),
                kind: StreetKind::Arterial,
                path,
            });
        }
        // Local streets fill the blocks in both directions.
        let mut rng = Rng::new(self.seed);
        let taken: Vec<&str> = spec.streets.iter().chain(spec.cross).copied().collect();
        let mut name = || loop {
            let base = rng.pick(LOCAL_NAMES).copied().unwrap_or("Oak");
            let suffix = rng.pick(LOCAL_SUFFIXES).copied().unwrap_or("St");
            let n = format!("{base} {suffix}");
            if !taken.contains(&n.as_str()) {
                return n;
            }
        };
        for d in fill(&self.arterials, d_lo, d_hi) {
            out.push(DemoStreet {
                name: name(),
                kind: StreetKind::Local,
                path: vec![self.point(d, e_lo), self.point(d, e_hi)],
            });
        }
        for e in fill(&self.crosses, e_lo, e_hi) {
            out.push(DemoStreet {
                name: name(),
                kind: StreetKind::Local,
                path: vec![self.point(d_lo, e), self.point(d_hi, e)],
            });
        }
        out
    }
}

/// Offsets of local streets between (and beyond) the named ones.
fn fill(named: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    let mut edges = vec![lo];
    edges.extend_from_slice(named);
    edges.push(hi);
    let mut out = Vec::new();
    for w in edges.windows(2) {
        let [a, b] = w else { continue };
        let n = ((b - a) / BLOCK_KM).round().max(1.0) as usize;
        for k in 1..n {
            out.push(a + (b - a) * k as f64 / n as f64);
        }
    }
    out
}

/// A toll road through its place, and the local roads that cross it.
#[derive(Debug, Clone)]
pub(crate) struct TollLine {
    center: GeoPoint,
    along: (f64, f64),
    /// Where each cross road meets the highway, km along it.
    at: Vec<f64>,
}

impl TollLine {
    pub(crate) fn new(toll: &TollSpec, index: usize) -> Option<Self> {
        let center = GeoPoint::new(toll.lat, toll.lon).ok()?;
        let mut rng = Rng::derive(GRID_SEED ^ 0x7011, index as u64);
        let theta = rng.range_f64(-0.8, 0.8);
        Some(Self {
            center,
            along: (theta.cos(), theta.sin()),
            at: spaced(toll.cross.len(), &mut rng, 1.2, 2.0),
        })
    }

    fn point(&self, along: f64, across: f64) -> GeoPoint {
        let (tx, ty) = self.along;
        to_geo(
            self.center,
            along * tx - across * ty,
            along * ty + across * tx,
        )
    }

    /// Where cross road `n` meets the highway: the gantry.
    pub(crate) fn crossing(&self, n: usize) -> Option<GeoPoint> {
        Some(self.point(*self.at.get(n)?, 0.0))
    }

    fn streets(&self, toll: &TollSpec) -> Vec<DemoStreet> {
        let first = self.at.first().copied().unwrap_or(0.0);
        let last = self.at.last().copied().unwrap_or(0.0);
        let mut path = vec![self.point(first - 12.0, 0.0)];
        path.extend((0..self.at.len()).filter_map(|n| self.crossing(n)));
        path.push(self.point(last + 12.0, 0.0));
        let mut out = vec![DemoStreet {
            name: toll.road.to_owned(),
            kind: StreetKind::Highway,
            path,
        }];
        for (n, &a) in self.at.iter().enumerate() {
            let (Some(name), Some(mid)) = (toll.cross.get(n), self.crossing(n)) else {
                continue;
            };
            out.push(DemoStreet {
                name: (*name).to_owned(),
                kind: StreetKind::Arterial,
                path: vec![self.point(a, -3.0), mid, self.point(a, 3.0)],
            });
        }
        out
    }
}

/// Every street of the demo world, in a fixed order.
pub fn streets() -> Vec<DemoStreet> {
    let mut out = Vec::new();
    for (i, spec) in METROS.iter().enumerate() {
        if let Some(grid) = MetroGrid::new(spec, i) {
            out.extend(grid.streets(spec));
        }
        if let Some(line) = spec.toll.as_ref().and_then(|t| TollLine::new(t, i)) {
            out.extend(
                spec.toll
                    .as_ref()
                    .map(|t| line.streets(t))
                    .unwrap_or_default(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::world;

    #[test]
    fn every_camera_stands_where_its_two_streets_cross() {
        let all = streets();
        for cam in world().cameras {
            let (a, b) = cam.nearest_intersection.split_once(" & ").unwrap();
            for name in [a, b] {
                let on = all
                    .iter()
                    .filter(|s| s.name == name && s.kind != StreetKind::Local)
                    .any(|s| s.path.contains(&cam.location));
                assert!(on, "{} not on {name}", cam.camera_id);
            }
        }
    }

    #[test]
    fn streets_are_deterministic_and_lines() {
        let all = streets();
        assert_eq!(all, streets());
        assert!(all.iter().all(|s| s.path.len() >= 2 && !s.name.is_empty()));
        assert!(all.iter().any(|s| s.kind == StreetKind::Highway));
        assert!(all.iter().filter(|s| s.kind == StreetKind::Local).count() > 500);
    }
}
