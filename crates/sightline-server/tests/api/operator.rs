//! The operator's console over HTTP: onboarding and ingest keys.

use crate::both_backends;
use crate::helpers::{Db, PASSWORD, mail_for, record, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_testkit::SmtpServer;

async fn operator_onboards_an_agency_and_its_first_manager(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let op = app.login("operator").await;
    let (status, body) = app
        .post(
            &op,
            "/api/v1/admin/agencies",
            &json!({"name": "Port Authority Police", "seat_cap": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let agency = body["id"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &op,
            "/api/v1/admin/agencies",
            &json!({"name": "Port Authority Police", "seat_cap": 3}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("agency_exists"))
    );
    let (status, body) = app
        .post(&op, &format!("/api/v1/admin/agencies/{agency}/managers"), &json!({
            "username": "pap.manager", "full_name": "Lt. Dana Cole", "email": "cole@pap.test", "aor": "Harbor"
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mail = &mail_for(&smtp, "cole@pap.test", 1).await[0];
    let key = mail
        .body
        .lines()
        .skip_while(|l| !l.contains("registration key"))
        .skip(1)
        .find(|l| !l.trim().is_empty())
        .unwrap()
        .trim()
        .to_owned();
    let answers: Vec<Value> = [
        ("What was the name of your first school?", "PS 41"),
        ("In what city did your parents meet?", "Hoboken"),
        ("What was your first job?", "Deckhand"),
    ]
    .iter()
    .map(|(q, a)| json!({"question": q, "answer": a}))
    .collect();
    let resp = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"registration_key": key, "password": PASSWORD, "security_answers": answers}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    app.renew_training("pap.manager").await;
    let manager = app.login("pap.manager").await;
    let users: Value = app
        .get(&manager, "/api/v1/users")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(users["users"][0]["username"], "pap.manager");
    let agencies: Value = app
        .get(&op, "/api/v1/admin/agencies")
        .await
        .json()
        .await
        .unwrap();
    let row = agencies["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == agency)
        .unwrap()
        .clone();
    assert_eq!(
        (row["seat_cap"].as_i64(), row["seats_used"].as_i64()),
        (Some(3), Some(1))
    );
}

async fn ingest_keys_rotate_and_revoke(db: Db) {
    let app = spawn_app(db).await;
    let op = app.login("operator").await;
    let sources: Value = app
        .get(&op, "/api/v1/admin/sources")
        .await
        .json()
        .await
        .unwrap();
    let pa = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["jurisdiction"] == "PA")
        .unwrap()["id"]
        .clone();
    let send = |key: String| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/v1/ingest/reads"))
                .bearer_auth(key)
                .json(&vec![record("rot-1", "ROT100", "PA", app.now())])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(send(app.pa_key.clone()).await, StatusCode::OK);
    let (status, body) = app
        .post(
            &op,
            &format!("/api/v1/admin/sources/{pa}/keys/rotate"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let new_key = body["key"].as_str().unwrap().to_owned();
    assert_eq!(
        send(app.pa_key.clone()).await,
        StatusCode::UNAUTHORIZED,
        "the old key is revoked"
    );
    assert_eq!(send(new_key.clone()).await, StatusCode::OK);
    // A key only ingests: it opens no other endpoint.
    assert_eq!(
        app.get(&new_key, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = app
        .post(
            &op,
            &format!("/api/v1/admin/sources/{pa}/keys/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, body["revoked"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    assert_eq!(send(new_key).await, StatusCode::UNAUTHORIZED);
    let log = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Operator)
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.entry.action == "admin.source_key_rotated")
    );
    assert!(
        !log.iter().any(|e| e.canonical.contains("sk_")),
        "keys never reach the log"
    );
}

/// The operator letting a manager into an agency shows in that agency's own
/// log, not only in the operator's (the review's finding); a manager
/// invited without an AOR is agency-wide.
async fn an_operator_invite_lands_in_the_agencys_own_log(db: Db) {
    let app = spawn_app(db).await;
    let op = app.login("operator").await;
    let (status, body) = app
        .post(
            &op,
            &format!("/api/v1/admin/agencies/{}/managers", app.agency_a.0),
            &json!({"username": "late.manager", "full_name": "Late Manager", "email": "late@agency.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let user = app
        .store
        .tenancy()
        .user_by_username("late.manager")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.aor_id, None, "no AOR given: agency-wide");
    let auditor = app.login("a.auditor").await;
    let page: Value = app
        .get(
            &auditor,
            "/api/v1/audit/entries?action=operator.manager_invited",
        )
        .await
        .json()
        .await
        .unwrap();
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{page}");
    assert_eq!(entries[0]["actor"]["username"], "operator");
    assert_eq!(entries[0]["fields"]["username"], "late.manager");
    assert_eq!(entries[0]["fields"]["agency_wide"], true);
    // Agency B's log has no such entry.
    let other = app.login("b.auditor").await;
    let page: Value = app
        .get(
            &other,
            "/api/v1/audit/entries?action=operator.manager_invited",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["entries"].as_array().unwrap().len(), 0);
}

both_backends!(
    operator_onboards_an_agency_and_its_first_manager,
    ingest_keys_rotate_and_revoke,
    an_operator_invite_lands_in_the_agencys_own_log,
);
