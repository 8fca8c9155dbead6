//! On-device storage keys (R3.8): one per user per day, the same on every
//! node, served for 60 days after the day ends and never after.

use crate::both_backends;
use crate::helpers::{Db, TestApp, spawn_app};
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::Value;
use time::Duration;

async fn key(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let resp = app.get(token, path).await;
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

fn key_bytes(body: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(body["key"].as_str().unwrap())
        .unwrap()
}

async fn a_day_key_is_stable_per_user_and_differs_between_users(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let (status, first) = key(&app, &jones, "/api/v1/device-key").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let today = app.now().unix_timestamp().div_euclid(86_400);
    assert_eq!(first["key_id"], today);
    assert_eq!(first["max_age_days"], 60);
    assert_eq!(
        first["server_time"],
        app.now()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    );
    assert_eq!(key_bytes(&first).len(), 32);

    // Later the same day, by day id, and on another node: the same key.
    app.advance(Duration::hours(3));
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let (_, again) = key(&app, &jones, "/api/v1/device-key").await;
    assert_eq!(
        (again["key_id"].clone(), key_bytes(&again)),
        (first["key_id"].clone(), key_bytes(&first))
    );
    let (status, by_id) = key(&app, &jones, &format!("/api/v1/device-key/{today}")).await;
    assert_eq!(status, StatusCode::OK, "{by_id}");
    assert_eq!(key_bytes(&by_id), key_bytes(&first));
    let node = app.second_node().await;
    let other: Value = app
        .client
        .get(format!("{}/api/v1/device-key/{today}", node.base))
        .bearer_auth(&jones)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(key_bytes(&other), key_bytes(&first), "{other}");

    // Another user asking for the same day gets their own key, never jones's.
    let (status, smiths) = key(&app, &smith, &format!("/api/v1/device-key/{today}")).await;
    assert_eq!(status, StatusCode::OK, "{smiths}");
    assert_eq!(smiths["key_id"], today);
    assert_ne!(key_bytes(&smiths), key_bytes(&first));

    // The next day has a new key.
    app.advance(Duration::days(1));
    let jones = app.login("hsi.jones").await;
    let (_, tomorrow) = key(&app, &jones, "/api/v1/device-key").await;
    assert_eq!(tomorrow["key_id"], today + 1);
    assert_ne!(key_bytes(&tomorrow), key_bytes(&first));
}

async fn a_day_key_is_served_for_sixty_days_then_gone(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let (_, first) = key(&app, &jones, "/api/v1/device-key").await;
    let day = first["key_id"].as_i64().unwrap();
    let path = format!("/api/v1/device-key/{day}");

    // A day in the future is not a key id.
    let (status, problem) = key(&app, &jones, &format!("/api/v1/device-key/{}", day + 1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "key_id_invalid");
    assert_eq!(problem["field"], "key_id");
    let (status, problem) = key(&app, &jones, "/api/v1/device-key/yesterday").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("key_id_invalid"))
    );

    // 60 days on (sessions end after 30 idle minutes: sign in again).
    app.advance(Duration::days(60));
    let jones = app.login("hsi.jones").await;
    let (status, late) = key(&app, &jones, &path).await;
    assert_eq!(status, StatusCode::OK, "{late}");
    assert_eq!(key_bytes(&late), key_bytes(&first));
    assert_eq!(late["key_id"], day);

    // 61 days on the day's drafts are past their time: the key is gone.
    app.advance(Duration::days(1));
    let jones = app.login("hsi.jones").await;
    let (status, gone) = key(&app, &jones, &path).await;
    assert_eq!(status, StatusCode::GONE, "{gone}");
    assert_eq!(gone["code"], "device_key_expired");
    assert_eq!(gone["field"], "key_id");
    // Today's key still comes.
    let (status, today) = key(&app, &jones, "/api/v1/device-key").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(today["key_id"], day + 61);
}

both_backends!(
    a_day_key_is_stable_per_user_and_differs_between_users,
    a_day_key_is_served_for_sixty_days_then_gone,
);
