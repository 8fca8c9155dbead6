//! The agent store on both backends: pending reads are idempotent per
//! source and read id, leased while tried, become reads only with both
//! photos, and never show in a query; heartbeats and silence.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sightline_core::agent::{AgentBaseUrl, AgentUuid, CropBox};
use sightline_core::read::{BlobId, VehicleAttributes, VehicleGuess};
use sightline_core::text::read_text::{PlaceText, SourceReadId};
use sightline_core::{GeoPoint, Jurisdiction, ManualClock, Plate, SourceKind};
use sightline_store::{
    AgentFetch, AgentService, InsertOutcome, PendingBody, PhotoSlot, Store, StoreConfig,
    StreamState,
};
use std::sync::Arc;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

async fn open(pg: bool) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = if pg {
        Some(sightline_testkit::postgres_url().await)
    } else {
        None
    };
    let store = Store::open(
        &StoreConfig {
            data_dir: dir.path().to_owned(),
            database_url,
            audit_master_key: Some(sightline_testkit::TEST_MASTER_KEY.into()),
            legacy_master_key: None,
        },
        Arc::new(ManualClock::new(NOW)),
    )
    .await
    .unwrap();
    (store, dir)
}

fn body() -> PendingBody {
    let uuid = AgentUuid::parse("agent-1-1763985600917").unwrap();
    PendingBody {
        collected_in: Jurisdiction::parse("PA").unwrap(),
        plate: Plate::parse("HXR4417").unwrap(),
        jurisdiction: Jurisdiction::parse("PA").unwrap(),
        captured_at: NOW - Duration::minutes(1),
        location: GeoPoint::new(40.2, -76.8).unwrap(),
        nearest_address: PlaceText::parse("1 Turnpike Rd").unwrap(),
        nearest_intersection: PlaceText::parse("I-76 & PA-283").unwrap(),
        vehicle: Some(VehicleAttributes {
            make: VehicleGuess::new("ford", 77.5),
            ..Default::default()
        }),
        vehicle_fetch: Some(AgentFetch {
            uuid: uuid.clone(),
            crop: None,
        }),
        plate_fetch: Some(AgentFetch {
            uuid,
            crop: Some(CropBox {
                x1: 1,
                y1: 2,
                x2: 30,
                y2: 40,
            }),
        }),
    }
}

async fn pending_reads_are_durable_leased_and_become_reads_once(pg: bool) {
    let (store, _dir) = open(pg).await;
    let src = store
        .sources()
        .create(
            "Gate agent",
            SourceKind::ParkingLot,
            Jurisdiction::parse("PA").unwrap(),
            "Harrisburg",
            NOW,
        )
        .await
        .unwrap();
    let agents = store.agents();
    assert!(agents.service(src).await.unwrap().is_none());
    agents
        .set_service(
            src,
            &AgentService {
                base_url: AgentBaseUrl::parse("http://10.1.2.3").unwrap(),
                username: Some("ops".into()),
                password: Some("pw".to_owned().into()),
            },
            NOW,
        )
        .await
        .unwrap();
    let s = agents.service(src).await.unwrap().unwrap();
    assert_eq!(s.base_url.to_string(), "http://10.1.2.3:8355");
    assert!(s.password.is_some());

    let sid = SourceReadId::parse("agent-1-1763985600917").unwrap();
    let (id, new) = agents
        .enqueue(
            src,
            &sid,
            &body(),
            (None, None),
            NOW,
            NOW + Duration::minutes(1),
        )
        .await
        .unwrap();
    assert!(new);
    let (again, new) = agents
        .enqueue(src, &sid, &body(), (None, None), NOW, NOW)
        .await
        .unwrap();
    assert_eq!((again, new), (id, false), "one row per source read id");
    assert_eq!(agents.pending_counts().await.unwrap()[&src], 1);
    // Held by the ingest's own try until its lease passes.
    assert!(
        agents
            .claim_due(NOW, Duration::minutes(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let t = NOW + Duration::minutes(2);
    let claimed = agents.claim_due(t, Duration::minutes(1), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].body, body());
    assert!(claimed[0].to_read().is_none(), "no photos yet");
    // Claimed: another worker gets nothing meanwhile.
    assert!(
        agents
            .claim_due(t, Duration::minutes(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        agents
            .failed(id, "down", t + Duration::seconds(15))
            .await
            .unwrap(),
        1
    );

    let v = BlobId::from_digest([7; 32]);
    let p = BlobId::from_digest([8; 32]);
    agents.save_photo(id, PhotoSlot::Vehicle, &v).await.unwrap();
    agents.save_photo(id, PhotoSlot::Plate, &p).await.unwrap();
    let got = agents.get(id).await.unwrap().unwrap();
    assert_eq!(got.attempts, 1);
    let read = got.to_read().unwrap();
    assert_eq!(
        (read.vehicle_photo.clone(), read.plate_photo.clone()),
        (v, p)
    );
    // Pending, it was never a read; stored, its vehicle attributes go along.
    assert_eq!(store.reads.count().await.unwrap(), 0);
    let out = store
        .reads
        .insert_batch(std::slice::from_ref(&read), t)
        .await
        .unwrap();
    let InsertOutcome::Inserted(rid) = out[0] else {
        panic!("{out:?}")
    };
    assert!(agents.remove(id).await.unwrap());
    assert!(!agents.remove(id).await.unwrap());
    let stored = store.reads.get(rid).await.unwrap().unwrap();
    assert_eq!(stored.read.vehicle, body().vehicle);
    assert_eq!(
        store.reads.id_of(src, sid.as_str()).await.unwrap(),
        Some(rid)
    );
    assert_eq!(
        store.reads.insert_batch(&[read], t).await.unwrap(),
        [InsertOutcome::Duplicate(rid)]
    );
    assert!(agents.pending_counts().await.unwrap().is_empty());
    assert!(agents.remove_service(src).await.unwrap());
}

async fn heartbeats_and_silence(pg: bool) {
    let (store, _dir) = open(pg).await;
    let src = store
        .sources()
        .create(
            "Gate agent",
            SourceKind::ParkingLot,
            Jurisdiction::parse("PA").unwrap(),
            "Harrisburg",
            NOW,
        )
        .await
        .unwrap();
    let agents = store.agents();
    let streams = [StreamState {
        camera_id: "2001".into(),
        camera_name: Some("gate".into()),
        is_streaming: true,
        fps: Some(15.0),
    }];
    let was = agents
        .record_heartbeat(src, Some("uid"), Some("gate-1"), &streams, NOW)
        .await
        .unwrap();
    assert_eq!(was, None);
    let later = NOW + Duration::minutes(11);
    assert!(
        agents.mark_silent(NOW, later).await.unwrap().is_empty(),
        "not before the cutoff"
    );
    let silent = agents
        .mark_silent(NOW + Duration::minutes(1), later)
        .await
        .unwrap();
    assert_eq!(silent.len(), 1);
    assert!(
        agents.mark_silent(later, later).await.unwrap().is_empty(),
        "once"
    );
    let h = &agents.health().await.unwrap()[&src];
    assert_eq!(
        (h.silent_since, h.streams.clone()),
        (Some(later), streams.to_vec())
    );
    let was = agents
        .record_heartbeat(src, None, None, &[], later)
        .await
        .unwrap();
    assert_eq!(was, Some(later));
    assert_eq!(agents.health().await.unwrap()[&src].silent_since, None);
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(false).await })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name(true).await })*
        }
    };
}

both_backends!(
    pending_reads_are_durable_leased_and_become_reads_once,
    heartbeats_and_silence,
);
