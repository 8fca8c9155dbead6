//! Photos, content-addressed by SHA-256. A blob is written to a temporary
//! file, flushed to disk and renamed into place before its id is returned,
//! so a read that names a photo never outlives it.

use anyhow::Context as _;
use sha2::{Digest as _, Sha256};
use sightline_core::read::BlobId;
use std::fmt::Debug;
use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where photo bytes live. The local directory is the default; object
/// storage implements the same trait.
pub trait BlobStore: Send + Sync + Debug {
    /// Stores `bytes` durably (or finds them already stored) and names them.
    fn put(&self, bytes: &[u8]) -> anyhow::Result<BlobId>;
    /// Stores without flushing; call [`BlobStore::flush`] before relying on it.
    /// For bulk loads (demo data), where one flush at the end is enough.
    fn put_unsynced(&self, bytes: &[u8]) -> anyhow::Result<BlobId>;
    fn flush(&self) -> anyhow::Result<()>;
    fn get(&self, id: &BlobId) -> anyhow::Result<Option<Vec<u8>>>;
    /// Deletes a blob for good (contract end); `false` when there was none.
    fn remove(&self, id: &BlobId) -> anyhow::Result<bool>;
    /// Whether a photo could be written now (for `/healthz`): an error
    /// when, say, the disk is full.
    fn probe(&self) -> anyhow::Result<()>;
}

#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
}

pub fn blob_id(bytes: &[u8]) -> BlobId {
    BlobId::from_digest(Sha256::digest(bytes).into())
}

impl LocalBlobStore {
    pub fn open(root: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(root.join("tmp"))
            .with_context(|| format!("creating blob directory {}", root.display()))?;
        Ok(Self {
            root: root.to_owned(),
        })
    }

    fn path_of(&self, id: &BlobId) -> PathBuf {
        let s = id.as_str();
        // One level of 256 directories: enough to keep directories small
        // without paying for tens of thousands of nearly empty ones.
        self.root.join(s.get(0..2).unwrap_or("xx")).join(s)
    }

    fn write(&self, bytes: &[u8], sync: bool) -> anyhow::Result<BlobId> {
        let id = blob_id(bytes);
        let dest = self.path_of(&id);
        if dest.exists() {
            return Ok(id);
        }
        let dir = dest.parent().unwrap_or(&self.root).to_owned();
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let tmp = tempfile_in(&self.root.join("tmp"))?;
        let written = write_file(&tmp, bytes, sync)
            .and_then(|()| fs::rename(&tmp, &dest).context("placing blob"));
        if let Err(e) = written {
            // A full disk must not keep the part that did fit.
            let _ = fs::remove_file(&tmp);
            return Err(e.context(format!("storing blob {}", dest.display())));
        }
        if sync {
            File::open(&dir)
                .and_then(|d| d.sync_all())
                .context("syncing blob directory")?;
        }
        Ok(id)
    }
}

fn write_file(path: &Path, bytes: &[u8], sync: bool) -> anyhow::Result<()> {
    let mut f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes).context("writing blob")?;
    if sync {
        f.sync_all().context("syncing blob")?;
    }
    Ok(())
}

fn tempfile_in(dir: &Path) -> anyhow::Result<PathBuf> {
    let mut rnd = [0u8; 12];
    getrandom::fill(&mut rnd).map_err(|e| anyhow::anyhow!("gathering randomness: {e}"))?;
    Ok(dir.join(hex::encode(rnd)))
}

impl BlobStore for LocalBlobStore {
    fn put(&self, bytes: &[u8]) -> anyhow::Result<BlobId> {
        self.write(bytes, true)
    }

    fn put_unsynced(&self, bytes: &[u8]) -> anyhow::Result<BlobId> {
        self.write(bytes, false)
    }

    fn flush(&self) -> anyhow::Result<()> {
        // `sync -f` asks the kernel to flush the whole file system holding the
        // blob directory (syncfs), which is what a bulk load needs.
        let status = std::process::Command::new("sync")
            .arg("-f")
            .arg(&self.root)
            .status()
            .context("running sync")?;
        anyhow::ensure!(status.success(), "sync -f {} failed", self.root.display());
        Ok(())
    }

    fn get(&self, id: &BlobId) -> anyhow::Result<Option<Vec<u8>>> {
        match fs::read(self.path_of(id)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).context("reading blob"),
        }
    }

    fn remove(&self, id: &BlobId) -> anyhow::Result<bool> {
        let path = self.path_of(id);
        match fs::remove_file(&path) {
            Ok(()) => {
                // The unlink itself is made durable, like a write.
                if let Some(dir) = path.parent() {
                    File::open(dir).and_then(|d| d.sync_all()).ok();
                }
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e).context("removing blob"),
        }
    }

    fn probe(&self) -> anyhow::Result<()> {
        // As much as a small photo, written the way one is, then removed.
        let tmp = tempfile_in(&self.root.join("tmp"))?;
        let written = write_file(&tmp, &[0u8; 16 * 1024], false);
        let _ = fs::remove_file(&tmp);
        written.context("probing the photo directory")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_addressed_and_deduplicated() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::open(dir.path()).unwrap();
        let a = store.put(b"photo").unwrap();
        let b = store.put(b"photo").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), crate::credentials::sha256_hex(b"photo"));
        assert_eq!(store.get(&a).unwrap().as_deref(), Some(&b"photo"[..]));
        let missing = blob_id(b"other");
        assert_eq!(store.get(&missing).unwrap(), None);
    }
}
