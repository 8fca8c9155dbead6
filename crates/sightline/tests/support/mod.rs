//! Running the real `sightline` binary as a separate process.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sightline");

/// Where a deployment under test keeps its data.
pub struct Deployment {
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
}

impl Deployment {
    pub async fn new(postgres: bool) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            database_url: if postgres {
                Some(sightline_testkit::postgres_url().await)
            } else {
                None
            },
        }
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--data-dir").arg(self.dir.path());
        if let Some(url) = &self.database_url {
            c.arg("--database-url").arg(url);
        }
        c.env_remove("SIGHTLINE_DATABASE_URL");
        c.env(
            "SIGHTLINE_AUDIT_MASTER_KEY",
            sightline_testkit::TEST_MASTER_KEY,
        );
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "sightline {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn store_config(&self) -> sightline_store::StoreConfig {
        sightline_store::StoreConfig {
            data_dir: self.dir.path().to_owned(),
            database_url: self.database_url.clone(),
            audit_master_key: Some(sightline_testkit::TEST_MASTER_KEY.into()),
            legacy_master_key: None,
        }
    }

    /// Starts `sightline serve` and waits until it answers /healthz.
    pub async fn serve(&self) -> Server {
        self.serve_with_env(&[]).await
    }

    /// `serve` with extra `SIGHTLINE_*` settings in its environment.
    pub async fn serve_with_env(&self, env: &[(&str, &str)]) -> Server {
        self.serve_on(free_port(), env).await
    }

    /// `serve` on a given loopback port (to restart on the same one).
    pub async fn serve_on(&self, port: u16, env: &[(&str, &str)]) -> Server {
        let child = self
            .command()
            .envs(env.iter().copied())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            // SIGHTLINE_TEST_SERVER_LOG=1 shows the server's log (debugging).
            .stderr(if std::env::var_os("SIGHTLINE_TEST_SERVER_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "server did not come up");
            // Waiting for another process to start listening; not test time.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { child, base }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value printed after `label` on a line of `out`.
pub fn printed(out: &Output, label: &str) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.split_once(label).map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| panic!("'{label}' not printed"))
}
