//! Query time frames (R3.3). A query without one is refused; every
//! time frame is closed at both ends once resolved against the clock.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// A time frame as a user states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TimeframeSpec {
    /// "The previous N days", counted back from the moment the query runs.
    PreviousDays { previous_days: u32 },
    /// Explicit bounds; `start` is inclusive and `end` exclusive.
    Between {
        #[serde(with = "time::serde::rfc3339")]
        start: OffsetDateTime,
        #[serde(with = "time::serde::rfc3339")]
        end: OffsetDateTime,
    },
}

/// A resolved time frame: `start < end`, both known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeframe {
    #[serde(with = "time::serde::rfc3339")]
    start: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    end: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeframeError {
    #[error("previous_days must be at least 1")]
    ZeroDays,
    #[error("previous_days is too large")]
    TooManyDays,
    #[error("the time frame must end after it starts")]
    EndNotAfterStart,
}

impl TimeframeSpec {
    /// Fixes the time frame against `now`.
    pub fn resolve(self, now: OffsetDateTime) -> Result<Timeframe, TimeframeError> {
        match self {
            TimeframeSpec::PreviousDays { previous_days } => {
                if previous_days == 0 {
                    return Err(TimeframeError::ZeroDays);
                }
                if previous_days > 36_600 {
                    return Err(TimeframeError::TooManyDays);
                }
                let start = now
                    .checked_sub(Duration::days(i64::from(previous_days)))
                    .ok_or(TimeframeError::TooManyDays)?;
                Timeframe::new(start, now)
            }
            TimeframeSpec::Between { start, end } => Timeframe::new(start, end),
        }
    }
}

impl Timeframe {
    pub fn new(start: OffsetDateTime, end: OffsetDateTime) -> Result<Self, TimeframeError> {
        if end <= start {
            return Err(TimeframeError::EndNotAfterStart);
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> OffsetDateTime {
        self.start
    }

    pub fn end(&self) -> OffsetDateTime {
        self.end
    }

    pub fn length(&self) -> Duration {
        self.end - self.start
    }

    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.start <= t && t < self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn previous_days_counts_back_from_now() {
        let now = datetime!(2026-11-21 12:00 UTC);
        let tf = TimeframeSpec::PreviousDays { previous_days: 60 }
            .resolve(now)
            .unwrap();
        assert_eq!(tf.end(), now);
        assert_eq!(tf.length(), Duration::days(60));
        assert!(tf.contains(datetime!(2026-10-01 0:00 UTC)));
        assert!(!tf.contains(now));
    }

    #[test]
    fn refuses_empty_and_inverted() {
        let now = datetime!(2026-11-21 12:00 UTC);
        assert_eq!(
            TimeframeSpec::PreviousDays { previous_days: 0 }.resolve(now),
            Err(TimeframeError::ZeroDays)
        );
        assert_eq!(
            Timeframe::new(now, now),
            Err(TimeframeError::EndNotAfterStart)
        );
    }

    #[test]
    fn parses_both_json_forms() {
        let a: TimeframeSpec = serde_json::from_str(r#"{"previous_days":60}"#).unwrap();
        assert_eq!(a, TimeframeSpec::PreviousDays { previous_days: 60 });
        let b: TimeframeSpec = serde_json::from_str(
            r#"{"start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert!(matches!(b, TimeframeSpec::Between { .. }));
    }
}
