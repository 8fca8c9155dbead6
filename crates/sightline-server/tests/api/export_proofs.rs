//! Every readable value of an audit export is proved (issue 15): the JSON
//! Lines, CSV and Excel forms, and the JSON Lines attached to the PDF,
//! verify offline with the agency's public key through the same check
//! `sightline audit verify` runs, and an edited plate or case reference in
//! any of them is named by its entry.

use crate::both_backends;
use crate::helpers::{Db, TestApp, record, seed_query, spawn_app};
use reqwest::StatusCode;
use sightline_audit::{SearchExport, parse_csv, parse_jsonl, parse_sheet, verify_search_export};
use sightline_core::TenantScope;
use std::path::Path;
use std::process::Command;
use time::Duration;

const CASE: &str = "Subject name John Doe, case number 12345678";

async fn export(app: &TestApp, token: &str, format: &str) -> Vec<u8> {
    let url = format!("/api/v1/audit/export?format={format}&plate=PRF100&action=query.run");
    let resp = app.get(token, &url).await;
    assert_eq!(resp.status(), StatusCode::OK, "{url}");
    resp.bytes().await.unwrap().to_vec()
}

fn xlsx(bytes: Vec<u8>) -> SearchExport {
    parse_sheet(&sightline_reports::xlsx_rows(bytes).unwrap()).unwrap()
}

/// Rewrites the plate cell of the first data row with openpyxl.
fn edit_xlsx(bytes: &[u8], dir: &Path) -> Vec<u8> {
    let file = dir.join("edited.xlsx");
    std::fs::write(&file, bytes).unwrap();
    let script = format!(
        "import openpyxl\nwb=openpyxl.load_workbook(r'{0}')\nws=wb.active\n\
         for row in ws.iter_rows():\n  for c in row:\n    if c.value=='PRF100': c.value='PRF101'\n\
         wb.save(r'{0}')",
        file.display()
    );
    crate::helpers::python(&script);
    std::fs::read(&file).unwrap()
}

async fn every_form_of_an_export_proves_what_it_prints(db: Db) {
    let app = spawn_app(db).await;
    app.ingest(
        &app.pa_key,
        &[record("p-1", "PRF100", "PA", app.now() - Duration::days(1))],
    )
    .await;
    let jones = app.login("hsi.jones").await;
    let (status, _, _) = app.query(&jones, &seed_query("PRF100", "PA")).await;
    assert_eq!(status, StatusCode::OK);
    let auditor = app.login("a.auditor").await;
    // The key the agency keeps, not the one the export carries.
    let key = app
        .store
        .ledger()
        .public_key(TenantScope::Agency(app.agency_a))
        .await
        .unwrap();
    let holds = |e: &SearchExport| {
        let v = verify_search_export(e, &key).unwrap();
        assert_eq!(v.entries, 1);
        assert!(v.unchecked.is_empty(), "{:?}", v.unchecked);
        v.values
    };
    let named = |e: &SearchExport| {
        let f = verify_search_export(e, &key).unwrap_err();
        assert!(f.seq.is_some_and(|s| s > 0), "{f}");
        f.message
    };

    // JSON Lines: every opened field, the plate and case reference by
    // their commitments.
    let jsonl = String::from_utf8(export(&app, &auditor, "jsonl").await).unwrap();
    assert!(holds(&parse_jsonl(&jsonl).unwrap()) >= 4);
    assert!(named(&parse_jsonl(&jsonl.replace("PRF100", "PRF101")).unwrap()).contains("plate"));
    assert!(
        named(&parse_jsonl(&jsonl.replace(CASE, "case number 99999999")).unwrap())
            .contains("case_reference")
    );

    // CSV: the ten readable columns.
    let csv = String::from_utf8(export(&app, &auditor, "csv").await).unwrap();
    assert_eq!(holds(&parse_csv(&csv).unwrap()), 10);
    assert!(named(&parse_csv(&csv.replace("PRF100", "PRF101")).unwrap()).contains("plate"));
    assert!(named(&parse_csv(&csv.replace(CASE, "case 1")).unwrap()).contains("case_reference"));
    let user_cell = csv.replacen(",hsi.jones,", ",hsi.smith,", 1);
    assert!(named(&parse_csv(&user_cell).unwrap()).contains("user"));
    // Editing the signed bytes themselves breaks the leaf.
    assert!(named(&parse_csv(&csv.replace("hsi.jones", "hsi.smith")).unwrap()).contains("leaf"));

    // Excel, edited with a real spreadsheet library.
    let book = export(&app, &auditor, "xlsx").await;
    assert_eq!(holds(&xlsx(book.clone())), 10);
    let dir = tempfile::tempdir().unwrap();
    assert!(named(&xlsx(edit_xlsx(&book, dir.path()))).contains("plate"));

    // PDF: the table for reading, the checkable JSON Lines attached.
    let pdf = dir.path().join("export.pdf");
    std::fs::write(&pdf, export(&app, &auditor, "pdf").await).unwrap();
    let out = Command::new("pdfdetach")
        .args(["-saveall", "-o"])
        .arg(dir.path())
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let attached = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .expect("the PDF carries its JSON Lines");
    let text = std::fs::read_to_string(&attached).unwrap();
    assert!(holds(&parse_jsonl(&text).unwrap()) >= 4);
    let shown = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    let name = attached.file_name().unwrap().to_string_lossy().into_owned();
    assert!(shown.contains(&format!("Attached: {name}")), "{shown}");

    // The key of another log proves nothing.
    let other = app
        .store
        .ledger()
        .public_key(TenantScope::Agency(app.agency_b))
        .await
        .unwrap();
    assert!(verify_search_export(&parse_csv(&csv).unwrap(), &other).is_err());
}

both_backends!(every_form_of_an_export_proves_what_it_prints);
