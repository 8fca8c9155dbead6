//! Domain types and rules of Sightline, with no I/O.
//!
//! Everything that enters the service is parsed at the edge into one of the
//! types here, so an invalid plate, an unknown jurisdiction, an open-ended
//! time frame or an empty case reference cannot exist further in. The query
//! policy (`purpose`) turns a request into a [`purpose::CheckedPurpose`],
//! which is the only thing the audit ledger accepts for a plate query.
//!
//! Time is never read here: callers pass a [`clock::Clock`] or an instant.

pub mod agent;
pub mod alert;
pub mod clock;
pub mod collection;
pub mod device_key;
pub mod geo;
pub mod jurisdiction;
pub mod oversight;
pub mod password;
pub mod plate;
pub mod presets;
pub mod purpose;
pub mod read;
pub mod source;
pub mod tenancy;
pub mod text;
pub mod timeframe;
pub mod totp;
pub mod zone;

pub use clock::{Clock, ManualClock, SystemClock};
pub use geo::GeoPoint;
pub use jurisdiction::Jurisdiction;
pub use plate::Plate;
pub use purpose::Violation;
pub use read::{NewRead, Read, ReadId};
pub use source::SourceKind;
pub use tenancy::{AgencyId, Role, TenantScope, UserId};
pub use timeframe::{Timeframe, TimeframeSpec};
pub use zone::{AgencyZone, LocalTime, Quarter};
