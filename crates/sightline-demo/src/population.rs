//! The vehicle population of a plan: plates registered mostly in the home
//! metro's state and its neighbours, a few from anywhere; commuters with
//! their two cameras; each vehicle's usual haunts.

use crate::network::Cam;
use crate::plates::{national, random_plate, reserved};
use crate::prng::{Rng, Weighted};
use crate::vehicle::VehicleLook;
use crate::world::DemoWorld;
use sightline_core::{Jurisdiction, Plate, SourceKind};
use std::collections::HashSet;

#[derive(Debug)]
pub(crate) struct Vehicle {
    pub plate: Plate,
    pub jurisdiction: Jurisdiction,
    pub look: VehicleLook,
    pub home: usize,
    /// Morning and evening cameras of a commuter.
    pub commute: Option<(usize, usize)>,
    /// Cameras near the places this vehicle goes most: home, shops, work.
    pub haunts: [usize; 3],
}

/// The vehicle population: Zipf rank is the index, so the first vehicles
/// are the most often seen; many of those are commuters.
pub(crate) fn population(
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
                    .filter(|&c| {
                        cams.get(c)
                            .is_some_and(|c| c.kind != SourceKind::Repossession)
                    })
                    .collect();
                let a = *rng.pick(&fixed)?;
                let b = *rng.pick(&fixed)?;
                Some((a, b))
            });
        let local = metro_cams.get(home).map_or(&[][..], Vec::as_slice);
        let mut haunt = || rng.pick(local).copied().unwrap_or(0);
        let haunts = [haunt(), haunt(), haunt()];
        out.push(Vehicle {
            haunts,
            look: VehicleLook::for_plate(&plate, jurisdiction),
            plate,
            jurisdiction,
            home,
            commute,
        });
    }
    out
}
