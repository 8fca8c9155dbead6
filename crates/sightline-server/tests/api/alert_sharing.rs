//! Sharing is per entry (issue 15): an entry that notifies a colleague, by
//! name or through their group, shows them that entry, never the rest of
//! the owner's list.

use crate::alerts::{add, entry, new_list};
use crate::both_backends;
use crate::helpers::{Db, TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn plates(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let res = app.get(token, path).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["plate"].as_str().unwrap().to_owned())
        .collect()
}

async fn lists(app: &TestApp, token: &str) -> Value {
    app.get(token, "/api/v1/alert-lists")
        .await
        .json()
        .await
        .unwrap()
}

async fn one_shared_entry_does_not_open_the_list(db: Db) {
    let app = spawn_app(db).await;
    let jones = app.login("hsi.jones").await;
    let smith = app.login("hsi.smith").await;
    let (status, group) = app
        .post_json(
            &jones,
            "/api/v1/alert-groups",
            &json!({"name": "Case team 2", "members": ["hsi.smith"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let list = new_list(&app, &jones, "Jones's cases").await;
    add(&app, &jones, list, entry("PRIV001", "PA")).await;
    let mut named = entry("SHARE01", "PA");
    named["notify"] = json!({"scope": "users", "users": ["hsi.smith"]});
    add(&app, &jones, list, named).await;
    let mut team = entry("TEAM001", "PA");
    team["notify"] = json!({"scope": "group", "group": "Case team 2"});
    add(&app, &jones, list, team).await;
    add(&app, &jones, list, entry("PRIV002", "PA")).await;

    let path = format!("/api/v1/alert-lists/{list}/entries");
    // The owner sees the whole list.
    assert_eq!(
        plates(&app, &jones, &path).await,
        ["PRIV001", "SHARE01", "TEAM001", "PRIV002"]
    );
    assert_eq!(lists(&app, &jones).await["lists"][0]["entries"], 4);
    // Smith sees the list, counted and listed as the two entries that
    // notify him, and nothing of the owner's own entries.
    let theirs = lists(&app, &smith).await;
    assert_eq!(theirs["lists"][0]["name"], "Jones's cases");
    assert_eq!(theirs["lists"][0]["entries"], 2, "{theirs}");
    assert_eq!(plates(&app, &smith, &path).await, ["SHARE01", "TEAM001"]);
    // A plate search cannot reach the others either (R4.3).
    assert!(
        plates(&app, &smith, &format!("{path}?plate=PRIV001"))
            .await
            .is_empty()
    );
    assert_eq!(
        plates(&app, &smith, &format!("{path}?plate=SHARE01")).await,
        ["SHARE01"]
    );
    // Still only the owner changes the list.
    let (s, _) = app.post_json(&smith, &path, &entry("X1", "PA")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

both_backends!(one_shared_entry_does_not_open_the_list);
