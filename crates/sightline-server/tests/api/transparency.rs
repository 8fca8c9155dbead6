//! The public transparency page's data: only publishing agencies, figures
//! that match a hand-counted fixture, counts under 5 withheld, no plate,
//! name or case text anywhere, and a checkpoint outsiders can check.

use crate::alerts::{add, entry, new_list, read};
use crate::both_backends;
use crate::helpers::{Db, TestApp, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::TenantScope;
use time::Duration;

const CASE: &str = "Operation Kestrel file 99-A";

async fn page(app: &TestApp) -> Value {
    app.public_json("/api/v1/transparency").await
}

async fn run(app: &TestApp, token: &str, plate: &str, reason: &str) {
    let mut q = seed_query(plate, "PA");
    q["reason_code"] = json!(reason);
    q["case_reference"] = json!(CASE);
    let (status, _, body) = app.query(token, &q).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn transparency_page_publishes_aggregates_only(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let manager = app.login("a.manager").await;
    // The fixture, counted by hand: 13 searches this month; 6 found reads,
    // 7 did not; 11 for criminal-investigation, 2 for terrorism.
    read(&app, "t-1", "TRN100", "PA").await;
    for _ in 0..6 {
        run(&app, &jones, "TRN100", "criminal-investigation").await;
    }
    for i in 0..5 {
        run(&app, &jones, &format!("TRM20{i}"), "criminal-investigation").await;
    }
    for i in 0..2 {
        run(&app, &jones, &format!("TRT30{i}"), "terrorism").await;
    }
    let list = new_list(&app, &jones, "Kestrel").await;
    add(&app, &jones, list, entry("TRL400", "PA")).await;
    app.store
        .ledger()
        .checkpoint(TenantScope::Agency(app.agency_a))
        .await
        .unwrap();

    // Nobody publishes yet.
    let p = page(&app).await;
    assert_eq!(p["agencies"], json!([]), "{p}");
    assert_eq!(p["suppressed_below"], 5);
    let pa = p["retention"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["state"] == "PA")
        .unwrap()
        .clone();
    assert!(pa["retention_seconds"].as_i64().unwrap() > 86_400, "{pa}");
    let nh = p["retention"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["state"] == "NH")
        .unwrap()
        .clone();
    assert_eq!(
        nh["retention_seconds"], 180,
        "New Hampshire keeps reads 3 minutes"
    );

    // Only an agency-wide manager publishes; the choice is audited.
    let resp = app
        .client
        .put(app.url("/api/v1/agency/transparency"))
        .bearer_auth(&jones)
        .json(&json!({"published": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = app
        .client
        .put(app.url("/api/v1/agency/transparency"))
        .bearer_auth(&manager)
        .json(&json!({"published": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let setting: Value = resp.json().await.unwrap();
    assert_eq!(setting["published"], true);
    let log = app
        .store
        .ledger()
        .all(TenantScope::Agency(app.agency_a))
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|r| r.entry.action == "agency.transparency_changed")
    );

    let p = page(&app).await;
    let agencies = p["agencies"].as_array().unwrap();
    assert_eq!(agencies.len(), 1, "agency B does not publish");
    let a = &agencies[0];
    assert_eq!(a["agency"], "Agency A");
    assert_eq!(a["users_with_access"], 5);
    assert_eq!(
        a["active_alert_entries"],
        Value::Null,
        "1 entry: fewer than 5"
    );
    let months = a["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let now = months.last().unwrap();
    assert_eq!(
        (now["month"].as_str(), now["partial"].as_bool()),
        (Some("2026-11"), Some(true))
    );
    assert_eq!(now["searches"], 13, "{a}");
    assert_eq!(now["positive_hit_percent"], 46.2, "6 of 13");
    assert!(
        months[..11]
            .iter()
            .all(|m| m["searches"] == 0 && m["positive_hit_percent"].is_null())
    );
    assert_eq!(months[0]["month"], "2025-12");
    let reason = |code: &str| {
        a["reason_codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["reason_code"] == code)
            .map(|r| r["searches"].clone())
    };
    assert_eq!(reason("criminal-investigation"), Some(json!(11)));
    assert_eq!(
        reason("terrorism"),
        Some(Value::Null),
        "2 searches: fewer than 5"
    );
    // The checkpoint is the log's latest signed one, with the key to check it.
    let cp = app
        .store
        .ledger()
        .latest_checkpoint(TenantScope::Agency(app.agency_a))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a["checkpoint"]["tree_size"], cp.size);
    assert_eq!(a["checkpoint"]["note"], cp.note.as_str());
    let vkey = a["checkpoint"]["vkey"].as_str().unwrap();
    let verifier = sightline_audit::NoteVerifier::from_vkey(vkey).unwrap();
    assert!(
        verifier.open(&cp.note).is_ok(),
        "the published note verifies"
    );

    // No plate, name or case text anywhere on the page.
    let text = p.to_string();
    for secret in [
        "TRN100",
        "TRM200",
        "TRT300",
        "TRL400",
        CASE,
        "hsi.jones",
        "a.manager",
        "Kestrel",
    ] {
        assert!(!text.contains(secret), "{secret} is on the public page");
    }

    // Figures are recomputed at most every 15 minutes.
    for i in 0..3 {
        run(&app, &jones, &format!("TRM21{i}"), "criminal-investigation").await;
    }
    assert_eq!(
        page(&app).await["agencies"][0]["months"][11]["searches"],
        13
    );
    app.advance(Duration::minutes(15));
    assert_eq!(
        page(&app).await["agencies"][0]["months"][11]["searches"],
        16
    );

    // Unpublishing takes the agency off at once.
    let manager = app.login("a.manager").await;
    let resp = app
        .client
        .put(app.url("/api/v1/agency/transparency"))
        .bearer_auth(&manager)
        .json(&json!({"published": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(page(&app).await["agencies"], json!([]));
}

both_backends!(transparency_page_publishes_aggregates_only);
