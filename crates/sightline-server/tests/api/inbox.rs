//! Inbox read state: each notification carries the entry's plate, state and
//! reason code and when it was read; the unread count is the header badge's.

use crate::alerts::{add, entry, new_list, read};
use crate::both_backends;
use crate::helpers::{Db, TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Duration;

async fn inbox(app: &TestApp, token: &str) -> Value {
    let resp = app.get(token, "/api/v1/notifications").await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn unread(app: &TestApp, token: &str) -> i64 {
    let resp = app.get(token, "/api/v1/notifications/unread").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    body["unread"].as_i64().unwrap()
}

async fn mark(app: &TestApp, token: &str, id: &Value) -> (StatusCode, Value) {
    app.post(
        token,
        &format!("/api/v1/notifications/{id}/read"),
        &json!({}),
    )
    .await
}

async fn notifications_are_marked_read_by_their_recipient_only(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let park = app.login("b.park").await;
    let list = new_list(&app, &jones, "Case 12345678").await;
    let mut e = entry("HOT1234", "PA");
    e["notify"] = json!({"scope": "users", "users": ["hsi.smith"]});
    let added = add(&app, &jones, list, e).await;
    read(&app, "hit-1", "HOT1234", "PA").await;

    let box_ = inbox(&app, &jones).await;
    assert_eq!(box_["unread"], 1, "{box_}");
    let n = &box_["notifications"][0];
    assert_eq!(n["kind"], "hit");
    assert_eq!(n["read_at"], Value::Null);
    assert_eq!(n["plate"], "HOT1234");
    assert_eq!(n["state"], "PA");
    assert_eq!(n["reason_code"], "criminal-investigation");
    let id = n["id"].clone();
    assert_eq!(unread(&app, &jones).await, 1);
    assert_eq!(unread(&app, &smith).await, 1);

    // Someone else's notification does not exist for them, in or out of the agency.
    for other in [&smith, &park] {
        let (status, problem) = mark(&app, other, &id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        assert_eq!(problem["code"], "not_found");
    }
    assert_eq!(
        mark(&app, &jones, &json!(999_999)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        mark(&app, &jones, &json!("first")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(unread(&app, &jones).await, 1);

    let (status, _) = mark(&app, &jones, &id).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let at = app
        .now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let box_ = inbox(&app, &jones).await;
    assert_eq!(box_["unread"], 0);
    assert_eq!(box_["notifications"][0]["read_at"], at.as_str());
    assert_eq!(unread(&app, &jones).await, 0);
    // Again later: still read, at the first time.
    app.advance(Duration::minutes(5));
    assert_eq!(mark(&app, &jones, &id).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        inbox(&app, &jones).await["notifications"][0]["read_at"],
        at.as_str()
    );
    // The case team member's copy is their own.
    assert_eq!(unread(&app, &smith).await, 1);
    assert_eq!(
        inbox(&app, &smith).await["notifications"][0]["read_at"],
        Value::Null
    );

    // The entry goes, and its notifications with it (R4.7): the badge drops.
    let entry_id = added["entry"]["id"].as_i64().unwrap();
    let resp = app
        .client
        .delete(app.url(&format!("/api/v1/alert-lists/{list}/entries/{entry_id}")))
        .bearer_auth(&jones)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    assert_eq!(unread(&app, &smith).await, 0);
    assert_eq!(mark(&app, &jones, &id).await.0, StatusCode::NOT_FOUND);
}

async fn deconfliction_notices_carry_the_plate_too(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let mine = new_list(&app, &jones, "Jones").await;
    add(&app, &jones, mine, entry("DUP1234", "PA")).await;
    let theirs = new_list(&app, &smith, "Smith").await;
    add(&app, &smith, theirs, entry("DUP1234", "PA")).await;
    let box_ = inbox(&app, &smith).await;
    let n = box_["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "deconfliction")
        .unwrap_or_else(|| panic!("{box_}"));
    assert_eq!(n["plate"], "DUP1234");
    assert_eq!(n["state"], "PA");
    assert_eq!(n["reason_code"], "criminal-investigation");
    assert_eq!(box_["unread"], 1);
    // Managers and auditors have an inbox (empty here); the operator has none.
    let auditor = app.login("a.auditor").await;
    assert_eq!(unread(&app, &auditor).await, 0);
    let operator = app.login("operator").await;
    assert_eq!(
        app.get(&operator, "/api/v1/notifications/unread")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

both_backends!(
    notifications_are_marked_read_by_their_recipient_only,
    deconfliction_notices_carry_the_plate_too,
);
