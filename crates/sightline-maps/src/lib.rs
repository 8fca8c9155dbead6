//! Map tiles for Sightline. It sits beside the read flow, not in it: no
//! function here takes or returns read data. The web app's map and the
//! printable report both draw from the same [`MapLayers`]:
//!
//! * [`TileSource`]: where a layer's raster tiles come from, chosen by
//!   configuration ([`MapConfig`]): an operator's tile server (URL
//!   template), an MBTiles file, a z/x/y directory, or the built-in map.
//! * [`BuiltinMap`]: the offline base map Sightline renders itself into
//!   256 px PNG tiles: US state and county boundaries (us-atlas, Census
//!   derived, embedded) and the demo world's street grid with names.
//! * [`Layer`]: a source, its attribution and an LRU [`TileCache`].
//! * [`render_static`]: a PNG of a bounding box with numbered pins (one
//!   may be highlighted), for the report's map views; [`render_static_pixels`]
//!   gives the same image as raw RGB.
//!
//! See `docs/maps.md`.

mod boundaries;
mod builtin;
mod cache;
mod clip;
mod layers;
mod raster;
mod source;
mod static_map;
mod text;
mod tile;

pub use builtin::{ARTERIAL_RGB, BuiltinMap};
pub use cache::TileCache;
pub use layers::{BUILTIN_ATTRIBUTION, Layer, MapConfig, MapLayers, Tile};
pub use source::{TemplateError, TileError, TileSource, UrlTemplate, content_type};
pub use static_map::{
    BBox, HIGHLIGHT_RADIUS, HIGHLIGHT_RGB, MAX_SIDE, PIN_RADIUS, PIN_RGB, Pin, StaticMap,
    StaticMapError, StaticMapRenderError, StaticPixels, render_static, render_static_pixels,
};
pub use tile::{MAX_ZOOM, OutOfRange, TILE_SIZE, TileId, lat_lon, world_px};
