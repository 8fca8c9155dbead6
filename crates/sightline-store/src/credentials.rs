//! Password hashing (Argon2id) and random secret tokens.

use anyhow::anyhow;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

/// A PHC-format Argon2id hash string, safe to store.
pub type PasswordHash = String;

/// Argon2id with the OWASP-recommended floor: 19 MiB, 2 passes, 1 lane.
fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub fn hash_password(password: &SecretString) -> anyhow::Result<PasswordHash> {
    let hash = hasher()?
        .hash_password(password.expose_secret().as_bytes())
        .map_err(|e| anyhow!("hashing password: {e}"))?;
    Ok(hash.to_string())
}

/// Checks `password` against `hash`. With no stored hash (unknown user) a
/// fixed dummy hash is checked instead, so both cases cost the same time.
pub fn verify_password(password: &SecretString, hash: Option<&str>) -> bool {
    let Ok(h) = hasher() else { return false };
    let target = match hash {
        Some(h) => h,
        None => match dummy_hash() {
            Some(d) => d,
            None => return false,
        },
    };
    let ok = h
        .verify_password(password.expose_secret().as_bytes(), target)
        .is_ok();
    ok && hash.is_some()
}

/// A real Argon2id hash of a random password, made once per process, so that
/// an unknown username costs one full verification like a known one.
fn dummy_hash() -> Option<&'static str> {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let pw = new_secret_token("dummy_").ok()?;
            hash_password(&pw).ok()
        })
        .as_deref()
}

/// A new random secret: `prefix` + 32 random bytes, base64url. Returned once;
/// only its [`sha256_hex`] is stored.
pub fn new_secret_token(prefix: &str) -> anyhow::Result<SecretString> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("gathering randomness: {e}"))?;
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    Ok(SecretString::from(format!("{prefix}{body}")))
}

/// A short random identifier that is not a secret (session ids in the log).
pub fn new_public_id() -> anyhow::Result<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("gathering randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_unknown_users_fail() {
        let pw = SecretString::from("correct horse battery staple");
        let hash = hash_password(&pw).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&pw, Some(&hash)));
        assert!(!verify_password(&SecretString::from("wrong"), Some(&hash)));
        assert!(!verify_password(&pw, None));
    }

    #[test]
    fn tokens_are_random_and_prefixed() {
        let a = new_secret_token("slt_").unwrap();
        let b = new_secret_token("slt_").unwrap();
        assert!(a.expose_secret().starts_with("slt_"));
        assert_ne!(a.expose_secret(), b.expose_secret());
    }
}
