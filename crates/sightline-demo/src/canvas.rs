//! A small palette-indexed raster with the few shapes the photos need, and
//! its PNG encoding. Drawing clips silently at the edges.

use crate::font::{GLYPH_H, GLYPH_W, advance, glyph};

/// zlib level 6: about 1.7 KB per vehicle photo in about 0.5 ms. Level 1
/// halves the time and doubles the size. Always 8 bits per pixel: packing to
/// 4 bits saves ~80 bytes but costs more than the compression in debug builds.
const LEVEL: u8 = 6;

#[derive(Debug, Clone)]
pub struct Canvas {
    w: i32,
    h: i32,
    px: Vec<u8>,
}

impl Canvas {
    pub fn new(w: u16, h: u16, background: u8) -> Self {
        Self {
            w: i32::from(w),
            h: i32::from(h),
            px: vec![background; usize::from(w) * usize::from(h)],
        }
    }

    pub fn width(&self) -> i32 {
        self.w
    }

    /// Fills columns `x0..x1` of row `y`.
    pub fn hline(&mut self, x0: i32, x1: i32, y: i32, c: u8) {
        if y < 0 || y >= self.h {
            return;
        }
        let (a, b) = (x0.clamp(0, self.w), x1.clamp(0, self.w));
        if a >= b {
            return;
        }
        let row = usize::try_from(y * self.w).unwrap_or(0);
        let (a, b) = (
            usize::try_from(a).unwrap_or(0),
            usize::try_from(b).unwrap_or(0),
        );
        if let Some(span) = self.px.get_mut(row + a..row + b) {
            span.fill(c);
        }
    }

    pub fn rect(&mut self, x: i32, y: i32, w: i32, h: i32, c: u8) {
        for yy in y.max(0)..(y + h).min(self.h) {
            self.hline(x, x + w, yy, c);
        }
    }

    /// A quadrilateral with horizontal top and bottom edges: the top edge
    /// spans `top` at row `y0`, the bottom edge `bottom` at row `y1 - 1`.
    pub fn trapezoid(&mut self, y0: i32, y1: i32, top: (i32, i32), bottom: (i32, i32), c: u8) {
        let rows = (y1 - y0).max(1);
        for y in y0.max(0)..y1.min(self.h) {
            let t = y - y0;
            let lerp = |a: i32, b: i32| a + (b - a) * t / rows;
            self.hline(lerp(top.0, bottom.0), lerp(top.1, bottom.1), y, c);
        }
    }

    pub fn circle(&mut self, cx: i32, cy: i32, r: i32, c: u8) {
        for dy in -r..=r {
            let mut dx = 0;
            while (dx + 1) * (dx + 1) + dy * dy <= r * r {
                dx += 1;
            }
            self.hline(cx - dx, cx + dx + 1, cy + dy, c);
        }
    }

    /// Draws `text` in the built-in font with its top-left corner at
    /// `(x, y)`, each font pixel `sx` by `sy` pixels.
    pub fn text(&mut self, x: i32, y: i32, text: &str, sx: i32, sy: i32, c: u8) {
        let mut pen = x;
        for ch in text.chars() {
            for (row, bits) in (0..GLYPH_H).zip(glyph(ch)) {
                for col in 0..GLYPH_W {
                    if bits & (0x10 >> col) != 0 {
                        self.rect(pen + col * sx, y + row * sy, sx, sy, c);
                    }
                }
            }
            pen += advance(ch, sx);
        }
    }

    /// The image as an 8-bit indexed PNG with `palette` (at most 256
    /// colours). Empty only if encoding fails, which a valid canvas and
    /// palette never do.
    pub fn to_png(&self, palette: &[[u8; 3]]) -> Vec<u8> {
        self.encode(palette).unwrap_or_default()
    }

    fn encode(&self, palette: &[[u8; 3]]) -> Result<Vec<u8>, png::EncodingError> {
        let flat: Vec<u8> = palette.iter().flatten().copied().collect();
        let mut out = Vec::with_capacity(4096);
        let mut enc = png::Encoder::new(
            &mut out,
            u32::try_from(self.w).unwrap_or(0),
            u32::try_from(self.h).unwrap_or(0),
        );
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_palette(flat);
        enc.set_deflate_compression(png::DeflateCompression::Level(LEVEL));
        enc.set_filter(png::Filter::NoFilter);
        let mut writer = enc.write_header()?;
        writer.write_image_data(&self.px)?;
        writer.finish()?;
        Ok(out)
    }
}
