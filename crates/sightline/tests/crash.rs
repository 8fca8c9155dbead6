//! Kill -9 the server mid-ingest: every read it acknowledged must be there
//! after restart (DESIGN.md principle 5), on both backends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use base64::Engine as _;
use serde_json::{Value, json};
use sightline_core::{Clock, Jurisdiction, Plate, SystemClock};
use sightline_store::Store;
use std::sync::{Arc, Mutex};
use support::{Deployment, printed};
use time::format_description::well_known::Rfc3339;

fn batch(worker: usize, n: usize, photo: &str) -> Vec<Value> {
    let at = SystemClock.now() - time::Duration::minutes(1);
    (0..25)
        .map(|i| {
            json!({
                "source_read_id": format!("w{worker}-b{n}-r{i}"),
                "plate": format!("CR{worker}{n:03}"),
                "state": "PA",
                "captured_at": at.format(&Rfc3339).unwrap(),
                "location": {"lat": 40.0, "lon": -76.0},
                "nearest_address": "1 Crash Test Rd",
                "nearest_intersection": "Crash Rd & Test Ave",
                "vehicle_photo": {"base64": photo},
                "plate_photo": {"base64": photo},
            })
        })
        .collect()
}

async fn acknowledged_reads_survive_kill_9(postgres: bool) {
    let dep = Deployment::new(postgres).await;
    let out = dep.run(&[
        "admin",
        "create-source",
        "Crash test camera",
        "--kind",
        "toll_road",
        "--jurisdiction",
        "PA",
        "--place",
        "Pennsylvania",
    ]);
    let key = printed(&out, "ingest key (shown once):");
    let mut server = dep.serve().await;
    let photo = base64::engine::general_purpose::STANDARD.encode(sightline_demo::render_plate_png(
        &Plate::parse("CRASH1").unwrap(),
        Jurisdiction::parse("PA").unwrap(),
    ));

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut workers = Vec::new();
    for w in 0..3 {
        let (acked, base, key, photo) = (
            acked.clone(),
            server.base.clone(),
            key.clone(),
            photo.clone(),
        );
        workers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for n in 0..1000 {
                let Ok(resp) = client
                    .post(format!("{base}/api/v1/ingest/reads"))
                    .bearer_auth(&key)
                    .json(&batch(w, n, &photo))
                    .send()
                    .await
                else {
                    return;
                };
                let Ok(report) = resp.json::<Value>().await else {
                    return;
                };
                // Only a complete answer is an acknowledgement.
                let ids: Vec<String> = report["results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| r["status"] == "accepted" || r["status"] == "duplicate")
                    .map(|r| r["source_read_id"].as_str().unwrap_or_default().to_owned())
                    .collect();
                acked.lock().unwrap().extend(ids);
            }
        }));
    }
    // Let a few hundred reads be acknowledged, then pull the plug.
    loop {
        if acked.lock().unwrap().len() >= 600 {
            break;
        }
        assert!(
            !workers.iter().all(|w| w.is_finished()),
            "ingest stopped before the kill"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 600);

    // Every acknowledged read is stored; the logs still verify.
    let store = Store::open(&dep.store_config(), Arc::new(SystemClock))
        .await
        .unwrap();
    let source = store.sources().all().await.unwrap().remove(0);
    for id in &acked {
        assert!(
            store.reads.contains(source.id, id).await.unwrap(),
            "acknowledged read {id} lost"
        );
    }
    assert!(
        store
            .ledger()
            .verify(sightline_core::TenantScope::Operator)
            .await
            .unwrap()
            .is_ok()
    );
    drop(store);
    // And the deployment comes back up.
    let again = dep.serve().await;
    let health: Value = reqwest::get(format!("{}/healthz", again.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_acknowledged_reads_survive_kill_9() {
    acknowledged_reads_survive_kill_9(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_acknowledged_reads_survive_kill_9() {
    acknowledged_reads_survive_kill_9(true).await;
}
