//! The operator's sources, cameras and collection policies over HTTP: a
//! source registered here ingests with its once-shown key, cameras are
//! placed and listed, and a policy change is audited with the old and new
//! values and takes effect on the next ingest.

use crate::both_backends;
use crate::helpers::{Db, TestApp, record, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::TenantScope;

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let resp = app
        .client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let resp = app.get(token, path).await;
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

async fn sources_cameras_and_policies_from_the_console(db: Db) {
    let app = spawn_app(db).await;
    let op = app.login("operator").await;

    // A bad form is refused field by field.
    let (status, body) = app
        .post(
            &op,
            "/api/v1/admin/sources",
            &json!({"name": " ", "kind": "drone", "jurisdiction": "ZZ"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["name", "place", "kind", "jurisdiction"] {
        assert!(fields.contains(&f), "{f} in {body}");
    }
    // Registered: the key is shown once and ingests.
    let (status, created) = app
        .post(
            &op,
            "/api/v1/admin/sources",
            &json!({"name": "Delaware Memorial Bridge toll", "kind": "toll_road", "jurisdiction": "DE", "place": "New Castle"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let key = created["key"].as_str().unwrap().to_owned();
    let source = created["id"].as_i64().unwrap();
    let now = app.now();
    let report = app
        .ingest(&key, &[record("de-1", "DEL100", "DE", now)])
        .await;
    assert_eq!(report["accepted"], 1, "{report}");
    let (status, body) = app
        .post(
            &op,
            "/api/v1/admin/sources",
            &json!({"name": "Delaware Memorial Bridge toll", "kind": "toll_road", "jurisdiction": "DE", "place": "New Castle"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("source_exists"))
    );

    // Cameras are placed, moved and listed.
    let cameras = format!("/api/v1/admin/sources/{source}/cameras");
    let camera = json!({"camera_id": "DMB/north-3", "lat": 39.6893, "lon": -75.5067,
        "nearest_address": "I-295 Delaware Memorial Bridge, New Castle, DE 19720", "nearest_intersection": "I-295 & US-40"});
    let (status, body) = app.post(&op, &cameras, &json!({"camera_id": "x", "lat": 95.0, "lon": 0.0, "nearest_address": "a", "nearest_intersection": "b"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("location_invalid"))
    );
    let (status, body) = app.post(&op, &cameras, &camera).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut moved = camera.clone();
    moved["lat"] = json!(39.6901);
    let (status, _) = app.post(&op, &cameras, &moved).await;
    assert_eq!(status, StatusCode::OK);
    let (status, list) = get(&app, &op, &cameras).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["cameras"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["cameras"][0]["lat"], 39.6901);
    let (status, _) = get(&app, &op, "/api/v1/admin/sources/9999/cameras").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Policies: every state, New Hampshire's three minutes among them.
    let (status, all) = get(&app, &op, "/api/v1/admin/collection-policies").await;
    assert_eq!(status, StatusCode::OK);
    let policies = all["policies"].as_array().unwrap();
    assert!(policies.len() >= 50, "{}", policies.len());
    let nh = policies.iter().find(|p| p["state"] == "NH").unwrap();
    assert_eq!(nh["retention_seconds"], 180);
    assert_eq!(all["max_retention_seconds"], 1826 * 86_400);
    for bad in [0, 59, 1827 * 86_400] {
        let (status, body) = put(
            &app,
            &op,
            "/api/v1/admin/collection-policies/DE",
            &json!({"collection_allowed": true, "retention_seconds": bad}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["field"], "retention_seconds");
    }
    let (status, _) = put(
        &app,
        &op,
        "/api/v1/admin/collection-policies/ZZ",
        &json!({"collection_allowed": true, "retention_seconds": 3600}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Delaware closes: audited with before and after, and the next read is refused.
    let (status, de) = put(
        &app,
        &op,
        "/api/v1/admin/collection-policies/DE",
        &json!({"collection_allowed": false, "retention_seconds": 30 * 86_400}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{de}");
    assert_eq!(
        (
            de["collection_allowed"].as_bool(),
            de["retention_seconds"].as_i64()
        ),
        (Some(false), Some(30 * 86_400))
    );
    let report = app
        .ingest(&key, &[record("de-2", "DEL101", "DE", now)])
        .await;
    assert_eq!(report["accepted"], 0, "{report}");
    assert_eq!(
        report["results"][0]["errors"][0]["code"],
        "collection_not_allowed"
    );
    let log = app.store.ledger().all(TenantScope::Operator).await.unwrap();
    let change = log
        .iter()
        .find(|r| r.entry.action == "admin.collection_policy_changed")
        .expect("audited");
    assert_eq!(change.entry.field_str("state"), Some("DE"));
    assert_eq!(change.entry.fields["collection_allowed_before"], true);
    assert_eq!(change.entry.fields["collection_allowed"], false);
    assert_eq!(
        change.entry.field_i64("retention_seconds"),
        Some(30 * 86_400)
    );
    assert!(log.iter().any(|r| r.entry.action == "admin.source_created"));
    assert!(log.iter().any(|r| r.entry.action == "admin.camera_saved"));
    // The key is never logged.
    assert!(!log.iter().any(|r| r.canonical.contains(&key)));
}

both_backends!(sources_cameras_and_policies_from_the_console);
