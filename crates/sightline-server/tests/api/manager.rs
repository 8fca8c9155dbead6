//! What the agency manager's console reads beyond the identity API: the
//! user list's sign-in, training and seat figures, the scanned access
//! request form, termination against the 24-business-hour clock, and the
//! usage and training reports as files (read back with openpyxl, pdftotext).

use crate::both_backends;
use crate::helpers::{Db, TestApp, b64, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Command;
use time::Duration;

fn form(username: &str, scan: Option<&[u8]>) -> Value {
    let mut f = json!({
        "username": username,
        "full_name": format!("Agent {username}"),
        "email": format!("{username}@agency.test"),
        "role": "investigator",
        "program": "HSI",
        "justification": "Assigned to the vehicle theft task force",
        "supervisor": "SAC Rivera",
    });
    if let Some(bytes) = scan {
        f["scan_base64"] = json!(b64(bytes));
    }
    f
}

async fn users(app: &TestApp, token: &str) -> Value {
    let resp = app.get(token, "/api/v1/users").await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

fn user<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

async fn user_list_shows_sign_in_training_and_seats(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login("a.manager").await;
    let before = users(&app, &manager).await;
    // Nobody but the manager has passed a second factor yet.
    assert!(
        user(&before, "hsi.jones")["last_sign_in_at"].is_null(),
        "{before}"
    );
    assert!(user(&before, "a.manager")["last_sign_in_at"].is_string());
    assert_eq!(user(&before, "hsi.jones")["training_current"], true);
    assert!(user(&before, "hsi.jones")["training_expires_at"].is_string());
    assert_eq!(before["seat_cap"], 10);
    assert_eq!(before["seats_used"], 5);
    assert_eq!(before["programs"], json!(["ERO", "HSI"]));

    app.advance(Duration::minutes(5));
    app.login("hsi.jones").await;
    let after = users(&app, &manager).await;
    let jones_at = user(&after, "hsi.jones")["last_sign_in_at"]
        .as_str()
        .unwrap();
    let manager_at = user(&after, "a.manager")["last_sign_in_at"]
        .as_str()
        .unwrap();
    assert!(jones_at > manager_at, "{jones_at} after {manager_at}");

    // Without a training record, the list says so.
    app.raw_sql("DELETE FROM training_records WHERE user_id = (SELECT id FROM users WHERE username = 'hsi.jones')")
        .await;
    let lapsed = users(&app, &manager).await;
    assert_eq!(user(&lapsed, "hsi.jones")["training_current"], false);
    assert!(user(&lapsed, "hsi.jones")["training_expires_at"].is_null());

    // An approval takes a seat.
    let (_, filed) = app
        .post(
            &manager,
            "/api/v1/access-requests",
            &form("seat.taker", None),
        )
        .await;
    let (status, approved) = app
        .post(
            &manager,
            &format!("/api/v1/access-requests/{}/approve", filed["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    let list = users(&app, &manager).await;
    assert_eq!(list["seats_used"], 6);
    assert_eq!(user(&list, "seat.taker")["status"], "pending");
}

async fn the_filed_scan_is_kept_and_viewable(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login("a.manager").await;
    let pdf = b"%PDF-1.4 signed access request form";
    let (status, filed) = app
        .post(
            &manager,
            "/api/v1/access-requests",
            &form("scan.holder", Some(pdf)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["has_scan"], true);
    assert_eq!(filed["program"], "HSI");
    let id = filed["id"].as_i64().unwrap();
    let resp = app
        .get(&manager, &format!("/api/v1/access-requests/{id}/scan"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), pdf);

    // An image shows in the page.
    let png = crate::helpers::png("SCAN1", "PA");
    let (_, img) = app
        .post(
            &manager,
            "/api/v1/access-requests",
            &form("scan.image", Some(&png)),
        )
        .await;
    let resp = app
        .get(
            &manager,
            &format!("/api/v1/access-requests/{}/scan", img["id"]),
        )
        .await;
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), png.as_slice());

    // No scan filed: not found. Another agency's manager: not found.
    let (_, bare) = app
        .post(&manager, "/api/v1/access-requests", &form("no.scan", None))
        .await;
    assert_eq!(bare["has_scan"], false);
    let path = |id: &Value| format!("/api/v1/access-requests/{id}/scan");
    assert_eq!(
        app.get(&manager, &path(&bare["id"])).await.status(),
        StatusCode::NOT_FOUND
    );
    let other = app.login("b.manager").await;
    assert_eq!(
        app.get(&other, &path(&filed["id"])).await.status(),
        StatusCode::NOT_FOUND
    );

    // Viewing is recorded.
    let auditor = app.login("a.auditor").await;
    let log: Value = app
        .get(
            &auditor,
            "/api/v1/audit/entries?action=access_request.scan_viewed",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log["entries"].as_array().unwrap().len(), 2, "{log}");
}

async fn termination_reports_business_hours_from_the_request(db: Db) {
    let app = spawn_app(db).await;
    // The fixture starts on Saturday 2026-11-21 12:00 UTC; go to Tuesday 10:00.
    app.advance(Duration::hours(70));
    let manager = app.login("a.manager").await;
    let smith = app.user_id("hsi.smith").await;
    let garcia = app.user_id("ero.garcia").await;
    let terminate = |id: i64, body: Value| {
        let (app, manager) = (&app, manager.clone());
        async move {
            app.post(&manager, &format!("/api/v1/users/{id}/terminate"), &body)
                .await
        }
    };
    let (status, body) = terminate(
        smith,
        json!({"reason": "Left", "requested_at": "2026-11-25T09:00:00Z"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "future: {body}");
    assert_eq!(body["errors"][0]["field"], "requested_at", "{body}");
    // Monday 09:00 in New York (14:00 UTC) to Tuesday 10:00 UTC: 20 hours.
    let (status, done) = terminate(
        smith,
        json!({"reason": "Left", "requested_at": "2026-11-23T09:00:00-05:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["elapsed_business_hours"], 20.0);
    assert_eq!(done["within_24_business_hours"], true);
    assert_eq!(done["completed_at"], "2026-11-24T10:00:00Z");
    // Friday 10:00 to Tuesday 10:00 skips the weekend: 14 + 24 + 10 hours.
    let (_, late) = terminate(
        garcia,
        json!({"reason": "Left", "requested_at": "2026-11-20T10:00:00Z"}),
    )
    .await;
    assert_eq!(late["elapsed_business_hours"], 48.0, "{late}");
    assert_eq!(late["within_24_business_hours"], false);
    // Once is enough.
    let (status, again) = terminate(smith, json!({"reason": "Left"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["code"], "status_unchanged");
    let report: Value = app
        .get(&manager, "/api/v1/reports/terminations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        report["terminations"].as_array().unwrap().len(),
        2,
        "{report}"
    );
}

fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<Value>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let script = format!(
        "import openpyxl,json\nws=openpyxl.load_workbook(r'{}').active\nprint(json.dumps([[c if isinstance(c,(int,float)) or c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]))",
        path.display()
    );
    let out = crate::helpers::python(&script);
    serde_json::from_slice(&out).unwrap()
}

async fn usage_and_training_reports_download(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    for plate in ["USE001", "USE002"] {
        assert_eq!(
            app.query(&jones, &seed_query(plate, "PA")).await.0,
            StatusCode::OK
        );
    }
    let (_, list) = app
        .post(&jones, "/api/v1/alert-lists", &json!({"name": "Usage"}))
        .await;
    let (status, _) = app
        .post(
            &jones,
            &format!("/api/v1/alert-lists/{}/entries", list["id"]),
            &json!({"plate": "USE003", "state": "PA", "reason_code": "criminal-investigation", "note": "case"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let manager = app.login("a.manager").await;
    let period = format!(
        "from={}&to={}",
        urlencode(app.now() - Duration::days(1)),
        urlencode(app.now() + Duration::days(1))
    );
    let stats: Value = app
        .get(&manager, &format!("/api/v1/reports/statistics?{period}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["by_user"]["hsi.jones"]["searches"], 2, "{stats}");
    assert_eq!(
        stats["by_user"]["hsi.jones"]["alert_entries_added"], 1,
        "{stats}"
    );
    let get = |format: &str| {
        let (app, manager, period) = (&app, manager.clone(), period.clone());
        let url = format!("/api/v1/reports/statistics/export?format={format}&{period}");
        async move {
            let resp = app.get(&manager, &url).await;
            (resp.status(), resp.bytes().await.unwrap().to_vec())
        }
    };
    let (status, xlsx) = get("xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let rows = xlsx_rows(&xlsx);
    let jones_row = rows
        .iter()
        .find(|r| r[0] == "user" && r[1] == "hsi.jones")
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(jones_row[2], 2, "searches: {jones_row:?}");
    assert_eq!(jones_row[6], 1, "alert entries: {jones_row:?}");
    assert!(
        rows.iter()
            .any(|r| r[0] == "reason code" && r[1] == "criminal-investigation" && r[2] == 2),
        "{rows:?}"
    );
    let (_, pdf) = get("pdf").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Sightline usage report") && text.contains("hsi.jones"),
        "{text}"
    );
    assert!(text.contains("the whole agency"), "{text}");
    let (status, body) = get("docx").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["errors"][0]["field"], "format", "{problem}");
    // Investigators get no report.
    assert_eq!(
        app.get(
            &jones,
            &format!("/api/v1/reports/statistics/export?format=xlsx&{period}")
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );

    // Training versus users: hsi.smith's training lapses, while active.
    app.raw_sql("DELETE FROM training_records WHERE user_id = (SELECT id FROM users WHERE username = 'hsi.smith')")
        .await;
    let resp = app
        .get(&manager, "/api/v1/reports/training/export?format=csv")
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let csv = resp.text().await.unwrap();
    assert!(
        csv.contains("# Active users without current training: 1"),
        "{csv}"
    );
    let smith = csv.lines().find(|l| l.starts_with("hsi.smith")).unwrap();
    assert!(smith.contains("ACCESS WITHOUT CURRENT TRAINING"), "{smith}");
    let jones_line = csv.lines().find(|l| l.starts_with("hsi.jones")).unwrap();
    assert!(jones_line.ends_with("current"), "{jones_line}");
    let resp = app
        .get(&manager, "/api/v1/reports/training/export?format=xlsx")
        .await;
    let rows = xlsx_rows(&resp.bytes().await.unwrap());
    assert!(
        rows.iter()
            .any(|r| r[0] == "hsi.smith" && r[6] == "ACCESS WITHOUT CURRENT TRAINING"),
        "{rows:?}"
    );
}

fn urlencode(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .replace(':', "%3A")
        .replace('+', "%2B")
}

both_backends!(
    user_list_shows_sign_in_training_and_seats,
    the_filed_scan_is_kept_and_viewable,
    termination_reports_business_hours_from_the_request,
    usage_and_training_reports_download,
);
