//! What the service keeps of a username someone typed: a keyed hash, never
//! the text. People type passwords into the username field, and an
//! unkeyed hash of a name can be recomputed by anyone, so the key is the
//! deployment's secret and the purpose is part of the message. The same
//! key picks an account's recovery question, so an outsider cannot tell
//! a real account's question from a decoy by recomputing it.

use crate::app::AppState;
use crate::error::ApiError;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

/// HMAC-SHA256(deployment secret, purpose ‖ 0x00 ‖ the name as typed,
/// trimmed and lower-cased), hex.
pub async fn name_key(state: &AppState, purpose: &str, name: &str) -> Result<String, ApiError> {
    let secret = state.store().device_secret().secret(state.now()).await?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("hmac key: {e}")))?;
    mac.update(purpose.as_bytes());
    mac.update(&[0]);
    mac.update(name.trim().to_lowercase().as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// How an unknown name appears in the operator log: `unknown:` and the
/// first 12 hex digits of its key, enough to see repeated attempts.
pub fn claimant_label(key: &str) -> String {
    format!("unknown:{}", key.get(..12).unwrap_or(key))
}

/// A stable index in `0..choices` for `key`.
pub fn pick(key: &str, choices: usize) -> usize {
    usize::from_str_radix(key.get(..8).unwrap_or("0"), 16).unwrap_or(0) % choices.max(1)
}
