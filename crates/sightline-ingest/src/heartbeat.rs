//! OpenALPR agents' `heartbeat` messages (about once a minute): which agent
//! is alive, and for each camera stream whether it is streaming and at what
//! frame rate. They carry no read; Sightline keeps them as source health.
//!
//! The agent's fields: `agent_uid`, `agent_hostname`, `timestamp` (ms since
//! the epoch) and `video_streams[]` with `camera_id`, `camera_name`,
//! `is_streaming`, `fps` and `last_update` (ms). A field of the wrong type
//! is left out rather than refusing the heartbeat: it is only health.

use crate::fields::clip;
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// The most camera streams one heartbeat records.
pub const MAX_STREAMS: usize = 64;

/// One camera stream of an agent, as its heartbeat reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamHealth {
    /// `"<site_id>/<camera_id>"` is how reads name a camera; heartbeats carry
    /// only the agent's `camera_id`, as written.
    pub camera_id: String,
    pub camera_name: Option<String>,
    pub is_streaming: bool,
    pub fps: Option<f64>,
    pub last_update: Option<OffsetDateTime>,
}

/// A parsed `heartbeat`.
#[derive(Debug, Clone, PartialEq)]
pub struct Heartbeat {
    pub agent_uid: Option<String>,
    pub hostname: Option<String>,
    /// The agent's own clock; Sightline records its own time of receipt.
    pub sent_at: Option<OffsetDateTime>,
    pub streams: Vec<StreamHealth>,
}

fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) if !s.trim().is_empty() && !s.chars().any(char::is_control) => {
            Some(clip(s.trim()))
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn epoch_ms(map: &Map<String, Value>, key: &str) -> Option<OffsetDateTime> {
    let ms = map.get(key)?.as_i64()?;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

pub(crate) fn heartbeat(map: &Map<String, Value>) -> Heartbeat {
    let streams = map
        .get("video_streams")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_object)
                .filter_map(|s| {
                    Some(StreamHealth {
                        camera_id: text(s, "camera_id")?,
                        camera_name: text(s, "camera_name"),
                        is_streaming: s
                            .get("is_streaming")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                        fps: s
                            .get("fps")
                            .and_then(Value::as_f64)
                            .filter(|f| f.is_finite() && (0.0..=1_000.0).contains(f)),
                        last_update: epoch_ms(s, "last_update"),
                    })
                })
                .take(MAX_STREAMS)
                .collect()
        })
        .unwrap_or_default();
    Heartbeat {
        agent_uid: text(map, "agent_uid"),
        hostname: text(map, "agent_hostname"),
        sent_at: epoch_ms(map, "timestamp"),
        streams,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OpenAlprMessage, parse_openalpr_message};
    use time::macros::datetime;

    #[test]
    fn the_sample_heartbeat() {
        let body = include_str!("../tests/fixtures/heartbeat.json");
        let Ok(OpenAlprMessage::Heartbeat(h)) =
            parse_openalpr_message(body.as_bytes(), crate::native::tests::NOW)
        else {
            panic!("not a heartbeat")
        };
        assert_eq!(h.hostname.as_deref(), Some("gate-1"));
        assert_eq!(h.sent_at, Some(datetime!(2018-10-07 15:14:04.693 UTC)));
        assert_eq!(
            h.streams,
            [StreamHealth {
                camera_id: "2090267338".into(),
                camera_name: Some("north gate".into()),
                is_streaming: true,
                fps: Some(30.0),
                last_update: Some(datetime!(2018-10-07 15:14:04.689 UTC)),
            }]
        );
    }

    #[test]
    fn odd_fields_are_left_out() {
        let v = serde_json::json!({"data_type": "heartbeat", "agent_uid": 7,
            "video_streams": [{"camera_id": "a", "fps": -3, "is_streaming": "yes"}, {"fps": 5}, 3]});
        let Value::Object(m) = v else { panic!() };
        let h = heartbeat(&m);
        assert_eq!(h.agent_uid.as_deref(), Some("7"));
        assert_eq!(h.streams.len(), 1);
        assert_eq!((h.streams[0].is_streaming, h.streams[0].fps), (false, None));
    }
}
