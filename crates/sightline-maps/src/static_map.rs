//! A static map image of a bounding box, drawn from a layer's tiles with
//! numbered pins: the printable report's map views. Tiles come through the
//! layer (and its cache); compositing runs on the blocking pool, so many
//! maps can be drawn at once without stalling the async workers.

use crate::layers::Layer;
use crate::raster::{decode_png, encode_png, to_rgb};
use crate::source::TileError;
use crate::text::{LabelStyle, Weight, draw_centred, shape};
use crate::tile::{TILE_SIZE, TileId, world_px, world_size};
use anyhow::Context;
use thiserror::Error;
use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, PixmapPaint, Rect, Transform};

/// The pins' fill colour.
pub const PIN_RGB: [u8; 3] = [0xd6, 0x28, 0x39];
/// A highlighted pin's fill colour: "this one" among the others.
pub const HIGHLIGHT_RGB: [u8; 3] = [0x1f, 0x4e, 0xd8];
/// Largest side of a static map, pixels.
pub const MAX_SIDE: u32 = 4096;
/// A pin's radius, pixels.
pub const PIN_RADIUS: f32 = 11.0;
/// A highlighted pin's radius, pixels.
pub const HIGHLIGHT_RADIUS: f32 = 15.0;

/// `south ≤ north`, `west ≤ east`, all in range. Built only through [`BBox::new`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    south: f64,
    west: f64,
    north: f64,
    east: f64,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum StaticMapError {
    #[error("a bounding box runs south ≤ north and west ≤ east, within ±85° and ±180°")]
    BadBox,
    #[error("a static map is 1 to {MAX_SIDE} pixels a side")]
    BadSize,
}

impl BBox {
    pub fn new(south: f64, west: f64, north: f64, east: f64) -> Result<Self, StaticMapError> {
        let ok = [south, west, north, east].iter().all(|v| v.is_finite())
            && south <= north
            && west <= east
            && (-85.06..=85.06).contains(&south)
            && (-85.06..=85.06).contains(&north)
            && (-180.0..=180.0).contains(&west)
            && (-180.0..=180.0).contains(&east);
        if ok {
            Ok(Self {
                south,
                west,
                north,
                east,
            })
        } else {
            Err(StaticMapError::BadBox)
        }
    }

    /// The box around `points` (`(lat, lon)`), widened by `pad_deg` on every side.
    pub fn around(points: &[(f64, f64)], pad_deg: f64) -> Result<Self, StaticMapError> {
        let first = points.first().ok_or(StaticMapError::BadBox)?;
        let (mut s, mut w, mut n, mut e) = (first.0, first.1, first.0, first.1);
        for &(lat, lon) in points {
            s = s.min(lat);
            n = n.max(lat);
            w = w.min(lon);
            e = e.max(lon);
        }
        Self::new(
            (s - pad_deg).max(-85.0),
            (w - pad_deg).max(-180.0),
            (n + pad_deg).min(85.0),
            (e + pad_deg).min(180.0),
        )
    }
}

/// A numbered pin.
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    pub lat: f64,
    pub lon: f64,
    /// Drawn inside the pin: "1", "2", ….
    pub label: String,
    /// Drawn larger, in [`HIGHLIGHT_RGB`] and above the others.
    pub highlight: bool,
}

/// A rendered static map.
#[derive(Debug, Clone)]
pub struct StaticMap {
    pub png: Vec<u8>,
    /// The tile zoom the map was drawn at.
    pub zoom: u8,
    /// Each pin's centre in image pixels, in the order given.
    pub pins_px: Vec<(f32, f32)>,
}

/// A rendered static map as raw pixels, for a caller that encodes it
/// itself (the PDF report embeds pixels and would only decode a PNG).
#[derive(Debug, Clone)]
pub struct StaticPixels {
    pub width: u32,
    pub height: u32,
    /// Opaque 8-bit RGB, row by row, `width * height * 3` bytes.
    pub rgb: Vec<u8>,
    pub zoom: u8,
    pub pins_px: Vec<(f32, f32)>,
}

/// Draws `bbox` at the deepest zoom at which it fits `width`×`height`,
/// centred, with `pins` on top and the layer's attribution in the corner.
pub async fn render_static(
    layer: &Layer,
    bbox: BBox,
    width: u32,
    height: u32,
    pins: &[Pin],
) -> Result<StaticMap, StaticMapRenderError> {
    let (png, zoom, pins_px) = draw(layer, bbox, width, height, pins, |c| encode_png(&c)).await?;
    Ok(StaticMap { png, zoom, pins_px })
}

/// [`render_static`], as raw RGB pixels instead of a PNG.
pub async fn render_static_pixels(
    layer: &Layer,
    bbox: BBox,
    width: u32,
    height: u32,
    pins: &[Pin],
) -> Result<StaticPixels, StaticMapRenderError> {
    let (rgb, zoom, pins_px) = draw(layer, bbox, width, height, pins, |c| Ok(to_rgb(&c))).await?;
    Ok(StaticPixels {
        width,
        height,
        rgb,
        zoom,
        pins_px,
    })
}

/// Fetches the tiles under `bbox`, then composes them, the pins and the
/// attribution on the blocking pool, finishing there with `finish`.
async fn draw<T: Send + 'static>(
    layer: &Layer,
    bbox: BBox,
    width: u32,
    height: u32,
    pins: &[Pin],
    finish: fn(Pixmap) -> anyhow::Result<T>,
) -> Result<(T, u8, Vec<(f32, f32)>), StaticMapRenderError> {
    if !(1..=MAX_SIDE).contains(&width) || !(1..=MAX_SIDE).contains(&height) {
        return Err(StaticMapError::BadSize.into());
    }
    let zoom = (0..=layer.max_zoom())
        .rev()
        .find(|&z| {
            let (x0, y0) = world_px(bbox.north, bbox.west, z);
            let (x1, y1) = world_px(bbox.south, bbox.east, z);
            x1 - x0 <= f64::from(width) && y1 - y0 <= f64::from(height)
        })
        .unwrap_or(0);
    let (x0, y0) = world_px(bbox.north, bbox.west, zoom);
    let (x1, y1) = world_px(bbox.south, bbox.east, zoom);
    let left = ((x0 + x1) / 2.0 - f64::from(width) / 2.0).floor();
    let top = ((y0 + y1) / 2.0 - f64::from(height) / 2.0).floor();

    let tile = f64::from(TILE_SIZE);
    let n = 1i64 << zoom;
    let (tx0, ty0) = ((left / tile).floor() as i64, (top / tile).floor() as i64);
    let tx1 = ((left + f64::from(width) - 1.0) / tile).floor() as i64;
    let ty1 = ((top + f64::from(height) - 1.0) / tile).floor() as i64;
    // (bytes, x, y): where each tile's top-left corner lands in the image.
    let mut tiles = Vec::new();
    for ty in ty0.max(0)..=ty1.min(n - 1) {
        for tx in tx0..=tx1 {
            let wrapped = tx.rem_euclid(n);
            let (Ok(x), Ok(y)) = (u32::try_from(wrapped), u32::try_from(ty)) else {
                continue;
            };
            let Ok(id) = TileId::new(u32::from(zoom), x, y) else {
                continue;
            };
            let Some(t) = layer.tile(id).await? else {
                continue;
            };
            let dx = (tx as f64 * tile - left) as i32;
            let dy = (ty as f64 * tile - top) as i32;
            tiles.push((t.bytes, dx, dy));
        }
    }
    let world = world_size(zoom);
    let pins: Vec<((f32, f32), Pin)> = pins
        .iter()
        .map(|pin| {
            let (px, py) = world_px(pin.lat, pin.lon, zoom);
            let mut x = px - left;
            // The nearer copy of the world, for boxes near the antimeridian.
            if x < -world / 2.0 {
                x += world;
            } else if x > world / 2.0 + f64::from(width) {
                x -= world;
            }
            ((x as f32, (py - top) as f32), pin.clone())
        })
        .collect();
    let pins_px = pins.iter().map(|(at, _)| *at).collect();
    let attribution = layer.attribution().to_owned();
    let out = tokio::task::spawn_blocking(move || -> anyhow::Result<T> {
        let mut canvas = Pixmap::new(width, height).context("allocating a static map")?;
        canvas.fill(Color::from_rgba8(0xd8, 0xe1, 0xe6, 255));
        for (bytes, dx, dy) in &tiles {
            let img = decode_png(bytes).context("a tile for the static map is not a PNG")?;
            canvas.draw_pixmap(
                *dx,
                *dy,
                img.as_ref(),
                &PixmapPaint::default(),
                Transform::identity(),
                None,
            );
        }
        // Highlighted pins last, so they stay on top; pins wholly off the
        // image are skipped (a report passes every sighting to every view).
        let reach = HIGHLIGHT_RADIUS + 6.0;
        let (w, h) = (width as f32, height as f32);
        let seen = |x: f32, y: f32| x > -reach && y > -reach && x < w + reach && y < h + reach;
        for highlight in [false, true] {
            for ((x, y), pin) in pins.iter().filter(|(_, p)| p.highlight == highlight) {
                if seen(*x, *y) {
                    draw_pin(&mut canvas, *x, *y, &pin.label, pin.highlight);
                }
            }
        }
        draw_attribution(&mut canvas, &attribution);
        finish(canvas)
    })
    .await
    .context("static map task")??;
    Ok((out, zoom, pins_px))
}

/// Why a static map could not be drawn.
#[derive(Debug, Error)]
pub enum StaticMapRenderError {
    #[error(transparent)]
    Invalid(#[from] StaticMapError),
    #[error(transparent)]
    Tiles(#[from] TileError),
}

impl From<anyhow::Error> for StaticMapRenderError {
    fn from(e: anyhow::Error) -> Self {
        Self::Tiles(TileError::Unexpected(e))
    }
}

fn fill(canvas: &mut Pixmap, pb: PathBuilder, color: Color) {
    if let Some(path) = pb.finish() {
        let mut paint = Paint::default();
        paint.set_color(color);
        paint.anti_alias = true;
        canvas.fill_path(
            &path,
            &paint,
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}

fn draw_pin(canvas: &mut Pixmap, x: f32, y: f32, label: &str, highlight: bool) {
    let (radius, [r, g, b]) = if highlight {
        (HIGHLIGHT_RADIUS, HIGHLIGHT_RGB)
    } else {
        (PIN_RADIUS, PIN_RGB)
    };
    let mut shadow = PathBuilder::new();
    shadow.push_circle(x + 1.0, y + 1.5, radius + 2.0);
    fill(canvas, shadow, Color::from_rgba8(0, 0, 0, 70));
    if highlight {
        // A dark outer ring: "this one" in print, even in grey.
        let mut outer = PathBuilder::new();
        outer.push_circle(x, y, radius + 4.5);
        fill(canvas, outer, Color::from_rgba8(0x11, 0x18, 0x27, 255));
    }
    let mut ring = PathBuilder::new();
    ring.push_circle(x, y, radius + 2.0);
    fill(canvas, ring, Color::WHITE);
    let mut head = PathBuilder::new();
    head.push_circle(x, y, radius);
    fill(canvas, head, Color::from_rgba8(r, g, b, 255));
    let size = match (label.chars().count() > 2, highlight) {
        (true, false) => 9.0,
        (false, false) => 11.0,
        (true, true) => 12.0,
        (false, true) => 14.0,
    };
    let style = LabelStyle {
        size,
        weight: Weight::Bold,
        fill: Color::WHITE,
        halo: None,
    };
    draw_centred(canvas, label, x, y, 0.0, &style);
}

fn draw_attribution(canvas: &mut Pixmap, text: &str) {
    let size = 10.0;
    let shaped = shape(text, size, Weight::Regular);
    let (w, h) = (shaped.width + 8.0, 15.0);
    let (cw, ch) = (canvas.width() as f32, canvas.height() as f32);
    if w > cw {
        return;
    }
    if let Some(rect) = Rect::from_xywh(cw - w, ch - h, w, h) {
        let mut paint = Paint::default();
        paint.set_color(Color::from_rgba8(255, 255, 255, 200));
        canvas.fill_rect(rect, &paint, Transform::identity(), None);
    }
    let style = LabelStyle {
        size,
        weight: Weight::Regular,
        fill: Color::from_rgba8(0x33, 0x33, 0x33, 255),
        halo: None,
    };
    crate::text::draw_shaped(canvas, &shaped, cw - w / 2.0, ch - h / 2.0, 0.0, &style);
}
