//! `sightline`: the one binary. It serves the API (`serve`), runs a demo
//! deployment with generated data (`demo`), bulk-imports CSV reads
//! (`import`), administers agencies, users and sources (`admin`),
//! exports and verifies audit logs (`audit`), benchmarks (`bench`),
//! migrates the schema (`migrate`), makes master keys (`keygen`), and prints TOTP codes for trying the
//! API from a shell (`totp`).

mod admin;
mod audit;
mod bench;
mod bench_audit;
mod bench_load;
#[cfg(feature = "ocr")]
mod bench_ocr;
mod bench_oversight;
mod bench_report;
mod demo;
mod import;
#[cfg(feature = "ocr")]
mod ocr;
mod offboard;
mod oversight;
mod report;
mod serve;
mod settings;

use clap::{Parser, Subcommand};
use settings::{Overrides, Settings};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "sightline",
    version,
    about = "Sightline: an accountable license plate reader data service"
)]
struct Cli {
    /// TOML settings file (keys: data_dir, database_url, listen, log_format).
    #[arg(long, global = true, env = "SIGHTLINE_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory for the embedded databases and photos [default: ./sightline-data; demo: ./sightline-demo-data].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// PostgreSQL URL; selects the PostgreSQL backend (also SIGHTLINE_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Generate a realistic demo data set (once per data directory) and serve it.
    Demo(demo::DemoArgs),
    /// Bulk-import reads from a CSV file for a registered source.
    Import(import::ImportArgs),
    /// Create agencies, programs, areas of responsibility, users, sources and cameras.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Export an audit log and verify exports offline.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Benchmarks on a throwaway deployment, printed beside a baseline
    /// measured in the same run (never in CI).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Oversight of an agency's users: case-reference rule, review sampling,
    /// misuse flags, the review queue and its report.
    #[command(subcommand)]
    Oversight(oversight::OversightCommand),
    /// Reports for agencies: quarterly statistics as PDF and Excel.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Read the plate and state from photos (tab-separated, one line each).
    #[cfg(feature = "ocr")]
    Ocr(ocr::OcrArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Print a new random master key (32 bytes as 64 hex digits) for
    /// SIGHTLINE_AUDIT_MASTER_KEY.
    Keygen,
    /// Print the current TOTP code for a base32 secret (like oathtool), for
    /// trying the API from a shell.
    Totp {
        /// The secret returned by POST /api/v1/auth/mfa/enroll.
        secret: String,
    },
}

fn init_tracing(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SIGHTLINE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut defaults = Settings::default();
    let listen = match &cli.command {
        Command::Serve { listen } => *listen,
        Command::Demo(args) => {
            defaults.data_dir = PathBuf::from("sightline-demo-data");
            args.listen
        }
        _ => None,
    };
    let overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        listen,
    };
    let settings = Settings::load(cli.config.as_deref(), defaults, &overrides)?;
    init_tracing(&settings.log_format);
    match cli.command {
        Command::Serve { .. } => serve::run(&settings).await,
        Command::Demo(args) => demo::run(&settings, &args).await,
        Command::Import(args) => import::run(&settings, &args).await,
        Command::Admin(cmd) => admin::run(&settings, cmd).await,
        Command::Totp { secret } => {
            let key = sightline_core::totp::decode_secret(secret.trim())
                .ok_or_else(|| anyhow::anyhow!("not a base32 secret"))?;
            let now = sightline_core::Clock::now(&sightline_core::SystemClock);
            let code = sightline_core::totp::code_at(&key, now)
                .ok_or_else(|| anyhow::anyhow!("cannot compute a code"))?;
            println!("{code}");
            Ok(())
        }
        Command::Keygen => {
            println!("{}", sightline_store::generate_master_key()?);
            Ok(())
        }
        Command::Audit(cmd) => audit::run(&settings, cmd).await,
        Command::Report(cmd) => report::run(&settings, cmd).await,
        Command::Oversight(cmd) => oversight::run(&settings, cmd).await,
        Command::Bench(cmd) => bench::run(&settings, cmd).await,
        #[cfg(feature = "ocr")]
        Command::Ocr(args) => ocr::run(&settings, &args),
        Command::Migrate => {
            let store = serve::open_store(&settings).await?;
            println!("schema is up to date ({:?} backend)", store.db.backend());
            Ok(())
        }
    }
}
