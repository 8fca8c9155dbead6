//! The alert-list batch upload (R4.2): a CSV of
//! `plate,state,reason_code,note[,notify]` with an optional header row,
//! split into raw rows. Checking each row's values against the adder's
//! program and agency (reason codes, users, groups) is the server's part;
//! this is only the reading, so it can be tested and fuzzed without one.

use sightline_core::purpose::Violation;

/// One data row as written (cells trimmed), numbered from 1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertCsvRow {
    /// 1 = the first data row (a header row does not count).
    pub row: usize,
    pub plate: Option<String>,
    pub state: Option<String>,
    pub reason_code: Option<String>,
    pub note: Option<String>,
    /// The notify scope as written (`owner`, `agency`, `users`, `group`;
    /// empty when the column is absent).
    pub scope: String,
    /// `users:alice;bob`: the usernames.
    pub users: Vec<String>,
    /// `group:Case Team`: the group's name.
    pub group: Option<String>,
}

/// The file has more data rows than `max_rows`: how many were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertCsvTooLarge {
    pub rows: usize,
}

/// (notify scope, usernames, group name) from the optional fifth column:
/// `owner`, `agency`, `users:alice;bob` or `group:Case Team`.
fn split_notify(raw: &str) -> (String, Vec<String>, Option<String>) {
    match raw.split_once(':') {
        Some((scope, rest)) if scope.trim().eq_ignore_ascii_case("group") => (
            scope.trim().to_owned(),
            Vec::new(),
            Some(rest.trim().to_owned()),
        ),
        Some((scope, users)) => (
            scope.trim().to_owned(),
            users
                .split([';', ' '])
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect(),
            None,
        ),
        None => (raw.trim().to_owned(), Vec::new(), None),
    }
}

/// An upper bound on the data rows, counted before parsing: non-blank
/// lines, less a header line if the file starts with one.
fn count_rows(body: &[u8]) -> usize {
    let mut lines = body
        .split(|b| *b == b'\n')
        .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()));
    let header = lines.next().is_some_and(|first| {
        let first = String::from_utf8_lossy(first)
            .trim_start()
            .to_ascii_lowercase();
        first.starts_with("plate") || first.starts_with("\"plate")
    });
    lines.count() + usize::from(!header)
}

/// Splits an upload into its rows, in file order: each a row or, for a
/// line the CSV reader cannot read, a `row_malformed` violation on
/// `rows[N]`. A file with more than `max_rows` rows is refused before it
/// is parsed. Blank rows and a first row whose first cell is `plate` are
/// skipped.
pub fn alert_csv_rows(
    body: &[u8],
    max_rows: usize,
) -> Result<Vec<Result<AlertCsvRow, Violation>>, AlertCsvTooLarge> {
    let rows = count_rows(body);
    if rows > max_rows {
        return Err(AlertCsvTooLarge { rows });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body);
    let mut out = Vec::new();
    let mut row = 0_usize;
    for (i, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                row += 1;
                out.push(Err(Violation::new(
                    "row_malformed",
                    &format!("rows[{row}]"),
                    format!("row {row}: {e}"),
                )));
                continue;
            }
        };
        if i == 0
            && record
                .get(0)
                .is_some_and(|f| f.eq_ignore_ascii_case("plate"))
        {
            continue;
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        row += 1;
        if row > max_rows {
            return Err(AlertCsvTooLarge { rows: row });
        }
        let (scope, users, group) = split_notify(record.get(4).unwrap_or(""));
        let cell = |i: usize| record.get(i).map(str::to_owned);
        out.push(Ok(AlertCsvRow {
            row,
            plate: cell(0),
            state: cell(1),
            reason_code: cell(2),
            note: cell(3),
            scope,
            users,
            group,
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn rows_are_numbered_after_the_header_and_notify_is_split() {
        let body = b"plate,state,reason_code,note,notify\n\
            ABC123,WI,stolen_vehicle,Case 1,users:alice;bob\n\n\
            XYZ9,PA,amber_alert,\"Case, 2\",group: Case Team \n";
        let rows = alert_csv_rows(body, 10).unwrap();
        assert_eq!(rows.len(), 2);
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.row, 1);
        assert_eq!(first.plate.as_deref(), Some("ABC123"));
        assert_eq!(first.scope, "users");
        assert_eq!(first.users, ["alice", "bob"]);
        let second = rows[1].as_ref().unwrap();
        assert_eq!(second.row, 2);
        assert_eq!(second.note.as_deref(), Some("Case, 2"));
        assert_eq!(second.group.as_deref(), Some("Case Team"));
    }

    #[test]
    fn too_many_rows_are_refused_before_parsing() {
        let body = "A1,WI,r,n\n".repeat(4);
        assert_eq!(
            alert_csv_rows(body.as_bytes(), 3),
            Err(AlertCsvTooLarge { rows: 4 })
        );
        // A "plates" header is counted as a header but read as a row.
        let body = format!("plates,x\n{}", "A1,WI,r,n\n".repeat(3));
        assert_eq!(
            alert_csv_rows(body.as_bytes(), 3),
            Err(AlertCsvTooLarge { rows: 4 })
        );
    }

    #[test]
    fn an_unreadable_row_is_reported_and_reading_goes_on() {
        let rows = alert_csv_rows(b"A1,WI,r,n\n\xff\xfe,WI,r,n\nB2,PA,r,n\n", 10).unwrap();
        assert_eq!(rows.len(), 3);
        let bad = rows[1].as_ref().unwrap_err();
        assert_eq!(bad.code, "row_malformed");
        assert_eq!(bad.field, "rows[2]");
        assert_eq!(rows[2].as_ref().unwrap().row, 3);
    }
}
