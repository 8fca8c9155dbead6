//! Reading a plate from a photo (R3.8): an investigator's photo is read by
//! the real models and the candidates come back; the photo is kept sealed
//! in the agency's audit trail only (`ocr.read`), never in the read store;
//! the agency's auditors can view it, nobody else can.

use crate::both_backends;
use crate::helpers::{Db, TestApp, b64, png, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::TenantScope;
use std::path::Path;

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
    if !status.is_success() {
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{status}"
        );
    }
    (status, resp.json().await.unwrap())
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir).map_or(Vec::new(), |entries| {
        entries
            .map(|e| e.unwrap().path())
            .flat_map(|p| if p.is_dir() { files_under(&p) } else { vec![p] })
            .collect()
    })
}

async fn entries(app: &TestApp, action: &str) -> Vec<sightline_audit::Entry> {
    app.store
        .ledger()
        .recent(
            TenantScope::Agency(app.agency_a),
            None,
            Some(action),
            None,
            20,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry)
        .collect()
}

async fn stored_canonical(app: &TestApp, seq: i64) -> String {
    let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT canonical FROM audit_entries WHERE log_id = 'agency:{}' AND seq = {seq}",
        app.agency_a.0
    )))
    .fetch_all(app.store.db.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 1, "the ocr.read row");
    rows[0].0.clone()
}

async fn a_photo_is_read_and_kept_sealed_for_audit_only(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let blobs = app.dir.path().join("blobs");
    let (files_before, reads_before) = (
        files_under(&blobs),
        app.store.reads.watermark().await.unwrap(),
    );
    let photo = png("KLM2290", "PA");

    let (status, read) = send(&app, &jones, "image/png", photo.clone()).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["plate"], "KLM2290", "{read}");
    assert_eq!(read["state"], "PA", "{read}");
    assert!(read["confidence"].as_f64().unwrap() > 0.5, "{read}");
    let candidates = read["candidates"].as_array().unwrap();
    assert!((1..=4).contains(&candidates.len()), "{read}");
    assert_eq!(candidates[0]["plate"], "KLM2290");

    // The entry records the photo and what was returned.
    let logged = entries(&app, "ocr.read").await;
    assert_eq!(logged.len(), 1);
    let e = &logged[0];
    assert_eq!(e.seq, read["audit_seq"].as_i64().unwrap());
    assert_eq!(e.actor.user_id().unwrap().0, app.user_id("hsi.jones").await);
    assert_eq!(
        e.field_str("photo_sha256"),
        Some(sightline_store::sha256_hex(&photo).as_str())
    );
    assert_eq!(e.field_i64("photo_bytes"), Some(photo.len() as i64));
    assert_eq!(e.fields["candidates"][0]["plate"], "KLM2290");
    assert_eq!(e.field_str("plate"), Some("KLM2290"));
    // ...sealed: the plate is nowhere in the stored row.
    let canonical = stored_canonical(&app, e.seq).await;
    assert!(!canonical.contains("KLM2290"), "{canonical}");
    assert!(canonical.contains("\"sealed\""), "{canonical}");

    // The photo is one new blob, and not the photo in clear.
    let new: Vec<_> = files_under(&blobs)
        .into_iter()
        .filter(|f| !files_before.contains(f))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    let stored = std::fs::read(&new[0]).unwrap();
    assert_ne!(stored, photo);
    assert!(
        !stored.windows(4).any(|w| w == b"\x89PNG"),
        "the blob holds the PNG in clear"
    );
    // No read was stored, and a query for the plate finds nothing.
    assert_eq!(app.store.reads.watermark().await.unwrap(), reads_before);
    let (status, _, result) = app.query(&jones, &seed_query("KLM2290", "PA")).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["result_count"], 0, "{result}");

    // The agency's auditor views the photo, and that is audited.
    let path = format!("/api/v1/audit/entries/{}/ocr-photo", e.seq);
    let auditor = app.login("a.auditor").await;
    let resp = app.get(&auditor, &path).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), photo);
    let viewed = entries(&app, "ocr.photo_viewed").await;
    assert_eq!(viewed.len(), 1);
    assert_eq!(viewed[0].field_i64("ocr_seq"), Some(e.seq));
    // Nobody else does: not the investigator, not the operator, not another
    // agency's auditor; a query entry is no OCR photo.
    for (who, expected) in [
        ("hsi.jones", StatusCode::FORBIDDEN),
        ("operator", StatusCode::FORBIDDEN),
        ("b.auditor", StatusCode::NOT_FOUND),
    ] {
        let token = app.login(who).await;
        let status = app.get(&token, &path).await.status();
        assert!(
            status == expected || status == StatusCode::NOT_FOUND,
            "{who}: {status}"
        );
        assert!(status.is_client_error(), "{who}: {status}");
    }
    let query_seq = entries(&app, "query.run").await[0].seq;
    let status = app
        .get(
            &auditor,
            &format!("/api/v1/audit/entries/{query_seq}/ocr-photo"),
        )
        .await
        .status();
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(entries(&app, "ocr.photo_viewed").await.len(), 1);
}

async fn json_base64_and_multipart_read_the_same_plate(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let photo = png("7ABC123", "CA");
    let (status, read) = send(
        &app,
        &jones,
        "application/json",
        serde_json::to_vec(&json!({"photo": b64(&photo)})).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(
        (read["plate"].as_str(), read["state"].as_str()),
        (Some("7ABC123"), Some("CA"))
    );

    let form = reqwest::multipart::Form::new()
        .text("note", "ignored")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(photo.clone())
                .file_name("plate.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let resp = app
        .client
        .post(app.url("/api/v1/ocr/plate"))
        .bearer_auth(&jones)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let read: Value = resp.json().await.unwrap();
    assert_eq!(read["plate"], "7ABC123", "{read}");
    assert_eq!(entries(&app, "ocr.read").await.len(), 2);
}

async fn bad_photos_get_clear_refusals_and_are_audited(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.extend([0; 64]);
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "text/plain",
            b"hello".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "photo_type_unsupported",
        ),
        (
            "image/heic",
            heic,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "photo_type_unsupported",
        ),
        (
            "image/jpeg",
            b"\xff\xd8\xff\xe0 not a jpeg".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_unreadable",
        ),
        (
            "image/gif",
            b"GIF89a....".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_unreadable",
        ),
        (
            "application/json",
            b"{\"photo\": \"not base64!\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_unreadable",
        ),
        (
            "image/jpeg",
            vec![0xff; 15 * 1024 * 1024 + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo_too_large",
        ),
    ];
    for (ctype, body, status, code) in &cases {
        let (got, problem) = send(&app, &jones, ctype, body.clone()).await;
        assert_eq!(got, *status, "{ctype}: {problem}");
        assert_eq!(problem["code"], *code, "{ctype}: {problem}");
        assert_eq!(problem["field"], "photo", "{problem}");
        assert!(
            problem["accepted"].as_str().is_some_and(|a| !a.is_empty()),
            "{problem}"
        );
    }
    // Every refusal is audited with its code; nothing was read.
    let refused = entries(&app, "ocr.requested").await;
    assert_eq!(refused.len(), cases.len());
    let mut codes: Vec<&str> = refused
        .iter()
        .map(|e| e.field_str("code").unwrap())
        .collect();
    let mut expected: Vec<&str> = cases.iter().map(|c| c.3).collect();
    codes.sort_unstable();
    expected.sort_unstable();
    assert_eq!(codes, expected);
    assert!(entries(&app, "ocr.read").await.is_empty());

    // Investigators only.
    let manager = app.login("a.manager").await;
    let (status, problem) = send(&app, &manager, "image/png", png("ABC123", "PA")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
}

both_backends!(
    a_photo_is_read_and_kept_sealed_for_audit_only,
    json_base64_and_multipart_read_the_same_plate,
    bad_photos_get_clear_refusals_and_are_audited,
);
