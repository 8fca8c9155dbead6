//! Auditors' tools (R5.3, R5.5, R5.6): search, statistics against a
//! hand-counted fixture, and exact replay after new reads arrive.

use crate::both_backends;
use crate::helpers::{Db, TestApp, record, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Duration;

/// Four searches, three with results: jones ABC123 (hit) and NOHIT1 (none);
/// smith ABC123 for Agent Rivera (hit); garcia, ERO, ABC123 (hit).
async fn fixture(app: &TestApp) -> i64 {
    let now = app.now();
    let recs: Vec<Value> = (0..3)
        .map(|i| {
            record(
                &format!("s-{i}"),
                "ABC123",
                "PA",
                now - Duration::days(i + 1),
            )
        })
        .collect();
    app.ingest(&app.pa_key, &recs).await;
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let garcia = app.login("ero.garcia").await;
    let (_, _, first) = app.query(&jones, &seed_query("ABC123", "PA")).await;
    assert_eq!(first["result_count"], 3);
    app.query(&jones, &seed_query("NOHIT1", "PA")).await;
    let mut behalf = seed_query("ABC123", "PA");
    behalf["on_behalf_of"] = json!({"person": "Agent Maria Rivera"});
    assert_eq!(app.query(&smith, &behalf).await.0, StatusCode::OK);
    let ero = json!({"plate": "ABC123", "state": "PA", "reason_code": "immigration-enforcement",
        "timeframe": {"previous_days": 30}, "case_reference": "A-file 0123", "on_behalf_of": "self"});
    assert_eq!(app.query(&garcia, &ero).await.0, StatusCode::OK);
    first["query_id"].as_i64().unwrap()
}

async fn auditors_search_by_user_plate_person_and_time(db: Db) {
    let app = spawn_app(db).await;
    fixture(&app).await;
    let auditor = app.login("a.auditor").await;
    let search = |q: &str| {
        let (app, auditor) = (&app, auditor.clone());
        let url = format!("/api/v1/audit/entries?{q}");
        async move {
            let resp = app.get(&auditor, &url).await;
            assert_eq!(resp.status(), StatusCode::OK, "{url}");
            resp.json::<Value>().await.unwrap()["entries"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let by_jones = search("user=hsi.jones").await;
    assert!(!by_jones.is_empty());
    assert!(
        by_jones
            .iter()
            .all(|e| e["actor"]["username"] == "hsi.jones")
    );
    let runs = search("action=query.run&plate=abc-123").await;
    assert_eq!(runs.len(), 3, "{runs:?}");
    let rivera = search("on_behalf_of=rivera").await;
    assert_eq!(rivera.len(), 1);
    assert_eq!(rivera[0]["actor"]["username"], "hsi.smith");
    assert_eq!(
        rivera[0]["fields"]["case_reference"],
        "Subject name John Doe, case number 12345678"
    );
    let ero = search("reason_code=immigration-enforcement").await;
    assert_eq!(ero.len(), 1);
    let future = search(&format!(
        "from={}",
        (app.now() + Duration::days(1))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    ))
    .await;
    assert!(future.is_empty());
    // Paging walks back through the log without overlap.
    let page: Value = app
        .get(&auditor, "/api/v1/audit/entries?limit=3")
        .await
        .json()
        .await
        .unwrap();
    let next = page["next_before"].as_i64().unwrap();
    let page2: Value = app
        .get(
            &auditor,
            &format!("/api/v1/audit/entries?limit=3&before={next}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        page2["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["seq"].as_i64().unwrap() < next)
    );
    // Bad input is a problem document naming the field.
    let resp = app
        .get(&auditor, "/api/v1/audit/entries?from=yesterday")
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp.json::<Value>().await.unwrap()["field"], "from");
    // Investigators cannot search; searches are audited.
    let jones = app.login("hsi.jones").await;
    assert_eq!(
        app.get(&jones, "/api/v1/audit/entries").await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(!search("action=audit.searched").await.is_empty());
}

/// The operator searches the operator log, never an agency's: none of the
/// fixture's agency entries appear, searching by plate is refused with the
/// field named, and the search lands in the operator log itself.
async fn the_operator_searches_only_the_operator_log(db: Db) {
    let app = spawn_app(db).await;
    fixture(&app).await;
    let op = app.login("operator").await;
    let page: Value = app
        .get(&op, "/api/v1/audit/entries?limit=500")
        .await
        .json()
        .await
        .unwrap();
    let entries = page["entries"].as_array().unwrap();
    assert!(
        !entries.is_empty(),
        "the operator log has the sign-in at least"
    );
    let text = serde_json::to_string(entries).unwrap();
    for agency_text in ["ABC123", "query.run", "Agent Maria Rivera", "a.auditor"] {
        assert!(
            !text.contains(agency_text),
            "{agency_text} in the operator log search"
        );
    }
    let resp = app
        .get(&op, "/api/v1/audit/entries?plate=ABC123&state=PA")
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "not_in_operator_log");
    assert_eq!(problem["field"], "plate");
    // By user: the operator's own sign-in is found; an agency's user is not.
    let mine: Value = app
        .get(&op, "/api/v1/audit/entries?user=operator&action=auth.login")
        .await
        .json()
        .await
        .unwrap();
    assert!(!mine["entries"].as_array().unwrap().is_empty());
    let theirs: Value = app
        .get(&op, "/api/v1/audit/entries?user=a.auditor")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["entries"].as_array().unwrap().len(), 0);
    let logged: Value = app
        .get(&op, "/api/v1/audit/entries?action=audit.searched&limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(logged["entries"][0]["actor"]["username"], "operator");
    // And the agency's auditor never sees the operator's searches.
    let auditor = app.login("a.auditor").await;
    let seen: Value = app
        .get(
            &auditor,
            "/api/v1/audit/entries?action=audit.searched&limit=500",
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        seen["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"]["username"] != "operator")
    );
}

async fn statistics_match_the_hand_count(db: Db) {
    let app = spawn_app(db).await;
    let start = app.now() - Duration::hours(1);
    fixture(&app).await;
    let auditor = app.login("a.auditor").await;
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let url = format!(
        "/api/v1/reports/statistics?from={}&to={}",
        fmt(start),
        fmt(app.now() + Duration::hours(1))
    );
    let stats: Value = app.get(&auditor, &url).await.json().await.unwrap();
    let t = &stats["totals"];
    assert_eq!(
        (t["searches"].as_u64(), t["positive_hits"].as_u64()),
        (Some(4), Some(3)),
        "{stats}"
    );
    assert_eq!(t["hit_ratio"], 0.75);
    assert_eq!(stats["by_program"]["HSI"]["searches"], 3);
    assert_eq!(stats["by_program"]["HSI"]["positive_hits"], 2);
    assert_eq!(stats["by_program"]["ERO"]["positive_hits"], 1);
    assert_eq!(
        stats["by_reason_code"]["criminal-investigation"]["searches"],
        3
    );
    assert_eq!(stats["by_user"]["hsi.jones"]["searches"], 2);
    assert_eq!(stats["by_user"]["hsi.jones"]["positive_hits"], 1);
    assert_eq!(stats["by_user"]["hsi.jones"]["hit_ratio"], 0.5);
    // Usage by on-behalf-of person: smith's search for Agent Rivera hit.
    assert_eq!(
        stats["by_on_behalf_of"]["Agent Maria Rivera"]["searches"],
        1
    );
    assert_eq!(
        stats["by_on_behalf_of"]["Agent Maria Rivera"]["positive_hits"],
        1
    );
    assert_eq!(stats["by_on_behalf_of"]["(self)"]["searches"], 3);
    // An empty period counts nothing; a period is required.
    let url = format!(
        "/api/v1/reports/statistics?from={}&to={}",
        fmt(start - Duration::days(30)),
        fmt(start)
    );
    let empty: Value = app.get(&auditor, &url).await.json().await.unwrap();
    assert_eq!(empty["totals"]["searches"], 0);
    let resp = app.get(&auditor, "/api/v1/reports/statistics").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "from_required");
}

async fn replay_returns_exactly_what_the_user_saw(db: Db) {
    let app = spawn_app(db).await;
    let query_id = fixture(&app).await;
    // New reads of the same plate, inside the original time frame, arrive later.
    let earlier = app.now() - Duration::days(10);
    app.ingest(&app.pa_key, &[record("late-1", "ABC123", "PA", earlier)])
        .await;
    let jones = app.login("hsi.jones").await;
    assert_eq!(
        app.query(&jones, &seed_query("ABC123", "PA")).await.2["result_count"],
        4
    );
    let auditor = app.login("a.auditor").await;
    let (status, replay) = app
        .post(
            &auditor,
            &format!("/api/v1/audit/entries/{query_id}/replay"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    assert_eq!(replay["result_count"], 3);
    assert_eq!(replay["ran_by"]["username"], "hsi.jones");
    let ids: Vec<i64> = replay["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["read_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(
        !ids.contains(&4),
        "the late read is beyond the query's watermark"
    );
    // Only query entries replay; managers and investigators cannot.
    let (status, _) = app
        .post(&auditor, "/api/v1/audit/entries/1/replay", &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let manager = app.login("a.manager").await;
    assert_eq!(
        app.post(
            &manager,
            &format!("/api/v1/audit/entries/{query_id}/replay"),
            &json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}

/// The console's additions: plate with state, outcome, the exact bytes
/// (which hash to the leaf), and the whole log as `sightline audit verify`
/// reads it.
async fn search_by_state_and_outcome_with_hashable_bytes(db: Db) {
    let app = spawn_app(db).await;
    fixture(&app).await;
    let jones = app.login("hsi.jones").await;
    app.query(&jones, &seed_query("ABC123", "NJ")).await;
    app.query(&jones, &seed_query("ABC*", "PA")).await;
    let auditor = app.login("a.auditor").await;
    let search = |q: &str| {
        let (app, auditor) = (&app, auditor.clone());
        let url = format!("/api/v1/audit/entries?{q}");
        async move {
            let resp = app.get(&auditor, &url).await;
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    let (_, all) = search("action=query.run&plate=ABC123").await;
    assert_eq!(all["entries"].as_array().unwrap().len(), 4, "{all}");
    let (_, pa) = search("action=query.run&plate=ABC123&state=Pennsylvania").await;
    let pa = pa["entries"].as_array().unwrap().clone();
    assert_eq!(pa.len(), 3);
    assert!(pa.iter().all(|e| e["fields"]["state"] == "PA"));
    let (_, nj) = search("action=query.run&plate=ABC123&state=nj").await;
    assert_eq!(nj["entries"].as_array().unwrap().len(), 1);
    let (_, refused) = search("outcome=refused").await;
    let refused = refused["entries"].as_array().unwrap().clone();
    assert!(!refused.is_empty());
    assert!(refused.iter().all(|e| e["outcome"] == "refused"));
    assert!(refused.iter().any(|e| e["action"] == "query.refused"));
    // The bytes are what the leaf hash covers, with sensitive fields sealed.
    let e = &pa[0];
    let canonical = e["canonical"].as_str().unwrap();
    assert_eq!(
        hex::encode(sightline_audit::leaf_hash(canonical.as_bytes())),
        e["leaf_hash"]
    );
    assert!(!canonical.contains("ABC123"));
    for (q, field) in [("state=ZZ", "state"), ("outcome=maybe", "outcome")] {
        let (status, p) = search(q).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(p["field"], field);
    }
    // Refused searches are not run; the last one run is recorded with its filters.
    let (_, searched) = search("action=audit.searched&limit=1").await;
    assert_eq!(
        searched["entries"][0]["fields"]["filters"]["outcome"],
        "refused"
    );
    assert!(searched["entries"][0]["fields"]["filters"]["state"].is_null());
}

async fn the_whole_log_exports_for_offline_verification(db: Db) {
    let app = spawn_app(db).await;
    fixture(&app).await;
    app.store.ledger().checkpoint_due().await.unwrap();
    let auditor = app.login("a.auditor").await;
    let resp = app.get(&auditor, "/api/v1/audit/log-export").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("sightline-audit-log-agency-")
    );
    let text = resp.text().await.unwrap();
    let lines: Vec<sightline_audit::ExportLine> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let key: Value = app
        .get(&auditor, "/api/v1/audit/public-key")
        .await
        .json()
        .await
        .unwrap();
    let key = sightline_audit::NoteVerifier::from_vkey(key["vkey"].as_str().unwrap()).unwrap();
    let mut verifier = sightline_audit::Verifier::new(&key);
    for l in lines {
        verifier.line(l);
    }
    let verified = verifier.finish().unwrap();
    // Everything up to and including the export's own record.
    let head: Value = app
        .get(
            &auditor,
            "/api/v1/audit/entries?action=audit.exported&limit=1",
        )
        .await
        .json()
        .await
        .unwrap();
    let exported = &head["entries"][0];
    assert_eq!(exported["fields"]["whole_log"], true);
    assert_eq!(verified.tree_size, exported["seq"].as_u64().unwrap());
    assert!(verified.checkpoints >= 2);
    // Another agency's key does not verify it.
    let b = app.login("b.auditor").await;
    let other: Value = app
        .get(&b, "/api/v1/audit/public-key")
        .await
        .json()
        .await
        .unwrap();
    let other = sightline_audit::NoteVerifier::from_vkey(other["vkey"].as_str().unwrap()).unwrap();
    let mut wrong = sightline_audit::Verifier::new(&other);
    for l in text.lines() {
        wrong.line(serde_json::from_str(l).unwrap());
    }
    assert!(wrong.finish().is_err());
    // Managers search their AOR; the whole log is the auditor's.
    let manager = app.login("a.manager").await;
    assert_eq!(
        app.get(&manager, "/api/v1/audit/log-export").await.status(),
        StatusCode::FORBIDDEN
    );
}

both_backends!(
    search_by_state_and_outcome_with_hashable_bytes,
    the_whole_log_exports_for_offline_verification,
    auditors_search_by_user_plate_person_and_time,
    statistics_match_the_hand_count,
    replay_returns_exactly_what_the_user_saw,
    managers_see_only_their_aor_in_the_audit_log,
    the_operator_searches_only_the_operator_log,
);

async fn managers_see_only_their_aor_in_the_audit_log(db: Db) {
    let app = spawn_app(db).await;
    let philly = app
        .store
        .tenancy()
        .create_aor(app.agency_a, "Philadelphia")
        .await
        .unwrap();
    let chicago = app
        .store
        .tenancy()
        .create_aor(app.agency_a, "Chicago")
        .await
        .unwrap();
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
    fixture(&app).await;
    let manager = app.login("a.manager").await;
    let page: Value = app
        .get(&manager, "/api/v1/audit/entries?action=query.run")
        .await
        .json()
        .await
        .unwrap();
    let who: Vec<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"]["username"].as_str().unwrap())
        .collect();
    assert!(
        !who.is_empty() && who.iter().all(|u| *u == "hsi.jones"),
        "{who:?}"
    );
    let auditor = app.login("a.auditor").await;
    let page: Value = app
        .get(&auditor, "/api/v1/audit/entries?action=query.run")
        .await
        .json()
        .await
        .unwrap();
    let who: Vec<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"]["username"].as_str().unwrap())
        .collect();
    assert!(
        who.contains(&"ero.garcia") && who.contains(&"hsi.smith"),
        "{who:?}"
    );
}
