//! The read stream: a vehicle population with skewed activity, commuters at
//! their cameras in rush hours, travel to neighbouring metros, and the fixed
//! story plates; every read within its camera jurisdiction's retention.
//!
//! Reads are produced one day-bucket at a time (buckets end at `plan.now`),
//! sorted by capture time within each bucket, so the whole stream is in
//! chronological order while only one day is held in memory.

use crate::network::{Cam, cams_of, near_metros};
use crate::population::{Vehicle, population};
use crate::prng::{Rng, Weighted};
use crate::schedule::{bucket_counts, place, start_age, time_of_day};
use crate::story::{Placed, place_story};
use crate::vehicle::VehicleLook;
use crate::world::DemoWorld;
use sightline_core::{GeoPoint, Jurisdiction, Plate, SourceKind};
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
        // With no vehicles (a world without cameras) there is nothing random
        // to read; the count stays exact either way.
        let random_total = if vehicles.is_empty() {
            0
        } else {
            plan.reads.saturating_sub(story.len())
        };
        let counts = bucket_counts(&cams, now, span, random_total);
        let produced: usize = counts.iter().sum::<usize>() + story.len();
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
                let r = make_read(
                    c,
                    &mut self.rng,
                    v.plate.clone(),
                    v.jurisdiction,
                    v.look,
                    at,
                );
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
                (
                    morning,
                    self.rng.range_i64(6 * 3600 + 1800, 9 * 3600 + 1800),
                )
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
        let haunts = vehicle.haunts;
        let mut cam = None;
        for _ in 0..4 {
            let roll = self.rng.unit();
            if roll < 0.45 {
                let haunt = self.rng.pick(&haunts).copied().filter(|&c| ok(c));
                if haunt.is_some() {
                    cam = haunt;
                    break;
                }
                continue;
            }
            let metro = if roll < 0.85 {
                Some(home)
            } else if roll < 0.96 {
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
