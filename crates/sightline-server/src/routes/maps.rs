//! The base map: raster tiles for the web app's map and the map layers'
//! configuration. Both are public (no session): tiles and the base map data
//! carry no read data — pins come from query results in the page only — so
//! they reveal nothing a signed-out visitor may not see. See docs/maps.md.

use crate::app::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sightline_maps::{Layer, TileId};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The router path: matchit cannot match `{y}.png`, so `y` arrives with
/// its suffix and the handler strips it. OpenAPI shows the public form.
const TILE_ROUTE: &str = "/tiles/{layer}/{z}/{x}/{y}";

#[derive(OpenApi)]
#[openapi(paths(tile))]
struct TilesDoc;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(TilesDoc::openapi())
        .route(TILE_ROUTE, axum::routing::get(tile))
        .routes(routes!(config))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MapLayerDto {
    /// `street`, or `aerial` where the operator configured one.
    pub id: &'static str,
    /// Credit to show on the map and in reports.
    pub attribution: String,
    pub max_zoom: u8,
    /// XYZ template of the layer's tiles on this server.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MapConfigDto {
    pub layers: Vec<MapLayerDto>,
}

fn dto(layer: &Layer) -> MapLayerDto {
    MapLayerDto {
        id: layer.id(),
        attribution: layer.attribution().to_owned(),
        max_zoom: layer.max_zoom(),
        url: format!("/tiles/{}/{{z}}/{{x}}/{{y}}.png", layer.id()),
    }
}

/// The map layers this deployment serves, with their attribution.
#[utoipa::path(get, path = "/api/v1/map/config", tag = "maps",
    responses((status = 200, body = MapConfigDto), (status = 503, body = crate::error::Problem)))]
pub async fn config(State(state): State<AppState>) -> Result<Json<MapConfigDto>, ApiError> {
    let maps = state.maps().ok_or_else(maps_unavailable)?;
    Ok(Json(MapConfigDto {
        layers: maps.layers().iter().map(dto).collect(),
    }))
}

fn maps_unavailable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "maps_unavailable",
        "the base map failed to load on this server",
    )
}

fn no_tile(detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", detail)
}

/// One 256 px raster tile of a layer (XYZ, Web Mercator).
#[utoipa::path(get, path = "/tiles/{layer}/{z}/{x}/{y}.png", tag = "maps",
    params(
        ("layer" = String, Path, description = "`street`, or `aerial` where configured"),
        ("z" = u32, Path, description = "zoom, 0 to the layer's max_zoom"),
        ("x" = u32, Path, description = "column, below 2^z"),
        ("y" = u32, Path, description = "row from the north, below 2^z"),
    ),
    responses(
        (status = 200, content_type = "image/png", body = Vec<u8>),
        (status = 404, body = crate::error::Problem),
        (status = 502, body = crate::error::Problem),
    ))]
pub async fn tile(
    State(state): State<AppState>,
    Path((layer, z, x, y)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let maps = state.maps().ok_or_else(maps_unavailable)?;
    let layer = maps
        .get(&layer)
        .ok_or_else(|| no_tile(format!("no map layer {layer:?}")))?;
    let number = |s: &str| s.parse::<u32>().ok();
    let (Some(z), Some(x), Some(y)) = (
        number(&z),
        number(&x),
        y.strip_suffix(".png").and_then(number),
    ) else {
        return Err(no_tile("a tile is /tiles/{layer}/{z}/{x}/{y}.png"));
    };
    let id = TileId::new(z, x, y).map_err(|e| no_tile(e.to_string()))?;
    if id.z() > layer.max_zoom() {
        return Err(no_tile(format!(
            "{} goes to zoom {}",
            layer.id(),
            layer.max_zoom()
        )));
    }
    let tile = match layer.cache().get(id) {
        Some(bytes) => sightline_maps::Tile {
            content_type: sightline_maps::content_type(&bytes),
            bytes,
        },
        None => {
            let _permit = state
                .tile_permits()
                .acquire()
                .await
                .map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
            layer
                .tile(id)
                .await?
                .ok_or_else(|| no_tile("the tile source has no such tile"))?
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, tile.content_type),
            // Tiles hold no read data (the base map only), so any cache may
            // keep them; a day bounds how long an operator's change takes.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        tile.bytes,
    )
        .into_response())
}
