//! The web app's background polls (`Sightline-Background: 1`) read the
//! session without counting as activity: an unattended screen still locks
//! after 30 idle minutes (R2.8), however often its badge polls.

use crate::both_backends;
use crate::helpers::{Db, spawn_app};
use reqwest::StatusCode;
use time::Duration;

async fn poll(app: &crate::helpers::TestApp, token: &str, background: bool) -> StatusCode {
    let mut req = app
        .client
        .get(app.url("/api/v1/notifications/unread"))
        .bearer_auth(token);
    if background {
        req = req.header("Sightline-Background", "1");
    }
    req.send().await.unwrap().status()
}

async fn background_polls_do_not_hold_the_idle_lock_open(db: Db) {
    let app = spawn_app(db).await;
    let token = app.login("hsi.jones").await;
    // Polled every few minutes for 29 minutes: each poll is answered...
    for _ in 0..29 {
        app.advance(Duration::minutes(1));
        assert_eq!(poll(&app, &token, true).await, StatusCode::OK);
    }
    // ...but none of them was activity: at 30 idle minutes the session is over.
    app.advance(Duration::minutes(1));
    assert_eq!(poll(&app, &token, true).await, StatusCode::UNAUTHORIZED);
    assert_eq!(poll(&app, &token, false).await, StatusCode::UNAUTHORIZED);

    // An ordinary request is activity, as before.
    let token = app.login("hsi.jones").await;
    app.advance(Duration::minutes(20));
    assert_eq!(poll(&app, &token, false).await, StatusCode::OK);
    app.advance(Duration::minutes(20));
    assert_eq!(poll(&app, &token, true).await, StatusCode::OK);
}

both_backends!(background_polls_do_not_hold_the_idle_lock_open);
