//! Images for the PDF. Photos are checked here, once, so a stored photo
//! that does not decode becomes a framed note rather than a failed report:
//! JPEG passes through as its own bytes (PDF holds JPEG natively); PNG and
//! WebP are decoded to RGB, transparency flattened onto white. Maps arrive
//! as RGB pixels. Every image is compressed when it is made, which is why
//! this runs on the blocking pool, several at once.

use futures_util::StreamExt as _;
use krilla::image::{BitsPerComponent, CustomImage, Image, ImageColorspace};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// 8-bit RGB pixels, hashed once so krilla's image cache stays cheap.
#[derive(Debug, Clone)]
struct Rgb8 {
    data: Arc<Vec<u8>>,
    width: u32,
    height: u32,
    digest: u64,
}

impl Hash for Rgb8 {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.digest, self.width, self.height).hash(state);
    }
}

impl CustomImage for Rgb8 {
    fn color_channel(&self) -> &[u8] {
        &self.data
    }
    fn alpha_channel(&self) -> Option<&[u8]> {
        None
    }
    fn bits_per_component(&self) -> BitsPerComponent {
        BitsPerComponent::Eight
    }
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
    fn icc_profile(&self) -> Option<&[u8]> {
        None
    }
    fn color_space(&self) -> ImageColorspace {
        ImageColorspace::Rgb
    }
}

/// FNV-1a over 64-bit words: identical pictures (the same photo seen
/// twice) embed once; it need not resist anyone, only tell images apart.
fn digest(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0x0100_0000_01b3);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^ data.len() as u64
}

/// RGB pixels as an image, or `None` if the sizes disagree.
pub(crate) fn pixels_image(rgb: Vec<u8>, width: u32, height: u32) -> Option<Image> {
    let want = usize::try_from(u64::from(width) * u64::from(height) * 3).ok()?;
    if rgb.len() != want || want == 0 {
        return None;
    }
    let digest = digest(&rgb);
    Image::from_custom(
        Rgb8 {
            data: Arc::new(rgb),
            width,
            height,
            digest,
        },
        false,
    )
    .ok()
}

/// RGBA (straight alpha) onto white, as RGB.
fn flatten(rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.chunks_exact(4) {
        if let [r, g, b, a] = *px {
            let a = u16::from(a);
            for c in [r, g, b] {
                out.push(((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
            }
        }
    }
    out
}

/// The largest photo decoded, pixels: a camera's full frame, not a
/// decompression bomb from a misbehaving source.
const MAX_PIXELS: u64 = 40_000_000;

fn small_enough(width: u32, height: u32) -> bool {
    u64::from(width) * u64::from(height) <= MAX_PIXELS
}

fn decode_png(bytes: &[u8]) -> Option<(Vec<u8>, u32, u32)> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().ok()?;
    if !small_enough(reader.info().width, reader.info().height) {
        return None;
    }
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    let data = buf.get(..info.buffer_size())?;
    let rgb = match info.color_type {
        png::ColorType::Rgb => data.to_vec(),
        png::ColorType::Rgba => flatten(data),
        png::ColorType::Grayscale => data.iter().flat_map(|&g| [g, g, g]).collect(),
        png::ColorType::GrayscaleAlpha => {
            let rgba: Vec<u8> = data
                .chunks_exact(2)
                .flat_map(|c| match *c {
                    [g, a] => [g, g, g, a],
                    _ => [0, 0, 0, 0],
                })
                .collect();
            flatten(&rgba)
        }
        png::ColorType::Indexed => return None,
    };
    Some((rgb, info.width, info.height))
}

fn decode_webp(bytes: &[u8]) -> Option<(Vec<u8>, u32, u32)> {
    let mut decoder = image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).ok()?;
    let (width, height) = decoder.dimensions();
    if !small_enough(width, height) {
        return None;
    }
    let mut buf = vec![0; decoder.output_buffer_size()?];
    decoder.read_image(&mut buf).ok()?;
    let rgb = if decoder.has_alpha() {
        flatten(&buf)
    } else {
        buf
    };
    Some((rgb, width, height))
}

/// A stored photo as an image, or `None` if it is not one we can show.
pub(crate) fn photo_image(bytes: Arc<Vec<u8>>) -> Option<Image> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(b"\xff\xd8\xff") {
        return Image::from_jpeg(bytes.into(), true).ok();
    }
    let (rgb, width, height) = if bytes.starts_with(PNG) {
        decode_png(&bytes)?
    } else if bytes.get(0..4) == Some(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        decode_webp(&bytes)?
    } else {
        return None;
    };
    pixels_image(rgb, width, height)
}

type PhotoPair = (Option<Image>, Option<Image>);
/// A read's (vehicle, plate) photos as stored.
pub(crate) type StoredPair = (Option<Arc<Vec<u8>>>, Option<Arc<Vec<u8>>>);

/// Each read's (vehicle, plate) photos as images, in order.
pub(crate) async fn photos(pairs: Vec<StoredPair>, parallel: usize) -> Vec<PhotoPair> {
    futures_util::stream::iter(pairs)
        .map(|(vehicle, plate)| async move {
            tokio::task::spawn_blocking(move || {
                (vehicle.and_then(photo_image), plate.and_then(photo_image))
            })
            .await
            .unwrap_or((None, None))
        })
        .buffered(parallel)
        .collect()
        .await
}
