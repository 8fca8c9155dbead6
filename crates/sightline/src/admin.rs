//! `sightline admin …`: operator onboarding from the server's console.
//! Every change is recorded in the operator's audit log (actor: console).

use crate::serve::open_store;
use crate::settings::Settings;
use anyhow::{Context as _, anyhow};
use clap::Subcommand;
use secrecy::{ExposeSecret as _, SecretString};
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::purpose::{ReasonCode, ReasonPolicy};
use sightline_core::{AgencyId, AgencyZone, GeoPoint, Jurisdiction, Role, SourceKind, TenantScope};
use sightline_store::{Camera, NewUser, Store, hash_password, new_secret_token};
use std::io::Read as _;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Onboard an agency (with the ERO and HSI programs and their reason codes unless --bare).
    CreateAgency {
        name: String,
        /// How many users may hold access at once (R2.7).
        #[arg(long, default_value_t = 100)]
        seat_cap: i64,
        /// Create no programs or reason codes.
        #[arg(long)]
        bare: bool,
        /// The IANA time zone its reports use, e.g. America/New_York.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
    /// Add a program to an agency.
    CreateProgram {
        #[arg(long)]
        agency: String,
        name: String,
    },
    /// Add a reason code, with its longest time frame, to a program.
    AddReason {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        program: String,
        code: String,
        #[arg(long)]
        label: String,
        #[arg(long)]
        max_days: u32,
    },
    /// Add an area of responsibility to an agency.
    CreateAor {
        #[arg(long)]
        agency: String,
        name: String,
    },
    /// Create a user. The password is read from stdin with --password-stdin, or generated and printed.
    CreateUser {
        username: String,
        /// investigator, agency_manager, auditor or operator_admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        agency: Option<String>,
        #[arg(long)]
        aor: Option<String>,
        #[arg(long)]
        program: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Register a data source and print its ingest key (shown once).
    CreateSource {
        name: String,
        /// toll_road, parking_lot, repossession or law_enforcement.
        #[arg(long)]
        kind: String,
        /// Where it collects (USPS code); its collection policy applies.
        #[arg(long)]
        jurisdiction: String,
        /// A place description, e.g. "Delaware".
        #[arg(long)]
        place: String,
    },
    /// Issue an additional ingest key for a source (for rotation).
    IssueKey { source: String },
    /// Revoke every ingest key of a source.
    RevokeKeys { source: String },
    /// Register a fixed camera of a source (fills position and addresses of OpenALPR reads).
    AddCamera {
        #[arg(long)]
        source: String,
        camera_id: String,
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        #[arg(long)]
        address: String,
        #[arg(long)]
        intersection: String,
    },
    /// Record a completed training course for a user (R2.5): how an operator
    /// bootstraps an agency's first manager; managers use the API.
    RecordTraining {
        username: String,
        #[arg(long)]
        course: String,
        /// YYYY-MM-DD
        #[arg(long)]
        completed_on: String,
        #[arg(long)]
        evidence: String,
    },
    /// Destroy an agency's audit data keys (contract end, R6.1), or only
    /// those of months before --before YYYYMM (retention, R5.6). The sealed
    /// fields become unreadable everywhere, backups included; the log still
    /// verifies.
    ShredAuditKeys {
        #[arg(long)]
        agency: String,
        /// A month as YYYYMM, e.g. 201911.
        #[arg(long)]
        before: Option<i64>,
    },
    /// Contract end: the transfer window, then the agency's destruction.
    Offboard {
        #[command(subcommand)]
        step: crate::offboard::OffboardStep,
    },
    /// List agencies and sources.
    List,
}

pub(crate) async fn agency_id(store: &Store, name: &str) -> anyhow::Result<AgencyId> {
    if let Ok(id) = name.parse::<i64>() {
        return Ok(AgencyId(id));
    }
    store
        .tenancy()
        .agency_by_name(name)
        .await?
        .map(|a| a.id)
        .ok_or_else(|| anyhow!("no agency named '{name}'"))
}

pub async fn source_by_name(
    store: &Store,
    name: &str,
) -> anyhow::Result<sightline_store::SourceRecord> {
    store
        .sources()
        .all()
        .await?
        .into_iter()
        .find(|s| s.name == name || s.id.0.to_string() == name)
        .ok_or_else(|| anyhow!("no source named '{name}'"))
}

async fn audit(
    store: &Store,
    action: &'static str,
    fields: &[(&str, serde_json::Value)],
) -> anyhow::Result<()> {
    audit_in(store, TenantScope::Operator, action, fields).await
}

/// Appends a console action to `scope`'s log: the operator's, or the
/// agency's own when the operator acts on it.
async fn audit_in(
    store: &Store,
    scope: TenantScope,
    action: &'static str,
    fields: &[(&str, serde_json::Value)],
) -> anyhow::Result<()> {
    let mut draft = EntryDraft::new(scope, Actor::Console, action, Outcome::Success);
    for (k, v) in fields {
        draft = draft.field(k, v.clone());
    }
    store.ledger().append(draft).await.map_err(|e| e.0)?;
    Ok(())
}

/// Creates an agency with the federal programs; shared with `demo`.
pub async fn create_agency(
    store: &Store,
    name: &str,
    seat_cap: i64,
    zone: &AgencyZone,
    bare: bool,
) -> anyhow::Result<AgencyId> {
    let now = store.clock.now();
    let tenancy = store.tenancy();
    let id = if bare {
        tenancy.create_agency_in(name, seat_cap, zone, now).await?
    } else {
        tenancy
            .create_agency_with_federal_programs(name, seat_cap, zone, now)
            .await?
    };
    audit(
        store,
        "admin.agency_created",
        &[
            ("agency_id", id.0.into()),
            ("name", name.into()),
            ("seat_cap", seat_cap.into()),
            ("time_zone", zone.name().into()),
        ],
    )
    .await?;
    Ok(id)
}

/// A user to create, by the names an operator types.
#[derive(Debug, Clone, Copy)]
pub struct UserSpec<'a> {
    pub username: &'a str,
    pub role: Role,
    pub agency: Option<AgencyId>,
    pub aor: Option<&'a str>,
    pub program: Option<&'a str>,
    pub email: &'a str,
    pub name: &'a str,
}

/// Creates a user; shared with `demo`.
pub async fn create_user(
    store: &Store,
    spec: UserSpec<'_>,
    password: &SecretString,
) -> anyhow::Result<()> {
    let UserSpec {
        username,
        role,
        agency,
        aor,
        program,
        email,
        name,
    } = spec;
    let tenancy = store.tenancy();
    let (aor_id, program_id) = match agency {
        Some(a) => (
            match aor {
                Some(n) => Some(
                    tenancy
                        .aor_id(a, n)
                        .await?
                        .ok_or_else(|| anyhow!("no AOR named '{n}'"))?,
                ),
                None => None,
            },
            match program {
                Some(n) => Some(
                    tenancy
                        .program_id(a, n)
                        .await?
                        .ok_or_else(|| anyhow!("no program named '{n}'"))?,
                ),
                None => None,
            },
        ),
        None => (None, None),
    };
    let pw = password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw)).await??;
    let id = tenancy
        .create_user(
            &NewUser {
                agency_id: agency,
                aor_id,
                program_id,
                username: username.to_owned(),
                display_name: name.to_owned(),
                email: email.to_owned(),
                role,
                password_hash: hash,
            },
            store.clock.now(),
        )
        .await?;
    audit(
        store,
        "admin.user_created",
        &[
            ("user_id", id.0.into()),
            ("username", username.into()),
            ("role", role.as_str().into()),
            ("agency_id", agency.map(|a| a.0).into()),
        ],
    )
    .await
}

/// Records training on the console's authority; shared with `demo`.
pub async fn record_training(
    store: &Store,
    agency: AgencyId,
    user: sightline_core::UserId,
    course: &str,
    completed_at: time::OffsetDateTime,
    evidence: &str,
) -> anyhow::Result<()> {
    let record = sightline_store::TrainingRecord {
        user_id: user,
        course: course.to_owned(),
        completed_at,
        evidence: evidence.to_owned(),
    };
    store
        .people()
        .add_training(agency, &record, user, store.clock.now())
        .await?;
    let mut draft = EntryDraft::new(
        TenantScope::Agency(agency),
        Actor::Console,
        "training.recorded",
        Outcome::Success,
    )
    .field("user_id", user.0)
    .field("course", course);
    draft = draft.field(
        "completed_at",
        sightline_core::clock::to_micros(completed_at),
    );
    store.ledger().append(draft).await.map_err(|e| e.0)?;
    Ok(())
}

/// Registers a source and issues its first key; shared with `demo`.
pub async fn create_source(
    store: &Store,
    name: &str,
    kind: SourceKind,
    jurisdiction: Jurisdiction,
    place: &str,
) -> anyhow::Result<(sightline_core::tenancy::SourceId, SecretString)> {
    let now = store.clock.now();
    let id = store
        .sources()
        .create(name, kind, jurisdiction, place, now)
        .await?;
    let key = store.sources().issue_key(id, now).await?;
    audit(
        store,
        "admin.source_created",
        &[
            ("source_id", id.0.into()),
            ("name", name.into()),
            ("kind", kind.as_str().into()),
            ("jurisdiction", jurisdiction.code().into()),
        ],
    )
    .await?;
    Ok((id, key))
}

pub async fn run(settings: &Settings, cmd: AdminCommand) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let now = store.clock.now();
    match cmd {
        AdminCommand::CreateAgency {
            name,
            seat_cap,
            bare,
            time_zone,
        } => {
            let zone = AgencyZone::parse(&time_zone).map_err(|v| {
                anyhow!(
                    "--time-zone: {} ({})",
                    v.message,
                    v.accepted.unwrap_or_default()
                )
            })?;
            let id = create_agency(&store, &name, seat_cap, &zone, bare).await?;
            println!("agency {id} created: {name}");
        }
        AdminCommand::CreateProgram { agency, name } => {
            let a = agency_id(&store, &agency).await?;
            let id = store.tenancy().create_program(a, &name).await?;
            audit(
                &store,
                "admin.program_created",
                &[("agency_id", a.0.into()), ("program", name.as_str().into())],
            )
            .await?;
            println!("program {} created", id.0);
        }
        AdminCommand::AddReason {
            agency,
            program,
            code,
            label,
            max_days,
        } => {
            let a = agency_id(&store, &agency).await?;
            let p = store
                .tenancy()
                .program_id(a, &program)
                .await?
                .ok_or_else(|| anyhow!("no program named '{program}'"))?;
            let code = ReasonCode::parse(&code).map_err(|e| anyhow!("{e}"))?;
            store
                .tenancy()
                .add_reason_code(
                    a,
                    p,
                    &ReasonPolicy {
                        code: code.clone(),
                        label,
                        max_days,
                    },
                )
                .await?;
            audit(
                &store,
                "admin.reason_code_added",
                &[
                    ("agency_id", a.0.into()),
                    ("program", program.as_str().into()),
                    ("code", code.as_str().into()),
                    ("max_days", max_days.into()),
                ],
            )
            .await?;
            println!("reason code {code} added to {program}");
        }
        AdminCommand::CreateAor { agency, name } => {
            let a = agency_id(&store, &agency).await?;
            let id = store.tenancy().create_aor(a, &name).await?;
            audit(
                &store,
                "admin.aor_created",
                &[("agency_id", a.0.into()), ("aor", name.as_str().into())],
            )
            .await?;
            println!("AOR {} created", id.0);
        }
        AdminCommand::CreateUser {
            username,
            role,
            agency,
            aor,
            program,
            email,
            name,
            password_stdin,
        } => {
            let role = Role::parse(&role).map_err(|e| anyhow!("{e}"))?;
            let agency = match agency {
                Some(a) => Some(agency_id(&store, &a).await?),
                None => None,
            };
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading password from stdin")?;
                let pw = s.trim_end_matches(['\r', '\n']).to_owned();
                sightline_core::password::check(&pw, &username)
                    .map_err(|p| anyhow!("{}: {p}", p.code()))?;
                (SecretString::from(pw), false)
            } else {
                (new_secret_token("")?, true)
            };
            create_user(
                &store,
                UserSpec {
                    username: &username,
                    role,
                    agency,
                    aor: aor.as_deref(),
                    program: program.as_deref(),
                    email: &email,
                    name: &name,
                },
                &password,
            )
            .await?;
            println!("user {username} created ({role})");
            if generated {
                println!("password (shown once): {}", password.expose_secret());
            }
        }
        AdminCommand::CreateSource {
            name,
            kind,
            jurisdiction,
            place,
        } => {
            let kind = SourceKind::parse(&kind).map_err(|e| anyhow!("{e}"))?;
            let j = Jurisdiction::parse(&jurisdiction).map_err(|e| anyhow!("{e}"))?;
            let (id, key) = create_source(&store, &name, kind, j, &place).await?;
            println!("source {id} created: {name}");
            println!("ingest key (shown once): {}", key.expose_secret());
        }
        AdminCommand::IssueKey { source } => {
            let s = source_by_name(&store, &source).await?;
            let key = store.sources().issue_key(s.id, now).await?;
            audit(
                &store,
                "admin.source_key_issued",
                &[("source_id", s.id.0.into())],
            )
            .await?;
            println!("ingest key (shown once): {}", key.expose_secret());
        }
        AdminCommand::RevokeKeys { source } => {
            let s = source_by_name(&store, &source).await?;
            let n = store.sources().revoke_keys(s.id, now).await?;
            audit(
                &store,
                "admin.source_keys_revoked",
                &[("source_id", s.id.0.into()), ("revoked", n.into())],
            )
            .await?;
            println!("{n} key(s) revoked");
        }
        AdminCommand::AddCamera {
            source,
            camera_id,
            lat,
            lon,
            address,
            intersection,
        } => {
            let s = source_by_name(&store, &source).await?;
            let location = GeoPoint::new(lat, lon).map_err(|e| anyhow!("{e}"))?;
            store
                .sources()
                .put_camera(
                    s.id,
                    &Camera {
                        camera_id: camera_id.clone(),
                        location,
                        nearest_address: address,
                        nearest_intersection: intersection,
                    },
                )
                .await?;
            audit(
                &store,
                "admin.camera_saved",
                &[
                    ("source_id", s.id.0.into()),
                    ("camera_id", camera_id.as_str().into()),
                ],
            )
            .await?;
            println!("camera {camera_id} saved for {}", s.name);
        }
        AdminCommand::RecordTraining {
            username,
            course,
            completed_on,
            evidence,
        } => {
            let user = store
                .tenancy()
                .user_by_username(&username)
                .await?
                .ok_or_else(|| anyhow!("no user named '{username}'"))?;
            let agency = user
                .agency_id
                .ok_or_else(|| anyhow!("{username} belongs to no agency"))?;
            let day = time::Date::parse(
                &completed_on,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .context("--completed-on must be YYYY-MM-DD")?;
            record_training(
                &store,
                agency,
                user.id,
                &course,
                day.with_time(time::Time::MIDNIGHT).assume_utc(),
                &evidence,
            )
            .await?;
            println!("training recorded for {username}");
        }
        AdminCommand::ShredAuditKeys {
            agency,
            before: before_year,
        } => {
            let a = agency_id(&store, &agency).await?;
            // The agency's own log says so first: its auditors see that the
            // operator destroyed keys, and which years they covered.
            audit_in(
                &store,
                TenantScope::Agency(a),
                "operator.audit_keys_shredded",
                &[("before_year", before_year.into())],
            )
            .await?;
            let n = store
                .ledger()
                .field_keys()
                .shred(a, before_year, now)
                .await?;
            audit(
                &store,
                "admin.audit_keys_shredded",
                &[
                    ("agency_id", a.0.into()),
                    ("before_year", before_year.into()),
                    ("keys", n.into()),
                ],
            )
            .await?;
            println!("{n} data key(s) of agency {a} destroyed");
        }
        AdminCommand::Offboard { step } => crate::offboard::run(&store, step).await?,
        AdminCommand::List => {
            for a in store.tenancy().agencies().await? {
                println!("agency {:>4}  {}  (seat cap {})", a.id, a.name, a.seat_cap);
            }
            for s in store.sources().all().await? {
                println!(
                    "source {:>4}  {}  [{} in {}]",
                    s.id, s.name, s.kind, s.jurisdiction
                );
            }
        }
    }
    Ok(())
}
