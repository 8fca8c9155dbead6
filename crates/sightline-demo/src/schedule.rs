//! When reads happen: day buckets ending at `now`, how many reads each
//! holds, and the local time of day by source kind.

use crate::network::Cam;
use crate::prng::Rng;
use sightline_core::SourceKind;
use time::{Duration, OffsetDateTime, Weekday};

pub(crate) const DAY: i64 = 86_400;

/// Seconds between the start of bucket `k` (of `span`) and now: the oldest
/// a read in it can be.
pub(crate) fn start_age(span: usize, k: usize) -> i64 {
    i64::try_from(span.saturating_sub(k)).unwrap_or(i64::MAX / DAY) * DAY
}

/// The first instant at or after `start` whose local time of day (at UTC
/// offset `offset` seconds) is `local_tod`.
pub(crate) fn place(start: OffsetDateTime, offset: i64, local_tod: i64) -> OffsetDateTime {
    let (h, m, s) = start.to_hms();
    let start_tod = i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s);
    let target = (local_tod - offset).rem_euclid(DAY);
    start + Duration::seconds((target - start_tod).rem_euclid(DAY))
}

/// Local hour weights by source kind: tolls follow commutes, parking lots
/// business hours, repossession crews work at night, patrols all day.
pub(crate) fn time_of_day(kind: SourceKind, rng: &mut Rng) -> i64 {
    const TOLL: [f64; 24] = [
        1.0, 0.6, 0.4, 0.4, 0.8, 2.0, 5.0, 8.0, 8.0, 6.0, 5.0, 5.0, 5.0, 5.0, 6.0, 7.0, 8.0, 8.0,
        6.0, 4.0, 3.0, 2.5, 2.0, 1.5,
    ];
    const PARKING: [f64; 24] = [
        0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1.0, 3.0, 6.0, 7.0, 6.0, 6.0, 6.0, 6.0, 6.0, 5.0, 5.0, 5.0,
        4.0, 3.0, 2.0, 1.0, 0.6, 0.3,
    ];
    const REPO: [f64; 24] = [
        6.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 0.3, 0.3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.8, 1.0,
        1.5, 2.0, 3.0, 4.0, 5.0, 6.0,
    ];
    const POLICE: [f64; 24] = [
        2.0, 1.5, 1.0, 1.0, 1.0, 1.5, 3.0, 5.0, 5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0,
        4.0, 4.0, 3.5, 3.0, 2.5, 2.0,
    ];
    let weights = match kind {
        SourceKind::TollRoad => &TOLL,
        SourceKind::ParkingLot => &PARKING,
        SourceKind::Repossession => &REPO,
        SourceKind::LawEnforcement => &POLICE,
    };
    let x = rng.unit() * weights.iter().sum::<f64>();
    let mut acc = 0.0;
    let mut hour = 23;
    for (h, w) in weights.iter().enumerate() {
        acc += w;
        if x < acc {
            hour = h;
            break;
        }
    }
    i64::try_from(hour).unwrap_or(0) * 3600 + rng.range_i64(0, 3600)
}

/// Random reads per day bucket: more on weekdays and as the network grows,
/// none where no camera may keep a read that old.
pub(crate) fn bucket_counts(
    cams: &[Cam],
    now: OffsetDateTime,
    span: usize,
    total: usize,
) -> Vec<usize> {
    let weights: Vec<f64> = (0..span)
        .map(|k| {
            let age = start_age(span, k);
            let live = cams.iter().filter(|c| age <= c.retention_secs).count();
            if live == 0 {
                return 0.0;
            }
            let day = now - Duration::seconds(age);
            let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
            let growth = 0.6 + 0.4 * (k as f64 / span as f64);
            let share = live as f64 / cams.len().max(1) as f64;
            growth * if weekend { 0.8 } else { 1.0 } * (0.5 + 0.5 * share)
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; span];
    }
    let mut acc = 0.0;
    let mut given = 0usize;
    weights
        .iter()
        .map(|w| {
            acc += w;
            let upto = ((total as f64) * (acc / sum)).round() as usize;
            let upto = upto.min(total);
            let n = upto.saturating_sub(given);
            given += n;
            n
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn place_lands_on_the_local_time_within_a_day() {
        let start = datetime!(2026-03-01 15:30:00 UTC);
        // 07:45 in UTC-5 is 12:45 UTC: the next day's.
        let at = place(start, -5 * 3600, 7 * 3600 + 45 * 60);
        assert_eq!(at, datetime!(2026-03-02 12:45:00 UTC));
        // 18:00 in UTC-8 is 02:00 UTC.
        let at = place(start, -8 * 3600, 18 * 3600);
        assert_eq!(at, datetime!(2026-03-02 02:00:00 UTC));
        let at = place(start, 0, 15 * 3600 + 30 * 60);
        assert_eq!(at, start);
    }

    #[test]
    fn time_of_day_stays_in_a_day() {
        let mut rng = Rng::new(5);
        for kind in SourceKind::ALL {
            for _ in 0..1000 {
                assert!((0..DAY).contains(&time_of_day(kind, &mut rng)));
            }
        }
    }
}
