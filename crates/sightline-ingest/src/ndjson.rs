//! Native records as NDJSON: one JSON object per line.

use crate::json::json_error_message;
use crate::lean::Lean;
use crate::native::parse_record;
use crate::{BodyError, Parsed, Rejected, codes};
use sightline_core::purpose::Violation;
use time::OffsetDateTime;

/// Parses native records, one JSON object per line (`\n` or `\r\n`).
///
/// Never fails as a whole: a line that is not JSON is a
/// [`crate::RecordError`] (`record_malformed`) like any other bad record,
/// and the other lines are still parsed. Blank lines are skipped.
///
/// `index` is the 0-based physical line index, blank lines included, so a
/// record's line number is `index + 1` (also given as `line`).
pub fn parse_ndjson(body: &[u8], now: OffsetDateTime) -> Parsed {
    parse_ndjson_max(body, now, usize::MAX).unwrap_or_default()
}

/// Like [`parse_ndjson`], refusing a body of more than `max_records`
/// non-blank lines ([`BodyError::TooManyRecords`]) as soon as the line past
/// the limit is met. Each line is parsed keeping only the fields the format
/// reads (see the `lean` module) and dropped before the next.
pub fn parse_ndjson_max(
    body: &[u8],
    now: OffsetDateTime,
    max_records: usize,
) -> Result<Parsed, BodyError> {
    let mut parsed = Parsed::default();
    let mut records = 0;
    for (index, raw_line) in body.split(|b| *b == b'\n').enumerate() {
        let text = raw_line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        if records == max_records {
            return Err(BodyError::TooManyRecords { limit: max_records });
        }
        records += 1;
        let line = u64::try_from(index).ok().and_then(|i| i.checked_add(1));
        let outcome = match serde_json::from_slice::<Lean>(text) {
            Ok(Lean(value)) => parse_record(&value, now),
            Err(e) => Err(Rejected {
                source_read_id: None,
                violations: vec![
                    Violation::new(
                        codes::RECORD_MALFORMED,
                        "record",
                        format!(
                            "the line is not a JSON value: {} (column {})",
                            json_error_message(&e),
                            e.column()
                        ),
                    )
                    .accepting("one JSON object per line"),
                ],
            }),
        };
        parsed.push(index, line, outcome);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::tests::{NOW, good};
    use serde_json::json;

    #[test]
    fn a_garbage_line_in_the_middle_keeps_the_others() {
        let mut second = good();
        second["source_read_id"] = json!("second");
        let body = format!(
            "{}\r\n\n{{not json at all\n[1,2]\n   \n{}\n",
            good(),
            second
        );
        let parsed = parse_ndjson(body.as_bytes(), NOW);
        let kept: Vec<_> = parsed
            .records
            .iter()
            .map(|(i, r)| (*i, r.source_read_id.as_str()))
            .collect();
        assert_eq!(kept, [(0, "cam7-000123"), (5, "second")]);
        let errs: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.index, e.line, e.violations[0].code.as_str()))
            .collect();
        assert_eq!(
            errs,
            [
                (2, Some(3), "record_malformed"),
                (3, Some(4), "record_malformed")
            ]
        );
        assert!(
            parsed.errors[0].violations[0]
                .message
                .contains("not a JSON value")
        );
        assert!(parsed.errors[1].violations[0].message.contains("an array"));
    }

    #[test]
    fn invalid_utf8_and_empty_bodies() {
        let parsed = parse_ndjson(b"\xff\xfe\n", NOW);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parse_ndjson(b"", NOW), Parsed::default());
        assert_eq!(parse_ndjson(b"\n\n \r\n", NOW), Parsed::default());
    }

    #[test]
    fn a_record_error_keeps_its_line_and_id() {
        let mut bad = good();
        bad["state"] = json!("Narnia");
        let parsed = parse_ndjson(format!("{bad}").as_bytes(), NOW);
        assert_eq!(parsed.errors[0].index, 0);
        assert_eq!(parsed.errors[0].line, Some(1));
        assert_eq!(
            parsed.errors[0].source_read_id.as_deref(),
            Some("cam7-000123")
        );
        assert_eq!(parsed.errors[0].violations[0].code, "state_unknown");
    }
}
