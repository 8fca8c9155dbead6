//! The read stream: a vehicle population with skewed activity, commuters at
//! their cameras in rush hours, travel to neighbouring metros, and the fixed
//! story plates; every read within its camera jurisdiction's retention.
//!
//! Reads are produced one day-bucket at a time (buckets end at `plan.now`),
//! sorted by capture time within each bucket, so the whole stream is in
//! chronological order while only one day is held in memory.

use crate::plates::{national, random_plate, reserved};
use crate::prng::{Rng, Weighted};
use crate::story::{Sighting, sightings};
use crate::vehicle::VehicleLook;
use crate::world::{DemoCamera, DemoWorld};
use sightline_core::collection::CollectionPolicy;
use sightline_core::{GeoPoint, Jurisdiction, Plate, SourceKind};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime, UtcOffset, Weekday};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoPlan {
    pub seed: u64,
    /// The end of the data set; no read is later.
    pub now: OffsetDateTime,
    /// How many reads in all, story reads included.
    pub reads: usize,
    /// How far back reads go (less where retention is shorter).
    pub span_days: u32,
}

impl DemoPlan {
    pub const DEFAULT_READS: usize = 250_000;
    pub const DEFAULT_SPAN_DAYS: u32 = 730;

    /// The default plan: 250,000 reads over two years up to `now`.
    pub fn new(seed: u64, now: OffsetDateTime) -> Self {
        Self {
            seed,
            now,
            reads: Self::DEFAULT_READS,
            span_days: Self::DEFAULT_SPAN_DAYS,
        }
    }
}

/// One generated read, with everything R1.2 asks for except the photos,
/// which [`crate::render_plate_png`] and [`crate::render_vehicle_png`] make.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRead {
    pub source_key: String,
    pub source_kind: SourceKind,
    pub camera_id: String,
    /// `<camera_id>-<counter>`, unique per source; counters rise with time.
    pub source_read_id: String,
    pub plate: Plate,
    /// The registration state.
    pub jurisdiction: Jurisdiction,
    /// In UTC, whole seconds.
    pub captured_at: OffsetDateTime,
    /// The camera's position, jittered by up to ~3 m.
    pub location: GeoPoint,
    pub nearest_address: String,
    pub nearest_intersection: String,
    /// Stable per (plate, state).
    pub vehicle: VehicleLook,
}

const DAY: i64 = 86_400;

/// A camera as the generator needs it.
#[derive(Debug)]
struct Cam {
    camera: DemoCamera,
    kind: SourceKind,
    metro: usize,
    retention_secs: i64,
    utc_offset_secs: i64,
}

#[derive(Debug)]
struct Vehicle {
    plate: Plate,
    jurisdiction: Jurisdiction,
    look: VehicleLook,
    home: usize,
    /// Morning and evening cameras of a commuter.
    commute: Option<(usize, usize)>,
}

/// A story read with its camera and time already fixed.
#[derive(Debug)]
struct Placed {
    bucket: usize,
    cam: usize,
    plate: Plate,
    jurisdiction: Jurisdiction,
    at: OffsetDateTime,
}

/// The stream of demo reads; see [`reads`].
#[derive(Debug)]
pub struct ReadStream {
    cams: Vec<Cam>,
    metro_cams: Vec<Vec<usize>>,
    near_metros: Vec<Vec<usize>>,
    metro_pick: Weighted,
    vehicles: Vec<Vehicle>,
    activity: Weighted,
    /// Random reads per bucket; bucket `k` starts `span - k` days before now.
    counts: Vec<usize>,
    /// Story reads, sorted by bucket.
    story: Vec<Placed>,
    story_next: usize,
    bucket: usize,
    buffer: std::vec::IntoIter<DemoRead>,
    counters: Vec<u32>,
    rng: Rng,
    now: OffsetDateTime,
    remaining: usize,
}

/// Streams the reads of `plan` in chronological order (sorted by
/// `captured_at`, ties in a fixed order). Deterministic: the same world and
/// plan give the same reads. The count is exactly `plan.reads`, or the number
/// of story reads if that is larger. Reads only use cameras of `world` whose
/// source and metro are in it.
pub fn reads(world: &DemoWorld, plan: &DemoPlan) -> ReadStream {
    ReadStream::new(world, plan)
}

impl ReadStream {
    fn new(world: &DemoWorld, plan: &DemoPlan) -> Self {
        let now = plan.now.to_offset(UtcOffset::UTC);
        let now = now.replace_nanosecond(0).unwrap_or(now);
        let span = usize::try_from(plan.span_days.max(1)).unwrap_or(1);
        let cams = cams_of(world);
        let mut metro_cams = vec![Vec::new(); world.metros.len()];
        for (i, c) in cams.iter().enumerate() {
            if let Some(list) = metro_cams.get_mut(c.metro) {
                list.push(i);
            }
        }
        let near_metros = near_metros(world);
        let metro_pick = Weighted::new(
            world
                .metros
                .iter()
                .zip(&metro_cams)
                .map(|(m, cams)| if cams.is_empty() { 0.0 } else { m.weight }),
        );

        let mut story = place_story(&cams, world, now, span);
        story.sort_by_key(|p| (p.bucket, p.at));
        let random_total = plan.reads.saturating_sub(story.len());
        let counts = bucket_counts(&cams, now, span, random_total);
        let produced: usize = counts.iter().sum::<usize>() + story.len();

        let mut rng = Rng::derive(plan.seed, 1);
        let vehicle_count = (plan.reads / 6).clamp(50, 50_000);
        let vehicles = population(
            world,
            &cams,
            &metro_cams,
            &metro_pick,
            vehicle_count,
            &mut rng,
        );
        Self {
            activity: Weighted::zipf(vehicles.len(), 50.0, 1.0),
            counters: vec![0; cams.len()],
            cams,
            metro_cams,
            near_metros,
            metro_pick,
            vehicles,
            counts,
            story,
            story_next: 0,
            bucket: 0,
            buffer: Vec::new().into_iter(),
            rng: Rng::derive(plan.seed, 2),
            now,
            remaining: produced,
        }
    }

    /// The start of bucket `k`.
    fn bucket_start(&self, k: usize) -> OffsetDateTime {
        let back = self.counts.len().saturating_sub(k);
        self.now - Duration::days(i64::try_from(back).unwrap_or(0))
    }

    fn fill_bucket(&mut self, k: usize) {
        let start = self.bucket_start(k);
        let age = start_age(self.counts.len(), k);
        let eligible: Vec<bool> = self.cams.iter().map(|c| age <= c.retention_secs).collect();
        let eligible_list: Vec<usize> = (0..self.cams.len())
            .filter(|&i| eligible.get(i).copied().unwrap_or(false))
            .collect();
        let count = self.counts.get(k).copied().unwrap_or(0);
        let mut out: Vec<(usize, usize, OffsetDateTime)> = Vec::with_capacity(count);
        if !eligible_list.is_empty() {
            for _ in 0..count {
                if let Some(r) = self.one_read(start, &eligible, &eligible_list) {
                    out.push(r);
                }
            }
        }
        let mut reads: Vec<(usize, DemoRead)> = out
            .into_iter()
            .filter_map(|(v, cam, at)| {
                let v = self.vehicles.get(v)?;
                let c = self.cams.get(cam)?;
                let r = make_read(c, &mut self.rng, v.plate.clone(), v.jurisdiction, v.look, at);
                Some((cam, r))
            })
            .collect();
        while let Some(p) = self.story.get(self.story_next).filter(|p| p.bucket == k) {
            let look = VehicleLook::for_plate(&p.plate, p.jurisdiction);
            let (cam, plate, j, at) = (p.cam, p.plate.clone(), p.jurisdiction, p.at);
            self.story_next += 1;
            if let Some(c) = self.cams.get(cam) {
                reads.push((cam, make_read(c, &mut self.rng, plate, j, look, at)));
            }
        }
        reads.sort_by_key(|(_, r)| r.captured_at);
        let reads: Vec<DemoRead> = reads
            .into_iter()
            .map(|(cam, mut r)| {
                if let Some(n) = self.counters.get_mut(cam) {
                    *n += 1;
                    r.source_read_id = format!("{}-{:07}", r.camera_id, n);
                }
                r
            })
            .collect();
        self.buffer = reads.into_iter();
    }

    /// One random read in the bucket starting at `start`: which vehicle,
    /// which camera, when.
    fn one_read(
        &mut self,
        start: OffsetDateTime,
        eligible: &[bool],
        eligible_list: &[usize],
    ) -> Option<(usize, usize, OffsetDateTime)> {
        let v = self.activity.sample(&mut self.rng)?;
        let vehicle = self.vehicles.get(v)?;
        let ok = |c: usize| eligible.get(c).copied().unwrap_or(false);
        if let Some((morning, evening)) = vehicle.commute
            && self.rng.chance(0.65)
        {
            let (cam, tod) = if self.rng.chance(0.5) {
                (morning, self.rng.range_i64(6 * 3600 + 1800, 9 * 3600 + 1800))
            } else {
                (evening, self.rng.range_i64(16 * 3600, 19 * 3600))
            };
            if ok(cam) {
                let at = place(start, self.cam_offset(cam), tod);
                let local = at + Duration::seconds(self.cam_offset(cam));
                if !matches!(local.weekday(), Weekday::Saturday | Weekday::Sunday) {
                    return Some((v, cam, at));
                }
            }
        }
        let home = vehicle.home;
        let mut cam = None;
        for _ in 0..4 {
            let roll = self.rng.unit();
            let metro = if roll < 0.82 {
                Some(home)
            } else if roll < 0.95 {
                self.near_metros
                    .get(home)
                    .and_then(|n| self.rng.pick(n).copied())
            } else {
                self.metro_pick.sample(&mut self.rng)
            };
            let candidate = metro
                .and_then(|m| self.metro_cams.get(m))
                .and_then(|list| self.rng.pick(list).copied());
            if let Some(c) = candidate.filter(|&c| ok(c)) {
                cam = Some(c);
                break;
            }
        }
        let cam = match cam {
            Some(c) => c,
            None => self.nearest_eligible(home, eligible, eligible_list)?,
        };
        let kind = self.cams.get(cam)?.kind;
        let tod = time_of_day(kind, &mut self.rng);
        Some((v, cam, place(start, self.cam_offset(cam), tod)))
    }

    /// An eligible camera in a metro near `home`, or anywhere.
    fn nearest_eligible(&mut self, home: usize, eligible: &[bool], all: &[usize]) -> Option<usize> {
        let near: Vec<usize> = self
            .near_metros
            .get(home)
            .into_iter()
            .flatten()
            .filter_map(|&m| self.metro_cams.get(m))
            .flatten()
            .copied()
            .filter(|&c| eligible.get(c).copied().unwrap_or(false))
            .collect();
        match self.rng.pick(&near) {
            Some(&c) => Some(c),
            None => self.rng.pick(all).copied(),
        }
    }

    fn cam_offset(&self, cam: usize) -> i64 {
        self.cams.get(cam).map_or(0, |c| c.utc_offset_secs)
    }

}

fn make_read(
    c: &Cam,
    rng: &mut Rng,
    plate: Plate,
    jurisdiction: Jurisdiction,
    vehicle: VehicleLook,
    captured_at: OffsetDateTime,
) -> DemoRead {
    let jitter = 0.000_03;
    let lat = c.camera.location.lat() + rng.range_f64(-jitter, jitter);
    let lon = c.camera.location.lon() + rng.range_f64(-jitter, jitter);
    let location = GeoPoint::new((lat * 1e6).round() / 1e6, (lon * 1e6).round() / 1e6)
        .unwrap_or(c.camera.location);
    DemoRead {
        source_key: c.camera.source_key.clone(),
        source_kind: c.kind,
        camera_id: c.camera.camera_id.clone(),
        source_read_id: String::new(),
        plate,
        jurisdiction,
        captured_at,
        location,
        nearest_address: c.camera.nearest_address.clone(),
        nearest_intersection: c.camera.nearest_intersection.clone(),
        vehicle,
    }
}

impl Iterator for ReadStream {
    type Item = DemoRead;

    fn next(&mut self) -> Option<DemoRead> {
        loop {
            if let Some(r) = self.buffer.next() {
                self.remaining = self.remaining.saturating_sub(1);
                return Some(r);
            }
            if self.bucket >= self.counts.len() {
                return None;
            }
            let k = self.bucket;
            self.bucket += 1;
            self.fill_bucket(k);
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for ReadStream {}

/// Seconds between the start of bucket `k` (of `span`) and now: the oldest
/// a read in it can be.
fn start_age(span: usize, k: usize) -> i64 {
    i64::try_from(span.saturating_sub(k)).unwrap_or(i64::MAX / DAY) * DAY
}

/// The first instant at or after `start` whose local time of day (at UTC
/// offset `offset` seconds) is `local_tod`.
fn place(start: OffsetDateTime, offset: i64, local_tod: i64) -> OffsetDateTime {
    let (h, m, s) = start.to_hms();
    let start_tod = i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s);
    let target = (local_tod - offset).rem_euclid(DAY);
    start + Duration::seconds((target - start_tod).rem_euclid(DAY))
}

/// Local hour weights by source kind: tolls follow commutes, parking lots
/// business hours, repossession crews work at night, patrols all day.
fn time_of_day(kind: SourceKind, rng: &mut Rng) -> i64 {
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

fn cams_of(world: &DemoWorld) -> Vec<Cam> {
    world
        .cameras
        .iter()
        .filter_map(|c| {
            let source = world.source(&c.source_key)?;
            let metro = world.metros.iter().position(|m| m.name == source.metro)?;
            let policy = CollectionPolicy::default_for(source.jurisdiction);
            if !policy.collection_allowed {
                return None;
            }
            let offset = world.metros.get(metro).map_or(0, |m| m.utc_offset_hours);
            Some(Cam {
                camera: c.clone(),
                kind: source.kind,
                metro,
                retention_secs: policy.retention_secs,
                utc_offset_secs: i64::from(offset) * 3600,
            })
        })
        .collect()
}

/// For each metro, the other metros whose plates and drivers it shares:
/// those in its own state or a neighbouring one.
fn near_metros(world: &DemoWorld) -> Vec<Vec<usize>> {
    world
        .metros
        .iter()
        .enumerate()
        .map(|(i, m)| {
            world
                .metros
                .iter()
                .enumerate()
                .filter(|&(j, o)| j != i && (o.state == m.state || m.neighbors.contains(&o.state)))
                .map(|(j, _)| j)
                .collect()
        })
        .collect()
}

/// Random reads per day bucket: more on weekdays and as the network grows,
/// none where no camera may keep a read that old.
fn bucket_counts(cams: &[Cam], now: OffsetDateTime, span: usize, total: usize) -> Vec<usize> {
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

/// The vehicle population: Zipf rank is the index, so the first vehicles
/// are the most often seen; many of those are commuters.
fn population(
    world: &DemoWorld,
    cams: &[Cam],
    metro_cams: &[Vec<usize>],
    metro_pick: &Weighted,
    n: usize,
    rng: &mut Rng,
) -> Vec<Vehicle> {
    let national_list: Vec<(&str, f64)> = national().collect();
    let national_pick = Weighted::new(national_list.iter().map(|(_, w)| *w));
    let mut taken: HashSet<String> = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for rank in 0..n {
        let Some(home) = metro_pick.sample(rng) else {
            break;
        };
        let Some(metro) = world.metros.get(home) else {
            continue;
        };
        let roll = rng.unit();
        let code = if roll < 0.80 {
            metro.state.code()
        } else if roll < 0.93 {
            rng.pick(&metro.neighbors)
                .map_or(metro.state.code(), |j| j.code())
        } else {
            national_pick
                .sample(rng)
                .and_then(|i| national_list.get(i))
                .map_or(metro.state.code(), |(c, _)| c)
        };
        let Ok(jurisdiction) = Jurisdiction::parse(code) else {
            continue;
        };
        let plate = loop {
            let raw = random_plate(code, rng);
            let Ok(p) = Plate::parse(&raw) else { continue };
            if !reserved(p.as_str()) && taken.insert(p.as_str().to_owned()) {
                break p;
            }
        };
        let commuter_share = if rank < 3000 { 0.6 } else { 0.3 };
        let commute = metro_cams
            .get(home)
            .filter(|list| list.len() >= 2 && rng.chance(commuter_share))
            .and_then(|list| {
                let fixed: Vec<usize> = list
                    .iter()
                    .copied()
                    .filter(|&c| cams.get(c).is_some_and(|c| c.kind != SourceKind::Repossession))
                    .collect();
                let a = *rng.pick(&fixed)?;
                let b = *rng.pick(&fixed)?;
                Some((a, b))
            });
        out.push(Vehicle {
            look: VehicleLook::for_plate(&plate, jurisdiction),
            plate,
            jurisdiction,
            home,
            commute,
        });
    }
    out
}

/// Fixes the camera and time of each story sighting; drops those outside
/// the span, without a matching camera, or past the camera's retention.
fn place_story(cams: &[Cam], world: &DemoWorld, now: OffsetDateTime, span: usize) -> Vec<Placed> {
    let mut rng = Rng::new(0x5707_1E5);
    sightings()
        .into_iter()
        .filter_map(|s: Sighting| {
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
