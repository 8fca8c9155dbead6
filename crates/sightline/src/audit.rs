//! `sightline audit …`: the ledger's offline side. `export` writes one log,
//! with its signed checkpoints and proofs, to a JSON Lines file; `verify`
//! checks such a file with nothing but the log's public key (no database,
//! no network) and names the first bad entry; `public-key` prints the key
//! an auditor keeps to do so.

use crate::admin::agency_id;
use crate::serve::open_store;
use crate::settings::Settings;
use anyhow::{Context as _, anyhow, bail};
use clap::{Args, Subcommand};
use sightline_audit::{
    Actor, EntryDraft, NoteVerifier, Outcome, ReadError, SearchExport, Verifier, parse_csv,
    parse_jsonl, parse_sheet, read_export, verify_search_export, write_export,
};
use sightline_core::TenantScope;
use sightline_store::{CheckpointError, Store};
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Export one log, its signed checkpoints and proofs, as JSON Lines.
    Export {
        #[command(flatten)]
        log: LogArg,
        /// Where to write the export.
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify an export offline, given only the log's public key.
    Verify {
        /// The export file.
        export: PathBuf,
        /// The log's public key: a file holding it, or the `vkey` text itself.
        #[arg(long)]
        public_key: String,
        /// A signed checkpoint kept from earlier (a previous export or GET
        /// /api/v1/audit/checkpoint), as a file; the export must extend it.
        #[arg(long)]
        trusted_checkpoint: Vec<PathBuf>,
    },
    /// Print the public key (`vkey`) that verifies a log's checkpoints.
    PublicKey {
        #[command(flatten)]
        log: LogArg,
    },
}

/// Which log: an agency's, or the operator's.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct LogArg {
    /// The agency, by name or id.
    #[arg(long)]
    agency: Option<String>,
    /// The operator's own log.
    #[arg(long)]
    operator: bool,
}

async fn scope(store: &Store, log: &LogArg) -> anyhow::Result<TenantScope> {
    match &log.agency {
        Some(name) => Ok(TenantScope::Agency(agency_id(store, name).await?)),
        None => Ok(TenantScope::Operator),
    }
}

pub async fn run(settings: &Settings, cmd: AuditCommand) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::Export { log, out } => {
            let store = open_store(settings).await?;
            export(&store, scope(&store, &log).await?, &out).await
        }
        AuditCommand::Verify {
            export,
            public_key,
            trusted_checkpoint,
        } => verify(&export, &public_key, &trusted_checkpoint),
        AuditCommand::PublicKey { log } => {
            let store = open_store(settings).await?;
            let key = store
                .ledger()
                .public_key(scope(&store, &log).await?)
                .await?;
            println!("{}", key.vkey());
            Ok(())
        }
    }
}

async fn export(store: &Store, scope: TenantScope, out: &Path) -> anyhow::Result<()> {
    let ledger = store.ledger();
    // The export is itself an audited action (R5.1), covered by the export.
    ledger
        .append(
            EntryDraft::new(scope, Actor::Console, "audit.exported", Outcome::Success)
                .field("file", out.display().to_string()),
        )
        .await
        .map_err(|e| e.0)?;
    match ledger.checkpoint(scope).await {
        Ok(_) => {}
        Err(CheckpointError::Inconsistent { reason, .. }) => eprintln!(
            "warning: the ledger refused to sign a new checkpoint ({reason}); exporting as stored, so that verification shows where"
        ),
        Err(CheckpointError::Other(e)) => return Err(e),
    }
    let key = ledger.public_key(scope).await?;
    let entries = ledger.stored_entries(scope).await?;
    let notes: Vec<String> = ledger
        .checkpoints(scope)
        .await?
        .into_iter()
        .map(|c| c.note)
        .collect();
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut w = BufWriter::new(file);
    write_export(
        &scope.log_id(),
        key.name(),
        &key.vkey(),
        &entries,
        &notes,
        |line| -> anyhow::Result<()> {
            serde_json::to_writer(&mut w, line)?;
            w.write_all(b"\n")?;
            Ok(())
        },
    )?;
    w.flush()
        .with_context(|| format!("writing {}", out.display()))?;
    println!(
        "exported {} entries and {} signed checkpoints of {} to {}",
        entries.len(),
        notes.len(),
        scope.log_id(),
        out.display()
    );
    println!("public key: {}", key.vkey());
    Ok(())
}

fn load_key(arg: &str) -> anyhow::Result<NoteVerifier> {
    let path = Path::new(arg);
    let text = if path.is_file() {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
    } else {
        arg.to_owned()
    };
    NoteVerifier::from_vkey(text.trim()).map_err(|e| anyhow!("public key: {e}"))
}

/// Checks `export` against `public_key` (and checkpoints kept from
/// earlier); an error names the first bad entry.
pub fn verify(export: &Path, public_key: &str, trusted: &[PathBuf]) -> anyhow::Result<()> {
    let key = load_key(public_key)?;
    if let Some(search) = search_export(export)? {
        if !trusted.is_empty() {
            bail!("--trusted-checkpoint applies to a whole-log export, not a search export");
        }
        return verify_search(&search, &key);
    }
    let file =
        std::fs::File::open(export).with_context(|| format!("opening {}", export.display()))?;
    let mut verifier = Verifier::new(&key);
    for t in trusted {
        let note =
            std::fs::read_to_string(t).with_context(|| format!("reading {}", t.display()))?;
        verifier
            .trust(&note)
            .map_err(|f| anyhow!("{}: {f}", t.display()))?;
    }
    read_export(&mut verifier, std::io::BufReader::new(file)).map_err(|e| match e {
        ReadError::Io(e) => anyhow::Error::new(e).context(format!("reading {}", export.display())),
        ReadError::NotALine { line, source } => {
            anyhow::Error::new(source).context(format!("line {line} is not an audit export line"))
        }
        e @ ReadError::Format(_) => anyhow!("{e}"),
    })?;
    match verifier.finish() {
        Ok(v) => {
            println!(
                "verified: {} entries, {} signed checkpoints, tree size {}, root {}",
                v.entries,
                v.checkpoints,
                v.tree_size,
                hex::encode(v.root)
            );
            Ok(())
        }
        Err(f) => bail!("TAMPERED: {f}"),
    }
}

/// A search export (`GET /api/v1/audit/export`, JSON Lines or CSV), if
/// `path` holds one; a whole-log export starts with its header line.
fn search_export(path: &Path) -> anyhow::Result<Option<SearchExport>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(_) if bytes.starts_with(b"PK") => {
            let rows =
                sightline_reports::xlsx_rows(bytes).with_context(|| path.display().to_string())?;
            return parse_sheet(&rows)
                .map(Some)
                .map_err(|f| anyhow!("{}: {f}", path.display()));
        }
        Err(_) => return Ok(None),
    };
    let first: Option<serde_json::Value> = text
        .lines()
        .next()
        .and_then(|l| serde_json::from_str(l).ok());
    let parsed = if first.is_some_and(|v| v.get("type").is_some_and(|t| t == "checkpoint")) {
        parse_jsonl(text)
    } else if text.starts_with("# ") {
        parse_csv(text)
    } else {
        return Ok(None);
    };
    parsed
        .map(Some)
        .map_err(|f| anyhow!("{}: {f}", path.display()))
}

fn verify_search(export: &SearchExport, key: &NoteVerifier) -> anyhow::Result<()> {
    match verify_search_export(export, key) {
        Ok(v) => {
            println!(
                "verified: {} entries in the log signed at tree size {}; {} printed values are the ones the log holds",
                v.entries, v.tree_size, v.values
            );
            if !v.unchecked.is_empty() {
                let list: Vec<String> = v
                    .unchecked
                    .iter()
                    .map(|(seq, f)| format!("seq {seq} {f}"))
                    .collect();
                println!(
                    "not checkable ({}; sealed before commitments existed, or their key was destroyed): {}",
                    v.unchecked.len(),
                    list.join(", ")
                );
            }
            Ok(())
        }
        Err(f) => bail!("TAMPERED: {f}"),
    }
}
