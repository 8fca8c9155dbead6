//! Page 1: what was asked, by whom, why, when it ran, where it is logged
//! (and the signed checkpoint that proves it), and every sighting on one
//! map.

use super::layout::{CONTENT_W, MARGIN, PAGE_W, SUMMARY_MAP};
use super::pages::Doc;
use super::paint::{INK, MUTED, Painter, RULE, Style, utc};
use super::text::Face;

const LABEL_W: f32 = 122.0;
const SIZE: f32 = 8.8;
const LEADING: f32 = 11.6;
/// The query block may not run into the map's caption.
const LAST_BASELINE: f32 = SUMMARY_MAP.y - 22.0;

fn short_hash(h: &str) -> String {
    match (h.get(..12), h.get(h.len().saturating_sub(12)..)) {
        (Some(a), Some(b)) if h.len() > 24 => format!("{a}…{b}"),
        _ => h.to_owned(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Doc {
    pub(crate) fn cover(&self, p: &mut Painter) {
        let h = &self.header;
        let n = self.reads.len();
        p.text_in(
            MARGIN,
            52.0,
            CONTENT_W - 150.0,
            Style::new(Face::Bold, 17.0, INK),
            "Sightline query report",
        );
        p.text_right(
            PAGE_W - MARGIN,
            52.0,
            Style::new(Face::Regular, 9.0, MUTED),
            &format!("Query {} · audit log {}", h.seq, h.log),
        );
        let span = match (self.reads.first(), self.reads.last()) {
            (Some(a), Some(b)) => {
                format!(" · {} to {} UTC", utc(a.captured_at), utc(b.captured_at))
            }
            _ => String::new(),
        };
        p.text_in(
            MARGIN,
            70.0,
            CONTENT_W,
            Style::new(Face::Regular, 10.5, INK),
            &format!(
                "Plate {} ({}) · {n} sighting{}{span}",
                h.plate,
                h.state,
                plural(n)
            ),
        );
        p.hline(MARGIN, PAGE_W - MARGIN, 79.0, RULE);

        let mut y = 97.0;
        p.text_in(
            MARGIN,
            y,
            CONTENT_W,
            Style::new(Face::Bold, 10.0, INK),
            "The query",
        );
        y += 15.0;
        let row = |p: &mut Painter, y: f32, label: &str, value: &str, lines: usize| {
            p.row(
                MARGIN, y, LABEL_W, CONTENT_W, SIZE, LEADING, lines, label, value,
            )
        };
        y = row(p, y, "Agency", &h.agency, 1);
        y = row(p, y, "Requested by", &h.user, 1);
        let behalf = h
            .on_behalf_of
            .clone()
            .unwrap_or_else(|| "the requester (self)".to_owned());
        y = row(p, y, "On behalf of", &behalf, 2);
        let reason = match &h.program {
            Some(prog) => format!("{} (program {prog})", h.reason_code),
            None => h.reason_code.clone(),
        };
        y = row(p, y, "Reason code", &reason, 1);
        y = row(p, y, "Case reference", &h.case_reference, 6);
        y = row(
            p,
            y,
            "Plate",
            &format!("{}, registered in {}", h.plate, h.state),
            1,
        );
        y = row(
            p,
            y,
            "Time frame (UTC)",
            &format!("{} to {}", utc(h.timeframe_start), utc(h.timeframe_end)),
            1,
        );
        y = row(p, y, "Query ran (UTC)", &utc(h.ran_at), 1);

        y += 6.0;
        p.text_in(
            MARGIN,
            y,
            CONTENT_W,
            Style::new(Face::Bold, 10.0, INK),
            "Audit reference",
        );
        y += 15.0;
        y = row(
            p,
            y,
            "Audit log entry",
            &format!(
                "log {}, sequence number {} (action query.run)",
                h.log, h.seq
            ),
            1,
        );
        let verify_at = |size: &str| {
            format!(
                "GET /api/v1/audit/proofs/inclusion?seq={}{size} and the log's public key (GET /api/v1/audit/public-key)",
                h.seq
            )
        };
        match &h.checkpoint {
            Some(c) => {
                let root = hex::encode(c.root_hash);
                y = row(
                    p,
                    y,
                    "Signed checkpoint",
                    &format!(
                        "tree size {}, signed {} UTC, covers entries 1 to {}; root {}",
                        c.tree_size,
                        utc(c.signed_at),
                        c.tree_size,
                        short_hash(&root)
                    ),
                    2,
                );
                y = p.mono_row(
                    MARGIN,
                    y,
                    LABEL_W,
                    CONTENT_W,
                    SIZE,
                    7.0,
                    LEADING,
                    "Root hash",
                    &root,
                );
                y = row(
                    p,
                    y,
                    "To verify",
                    &format!(
                        "An auditor of the agency checks that entry {} is in this checkpoint with {}; \
                         sightline audit verify checks a whole export offline.",
                        h.seq,
                        verify_at(&format!("&tree_size={}", c.tree_size))
                    ),
                    3,
                );
            }
            None => {
                y = row(
                    p,
                    y,
                    "Signed checkpoint",
                    &format!(
                        "Not yet covered: no signed checkpoint includes entry {} yet. \
                         One is signed within 10 seconds of any entry.",
                        h.seq
                    ),
                    2,
                );
                y = row(
                    p,
                    y,
                    "To verify later",
                    &format!(
                        "An auditor of the agency checks that entry {} is in the log's latest checkpoint with {}.",
                        h.seq,
                        verify_at("")
                    ),
                    3,
                );
            }
        }
        debug_assert!(y <= LAST_BASELINE + LEADING, "the query block ran to {y}");

        p.text_in(
            MARGIN,
            SUMMARY_MAP.y - 7.0,
            CONTENT_W,
            Style::new(Face::Bold, 9.5, INK),
            if n == 0 {
                "All sightings"
            } else {
                "All sightings, numbered in time order (1 = earliest); the table is on page 2"
            },
        );
        match &self.summary {
            Some(img) => p.image(SUMMARY_MAP, img),
            None if n == 0 => p.note_frame(
                SUMMARY_MAP,
                "No sightings of this plate in the query's time frame.",
            ),
            None => p.note_frame(SUMMARY_MAP, self.map_note()),
        }
        p.text_in(
            MARGIN,
            SUMMARY_MAP.bottom() + 10.0,
            CONTENT_W,
            Style::new(Face::Regular, 7.0, MUTED),
            &self.credit(),
        );
    }
}
