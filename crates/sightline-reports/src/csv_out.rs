//! CSV: a header row, then one row per record.

use crate::Report;

pub fn to_csv(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&report.columns)?;
    for row in &report.rows {
        w.write_record(row.iter().map(|c| c.display()))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}
