//! Small helpers for reading `Any` rows.

use anyhow::Context as _;
use sqlx::Row as _;
use sqlx::any::AnyRow;

pub fn i64_col(row: &AnyRow, col: &str) -> anyhow::Result<i64> {
    row.try_get::<i64, _>(col)
        .with_context(|| format!("reading column {col}"))
}

pub fn opt_i64_col(row: &AnyRow, col: &str) -> anyhow::Result<Option<i64>> {
    row.try_get::<Option<i64>, _>(col)
        .with_context(|| format!("reading column {col}"))
}

pub fn str_col(row: &AnyRow, col: &str) -> anyhow::Result<String> {
    row.try_get::<String, _>(col)
        .with_context(|| format!("reading column {col}"))
}

pub fn opt_str_col(row: &AnyRow, col: &str) -> anyhow::Result<Option<String>> {
    row.try_get::<Option<String>, _>(col)
        .with_context(|| format!("reading column {col}"))
}

pub fn f64_col(row: &AnyRow, col: &str) -> anyhow::Result<f64> {
    row.try_get::<f64, _>(col)
        .with_context(|| format!("reading column {col}"))
}
