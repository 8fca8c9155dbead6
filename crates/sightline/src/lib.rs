//! The parts of the `sightline` command that its integration tests also
//! drive (the binary is `main.rs`).

pub mod load_fixture;
