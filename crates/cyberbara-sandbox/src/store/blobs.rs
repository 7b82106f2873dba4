//! Blob metadata in the database; bytes under `blobs/` in the data dir, or in memory.

use bytes::Bytes;
use rusqlite::{params, OptionalExtension};
use std::path::{Path, PathBuf};

use super::{Blobs, Store, StoreError};

#[derive(Debug, Clone)]
pub(crate) struct BlobMeta {
    pub content_type: String,
    pub size: u64,
}

impl Store {
    pub(crate) fn blob_meta(&self, key: &str) -> Result<Option<BlobMeta>, StoreError> {
        let db = self.db()?;
        Ok(db
            .query_row(
                "SELECT content_type, size FROM blobs WHERE key = ?1",
                params![key],
                |r| {
                    Ok(BlobMeta {
                        content_type: r.get(0)?,
                        size: r.get::<_, i64>(1)?.max(0) as u64,
                    })
                },
            )
            .optional()?)
    }

    /// Returns false when another request recorded the same key first (same bytes).
    fn record_blob(&self, key: &str, content_type: &str, size: u64) -> Result<bool, StoreError> {
        let db = self.db()?;
        let inserted = db.execute(
            "INSERT OR IGNORE INTO blobs (key, content_type, size, created_ms) VALUES (?1, ?2, ?3, ?4)",
            params![key, content_type, size as i64, self.now_ms()],
        )?;
        Ok(inserted == 1)
    }

    /// Forgets a blob and deletes its bytes (the uploads of a request that failed).
    pub(crate) fn remove_blob(&self, key: &str) -> Result<(), StoreError> {
        self.db()?
            .execute("DELETE FROM blobs WHERE key = ?1", params![key])?;
        match &self.blobs {
            Blobs::Disk(_) => {
                let path = self.blob_path(key).ok_or(StoreError::Poisoned)?;
                match std::fs::remove_file(path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                }
            }
            Blobs::Memory(map) => {
                map.lock().map_err(|_| StoreError::Poisoned)?.remove(key);
            }
        }
        Ok(())
    }

    /// The path of a blob on disk, when blobs live on disk.
    pub(crate) fn blob_path(&self, key: &str) -> Option<PathBuf> {
        match &self.blobs {
            Blobs::Disk(root) => Some(root.join("blobs").join(key)),
            Blobs::Memory(_) => None,
        }
    }

    /// Where an upload in progress is written before its hash (and so its key) is known.
    pub(crate) fn incoming_path(&self) -> Option<PathBuf> {
        match &self.blobs {
            Blobs::Disk(root) => Some(root.join("incoming").join(uuid::Uuid::new_v4().to_string())),
            Blobs::Memory(_) => None,
        }
    }

    pub(crate) fn memory_blob(&self, key: &str) -> Option<Bytes> {
        match &self.blobs {
            Blobs::Memory(map) => map.lock().ok()?.get(key).cloned(),
            Blobs::Disk(_) => None,
        }
    }

    /// Stores bytes under `key`. Returns false when the key already existed (content
    /// addressing makes the old bytes identical).
    pub(crate) fn put_blob(
        &self,
        key: &str,
        content_type: &str,
        bytes: Bytes,
    ) -> Result<bool, StoreError> {
        if self.blob_meta(key)?.is_some() {
            return Ok(false);
        }
        let size = bytes.len() as u64;
        match &self.blobs {
            Blobs::Disk(_) => {
                let path = self.blob_path(key).ok_or(StoreError::Poisoned)?;
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let tmp = path.with_extension("partial");
                std::fs::write(&tmp, &bytes)?;
                std::fs::rename(&tmp, &path)?;
            }
            Blobs::Memory(map) => {
                map.lock()
                    .map_err(|_| StoreError::Poisoned)?
                    .insert(key.to_string(), bytes);
            }
        }
        self.record_blob(key, content_type, size)
    }

    /// Moves a finished incoming file into place under `key`. Returns false (and deletes
    /// the incoming file) when the key already existed.
    pub(crate) fn adopt_incoming(
        &self,
        incoming: &Path,
        key: &str,
        content_type: &str,
        size: u64,
    ) -> Result<bool, StoreError> {
        if self.blob_meta(key)?.is_some() {
            let _ = std::fs::remove_file(incoming);
            return Ok(false);
        }
        let path = self.blob_path(key).ok_or(StoreError::Poisoned)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(incoming, &path)?;
        self.record_blob(key, content_type, size)
    }

    /// Whole blob bytes (reference images for image-to-X tasks).
    pub(crate) fn read_blob(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        if self.blob_meta(key)?.is_none() {
            return Ok(None);
        }
        match &self.blobs {
            Blobs::Memory(_) => Ok(self.memory_blob(key)),
            Blobs::Disk(_) => {
                let path = self.blob_path(key).ok_or(StoreError::Poisoned)?;
                Ok(Some(Bytes::from(std::fs::read(path)?)))
            }
        }
    }
}
