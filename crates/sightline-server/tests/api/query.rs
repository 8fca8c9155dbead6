//! Purpose-bound plate queries (R3), end to end.

use crate::both_backends;
use crate::helpers::{Db, TestApp, record, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::TenantScope;
use time::Duration;

async fn seed_reads(app: &TestApp) {
    let now = app.now();
    let mut recs = Vec::new();
    for i in 0..5 {
        recs.push(record(
            &format!("abc-{i}"),
            "ABC 123",
            "PA",
            now - Duration::days(3 + i * 10),
        ));
    }
    // Outside the 60-day frame, another state, and a near-miss plate.
    recs.push(record("abc-old", "ABC123", "PA", now - Duration::days(90)));
    recs.push(record("abc-nj", "ABC123", "NJ", now - Duration::days(5)));
    recs.push(record("abc-1234", "ABC1234", "PA", now - Duration::days(5)));
    let report = app.ingest(&app.pa_key, &recs).await;
    assert_eq!(report["accepted"], 8, "{report}");
}

async fn seed_example_query_returns_reads_with_photos(db: Db) {
    let app = spawn_app(db).await;
    seed_reads(&app).await;
    let token = app.login("hsi.jones").await;
    let (status, _, body) = app
        .query(&token, &seed_query("ABC123", "Pennsylvania"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result_count"], 5, "{body}");
    let results = body["results"].as_array().unwrap();
    for r in results {
        assert_eq!(r["plate"], "ABC123");
        assert_eq!(r["state"], "PA");
        assert!(r["location"]["lat"].is_number());
        assert_eq!(
            r["nearest_address"],
            "1400 John F Kennedy Blvd, Philadelphia, PA 19107"
        );
        assert_eq!(r["nearest_intersection"], "JFK Blvd & N Broad St");
        assert_eq!(r["source"]["name"], "Pennsylvania Turnpike toll camera");
        assert_eq!(r["source"]["kind"], "toll_road");
        assert!(r["captured_at"].is_string());
    }
    // Both photos come back, as images, for this session.
    let first = &results[0];
    for kind in ["vehicle", "plate"] {
        let url = first["photos"][kind].as_str().unwrap();
        let resp = app.get(&token, url).await;
        assert_eq!(resp.status(), StatusCode::OK, "{url}");
        assert_eq!(resp.headers()["content-type"], "image/png");
        let bytes = resp.bytes().await.unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }
    // Another session of the same user cannot use the links.
    let other = app.login("hsi.jones").await;
    let url = first["photos"]["vehicle"].as_str().unwrap();
    assert_eq!(app.get(&other, url).await.status(), StatusCode::NOT_FOUND);
    // Nor can the links be bent to a read outside the query.
    let qid = body["query_id"].as_i64().unwrap();
    for rid in 1..=8 {
        let resp = app
            .get(
                &token,
                &format!("/api/v1/queries/{qid}/reads/{rid}/photos/plate"),
            )
            .await;
        let in_results = results.iter().any(|r| r["read_id"] == rid);
        assert_eq!(resp.status() == StatusCode::OK, in_results, "read {rid}");
    }

    // The audit log holds every field of R5.2.
    let entry = app
        .store
        .ledger()
        .entry(TenantScope::Agency(app.agency_a), qid)
        .await
        .unwrap()
        .unwrap()
        .entry;
    assert_eq!(entry.action, "query.run");
    assert_eq!(entry.field_str("plate"), Some("ABC123"));
    assert_eq!(entry.field_str("state"), Some("PA"));
    assert_eq!(
        entry.field_str("reason_code"),
        Some("criminal-investigation")
    );
    assert_eq!(
        entry.field_str("case_reference"),
        Some("Subject name John Doe, case number 12345678")
    );
    assert_eq!(entry.fields["on_behalf_of"], Value::Null);
    assert!(entry.field_i64("from").is_some() && entry.field_i64("to").is_some());
    assert!(
        matches!(&entry.actor, sightline_audit::Actor::User { username, .. } if username == "hsi.jones"),
        "{:?}",
        entry.actor
    );
}

async fn every_missing_field_has_its_own_code(db: Db) {
    let app = spawn_app(db).await;
    let token = app.login("hsi.jones").await;
    let mut seen = std::collections::HashSet::new();
    for (field, code) in [
        ("plate", "plate_required"),
        ("state", "state_required"),
        ("reason_code", "reason_code_required"),
        ("timeframe", "timeframe_required"),
        ("case_reference", "case_reference_required"),
        ("on_behalf_of", "on_behalf_of_required"),
    ] {
        let mut q = seed_query("ABC123", "PA");
        q.as_object_mut().unwrap().remove(field);
        let (status, ctype, body) = app.query(&token, &q).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(ctype, "application/problem+json");
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["field"], field);
        assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body}");
        assert!(!body.to_string().contains("results"));
        seen.insert(code);
    }
    assert_eq!(seen.len(), 6);
    // Refusals are audited too, with their codes.
    let refusals = app
        .store
        .ledger()
        .recent(
            TenantScope::Agency(app.agency_a),
            None,
            Some("query.refused"),
            None,
            100,
        )
        .await
        .unwrap();
    assert_eq!(refusals.len(), 6);
    assert_eq!(
        refusals[0].entry.fields["codes"],
        json!(["on_behalf_of_required"])
    );
}

async fn six_year_ero_timeframe_is_refused_naming_the_maximum(db: Db) {
    let app = spawn_app(db).await;
    let token = app.login("ero.garcia").await;
    let q = json!({
        "plate": "ABC123", "state": "PA", "reason_code": "immigration-enforcement",
        "timeframe": {"previous_days": 6 * 365},
        "case_reference": "A-number 012345678", "on_behalf_of": {"person": "Deportation Officer Ruiz"},
    });
    let (status, _, body) = app.query(&token, &q).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "timeframe_exceeds_policy");
    assert_eq!(body["field"], "timeframe");
    assert!(
        body["detail"].as_str().unwrap().contains("1826 days"),
        "{body}"
    );
    assert_eq!(body["accepted"], "at most 1826 days");
    // Five years is fine; so is an explicit range; a reason of another program is not.
    let mut ok = q.clone();
    ok["timeframe"] = json!({"previous_days": 1826});
    assert_eq!(app.query(&token, &ok).await.0, StatusCode::OK);
    ok["timeframe"] = json!({"start": "2025-01-01T00:00:00Z", "end": "2025-06-01T00:00:00Z"});
    assert_eq!(app.query(&token, &ok).await.0, StatusCode::OK);
    ok["reason_code"] = json!("criminal-investigation");
    let (status, _, body) = app.query(&token, &ok).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "reason_code_unknown");
    assert_eq!(body["accepted"], "immigration-enforcement");
    // An open-ended or malformed time frame is refused.
    ok["reason_code"] = json!("immigration-enforcement");
    ok["timeframe"] = json!({"start": "2025-01-01T00:00:00Z"});
    assert_eq!(app.query(&token, &ok).await.2["code"], "timeframe_invalid");
}

async fn wildcards_and_partial_plates_are_refused(db: Db) {
    let app = spawn_app(db).await;
    let token = app.login("hsi.jones").await;
    for plate in ["XYZ*", "XYZ12%", "X?Z1234", "XYZ_234"] {
        let (status, _, body) = app.query(&token, &seed_query(plate, "WI")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{plate}");
        assert_eq!(body["code"], "plate_wildcard", "{plate}: {body}");
        assert!(body["accepted"].as_str().unwrap().contains("wildcards"));
    }
}

async fn xyz1234_returns_only_xyz1234(db: Db) {
    let app = spawn_app(db).await;
    let now = app.now();
    let recs: Vec<Value> = [
        ("1", "XYZ1234", "WI"),
        ("2", "XYZ 1234", "WI"),
        ("3", "XYZ123", "WI"),
        ("4", "XYZ12345", "WI"),
        ("5", "XYZ1234", "MN"),
        ("6", "XYZ1235", "WI"),
        ("7", "AXYZ1234", "WI"),
    ]
    .iter()
    .map(|(id, p, s)| record(id, p, s, now - Duration::days(2)))
    .collect();
    assert_eq!(app.ingest(&app.pa_key, &recs).await["accepted"], 7);
    let token = app.login("hsi.jones").await;
    let (status, _, body) = app.query(&token, &seed_query("xyz-1234", "wi")).await;
    assert_eq!(status, StatusCode::OK);
    let plates: Vec<(&str, &str)> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["plate"].as_str().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(plates, [("XYZ1234", "WI"), ("XYZ1234", "WI")]);
}

async fn failed_audit_append_returns_no_data(db: Db) {
    let app = spawn_app(db).await;
    seed_reads(&app).await;
    let token = app.login("hsi.jones").await;
    // The ledger's storage starts refusing query entries (a full disk, a
    // revoked grant): the query must fail closed.
    match app.db {
        Db::Sqlite => {
            app.raw_sql(
                "CREATE TRIGGER fail_query_audit BEFORE INSERT ON audit_entries \
                 WHEN NEW.action = 'query.run' BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;",
            )
            .await
        }
        Db::Postgres => {
            app.raw_sql(
                "CREATE FUNCTION fail_query_audit() RETURNS trigger AS $$ BEGIN \
                 IF NEW.action = 'query.run' THEN RAISE EXCEPTION 'simulated failure'; END IF; \
                 RETURN NEW; END; $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER fail_query_audit BEFORE INSERT ON audit_entries \
                 FOR EACH ROW EXECUTE FUNCTION fail_query_audit();",
            )
            .await
        }
    }
    let (status, ctype, body) = app.query(&token, &seed_query("ABC123", "PA")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(body["code"], "audit_unavailable");
    let text = body.to_string();
    assert!(
        !text.contains("results") && !text.contains("Kennedy") && !text.contains("photos"),
        "{text}"
    );
    // And nothing about the query was logged as run.
    let runs = app
        .store
        .ledger()
        .recent(
            TenantScope::Agency(app.agency_a),
            None,
            Some("query.run"),
            None,
            10,
        )
        .await
        .unwrap();
    assert!(runs.is_empty());
}

async fn users_recall_their_own_recent_queries(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    for plate in ["AAA111", "BBB222"] {
        assert_eq!(
            app.query(&jones, &seed_query(plate, "PA")).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(
        app.query(&smith, &seed_query("CCC333", "PA")).await.0,
        StatusCode::OK
    );
    let body: Value = app
        .get(&jones, "/api/v1/queries")
        .await
        .json()
        .await
        .unwrap();
    let plates: Vec<&str> = body["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["plate"].as_str().unwrap())
        .collect();
    assert_eq!(plates, ["BBB222", "AAA111"]);
    assert_eq!(
        body["queries"][0]["case_reference"],
        "Subject name John Doe, case number 12345678"
    );
}

async fn group_members_see_each_others_recent_queries(db: Db) {
    let app = spawn_app(db).await;
    app.raw_sql("UPDATE users SET display_name = 'Agent Smith' WHERE username = 'hsi.smith'")
        .await;
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let garcia = app.login("ero.garcia").await;
    let park = app.login("b.park").await;
    let (status, group) = app
        .post(
            &jones,
            "/api/v1/alert-groups",
            &json!({"name": "Case 12345678", "members": ["hsi.smith"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let ran = |token: &str, plate: &str, reason: &str| {
        let mut q = seed_query(plate, "PA");
        q["reason_code"] = json!(reason);
        let (app, token) = (&app, token.to_owned());
        async move {
            let (status, _, body) = app.query(&token, &q).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["query_id"].as_i64().unwrap()
        }
    };
    ran(&smith, "SSS111", "criminal-investigation").await;
    ran(&garcia, "GGG111", "immigration-enforcement").await;
    let jones_q = ran(&jones, "JJJ111", "criminal-investigation").await;
    ran(&park, "PPP111", "criminal-investigation").await;
    // Even a member row that crosses agencies (which the API never makes)
    // opens nothing across them.
    let park_id = app.user_id("b.park").await;
    app.raw_sql(&format!(
        "INSERT INTO alert_group_members (group_id, user_id) VALUES ({}, {park_id})",
        group["id"]
    ))
    .await;

    let recent = |token: &str, query: &str| {
        let (app, token, path) = (&app, token.to_owned(), format!("/api/v1/queries{query}"));
        async move {
            let resp = app.get(&token, &path).await;
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
            let body: Value = resp.json().await.unwrap();
            body["queries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| {
                    format!(
                        "{} {} {}",
                        q["plate"].as_str().unwrap(),
                        q["username"].as_str().unwrap(),
                        q["display_name"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(recent(&jones, "").await, ["JJJ111 hsi.jones hsi.jones"]);
    let team = ["JJJ111 hsi.jones hsi.jones", "SSS111 hsi.smith Agent Smith"];
    assert_eq!(recent(&jones, "?include=groups").await, team);
    assert_eq!(recent(&smith, "?include=groups").await, team);
    assert_eq!(recent(&smith, "").await, ["SSS111 hsi.smith Agent Smith"]);
    // Not a member: own queries only.
    assert_eq!(
        recent(&garcia, "?include=groups").await,
        ["GGG111 ero.garcia ero.garcia"]
    );
    // Another agency never sees them, nor they its.
    assert_eq!(
        recent(&park, "?include=groups").await,
        ["PPP111 b.park b.park"]
    );
    // Paging holds with the groups included.
    assert_eq!(
        recent(&jones, "?include=groups&limit=1").await,
        ["JJJ111 hsi.jones hsi.jones"]
    );
    assert_eq!(
        recent(&jones, &format!("?include=groups&limit=1&before={jones_q}")).await,
        ["SSS111 hsi.smith Agent Smith"]
    );
    let resp = app.get(&jones, "/api/v1/queries?include=agency").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "include_invalid");
    assert_eq!(problem["field"], "include");
    assert_eq!(problem["accepted"], "groups");
}

async fn any_session_lists_the_jurisdictions_by_name(db: Db) {
    let app = spawn_app(db).await;
    assert_eq!(
        app.client
            .get(app.url("/api/v1/jurisdictions"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // A password-only session is enough: the list is no agency data.
    let (_, login) = app
        .password_login("hsi.jones", crate::helpers::PASSWORD)
        .await;
    let token = login["token"].as_str().unwrap();
    let resp = app.get(token, "/api/v1/jurisdictions").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    let list = body["jurisdictions"].as_array().unwrap();
    assert_eq!(list.len(), sightline_core::Jurisdiction::all().count());
    assert!(list.contains(&json!({"code": "PA", "name": "Pennsylvania"})));
    assert!(list.iter().any(|j| j["code"] == "DC"));
    let names: Vec<&str> = list.iter().map(|j| j["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for j in list {
        let code = j["code"].as_str().unwrap();
        assert_eq!(
            sightline_core::Jurisdiction::parse(code).unwrap().name(),
            j["name"]
        );
    }
}

both_backends!(
    group_members_see_each_others_recent_queries,
    any_session_lists_the_jurisdictions_by_name,
    seed_example_query_returns_reads_with_photos,
    every_missing_field_has_its_own_code,
    six_year_ero_timeframe_is_refused_naming_the_maximum,
    wildcards_and_partial_plates_are_refused,
    xyz1234_returns_only_xyz1234,
    failed_audit_append_returns_no_data,
    users_recall_their_own_recent_queries,
);
