//! Detecting suspected unauthorized use (R5.7) and telling the agency's
//! security contacts through the outbox, within the minute:
//!
//! * a lockout storm: three or more accounts locked within ten minutes;
//! * a terminated user's token presented again;
//! * an audit log that fails verification (checked by the serve loop).
//!
//! Each signal is raised once per window (its dedupe key), audited in the
//! agency's log, and never blocks the request that tripped it.

use crate::app::AppState;
use secrecy::SecretString;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::{AgencyId, TenantScope};
use sightline_store::UserStatus;
use time::Duration;

pub const STORM_LOCKOUTS: i64 = 3;
pub const STORM_WINDOW: Duration = Duration::minutes(10);

async fn raise(
    state: &AppState,
    agency: AgencyId,
    kind: &str,
    key: &str,
    detail: &str,
) -> anyhow::Result<()> {
    let now = state.now();
    if state
        .store()
        .incidents()
        .raise(agency, kind, key, detail, now)
        .await?
    {
        state.notifier().wake.notify_one();
        state
            .store()
            .ledger()
            .append(
                EntryDraft::new(
                    TenantScope::Agency(agency),
                    Actor::System,
                    "incident.raised",
                    Outcome::Success,
                )
                .field("kind", kind)
                .field("detail", detail),
            )
            .await
            .map_err(|e| e.0)?;
    }
    Ok(())
}

fn log_failure(result: anyhow::Result<()>) {
    if let Err(e) = result {
        tracing::error!(error = ?e, "raising an incident failed");
    }
}

/// Logs a lockout in the account's log and checks for a lockout storm.
pub async fn record_lockout(
    state: &AppState,
    scope: TenantScope,
    actor: Actor,
) -> Result<(), sightline_store::LedgerError> {
    state
        .store()
        .ledger()
        .append(EntryDraft::new(
            scope,
            actor,
            "auth.lockout",
            Outcome::Success,
        ))
        .await?;
    after_lockout(state, scope.agency()).await;
    Ok(())
}

/// Call after an account of `agency` was locked.
async fn after_lockout(state: &AppState, agency: Option<AgencyId>) {
    let Some(agency) = agency else { return };
    let result = async {
        let now = state.now();
        let n = state
            .store()
            .incidents()
            .count_actions(agency, "auth.lockout", now - STORM_WINDOW)
            .await?;
        if n >= STORM_LOCKOUTS {
            let bucket = now
                .unix_timestamp()
                .div_euclid(STORM_WINDOW.whole_seconds());
            let detail =
                format!("{n} accounts were locked after repeated failed logons within 10 minutes.");
            raise(
                state,
                agency,
                "lockout_storm",
                &format!("lockout_storm:{agency}:{bucket}"),
                &detail,
            )
            .await?;
        }
        Ok(())
    }
    .await;
    log_failure(result);
}

/// Call when a token was refused: a terminated user's token is a signal.
pub async fn after_refused_token(state: &AppState, token: &SecretString) {
    let result = async {
        let Some(user) = state.store().sessions().owner_of(token).await? else {
            return Ok(());
        };
        let Some(u) = state.store().tenancy().user(user).await? else {
            return Ok(());
        };
        let (UserStatus::Terminated, Some(agency)) = (u.status, u.agency_id) else {
            return Ok(());
        };
        let hour = state.now().unix_timestamp().div_euclid(3600);
        let detail = format!(
            "A session token of terminated user '{}' was presented after termination.",
            u.username
        );
        raise(
            state,
            agency,
            "terminated_user_token",
            &format!("terminated_token:{}:{hour}", user.0),
            &detail,
        )
        .await
    }
    .await;
    log_failure(result);
}

/// Verifies every agency's audit log; a failure is an incident.
pub async fn verify_logs(state: &AppState) -> anyhow::Result<usize> {
    let mut failures = 0;
    for agency in state.store().tenancy().agencies().await? {
        if let Err(e) = state
            .store()
            .ledger()
            .verify(TenantScope::Agency(agency.id))
            .await?
        {
            failures += 1;
            let day = state.now().unix_timestamp().div_euclid(86_400);
            let detail = format!("The agency's audit log failed verification: {e}.");
            raise(
                state,
                agency.id,
                "audit_verification_failed",
                &format!("audit_verify:{}:{day}", agency.id),
                &detail,
            )
            .await?;
        }
    }
    Ok(failures)
}
