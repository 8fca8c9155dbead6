//! What a vehicle looks like: colour, body style, make and model. A look is
//! a pure function of the plate and its state, so every read of a plate shows
//! the same car, and its photo deduplicates in the content-addressed store.

use crate::prng::{Rng, Weighted, hash_str};
use sightline_core::{Jurisdiction, Plate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VehicleColor {
    White,
    Black,
    Gray,
    Silver,
    Blue,
    Red,
    Green,
    Brown,
    Beige,
    Yellow,
    Orange,
}

impl VehicleColor {
    pub const ALL: [VehicleColor; 11] = [
        Self::White,
        Self::Black,
        Self::Gray,
        Self::Silver,
        Self::Blue,
        Self::Red,
        Self::Green,
        Self::Brown,
        Self::Beige,
        Self::Yellow,
        Self::Orange,
    ];

    /// Share of US cars in this colour, in percent (approximate).
    fn share(self) -> f64 {
        match self {
            Self::White => 25.0,
            Self::Black => 21.0,
            Self::Gray => 17.0,
            Self::Silver => 12.0,
            Self::Blue => 9.0,
            Self::Red => 9.0,
            Self::Green => 2.0,
            Self::Brown => 1.5,
            Self::Beige => 1.5,
            Self::Yellow => 1.0,
            Self::Orange => 1.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::White => "white",
            Self::Black => "black",
            Self::Gray => "gray",
            Self::Silver => "silver",
            Self::Blue => "blue",
            Self::Red => "red",
            Self::Green => "green",
            Self::Brown => "brown",
            Self::Beige => "beige",
            Self::Yellow => "yellow",
            Self::Orange => "orange",
        }
    }

    /// The paint as sRGB.
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Self::White => [236, 238, 240],
            Self::Black => [28, 30, 34],
            Self::Gray => [110, 114, 120],
            Self::Silver => [176, 180, 186],
            Self::Blue => [34, 72, 150],
            Self::Red => [170, 28, 34],
            Self::Green => [36, 100, 60],
            Self::Brown => [96, 62, 40],
            Self::Beige => [200, 184, 150],
            Self::Yellow => [232, 196, 40],
            Self::Orange => [222, 110, 30],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyStyle {
    Sedan,
    Suv,
    Pickup,
    Minivan,
    Hatchback,
    Coupe,
}

impl BodyStyle {
    pub const ALL: [BodyStyle; 6] = [
        Self::Sedan,
        Self::Suv,
        Self::Pickup,
        Self::Minivan,
        Self::Hatchback,
        Self::Coupe,
    ];

    fn share(self) -> f64 {
        match self {
            Self::Sedan => 30.0,
            Self::Suv => 38.0,
            Self::Pickup => 17.0,
            Self::Minivan => 5.0,
            Self::Hatchback => 6.0,
            Self::Coupe => 4.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sedan => "sedan",
            Self::Suv => "SUV",
            Self::Pickup => "pickup truck",
            Self::Minivan => "minivan",
            Self::Hatchback => "hatchback",
            Self::Coupe => "coupe",
        }
    }

    /// Common `(make, model)` pairs of this body style.
    fn models(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Sedan => &[
                ("Toyota", "Camry"),
                ("Honda", "Accord"),
                ("Honda", "Civic"),
                ("Nissan", "Altima"),
                ("Hyundai", "Elantra"),
                ("Toyota", "Corolla"),
                ("Chevrolet", "Malibu"),
                ("Tesla", "Model 3"),
            ],
            Self::Suv => &[
                ("Toyota", "RAV4"),
                ("Honda", "CR-V"),
                ("Ford", "Explorer"),
                ("Chevrolet", "Equinox"),
                ("Jeep", "Grand Cherokee"),
                ("Subaru", "Outback"),
                ("Nissan", "Rogue"),
                ("Tesla", "Model Y"),
            ],
            Self::Pickup => &[
                ("Ford", "F-150"),
                ("Chevrolet", "Silverado"),
                ("Ram", "1500"),
                ("Toyota", "Tacoma"),
                ("GMC", "Sierra"),
            ],
            Self::Minivan => &[
                ("Honda", "Odyssey"),
                ("Toyota", "Sienna"),
                ("Chrysler", "Pacifica"),
                ("Kia", "Carnival"),
            ],
            Self::Hatchback => &[
                ("Volkswagen", "Golf"),
                ("Mazda", "Mazda3"),
                ("Subaru", "Impreza"),
                ("Kia", "Soul"),
            ],
            Self::Coupe => &[
                ("Ford", "Mustang"),
                ("Chevrolet", "Camaro"),
                ("BMW", "4 Series"),
                ("Dodge", "Challenger"),
            ],
        }
    }
}

/// How a vehicle looks in its photos; what a misread report (R3.9) about
/// make or model is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VehicleLook {
    pub color: VehicleColor,
    pub body: BodyStyle,
    pub make: &'static str,
    pub model: &'static str,
    /// The model year, 2005-2025.
    pub year: u16,
}

impl VehicleLook {
    /// The look of the vehicle that carries this plate: depends only on the
    /// normalised plate and its state.
    pub fn for_plate(plate: &Plate, jurisdiction: Jurisdiction) -> Self {
        let key = format!("{}|{}", plate.as_str(), jurisdiction.code());
        Self::from_hash(hash_str(&key))
    }

    fn from_hash(h: u64) -> Self {
        let mut rng = Rng::new(h);
        let colors = Weighted::new(VehicleColor::ALL.iter().map(|c| c.share()));
        let bodies = Weighted::new(BodyStyle::ALL.iter().map(|b| b.share()));
        let color = colors
            .sample(&mut rng)
            .and_then(|i| VehicleColor::ALL.get(i).copied())
            .unwrap_or(VehicleColor::White);
        let body = bodies
            .sample(&mut rng)
            .and_then(|i| BodyStyle::ALL.get(i).copied())
            .unwrap_or(BodyStyle::Sedan);
        let (make, model) = rng
            .pick(body.models())
            .copied()
            .unwrap_or(("Toyota", "Camry"));
        let year = 2005 + u16::try_from(rng.below(21)).unwrap_or(0);
        Self {
            color,
            body,
            make,
            model,
            year,
        }
    }

    /// "silver 2019 Toyota RAV4 (SUV)".
    pub fn describe(&self) -> String {
        format!(
            "{} {} {} {} ({})",
            self.color.name(),
            self.year,
            self.make,
            self.model,
            self.body.name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_is_stable_per_plate_and_state() {
        let pa = Jurisdiction::parse("PA").unwrap();
        let nj = Jurisdiction::parse("NJ").unwrap();
        let a = VehicleLook::for_plate(&Plate::parse("ABC-123").unwrap(), pa);
        let b = VehicleLook::for_plate(&Plate::parse("abc123").unwrap(), pa);
        assert_eq!(a, b);
        // Different plates give a spread of looks.
        let looks: std::collections::HashSet<_> = (0..200)
            .map(|i| VehicleLook::for_plate(&Plate::parse(&format!("K{i}")).unwrap(), nj))
            .map(|l| (l.color, l.body))
            .collect();
        assert!(looks.len() > 15);
        assert!(a.describe().contains(a.make));
    }
}
