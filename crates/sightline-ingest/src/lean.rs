//! A bounded JSON parse for native records: a [`serde_json::Value`] that
//! keeps only the fields the native format reads.
//!
//! A plain `Value` of an attacker's body can cost many times the body's
//! size (`[0,0,0,…]` is 2 bytes an element in, 32 bytes an element out).
//! Here an unknown field is skipped without allocating, and an array's
//! contents are skipped (the native format has no array field: only its
//! type is reported), so what is kept is at most the text of the known
//! fields plus a small, fixed cost per field.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Every field name the native format reads, at any depth (the record's,
/// its location's and its photos').
const NATIVE_KEYS: &[&str] = &[
    "source_read_id",
    "plate",
    "state",
    "captured_at",
    "location",
    "lat",
    "lon",
    "nearest_address",
    "nearest_intersection",
    "camera_id",
    "vehicle_photo",
    "plate_photo",
    "base64",
    "part",
    "url",
];

/// One native record (or NDJSON line), parsed with [`NATIVE_KEYS`] kept.
pub(crate) struct Lean(pub(crate) Value);

impl<'de> de::Deserialize<'de> for Lean {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        LeanSeed.deserialize(d).map(Lean)
    }
}

/// Builds the kept `Value` of one JSON value.
#[derive(Clone, Copy)]
struct LeanSeed;

impl<'de> DeserializeSeed<'de> for LeanSeed {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LeanSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    /// An array's elements are checked to be JSON and dropped: only its
    /// type is ever reported.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Array(Vec::new()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = Map::new();
        while let Some(key) = map.next_key::<KeyName>()? {
            match key.0 {
                Some(name) => {
                    let value = map.next_value_seed(LeanSeed)?;
                    kept.insert(name.to_owned(), value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(kept))
    }
}

/// A map key: one of [`NATIVE_KEYS`], or `None` for any other.
struct KeyName(Option<&'static str>);

impl<'de> de::Deserialize<'de> for KeyName {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyName, E> {
                Ok(KeyName(NATIVE_KEYS.iter().copied().find(|k| *k == v)))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lean(text: &str) -> Value {
        serde_json::from_str::<Lean>(text).unwrap().0
    }

    #[test]
    fn known_fields_are_kept_and_the_rest_dropped() {
        let v = lean(
            r#"{"plate":"ABC","vendor":{"deep":[1,2,{"x":"y"}]},"location":{"lat":1.5,"lon":-2,"alt":9},
                "vehicle_photo":{"part":"p1","junk":"z"},"state":null,"camera_id":7,"extra":[0,0,0]}"#,
        );
        assert_eq!(
            v,
            json!({"plate": "ABC", "location": {"lat": 1.5, "lon": -2}, "vehicle_photo": {"part": "p1"},
                   "state": null, "camera_id": 7})
        );
    }

    #[test]
    fn arrays_keep_only_their_type_and_bad_json_still_fails() {
        assert_eq!(lean(r#"{"plate":[1,2,3]}"#), json!({"plate": []}));
        assert_eq!(lean("[0,0,0,0]"), json!([]));
        assert!(serde_json::from_str::<Lean>(r#"{"vendor":[1,}"#).is_err());
        assert!(serde_json::from_str::<Lean>(r#"{"plate":"A"} x"#).is_err());
    }
}
