//! Alert lists (R4): matching on ingest, who is emailed, de-confliction,
//! batch uploads. Mail goes over SMTP to a real server process and is read
//! back from what it received.

use crate::both_backends;
use crate::helpers::{Db, TestApp, mail_for, record, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_testkit::SmtpServer;
use time::Duration;

pub const REASON: &str = "criminal-investigation";
pub const CASE: &str = "Subject name John Doe, case number 12345678";

/// Creates a list for `token`'s user; returns its id.
pub async fn new_list(app: &TestApp, token: &str, name: &str) -> i64 {
    let (status, body) = app
        .post_json(token, "/api/v1/alert-lists", &json!({"name": name}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// Adds one entry; returns the response body.
pub async fn add(app: &TestApp, token: &str, list: i64, entry: Value) -> Value {
    let (status, body) = app
        .post_json(
            token,
            &format!("/api/v1/alert-lists/{list}/entries"),
            &entry,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

pub fn entry(plate: &str, state: &str) -> Value {
    json!({"plate": plate, "state": state, "reason_code": REASON, "note": CASE})
}

/// Ingests one read of `plate`/`state` from the Pennsylvania source.
pub async fn read(app: &TestApp, id: &str, plate: &str, state: &str) -> i64 {
    let at = app.now() - Duration::minutes(5);
    let report = app
        .ingest(&app.pa_key, &[record(id, plate, state, at)])
        .await;
    assert_eq!(report["accepted"], 1, "{report}");
    report["results"][0]["read_id"].as_i64().unwrap()
}

async fn inbox(app: &TestApp, token: &str) -> Vec<Value> {
    let body: Value = app
        .get(token, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    body["notifications"].as_array().unwrap().clone()
}

async fn a_hit_emails_the_owner_and_the_case_team_with_the_read_details(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let list = new_list(&app, &jones, "Case 12345678").await;
    let mut e = entry("HOT1234", "PA");
    e["notify"] = json!({"scope": "users", "users": ["hsi.smith"]});
    add(&app, &jones, list, e).await;

    let read_id = read(&app, "hit-1", "HOT1234", "PA").await;
    let to_jones = mail_for(&smtp, "hsi.jones@agency.test", 1).await;
    let to_smith = mail_for(&smtp, "hsi.smith@agency.test", 1).await;
    assert_eq!(to_jones.len(), 1);
    assert_eq!(to_smith.len(), 1);
    let m = &to_jones[0];
    assert!(m.subject.contains("HOT1234"), "{m:?}");
    for needle in [
        "Plate: HOT1234",
        "State: PA",
        "Time: ",
        "1400 John F Kennedy Blvd",
        "Pennsylvania Turnpike toll camera",
        &format!("{}/reads/{read_id}", app.base),
    ] {
        assert!(m.body.contains(needle), "{needle} missing from {}", m.body);
    }
    assert!(!m.body.to_lowercase().contains("base64") && m.body.len() < 4_000);
    // Nobody else in the agency heard of it.
    assert_eq!(smtp.messages().len(), 2);
    // In-app too, for both.
    let items = inbox(&app, &smith).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "hit");
    assert_eq!(items[0]["read_id"], read_id);
    assert_eq!(inbox(&app, &jones).await.len(), 1);
    let garcia = app.login("ero.garcia").await;
    assert!(inbox(&app, &garcia).await.is_empty());

    // The same batch sent again (a retrying source) emails nobody twice.
    let at = app.now() - Duration::minutes(5);
    let again = app
        .ingest(&app.pa_key, &[record("hit-1", "HOT1234", "PA", at)])
        .await;
    assert_eq!(again["duplicates"], 1);
    assert_eq!(app.store.outbox().counts().await.unwrap(), (0, 2));
}

async fn a_hit_on_a_group_entry_emails_the_owner_and_the_named_group(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let (status, group) = app
        .post_json(
            &jones,
            "/api/v1/alert-groups",
            &json!({"name": "Case team 12345678", "members": ["hsi.smith"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    assert_eq!(group["members"], json!(["hsi.jones", "hsi.smith"]));
    let (status, body) = app
        .post_json(
            &jones,
            "/api/v1/alert-groups",
            &json!({"name": "Other", "members": ["b.park"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "member_unknown");
    let list = new_list(&app, &jones, "Team list").await;
    let mut e = entry("GRP1234", "PA");
    e["notify"] = json!({"scope": "group", "group": "Case team 12345678"});
    let added = add(&app, &jones, list, e).await;
    assert_eq!(added["entry"]["notify"], "group");
    assert!(added["entry"]["group_id"].is_i64(), "{added}");
    // The group's members see the list (R3.10) and the groups they are in.
    let lists: Value = app
        .get(&smith, "/api/v1/alert-lists")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lists["lists"][0]["name"], "Team list");
    let groups: Value = app
        .get(&smith, "/api/v1/alert-groups")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(groups["groups"][0]["name"], "Case team 12345678");

    read(&app, "grp-1", "GRP1234", "PA").await;
    assert_eq!(mail_for(&smtp, "hsi.jones@agency.test", 1).await.len(), 1);
    assert_eq!(mail_for(&smtp, "hsi.smith@agency.test", 1).await.len(), 1);
    crate::helpers::outbox_settled(&app.store, 2).await;
    assert_eq!(smtp.messages().len(), 2, "nobody outside the group");
}

async fn agency_wide_scope_reaches_every_agency_user_and_nobody_outside(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "Agency-wide").await;
    let mut e = entry("ALL0001", "WI");
    e["notify"] = json!({"scope": "agency"});
    add(&app, &jones, list, e).await;
    read(&app, "agency-1", "ALL0001", "WI").await;
    let got = mail_for(&smtp, "", 5).await;
    let mut to: Vec<String> = got.iter().map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "a.auditor@agency.test",
            "a.manager@agency.test",
            "ero.garcia@agency.test",
            "hsi.jones@agency.test",
            "hsi.smith@agency.test",
        ]
    );
    assert!(smtp.messages_to("b.park@agency.test").is_empty());
    assert!(smtp.messages_to("operator@sightline.test").is_empty());
}

async fn a_read_in_another_state_is_no_hit(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "State check").await;
    add(&app, &jones, list, entry("XYZ1234", "WI")).await;
    read(&app, "mismatch-1", "XYZ1234", "PA").await;
    // Hits are written before the ingest response: nothing was queued.
    assert_eq!(app.store.outbox().counts().await.unwrap(), (0, 0));
    assert!(inbox(&app, &jones).await.is_empty());
    // While the same plate in the right state is.
    read(&app, "match-1", "XYZ1234", "WI").await;
    assert_eq!(app.store.outbox().counts().await.unwrap(), (1, 0));
}

async fn officer_smith_adding_a_plate_on_agent_jones_list_is_told_who_has_it(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let jones_list = new_list(&app, &jones, "Jones cases").await;
    let smith_list = new_list(&app, &smith, "Smith cases").await;
    let first = add(&app, &jones, jones_list, entry("XYZ1234", "WI")).await;
    assert_eq!(first["deconfliction"], json!([]));

    // The seed's example: XYZ1234, Wisconsin, criminal investigation.
    let mut e = entry("XYZ 1234", "Wisconsin");
    e["reason_code"] = json!("Criminal Investigation");
    let body = add(&app, &smith, smith_list, e).await;
    let d = body["deconfliction"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{body}");
    assert_eq!(d[0]["username"], "hsi.jones");
    assert_eq!(d[0]["list"], "Jones cases");
    let mail = mail_for(&smtp, "hsi.smith@agency.test", 1).await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("XYZ1234"), "{:?}", mail[0]);
    assert!(mail[0].body.contains("hsi.jones") && mail[0].body.contains("Jones cases"));
    assert!(smtp.messages_to("hsi.jones@agency.test").is_empty());

    // A different reason code is no conflict.
    let mut other = entry("XYZ1234", "WI");
    other["reason_code"] = json!("terrorism");
    let body = add(&app, &smith, smith_list, other).await;
    assert_eq!(body["deconfliction"], json!([]));
    // And the other agency never hears of agency A's lists.
    let park = app.login("b.park").await;
    let park_list = new_list(&app, &park, "Park").await;
    let body = add(&app, &park, park_list, entry("XYZ1234", "WI")).await;
    assert_eq!(body["deconfliction"], json!([]));
}

fn csv_rows(n: usize) -> String {
    let mut s = String::from("plate,state,reason_code,note,notify\n");
    for i in 0..n {
        s.push_str(&format!("B{i:05},PA,{REASON},\"Case 42, row {i}\",owner\n"));
    }
    s
}

async fn upload(app: &TestApp, token: &str, list: i64, body: String) -> (StatusCode, Value) {
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/alert-lists/{list}/uploads")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

async fn uploads_take_2500_rows_all_or_nothing(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "Bulk").await;
    let (status, body) = upload(&app, &jones, list, csv_rows(2_501)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "upload_too_large");
    assert!(
        body["detail"].as_str().unwrap().contains("2501 rows"),
        "{body}"
    );
    // Without a header line the same count applies.
    let headless = csv_rows(2_501).split_once('\n').unwrap().1.to_owned();
    let (status, _) = upload(&app, &jones, list, headless).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let bad = format!(
        "plate,state,reason_code,note\nGOOD1,PA,{REASON},ok\nNOREASON,PA,,some case\nBAD*,ZZ,{REASON},x\n"
    );
    let (status, body) = upload(&app, &jones, list, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["rows[2].reason_code", "rows[3].plate", "rows[3].state"]
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("row 2:")
    );
    let entries: Value = app
        .get(&jones, &format!("/api/v1/alert-lists/{list}/entries"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        entries["entries"],
        json!([]),
        "nothing of a bad upload is kept"
    );

    let (status, body) = upload(&app, &jones, list, csv_rows(2_500)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["added"], 2_500);
    // The list is full now.
    let (status, body) = app
        .post_json(
            &jones,
            &format!("/api/v1/alert-lists/{list}/entries"),
            &entry("ONEMORE", "PA"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "list_full");
    // Search finds one plate; every uploaded entry matches reads.
    let found: Value = app
        .get(
            &jones,
            &format!("/api/v1/alert-lists/{list}/entries?plate=B02499"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["entries"].as_array().unwrap().len(), 1);
    read(&app, "bulk-hit", "B02499", "PA").await;
    assert_eq!(app.store.outbox().counts().await.unwrap(), (1, 0));
}

async fn only_owners_change_lists_and_agencies_never_meet(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let park = app.login("b.park").await;
    let auditor = app.login("a.auditor").await;
    let list = new_list(&app, &jones, "Mine").await;
    let added = add(&app, &jones, list, entry("OWN1", "PA")).await;
    let id = added["entry"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/alert-lists/{list}/entries");
    let (s, _) = app.post_json(&smith, &path, &entry("X1", "PA")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.post_json(&park, &path, &entry("X1", "PA")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post_json(&auditor, "/api/v1/alert-lists", &json!({"name": "x"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Every agency user may read their inbox.
    assert_eq!(
        app.get(&auditor, "/api/v1/notifications").await.status(),
        StatusCode::OK
    );
    // Mandatory fields, all reported at once.
    let (s, body) = app
        .post_json(&jones, &path, &json!({"plate": "ABC1"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["state_required", "reason_code_required", "note_required"]
    );
    // The owner deletes; the plate stops matching at once.
    let del = app
        .client
        .delete(app.url(&format!("{path}/{id}")))
        .bearer_auth(&jones)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::NO_CONTENT);
    read(&app, "own-1", "OWN1", "PA").await;
    assert_eq!(app.store.outbox().counts().await.unwrap(), (0, 0));
    // Lists show up for their owner only.
    let mine: Value = app
        .get(&jones, "/api/v1/alert-lists")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["lists"].as_array().unwrap().len(), 1);
    let theirs: Value = app
        .get(&park, "/api/v1/alert-lists")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["lists"], json!([]));
}

async fn an_entry_can_be_made_from_a_query(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let (status, _, q) = app
        .query(&jones, &crate::helpers::seed_query("QRY777", "PA"))
        .await;
    assert_eq!(status, StatusCode::OK, "{q}");
    let query_id = q["query_id"].as_i64().unwrap();
    let list = new_list(&app, &jones, "From queries").await;
    let body = add(&app, &jones, list, json!({"from_query": query_id})).await;
    assert_eq!(body["entry"]["plate"], "QRY777");
    assert_eq!(body["entry"]["reason_code"], REASON);
    assert_eq!(body["entry"]["note"], CASE);
    // Someone else's query id is refused.
    let smith = app.login("hsi.smith").await;
    let other = new_list(&app, &smith, "Theirs").await;
    let (s, body) = app
        .post_json(
            &smith,
            &format!("/api/v1/alert-lists/{other}/entries"),
            &json!({"from_query": query_id}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "query_unknown");
}

async fn an_entry_added_on_one_node_matches_reads_ingested_on_another(db: Db) {
    let app = spawn_app(db).await;
    let other = app.second_node().await;
    let jones = app.login("hsi.jones").await;
    let list = new_list(&app, &jones, "Two nodes").await;
    // The other node loaded its index before the entry existed.
    assert!(other.store.alert_index.is_empty());
    add(&app, &jones, list, entry("NODE001", "PA")).await;
    let at = app.now() - Duration::minutes(1);
    let resp = app
        .client
        .post(format!("{}/api/v1/ingest/reads", other.base))
        .bearer_auth(&app.pa_key)
        .json(&[record("node-1", "NODE001", "PA", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    other.state.drain_matcher().await.unwrap();
    assert_eq!(app.store.outbox().counts().await.unwrap(), (1, 0));
    assert_eq!(other.store.alert_index.len(), 1);
    // A deletion on the first node stops matches on the second at once.
    let entries: Value = app
        .get(&jones, &format!("/api/v1/alert-lists/{list}/entries"))
        .await
        .json()
        .await
        .unwrap();
    let entry_id = entries["entries"][0]["id"].as_i64().unwrap();
    let del = app
        .client
        .delete(app.url(&format!("/api/v1/alert-lists/{list}/entries/{entry_id}")))
        .bearer_auth(&jones)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::NO_CONTENT);
    let resp = app
        .client
        .post(format!("{}/api/v1/ingest/reads", other.base))
        .bearer_auth(&app.pa_key)
        .json(&[record("node-2", "NODE001", "PA", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    other.state.drain_matcher().await.unwrap();
    assert_eq!(app.store.outbox().counts().await.unwrap(), (1, 0));
}

async fn uploads_carry_each_rows_notify_scope(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let (status, _) = app
        .post_json(
            &jones,
            "/api/v1/alert-groups",
            &json!({"name": "Team CSV", "members": ["hsi.smith"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let list = new_list(&app, &jones, "Scoped upload").await;
    let rows = format!(
        "plate,state,reason_code,note,notify\n\
         GRPCSV1,PA,{REASON},case 1,group:Team CSV\n\
         USRCSV1,PA,{REASON},case 1,users:hsi.smith\n\
         BADGRP1,PA,{REASON},case 1,group:Nope\n\
         AGYCSV1,PA,{REASON},case 1,agency\n"
    );
    let (status, body) = upload(&app, &jones, list, rows.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"].as_array().unwrap().len(), 1);
    assert_eq!(body["errors"][0]["field"], "rows[3].notify");
    assert_eq!(body["errors"][0]["code"], "notify_group_unknown");
    let good: String = rows
        .lines()
        .filter(|l| !l.contains("Nope"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (status, body) = upload(&app, &jones, list, good).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let scopes: Vec<&str> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["notify"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["group", "users", "agency"]);
    read(&app, "csv-grp", "GRPCSV1", "PA").await;
    read(&app, "csv-usr", "USRCSV1", "PA").await;
    // Owner and Smith hear of each of the two hits.
    assert_eq!(app.store.outbox().counts().await.unwrap(), (4, 0));
}

both_backends!(
    uploads_carry_each_rows_notify_scope,
    a_hit_on_a_group_entry_emails_the_owner_and_the_named_group,
    an_entry_added_on_one_node_matches_reads_ingested_on_another,
    a_hit_emails_the_owner_and_the_case_team_with_the_read_details,
    agency_wide_scope_reaches_every_agency_user_and_nobody_outside,
    a_read_in_another_state_is_no_hit,
    officer_smith_adding_a_plate_on_agent_jones_list_is_told_who_has_it,
    uploads_take_2500_rows_all_or_nothing,
    only_owners_change_lists_and_agencies_never_meet,
    an_entry_can_be_made_from_a_query,
);
