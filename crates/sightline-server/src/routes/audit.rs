//! The audit ledger's transparency endpoints: the latest signed checkpoint
//! of the caller's log, inclusion and consistency proofs over signed tree
//! sizes, and the log's public key. An agency's auditors and managers see
//! their agency's log; operator admins see the operator's log; nobody sees
//! another agency's (the log is chosen by who calls, never by a parameter).

use crate::app::AppState;
use crate::auth::{ConsentedUser, CurrentUser};
use crate::error::ApiError;
use crate::routes::session::rfc3339;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sightline_core::{Role, TenantScope, Violation};
use sightline_store::{Ledger, StoredCheckpoint};
use utoipa::{IntoParams, ToSchema};

/// The log the caller may inspect.
fn log_scope(who: &CurrentUser) -> Result<TenantScope, ApiError> {
    match who.user.role {
        Role::Auditor | Role::AgencyManager => Ok(TenantScope::Agency(who.agency()?)),
        Role::OperatorAdmin => Ok(TenantScope::Operator),
        Role::Investigator => Err(ApiError::forbidden()),
    }
}

fn params<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(p)| p).map_err(|r| {
        ApiError::field(
            StatusCode::BAD_REQUEST,
            Violation::new("invalid_query", "query", r.body_text())
                .accepting("non-negative whole numbers"),
        )
    })
}

fn no_checkpoint(size: u64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_checkpoint",
        format!("no signed checkpoint of tree size {size}; see GET /api/v1/audit/checkpoint"),
    )
}

async fn latest(ledger: &Ledger, scope: TenantScope) -> Result<StoredCheckpoint, ApiError> {
    ledger.latest_checkpoint(scope).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_checkpoint",
            "this log has no signed checkpoint yet; one is written within 10 seconds of an entry",
        )
    })
}

async fn signed(
    ledger: &Ledger,
    scope: TenantScope,
    size: Option<u64>,
) -> Result<StoredCheckpoint, ApiError> {
    match size {
        None => latest(ledger, scope).await,
        Some(s) => ledger
            .checkpoint_at(scope, s)
            .await?
            .ok_or_else(|| no_checkpoint(s)),
    }
}

fn hexes(proof: &[sightline_audit::Digest]) -> Vec<String> {
    proof.iter().map(hex::encode).collect()
}

/// A signed tree head of the caller's log.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointDto {
    pub log: String,
    pub tree_size: u64,
    /// The tree head, hex.
    pub root_hash: String,
    pub signed_at: String,
    /// The C2SP signed note (`tlog-checkpoint` body and Ed25519 signature).
    pub note: String,
}

/// The latest signed checkpoint of the caller's log.
#[utoipa::path(get, path = "/api/v1/audit/checkpoint", tag = "audit",
    security(("session" = [])),
    responses((status = 200, body = CheckpointDto), (status = 403, body = crate::error::Problem),
              (status = 404, description = "no checkpoint yet", body = crate::error::Problem)))]
pub async fn checkpoint(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<CheckpointDto>, ApiError> {
    let scope = log_scope(&who)?;
    let c = latest(&state.store().ledger(), scope).await?;
    Ok(Json(CheckpointDto {
        log: scope.log_id(),
        tree_size: c.size,
        root_hash: hex::encode(c.root),
        signed_at: rfc3339(c.at),
        note: c.note,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct InclusionParams {
    /// The entry's sequence number in the log (its first entry is 1).
    pub seq: u64,
    /// A signed tree size; default: the latest checkpoint.
    pub tree_size: Option<u64>,
}

/// The audit path of one entry in a signed tree (RFC 9162 §2.1.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionProofDto {
    pub seq: u64,
    pub leaf_index: u64,
    pub tree_size: u64,
    pub leaf_hash: String,
    pub root_hash: String,
    /// Sibling hashes from the leaf up, hex.
    pub proof: Vec<String>,
}

/// Proves that an entry is in a signed checkpoint of the caller's log.
#[utoipa::path(get, path = "/api/v1/audit/proofs/inclusion", tag = "audit",
    security(("session" = [])), params(InclusionParams),
    responses((status = 200, body = InclusionProofDto), (status = 403, body = crate::error::Problem),
              (status = 404, description = "no such checkpoint, or the entry is not in it", body = crate::error::Problem)))]
pub async fn inclusion(
    State(state): State<AppState>,
    who: ConsentedUser,
    q: Result<Query<InclusionParams>, QueryRejection>,
) -> Result<Json<InclusionProofDto>, ApiError> {
    let scope = log_scope(&who)?;
    let p = params(q)?;
    let ledger = state.store().ledger();
    let c = signed(&ledger, scope, p.tree_size).await?;
    let outside = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "entry_not_in_checkpoint",
            format!(
                "entry {} is not among the {} entries of that checkpoint",
                p.seq, c.size
            ),
        )
    };
    let index = p
        .seq
        .checked_sub(1)
        .filter(|i| *i < c.size)
        .ok_or_else(outside)?;
    let tree = ledger.leaves(scope, Some(c.size)).await?;
    let proof = tree.inclusion_proof(index, c.size).ok_or_else(outside)?;
    let leaf = tree.leaf(index).ok_or_else(outside)?;
    Ok(Json(InclusionProofDto {
        seq: p.seq,
        leaf_index: index,
        tree_size: c.size,
        leaf_hash: hex::encode(leaf),
        root_hash: hex::encode(c.root),
        proof: hexes(&proof),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsistencyParams {
    /// The older signed tree size.
    pub from: u64,
    /// The newer signed tree size; default: the latest checkpoint.
    pub to: Option<u64>,
}

/// Proof that one signed tree is a prefix of a later one (RFC 9162 §2.1.4).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProofDto {
    pub from: u64,
    pub to: u64,
    pub from_root: String,
    pub to_root: String,
    pub proof: Vec<String>,
}

/// Proves that the caller's log only grew between two signed checkpoints.
#[utoipa::path(get, path = "/api/v1/audit/proofs/consistency", tag = "audit",
    security(("session" = [])), params(ConsistencyParams),
    responses((status = 200, body = ConsistencyProofDto), (status = 403, body = crate::error::Problem),
              (status = 404, description = "no such checkpoint", body = crate::error::Problem),
              (status = 422, description = "from is after to", body = crate::error::Problem)))]
pub async fn consistency(
    State(state): State<AppState>,
    who: ConsentedUser,
    q: Result<Query<ConsistencyParams>, QueryRejection>,
) -> Result<Json<ConsistencyProofDto>, ApiError> {
    let scope = log_scope(&who)?;
    let p = params(q)?;
    let ledger = state.store().ledger();
    let new = signed(&ledger, scope, p.to).await?;
    let old = signed(&ledger, scope, Some(p.from)).await?;
    if old.size > new.size {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            Violation::new("invalid_range", "from", "from must not be after to")
                .accepting(format!("a signed tree size up to {}", new.size)),
        ));
    }
    let tree = ledger.leaves(scope, Some(new.size)).await?;
    let proof = tree
        .consistency_proof(old.size, new.size)
        .ok_or_else(|| no_checkpoint(new.size))?;
    Ok(Json(ConsistencyProofDto {
        from: old.size,
        to: new.size,
        from_root: hex::encode(old.root),
        to_root: hex::encode(new.root),
        proof: hexes(&proof),
    }))
}

/// The Ed25519 key that signs the caller's log's checkpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKeyDto {
    pub log: String,
    pub key_name: String,
    /// The C2SP signed-note verifier key: `name+keyid+base64(0x01‖key)`.
    pub vkey: String,
    pub algorithm: String,
    /// The raw 32-byte public key, base64.
    pub public_key: String,
}

/// The public key of the caller's log, for offline verification.
#[utoipa::path(get, path = "/api/v1/audit/public-key", tag = "audit",
    security(("session" = [])),
    responses((status = 200, body = PublicKeyDto), (status = 403, body = crate::error::Problem)))]
pub async fn public_key(
    State(state): State<AppState>,
    who: ConsentedUser,
) -> Result<Json<PublicKeyDto>, ApiError> {
    let scope = log_scope(&who)?;
    let key = state.store().ledger().public_key(scope).await?;
    Ok(Json(PublicKeyDto {
        log: scope.log_id(),
        key_name: key.name().to_owned(),
        vkey: key.vkey(),
        algorithm: "ed25519".into(),
        public_key: base64::engine::general_purpose::STANDARD.encode(key.public_key()),
    }))
}
