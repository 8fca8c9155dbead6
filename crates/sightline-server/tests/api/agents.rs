//! Stock OpenALPR / Rekor agents (issue 17): a group with no images, its
//! photos fetched from the agent's image service, played here by a real
//! HTTP server on loopback that serves real JPEGs and counts requests.
//! Time is the server's injected clock; the worker's passes are run by the
//! test; a restart is a new server over the same store.

use crate::both_backends;
use crate::helpers::{Db, TestApp, seed_query, spawn_app};
use axum::extract::{Path, Query};
use axum::http::{StatusCode as AxStatus, Uri};
use axum::response::{IntoResponse, Response};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::TenantScope;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::Duration;

const STOCK_GROUP: &str =
    include_str!("../../../sightline-ingest/tests/fixtures/alpr_group_stock.json");
const HEARTBEAT: &str = include_str!("../../../sightline-ingest/tests/fixtures/heartbeat.json");

/// The fixture's best capture and the crop its plate corners ask for:
/// x 402..478 and y 551..583, plus a quarter of the width and half the
/// height each side.
const BEST: &str = "Q7R2M9X4K8D1T6V3B5N0P2L7W9C4F8H1J3G6S0Z5-2001-1763985600917";
const CROP_QUERY: &str = "x1=383&y1=535&x2=497&y2=599";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Up,
    /// Accepts the connection and never answers.
    Hang,
}

/// A real JPEG of `w` x `h`, its colours seeded by `seed`.
fn jpeg(w: u16, h: u16, seed: u8) -> Vec<u8> {
    let mut px = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            px.extend([
                (x as u8).wrapping_mul(3).wrapping_add(seed),
                (y as u8).wrapping_mul(5),
                seed,
            ]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&px, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// The agent's web service (`/img/{uuid}.jpg`, `/crop/{uuid}?x1..y2`), or
/// any other server that only counts what reaches it.
struct Agent {
    base: String,
    port: u16,
    hits: Arc<Mutex<Vec<String>>>,
    /// The Authorization header of each request.
    auths: Arc<Mutex<Vec<String>>>,
    mode: Arc<Mutex<Mode>>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Agent {
    async fn start(port: u16) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let mode = Arc::new(Mutex::new(Mode::Up));
        let auths: Arc<Mutex<Vec<String>>> = Arc::default();
        let (h, m, au) = (hits.clone(), mode.clone(), auths.clone());
        let app = axum::Router::new()
            .route(
                "/img/{file}",
                axum::routing::get(|Path(file): Path<String>| async move {
                    if file.ends_with(".jpg") {
                        ([("content-type", "image/jpeg")], jpeg(192, 108, 40)).into_response()
                    } else {
                        AxStatus::NOT_FOUND.into_response()
                    }
                }),
            )
            .route(
                "/crop/{uuid}",
                axum::routing::get(|Query(q): Query<HashMap<String, u16>>| async move {
                    let side = |a: &str, b: &str| {
                        q.get(b)
                            .unwrap_or(&0)
                            .saturating_sub(*q.get(a).unwrap_or(&0))
                            .max(1)
                    };
                    (
                        [("content-type", "image/jpeg")],
                        jpeg(side("x1", "x2"), side("y1", "y2"), 200),
                    )
                        .into_response()
                }),
            )
            .layer(axum::middleware::from_fn(
                move |uri: Uri, req: axum::extract::Request, next: axum::middleware::Next| {
                    let (h, m, au) = (h.clone(), m.clone(), au.clone());
                    async move {
                        h.lock().unwrap().push(uri.to_string());
                        let auth = req.headers().get("authorization");
                        au.lock().unwrap().push(
                            auth.and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_owned(),
                        );
                        if *m.lock().unwrap() == Mode::Hang {
                            std::future::pending::<()>().await;
                        }
                        let resp: Response = next.run(req).await;
                        resp
                    }
                },
            ));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Agent {
            base: format!("http://127.0.0.1:{port}"),
            port,
            hits,
            auths,
            mode,
            _shutdown: tx,
        }
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

/// A loopback port with nothing listening on it (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The stock group, with its times moved to the server's now.
fn stock_group(app: &TestApp) -> Value {
    let mut g: Value = serde_json::from_str(STOCK_GROUP).unwrap();
    let shift = (app.now().unix_timestamp_nanos() / 1_000_000) as i64 - 1_763_985_600_917;
    for key in ["epoch_start", "epoch_end", "best_uuid_epoch_ms"] {
        g[key] = json!(g[key].as_i64().unwrap() + shift);
    }
    for p in g["vehicle_path"].as_array_mut().unwrap() {
        p["t"] = json!(p["t"].as_i64().unwrap() + shift);
    }
    g
}

async fn pa_source(app: &TestApp) -> i64 {
    app.store
        .sources()
        .all()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name.starts_with("Pennsylvania"))
        .unwrap()
        .id
        .0
}

async fn post_openalpr(app: &TestApp, body: &Value) -> Value {
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/openalpr"))
        .bearer_auth(&app.pa_key)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn register(app: &TestApp, op: &str, base_url: &str) {
    let (status, body) = app
        .send_json(
            reqwest::Method::PUT,
            op,
            &format!("/api/v1/admin/sources/{}/agent", pa_source(app).await),
            &json!({"base_url": base_url, "username": "sightline", "password": "agent-secret-7"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn results(app: &TestApp, token: &str, extra: &Value) -> Value {
    let mut q = seed_query("HXR4417", "PA");
    for (k, v) in extra.as_object().unwrap() {
        q[k] = v.clone();
    }
    let (status, _, body) = app.query(token, &q).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn pass(app: &TestApp) -> sightline_server::agents::PassReport {
    sightline_server::agents::retry_due(app.state.agent_deps())
        .await
        .unwrap()
}

async fn pending_metric(app: &TestApp) -> String {
    let text = app.metrics().await;
    text.lines()
        .find(|l| l.starts_with("sightline_reads_pending_photos "))
        .unwrap_or_default()
        .to_owned()
}

async fn operator_log(app: &TestApp, action: &str) -> Vec<Value> {
    app.store
        .ledger()
        .all(TenantScope::Operator)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.action == action)
        .map(|e| serde_json::to_value(&e.entry.fields).unwrap())
        .collect()
}

async fn a_stock_group_is_stored_with_both_fetched_photos(db: Db) {
    let app = spawn_app(db).await;
    let agent = Agent::start(0).await;
    let op = app.login("operator").await;
    register(&app, &op, &agent.base).await;

    let report = post_openalpr(&app, &stock_group(&app)).await;
    assert_eq!(
        (&report["accepted"], &report["pending_photos"]),
        (&json!(1), &json!(0)),
        "{report}"
    );
    assert_eq!(report["results"][0]["status"], "accepted");
    // Exactly the two fixed paths, built from best_uuid and the corners.
    assert_eq!(
        agent.hits(),
        [
            format!("/img/{BEST}.jpg"),
            format!("/crop/{BEST}?{CROP_QUERY}")
        ]
    );

    let token = app.login("hsi.jones").await;
    let body = results(&app, &token, &json!({})).await;
    assert_eq!(body["result_count"], 1, "{body}");
    let r = &body["results"][0];
    assert_eq!(r["nearest_address"], "1 Turnpike Rd, Harrisburg, PA 17112");
    // The photos are the agent's bytes.
    let vehicle = app
        .get(&token, r["photos"]["vehicle"].as_str().unwrap())
        .await;
    assert_eq!(vehicle.bytes().await.unwrap().as_ref(), jpeg(192, 108, 40));
    let plate = app
        .get(&token, r["photos"]["plate"].as_str().unwrap())
        .await;
    assert_eq!(plate.bytes().await.unwrap().as_ref(), jpeg(114, 64, 200));
    // The vehicle attributes come back with the read...
    assert_eq!(
        r["vehicle"]["make"],
        json!({"name": "ford", "confidence": 77.5})
    );
    assert_eq!(r["vehicle"]["model"]["name"], "ford_f-150");
    assert_eq!(r["vehicle"]["color"]["name"], "white");
    // ...and are no search key: naming another make or colour changes nothing.
    let again = results(
        &app,
        &token,
        &json!({"make": "toyota", "color": "red", "vehicle": {"make": "toyota"}}),
    )
    .await;
    assert_eq!(again["result_count"], 1, "{again}");
    assert_eq!(again["results"][0]["read_id"], r["read_id"]);

    // Resent: a duplicate, nothing fetched again.
    let report = post_openalpr(&app, &stock_group(&app)).await;
    assert_eq!(report["duplicates"], 1, "{report}");
    assert_eq!(agent.hits().len(), 2);

    // The registration is in the operator's log, without the password.
    let saved = operator_log(&app, "admin.source_agent_saved").await;
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0]["base_url"], agent.base);
    assert_eq!(saved[0]["password_set"], true);
    let everything = serde_json::to_string(
        &app.store
            .ledger()
            .all(TenantScope::Operator)
            .await
            .unwrap()
            .iter()
            .map(|e| &e.canonical)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(!everything.contains("agent-secret-7"));
    let status = app
        .get(
            &op,
            &format!("/api/v1/admin/sources/{}/agent", pa_source(&app).await),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(status.contains("\"has_password\":true"), "{status}");
    assert!(!status.contains("agent-secret-7"), "{status}");
    // The password is sealed at rest, yet the agent got it (opened at fetch).
    let stored: (String,) = sqlx::query_as("SELECT password FROM source_agents")
        .fetch_one(app.store.db.pool())
        .await
        .unwrap();
    assert!(
        stored.0.starts_with("aead1:") && !stored.0.contains("agent-secret-7"),
        "{}",
        stored.0
    );
    let basic = format!("Basic {}", crate::helpers::b64(b"sightline:agent-secret-7"));
    let auths = agent.auths.lock().unwrap().clone();
    assert_eq!(auths, [basic.clone(), basic]);
}

async fn a_read_waits_for_a_down_agent_invisibly_and_appears_once_across_a_restart(db: Db) {
    let mut app = spawn_app(db).await;
    let port = free_port();
    let op = app.login("operator").await;
    register(&app, &op, &format!("http://127.0.0.1:{port}")).await;

    let report = post_openalpr(&app, &stock_group(&app)).await;
    assert_eq!(report["pending_photos"], 1, "{report}");
    assert_eq!(report["accepted"], 0);
    assert_eq!(report["results"][0]["status"], "pending_photos");
    assert!(
        report["results"][0]["pending_reason"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{report}"
    );
    assert_eq!(
        pending_metric(&app).await,
        "sightline_reads_pending_photos 1"
    );
    let token = app.login("hsi.jones").await;
    assert_eq!(results(&app, &token, &json!({})).await["result_count"], 0);

    // A real restart: a new server over the same store.
    app.restart().await;
    let report = post_openalpr(&app, &stock_group(&app)).await;
    assert_eq!(
        report["pending_photos"], 1,
        "resent while pending: {report}"
    );
    assert_eq!(
        pending_metric(&app).await,
        "sightline_reads_pending_photos 1"
    );
    // Not due yet (backoff on the injected clock): nothing is tried.
    assert_eq!(pass(&app).await.stored + pass(&app).await.waiting, 0);

    // The agent comes up; once the backoff has passed the worker stores it.
    let agent = Agent::start(port).await;
    app.advance(Duration::minutes(1));
    let done = pass(&app).await;
    assert_eq!((done.stored, done.waiting, done.refused), (1, 0, 0));
    assert_eq!(agent.hits().len(), 2);
    assert_eq!(pass(&app).await.stored, 0);
    assert_eq!(
        pending_metric(&app).await,
        "sightline_reads_pending_photos 0"
    );

    let token = app.login("hsi.jones").await;
    let body = results(&app, &token, &json!({})).await;
    assert_eq!(body["result_count"], 1, "exactly once: {body}");
    let report = post_openalpr(&app, &stock_group(&app)).await;
    assert_eq!(report["duplicates"], 1, "{report}");
    assert_eq!(agent.hits().len(), 2);
}

async fn an_agent_that_never_answers_gets_the_read_refused_and_logged(db: Db) {
    let app = spawn_app(db).await;
    let agent = Agent::start(0).await;
    *agent.mode.lock().unwrap() = Mode::Hang;
    let op = app.login("operator").await;
    register(&app, &op, &agent.base).await;

    let report = post_openalpr(&app, &stock_group(&app)).await;
    assert_eq!(report["pending_photos"], 1, "{report}");
    // Tries 2 and 3 wait; the 4th (the limit in tests) refuses.
    for _ in 0..2 {
        app.advance(Duration::hours(2));
        assert_eq!(pass(&app).await.waiting, 1);
    }
    app.advance(Duration::hours(2));
    assert_eq!(pass(&app).await.refused, 1);
    app.advance(Duration::hours(2));
    assert_eq!(pass(&app).await, Default::default());
    assert_eq!(
        pending_metric(&app).await,
        "sightline_reads_pending_photos 0"
    );

    let refused = operator_log(&app, "ingest.read_refused").await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["source_read_id"], BEST);
    assert_eq!(refused[0]["attempts"], 4);
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{refused:?}"
    );
    let token = app.login("hsi.jones").await;
    assert_eq!(results(&app, &token, &json!({})).await["result_count"], 0);
    // Each try asked for the frame only: a hanging agent is not asked twice.
    assert_eq!(agent.hits().len(), 4);
}

async fn nothing_is_fetched_from_anywhere_a_payload_names(db: Db) {
    let app = spawn_app(db).await;
    let agent = Agent::start(0).await;
    let decoy = Agent::start(0).await;

    // No image service registered: refused for want of photos, no request.
    let report = post_openalpr(&app, &stock_group(&app)).await;
    let codes: Vec<_> = report["results"][0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        codes,
        ["vehicle_photo_required", "plate_photo_required"],
        "{report}"
    );

    let op = app.login("operator").await;
    register(&app, &op, &agent.base).await;
    // URLs and hosts of the payload's own are ignored...
    let mut g = stock_group(&app);
    for key in [
        "agent_url",
        "image_url",
        "overview_url",
        "upload_address",
        "host",
    ] {
        g[key] = json!(format!("{}/img/{BEST}.jpg", decoy.base));
    }
    g["best_plate"]["plate_crop_url"] = json!(decoy.base);
    g["agent_host"] = json!(format!("127.0.0.1:{}", decoy.port));
    assert_eq!(post_openalpr(&app, &g).await["accepted"], 1);
    // ...and a uuid that would leave the fixed paths names no photo at all.
    let mut g = stock_group(&app);
    g["best_uuid"] = json!(format!("../../..//127.0.0.1:{}/x", decoy.port));
    g["uuids"] = json!(["a/../../b", "c%2fd"]);
    let report = post_openalpr(&app, &g).await;
    assert_eq!(report["rejected"], 1, "{report}");

    assert_eq!(decoy.hits(), Vec::<String>::new());
    let hits = agent.hits();
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(hits.iter().all(
        |h| h.starts_with(&format!("/img/{BEST}")) || h.starts_with(&format!("/crop/{BEST}?"))
    ));

    // The operator cannot register anything but http://host[:port].
    for bad in [
        "https://10.1.2.3",
        "http://10.1.2.3/img",
        "http://u:p@10.1.2.3",
        "http://10.1.2.3:99999",
    ] {
        let (status, body) = app
            .send_json(
                reqwest::Method::PUT,
                &op,
                &format!("/api/v1/admin/sources/{}/agent", pa_source(&app).await),
                &json!({"base_url": bad}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(body["errors"][0]["code"], "agent_url_invalid", "{body}");
        assert_eq!(body["errors"][0]["field"], "base_url", "{body}");
    }
}

async fn heartbeats_are_source_health_and_silence_is_noticed(db: Db) {
    let app = spawn_app(db).await;
    let op = app.login("operator").await;
    let path = format!("/api/v1/admin/sources/{}/agent", pa_source(&app).await);
    let hb: Value = serde_json::from_str(HEARTBEAT).unwrap();
    let report = post_openalpr(&app, &hb).await;
    assert_eq!(
        report["heartbeat"],
        json!({"cameras": 1, "streaming": 1}),
        "{report}"
    );
    assert_eq!(report["accepted"], 0);

    let status: Value = app.get(&op, &path).await.json().await.unwrap();
    let h = &status["health"];
    assert_eq!(h["hostname"], "gate-1");
    assert_eq!(h["last_seen_at"], "2026-11-21T12:00:00Z");
    assert_eq!(h["silent_since"], Value::Null);
    assert_eq!(
        h["streams"],
        json!([{"camera_id": "2090267338", "camera_name": "north gate", "is_streaming": true, "fps": 30.0}])
    );
    assert_eq!(status["service"], Value::Null);

    let settings = crate::helpers::agent_settings();
    let notice = || sightline_server::agents::notice_silent(&app.store, &settings);
    app.advance(Duration::minutes(9));
    assert_eq!(notice().await.unwrap(), 0);
    app.advance(Duration::minutes(2));
    assert_eq!(notice().await.unwrap(), 1);
    assert_eq!(notice().await.unwrap(), 0, "once per silence");
    let silent = operator_log(&app, "source.silent").await;
    assert_eq!(silent.len(), 1);
    assert_eq!(silent[0]["last_seen_at"], "2026-11-21T12:00:00Z");
    let status: Value = app.get(&op, &path).await.json().await.unwrap();
    assert_eq!(status["health"]["silent_since"], "2026-11-21T12:11:00Z");

    // The next heartbeat ends the silence.
    post_openalpr(&app, &hb).await;
    let status: Value = app.get(&op, &path).await.json().await.unwrap();
    assert_eq!(status["health"]["silent_since"], Value::Null);
    assert_eq!(operator_log(&app, "source.heard_again").await.len(), 1);
}

async fn alpr_results_without_crops_are_fetched_like_groups(db: Db) {
    let app = spawn_app(db).await;
    let agent = Agent::start(0).await;
    let op = app.login("operator").await;
    register(&app, &op, &agent.base).await;
    let now_ms = (app.now().unix_timestamp_nanos() / 1_000_000) as i64 - 1_000;
    let body = json!({"data_type": "alpr_results", "version": 2, "epoch_time": now_ms,
    "img_width": 1920, "img_height": 1080, "uuid": "agent-2001-frame-77",
    "camera_id": 2001, "site_id": "104",
    "results": [
        {"plate": "HXR4417", "region": "us-pa", "confidence": 91.2,
         "coordinates": [{"x": 100, "y": 200}, {"x": 180, "y": 200}, {"x": 180, "y": 240}, {"x": 100, "y": 240}]},
        {"plate": "KDM2290", "region": "us-pa", "confidence": 88.0,
         "coordinates": [{"x": 1500, "y": 900}, {"x": 1600, "y": 900}, {"x": 1600, "y": 940}, {"x": 1500, "y": 940}]}
    ]});
    let report = post_openalpr(&app, &body).await;
    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(
        report["results"][1]["source_read_id"],
        "agent-2001-frame-77#1"
    );
    // One frame per result (the frame is the same capture) and each
    // result's own crop.
    let hits = agent.hits();
    assert_eq!(
        hits,
        [
            "/img/agent-2001-frame-77.jpg",
            "/crop/agent-2001-frame-77?x1=80&y1=180&x2=200&y2=260",
            "/img/agent-2001-frame-77.jpg",
            "/crop/agent-2001-frame-77?x1=1475&y1=880&x2=1625&y2=960",
        ]
    );
    let token = app.login("hsi.jones").await;
    let found = results(&app, &token, &json!({})).await;
    assert_eq!(found["result_count"], 1, "{found} {report}");
}

async fn a_read_waiting_past_its_retention_is_refused_not_stored(db: Db) {
    let app = spawn_app(db).await;
    // Pennsylvania keeps reads ten minutes here (New Hampshire: three).
    app.store
        .policies()
        .set(&sightline_core::collection::CollectionPolicy {
            jurisdiction: sightline_core::Jurisdiction::parse("PA").unwrap(),
            collection_allowed: true,
            retention_secs: 600,
        })
        .await
        .unwrap();
    let port = free_port();
    let op = app.login("operator").await;
    register(&app, &op, &format!("http://127.0.0.1:{port}")).await;
    assert_eq!(
        post_openalpr(&app, &stock_group(&app)).await["pending_photos"],
        1
    );
    let agent = Agent::start(port).await;
    app.advance(Duration::minutes(11));
    assert_eq!(pass(&app).await.refused, 1);
    assert_eq!(
        agent.hits(),
        Vec::<String>::new(),
        "nothing fetched for a read past retention"
    );
    let refused = operator_log(&app, "ingest.read_refused").await;
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("retention_expired"),
        "{refused:?}"
    );
}

both_backends!(
    a_read_waiting_past_its_retention_is_refused_not_stored,
    alpr_results_without_crops_are_fetched_like_groups,
    a_stock_group_is_stored_with_both_fetched_photos,
    a_read_waits_for_a_down_agent_invisibly_and_appears_once_across_a_restart,
    an_agent_that_never_answers_gets_the_read_refused_and_logged,
    nothing_is_fetched_from_anywhere_a_payload_names,
    heartbeats_are_source_health_and_silence_is_noticed,
);
