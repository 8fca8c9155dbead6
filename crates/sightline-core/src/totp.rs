//! TOTP (RFC 6238) with HMAC-SHA1, 30-second steps and 6 digits: what every
//! authenticator app accepts. Pure: the caller passes the time.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha1::Sha1;
use time::OffsetDateTime;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;

/// The code for the step that contains `at`.
pub fn code_at(secret: &[u8], at: OffsetDateTime) -> Option<String> {
    code_for_step(secret, at.unix_timestamp().div_euclid(STEP_SECS))
}

fn code_for_step(secret: &[u8], step: i64) -> Option<String> {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).ok()?;
    mac.update(&u64::try_from(step).ok()?.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // RFC 4226 §5.3 dynamic truncation.
    let offset = usize::from(digest.get(19)? & 0x0f);
    let bytes: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    let value = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    Some(format!("{:06}", value % 10u32.pow(DIGITS)))
}

/// Checks `code` against the current step and one step either side (clock
/// drift), returning the step it matched so callers can refuse its reuse.
pub fn verify(secret: &[u8], code: &str, at: OffsetDateTime) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = at.unix_timestamp().div_euclid(STEP_SECS);
    (now - 1..=now + 1).find(|step| code_for_step(secret, *step).as_deref() == Some(code))
}

pub fn encode_secret(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

pub fn decode_secret(b32: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(b32.as_bytes()).ok()
}

/// The `otpauth://` URI an authenticator app scans from a QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        encode_secret(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 Appendix B, SHA-1 rows (8 digits there; we use the last 6).
    #[test]
    fn rfc6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let at = OffsetDateTime::from_unix_timestamp(t).unwrap();
            assert_eq!(code_at(secret, at).unwrap(), eight[2..], "t={t}");
        }
    }

    #[test]
    fn verify_allows_one_step_of_drift_only() {
        let secret = b"12345678901234567890";
        let at = OffsetDateTime::from_unix_timestamp(1_234_567_890).unwrap();
        let code = code_at(secret, at).unwrap();
        assert!(verify(secret, &code, at + time::Duration::seconds(30)).is_some());
        assert!(verify(secret, &code, at + time::Duration::seconds(90)).is_none());
        assert!(verify(secret, "12345", at).is_none());
    }

    #[test]
    fn uri_and_base32_round_trip() {
        let secret = b"12345678901234567890";
        assert_eq!(decode_secret(&encode_secret(secret)).unwrap(), secret);
        let uri = otpauth_uri("Sightline", "hsi.jones", secret);
        assert!(uri.starts_with("otpauth://totp/Sightline:hsi.jones?secret=GEZDGNBV"));
    }
}
