//! Kill -9 the server after an alert hit committed and before its email was
//! sent: after a restart the email arrives, exactly once, on both backends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use base64::Engine as _;
use serde_json::{Value, json};
use sightline_core::alert::NotifyScope;
use sightline_core::purpose::ReasonCode;
use sightline_core::text::Note;
use sightline_core::{Clock, Jurisdiction, Plate, Role, SystemClock};
use sightline_store::{NewEntry, NewUser, Store};
use sightline_testkit::SmtpServer;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{Deployment, printed};
use time::format_description::well_known::Rfc3339;

async fn hit_committed_before_a_kill_is_emailed_once_after_restart(postgres: bool) {
    let dep = Deployment::new(postgres).await;
    let out = dep.run(&[
        "admin",
        "create-source",
        "Alert crash camera",
        "--kind",
        "toll_road",
        "--jurisdiction",
        "PA",
        "--place",
        "Pennsylvania",
    ]);
    let key = printed(&out, "ingest key (shown once):");
    // An investigator with one entry, written through the store.
    {
        let store = Store::open(&dep.store_config(), Arc::new(SystemClock))
            .await
            .unwrap();
        let now = store.clock.now();
        let agency = store
            .tenancy()
            .create_agency("Crash PD", 5, now)
            .await
            .unwrap();
        let user = store
            .tenancy()
            .create_user(
                &NewUser {
                    agency_id: Some(agency),
                    aor_id: None,
                    program_id: None,
                    username: "crash.owner".into(),
                    display_name: "Crash Owner".into(),
                    email: "crash.owner@agency.test".into(),
                    role: Role::Investigator,
                    password_hash: "x".into(),
                },
                now,
            )
            .await
            .unwrap();
        let alerts = store.alerts();
        let list_id = alerts
            .create_list(agency, user, "Crash", now)
            .await
            .unwrap();
        let list = alerts.list(agency, list_id).await.unwrap().unwrap();
        alerts
            .add_entries(
                &list,
                &[NewEntry {
                    plate: Plate::parse("KILL9").unwrap(),
                    jurisdiction: Jurisdiction::parse("PA").unwrap(),
                    reason_code: ReasonCode::parse("criminal-investigation").unwrap(),
                    note: Note::parse("Case 9").unwrap(),
                    notify: NotifyScope::Owner,
                    recipients: Vec::new(),
                    group: None,
                }],
                now,
            )
            .await
            .unwrap();
    }
    // First life: no SMTP configured, so nothing can be sent before the kill.
    let mut server = dep.serve().await;
    let photo = base64::engine::general_purpose::STANDARD.encode(sightline_demo::render_plate_png(
        &Plate::parse("KILL9").unwrap(),
        Jurisdiction::parse("PA").unwrap(),
    ));
    let at = SystemClock.now() - time::Duration::minutes(1);
    let report: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/ingest/reads", server.base))
        .bearer_auth(&key)
        .json(&json!([{
            "source_read_id": "kill-1",
            "plate": "KILL9",
            "state": "PA",
            "captured_at": at.format(&Rfc3339).unwrap(),
            "location": {"lat": 40.0, "lon": -76.0},
            "nearest_address": "1 Crash Test Rd",
            "nearest_intersection": "Crash Rd & Test Ave",
            "vehicle_photo": {"base64": photo},
            "plate_photo": {"base64": photo},
        }]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["accepted"], 1, "{report}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);

    // Second life, with SMTP: the queued email goes out once.
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let _server = dep
        .serve_with_env(&[
            ("SIGHTLINE_SMTP_URL", url.as_str()),
            ("SIGHTLINE_MAIL_FROM", "alerts@sightline.test"),
        ])
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while smtp.messages().is_empty() && Instant::now() < deadline {
        // Waiting on two real processes; no test clock is involved.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = smtp.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].to, "crash.owner@agency.test");
    assert!(got[0].subject.contains("KILL9"));
    // It is marked sent, so nothing follows.
    let store = Store::open(&dep.store_config(), Arc::new(SystemClock))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.outbox().counts().await.unwrap() != (0, 1) {
        assert!(Instant::now() < deadline, "never marked sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_hit_committed_before_a_kill_is_emailed_once_after_restart() {
    hit_committed_before_a_kill_is_emailed_once_after_restart(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_hit_committed_before_a_kill_is_emailed_once_after_restart() {
    hit_committed_before_a_kill_is_emailed_once_after_restart(true).await;
}
