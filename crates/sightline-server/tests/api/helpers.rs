//! `spawn_app`: the real server on port 0 over a fresh database, seeded with
//! two agencies, their users and a few sources, driven over HTTP.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::purpose::{ReasonCode, ReasonPolicy};
use sightline_core::{
    AgencyId, Clock, GeoPoint, Jurisdiction, ManualClock, Plate, Role, SourceKind,
};
use sightline_server::AppState;
use sightline_server::notify::MailSettings;
use sightline_store::{
    Backend, Camera, NewUser, Store, StoreConfig, TrainingRecord, hash_password,
};
use sightline_testkit::{ReceivedMail, SmtpServer};
use std::sync::{Arc, OnceLock};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

pub const START: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);
pub const PASSWORD: &str = "correct-horse-battery-staple";
pub const MAIL_FROM: &str = "alerts@sightline.test";

/// A second server node; stops when dropped.
#[allow(dead_code)]
pub struct Node {
    pub base: String,
    pub store: Store,
    pub state: AppState,
    matcher: Task,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// A background task of a test server (its matcher); stops when dropped.
pub struct Task(Option<tokio::task::JoinHandle<()>>);

impl Task {
    /// Stops the task and waits until it has stopped: nothing it would have
    /// done happens after this returns.
    pub async fn stop(&mut self) {
        if let Some(h) = self.0.take() {
            h.abort();
            let _ = h.await;
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}

/// How the test servers fetch agents' photos: short timeouts (the agent is
/// on loopback) and few tries, so a refusal is reached in a few passes.
pub fn agent_settings() -> sightline_server::agents::AgentSettings {
    sightline_server::agents::AgentSettings {
        timeouts: sightline_server::agents::Timeouts {
            connect: std::time::Duration::from_millis(500),
            read: std::time::Duration::from_millis(400),
        },
        max_attempts: 4,
        silent_after: Duration::minutes(10),
    }
}

/// An outbox sender running against a real SMTP server; stops when dropped.
pub struct Sender(tokio::task::JoinHandle<()>);

impl Drop for Sender {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Waits until the outbox holds `sent` sent messages and nothing unsent.
pub async fn outbox_settled(store: &Store, sent: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let counts = store.outbox().counts().await.unwrap();
        if counts == (0, sent) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "outbox never settled: (unsent, sent) = {counts:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Waits for the SMTP server process to have received `n` messages for
/// `to` (any recipient if empty); returns them. Polls the real process:
/// no test clock is involved in SMTP delivery.
pub async fn mail_for(smtp: &SmtpServer, to: &str, n: usize) -> Vec<ReceivedMail> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let got = if to.is_empty() {
            smtp.messages()
        } else {
            smtp.messages_to(to)
        };
        if got.len() >= n || std::time::Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

#[allow(dead_code)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub clock: ManualClock,
    pub agency_a: AgencyId,
    pub agency_b: AgencyId,
    /// Ingest key of a Pennsylvania toll road source.
    pub pa_key: String,
    /// Ingest key of an Arkansas source, where collection is not allowed.
    pub ar_key: String,
    pub db: Db,
    pub db_url: Option<String>,
    pub dir: tempfile::TempDir,
    /// TOTP secrets of users who enrolled, and the last step each used.
    pub totp: std::sync::Mutex<std::collections::HashMap<String, (Vec<u8>, i64)>>,
    /// The server's state: its agent worker's passes are run from tests.
    pub state: AppState,
    /// The server's matcher (reads against the alert lists, after the
    /// ingest response); tests wait on `state.drain_matcher()`.
    pub matcher: Task,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

fn reasons(program: &str) -> Vec<ReasonPolicy> {
    let r = |c: &str, max_days| ReasonPolicy {
        code: ReasonCode::parse(c).unwrap(),
        label: c.to_owned(),
        max_days,
    };
    match program {
        "ERO" => vec![r("immigration-enforcement", 1826)],
        _ => vec![r("criminal-investigation", 1826), r("terrorism", 2922)],
    }
}

/// One Argon2 hash for every test user: hashing is the slow part of seeding.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(&PASSWORD.to_owned().into()).unwrap())
        .clone()
}

async fn seed_agency(store: &Store, name: &str, users: &[(&str, Role, Option<&str>)]) -> AgencyId {
    let t = store.tenancy();
    let agency = t.create_agency(name, 10, START).await.unwrap();
    for program in ["ERO", "HSI"] {
        let pid = t.create_program(agency, program).await.unwrap();
        for r in reasons(program) {
            t.add_reason_code(agency, pid, &r).await.unwrap();
        }
    }
    for (username, role, program) in users {
        let program_id = match program {
            Some(p) => t.program_id(agency, p).await.unwrap(),
            None => None,
        };
        let id = t
            .create_user(
                &NewUser {
                    agency_id: Some(agency),
                    aor_id: None,
                    program_id,
                    username: (*username).to_owned(),
                    display_name: (*username).to_owned(),
                    email: format!("{username}@agency.test"),
                    role: *role,
                    password_hash: password_hash(),
                },
                START,
            )
            .await
            .unwrap();
        store
            .people()
            .add_training(
                agency,
                &TrainingRecord {
                    user_id: id,
                    course: "Sightline privacy and rules of behavior".into(),
                    completed_at: START - Duration::days(30),
                    evidence: "LMS certificate".into(),
                },
                id,
                START,
            )
            .await
            .unwrap();
    }
    agency
}

pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_configured(db, None, http_settings(), None).await
}

/// The bearer token that reads the test servers' /metrics.
pub const METRICS_TOKEN: &str = "test-metrics-token";

/// The test servers' HTTP limits: the defaults, with a metrics token.
pub fn http_settings() -> sightline_server::http_limits::HttpSettings {
    sightline_server::http_limits::HttpSettings {
        metrics_token: Some(METRICS_TOKEN.to_owned().into()),
        ..Default::default()
    }
}

/// Like [`spawn_app`], serving `maps` at /tiles instead of the built-in map.
pub async fn spawn_app_with_maps(
    db: Db,
    maps: Option<std::sync::Arc<sightline_maps::MapLayers>>,
) -> TestApp {
    spawn_app_configured(db, maps, http_settings(), None).await
}

/// Like [`spawn_app_with_maps`], serving with `http` limits.
pub async fn spawn_app_with(
    db: Db,
    maps: Option<std::sync::Arc<sightline_maps::MapLayers>>,
    http: sightline_server::http_limits::HttpSettings,
) -> TestApp {
    spawn_app_configured(db, maps, http, None).await
}

/// Like [`spawn_app`], bounding ingest with `limits`.
#[allow(dead_code)]
pub async fn spawn_app_with_ingest_limits(
    db: Db,
    limits: sightline_server::ingest_limits::IngestLimits,
) -> TestApp {
    spawn_app_configured(db, None, http_settings(), Some(limits)).await
}

async fn spawn_app_configured(
    db: Db,
    maps: Option<std::sync::Arc<sightline_maps::MapLayers>>,
    http: sightline_server::http_limits::HttpSettings,
    limits: Option<sightline_server::ingest_limits::IngestLimits>,
) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db_url = match db {
        Db::Sqlite => None,
        Db::Postgres => Some(sightline_testkit::postgres_url().await),
    };
    let clock = ManualClock::new(START);
    let store = Store::open(
        &StoreConfig {
            data_dir: dir.path().to_owned(),
            database_url: db_url.clone(),
            audit_master_key: Some(sightline_testkit::TEST_MASTER_KEY.into()),
            legacy_master_key: None,
        },
        Arc::new(clock.clone()),
    )
    .await
    .unwrap();
    assert_eq!(
        store.db.backend(),
        match db {
            Db::Sqlite => Backend::Sqlite,
            Db::Postgres => Backend::Postgres,
        }
    );
    let agency_a = seed_agency(
        &store,
        "Agency A",
        &[
            ("hsi.jones", Role::Investigator, Some("HSI")),
            ("hsi.smith", Role::Investigator, Some("HSI")),
            ("ero.garcia", Role::Investigator, Some("ERO")),
            ("a.manager", Role::AgencyManager, None),
            ("a.auditor", Role::Auditor, None),
        ],
    )
    .await;
    let agency_b = seed_agency(
        &store,
        "Agency B",
        &[
            ("b.park", Role::Investigator, Some("HSI")),
            ("b.manager", Role::AgencyManager, None),
            ("b.auditor", Role::Auditor, None),
        ],
    )
    .await;
    store
        .tenancy()
        .create_user(
            &NewUser {
                agency_id: None,
                aor_id: None,
                program_id: None,
                username: "operator".into(),
                display_name: "Operator".into(),
                email: "operator@sightline.test".into(),
                role: Role::OperatorAdmin,
                password_hash: password_hash(),
            },
            START,
        )
        .await
        .unwrap();
    let sources = store.sources();
    let pa = sources
        .create(
            "Pennsylvania Turnpike toll camera",
            SourceKind::TollRoad,
            Jurisdiction::parse("PA").unwrap(),
            "Pennsylvania",
            START,
        )
        .await
        .unwrap();
    let pa_key = sources.issue_key(pa, START).await.unwrap();
    sources
        .put_camera(
            pa,
            &Camera {
                camera_id: "104/2001".into(),
                location: GeoPoint::new(40.2171, -76.8563).unwrap(),
                nearest_address: "1 Turnpike Rd, Harrisburg, PA 17112".into(),
                nearest_intersection: "I-76 & PA-283".into(),
            },
        )
        .await
        .unwrap();
    let ar = sources
        .create(
            "Little Rock parking lot camera",
            SourceKind::ParkingLot,
            Jurisdiction::parse("AR").unwrap(),
            "Arkansas",
            START,
        )
        .await
        .unwrap();
    let ar_key = sources.issue_key(ar, START).await.unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::with_mail(
        store.clone(),
        MailSettings {
            smtp_url: None,
            mail_dir: None,
            mail_from: MAIL_FROM.into(),
            public_base_url: base.clone(),
        },
    );
    let state = match maps {
        Some(maps) => state.with_maps(maps),
        None => state,
    };
    let state = state.with_agents(agent_settings()).with_http(http);
    let state = match limits {
        Some(limits) => state.with_ingest_limits(limits),
        None => state,
    };
    let matcher = Task(Some(state.spawn_matcher()));
    let served = state.clone();
    tokio::spawn(async move {
        sightline_server::serve(listener, served, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    use secrecy::ExposeSecret as _;
    TestApp {
        base,
        client: reqwest::Client::new(),
        store,
        clock,
        agency_a,
        agency_b,
        pa_key: pa_key.expose_secret().to_owned(),
        ar_key: ar_key.expose_secret().to_owned(),
        db,
        db_url,
        dir,
        totp: Default::default(),
        state,
        matcher,
        _shutdown: tx,
    }
}

/// A real PNG, as a camera would send.
pub fn png(plate: &str, state: &str) -> Vec<u8> {
    sightline_demo::render_plate_png(
        &Plate::parse(plate).unwrap(),
        Jurisdiction::parse(state).unwrap(),
    )
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A valid native read record.
pub fn record(id: &str, plate: &str, state: &str, at: OffsetDateTime) -> Value {
    json!({
        "source_read_id": id,
        "plate": plate,
        "state": state,
        "captured_at": at.format(&time::format_description::well_known::Rfc3339).unwrap(),
        "location": {"lat": 39.9526, "lon": -75.1652},
        "nearest_address": "1400 John F Kennedy Blvd, Philadelphia, PA 19107",
        "nearest_intersection": "JFK Blvd & N Broad St",
        "vehicle_photo": {"base64": b64(&png(plate, state))},
        "plate_photo": {"base64": b64(&png(plate, state))},
    })
}

/// The seed's example query (R3.2), with the given plate and state.
pub fn seed_query(plate: &str, state: &str) -> Value {
    json!({
        "plate": plate,
        "state": state,
        "reason_code": "criminal-investigation",
        "timeframe": {"previous_days": 60},
        "case_reference": "Subject name John Doe, case number 12345678",
        "on_behalf_of": "self",
    })
}

#[allow(dead_code)]
impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// The id of a user, by username.
    /// A user of agency A with training completed yesterday: in `aor`
    /// (made if new) and, for an investigator, in `program`.
    pub async fn add_trained_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        program: &str,
        aor: Option<&str>,
    ) -> sightline_core::UserId {
        let t = self.store.tenancy();
        let aor_id = match aor {
            Some(name) => Some(match t.aor_id(self.agency_a, name).await.unwrap() {
                Some(id) => id,
                None => t.create_aor(self.agency_a, name).await.unwrap(),
            }),
            None => None,
        };
        let program_id = match role {
            Role::Investigator => t.program_id(self.agency_a, program).await.unwrap(),
            _ => None,
        };
        let id = t
            .create_user(
                &NewUser {
                    agency_id: Some(self.agency_a),
                    aor_id,
                    program_id,
                    username: username.to_owned(),
                    display_name: display_name.to_owned(),
                    email: format!("{username}@agency.test"),
                    role,
                    password_hash: password_hash(),
                },
                self.now(),
            )
            .await
            .unwrap();
        self.store
            .people()
            .add_training(
                self.agency_a,
                &TrainingRecord {
                    user_id: id,
                    course: "Sightline privacy and rules of behavior".into(),
                    completed_at: self.now() - Duration::days(1),
                    evidence: "LMS certificate".into(),
                },
                id,
                self.now(),
            )
            .await
            .unwrap();
        id
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        self.store
            .tenancy()
            .user_by_username(username)
            .await
            .unwrap()
            .unwrap()
            .id
            .0
    }

    /// Records a training course completed now, as the user's manager would.
    pub async fn renew_training(&self, username: &str) {
        let user = self
            .store
            .tenancy()
            .user_by_username(username)
            .await
            .unwrap()
            .unwrap();
        let record = TrainingRecord {
            user_id: user.id,
            course: "Annual LPR privacy refresher".into(),
            completed_at: self.now(),
            evidence: "LMS certificate".into(),
        };
        let agency = user.agency_id.unwrap();
        self.store
            .people()
            .add_training(agency, &record, user.id, self.now())
            .await
            .unwrap();
    }

    /// Password only: returns the login response (the session still needs
    /// the second factor and the rules).
    pub async fn password_login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        let resp = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        (resp.status(), resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::POST, token, path, body)
            .await
    }

    /// A fresh TOTP code for `username`, moving the clock one step on if the
    /// current step was already used (codes are single use).
    pub fn totp_code(&self, username: &str) -> String {
        let mut map = self.totp.lock().unwrap();
        let (secret, last) = map.get_mut(username).expect("user enrolled");
        let step = self.clock.now().unix_timestamp().div_euclid(30);
        if step <= *last {
            self.clock
                .advance(Duration::seconds(30 * (*last - step + 1)));
        }
        *last = self.clock.now().unix_timestamp().div_euclid(30);
        sightline_core::totp::code_at(secret, self.clock.now()).unwrap()
    }

    /// The whole logon: password, TOTP (enrolling on first use), and the
    /// rules of behavior. Returns a session that can do everything its role may.
    pub async fn login(&self, username: &str) -> String {
        let (status, body) = self.password_login(username, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        let token = body["token"].as_str().unwrap().to_owned();
        if body["next"] == "mfa_enroll" {
            let (status, e) = self
                .post(&token, "/api/v1/auth/mfa/enroll", &json!({}))
                .await;
            assert_eq!(status, StatusCode::OK, "{e}");
            let secret =
                sightline_core::totp::decode_secret(e["secret"].as_str().unwrap()).unwrap();
            self.totp
                .lock()
                .unwrap()
                .insert(username.to_owned(), (secret, i64::MIN));
            let code = self.totp_code(username);
            let (status, c) = self
                .post(&token, "/api/v1/auth/mfa/confirm", &json!({"code": code}))
                .await;
            assert_eq!(status, StatusCode::OK, "{c}");
        } else {
            let code = self.totp_code(username);
            let (status, v) = self
                .post(&token, "/api/v1/auth/mfa/verify", &json!({"code": code}))
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
        }
        let rules: Value = self
            .get(&token, "/api/v1/rules")
            .await
            .json()
            .await
            .unwrap();
        let (status, a) = self
            .post(
                &token,
                "/api/v1/rules/affirm",
                &json!({"version": rules["version"]}),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{a}");
        token
    }

    pub async fn ingest(&self, key: &str, records: &[Value]) -> Value {
        let resp = self
            .client
            .post(self.url("/api/v1/ingest/reads"))
            .bearer_auth(key)
            .json(&records)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let report = resp.json().await.unwrap();
        self.matched().await;
        report
    }

    /// Waits until the matcher has matched every read ingested so far.
    pub async fn matched(&self) {
        self.state.drain_matcher().await.unwrap();
    }

    /// POSTs a query and returns (status, content type, body).
    pub async fn query(&self, token: &str, body: &Value) -> (StatusCode, String, Value) {
        let resp = self
            .client
            .post(self.url("/api/v1/queries"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, ctype, body)
    }

    /// Another server node over the same database (a second process on
    /// SQLite, a second node on PostgreSQL), with its own alert index.
    pub async fn second_node(&self) -> Node {
        let store = Store::open(
            &StoreConfig {
                data_dir: self.dir.path().to_owned(),
                database_url: self.db_url.clone(),
                audit_master_key: Some(sightline_testkit::TEST_MASTER_KEY.into()),
                legacy_master_key: None,
            },
            Arc::new(self.clock.clone()),
        )
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(store.clone())
            .with_agents(agent_settings())
            .with_http(http_settings());
        let matcher = Task(Some(state.spawn_matcher()));
        let served = state.clone();
        tokio::spawn(async move {
            sightline_server::serve(listener, served, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Node {
            base,
            store,
            state,
            matcher,
            _shutdown: tx,
        }
    }

    /// Restarts the server: the running one stops, and a new one (a new
    /// process's worth of state: store handles, alert index, agent fetcher)
    /// opens the same database and blobs and serves on a new port.
    pub async fn restart(&mut self) {
        let node = self.second_node().await;
        let old = std::mem::replace(&mut self._shutdown, node._shutdown);
        let _ = old.send(());
        self.base = node.base;
        self.store = node.store;
        self.state = node.state;
        self.matcher.stop().await;
        self.matcher = node.matcher;
    }

    /// Starts an outbox sender (another "node" of the same deployment)
    /// delivering to `smtp`.
    pub fn start_sender(&self, smtp: &SmtpServer) -> Sender {
        self.sender_with(Some(smtp.url()), None)
    }

    /// Starts an outbox sender that writes each message into `dir`.
    pub fn start_sender_to_dir(&self, dir: &std::path::Path) -> Sender {
        self.sender_with(None, Some(dir.to_owned()))
    }

    fn sender_with(
        &self,
        smtp_url: Option<String>,
        mail_dir: Option<std::path::PathBuf>,
    ) -> Sender {
        let state = AppState::with_mail(
            self.store.clone(),
            MailSettings {
                smtp_url,
                mail_dir,
                mail_from: MAIL_FROM.into(),
                public_base_url: self.base.clone(),
            },
        );
        Sender(state.spawn_sender().unwrap().unwrap())
    }

    /// Sends `method` `path` with a JSON body; returns (status, body).
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let resp = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::POST, token, path, body)
            .await
    }

    /// GETs a public endpoint (no credentials) and parses its JSON body.
    /// GET /metrics with the metrics token: the exposition text.
    pub async fn metrics(&self) -> String {
        let resp = self
            .client
            .get(self.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.text().await.unwrap()
    }

    pub async fn public_json(&self, path: &str) -> Value {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Runs raw SQL against the deployment's main database, as an attacker
    /// or a failing disk would, bypassing the application.
    pub async fn raw_sql(&self, sql: &str) {
        use sqlx::Executor as _;
        sqlx::any::install_default_drivers();
        let url = match &self.db_url {
            Some(u) => u.clone(),
            None => format!(
                "sqlite://{}",
                self.dir.path().join("sightline.db").display()
            ),
        };
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        conn.execute(sqlx::AssertSqlSafe(sql.to_owned()))
            .await
            .unwrap();
    }
}

/// Generates one `#[tokio::test]` per backend for each listed async fn(Db).
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
              async fn $name() { super::$name($crate::helpers::Db::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
              async fn $name() { super::$name($crate::helpers::Db::Postgres).await })*
        }
    };
}

/// Runs a Python script (openpyxl reads and edits the Excel files) and
/// returns what it printed; a failing script fails the test.
pub fn python(script: &str) -> Vec<u8> {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .expect("python3 with openpyxl is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
