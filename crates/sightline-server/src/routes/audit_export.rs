//! Exports of an audit search (R5.3): JSON Lines, CSV, Excel and PDF. Each
//! is cut from a checkpoint signed at export time and carries it, with every
//! entry's leaf hash and, in JSON Lines, CSV and Excel, its inclusion proof,
//! so the export verifies offline with the agency's public key. The export
//! itself is audited before it is produced.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use crate::routes::audit_search::{SearchParams, audit_scope, filter_from, filters_json};
use crate::routes::session::rfc3339;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sightline_audit::{Entry, EntryDraft, Outcome};
use sightline_core::clock::from_micros;
use sightline_core::{TenantScope, Violation};
use sightline_reports::{Cell, Report};
use utoipa::IntoParams;

/// The most entries one export holds.
pub const MAX_EXPORT: usize = 50_000;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportParams {
    /// jsonl, csv, xlsx or pdf.
    pub format: Option<String>,
}

fn hexes(proof: &[[u8; 32]]) -> Vec<String> {
    proof.iter().map(hex_of).collect()
}

fn hex_of(d: &[u8; 32]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn actor_name(e: &Entry) -> String {
    match &e.actor {
        sightline_audit::Actor::User { username, .. } => username.clone(),
        sightline_audit::Actor::Claimant { username } => format!("{username} (unauthenticated)"),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_default(),
    }
}

/// Exports the entries a search finds, with the checkpoint they were cut from.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit",
    security(("session" = [])),
    params(ExportParams, SearchParams),
    responses((status = 200, description = "the export file", content_type = "application/octet-stream"),
              (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn export(
    State(state): State<AppState>,
    who: ConsentedUser,
    Query(format): Query<ExportParams>,
    Query(p): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let (agency, actors) = audit_scope(&state, &who).await?;
    let format = format
        .format
        .unwrap_or_else(|| "jsonl".into())
        .to_ascii_lowercase();
    if !["jsonl", "csv", "xlsx", "pdf"].contains(&format.as_str()) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new(
                "format_invalid",
                "format",
                format!("'{format}' is not an export format"),
            )
            .accepting("jsonl, csv, xlsx, pdf"),
        ));
    }
    let filter = filter_from(&state, Some(agency), actors, &p).await?;
    let scope = TenantScope::Agency(agency);
    let ledger = state.store().ledger();
    // The export is logged first, then a checkpoint is cut that covers it.
    ledger
        .append(
            EntryDraft::new(who.scope(), who.actor(), "audit.exported", Outcome::Success)
                .session(who.session.id.as_str())
                .field("format", format.as_str())
                .field("filters", filters_json(&p, &filter)),
        )
        .await?;
    ledger
        .checkpoint(scope)
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let checkpoint = ledger
        .latest_checkpoint(scope)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no checkpoint after signing")))?;
    let size = checkpoint.size;
    let vkey = ledger.public_key(scope).await?.vkey();
    let tree = ledger.leaves(scope, Some(size)).await?;
    let mut rows = state
        .store()
        .audit_search()
        .search(scope, &filter, MAX_EXPORT)
        .await?;
    rows.retain(|r| u64::try_from(r.entry.seq).is_ok_and(|s| s >= 1 && s <= size));
    rows.reverse();
    let proof_of = |seq: i64| {
        let index = u64::try_from(seq - 1).unwrap_or(0);
        tree.inclusion_proof(index, size)
            .map(|p| hexes(&p))
            .unwrap_or_default()
    };
    let root = hex_of(&checkpoint.root);
    let header = vec![
        ("Agency".to_owned(), agency.to_string()),
        (
            "Period".to_owned(),
            format!(
                "{} to {}",
                p.from.clone().unwrap_or_else(|| "the start".into()),
                p.to.clone().unwrap_or_else(|| "now".into())
            ),
        ),
        (
            "Filters".to_owned(),
            format!(
                "user={:?} plate={:?} state={:?} reason={:?} action={:?} outcome={:?} on_behalf_of={:?}",
                p.user,
                filter.plate,
                filter.state,
                p.reason_code,
                p.action,
                filter.outcome,
                p.on_behalf_of
            ),
        ),
        (
            "Generated by".to_owned(),
            format!("{} at {}", who.user.username, rfc3339(state.now())),
        ),
        (
            "Checkpoint".to_owned(),
            format!("tree size {size}, root {root}"),
        ),
        ("Public key".to_owned(), vkey.clone()),
    ];
    let (body, content_type, ext) = match format.as_str() {
        "jsonl" => {
            let mut out = serde_json::to_string(&json!({"type": "checkpoint", "note": checkpoint.note, "public_key": vkey, "tree_size": size}))
                .unwrap_or_default();
            out.push('\n');
            for r in &rows {
                // `canonical` is what the hashes cover (sensitive fields
                // sealed); `fields` is the same entry opened for reading.
                let line = json!({"type": "entry", "seq": r.entry.seq, "leaf_hash": r.leaf, "canonical": r.canonical,
                    "fields": r.entry.fields, "tree_size": size, "inclusion_proof": proof_of(r.entry.seq)});
                out.push_str(&line.to_string());
                out.push('\n');
            }
            (out.into_bytes(), "application/x-ndjson", "jsonl")
        }
        _ => {
            // The PDF is for reading: proofs go to an appendix, in full.
            let with_proofs = format != "pdf";
            let mut columns: Vec<String> = [
                "seq",
                "time",
                "user",
                "on behalf of",
                "action",
                "outcome",
                "plate",
                "state",
                "reason code",
                "case reference",
                "leaf hash",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
            if with_proofs {
                columns.push("inclusion proof".into());
            }
            let mut widths = vec![0.5, 1.6, 1.0, 1.0, 1.2, 0.7, 0.8, 0.5, 1.3, 2.0, 1.4];
            if with_proofs {
                widths.push(2.0);
            }
            let report_rows = rows
                .iter()
                .map(|r| {
                    let e = &r.entry;
                    let f = |k: &str| Cell::Text(e.field_str(k).unwrap_or_default().to_owned());
                    let mut row = vec![
                        Cell::Int(e.seq),
                        Cell::Time(from_micros(e.at)),
                        Cell::Text(actor_name(e)),
                        f("on_behalf_of"),
                        Cell::Text(e.action.clone()),
                        Cell::Text(e.outcome.as_str().to_owned()),
                        f("plate"),
                        f("state"),
                        f("reason_code"),
                        f("case_reference"),
                        Cell::Text(r.leaf.clone()),
                    ];
                    if with_proofs {
                        row.push(Cell::Text(proof_of(e.seq).join(" ")));
                    }
                    row
                })
                .collect();
            let mut header = header;
            header.push((
                "Signed checkpoint".into(),
                checkpoint.note.replace('\n', " | "),
            ));
            let appendix = if with_proofs {
                Vec::new()
            } else {
                let mut lines = vec![format!(
                    "Inclusion proofs against the checkpoint of tree size {size} (root {root}):"
                )];
                lines.extend(rows.iter().map(|r| {
                    format!(
                        "seq {} leaf {}: {}",
                        r.entry.seq,
                        r.leaf,
                        proof_of(r.entry.seq).join(" ")
                    )
                }));
                lines.push("Signed checkpoint:".into());
                lines.extend(checkpoint.note.lines().map(str::to_owned));
                lines
            };
            let report = Report {
                title: "Sightline audit log export".into(),
                header,
                columns,
                widths,
                rows: report_rows,
                appendix,
            };
            match format.as_str() {
                "csv" => {
                    let mut out = String::new();
                    for (k, v) in &report.header {
                        out.push_str(&format!("# {k}: {v}\n"));
                    }
                    let mut bytes = out.into_bytes();
                    bytes.extend(sightline_reports::to_csv(&report)?);
                    (bytes, "text/csv", "csv")
                }
                "xlsx" => (
                    sightline_reports::to_xlsx(&report)?,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                ),
                _ => (
                    sightline_reports::to_pdf(&report)?,
                    "application/pdf",
                    "pdf",
                ),
            }
        }
    };
    let disposition = format!("attachment; filename=\"sightline-audit-{agency}-{size}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
