//! The test's own control server, on another loopback port: the browser
//! suite asks it to move the server's clock, make users, compute TOTP
//! codes at the server's time, and push reads as a camera would.
//!
//! Moving the clock also runs the alert lifecycle pass at the new time, as
//! `sightline serve` does every minute, so renewal prompts and expiries
//! appear without waiting.

use crate::helpers::{PASSWORD, Sender, TestApp, mail_for};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use sightline_core::Role;
use sightline_testkit::SmtpServer;
use std::sync::Arc;
use time::Duration;
use time::format_description::well_known::Rfc3339;

pub struct Control {
    pub base: String,
    pub app_base: String,
    _ctx: Arc<Ctx>,
}

/// The server under test, a real SMTP server its outbox delivers to, and
/// the sender between them.
struct Ctx {
    app: TestApp,
    smtp: SmtpServer,
    _sender: Sender,
}

#[derive(Deserialize)]
struct RegistrationReq {
    username: String,
}

#[derive(Deserialize)]
struct MailReq {
    to: String,
    count: usize,
}

/// An access request filed and approved by agency A's manager, as the
/// manager's console would; returns the registration key from the mail.
async fn registration(
    State(ctx): State<Arc<Ctx>>,
    Json(req): Json<RegistrationReq>,
) -> Json<Value> {
    let app = &ctx.app;
    let manager = app.login("a.manager").await;
    let form = json!({
        "username": req.username,
        "full_name": format!("Agent {}", req.username),
        "email": format!("{}@agency.test", req.username),
        "role": "investigator",
        "program": "HSI",
        "justification": "Assigned to the vehicle theft task force",
        "supervisor": "SAC Rivera",
        "scan_base64": crate::helpers::b64(b"%PDF-1.4 signed form"),
    });
    let (_, filed) = app.post(&manager, "/api/v1/access-requests", &form).await;
    let (status, approved) = app
        .post(
            &manager,
            &format!("/api/v1/access-requests/{}/approve", filed["id"]),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{approved}");
    let mail = mail_for(&ctx.smtp, &format!("{}@agency.test", req.username), 1).await;
    let body = &mail.first().expect("the registration mail").body;
    let key = body
        .split_whitespace()
        .find(|w| w.starts_with("reg_"))
        .expect("a registration key in the mail")
        .to_owned();
    Json(json!({"registration_key": key}))
}

/// Training recorded for `username`, as their manager would.
async fn training(State(ctx): State<Arc<Ctx>>, Json(req): Json<RegistrationReq>) -> Json<Value> {
    ctx.app.renew_training(&req.username).await;
    Json(json!({}))
}

/// Every training record of `username` deleted, as if none was ever
/// recorded: the account stays active (the training report's finding).
async fn lapse_training(
    State(ctx): State<Arc<Ctx>>,
    Json(req): Json<RegistrationReq>,
) -> Json<Value> {
    assert!(
        req.username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
    );
    ctx.app
        .raw_sql(&format!(
            "DELETE FROM training_records WHERE user_id = (SELECT id FROM users WHERE username = '{}')",
            req.username
        ))
        .await;
    Json(json!({}))
}

/// The mails the SMTP server received for `to` (waits for `count`).
async fn mail(State(ctx): State<Arc<Ctx>>, Json(req): Json<MailReq>) -> Json<Value> {
    let got = mail_for(&ctx.smtp, &req.to, req.count).await;
    Json(
        json!({"mails": got.iter().map(|m| json!({"subject": m.subject, "body": m.body})).collect::<Vec<_>>()}),
    )
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

#[derive(Deserialize)]
struct NewUserReq {
    username: String,
    #[serde(default)]
    program: Option<String>,
    /// `investigator` (the default), `auditor` or `agency_manager`.
    #[serde(default)]
    role: Option<String>,
    /// The user's area of responsibility, made if new; none: agency-wide.
    #[serde(default)]
    aor: Option<String>,
}

#[derive(Deserialize)]
struct QueryReq {
    username: String,
    plate: String,
    state: String,
    #[serde(default)]
    reason_code: Option<String>,
    #[serde(default)]
    days: Option<i64>,
    #[serde(default)]
    on_behalf_of: Option<String>,
}

#[derive(Deserialize)]
struct AlertReq {
    username: String,
    plate: String,
    state: String,
}

#[derive(Deserialize)]
struct TotpReq {
    username: String,
    secret: Option<String>,
}

#[derive(Deserialize)]
struct ReadReq {
    plate: String,
    state: String,
    #[serde(default)]
    place: usize,
    /// An OpenALPR `vehicle` object: the read is then sent as an agent's
    /// `alpr_group` (with its photos inline) to the OpenALPR endpoint.
    #[serde(default)]
    vehicle: Option<Value>,
}

async fn now(State(ctx): State<Arc<Ctx>>) -> Json<Value> {
    let app = &ctx.app;
    Json(json!({"now": app.now().format(&Rfc3339).unwrap()}))
}

async fn advance(State(ctx): State<Arc<Ctx>>, Json(req): Json<Advance>) -> Json<Value> {
    let app = &ctx.app;
    app.advance(Duration::seconds(req.seconds));
    let notifier = sightline_server::alerts::Notifier::default();
    sightline_server::alerts::run_lifecycle(&app.store, &notifier, app.now())
        .await
        .unwrap();
    now(State(ctx.clone())).await
}

async fn new_user(State(ctx): State<Arc<Ctx>>, Json(req): Json<NewUserReq>) -> Json<Value> {
    let app = &ctx.app;
    let role = match req.role.as_deref() {
        None | Some("investigator") => Role::Investigator,
        Some("auditor") => Role::Auditor,
        Some("agency_manager") => Role::AgencyManager,
        Some(other) => {
            panic!("the control server makes investigators, auditors and managers, not {other}")
        }
    };
    let title = match role {
        Role::Auditor => "Auditor",
        Role::AgencyManager => "Manager",
        _ => "Investigator",
    };
    app.add_trained_user(
        &req.username,
        &format!("{title} {}", req.username),
        role,
        req.program.as_deref().unwrap_or("HSI"),
        req.aor.as_deref(),
    )
    .await;
    Json(json!({"username": req.username, "password": PASSWORD}))
}

async fn totp(State(ctx): State<Arc<Ctx>>, Json(req): Json<TotpReq>) -> Json<Value> {
    let app = &ctx.app;
    if let Some(secret) = req.secret {
        let clean: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = sightline_core::totp::decode_secret(&clean).expect("a base32 secret");
        let mut map = app.totp.lock().unwrap();
        let keep = map.get(&req.username).is_some_and(|(s, _)| *s == bytes);
        if !keep {
            map.insert(req.username.clone(), (bytes, i64::MIN));
        }
    }
    Json(json!({"code": app.totp_code(&req.username)}))
}

async fn read(State(ctx): State<Arc<Ctx>>, Json(req): Json<ReadReq>) -> Json<Value> {
    let app = &ctx.app;
    let id = format!("ctl-{}", sightline_testkit::unique_suffix());
    let record = crate::seed::sighting(&id, &req.plate, &req.state, app.now(), req.place);
    let Some(vehicle) = req.vehicle else {
        return Json(app.ingest(&app.pa_key, &[record]).await);
    };
    let at_ms = (app.now().unix_timestamp_nanos() / 1_000_000) as i64 - 1_000;
    let group = json!({
        "data_type": "alpr_group", "best_uuid": id, "epoch_start": at_ms,
        "site_id": "104", "camera_id": 2001,
        "best_plate_number": req.plate, "best_region": req.state,
        "overview_jpeg": record["vehicle_photo"]["base64"],
        "best_plate": {"plate_crop_jpeg": record["plate_photo"]["base64"]},
        "vehicle": vehicle,
    });
    let resp = app
        .client
        .post(app.url("/api/v1/ingest/openalpr"))
        .bearer_auth(&app.pa_key)
        .json(&group)
        .send()
        .await
        .unwrap();
    let report = resp.json().await.unwrap();
    app.matched().await;
    Json(report)
}

#[derive(Deserialize)]
struct PlatePhotoReq {
    plate: String,
    state: String,
}

/// A close-up photo of a plate, as the demo renders it, for the capture
/// input: `{"png": base64}`.
async fn plate_photo(Json(req): Json<PlatePhotoReq>) -> Json<Value> {
    let png = crate::helpers::png(&req.plate, &req.state);
    Json(json!({"png": crate::helpers::b64(&png)}))
}

/// A query run through the API by `username` (signing in on first use),
/// as an investigator would at another desk: the auditor tests' fixture.
async fn query(State(ctx): State<Arc<Ctx>>, Json(req): Json<QueryReq>) -> Json<Value> {
    let app = &ctx.app;
    let token = app.login(&req.username).await;
    let body = json!({
        "plate": req.plate,
        "state": req.state,
        "reason_code": req.reason_code.as_deref().unwrap_or("criminal-investigation"),
        "timeframe": {"previous_days": req.days.unwrap_or(60)},
        "case_reference": "Subject name John Doe, case number 12345678",
        "on_behalf_of": req.on_behalf_of.map_or(json!("self"), |p| json!({"person": p})),
    });
    let (status, _, resp) = app.query(&token, &body).await;
    assert!(status.is_success(), "{resp}");
    Json(resp)
}

/// An alert-list entry for `plate` on a new list of `username`'s.
async fn alert(State(ctx): State<Arc<Ctx>>, Json(req): Json<AlertReq>) -> Json<Value> {
    let app = &ctx.app;
    let token = app.login(&req.username).await;
    let (status, list) = app
        .post(
            &token,
            "/api/v1/alert-lists",
            &json!({"name": "Fixture list"}),
        )
        .await;
    assert!(status.is_success(), "{list}");
    let (status, entry) = app
        .post(
            &token,
            &format!("/api/v1/alert-lists/{}/entries", list["id"]),
            &json!({"plate": req.plate, "state": req.state,
                "reason_code": "criminal-investigation", "note": "fixture case"}),
        )
        .await;
    assert!(status.is_success(), "{entry}");
    Json(entry)
}

/// Signs a checkpoint of agency A's log now, as `sightline serve` does
/// within seconds of an entry.
async fn checkpoint(State(ctx): State<Arc<Ctx>>, Json(body): Json<Value>) -> Json<Value> {
    let app = &ctx.app;
    // Agency A's log, or `{"log": "operator"}` for the operator's.
    let scope = if body["log"] == "operator" {
        sightline_core::TenantScope::Operator
    } else {
        sightline_core::TenantScope::Agency(app.agency_a)
    };
    let signed = app.store.ledger().checkpoint(scope).await.unwrap();
    Json(json!({"tree_size": signed.map(|c| c.size)}))
}

/// The operator starts agency A's contract end, as
/// `POST /api/v1/admin/agencies/{id}/offboarding` does: the last step of a
/// test file, since it closes agency A's searches.
async fn start_offboarding(State(ctx): State<Arc<Ctx>>) -> Json<Value> {
    let app = &ctx.app;
    let o = app
        .store
        .offboarding()
        .start(app.agency_a, app.now())
        .await
        .unwrap();
    Json(json!({"window_ends_at": o.window_ends_at.format(&Rfc3339).unwrap()}))
}

/// Agency A publishes its transparency figures, as its agency-wide
/// manager would (`PUT /api/v1/agency/transparency`).
async fn publish_transparency(State(ctx): State<Arc<Ctx>>) -> Json<Value> {
    let app = &ctx.app;
    let token = app.login("a.manager").await;
    let (status, body) = app
        .send_json(
            reqwest::Method::PUT,
            &token,
            "/api/v1/agency/transparency",
            &json!({"published": true}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    Json(body)
}

#[derive(Deserialize)]
struct MisreadReq {
    username: String,
    kind: String,
    #[serde(default)]
    photo_plate: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// `username` queries the seed's plate and reports its first result as a
/// misread, as an investigator would from the results screen.
async fn misread(State(ctx): State<Arc<Ctx>>, Json(req): Json<MisreadReq>) -> Json<Value> {
    let app = &ctx.app;
    let token = app.login(&req.username).await;
    let (status, _, q) = app
        .query(&token, &crate::helpers::seed_query("ABC123", "PA"))
        .await;
    assert!(status.is_success(), "{q}");
    let read_id = &q["results"][0]["read_id"];
    let (status, filed) = app
        .post(
            &token,
            &format!("/api/v1/queries/{}/reads/{read_id}/misread", q["query_id"]),
            &json!({"kind": req.kind, "photo_plate": req.photo_plate, "note": req.note}),
        )
        .await;
    assert!(status.is_success(), "{filed}");
    Json(json!({"report_id": filed["report_id"], "read_id": read_id}))
}

pub async fn start(app: TestApp) -> Control {
    let app_base = app.base.clone();
    let smtp = SmtpServer::start();
    let sender = app.start_sender(&smtp);
    let ctx = Arc::new(Ctx {
        app,
        smtp,
        _sender: sender,
    });
    let router = Router::new()
        .route("/clock", get(now))
        .route("/clock/advance", post(advance))
        .route("/users", post(new_user))
        .route("/totp", post(totp))
        .route("/reads", post(read))
        .route("/registration", post(registration))
        .route("/training", post(training))
        .route("/training/lapse", post(lapse_training))
        .route("/mail", post(mail))
        .route("/query", post(query))
        .route("/plate-photo", post(plate_photo))
        .route("/alert", post(alert))
        .route("/checkpoint", post(checkpoint))
        .route("/transparency/publish", post(publish_transparency))
        .route("/misread", post(misread))
        .route("/offboarding/start", post(start_offboarding))
        .with_state(ctx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Control {
        base,
        app_base,
        _ctx: ctx,
    }
}
