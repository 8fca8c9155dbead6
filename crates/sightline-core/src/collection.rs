//! Jurisdiction collection policy (R1.3): whether reads may be collected in
//! a jurisdiction, and how long they may be kept. These are the defaults a
//! new deployment starts with; the operator can change them per deployment.

use crate::jurisdiction::Jurisdiction;
use serde::{Deserialize, Serialize};
use time::Duration;

/// The rule for reads collected in one jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionPolicy {
    pub jurisdiction: Jurisdiction,
    pub collection_allowed: bool,
    /// How long a read may be kept after capture.
    pub retention_secs: i64,
}

const DAY: i64 = 86_400;
/// Five years: the longest any jurisdiction lets reads be kept here.
pub const MAX_RETENTION_SECS: i64 = 1826 * DAY;

impl CollectionPolicy {
    pub fn retention(&self) -> Duration {
        Duration::seconds(self.retention_secs)
    }

    /// The default for `j`. Retention limits follow state law where one is
    /// known (New Hampshire 3 minutes, Maine and Virginia 21 days,
    /// Minnesota 60 days, Vermont 18 months); elsewhere five years.
    /// Arkansas restricts private LPR collection, so it is closed by default.
    /// Federal and diplomatic plates are not places, so nothing is collected
    /// "in" them.
    pub fn default_for(j: Jurisdiction) -> Self {
        let (allowed, retention_secs) = match j.code() {
            "NH" => (true, 3 * 60),
            "ME" | "VA" => (true, 21 * DAY),
            "MN" => (true, 60 * DAY),
            "VT" => (true, 548 * DAY),
            "AR" | "FED" | "DIP" => (false, 0),
            _ => (true, MAX_RETENTION_SECS),
        };
        Self {
            jurisdiction: j,
            collection_allowed: allowed,
            retention_secs,
        }
    }

    /// The defaults for every jurisdiction.
    pub fn defaults() -> Vec<Self> {
        Jurisdiction::all().map(Self::default_for).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_state_law() {
        let nh = CollectionPolicy::default_for(Jurisdiction::parse("NH").unwrap());
        assert_eq!(nh.retention(), Duration::minutes(3));
        let me = CollectionPolicy::default_for(Jurisdiction::parse("ME").unwrap());
        assert_eq!(me.retention(), Duration::days(21));
        let ar = CollectionPolicy::default_for(Jurisdiction::parse("AR").unwrap());
        assert!(!ar.collection_allowed);
        let pa = CollectionPolicy::default_for(Jurisdiction::parse("PA").unwrap());
        assert!(pa.collection_allowed);
        assert_eq!(pa.retention_secs, MAX_RETENTION_SECS);
        let open = CollectionPolicy::defaults()
            .iter()
            .filter(|p| p.collection_allowed)
            .count();
        assert!(open >= 25);
    }
}
