//! Whole-body problems: the input as a whole could not be read, so no record
//! in it was looked at.

/// The input as a whole is unusable (not JSON at all, the wrong top-level
/// shape, an OpenALPR message that is not a read, a CSV header lacking
/// columns). Record-level problems are [`crate::RecordError`]s instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The bytes are not JSON.
    #[error("the body is not valid JSON: {message} (line {line}, column {column})")]
    NotJson {
        message: String,
        /// 1-based; 0 where the body ended early.
        line: usize,
        /// 1-based.
        column: usize,
    },
    /// Valid JSON of the wrong top-level shape.
    #[error("expected {expected}, found {found}")]
    Shape {
        expected: &'static str,
        found: String,
    },
    /// An OpenALPR body whose `data_type` is missing or unknown.
    #[error(
        "{}: this endpoint accepts the OpenALPR data types 'alpr_group' and 'alpr_results'",
        match found { Some(t) => format!("'{t}' is not an OpenALPR data type"), None => "the body has no string 'data_type'".to_owned() }
    )]
    UnknownDataType { found: Option<String> },
    /// A well-known OpenALPR message that does not carry plate reads
    /// (`heartbeat`, `alpr_alert`, ...).
    #[error(
        "'{data_type}' messages are not plate reads and are not stored: send 'alpr_group' or 'alpr_results'"
    )]
    NotReads { data_type: String },
    /// The CSV header lacks required columns.
    #[error("the CSV header lacks the required column(s) {}; it must name {}", missing.join(", "), required.join(", "))]
    CsvColumnsMissing {
        missing: Vec<&'static str>,
        required: Vec<&'static str>,
    },
    /// A required CSV column appears twice, so it is ambiguous which to read.
    #[error("the CSV header names the column '{column}' more than once")]
    CsvColumnDuplicated { column: &'static str },
    /// The batch holds more records than one request may carry.
    #[error(
        "the batch holds more than {limit} records, the most one request may carry; nothing in it was stored: send it in batches of at most {limit}"
    )]
    TooManyRecords { limit: usize },
    /// The CSV header could not be read.
    #[error("the CSV header could not be read: {message}")]
    Csv {
        message: String,
        /// 1-based, where known.
        line: Option<u64>,
    },
}

impl BodyError {
    /// A stable, machine-readable code for the HTTP layer.
    pub fn code(&self) -> &'static str {
        match self {
            BodyError::NotJson { .. } => "body_not_json",
            BodyError::Shape { .. } => "body_shape_invalid",
            BodyError::UnknownDataType { .. } => "data_type_unknown",
            BodyError::NotReads { .. } => "data_type_not_reads",
            BodyError::CsvColumnsMissing { .. } => "csv_columns_missing",
            BodyError::CsvColumnDuplicated { .. } => "csv_column_duplicated",
            BodyError::Csv { .. } => "csv_unreadable",
            BodyError::TooManyRecords { .. } => "batch_too_many_records",
        }
    }

    /// The 1-based line of the problem, where known.
    pub fn line(&self) -> Option<u64> {
        match self {
            BodyError::NotJson { line, .. } => u64::try_from(*line).ok().filter(|l| *l > 0),
            BodyError::Csv { line, .. } => *line,
            BodyError::CsvColumnsMissing { .. } | BodyError::CsvColumnDuplicated { .. } => Some(1),
            BodyError::Shape { .. }
            | BodyError::UnknownDataType { .. }
            | BodyError::NotReads { .. }
            | BodyError::TooManyRecords { .. } => None,
        }
    }

    pub(crate) fn not_json(e: &serde_json::Error) -> Self {
        BodyError::NotJson {
            message: crate::json::json_error_message(e),
            line: e.line(),
            column: e.column(),
        }
    }
}
