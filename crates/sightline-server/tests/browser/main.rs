//! The web app in a real browser: the real server (both backends) with
//! seeded data, and the Playwright suite in `crates/sightline-web/tests`
//! driving headless Chromium against it as a person would.
//!
//! The suite moves the server's clock, creates fresh users and pushes
//! reads through a control server that exists only in this test process
//! (see `control.rs`): the product has no such back door.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(dead_code, unused_imports)]
#[path = "../api/helpers.rs"]
mod helpers;

mod control;
mod seed;

use helpers::{Db, spawn_app};
use std::path::{Path, PathBuf};

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sightline-web")
}

async fn browser_suite(db: Db) {
    let web = web_dir();
    assert!(
        web.join("node_modules/playwright-core").is_dir(),
        "the browser suite needs `npm ci` in crates/sightline-web: run scripts/test.sh, which installs it"
    );
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "the browser suite needs Debian's chromium: run scripts/test.sh, which installs it"
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(web.join("tests"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if let Ok(only) = std::env::var("SIGHTLINE_BROWSER_ONLY") {
        files.retain(|f| f.to_string_lossy().contains(only.as_str()));
    }
    assert!(!files.is_empty(), "no browser tests found");
    let backend = match db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    // Screenshots for reviewers come from the embedded-backend run.
    let shots = match db {
        Db::Sqlite => web
            .join("../../docs/screenshots")
            .to_string_lossy()
            .into_owned(),
        Db::Postgres => String::new(),
    };
    let mut failed = Vec::new();
    for file in &files {
        // Each file gets a server of its own, so a test that moves the
        // clock by months cannot age another file's data or sessions.
        let app = spawn_app(db).await;
        seed::reads(&app).await;
        let control = control::start(app).await;
        let status = tokio::process::Command::new("node")
            .arg("--test")
            .arg("--test-concurrency=1")
            .arg("--test-reporter=spec")
            .arg(file)
            .current_dir(&web)
            .env("SIGHTLINE_URL", &control.app_base)
            .env("SIGHTLINE_CONTROL", &control.base)
            .env("SIGHTLINE_BACKEND", backend)
            .env("SIGHTLINE_SCREENSHOTS", &shots)
            .kill_on_drop(true)
            .status()
            .await
            .expect("node runs");
        if !status.success() {
            failed.push(file.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(
        failed.is_empty(),
        "browser tests failed on {backend}: {failed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_app_in_chromium_sqlite() {
    browser_suite(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_app_in_chromium_postgres() {
    browser_suite(Db::Postgres).await;
}
