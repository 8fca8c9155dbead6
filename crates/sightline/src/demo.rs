//! `sightline demo`: a complete deployment with generated data, ready to try.
//!
//! The first run in a data directory generates everything (agencies,
//! programs, users, sources of all four kinds with their cameras, and a few
//! hundred thousand reads with rendered photos); later runs reuse it. Then it
//! serves, printing the demo credentials.

use crate::admin::{UserSpec, create_agency, create_source, create_user, record_training};
use crate::serve::{open_store, serve_store};
use crate::settings::Settings;
use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::{ExposeSecret as _, SecretString};
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::read::{BlobId, NewRead};
use sightline_core::text::read_text::{PlaceText, SourceReadId};
use sightline_core::{AgencyZone, Role, TenantScope};
use sightline_demo::{DemoPlan, DemoRead, VehicleLook, render_plate_png, render_vehicle_scene};
use sightline_store::{Camera, Store};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// How many reads to generate on first run.
    #[arg(long, default_value_t = DemoPlan::DEFAULT_READS)]
    pub reads: usize,
    /// Generator seed: the same seed gives the same data.
    #[arg(long, default_value_t = 20_261_121)]
    pub seed: u64,
    /// Generate (if needed) and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// The password of every demo account. Demo only: `serve` never creates accounts.
pub const DEMO_PASSWORD: &str = "demo-sightline-2026";
const GENERATED_KEY: &str = "demo.generated_at";
const CREDENTIALS_FILE: &str = "demo-credentials.txt";

struct DemoUser {
    username: &'static str,
    role: Role,
    agency: usize,
    aor: Option<&'static str>,
    program: Option<&'static str>,
    name: &'static str,
}

/// The agencies and the time zones their reports use.
const AGENCIES: [(&str, &str); 2] = [
    ("Demo Federal Agency", "America/New_York"),
    ("Demo County Sheriff", "America/Chicago"),
];
const AORS: [(usize, &str); 3] = [(0, "Philadelphia"), (0, "Chicago"), (1, "County")];

const USERS: &[DemoUser] = &[
    DemoUser {
        username: "hsi.jones",
        role: Role::Investigator,
        agency: 0,
        aor: Some("Philadelphia"),
        program: Some("HSI"),
        name: "Special Agent Dana Jones",
    },
    DemoUser {
        username: "hsi.smith",
        role: Role::Investigator,
        agency: 0,
        aor: Some("Philadelphia"),
        program: Some("HSI"),
        name: "Officer Pat Smith",
    },
    DemoUser {
        username: "ero.garcia",
        role: Role::Investigator,
        agency: 0,
        aor: Some("Chicago"),
        program: Some("ERO"),
        name: "Officer Luis Garcia",
    },
    DemoUser {
        username: "manager",
        role: Role::AgencyManager,
        agency: 0,
        aor: Some("Philadelphia"),
        program: None,
        name: "Supervisor Morgan Lee",
    },
    DemoUser {
        username: "auditor",
        role: Role::Auditor,
        agency: 0,
        aor: None,
        program: None,
        name: "OPR Auditor Sam Reyes",
    },
    DemoUser {
        username: "county.investigator",
        role: Role::Investigator,
        agency: 1,
        aor: Some("County"),
        program: Some("HSI"),
        name: "Detective Kim Park",
    },
];

/// Where the demo keeps the master key it made (mode 0600).
const MASTER_KEY_FILE: &str = "master.key";

/// The demo's master key: the configured one, else the one in its data
/// directory, made there (readable by its owner only) on the first run.
fn demo_master_key(settings: &Settings) -> anyhow::Result<SecretString> {
    if let Some(k) = &settings.audit_master_key {
        return Ok(k.clone());
    }
    let path = settings.data_dir.join(MASTER_KEY_FILE);
    if !path.exists() {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating {}", settings.data_dir.display()))?;
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let mut file = open
            .open(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        let key = sightline_store::generate_master_key()?;
        std::io::Write::write_all(&mut file, format!("{key}\n").as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        println!(
            "Made a master key for the demo in {} (mode 0600).",
            path.display()
        );
    }
    println!(
        "The demo's master key is in {}: keep it with the data directory; to serve this data \
         with `sightline serve`, set SIGHTLINE_AUDIT_MASTER_KEY=$(cat {}).",
        path.display(),
        path.display()
    );
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the master key in {}", path.display()))?;
    Ok(SecretString::from(text.trim().to_owned()))
}

pub async fn run(settings: &Settings, args: &DemoArgs) -> anyhow::Result<()> {
    let mut settings = settings.clone();
    settings.audit_master_key = Some(demo_master_key(&settings)?);
    let settings = &settings;
    let store = open_store(settings).await?;
    let credentials = settings.data_dir.join(CREDENTIALS_FILE);
    match store.settings().get(GENERATED_KEY).await? {
        Some(at) => println!(
            "Using the demo data generated at {at} in {}",
            settings.data_dir.display()
        ),
        None => {
            let text = generate(&store, args).await?;
            std::fs::write(&credentials, text)
                .with_context(|| format!("writing {}", credentials.display()))?;
        }
    }
    let text = std::fs::read_to_string(&credentials).unwrap_or_default();
    println!("\n{text}");
    // With no relay, the demo's mail (registration keys, temporary
    // passwords, alert emails) lands as files a person can open.
    let mut settings = settings.clone();
    if settings.smtp_url.is_none() && settings.mail_dir.is_none() {
        settings.mail_dir = Some(settings.data_dir.join("mail"));
    }
    if let Some(dir) = settings
        .mail_dir
        .as_ref()
        .filter(|_| settings.smtp_url.is_none())
    {
        println!(
            "Email goes to {} as .eml files, one per message (set smtp_url to send it instead).",
            dir.display()
        );
    }
    write_sample_photos(&settings.data_dir)?;
    if args.no_serve {
        return Ok(());
    }
    serve_store(&settings, store).await
}

/// Close-ups of the seed query's plate and one other, to try "Read plate
/// from photo" with (the demo's plates are rendered, like its reads'
/// photos). Written on every start; they are not reads and not in the store.
fn write_sample_photos(data_dir: &std::path::Path) -> anyhow::Result<()> {
    let dir = data_dir.join("sample-photos");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for (plate, state) in [("ABC123", "PA"), ("7ABC123", "CA")] {
        let (Ok(p), Ok(j)) = (
            sightline_core::Plate::parse(plate),
            sightline_core::Jurisdiction::parse(state),
        ) else {
            continue;
        };
        let path = dir.join(format!("{plate}-{state}.png"));
        std::fs::write(&path, sightline_demo::render_plate_png(&p, j))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    println!(
        "Plate photos to try \"Read plate from photo\" with are in {}.",
        dir.display()
    );
    Ok(())
}

async fn generate(store: &Store, args: &DemoArgs) -> anyhow::Result<String> {
    let now = store.clock.now();
    let mut out = String::new();
    writeln!(out, "Demo accounts (password for all: {DEMO_PASSWORD}):")?;
    let mut agency_ids = Vec::new();
    for (name, zone) in AGENCIES {
        let zone = AgencyZone::parse(zone).map_err(|v| anyhow::anyhow!(v.message))?;
        agency_ids.push(create_agency(store, name, 50, &zone, false).await?);
    }
    for (a, name) in AORS {
        if let Some(id) = agency_ids.get(a) {
            store.tenancy().create_aor(*id, name).await?;
        }
    }
    let password = SecretString::from(DEMO_PASSWORD.to_owned());
    create_user(
        store,
        UserSpec {
            username: "operator",
            role: Role::OperatorAdmin,
            agency: None,
            aor: None,
            program: None,
            email: "operator@sightline.invalid",
            name: "Operator Admin",
        },
        &password,
    )
    .await?;
    writeln!(out, "  operator              operator_admin")?;
    for u in USERS {
        let agency = agency_ids.get(u.agency).copied();
        let email = format!("{}@demo-agency.invalid", u.username);
        let agency_id = agency.ok_or_else(|| anyhow::anyhow!("demo user without agency"))?;
        create_user(
            store,
            UserSpec {
                username: u.username,
                role: u.role,
                agency,
                aor: u.aor,
                program: u.program,
                email: &email,
                name: u.name,
            },
            &password,
        )
        .await?;
        let id = store
            .tenancy()
            .user_by_username(u.username)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo user vanished"))?
            .id;
        record_training(
            store,
            agency_id,
            id,
            "Sightline privacy and rules of behavior",
            now - time::Duration::days(30),
            "demo LMS certificate",
        )
        .await?;
        writeln!(
            out,
            "  {:<21} {:<15} {} {}",
            u.username,
            u.role.as_str(),
            AGENCIES.get(u.agency).map_or("", |a| a.0),
            u.program.unwrap_or("")
        )?;
    }

    let world = sightline_demo::world();
    let mut source_ids = HashMap::new();
    writeln!(
        out,
        "\nIngest keys of the demo sources (also usable with the API):"
    )?;
    for s in &world.sources {
        let place = format!("{}, {}", s.metro, s.jurisdiction.name());
        let (id, key) = create_source(store, &s.name, s.kind, s.jurisdiction, &place).await?;
        source_ids.insert(s.key.clone(), (id, s.jurisdiction));
        writeln!(out, "  {:<48} {}", s.name, key.expose_secret())?;
    }
    for c in &world.cameras {
        if let Some((id, _)) = source_ids.get(&c.source_key) {
            store
                .sources()
                .put_camera(
                    *id,
                    &Camera {
                        camera_id: c.camera_id.clone(),
                        location: c.location,
                        nearest_address: c.nearest_address.clone(),
                        nearest_intersection: c.nearest_intersection.clone(),
                    },
                )
                .await?;
        }
    }

    let plan = DemoPlan {
        reads: args.reads,
        ..DemoPlan::new(args.seed, now)
    };
    let bar = ProgressBar::new(u64::try_from(plan.reads).unwrap_or(0));
    bar.set_style(
        ProgressStyle::with_template(
            "generating reads {wide_bar} {pos}/{len} [{elapsed_precise}, eta {eta}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut photos = PhotoCache::default();
    let mut batch: Vec<NewRead> = Vec::with_capacity(2_000);
    let mut total = 0usize;
    for r in sightline_demo::reads(&world, &plan) {
        let Some((source_id, collected_in)) = source_ids.get(&r.source_key).copied() else {
            continue;
        };
        let (vehicle_photo, plate_photo) = photos.for_read(store, &r)?;
        batch.push(NewRead {
            source_id,
            source_read_id: SourceReadId::parse(&r.source_read_id)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            collected_in,
            plate: r.plate.clone(),
            jurisdiction: r.jurisdiction,
            captured_at: r.captured_at,
            location: r.location,
            nearest_address: PlaceText::parse(&r.nearest_address)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            nearest_intersection: PlaceText::parse(&r.nearest_intersection)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            vehicle_photo,
            plate_photo,
            vehicle: None,
        });
        if batch.len() == batch.capacity() {
            seed_reads(store, &batch, now).await?;
            total += batch.len();
            bar.inc(u64::try_from(batch.len()).unwrap_or(0));
            batch.clear();
        }
    }
    store.blobs.flush()?;
    seed_reads(store, &batch, now).await?;
    total += batch.len();
    bar.finish_and_clear();
    store
        .settings()
        .put(
            GENERATED_KEY,
            &now.replace_nanosecond(0)
                .unwrap_or(now)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        )
        .await?;
    store
        .ledger()
        .append(
            EntryDraft::new(
                TenantScope::Operator,
                Actor::Console,
                "demo.generated",
                Outcome::Success,
            )
            .field("reads", total)
            .field("sources", world.sources.len())
            .field("cameras", world.cameras.len()),
        )
        .await?;
    writeln!(
        out,
        "\n{total} reads from {} sources ({} cameras) in {} metro areas.",
        world.sources.len(),
        world.cameras.len(),
        world.metros.len()
    )?;
    writeln!(
        out,
        "Open the web app (the URL below) in a browser and sign in as hsi.jones. The first sign-in\n\
         sets up an authenticator: scan the QR code, or run `sightline totp SECRET` for a code.\n\
         Try the seed's example: plate ABC123, state PA, reason criminal-investigation,\n\
         self, \"Subject name John Doe, case number 12345678\", previous 60 days."
    )?;
    Ok(out)
}

/// Renders each distinct photo once; the blob store dedupes what repeats.
#[derive(Default)]
struct PhotoCache {
    plates: HashMap<(String, &'static str), BlobId>,
    vehicles: HashMap<(VehicleLook, &'static str, &'static str, u8), BlobId>,
}

impl PhotoCache {
    fn for_read(&mut self, store: &Store, r: &DemoRead) -> anyhow::Result<(BlobId, BlobId)> {
        let pkey = (r.plate.as_str().to_owned(), r.jurisdiction.code());
        let plate = match self.plates.get(&pkey) {
            Some(b) => b.clone(),
            None => {
                let b = store
                    .blobs
                    .put_unsynced(&render_plate_png(&r.plate, r.jurisdiction))?;
                self.plates.insert(pkey, b.clone());
                b
            }
        };
        // The scene depends on the vehicle's look, the plate colours of its
        // state, the kind of camera and one of four backdrops chosen by
        // camera (see sightline_demo::render_vehicle_png), not on the plate.
        let variant = u8::try_from(sightline_demo::prng::hash_str(&r.camera_id) % 4).unwrap_or(0);
        let vkey = (
            r.vehicle,
            r.jurisdiction.code(),
            r.source_kind.as_str(),
            variant,
        );
        let vehicle = match self.vehicles.get(&vkey) {
            Some(b) => b.clone(),
            None => {
                let b = store.blobs.put_unsynced(&render_vehicle_scene(
                    &r.vehicle,
                    r.jurisdiction,
                    r.source_kind,
                    variant,
                ))?;
                self.vehicles.insert(vkey, b.clone());
                b
            }
        };
        Ok((vehicle, plate))
    }
}

/// Stores seeded history. It was never ingested, so it is not left for the
/// alert matcher: a list made in the demo matches what arrives after it.
async fn seed_reads(
    store: &Store,
    batch: &[NewRead],
    now: time::OffsetDateTime,
) -> anyhow::Result<()> {
    let outcomes = store.reads.insert_batch(batch, now).await?;
    let inserted: Vec<_> = outcomes
        .into_iter()
        .filter_map(|o| match o {
            sightline_store::InsertOutcome::Inserted(id) => Some(id),
            sightline_store::InsertOutcome::Duplicate(_) => None,
        })
        .collect();
    store.reads.matched(&inserted).await
}
