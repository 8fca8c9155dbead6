//! Decoded photos as 8-bit RGB, and the few image operations the pipeline
//! needs: decoding with limits, EXIF orientation, resizing and cutting a
//! (possibly rotated) rectangle out of a photo.
//!
//! Pixel access goes through [`Rgb::at`], which clamps to the image, so no
//! operation here can index out of bounds.

use crate::OcrError;
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

/// The most pixels a photo may have: a 48-megapixel phone camera.
pub const MAX_PIXELS: usize = 50_000_000;
/// The longest side a photo may have.
pub const MAX_SIDE: usize = 12_000;

/// An 8-bit RGB image, rows top to bottom.
#[derive(Clone, PartialEq, Eq)]
pub struct Rgb {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl std::fmt::Debug for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rgb({}x{})", self.width, self.height)
    }
}

impl Rgb {
    /// An image from packed RGB bytes; `None` unless `data` is exactly
    /// `width * height * 3` bytes and neither side is zero.
    pub fn from_raw(width: usize, height: usize, data: Vec<u8>) -> Option<Self> {
        (width > 0 && height > 0 && width.checked_mul(height)?.checked_mul(3)? == data.len())
            .then_some(Self {
                width,
                height,
                data,
            })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    /// Decodes a JPEG or PNG, turned upright by its EXIF orientation.
    pub fn decode(bytes: &[u8]) -> Result<Self, OcrError> {
        if bytes.starts_with(&[0xFF, 0xD8]) {
            decode_jpeg(bytes)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            decode_png(bytes)
        } else {
            Err(OcrError::UnsupportedFormat)
        }
    }

    /// The pixel at (x, y), clamped to the image.
    pub fn at(&self, x: isize, y: isize) -> [u8; 3] {
        let x = x.clamp(0, self.width as isize - 1) as usize;
        let y = y.clamp(0, self.height as isize - 1) as usize;
        let i = (y * self.width + x) * 3;
        match self.data.get(i..i + 3) {
            Some(&[r, g, b]) => [r, g, b],
            _ => [0, 0, 0],
        }
    }

    /// Bilinear sample at a pixel-centre coordinate.
    pub fn sample(&self, fx: f32, fy: f32) -> [f32; 3] {
        let x0 = fx.floor();
        let y0 = fy.floor();
        let (dx, dy) = (fx - x0, fy - y0);
        let (x0, y0) = (x0 as isize, y0 as isize);
        let p00 = self.at(x0, y0);
        let p10 = self.at(x0 + 1, y0);
        let p01 = self.at(x0, y0 + 1);
        let p11 = self.at(x0 + 1, y0 + 1);
        let mut out = [0f32; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let ch = |p: [u8; 3]| f32::from(p.get(c).copied().unwrap_or(0));
            let top = ch(p00) * (1.0 - dx) + ch(p10) * dx;
            let bottom = ch(p01) * (1.0 - dx) + ch(p11) * dx;
            *o = top * (1.0 - dy) + bottom * dy;
        }
        out
    }

    /// The image scaled to `width` x `height`. Shrinking by more than two
    /// averages blocks first, so fine detail does not alias.
    pub fn resize(&self, width: usize, height: usize) -> Rgb {
        let (width, height) = (width.max(1), height.max(1));
        let factor = (self.width / width).min(self.height / height);
        if factor >= 2 {
            return self.box_shrink(factor).resize(width, height);
        }
        let sx = self.width as f32 / width as f32;
        let sy = self.height as f32 / height as f32;
        let mut data = Vec::with_capacity(width * height * 3);
        for y in 0..height {
            let fy = (y as f32 + 0.5) * sy - 0.5;
            for x in 0..width {
                let fx = (x as f32 + 0.5) * sx - 0.5;
                data.extend(self.sample(fx, fy).map(to_u8));
            }
        }
        Rgb {
            width,
            height,
            data,
        }
    }

    fn box_shrink(&self, k: usize) -> Rgb {
        let width = self.width / k;
        let height = self.height / k;
        let mut data = Vec::with_capacity(width * height * 3);
        let n = (k * k) as u32;
        for by in 0..height {
            for bx in 0..width {
                let mut sum = [0u32; 3];
                for y in by * k..by * k + k {
                    for x in bx * k..bx * k + k {
                        let p = self.at(x as isize, y as isize);
                        for (s, v) in sum.iter_mut().zip(p) {
                            *s += u32::from(v);
                        }
                    }
                }
                data.extend(sum.map(|s| ((s + n / 2) / n) as u8));
            }
        }
        Rgb {
            width,
            height,
            data,
        }
    }

    /// Cuts `quad` (corners clockwise from top left) out of the image and
    /// straightens it to `width` x `height`.
    pub fn warp(&self, quad: &Quad, width: usize, height: usize) -> Rgb {
        let (width, height) = (width.max(1), height.max(1));
        let [tl, tr, br, bl] = quad.0;
        let mut data = Vec::with_capacity(width * height * 3);
        for y in 0..height {
            let v = (y as f32 + 0.5) / height as f32;
            let left = lerp(tl, bl, v);
            let right = lerp(tr, br, v);
            for x in 0..width {
                let u = (x as f32 + 0.5) / width as f32;
                let p = lerp(left, right, u);
                data.extend(self.sample(p.0 - 0.5, p.1 - 0.5).map(to_u8));
            }
        }
        Rgb {
            width,
            height,
            data,
        }
    }

    /// Rotates a quarter turn clockwise `turns` times.
    pub fn rotate(&self, turns: u8) -> Rgb {
        let mut img = self.clone();
        for _ in 0..turns % 4 {
            let (w, h) = (img.width, img.height);
            let mut data = Vec::with_capacity(w * h * 3);
            for y in 0..w {
                for x in 0..h {
                    data.extend(img.at(y as isize, (h - 1 - x) as isize));
                }
            }
            img = Rgb {
                width: h,
                height: w,
                data,
            };
        }
        img
    }

    fn flip_horizontal(&self) -> Rgb {
        let mut data = Vec::with_capacity(self.data.len());
        for y in 0..self.height {
            for x in (0..self.width).rev() {
                data.extend(self.at(x as isize, y as isize));
            }
        }
        Rgb {
            width: self.width,
            height: self.height,
            data,
        }
    }

    /// Applies an EXIF orientation (1–8) so the image is upright.
    fn oriented(self, orientation: u16) -> Rgb {
        match orientation {
            2 => self.flip_horizontal(),
            3 => self.rotate(2),
            4 => self.rotate(2).flip_horizontal(),
            5 => self.rotate(1).flip_horizontal(),
            6 => self.rotate(1),
            7 => self.rotate(3).flip_horizontal(),
            8 => self.rotate(3),
            _ => self,
        }
    }

    /// Raw RGB bytes, rows top to bottom.
    pub fn pixels(&self) -> &[u8] {
        &self.data
    }
}

/// Four corners, clockwise from the top left, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quad(pub [(f32, f32); 4]);

impl Quad {
    pub fn from_box(x: f32, y: f32, w: f32, h: f32) -> Quad {
        Quad([(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
    }

    /// Width along the top edge and height along the left edge.
    pub fn size(&self) -> (f32, f32) {
        let [tl, tr, _, bl] = self.0;
        (dist(tl, tr), dist(tl, bl))
    }

    /// The axis-aligned bounds: (min x, min y, max x, max y).
    pub fn bounds(&self) -> (f32, f32, f32, f32) {
        self.0.iter().fold(
            (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
            |(x0, y0, x1, y1), &(x, y)| (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
        )
    }

    pub fn centre(&self) -> (f32, f32) {
        let (x0, y0, x1, y1) = self.bounds();
        ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
    }

    /// The same quad grown by `mx` of its width on each side and `my` of
    /// its height above and below.
    pub fn grown(&self, mx: f32, my: f32) -> Quad {
        let [tl, tr, br, bl] = self.0;
        let along =
            |a: (f32, f32), b: (f32, f32), t: f32| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        let (tl2, tr2) = (along(tl, tr, -mx), along(tl, tr, 1.0 + mx));
        let (bl2, br2) = (along(bl, br, -mx), along(bl, br, 1.0 + mx));
        Quad([
            along(bl2, tl2, 1.0 + my),
            along(br2, tr2, 1.0 + my),
            along(tr2, br2, 1.0 + my),
            along(tl2, bl2, 1.0 + my),
        ])
    }

    /// Maps a quad given in a crop's pixels back through the crop's own quad.
    pub fn through(&self, outer: &Quad, crop_w: f32, crop_h: f32) -> Quad {
        let [tl, tr, br, bl] = outer.0;
        let map = |(x, y): (f32, f32)| {
            let u = x / crop_w;
            let v = y / crop_h;
            lerp(lerp(tl, tr, u), lerp(bl, br, u), v)
        };
        Quad(self.0.map(map))
    }
}

fn lerp(a: (f32, f32), b: (f32, f32), t: f32) -> (f32, f32) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

fn dist(a: (f32, f32), b: (f32, f32)) -> f32 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

fn to_u8(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

fn check_size(width: usize, height: usize) -> Result<(), OcrError> {
    if width == 0 || height == 0 {
        return Err(OcrError::Undecodable("the image has no pixels".into()));
    }
    if width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS {
        return Err(OcrError::TooManyPixels { width, height });
    }
    Ok(())
}

fn decode_jpeg(bytes: &[u8]) -> Result<Rgb, OcrError> {
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_max_width(MAX_SIDE)
        .set_max_height(MAX_SIDE);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder
        .decode_headers()
        .map_err(|e| OcrError::Undecodable(format!("{e:?}")))?;
    let (width, height) = decoder
        .info()
        .map(|i| (usize::from(i.width), usize::from(i.height)))
        .ok_or_else(|| OcrError::Undecodable("no JPEG header".into()))?;
    check_size(width, height)?;
    let orientation = decoder.exif().map_or(1, |e| exif_orientation(e));
    let data = decoder
        .decode()
        .map_err(|e| OcrError::Undecodable(format!("{e:?}")))?;
    let img = Rgb::from_raw(width, height, data)
        .ok_or_else(|| OcrError::Undecodable("the JPEG decoded to the wrong size".into()))?;
    Ok(img.oriented(orientation))
}

fn decode_png(bytes: &[u8]) -> Result<Rgb, OcrError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .map_err(|e| OcrError::Undecodable(e.to_string()))?;
    let (width, height) = {
        let info = reader.info();
        (info.width as usize, info.height as usize)
    };
    check_size(width, height)?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let frame = reader
        .next_frame(&mut buf)
        .map_err(|e| OcrError::Undecodable(e.to_string()))?;
    let raw = buf.get(..frame.buffer_size()).unwrap_or_default();
    let data: Vec<u8> = match frame.color_type {
        png::ColorType::Rgb => raw.to_vec(),
        png::ColorType::Rgba => raw
            .chunks_exact(4)
            .flat_map(|p| p.iter().take(3).copied())
            .collect(),
        png::ColorType::Grayscale => raw.iter().flat_map(|&g| [g, g, g]).collect(),
        png::ColorType::GrayscaleAlpha => raw
            .chunks_exact(2)
            .flat_map(|p| {
                let g = p.first().copied().unwrap_or(0);
                [g, g, g]
            })
            .collect(),
        png::ColorType::Indexed => {
            return Err(OcrError::Undecodable("indexed PNG was not expanded".into()));
        }
    };
    Rgb::from_raw(width, height, data)
        .ok_or_else(|| OcrError::Undecodable("the PNG decoded to the wrong size".into()))
}

/// The orientation tag (0x0112) of an EXIF block, 1 when absent or unreadable.
fn exif_orientation(exif: &[u8]) -> u16 {
    let tiff = exif.strip_prefix(b"Exif\0\0").unwrap_or(exif);
    let little = match tiff.get(..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return 1,
    };
    let u16_at = |i: usize| {
        tiff.get(i..i + 2).map(|b| {
            let b = [
                b.first().copied().unwrap_or(0),
                b.get(1).copied().unwrap_or(0),
            ];
            if little {
                u16::from_le_bytes(b)
            } else {
                u16::from_be_bytes(b)
            }
        })
    };
    let u32_at = |i: usize| {
        tiff.get(i..i + 4).and_then(|b| {
            let b: [u8; 4] = b.try_into().ok()?;
            Some(if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            })
        })
    };
    let Some(ifd) = u32_at(4).map(|o| o as usize) else {
        return 1;
    };
    let count = u16_at(ifd).unwrap_or(0) as usize;
    (0..count.min(256))
        .map(|n| ifd + 2 + n * 12)
        .find(|&e| u16_at(e) == Some(0x0112))
        .and_then(|e| u16_at(e + 8))
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: usize, h: usize) -> Rgb {
        let data = (0..h)
            .flat_map(|y| (0..w).flat_map(move |x| [x as u8, y as u8, 7]))
            .collect();
        Rgb::from_raw(w, h, data).unwrap()
    }

    #[test]
    fn a_quarter_turn_moves_the_top_left_to_the_top_right() {
        let img = gradient(4, 2);
        let turned = img.rotate(1);
        assert_eq!((turned.width(), turned.height()), (2, 4));
        assert_eq!(turned.at(1, 0), img.at(0, 0));
        assert_eq!(turned.at(0, 0), img.at(0, 1));
        assert_eq!(img.rotate(4), img);
    }

    #[test]
    fn exif_orientation_is_read_in_both_byte_orders() {
        // II, 42, IFD at 8, one entry: tag 0x0112, SHORT, count 1, value 6.
        let le = [
            b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0,
        ];
        assert_eq!(exif_orientation(&le), 6);
        let be = [
            b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0,
        ];
        assert_eq!(exif_orientation(&be), 8);
        assert_eq!(exif_orientation(b"nonsense"), 1);
        assert_eq!(exif_orientation(&le[..12]), 1);
    }

    #[test]
    fn shrinking_averages_and_warping_an_axis_box_is_a_crop() {
        let img = gradient(64, 32);
        let small = img.resize(16, 8);
        assert_eq!((small.width(), small.height()), (16, 8));
        let crop = img.warp(&Quad::from_box(10.0, 4.0, 8.0, 6.0), 8, 6);
        assert_eq!(crop.at(0, 0), img.at(10, 4));
        assert_eq!(crop.at(7, 5), img.at(17, 9));
    }

    #[test]
    fn photos_past_the_pixel_limit_are_refused_before_decoding() {
        assert!(matches!(
            check_size(20_000, 10),
            Err(OcrError::TooManyPixels { .. })
        ));
        assert!(matches!(
            check_size(8_000, 8_000),
            Err(OcrError::TooManyPixels { .. })
        ));
        assert!(check_size(4_000, 3_000).is_ok());
        assert!(matches!(
            Rgb::decode(b"GIF89a"),
            Err(OcrError::UnsupportedFormat)
        ));
    }
}
