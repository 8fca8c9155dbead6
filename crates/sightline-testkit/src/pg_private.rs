//! A PostgreSQL cluster of one test's own, that the test can stop and
//! start again on the same port ("the database went away" tests). The
//! shared cluster of [`crate::postgres_url`] serves every other test in the
//! process, so it is never stopped.

use crate::pg::{as_pg_user, bin_dir, free_port, init_cluster};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The cluster; stopped and deleted on drop.
#[derive(Debug)]
pub struct PrivateCluster {
    base: PathBuf,
    port: u16,
}

impl PrivateCluster {
    /// Makes a cluster in a temporary directory and starts it.
    pub fn start() -> Self {
        let base =
            std::env::temp_dir().join(format!("sightline-pg-own-{}", crate::unique_suffix()));
        init_cluster(&base);
        let cluster = Self {
            base,
            port: free_port(),
        };
        cluster.resume();
        cluster
    }

    /// The URL of a database `sightline` on this cluster, created if new.
    pub async fn database_url(&self) -> String {
        use sqlx::Executor as _;
        sqlx::any::install_default_drivers();
        let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
            .await
            .expect("connecting to the private cluster");
        let _ = conn.execute("CREATE DATABASE sightline").await;
        format!("postgres://postgres@127.0.0.1:{}/sightline", self.port)
    }

    fn pg_ctl(&self, args: &[&str]) -> bool {
        as_pg_user(&bin_dir().join("pg_ctl"))
            .arg("-D")
            .arg(self.base.join("data"))
            .args(args)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    /// Stops the server at once, like a crash or a pulled cable
    /// (`pg_ctl stop -m immediate`): open connections break.
    pub fn stop(&self) {
        assert!(
            self.pg_ctl(&["stop", "-m", "immediate", "-w"]),
            "pg_ctl stop failed"
        );
    }

    /// Starts the server again on the same port and waits until it accepts
    /// connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
            self.port,
            self.base.display()
        );
        let log = self.base.join("log");
        let log = log.to_string_lossy();
        assert!(
            self.pg_ctl(&["start", "-w", "-t", "60", "-l", &log, "-o", &options]),
            "pg_ctl start failed: {}",
            std::fs::read_to_string(self.base.join("log")).unwrap_or_default()
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        while !Command::new(bin_dir().join("pg_isready"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
            .status()
            .is_ok_and(|s| s.success())
        {
            assert!(Instant::now() < deadline, "PostgreSQL did not come back");
            // Waiting on an external process; not a test clock.
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate"]);
        let _ = std::fs::remove_dir_all(&self.base);
    }
}
