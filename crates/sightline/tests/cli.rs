//! The `sightline` binary end to end: demo data answers the seed's example
//! query, and the auditor's exports of it verify offline; CSV import keeps
//! good rows and names bad ones by row number.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{Value, json};
use sightline_core::{Jurisdiction, Plate};
use support::Deployment;

async fn post(base: &str, token: &str, path: &str, body: Value) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

/// A first logon as a person would do it: password, authenticator
/// enrolment, then the rules of behavior.
async fn login(base: &str, username: &str, password: &str) -> String {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = body["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {body}"))
        .to_owned();
    assert_eq!(body["next"], "mfa_enroll");
    let enrol = post(base, &token, "/api/v1/auth/mfa/enroll", json!({})).await;
    let secret = sightline_core::totp::decode_secret(enrol["secret"].as_str().unwrap()).unwrap();
    let code = sightline_core::totp::code_at(
        &secret,
        sightline_core::Clock::now(&sightline_core::SystemClock),
    )
    .unwrap();
    post(
        base,
        &token,
        "/api/v1/auth/mfa/confirm",
        json!({"code": code}),
    )
    .await;
    post(base, &token, "/api/v1/rules/affirm", json!({"version": 1})).await;
    token
}

async fn seed_example(base: &str, token: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/queries"))
        .bearer_auth(token)
        .json(&json!({
            "plate": "ABC123",
            "state": "Pennsylvania",
            "reason_code": "criminal-investigation",
            "timeframe": {"previous_days": 60},
            "case_reference": "Subject name John Doe, case number 12345678",
            "on_behalf_of": "self",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_answers_the_seed_example() {
    let dep = Deployment::new(false).await;
    let out = dep.run(&["demo", "--reads", "20000", "--no-serve"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("hsi.jones") && text.contains("demo-sightline-2026"),
        "{text}"
    );
    // A second run reuses the data instead of generating it again.
    let again = dep.run(&["demo", "--no-serve"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("Using the demo data generated at"));

    let server = dep.serve().await;
    let token = login(&server.base, "hsi.jones", "demo-sightline-2026").await;
    let body = seed_example(&server.base, &token).await;
    let n = body["result_count"]
        .as_u64()
        .unwrap_or_else(|| panic!("{body}"));
    assert!(
        n >= 12,
        "ABC123/PA should have at least 12 reads in 60 days: {body}"
    );
    let states: std::collections::HashSet<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source"]["jurisdiction"].as_str().unwrap())
        .collect();
    assert!(!states.is_empty());
    for r in body["results"].as_array().unwrap() {
        assert_eq!(r["plate"], "ABC123");
        assert!(!r["nearest_address"].as_str().unwrap().is_empty());
        assert!(!r["nearest_intersection"].as_str().unwrap().is_empty());
    }
    // The other agency's investigator cannot see the query.
    let other = login(&server.base, "county.investigator", "demo-sightline-2026").await;
    let recent: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/queries", server.base))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(recent["queries"], json!([]));

    // The auditor's exports of that query verify offline with the CLI, and
    // an edited plate is caught.
    let auditor = login(&server.base, "auditor", "demo-sightline-2026").await;
    let key = dep.run(&["audit", "public-key", "--agency", "Demo Federal Agency"]);
    let key = String::from_utf8(key.stdout).unwrap().trim().to_owned();
    for format in ["jsonl", "csv", "xlsx"] {
        let bytes = reqwest::Client::new()
            .get(format!(
                "{}/api/v1/audit/export?format={format}&plate=ABC123&action=query.run",
                server.base
            ))
            .bearer_auth(&auditor)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let file = dep.dir.path().join(format!("search.{format}"));
        std::fs::write(&file, &bytes).unwrap();
        let verify = |file: &std::path::Path| {
            std::process::Command::new(support::BIN)
                .args(["audit", "verify"])
                .arg(file)
                .args(["--public-key", &key])
                .env_remove("SIGHTLINE_DATABASE_URL")
                .output()
                .unwrap()
        };
        let out = verify(&file);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{format}: {said} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.starts_with("verified: 1 entries"), "{format}: {said}");
        if format != "xlsx" {
            let edited = String::from_utf8(bytes.to_vec())
                .unwrap()
                .replace("ABC123", "ABC124");
            std::fs::write(&file, edited).unwrap();
            let out = verify(&file);
            assert!(!out.status.success(), "{format}: an edit verified");
            assert!(String::from_utf8_lossy(&out.stderr).contains("TAMPERED"));
        }
    }
}

async fn csv_import(postgres: bool) {
    let dep = Deployment::new(postgres).await;
    dep.run(&[
        "admin",
        "create-source",
        "Bulk camera",
        "--kind",
        "parking_lot",
        "--jurisdiction",
        "NJ",
        "--place",
        "Newark",
    ]);
    let dir = dep.dir.path().join("upload");
    std::fs::create_dir_all(&dir).unwrap();
    let png = sightline_demo::render_plate_png(
        &Plate::parse("CSV100").unwrap(),
        Jurisdiction::parse("NJ").unwrap(),
    );
    std::fs::write(dir.join("p.png"), &png).unwrap();
    let csv = "source_read_id,plate,state,captured_at,lat,lon,nearest_address,nearest_intersection,vehicle_photo,plate_photo\n\
        r1,CSV100,NJ,2026-01-02T03:04:05Z,40.73,-74.17,1 Broad St,Broad St & Market St,p.png,p.png\n\
        r2,CSV*,NJ,2026-01-02T03:04:05Z,40.73,-74.17,1 Broad St,Broad St & Market St,p.png,p.png\n\
        r3,CSV101,NJ,2026-01-02T03:04:05Z,40.73,-74.17,1 Broad St,Broad St & Market St,missing.png,p.png\n\
        r4,CSV102,NJ,2026-01-02T03:04:05Z,40.73,-74.17,1 Broad St,Broad St & Market St,p.png,p.png\n";
    std::fs::write(dir.join("reads.csv"), csv).unwrap();
    let out = dep.run(&[
        "import",
        "--source",
        "Bulk camera",
        dir.join("reads.csv").to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("2 accepted, 0 duplicate, 2 rejected"),
        "{stdout}\n{stderr}"
    );
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("row 2: plate_wildcard"), "{all}");
    assert!(all.contains("row 3: photo_file_unreadable"), "{all}");
    // Importing again changes nothing.
    let out = dep.run(&[
        "import",
        "--source",
        "Bulk camera",
        dir.join("reads.csv").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 accepted, 2 duplicate, 2 rejected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_csv_import_reports_rows() {
    csv_import(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_csv_import_reports_rows() {
    csv_import(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quarterly_report_writes_pdf_and_xlsx() {
    let dep = Deployment::new(false).await;
    // An unknown time zone is refused, naming what is accepted.
    let bad_zone = dep
        .command()
        .args([
            "admin",
            "create-agency",
            "Nowhere",
            "--time-zone",
            "Mars/Base",
        ])
        .output()
        .unwrap();
    assert!(!bad_zone.status.success());
    assert!(String::from_utf8_lossy(&bad_zone.stderr).contains("America/New_York"));
    dep.run(&[
        "admin",
        "create-agency",
        "Quarter Agency",
        "--seat-cap",
        "5",
        "--time-zone",
        "America/Chicago",
    ]);
    let out_dir = dep.dir.path().join("reports");
    let out = dep.run(&[
        "report",
        "quarterly",
        "--agency",
        "Quarter Agency",
        "--quarter",
        "2026Q3",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrote"));
    let pdf = out_dir.join("sightline-quarterly-quarter-agency-2026Q3.pdf");
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Quarterly report"), "{text}");
    assert!(text.contains("Quarter Agency · 2026Q3"), "{text}");
    // The quarter is reckoned and printed in the agency's zone, to the second.
    assert!(text.contains("2026-07-01 00:00:00 CDT"), "{text}");
    assert!(text.contains("2026-10-01 00:00:00 CDT"), "{text}");
    assert!(text.contains("America/Chicago"), "{text}");
    assert!(!text.contains("+00:00:00"), "{text}");
    assert!(text.contains("sightline audit verify"), "{text}");
    assert!(text.contains("Page 1 of"), "{text}");
    let xlsx = out_dir.join("sightline-quarterly-quarter-agency-2026Q3.xlsx");
    let script = format!(
        "import openpyxl\nwb=openpyxl.load_workbook(r'{}')\nprint(wb.sheetnames)\nws=wb['By month']\nprint([c.value for c in next(r for r in ws.iter_rows() if r[0].value == 'The quarter')])",
        xlsx.display()
    );
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("'Summary', 'By month'"), "{printed}");
    assert!(printed.contains("'The quarter', None, 0, 0"), "{printed}");
    // A malformed quarter is refused with a clear error.
    let bad = dep
        .command()
        .args([
            "report",
            "quarterly",
            "--agency",
            "Quarter Agency",
            "--quarter",
            "2026Q9",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2026Q3"));
}

async fn oversight_commands(postgres: bool) {
    let dep = Deployment::new(postgres).await;
    dep.run(&["admin", "create-agency", "Oversight Agency"]);
    let agency = ["--agency", "Oversight Agency"];
    // The same validation as the API: a pattern that is no regular expression.
    let bad = dep
        .command()
        .args(["oversight", "policy"])
        .args(agency)
        .args(["--pattern", "(HSI", "--example", "HSI-1"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("pattern_invalid"), "{err}");
    let out = dep.run(&[
        "oversight",
        "policy",
        "--agency",
        "Oversight Agency",
        "--pattern",
        r"^(HSI|ERO)-\d{4}-\d{6}$",
        "--example",
        "HSI-2026-000123",
        "--min-length",
        "15",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("version 1"));
    dep.run(&[
        "oversight",
        "sampling",
        "--agency",
        "Oversight Agency",
        "--share",
        "10",
    ]);
    let shown: Value = serde_json::from_slice(
        &dep.run(&["oversight", "show", "--agency", "Oversight Agency"])
            .stdout,
    )
    .unwrap();
    assert_eq!(
        shown["case_reference"]["agency"]["example"],
        "HSI-2026-000123"
    );
    assert_eq!(
        shown["sampling"],
        json!({"enabled": true, "share_percent": 10.0})
    );
    let queue: Value = serde_json::from_slice(
        &dep.run(&["oversight", "queue", "--agency", "Oversight Agency"])
            .stdout,
    )
    .unwrap();
    assert_eq!(queue, json!([]));
    let report: Value = serde_json::from_slice(
        &dep.run(&["oversight", "report", "--agency", "Oversight Agency"])
            .stdout,
    )
    .unwrap();
    assert_eq!(
        report["outcomes"],
        json!({"pending": 0, "justified": 0, "questioned": 0})
    );
    // Both changes are in the agency's audit log, by the console.
    let store = sightline_store::Store::open(
        &dep.store_config(),
        std::sync::Arc::new(sightline_core::SystemClock),
    )
    .await
    .unwrap();
    let id = store
        .tenancy()
        .agency_by_name("Oversight Agency")
        .await
        .unwrap()
        .unwrap()
        .id;
    let n = store
        .incidents()
        .count_actions(
            id,
            "oversight.settings_changed",
            time::OffsetDateTime::UNIX_EPOCH,
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_oversight_commands() {
    oversight_commands(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_oversight_commands() {
    oversight_commands(true).await;
}
