//! Identity and access (R2): lockout, second factor, rules of behavior,
//! training gate, termination, managers' scope. The clock is moved, never slept.

use crate::both_backends;
use crate::helpers::{Db, PASSWORD, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::TenantScope;
use time::Duration;

async fn five_failures_lock_for_ten_minutes_or_until_unlocked(db: Db) {
    let app = spawn_app(db).await;
    for i in 1..=4 {
        let (status, body) = app.password_login("hsi.smith", "not the password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(body["code"], "invalid_credentials");
    }
    let (status, body) = app.password_login("hsi.smith", "not the password").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "account_locked");
    // The right password does not help while locked, and says only "locked".
    let (status, body) = app.password_login("hsi.smith", PASSWORD).await;
    assert_eq!(body["code"], "account_locked", "{status} {body}");
    app.advance(Duration::minutes(9));
    assert_eq!(
        app.password_login("hsi.smith", PASSWORD).await.1["code"],
        "account_locked"
    );
    app.advance(Duration::minutes(1));
    assert_eq!(
        app.password_login("hsi.smith", PASSWORD).await.0,
        StatusCode::OK
    );

    // Locked again; this time the manager unlocks at once.
    for _ in 0..5 {
        app.password_login("hsi.smith", "nope").await;
    }
    assert_eq!(
        app.password_login("hsi.smith", PASSWORD).await.1["code"],
        "account_locked"
    );
    let manager = app.login("a.manager").await;
    let users: Value = app
        .get(&manager, "/api/v1/users")
        .await
        .json()
        .await
        .unwrap();
    let smith = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "hsi.smith")
        .unwrap()
        .clone();
    assert_eq!(smith["locked"], true);
    let (status, _) = app
        .post(
            &manager,
            &format!("/api/v1/users/{}/unlock", smith["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let _ = app.login("hsi.smith").await;

    let log = app
        .store
        .ledger()
        .all(TenantScope::Agency(app.agency_a))
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.entry.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "auth.lockout").count(), 2);
    assert!(actions.contains(&"user.unlocked"));
}

async fn no_query_before_second_factor_and_rules(db: Db) {
    let app = spawn_app(db).await;
    let (_, body) = app.password_login("hsi.jones", PASSWORD).await;
    assert_eq!(body["next"], "mfa_enroll");
    let token = body["token"].as_str().unwrap().to_owned();
    let (status, _, body) = app.query(&token, &seed_query("ABC123", "PA")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "mfa_enrollment_required");
    // The rules are readable at once; affirming needs the second factor.
    let rules: Value = app.get(&token, "/api/v1/rules").await.json().await.unwrap();
    assert!(
        rules["text"]
            .as_str()
            .unwrap()
            .contains("complete license plate number")
    );
    assert_eq!(rules["affirmed"], false);
    let (status, _) = app
        .post(&token, "/api/v1/rules/affirm", &json!({"version": 1}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, e) = app
        .post(&token, "/api/v1/auth/mfa/enroll", &json!({}))
        .await;
    assert!(
        e["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Sightline:hsi.jones?secret=")
    );
    assert_qr_code(&e["qr"]);
    let secret = sightline_core::totp::decode_secret(e["secret"].as_str().unwrap()).unwrap();
    let (status, body) = app
        .post(
            &token,
            "/api/v1/auth/mfa/confirm",
            &json!({"code": "000000"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("mfa_invalid"))
    );
    let code = sightline_core::totp::code_at(&secret, app.now()).unwrap();
    let (status, enrolled) = app
        .post(&token, "/api/v1/auth/mfa/confirm", &json!({"code": code}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let recovery: Vec<String> = serde_json::from_value(enrolled["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery.len(), 10);
    // Second factor done, rules not yet affirmed: still no query.
    let (status, _, body) = app.query(&token, &seed_query("ABC123", "PA")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("consent_required"))
    );
    let (status, body) = app
        .post(&token, "/api/v1/rules/affirm", &json!({"version": 7}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("rules_version_stale"))
    );
    assert_eq!(
        app.post(&token, "/api/v1/rules/affirm", &json!({"version": 1}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.query(&token, &seed_query("ABC123", "PA")).await.0,
        StatusCode::OK
    );

    // Every logon starts over: a new session must pass both again. The same
    // TOTP code is never accepted twice; a recovery code works once.
    let (_, body) = app.password_login("hsi.jones", PASSWORD).await;
    assert_eq!(body["next"], "mfa_verify");
    let second = body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.query(&second, &seed_query("ABC123", "PA")).await.2["code"],
        "mfa_required"
    );
    let (status, _) = app
        .post(&second, "/api/v1/auth/mfa/verify", &json!({"code": code}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a used code is refused");
    let (status, _) = app
        .post(
            &second,
            "/api/v1/auth/mfa/verify",
            &json!({"recovery_code": recovery[0]}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.query(&second, &seed_query("ABC123", "PA")).await.2["code"],
        "consent_required"
    );

    // A new version of the rules must be affirmed again, and each
    // affirmation is audited with its version.
    let manager = app.login("a.manager").await;
    let (status, _) = app
        .post(
            &manager,
            "/api/v1/rules",
            &json!({"text": "Version two of the rules of behavior: be accountable."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        app.query(&token, &seed_query("ABC123", "PA")).await.2["code"],
        "consent_required"
    );
    assert_eq!(
        app.post(&token, "/api/v1/rules/affirm", &json!({"version": 2}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.query(&token, &seed_query("ABC123", "PA")).await.0,
        StatusCode::OK
    );
    let consents = app
        .store
        .ledger()
        .recent(
            TenantScope::Agency(app.agency_a),
            None,
            Some("consent.affirmed"),
            None,
            10,
        )
        .await
        .unwrap();
    let versions: Vec<i64> = consents
        .iter()
        .filter_map(|e| e.entry.field_i64("version"))
        .collect();
    assert!(
        versions.contains(&1) && versions.contains(&2),
        "{versions:?}"
    );
}

async fn lapsed_training_blocks_queries_until_recorded(db: Db) {
    let app = spawn_app(db).await;
    // Seeded training was 30 days before the start; 336 days later it lapses
    // for everyone but the manager, whose course was renewed.
    let manager_id = app
        .store
        .tenancy()
        .user_by_username("a.manager")
        .await
        .unwrap()
        .unwrap()
        .id;
    let renewed = sightline_store::TrainingRecord {
        user_id: manager_id,
        course: "Annual LPR privacy".into(),
        completed_at: app.now(),
        evidence: "cert 17".into(),
    };
    app.store
        .people()
        .add_training(app.agency_a, &renewed, manager_id, app.now())
        .await
        .unwrap();
    app.advance(Duration::days(336));
    let token = app.login("hsi.jones").await;
    let (status, _, body) = app.query(&token, &seed_query("ABC123", "PA")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("training_required"))
    );
    let manager = app.login("a.manager").await;
    let report: Value = app
        .get(&manager, "/api/v1/reports/training")
        .await
        .json()
        .await
        .unwrap();
    let missing: Vec<&str> = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert!(missing.contains(&"hsi.jones"), "{report}");
    let jones = app.user_id("hsi.jones").await;
    let today = app.now().date().to_string();
    let (status, body) = app
        .post(
            &manager,
            &format!("/api/v1/users/{jones}/training"),
            &json!({"course": "Annual LPR privacy", "completed_on": today, "evidence": "cert 991"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post(
            &manager,
            &format!("/api/v1/users/{jones}/training"),
            &json!({"course": "", "completed_on": "2099-01-01", "evidence": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2, "{body}");
    // Nobody records their own training.
    let me = app.user_id("a.manager").await;
    let (status, body) = app
        .post(
            &manager,
            &format!("/api/v1/users/{me}/training"),
            &json!({"course": "Annual LPR privacy", "completed_on": today, "evidence": "self"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "own_training_refused");
    assert_eq!(
        app.query(&token, &seed_query("ABC123", "PA")).await.0,
        StatusCode::OK
    );
    // Expiring within 30 days is reported before it lapses.
    let renewed = sightline_store::TrainingRecord {
        completed_at: app.now(),
        ..renewed
    };
    app.store
        .people()
        .add_training(app.agency_a, &renewed, manager_id, app.now())
        .await
        .unwrap();
    app.advance(Duration::days(340));
    let manager = app.login("a.manager").await;
    let report: Value = app
        .get(&manager, "/api/v1/reports/training")
        .await
        .json()
        .await
        .unwrap();
    let expiring: Vec<&str> = report["expiring_within_30_days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert_eq!(expiring, ["a.manager", "hsi.jones"], "{report}");
    let missing: Vec<&str> = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert!(
        missing.contains(&"hsi.smith") && !missing.contains(&"hsi.jones"),
        "{report}"
    );
}

async fn termination_cuts_an_active_session_at_once(db: Db) {
    let app = spawn_app(db).await;
    let smith = app.login("hsi.smith").await;
    assert_eq!(
        app.query(&smith, &seed_query("ABC123", "PA")).await.0,
        StatusCode::OK
    );
    let manager = app.login("a.manager").await;
    let id = app.user_id("hsi.smith").await;
    // Disabling ends the session at once and blocks logon; enabling restores.
    let (status, _) = app
        .post(&manager, &format!("/api/v1/users/{id}/disable"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.query(&smith, &seed_query("ABC123", "PA")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.password_login("hsi.smith", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = app
        .post(&manager, &format!("/api/v1/users/{id}/enable"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let smith = app.login("hsi.smith").await;
    assert_eq!(
        app.query(&smith, &seed_query("ABC123", "PA")).await.0,
        StatusCode::OK
    );
    let (status, body) = app
        .post(
            &manager,
            &format!("/api/v1/users/{id}/terminate"),
            &json!({"reason": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .post(
            &manager,
            &format!("/api/v1/users/{id}/terminate"),
            &json!({"reason": "Left the agency"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The very next request of the terminated user's session is refused.
    assert_eq!(
        app.query(&smith, &seed_query("ABC123", "PA")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.password_login("hsi.smith", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    let report: Value = app
        .get(&manager, "/api/v1/reports/terminations")
        .await
        .json()
        .await
        .unwrap();
    let row = &report["terminations"][0];
    assert_eq!(row["username"], "hsi.smith");
    assert_eq!(row["within_24_business_hours"], true);
    assert_eq!(row["elapsed_business_hours"], 0.0);
    let auditor = app.login("a.auditor").await;
    assert_eq!(
        app.get(&auditor, "/api/v1/reports/terminations")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(&auditor, "/api/v1/users").await.status(),
        StatusCode::FORBIDDEN
    );
}

/// A code whose time step was already used does not confirm enrolment
/// either (RFC 6238 §5.2), as it would not verify a logon.
async fn enrolment_refuses_a_code_whose_step_was_used(db: Db) {
    let app = spawn_app(db).await;
    let (_, body) = app.password_login("hsi.jones", PASSWORD).await;
    let token = body["token"].as_str().unwrap().to_owned();
    let (_, e) = app
        .post(&token, "/api/v1/auth/mfa/enroll", &json!({}))
        .await;
    let secret = sightline_core::totp::decode_secret(e["secret"].as_str().unwrap()).unwrap();
    let code = sightline_core::totp::code_at(&secret, app.now()).unwrap();
    let step = sightline_core::totp::verify(&secret, &code, app.now()).unwrap();
    // Someone who saw the code used it first.
    let user = app
        .store
        .tenancy()
        .user_by_username("hsi.jones")
        .await
        .unwrap()
        .unwrap();
    assert!(
        app.store
            .identity()
            .claim_totp_step(user.id, step)
            .await
            .unwrap()
    );
    let (status, body) = app
        .post(&token, "/api/v1/auth/mfa/confirm", &json!({"code": code}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("mfa_invalid")),
        "{body}"
    );
    // The next step's code confirms.
    app.advance(Duration::seconds(30));
    let next = sightline_core::totp::code_at(&secret, app.now()).unwrap();
    let (status, _) = app
        .post(&token, "/api/v1/auth/mfa/confirm", &json!({"code": next}))
        .await;
    assert_eq!(status, StatusCode::OK);
}

both_backends!(
    enrolment_refuses_a_code_whose_step_was_used,
    five_failures_lock_for_ten_minutes_or_until_unlocked,
    no_query_before_second_factor_and_rules,
    lapsed_training_blocks_queries_until_recorded,
    termination_cuts_an_active_session_at_once,
    password_changes_follow_the_policy_and_end_other_sessions,
    logon_attempts_are_rate_limited_per_address,
    cookie_sessions_are_http_only_and_refuse_cross_site_changes,
    managers_act_only_within_their_area_of_responsibility,
);

async fn password_changes_follow_the_policy_and_end_other_sessions(db: Db) {
    let app = spawn_app(db).await;
    let first = app.login("hsi.jones").await;
    let second = app.login("hsi.jones").await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    for (new, code) in [
        ("short", "password_too_short"),
        ("Password12345!", "password_banned"),
        ("iloveyouiloveyou", "password_banned"),
        ("hsi.jones is my name", "password_contains_username"),
    ] {
        let (status, body) = app
            .post(&first, "/api/v1/auth/password", &change(PASSWORD, new))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert_eq!(body["code"], code, "{new}: {body}");
        assert_eq!(body["field"], "new_password");
    }
    let (status, body) = app
        .post(
            &first,
            "/api/v1/auth/password",
            &change("wrong current pw", "velvet tangerine orbit"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
    let (status, _) = app
        .post(
            &first,
            "/api/v1/auth/password",
            &change(PASSWORD, "velvet tangerine orbit"),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&first, "/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&second, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.password_login("hsi.jones", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.password_login("hsi.jones", "velvet tangerine orbit")
            .await
            .0,
        StatusCode::OK
    );
}

async fn logon_attempts_are_rate_limited_per_address(db: Db) {
    let app = spawn_app(db).await;
    // Spraying many accounts from one address: no account locks, the address does.
    for i in 0..30 {
        let (status, _) = app
            .password_login(&format!("nobody{i}"), "guess guess guess")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (status, body) = app.password_login("hsi.jones", PASSWORD).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    app.advance(Duration::minutes(1));
    assert_eq!(
        app.password_login("hsi.jones", PASSWORD).await.0,
        StatusCode::OK
    );
}

async fn cookie_sessions_are_http_only_and_refuse_cross_site_changes(db: Db) {
    let app = spawn_app(db).await;
    // Enrol hsi.jones once with a bearer session, so the cookie logon verifies.
    let _ = app.login("hsi.jones").await;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "hsi.jones", "password": PASSWORD, "session": "cookie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let set_cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    // `__Host-`: browsers keep it only if Secure, Path=/ and no Domain.
    assert!(
        set_cookie.starts_with("__Host-sightline_session="),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.to_ascii_lowercase().contains("domain="),
        "{set_cookie}"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["token"],
        Value::Null,
        "cookie sessions never expose the token to scripts"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let send = |path: &str, site: Option<&str>, origin: Option<&str>, body: Value| {
        let mut req = app
            .client
            .post(app.url(path))
            .header("cookie", &cookie)
            .json(&body);
        if let Some(s) = site {
            req = req.header("sec-fetch-site", s);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let code = app.totp_code("hsi.jones");
    // A page on another site cannot use the cookie to change anything.
    let r = send(
        "/api/v1/auth/mfa/verify",
        Some("cross-site"),
        None,
        json!({"code": code}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "csrf_rejected");
    let r = send(
        "/api/v1/auth/mfa/verify",
        None,
        Some("https://evil.example"),
        json!({"code": code}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Our own pages can.
    let r = send(
        "/api/v1/auth/mfa/verify",
        Some("same-origin"),
        None,
        json!({"code": code}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let host = app.base.trim_start_matches("http://").to_owned();
    let r = send(
        "/api/v1/rules/affirm",
        None,
        Some(&format!("http://{host}")),
        json!({"version": 1}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Reads need no CSRF check; logout clears the cookie.
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let out = send("/api/v1/auth/logout", Some("same-origin"), None, json!({}))
        .await
        .unwrap();
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        out.headers()["clear-site-data"].to_str().unwrap(),
        "\"cache\", \"storage\"",
        "logout also clears what the web app kept in the browser"
    );
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

async fn managers_act_only_within_their_area_of_responsibility(db: Db) {
    let app = spawn_app(db).await;
    let tenancy = app.store.tenancy();
    let philly = tenancy
        .create_aor(app.agency_a, "Philadelphia")
        .await
        .unwrap();
    let chicago = tenancy.create_aor(app.agency_a, "Chicago").await.unwrap();
    // Assign AORs as the operator's console would at onboarding.
    for (user, aor) in [
        ("a.manager", philly),
        ("hsi.jones", philly),
        ("ero.garcia", chicago),
    ] {
        app.raw_sql(&format!(
            "UPDATE users SET aor_id = {} WHERE username = '{user}'",
            aor.0
        ))
        .await;
    }
    let manager = app.login("a.manager").await;
    let users: Value = app
        .get(&manager, "/api/v1/users")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"hsi.jones") && !names.contains(&"ero.garcia"),
        "{names:?}"
    );
    let garcia = app.user_id("ero.garcia").await;
    for action in ["unlock", "disable", "terminate"] {
        let (status, _) = app
            .post(
                &manager,
                &format!("/api/v1/users/{garcia}/{action}"),
                &json!({"reason": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action} outside the AOR");
    }
    let jones = app.user_id("hsi.jones").await;
    assert_eq!(
        app.post(
            &manager,
            &format!("/api/v1/users/{jones}/unlock"),
            &json!({})
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
}

/// A QR code's module matrix: square, of a QR size (21 + 4k), only 0/1,
/// with the 7x7 finder pattern (dark ring, light ring, dark 3x3 centre) in
/// the top-left, top-right and bottom-left corners and nowhere else.
fn assert_qr_code(qr: &Value) {
    let size = qr["size"].as_u64().unwrap() as usize;
    let rows: Vec<Vec<bool>> = qr["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let r = r.as_str().unwrap();
            assert!(r.chars().all(|c| c == '0' || c == '1'), "{r}");
            r.chars().map(|c| c == '1').collect()
        })
        .collect();
    assert_eq!(rows.len(), size, "{qr}");
    assert!(rows.iter().all(|r| r.len() == size), "{qr}");
    assert!(size >= 21 && (size - 21).is_multiple_of(4), "size {size}");
    let finder_at = |top: usize, left: usize| {
        (0..7).all(|y| {
            (0..7).all(|x| {
                let ring = x.min(y).min(6 - x).min(6 - y);
                rows[top + y][left + x] == (ring != 1)
            })
        })
    };
    assert!(finder_at(0, 0), "top-left finder");
    assert!(finder_at(0, size - 7), "top-right finder");
    assert!(finder_at(size - 7, 0), "bottom-left finder");
    assert!(!finder_at(size - 7, size - 7), "no finder bottom-right");
    // The separators around the finders are light.
    assert!((0..8).all(|i| !rows[7][i] && !rows[i][7]));
}
