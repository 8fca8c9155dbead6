//! From parsed records to stored reads: the part of ingest shared by the
//! HTTP endpoints and the CLI's CSV importer.
//!
//! For each record: jurisdiction policy (collection allowed? within
//! retention?), per-camera completion, photo resolution and checking. Valid
//! records' photos are written to the blob store and flushed once, then the
//! reads are inserted in one durable transaction. A bad record never stops
//! the good ones beside it; each is reported by its index.

use crate::agents::{Advance, AgentRuntime, Deps, advance, put_blob};
use crate::alerts::Notifier;
use crate::dto::{IngestItem, IngestReport, IngestStatus};
use crate::error::ApiError;
use crate::metrics::{Metrics, OutcomeLabel};
use anyhow::Context as _;
use bytes::Bytes;
use sightline_audit::{Actor, EntryDraft, Outcome};
use sightline_core::read::NewRead;
use sightline_core::text::read_text::PlaceText;
use sightline_core::{TenantScope, Violation};
use sightline_ingest::{
    AgentPhoto, CameraSite, Parsed, PhotoData, ReadDraft, check_photo, codes, complete,
};
use sightline_store::{AgentFetch, InsertOutcome, PendingBody, SourceRecord, Store};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// Where photo references in a batch point.
#[derive(Debug, Default)]
pub struct PhotoSources {
    /// Multipart parts by name. Every record naming a part shares its one
    /// buffer.
    pub parts: HashMap<String, Bytes>,
    /// The directory CSV photo paths are relative to (CLI only).
    pub base_dir: Option<PathBuf>,
    /// Fetches OpenALPR agents' photos (HTTP only); without it a record
    /// naming an agent photo is refused as lacking that photo.
    pub agents: Option<AgentRuntime>,
}

fn is_agent(d: &PhotoData) -> bool {
    matches!(d, PhotoData::Agent(_))
}

fn agent_fetch(d: &PhotoData) -> Option<AgentFetch> {
    match d {
        PhotoData::Agent(AgentPhoto::Frame(uuid)) => Some(AgentFetch {
            uuid: uuid.clone(),
            crop: None,
        }),
        PhotoData::Agent(AgentPhoto::Crop(uuid, b)) => Some(AgentFetch {
            uuid: uuid.clone(),
            crop: Some(*b),
        }),
        _ => None,
    }
}

/// A record that names an agent photo, from a source with no agent image
/// service registered: the photo cannot be had.
fn no_agent(draft: &ReadDraft) -> Vec<Violation> {
    let accepting = "the photo in the message (vehicle_crop_jpeg or overview_jpeg; best_plate.plate_crop_jpeg), or an agent image service registered for the source";
    [
        (&draft.vehicle_photo, codes::VEHICLE_PHOTO_REQUIRED, "vehicle_photo", "vehicle photo"),
        (&draft.plate_photo, codes::PLATE_PHOTO_REQUIRED, "plate_photo", "plate crop"),
    ]
    .into_iter()
    .filter(|(d, ..)| is_agent(d))
    .map(|(_, code, field, what)| {
        Violation::new(
            code,
            field,
            format!("the message carries no {what}, and no agent image service is registered for this source to fetch it from"),
        )
        .accepting(accepting)
    })
    .collect()
}

/// A record waiting on the agent: its draft, and the photos it carried.
type Waiting = (usize, ReadDraft, Option<Bytes>, Option<Bytes>);

/// A record's photo bytes: its own where inline, else a handle on the
/// multipart part it names (never a copy) or the file read.
pub(crate) fn resolve_photo(
    field: &str,
    data: PhotoData,
    sources: &PhotoSources,
) -> Result<Bytes, Violation> {
    let bytes = match data {
        PhotoData::Inline(b) => return Ok(Bytes::from(b)),
        PhotoData::Agent(_) => {
            return Err(Violation::new(
                "photo_not_fetched",
                field,
                "the photo is on the agent and was not fetched",
            ));
        }
        PhotoData::Part(name) => sources.parts.get(&name).cloned().ok_or_else(|| {
            Violation::new(
                "photo_part_missing",
                field,
                format!("no multipart part named '{name}' was sent"),
            )
            .accepting("the name of a file part sent in the same multipart request")
        })?,
        PhotoData::Path(p) => {
            let base = sources.base_dir.as_deref().unwrap_or(Path::new("."));
            let full = base.join(&p);
            Bytes::from(std::fs::read(&full).map_err(|e| {
                Violation::new(
                    "photo_file_unreadable",
                    field,
                    format!("cannot read {}: {e}", full.display()),
                )
            })?)
        }
    };
    check_photo(field, &bytes)?;
    Ok(bytes)
}

fn camera_sites(cameras: &HashMap<String, sightline_store::Camera>) -> HashMap<String, CameraSite> {
    cameras
        .iter()
        .filter_map(|(id, c)| {
            Some((
                id.clone(),
                CameraSite {
                    location: c.location,
                    nearest_address: PlaceText::parse(&c.nearest_address).ok()?,
                    nearest_intersection: PlaceText::parse(&c.nearest_intersection).ok()?,
                },
            ))
        })
        .collect()
}

fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 3_600 => format!("{} minutes", s / 60),
        s if s < 86_400 * 2 => format!("{} hours", s / 3_600),
        s => format!("{} days", s / 86_400),
    }
}

/// Who sent a batch, and how.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    pub source: &'a SourceRecord,
    /// The source itself over HTTP, or the console for CLI imports.
    pub actor: Actor,
    /// `json`, `ndjson`, `multipart`, `openalpr` or `csv`, for the log.
    pub format: &'a str,
}

/// Stores the valid records of one batch, queues them for the matcher (and
/// wakes it), and reports on every record. Nothing in the report, or in
/// the operator's `ingest.batch` entry, depends on the alert lists.
pub async fn ingest(
    store: &Store,
    metrics: &Metrics,
    notifier: &Notifier,
    origin: Origin<'_>,
    parsed: Parsed,
    photos: &PhotoSources,
    now: OffsetDateTime,
) -> Result<IngestReport, ApiError> {
    let Origin {
        source,
        actor,
        format,
    } = origin;
    let policy = store.policies().get(source.jurisdiction).await?;
    let sites = camera_sites(&store.sources().cameras(source.id).await?);

    let mut items: Vec<IngestItem> = parsed
        .errors
        .into_iter()
        .map(|e| IngestItem {
            index: e.index,
            status: IngestStatus::Rejected,
            source_read_id: e.source_read_id,
            read_id: None,
            errors: e.violations,
            pending_reason: None,
        })
        .collect();

    let mut accepted: Vec<(usize, ReadDraft, Bytes, Bytes)> = Vec::new();
    let mut waiting: Vec<Waiting> = Vec::new();
    let mut service = None;
    for (index, record) in parsed.records {
        let source_read_id = record.source_read_id.as_str().to_owned();
        let mut reject = |errors: Vec<Violation>| {
            items.push(IngestItem {
                index,
                status: IngestStatus::Rejected,
                source_read_id: Some(source_read_id.clone()),
                read_id: None,
                errors,
                pending_reason: None,
            })
        };
        if !policy.collection_allowed {
            reject(vec![Violation::new(
                "collection_not_allowed",
                "source",
                format!(
                    "{} does not allow reads to be collected there, so {} cannot contribute reads",
                    source.jurisdiction.name(),
                    source.name
                ),
            )]);
            continue;
        }
        if record.captured_at < now - policy.retention() {
            reject(vec![
                Violation::new(
                    "retention_expired",
                    "captured_at",
                    format!(
                        "reads collected in {} may be kept for {}; this one is older",
                        source.jurisdiction.name(),
                        human_duration(policy.retention_secs)
                    ),
                )
                .accepting(format!("a capture time after {}", now - policy.retention())),
            ]);
            continue;
        }
        let site = record.camera_id.as_ref().and_then(|c| sites.get(c));
        if let (Some(cam), None, None) = (&record.camera_id, site, record.location) {
            reject(vec![
                Violation::new(
                    "camera_unknown",
                    "camera_id",
                    format!("camera '{cam}' is not registered for {}, and the read carries no location", source.name),
                )
                .accepting("a camera registered for this source, or a read with its own location and addresses"),
            ]);
            continue;
        }
        let draft = match complete(record, site) {
            Ok(d) => d,
            Err(errors) => {
                reject(errors);
                continue;
            }
        };
        if is_agent(&draft.vehicle_photo) || is_agent(&draft.plate_photo) {
            if service.is_none() {
                service = Some(store.agents().service(source.id).await?);
            }
            if photos.agents.is_none() || service.as_ref().is_some_and(Option::is_none) {
                reject(no_agent(&draft));
                continue;
            }
            let carried = |field, d: &PhotoData| {
                (!is_agent(d)).then(|| resolve_photo(field, d.clone(), photos))
            };
            let v = carried("vehicle_photo", &draft.vehicle_photo).transpose();
            let p = carried("plate_photo", &draft.plate_photo).transpose();
            match (v, p) {
                (Ok(v), Ok(p)) => waiting.push((index, draft, v, p)),
                (v, p) => reject(v.err().into_iter().chain(p.err()).collect()),
            }
            continue;
        }
        let vehicle = resolve_photo("vehicle_photo", draft.vehicle_photo.clone(), photos);
        let plate = resolve_photo("plate_photo", draft.plate_photo.clone(), photos);
        match (vehicle, plate) {
            (Ok(v), Ok(p)) => accepted.push((index, draft, v, p)),
            (v, p) => reject(v.err().into_iter().chain(p.err()).collect()),
        }
    }

    // Photos first, flushed, so no stored read names a photo that a crash lost.
    let blobs = store.blobs.clone();
    let photo_bytes: Vec<(Bytes, Bytes)> = accepted
        .iter_mut()
        .map(|(_, _, v, p)| (std::mem::take(v), std::mem::take(p)))
        .collect();
    let blob_ids = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<_>> {
        let ids = photo_bytes
            .iter()
            .map(|(v, p)| Ok((blobs.put_unsynced(v)?, blobs.put_unsynced(p)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if !ids.is_empty() {
            blobs.flush()?;
        }
        Ok(ids)
    })
    .await
    .context("storing photos")??;

    let new_reads: Vec<NewRead> = accepted
        .iter()
        .zip(blob_ids)
        .map(|((_, d, _, _), (vehicle_photo, plate_photo))| NewRead {
            source_id: source.id,
            source_read_id: d.source_read_id.clone(),
            collected_in: source.jurisdiction,
            plate: d.plate.clone(),
            jurisdiction: d.jurisdiction,
            captured_at: d.captured_at,
            location: d.location,
            nearest_address: d.nearest_address.clone(),
            nearest_intersection: d.nearest_intersection.clone(),
            vehicle_photo,
            plate_photo,
            vehicle: d.vehicle.clone(),
        })
        .collect();
    // Matching waits for the matcher, after the response (issue 15): the
    // inserted reads were queued for it in the insert's transaction.
    let outcomes = store.reads.insert_batch(&new_reads, now).await?;
    for ((index, draft, _, _), outcome) in accepted.iter().zip(outcomes) {
        let (status, id) = match outcome {
            InsertOutcome::Inserted(id) => (IngestStatus::Accepted, id),
            InsertOutcome::Duplicate(id) => (IngestStatus::Duplicate, id),
        };
        items.push(IngestItem {
            index: *index,
            status,
            source_read_id: Some(draft.source_read_id.as_str().to_owned()),
            read_id: Some(id.0),
            errors: Vec::new(),
            pending_reason: None,
        });
    }
    if let (Some(runtime), Some(Some(service))) = (&photos.agents, &service) {
        let deps = Deps {
            store,
            metrics,
            notifier,
            runtime,
        };
        for w in waiting {
            items.push(wait_for_agent(deps, source, service, w, now).await?);
        }
    }
    items.sort_by_key(|i| i.index);

    let count = |s| items.iter().filter(|i| i.status == s).count();
    let report = IngestReport {
        accepted: count(IngestStatus::Accepted),
        duplicates: count(IngestStatus::Duplicate),
        rejected: count(IngestStatus::Rejected),
        pending_photos: count(IngestStatus::PendingPhotos),
        results: items,
        heartbeat: None,
    };
    for (outcome, n) in [
        ("accepted", report.accepted),
        ("duplicate", report.duplicates),
        ("rejected", report.rejected),
        ("pending_photos", report.pending_photos),
    ] {
        metrics
            .reads_ingested
            .get_or_create(&OutcomeLabel { outcome })
            .inc_by(u64::try_from(n).unwrap_or(0));
    }
    store
        .ledger()
        .append(
            EntryDraft::new(
                TenantScope::Operator,
                actor,
                "ingest.batch",
                Outcome::Success,
            )
            .field("source_id", source.id.0)
            .field("source", source.name.as_str())
            .field("format", format)
            .field("accepted", report.accepted)
            .field("duplicates", report.duplicates)
            .field("rejected", report.rejected)
            .field("pending_photos", report.pending_photos),
        )
        .await?;
    notifier.matcher.notify_one();
    Ok(report)
}

/// A record whose photos are on the agent: recorded as pending (durably,
/// once per source read id), then tried at once. Returns its report item.
async fn wait_for_agent(
    deps: Deps<'_>,
    source: &SourceRecord,
    service: &sightline_store::AgentService,
    (index, draft, vehicle, plate): Waiting,
    now: OffsetDateTime,
) -> Result<IngestItem, ApiError> {
    let store = deps.store;
    let sid = draft.source_read_id.as_str().to_owned();
    let item = |status, read_id: Option<i64>, errors, pending_reason| IngestItem {
        index,
        status,
        source_read_id: Some(sid.clone()),
        read_id,
        errors,
        pending_reason,
    };
    if let Some(id) = store.reads.id_of(source.id, &sid).await? {
        return Ok(item(IngestStatus::Duplicate, Some(id.0), vec![], None));
    }
    let vehicle_blob = match vehicle {
        Some(bytes) => Some(put_blob(store, bytes).await?),
        None => None,
    };
    let plate_blob = match plate {
        Some(bytes) => Some(put_blob(store, bytes).await?),
        None => None,
    };
    let body = PendingBody {
        collected_in: source.jurisdiction,
        plate: draft.plate.clone(),
        jurisdiction: draft.jurisdiction,
        captured_at: draft.captured_at,
        location: draft.location,
        nearest_address: draft.nearest_address.clone(),
        nearest_intersection: draft.nearest_intersection.clone(),
        vehicle: draft.vehicle.clone(),
        vehicle_fetch: agent_fetch(&draft.vehicle_photo),
        plate_fetch: agent_fetch(&draft.plate_photo),
    };
    let lease = crate::agents::lease(deps.runtime.settings());
    let (id, new) = store
        .agents()
        .enqueue(
            source.id,
            &draft.source_read_id,
            &body,
            (vehicle_blob.as_ref(), plate_blob.as_ref()),
            now,
            now + lease,
        )
        .await?;
    let waiting = |reason: String| item(IngestStatus::PendingPhotos, None, vec![], Some(reason));
    if !new {
        // Already waiting: the worker has it; a resend changes nothing.
        return Ok(waiting("already waiting for the agent's photos".to_owned()));
    }
    let Some(pending) = store.agents().get(id).await? else {
        return Ok(waiting("waiting for the agent's photos".to_owned()));
    };
    Ok(
        match advance(deps, source, Some(service), pending, now).await? {
            Advance::Stored { outcome } => {
                let (status, id) = match outcome {
                    InsertOutcome::Inserted(id) => (IngestStatus::Accepted, id),
                    InsertOutcome::Duplicate(id) => (IngestStatus::Duplicate, id),
                };
                item(status, Some(id.0), vec![], None)
            }
            Advance::Waiting { reason } => waiting(reason),
            Advance::Refused { reason } => item(
                IngestStatus::Rejected,
                None,
                vec![Violation::new("photos_unavailable", "photos", reason)],
                None,
            ),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_naming_one_part_share_its_buffer() {
        let mut photo = b"\x89PNG\r\n\x1a\n".to_vec();
        photo.resize(64 * 1024, 7);
        let part = Bytes::from(photo);
        let sources = PhotoSources {
            parts: HashMap::from([("shared".to_owned(), part.clone())]),
            ..PhotoSources::default()
        };
        let named = || PhotoData::Part("shared".to_owned());
        let photos: Vec<Bytes> = (0..100)
            .map(|_| resolve_photo("vehicle_photo", named(), &sources).unwrap())
            .collect();
        // A hundred records, one allocation: every handle points into it.
        assert!(photos.iter().all(|p| p.as_ptr() == part.as_ptr()));
        assert!(photos.iter().all(|p| p.len() == part.len()));
        let missing = resolve_photo("plate_photo", PhotoData::Part("nope".into()), &sources);
        assert_eq!(missing.unwrap_err().code, "photo_part_missing");
    }
}
