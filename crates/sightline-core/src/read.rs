//! Plate reads: what a camera saw, where and when (R1.2).

use crate::geo::GeoPoint;
use crate::jurisdiction::Jurisdiction;
use crate::plate::Plate;
use crate::tenancy::SourceId;
use crate::text::read_text::{PlaceText, SourceReadId};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

/// The store's identifier for a read. Ids grow with ingest order, which is
/// what lets a logged query be replayed as of its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReadId(pub i64);

impl fmt::Display for ReadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A content address: the lower-case hex SHA-256 of a photo's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BlobId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a blob id is 64 lower-case hex characters")]
pub struct BadBlobId;

impl BlobId {
    pub fn parse(raw: &str) -> Result<Self, BadBlobId> {
        if raw.len() == 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(raw.to_owned()))
        } else {
            Err(BadBlobId)
        }
    }

    /// The id of content whose SHA-256 is `digest`.
    pub fn from_digest(digest: [u8; 32]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in digest {
            s.push(char::from(
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
            ));
            s.push(char::from(
                HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
            ));
        }
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BlobId {
    type Error = BadBlobId;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<BlobId> for String {
    fn from(b: BlobId) -> String {
        b.0
    }
}

/// A read as it enters the store: every field validated, photos already
/// stored as blobs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRead {
    pub source_id: SourceId,
    pub source_read_id: SourceReadId,
    /// Where it was collected: the source's jurisdiction, whose policy
    /// decides whether it may be kept and for how long.
    pub collected_in: Jurisdiction,
    pub plate: Plate,
    pub jurisdiction: Jurisdiction,
    pub captured_at: OffsetDateTime,
    pub location: GeoPoint,
    pub nearest_address: PlaceText,
    pub nearest_intersection: PlaceText,
    pub vehicle_photo: BlobId,
    pub plate_photo: BlobId,
    /// What the camera's own analysis said of the vehicle, where it said
    /// anything. Shown beside the photos to help confirm a read; never a
    /// search key (R3.1).
    pub vehicle: Option<VehicleAttributes>,
}

/// One guess of a camera's vehicle analysis: a name as the camera spelt it
/// (`toyota`, `silver-gray`), at most 64 characters, and its confidence in
/// percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VehicleGuess {
    pub name: String,
    pub confidence: f64,
}

impl VehicleGuess {
    /// A guess with a printable name of 1 to 64 characters and a confidence
    /// from 0 to 100; anything else is dropped, not stored.
    pub fn new(name: &str, confidence: f64) -> Option<Self> {
        let name = name.trim();
        let ok = !name.is_empty()
            && name.chars().count() <= 64
            && !name.chars().any(char::is_control)
            && (0.0..=100.0).contains(&confidence);
        ok.then(|| Self {
            name: name.to_owned(),
            confidence,
        })
    }
}

/// The vehicle attributes OpenALPR / Rekor agents report (their `vehicle`
/// object): each the camera's best guess. Stored with the read and returned
/// with it; no query can name them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VehicleAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub make: Option<VehicleGuess>,
    /// Make and model, e.g. `toyota_camry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<VehicleGuess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<VehicleGuess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_type: Option<VehicleGuess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<VehicleGuess>,
}

impl VehicleAttributes {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A read as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub id: ReadId,
    pub ingested_at: OffsetDateTime,
    pub read: NewRead,
}
