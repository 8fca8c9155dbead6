//! Contract end (R6.1): the operator opens a 30-day transfer window, the
//! agency exports its alert lists and audit log and confirms, the operator
//! destroys it, and afterwards neither the raw database files (SQLite
//! bytes, or `pg_dump` on PostgreSQL) nor the blob store hold any of the
//! agency's plates, names or case text. Another agency is untouched.

use crate::alerts::{REASON, add, new_list};
use crate::both_backends;
use crate::helpers::{Db, TestApp, b64, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use time::Duration;

const QUERIED_PLATE: &str = "QZX4417";
const LISTED_PLATE: &str = "WLQ5530";
const CASE_TEXT: &str = "Operation Bluefinch ledger 7781-Z";
const NOTE: &str = "Grey van seen near Okonkwo warehouse";
const APPLICANT: &str = "Wilhelmina Quarterfield";
const SCAN: &[u8] = b"%PDF-1.4 signed form SCANSECRET-88213";

/// Every byte of every file under `dir`.
fn files_bytes(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_bytes(&p, out);
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
}

/// Where each needle still appears: in the raw files of the data directory
/// (the embedded databases, their WAL, the blob store) and, on PostgreSQL,
/// in a full `pg_dump` of the database.
fn leftovers(app: &TestApp, needles: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    files_bytes(app.dir.path(), &mut files);
    if let Some(url) = &app.db_url {
        let dump = std::process::Command::new(sightline_testkit::pg_tool("pg_dump"))
            .arg("--dbname")
            .arg(url)
            .output()
            .expect("pg_dump runs");
        assert!(
            dump.status.success(),
            "{}",
            String::from_utf8_lossy(&dump.stderr)
        );
        assert!(
            dump.stdout.len() > 10_000,
            "the dump holds the schema and data"
        );
        files.push(("pg_dump".into(), dump.stdout));
    }
    let mut found = Vec::new();
    for needle in needles {
        for (name, bytes) in &files {
            if let Some(at) = bytes
                .windows(needle.len())
                .position(|w| w == needle.as_bytes())
            {
                let around =
                    &bytes[at.saturating_sub(60)..(at + needle.len() + 60).min(bytes.len())];
                found.push(format!(
                    "{needle:?} in {name}: …{}…",
                    String::from_utf8_lossy(around)
                ));
            }
        }
    }
    found
}

/// The operator asks to destroy the agency, naming it `name`.
async fn destroy(
    app: &TestApp,
    operator: &str,
    offboarding: &str,
    name: &str,
) -> (StatusCode, Value) {
    app.post(
        operator,
        &format!("{offboarding}/destroy"),
        &json!({"confirm_name": name}),
    )
    .await
}

async fn status_of(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let resp = app.get(token, path).await;
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn contract_end_hands_over_the_data_then_destroys_every_copy(db: Db) {
    let app = spawn_app(db).await;
    let a = app.agency_a.0;
    let jones = app.login("hsi.jones").await;
    let manager = app.login("a.manager").await;
    let operator = app.login("operator").await;

    // Agency A's data: a logged query, an alert list, an access request with its scan.
    let mut q = seed_query(QUERIED_PLATE, "PA");
    q["case_reference"] = json!(CASE_TEXT);
    let (status, _, body) = app.query(&jones, &q).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list = new_list(&app, &jones, "Bluefinch watch").await;
    add(
        &app,
        &jones,
        list,
        json!({"plate": LISTED_PLATE, "state": "PA", "reason_code": REASON, "note": NOTE}),
    )
    .await;
    let (status, body) = app
        .post(
            &manager,
            "/api/v1/access-requests",
            &json!({
                "username": "w.quarterfield", "full_name": APPLICANT,
                "email": "w.quarterfield@agency-a.test", "role": "investigator", "program": "HSI",
                "justification": "Joins the Bluefinch team", "supervisor": "SAC Rivera",
                "scan_base64": b64(SCAN),
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Agency B's data, which must survive.
    let park = app.login("b.park").await;
    let b_list = new_list(&app, &park, "B's list").await;
    add(&app, &park, b_list, crate::alerts::entry("BBB2222", "PA")).await;

    // Nothing is open yet: no export, no destruction.
    let offboarding = format!("/api/v1/admin/agencies/{a}/offboarding");
    let (status, body) = status_of(&app, &manager, "/api/v1/agency/offboarding/alert-lists").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_offboarding"))
    );
    let (status, _) = destroy(&app, &operator, &offboarding, "Agency A").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Only the operator starts it; the window is 30 days on the clock.
    let (status, _) = app.post(&manager, &offboarding, &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, started) = app.post(&operator, &offboarding, &json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["state"], "transfer_window");
    let ends = time::OffsetDateTime::parse(
        started["window_ends_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(ends, app.now() + Duration::days(30));

    // Searches and new alert entries close with the contract.
    let (status, _, body) = app.query(&jones, &seed_query("ABC123", "PA")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("contract_ended"))
    );
    let (status, body) = app
        .post_json(
            &jones,
            &format!("/api/v1/alert-lists/{list}/entries"),
            &crate::alerts::entry("NEW1234", "PA"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("contract_ended"))
    );
    // Agency B searches as before.
    let (status, _, _) = app.query(&park, &seed_query("ABC123", "PA")).await;
    assert_eq!(status, StatusCode::OK);

    // The agency takes its alert lists (JSON and CSV) and its audit log.
    let (status, body) = status_of(&app, &jones, "/api/v1/agency/offboarding/alert-lists").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, lists) = status_of(&app, &manager, "/api/v1/agency/offboarding/alert-lists").await;
    assert_eq!(status, StatusCode::OK, "{lists}");
    let only = &lists["lists"].as_array().unwrap()[0];
    assert_eq!(only["name"], "Bluefinch watch");
    assert_eq!(only["owner"], "hsi.jones");
    assert_eq!(only["entries"][0]["plate"], LISTED_PLATE);
    assert_eq!(only["entries"][0]["note"], NOTE);
    assert_eq!(
        lists["lists"].as_array().unwrap().len(),
        1,
        "agency B's list is not in it"
    );
    let csv = app
        .get(
            &manager,
            "/api/v1/agency/offboarding/alert-lists?format=csv",
        )
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(
        (&row[1], &row[4], &row[7]),
        ("Bluefinch watch", LISTED_PLATE, NOTE)
    );
    let auditor = app.login("a.auditor").await;
    let log = app.get(&auditor, "/api/v1/audit/export?format=jsonl").await;
    assert_eq!(log.status(), StatusCode::OK);
    let log = log.text().await.unwrap();
    assert!(
        log.contains("agency.offboarding_started"),
        "the agency's log records the start"
    );
    assert!(log.contains("agency.alert_lists_exported"));

    // The operator sees what would go, never its contents; too early to destroy.
    let (status, plan) = status_of(&app, &operator, &offboarding).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["confirm_with"], "Agency A");
    let count = |kind: &str| {
        plan["will_destroy"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .map(|r| r["count"].as_i64().unwrap())
    };
    assert_eq!(count("alert entries"), Some(1));
    assert_eq!(count("users"), Some(5));
    assert_eq!(count("access requests"), Some(1));
    assert_eq!(count("access-request scans (files)"), Some(1));
    assert!(count("audit log entries").unwrap() > 5);
    assert!(!plan.to_string().contains(NOTE) && !plan.to_string().contains(LISTED_PLATE));
    let (status, body) = destroy(&app, &operator, &offboarding, "Agency A").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("transfer_window_open"))
    );

    // The agency confirms; the confirmation step must name the agency.
    let (status, body) = app
        .post(&jones, "/api/v1/agency/offboarding/confirm", &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .post(&manager, "/api/v1/agency/offboarding/confirm", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "ready_to_destroy");
    let (status, body) = destroy(&app, &operator, &offboarding, "Agency B").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "confirm_name_mismatch");
    assert_eq!(body["field"], "confirm_name");
    let (status, done) = destroy(&app, &operator, &offboarding, "Agency A").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["files"], 1);
    assert!(done["rows"].as_i64().unwrap() > 20, "{done}");

    // Gone: sessions die, the agency's log is gone, a second destroy is refused.
    let (status, _) = status_of(&app, &manager, "/api/v1/me").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the manager's session died"
    );
    let (status, body) = destroy(&app, &operator, &offboarding, "Agency A").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_destroyed"))
    );
    let (status, after) = status_of(&app, &operator, &offboarding).await;
    assert_eq!(
        (status, after["state"].as_str()),
        (StatusCode::OK, Some("destroyed"))
    );

    // The operator's log keeps the record, verifies, and holds numbers only.
    let scope = sightline_core::TenantScope::Operator;
    let ops = app.store.ledger().all(scope).await.unwrap();
    let record = ops
        .iter()
        .find(|r| r.entry.action == "agency.destroyed")
        .expect("the destruction is in the operator's log");
    assert_eq!(record.entry.field_i64("agency_id"), Some(a));
    app.store
        .ledger()
        .verify(scope)
        .await
        .unwrap()
        .expect("the operator's log still verifies");

    // Agency B is untouched.
    let park = app.login("b.park").await;
    let (status, _, _) = app.query(&park, &seed_query("BBB2222", "PA")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, lists) = status_of(&app, &park, "/api/v1/alert-lists").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lists["lists"].as_array().unwrap().len(), 1, "{lists}");

    // No copy anywhere: raw database bytes, dump, blob store.
    let found = leftovers(
        &app,
        &[
            QUERIED_PLATE,
            LISTED_PLATE,
            CASE_TEXT,
            NOTE,
            APPLICANT,
            "SCANSECRET-88213",
            "hsi.jones",
            "hsi.smith",
            "a.manager",
            "w.quarterfield",
        ],
    );
    assert!(found.is_empty(), "agency data left behind: {found:?}");
    // The check can fail: agency B's plate is still there.
    assert!(!leftovers(&app, &["BBB2222"]).is_empty());
    // And the agency's accounts are gone (this attempt is itself logged, by
    // the name it claims, so it comes after the scan).
    let (status, _) = app
        .password_login("hsi.jones", crate::helpers::PASSWORD)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn the_window_runs_out_without_a_confirmation(db: Db) {
    let app = spawn_app(db).await;
    let a = app.agency_a.0;
    let operator = app.login("operator").await;
    let offboarding = format!("/api/v1/admin/agencies/{a}/offboarding");
    let (status, _) = app.post(&operator, &offboarding, &json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    // Starting again changes nothing.
    let (status, again) = app.post(&operator, &offboarding, &json!({})).await;
    assert_eq!(
        (status, again["state"].as_str()),
        (StatusCode::OK, Some("transfer_window"))
    );
    app.advance(Duration::days(30) - Duration::seconds(1));
    let operator = app.login("operator").await;
    let (status, body) = destroy(&app, &operator, &offboarding, "Agency A").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    app.advance(Duration::seconds(1));
    let (status, plan) = status_of(&app, &operator, &offboarding).await;
    assert_eq!(
        (status, plan["state"].as_str()),
        (StatusCode::OK, Some("ready_to_destroy"))
    );
    let (status, body) = destroy(&app, &operator, &offboarding, "Agency A").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The operator's record says the agency never confirmed.
    let ops = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Operator)
        .await
        .unwrap();
    let record = ops
        .iter()
        .find(|r| r.entry.action == "agency.destroyed")
        .unwrap();
    assert_eq!(
        record.entry.fields.get("confirmed_by_agency"),
        Some(&json!(false))
    );
}

both_backends!(
    contract_end_hands_over_the_data_then_destroys_every_copy,
    the_window_runs_out_without_a_confirmation
);
