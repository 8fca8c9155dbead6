//! Incident notices (R5.7): each signal reaches the security contacts by
//! real mail, once.

use crate::both_backends;
use crate::helpers::{Db, mail_for, spawn_app};
use reqwest::StatusCode;
use serde_json::json;
use sightline_testkit::SmtpServer;

async fn suspected_misuse_reaches_the_security_contacts(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let manager = app.login("a.manager").await;
    let (status, body) = app
        .send_json(
            reqwest::Method::PUT,
            &manager,
            "/api/v1/security-contacts",
            &json!({"emails": ["not an address"]}),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("emails[0]"))
    );
    let contacts = json!({"emails": ["soc@agency.test", "opr@agency.test"]});
    assert_eq!(
        app.send_json(
            reqwest::Method::PUT,
            &manager,
            "/api/v1/security-contacts",
            &contacts
        )
        .await
        .0,
        StatusCode::OK
    );

    // A lockout storm: three accounts locked within ten minutes.
    for user in ["hsi.jones", "hsi.smith", "ero.garcia"] {
        for _ in 0..5 {
            app.password_login(user, "wrong password!").await;
        }
    }
    let storm = mail_for(&smtp, "soc@agency.test", 1).await;
    assert_eq!(storm.len(), 1);
    assert!(
        storm[0].subject.contains("lockout_storm"),
        "{}",
        storm[0].subject
    );
    assert_eq!(mail_for(&smtp, "opr@agency.test", 1).await.len(), 1);

    // A terminated user's token used again.
    let id = app.user_id("a.auditor").await;
    let auditor = app.login("a.auditor").await;
    app.post(
        &manager,
        &format!("/api/v1/users/{id}/terminate"),
        &json!({"reason": "left"}),
    )
    .await;
    assert_eq!(
        app.get(&auditor, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(&auditor, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let mails = mail_for(&smtp, "soc@agency.test", 2).await;
    assert_eq!(mails.len(), 2, "one notice per signal, not per request");
    assert!(mails[1].body.contains("a.auditor"), "{}", mails[1].body);

    // An audit log that no longer verifies.
    let state = sightline_server::AppState::new(app.store.clone());
    assert_eq!(
        sightline_server::incidents::verify_logs(&state)
            .await
            .unwrap(),
        0
    );
    match app.db {
        Db::Sqlite => {
            app.raw_sql("DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET canonical = replace(canonical, '\"outcome\":\"failed\"', '\"outcome\":\"success\"') WHERE action = 'auth.login' AND outcome = 'failed'").await
        }
        Db::Postgres => {
            app.raw_sql("ALTER TABLE audit_entries DISABLE TRIGGER USER; UPDATE audit_entries SET canonical = replace(canonical, '\"outcome\":\"failed\"', '\"outcome\":\"success\"') WHERE action = 'auth.login' AND outcome = 'failed'").await
        }
    }
    assert_eq!(
        sightline_server::incidents::verify_logs(&state)
            .await
            .unwrap(),
        1
    );
    let mails = mail_for(&smtp, "soc@agency.test", 3).await;
    assert_eq!(mails.len(), 3);
    assert!(mails[2].subject.contains("audit_verification_failed"));
    assert!(mails[2].body.contains("leaf hash"), "{}", mails[2].body);
}

both_backends!(suspected_misuse_reaches_the_security_contacts);
