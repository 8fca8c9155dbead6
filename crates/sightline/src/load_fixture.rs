//! The deployment that `sightline bench load` and the fault tests drive:
//! one agency of trained investigators with live sessions, one source, and
//! the reads and queries they send.

use serde_json::{Value, json};
use sightline_core::purpose::{ReasonCode, ReasonPolicy};
use sightline_core::{AgencyId, Jurisdiction, Role, SourceKind, UserId};
use sightline_store::{NewUser, Store, TrainingRecord};

/// What [`seed`] made.
#[derive(Debug)]
pub struct LoadAgency {
    pub agency: AgencyId,
    pub investigators: Vec<UserId>,
    /// One session bearer token per investigator, in the same order.
    pub tokens: Vec<String>,
    /// The source's ingest key.
    pub source_key: String,
}

/// A small PNG of a PA plate, base64, for the reads' photos.
pub fn photo_base64() -> anyhow::Result<String> {
    use base64::Engine as _;
    let pa = Jurisdiction::parse("PA").map_err(|e| anyhow::anyhow!("{e}"))?;
    let plate = sightline_core::Plate::parse("LD00001").map_err(|e| anyhow::anyhow!("{e}"))?;
    let png = sightline_demo::render_plate_png(&plate, pa);
    Ok(base64::engine::general_purpose::STANDARD.encode(png))
}

/// The plate of the `i`th distinct load plate.
pub fn plate_name(i: usize) -> String {
    format!("LD{i:05}")
}

/// One agency with `users` trained investigators, each with a session past
/// the second factor and the rules (minted through the store, so no Argon2
/// or TOTP step is timed), and one toll-road source with an ingest key.
pub async fn seed(store: &Store, users: usize) -> anyhow::Result<LoadAgency> {
    seed_named(store, "Load Test Agency", "load", users).await
}

/// Like [`seed`], for an agency called `name` whose usernames start `prefix`.
pub async fn seed_named(
    store: &Store,
    name: &str,
    prefix: &str,
    users: usize,
) -> anyhow::Result<LoadAgency> {
    let now = store.clock.now();
    let t = store.tenancy();
    let seats = i64::try_from(users + 10).unwrap_or(i64::MAX);
    let agency = t.create_agency(name, seats, now).await?;
    let program = t.create_program(agency, "HSI").await?;
    t.add_reason_code(
        agency,
        program,
        &ReasonPolicy {
            code: ReasonCode::parse("criminal-investigation")
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            label: "Criminal investigation".into(),
            max_days: 1826,
        },
    )
    .await?;
    let rules = store.rules().current(agency).await?;
    let mut tokens = Vec::with_capacity(users);
    let mut investigators = Vec::with_capacity(users);
    for i in 0..users {
        let id = t
            .create_user(
                &NewUser {
                    agency_id: Some(agency),
                    aor_id: None,
                    program_id: Some(program),
                    username: format!("{prefix}.investigator.{i}"),
                    display_name: format!("Load investigator {i}"),
                    email: format!("{prefix}{i}@sightline.test"),
                    role: Role::Investigator,
                    password_hash: "not-a-password".into(),
                },
                now,
            )
            .await?;
        store
            .people()
            .add_training(
                agency,
                &TrainingRecord {
                    user_id: id,
                    course: "Sightline privacy and rules of behavior".into(),
                    completed_at: now - time::Duration::days(1),
                    evidence: "bench".into(),
                },
                id,
                now,
            )
            .await?;
        let (session, token) = store.sessions().create(id, Some(agency), now).await?;
        store.sessions().mark_mfa_verified(&session.id, now).await?;
        store
            .sessions()
            .set_consent(&session.id, rules.version)
            .await?;
        tokens.push(secrecy::ExposeSecret::expose_secret(&token).to_owned());
        investigators.push(id);
    }
    let pa = Jurisdiction::parse("PA").map_err(|e| anyhow::anyhow!("{e}"))?;
    let source = store
        .sources()
        .create(
            &format!("{name} camera"),
            SourceKind::TollRoad,
            pa,
            "Pennsylvania",
            now,
        )
        .await?;
    let key = store.sources().issue_key(source, now).await?;
    Ok(LoadAgency {
        agency,
        investigators,
        tokens,
        source_key: secrecy::ExposeSecret::expose_secret(&key).to_owned(),
    })
}

/// Reads `load-{first}` to `load-{first + n - 1}` of plates
/// `plate_name(i % plates)`, five minutes old, with both photos.
pub fn batch(first: usize, n: usize, plates: usize, photo: &str) -> Value {
    let at = sightline_core::Clock::now(&sightline_core::SystemClock) - time::Duration::minutes(5);
    let at = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Value::Array(
        (first..first + n)
            .map(|i| {
                json!({
                    "source_read_id": format!("load-{i}"),
                    "plate": plate_name(i % plates),
                    "state": "PA",
                    "captured_at": at,
                    "location": {"lat": 40.2171, "lon": -76.8563},
                    "nearest_address": "1 Turnpike Rd, Harrisburg, PA 17112",
                    "nearest_intersection": "I-76 & PA-283",
                    "vehicle_photo": {"base64": photo},
                    "plate_photo": {"base64": photo},
                })
            })
            .collect(),
    )
}

/// A query for `plate` in PA over the last 30 days, within policy.
pub fn query_body(plate: &str) -> Value {
    json!({
        "plate": plate,
        "state": "PA",
        "reason_code": "criminal-investigation",
        "timeframe": {"previous_days": 30},
        "case_reference": "Load test, case number 12345678",
        "on_behalf_of": "self",
    })
}
