//! Photo bytes: base64 decoding and the image check every stored photo
//! passes (R1.2: the vehicle and the plate close up).

use crate::codes;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use sightline_core::purpose::Violation;

/// The largest photo accepted, in bytes (5 MiB).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

const ACCEPTED_TYPES: &str = "a PNG, JPEG or WebP image";

/// Standard alphabet; padding may be present or not.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn too_large(field: &str, len: usize) -> Violation {
    Violation::new(
        codes::PHOTO_TOO_LARGE,
        field,
        format!("the photo is {len} bytes; at most {MAX_PHOTO_BYTES} bytes (5 MiB) are accepted"),
    )
    .accepting("at most 5 MiB")
}

/// Checks photo bytes: non-empty, at most [`MAX_PHOTO_BYTES`], and a PNG,
/// JPEG or WebP by its magic bytes. Returns the MIME type.
///
/// Codes: `photo_invalid` (empty, or not one of the accepted image types)
/// and `photo_too_large`, with `field` as given.
pub fn check_photo(field: &str, bytes: &[u8]) -> Result<&'static str, Violation> {
    if bytes.is_empty() {
        return Err(
            Violation::new(codes::PHOTO_INVALID, field, "the photo is empty")
                .accepting(ACCEPTED_TYPES),
        );
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(too_large(field, bytes.len()));
    }
    sniff(bytes).ok_or_else(|| {
        Violation::new(
            codes::PHOTO_INVALID,
            field,
            "the photo is not a PNG, JPEG or WebP image",
        )
        .accepting(ACCEPTED_TYPES)
    })
}

/// The MIME type of an accepted image format, by magic bytes.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const JPEG: &[u8] = b"\xff\xd8\xff";
    if bytes.starts_with(PNG) {
        Some("image/png")
    } else if bytes.starts_with(JPEG) {
        Some("image/jpeg")
    } else if bytes.get(0..4) == Some(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("image/webp")
    } else {
        None
    }
}

/// Decodes a base64 photo (standard alphabet, padding optional; line breaks
/// and a `data:image/...;base64,` prefix are tolerated) and checks it with
/// [`check_photo`].
pub(crate) fn decode_base64_photo(field: &str, text: &str) -> Result<Vec<u8>, Violation> {
    let text = text.trim();
    let text = match text.strip_prefix("data:") {
        Some(rest) => rest.split_once(";base64,").map_or(text, |(_, data)| data),
        None => text,
    };
    // Refuse before decoding what cannot fit: 4 characters carry 3 bytes.
    let approx = text.len() / 4 * 3;
    if approx > MAX_PHOTO_BYTES + 3 {
        return Err(too_large(field, approx));
    }
    let decoded = if text.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        BASE64.decode(compact)
    } else {
        BASE64.decode(text)
    };
    let bytes = decoded.map_err(|e| {
        Violation::new(
            codes::PHOTO_INVALID,
            field,
            format!("the photo is not valid base64: {e}"),
        )
        .accepting("standard base64 of a PNG, JPEG or WebP image")
    })?;
    check_photo(field, &bytes)?;
    Ok(bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The smallest byte strings each accepted format is recognised by.
    pub(crate) const TINY_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    pub(crate) const TINY_JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0";
    pub(crate) const TINY_WEBP: &[u8] = b"RIFF\x24\0\0\0WEBPVP8 ";

    pub(crate) fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn accepts_png_jpeg_webp_by_magic() {
        assert_eq!(check_photo("vehicle_photo", TINY_PNG), Ok("image/png"));
        assert_eq!(check_photo("vehicle_photo", TINY_JPEG), Ok("image/jpeg"));
        assert_eq!(check_photo("vehicle_photo", TINY_WEBP), Ok("image/webp"));
    }

    #[test]
    fn refuses_empty_other_types_and_too_large() {
        let e = check_photo("plate_photo", b"").unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_str()),
            ("photo_invalid", "plate_photo")
        );
        let e = check_photo("plate_photo", b"GIF89a....").unwrap_err();
        assert_eq!(e.code, "photo_invalid");
        assert_eq!(e.accepted.as_deref(), Some(ACCEPTED_TYPES));
        let mut big = TINY_JPEG.to_vec();
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        assert_eq!(
            check_photo("plate_photo", &big).unwrap_err().code,
            "photo_too_large"
        );
        big.truncate(MAX_PHOTO_BYTES);
        assert_eq!(check_photo("plate_photo", &big), Ok("image/jpeg"));
    }

    #[test]
    fn base64_with_or_without_padding_and_line_breaks() {
        let padded = b64(TINY_JPEG);
        assert!(padded.ends_with('='));
        assert_eq!(decode_base64_photo("f", &padded).unwrap(), TINY_JPEG);
        let bare = padded.trim_end_matches('=');
        assert_eq!(decode_base64_photo("f", bare).unwrap(), TINY_JPEG);
        let (a, b) = padded.split_at(8);
        assert_eq!(
            decode_base64_photo("f", &format!("{a}\r\n{b}")).unwrap(),
            TINY_JPEG
        );
        let url = format!("data:image/jpeg;base64,{padded}");
        assert_eq!(decode_base64_photo("f", &url).unwrap(), TINY_JPEG);
    }

    #[test]
    fn bad_base64_and_huge_text_are_refused_early() {
        let e = decode_base64_photo("vehicle_photo", "not base64!").unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_str()),
            ("photo_invalid", "vehicle_photo")
        );
        let huge = "A".repeat(MAX_PHOTO_BYTES / 3 * 4 + 100);
        assert_eq!(
            decode_base64_photo("f", &huge).unwrap_err().code,
            "photo_too_large"
        );
        // Valid base64 of something that is not an image.
        let e = decode_base64_photo("f", &b64(b"hello world")).unwrap_err();
        assert_eq!(e.code, "photo_invalid");
    }
}
