//! Audit exports (R5.3): each format holds the filtered events and the
//! checkpoint it was cut from; the JSON Lines proofs verify offline; the
//! PDF is read back with `pdftotext` and the .xlsx with openpyxl.

use crate::both_backends;
use crate::helpers::{Db, record, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;
use sightline_audit::{Checkpoint, NoteVerifier, verify_inclusion};
use std::process::Command;
use time::Duration;

fn digest(hex: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

async fn exports_carry_the_events_and_their_proofs(db: Db) {
    let app = spawn_app(db).await;
    app.ingest(
        &app.pa_key,
        &[record("x-1", "EXP100", "PA", app.now() - Duration::days(1))],
    )
    .await;
    let jones = app.login("hsi.jones").await;
    app.query(&jones, &seed_query("EXP100", "PA")).await;
    app.query(&jones, &seed_query("OTHER9", "PA")).await;
    let auditor = app.login("a.auditor").await;
    let get = |format: &str| {
        let (app, auditor) = (&app, auditor.clone());
        let url = format!("/api/v1/audit/export?format={format}&plate=EXP100&action=query.run");
        async move {
            let resp = app.get(&auditor, &url).await;
            assert_eq!(resp.status(), StatusCode::OK, "{url}");
            resp.bytes().await.unwrap().to_vec()
        }
    };

    // JSON Lines: the signed checkpoint, then each entry with a proof that
    // verifies against it with nothing but the public key.
    let jsonl = String::from_utf8(get("jsonl").await).unwrap();
    let mut lines = jsonl
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap());
    let head = lines.next().unwrap();
    let verifier = NoteVerifier::from_vkey(head["public_key"].as_str().unwrap()).unwrap();
    let checkpoint =
        Checkpoint::parse(verifier.open(head["note"].as_str().unwrap()).unwrap()).unwrap();
    let entries: Vec<Value> = lines.collect();
    assert_eq!(entries.len(), 1, "{jsonl}");
    let e = &entries[0];
    // The hashed bytes hold the plate sealed; the readable view opens it.
    assert!(!e["canonical"].as_str().unwrap().contains("EXP100"));
    assert_eq!(e["fields"]["plate"], "EXP100");
    let proof: Vec<[u8; 32]> = e["inclusion_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| digest(h.as_str().unwrap()))
        .collect();
    let leaf = sightline_audit::leaf_hash(e["canonical"].as_str().unwrap().as_bytes());
    assert_eq!(hex::encode(leaf), e["leaf_hash"].as_str().unwrap());
    let index = e["seq"].as_u64().unwrap() - 1;
    assert!(verify_inclusion(
        index,
        checkpoint.size,
        &leaf,
        &proof,
        &checkpoint.root
    ));

    // CSV: the checkpoint in comment lines, one row per event.
    let csv = String::from_utf8(get("csv").await).unwrap();
    assert!(csv.contains("# Signed checkpoint:"), "{csv}");
    let data: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(data.len(), 2, "header and one event: {csv}");
    assert!(data[1].contains("EXP100") && data[1].contains("query.run"));
    assert!(!csv.contains("OTHER9"));

    // Excel, read with a real reader.
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("export.xlsx");
    std::fs::write(&xlsx, get("xlsx").await).unwrap();
    let script = format!(
        "import openpyxl,json\nws=openpyxl.load_workbook(r'{}').active\nrows=[[c for c in r] for r in ws.iter_rows(values_only=True)]\nprint(json.dumps({{'rows':[[str(c) if c is not None else None for c in r] for r in rows],'freeze':ws.freeze_panes,'filter':ws.auto_filter.ref}}))",
        xlsx.display()
    );
    let out = crate::helpers::python(&script);
    let sheet: Value = serde_json::from_slice(&out).unwrap();
    let rows = sheet["rows"].as_array().unwrap();
    let data: Vec<&Value> = rows.iter().filter(|r| r[6] == "EXP100").collect();
    assert_eq!(data.len(), 1, "{sheet}");
    assert_eq!(data[0][4], "query.run");
    assert!(
        sheet["freeze"].as_str().is_some() && sheet["filter"].as_str().is_some(),
        "{sheet}"
    );
    assert!(rows.iter().any(|r| r[0] == "Checkpoint"));

    // PDF, read back as text.
    let pdf = dir.path().join("export.pdf");
    std::fs::write(&pdf, get("pdf").await).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Sightline audit log export"), "{text}");
    assert!(
        text.contains("EXP100") && text.contains("query.run") && text.contains("hsi.jones"),
        "{text}"
    );
    assert!(
        text.contains("Page 1 of 2") && text.contains("Page 2 of 2"),
        "{text}"
    );
    assert!(
        text.contains("Inclusion proofs against the checkpoint"),
        "{text}"
    );
    assert!(!text.contains("OTHER9"));

    // Exports are themselves audited; bad formats are refused by name.
    let resp = app.get(&auditor, "/api/v1/audit/export?format=docx").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let log = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Agency(app.agency_a))
        .await
        .unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.entry.action == "audit.exported")
            .count(),
        4
    );
}

both_backends!(exports_carry_the_events_and_their_proofs);
