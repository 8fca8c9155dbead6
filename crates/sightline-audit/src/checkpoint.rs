//! C2SP `tlog-checkpoint` bodies (<https://c2sp.org/tlog-checkpoint>): the
//! origin line, the tree size in decimal and the base64 tree head, each
//! ending in a newline. The ledger signs them as notes ([`crate::note`]).

use crate::hash::Digest;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

/// A tree head of one log at one size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Digest,
}

/// The checkpoint text is not a `tlog-checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed checkpoint: {0}")]
pub struct CheckpointError(&'static str);

/// The origin (and note key name) of a log: `sightline/agency/3`,
/// `sightline/operator`.
pub fn origin_of(log_id: &str) -> String {
    format!("sightline/{}", log_id.replace(':', "/"))
}

impl Checkpoint {
    /// The body to sign.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    /// Parses a body; extension lines after the root are allowed and ignored.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError("no final newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(CheckpointError("no origin"))?;
        let size_text = lines.next().ok_or(CheckpointError("no tree size"))?;
        let size: u64 = size_text
            .parse()
            .ok()
            .filter(|s: &u64| s.to_string() == size_text)
            .ok_or(CheckpointError("tree size is not a decimal number"))?;
        let root = lines
            .next()
            .and_then(|r| B64.decode(r).ok())
            .and_then(|r| Digest::try_from(r).ok())
            .ok_or(CheckpointError("root hash is not 32 bytes of base64"))?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn body_round_trips_and_refuses_junk() {
        let c = Checkpoint {
            origin: origin_of("agency:3"),
            size: 42,
            root: [9u8; 32],
        };
        let body = c.body();
        assert_eq!(
            body,
            "sightline/agency/3\n42\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n"
        );
        assert_eq!(Checkpoint::parse(&body).unwrap(), c);
        assert_eq!(Checkpoint::parse(&format!("{body}ext\n")).unwrap(), c);
        assert!(Checkpoint::parse(&body.replace("42", "042")).is_err());
        assert!(Checkpoint::parse(body.trim_end()).is_err());
        assert!(Checkpoint::parse("o\n1\nAAAA\n").is_err());
    }
}
