//! The master key at the command line (issue 15): `serve` refuses to start
//! without a high-entropy key and says how to make one, a key other than
//! the one a data directory was sealed under is refused, `keygen` makes
//! keys it accepts, and `demo` makes its own key, 0600, and says where.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use support::Deployment;

const KEY_VAR: &str = "SIGHTLINE_AUDIT_MASTER_KEY";

fn serve_with_key(dep: &Deployment, key: Option<&str>) -> std::process::Output {
    let mut c = dep.command();
    match key {
        Some(k) => c.env(KEY_VAR, k),
        None => c.env_remove(KEY_VAR),
    };
    // Refused at start: the command exits instead of listening.
    c.args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_a_missing_or_weak_master_key_and_says_how_to_make_one() {
    let dep = Deployment::new(false).await;
    let weak = "ab".repeat(32);
    for key in [
        None,
        Some(""),
        Some("correct horse battery staple"),
        Some(weak.as_str()),
        Some("c2hvcnQ="),
    ] {
        let out = serve_with_key(&dep, key);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{key:?} was accepted");
        assert!(
            stderr.contains("master key") && stderr.contains("sightline keygen"),
            "{key:?}: {stderr}"
        );
    }
    // Nothing was created under a refused key.
    assert!(!dep.dir.path().join("sightline.db").exists());
    // A key from `keygen` is accepted.
    let made = String::from_utf8(dep.run(&["keygen"]).stdout).unwrap();
    let made = made.trim();
    assert_eq!(made.len(), 64, "{made}");
    let out = dep
        .command()
        .env(KEY_VAR, made)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_master_key_on_an_existing_deployment_is_refused() {
    for pg in [false, true] {
        let dep = Deployment::new(pg).await;
        dep.run(&["migrate"]);
        let other = String::from_utf8(dep.run(&["keygen"]).stdout).unwrap();
        let out = serve_with_key(&dep, Some(other.trim()));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "pg={pg}");
        assert!(stderr.contains("key check failed"), "pg={pg}: {stderr}");
        // The deployment's own key still opens it.
        dep.run(&["migrate"]);
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_makes_its_master_key_readable_by_its_owner_only_and_says_where() {
    use std::os::unix::fs::PermissionsExt as _;
    let dep = Deployment::new(false).await;
    let demo = || {
        let out = dep
            .command()
            .env_remove(KEY_VAR)
            .args(["demo", "--reads", "200", "--no-serve"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = demo();
    let file = dep.dir.path().join("master.key");
    assert!(
        first.contains(&format!("master key is in {}", file.display())),
        "{first}"
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let key = std::fs::read_to_string(&file).unwrap();
    // The second run reuses it (the key check would refuse another).
    demo();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), key);
    let server = dep.serve_with_env(&[(KEY_VAR, key.trim())]).await;
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert!(health.status().is_success());
}
