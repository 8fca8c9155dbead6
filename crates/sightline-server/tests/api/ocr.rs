//! The OCR placeholder: investigators may send a photo; until the OCR
//! engine lands the answer is 503 `ocr_unavailable`, every call is audited
//! with the photo's hash and size, and the photo is kept nowhere.

use crate::both_backends;
use crate::helpers::{Db, TestApp, png, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;
use sightline_core::TenantScope;
use std::path::Path;

const DETAIL: &str =
    "Reading plates from photos is not available on this server yet: type the plate and state.";

async fn send(app: &TestApp, token: &str, ctype: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let resp = app
        .client
        .post(app.url("/api/v1/ocr/plate"))
        .bearer_auth(token)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    assert_eq!(
        resp.headers()["content-type"],
        "application/problem+json",
        "{status}"
    );
    (status, resp.json().await.unwrap())
}

fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .map(|e| e.unwrap().path())
            .map(|p| if p.is_dir() { files_under(&p) } else { 1 })
            .sum()
    })
}

async fn ocr_requests(app: &TestApp) -> Vec<sightline_audit::Entry> {
    app.store
        .ledger()
        .recent(
            TenantScope::Agency(app.agency_a),
            None,
            Some("ocr.requested"),
            None,
            10,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry)
        .collect()
}

async fn a_photo_is_audited_by_hash_and_answered_unavailable(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let blobs = app.dir.path().join("blobs");
    let (files_before, reads_before) = (
        files_under(&blobs),
        app.store.reads.watermark().await.unwrap(),
    );
    let photo = png("ABC123", "PA");
    let (status, problem) = send(&app, &jones, "image/png", photo.clone()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(problem["code"], "ocr_unavailable");
    assert_eq!(problem["detail"], DETAIL);

    let logged = ocr_requests(&app).await;
    assert_eq!(logged.len(), 1);
    let e = &logged[0];
    assert_eq!(e.outcome, sightline_audit::Outcome::Failed);
    assert_eq!(e.actor.user_id().unwrap().0, app.user_id("hsi.jones").await);
    assert_eq!(
        e.field_str("photo_sha256"),
        Some(sightline_store::sha256_hex(&photo).as_str())
    );
    assert_eq!(e.field_i64("photo_bytes"), Some(photo.len() as i64));
    assert_eq!(e.field_str("content_type"), Some("image/png"));
    assert_eq!(e.field_str("code"), Some("ocr_unavailable"));
    // Nothing of the photo is kept.
    assert_eq!(files_under(&blobs), files_before);
    assert_eq!(app.store.reads.watermark().await.unwrap(), reads_before);

    // A phone's JPEG at exactly the limit is still taken.
    let (status, _) = send(&app, &jones, "image/jpeg", vec![0xff; 15 * 1024 * 1024]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ocr_requests(&app).await.len(), 2);
}

async fn only_image_types_within_fifteen_megabytes_are_taken(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    for ctype in [
        "application/json",
        "text/plain",
        "image/",
        "multipart/form-data; boundary=x",
    ] {
        let (status, problem) = send(&app, &jones, ctype, b"{}".to_vec()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ctype}");
        assert_eq!(problem["code"], "photo_type_unsupported");
        assert_eq!(problem["field"], "body");
        assert!(problem["accepted"].as_str().unwrap().contains("image/"));
    }
    let (status, problem) =
        send(&app, &jones, "image/jpeg", vec![0xff; 15 * 1024 * 1024 + 1]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert_eq!(problem["code"], "photo_too_large");
    assert!(problem["accepted"].as_str().unwrap().contains("15 MB"));
    // Refusals are audited too, with the code given.
    let codes: Vec<String> = ocr_requests(&app)
        .await
        .iter()
        .map(|e| e.field_str("code").unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 5);
    assert_eq!(codes[0], "photo_too_large");
    assert!(codes[1..].iter().all(|c| c == "photo_type_unsupported"));

    // Investigators only.
    let manager = app.login("a.manager").await;
    let (status, problem) = send(&app, &manager, "image/png", png("ABC123", "PA")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(ocr_requests(&app).await.len(), 5);
}

both_backends!(
    a_photo_is_audited_by_hash_and_answered_unavailable,
    only_image_types_within_fifteen_megabytes_are_taken,
);
