//! The deployment's master key and the keys derived from it.
//!
//! The master key is at least 32 random bytes (64 hex digits or base64).
//! It is never used directly: HKDF-SHA256 derives one key per purpose
//! (audit signing keys, audit field keys, the device secret, TOTP secrets,
//! outbox mail, agent credentials, the key check), and each secret at rest is
//! sealed with AES-256-GCM under its purpose's key. The row it belongs to
//! (a log id, a user id, a dedupe key) is bound in as associated data, so a
//! sealed value moved to another row, altered, or opened under another
//! master key is refused by the tag instead of yielding garbage.
//!
//! A sealed value is text: `aead1:` then base64 of nonce ‖ ciphertext ‖ tag.
//! Keys kept in tables with a `wrapping` column record [`WRAP_MODE`] there.

use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{anyhow, bail};
use base64::Engine as _;
use hkdf::Hkdf;
use secrecy::{ExposeSecret as _, SecretSlice, SecretString};
use sha2::Sha256;

/// The wrapping recorded for a key sealed by this module.
pub const WRAP_MODE: &str = "aes256gcm-hkdf-v1";
/// Old wrapping: SHA-256 keystream XOR under the raw master key text.
pub const LEGACY_XOR: &str = "sha256-xor-v1";
/// Old "wrapping" of a deployment started without a master key.
pub const UNWRAPPED: &str = "none";
const PREFIX: &str = "aead1:";
const HKDF_SALT: &[u8] = b"sightline-master-key-v1";

/// How to make a key, said wherever one is refused.
pub const KEY_HELP: &str = "set SIGHTLINE_AUDIT_MASTER_KEY (or `audit_master_key` in the settings \
     file) to at least 32 random bytes written as 64 hex digits or base64: make one with \
     `sightline keygen` (or `openssl rand -hex 32`), and keep it out of the database's backups";

/// What a key derived from the master key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    AuditSigningKey,
    FieldKey,
    DeviceSecret,
    Totp,
    Outbox,
    AgentCredential,
    KeyCheck,
    /// Keyed digests in the oversight index (plate, case reference): equal
    /// values compare equal, and nothing reads back from them.
    OversightDigest,
}

impl Purpose {
    fn info(self) -> &'static str {
        match self {
            Self::AuditSigningKey => "sightline/wrap/audit-signing-key/v1",
            Self::FieldKey => "sightline/wrap/audit-field-key/v1",
            Self::DeviceSecret => "sightline/wrap/device-secret/v1",
            Self::Totp => "sightline/seal/totp-secret/v1",
            Self::Outbox => "sightline/seal/outbox-mail/v1",
            Self::AgentCredential => "sightline/seal/agent-credential/v1",
            Self::KeyCheck => "sightline/key-check/v1",
            Self::OversightDigest => "sightline/digest/oversight/v1",
        }
    }
}

/// Decodes and checks a master key: 64+ hex digits or base64 of 32+ bytes,
/// with no obvious lack of randomness.
pub fn parse_master_key(text: &str) -> anyhow::Result<Vec<u8>> {
    let t = text.trim();
    if t.is_empty() {
        bail!("no master key is configured: {KEY_HELP}");
    }
    let bytes = if t.len().is_multiple_of(2) && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(t).ok()
    } else {
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|e| e.decode(t).ok())
    };
    let Some(bytes) = bytes else {
        bail!("the master key is neither hex nor base64: {KEY_HELP}");
    };
    if bytes.len() < 32 {
        bail!(
            "the master key is {} bytes, fewer than 32: {KEY_HELP}",
            bytes.len()
        );
    }
    // 32 random bytes have about 30 distinct values; fewer than half the
    // length (at most 16) means a pattern, a repeated character or a word.
    let distinct = bytes
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if distinct < bytes.len().min(64) / 2 {
        bail!("the master key is not random enough ({distinct} distinct byte values): {KEY_HELP}");
    }
    Ok(bytes)
}

/// A fresh master key, as `sightline keygen` prints it: 64 hex digits.
pub fn generate_master_key() -> anyhow::Result<String> {
    Ok(hex::encode(random::<32>()?))
}

pub(crate) fn random<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| anyhow!("gathering randomness: {e}"))?;
    Ok(b)
}

/// The master key, ready to derive purpose keys and seal with them.
pub struct Keyring {
    master: SecretSlice<u8>,
    /// Raw text of the key the old XOR wrapping used, when it was not the
    /// current master key's text.
    legacy: Option<SecretString>,
    /// The current master key's text (old XOR rows may have used it).
    text: SecretString,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

impl Keyring {
    /// Checks and takes the configured master key (and the previous key, if
    /// old XOR-wrapped keys were made under another one).
    pub fn new(
        master: Option<&SecretString>,
        legacy: Option<&SecretString>,
    ) -> anyhow::Result<Self> {
        let Some(master) = master else {
            bail!("no master key is configured: {KEY_HELP}");
        };
        let bytes = parse_master_key(master.expose_secret())?;
        Ok(Self {
            master: SecretSlice::from(bytes),
            legacy: legacy.filter(|l| !l.expose_secret().is_empty()).cloned(),
            text: master.clone(),
        })
    }

    fn derive(&self, purpose: Purpose) -> anyhow::Result<Aes256Gcm> {
        let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), self.master.expose_secret());
        let mut okm = [0u8; 32];
        hk.expand(purpose.info().as_bytes(), &mut okm)
            .map_err(|e| anyhow!("deriving a key: {e}"))?;
        Aes256Gcm::new_from_slice(&okm).map_err(|e| anyhow!("{e}"))
    }

    /// HMAC-SHA256 of `value` under the purpose's derived key, bound to
    /// `context` (an agency), as hex: equal inputs give equal digests, and
    /// without the master key a digest cannot be tested against a guess.
    pub fn digest(&self, purpose: Purpose, context: &str, value: &str) -> anyhow::Result<String> {
        use hmac::{KeyInit as _, Mac as _};
        let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), self.master.expose_secret());
        let mut okm = [0u8; 32];
        hk.expand(purpose.info().as_bytes(), &mut okm)
            .map_err(|e| anyhow!("deriving a key: {e}"))?;
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&okm).map_err(|e| anyhow!("{e}"))?;
        mac.update(context.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    /// A value that identifies the master key without revealing it; stored
    /// once, compared at every start.
    pub fn check_value(&self) -> anyhow::Result<String> {
        let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), self.master.expose_secret());
        let mut okm = [0u8; 16];
        hk.expand(Purpose::KeyCheck.info().as_bytes(), &mut okm)
            .map_err(|e| anyhow!("deriving the key check: {e}"))?;
        Ok(hex::encode(okm))
    }

    /// Seals `plain` for the row named by `context`.
    pub fn seal(&self, purpose: Purpose, context: &str, plain: &[u8]) -> anyhow::Result<String> {
        let nonce = random::<12>()?;
        let aad = aad(purpose, context);
        let ct = self
            .derive(purpose)?
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|e| anyhow!("sealing: {e}"))?;
        let mut blob = nonce.to_vec();
        blob.extend(ct);
        Ok(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(blob)
        ))
    }

    /// Opens a value sealed by [`Keyring::seal`] for the same row.
    pub fn open(&self, purpose: Purpose, context: &str, sealed: &str) -> anyhow::Result<Vec<u8>> {
        let Some(b64) = sealed.strip_prefix(PREFIX) else {
            bail!("{context}: the stored value is not sealed");
        };
        let blob = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| anyhow!("{context}: the sealed value is not base64"))?;
        let (nonce, ct) = blob
            .split_at_checked(12)
            .ok_or_else(|| anyhow!("{context}: the sealed value is too short"))?;
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| anyhow!("bad nonce"))?;
        let aad = aad(purpose, context);
        self.derive(purpose)?
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| {
                anyhow!(
                    "{context}: the sealed value does not open (altered, or another master key)"
                )
            })
    }

    pub fn open_text(
        &self,
        purpose: Purpose,
        context: &str,
        sealed: &str,
    ) -> anyhow::Result<String> {
        String::from_utf8(self.open(purpose, context, sealed)?)
            .map_err(|_| anyhow!("{context}: the sealed value is not text"))
    }

    /// Wraps a 32-byte key.
    pub fn wrap_key(
        &self,
        purpose: Purpose,
        context: &str,
        key: &[u8; 32],
    ) -> anyhow::Result<String> {
        self.seal(purpose, context, key)
    }

    /// Unwraps a key wrapped by [`Keyring::wrap_key`].
    pub fn unwrap_key(
        &self,
        purpose: Purpose,
        context: &str,
        wrapped: &str,
    ) -> anyhow::Result<[u8; 32]> {
        self.open(purpose, context, wrapped)?
            .try_into()
            .map_err(|_| anyhow!("{context}: the wrapped key is not 32 bytes"))
    }

    /// The key texts an old `sha256-xor-v1` wrap may have used: the previous
    /// key if configured, then the current one.
    pub fn legacy_texts(&self) -> Vec<&[u8]> {
        let mut out: Vec<&[u8]> = Vec::new();
        if let Some(l) = &self.legacy {
            out.push(l.expose_secret().as_bytes());
        }
        out.push(self.text.expose_secret().as_bytes());
        out
    }
}

/// Whether a stored text is a sealed value (rather than a legacy clear one).
pub fn is_sealed(text: &str) -> bool {
    text.starts_with(PREFIX)
}

fn aad(purpose: Purpose, context: &str) -> Vec<u8> {
    let mut a = purpose.info().as_bytes().to_vec();
    a.push(0);
    a.extend_from_slice(context.as_bytes());
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        let key = SecretString::from(generate_master_key().unwrap());
        Keyring::new(Some(&key), None).unwrap()
    }

    #[test]
    fn weak_or_missing_master_keys_are_refused_with_how_to_make_one() {
        for bad in [
            "",
            "conformance master key",
            &"ab".repeat(16),
            &"0".repeat(64),
            &"abcd".repeat(16),
        ] {
            let err = Keyring::new(Some(&SecretString::from(bad)), None).unwrap_err();
            assert!(err.to_string().contains("sightline keygen"), "{bad}: {err}");
        }
        assert!(Keyring::new(None, None).is_err());
        let b64 = base64::engine::general_purpose::STANDARD.encode(random::<32>().unwrap());
        assert!(Keyring::new(Some(&SecretString::from(b64)), None).is_ok());
    }

    #[test]
    fn sealing_is_bound_to_purpose_row_and_key_and_detects_tampering() {
        let r = ring();
        let s = r
            .seal(Purpose::Totp, "user:1", b"JBSWY3DPEHPK3PXP")
            .unwrap();
        assert!(is_sealed(&s) && !s.contains("JBSWY3DP"));
        assert_eq!(
            r.open(Purpose::Totp, "user:1", &s).unwrap(),
            b"JBSWY3DPEHPK3PXP"
        );
        assert!(r.open(Purpose::Totp, "user:2", &s).is_err());
        assert!(r.open(Purpose::Outbox, "user:1", &s).is_err());
        assert!(ring().open(Purpose::Totp, "user:1", &s).is_err());
        // Flip one bit of the ciphertext: the tag refuses it.
        let mut blob = base64::engine::general_purpose::STANDARD
            .decode(s.strip_prefix(PREFIX).unwrap())
            .unwrap();
        blob[14] ^= 1;
        let altered = format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(blob)
        );
        assert!(r.open(Purpose::Totp, "user:1", &altered).is_err());
        assert_ne!(r.check_value().unwrap(), ring().check_value().unwrap());
    }
}
