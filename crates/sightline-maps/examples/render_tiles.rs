//! Writes a few built-in tiles and static maps to a folder, for looking at:
//! `cargo run -p sightline-maps --example render_tiles -- /tmp/tiles`.

use sightline_maps::{BBox, MapLayers, Pin, TileId, render_static};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/tiles".into());
    std::fs::create_dir_all(&out)?;
    let layers = MapLayers::builtin()?;
    let street = layers
        .street()
        .ok_or_else(|| anyhow::anyhow!("no street layer"))?;
    for (lat, lon, z, name) in [
        (39.9526, -75.1652, 14, "philly-z14"),
        (39.9526, -75.1652, 16, "philly-z16"),
    ] {
        let id = TileId::containing(lat, lon, z);
        if let Some(t) = street.tile(id).await? {
            std::fs::write(format!("{out}/{name}.png"), &t.bytes)?;
        }
    }
    // (south, west, north, east, width, height, name)
    let views = [
        (24.0, -125.0, 50.0, -66.0, 900, 560, "us"),
        (37.5, -81.0, 42.5, -73.0, 800, 600, "mid-atlantic"),
        (39.6, -75.9, 40.2, -74.8, 800, 600, "philly-region"),
        (39.93, -75.20, 39.97, -75.13, 800, 600, "philly-streets"),
        (39.945, -75.175, 39.96, -75.155, 800, 600, "philly-close"),
    ];
    for (s, w, n, e, width, height, name) in views {
        let t = std::time::Instant::now();
        let pins = [Pin {
            lat: (s + n) / 2.0,
            lon: (w + e) / 2.0,
            label: "1".into(),
            highlight: false,
        }];
        let map = render_static(street, BBox::new(s, w, n, e)?, width, height, &pins).await?;
        eprintln!(
            "{name}: z{} {} bytes in {:?}",
            map.zoom,
            map.png.len(),
            t.elapsed()
        );
        std::fs::write(format!("{out}/{name}.png"), map.png)?;
    }
    Ok(())
}
