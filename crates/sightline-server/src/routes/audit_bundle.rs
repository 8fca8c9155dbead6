//! The whole-log export an auditor verifies offline with `sightline audit
//! verify` (the auditor console's "Verify this log" page): the same
//! `sightline-audit-export/1` JSON Lines that `sightline audit export`
//! writes, for the caller's agency log. Like every export it is recorded
//! first (`audit.exported`, `whole_log: true`), then a checkpoint is signed
//! that covers that record, so the file always ends in a signed head.

use crate::app::AppState;
use crate::auth::ConsentedUser;
use crate::error::ApiError;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sightline_audit::{EntryDraft, Outcome, write_export};
use sightline_core::{Role, TenantScope};
use sightline_store::CheckpointError;

/// The agency's whole audit log with its signed checkpoints and proofs.
#[utoipa::path(get, path = "/api/v1/audit/log-export", tag = "audit",
    security(("session" = [])),
    responses((status = 200, description = "sightline-audit-export/1 JSON Lines", content_type = "application/x-ndjson"),
              (status = 403, body = crate::error::Problem)))]
pub async fn log_export(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Response, ApiError> {
    // Managers search their AOR only; the whole log is the auditor's.
    who.require(&[Role::Auditor])?;
    let scope = TenantScope::Agency(who.agency()?);
    let ledger = state.store().ledger();
    ledger
        .append(
            EntryDraft::new(who.scope(), who.actor(), "audit.exported", Outcome::Success)
                .session(who.session.id.as_str())
                .field("format", "sightline-audit-export/1")
                .field("whole_log", true),
        )
        .await?;
    match ledger.checkpoint(scope).await {
        Ok(_) => {}
        // Exported as stored, so that the offline verifier shows where.
        Err(CheckpointError::Inconsistent { reason, .. }) => {
            tracing::error!(reason, "audit checkpoint refused during a log export");
        }
        Err(CheckpointError::Other(e)) => return Err(ApiError::internal(e)),
    }
    let key = ledger.public_key(scope).await?;
    let entries = ledger.stored_entries(scope).await?;
    let notes: Vec<String> = ledger
        .checkpoints(scope)
        .await?
        .into_iter()
        .map(|c| c.note)
        .collect();
    let mut out = Vec::new();
    write_export(
        &scope.log_id(),
        key.name(),
        &key.vkey(),
        &entries,
        &notes,
        |line| -> anyhow::Result<()> {
            serde_json::to_writer(&mut out, line)?;
            out.push(b'\n');
            Ok(())
        },
    )?;
    let name = format!(
        "sightline-audit-log-{}.jsonl",
        scope.log_id().replace(':', "-")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    )
        .into_response())
}
