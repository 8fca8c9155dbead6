//! Choosing between the two native encodings (JSON array, NDJSON) from a
//! media type or, for a multipart `reads` part, from its first byte.

use crate::{BodyError, Parsed, parse_json_array, parse_ndjson};
use time::OffsetDateTime;

/// Whether a media type (without parameters, lower case) names NDJSON.
pub fn is_ndjson_media(media: &str) -> bool {
    matches!(
        media,
        "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/jsonlines"
    )
}

/// Whether a multipart `reads` part is NDJSON: its content type says so,
/// or its first non-blank byte is not `[`.
pub fn reads_part_is_ndjson(content_type: Option<&str>, data: &[u8]) -> bool {
    content_type.is_some_and(is_ndjson_media)
        || data.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[')
}

/// Parses a native body as NDJSON or as a JSON array.
pub fn parse_native(body: &[u8], ndjson: bool, now: OffsetDateTime) -> Result<Parsed, BodyError> {
    if ndjson {
        Ok(parse_ndjson(body, now))
    } else {
        parse_json_array(body, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reads_part_is_ndjson_unless_it_opens_an_array() {
        assert!(!reads_part_is_ndjson(None, b" \n[{}]"));
        assert!(reads_part_is_ndjson(None, b"{}\n{}"));
        assert!(reads_part_is_ndjson(None, b""));
        assert!(reads_part_is_ndjson(Some("application/x-ndjson"), b"[1]"));
        assert!(!reads_part_is_ndjson(Some("application/json"), b"[1]"));
    }
}
