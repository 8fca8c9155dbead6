//! The quarterly report (R5.5): an agency's use of Sightline over one
//! calendar quarter, for its auditors, managers and their critics, as PDF
//! and Excel. Plain data in ([`QuarterlyReport`], filled by the server's
//! builder from the audit log), bytes out; times arrive already on the
//! agency's clocks ([`LocalTime`]), so nothing here knows a time zone rule.
//!
//! The PDF ([`to_pdf`]) draws with the query report's primitives: page 1
//! is the cover (what, when, by whom, for whom, and the signed checkpoint
//! that covers the period with the command that verifies it offline);
//! page 2 the totals and the month-by-month trend; then each breakdown as
//! a bar chart and its table, tables running on over pages as needed.
//! The workbook ([`to_xlsx`]) holds the same facts with typed cells and a
//! native Excel chart per breakdown.

mod chart;
mod cover;
mod pdf;
mod table;
mod xlsx;

pub use pdf::to_pdf;
pub use xlsx::to_xlsx;

use sightline_core::{LocalTime, Quarter};

/// What was counted for one row (a user, an AOR, a month, the quarter).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Searches run (`query.run`, success).
    pub searches: u64,
    /// Searches that returned at least one read.
    pub positive_hits: u64,
    /// Camera reads that matched an alert-list entry.
    pub alert_hits: u64,
    pub notifications_sent: u64,
    /// Plates added to alert lists.
    pub alert_entries_added: u64,
}

impl Tally {
    /// Positive hits per search; `None` without searches.
    pub fn hit_ratio(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)] // counts far below 2^52
        (self.searches > 0).then(|| self.positive_hits as f64 / self.searches as f64)
    }

    /// `75.0 %`, or an en dash without searches.
    pub fn hit_ratio_text(&self) -> String {
        self.hit_ratio()
            .map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r * 100.0))
    }
}

/// One breakdown: rows in the order shown (most searches first).
#[derive(Debug, Clone)]
pub struct Breakdown {
    /// "By user".
    pub title: String,
    /// The first column's heading: "User".
    pub column: String,
    pub rows: Vec<(String, Tally)>,
}

/// The signed checkpoint printed on the cover.
#[derive(Debug, Clone)]
pub struct CheckpointFacts {
    pub tree_size: u64,
    /// The Merkle tree head, hex.
    pub root_hash: String,
    pub signed_at: LocalTime,
    /// The signing key's name and its C2SP key id (hex).
    pub key_name: String,
    pub key_id: String,
    /// The verifier key, `name+keyid+base64`.
    pub vkey: String,
    /// The whole C2SP signed note, to keep as a trusted checkpoint.
    pub note: String,
    /// Whether it holds every entry of the period.
    pub covers_period: bool,
}

/// Everything the report says.
#[derive(Debug, Clone)]
pub struct QuarterlyReport {
    pub agency: String,
    pub quarter: Quarter,
    /// The agency's IANA zone, e.g. `America/New_York`.
    pub time_zone: String,
    /// The period, `[start, end)`, on the agency's clocks.
    pub period_start: LocalTime,
    pub period_end: LocalTime,
    pub generated_at: LocalTime,
    /// Who or what made it: "a.auditor (auditor), web console".
    pub generated_by: String,
    /// Whose actions it counts: "The whole agency" or "AOR Philadelphia
    /// only (the users of that area of responsibility)".
    pub scope: String,
    /// Whether the quarter had ended when the report was made.
    pub complete: bool,
    /// The agency's audit log, e.g. `agency:1`.
    pub log: String,
    /// The log's last entry written before the period's end (0: none),
    /// or before the report was made while the quarter runs.
    pub last_entry: u64,
    pub checkpoint: Option<CheckpointFacts>,
    /// The offline check, one command per line.
    pub verify_commands: Vec<String>,
    pub totals: Tally,
    /// Active alert-list entries when the report was made.
    pub alert_list_size: i64,
    /// The quarter's three months: ("July 2026", counts).
    pub months: Vec<(String, Tally)>,
    /// When each month starts on the agency's clocks.
    pub month_starts: Vec<LocalTime>,
    pub breakdowns: Vec<Breakdown>,
}

impl QuarterlyReport {
    /// `sightline-quarterly-<slug>-2026Q3`, without the extension.
    pub fn file_stem(&self) -> String {
        let slug: String = self
            .agency
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let slug = slug
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        format!("sightline-quarterly-{slug}-{}", self.quarter)
    }

    /// In words: which entries the printed checkpoint covers.
    pub fn checkpoint_coverage(&self) -> String {
        let last = self.last_entry;
        match &self.checkpoint {
            None => {
                "The log has no signed checkpoint yet. One is signed within seconds of any entry; \
                     download the report again to have it."
                    .to_owned()
            }
            Some(c) if !self.complete => format!(
                "The quarter is still running, so this is the latest checkpoint: it covers entries 1 to {} \
                 of the log, signed {}. Entries written after it are not covered yet.",
                c.tree_size, c.signed_at
            ),
            Some(c) if c.covers_period && last == 0 => format!(
                "The period has no entries in the log. This is the log's first checkpoint: entries 1 to {}.",
                c.tree_size
            ),
            Some(c) if c.covers_period => format!(
                "The first signed checkpoint that includes every entry of the period: it covers entries 1 to {}, \
                 and the period's last entry is entry {last}.",
                c.tree_size
            ),
            Some(c) => format!(
                "No signed checkpoint covers the whole period yet. This is the latest: it covers entries 1 to {}, \
                 and the period runs to entry {last}.",
                c.tree_size
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! A report with enough rows to run tables over pages, for the tests
    //! of both renderings.
    use super::*;
    use sightline_core::AgencyZone;
    use time::macros::datetime;

    pub(crate) fn report(users: usize) -> QuarterlyReport {
        let zone = AgencyZone::parse("America/New_York").unwrap();
        let q = Quarter::parse("2026Q3").unwrap();
        let (from, to) = zone.bounds(q);
        let t = |s: u64, p: u64, a: u64| Tally {
            searches: s,
            positive_hits: p,
            alert_hits: a,
            notifications_sent: a,
            alert_entries_added: 1,
        };
        let rows: Vec<(String, Tally)> = (0..users)
            .map(|i| {
                let i = i as u64;
                (format!("user.{i:03}"), t(40 - i % 40, 20 - i % 20, i % 3))
            })
            .collect();
        QuarterlyReport {
            agency: "Demo Federal Agency".into(),
            quarter: q,
            time_zone: zone.name().into(),
            period_start: zone.local(from),
            period_end: zone.local(to),
            generated_at: zone.local(datetime!(2026-10-02 13:14:15.987654 UTC)),
            generated_by: "a.auditor (auditor), web console".into(),
            scope: "The whole agency".into(),
            complete: true,
            log: "agency:1".into(),
            last_entry: 812,
            checkpoint: Some(CheckpointFacts {
                tree_size: 815,
                root_hash: "ab".repeat(32),
                signed_at: zone.local(datetime!(2026-10-01 04:00:04 UTC)),
                key_name: "sightline-agency-1".into(),
                key_id: "1a2b3c4d".into(),
                vkey: "sightline-agency-1+1a2b3c4d+AXr1yH2N2d0kVWW3dT9Y0d0jvRl0m2Yx9cFqj4tX8b1k".into(),
                note: "sightline/agency:1\n815\nq83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=\n\n— sightline-agency-1 GiteTQ2Jc3Rb...\n".into(),
                covers_period: true,
            }),
            verify_commands: vec![
                "sightline audit verify sightline-audit-log-agency-1.jsonl --public-key sightline-agency-1.vkey \
                 --trusted-checkpoint sightline-agency-1-checkpoint-815.txt"
                    .into(),
            ],
            totals: t(120, 61, 4),
            alert_list_size: 17,
            months: q
                .months()
                .iter()
                .map(|(d, _, name)| (format!("{name} {}", d.year()), t(40, 20, 1)))
                .collect(),
            month_starts: q
                .months()
                .iter()
                .map(|(d, _, _)| zone.local(zone.start_of(*d)))
                .collect(),
            breakdowns: vec![
                Breakdown {
                    title: "By area of responsibility".into(),
                    column: "AOR".into(),
                    rows: vec![("Philadelphia".into(), t(80, 41, 3)), ("Chicago".into(), t(40, 20, 1))],
                },
                Breakdown {
                    title: "By program".into(),
                    column: "Program".into(),
                    rows: vec![("HSI".into(), t(100, 50, 4)), ("ERO".into(), t(20, 11, 0))],
                },
                Breakdown {
                    title: "By reason code".into(),
                    column: "Reason code".into(),
                    rows: Vec::new(),
                },
                Breakdown {
                    title: "By user".into(),
                    column: "User".into(),
                    rows,
                },
                Breakdown {
                    title: "By whom the search was for".into(),
                    column: "On behalf of".into(),
                    rows: vec![
                        ("(self)".into(), t(100, 50, 0)),
                        (
                            "Special Agent Maria Guadalupe Rivera-Montgomery of the Joint Task Force on Organised Retail Crime"
                                .into(),
                            t(20, 11, 0),
                        ),
                    ],
                },
            ],
        }
    }
}
