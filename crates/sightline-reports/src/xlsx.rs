//! Excel: header lines above a typed table with a frozen header row and
//! filters on every column; and the first sheet read back as text, for the
//! offline check of an audit export.

use crate::{Cell, Report};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

pub fn to_xlsx(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Report")?;
    let bold = Format::new().set_bold();
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    sheet.write_string_with_format(0, 0, &report.title, &bold)?;
    let mut row: u32 = 1;
    for (label, value) in &report.header {
        sheet.write_string_with_format(row, 0, label, &bold)?;
        sheet.write_string(row, 1, value)?;
        row += 1;
    }
    row += 1;
    let head = row;
    for (c, name) in report.columns.iter().enumerate() {
        let col = u16::try_from(c)?;
        sheet.write_string_with_format(head, col, name, &bold)?;
        sheet.set_column_width(col, 18)?;
    }
    for record in &report.rows {
        row += 1;
        for (c, cell) in record.iter().enumerate() {
            let col = u16::try_from(c)?;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(row, col, s)?;
                }
                Cell::Int(n) => {
                    #[allow(clippy::cast_precision_loss)] // Excel numbers are f64
                    sheet.write_number(row, col, *n as f64)?;
                }
                Cell::Time(t) => {
                    let dt = ExcelDateTime::from_ymd(
                        u16::try_from(t.year())?,
                        u8::from(t.month()),
                        t.day(),
                    )?
                    .and_hms(
                        u16::from(t.hour()),
                        t.minute(),
                        f64::from(t.second()),
                    )?;
                    sheet.write_datetime_with_format(row, col, &dt, &when)?;
                }
            }
        }
    }
    let last_col = u16::try_from(report.columns.len().saturating_sub(1))?;
    sheet.set_freeze_panes(head + 1, 0)?;
    sheet.autofilter(head, 0, row.max(head), last_col)?;
    if !report.appendix.is_empty() {
        let more = book.add_worksheet();
        more.set_name("Appendix")?;
        for (i, line) in report.appendix.iter().enumerate() {
            more.write_string(u32::try_from(i)?, 0, line)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

/// The first sheet of an .xlsx file as rows of text: numbers as written
/// (whole ones without a decimal point), dates and times as RFC 3339 UTC to
/// the second, which is what Excel keeps.
pub fn xlsx_rows(bytes: Vec<u8>) -> anyhow::Result<Vec<Vec<String>>> {
    use calamine::{Data, Reader as _, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| anyhow::anyhow!("reading the Excel file: {e}"))?;
    let sheet = book
        .worksheet_range_at(0)
        .ok_or_else(|| anyhow::anyhow!("the Excel file has no sheet"))?
        .map_err(|e| anyhow::anyhow!("reading its first sheet: {e}"))?;
    let text = |cell: &Data| match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        #[allow(clippy::cast_possible_truncation)] // whole, and well inside i64
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => (*f as i64).to_string(),
        Data::DateTime(d) => {
            // Days since 1899-12-30; 25,569 of them reach the Unix epoch.
            #[allow(clippy::cast_possible_truncation)]
            let secs = ((d.as_f64() - 25_569.0) * 86_400.0).round() as i64;
            time::OffsetDateTime::from_unix_timestamp(secs)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default()
        }
        other => other.to_string(),
    };
    Ok(sheet.rows().map(|r| r.iter().map(text).collect()).collect())
}
