//! What a source and the operator learn from ingest (issue 15): nothing of
//! the agencies' alert lists. The response and the operator's `ingest.batch`
//! entry are the same for a listed plate as for any other, and matching runs
//! after the response, so its timing tells nothing either; the hit still
//! reaches the agency, and survives a restart between commit and matching.

use crate::alerts::{add, entry, new_list};
use crate::both_backends;
use crate::helpers::{Db, TestApp, record, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;
use sightline_core::TenantScope;
use time::Duration;

/// Posts one read without waiting for the matcher.
async fn send(app: &TestApp, id: &str, plate: &str) -> Value {
    let at = app.now() - Duration::minutes(5);
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/reads"))
        .bearer_auth(&app.pa_key)
        .json(&[record(id, plate, "PA", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// A report with what differs between any two batches (ids) taken out.
fn shape(mut report: Value) -> Value {
    for item in report["results"].as_array_mut().unwrap() {
        item["read_id"] = Value::Null;
        item["source_read_id"] = Value::Null;
    }
    report
}

async fn operator_batches(app: &TestApp) -> Vec<Value> {
    app.store
        .ledger()
        .recent(TenantScope::Operator, None, Some("ingest.batch"), None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| Value::Object(e.entry.fields))
        .collect()
}

async fn hits(app: &TestApp) -> usize {
    app.store
        .ledger()
        .recent(
            TenantScope::Agency(app.agency_a),
            None,
            Some("alert.hit"),
            None,
            10,
        )
        .await
        .unwrap()
        .len()
}

async fn notifications(app: &TestApp, token: &str) -> usize {
    let body: Value = app
        .get(token, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    body["notifications"].as_array().unwrap().len()
}

async fn a_listed_plate_looks_to_the_source_and_operator_like_any_other(db: Db) {
    let mut app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "Case 12345678").await;
    add(&app, &jones, list, entry("LIST001", "PA")).await;
    // With the matcher stopped, ingest still answers: it does not wait for
    // matching, so how long it takes cannot depend on the lists.
    app.matcher.stop().await;
    let listed = send(&app, "priv-1", "LIST001").await;
    let clean = send(&app, "priv-2", "CLEAN01").await;
    assert_eq!(
        shape(listed.clone()),
        shape(clean.clone()),
        "{listed} / {clean}"
    );
    assert_eq!(notifications(&app, &jones).await, 0);
    assert_eq!(hits(&app).await, 0);
    // The operator's log says the same of both, and nothing of alerts.
    let batches = operator_batches(&app).await;
    assert_eq!(batches.len(), 2);
    let strip = |f: &Value| {
        let mut f = f.clone();
        f.as_object_mut().unwrap().remove("source_id");
        f
    };
    assert_eq!(strip(&batches[0]), strip(&batches[1]));
    for b in &batches {
        assert!(b.get("alerts").is_none(), "{b}");
        assert_eq!(b["accepted"], 1);
    }
    // The matcher, once it runs, still tells the agency.
    let matched = app.state.drain_matcher().await.unwrap();
    assert_eq!(matched, 2);
    assert_eq!(notifications(&app, &jones).await, 1);
    assert_eq!(hits(&app).await, 1);
    // A second pass finds nothing more to do.
    assert_eq!(app.state.drain_matcher().await.unwrap(), 0);
    assert_eq!(notifications(&app, &jones).await, 1);
    // The operator log's entries are unchanged by the hit.
    assert_eq!(operator_batches(&app).await.len(), 2);
}

async fn a_restart_between_commit_and_matching_still_matches(db: Db) {
    let mut app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "Case 12345678").await;
    add(&app, &jones, list, entry("LIST002", "PA")).await;
    // The server acknowledges the read, then dies before its matcher runs.
    app.matcher.stop().await;
    send(&app, "crash-1", "LIST002").await;
    assert_eq!(app.store.reads.unmatched().await.unwrap(), 1);
    assert_eq!(hits(&app).await, 0);
    // A new process resumes from the queue the read was committed with.
    app.restart().await;
    app.matched().await;
    assert_eq!(app.store.reads.unmatched().await.unwrap(), 0);
    assert_eq!(hits(&app).await, 1);
    let jones = app.login("hsi.jones").await;
    assert_eq!(notifications(&app, &jones).await, 1);
}

both_backends!(
    a_listed_plate_looks_to_the_source_and_operator_like_any_other,
    a_restart_between_commit_and_matching_still_matches,
);
