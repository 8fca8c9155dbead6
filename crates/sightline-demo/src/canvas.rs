//! A small palette-indexed raster with the few shapes the photos need, and
//! its PNG encoding. Drawing clips silently at the edges.

use crate::font::{GLYPH_H, GLYPH_W, advance, glyph};

/// zlib level: 6 gives the smallest files for these flat images; 1-3 are
/// faster and about as small.
const LEVEL: u8 = 6;
const PACK: bool = false;

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
        let (a, b) = (usize::try_from(a).unwrap_or(0), usize::try_from(b).unwrap_or(0));
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

    /// The image as an indexed PNG with `palette`, at the smallest bit depth
    /// the palette allows. Empty only if encoding fails, which a valid
    /// canvas and palette never do.
    pub fn to_png(&self, palette: &[[u8; 3]]) -> Vec<u8> {
        self.encode(palette).unwrap_or_default()
    }

    /// Packs pixels `bits` (1, 2 or 4) to a byte, rows padded to a byte.
    fn pack(&self, bits: usize) -> Vec<u8> {
        let w = usize::try_from(self.w).unwrap_or(0).max(1);
        let per_byte = 8 / bits;
        let mut packed = Vec::with_capacity(self.px.len() / per_byte + self.px.len() / w + 1);
        for row in self.px.chunks(w) {
            for group in row.chunks(per_byte) {
                let mut byte = 0u8;
                for (i, &p) in group.iter().enumerate() {
                    byte |= p << (8 - bits * (i + 1));
                }
                packed.push(byte);
            }
        }
        packed
    }

    fn encode(&self, palette: &[[u8; 3]]) -> Result<Vec<u8>, png::EncodingError> {
        let (bits, depth) = match palette.len() {
            0..=2 => (1, png::BitDepth::One),
            3..=4 => (2, png::BitDepth::Two),
            5..=16 if PACK => (4, png::BitDepth::Four),
            _ => (8, png::BitDepth::Eight),
        };
        let packed = if bits == 8 {
            std::borrow::Cow::Borrowed(self.px.as_slice())
        } else {
            std::borrow::Cow::Owned(self.pack(bits))
        };
        let flat: Vec<u8> = palette.iter().flatten().copied().collect();
        let mut out = Vec::with_capacity(4096);
        let mut enc = png::Encoder::new(
            &mut out,
            u32::try_from(self.w).unwrap_or(0),
            u32::try_from(self.h).unwrap_or(0),
        );
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(depth);
        enc.set_palette(flat);
        enc.set_deflate_compression(png::DeflateCompression::Level(LEVEL));
        enc.set_filter(png::Filter::NoFilter);
        let mut writer = enc.write_header()?;
        writer.write_image_data(&packed)?;
        writer.finish()?;
        Ok(out)
    }
}
