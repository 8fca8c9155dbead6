//! The printable query report (issue 9), read back with poppler: the text
//! (`pdftotext`), every page rendered (`pdftoppm`, map rectangles cropped at
//! 72 dpi, where a point is a pixel) and the embedded images
//! (`pdfimages`). Only the session that ran the query gets it; every
//! download is audited first, and a failed audit sends no PDF.

use crate::both_backends;
use crate::helpers::{Db, TestApp, b64, png, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::{Jurisdiction, Plate, SourceKind, TenantScope};
use sightline_reports::query_report::layout::{
    CLOSE_UP_MAP, OVERVIEW_MAP, PAGE_H, PAGE_W, PtRect, SUMMARY_MAP, page_count, sighting_page,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use time::Duration;

const PLATE: &str = "RPT200";

/// Demo cameras to be seen at: two in Philadelphia, one in Pittsburgh.
fn cameras() -> Vec<sightline_demo::DemoCamera> {
    let w = sightline_demo::world();
    let pick = |prefix: &str, n| {
        w.cameras
            .iter()
            .filter(|c| c.source_key.starts_with(prefix))
            .take(n)
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut cams = pick("philadelphia-pa-", 2);
    cams.extend(pick("pittsburgh-pa-", 1));
    assert_eq!(cams.len(), 3);
    cams
}

async fn seed(app: &TestApp) -> Vec<sightline_demo::DemoCamera> {
    let cams = cameras();
    let plate = Plate::parse(PLATE).unwrap();
    let state = Jurisdiction::parse("PA").unwrap();
    let look = sightline_demo::VehicleLook::for_plate(&plate, state);
    let records: Vec<Value> = cams
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let at = app.now() - Duration::days(3 - i as i64);
            let vehicle =
                sightline_demo::render_vehicle_scene(&look, state, SourceKind::TollRoad, i as u8);
            json!({
                "source_read_id": format!("rpt-{i}"),
                "plate": PLATE,
                "state": "PA",
                "captured_at": at.format(&time::format_description::well_known::Rfc3339).unwrap(),
                "location": {"lat": c.location.lat(), "lon": c.location.lon()},
                "nearest_address": c.nearest_address,
                "nearest_intersection": c.nearest_intersection,
                "vehicle_photo": {"base64": b64(&vehicle)},
                "plate_photo": {"base64": b64(&png(PLATE, "PA"))},
            })
        })
        .collect();
    let report = app.ingest(&app.pa_key, &records).await;
    assert_eq!(report["accepted"], 3, "{report}");
    cams
}

/// Runs the fixture query as `token`; returns its id.
async fn run_query(app: &TestApp, token: &str) -> i64 {
    let mut q = seed_query(PLATE, "PA");
    q["on_behalf_of"] = json!({"person": "Sam Field"});
    let (status, _, body) = app.query(token, &q).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result_count"], 3, "{body}");
    body["query_id"].as_i64().unwrap()
}

fn path(seq: i64) -> String {
    format!("/api/v1/queries/{seq}/report.pdf")
}

fn tool(name: &str) -> Command {
    let probe = Command::new(name).arg("-v").output();
    assert!(
        probe.is_ok(),
        "{name} is not installed: the report tests need poppler-utils (scripts/install-test-deps.sh)"
    );
    Command::new(name)
}

fn run(mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Page `n` at 72 dpi as RGB rows: (pixels, width).
fn page_pixels(pdf: &Path, n: usize, dir: &Path) -> (Vec<[u8; 3]>, usize) {
    let prefix: PathBuf = dir.join(format!("page-{n}"));
    let mut cmd = tool("pdftoppm");
    cmd.args([
        "-r",
        "72",
        "-png",
        "-singlefile",
        "-f",
        &n.to_string(),
        "-l",
        &n.to_string(),
    ])
    .arg(pdf)
    .arg(&prefix);
    run(cmd);
    let bytes = std::fs::read(prefix.with_extension("png")).unwrap();
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(
        (info.width, info.height),
        (PAGE_W as u32, PAGE_H as u32),
        "A4 at 72 dpi"
    );
    let px = buf[..info.buffer_size()]
        .chunks_exact(info.color_type.samples())
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (px, info.width as usize)
}

/// The pixels inside `r`, 3 px in from its frame.
fn crop(page: &(Vec<[u8; 3]>, usize), r: PtRect) -> Vec<[u8; 3]> {
    let (px, width) = page;
    let (x0, y0) = (r.x as usize + 3, r.y as usize + 3);
    let (x1, y1) = (r.right() as usize - 3, r.bottom() as usize - 3);
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .map(|(x, y)| px[y * width + x])
        .collect()
}

fn variance(px: &[[u8; 3]]) -> f64 {
    let lum: Vec<f64> = px
        .iter()
        .map(|p| p.iter().map(|c| f64::from(*c)).sum::<f64>() / 3.0)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64
}

/// The share of pixels that are plainly different (a channel off by > 40).
fn share_differing(a: &[[u8; 3]], b: &[[u8; 3]]) -> f64 {
    assert_eq!(a.len(), b.len());
    let differing = a
        .iter()
        .zip(b)
        .filter(|(p, q)| p.iter().zip(*q).any(|(x, y)| x.abs_diff(*y) > 40))
        .count();
    differing as f64 / a.len() as f64
}

async fn the_report_shows_the_query_its_audit_reference_and_every_sighting(db: Db) {
    let app = spawn_app(db).await;
    let cams = seed(&app).await;
    let jones = app.login("hsi.jones").await;
    let seq = run_query(&app, &jones).await;
    // No checkpoint covers the query yet: the report signs one.
    let scope = TenantScope::Agency(app.agency_a);
    assert!(
        app.store
            .ledger()
            .latest_checkpoint(scope)
            .await
            .unwrap()
            .is_none()
    );

    let resp = app.get(&jones, &path(seq)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(
        h["content-disposition"],
        format!("attachment; filename=\"sightline-query-{seq}.pdf\"").as_str()
    );
    assert_eq!(h["cache-control"], "private, no-store");
    let bytes = resp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let checkpoint = app
        .store
        .ledger()
        .latest_checkpoint(scope)
        .await
        .unwrap()
        .expect("the report signed a checkpoint over the query");
    assert!(checkpoint.size >= seq as u64);

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&pdf, &bytes).unwrap();

    // The text: the query header, the audit reference, every sighting.
    let mut cmd = tool("pdftotext");
    cmd.arg("-layout").arg(&pdf).arg("-");
    let text = run(cmd);
    let root = hex::encode(checkpoint.root);
    for needle in [
        "Sightline query report".to_owned(),
        format!("Plate {PLATE} (PA)"),
        "criminal-investigation".to_owned(),
        "Subject name John Doe, case number 12345678".to_owned(),
        "Sam Field".to_owned(),
        "hsi.jones".to_owned(),
        "Agency A".to_owned(),
        format!("log agency:{}, sequence number {seq}", app.agency_a.0),
        format!("tree size {}", checkpoint.size),
        root,
        format!("Page 1 of {}", page_count(3)),
        format!("Page {0} of {0}", page_count(3)),
        "Generated 2026-11-21".to_owned(),
        "UTC".to_owned(),
        sightline_maps::BUILTIN_ATTRIBUTION.to_owned(),
    ] {
        assert!(
            text.contains(&needle),
            "{needle:?} is not in the report:\n{text}"
        );
    }
    for c in &cams {
        let coords = format!("{:.6}, {:.6}", c.location.lat(), c.location.lon());
        for needle in [&c.nearest_address, &c.nearest_intersection, &coords] {
            assert!(
                text.contains(needle.as_str()),
                "{needle:?} missing:\n{text}"
            );
        }
    }

    // Every page renders; the maps are not blank, and a sighting's two
    // views differ.
    let pages = page_count(3);
    let summary = page_pixels(&pdf, 1, dir.path());
    let v = variance(&crop(&summary, SUMMARY_MAP));
    assert!(v > 100.0, "summary map variance {v}");
    let table = page_pixels(&pdf, 2, dir.path());
    assert!(variance(&table.0) > 1.0, "the table page has text");
    for i in 0..3 {
        let page = page_pixels(&pdf, sighting_page(i, 3), dir.path());
        let close = crop(&page, CLOSE_UP_MAP);
        let over = crop(&page, OVERVIEW_MAP);
        let (vc, vo) = (variance(&close), variance(&over));
        assert!(
            vc > 100.0 && vo > 100.0,
            "sighting {i}: variances {vc}, {vo}"
        );
        let d = share_differing(&close, &over);
        assert!(
            d > 0.02,
            "sighting {i}: close-up and overview differ in {d} of pixels"
        );
    }
    assert_eq!(sighting_page(2, 3), pages);

    // Both photos of every sighting are embedded, and the maps.
    let mut cmd = tool("pdfimages");
    cmd.arg("-list").arg(&pdf);
    let list = run(cmd);
    let rows: Vec<Vec<String>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 1 + 3 * 4, "{list}");
    for i in 0..3 {
        let page = sighting_page(i, 3).to_string();
        let on: Vec<_> = rows.iter().filter(|r| r[0] == page).collect();
        assert_eq!(
            on.len(),
            4,
            "two photos and two maps on page {page}\n{list}"
        );
        // The photos at their own pixel sizes (320×200 and 200×100).
        let sizes: Vec<(&str, &str)> = on.iter().map(|r| (r[3].as_str(), r[4].as_str())).collect();
        assert!(
            sizes.contains(&("320", "200")) && sizes.contains(&("200", "100")),
            "{list}"
        );
    }

    // The download is in the audit log, with what was handed out.
    let downloads = app
        .store
        .ledger()
        .recent(scope, None, Some("query.report_downloaded"), None, 10)
        .await
        .unwrap();
    assert_eq!(downloads.len(), 1);
    let e = &downloads[0].entry;
    assert_eq!(e.field_i64("query_seq"), Some(seq));
    assert_eq!(e.field_i64("read_count"), Some(3));
    assert_eq!(e.field_i64("pages"), Some(pages as i64));
    assert_eq!(e.field_i64("checkpoint_size"), Some(checkpoint.size as i64));
    use sha2::Digest as _;
    assert_eq!(
        e.field_str("sha256"),
        Some(hex::encode(sha2::Sha256::digest(&bytes)).as_str())
    );
    assert!(
        e.session.is_some(),
        "bound to the session that downloaded it"
    );
}

async fn only_the_session_that_ran_the_query_gets_its_report(db: Db) {
    let app = spawn_app(db).await;
    seed(&app).await;
    let jones = app.login("hsi.jones").await;
    let seq = run_query(&app, &jones).await;
    let others = [
        (
            "another session of the same user",
            app.login("hsi.jones").await,
        ),
        (
            "another investigator of the agency",
            app.login("hsi.smith").await,
        ),
        ("the agency's manager", app.login("a.manager").await),
        ("the agency's auditor", app.login("a.auditor").await),
        ("the operator", app.login("operator").await),
        ("another agency's investigator", app.login("b.park").await),
    ];
    for (who, token) in &others {
        let resp = app.get(token, &path(seq)).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{who}");
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{who}"
        );
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "not_found", "{who}: {body}");
    }
    // No such query, and not signed in.
    assert_eq!(
        app.get(&jones, &path(seq + 1000)).await.status(),
        StatusCode::NOT_FOUND
    );
    let anon = app.client.get(app.url(&path(seq))).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    // None of that was a download.
    let downloads = app
        .store
        .ledger()
        .recent(
            TenantScope::Agency(app.agency_a),
            None,
            Some("query.report_downloaded"),
            None,
            10,
        )
        .await
        .unwrap();
    assert!(downloads.is_empty());
    assert_eq!(app.get(&jones, &path(seq)).await.status(), StatusCode::OK);
}

async fn no_audit_no_report(db: Db) {
    let app = spawn_app(db).await;
    seed(&app).await;
    let jones = app.login("hsi.jones").await;
    let seq = run_query(&app, &jones).await;
    // The ledger starts refusing report entries (a full disk, a revoked grant).
    match app.db {
        Db::Sqlite => {
            app.raw_sql(
                "CREATE TRIGGER fail_report_audit BEFORE INSERT ON audit_entries \
                 WHEN NEW.action = 'query.report_downloaded' BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;",
            )
            .await
        }
        Db::Postgres => {
            app.raw_sql(
                "CREATE FUNCTION fail_report_audit() RETURNS trigger AS $$ BEGIN \
                 IF NEW.action = 'query.report_downloaded' THEN RAISE EXCEPTION 'simulated failure'; END IF; \
                 RETURN NEW; END; $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER fail_report_audit BEFORE INSERT ON audit_entries \
                 FOR EACH ROW EXECUTE FUNCTION fail_report_audit();",
            )
            .await
        }
    }
    let resp = app.get(&jones, &path(seq)).await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body = resp.bytes().await.unwrap();
    assert!(!body.starts_with(b"%PDF"));
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["code"], "audit_unavailable");
}

both_backends!(
    the_report_shows_the_query_its_audit_reference_and_every_sighting,
    only_the_session_that_ran_the_query_gets_its_report,
    no_audit_no_report,
);
