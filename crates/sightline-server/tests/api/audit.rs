//! The ledger's transparency endpoints: signed checkpoints, proofs that
//! verify against them, and the public key, each only for the caller's log.

use crate::both_backends;
use crate::helpers::{Db, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;
use sightline_audit::{Checkpoint, Digest, NoteVerifier, verify_consistency, verify_inclusion};
use time::Duration;

fn digest(v: &Value) -> Digest {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn digests(v: &Value) -> Vec<Digest> {
    v.as_array().unwrap().iter().map(digest).collect()
}

async fn json(resp: reqwest::Response, want: StatusCode) -> Value {
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, want, "{body}");
    body
}

async fn audit_proofs_verify_against_signed_checkpoints(db: Db) {
    let app = spawn_app(db).await;
    let auditor = app.login("a.auditor").await;
    let manager = app.login("a.manager").await;
    let none = json(
        app.get(&auditor, "/api/v1/audit/checkpoint").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(none["code"], "no_checkpoint");

    let key = json(
        app.get(&auditor, "/api/v1/audit/public-key").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(key["log"], format!("agency:{}", app.agency_a));
    let verifier = NoteVerifier::from_vkey(key["vkey"].as_str().unwrap()).unwrap();

    assert!(app.store.ledger().checkpoint_due().await.unwrap() >= 1);
    let first = json(
        app.get(&manager, "/api/v1/audit/checkpoint").await,
        StatusCode::OK,
    )
    .await;
    let size1 = first["tree_size"].as_u64().unwrap();
    let logged = app
        .store
        .ledger()
        .all(sightline_core::TenantScope::Agency(app.agency_a))
        .await
        .unwrap()
        .len() as u64;
    assert_eq!(
        size1, logged,
        "the checkpoint covers every entry of the two logons"
    );
    let signed1 =
        Checkpoint::parse(verifier.open(first["note"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(
        (signed1.size, signed1.root),
        (size1, digest(&first["root_hash"]))
    );

    // More activity, another checkpoint once the clock has moved on.
    let investigator = app.login("hsi.jones").await;
    app.advance(Duration::seconds(5));
    assert!(app.store.ledger().checkpoint_due().await.unwrap() >= 1);
    let second = json(
        app.get(&auditor, "/api/v1/audit/checkpoint").await,
        StatusCode::OK,
    )
    .await;
    let signed2 =
        Checkpoint::parse(verifier.open(second["note"].as_str().unwrap()).unwrap()).unwrap();
    let size2 = signed2.size;
    assert!(size2 > size1, "the logon added entries");

    for (path, size, root) in [
        (
            format!("/api/v1/audit/proofs/inclusion?seq=1&tree_size={size1}"),
            size1,
            signed1.root,
        ),
        (
            format!("/api/v1/audit/proofs/inclusion?seq={size2}"),
            size2,
            signed2.root,
        ),
        (
            format!("/api/v1/audit/proofs/inclusion?seq=2&tree_size={size2}"),
            size2,
            signed2.root,
        ),
    ] {
        let path = path.as_str();
        let p = json(app.get(&auditor, path).await, StatusCode::OK).await;
        assert_eq!(p["tree_size"], size);
        let index = p["leaf_index"].as_u64().unwrap();
        assert!(
            verify_inclusion(
                index,
                size,
                &digest(&p["leaf_hash"]),
                &digests(&p["proof"]),
                &root
            ),
            "{path}: {p}"
        );
    }
    let c = json(
        app.get(
            &auditor,
            &format!("/api/v1/audit/proofs/consistency?from={size1}&to={size2}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(verify_consistency(
        size1,
        size2,
        &signed1.root,
        &signed2.root,
        &digests(&c["proof"])
    ));

    for (path, status, code) in [
        (
            format!("/api/v1/audit/proofs/inclusion?seq={}", size2 + 1),
            StatusCode::NOT_FOUND,
            "entry_not_in_checkpoint",
        ),
        (
            "/api/v1/audit/proofs/inclusion?seq=0".to_owned(),
            StatusCode::NOT_FOUND,
            "entry_not_in_checkpoint",
        ),
        (
            format!(
                "/api/v1/audit/proofs/inclusion?seq=1&tree_size={}",
                size1 + 1
            ),
            StatusCode::NOT_FOUND,
            "unknown_checkpoint",
        ),
        (
            "/api/v1/audit/proofs/inclusion?seq=one".to_owned(),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            format!("/api/v1/audit/proofs/consistency?from={size2}&to={size1}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_range",
        ),
    ] {
        let path = path.as_str();
        let resp = app.get(&auditor, path).await;
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let body = json(resp, status).await;
        assert_eq!(body["code"], code, "{path}");
    }

    // Investigators see no log; nobody sees another agency's.
    for path in [
        "/api/v1/audit/checkpoint",
        "/api/v1/audit/public-key",
        "/api/v1/audit/proofs/inclusion?seq=1",
        "/api/v1/audit/proofs/consistency?from=2",
    ] {
        let body = json(app.get(&investigator, path).await, StatusCode::FORBIDDEN).await;
        assert_eq!(body["code"], "forbidden");
        let anon = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    }
    let b = app.login("b.auditor").await;
    let b_key = json(
        app.get(&b, "/api/v1/audit/public-key").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(b_key["log"], format!("agency:{}", app.agency_b));
    assert_ne!(b_key["vkey"], key["vkey"]);
    app.advance(Duration::seconds(5));
    app.store.ledger().checkpoint_due().await.unwrap();
    let b_cp = json(
        app.get(&b, "/api/v1/audit/checkpoint").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(b_cp["log"], format!("agency:{}", app.agency_b));
    assert!(
        verifier.open(b_cp["note"].as_str().unwrap()).is_err(),
        "signed by B's key, not A's"
    );

    // Operator admins see the operator's log only.
    let op = app.login("operator").await;
    let op_key = json(
        app.get(&op, "/api/v1/audit/public-key").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(op_key["log"], "operator");
    assert!(
        op_key["vkey"]
            .as_str()
            .unwrap()
            .starts_with("sightline/operator+")
    );
}

both_backends!(audit_proofs_verify_against_signed_checkpoints);
