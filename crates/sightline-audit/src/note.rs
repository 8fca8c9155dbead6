//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 keys.
//!
//! A note is UTF-8 text ending in a newline, then a blank line, then one
//! line per signature: `— <key name> <base64(key id ‖ signature)>`. The key
//! id is the first four bytes of `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)`,
//! `0x01` naming Ed25519. A public key travels as a `vkey`:
//! `<name>+<key id, 8 hex digits>+<base64(0x01 ‖ public key)>`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

const ED25519: u8 = 0x01;
const SIG_PREFIX: &str = "\u{2014} ";

/// Why a note or key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("key name must be non-empty, without spaces or '+'")]
    KeyName,
    #[error("malformed verifier key (vkey)")]
    Vkey,
    #[error("note text must be non-empty and end with a newline")]
    Text,
    #[error("malformed signed note")]
    Malformed,
    #[error("the note carries no valid signature by {0}")]
    Unsigned(String),
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(NoteError::KeyName);
    }
    Ok(())
}

fn key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0x0a, ED25519]);
    h.update(public.as_bytes());
    let d: [u8; 32] = h.finalize().into();
    [d[0], d[1], d[2], d[3]]
}

/// A named Ed25519 signing key. The secret never leaves this value except
/// through [`NoteSigner::secret_bytes`], for wrapped storage.
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    pub fn new(name: &str, secret: &[u8; 32]) -> Result<Self, NoteError> {
        check_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key: SigningKey::from_bytes(secret),
        })
    }

    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// Signs `text` and returns the whole note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        if text.is_empty() || !text.ends_with('\n') {
            return Err(NoteError::Text);
        }
        let sig: Signature = self.key.sign(text.as_bytes());
        let mut blob = key_id(&self.name, &self.key.verifying_key()).to_vec();
        blob.extend_from_slice(&sig.to_bytes());
        Ok(format!(
            "{text}\n{SIG_PREFIX}{} {}\n",
            self.name,
            B64.encode(blob)
        ))
    }
}

/// A named Ed25519 public key that checks notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key: VerifyingKey,
}

impl NoteVerifier {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn from_public(name: &str, public: &[u8; 32]) -> Result<Self, NoteError> {
        check_name(name)?;
        let key = VerifyingKey::from_bytes(public).map_err(|_| NoteError::Vkey)?;
        Ok(Self {
            name: name.to_owned(),
            key,
        })
    }

    /// The `vkey` text form of this key.
    pub fn vkey(&self) -> String {
        let mut blob = vec![ED25519];
        blob.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(key_id(&self.name, &self.key)),
            B64.encode(blob)
        )
    }

    /// Parses a `vkey`, checking that its key id matches its key.
    pub fn from_vkey(vkey: &str) -> Result<Self, NoteError> {
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::Vkey);
        };
        let blob = B64.decode(key).map_err(|_| NoteError::Vkey)?;
        let Some((&ED25519, public)) = blob.split_first() else {
            return Err(NoteError::Vkey);
        };
        let public: [u8; 32] = public.try_into().map_err(|_| NoteError::Vkey)?;
        let v = Self::from_public(name, &public)?;
        if hex::encode(key_id(name, &v.key)) != id {
            return Err(NoteError::Vkey);
        }
        Ok(v)
    }

    /// Checks `note` and returns its text when this key signed it. Lines by
    /// other keys are ignored; a line by this key that does not verify is
    /// refused.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let split = note.rfind("\n\n").ok_or(NoteError::Malformed)?;
        let (text, sigs) = note.split_at(split + 1);
        let sigs = sigs.strip_prefix('\n').ok_or(NoteError::Malformed)?;
        if !sigs.ends_with('\n') {
            return Err(NoteError::Malformed);
        }
        let my_id = key_id(&self.name, &self.key);
        let mut verified = false;
        for line in sigs.lines() {
            let rest = line.strip_prefix(SIG_PREFIX).ok_or(NoteError::Malformed)?;
            let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed)?;
            let blob = B64.decode(b64).map_err(|_| NoteError::Malformed)?;
            let (id, sig) = blob.split_at_checked(4).ok_or(NoteError::Malformed)?;
            if name != self.name || id != my_id {
                continue;
            }
            let sig = Signature::from_slice(sig).map_err(|_| NoteError::Malformed)?;
            self.key
                .verify_strict(text.as_bytes(), &sig)
                .map_err(|_| NoteError::Unsigned(self.name.clone()))?;
            verified = true;
        }
        if verified {
            Ok(text)
        } else {
            Err(NoteError::Unsigned(self.name.clone()))
        }
    }
}

/// Fresh secret key material from the operating system.
pub fn generate_secret() -> Result<[u8; 32], getrandom::Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn signer() -> NoteSigner {
        NoteSigner::new("sightline/agency/1", &[7u8; 32]).unwrap()
    }

    #[test]
    fn signed_note_round_trips_and_rejects_tampering() {
        let s = signer();
        let note = s.sign("origin\n3\nabc=\n").unwrap();
        assert!(note.starts_with("origin\n3\nabc=\n\n\u{2014} sightline/agency/1 "));
        let v = s.verifier();
        assert_eq!(v.open(&note).unwrap(), "origin\n3\nabc=\n");
        assert!(v.open(&note.replace("\n3\n", "\n4\n")).is_err());
        let other = NoteSigner::new("sightline/agency/1", &[8u8; 32]).unwrap();
        assert_eq!(
            other.verifier().open(&note),
            Err(NoteError::Unsigned("sightline/agency/1".into()))
        );
        assert_eq!(s.sign("no newline"), Err(NoteError::Text));
    }

    #[test]
    fn vkey_round_trips_and_checks_its_id() {
        let v = signer().verifier();
        let vkey = v.vkey();
        assert!(vkey.starts_with("sightline/agency/1+"));
        assert_eq!(NoteVerifier::from_vkey(&vkey).unwrap(), v);
        let bad_id = vkey.replacen('+', "+0", 1).replacen("+0", "+", 1);
        assert_eq!(NoteVerifier::from_vkey(&bad_id).unwrap(), v);
        let mut parts: Vec<&str> = vkey.split('+').collect();
        parts[1] = "00000000";
        assert!(NoteVerifier::from_vkey(&parts.join("+")).is_err());
        assert!(NoteSigner::new("has space", &[1; 32]).is_err());
        assert!(NoteSigner::new("a+b", &[1; 32]).is_err());
    }

    #[test]
    fn go_sumdb_vector_verifies() {
        // From golang.org/x/mod/sumdb/note: the example key and note.
        let v = NoteVerifier::from_vkey(
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        )
        .unwrap();
        let note = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n\
                    \n\
                    \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        // Ed25519 is deterministic: the reference private key signs the
        // reference text to the very same note.
        let skey = B64
            .decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
            .unwrap();
        let secret: [u8; 32] = skey[1..].try_into().unwrap();
        let signer = NoteSigner::new("PeterNeumann", &secret).unwrap();
        assert_eq!(signer.verifier(), v);
        assert_eq!(
            signer
                .sign("If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n")
                .unwrap(),
            note
        );
        assert_eq!(
            v.open(note).unwrap(),
            "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
        );
    }
}
