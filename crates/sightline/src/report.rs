//! `sightline report quarterly`: an agency's statistics for a calendar
//! quarter (R5.5), written as PDF and Excel for its managers and auditors.

use crate::serve::open_store;
use crate::settings::Settings;
use anyhow::{Context as _, anyhow};
use clap::Subcommand;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::TenantScope;
use sightline_core::clock::to_micros;
use sightline_reports::{Cell, Report};
use sightline_server::routes::{Counts, Statistics, compute_statistics};
use std::path::PathBuf;
use time::{Date, Month, Time};

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Statistics for a calendar quarter, as PDF and Excel.
    Quarterly {
        /// The agency, by name.
        #[arg(long)]
        agency: String,
        /// The quarter, e.g. 2026Q3.
        #[arg(long)]
        quarter: String,
        /// The directory to write into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

/// `2026Q3` → the first days of that quarter and the next.
pub fn quarter_bounds(q: &str) -> anyhow::Result<(Date, Date)> {
    let (year, n) = q
        .trim()
        .to_ascii_uppercase()
        .split_once('Q')
        .and_then(|(y, n)| Some((y.parse::<i32>().ok()?, n.parse::<u8>().ok()?)))
        .filter(|(_, n)| (1..=4).contains(n))
        .ok_or_else(|| anyhow!("a quarter looks like 2026Q3"))?;
    let month = |m: u8| Month::try_from(m).map_err(|e| anyhow!("{e}"));
    let start = Date::from_calendar_date(year, month(3 * n - 2)?, 1)?;
    let end = if n == 4 {
        Date::from_calendar_date(year + 1, Month::January, 1)?
    } else {
        Date::from_calendar_date(year, month(3 * n + 1)?, 1)?
    };
    Ok((start, end))
}

fn rows(stats: &Statistics) -> Vec<Vec<Cell>> {
    let line = |group: &str, key: &str, c: &Counts| {
        vec![
            Cell::Text(group.to_owned()),
            Cell::Text(key.to_owned()),
            Cell::Int(i64::try_from(c.searches).unwrap_or(i64::MAX)),
            Cell::Int(i64::try_from(c.positive_hits).unwrap_or(i64::MAX)),
            Cell::Text(format!("{:.1} %", c.hit_ratio * 100.0)),
            Cell::Int(i64::try_from(c.alert_hits).unwrap_or(i64::MAX)),
            Cell::Int(i64::try_from(c.notifications_sent).unwrap_or(i64::MAX)),
        ]
    };
    let mut out = vec![line("total", "", &stats.totals)];
    for (group, map) in [
        ("AOR", &stats.by_aor),
        ("program", &stats.by_program),
        ("reason code", &stats.by_reason_code),
        ("user", &stats.by_user),
        ("on behalf of", &stats.by_on_behalf_of),
    ] {
        out.extend(map.iter().map(|(k, c)| line(group, k, c)));
    }
    out
}

pub async fn run(settings: &Settings, cmd: ReportCommand) -> anyhow::Result<()> {
    let ReportCommand::Quarterly {
        agency,
        quarter,
        out,
    } = cmd;
    let store = open_store(settings).await?;
    let record = store
        .tenancy()
        .agency_by_name(&agency)
        .await?
        .ok_or_else(|| anyhow!("no agency named '{agency}'"))?;
    let (start, end) = quarter_bounds(&quarter)?;
    let from = to_micros(start.with_time(Time::MIDNIGHT).assume_utc());
    let to = to_micros(end.with_time(Time::MIDNIGHT).assume_utc());
    let now = store.clock.now();
    let stats = compute_statistics(&store, now, record.id, None, from, to).await?;
    let label = quarter.trim().to_ascii_uppercase();
    let report = Report {
        title: format!("Sightline quarterly statistics, {label}"),
        header: vec![
            ("Agency".into(), record.name.clone()),
            ("Period".into(), format!("{start} to {end} (end exclusive)")),
            (
                "Active alert-list entries".into(),
                stats.alert_list_size.to_string(),
            ),
            ("Generated".into(), now.to_string()),
        ],
        columns: [
            "breakdown",
            "name",
            "searches",
            "positive hits",
            "hit ratio",
            "alert hits",
            "notifications sent",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        widths: vec![1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.2],
        rows: rows(&stats),
        appendix: Vec::new(),
    };
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let base = out.join(format!("sightline-{}-{label}", record.id));
    let pdf = base.with_extension("pdf");
    let xlsx = base.with_extension("xlsx");
    std::fs::write(&pdf, sightline_reports::to_pdf(&report)?)
        .with_context(|| format!("writing {}", pdf.display()))?;
    std::fs::write(&xlsx, sightline_reports::to_xlsx(&report)?)
        .with_context(|| format!("writing {}", xlsx.display()))?;
    store
        .ledger()
        .append(
            EntryDraft::new(
                TenantScope::Agency(record.id),
                Actor::Console,
                "report.quarterly",
                Outcome::Success,
            )
            .field("quarter", label.as_str()),
        )
        .await
        .map_err(|e| e.0)?;
    println!("wrote {} and {}", pdf.display(), xlsx.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_have_calendar_bounds() {
        let (s, e) = quarter_bounds("2026q3").unwrap();
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2026-07-01".into(), "2026-10-01".into())
        );
        let (s, e) = quarter_bounds("2026Q4").unwrap();
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2026-10-01".into(), "2027-01-01".into())
        );
        assert!(quarter_bounds("2026Q5").is_err());
        assert!(quarter_bounds("Q1").is_err());
    }
}
