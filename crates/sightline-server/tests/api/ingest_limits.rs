//! Ingest's memory bounds (issue 15): records per batch, references to one
//! photo part, and ingest requests at once. Each over-limit request is
//! refused whole, with a problem naming the limit; nothing in it is stored
//! and what is sent within the limits is stored in full.

use crate::both_backends;
use crate::helpers::{Db, TestApp, png, record, spawn_app_with_ingest_limits};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_server::ingest_limits::IngestLimits;
use time::Duration;

const LIMITS: IngestLimits = IngestLimits {
    max_records: 3,
    max_part_refs: 2,
    max_concurrent: 1,
};

fn batch(app: &TestApp, prefix: &str, n: usize) -> Vec<Value> {
    let at = app.now() - Duration::minutes(5);
    (0..n)
        .map(|i| record(&format!("{prefix}-{i}"), "CAP1234", "PA", at))
        .collect()
}

async fn stored(app: &TestApp) -> i64 {
    app.store.reads.count().await.unwrap()
}

async fn problem(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    (status, resp.json().await.unwrap())
}

async fn a_batch_over_the_record_limit_is_refused_whole(db: Db) {
    let app = spawn_app_with_ingest_limits(db, LIMITS).await;
    let over = batch(&app, "over", 4);
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/reads"))
        .bearer_auth(&app.pa_key)
        .json(&over)
        .send()
        .await
        .unwrap();
    let (status, body) = problem(resp).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "batch_too_many_records");
    assert_eq!(body["accepted"], "at most 3 records a request");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("nothing in it was stored")
    );
    // NDJSON, one line past the limit (blank lines do not count).
    let lines: String = over.iter().map(|r| format!("{r}\n\n")).collect();
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/reads"))
        .bearer_auth(&app.pa_key)
        .header("content-type", "application/x-ndjson")
        .body(lines)
        .send()
        .await
        .unwrap();
    let (status, body) = problem(resp).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "batch_too_many_records");
    // OpenALPR alpr_results with more results than the limit.
    let results: Vec<Value> = (0..4)
        .map(|_| json!({"plate": "CAP1234", "confidence": 90.0}))
        .collect();
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/openalpr"))
        .bearer_auth(&app.pa_key)
        .json(&json!({"data_type": "alpr_results", "uuid": "u-1", "epoch_time": 1, "results": results}))
        .send()
        .await
        .unwrap();
    let (status, body) = problem(resp).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "batch_too_many_records");
    assert_eq!(stored(&app).await, 0, "nothing of a refused batch is kept");
    // At the limit, every record is stored.
    let report = app.ingest(&app.pa_key, &batch(&app, "at", 3)).await;
    assert_eq!(report["accepted"], 3, "{report}");
    assert_eq!(stored(&app).await, 3);
}

fn multipart(app: &TestApp, refs: &[(&str, &str)]) -> reqwest::multipart::Form {
    let at = app.now() - Duration::minutes(5);
    let records: Vec<Value> = refs
        .iter()
        .enumerate()
        .map(|(i, (vehicle, plate))| {
            let mut r = record(&format!("part-{i}-{vehicle}-{plate}"), "CAP1234", "PA", at);
            r["vehicle_photo"] = json!({"part": vehicle});
            r["plate_photo"] = json!({"part": plate});
            r
        })
        .collect();
    let photo = || reqwest::multipart::Part::bytes(png("CAP1234", "PA")).mime_str("image/png");
    reqwest::multipart::Form::new()
        .text("reads", serde_json::to_string(&records).unwrap())
        .part("shared", photo().unwrap())
        .part("other", photo().unwrap())
}

async fn a_photo_part_named_by_too_many_records_is_refused(db: Db) {
    let app = spawn_app_with_ingest_limits(db, LIMITS).await;
    // 'shared' serves three photos, one more than the limit.
    let form = multipart(
        &app,
        &[
            ("shared", "other"),
            ("shared", "other"),
            ("shared", "other"),
        ],
    );
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/reads"))
        .bearer_auth(&app.pa_key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = problem(resp).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "photo_part_overused");
    assert_eq!(body["field"], "shared");
    assert_eq!(body["accepted"], "a photo part named by at most 2 photos");
    assert_eq!(stored(&app).await, 0);
    // Two photos of one part are within the limit: both reads are stored.
    let form = multipart(&app, &[("shared", "other"), ("shared", "other")]);
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/reads"))
        .bearer_auth(&app.pa_key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(stored(&app).await, 2);
}

async fn a_full_node_refuses_ingest_at_once_with_retry_after(db: Db) {
    let app = spawn_app_with_ingest_limits(db, LIMITS).await;
    // The one permit is taken, as by a request still being read.
    let held = app.state.ingest_gate().enter().unwrap();
    let native = app
        .client
        .post(app.url("/api/v1/ingest/reads"))
        .bearer_auth(&app.pa_key)
        .json(&batch(&app, "busy", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(native.headers()["retry-after"], "1");
    let (status, body) = problem(native).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "ingest_busy");
    assert_eq!(body["accepted"], "at most 1 ingest requests at once");
    let alpr = app
        .client
        .post(app.url("/api/v1/ingest/openalpr"))
        .bearer_auth(&app.pa_key)
        .json(&json!({"data_type": "heartbeat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(alpr.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(alpr.headers()["retry-after"], "1");
    // A key that is not an ingest key is refused before any permit is taken.
    let forged = app
        .client
        .post(app.url("/api/v1/ingest/reads"))
        .bearer_auth("sk_forged")
        .json(&batch(&app, "forged", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(stored(&app).await, 0);
    // Once the permit is back, the same request is stored, and the refused
    // ones hold no permit.
    drop(held);
    let report = app.ingest(&app.pa_key, &batch(&app, "busy", 1)).await;
    assert_eq!(report["accepted"], 1, "{report}");
    let again = app.ingest(&app.pa_key, &batch(&app, "again", 1)).await;
    assert_eq!(again["accepted"], 1, "{again}");
}

both_backends!(
    a_batch_over_the_record_limit_is_refused_whole,
    a_photo_part_named_by_too_many_records_is_refused,
    a_full_node_refuses_ingest_at_once_with_retry_after,
);
