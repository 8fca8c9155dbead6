//! Typed access to the fields of a JSON object, reporting a field of the
//! wrong JSON type as `record_malformed` instead of failing the record.

use crate::codes;
use serde_json::{Map, Value};
use sightline_core::purpose::Violation;

/// One field of a JSON object, looked up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Field<T> {
    /// Not there, or `null`.
    Absent,
    /// There, but of the wrong JSON type; already reported.
    Malformed,
    Present(T),
}

impl<T> Field<T> {
    pub(crate) fn present(self) -> Option<T> {
        match self {
            Field::Present(v) => Some(v),
            Field::Absent | Field::Malformed => None,
        }
    }
}

/// The JSON type of a value, as a person would say it.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn malformed(field: &str, expected: &str, found: &Value) -> Violation {
    Violation::new(
        codes::RECORD_MALFORMED,
        field,
        format!("'{field}' must be {expected}, not {}", kind(found)),
    )
    .accepting(expected)
}

/// A field path for messages: `prefix.key`, or `key` without a prefix.
pub(crate) fn path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Typed getters that push a `record_malformed` violation on a type mismatch.
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    /// Prefix for field names in violations (e.g. `best_plate`).
    prefix: String,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            prefix: String::new(),
        }
    }

    pub(crate) fn field_name(&self, key: &str) -> String {
        path(&self.prefix, key)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    pub(crate) fn str(&self, key: &str, errs: &mut Vec<Violation>) -> Field<&'a str> {
        match self.get(key) {
            None => Field::Absent,
            Some(Value::String(s)) => Field::Present(s.as_str()),
            Some(other) => {
                errs.push(malformed(&self.field_name(key), "a string", other));
                Field::Malformed
            }
        }
    }

    /// A string, or a number written as its decimal text (ids that some
    /// agents send as numbers).
    pub(crate) fn str_or_number(&self, key: &str, errs: &mut Vec<Violation>) -> Field<String> {
        match self.get(key) {
            None => Field::Absent,
            Some(Value::String(s)) => Field::Present(s.clone()),
            Some(Value::Number(n)) => Field::Present(n.to_string()),
            Some(other) => {
                errs.push(malformed(
                    &self.field_name(key),
                    "a string or a number",
                    other,
                ));
                Field::Malformed
            }
        }
    }

    pub(crate) fn number(&self, key: &str, errs: &mut Vec<Violation>) -> Field<f64> {
        match self.get(key) {
            None => Field::Absent,
            Some(Value::Number(n)) => match n.as_f64() {
                Some(f) => Field::Present(f),
                None => {
                    errs.push(malformed(&self.field_name(key), "a number", &Value::Null));
                    Field::Malformed
                }
            },
            Some(other) => {
                errs.push(malformed(&self.field_name(key), "a number", other));
                Field::Malformed
            }
        }
    }

    /// An integer; also accepted as a string of digits, or a number with no
    /// fractional part. Anything else is malformed.
    pub(crate) fn integer(&self, key: &str, errs: &mut Vec<Violation>) -> Field<i128> {
        let bad = |errs: &mut Vec<Violation>, v: &Value| {
            errs.push(malformed(&self.field_name(key), "an integer", v));
            Field::Malformed
        };
        match self.get(key) {
            None => Field::Absent,
            Some(v @ Value::Number(n)) => {
                if let Some(i) = n.as_i64() {
                    Field::Present(i128::from(i))
                } else if let Some(u) = n.as_u64() {
                    Field::Present(i128::from(u))
                } else {
                    match n.as_f64() {
                        // Integral and within ±2^63: the cast is exact.
                        Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18 => {
                            Field::Present(f as i128)
                        }
                        _ => bad(errs, v),
                    }
                }
            }
            Some(v @ Value::String(s)) => match s.trim().parse::<i128>() {
                Ok(i) => Field::Present(i),
                Err(_) => bad(errs, v),
            },
            Some(other) => bad(errs, other),
        }
    }

    pub(crate) fn object(&self, key: &str, errs: &mut Vec<Violation>) -> Field<Obj<'a>> {
        match self.get(key) {
            None => Field::Absent,
            Some(Value::Object(m)) => Field::Present(Obj {
                map: m,
                prefix: self.field_name(key),
            }),
            Some(other) => {
                errs.push(malformed(&self.field_name(key), "an object", other));
                Field::Malformed
            }
        }
    }

    pub(crate) fn array(&self, key: &str, errs: &mut Vec<Violation>) -> Field<&'a [Value]> {
        match self.get(key) {
            None => Field::Absent,
            Some(Value::Array(a)) => Field::Present(a.as_slice()),
            Some(other) => {
                errs.push(malformed(&self.field_name(key), "an array", other));
                Field::Malformed
            }
        }
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// A serde_json error's message without its "at line L column C" suffix,
/// which callers report separately.
pub(crate) fn json_error_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&suffix) {
        Some(s) => s.to_owned(),
        None => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_types_are_reported_once_with_the_path() {
        let v = json!({"a": 1, "b": {"c": true}, "d": null, "n": "12", "f": 1.5});
        let Value::Object(m) = &v else { unreachable!() };
        let o = Obj::new(m);
        let mut errs = Vec::new();
        assert_eq!(o.str("a", &mut errs), Field::Malformed);
        assert_eq!(o.str("d", &mut errs), Field::Absent);
        assert_eq!(o.str("zz", &mut errs), Field::Absent);
        assert_eq!(o.integer("n", &mut errs), Field::Present(12));
        assert_eq!(o.integer("f", &mut errs), Field::Malformed);
        let Field::Present(b) = o.object("b", &mut errs) else {
            unreachable!()
        };
        assert_eq!(b.str("c", &mut errs), Field::Malformed);
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "f", "b.c"]);
        assert!(errs.iter().all(|e| e.code == "record_malformed"));
    }

    #[test]
    fn json_error_message_drops_the_position() {
        let e = serde_json::from_str::<Value>("[1,").unwrap_err();
        assert!(!json_error_message(&e).contains("line"), "{e}");
    }
}
