//! The world as the generator sees it: each usable camera with its kind,
//! metro, local time zone and retention, and which metros share traffic.

use crate::world::{DemoCamera, DemoWorld};
use sightline_core::SourceKind;
use sightline_core::collection::CollectionPolicy;

/// A camera as the generator needs it.
#[derive(Debug)]
pub(crate) struct Cam {
    pub camera: DemoCamera,
    pub kind: SourceKind,
    pub metro: usize,
    pub retention_secs: i64,
    pub utc_offset_secs: i64,
}

pub(crate) fn cams_of(world: &DemoWorld) -> Vec<Cam> {
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
pub(crate) fn near_metros(world: &DemoWorld) -> Vec<Vec<usize>> {
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
