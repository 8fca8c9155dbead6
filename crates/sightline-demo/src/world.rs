//! The fixed demo world: metro areas, the sources that collect in them and
//! their cameras. It does not depend on any seed: the same world every time,
//! so source keys and camera ids are stable across demo runs.

use crate::metro_data::{METROS, MetroSpec, TollSpec};
use crate::prng::Rng;
use crate::streets::{MetroGrid, TollLine};
use sightline_core::collection::CollectionPolicy;
use sightline_core::{GeoPoint, Jurisdiction, SourceKind};

/// A metro area reads are collected in.
#[derive(Debug, Clone, PartialEq)]
pub struct Metro {
    /// Stable slug: "philadelphia-pa".
    pub key: String,
    /// City name: "Philadelphia".
    pub name: String,
    pub state: Jurisdiction,
    pub center: GeoPoint,
    /// Standard-time offset from UTC in hours; daylight saving is ignored.
    pub utc_offset_hours: i8,
    /// Relative traffic, roughly the population in millions.
    pub weight: f64,
    /// States whose plates are common here besides the metro's own.
    pub neighbors: Vec<Jurisdiction>,
}

/// A data source: one operator of one kind in one metro.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSource {
    /// Stable, unique slug: "wilmington-de-toll".
    pub key: String,
    /// What a person reads: "Delaware Turnpike toll camera I-95 Newark".
    pub name: String,
    pub kind: SourceKind,
    /// Where it collects; always a jurisdiction that allows collection.
    pub jurisdiction: Jurisdiction,
    /// The [`Metro::name`] it belongs to.
    pub metro: String,
}

/// One fixed camera of a source.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCamera {
    pub source_key: String,
    /// Unique across the world: "wilmington-de-toll-01".
    pub camera_id: String,
    pub location: GeoPoint,
    /// "1500 Market St, Philadelphia, PA 19102".
    pub nearest_address: String,
    /// "Market St & S 15th St".
    pub nearest_intersection: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoWorld {
    pub sources: Vec<DemoSource>,
    pub cameras: Vec<DemoCamera>,
    pub metros: Vec<Metro>,
}

impl DemoWorld {
    pub fn source(&self, key: &str) -> Option<&DemoSource> {
        self.sources.iter().find(|s| s.key == key)
    }

    pub fn camera(&self, camera_id: &str) -> Option<&DemoCamera> {
        self.cameras.iter().find(|c| c.camera_id == camera_id)
    }

    pub fn metro(&self, name: &str) -> Option<&Metro> {
        self.metros.iter().find(|m| m.name == name)
    }
}

/// Seed of the world layout; changing it moves every camera.
const WORLD_SEED: u64 = 0x5167_471E_0000_0001;

/// The demo world. Deterministic: every call returns the same value.
pub fn world() -> DemoWorld {
    let mut w = DemoWorld {
        sources: Vec::new(),
        cameras: Vec::new(),
        metros: Vec::new(),
    };
    for (i, spec) in METROS.iter().enumerate() {
        let Some(metro) = metro_of(spec) else {
            continue;
        };
        let mut rng = Rng::derive(WORLD_SEED, i as u64);
        add_metro_sources(&mut w, spec, i, &metro, &mut rng);
        w.metros.push(metro);
    }
    w
}

fn metro_of(spec: &MetroSpec) -> Option<Metro> {
    Some(Metro {
        key: slug(&format!("{} {}", spec.name, spec.state)),
        name: spec.name.to_owned(),
        state: Jurisdiction::parse(spec.state).ok()?,
        center: GeoPoint::new(spec.lat, spec.lon).ok()?,
        utc_offset_hours: spec.utc_offset,
        weight: spec.weight,
        neighbors: spec
            .neighbors
            .iter()
            .filter_map(|n| Jurisdiction::parse(n).ok())
            .collect(),
    })
}

fn add_metro_sources(
    w: &mut DemoWorld,
    spec: &MetroSpec,
    index: usize,
    metro: &Metro,
    rng: &mut Rng,
) {
    if let Some(toll) = &spec.toll {
        add_toll(w, metro, toll, index, rng);
    }
    // Every in-town camera stands where its two streets cross.
    let Some(grid) = MetroGrid::new(spec, index) else {
        return;
    };
    // Street pairs for the in-town cameras, shuffled once per metro so that
    // no two cameras share an intersection.
    let mut pairs: Vec<(usize, usize)> = (0..spec.streets.len())
        .flat_map(|s| (0..spec.cross.len()).map(move |c| (s, c)))
        .collect();
    shuffle(&mut pairs, rng);
    let mut pairs = pairs.into_iter();
    let town: [(SourceKind, &str, String, usize); 3] = [
        (
            SourceKind::ParkingLot,
            "parking",
            format!("{} parking lot camera {}", spec.parking, spec.name),
            2 + (spec.weight / 3.0) as usize,
        ),
        (
            SourceKind::Repossession,
            "repo",
            format!("{} repossession company {}", spec.repo, spec.name),
            2 + (spec.weight / 4.0) as usize,
        ),
        (
            SourceKind::LawEnforcement,
            "police",
            format!("{} patrol camera", spec.police),
            3 + (spec.weight / 2.5) as usize,
        ),
    ];
    for (kind, suffix, name, count) in town {
        let Ok(state) = Jurisdiction::parse(spec.state) else {
            continue;
        };
        let key = format!("{}-{suffix}", metro.key);
        if !push_source(w, &key, name, kind, state, metro) {
            continue;
        }
        for n in 1..=count.min(7) {
            let Some((s, c)) = pairs.next() else { break };
            let street = spec.streets.get(s).copied().unwrap_or("Main St");
            let cross = spec.cross.get(c).copied().unwrap_or("1st St");
            let zip = rng.pick(spec.zips).copied().unwrap_or("00000");
            let Some(location) = grid.crossing(s, c) else {
                break;
            };
            w.cameras.push(DemoCamera {
                source_key: key.clone(),
                camera_id: format!("{key}-{n:02}"),
                location,
                nearest_address: format!(
                    "{} {street}, {}, {} {zip}",
                    house_number(rng),
                    spec.name,
                    spec.state
                ),
                nearest_intersection: format!("{street} & {cross}"),
            });
        }
    }
}

fn add_toll(w: &mut DemoWorld, metro: &Metro, toll: &TollSpec, index: usize, rng: &mut Rng) {
    let (Ok(state), Some(line)) = (Jurisdiction::parse(toll.state), TollLine::new(toll, index))
    else {
        return;
    };
    let key = format!("{}-toll", metro.key);
    let name = format!(
        "{} toll camera {} {}",
        toll.authority, toll.road, toll.place
    );
    if !push_source(w, &key, name, SourceKind::TollRoad, state, metro) {
        return;
    }
    for (n, cross) in toll.cross.iter().enumerate() {
        let Some(location) = line.crossing(n) else {
            break;
        };
        w.cameras.push(DemoCamera {
            source_key: key.clone(),
            camera_id: format!("{key}-{:02}", n + 1),
            location,
            nearest_address: format!(
                "{} {cross}, {}, {} {}",
                house_number(rng),
                toll.place,
                toll.state,
                toll.zip
            ),
            nearest_intersection: format!("{} & {cross}", toll.road),
        });
    }
}

/// Adds a source unless its jurisdiction forbids collection (R1.3).
fn push_source(
    w: &mut DemoWorld,
    key: &str,
    name: String,
    kind: SourceKind,
    jurisdiction: Jurisdiction,
    metro: &Metro,
) -> bool {
    if !CollectionPolicy::default_for(jurisdiction).collection_allowed {
        return false;
    }
    w.sources.push(DemoSource {
        key: key.to_owned(),
        name,
        kind,
        jurisdiction,
        metro: metro.name.clone(),
    });
    true
}

fn house_number(rng: &mut Rng) -> i64 {
    100 * rng.range_i64(1, 46) + rng.range_i64(0, 50)
}

fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i + 1));
    }
}

/// "St. Louis MO" → "st-louis-mo".
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn world_is_deterministic_and_broad() {
        let w = world();
        assert_eq!(w, world());
        assert!(w.metros.len() >= 24);
        let states: HashSet<_> = w.metros.iter().map(|m| m.state.code()).collect();
        assert!(states.len() >= 26, "{}", states.len());
        assert!(states.contains("DC"));
        for kind in SourceKind::ALL {
            let metros_with: HashSet<_> = w
                .sources
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| s.metro.as_str())
                .collect();
            assert!(metros_with.len() * 10 >= w.metros.len() * 6, "{kind}");
        }
    }

    #[test]
    fn keys_are_unique_and_cameras_belong_to_sources() {
        let w = world();
        let keys: HashSet<_> = w.sources.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys.len(), w.sources.len());
        let ids: HashSet<_> = w.cameras.iter().map(|c| c.camera_id.as_str()).collect();
        assert_eq!(ids.len(), w.cameras.len());
        let mut per_source: HashMap<&str, usize> = HashMap::new();
        for c in &w.cameras {
            assert!(keys.contains(c.source_key.as_str()));
            *per_source.entry(c.source_key.as_str()).or_default() += 1;
            assert!(c.nearest_address.contains(", "));
            assert!(c.nearest_intersection.contains(" & "));
        }
        assert!(per_source.values().all(|&n| n >= 2));
        assert_eq!(per_source.len(), w.sources.len());
    }

    #[test]
    fn no_source_where_collection_is_forbidden() {
        for s in world().sources {
            assert!(CollectionPolicy::default_for(s.jurisdiction).collection_allowed);
        }
    }

    #[test]
    fn delaware_toll_camera_exists() {
        let w = world();
        let de = w.source("wilmington-de-toll").unwrap();
        assert_eq!(de.name, "Delaware Turnpike toll camera I-95 Newark");
        assert_eq!(de.kind, SourceKind::TollRoad);
        assert_eq!(de.jurisdiction.code(), "DE");
        let cam = w.camera("wilmington-de-toll-01").unwrap();
        assert!(cam.nearest_address.ends_with("Newark, DE 19702"));
        assert!((cam.location.lat() - 39.657).abs() < 0.05);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("St. Louis MO"), "st-louis-mo");
        assert_eq!(slug("New York NY"), "new-york-ny");
    }
}
