//! A throwaway PostgreSQL 15 cluster.

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

struct Cluster {
    admin_url: String,
    // Dropping never happens for a static; the child's stdin pipe closes when
    // the process exits, which is what stops the cluster.
    _supervisor: Option<Mutex<Child>>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

pub(crate) fn bin_dir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if p.join("postgres").exists() {
            return p;
        }
    }
    for v in ["17", "16", "15"] {
        let p = PathBuf::from(format!("/usr/lib/postgresql/{v}/bin"));
        if p.join("postgres").exists() {
            return p;
        }
    }
    panic!(
        "PostgreSQL server binaries not found: run scripts/install-test-deps.sh (apt-get install postgresql-15)"
    );
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("finding a free port")
}

pub(crate) fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs `cmd` as the postgres user when we are root.
pub(crate) fn as_pg_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ])
        .arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn start() -> Cluster {
    if let Ok(url) = std::env::var("SIGHTLINE_TEST_PG_URL") {
        return Cluster {
            admin_url: url,
            _supervisor: None,
        };
    }
    let bin = bin_dir();
    let base = std::env::temp_dir().join(format!("sightline-pg-{}", crate::unique_suffix()));
    let data = base.join("data");
    init_cluster(&base);
    let port = free_port();
    let pg_cmd = {
        let c = as_pg_user(&bin.join("postgres"));
        let mut parts = vec![c.get_program().to_string_lossy().into_owned()];
        parts.extend(c.get_args().map(|a| a.to_string_lossy().into_owned()));
        parts.join(" ")
    };
    // The supervisor: start postgres, wait for our stdin to close, stop it.
    let script = format!(
        "{pg_cmd} -D '{data}' -p {port} -k '{base}' -c listen_addresses=127.0.0.1 \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
         >'{base}/log' 2>&1 &\n\
         PG=$!\n\
         cat >/dev/null\n\
         kill -INT $PG 2>/dev/null; wait $PG; rm -rf '{base}'\n",
        data = data.display(),
        base = base.display(),
    );
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the PostgreSQL supervisor");
    let admin_url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-q"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ready {
            break;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(base.join("log")).unwrap_or_default();
            let _ = child.stdin.take().map(|mut s| s.flush());
            panic!("PostgreSQL did not start within 60 s:\n{log}");
        }
        // Waiting on an external process to come up; not a test clock.
        std::thread::sleep(Duration::from_millis(100));
    }
    Cluster {
        admin_url,
        _supervisor: Some(Mutex::new(child)),
    }
}

/// Makes `base` (owned by the postgres user when we are root) and an empty
/// cluster in `base/data`.
pub(crate) fn init_cluster(base: &Path) {
    std::fs::create_dir_all(base).expect("creating cluster dir");
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(base)
            .status()
            .expect("chown");
        assert!(ok.success(), "chown of {} failed", base.display());
    }
    let out = as_pg_user(&bin_dir().join("initdb"))
        .arg("-D")
        .arg(base.join("data"))
        .args(["-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
        .output()
        .expect("running initdb");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A PostgreSQL client program (`pg_dump`, `psql`) of the server's version.
pub fn pg_tool(name: &str) -> PathBuf {
    bin_dir().join(name)
}

/// The URL of the cluster's `postgres` database, for administration.
pub fn postgres_admin_url() -> String {
    CLUSTER.get_or_init(start).admin_url.clone()
}

/// A fresh, empty database on the test cluster.
pub async fn postgres_url() -> String {
    use sqlx::Executor as _;
    let admin = postgres_admin_url();
    let name = format!("sightline_test_{}", crate::unique_suffix());
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("connecting to the test cluster");
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("creating test database");
    let (prefix, _) = admin.rsplit_once('/').expect("admin URL has a path");
    format!("{prefix}/{name}")
}
