//! The quarterly report (R5.5) over HTTP: a hand-counted fixture in an
//! agency on New York's clocks, read back from the PDF with `pdftotext`
//! and from the workbook with openpyxl; the quarter's bounds are local
//! midnights (a search at 23:30 on New Year's Eve counts in Q4); the cover
//! prints the first signed checkpoint that covers the quarter; who may
//! have it; the errors; and agencies' time zones at onboarding.

use crate::both_backends;
use crate::helpers::{Db, TestApp, record, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use sightline_core::{AgencyZone, TenantScope};
use sightline_store::StoredCheckpoint;
use std::process::Command;
use time::Duration;
use time::macros::datetime;

fn new_york() -> AgencyZone {
    AgencyZone::parse("America/New_York").unwrap()
}

async fn sign(app: &TestApp) -> StoredCheckpoint {
    app.store
        .ledger()
        .checkpoint(TenantScope::Agency(app.agency_a))
        .await
        .unwrap()
        .expect("new entries to sign")
}

/// Agency A on New York's clocks. In 2026Q4: hsi.jones searches ABC123
/// (a hit) and NOHIT1 (none) and hsi.smith ABC123 for Agent Rivera (a
/// hit) on 21 November; ero.garcia (ERO) searches ABC123 (a hit) at 23:30
/// on 31 December, 04:30 UTC on 1 January. A checkpoint is signed in
/// November (too early), one right after garcia's search (the covering
/// one, returned), and one after jones searches again at 00:30 on
/// 1 January (2027Q1).
async fn fixture(app: &TestApp) -> StoredCheckpoint {
    app.store
        .tenancy()
        .set_time_zone(app.agency_a, &new_york())
        .await
        .unwrap();
    let now = app.now();
    let recs: Vec<Value> = (0..3)
        .map(|i| {
            record(
                &format!("q-{i}"),
                "ABC123",
                "PA",
                now - Duration::days(i + 1),
            )
        })
        .collect();
    app.ingest(&app.pa_key, &recs).await;
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    sign(app).await;
    let (_, _, hit) = app.query(&jones, &seed_query("ABC123", "PA")).await;
    assert_eq!(hit["result_count"], 3, "{hit}");
    app.query(&jones, &seed_query("NOHIT1", "PA")).await;
    let mut behalf = seed_query("ABC123", "PA");
    behalf["on_behalf_of"] = json!({"person": "Agent Maria Rivera"});
    assert_eq!(app.query(&smith, &behalf).await.0, StatusCode::OK);

    // 23:30 on New Year's Eve in New York.
    app.clock.set(datetime!(2027-01-01 04:30 UTC));
    let garcia = app.login("ero.garcia").await;
    let ero = json!({"plate": "ABC123", "state": "PA", "reason_code": "immigration-enforcement",
        "timeframe": {"previous_days": 60}, "case_reference": "A-file 0123", "on_behalf_of": "self"});
    let (status, _, q) = app.query(&garcia, &ero).await;
    assert_eq!(
        (status, q["result_count"].as_i64()),
        (StatusCode::OK, Some(3))
    );
    assert!(
        app.now() < datetime!(2027-01-01 05:00 UTC),
        "still 2026 in New York"
    );
    let covering = sign(app).await;

    // 00:30 on New Year's Day: 2027Q1.
    app.clock.set(datetime!(2027-01-01 05:30 UTC));
    let jones = app.login("hsi.jones").await;
    app.query(&jones, &seed_query("ABC123", "PA")).await;
    sign(app).await;
    covering
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let resp = app.get(token, path).await;
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.json().await.unwrap()
}

/// `(status, content type, disposition, bytes)`.
async fn fetch(app: &TestApp, token: &str, query: &str) -> (StatusCode, String, String, Vec<u8>) {
    let resp = app
        .get(token, &format!("/api/v1/reports/quarterly?{query}"))
        .await;
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (status, ctype, disposition) = (
        resp.status(),
        header("content-type"),
        header("content-disposition"),
    );
    (
        status,
        ctype,
        disposition,
        resp.bytes().await.unwrap().to_vec(),
    )
}

fn pdf_text(app: &TestApp, pdf: &[u8], name: &str) -> String {
    let path = app.dir.path().join(name);
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The cells after `name` on the table row that starts with it: six of
/// them (a chart's label line has one value at most).
fn table_row(text: &str, name: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix(name))
        .filter(|rest| rest.starts_with(char::is_whitespace))
        .map(|rest| {
            rest.split_whitespace()
                .filter(|t| *t != "%")
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.len() == 6)
        .unwrap_or_else(|| panic!("no table row {name} in\n{text}"))
}

/// Whether `text` shows a time with a fraction of a second, `12:00:00.5`.
fn has_fractional_seconds(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(10).any(|w| {
        let d = |i: usize| w[i].is_ascii_digit();
        d(0) && d(1)
            && w[2] == b':'
            && d(3)
            && d(4)
            && w[5] == b':'
            && d(6)
            && d(7)
            && w[8] == b'.'
            && d(9)
    })
}

fn workbook(app: &TestApp, bytes: &[u8]) -> Value {
    let path = app.dir.path().join("quarterly.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let script = format!(
        r#"
import json, datetime, openpyxl
wb = openpyxl.load_workbook(r'{}')
def cell(v):
    if isinstance(v, datetime.datetime): return {{'datetime': v.isoformat()}}
    return v
print(json.dumps({{
  'sheets': wb.sheetnames,
  'data': {{ws.title: {{'freeze': ws.freeze_panes, 'filter': ws.auto_filter.ref, 'charts': len(ws._charts),
      'rows': [[cell(c) for c in r] for r in ws.iter_rows(values_only=True)]}} for ws in wb}},
}}))
"#,
        path.display()
    );
    let out = crate::helpers::python(&script);
    serde_json::from_slice(&out).unwrap()
}

fn row<'a>(sheet: &'a Value, first: &str) -> &'a Vec<Value> {
    sheet["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap())
        .find(|r| r.first().and_then(Value::as_str) == Some(first))
        .unwrap_or_else(|| panic!("no row {first} in {sheet}"))
}

async fn the_quarterly_report_counts_the_quarter_on_the_agencys_clocks(db: Db) {
    let app = spawn_app(db).await;
    let covering = fixture(&app).await;
    let auditor = app.login("a.auditor").await;
    let at = app.now();
    let (status, ctype, disposition, pdf) =
        fetch(&app, &auditor, "quarter=2026Q4&format=pdf").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(ctype, "application/pdf");
    assert_eq!(
        disposition,
        "attachment; filename=\"sightline-quarterly-agency-a-2026Q4.pdf\""
    );
    let text = pdf_text(&app, &pdf, "q4.pdf");
    // Phrases may wrap: compare them with the words on one line.
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = flat(&text);

    // The cover: the period and the time made, to the second, in New York.
    let ny = new_york();
    for expected in [
        "Agency A · 2026Q4 (October to December 2026)",
        "Status Complete: the quarter had ended",
        "2026-10-01 00:00:00 EDT",
        "2027-01-01 00:00:00 EST",
        "America/New_York",
        "The whole agency",
        "a.auditor, auditor",
    ] {
        assert!(words.contains(expected), "{expected} in\n{text}");
    }
    let generated = ny.local(at).to_string();
    assert!(generated.ends_with(" EST"), "{generated}");
    assert!(text.contains(&generated), "{generated} in\n{text}");
    assert!(!text.contains("+00:00:00"), "{text}");
    assert!(!has_fractional_seconds(&text), "{text}");
    // The first checkpoint that holds every entry of the quarter, as the
    // store has it: not the November one, not the later one.
    let root = hex::encode(covering.root);
    assert!(text.contains(&root), "{root} in\n{text}");
    assert!(
        words.contains(&format!("covers entries 1 to {}", covering.size)),
        "{text}"
    );
    assert!(
        text.contains(&ny.local(covering.at).to_string()),
        "signed at, in New York: {text}"
    );
    let latest = get_json(&app, &auditor, "/api/v1/audit/checkpoint").await;
    assert!(latest["tree_size"].as_u64().unwrap() > covering.size);
    assert!(!text.contains(latest["root_hash"].as_str().unwrap()));
    let vkey = get_json(&app, &auditor, "/api/v1/audit/public-key").await;
    assert!(text.contains(vkey["vkey"].as_str().unwrap()), "{text}");
    let log = format!("agency-{}", app.agency_a.0);
    let command = format!(
        "sightline audit verify sightline-audit-log-{log}.jsonl --public-key sightline-{log}.vkey"
    );
    assert!(words.contains(&command), "{command} in\n{text}");

    // The hand count: four searches, three hits; garcia's at 23:30 on New
    // Year's Eve is December's; jones's of New Year's Day is not here.
    let counts = |row: Vec<String>| row.iter().take(4).cloned().collect::<Vec<_>>();
    for (name, expected) in [
        ("The quarter", ["4", "3", "75.0", "0"]),
        ("October 2026", ["0", "0", "–", "0"]),
        ("November 2026", ["3", "2", "66.7", "0"]),
        ("December 2026", ["1", "1", "100.0", "0"]),
        ("hsi.jones", ["2", "1", "50.0", "0"]),
        ("hsi.smith", ["1", "1", "100.0", "0"]),
        ("ero.garcia", ["1", "1", "100.0", "0"]),
        ("HSI", ["3", "2", "66.7", "0"]),
        ("ERO", ["1", "1", "100.0", "0"]),
        ("Agent Maria Rivera", ["1", "1", "100.0", "0"]),
        ("(self)", ["3", "2", "66.7", "0"]),
    ] {
        assert_eq!(counts(table_row(&text, name)), expected, "{name}");
    }
    assert!(text.contains("By user") && text.contains("By reason code"));
    let pages = text.matches("Page ").count();
    assert!(text.contains(&format!("Page {pages} of {pages}")), "{text}");

    // The download is in the log, with the digest of the exact file.
    let entries = get_json(
        &app,
        &auditor,
        "/api/v1/audit/entries?action=report.quarterly",
    )
    .await;
    let f = &entries["entries"][0]["fields"];
    assert_eq!(f["quarter"], "2026Q4");
    assert_eq!(f["format"], "pdf");
    assert_eq!(f["checkpoint_size"], covering.size);
    assert_eq!(f["sha256"], hex::encode(Sha256::digest(&pdf)));

    // The workbook: the same facts, typed, a chart per breakdown.
    let (status, ctype, _, xlsx) = fetch(&app, &auditor, "quarter=2026q4&format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ctype,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let book = workbook(&app, &xlsx);
    assert_eq!(
        book["sheets"],
        json!([
            "Summary",
            "By month",
            "By area of responsibility",
            "By program",
            "By reason code",
            "By user",
            "By whom the search was for"
        ])
    );
    let d = &book["data"];
    let summary = &d["Summary"];
    assert_eq!(
        row(summary, "Period start (America/New_York)")[1],
        json!({"datetime": "2026-10-01T00:00:00"})
    );
    assert_eq!(
        row(summary, "Period end (America/New_York)")[1],
        json!({"datetime": "2027-01-01T00:00:00"})
    );
    assert_eq!(row(summary, "Searches")[1], 4);
    assert_eq!(row(summary, "Positive hits")[1], 3);
    assert_eq!(row(summary, "Hit ratio")[1], 0.75);
    assert_eq!(row(summary, "Tree size")[1], covering.size);
    assert_eq!(row(summary, "Root hash")[1], root.as_str());
    let users = &d["By user"];
    assert_eq!(users["freeze"], "A2");
    assert_eq!(users["filter"], "A1:G4");
    assert_eq!(users["charts"], 1);
    assert_eq!(
        row(users, "hsi.jones")[..4],
        [json!("hsi.jones"), json!(2), json!(1), json!(0.5)]
    );
    let months = &d["By month"];
    assert_eq!(months["rows"][0][1], "Starts (America/New_York)");
    assert_eq!(
        row(months, "December 2026")[1..4],
        [
            json!({"datetime": "2026-12-01T00:00:00"}),
            json!(1),
            json!(1)
        ]
    );
    assert_eq!(row(months, "The quarter")[2], 4);
    assert_eq!(months["charts"], 1);
    for sheet in ["By program", "By whom the search was for"] {
        assert_eq!(d[sheet]["charts"], 1, "{sheet}");
        assert_eq!(d[sheet]["freeze"], "A2", "{sheet}");
    }

    // The running quarter: its latest checkpoint, said plainly, and what
    // GET /api/v1/audit/checkpoint then says.
    let (status, _, _, pdf) = fetch(&app, &auditor, "quarter=2027Q1").await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&app, &pdf, "q1.pdf");
    let words = flat(&text);
    let latest = get_json(&app, &auditor, "/api/v1/audit/checkpoint").await;
    assert!(words.contains("The quarter is still running"), "{text}");
    assert!(
        text.contains(latest["root_hash"].as_str().unwrap()),
        "{text}"
    );
    assert!(
        words.contains(&format!(
            "covers entries 1 to {}",
            latest["tree_size"].as_u64().unwrap()
        )),
        "{text}"
    );
    assert_eq!(
        counts(table_row(&text, "hsi.jones")),
        ["1", "1", "100.0", "0"]
    );
}

async fn who_may_have_it_and_what_is_refused(db: Db) {
    let app = spawn_app(db).await;
    let philly = app
        .store
        .tenancy()
        .create_aor(app.agency_a, "Philadelphia")
        .await
        .unwrap();
    for user in ["a.manager", "hsi.jones"] {
        app.raw_sql(&format!(
            "UPDATE users SET aor_id = {} WHERE username = '{user}'",
            philly.0
        ))
        .await;
    }
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    app.query(&jones, &seed_query("NOHIT1", "PA")).await;
    app.query(&smith, &seed_query("NOHIT1", "PA")).await;

    // An AOR's manager: that AOR's users only, and the cover says so.
    let manager = app.login("a.manager").await;
    let (status, _, _, pdf) = fetch(&app, &manager, "quarter=2026Q4&format=pdf").await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&app, &pdf, "aor.pdf");
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("AOR Philadelphia only: the 2 users of that area of responsibility"),
        "{text}"
    );
    assert_eq!(table_row(&text, "hsi.jones")[0], "1");
    assert!(!text.contains("hsi.smith"), "{text}");
    // UTC, the agency's zone until one is chosen.
    assert!(text.contains("2026-10-01 00:00:00 UTC"), "{text}");

    // Investigators and the operator may not have it.
    let op = app.login("operator").await;
    for token in [&jones, &op] {
        let (status, ctype, _, body) = fetch(&app, token, "quarter=2026Q4").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(ctype, "application/problem+json");
        let p: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(p["code"], "forbidden");
    }

    // Bad requests name the field and what is accepted.
    let auditor = app.login("a.auditor").await;
    for (query, code, field) in [
        ("quarter=2026Q5", "quarter_invalid", "quarter"),
        ("quarter=Q3", "quarter_invalid", "quarter"),
        ("format=pdf", "quarter_required", "quarter"),
        ("quarter=2027Q2", "quarter_not_started", "quarter"),
        ("quarter=2026Q4&format=docx", "format_invalid", "format"),
    ] {
        let (status, ctype, _, body) = fetch(&app, &auditor, query).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(ctype, "application/problem+json");
        let p: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (p["code"].as_str(), p["field"].as_str()),
            (Some(code), Some(field)),
            "{p}"
        );
        assert!(p["accepted"].is_string(), "{p}");
    }
    let (_, _, _, body) = fetch(&app, &auditor, "quarter=2026Q5").await;
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert!(p["accepted"].as_str().unwrap().contains("2026Q3"), "{p}");
}

async fn agencies_are_onboarded_in_a_time_zone(db: Db) {
    let app = spawn_app(db).await;
    let op = app.login("operator").await;
    let (status, created) = app
        .post(
            &op,
            "/api/v1/admin/agencies",
            &json!({"name": "Cook County Sheriff", "seat_cap": 5, "time_zone": "america/chicago"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["time_zone"], "America/Chicago");
    let (status, utc) = app
        .post(
            &op,
            "/api/v1/admin/agencies",
            &json!({"name": "Agency Without Zone", "seat_cap": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(utc["time_zone"], "UTC");
    let list = get_json(&app, &op, "/api/v1/admin/agencies").await;
    let zone_of = |name: &str| {
        list["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .map(|a| a["time_zone"].clone())
    };
    assert_eq!(
        zone_of("Cook County Sheriff"),
        Some(json!("America/Chicago"))
    );
    assert_eq!(
        zone_of("Agency A"),
        Some(json!("UTC")),
        "existing agencies are UTC"
    );
    // An unknown zone, or an offset, is refused before anything is made.
    for bad in ["Mars/Olympus_Mons", "-05:00", ""] {
        let (status, p) = app
            .post(
                &op,
                "/api/v1/admin/agencies",
                &json!({"name": format!("Bad {bad}"), "seat_cap": 5, "time_zone": bad}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(p["field"], "time_zone", "{p}");
        assert!(
            p["code"] == "time_zone_unknown" || p["code"] == "time_zone_required",
            "{p}"
        );
        assert!(
            p["accepted"].as_str().unwrap().contains("America/New_York"),
            "{p}"
        );
    }
    assert!(
        app.store
            .tenancy()
            .agency_by_name("Bad Mars/Olympus_Mons")
            .await
            .unwrap()
            .is_none()
    );
    // Its users see it in /api/v1/me.
    app.store
        .tenancy()
        .set_time_zone(app.agency_a, &new_york())
        .await
        .unwrap();
    let auditor = app.login("a.auditor").await;
    let me: Value = app.get(&auditor, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["agency_time_zone"], "America/New_York");
    let me: Value = app.get(&op, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["agency_time_zone"], Value::Null);
}

both_backends!(
    the_quarterly_report_counts_the_quarter_on_the_agencys_clocks,
    who_may_have_it_and_what_is_refused,
    agencies_are_onboarded_in_a_time_zone,
);
