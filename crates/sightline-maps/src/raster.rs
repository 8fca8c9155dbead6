//! PNG in and out of tiny-skia pixmaps.

use anyhow::Context;
use tiny_skia::{IntSize, Pixmap};

/// Encodes an opaque pixmap as an RGB PNG (alpha dropped: every map image
/// is drawn on an opaque background).
pub(crate) fn encode_png(pixmap: &Pixmap) -> anyhow::Result<Vec<u8>> {
    let rgb = to_rgb(pixmap);
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Balanced);
    let mut writer = enc.write_header().context("png header")?;
    writer.write_image_data(&rgb).context("png data")?;
    writer.finish().context("png end")?;
    Ok(out)
}

/// An opaque pixmap's pixels as 8-bit RGB, row by row.
pub(crate) fn to_rgb(pixmap: &Pixmap) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(pixmap.pixels().len() * 3);
    for p in pixmap.pixels() {
        let c = p.demultiply();
        rgb.extend_from_slice(&[c.red(), c.green(), c.blue()]);
    }
    rgb
}

/// Decodes a PNG (any colour type the `png` crate expands to 8-bit RGB or
/// RGBA, grey included) into a pixmap.
pub(crate) fn decode_png(bytes: &[u8]) -> anyhow::Result<Pixmap> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().context("not a PNG")?;
    let size = reader.output_buffer_size().context("PNG too large")?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).context("PNG data")?;
    let data = buf.get(..info.buffer_size()).context("PNG data")?;
    let mut rgba = Vec::with_capacity((info.width * info.height * 4) as usize);
    match info.color_type {
        png::ColorType::Rgba => rgba.extend_from_slice(data),
        png::ColorType::Rgb => {
            for c in data.chunks_exact(3) {
                if let [r, g, b] = c {
                    rgba.extend_from_slice(&[*r, *g, *b, 255]);
                }
            }
        }
        png::ColorType::GrayscaleAlpha => {
            for c in data.chunks_exact(2) {
                if let [g, a] = c {
                    rgba.extend_from_slice(&[*g, *g, *g, *a]);
                }
            }
        }
        png::ColorType::Grayscale => data
            .iter()
            .for_each(|&g| rgba.extend_from_slice(&[g, g, g, 255])),
        png::ColorType::Indexed => anyhow::bail!("indexed PNG not expanded"),
    }
    // tiny-skia keeps premultiplied colour.
    for px in rgba.chunks_exact_mut(4) {
        if let [r, g, b, a] = px {
            let alpha = u16::from(*a);
            for c in [r, g, b] {
                *c = ((u16::from(*c) * alpha + 127) / 255) as u8;
            }
        }
    }
    let size = IntSize::from_wh(info.width, info.height).context("empty PNG")?;
    Pixmap::from_vec(rgba, size).context("PNG size")
}
