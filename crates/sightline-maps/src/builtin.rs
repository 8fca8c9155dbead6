//! The built-in offline base map: Sightline draws it itself, tile by tile,
//! from the embedded US boundaries and the demo's street network. It needs
//! no network and holds no read data.
//!
//! Zoom bands: states (names to z7), counties (lines from z5, names z9–11),
//! the demo's metros (z5–12), highways from z8, arterials from z11, local
//! streets from z13, street names along the streets from z14 (local ones
//! from z16). Labels are placed in world pixels, not per tile, so a name
//! that straddles two tiles is drawn the same in both.

use crate::boundaries::{Boundaries, LineKind, LonLat, grow};
use crate::clip::{Px, Rect, clip_line, clip_ring};
use crate::text::{LabelStyle, Weight, draw_centred, shape};
use crate::tile::{TILE_SIZE, TileId, lat_lon, world_px};
use anyhow::Context;
use sightline_demo::StreetKind;
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, StrokeDash, Transform,
};

/// Extra pixels around a tile that features are gathered from, so wide
/// lines and labels continue across tile edges.
const MARGIN: f64 = 96.0;

#[derive(Debug)]
struct Street {
    name: String,
    kind: StreetKind,
    points: Vec<LonLat>,
    bbox: [f64; 4],
}

#[derive(Debug)]
struct Place {
    name: String,
    at: LonLat,
}

/// The built-in map's data, decoded once and shared by every render.
#[derive(Debug)]
pub struct BuiltinMap {
    boundaries: Boundaries,
    streets: Vec<Street>,
    places: Vec<Place>,
}

fn rgb(hex: u32) -> Color {
    Color::from_rgba8((hex >> 16) as u8, (hex >> 8) as u8, hex as u8, 255)
}

mod palette {
    pub const OUTSIDE: u32 = 0xd8e1e6;
    pub const LAND: u32 = 0xf2efe9;
    pub const COAST: u32 = 0x9db3c4;
    pub const STATE_LINE: u32 = 0x9a7bb0;
    pub const COUNTY_LINE: u32 = 0xcbbfd6;
    pub const LOCAL: u32 = 0xffffff;
    pub const LOCAL_CASING: u32 = 0xd0c9be;
    pub const ARTERIAL: u32 = 0xf8d49b;
    pub const ARTERIAL_CASING: u32 = 0xc39a5c;
    pub const HIGHWAY: u32 = 0xe8909f;
    pub const HIGHWAY_CASING: u32 = 0xb0546a;
    pub const STATE_TEXT: u32 = 0x6c4f82;
    pub const COUNTY_TEXT: u32 = 0x857a94;
    pub const PLACE_TEXT: u32 = 0x222222;
    pub const STREET_TEXT: u32 = 0x3a3a3a;
}

/// The street colour the tests look for: an arterial's fill.
pub const ARTERIAL_RGB: [u8; 3] = [0xf8, 0xd4, 0x9b];

impl BuiltinMap {
    /// The US boundaries and the demo world's streets and metros.
    pub fn new() -> anyhow::Result<Self> {
        let boundaries = Boundaries::load().context("decoding the embedded US boundaries")?;
        let streets = sightline_demo::streets()
            .into_iter()
            .filter_map(|s| {
                let points: Vec<LonLat> = s.path.iter().map(|p| (p.lon(), p.lat())).collect();
                let first = *points.first()?;
                let bbox = points
                    .iter()
                    .fold([first.0, first.1, first.0, first.1], |b, p| grow(b, *p));
                Some(Street {
                    name: s.name,
                    kind: s.kind,
                    points,
                    bbox,
                })
            })
            .collect();
        let places = sightline_demo::world()
            .metros
            .into_iter()
            .map(|m| Place {
                name: m.name,
                at: (m.center.lon(), m.center.lat()),
            })
            .collect();
        Ok(Self {
            boundaries,
            streets,
            places,
        })
    }

    /// One 256 px tile as PNG.
    pub fn render_png(&self, id: TileId) -> anyhow::Result<Vec<u8>> {
        crate::raster::encode_png(&self.render(id)?)
    }

    /// One 256 px tile.
    pub fn render(&self, id: TileId) -> anyhow::Result<Pixmap> {
        let mut pixmap = Pixmap::new(TILE_SIZE, TILE_SIZE).context("allocating a tile")?;
        let view = View::new(id);
        pixmap.fill(rgb(palette::OUTSIDE));
        self.land(&mut pixmap, &view);
        self.boundary_lines(&mut pixmap, &view);
        self.streets(&mut pixmap, &view);
        self.labels(&mut pixmap, &view);
        Ok(pixmap)
    }

    fn land(&self, pixmap: &mut Pixmap, view: &View) {
        let mut pb = PathBuilder::new();
        for state in &self.boundaries.states {
            if !view.sees(state.bbox) {
                continue;
            }
            for ring in &state.rings {
                if !view.sees(ring.bbox) {
                    continue;
                }
                let px: Vec<Px> = ring.points.iter().map(|p| view.px(*p)).collect();
                let clipped = clip_ring(&px, view.clip);
                push_poly(&mut pb, &clipped, true);
            }
        }
        // A ring clipped down to a tile edge leaves a path with no area,
        // which tiny-skia refuses (with a warning) rather than fills.
        if let Some(path) = pb
            .finish()
            .filter(|p| p.bounds().width() > 0.0 && p.bounds().height() > 0.0)
        {
            pixmap.fill_path(
                &path,
                &paint(rgb(palette::LAND)),
                FillRule::EvenOdd,
                Transform::identity(),
                None,
            );
        }
    }

    fn boundary_lines(&self, pixmap: &mut Pixmap, view: &View) {
        let z = view.z;
        let layers: [(LineKind, u32, f32, Option<Vec<f32>>); 3] = [
            (
                LineKind::County,
                palette::COUNTY_LINE,
                if z >= 8 { 1.0 } else { 0.6 },
                None,
            ),
            (
                LineKind::State,
                palette::STATE_LINE,
                match z {
                    0..=4 => 1.0,
                    5..=7 => 1.5,
                    _ => 2.2,
                },
                (z >= 7).then(|| vec![7.0, 3.0]),
            ),
            (LineKind::Coast, palette::COAST, 0.9, None),
        ];
        for (kind, color, width, dash) in layers {
            if kind == LineKind::County && z < 5 {
                continue;
            }
            let mut pb = PathBuilder::new();
            for (k, shape) in &self.boundaries.lines {
                if *k != kind || !view.sees(shape.bbox) {
                    continue;
                }
                let px: Vec<Px> = shape.points.iter().map(|p| view.px(*p)).collect();
                for piece in clip_line(&px, view.clip) {
                    push_poly(&mut pb, &piece, false);
                }
            }
            let Some(path) = pb.finish() else { continue };
            let stroke = Stroke {
                width,
                line_cap: LineCap::Round,
                line_join: LineJoin::Round,
                dash: dash.and_then(|d| StrokeDash::new(d, view.dash_phase())),
                ..Stroke::default()
            };
            pixmap.stroke_path(
                &path,
                &paint(rgb(color)),
                &stroke,
                Transform::identity(),
                None,
            );
        }
    }

    fn streets(&self, pixmap: &mut Pixmap, view: &View) {
        let z = view.z;
        // Casings first, then fills, each from the minor kind up, so that
        // crossings join cleanly and the bigger road stays on top.
        let kinds = [StreetKind::Local, StreetKind::Arterial, StreetKind::Highway];
        let mut paths = Vec::new();
        for kind in kinds {
            let Some(width) = street_width(kind, z) else {
                continue;
            };
            let mut pb = PathBuilder::new();
            for s in self.streets.iter().filter(|s| s.kind == kind) {
                if !view.sees(s.bbox) {
                    continue;
                }
                let px: Vec<Px> = s.points.iter().map(|p| view.px(*p)).collect();
                for piece in clip_line(&px, view.clip) {
                    push_poly(&mut pb, &piece, false);
                }
            }
            if let Some(path) = pb.finish() {
                paths.push((kind, width, path));
            }
        }
        for casing in [true, false] {
            for (kind, width, path) in &paths {
                let (fill, edge) = match kind {
                    StreetKind::Local => (palette::LOCAL, palette::LOCAL_CASING),
                    StreetKind::Arterial => (palette::ARTERIAL, palette::ARTERIAL_CASING),
                    StreetKind::Highway => (palette::HIGHWAY, palette::HIGHWAY_CASING),
                };
                let (color, w) = if casing {
                    (edge, width + if z >= 14 { 2.0 } else { 1.2 })
                } else {
                    (fill, *width)
                };
                let stroke = Stroke {
                    width: w,
                    line_cap: LineCap::Round,
                    line_join: LineJoin::Round,
                    ..Stroke::default()
                };
                pixmap.stroke_path(
                    path,
                    &paint(rgb(color)),
                    &stroke,
                    Transform::identity(),
                    None,
                );
            }
        }
    }

    fn labels(&self, pixmap: &mut Pixmap, view: &View) {
        let z = view.z;
        let halo = Some((Color::from_rgba8(255, 255, 255, 230), 3.0));
        if z >= 14 {
            self.street_labels(pixmap, view);
        } else if z >= 10 {
            self.highway_shields(pixmap, view);
        }
        if (9..=11).contains(&z) {
            let style = LabelStyle {
                size: 11.0,
                weight: Weight::Regular,
                fill: rgb(palette::COUNTY_TEXT),
                halo,
            };
            for c in &self.boundaries.counties {
                let (x, y) = view.px(c.label);
                if view.near(x, y, 80.0) {
                    draw_centred(pixmap, &c.name, x as f32, y as f32, 0.0, &style);
                }
            }
        }
        if (2..=7).contains(&z) {
            let size = match z {
                2 | 3 => 10.0,
                4 => 11.0,
                5 => 13.0,
                _ => 15.0,
            };
            let style = LabelStyle {
                size,
                weight: Weight::Bold,
                fill: rgb(palette::STATE_TEXT),
                halo: Some((Color::from_rgba8(242, 239, 233, 220), 2.5)),
            };
            for s in &self.boundaries.states {
                let (x, y) = view.px(s.label);
                if !view.near(x, y, 160.0) {
                    continue;
                }
                let (x0, _) = view.px((s.bbox[0], s.bbox[1]));
                let (x1, _) = view.px((s.bbox[2], s.bbox[3]));
                let room = ((x1 - x0) * 0.8) as f32;
                let name = s.name.to_uppercase();
                let full = shape(&name, size, Weight::Bold);
                let text = if full.width <= room {
                    name
                } else if z >= 4 || room > size * 1.6 {
                    s.code.clone()
                } else {
                    continue;
                };
                draw_centred(pixmap, &text, x as f32, y as f32, 0.0, &style);
            }
        }
        if (5..=12).contains(&z) {
            let style = LabelStyle {
                size: if z >= 9 { 14.0 } else { 12.0 },
                weight: Weight::Bold,
                fill: rgb(palette::PLACE_TEXT),
                halo,
            };
            for p in &self.places {
                let (x, y) = view.px(p.at);
                if !view.near(x, y, 120.0) {
                    continue;
                }
                if z <= 10 {
                    let mut pb = PathBuilder::new();
                    pb.push_circle(x as f32, y as f32, 3.5);
                    if let Some(dot) = pb.finish() {
                        pixmap.fill_path(
                            &dot,
                            &paint(rgb(0x333333)),
                            FillRule::Winding,
                            Transform::identity(),
                            None,
                        );
                    }
                    draw_centred(pixmap, &p.name, x as f32, (y - 11.0) as f32, 0.0, &style);
                } else {
                    draw_centred(pixmap, &p.name, x as f32, y as f32, 0.0, &style);
                }
            }
        }
    }

    fn street_labels(&self, pixmap: &mut Pixmap, view: &View) {
        let z = view.z;
        for s in &self.streets {
            let (size, every) = match s.kind {
                StreetKind::Highway => (12.0, 700.0),
                StreetKind::Arterial => (if z >= 16 { 13.0 } else { 11.5 }, 520.0),
                StreetKind::Local if z >= 16 => (11.0, 420.0),
                StreetKind::Local => continue,
            };
            if !view.sees(s.bbox) {
                continue;
            }
            let style = LabelStyle {
                size,
                weight: if s.kind == StreetKind::Local {
                    Weight::Regular
                } else {
                    Weight::Bold
                },
                fill: rgb(palette::STREET_TEXT),
                halo: Some((Color::from_rgba8(255, 255, 255, 235), 3.0)),
            };
            let shaped = shape(&s.name, size, style.weight);
            let len = f64::from(shaped.width) + 24.0;
            for w in s.points.windows(2) {
                let [a, b] = w else { continue };
                let (a, b) = (view.px(*a), view.px(*b));
                let seg = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
                if seg < len {
                    continue;
                }
                let n = (seg / every).floor().max(1.0);
                let mut angle = (b.1 - a.1).atan2(b.0 - a.0);
                if angle > std::f64::consts::FRAC_PI_2 {
                    angle -= std::f64::consts::PI;
                } else if angle < -std::f64::consts::FRAC_PI_2 {
                    angle += std::f64::consts::PI;
                }
                let mut i = 0.0;
                while i < n {
                    let t = (i + 0.5) / n;
                    let (x, y) = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
                    if view.near(x, y, len / 2.0 + 4.0) {
                        crate::text::draw_shaped(
                            pixmap,
                            &shaped,
                            x as f32,
                            y as f32,
                            angle as f32,
                            &style,
                        );
                    }
                    i += 1.0;
                }
            }
        }
    }

    fn highway_shields(&self, pixmap: &mut Pixmap, view: &View) {
        let style = LabelStyle {
            size: 10.5,
            weight: Weight::Bold,
            fill: rgb(0xffffff),
            halo: None,
        };
        for s in self
            .streets
            .iter()
            .filter(|s| s.kind == StreetKind::Highway)
        {
            if !view.sees(s.bbox) {
                continue;
            }
            let (Some(a), Some(b)) = (s.points.first(), s.points.last()) else {
                continue;
            };
            let (a, b) = (view.px(*a), view.px(*b));
            let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
            if !view.near(mid.0, mid.1, 40.0) {
                continue;
            }
            let shaped = shape(&s.name, style.size, style.weight);
            let (w, h) = (shaped.width + 10.0, 16.0);
            if let Some(rect) =
                tiny_skia::Rect::from_xywh(mid.0 as f32 - w / 2.0, mid.1 as f32 - h / 2.0, w, h)
            {
                pixmap.fill_rect(rect, &paint(rgb(0x2f5d9e)), Transform::identity(), None);
            }
            crate::text::draw_shaped(pixmap, &shaped, mid.0 as f32, mid.1 as f32, 0.0, &style);
        }
    }
}

/// Stroke width of a street's fill at zoom `z`; `None` when not drawn.
fn street_width(kind: StreetKind, z: u8) -> Option<f32> {
    let w = match (kind, z) {
        (StreetKind::Highway, 0..=7)
        | (StreetKind::Arterial, 0..=10)
        | (StreetKind::Local, 0..=12) => {
            return None;
        }
        (StreetKind::Highway, 8..=9) => 1.5,
        (StreetKind::Highway, 10..=11) => 2.5,
        (StreetKind::Highway, 12..=13) => 4.0,
        (StreetKind::Highway, 14..=15) => 7.0,
        (StreetKind::Highway, 16) => 12.0,
        (StreetKind::Highway, _) => 20.0 * f32::from(z - 16),
        (StreetKind::Arterial, 11) => 1.5,
        (StreetKind::Arterial, 12) => 2.5,
        (StreetKind::Arterial, 13) => 3.5,
        (StreetKind::Arterial, 14) => 5.5,
        (StreetKind::Arterial, 15) => 8.0,
        (StreetKind::Arterial, 16) => 12.0,
        (StreetKind::Arterial, _) => 18.0 * f32::from(z - 16),
        (StreetKind::Local, 13) => 1.0,
        (StreetKind::Local, 14) => 2.5,
        (StreetKind::Local, 15) => 4.5,
        (StreetKind::Local, 16) => 7.5,
        (StreetKind::Local, _) => 12.0 * f32::from(z - 16),
    };
    Some(w)
}

fn paint(color: Color) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(color);
    p.anti_alias = true;
    p
}

fn push_poly(pb: &mut PathBuilder, points: &[Px], close: bool) {
    let mut it = points.iter();
    let Some(first) = it.next() else { return };
    if points.len() < 2 {
        return;
    }
    pb.move_to(first.0 as f32, first.1 as f32);
    for p in it {
        pb.line_to(p.0 as f32, p.1 as f32);
    }
    if close {
        pb.close();
    }
}

/// A tile's window onto the world.
struct View {
    z: u8,
    origin: Px,
    /// Lon/lat box of the tile plus [`MARGIN`].
    lonlat: [f64; 4],
    /// The pixel rectangle paths are clipped to.
    clip: Rect,
}

impl View {
    fn new(id: TileId) -> Self {
        let z = id.z();
        let origin = id.origin_px();
        let size = f64::from(TILE_SIZE);
        let (north, west) = lat_lon(origin.0 - MARGIN, origin.1 - MARGIN, z);
        let (south, east) = lat_lon(origin.0 + size + MARGIN, origin.1 + size + MARGIN, z);
        Self {
            z,
            origin,
            lonlat: [west, south, east, north],
            clip: [-MARGIN, -MARGIN, size + MARGIN, size + MARGIN],
        }
    }

    /// A lon/lat point → pixels in this tile.
    fn px(&self, (lon, lat): LonLat) -> Px {
        let (x, y) = world_px(lat, lon, self.z);
        (x - self.origin.0, y - self.origin.1)
    }

    fn sees(&self, b: [f64; 4]) -> bool {
        b[0] <= self.lonlat[2]
            && b[2] >= self.lonlat[0]
            && b[1] <= self.lonlat[3]
            && b[3] >= self.lonlat[1]
    }

    /// Whether a label of radius `r` around `(x, y)` touches the tile.
    fn near(&self, x: f64, y: f64, r: f64) -> bool {
        let size = f64::from(TILE_SIZE);
        x + r >= 0.0 && x - r <= size && y + r >= 0.0 && y - r <= size
    }

    /// Dash phase that continues across tiles.
    fn dash_phase(&self) -> f32 {
        ((self.origin.0 + self.origin.1) % 10.0) as f32
    }
}
