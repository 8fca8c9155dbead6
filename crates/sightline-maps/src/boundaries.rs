//! The US state and county boundaries the built-in base map draws, decoded
//! from `data/us-boundaries.bin`: npm `us-atlas` 3.0.1 (ISC), itself from
//! the US Census Bureau's cartographic boundary files, converted and
//! simplified by `tools/build-boundaries.mjs` (the format is described
//! there). Embedded, so the map needs no network.

use anyhow::{Context, bail};

static DATA: &[u8] = include_bytes!("../data/us-boundaries.bin");

/// A point in degrees: `(lon, lat)`.
pub(crate) type LonLat = (f64, f64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// The coast and the national border.
    Coast,
    State,
    County,
}

/// A sequence of points with its bounding box (`min lon, min lat, max lon, max lat`).
#[derive(Debug)]
pub(crate) struct Shape {
    pub points: Vec<LonLat>,
    pub bbox: [f64; 4],
}

#[derive(Debug)]
pub(crate) struct State {
    pub name: String,
    pub code: String,
    pub label: LonLat,
    pub rings: Vec<Shape>,
    pub bbox: [f64; 4],
}

#[derive(Debug)]
pub(crate) struct County {
    pub name: String,
    pub label: LonLat,
}

#[derive(Debug)]
pub(crate) struct Boundaries {
    pub states: Vec<State>,
    pub lines: Vec<(LineKind, Shape)>,
    pub counties: Vec<County>,
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u8(&mut self) -> anyhow::Result<u8> {
        let b = *self.data.get(self.at).context("boundary data truncated")?;
        self.at += 1;
        Ok(b)
    }
    fn varint(&mut self) -> anyhow::Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        bail!("boundary varint too long")
    }
    fn len(&mut self) -> anyhow::Result<usize> {
        usize::try_from(self.varint()?).context("length")
    }
    fn svarint(&mut self) -> anyhow::Result<i64> {
        let v = self.varint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
    fn str(&mut self) -> anyhow::Result<String> {
        let n = self.len()?;
        let end = self.at.checked_add(n).context("string length")?;
        let bytes = self
            .data
            .get(self.at..end)
            .context("boundary data truncated")?;
        self.at = end;
        Ok(String::from_utf8(bytes.to_vec())?)
    }
    fn coord(&mut self) -> anyhow::Result<LonLat> {
        Ok((self.svarint()? as f64 / 1e5, self.svarint()? as f64 / 1e5))
    }
    fn shape(&mut self) -> anyhow::Result<Shape> {
        let n = self.len()?;
        let mut points = Vec::with_capacity(n.min(1 << 20));
        let (mut x, mut y) = (0i64, 0i64);
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for _ in 0..n {
            x += self.svarint()?;
            y += self.svarint()?;
            let p = (x as f64 / 1e5, y as f64 / 1e5);
            bbox = grow(bbox, p);
            points.push(p);
        }
        Ok(Shape { points, bbox })
    }
}

pub(crate) fn grow(b: [f64; 4], (x, y): LonLat) -> [f64; 4] {
    [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
}

impl Boundaries {
    /// Decodes the embedded file.
    pub(crate) fn load() -> anyhow::Result<Self> {
        Self::decode(DATA)
    }

    fn decode(data: &[u8]) -> anyhow::Result<Self> {
        let mut r = Reader { data, at: 0 };
        if data.get(..4) != Some(b"SLB1".as_slice()) {
            bail!("boundary data: bad magic");
        }
        r.at = 4;
        let n = r.len()?;
        let mut states = Vec::with_capacity(n);
        for _ in 0..n {
            let name = r.str()?;
            let code = r.str()?;
            let label = r.coord()?;
            let rings_n = r.len()?;
            let mut rings = Vec::with_capacity(rings_n);
            let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
            for _ in 0..rings_n {
                let ring = r.shape()?;
                bbox = grow(
                    grow(bbox, (ring.bbox[0], ring.bbox[1])),
                    (ring.bbox[2], ring.bbox[3]),
                );
                rings.push(ring);
            }
            states.push(State {
                name,
                code,
                label,
                rings,
                bbox,
            });
        }
        let n = r.len()?;
        let mut lines = Vec::with_capacity(n);
        for _ in 0..n {
            let kind = match r.u8()? {
                0 => LineKind::Coast,
                1 => LineKind::State,
                2 => LineKind::County,
                k => bail!("boundary data: line kind {k}"),
            };
            lines.push((kind, r.shape()?));
        }
        let n = r.len()?;
        let mut counties = Vec::with_capacity(n);
        for _ in 0..n {
            let name = r.str()?;
            let label = r.coord()?;
            counties.push(County { name, label });
        }
        Ok(Self {
            states,
            lines,
            counties,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_has_every_state_and_county() {
        let b = Boundaries::load().unwrap();
        assert!(b.states.len() >= 51, "{}", b.states.len());
        assert!(
            b.states
                .iter()
                .any(|s| s.code == "DE" && s.name == "Delaware")
        );
        assert!(b.counties.len() > 3000);
        for kind in [LineKind::Coast, LineKind::State, LineKind::County] {
            assert!(b.lines.iter().any(|(k, _)| *k == kind));
        }
        let pa = b.states.iter().find(|s| s.code == "PA").unwrap();
        assert!(pa.bbox[0] < -80.0 && pa.bbox[2] > -75.0);
    }

    #[test]
    fn truncated_data_is_an_error() {
        assert!(Boundaries::decode(&DATA[..DATA.len() / 2]).is_err());
        assert!(Boundaries::decode(b"XXXX").is_err());
    }
}
