//! Authentication, tenancy and the operational endpoints.

use crate::both_backends;
use crate::helpers::{Db, PASSWORD, record, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::TenantScope;
use time::Duration;

async fn agency_b_cannot_see_agency_a_queries(db: Db) {
    let app = spawn_app(db).await;
    let now = app.now();
    app.ingest(
        &app.pa_key,
        &[record("t-1", "TEN001", "PA", now - Duration::days(1))],
    )
    .await;
    let a = app.login("hsi.jones").await;
    let b = app.login("b.park").await;
    let (_, _, body) = app.query(&a, &seed_query("TEN001", "PA")).await;
    let qid = body["query_id"].as_i64().unwrap();
    let photo = body["results"][0]["photos"]["vehicle"]
        .as_str()
        .unwrap()
        .to_owned();

    // B's recent queries do not include A's; B cannot open A's photo links.
    let recent: Value = app.get(&b, "/api/v1/queries").await.json().await.unwrap();
    assert_eq!(recent["queries"], json!([]));
    assert_eq!(app.get(&b, &photo).await.status(), StatusCode::NOT_FOUND);
    // B's own query lands in B's own log, which holds only B's actions.
    let (_, _, bq) = app.query(&b, &seed_query("TEN001", "PA")).await;
    let ledger = app.store.ledger();
    let a_log = ledger.all(TenantScope::Agency(app.agency_a)).await.unwrap();
    let b_log = ledger.all(TenantScope::Agency(app.agency_b)).await.unwrap();
    let b_actions: Vec<&str> = b_log
        .iter()
        .map(|e| e.entry.action.as_str())
        .filter(|a| a.starts_with("query."))
        .collect();
    assert_eq!(b_actions, ["query.run", "query.results"]);
    assert!(
        b_log
            .iter()
            .any(|e| e.entry.seq == bq["query_id"].as_i64().unwrap())
    );
    assert!(
        a_log
            .iter()
            .any(|e| e.entry.seq == qid && e.entry.action == "query.run")
    );
    assert!(a_log.iter().all(|e| e.entry.agency == Some(app.agency_a.0)));
    assert!(b_log.iter().all(|e| e.entry.agency == Some(app.agency_b.0)));
    assert!(!b_log.iter().any(|e| e.canonical.contains("hsi.jones")));
    // The operator sees no agency's queries, and cannot run one.
    let op = app.login("operator").await;
    assert_eq!(
        app.get(&op, "/api/v1/queries").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.query(&op, &seed_query("TEN001", "PA")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&op, &photo).await.status(), StatusCode::NOT_FOUND);
    // Auditors and managers do not query plates.
    let aud = app.login("a.auditor").await;
    assert_eq!(
        app.query(&aud, &seed_query("TEN001", "PA")).await.0,
        StatusCode::FORBIDDEN
    );
    // Every log still verifies.
    for scope in [
        TenantScope::Agency(app.agency_a),
        TenantScope::Agency(app.agency_b),
        TenantScope::Operator,
    ] {
        assert!(ledger.verify(scope).await.unwrap().is_ok());
    }
}

async fn no_data_endpoint_is_reachable_without_authentication(db: Db) {
    let app = spawn_app(db).await;
    let user = app.login("hsi.jones").await;
    // No credentials, a source key where a session is needed, a session
    // where an ingest key is needed, and a forged token.
    let cases: Vec<(&str, &str, Option<String>)> = vec![
        ("POST", "/api/v1/queries", None),
        ("GET", "/api/v1/queries", None),
        ("GET", "/api/v1/me", None),
        ("POST", "/api/v1/auth/logout", None),
        ("GET", "/api/v1/queries/1/reads/1/photos/plate", None),
        ("POST", "/api/v1/queries", Some(app.pa_key.clone())),
        ("GET", "/api/v1/queries", Some("slt_forged".to_owned())),
        ("POST", "/api/v1/ingest/reads", None),
        ("POST", "/api/v1/ingest/reads", Some(user.clone())),
        ("POST", "/api/v1/ingest/openalpr", Some(user.clone())),
        ("POST", "/api/v1/ingest/reads", Some("sk_forged".to_owned())),
        ("GET", "/api/v1/audit/checkpoint", Some(app.pa_key.clone())),
        (
            "GET",
            "/api/v1/audit/public-key",
            Some("slt_forged".to_owned()),
        ),
        ("GET", "/api/v1/audit/proofs/inclusion?seq=1", None),
        ("GET", "/api/v1/audit/proofs/consistency?from=1", None),
    ];
    for (method, path, token) in cases {
        let mut req = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .json(&seed_query("A1", "PA"));
        if let Some(t) = &token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} with {token:?}"
        );
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "unauthenticated");
    }
}

async fn logins_are_audited_and_sessions_end(db: Db) {
    let app = spawn_app(db).await;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "hsi.jones", "password": "wrong password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "invalid_credentials");
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "nobody", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["code"], "invalid_credentials",
        "unknown users look the same"
    );

    let token = app.login("hsi.jones").await;
    let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["program"], "HSI");
    assert_eq!(me["reason_codes"][0]["code"], "criminal-investigation");

    let ledger = app.store.ledger();
    let logins = ledger
        .recent(
            TenantScope::Agency(app.agency_a),
            None,
            Some("auth.login"),
            None,
            10,
        )
        .await
        .unwrap();
    let outcomes: Vec<&str> = logins.iter().map(|e| e.entry.outcome.as_str()).collect();
    assert_eq!(outcomes, ["success", "failed"]);
    let op = ledger
        .recent(TenantScope::Operator, None, Some("auth.login"), None, 10)
        .await
        .unwrap();
    // The typed name is kept only as a keyed hash: names are often passwords.
    assert!(op[0].canonical.contains("\"claimant\"") && op[0].canonical.contains("unknown:"));
    assert!(!op[0].canonical.contains("nobody"));
    assert!(
        !op[0].canonical.contains(PASSWORD),
        "passwords never reach the log"
    );

    // 30 idle minutes end the session; activity keeps it alive until then.
    app.advance(Duration::minutes(29));
    assert_eq!(app.get(&token, "/api/v1/me").await.status(), StatusCode::OK);
    app.advance(Duration::minutes(30));
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Logout revokes at once.
    let token = app.login("hsi.jones").await;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn openapi_health_and_metrics(db: Db) {
    let app = spawn_app(db).await;
    let health: Value = app.public_json("/healthz").await;
    assert_eq!(health["status"], "ok");
    assert_eq!(
        health["backend"],
        if db == Db::Sqlite {
            "sqlite"
        } else {
            "postgres"
        }
    );
    let doc: Value = app.public_json("/openapi.json").await;
    // The authorisation matrix (authz.rs) checks that every documented
    // endpoint has an entry; here, that the core ones are documented.
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for p in [
        "/healthz",
        "/metrics",
        "/openapi.json",
        "/api/v1/queries",
        "/api/v1/ingest/reads",
        "/api/v1/ingest/openalpr",
        "/api/v1/alert-lists",
        "/api/v1/alert-groups",
        "/api/v1/alert-lists/{list_id}/entries",
        "/api/v1/alert-lists/{list_id}/entries/{entry_id}",
        "/api/v1/alert-lists/{list_id}/entries/{entry_id}/renewal",
        "/api/v1/alert-lists/{list_id}/uploads",
        "/api/v1/notifications",
        "/api/v1/audit/checkpoint",
        "/api/v1/audit/proofs/inclusion",
        "/api/v1/audit/proofs/consistency",
        "/api/v1/audit/public-key",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
    assert!(
        doc["paths"]["/api/v1/queries"]["post"].is_object()
            && doc["paths"]["/api/v1/queries"]["get"].is_object()
    );
    let _ = app.login("hsi.jones").await;
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("sightline_logins_total{outcome=\"password_ok\"} 1"),
        "{metrics}"
    );
    let nf = app.client.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(nf.status(), StatusCode::NOT_FOUND);
    assert_eq!(nf.headers()["content-type"], "application/problem+json");
}

both_backends!(
    agency_b_cannot_see_agency_a_queries,
    no_data_endpoint_is_reachable_without_authentication,
    logins_are_audited_and_sessions_end,
    openapi_health_and_metrics,
);
