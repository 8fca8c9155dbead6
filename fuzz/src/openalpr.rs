//! Shared by the two OpenALPR targets.

use crate::{check_parsed, now};
use serde_json::Value;
use sightline_ingest::{OpenAlprMessage, parse_openalpr_message};

/// Parses an agent body and checks what came back; the number of records
/// (accepted + rejected) when it held reads.
pub fn check_message(body: &[u8]) -> Option<usize> {
    match parse_openalpr_message(body, now()) {
        Ok(OpenAlprMessage::Reads(parsed)) => {
            check_parsed(&parsed, None);
            Some(parsed.records.len() + parsed.errors.len())
        }
        Ok(OpenAlprMessage::Heartbeat(_)) | Err(_) => None,
    }
}

/// The input with `data_type` set to `data_type`, when it is a JSON object.
pub fn forced(data: &[u8], data_type: &str) -> Option<Vec<u8>> {
    let mut value: Value = serde_json::from_slice(data).ok()?;
    let map = value.as_object_mut()?;
    map.insert("data_type".into(), Value::String(data_type.into()));
    serde_json::to_vec(&value).ok()
}
