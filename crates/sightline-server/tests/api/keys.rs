//! Key handling (issue 15): TOTP secrets and outbox mail are sealed at rest
//! under the master key (read here straight from the database), yet logins
//! verify codes and mail is delivered. Agent passwords: see `agents`.

use crate::both_backends;
use crate::helpers::{Db, TestApp, mail_for, outbox_settled, spawn_app};
use crate::provisioning::{form, line_after};
use reqwest::StatusCode;
use serde_json::json;
use sightline_testkit::SmtpServer;

async fn column(app: &TestApp, sql: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(app.store.db.pool())
        .await
        .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

async fn totp_secrets_are_sealed_at_rest_and_codes_still_verify(db: Db) {
    let app = spawn_app(db).await;
    // The first logon enrols; the secret the app showed is not in the row.
    app.login("hsi.jones").await;
    let secret = app.totp.lock().unwrap()["hsi.jones"].0.clone();
    let b32 = sightline_core::totp::encode_secret(&secret);
    let stored = column(
        &app,
        "SELECT totp_secret FROM users WHERE username = 'hsi.jones'",
    )
    .await;
    assert!(
        stored[0].starts_with("aead1:") && !stored[0].contains(&b32[..16]),
        "{stored:?}"
    );
    // A later logon verifies its code against the opened secret.
    app.login("hsi.jones").await;
}

async fn outbox_secrets_are_sealed_until_sent_and_then_gone(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let manager = app.login("a.manager").await;
    let (status, body) = app
        .post(&manager, "/api/v1/access-requests", &form("sealed.agent"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &manager,
            &format!("/api/v1/access-requests/{id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Waiting to be sent: ciphertext only.
    let waiting = column(&app, "SELECT body FROM outbox WHERE sent_at IS NULL").await;
    assert!(!waiting.is_empty());
    for b in &waiting {
        assert!(
            b.starts_with("aead1:") && !b.contains("reg_") && !b.contains("registration key"),
            "{b}"
        );
    }
    // The sender opens it: the mail carries the key.
    let _sender = app.start_sender(&smtp);
    let mails = mail_for(&smtp, "sealed.agent@agency.test", 1).await;
    assert_eq!(mails.len(), 1, "registration mail");
    let key = line_after(&mails[0].body, "registration key");
    assert!(key.starts_with("reg_"), "{}", mails[0].body);
    assert!(waiting.iter().all(|b| !b.contains(&key)));
    // Once sent, the row keeps no body at all.
    outbox_settled(&app.store, i64::try_from(waiting.len()).unwrap()).await;
    let bodies = column(&app, "SELECT body FROM outbox").await;
    assert!(bodies.iter().all(String::is_empty), "{bodies:?}");
}

both_backends!(
    totp_secrets_are_sealed_at_rest_and_codes_still_verify,
    outbox_secrets_are_sealed_until_sent_and_then_gone,
);
