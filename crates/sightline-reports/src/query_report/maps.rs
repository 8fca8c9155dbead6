//! Drawing the report's maps: `parallel` at a time, in order. Each is a
//! static map from the layer (tiles through its cache; compositing on the
//! blocking pool), then compressed for the PDF on the blocking pool too.

use super::images::pixels_image;
use super::views::MapView;
use futures_util::StreamExt as _;
use krilla::image::Image;
use sightline_maps::{Layer, render_static_pixels};

/// One image per view, in order; `None` where there is no view, no layer,
/// or the layer failed.
pub(crate) async fn render_all(
    layer: Option<&Layer>,
    views: Vec<Option<MapView>>,
    parallel: usize,
) -> Vec<Option<Image>> {
    futures_util::stream::iter(views)
        .map(|v| async move {
            let (layer, v) = (layer?, v?);
            let map = render_static_pixels(layer, v.bbox, v.width, v.height, &v.pins)
                .await
                .ok()?;
            tokio::task::spawn_blocking(move || pixels_image(map.rgb, map.width, map.height))
                .await
                .ok()
                .flatten()
        })
        .buffered(parallel)
        .collect()
        .await
}
