//! Sightline's demo data set: a deterministic, realistic-looking world of
//! LPR sources and the reads they collect, for `sightline demo`, screenshots
//! and tests. Pure computation: another crate stores what this generates.
//!
//! * [`world`] is fixed: 35 metro areas in 31 states and DC, each with a toll
//!   road (where one exists), parking lot, repossession company and law
//!   enforcement source, several cameras each with a fixed position,
//!   address and intersection. No source stands where
//!   [`CollectionPolicy`](sightline_core::collection::CollectionPolicy)
//!   forbids collection.
//! * [`reads`] streams a plan's reads in time order: a Zipf-skewed vehicle
//!   population registered mostly in the local and neighbouring states,
//!   commuters seen at the same cameras in weekday rush hours, trips to
//!   nearby metros; never older than the collecting jurisdiction keeps
//!   reads. The [`STORY_PLATES`] (and the [`NEAR_MISS_PLATES`] of XYZ1234)
//!   are in every data set whatever the seed.
//! * [`render_plate_png`] and [`render_vehicle_png`] draw the two photos of
//!   a read (R1.2) with a built-in bitmap font; identical inputs give
//!   identical bytes, so the content-addressed photo store deduplicates.
//!
//! The randomness is our own SplitMix64 ([`prng`]) so a seed means the same
//! data on every platform and build.

mod canvas;
mod font;
mod metro_data;
mod network;
mod plates;
mod population;
pub mod prng;
mod reads;
mod render_plate;
mod render_vehicle;
mod schedule;
mod scheme;
mod story;
mod streets;
mod vehicle;
mod world;

pub use plates::format_for as plate_format;
pub use reads::{DemoPlan, DemoRead, ReadStream, reads};
pub use render_plate::{PLATE_H, PLATE_W, render_plate_png};
pub use render_vehicle::{SCENE_H, SCENE_W, render_vehicle_png, render_vehicle_scene};
pub use story::{NEAR_MISS_PLATES, STORY_PLATES};
pub use streets::{DemoStreet, StreetKind, streets};
pub use vehicle::{BodyStyle, VehicleColor, VehicleLook};
pub use world::{DemoCamera, DemoSource, DemoWorld, Metro, world};
