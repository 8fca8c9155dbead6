//! Native multipart (`POST /api/v1/ingest/reads`, multipart/form-data): the
//! body through `multer` (what axum's `Multipart` wraps, same version), the
//! `reads` part through the server's own choice of encoding and parser,
//! and every other part through the photo check.
//!
//! Input: the boundary, a newline, then the body. The first byte also
//! picks the size of the chunks the body arrives in.
#![no_main]

use bytes::Bytes;
use futures_util::FutureExt as _;
use libfuzzer_sys::fuzz_target;
use sightline_fuzz::{check_parsed, json_array_len, now};
use sightline_ingest::{check_photo, parse_native, reads_part_is_ndjson};

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|b| *b == b'\n') else {
        return;
    };
    let (boundary, body) = data.split_at(split);
    let body = &body[1..];
    let Ok(boundary) = std::str::from_utf8(boundary) else {
        return;
    };
    let chunk = usize::from(data[0] % 64) + 1;
    let chunks: Vec<Result<Bytes, std::io::Error>> = body
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let stream = futures_util::stream::iter(chunks);
    let mut multipart = multer::Multipart::new(stream, boundary.to_owned());
    let mut reads: Option<(Bytes, Option<String>)> = None;
    let mut parts = 0usize;
    loop {
        let next = multipart
            .next_field()
            .now_or_never()
            .expect("multer waited on a body that had fully arrived");
        let Ok(Some(field)) = next else { break };
        let name = field.name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(|m| m.as_ref().to_owned());
        let bytes = field
            .bytes()
            .now_or_never()
            .expect("multer waited on a body that had fully arrived");
        let Ok(bytes) = bytes else { break };
        assert!(bytes.len() <= body.len(), "a part larger than the body");
        parts += 1;
        assert!(parts <= body.len(), "more parts than bytes");
        if name == "reads" {
            reads = Some((bytes, content_type));
        } else {
            let _ = check_photo(&name, &bytes);
        }
    }
    let Some((data, content_type)) = reads else {
        return;
    };
    let ndjson = reads_part_is_ndjson(content_type.as_deref(), &data);
    match parse_native(&data, ndjson, now()) {
        Ok(parsed) if ndjson => {
            let lines = data
                .split(|b| *b == b'\n')
                .filter(|l| !l.trim_ascii().is_empty())
                .count();
            check_parsed(&parsed, Some(lines));
        }
        Ok(parsed) => {
            let n = json_array_len(&data)
                .unwrap_or_else(|| panic!("accepted a reads part that is not a JSON array"));
            check_parsed(&parsed, Some(n));
        }
        Err(_) => assert!(!ndjson, "NDJSON never fails as a whole"),
    }
});
