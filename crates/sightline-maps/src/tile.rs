//! Tile addresses and the Web Mercator projection (EPSG:3857) every layer
//! shares: XYZ tiles of 256 px, y growing south, as Leaflet and MapLibre
//! request them.

use thiserror::Error;

/// Pixels per tile side.
pub const TILE_SIZE: u32 = 256;
/// The deepest zoom any layer serves.
pub const MAX_ZOOM: u8 = 18;
/// Web Mercator's latitude limit.
const MAX_LAT: f64 = 85.051_128_78;

/// A tile that exists at its zoom: `x` and `y` are below `2^z`, `z` at most
/// [`MAX_ZOOM`]. Built only through [`TileId::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    z: u8,
    x: u32,
    y: u32,
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("no tile {z}/{x}/{y}: zoom runs 0..={max}, x and y below 2^zoom")]
pub struct OutOfRange {
    pub z: u32,
    pub x: u32,
    pub y: u32,
    pub max: u8,
}

impl TileId {
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self, OutOfRange> {
        let err = OutOfRange {
            z,
            x,
            y,
            max: MAX_ZOOM,
        };
        let zoom = u8::try_from(z).map_err(|_| err.clone())?;
        if zoom > MAX_ZOOM || u64::from(x) >= 1u64 << z || u64::from(y) >= 1u64 << z {
            return Err(err);
        }
        Ok(Self { z: zoom, x, y })
    }

    pub fn z(self) -> u8 {
        self.z
    }
    pub fn x(self) -> u32 {
        self.x
    }
    pub fn y(self) -> u32 {
        self.y
    }

    /// The tile that holds `(lat, lon)` at zoom `z` (clamped into range).
    pub fn containing(lat: f64, lon: f64, z: u8) -> Self {
        let z = z.min(MAX_ZOOM);
        let (px, py) = world_px(lat, lon, z);
        let n = 1u32 << z;
        let t = |v: f64| ((v / f64::from(TILE_SIZE)).floor().max(0.0) as u32).min(n - 1);
        Self {
            z,
            x: t(px),
            y: t(py),
        }
    }

    /// The top-left corner in world pixels at this tile's zoom.
    pub fn origin_px(self) -> (f64, f64) {
        (
            f64::from(self.x) * f64::from(TILE_SIZE),
            f64::from(self.y) * f64::from(TILE_SIZE),
        )
    }
}

/// The world's side in pixels at zoom `z`.
pub fn world_size(z: u8) -> f64 {
    f64::from(TILE_SIZE) * f64::from(1u32 << z.min(MAX_ZOOM))
}

/// Web Mercator: `(lat, lon)` → world pixels at zoom `z`.
pub fn world_px(lat: f64, lon: f64, z: u8) -> (f64, f64) {
    let size = world_size(z);
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lon + 180.0) / 360.0 * size;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * size;
    (x, y)
}

/// The inverse of [`world_px`].
pub fn lat_lon(px: f64, py: f64, z: u8) -> (f64, f64) {
    let size = world_size(z);
    let lon = px / size * 360.0 - 180.0;
    let n = std::f64::consts::PI * (1.0 - 2.0 * py / size);
    (n.sinh().atan().to_degrees(), lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_is_checked() {
        assert!(TileId::new(0, 0, 0).is_ok());
        assert!(TileId::new(0, 1, 0).is_err());
        assert!(TileId::new(3, 7, 7).is_ok());
        assert!(TileId::new(3, 8, 0).is_err());
        assert!(TileId::new(19, 0, 0).is_err());
        assert!(TileId::new(u32::MAX, 0, 0).is_err());
    }

    #[test]
    fn projection_round_trips() {
        let (x, y) = world_px(39.9526, -75.1652, 14);
        let (lat, lon) = lat_lon(x, y, 14);
        assert!((lat - 39.9526).abs() < 1e-9 && (lon + 75.1652).abs() < 1e-9);
        let t = TileId::containing(39.9526, -75.1652, 14);
        assert_eq!((t.x(), t.y()), (4771, 6205));
    }
}
