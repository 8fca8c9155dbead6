//! The exports of an audit search (`GET /api/v1/audit/export`: JSON Lines,
//! CSV, Excel, and the JSON Lines attached to the PDF) and their offline
//! check. Each exported entry carries its canonical bytes, its leaf hash,
//! an inclusion proof against the signed checkpoint the export was cut
//! from, the values printed for reading and the openings of the sealed
//! ones ([`crate::commitment`]). [`verify_search_export`] proves, with
//! nothing but the log's public key, that every entry is in the signed log
//! and that every printed value is the one the log holds: an edited cell
//! fails by seq and column.

use crate::checkpoint::Checkpoint;
use crate::commitment;
use crate::entry::{Actor, Entry};
use crate::hash::leaf_hash;
use crate::merkle::verify_inclusion;
use crate::note::NoteVerifier;
use crate::offline::Failure;
use base64::Engine as _;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What a printed column shows of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Seq,
    Time,
    User,
    Action,
    Outcome,
    /// A field of the entry, as text ("" when absent).
    Field(&'static str),
}

/// The readable columns of the CSV, Excel and PDF exports, in order.
pub const READABLE_COLUMNS: [(&str, Column); 10] = [
    ("seq", Column::Seq),
    ("time", Column::Time),
    ("user", Column::User),
    ("on behalf of", Column::Field("on_behalf_of")),
    ("action", Column::Action),
    ("outcome", Column::Outcome),
    ("plate", Column::Field("plate")),
    ("state", Column::Field("state")),
    ("reason code", Column::Field("reason_code")),
    ("case reference", Column::Field("case_reference")),
];

/// The columns that make a CSV or Excel row checkable.
pub const CANONICAL_COLUMN: &str = "canonical entry";
pub const OPENINGS_COLUMN: &str = "openings";
pub const LEAF_COLUMN: &str = "leaf hash";
pub const PROOF_COLUMN: &str = "inclusion proof";
/// The CSV header line (after `# `) holding the checkpoint's signed note.
pub const NOTE_HEADER: &str = "Signed checkpoint (base64)";

/// Who acted, as the exports print it.
pub fn actor_name(actor: &Actor) -> String {
    match actor {
        Actor::User { username, .. } => username.clone(),
        Actor::Claimant { username } => format!("{username} (unauthenticated)"),
        Actor::Source { .. } => "source".into(),
        Actor::Console => "console".into(),
        Actor::System => "system".into(),
    }
}

/// An entry's time as the exports print it (RFC 3339, UTC).
pub fn time_text(at_micros: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_micros) * 1000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// What `column` prints of an entry (opened, for the export's reader).
pub fn readable(entry: &Entry, column: Column) -> String {
    match column {
        Column::Seq => entry.seq.to_string(),
        Column::Time => time_text(entry.at),
        Column::User => actor_name(&entry.actor),
        Column::Action => entry.action.clone(),
        Column::Outcome => entry.outcome.as_str().to_owned(),
        Column::Field(name) => entry.field_str(name).unwrap_or_default().to_owned(),
    }
}

/// A value the export printed for reading.
#[derive(Debug, Clone, PartialEq)]
pub enum Printed {
    /// A column of the CSV, Excel or PDF table.
    Column(Column, String),
    /// A field of the JSON Lines `fields` object, as JSON.
    Field(String, Value),
}

/// One entry of a search export as a verifier reads it back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportedEntry {
    pub seq: i64,
    pub leaf_hash: String,
    pub canonical: String,
    pub inclusion_proof: Vec<String>,
    pub printed: Vec<Printed>,
    /// Openings of the sealed values printed, by field name (base64).
    pub openings: BTreeMap<String, String>,
}

/// A whole search export: the signed checkpoint and the entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchExport {
    pub note: String,
    pub entries: Vec<ExportedEntry>,
}

/// What a clean search export proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchVerified {
    pub entries: usize,
    pub tree_size: u64,
    /// Printed values checked against the signed bytes (sealed ones
    /// through their commitments).
    pub values: usize,
    /// Sealed values that could not be checked, as (seq, field): entries
    /// written before commitments existed, or whose key was destroyed.
    pub unchecked: Vec<(i64, String)>,
}

/// Reads the JSON Lines form: a `checkpoint` line, then `entry` lines.
pub fn parse_jsonl(text: &str) -> Result<SearchExport, Failure> {
    let mut out = SearchExport::default();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(line)
            .map_err(|e| Failure::at(None, format!("line {}: not JSON: {e}", n + 1)))?;
        match v.get("type").and_then(Value::as_str) {
            Some("checkpoint") => out.note = str_of(&v, "note").to_owned(),
            Some("entry") => {
                let printed = v
                    .get("fields")
                    .and_then(Value::as_object)
                    .map(|f| {
                        f.iter()
                            .map(|(k, v)| Printed::Field(k.clone(), v.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                out.entries.push(ExportedEntry {
                    seq: v.get("seq").and_then(Value::as_i64).unwrap_or_default(),
                    leaf_hash: str_of(&v, "leaf_hash").to_owned(),
                    canonical: str_of(&v, "canonical").to_owned(),
                    inclusion_proof: strings(v.get("inclusion_proof")),
                    printed,
                    openings: string_map(v.get("openings")),
                });
            }
            _ => {
                return Err(Failure::at(
                    None,
                    format!("line {}: not a search export line", n + 1),
                ));
            }
        }
    }
    Ok(out)
}

/// Reads the CSV form: `# ` header lines (one holds the signed note), then
/// a header row and a row per entry.
pub fn parse_csv(text: &str) -> Result<SearchExport, Failure> {
    let mut out = SearchExport::default();
    let prefix = format!("# {NOTE_HEADER}: ");
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(b64) = line.strip_prefix(&prefix) {
            out.note = note_from_base64(b64)?;
        }
    }
    let body: String = text
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut reader = csv::ReaderBuilder::new().from_reader(body.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Failure::at(None, format!("the CSV header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(str::to_owned).collect::<Vec<_>>())
                .map_err(|e| Failure::at(None, format!("a CSV row: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.entries = from_table(&headers, &rows)?;
    Ok(out)
}

/// The signed note as the CSV and Excel forms carry it (base64).
pub fn note_from_base64(text: &str) -> Result<String, Failure> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| Failure::at(None, "the signed checkpoint is not base64"))?;
    String::from_utf8(bytes).map_err(|_| Failure::at(None, "the signed checkpoint is not text"))
}

/// Reads a spreadsheet's cells as text (the Excel form): the signed note
/// from the row labelled [`NOTE_HEADER`], then the table under the row of
/// column names.
pub fn parse_sheet(rows: &[Vec<String>]) -> Result<SearchExport, Failure> {
    let note = rows
        .iter()
        .find(|r| r.first().is_some_and(|c| c == NOTE_HEADER))
        .and_then(|r| r.get(1))
        .ok_or_else(|| Failure::at(None, format!("the sheet holds no \"{NOTE_HEADER}\" line")))?;
    let head = rows
        .iter()
        .position(|r| r.iter().any(|c| c == CANONICAL_COLUMN))
        .ok_or_else(|| {
            Failure::at(
                None,
                format!("the sheet has no \"{CANONICAL_COLUMN}\" column"),
            )
        })?;
    Ok(SearchExport {
        note: note_from_base64(note)?,
        entries: from_table(
            rows.get(head).map(Vec::as_slice).unwrap_or_default(),
            rows.get(head + 1..).unwrap_or_default(),
        )?,
    })
}

/// Entries from a table's header and rows (CSV, or an Excel sheet read
/// as text). Text a spreadsheet would run was written with a leading `'`.
pub fn from_table(headers: &[String], rows: &[Vec<String>]) -> Result<Vec<ExportedEntry>, Failure> {
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Failure::at(None, format!("the export has no \"{name}\" column")))
    };
    let (canonical, openings, leaf, proof) = (
        col(CANONICAL_COLUMN)?,
        col(OPENINGS_COLUMN)?,
        col(LEAF_COLUMN)?,
        col(PROOF_COLUMN)?,
    );
    let readable: Vec<(usize, Column)> = READABLE_COLUMNS
        .iter()
        .filter_map(|(name, c)| headers.iter().position(|h| h == name).map(|i| (i, *c)))
        .collect();
    rows.iter()
        .map(|row| {
            let cell = |i: usize| row.get(i).map(String::as_str).unwrap_or_default();
            let seq = readable
                .iter()
                .find(|(_, c)| *c == Column::Seq)
                .and_then(|(i, _)| cell(*i).parse().ok())
                .unwrap_or_default();
            let openings: Value = serde_json::from_str(cell(openings)).unwrap_or(Value::Null);
            Ok(ExportedEntry {
                seq,
                leaf_hash: cell(leaf).to_owned(),
                canonical: cell(canonical).to_owned(),
                inclusion_proof: cell(proof).split_whitespace().map(str::to_owned).collect(),
                printed: readable
                    .iter()
                    .map(|(i, c)| Printed::Column(*c, cell(*i).to_owned()))
                    .collect(),
                openings: string_map(Some(&openings)),
            })
        })
        .collect()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// How a printed value stands against the signed entry.
enum Check {
    Holds,
    Unchecked,
    Differs(String),
}

/// A spreadsheet-inert cell (`'=…`) back to what was written.
fn as_written(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

fn check_field(
    fields: &Map<String, Value>,
    openings: &BTreeMap<String, String>,
    name: &str,
    printed: &Value,
) -> Check {
    let signed = fields.get(name).filter(|v| !v.is_null());
    let Some(sealed) = signed.filter(|v| v.get("sealed").is_some()) else {
        let signed = signed.cloned().unwrap_or(Value::Null);
        // A table prints an absent or non-text field as "".
        let as_text = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_default();
        return match printed {
            Value::String(p) if !signed.is_string() && p.is_empty() => Check::Holds,
            Value::String(p) if signed.is_string() && as_written(p) == as_text(&signed) => {
                Check::Holds
            }
            p if *p == signed => Check::Holds,
            _ => Check::Differs(format!("the printed {name} is not the signed value")),
        };
    };
    let Some(commit) = sealed.get("commit").and_then(Value::as_str) else {
        return Check::Unchecked;
    };
    let Some(opening) = openings.get(name) else {
        // Printed empty with no opening: the value could not be opened
        // (its key was destroyed), so nothing is claimed.
        let empty = matches!(printed, Value::String(s) if s.is_empty())
            || printed.get("shredded").is_some();
        return if empty {
            Check::Unchecked
        } else {
            Check::Differs(format!(
                "{name} is printed but the export holds no opening for it"
            ))
        };
    };
    let Ok(opening) = base64::engine::general_purpose::STANDARD.decode(opening) else {
        return Check::Differs(format!("the opening of {name} is not base64"));
    };
    let candidates: Vec<Value> = match printed {
        Value::String(s) => vec![
            Value::String(s.clone()),
            Value::String(as_written(s).to_owned()),
        ],
        other => vec![other.clone()],
    };
    if candidates
        .iter()
        .any(|v| commitment::opens(&opening, v, commit))
    {
        Check::Holds
    } else {
        Check::Differs(format!(
            "the printed {name} is not the value the log sealed"
        ))
    }
}

fn check_printed(entry: &Entry, e: &ExportedEntry, p: &Printed) -> Check {
    match p {
        Printed::Field(name, value) => check_field(&entry.fields, &e.openings, name, value),
        Printed::Column(Column::Field(name), text) => check_field(
            &entry.fields,
            &e.openings,
            name,
            &Value::String(text.clone()),
        ),
        Printed::Column(Column::Time, text) => {
            // Excel keeps times to the second.
            let whole = entry.at.div_euclid(1_000_000) * 1_000_000;
            if *text == time_text(entry.at) || *text == time_text(whole) {
                Check::Holds
            } else {
                Check::Differs("the printed time is not the signed value".into())
            }
        }
        Printed::Column(column, text) => {
            if as_written(text) == readable(entry, *column) {
                Check::Holds
            } else {
                Check::Differs(
                    format!("the printed {column:?} is not the signed value").to_lowercase(),
                )
            }
        }
    }
}

/// Checks a search export against the log's public key: the checkpoint's
/// signature, each entry's bytes against its leaf hash and the leaf
/// against the signed root, and every printed value against the bytes.
pub fn verify_search_export(
    export: &SearchExport,
    key: &NoteVerifier,
) -> Result<SearchVerified, Failure> {
    let body = key
        .open(&export.note)
        .map_err(|e| Failure::at(None, format!("the checkpoint's signature: {e}")))?;
    let checkpoint = Checkpoint::parse(body)
        .map_err(|e| Failure::at(None, format!("the signed checkpoint: {e}")))?;
    let mut out = SearchVerified {
        entries: 0,
        tree_size: checkpoint.size,
        values: 0,
        unchecked: Vec::new(),
    };
    for e in &export.entries {
        let bad = |m: String| Failure::at(Some(e.seq), m);
        let leaf = leaf_hash(e.canonical.as_bytes());
        if hex::encode(leaf) != e.leaf_hash {
            return Err(bad("its bytes do not hash to its leaf hash".into()));
        }
        let entry: Entry = serde_json::from_str(&e.canonical)
            .map_err(|err| bad(format!("its bytes are not an audit entry: {err}")))?;
        if entry.seq != e.seq || entry.seq < 1 {
            return Err(bad(format!("its bytes are entry {}", entry.seq)));
        }
        let proof = e
            .inclusion_proof
            .iter()
            .map(|h| {
                hex::decode(h)
                    .ok()
                    .and_then(|v| <[u8; 32]>::try_from(v).ok())
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("its inclusion proof is not hex".into()))?;
        let index = u64::try_from(entry.seq - 1).unwrap_or(u64::MAX);
        if !verify_inclusion(index, checkpoint.size, &leaf, &proof, &checkpoint.root) {
            return Err(bad(format!(
                "it is not in the log signed at tree size {}",
                checkpoint.size
            )));
        }
        for p in &e.printed {
            match check_printed(&entry, e, p) {
                Check::Holds => out.values += 1,
                Check::Unchecked => out.unchecked.push((
                    e.seq,
                    match p {
                        Printed::Field(n, _) => n.clone(),
                        Printed::Column(Column::Field(n), _) => (*n).to_owned(),
                        Printed::Column(c, _) => format!("{c:?}"),
                    },
                )),
                Check::Differs(m) => return Err(bad(m)),
            }
        }
        out.entries += 1;
    }
    Ok(out)
}

#[cfg(test)]
#[path = "search_export_tests.rs"]
mod tests;
