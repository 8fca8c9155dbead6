//! Fixed "story" plates that demos and tests can rely on, whatever the seed.
//!
//! * `ABC123` (PA): a Philadelphia commuter who works in Wilmington, DE.
//!   Seen on 25 days of the last 60 (mornings in Philadelphia, some evenings
//!   on Wilmington and Delaware Turnpike cameras), and about 36 times before
//!   that in Philadelphia, Wilmington, Newark NJ and Pittsburgh.
//! * `XYZ1234` (WI): a Milwaukee car, seen 12 times in the last 30 days
//!   (Milwaukee cameras and the Illinois Tollway) and 8 times before.
//!
//! Near misses, placed on purpose so that an exact-match query (R3.5) has
//! something to get wrong: `XYZ123` (WI), `XYZ12345` (WI) and `XYZ1234`
//! registered in **MN**, all seen at the same Milwaukee cameras and in
//! Minneapolis in the same weeks. A query for XYZ1234/WI must return none
//! of them. No generated plate starts with `ABC` or contains `XYZ`, so these
//! are the only plates that resemble the story plates.

use crate::network::Cam;
use crate::prng::Rng;
use crate::schedule::{DAY, place};
use crate::world::DemoWorld;
use sightline_core::{Jurisdiction, Plate, SourceKind};
use time::{Duration, OffsetDateTime};

/// `(plate, registration state)` of the story plates.
pub const STORY_PLATES: &[(&str, &str)] = &[("ABC123", "PA"), ("XYZ1234", "WI")];

/// `(plate, registration state)` of the deliberate near misses of XYZ1234/WI.
pub const NEAR_MISS_PLATES: &[(&str, &str)] =
    &[("XYZ123", "WI"), ("XYZ12345", "WI"), ("XYZ1234", "MN")];

/// One planned sighting of a story plate, before a camera is chosen.
#[derive(Debug, Clone)]
pub(crate) struct Sighting {
    pub plate: &'static str,
    pub state: &'static str,
    /// Metro name, as in `Metro::name`.
    pub metro: &'static str,
    /// Acceptable source kinds; any camera of these in the metro.
    pub kinds: &'static [SourceKind],
    /// Day counted back from `now`: the read lies in `(d-1, d]` days ago.
    pub days_ago: u32,
    /// Local time of day, in seconds after midnight.
    pub local_tod: i64,
}

/// Independent of the plan's seed: the story is the same in every data set.
const STORY_SEED: u64 = 0x00AB_C123_0000_1234;

const ANY: &[SourceKind] = &SourceKind::ALL;
const COMMUTE: &[SourceKind] = &[
    SourceKind::LawEnforcement,
    SourceKind::ParkingLot,
    SourceKind::TollRoad,
];
const TOLL: &[SourceKind] = &[SourceKind::TollRoad];

const ABC_RECENT_DAYS: &[u32] = &[
    1, 2, 3, 6, 7, 8, 9, 10, 13, 15, 16, 20, 22, 23, 27, 29, 30, 34, 36, 41, 43, 48, 50, 55, 57,
];

pub(crate) fn sightings() -> Vec<Sighting> {
    let mut rng = Rng::new(STORY_SEED);
    let mut out = Vec::new();
    let mut at = |plate, state, metro, kinds, days_ago, local_tod| {
        out.push(Sighting {
            plate,
            state,
            metro,
            kinds,
            days_ago,
            local_tod,
        });
    };
    let hm = |h: i64, m: i64| h * 3600 + m * 60;

    // ABC123 / PA: the commuter.
    for (i, &d) in ABC_RECENT_DAYS.iter().enumerate() {
        let morning = hm(7, 5) + rng.range_i64(0, 75 * 60);
        at("ABC123", "PA", "Philadelphia", COMMUTE, d, morning);
        if i % 2 == 0 {
            let evening = hm(17, 0) + rng.range_i64(0, 90 * 60);
            at("ABC123", "PA", "Wilmington", COMMUTE, d, evening);
        }
    }
    for _ in 0..36 {
        let d = 61 + u32::try_from(rng.below(660)).unwrap_or(0);
        let metro = match rng.below(20) {
            0..=9 => "Philadelphia",
            10..=14 => "Wilmington",
            15..=17 => "Newark",
            _ => "Pittsburgh",
        };
        at(
            "ABC123",
            "PA",
            metro,
            ANY,
            d,
            hm(8, 0) + rng.range_i64(0, 12 * 3600),
        );
    }

    // XYZ1234 / WI and its near misses.
    for d in [1, 3, 5, 8, 11, 15, 19, 23, 26, 29] {
        let tod = hm(6, 30) + rng.range_i64(0, 15 * 3600);
        at("XYZ1234", "WI", "Milwaukee", ANY, d, tod);
    }
    for d in [6, 20] {
        at(
            "XYZ1234",
            "WI",
            "Chicago",
            TOLL,
            d,
            hm(10, 0) + rng.range_i64(0, 3600),
        );
    }
    for _ in 0..8 {
        let d = 35 + u32::try_from(rng.below(660)).unwrap_or(0);
        let metro = if rng.chance(0.75) {
            "Milwaukee"
        } else {
            "Chicago"
        };
        at(
            "XYZ1234",
            "WI",
            metro,
            ANY,
            d,
            hm(9, 0) + rng.range_i64(0, 10 * 3600),
        );
    }
    for d in [2, 6, 12, 20, 27, 90, 200] {
        at(
            "XYZ123",
            "WI",
            "Milwaukee",
            ANY,
            d,
            hm(8, 0) + rng.range_i64(0, 10 * 3600),
        );
    }
    for (d, metro) in [
        (4, "Milwaukee"),
        (9, "Chicago"),
        (18, "Milwaukee"),
        (150, "Milwaukee"),
    ] {
        at(
            "XYZ12345",
            "WI",
            metro,
            ANY,
            d,
            hm(12, 0) + rng.range_i64(0, 6 * 3600),
        );
    }
    for d in [3, 10, 17, 24, 33, 45] {
        at(
            "XYZ1234",
            "MN",
            "Minneapolis",
            ANY,
            d,
            hm(7, 0) + rng.range_i64(0, 12 * 3600),
        );
    }
    at("XYZ1234", "MN", "Milwaukee", ANY, 14, hm(15, 20));
    out
}

/// A story read with its camera and time already fixed.
#[derive(Debug)]
pub(crate) struct Placed {
    pub bucket: usize,
    pub cam: usize,
    pub plate: Plate,
    pub jurisdiction: Jurisdiction,
    pub at: OffsetDateTime,
}

/// Fixes the camera and time of each story sighting; drops those outside
/// the span, without a matching camera, or past the camera's retention.
pub(crate) fn place_story(
    cams: &[Cam],
    world: &DemoWorld,
    now: OffsetDateTime,
    span: usize,
) -> Vec<Placed> {
    let mut rng = Rng::new(0x0570_71E5);
    sightings()
        .into_iter()
        .filter_map(|s| {
            let days = usize::try_from(s.days_ago).ok()?;
            if days > span || days == 0 {
                return None;
            }
            let metro = world.metros.iter().position(|m| m.name == s.metro)?;
            let age = i64::from(s.days_ago) * DAY;
            let options: Vec<usize> = cams
                .iter()
                .enumerate()
                .filter(|(_, c)| c.metro == metro && s.kinds.contains(&c.kind))
                .filter(|(_, c)| age <= c.retention_secs)
                .map(|(i, _)| i)
                .collect();
            let cam = *rng.pick(&options)?;
            let offset = cams.get(cam)?.utc_offset_secs;
            let start = now - Duration::seconds(age);
            Some(Placed {
                bucket: span - days,
                cam,
                plate: Plate::parse(s.plate).ok()?,
                jurisdiction: Jurisdiction::parse(s.state).ok()?,
                at: place(start, offset, s.local_tod),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn story_is_fixed_and_rich_enough() {
        let s = sightings();
        assert_eq!(s.len(), sightings().len());
        let abc_recent = s
            .iter()
            .filter(|x| x.plate == "ABC123" && x.days_ago <= 60)
            .count();
        assert!(abc_recent >= 12);
        let xyz_recent = s
            .iter()
            .filter(|x| x.plate == "XYZ1234" && x.state == "WI" && x.days_ago <= 30)
            .count();
        assert!(xyz_recent >= 5);
        assert!(
            s.iter()
                .all(|x| x.days_ago >= 1 && (0..86_400).contains(&x.local_tod))
        );
    }
}
