//! Accounts, ledgers, tasks and blob metadata in SQLite (a file under the data dir, or an
//! in-memory database), blob bytes on disk or in memory.
//!
//! API keys are stored only as keyed hashes (`keys.rs`), so the key never lands in a file.
//! The schema is versioned (`schema.rs`); opening a store brings it up to date. Every
//! timestamp comes from the store's [`Clock`], so tests can move time.

use bytes::Bytes;
use cyberbara::clock::Clock;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Mutex;

use crate::error::SandboxError;

mod accounts;
mod blobs;
mod keys;
pub(crate) mod schema;
mod tasks;

pub(crate) use accounts::{Account, OwnerError};
pub(crate) use tasks::{ChargeOutcome, Outcome, TaskRow, TaskState};

#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("storage error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the storage lock was poisoned by an earlier crash")]
    Poisoned,
}

pub(crate) fn iso_ms(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// First 8 hex characters of a hash of the account id: the folder of its uploads.
pub(crate) fn account_prefix(account_id: &str) -> String {
    hex::encode(Sha256::digest(account_id.as_bytes()))[..8].to_string()
}

enum Blobs {
    Disk(PathBuf),
    Memory(Mutex<HashMap<String, Bytes>>),
}

pub(crate) struct Store {
    db: Mutex<Connection>,
    blobs: Blobs,
    seq: AtomicU64,
    clock: Clock,
    keys: keys::KeyHasher,
    /// Whether rows with bare SHA-256 key hashes may remain (see `account_by_key`).
    legacy_keys: AtomicBool,
}

impl Store {
    pub(crate) fn open(data_dir: Option<&Path>, clock: Clock) -> Result<Store, SandboxError> {
        let (mut conn, blobs, keys) = match data_dir {
            Some(dir) => {
                let blob_root = dir.join("blobs");
                for d in [dir.to_path_buf(), blob_root.clone(), dir.join("incoming")] {
                    std::fs::create_dir_all(&d).map_err(|source| SandboxError::DataDir {
                        path: d.clone(),
                        source,
                    })?;
                }
                let conn = Connection::open(dir.join("sandbox.db"))?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                (
                    conn,
                    Blobs::Disk(dir.to_path_buf()),
                    keys::KeyHasher::for_dir(dir)?,
                )
            }
            None => (
                Connection::open_in_memory()?,
                Blobs::Memory(Mutex::new(HashMap::new())),
                keys::KeyHasher::for_memory()?,
            ),
        };
        schema::migrations().to_latest(&mut conn)?;
        let legacy = accounts::has_legacy_keys(&conn)?;
        Ok(Store {
            db: Mutex::new(conn),
            blobs,
            seq: AtomicU64::new(0),
            clock,
            keys,
            legacy_keys: AtomicBool::new(legacy),
        })
    }

    fn db(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.db.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Milliseconds since the Unix epoch on the store's clock.
    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
