//! The authorisation matrix (R3.7, issue 3): one table says who may call
//! every endpoint. One test fails when an endpoint exists without a row;
//! the other calls every endpoint as every kind of principal, own agency,
//! other agency and operator, and checks that only the allowed succeed and
//! that the others are refused without learning whether the resource exists.

use crate::both_backends;
use crate::helpers::{Db, PASSWORD, TestApp, record, seed_query, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sightline_core::Role;
use std::collections::BTreeSet;
use time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// No credentials needed.
    Public,
    /// The metrics token from the settings, which no session or ingest key
    /// is: every principal here gets 401 (`metrics_is_for_the_token_holder`
    /// in access.rs checks the token itself).
    MetricsToken,
    /// Any signed-in user, before the second factor too.
    AnySession,
    /// Signed-in users of these roles (with MFA and consent where the
    /// handler requires them).
    Roles(&'static [Role]),
    /// Like `Roles`, but the allowed may get a 4xx about the request itself
    /// (e.g. a proof for a tree size with no checkpoint): never 401 or 403.
    RolesLoose(&'static [Role]),
    /// Like `Roles`, but the resource belongs to one user (`hsi.jones`, the
    /// fixture's investigator): only they succeed, every other allowed user
    /// gets 404.
    Owner(&'static [Role]),
    /// A data source's ingest key.
    Source,
    /// No session, but a secret in the body (registration key, recovery
    /// challenge): every caller gets the same answer, never "forbidden".
    BodySecret,
}

use Access::*;
use Role::{AgencyManager as Mgr, Auditor as Aud, Investigator as Inv, OperatorAdmin as Op};

const ALL_USERS: &[Role] = &[Inv, Mgr, Aud, Op];

/// `(method, path, who, addresses a resource of agency A)`. Order matters
/// only for the calls that change state: they come last.
const MATRIX: &[(&str, &str, Access, bool)] = &[
    ("GET", "/healthz", Public, false),
    ("GET", "/metrics", MetricsToken, false),
    ("GET", "/openapi.json", Public, false),
    ("POST", "/api/v1/auth/login", Public, false),
    ("GET", "/api/v1/auth/security-questions", Public, false),
    ("POST", "/api/v1/auth/recovery", Public, false),
    ("POST", "/api/v1/auth/recovery/answer", BodySecret, false),
    ("POST", "/api/v1/auth/register", BodySecret, false),
    ("GET", "/api/v1/me", AnySession, false),
    ("GET", "/api/v1/jurisdictions", AnySession, false),
    // The base map: no read data in it (docs/maps.md).
    ("GET", "/tiles/{layer}/{z}/{x}/{y}.png", Public, false),
    ("GET", "/api/v1/map/config", Public, false),
    ("GET", "/api/v1/device-key", Roles(ALL_USERS), false),
    (
        "GET",
        "/api/v1/device-key/{key_id}",
        Roles(ALL_USERS),
        false,
    ),
    ("POST", "/api/v1/ocr/plate", Roles(&[Inv]), false),
    // Before the fixture entry's deletion below, which takes its hits along.
    (
        "POST",
        "/api/v1/notifications/{notification_id}/read",
        Owner(&[Inv, Mgr, Aud]),
        true,
    ),
    ("POST", "/api/v1/auth/mfa/enroll", AnySession, false),
    ("POST", "/api/v1/auth/mfa/confirm", AnySession, false),
    ("POST", "/api/v1/auth/mfa/verify", AnySession, false),
    ("GET", "/api/v1/rules", AnySession, false),
    ("POST", "/api/v1/auth/password", Roles(ALL_USERS), false),
    ("POST", "/api/v1/rules/affirm", Roles(ALL_USERS), false),
    ("POST", "/api/v1/queries", Roles(&[Inv]), false),
    ("GET", "/api/v1/queries", Roles(&[Inv]), false),
    (
        "GET",
        "/api/v1/queries/{query_id}/reads/{read_id}/photos/{kind}",
        Roles(&[Inv]),
        true,
    ),
    // Bound to the session that ran the query, like its photos.
    (
        "GET",
        "/api/v1/queries/{query_id}/report.pdf",
        Owner(&[Inv]),
        true,
    ),
    ("POST", "/api/v1/ingest/reads", Source, false),
    ("POST", "/api/v1/ingest/openalpr", Source, false),
    ("GET", "/api/v1/users", Roles(&[Mgr]), false),
    (
        "POST",
        "/api/v1/users/{user_id}/unlock",
        Roles(&[Mgr]),
        true,
    ),
    (
        "POST",
        "/api/v1/users/{user_id}/training",
        Roles(&[Mgr]),
        true,
    ),
    ("GET", "/api/v1/reports/training", Roles(&[Mgr]), false),
    ("POST", "/api/v1/access-requests", Roles(&[Mgr]), false),
    ("GET", "/api/v1/access-requests", Roles(&[Mgr]), false),
    (
        "GET",
        "/api/v1/access-requests/{request_id}/scan",
        Roles(&[Mgr]),
        true,
    ),
    (
        "GET",
        "/api/v1/reports/training/export",
        Roles(&[Mgr]),
        false,
    ),
    (
        "GET",
        "/api/v1/reports/statistics/export",
        Roles(&[Aud, Mgr]),
        false,
    ),
    (
        "GET",
        "/api/v1/reports/quarterly",
        Roles(&[Aud, Mgr]),
        false,
    ),
    (
        "POST",
        "/api/v1/access-requests/{request_id}/approve",
        Roles(&[Mgr]),
        true,
    ),
    (
        "POST",
        "/api/v1/access-requests/{request_id}/reject",
        Roles(&[Mgr]),
        true,
    ),
    (
        "POST",
        "/api/v1/users/{user_id}/registration-key",
        Roles(&[Mgr]),
        true,
    ),
    ("POST", "/api/v1/alert-lists", Roles(&[Inv]), false),
    ("GET", "/api/v1/alert-lists", Roles(&[Inv, Mgr, Aud]), false),
    (
        "POST",
        "/api/v1/alert-lists/{list_id}/entries",
        Roles(&[Inv]),
        true,
    ),
    (
        "GET",
        "/api/v1/alert-lists/{list_id}/entries",
        Roles(&[Inv]),
        true,
    ),
    (
        "POST",
        "/api/v1/alert-lists/{list_id}/uploads",
        Roles(&[Inv]),
        true,
    ),
    (
        "POST",
        "/api/v1/alert-lists/{list_id}/entries/{entry_id}/renewal",
        Roles(&[Inv]),
        true,
    ),
    (
        "DELETE",
        "/api/v1/alert-lists/{list_id}/entries/{entry_id}",
        Roles(&[Inv]),
        true,
    ),
    ("POST", "/api/v1/alert-groups", Roles(&[Inv]), false),
    (
        "GET",
        "/api/v1/alert-groups",
        Roles(&[Inv, Mgr, Aud]),
        false,
    ),
    (
        "GET",
        "/api/v1/notifications",
        Roles(&[Inv, Mgr, Aud]),
        false,
    ),
    (
        "GET",
        "/api/v1/notifications/unread",
        Roles(&[Inv, Mgr, Aud]),
        false,
    ),
    (
        "GET",
        "/api/v1/reports/terminations",
        Roles(&[Mgr, Aud]),
        false,
    ),
    (
        "POST",
        "/api/v1/users/{user_id}/disable",
        Roles(&[Mgr]),
        true,
    ),
    (
        "POST",
        "/api/v1/users/{user_id}/enable",
        Roles(&[Mgr]),
        true,
    ),
    ("GET", "/api/v1/admin/agencies", Roles(&[Op]), false),
    ("POST", "/api/v1/admin/agencies", Roles(&[Op]), false),
    (
        "POST",
        "/api/v1/admin/agencies/{agency_id}/managers",
        Roles(&[Op]),
        false,
    ),
    // Contract end: 404 before it starts, 409/422 for a destroy the
    // window or the (wrong) confirmation name refuses.
    (
        "GET",
        "/api/v1/admin/agencies/{agency_id}/offboarding",
        RolesLoose(&[Op]),
        false,
    ),
    (
        "POST",
        "/api/v1/admin/agencies/{agency_id}/offboarding",
        Roles(&[Op]),
        false,
    ),
    (
        "POST",
        "/api/v1/admin/agencies/{agency_id}/offboarding/destroy",
        RolesLoose(&[Op]),
        false,
    ),
    (
        "GET",
        "/api/v1/agency/offboarding",
        RolesLoose(&[Mgr, Aud]),
        false,
    ),
    (
        "GET",
        "/api/v1/agency/offboarding/alert-lists",
        RolesLoose(&[Mgr]),
        false,
    ),
    (
        "POST",
        "/api/v1/agency/offboarding/confirm",
        RolesLoose(&[Mgr]),
        false,
    ),
    ("GET", "/api/v1/admin/sources", Roles(&[Op]), false),
    ("POST", "/api/v1/admin/sources", Roles(&[Op]), false),
    (
        "GET",
        "/api/v1/admin/sources/{source_id}/cameras",
        Roles(&[Op]),
        false,
    ),
    (
        "POST",
        "/api/v1/admin/sources/{source_id}/cameras",
        Roles(&[Op]),
        false,
    ),
    (
        "GET",
        "/api/v1/admin/sources/{source_id}/agent",
        Roles(&[Op]),
        false,
    ),
    (
        "PUT",
        "/api/v1/admin/sources/{source_id}/agent",
        Roles(&[Op]),
        false,
    ),
    (
        "DELETE",
        "/api/v1/admin/sources/{source_id}/agent",
        Roles(&[Op]),
        false,
    ),
    (
        "GET",
        "/api/v1/admin/collection-policies",
        Roles(&[Op]),
        false,
    ),
    (
        "PUT",
        "/api/v1/admin/collection-policies/{state}",
        Roles(&[Op]),
        false,
    ),
    (
        "POST",
        "/api/v1/admin/sources/{source_id}/keys/rotate",
        Roles(&[Op]),
        false,
    ),
    (
        "POST",
        "/api/v1/admin/sources/{source_id}/keys/revoke",
        Roles(&[Op]),
        false,
    ),
    (
        "POST",
        "/api/v1/users/{user_id}/terminate",
        Roles(&[Mgr]),
        true,
    ),
    (
        "POST",
        "/api/v1/queries/{query_id}/reads/{read_id}/misread",
        Roles(&[Inv]),
        true,
    ),
    ("GET", "/api/v1/admin/misreads", Roles(&[Op]), false),
    (
        "GET",
        "/api/v1/admin/misreads/{report_id}/photos/{kind}",
        Roles(&[Op]),
        false,
    ),
    (
        "POST",
        "/api/v1/admin/misreads/{report_id}/resolve",
        Roles(&[Op]),
        false,
    ),
    (
        "GET",
        "/api/v1/security-contacts",
        Roles(&[Mgr, Aud]),
        false,
    ),
    ("PUT", "/api/v1/security-contacts", Roles(&[Mgr]), false),
    // Oversight (issue 16): every agency user reads the rule their queries
    // meet; reviewers (managers, auditors) work the queue of their own
    // agency (and AOR); the operator sees none of it.
    (
        "GET",
        "/api/v1/case-reference-rule",
        Roles(&[Inv, Mgr, Aud]),
        false,
    ),
    (
        "GET",
        "/api/v1/oversight/settings",
        Roles(&[Mgr, Aud]),
        false,
    ),
    ("PUT", "/api/v1/oversight/settings", Roles(&[Mgr]), false),
    ("GET", "/api/v1/reviews", Roles(&[Mgr, Aud]), false),
    ("GET", "/api/v1/reviews/report", Roles(&[Mgr, Aud]), false),
    // The first reviewer decides; the second gets 409, another agency 404.
    (
        "POST",
        "/api/v1/reviews/{review_id}",
        RolesLoose(&[Mgr, Aud]),
        true,
    ),
    // The transparency page is public; publishing is the managers' choice.
    ("GET", "/api/v1/transparency", Public, false),
    (
        "GET",
        "/api/v1/agency/transparency",
        Roles(&[Mgr, Aud]),
        false,
    ),
    ("PUT", "/api/v1/agency/transparency", Roles(&[Mgr]), false),
    (
        "GET",
        "/api/v1/audit/checkpoint",
        Roles(&[Aud, Mgr, Op]),
        false,
    ),
    (
        "GET",
        "/api/v1/audit/public-key",
        Roles(&[Aud, Mgr, Op]),
        false,
    ),
    (
        "GET",
        "/api/v1/audit/proofs/inclusion",
        RolesLoose(&[Aud, Mgr, Op]),
        false,
    ),
    (
        "GET",
        "/api/v1/audit/proofs/consistency",
        RolesLoose(&[Aud, Mgr, Op]),
        false,
    ),
    // Each caller searches its own log: the agency's, or the operator's.
    (
        "GET",
        "/api/v1/audit/entries",
        Roles(&[Aud, Mgr, Op]),
        false,
    ),
    ("GET", "/api/v1/audit/export", Roles(&[Aud, Mgr]), false),
    ("GET", "/api/v1/audit/log-export", Roles(&[Aud]), false),
    // {seq} is the fixture's query.run entry, not an ocr.read: auditors get
    // 404; api/ocr.rs views a real one.
    (
        "GET",
        "/api/v1/audit/entries/{seq}/ocr-photo",
        RolesLoose(&[Aud]),
        false,
    ),
    (
        "POST",
        "/api/v1/audit/entries/{seq}/replay",
        Roles(&[Aud]),
        true,
    ),
    (
        "GET",
        "/api/v1/reports/statistics",
        Roles(&[Aud, Mgr]),
        false,
    ),
    ("POST", "/api/v1/rules", Roles(&[Mgr]), false),
    ("POST", "/api/v1/auth/logout", AnySession, false),
];

async fn every_endpoint_is_in_the_matrix(db: Db) {
    let app = spawn_app(db).await;
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "endpoints without an authorisation entry: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for endpoints that do not exist: {stale:?}"
    );
}

#[derive(Debug, Clone)]
enum Principal {
    Anonymous,
    User {
        username: &'static str,
        role: Role,
        agency_a: bool,
        token: String,
    },
    Source(String),
}

struct Fixture {
    query_id: i64,
    read_id: i64,
    victim_id: i64,
    list_id: i64,
    entry_id: i64,
    approve_id: i64,
    reject_id: i64,
    pending_user_id: i64,
    agency_a: i64,
    report_id: i64,
    /// A source the matrix may rotate and revoke without losing its own key.
    spare_source: i64,
    /// A hit notification of hsi.jones's.
    notification_id: i64,
    /// Today, as a device key id.
    key_id: i64,
    /// The fixture query's review item (agency A samples every query).
    review_id: i64,
}

fn concrete(path: &str, f: &Fixture) -> String {
    let request_id = if path.ends_with("/reject") {
        f.reject_id
    } else {
        f.approve_id
    };
    let user_id = if path.ends_with("/registration-key") {
        f.pending_user_id
    } else {
        f.victim_id
    };
    path.replace("{request_id}", &request_id.to_string())
        .replace("{user_id}", &user_id.to_string())
        .replace("{query_id}", &f.query_id.to_string())
        .replace("{seq}", &f.query_id.to_string())
        .replace("{read_id}", &f.read_id.to_string())
        .replace("{kind}", "plate")
        .replace("{list_id}", &f.list_id.to_string())
        .replace("{entry_id}", &f.entry_id.to_string())
        .replace("{agency_id}", &f.agency_a.to_string())
        .replace("{report_id}", &f.report_id.to_string())
        .replace("{source_id}", &f.spare_source.to_string())
        .replace("{notification_id}", &f.notification_id.to_string())
        .replace("{key_id}", &f.key_id.to_string())
        .replace("{review_id}", &f.review_id.to_string())
        .replace("{layer}", "street")
        .replace("{state}", "NJ")
        .replace("{z}", "1")
        .replace("{x}", "0")
        .replace("{y}", "0")
}

fn access_form(username: &str) -> Value {
    json!({
        "username": username, "full_name": "Matrix Agent", "email": "matrix@agency.test",
        "role": "investigator", "program": "HSI", "justification": "matrix", "supervisor": "matrix",
        "scan_base64": crate::helpers::b64(b"%PDF-1.4 matrix form"),
    })
}

fn body_for(app: &TestApp, path: &str, principal: &Principal) -> Value {
    match path {
        "/api/v1/auth/login" => json!({"username": "a.auditor", "password": PASSWORD}),
        "/api/v1/auth/recovery" => json!({"username": "nobody.at.all"}),
        "/api/v1/auth/recovery/answer" => json!({"challenge_id": "00", "answer": "x"}),
        "/api/v1/auth/register" => {
            json!({"registration_key": "reg_bogus", "password": PASSWORD, "security_answers": []})
        }
        "/api/v1/access-requests" => access_form("matrix.agent"),
        "/api/v1/admin/agencies" => json!({"name": "Matrix Agency", "seat_cap": 5}),
        "/api/v1/agency/transparency" => json!({"published": false}),
        "/api/v1/admin/sources" => json!({
            "name": "Matrix source", "kind": "parking_lot", "jurisdiction": "NJ", "place": "Newark"
        }),
        "/api/v1/admin/sources/{source_id}/cameras" => json!({
            "camera_id": "m-1", "lat": 40.73, "lon": -74.17,
            "nearest_address": "1 Broad St", "nearest_intersection": "Broad St & Market St"
        }),
        "/api/v1/admin/sources/{source_id}/agent" => json!({"base_url": "http://127.0.0.1:9"}),
        "/api/v1/admin/collection-policies/{state}" => {
            json!({"collection_allowed": true, "retention_seconds": 86_400})
        }
        "/api/v1/admin/agencies/{agency_id}/offboarding/destroy" => {
            json!({"confirm_name": "not the agency's name"})
        }
        "/api/v1/admin/agencies/{agency_id}/managers" => json!({
            "username": "matrix.manager", "full_name": "Matrix Manager", "email": "mm@agency.test", "aor": "Matrix"
        }),
        "/api/v1/auth/mfa/confirm" => json!({"code": "000000"}),
        "/api/v1/auth/mfa/verify" => match principal {
            Principal::User { username, .. } => json!({"code": app.totp_code(username)}),
            _ => json!({"code": "000000"}),
        },
        "/api/v1/rules/affirm" => json!({"version": 1}),
        // The same password again: a real change, which ends the user's
        // other sessions (the matrix holds only one per user).
        "/api/v1/auth/password" => json!({"current_password": PASSWORD, "new_password": PASSWORD}),
        "/api/v1/rules" => {
            json!({"text": "Second version of the rules of behavior for this agency."})
        }
        // Another plate than the fixture's: query numbers are per agency, so
        // agency B's own query can carry the same number as A's fixture query
        // and must still not open A's read.
        "/api/v1/queries" => seed_query("MAT009", "PA"),
        "/api/v1/ingest/reads" => json!([]),
        "/api/v1/ingest/openalpr" => json!({"data_type": "heartbeat"}),
        "/api/v1/alert-lists" => json!({"name": "Matrix list"}),
        "/api/v1/alert-groups" => json!({"name": "Matrix team", "members": []}),
        "/api/v1/security-contacts" => json!({"emails": ["soc@agency.test"]}),
        "/api/v1/oversight/settings" => {
            json!({"sampling": {"enabled": true, "share_percent": 100.0}})
        }
        "/api/v1/reviews/{review_id}" => json!({"outcome": "justified", "note": "matrix"}),
        "/api/v1/alert-lists/{list_id}/entries" => json!({
            "plate": "MAT777", "state": "PA", "reason_code": "criminal-investigation", "note": "matrix case"
        }),
        _ if path.ends_with("/misread") => json!({"kind": "other", "note": "matrix"}),
        _ if path.ends_with("/resolve") => json!({"outcome": "not_misread"}),
        _ if path.ends_with("/renewal") => json!({"affirm_operational_need": true}),
        _ if path.ends_with("/training") => {
            json!({"course": "Annual", "completed_on": "2026-11-01", "evidence": "cert"})
        }
        _ if path.ends_with("/terminate") => json!({"reason": "matrix test"}),
        _ => json!({}),
    }
}

async fn every_endpoint_refuses_whom_it_should(db: Db) {
    let app = spawn_app(db).await;
    app.ingest(
        &app.pa_key,
        &[record("m-1", "MAT001", "PA", app.now() - Duration::days(1))],
    )
    .await;
    let mut principals = vec![Principal::Anonymous, Principal::Source(app.pa_key.clone())];
    for (username, role, agency_a) in [
        ("hsi.jones", Inv, true),
        ("a.manager", Mgr, true),
        ("a.auditor", Aud, true),
        ("operator", Op, false),
        ("b.park", Inv, false),
        ("b.manager", Mgr, false),
    ] {
        let token = app.login(username).await;
        principals.push(Principal::User {
            username,
            role,
            agency_a,
            token,
        });
    }
    let jones = match &principals[2] {
        Principal::User { token, .. } => token.clone(),
        _ => unreachable!(),
    };
    sightline_server::oversight::set_settings(
        &app.store,
        app.agency_a,
        sightline_audit::Actor::Console,
        None,
        &serde_json::from_value(json!({"sampling": {"enabled": true, "share_percent": 100.0}}))
            .unwrap(),
        app.now(),
    )
    .await
    .unwrap();
    let (_, _, q) = app.query(&jones, &seed_query("MAT001", "PA")).await;
    let review_id = app
        .store
        .oversight()
        .items(app.agency_a, None, Some("pending"), 1)
        .await
        .unwrap()[0]
        .id;
    let victim = app
        .store
        .tenancy()
        .user_by_username("hsi.smith")
        .await
        .unwrap()
        .unwrap();
    let (_, list) = app
        .post(&jones, "/api/v1/alert-lists", &json!({"name": "Fixture"}))
        .await;
    let list_id = list["id"].as_i64().unwrap_or_else(|| panic!("{list}"));
    let (_, added) = app
        .post(
            &jones,
            &format!("/api/v1/alert-lists/{list_id}/entries"),
            &json!({"plate": "MAT776", "state": "PA", "reason_code": "criminal-investigation", "note": "fixture"}),
        )
        .await;
    let manager = match &principals[3] {
        Principal::User { token, .. } => token.clone(),
        _ => unreachable!(),
    };
    let request = |name: &'static str| {
        let (app, manager) = (&app, manager.clone());
        async move {
            app.post(&manager, "/api/v1/access-requests", &access_form(name))
                .await
                .1["id"]
                .as_i64()
                .unwrap()
        }
    };
    let pending = request("matrix.pending").await;
    let approve_id = request("matrix.approve").await;
    let reject_id = request("matrix.reject").await;
    let (status, approved) = app
        .post(
            &manager,
            &format!("/api/v1/access-requests/{pending}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    let spare = app
        .store
        .sources()
        .all()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.jurisdiction.code() == "AR")
        .unwrap();
    let (_, filed) = app
        .post(
            &jones,
            &format!(
                "/api/v1/queries/{}/reads/{}/misread",
                q["query_id"], q["results"][0]["read_id"]
            ),
            &json!({"kind": "other", "note": "fixture"}),
        )
        .await;
    // A read of the fixture entry's plate: a hit in hsi.jones's inbox.
    app.ingest(
        &app.pa_key,
        &[record(
            "m-2",
            "MAT776",
            "PA",
            app.now() - Duration::hours(1),
        )],
    )
    .await;
    let inbox: Value = app
        .get(&jones, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    let notification_id = inbox["notifications"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{inbox}"));
    let fixture = Fixture {
        notification_id,
        key_id: app.now().unix_timestamp().div_euclid(86_400),
        review_id,
        report_id: filed["report_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{filed}")),
        agency_a: app.agency_a.0,
        spare_source: spare.id.0,
        approve_id,
        reject_id,
        pending_user_id: approved["user_id"].as_i64().unwrap(),
        list_id,
        entry_id: added["entry"]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{added}")),
        query_id: q["query_id"].as_i64().unwrap(),
        read_id: q["results"][0]["read_id"].as_i64().unwrap(),
        victim_id: victim.id.0,
    };

    // Every log gets a signed checkpoint, so the checkpoint endpoints answer.
    app.advance(Duration::seconds(30));
    app.store.ledger().checkpoint_due().await.unwrap();

    for (method, path, access, addresses_a) in MATRIX {
        for p in &principals {
            let mut url = app.url(&concrete(path, &fixture));
            if path.ends_with("/inclusion") {
                url.push_str("?seq=1&tree_size=1");
            } else if path.ends_with("/consistency") {
                url.push_str("?from=1&to=2");
            } else if path.ends_with("/statistics") {
                url.push_str("?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z");
            } else if path.ends_with("/statistics/export") {
                url.push_str("?format=xlsx&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z");
            } else if path.ends_with("/quarterly") {
                url.push_str("?quarter=2026Q3&format=xlsx");
            }
            let mut req = app.client.request(method.parse().unwrap(), &url);
            if path.ends_with("/ocr/plate") {
                req = req
                    .header("content-type", "image/png")
                    .body(crate::helpers::png("MAT001", "PA"));
            } else if path.ends_with("/uploads") {
                req = req.header("content-type", "text/csv").body(
                    "plate,state,reason_code,note\nMAT778,PA,criminal-investigation,matrix\n",
                );
            } else if *method == "POST" || *method == "PUT" {
                req = req.json(&body_for(&app, path, p));
            }
            match p {
                Principal::User { token, .. } | Principal::Source(token) => {
                    req = req.bearer_auth(token)
                }
                Principal::Anonymous => {}
            }
            let status = req.send().await.unwrap().status();
            let who = match p {
                Principal::Anonymous => "anonymous".to_owned(),
                Principal::Source(_) => "source".to_owned(),
                Principal::User { username, .. } => (*username).to_owned(),
            };
            let ctx = format!("{method} {path} as {who}: {status}");
            assert!(!status.is_server_error(), "{ctx}");
            match (access, p) {
                (Public, _) => assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{ctx}"
                ),
                (BodySecret, _) => assert!(status != StatusCode::FORBIDDEN, "{ctx}"),
                (MetricsToken, _) => assert_eq!(status, StatusCode::UNAUTHORIZED, "{ctx}"),
                (Source, Principal::Source(_)) => assert!(
                    status.is_success() || status == StatusCode::BAD_REQUEST,
                    "{ctx}"
                ),
                (Source, _)
                | (
                    AnySession | Roles(_) | RolesLoose(_) | Owner(_),
                    Principal::Anonymous | Principal::Source(_),
                ) => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{ctx}")
                }
                (RolesLoose(roles), Principal::User { role, .. }) => {
                    if roles.contains(role) {
                        assert!(
                            status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                            "{ctx}"
                        );
                    } else {
                        assert!(
                            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                            "{ctx}"
                        );
                    }
                }
                (Owner(roles), Principal::User { username, role, .. }) => {
                    if *username == "hsi.jones" {
                        assert!(status.is_success(), "{ctx}");
                    } else if roles.contains(role) {
                        assert_eq!(status, StatusCode::NOT_FOUND, "{ctx}: not theirs");
                    } else {
                        assert!(
                            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                            "{ctx}"
                        );
                    }
                }
                (AnySession, Principal::User { .. }) => {
                    assert!(
                        status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                        "{ctx}"
                    )
                }
                (Roles(roles), Principal::User { role, agency_a, .. }) => {
                    if !roles.contains(role) {
                        assert!(
                            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                            "{ctx}"
                        );
                    } else if *addresses_a && !agency_a {
                        assert_eq!(
                            status,
                            StatusCode::NOT_FOUND,
                            "{ctx}: another tenant's resource must not be revealed"
                        );
                    } else {
                        assert!(status.is_success(), "{ctx}");
                    }
                }
            }
        }
    }
}

both_backends!(
    every_endpoint_is_in_the_matrix,
    every_endpoint_refuses_whom_it_should
);
