//! Provisioning and recovery (R2.2, R2.4, R2.7) through a real SMTP server:
//! the registration key and the temporary password are read from the mail
//! that arrived.

use crate::both_backends;
use crate::helpers::{Db, PASSWORD, mail_for, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_testkit::SmtpServer;
use time::Duration;

pub(crate) fn form(username: &str) -> Value {
    json!({
        "username": username,
        "full_name": format!("Agent {username}"),
        "email": format!("{username}@agency.test"),
        "role": "investigator",
        "program": "HSI",
        "justification": "Assigned to the vehicle theft task force",
        "supervisor": "SAC Rivera",
        "scan_base64": crate::helpers::b64(b"%PDF-1.4 signed form"),
    })
}

/// The line after `marker` in a mail body, trimmed.
pub(crate) fn line_after(body: &str, marker: &str) -> String {
    let mut lines = body.lines().skip_while(|l| !l.contains(marker)).skip(1);
    lines
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

const ANSWERS: [(&str, &str); 3] = [
    (
        "What was the name of your first school?",
        "Lincoln Elementary",
    ),
    ("In what city did your parents meet?", "Scranton"),
    ("What was your first job?", "Lifeguard"),
];

async fn register(app: &crate::helpers::TestApp, key: &str, password: &str) -> (StatusCode, Value) {
    let answers: Vec<Value> = ANSWERS
        .iter()
        .map(|(q, a)| json!({"question": q, "answer": a}))
        .collect();
    let resp = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"registration_key": key, "password": password, "security_answers": answers}))
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

async fn access_requests_create_accounts_within_the_seat_cap(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let manager = app.login("a.manager").await;
    // A form with holes is refused field by field.
    let (status, body) = app
        .post(
            &manager,
            "/api/v1/access-requests",
            &json!({"username": "x y"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"].as_array().unwrap().len() >= 5, "{body}");

    // Agency A's cap is 10 and 5 seats are taken: five approvals fit.
    let mut ids = Vec::new();
    for i in 0..7 {
        let (status, body) = app
            .post(
                &manager,
                "/api/v1/access-requests",
                &form(&format!("new.agent{i}")),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["has_scan"], true);
        ids.push(body["id"].as_i64().unwrap());
    }
    // Rejection creates nobody.
    let (status, _) = app
        .post(
            &manager,
            &format!("/api/v1/access-requests/{}/reject", ids[6]),
            &json!({"note": "not on the task force"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        app.store
            .tenancy()
            .user_by_username("new.agent6")
            .await
            .unwrap()
            .is_none()
    );
    for id in &ids[..5] {
        let (status, body) = app
            .post(
                &manager,
                &format!("/api/v1/access-requests/{id}/approve"),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .post(
            &manager,
            &format!("/api/v1/access-requests/{}/approve", ids[5]),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "seat_cap_reached");
    assert!(body["detail"].as_str().unwrap().contains("10"), "{body}");
    // Deciding twice is refused.
    let (status, _) = app
        .post(
            &manager,
            &format!("/api/v1/access-requests/{}/approve", ids[0]),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The approved user gets a registration key by email and registers with it.
    let mails = mail_for(&smtp, "new.agent0@agency.test", 1).await;
    assert_eq!(mails.len(), 1, "registration mail");
    let key = line_after(&mails[0].body, "registration key");
    assert!(key.starts_with("reg_"), "{}", mails[0].body);
    // Not yet registered: no logon.
    assert_eq!(
        app.password_login("new.agent0", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = register(&app, &key, "password123456").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password_banned"))
    );
    let (status, body) = register(&app, &key, PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = register(&app, &key, PASSWORD).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("registration_key_invalid")),
        "single use"
    );
    let (status, body) = app.password_login("new.agent0", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["next"], "mfa_enroll");

    // Keys expire after 72 hours; a manager can send a fresh one.
    let late = mail_for(&smtp, "new.agent1@agency.test", 1).await;
    let old_key = line_after(&late[0].body, "registration key");
    app.advance(Duration::hours(73));
    assert_eq!(
        register(&app, &old_key, PASSWORD).await.1["code"],
        "registration_key_invalid"
    );
    let manager = app.login("a.manager").await;
    let uid = app
        .store
        .tenancy()
        .user_by_username("new.agent1")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let (status, _) = app
        .post(
            &manager,
            &format!("/api/v1/users/{uid}/registration-key"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let again = mail_for(&smtp, "new.agent1@agency.test", 2).await;
    let new_key = line_after(&again[1].body, "registration key");
    assert_ne!(new_key, old_key);
    assert_eq!(
        register(&app, &new_key, PASSWORD).await.0,
        StatusCode::NO_CONTENT
    );
}

async fn forgotten_password_is_recovered_through_the_mailbox(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    registered(&app, &smtp, "rec.agent").await;
    app.renew_training("rec.agent").await;
    let _ = app.login("rec.agent").await; // enrols the authenticator

    let start = |username: &str| {
        app.client
            .post(app.url("/api/v1/auth/recovery"))
            .json(&json!({"username": username}))
            .send()
    };
    // Unknown accounts get a stable decoy question: nothing to enumerate.
    let d1: Value = start("no.such.user").await.unwrap().json().await.unwrap();
    let d2: Value = start("no.such.user").await.unwrap().json().await.unwrap();
    assert_eq!(d1["question"], d2["question"]);
    // A wrong answer sends nothing.
    let c: Value = start("rec.agent").await.unwrap().json().await.unwrap();
    let resp = app
        .client
        .post(app.url("/api/v1/auth/recovery/answer"))
        .json(&json!({"challenge_id": c["challenge_id"], "answer": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    // The right answer, however it is capitalised and spaced.
    let c: Value = start("rec.agent").await.unwrap().json().await.unwrap();
    let answer = ANSWERS.iter().find(|(q, _)| *q == c["question"]).unwrap().1;
    let shouted = format!("  {}!! ", answer.to_uppercase());
    let resp = app
        .client
        .post(app.url("/api/v1/auth/recovery/answer"))
        .json(&json!({"challenge_id": c["challenge_id"], "answer": shouted}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let mails = mail_for(&smtp, "rec.agent@agency.test", 2).await;
    assert_eq!(
        mails.len(),
        2,
        "one registration mail, one recovery mail: the wrong answer sent none"
    );
    let voided = line_after(&mails[1].body, "temporary password is");
    assert!(voided.len() >= 16, "{}", mails[1].body);

    // Until the temporary password is used, the old one still signs in,
    // and doing so voids the recovery (whoever asked for it).
    assert_eq!(
        app.password_login("rec.agent", PASSWORD).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.password_login("rec.agent", &voided).await.0,
        StatusCode::UNAUTHORIZED,
        "signing in with the old password voided it"
    );
    // Asked again: the same question, every time.
    app.advance(Duration::minutes(2));
    let again: Value = start("rec.agent").await.unwrap().json().await.unwrap();
    assert_eq!(again["question"], c["question"]);
    app.client
        .post(app.url("/api/v1/auth/recovery/answer"))
        .json(&json!({"challenge_id": again["challenge_id"], "answer": answer}))
        .send()
        .await
        .unwrap();
    let mails = mail_for(&smtp, "rec.agent@agency.test", 3).await;
    let temp = line_after(&mails[2].body, "temporary password is");
    assert_ne!(temp, voided);

    // The temporary password signs in once, and from then on the old one
    // does not; it allows nothing but choosing a new password.
    let (status, body) = app.password_login("rec.agent", &temp).await;
    assert_eq!(status, StatusCode::OK);
    let token = body["token"].as_str().unwrap().to_owned();
    let code = app.totp_code("rec.agent");
    assert_eq!(
        app.post(&token, "/api/v1/auth/mfa/verify", &json!({"code": code}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.post(&token, "/api/v1/rules/affirm", &json!({"version": 1}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, _, body) = app.query(&token, &seed_query("ABC123", "PA")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    assert_eq!(
        app.password_login("rec.agent", &temp).await.0,
        StatusCode::UNAUTHORIZED,
        "single use"
    );
    assert_eq!(
        app.password_login("rec.agent", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED,
        "the used temporary password replaced the old one"
    );
    let (status, _) = app
        .post(
            &token,
            "/api/v1/auth/password",
            &json!({"current_password": temp, "new_password": "plum orchard lantern"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.query(&token, &seed_query("ABC123", "PA")).await.0,
        StatusCode::OK
    );

    let log = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Agency(app.agency_a))
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.entry.action.as_str()).collect();
    for a in [
        "access_request.submitted",
        "access_request.approved",
        "user.registered",
        "recovery.started",
        "recovery.answer",
        "recovery.temporary_password_sent",
        "password.changed",
    ] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
    assert!(
        !log.iter().any(|e| e.canonical.contains(&temp)),
        "the temporary password never reaches the log"
    );
}

/// Files, approves and registers `username` (with [`ANSWERS`]), through
/// the real SMTP server.
async fn registered(app: &crate::helpers::TestApp, smtp: &SmtpServer, username: &str) {
    let manager = app.login("a.manager").await;
    let (_, req) = app
        .post(&manager, "/api/v1/access-requests", &form(username))
        .await;
    app.post(
        &manager,
        &format!("/api/v1/access-requests/{}/approve", req["id"]),
        &json!({}),
    )
    .await;
    let key = line_after(
        &mail_for(smtp, &format!("{username}@agency.test"), 1).await[0].body,
        "registration key",
    );
    assert_eq!(
        register(app, &key, PASSWORD).await.0,
        StatusCode::NO_CONTENT
    );
}

/// What six bad passwords in a row answer, as (status, code) pairs.
async fn six_bad_logins(
    app: &crate::helpers::TestApp,
    username: &str,
) -> Vec<(StatusCode, String)> {
    let mut seen = Vec::new();
    for i in 0..6 {
        let (status, body) = app.password_login(username, &format!("wrong {i}")).await;
        seen.push((status, body["code"].as_str().unwrap_or_default().to_owned()));
    }
    seen
}

/// The review's findings on recovery and enumeration: an account that
/// exists and a name that does not answer the same to bad logons and lock
/// alike, even through recovery answers; a locked account's right answer
/// sends nothing; and a typed unknown name never reaches the log.
async fn recovery_and_logons_do_not_tell_who_has_an_account(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    registered(&app, &smtp, "real.agent").await;
    registered(&app, &smtp, "locked.agent").await;
    app.advance(Duration::minutes(2));

    // Six bad logons: the same answers, lockout included, real or not.
    let real = six_bad_logins(&app, "real.agent").await;
    let unknown = six_bad_logins(&app, "hunter2-is-my-password").await;
    assert_eq!(real, unknown);
    assert_eq!(real[0].1, "invalid_credentials");
    assert_eq!(real[4].1, "account_locked", "{real:?}");
    assert_eq!(real[5].1, "account_locked");
    // And both unlock when the lockout ends.
    app.advance(Duration::minutes(11));
    assert_eq!(
        app.password_login("real.agent", PASSWORD).await.0,
        StatusCode::OK
    );

    // Wrong recovery answers count toward lockout for a name that is no
    // account's, as they do for an account.
    let start = |username: &str| {
        app.client
            .post(app.url("/api/v1/auth/recovery"))
            .json(&json!({"username": username}))
            .send()
    };
    let mut after = Vec::new();
    for name in ["real.agent", "nobody.here"] {
        for _ in 0..5 {
            let c: Value = start(name).await.unwrap().json().await.unwrap();
            let resp = app
                .client
                .post(app.url("/api/v1/auth/recovery/answer"))
                .json(&json!({"challenge_id": c["challenge_id"], "answer": "not it"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::ACCEPTED);
        }
        let (status, body) = app.password_login(name, PASSWORD).await;
        after.push((status, body["code"].clone()));
        app.advance(Duration::minutes(2));
    }
    assert_eq!(after[0], after[1]);
    assert_eq!(after[0].1, "account_locked");

    // A locked account's right answer is not even checked: no mail.
    app.advance(Duration::minutes(11));
    six_bad_logins(&app, "locked.agent").await;
    let c: Value = start("locked.agent").await.unwrap().json().await.unwrap();
    let answer = ANSWERS.iter().find(|(q, _)| *q == c["question"]).unwrap().1;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/recovery/answer"))
        .json(&json!({"challenge_id": c["challenge_id"], "answer": answer}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    crate::helpers::outbox_settled(&app.store, 2).await;
    assert_eq!(
        smtp.messages_to("locked.agent@agency.test").len(),
        1,
        "the registration mail only"
    );
    let agency_log = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Agency(app.agency_a))
        .await
        .unwrap();
    assert!(
        agency_log
            .iter()
            .any(|e| e.entry.action == "recovery.answer"
                && e.entry.outcome.as_str() == "refused"
                && e.canonical.contains("locked"))
    );

    // The operator log keeps a keyed hash of an unknown name, not the name.
    let operator_log = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Operator)
        .await
        .unwrap();
    assert!(
        operator_log
            .iter()
            .any(|e| e.canonical.contains("unknown:"))
    );
    for typed in ["hunter2", "nobody.here"] {
        assert!(
            !operator_log.iter().any(|e| e.canonical.contains(typed)),
            "{typed} is in the operator log"
        );
    }
}

/// A trained agency manager of agency A, of `aor` or agency-wide.
async fn add_manager(
    app: &crate::helpers::TestApp,
    username: &str,
    aor: Option<sightline_core::tenancy::AorId>,
) {
    app.store
        .tenancy()
        .create_user(
            &sightline_store::NewUser {
                agency_id: Some(app.agency_a),
                aor_id: aor,
                program_id: None,
                username: username.into(),
                display_name: username.into(),
                email: format!("{username}@agency.test"),
                role: sightline_core::Role::AgencyManager,
                password_hash: crate::helpers::password_hash(),
            },
            app.now(),
        )
        .await
        .unwrap();
    app.renew_training(username).await;
}

/// The rest of the review's role escalation: a manager of one AOR cannot
/// change what reaches the whole agency (its security contacts, its rules)
/// and sees only their AOR's terminations.
async fn aor_managers_keep_to_their_aor(db: Db) {
    let app = spawn_app(db).await;
    let tenancy = app.store.tenancy();
    let philly = tenancy
        .create_aor(app.agency_a, "Philadelphia")
        .await
        .unwrap();
    let chicago = tenancy.create_aor(app.agency_a, "Chicago").await.unwrap();
    add_manager(&app, "aor.manager", Some(philly)).await;
    for (user, aor) in [("hsi.jones", philly), ("ero.garcia", chicago)] {
        app.raw_sql(&format!(
            "UPDATE users SET aor_id = {} WHERE username = '{user}'",
            aor.0
        ))
        .await;
    }
    let wide = app.login("a.manager").await;
    let local = app.login("aor.manager").await;
    let contacts = json!({"emails": ["soc@agency.test"]});
    let (status, body) = app
        .send_json(
            reqwest::Method::PUT,
            &local,
            "/api/v1/security-contacts",
            &contacts,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("agency_wide_manager_required")),
        "{body}"
    );
    let rules = json!({"text": "New rules of behavior for every user of the agency."});
    let (status, body) = app.post(&local, "/api/v1/rules", &rules).await;
    assert_eq!(
        body["code"], "agency_wide_manager_required",
        "{status} {body}"
    );
    // The agency-wide manager may do both.
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &wide,
            "/api/v1/security-contacts",
            &contacts,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.post(&wide, "/api/v1/rules", &rules).await.0,
        StatusCode::CREATED
    );

    // Every user affirms the new version first, the managers included.
    for token in [&wide, &local] {
        let (status, _) = app
            .post(token, "/api/v1/rules/affirm", &json!({"version": 2}))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    // Two terminations, one in each AOR: the Philadelphia manager sees one.
    for user in ["hsi.jones", "ero.garcia"] {
        let id = tenancy.user_by_username(user).await.unwrap().unwrap().id;
        let (status, body) = app
            .post(
                &wide,
                &format!("/api/v1/users/{}/terminate", id.0),
                &json!({"reason": "left the agency"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let names = |report: Value| -> Vec<String> {
        report["terminations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["username"].as_str().unwrap().to_owned())
            .collect()
    };
    let seen: Value = app
        .get(&local, "/api/v1/reports/terminations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(seen), ["hsi.jones"]);
    let all: Value = app
        .get(&wide, "/api/v1/reports/terminations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(all), ["hsi.jones", "ero.garcia"]);
}

/// The review's role escalation: a manager filing a manager or auditor
/// account cannot approve it themselves, nor can a manager of one AOR;
/// another agency-wide manager can. Investigator accounts need no second
/// approver.
async fn privileged_accounts_need_another_agency_wide_approver(db: Db) {
    let app = spawn_app(db).await;
    let philly = app
        .store
        .tenancy()
        .create_aor(app.agency_a, "Philadelphia")
        .await
        .unwrap();
    add_manager(&app, "second.manager", None).await;
    add_manager(&app, "aor.manager", Some(philly)).await;
    let manager = app.login("a.manager").await;
    let aor_manager = app.login("aor.manager").await;
    let second = app.login("second.manager").await;
    let mut auditor = form("shadow.auditor");
    auditor["role"] = json!("auditor");
    auditor.as_object_mut().unwrap().remove("program");
    let (status, req) = app
        .post(&manager, "/api/v1/access-requests", &auditor)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{req}");
    let approve = format!("/api/v1/access-requests/{}/approve", req["id"]);
    let (status, body) = app.post(&manager, &approve, &json!({})).await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (
            StatusCode::FORBIDDEN,
            Some("second_approver_required"),
            Some("request_id")
        ),
        "{body}"
    );
    // An AOR's manager cannot see it at all: it is not in their AOR.
    assert_eq!(
        app.post(&aor_manager, &approve, &json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    // An AOR's manager filing a manager account in their own AOR cannot approve it either.
    let mut boss = form("shadow.manager");
    boss["role"] = json!("agency_manager");
    boss["aor"] = json!("Philadelphia");
    boss.as_object_mut().unwrap().remove("program");
    let (status, req2) = app
        .post(&aor_manager, "/api/v1/access-requests", &boss)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{req2}");
    let approve2 = format!("/api/v1/access-requests/{}/approve", req2["id"]);
    assert_eq!(
        app.post(&aor_manager, &approve2, &json!({})).await.1["code"],
        "second_approver_required"
    );
    // Another agency-wide manager approves both.
    for path in [&approve, &approve2] {
        let (status, body) = app.post(&second, path, &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // An investigator's request is approved by whoever filed it.
    let (_, inv) = app
        .post(&manager, "/api/v1/access-requests", &form("plain.agent"))
        .await;
    let (status, _) = app
        .post(
            &manager,
            &format!("/api/v1/access-requests/{}/approve", inv["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

both_backends!(
    privileged_accounts_need_another_agency_wide_approver,
    aor_managers_keep_to_their_aor,
    access_requests_create_accounts_within_the_seat_cap,
    forgotten_password_is_recovered_through_the_mailbox,
    recovery_and_logons_do_not_tell_who_has_an_account,
);
