//! Misread reports (R3.9, R6.2) end to end, with the reporter told by inbox
//! and by mail from a real SMTP server.

use crate::both_backends;
use crate::helpers::{Db, mail_for, record, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_testkit::SmtpServer;
use time::Duration;

async fn misreads_go_to_the_operator_and_back_to_the_reporter(db: Db) {
    let app = spawn_app(db).await;
    let smtp = SmtpServer::start();
    let _sender = app.start_sender(&smtp);
    let now = app.now();
    let recs: Vec<Value> = (0..3)
        .map(|i| {
            record(
                &format!("m-{i}"),
                "MIS100",
                "PA",
                now - Duration::days(i + 1),
            )
        })
        .collect();
    app.ingest(&app.pa_key, &recs).await;
    let jones = app.login("hsi.jones").await;
    let (_, _, q) = app.query(&jones, &seed_query("MIS100", "PA")).await;
    let qid = q["query_id"].as_i64().unwrap();
    let bad = q["results"][0]["read_id"].as_i64().unwrap();
    let fine = q["results"][1]["read_id"].as_i64().unwrap();
    let url = |read: i64| format!("/api/v1/queries/{qid}/reads/{read}/misread");

    let (status, body) = app
        .post(
            &jones,
            &url(bad),
            &json!({"kind": "typo", "photo_plate": "AB"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["kind", "photo_plate"], "{body}");
    // A plate as the photo shows it goes with a plate read wrongly only.
    let (status, body) = app
        .post(
            &jones,
            &url(fine),
            &json!({"kind": "make_model_mismatch", "photo_plate": "MIS1OO"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("photo_plate_unexpected")
        )
    );
    let (status, filed) = app
        .post(
            &jones,
            &url(bad),
            &json!({"kind": "plate_mismatch", "photo_plate": "mis1oo",
                "note": "Doe's car, seen by the informant Rivera"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let (_, other) = app
        .post(&jones, &url(fine), &json!({"kind": "make_model_mismatch"}))
        .await;
    // Not a read of this query, or not this user's query: nothing to report.
    assert_eq!(
        app.post(
            &jones,
            &url(999_999),
            &json!({"kind": "other", "note": "x"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let smith = app.login("hsi.smith").await;
    assert_eq!(
        app.post(&smith, &url(bad), &json!({"kind": "other", "note": "x"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The operator sees the reads, not the agency's purpose.
    let op = app.login("operator").await;
    let queue: Value = app
        .get(&op, "/api/v1/admin/misreads")
        .await
        .json()
        .await
        .unwrap();
    let reports = queue["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["read"]["plate"], "MIS100");
    assert_eq!(reports[0]["kind"], "plate_mismatch");
    assert_eq!(reports[0]["photo_plate"], "MIS1OO");
    let text = queue.to_string();
    for agency_text in [
        "12345678",
        "criminal-investigation",
        "hsi.jones",
        "informant",
        "Rivera",
        "note",
    ] {
        assert!(!text.contains(agency_text), "{agency_text} in {text}");
    }
    // The note is the agency's: in its own log, sealed there.
    let reported = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Agency(app.agency_a))
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.entry.action == "misread.reported")
        .unwrap();
    assert_eq!(
        reported.entry.fields["note"],
        "Doe's car, seen by the informant Rivera"
    );

    // Both photos of the reported read, for the operator only, each view logged.
    let rid = &filed["report_id"];
    for kind in ["vehicle", "plate"] {
        let resp = app
            .get(&op, &format!("/api/v1/admin/misreads/{rid}/photos/{kind}"))
            .await;
        assert_eq!(resp.status(), StatusCode::OK, "{kind}");
        assert_eq!(resp.headers()["content-type"], "image/png");
        assert_eq!(resp.headers()["cache-control"], "private, no-store");
        assert!(
            resp.bytes().await.unwrap().starts_with(b"\x89PNG"),
            "{kind}"
        );
    }
    for path in [
        format!("/api/v1/admin/misreads/{rid}/photos/other"),
        "/api/v1/admin/misreads/999999/photos/plate".to_owned(),
    ] {
        assert_eq!(
            app.get(&op, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.get(
            &jones,
            &format!("/api/v1/admin/misreads/{rid}/photos/plate")
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let viewed: Vec<_> = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Operator)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.action == "misread.photo_viewed")
        .collect();
    assert_eq!(
        viewed.len(),
        2,
        "one entry per photo shown, none for refusals"
    );
    assert_eq!(viewed[0].entry.fields["report_id"], *rid);
    assert_eq!(viewed[0].entry.fields["read_id"], bad);

    let resolve = |id: &Value, outcome: &str| {
        let (app, op) = (&app, op.clone());
        let path = format!("/api/v1/admin/misreads/{id}/resolve");
        let body = json!({"outcome": outcome, "note": "checked the plate photo"});
        async move { app.post(&op, &path, &body).await.0 }
    };
    assert_eq!(
        resolve(&filed["report_id"], "confirmed").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        resolve(&filed["report_id"], "confirmed").await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        resolve(&other["report_id"], "not_misread").await,
        StatusCode::NO_CONTENT
    );

    // The reporter hears back, in the inbox and by mail.
    let mails = mail_for(&smtp, "hsi.jones@agency.test", 2).await;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert!(
        subjects.contains(&"Your misread report was confirmed"),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Your misread report was reviewed"),
        "{subjects:?}"
    );
    let inbox: Value = app
        .get(&jones, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = inbox["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "misread").count(),
        2,
        "{inbox}"
    );

    // New queries no longer show the misread; the reviewed read stays; a
    // replay of the earlier query still shows what the user saw then.
    app.advance(Duration::seconds(1));
    let (_, _, again) = app.query(&jones, &seed_query("MIS100", "PA")).await;
    let ids: Vec<i64> = again["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["read_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&bad) && ids.contains(&fine));
    let auditor = app.login("a.auditor").await;
    let (_, replay) = app
        .post(
            &auditor,
            &format!("/api/v1/audit/entries/{qid}/replay"),
            &json!({}),
        )
        .await;
    assert_eq!(replay["result_count"], 3);

    // Each step is in the right log.
    let op_log = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Operator)
        .await
        .unwrap();
    assert_eq!(
        op_log
            .iter()
            .filter(|e| e.entry.action == "misread.resolved")
            .count(),
        2
    );
    let a_log = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Agency(app.agency_a))
        .await
        .unwrap();
    assert_eq!(
        a_log
            .iter()
            .filter(|e| e.entry.action == "misread.reported")
            .count(),
        2
    );
    assert_eq!(
        a_log
            .iter()
            .filter(|e| e.entry.action == "misread.reporter_notified")
            .count(),
        2
    );
}

both_backends!(misreads_go_to_the_operator_and_back_to_the_reporter);
