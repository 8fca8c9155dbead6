//! A minimal SMTP server for the benchmark: accepts every message on
//! loopback and records when each subject was accepted. Just enough of
//! RFC 5321 for lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).

use anyhow::Context as _;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

#[derive(Debug, Default)]
struct Seen {
    by_subject: Mutex<HashMap<String, Instant>>,
    arrived: Notify,
}

#[derive(Debug)]
pub struct Sink {
    port: u16,
    seen: Arc<Seen>,
}

async fn session(stream: tokio::net::TcpStream, seen: Arc<Seen>) -> anyhow::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut lines = BufReader::new(r).lines();
    w.write_all(b"220 bench-sink ESMTP\r\n").await?;
    while let Some(line) = lines.next_line().await? {
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" => w.write_all(b"250 bench-sink\r\n").await?,
            "DATA" => {
                w.write_all(b"354 end with .\r\n").await?;
                let mut subject = String::new();
                while let Some(l) = lines.next_line().await? {
                    if l == "." {
                        break;
                    }
                    if let Some(s) = l.strip_prefix("Subject: ") {
                        subject = s.to_owned();
                    }
                }
                let at = Instant::now();
                seen.by_subject
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(subject, at);
                seen.arrived.notify_waiters();
                w.write_all(b"250 accepted\r\n").await?;
            }
            "QUIT" => {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => w.write_all(b"250 ok\r\n").await?,
        }
    }
    Ok(())
}

impl Sink {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the SMTP sink")?;
        let port = listener.local_addr()?.port();
        let seen = Arc::new(Seen::default());
        let shared = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, s).await;
                });
            }
        });
        Ok(Self { port, seen })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// When a message whose subject contains `key` was accepted.
    pub async fn wait_for(&self, key: &str, timeout: Duration) -> Option<Instant> {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.seen.arrived.notified();
            if let Some(at) = self
                .seen
                .by_subject
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .find(|(s, _)| s.contains(key))
                .map(|(_, at)| *at)
            {
                return Some(at);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            let _ = tokio::time::timeout(left.min(Duration::from_millis(100)), notified).await;
        }
    }
}
