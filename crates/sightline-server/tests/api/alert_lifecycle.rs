//! Entry lifecycle by the injected clock (R4.7): prompt on day 351, no
//! matching from day 365, renewable until day 372, removed by day 373.

use crate::alerts::{add, entry, new_list, read};
use crate::both_backends;
use crate::helpers::{Db, START, mail_for, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::TenantScope;
use sightline_server::alerts::run_lifecycle;
use sightline_testkit::SmtpServer;
use time::Duration;

async fn entries_are_prompted_stop_matching_stay_renewable_a_week_then_go(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "Year").await;
    let kept = add(&app, &jones, list, entry("KEEP001", "PA")).await["entry"]["id"]
        .as_i64()
        .unwrap();
    let lapsed = add(&app, &jones, list, entry("LAPS001", "PA")).await["entry"]["id"]
        .as_i64()
        .unwrap();
    let notifier = sightline_server::alerts::Notifier::default();
    let day = |n: i64| START + Duration::days(n);

    app.clock.set(day(350));
    let r = run_lifecycle(&app.store, &notifier, app.now())
        .await
        .unwrap();
    assert!(r.prompted.is_empty());

    app.clock.set(day(351));
    // A year on, the investigator's annual training was renewed (R2.5).
    app.renew_training("hsi.jones").await;
    // Sessions lapse over a year: sign in again after each jump.
    let jones = app.login("hsi.jones").await;
    let r = run_lifecycle(&app.store, &notifier, app.now())
        .await
        .unwrap();
    assert_eq!(r.prompted.len(), 2);
    let prompts = mail_for(&smtp, "hsi.jones@agency.test", 2).await;
    assert_eq!(prompts.len(), 2);
    assert!(prompts.iter().all(|m| m.subject.contains("expires")));
    assert!(prompts[0].body.contains("affirm"));
    let jones_inbox: Value = app
        .get(&jones, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(jones_inbox["notifications"].as_array().unwrap().len(), 2);
    // A second pass the same day prompts nobody again.
    let r = run_lifecycle(&app.store, &notifier, app.now())
        .await
        .unwrap();
    assert!(r.prompted.is_empty());

    app.clock.set(day(365));
    let r = run_lifecycle(&app.store, &notifier, app.now())
        .await
        .unwrap();
    assert_eq!(r.expired.len(), 2);
    read(&app, "y-1", "KEEP001", "PA").await;
    read(&app, "y-2", "LAPS001", "PA").await;
    let (unsent, sent) = app.store.outbox().counts().await.unwrap();
    assert_eq!(unsent + sent, 2, "expired entries no longer match");

    app.clock.set(day(371));
    let jones = app.login("hsi.jones").await;
    let renewal = format!("/api/v1/alert-lists/{list}/entries/{kept}/renewal");
    let (s, body) = app.post_json(&jones, &renewal, &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "affirmation_required");
    let (s, body) = app
        .post_json(&jones, &renewal, &json!({"affirm_operational_need": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    read(&app, "y-3", "KEEP001", "PA").await;
    let (unsent, sent) = app.store.outbox().counts().await.unwrap();
    assert_eq!(unsent + sent, 3, "the renewed entry matches again");

    app.clock.set(day(373));
    let jones = app.login("hsi.jones").await;
    let r = run_lifecycle(&app.store, &notifier, app.now())
        .await
        .unwrap();
    assert_eq!(r.removed.len(), 1);
    assert_eq!(r.removed[0].id.0, lapsed);
    let (s, _) = app
        .post_json(
            &jones,
            &format!("/api/v1/alert-lists/{list}/entries/{lapsed}/renewal"),
            &json!({"affirm_operational_need": true}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let entries: Value = app
        .get(&jones, &format!("/api/v1/alert-lists/{list}/entries"))
        .await
        .json()
        .await
        .unwrap();
    let plates: Vec<&str> = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["plate"].as_str().unwrap())
        .collect();
    assert_eq!(plates, ["KEEP001"]);
    // Only the audit log remembers the removed entry: not the inbox either.
    let inbox: Value = app
        .get(&jones, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    let items = inbox["notifications"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|n| !n["body"].as_str().unwrap().contains("LAPS001")),
        "{inbox}"
    );
    let log = app
        .store
        .ledger()
        .all(TenantScope::Agency(app.agency_a))
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|r| r.entry.action.as_str()).collect();
    for a in [
        "alert.entry.added",
        "alert.entry.renewal_prompt",
        "alert.entry.expired",
        "alert.entry.renewed",
        "alert.entry.removed",
        "alert.hit",
        "notification.sent",
    ] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
    let removed = log
        .iter()
        .find(|r| r.entry.action == "alert.entry.removed")
        .unwrap();
    assert_eq!(removed.entry.field_str("plate"), Some("LAPS001"));
    assert_eq!(
        removed.entry.field_str("reason_code"),
        Some("criminal-investigation")
    );
    assert!(removed.entry.field_str("note").is_some());
}

both_backends!(entries_are_prompted_stop_matching_stay_renewable_a_week_then_go);
