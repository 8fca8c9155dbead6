//! Oversight (issue 16): the case-reference rule, review sampling, the
//! misuse flags, reviews and their unauthorized-use notice, and who sees
//! which items. Time moves by the injected clock only.

use crate::both_backends;
use crate::helpers::{Db, TestApp, mail_for, record, seed_query, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sightline_core::{AgencyZone, Role};
use sightline_store::QueryFact;
use sightline_testkit::SmtpServer;
use time::Duration;

async fn put_settings(app: &TestApp, manager: &str, settings: &Value) -> (StatusCode, Value) {
    app.send_json(Method::PUT, manager, "/api/v1/oversight/settings", settings)
        .await
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let resp = app.get(token, path).await;
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn query_with(plate: &str, case: &str) -> Value {
    let mut q = seed_query(plate, "PA");
    q["case_reference"] = json!(case);
    q
}

/// A user of agency A in `aor` (created if new), trained.
async fn add_user(app: &TestApp, username: &str, role: Role, aor: Option<&str>) -> i64 {
    app.add_trained_user(username, username, role, "HSI", aor)
        .await
        .0
}

async fn pending(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = get_json(app, token, "/api/v1/reviews?status=all&limit=500").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Items of the queue that carry `rule` among their flags.
fn flagged_by<'a>(items: &'a [Value], rule: &str) -> Vec<&'a Value> {
    items
        .iter()
        .filter(|i| {
            i["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == rule)
        })
        .collect()
}

async fn case_reference_policy_refuses_vague_and_malformed_references(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login("a.manager").await;
    let jones = app.login("hsi.jones").await;

    // Before any rule: the seed's reference is fine, and the form is told so.
    let (_, rule) = get_json(&app, &jones, "/api/v1/case-reference-rule").await;
    assert_eq!(rule["active"], false, "{rule}");

    // A pattern that is no regular expression is refused when set.
    let (status, body) = put_settings(
        &app,
        &manager,
        &json!({"case_reference": {"agency": {"pattern": "(HSI", "example": "HSI-2026-000123"}}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "pattern_invalid");
    assert_eq!(body["errors"][0]["field"], "case_reference.agency.pattern");

    // An AOR manager may not set the agency's rule.
    add_user(&app, "north.manager", Role::AgencyManager, Some("North")).await;
    let north = app.login("north.manager").await;
    let settings = json!({"case_reference": {"agency": {
        "pattern": r"^(HSI|ERO)-\d{4}-\d{6}$", "example": "HSI-2026-000123", "min_length": 12
    }}});
    let (status, body) = put_settings(&app, &north, &settings).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "agency_wide_manager_required");
    let (status, body) = put_settings(&app, &manager, &settings).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The query form reads the rule before submission: the example, not the regex.
    let (_, rule) = get_json(&app, &jones, "/api/v1/case-reference-rule").await;
    assert_eq!(rule["active"], true);
    assert_eq!(rule["source"], "agency");
    assert_eq!(rule["example"], "HSI-2026-000123");
    assert_eq!(rule["min_length"], 12);
    assert!(
        rule["vague_phrases"]
            .as_array()
            .unwrap()
            .contains(&json!("investigation"))
    );

    let refused = |case: &'static str| {
        let (app, jones) = (&app, jones.clone());
        async move {
            let (status, _, body) = app.query(&jones, &query_with("OVR001", case)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{case}: {body}");
            assert_eq!(body["errors"][0]["field"], "case_reference", "{body}");
            assert!(
                body["errors"][0]["accepted"]
                    .as_str()
                    .unwrap()
                    .contains("HSI-2026-000123"),
                "the problem says what is accepted: {body}"
            );
            body["code"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(refused("Investigation.").await, "case_reference_vague");
    assert_eq!(refused("  n/a ").await, "case_reference_vague");
    assert_eq!(refused("HSI-26-001").await, "case_reference_too_short");
    assert_eq!(refused("HSI-26-0001234").await, "case_reference_format");
    let (status, _, body) = app
        .query(&jones, &query_with("OVR001", "HSI-2026-000123"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A program's own rule replaces the agency's for its users.
    let (status, body) = put_settings(
        &app,
        &manager,
        &json!({"case_reference": {
            "agency": {"pattern": r"^(HSI|ERO)-\d{4}-\d{6}$", "example": "HSI-2026-000123"},
            "programs": {"HSI": {"pattern": r"^HSI-[A-Z]{2}-\d{5}$", "example": "HSI-NY-12345"}}
        }}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, rule) = get_json(&app, &jones, "/api/v1/case-reference-rule").await;
    assert_eq!(
        (rule["source"].as_str(), rule["example"].as_str()),
        (Some("program"), Some("HSI-NY-12345"))
    );
    let (status, _, body) = app
        .query(&jones, &query_with("OVR001", "HSI-2026-000123"))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("case_reference_format")
        )
    );
    let (status, _, _) = app
        .query(&jones, &query_with("OVR001", "HSI-NY-12345"))
        .await;
    assert_eq!(status, StatusCode::OK);

    // An alert entry's note names the case: the same rule.
    let (_, list) = app
        .post(&jones, "/api/v1/alert-lists", &json!({"name": "Rule list"}))
        .await;
    let path = format!("/api/v1/alert-lists/{}/entries", list["id"]);
    let entry = |note: &str| json!({"plate": "OVR002", "state": "PA", "reason_code": "criminal-investigation", "note": note});
    let (status, body) = app.post(&jones, &path, &entry("investigation")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        (body["code"].as_str(), body["errors"][0]["field"].as_str()),
        (Some("case_reference_vague"), Some("note"))
    );
    let (status, body) = app.post(&jones, &path, &entry("HSI-NY-54321")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Every change is audited, and refused queries are logged with their code.
    let since = app.now() - Duration::days(1);
    let count = |action: &'static str| {
        let app = &app;
        async move {
            app.store
                .incidents()
                .count_actions(app.agency_a, action, since)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("oversight.settings_changed").await, 2);
    assert_eq!(count("query.refused").await, 5);
}

async fn sampling_draws_the_share_and_records_every_draw(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login("a.manager").await;
    let jones = app.login("hsi.jones").await;
    // Off until the agency enables it: no draw is made or recorded.
    app.query(&jones, &seed_query("SMP000", "PA")).await;
    let since = app.now() - Duration::days(1);
    let draws = app
        .store
        .incidents()
        .count_actions(app.agency_a, "review.draw", since)
        .await
        .unwrap();
    assert_eq!(draws, 0);

    let (status, body) = put_settings(
        &app,
        &manager,
        &json!({"sampling": {"enabled": true, "share_percent": 10.0}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, rule) = get_json(&app, &jones, "/api/v1/case-reference-rule").await;
    assert_eq!(rule["sampled_for_review"], true);

    // 1,000 identical queries: if the draw were a function of the query,
    // all would be drawn or none.
    const N: i64 = 1000;
    for _ in 0..N {
        let (status, _, body) = app.query(&jones, &seed_query("SMP001", "PA")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let draws = app
        .store
        .incidents()
        .count_actions(app.agency_a, "review.draw", since)
        .await
        .unwrap();
    assert_eq!(draws, N, "every draw is recorded");
    let selected = app
        .store
        .oversight()
        .items(app.agency_a, None, None, 10_000)
        .await
        .unwrap()
        .len() as i64;
    // Binomial(1000, 0.1): mean 100, sd 9.5; 5 sd either side.
    assert!(
        (52..=148).contains(&selected),
        "{selected} of {N} drawn at 10 %"
    );
    // The recorded draws agree with the queue.
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT canonical FROM audit_entries WHERE log_id = $1 AND action = 'review.draw'",
    )
    .bind(sightline_core::TenantScope::Agency(app.agency_a).log_id())
    .fetch_all(app.store.db.pool())
    .await
    .unwrap();
    let recorded_selected = rows
        .iter()
        .filter(|(c,)| {
            let v: Value = serde_json::from_str(c).unwrap();
            v["fields"]["selected"] == true || v["selected"] == true
        })
        .count() as i64;
    assert_eq!(recorded_selected, selected, "{}", rows[0].0);
}

/// The one queue item `rule` flagged, read by a fresh manager session (the
/// clock may have outlived the last); fails unless there is exactly one.
async fn only_hit(app: &TestApp, rule: &str) -> Value {
    let manager = app.login("a.manager").await;
    let items = pending(app, &manager).await;
    let hits = flagged_by(&items, rule);
    assert_eq!(hits.len(), 1, "{rule}: {items:?}");
    hits[0].clone()
}

/// Settings with exactly one flag rule on (the others stay off).
async fn only_flag(app: &TestApp, manager: &str, rule: &str, config: Value) {
    let mut flags = json!({});
    let mut c = config;
    c["enabled"] = json!(true);
    flags[rule] = c;
    let (status, body) = put_settings(app, manager, &json!({ "flags": flags })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// History the rules count over, as the query path indexes it.
async fn seed_history(app: &TestApp, user: i64, at: time::OffsetDateTime, seq: i64) {
    app.store
        .oversight()
        .record_query(&QueryFact {
            agency: app.agency_a,
            seq,
            user: sightline_core::UserId(user),
            at,
            plate_digest: format!("seeded-plate-{seq}"),
            case_digest: format!("seeded-case-{seq}"),
            result_count: 1,
        })
        .await
        .unwrap();
}

async fn daily_volume_flag(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login("a.manager").await;
    only_flag(
        &app,
        &manager,
        "daily_volume",
        json!({"multiple": 3.0, "min_history_days": 10, "min_count": 4}),
    )
    .await;
    // Both investigators ran one query a day for the last 12 days.
    let jones = app.user_id("hsi.jones").await;
    let smith = app.user_id("hsi.smith").await;
    for d in 1..=12 {
        seed_history(&app, jones, app.now() - Duration::days(d), 1_000_000 + d).await;
        seed_history(&app, smith, app.now() - Duration::days(d), 2_000_000 + d).await;
    }
    let jt = app.login("hsi.jones").await;
    let st = app.login("hsi.smith").await;
    for i in 0..4 {
        app.query(&jt, &seed_query(&format!("DV{i:03}"), "PA"))
            .await;
    }
    for i in 0..3 {
        app.query(&st, &seed_query(&format!("DS{i:03}"), "PA"))
            .await;
    }
    let hit = only_hit(&app, "daily_volume").await;
    assert_eq!(hit["username"], "hsi.jones");
    assert!(
        hit["flags"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("median"),
        "{hit}"
    );
}

async fn case_spread_flag(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login("a.manager").await;
    only_flag(
        &app,
        &manager,
        "case_spread",
        json!({"plates": 3, "window_minutes": 60}),
    )
    .await;
    let jt = app.login("hsi.jones").await;
    let st = app.login("hsi.smith").await;
    // Control: three plates, each under its own case.
    for (i, case) in [
        "Case 2026-0001 Doe",
        "Case 2026-0002 Roe",
        "Case 2026-0003 Poe",
    ]
    .iter()
    .enumerate()
    {
        app.query(&st, &query_with(&format!("CS{i:03}"), case))
            .await;
    }
    // Three plates under one case within the hour.
    for i in 0..3 {
        app.advance(Duration::minutes(10));
        app.query(
            &jt,
            &query_with(&format!("CJ{i:03}"), "Case 2026-0099 Smith"),
        )
        .await;
    }
    let hit = only_hit(&app, "case_spread").await;
    assert_eq!(hit["username"], "hsi.jones");
    assert_eq!(hit["query"]["plate"], "CJ002");
    // The window passes: the same case again, alone, is quiet.
    app.advance(Duration::hours(2));
    let jt = app.login("hsi.jones").await;
    app.query(&jt, &query_with("CJ009", "Case 2026-0099 Smith"))
        .await;
    only_hit(&app, "case_spread").await;
}

async fn off_hours_flag(db: Db) {
    let app = spawn_app(db).await;
    app.store
        .tenancy()
        .set_time_zone(app.agency_a, &AgencyZone::utc())
        .await
        .unwrap();
    let manager = app.login("a.manager").await;
    only_flag(
        &app,
        &manager,
        "off_hours",
        json!({"min_history": 20, "min_share_percent": 2.0, "lookback_days": 90}),
    )
    .await;
    // START is 12:00 UTC: thirty days of queries at noon for both users.
    let jones = app.user_id("hsi.jones").await;
    let smith = app.user_id("hsi.smith").await;
    for d in 1..=30 {
        seed_history(&app, jones, app.now() - Duration::days(d), 1_000_000 + d).await;
        seed_history(&app, smith, app.now() - Duration::days(d), 2_000_000 + d).await;
    }
    // Control: smith queries at noon, his usual hour.
    let st = app.login("hsi.smith").await;
    app.query(&st, &seed_query("OH0001", "PA")).await;
    // Jones at three in the morning.
    app.advance(Duration::hours(15));
    let jt = app.login("hsi.jones").await;
    app.query(&jt, &seed_query("OH0002", "PA")).await;
    let hit = only_hit(&app, "off_hours").await;
    assert_eq!(hit["username"], "hsi.jones");
    assert!(
        hit["flags"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("03:00"),
        "{hit}"
    );
}

async fn repeat_no_hit_flag(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login("a.manager").await;
    only_flag(
        &app,
        &manager,
        "repeat_no_hit",
        json!({"min_queries": 3, "min_span_days": 14, "lookback_days": 56}),
    )
    .await;
    // Control: a plate with a read, queried as often.
    app.ingest(
        &app.pa_key,
        &[record(
            "rn-1",
            "RNHIT1",
            "PA",
            app.now() - Duration::days(1),
        )],
    )
    .await;
    for _ in 0..3 {
        let jt = app.login("hsi.jones").await;
        let (_, _, r) = app.query(&jt, &seed_query("RNHIT1", "PA")).await;
        assert_eq!(r["result_count"], 1, "{r}");
        let (_, _, r) = app.query(&jt, &seed_query("RNNONE", "PA")).await;
        assert_eq!(r["result_count"], 0, "{r}");
        app.advance(Duration::days(8));
    }
    let hit = only_hit(&app, "repeat_no_hit").await;
    assert_eq!(hit["query"]["plate"], "RNNONE");
}

async fn after_login_storm_flag(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login("a.manager").await;
    only_flag(
        &app,
        &manager,
        "after_login_storm",
        json!({"failures": 3, "window_minutes": 30}),
    )
    .await;
    // Control: jones signs in at once and queries.
    let jt = app.login("hsi.jones").await;
    app.query(&jt, &seed_query("LS0001", "PA")).await;
    // Smith's account: three failed logons, then a success and a query.
    for _ in 0..3 {
        app.password_login("hsi.smith", "not the password").await;
    }
    let st = app.login("hsi.smith").await;
    app.query(&st, &seed_query("LS0002", "PA")).await;
    // An hour later the storm is past.
    app.advance(Duration::hours(1));
    let st = app.login("hsi.smith").await;
    app.query(&st, &seed_query("LS0003", "PA")).await;
    let hit = only_hit(&app, "after_login_storm").await;
    assert_eq!(
        (hit["username"].as_str(), hit["query"]["plate"].as_str()),
        (Some("hsi.smith"), Some("LS0002"))
    );
}

async fn questioned_review_notifies_by_smtp_and_is_audited(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let manager = app.login("a.manager").await;
    let (status, body) = app
        .send_json(
            Method::PUT,
            &manager,
            "/api/v1/security-contacts",
            &json!({"emails": ["soc@agency.test"], "professional_responsibility": ["opr@agency.test"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["professional_responsibility"],
        json!(["opr@agency.test"])
    );
    let (status, _) = put_settings(
        &app,
        &manager,
        &json!({"sampling": {"enabled": true, "share_percent": 100.0}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let jt = app.login("hsi.jones").await;
    for plate in ["QR0001", "QR0002"] {
        app.query(&jt, &seed_query(plate, "PA")).await;
    }
    let auditor = app.login("a.auditor").await;
    let items = pending(&app, &auditor).await;
    assert_eq!(items.len(), 2, "{items:?}");
    // The reviewer sees the query as logged.
    let q = items
        .iter()
        .find(|i| i["query"]["plate"] == "QR0001")
        .unwrap();
    assert_eq!(
        q["query"]["case_reference"],
        "Subject name John Doe, case number 12345678"
    );
    assert_eq!(q["sampled"], true);
    let other = items
        .iter()
        .find(|i| i["query"]["plate"] == "QR0002")
        .unwrap();

    let path = format!("/api/v1/reviews/{}", q["id"]);
    let (status, body) = app
        .post(&auditor, &path, &json!({"outcome": "questioned"}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note_required"))
    );
    let note = "No open case matches this reference: ask the user";
    let (status, body) = app
        .post(
            &auditor,
            &path,
            &json!({"outcome": "questioned", "note": note}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["incident_id"].as_i64().is_some(), "{body}");
    // Through the outbox to real SMTP: the professional-responsibility
    // office and the security contacts.
    let mails = mail_for(&smtp, "opr@agency.test", 1).await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].subject.contains("unauthorized_use_suspected"),
        "{}",
        mails[0].subject
    );
    assert!(mails[0].body.contains("hsi.jones"), "{}", mails[0].body);
    assert!(!mails[0].body.contains(note), "the note stays in the log");
    assert_eq!(mail_for(&smtp, "soc@agency.test", 1).await.len(), 1);

    // Decided once.
    let (status, body) = app
        .post(
            &manager,
            &path,
            &json!({"outcome": "justified", "note": "again"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("review_already_decided"))
    );
    let (status, _) = app
        .post(
            &manager,
            &format!("/api/v1/reviews/{}", other["id"]),
            &json!({"outcome": "justified", "note": "Open case HSI-2026-000123 confirmed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // The review is audited; its note is sealed at rest and opened for reviewers.
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT canonical FROM audit_entries WHERE log_id = $1 AND action = 'review.decided' ORDER BY seq",
    )
    .bind(sightline_core::TenantScope::Agency(app.agency_a).log_id())
    .fetch_all(app.store.db.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(!rows[0].0.contains(note), "{}", rows[0].0);
    assert!(rows[0].0.contains("questioned"), "{}", rows[0].0);
    let items = pending(&app, &auditor).await;
    let q = items.iter().find(|i| i["id"] == q["id"]).unwrap();
    assert_eq!(
        (
            q["status"].as_str(),
            q["note"].as_str(),
            q["reviewer"].as_str()
        ),
        (Some("questioned"), Some(note), Some("a.auditor"))
    );
    let (status, report) = get_json(&app, &manager, "/api/v1/reviews/report").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report["outcomes"],
        json!({"pending": 0, "justified": 1, "questioned": 1})
    );
    assert_eq!(report["coverage"][0]["percent"], 100.0);
}

async fn reviewers_see_their_scope_and_the_operator_nothing(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login("a.manager").await;
    add_user(&app, "north.agent", Role::Investigator, Some("North")).await;
    add_user(&app, "south.agent", Role::Investigator, Some("South")).await;
    add_user(&app, "north.manager", Role::AgencyManager, Some("North")).await;
    let (status, _) = put_settings(
        &app,
        &manager,
        &json!({"sampling": {"enabled": true, "share_percent": 100.0}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for (user, plate) in [("north.agent", "AOR001"), ("south.agent", "AOR002")] {
        let t = app.login(user).await;
        let (status, _, body) = app.query(&t, &seed_query(plate, "PA")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let north = app.login("north.manager").await;
    let mine = pending(&app, &north).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(
        (mine[0]["username"].as_str(), mine[0]["aor"].as_str()),
        (Some("north.agent"), Some("North"))
    );
    let auditor = app.login("a.auditor").await;
    let all = pending(&app, &auditor).await;
    assert_eq!(all.len(), 2);
    assert_eq!(pending(&app, &manager).await.len(), 2);
    let south_item = all.iter().find(|i| i["username"] == "south.agent").unwrap();
    let path = format!("/api/v1/reviews/{}", south_item["id"]);
    let decision = json!({"outcome": "justified", "note": "fine"});
    let (status, _) = app.post(&north, &path, &decision).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another AOR's item");
    let (_, report) = get_json(&app, &north, "/api/v1/reviews/report").await;
    assert_eq!(report["scope"], "North");
    assert_eq!(report["unreviewed_by_age"][0]["count"], 1, "{report}");

    // Another agency's manager: an empty queue, and A's item is not found.
    let b = app.login("b.manager").await;
    assert!(pending(&app, &b).await.is_empty());
    assert_eq!(
        app.post(&b, &path, &decision).await.0,
        StatusCode::NOT_FOUND
    );
    // The operator sees nothing.
    let op = app.login("operator").await;
    for p in [
        "/api/v1/reviews",
        "/api/v1/reviews/report",
        "/api/v1/oversight/settings",
    ] {
        assert_eq!(app.get(&op, p).await.status(), StatusCode::FORBIDDEN, "{p}");
    }
    assert_eq!(
        app.post(&op, &path, &decision).await.0,
        StatusCode::FORBIDDEN
    );
    // Investigators are not reviewers.
    let t = app.login("north.agent").await;
    assert_eq!(
        app.get(&t, "/api/v1/reviews").await.status(),
        StatusCode::FORBIDDEN
    );
}

both_backends!(
    case_reference_policy_refuses_vague_and_malformed_references,
    sampling_draws_the_share_and_records_every_draw,
    daily_volume_flag,
    case_spread_flag,
    off_hours_flag,
    repeat_no_hit_flag,
    after_login_storm_flag,
    questioned_review_notifies_by_smtp_and_is_audited,
    reviewers_see_their_scope_and_the_operator_nothing,
);
