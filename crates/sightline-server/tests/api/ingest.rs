//! Ingest (R1): native JSON, NDJSON, multipart and OpenALPR; per-record
//! errors; idempotency; jurisdiction policy.

use crate::both_backends;
use crate::helpers::{Db, b64, png, record, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::TenantScope;
use time::Duration;

async fn mixed_batches_keep_valid_reads_and_report_bad_ones_by_index(db: Db) {
    let app = spawn_app(db).await;
    let now = app.now();
    let mut no_plate = record("bad-1", "XXX1", "PA", now);
    no_plate.as_object_mut().unwrap().remove("plate");
    let mut bad_state = record("bad-2", "XXX2", "PA", now);
    bad_state["state"] = json!("ZZ");
    bad_state["vehicle_photo"] = json!({"base64": "not base64!!"});
    let future = record("bad-3", "XXX3", "PA", now + Duration::hours(2));
    let batch = vec![
        record("ok-1", "MIX001", "PA", now - Duration::hours(1)),
        no_plate,
        bad_state,
        json!("not an object"),
        future,
        record("ok-2", "MIX001", "PA", now - Duration::hours(2)),
    ];
    let report = app.ingest(&app.pa_key, &batch).await;
    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(report["rejected"], 4);
    let results = report["results"].as_array().unwrap();
    let codes = |i: usize| -> Vec<String> {
        results[i]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(results[0]["status"], "accepted");
    assert_eq!(results[1]["index"], 1);
    assert_eq!(codes(1), ["plate_required"]);
    assert!(
        codes(2).contains(&"state_unknown".to_owned())
            && codes(2).contains(&"photo_invalid".to_owned()),
        "{:?}",
        codes(2)
    );
    assert_eq!(codes(3), ["record_malformed"]);
    assert_eq!(codes(4), ["captured_at_in_future"]);
    assert_eq!(results[5]["status"], "accepted");

    // NDJSON: a garbage line in the middle loses nothing around it.
    let lines = [
        record("nd-1", "MIX001", "PA", now - Duration::hours(3)).to_string(),
        "{this is not json".to_owned(),
        String::new(),
        record("nd-2", "MIX001", "PA", now - Duration::hours(4)).to_string(),
    ]
    .join("\n");
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/reads"))
        .bearer_auth(&app.pa_key)
        .header("content-type", "application/x-ndjson")
        .body(lines)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(report["results"][1]["index"], 1);
    assert_eq!(report["results"][1]["status"], "rejected");

    // A body that is not JSON at all is refused whole, with a problem document.
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/reads"))
        .bearer_auth(&app.pa_key)
        .header("content-type", "application/json")
        .body("[{\"plate\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "body_not_json");
    assert_eq!(problem["field"], "body");

    // Every accepted read is there.
    let token = app.login("hsi.jones").await;
    let (_, _, body) = app.query(&token, &seed_query("MIX001", "PA")).await;
    assert_eq!(body["result_count"], 4, "{body}");

    // The batches are in the operator's log with their counts.
    let batches = app
        .store
        .ledger()
        .recent(TenantScope::Operator, None, Some("ingest.batch"), None, 10)
        .await
        .unwrap();
    assert_eq!(batches.len(), 2);
    assert_eq!(batches[1].entry.fields["accepted"], 2);
    assert_eq!(batches[1].entry.fields["rejected"], 4);
}

async fn duplicate_submissions_are_not_duplicated(db: Db) {
    let app = spawn_app(db).await;
    let now = app.now();
    let batch: Vec<Value> = (0..3)
        .map(|i| {
            record(
                &format!("dup-{i}"),
                "DUP123",
                "PA",
                now - Duration::days(i + 1),
            )
        })
        .collect();
    let first = app.ingest(&app.pa_key, &batch).await;
    assert_eq!(first["accepted"], 3);
    let second = app.ingest(&app.pa_key, &batch).await;
    assert_eq!(second["accepted"], 0);
    assert_eq!(second["duplicates"], 3);
    assert_eq!(
        second["results"][0]["read_id"],
        first["results"][0]["read_id"]
    );
    assert_eq!(app.store.reads.count().await.unwrap(), 3);
    let token = app.login("hsi.jones").await;
    assert_eq!(
        app.query(&token, &seed_query("DUP123", "PA")).await.2["result_count"],
        3
    );
}

async fn openalpr_group_is_ingested_with_camera_position(db: Db) {
    let app = spawn_app(db).await;
    let epoch_ms = (app.now() - Duration::minutes(5)).unix_timestamp() * 1000;
    let group = json!({
        "version": 2,
        "data_type": "alpr_group",
        "epoch_start": epoch_ms,
        "epoch_end": epoch_ms + 1200,
        "agent_uid": "X8Jf3kDl",
        "agent_type": "alprd",
        "camera_id": 2001,
        "site_id": "104",
        "best_plate_number": "OAL4242",
        "best_region": "us-pa",
        "best_confidence": 91.2,
        "best_uuid": "X8Jf3kDl-2001-1732190400123",
        "best_plate": {"plate": "OAL4242", "confidence": 91.2, "region": "us-pa", "plate_crop_jpeg": b64(&png("OAL4242", "PA"))},
        "vehicle_crop_jpeg": b64(&png("OAL4242", "PA")),
        "vehicle": {"color": [{"name": "blue", "confidence": 80.0}]},
    });
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/openalpr"))
        .bearer_auth(&app.pa_key)
        .json(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["accepted"], 1, "{report}");
    // The same group again (agents retry) is a duplicate.
    let again: Value = app
        .client
        .post(app.url("/api/v1/ingest/openalpr"))
        .bearer_auth(&app.pa_key)
        .json(&group)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["duplicates"], 1);
    let token = app.login("hsi.jones").await;
    let (_, _, body) = app.query(&token, &seed_query("OAL4242", "PA")).await;
    assert_eq!(body["result_count"], 1, "{body}");
    let r = &body["results"][0];
    assert_eq!(r["nearest_address"], "1 Turnpike Rd, Harrisburg, PA 17112");
    assert_eq!(r["nearest_intersection"], "I-76 & PA-283");
    assert_eq!(r["location"]["lat"], 40.2171);

    // A camera nobody registered, with no GPS, is refused by name.
    let mut unknown = group.clone();
    unknown["camera_id"] = json!(9999);
    unknown["best_uuid"] = json!("other");
    let report: Value = app
        .client
        .post(app.url("/api/v1/ingest/openalpr"))
        .bearer_auth(&app.pa_key)
        .json(&unknown)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        report["results"][0]["errors"][0]["code"], "camera_unknown",
        "{report}"
    );

    // Heartbeats are not reads: they are recorded as the source's health
    // (tests/api/agents.rs); alerts are no reads either.
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/openalpr"))
        .bearer_auth(&app.pa_key)
        .json(&json!({"data_type": "heartbeat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["accepted"], 0, "{report}");
    assert_eq!(report["heartbeat"]["cameras"], 0, "{report}");
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/openalpr"))
        .bearer_auth(&app.pa_key)
        .json(&json!({"data_type": "alpr_alert"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

async fn multipart_batches_carry_photo_parts(db: Db) {
    let app = spawn_app(db).await;
    let now = app.now();
    let mut rec = record("mp-1", "MPT100", "PA", now - Duration::hours(1));
    rec["vehicle_photo"] = json!({"part": "veh"});
    rec["plate_photo"] = json!({"part": "plt"});
    let mut missing = record("mp-2", "MPT100", "PA", now - Duration::hours(1));
    missing["plate_photo"] = json!({"part": "nope"});
    let form = reqwest::multipart::Form::new()
        .text("reads", serde_json::to_string(&vec![rec, missing]).unwrap())
        .part(
            "veh",
            reqwest::multipart::Part::bytes(png("MPT100", "PA")).file_name("v.png"),
        )
        .part(
            "plt",
            reqwest::multipart::Part::bytes(png("MPT100", "PA")).file_name("p.png"),
        );
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
    assert_eq!(report["accepted"], 1, "{report}");
    assert_eq!(
        report["results"][1]["errors"][0]["code"],
        "photo_part_missing"
    );
}

async fn collection_forbidden_by_jurisdiction_is_refused(db: Db) {
    let app = spawn_app(db).await;
    let now = app.now();
    let report = app
        .ingest(&app.ar_key, &[record("ar-1", "ARK111", "AR", now)])
        .await;
    assert_eq!(report["accepted"], 0);
    let err = &report["results"][0]["errors"][0];
    assert_eq!(err["code"], "collection_not_allowed");
    assert!(err["message"].as_str().unwrap().contains("Arkansas"));
    // Reads older than the jurisdiction keeps are refused at the door too.
    let old = app
        .ingest(
            &app.pa_key,
            &[record(
                "pa-old",
                "OLD111",
                "PA",
                now - Duration::days(6 * 365),
            )],
        )
        .await;
    assert_eq!(old["results"][0]["errors"][0]["code"], "retention_expired");
}

both_backends!(
    mixed_batches_keep_valid_reads_and_report_bad_ones_by_index,
    duplicate_submissions_are_not_duplicated,
    openalpr_group_is_ingested_with_camera_position,
    multipart_batches_carry_photo_parts,
    collection_forbidden_by_jurisdiction_is_refused,
);
