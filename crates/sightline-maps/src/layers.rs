//! The layers a deployment serves: `street` always, `aerial` where the
//! operator has one. Each has its source, its attribution and its cache.

use crate::cache::TileCache;
use crate::source::{TileError, TileSource, UrlTemplate, content_type};
use crate::tile::{MAX_ZOOM, TileId};
use anyhow::Context;
use bytes::Bytes;
use std::path::PathBuf;

/// The built-in map's attribution: the data it is drawn from.
pub const BUILTIN_ATTRIBUTION: &str =
    "Boundaries: US Census Bureau via us-atlas (ISC) · Streets: Sightline demo";

/// What the operator configured (`tiles_url`, `aerial_tiles_url`,
/// `tiles_dir`, `mbtiles`). For the street layer the first set of
/// `tiles_url`, `mbtiles`, `tiles_dir` wins; none set means the built-in map.
#[derive(Debug, Clone, Default)]
pub struct MapConfig {
    pub tiles_url: Option<String>,
    pub aerial_tiles_url: Option<String>,
    pub tiles_dir: Option<PathBuf>,
    pub mbtiles: Option<PathBuf>,
    /// Credit for the operator's street tiles, shown on maps and reports.
    pub tiles_attribution: Option<String>,
    pub aerial_attribution: Option<String>,
}

/// A tile and its content type.
#[derive(Debug, Clone)]
pub struct Tile {
    pub bytes: Bytes,
    pub content_type: &'static str,
}

#[derive(Debug)]
pub struct Layer {
    id: &'static str,
    source: TileSource,
    attribution: String,
    max_zoom: u8,
    cache: TileCache,
}

impl Layer {
    pub fn new(
        id: &'static str,
        source: TileSource,
        attribution: String,
        cache_bytes: usize,
    ) -> Self {
        Self {
            id,
            source,
            attribution,
            max_zoom: MAX_ZOOM,
            cache: TileCache::new(cache_bytes),
        }
    }

    pub fn id(&self) -> &'static str {
        self.id
    }
    pub fn attribution(&self) -> &str {
        &self.attribution
    }
    pub fn max_zoom(&self) -> u8 {
        self.max_zoom
    }
    pub fn source(&self) -> &TileSource {
        &self.source
    }
    pub fn cache(&self) -> &TileCache {
        &self.cache
    }

    /// The tile from the cache, or from the source (and then cached).
    /// `None` past this layer's zoom or where the source has no tile.
    pub async fn tile(&self, id: TileId) -> Result<Option<Tile>, TileError> {
        if id.z() > self.max_zoom {
            return Ok(None);
        }
        if let Some(bytes) = self.cache.get(id) {
            return Ok(Some(Tile {
                content_type: content_type(&bytes),
                bytes,
            }));
        }
        let Some(bytes) = self.source.fetch(id).await? else {
            return Ok(None);
        };
        self.cache.put(id, bytes.clone());
        Ok(Some(Tile {
            content_type: content_type(&bytes),
            bytes,
        }))
    }
}

/// Every layer of a deployment. Build once and share.
#[derive(Debug)]
pub struct MapLayers {
    layers: Vec<Layer>,
}

const STREET_CACHE: usize = 64 << 20;
const AERIAL_CACHE: usize = 32 << 20;

impl MapLayers {
    /// The built-in map alone: what the demo and the tests use.
    pub fn builtin() -> anyhow::Result<Self> {
        Self::from_config(&MapConfig::default())
    }

    pub fn from_config(config: &MapConfig) -> anyhow::Result<Self> {
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let credit =
            |v: &Option<String>, fallback: &str| set(v).unwrap_or_else(|| fallback.to_owned());
        let street = if let Some(url) = set(&config.tiles_url) {
            let t = UrlTemplate::parse(&url).context("tiles_url")?;
            (
                TileSource::url(t)?,
                credit(
                    &config.tiles_attribution,
                    "Tiles: the operator's tile server",
                ),
            )
        } else if let Some(file) = &config.mbtiles {
            (
                TileSource::mbtiles(file)?,
                credit(
                    &config.tiles_attribution,
                    "Tiles: the operator's MBTiles file",
                ),
            )
        } else if let Some(dir) = &config.tiles_dir {
            (
                TileSource::directory(dir)?,
                credit(
                    &config.tiles_attribution,
                    "Tiles: the operator's tile directory",
                ),
            )
        } else {
            (TileSource::builtin()?, BUILTIN_ATTRIBUTION.to_owned())
        };
        let mut layers = vec![Layer::new("street", street.0, street.1, STREET_CACHE)];
        if let Some(url) = set(&config.aerial_tiles_url) {
            let t = UrlTemplate::parse(&url).context("aerial_tiles_url")?;
            layers.push(Layer::new(
                "aerial",
                TileSource::url(t)?,
                credit(
                    &config.aerial_attribution,
                    "Imagery: the operator's aerial tile server",
                ),
                AERIAL_CACHE,
            ));
        }
        Ok(Self { layers })
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    pub fn get(&self, id: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.id == id)
    }

    /// The street layer, which every deployment has.
    pub fn street(&self) -> Option<&Layer> {
        self.get("street")
    }
}
