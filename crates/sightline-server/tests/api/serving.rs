//! The HTTP limits (issue 15): slow clients are cut off, load beyond the
//! caps is shed, `/metrics` wants its token, trusted proxies name the
//! client, and query strings stay out of the logs.
//!
//! The timeouts are socket timeouts, so these tests run on real time; they
//! are kept to a few hundred milliseconds, and each test waits on the
//! socket (or polls for the state it expects), never for a fixed time.

use crate::both_backends;
use crate::helpers::{Db, METRICS_TOKEN, http_settings, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_server::client_addr::{Cidr, TrustedProxies};
use sightline_server::http_limits::HttpSettings;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const PATIENCE: Duration = Duration::from_secs(10);

async fn connect(base: &str) -> TcpStream {
    TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection (or resets it); returns
/// what arrived and how long it took. Fails after `PATIENCE`.
async fn read_to_close(s: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(PATIENCE, read)
        .await
        .expect("the server kept the connection open");
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

/// A logon whose headers are sent whole and whose body never finishes.
async fn stalled_login(base: &str) -> TcpStream {
    let mut s = connect(base).await;
    s.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: sightline\r\n\
          Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\":",
    )
    .await
    .unwrap();
    s
}

/// Polls `path` until it answers `want`; returns the response.
async fn until_status(client: &reqwest::Client, url: &str, want: StatusCode) -> reqwest::Response {
    let deadline = Instant::now() + PATIENCE;
    loop {
        // A refused connection counts as "not yet".
        if let Ok(resp) = client.get(url).send().await
            && resp.status() == want
        {
            return resp;
        }
        assert!(Instant::now() < deadline, "{url} never answered {want}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_stalled_header_is_disconnected(db: Db) {
    let http = HttpSettings {
        header_read_timeout: Duration::from_millis(200),
        ..http_settings()
    };
    let app = spawn_app_with(db, None, http).await;
    let mut s = connect(&app.base).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: sightline\r\nX-Slow: ")
        .await
        .unwrap();
    let (got, took) = read_to_close(&mut s).await;
    assert!(took >= Duration::from_millis(150), "closed after {took:?}");
    assert!(!got.contains(" 200 "), "{got}");
    // An idle keep-alive connection is closed the same way.
    let mut s = connect(&app.base).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: sightline\r\n\r\n")
        .await
        .unwrap();
    let (got, _) = read_to_close(&mut s).await;
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
}

async fn a_stalled_body_is_answered_408(db: Db) {
    let http = HttpSettings {
        request_timeout: Duration::from_millis(300),
        ..http_settings()
    };
    let app = spawn_app_with(db, None, http).await;
    let mut s = stalled_login(&app.base).await;
    let (got, took) = read_to_close(&mut s).await;
    assert!(
        took >= Duration::from_millis(250),
        "answered after {took:?}"
    );
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("application/problem+json"), "{got}");
    assert!(got.contains("\"code\":\"request_timeout\""), "{got}");
}

async fn a_slow_answer_is_cut_off_with_503(db: Db) {
    let http = HttpSettings {
        request_timeout: Duration::from_millis(300),
        ..http_settings()
    };
    let app = spawn_app_with(db, None, http).await;
    let token = app.login("hsi.jones").await;
    // Another process holds the sessions table, so signing out waits on
    // the database.
    sqlx::any::install_default_drivers();
    let url = app
        .db_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", app.dir.path().join("sightline.db").display()));
    let mut holder = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let lock = match db {
        Db::Sqlite => "BEGIN EXCLUSIVE",
        Db::Postgres => "BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE",
    };
    sqlx::Executor::execute(&mut holder, sqlx::AssertSqlSafe(lock.to_owned()))
        .await
        .unwrap();
    let started = Instant::now();
    let resp = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .timeout(PATIENCE)
        .send()
        .await
        .expect("answered before PATIENCE");
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers()["retry-after"], "5");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "response_timeout");
    sqlx::Executor::execute(&mut holder, "ROLLBACK")
        .await
        .unwrap();
    sqlx::Connection::close(holder).await.unwrap();
}

async fn requests_past_the_in_flight_cap_are_shed(db: Db) {
    let http = HttpSettings {
        max_in_flight: 1,
        ..http_settings()
    };
    let app = spawn_app_with(db, None, http).await;
    // A login whose body never finishes holds the only slot. If a poll
    // held it the moment the login arrived, the login was the one shed:
    // it is sent again.
    let mut slow = stalled_login(&app.base).await;
    let deadline = Instant::now() + PATIENCE;
    let shed = loop {
        let resp = app.client.get(app.url("/healthz")).send().await.unwrap();
        if resp.status() == StatusCode::SERVICE_UNAVAILABLE {
            break resp;
        }
        assert!(Instant::now() < deadline, "nothing was shed");
        let mut buf = [0u8; 64];
        if !matches!(slow.try_read(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
        {
            slow = stalled_login(&app.base).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(shed.headers()["retry-after"], "1");
    assert_eq!(shed.headers()["content-type"], "application/problem+json");
    let body: Value = shed.json().await.unwrap();
    assert_eq!(body["code"], "overloaded");
    // The slow client gives up; the slot is free again.
    drop(slow);
    until_status(&app.client, &app.url("/healthz"), StatusCode::OK).await;
}

async fn connections_past_the_cap_are_closed(db: Db) {
    let http = HttpSettings {
        max_connections: 1,
        ..http_settings()
    };
    let app = spawn_app_with(db, None, http).await;
    let mut first = connect(&app.base).await;
    let mut second = connect(&app.base).await;
    let (got, _) = read_to_close(&mut second).await;
    assert_eq!(got, "", "the second connection is closed unanswered");
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: sightline\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (got, _) = read_to_close(&mut first).await;
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    // Once it has closed, a new connection is served.
    until_status(&app.client, &app.url("/healthz"), StatusCode::OK).await;
}

async fn metrics_is_for_the_token_holder(db: Db) {
    let app = spawn_app(db).await;
    let session = app.login("a.manager").await;
    for bearer in [None, Some("wrong-token"), Some(session.as_str())] {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{bearer:?}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "metrics_token_required");
    }
    let text = app.metrics().await;
    assert!(text.contains("sightline_logins_total"), "{text}");
    // With no token configured, there is no /metrics at all.
    let http = HttpSettings {
        metrics_token: None,
        ..http_settings()
    };
    let closed = spawn_app_with(db, None, http).await;
    let resp = closed
        .client
        .get(closed.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

/// Sends recovery answers (rate-limited per address before anything else)
/// as the client `forwarded_for`; returns how many were let through.
async fn answers_allowed(app: &crate::helpers::TestApp, forwarded_for: &str, n: usize) -> usize {
    let mut allowed = 0;
    for _ in 0..n {
        let resp = app
            .client
            .post(app.url("/api/v1/auth/recovery/answer"))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({"challenge_id": "no-such-challenge", "answer": "blue"}))
            .send()
            .await
            .unwrap();
        if resp.status() != StatusCode::TOO_MANY_REQUESTS {
            allowed += 1;
        }
    }
    allowed
}

async fn trusted_proxies_name_the_client(db: Db) {
    let behind_proxy = HttpSettings {
        proxies: TrustedProxies {
            ranges: vec![Cidr::parse("127.0.0.0/8").unwrap()],
            ..Default::default()
        },
        ..http_settings()
    };
    let app = spawn_app_with(db, None, behind_proxy).await;
    // The per-address limit is 30 a minute, and the clock stands still.
    assert_eq!(answers_allowed(&app, "6.6.6.6, 203.0.113.1", 31).await, 30);
    assert_eq!(
        answers_allowed(&app, "203.0.113.2", 1).await,
        1,
        "another client behind the proxy has its own bucket"
    );
    // From a peer that is not a trusted proxy the header is ignored.
    let direct = spawn_app(db).await;
    assert_eq!(answers_allowed(&direct, "203.0.113.1", 30).await, 30);
    assert_eq!(
        answers_allowed(&direct, "203.0.113.2", 1).await,
        0,
        "a client cannot pick its bucket"
    );
}

both_backends!(
    a_stalled_header_is_disconnected,
    a_stalled_body_is_answered_408,
    a_slow_answer_is_cut_off_with_503,
    requests_past_the_in_flight_cap_are_shed,
    connections_past_the_cap_are_closed,
    metrics_is_for_the_token_holder,
    trusted_proxies_name_the_client,
);

/// The log lines written while an auditor searches by plate and name.
/// Runs on the test's own thread, where the capturing subscriber is.
async fn query_strings_stay_out_of_the_logs(db: Db) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = spawn_app(db).await;
    let auditor = app.login("a.auditor").await;
    let resp = app
        .get(
            &auditor,
            "/api/v1/audit/entries?plate=LOGZ123&on_behalf_of=Wilhelmina",
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let logs = captured.text();
    assert!(
        logs.contains("/api/v1/audit/entries"),
        "the access log was captured: {logs}"
    );
    for secret in ["LOGZ123", "Wilhelmina"] {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
}

mod logs {
    #[tokio::test]
    async fn query_strings_stay_out_of_the_logs_sqlite() {
        super::query_strings_stay_out_of_the_logs(crate::helpers::Db::Sqlite).await
    }

    #[tokio::test]
    async fn query_strings_stay_out_of_the_logs_postgres() {
        super::query_strings_stay_out_of_the_logs(crate::helpers::Db::Postgres).await
    }
}

/// A log writer into memory.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}
