//! The built-in base map, the configured sources and the static map
//! renderer, against real PNG decoding and a real loopback tile server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sightline_maps::{
    ARTERIAL_RGB, BBox, HIGHLIGHT_RGB, Layer, MapConfig, MapLayers, PIN_RGB, Pin, TileId,
    TileSource, render_static, render_static_pixels,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// RGB pixels of a PNG, with its width.
fn pixels(png_bytes: &[u8]) -> (Vec<[u8; 3]>, u32) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks_exact(step)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (px, info.width)
}

fn variance(px: &[[u8; 3]]) -> f64 {
    let lum: Vec<f64> = px
        .iter()
        .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64
}

fn close(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tol)
}

fn builtin() -> Arc<MapLayers> {
    static LAYERS: std::sync::OnceLock<Arc<MapLayers>> = std::sync::OnceLock::new();
    LAYERS
        .get_or_init(|| Arc::new(MapLayers::builtin().unwrap()))
        .clone()
}

#[tokio::test]
async fn a_z14_tile_over_a_demo_metro_shows_streets() {
    let layers = builtin();
    let street = layers.street().unwrap();
    for cam in ["wilmington-de-toll-01", "philadelphia-pa-police-01"] {
        let cam = sightline_demo::world().camera(cam).unwrap().clone();
        let id = TileId::containing(cam.location.lat(), cam.location.lon(), 14);
        let tile = street.tile(id).await.unwrap().unwrap();
        assert_eq!(tile.content_type, "image/png");
        let (px, width) = pixels(&tile.bytes);
        assert_eq!((width, px.len()), (256, 256 * 256));
        let v = variance(&px);
        assert!(v > 100.0, "{}: variance {v}", cam.camera_id);
        let arterial = px.iter().filter(|p| close(**p, ARTERIAL_RGB, 6)).count();
        assert!(
            arterial > 300,
            "{}: {arterial} street-coloured pixels",
            cam.camera_id
        );
        // Dark label text: street names are drawn.
        let text = px.iter().filter(|p| p.iter().all(|c| *c < 90)).count();
        assert!(text > 50, "{}: {text} text pixels", cam.camera_id);
    }
}

#[tokio::test]
async fn a_z4_tile_over_the_us_shows_state_boundaries() {
    let layers = builtin();
    let id = TileId::containing(38.0, -90.0, 4);
    let tile = layers.street().unwrap().tile(id).await.unwrap().unwrap();
    let (px, _) = pixels(&tile.bytes);
    assert!(variance(&px) > 20.0, "variance {}", variance(&px));
    // The state-line purple.
    let lines = px
        .iter()
        .filter(|p| close(**p, [0x9a, 0x7b, 0xb0], 40) && p[2] > p[1])
        .count();
    assert!(lines > 100, "{lines} boundary pixels");
    let distinct: std::collections::HashSet<_> = px.iter().collect();
    assert!(distinct.len() > 50);
}

#[tokio::test]
async fn tiles_are_cached_and_deterministic() {
    let layers = MapLayers::builtin().unwrap();
    let street = layers.street().unwrap();
    let id = TileId::new(12, 1192, 1551).unwrap();
    let a = street.tile(id).await.unwrap().unwrap();
    assert_eq!(street.cache().len(), 1);
    let b = street.tile(id).await.unwrap().unwrap();
    assert_eq!(a.bytes, b.bytes);
    let fresh = MapLayers::builtin().unwrap();
    assert_eq!(
        fresh
            .street()
            .unwrap()
            .tile(id)
            .await
            .unwrap()
            .unwrap()
            .bytes,
        a.bytes
    );
}

/// A loopback tile server that answers every request with `body` and counts them.
async fn tile_server(body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let body = body.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("").to_owned();
                counter.fetch_add(1, Ordering::SeqCst);
                let (status, body) = if path.starts_with("/t/5/") {
                    ("404 Not Found", Vec::new())
                } else {
                    ("200 OK", body)
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    (format!("http://{addr}"), hits)
}

/// A known PNG: one 256 px tile of a single colour.
fn known_png() -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, 256, 256);
    enc.set_color(png::ColorType::Rgb);
    let mut w = enc.write_header().unwrap();
    w.write_image_data(&[0x20, 0x80, 0x40].repeat(256 * 256))
        .unwrap();
    w.finish().unwrap();
    out
}

#[tokio::test]
async fn a_url_template_source_is_fetched_once_and_passed_through() {
    let png = known_png();
    let (base, hits) = tile_server(png.clone()).await;
    let layers = MapLayers::from_config(&MapConfig {
        tiles_url: Some(format!("{base}/t/{{z}}/{{x}}/{{y}}.png")),
        aerial_tiles_url: Some(format!("{base}/a/{{z}}/{{x}}/{{y}}.png")),
        ..MapConfig::default()
    })
    .unwrap();
    assert!(matches!(
        layers.street().unwrap().source(),
        TileSource::Url { .. }
    ));
    let id = TileId::new(3, 2, 1).unwrap();
    let street = layers.street().unwrap();
    assert_eq!(street.tile(id).await.unwrap().unwrap().bytes, png);
    assert_eq!(street.tile(id).await.unwrap().unwrap().bytes, png);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the cache avoids a second fetch"
    );
    // Not found upstream is not found here.
    assert!(
        street
            .tile(TileId::new(5, 1, 1).unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let aerial = layers.get("aerial").unwrap();
    assert_eq!(aerial.tile(id).await.unwrap().unwrap().bytes, png);
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    // A static map drawn from the operator's tiles carries their colour.
    let map = render_static(
        street,
        BBox::new(30.0, -100.0, 40.0, -90.0).unwrap(),
        300,
        200,
        &[],
    )
    .await
    .unwrap();
    let (px, _) = pixels(&map.png);
    assert!(px.iter().filter(|p| **p == [0x20, 0x80, 0x40]).count() > 300 * 150);
}

#[tokio::test]
async fn directory_and_mbtiles_sources_serve_their_files() {
    let png = known_png();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("3/2")).unwrap();
    std::fs::write(dir.path().join("3/2/1.png"), &png).unwrap();
    let layers = MapLayers::from_config(&MapConfig {
        tiles_dir: Some(dir.path().to_owned()),
        ..MapConfig::default()
    })
    .unwrap();
    let street = layers.street().unwrap();
    assert_eq!(
        street
            .tile(TileId::new(3, 2, 1).unwrap())
            .await
            .unwrap()
            .unwrap()
            .bytes,
        png
    );
    assert!(
        street
            .tile(TileId::new(3, 2, 2).unwrap())
            .await
            .unwrap()
            .is_none()
    );

    let file = dir.path().join("map.mbtiles");
    {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::query("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
            .execute(&mut conn)
            .await
            .unwrap();
        // TMS rows count from the south: XYZ y = 1 at z3 is row 8 - 1 - 1 = 6.
        sqlx::query("INSERT INTO tiles VALUES (3, 2, 6, ?)")
            .bind(&png)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let layers = MapLayers::from_config(&MapConfig {
        mbtiles: Some(file),
        ..MapConfig::default()
    })
    .unwrap();
    let street = layers.street().unwrap();
    assert!(matches!(street.source(), TileSource::MbTiles(_)));
    assert_eq!(
        street
            .tile(TileId::new(3, 2, 1).unwrap())
            .await
            .unwrap()
            .unwrap()
            .bytes,
        png
    );
    assert!(
        street
            .tile(TileId::new(3, 2, 6).unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

#[test]
fn bad_configuration_is_refused() {
    for url in [
        "ftp://tiles/{z}/{x}/{y}",
        "http://tiles/{z}/{x}.png",
        "https://tiles/{z}/{x}/{y}.png",
    ] {
        let cfg = MapConfig {
            tiles_url: Some(url.into()),
            ..MapConfig::default()
        };
        assert!(MapLayers::from_config(&cfg).is_err(), "{url}");
    }
    let cfg = MapConfig {
        mbtiles: Some("/nonexistent/x.mbtiles".into()),
        ..MapConfig::default()
    };
    assert!(MapLayers::from_config(&cfg).is_err());
}

async fn static_of(street: &Layer, bbox: BBox, pins: &[Pin]) -> sightline_maps::StaticMap {
    render_static(street, bbox, 480, 320, pins).await.unwrap()
}

#[tokio::test]
async fn static_maps_draw_pins_and_differ_by_box() {
    let layers = builtin();
    let street = layers.street().unwrap();
    let w = sightline_demo::world();
    let cams: Vec<_> = w
        .cameras
        .iter()
        .filter(|c| c.source_key.starts_with("philadelphia-pa-"))
        .take(3)
        .collect();
    let pins: Vec<Pin> = cams
        .iter()
        .enumerate()
        .map(|(i, c)| Pin {
            lat: c.location.lat(),
            lon: c.location.lon(),
            label: (i + 1).to_string(),
            highlight: i == 0,
        })
        .collect();
    let points: Vec<(f64, f64)> = pins.iter().map(|p| (p.lat, p.lon)).collect();
    let close_up = BBox::around(&points[..1], 0.004).unwrap();
    let overview = BBox::around(&points, 0.05).unwrap();
    let a = static_of(street, close_up, &pins).await;
    let b = static_of(street, overview, &pins).await;
    assert!(a.zoom > b.zoom, "{} vs {}", a.zoom, b.zoom);
    assert_ne!(a.png, b.png);
    for map in [&a, &b] {
        let (px, width) = pixels(&map.png);
        assert_eq!(width, 480);
        assert!(variance(&px) > 50.0);
        for (i, (x, y)) in map.pins_px.iter().enumerate() {
            if *x < 0.0 || *y < 0.0 || *x >= 480.0 || *y >= 320.0 {
                continue;
            }
            // Below the number, inside the pin's disc; the first is highlighted.
            let (x, y) = (*x as usize, (*y + 7.0) as usize);
            let p = px[y * 480 + x];
            let want = if i == 0 { HIGHLIGHT_RGB } else { PIN_RGB };
            assert!(close(p, want, 12), "pin {i} pixel {p:?} at {x},{y}");
        }
    }
    // The close-up's first pin is in the middle of the image.
    let (x, y) = a.pins_px[0];
    assert!(
        (x - 240.0).abs() < 2.0 && (y - 160.0).abs() < 2.0,
        "{x},{y}"
    );
    // The same map as raw pixels.
    let raw = render_static_pixels(street, close_up, 480, 320, &pins)
        .await
        .unwrap();
    assert_eq!((raw.width, raw.height, raw.zoom), (480, 320, a.zoom));
    let (px, _) = pixels(&a.png);
    assert_eq!(raw.rgb, px.concat());
    assert!(BBox::new(10.0, 0.0, 5.0, 1.0).is_err());
    assert!(render_static(street, close_up, 0, 10, &[]).await.is_err());
}
