//! Reading an export file (JSON Lines) into a [`Verifier`]: what
//! `sightline audit verify` runs, kept here so it is tested and fuzzed
//! without the CLI.

use crate::export::{EXPORT_FORMAT, ExportLine};
use crate::offline::Verifier;
use std::io::BufRead;

/// Why an export could not be read (as opposed to read and found bad).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// `line` is 1-based.
    #[error("line {line} is not an audit export line: {source}")]
    NotALine {
        line: usize,
        source: serde_json::Error,
    },
    #[error("unsupported export format {0}")]
    Format(String),
}

/// Feeds every line of an export to `verifier`; then call
/// [`Verifier::finish`] for the verdict.
pub fn read_export(verifier: &mut Verifier<'_>, export: impl BufRead) -> Result<(), ReadError> {
    for (n, line) in export.lines().enumerate() {
        let line = line?;
        let parsed: ExportLine =
            serde_json::from_str(&line).map_err(|source| ReadError::NotALine {
                line: n + 1,
                source,
            })?;
        if let ExportLine::Header { format, .. } = &parsed
            && format != EXPORT_FORMAT
        {
            return Err(ReadError::Format(format.clone()));
        }
        verifier.line(parsed);
    }
    Ok(())
}
