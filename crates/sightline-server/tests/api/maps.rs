//! The base map over HTTP (issue 9): real imagery from the built-in map,
//! 404 problems for tiles that do not exist, an operator's tile server used
//! when configured (a loopback server the test starts), public caching.

use crate::both_backends;
use crate::helpers::{Db, TestApp, spawn_app, spawn_app_with_maps};
use reqwest::StatusCode;
use serde_json::Value;
use sightline_maps::{ARTERIAL_RGB, MapConfig, MapLayers, TileId};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn rgb_pixels(bytes: &[u8]) -> Vec<[u8; 3]> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (256, 256));
    buf[..info.buffer_size()]
        .chunks_exact(info.color_type.samples())
        .map(|c| [c[0], c[1], c[2]])
        .collect()
}

fn variance(px: &[[u8; 3]]) -> f64 {
    let lum: Vec<f64> = px
        .iter()
        .map(|p| p.iter().map(|c| f64::from(*c)).sum::<f64>() / 3.0)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64
}

async fn tile(app: &TestApp, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let resp = app.client.get(app.url(path)).send().await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

async fn built_in_tiles_are_real_imagery(db: Db) {
    let app = spawn_app(db).await;
    let cam = sightline_demo::world()
        .camera("wilmington-de-police-01")
        .unwrap()
        .clone();
    let id = TileId::containing(cam.location.lat(), cam.location.lon(), 14);
    let path = format!("/tiles/street/14/{}/{}.png", id.x(), id.y());
    // No session: tiles carry no read data.
    let (status, headers, body) = tile(&app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["cache-control"], "public, max-age=86400");
    let px = rgb_pixels(&body);
    assert!(variance(&px) > 100.0, "variance {}", variance(&px));
    let street = px
        .iter()
        .filter(|p| {
            p.iter()
                .zip(ARTERIAL_RGB)
                .all(|(a, b)| (i32::from(*a) - i32::from(b)).abs() <= 6)
        })
        .count();
    assert!(street > 300, "{street} street-coloured pixels");
    // The same tile again comes from the cache, byte for byte.
    assert_eq!(tile(&app, &path).await.2, body);

    let us = TileId::containing(38.0, -90.0, 4);
    let (status, _, body) = tile(&app, &format!("/tiles/street/4/{}/{}.png", us.x(), us.y())).await;
    assert_eq!(status, StatusCode::OK);
    let px = rgb_pixels(&body);
    let distinct: std::collections::HashSet<_> = px.iter().collect();
    assert!(
        variance(&px) > 20.0 && distinct.len() > 50,
        "a z4 tile shows state lines"
    );
}

async fn tiles_that_do_not_exist_are_404_problems(db: Db) {
    let app = spawn_app(db).await;
    for path in [
        "/tiles/street/19/0/0.png",
        "/tiles/street/3/8/0.png",
        "/tiles/street/3/0/8.png",
        "/tiles/street/-1/0/0.png",
        "/tiles/street/a/0/0.png",
        "/tiles/street/3/0/0.jpg",
        "/tiles/street/3/0/0",
        "/tiles/aerial/3/0/0.png",
        "/tiles/satellite/3/0/0.png",
        "/tiles/street/3/0.png",
    ] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "not_found", "{path}: {body}");
    }
}

async fn map_config_names_the_layers_and_attribution(db: Db) {
    let app = spawn_app(db).await;
    let resp = app
        .client
        .get(app.url("/api/v1/map/config"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    let layers = body["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1, "{body}");
    assert_eq!(layers[0]["id"], "street");
    assert_eq!(layers[0]["max_zoom"], 18);
    assert_eq!(layers[0]["url"], "/tiles/street/{z}/{x}/{y}.png");
    assert_eq!(
        layers[0]["attribution"],
        "Boundaries: US Census Bureau via us-atlas (ISC) · Streets: Sightline demo"
    );
}

/// A loopback tile server: `body` for every tile, and a count of requests.
async fn tile_server(body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (body, counter) = (body.clone(), counter.clone());
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let _ = sock.read(&mut buf).await;
                counter.fetch_add(1, Ordering::SeqCst);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    (base, hits)
}

async fn a_configured_tile_server_is_used_and_cached(db: Db) {
    let known = crate::helpers::png("MAP001", "PA");
    let (base, hits) = tile_server(known.clone()).await;
    let maps = MapLayers::from_config(&MapConfig {
        tiles_url: Some(format!("{base}/street/{{z}}/{{x}}/{{y}}.png")),
        aerial_tiles_url: Some(format!("{base}/aerial/{{z}}/{{x}}/{{y}}.png")),
        tiles_attribution: Some("Tiles: County GIS".into()),
        ..MapConfig::default()
    })
    .unwrap();
    let app = spawn_app_with_maps(db, Some(Arc::new(maps))).await;
    let (status, headers, body) = tile(&app, "/tiles/street/5/9/12.png").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(body, known, "the operator's bytes pass through");
    assert_eq!(tile(&app, "/tiles/street/5/9/12.png").await.2, known);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the cache avoids a second fetch"
    );
    assert_eq!(
        tile(&app, "/tiles/aerial/5/9/12.png").await.0,
        StatusCode::OK
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    let config: Value = app.public_json("/api/v1/map/config").await;
    let ids: Vec<_> = config["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["street", "aerial"]);
    assert_eq!(config["layers"][0]["attribution"], "Tiles: County GIS");
}

both_backends!(
    built_in_tiles_are_real_imagery,
    tiles_that_do_not_exist_are_404_problems,
    map_config_names_the_layers_and_attribution,
    a_configured_tile_server_is_used_and_cached,
);
