//! CSV: a header row, then one row per record. A text cell that a
//! spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`,
//! a tab or a carriage return) is written with a leading `'`, so opening
//! an export never runs what someone typed into a note or a name.
//! Numbers and times are written as they are.

use crate::{Cell, Report};
use std::borrow::Cow;

/// `text` as a spreadsheet shows it, never as a formula.
pub fn inert(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

pub fn to_csv(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(report.columns.iter().map(|c| inert(c).into_owned()))?;
    for row in &report.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => inert(s).into_owned(),
            other => other.display(),
        }))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_written_inert_and_numbers_are_not_touched() {
        let report = Report {
            columns: vec!["note".into(), "n".into()],
            rows: vec![
                vec![Cell::Text("=HYPERLINK(\"http://x\")".into()), Cell::Int(-5)],
                vec![Cell::Text("@SUM(A1)".into()), Cell::Int(3)],
                vec![Cell::Text("+1".into()), Cell::Int(0)],
                vec![Cell::Text("plain - text".into()), Cell::Int(1)],
            ],
            ..Report::default()
        };
        let text = String::from_utf8(to_csv(&report).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://x\"\")\",-5");
        assert_eq!(lines[2], "'@SUM(A1),3");
        assert_eq!(lines[3], "'+1,0");
        assert_eq!(lines[4], "plain - text,1");
        assert_eq!(inert("-2 cars"), "'-2 cars");
        assert_eq!(inert("\tx"), "'\tx");
    }
}
