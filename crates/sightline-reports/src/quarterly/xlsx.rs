//! The workbook: a Summary sheet (the cover's facts, the totals and the
//! checkpoint), then a sheet for the months and one per breakdown, each
//! with typed numbers, a frozen header row, filters and a native Excel bar
//! chart. Times are Excel datetimes on the agency's clocks; the zone is
//! named beside each and in the column headings.

use super::{QuarterlyReport, Tally, chart};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, ExcelDateTime, Format, Workbook, Worksheet,
};
use sightline_core::LocalTime;

const HEADINGS: [&str; 6] = [
    "Searches",
    "Positive hits",
    "Hit ratio",
    "Alert-list hits",
    "Notifications sent",
    "Alert entries added",
];

struct Formats {
    bold: Format,
    title: Format,
    when: Format,
    ratio: Format,
    head: Format,
    wrap: Format,
}

fn excel_time(t: &LocalTime) -> anyhow::Result<ExcelDateTime> {
    let a = t.at;
    Ok(
        ExcelDateTime::from_ymd(u16::try_from(a.year())?, u8::from(a.month()), a.day())?.and_hms(
            u16::from(a.hour()),
            a.minute(),
            f64::from(a.second()),
        )?,
    )
}

#[allow(clippy::cast_precision_loss)] // Excel numbers are f64; counts are far below 2^52
fn num(n: u64) -> f64 {
    n as f64
}

/// The six counts of `t` from column `col` of `row`.
fn write_counts(
    sheet: &mut Worksheet,
    f: &Formats,
    row: u32,
    col: u16,
    t: &Tally,
    bold: bool,
) -> anyhow::Result<()> {
    let plain = Format::new();
    let style = if bold { &f.bold } else { &plain };
    sheet.write_number_with_format(row, col, num(t.searches), style)?;
    sheet.write_number_with_format(row, col + 1, num(t.positive_hits), style)?;
    match t.hit_ratio() {
        Some(r) => sheet.write_number_with_format(row, col + 2, r, &f.ratio)?,
        None => sheet.write_string(row, col + 2, "")?,
    };
    sheet.write_number_with_format(row, col + 3, num(t.alert_hits), style)?;
    sheet.write_number_with_format(row, col + 4, num(t.notifications_sent), style)?;
    sheet.write_number_with_format(row, col + 5, num(t.alert_entries_added), style)?;
    Ok(())
}

/// A bar chart of searches, positive hits and alert-list hits for rows
/// `first..=last` of `sheet`, whose names are in column 0 and counts from
/// column `col`.
fn bar_chart(title: &str, sheet: &str, first: u32, last: u32, col: u16) -> Chart {
    let mut c = Chart::new(ChartType::Bar);
    c.title().set_name(title);
    for (i, (name, [r, g, b])) in chart::SERIES.iter().enumerate() {
        // Searches, positive hits, then alert-list hits (column + 3).
        let values_col = col + [0, 1, 3].get(i).copied().unwrap_or(0);
        let colour = (u32::from(*r) << 16) | (u32::from(*g) << 8) | u32::from(*b);
        c.add_series()
            .set_name(*name)
            .set_categories((sheet, first, 0, last, 0))
            .set_values((sheet, first, values_col, last, values_col))
            .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(colour)));
    }
    // Bars read top-down in the table's order.
    c.y_axis().set_reverse();
    c.x_axis().set_name("Count");
    c.set_width(640).set_height(360);
    c
}

fn sheet_name(title: &str) -> String {
    title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect()
}

fn summary(book: &mut Workbook, r: &QuarterlyReport, f: &Formats) -> anyhow::Result<()> {
    let zone = r.time_zone.as_str();
    let sheet = book.add_worksheet();
    sheet.set_name("Summary")?;
    sheet.set_column_width(0, 30)?;
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(2, 60)?;
    sheet.write_string_with_format(
        0,
        0,
        format!("Sightline quarterly report: {}, {}", r.agency, r.quarter),
        &f.title,
    )?;
    let mut row = 2;
    let head = |sheet: &mut Worksheet, row: u32, a: &str, b: &str, c: &str| -> anyhow::Result<()> {
        sheet.write_string_with_format(row, 0, a, &f.head)?;
        sheet.write_string_with_format(row, 1, b, &f.head)?;
        sheet.write_string_with_format(row, 2, c, &f.head)?;
        Ok(())
    };
    head(sheet, row, "This report", "Value", "Note")?;
    row += 1;
    let text = |sheet: &mut Worksheet,
                row: &mut u32,
                k: &str,
                v: &str,
                note: &str|
     -> anyhow::Result<()> {
        sheet.write_string_with_format(*row, 0, k, &f.bold)?;
        sheet.write_string(*row, 1, v)?;
        sheet.write_string_with_format(*row, 2, note, &f.wrap)?;
        *row += 1;
        Ok(())
    };
    let time = |sheet: &mut Worksheet,
                row: &mut u32,
                k: &str,
                t: &LocalTime,
                note: &str|
     -> anyhow::Result<()> {
        sheet.write_string_with_format(*row, 0, format!("{k} ({zone})"), &f.bold)?;
        sheet.write_datetime_with_format(*row, 1, &excel_time(t)?, &f.when)?;
        let label = t.zone_label();
        let note = if note.is_empty() {
            format!("{label}, {zone}")
        } else {
            format!("{label}, {zone}; {note}")
        };
        sheet.write_string_with_format(*row, 2, &note, &f.wrap)?;
        *row += 1;
        Ok(())
    };
    text(sheet, &mut row, "Agency", &r.agency, "")?;
    text(
        sheet,
        &mut row,
        "Quarter",
        &r.quarter.to_string(),
        &r.quarter.span(),
    )?;
    text(
        sheet,
        &mut row,
        "Time zone",
        zone,
        "every time in this workbook is on the agency's clocks",
    )?;
    time(sheet, &mut row, "Period start", &r.period_start, "")?;
    time(
        sheet,
        &mut row,
        "Period end",
        &r.period_end,
        "exclusive: the period ends just before",
    )?;
    text(
        sheet,
        &mut row,
        "Status",
        if r.complete {
            "complete"
        } else {
            "still running"
        },
        if r.complete {
            "the quarter had ended when this report was made"
        } else {
            "the figures count the quarter up to the time generated"
        },
    )?;
    time(sheet, &mut row, "Generated at", &r.generated_at, "")?;
    text(sheet, &mut row, "Generated by", &r.generated_by, "")?;
    text(sheet, &mut row, "Counts the actions of", &r.scope, "")?;

    row += 1;
    head(sheet, row, "Figure", "Value", "")?;
    row += 1;
    let t = &r.totals;
    for (k, v) in [
        ("Searches", t.searches),
        ("Positive hits", t.positive_hits),
        ("Alert-list hits", t.alert_hits),
        ("Notifications sent", t.notifications_sent),
        ("Alert-list entries added", t.alert_entries_added),
    ] {
        sheet.write_string_with_format(row, 0, k, &f.bold)?;
        sheet.write_number(row, 1, num(v))?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, "Hit ratio", &f.bold)?;
    match t.hit_ratio() {
        Some(v) => sheet.write_number_with_format(row, 1, v, &f.ratio)?,
        None => sheet.write_string(row, 1, "")?,
    };
    sheet.write_string_with_format(row, 2, "positive hits per search", &f.wrap)?;
    row += 1;
    sheet.write_string_with_format(row, 0, "Active alert-list entries", &f.bold)?;
    #[allow(clippy::cast_precision_loss)]
    sheet.write_number(row, 1, r.alert_list_size as f64)?;
    sheet.write_string_with_format(row, 2, "when this report was made", &f.wrap)?;
    row += 2;

    head(sheet, row, "Signed checkpoint", "Value", "")?;
    row += 1;
    text(sheet, &mut row, "Audit log", &r.log, "")?;
    text(
        sheet,
        &mut row,
        "Which entries",
        "",
        &r.checkpoint_coverage(),
    )?;
    if let Some(c) = &r.checkpoint {
        sheet.write_string_with_format(row, 0, "Tree size", &f.bold)?;
        sheet.write_number(row, 1, num(c.tree_size))?;
        row += 1;
        sheet.write_string_with_format(row, 0, "Period's last entry", &f.bold)?;
        sheet.write_number(row, 1, num(r.last_entry))?;
        row += 1;
        text(sheet, &mut row, "Root hash", &c.root_hash, "")?;
        time(sheet, &mut row, "Signed at", &c.signed_at, "")?;
        text(
            sheet,
            &mut row,
            "Signing key",
            &c.key_name,
            &format!("key id {}", c.key_id),
        )?;
        text(sheet, &mut row, "Public key (vkey)", &c.vkey, "")?;
        text(
            sheet,
            &mut row,
            "Signed note",
            &c.note,
            "save exactly, as the trusted checkpoint",
        )?;
    }
    for cmd in &r.verify_commands {
        text(sheet, &mut row, "Verify offline", cmd, "")?;
    }
    Ok(())
}

/// A table sheet: `column` names in column 0, the counts after any
/// `extra` columns, a total row if given, and a chart beside it.
fn table_sheet(
    book: &mut Workbook,
    f: &Formats,
    title: &str,
    column: &str,
    rows: &[(String, Tally)],
    start_times: Option<(&[LocalTime], &str)>,
    total: Option<&Tally>,
) -> anyhow::Result<()> {
    let name = sheet_name(title);
    let sheet = book.add_worksheet();
    sheet.set_name(&name)?;
    let mut col: u16 = 0;
    sheet.write_string_with_format(0, col, column, &f.head)?;
    sheet.set_column_width(col, 34)?;
    col += 1;
    if let Some((_, zone)) = start_times {
        sheet.write_string_with_format(0, col, format!("Starts ({zone})"), &f.head)?;
        sheet.set_column_width(col, 20)?;
        col += 1;
    }
    let counts_col = col;
    for h in HEADINGS {
        sheet.write_string_with_format(0, col, h, &f.head)?;
        sheet.set_column_width(col, 14)?;
        col += 1;
    }
    let last_col = col - 1;
    for (i, (label, t)) in rows.iter().enumerate() {
        let row = u32::try_from(i)? + 1;
        sheet.write_string(row, 0, label)?;
        if let Some(when) = start_times.and_then(|(ts, _)| ts.get(i)) {
            sheet.write_datetime_with_format(row, 1, &excel_time(when)?, &f.when)?;
        }
        write_counts(sheet, f, row, counts_col, t, false)?;
    }
    let last = u32::try_from(rows.len())?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last.max(1), last_col)?;
    if let Some(t) = total {
        let row = last + 1;
        sheet.write_string_with_format(row, 0, "The quarter", &f.bold)?;
        write_counts(sheet, f, row, counts_col, t, true)?;
    }
    if !rows.is_empty() {
        let charted = u32::try_from(rows.len().min(chart::CHART_ROWS))?;
        let chart_title = if rows.len() > chart::CHART_ROWS {
            format!("{title} (the {charted} with most searches)")
        } else {
            title.to_owned()
        };
        let c = bar_chart(&chart_title, &name, 1, charted, counts_col);
        sheet.insert_chart(1, last_col + 2, &c)?;
    }
    Ok(())
}

/// The report as an Excel workbook.
pub fn to_xlsx(report: &QuarterlyReport) -> anyhow::Result<Vec<u8>> {
    let f = Formats {
        bold: Format::new().set_bold(),
        title: Format::new().set_bold().set_font_size(14),
        when: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        ratio: Format::new().set_num_format("0.0%"),
        head: Format::new().set_bold().set_background_color(0x00E5_E7EB),
        wrap: Format::new().set_text_wrap(),
    };
    let mut book = Workbook::new();
    summary(&mut book, report, &f)?;
    table_sheet(
        &mut book,
        &f,
        "By month",
        "Month",
        &report.months,
        Some((&report.month_starts, &report.time_zone)),
        Some(&report.totals),
    )?;
    for b in &report.breakdowns {
        table_sheet(&mut book, &f, &b.title, &b.column, &b.rows, None, None)?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    #[test]
    fn the_workbook_is_written() {
        let bytes = to_xlsx(&sample::report(30)).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
