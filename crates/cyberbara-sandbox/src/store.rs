//! Accounts, ledgers, tasks and blob metadata in SQLite (a file under the data dir, or an
//! in-memory database), blob bytes on disk or in memory.
//!
//! API keys are stored only as SHA-256 hashes so the key never lands in a file.

use bytes::Bytes;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::SandboxError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("storage error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the storage lock was poisoned by an earlier crash")]
    Poisoned,
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) fn iso_ms(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The account behind `api_key`, read on a connection the caller already holds.
fn read_account(db: &Connection, api_key: &str) -> Result<Option<Account>, StoreError> {
    Ok(db
        .query_row(
            "SELECT id, credits, updated_ms FROM accounts WHERE key_hash = ?1",
            params![key_hash(api_key)],
            |r| {
                Ok(Account {
                    id: r.get(0)?,
                    credits: r.get(1)?,
                    updated_ms: r.get(2)?,
                })
            },
        )
        .optional()?)
}

pub(crate) fn key_hash(api_key: &str) -> String {
    hex::encode(Sha256::digest(api_key.as_bytes()))
}

/// First 8 hex characters of a hash of the account id: the folder of its uploads.
pub(crate) fn account_prefix(account_id: &str) -> String {
    hex::encode(Sha256::digest(account_id.as_bytes()))[..8].to_string()
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: String,
    pub credits: i64,
    pub updated_ms: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct TaskRow {
    pub id: String,
    pub account_id: String,
    pub media_type: String,
    pub model: String,
    pub scene: String,
    pub prompt: Option<String>,
    pub options: String,
    pub cost: i64,
    pub created_ms: i64,
    pub pending_until_ms: i64,
    pub finish_ms: i64,
    /// What the task will end as: `success` or `failed`.
    pub outcome: String,
    /// `running` until a worker finalises it, then `success` or `failed`.
    pub status: String,
    /// JSON object of output lists.
    pub output: String,
    pub updated_ms: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct LedgerRow {
    pub id: String,
    pub transaction_no: String,
    pub credits: i64,
    pub scene: Option<String>,
    pub description: String,
    pub media_type: Option<String>,
    pub task_id: Option<String>,
    pub created_ms: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct BlobMeta {
    pub content_type: String,
    pub size: u64,
}

pub(crate) enum ChargeOutcome {
    Charged { remaining: i64 },
    Insufficient { remaining: i64 },
}

enum Blobs {
    Disk(PathBuf),
    Memory(Mutex<HashMap<String, Bytes>>),
}

pub(crate) struct Store {
    db: Mutex<Connection>,
    blobs: Blobs,
    seq: std::sync::atomic::AtomicU64,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    key_hash TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    credits INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    transaction_no TEXT NOT NULL,
    credits INTEGER NOT NULL,
    scene TEXT,
    description TEXT NOT NULL,
    media_type TEXT,
    task_id TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_by_account ON ledger(account_id, created_ms);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    media_type TEXT NOT NULL,
    model TEXT NOT NULL,
    scene TEXT NOT NULL,
    prompt TEXT,
    options TEXT NOT NULL,
    cost INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    pending_until_ms INTEGER NOT NULL,
    finish_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status TEXT NOT NULL,
    output TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (
    key TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
";

fn task_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        media_type: r.get(2)?,
        model: r.get(3)?,
        scene: r.get(4)?,
        prompt: r.get(5)?,
        options: r.get(6)?,
        cost: r.get(7)?,
        created_ms: r.get(8)?,
        pending_until_ms: r.get(9)?,
        finish_ms: r.get(10)?,
        outcome: r.get(11)?,
        status: r.get(12)?,
        output: r.get(13)?,
        updated_ms: r.get(14)?,
    })
}

const TASK_COLUMNS: &str = "id, account_id, media_type, model, scene, prompt, options, cost, created_ms, pending_until_ms, finish_ms, outcome, status, output, updated_ms";

impl Store {
    pub(crate) fn open(data_dir: Option<&Path>) -> Result<Store, SandboxError> {
        let (conn, blobs) = match data_dir {
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
                (conn, Blobs::Disk(dir.to_path_buf()))
            }
            None => (
                Connection::open_in_memory()?,
                Blobs::Memory(Mutex::new(HashMap::new())),
            ),
        };
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            db: Mutex::new(conn),
            blobs,
            seq: std::sync::atomic::AtomicU64::new(0),
        })
    }

    fn db(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.db.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Creates the account with `credits` unless it already exists (a restart keeps balances).
    pub(crate) fn ensure_account(&self, api_key: &str, credits: i64) -> Result<(), StoreError> {
        let db = self.db()?;
        db.execute(
            "INSERT OR IGNORE INTO accounts (key_hash, id, credits, updated_ms) VALUES (?1, ?2, ?3, ?4)",
            params![key_hash(api_key), uuid::Uuid::new_v4().to_string(), credits, now_ms()],
        )?;
        Ok(())
    }

    /// Creates the account or sets its balance.
    pub(crate) fn set_account(&self, api_key: &str, credits: i64) -> Result<Account, StoreError> {
        let db = self.db()?;
        let now = now_ms();
        db.execute(
            "INSERT INTO accounts (key_hash, id, credits, updated_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(key_hash) DO UPDATE SET credits = excluded.credits, updated_ms = excluded.updated_ms",
            params![key_hash(api_key), uuid::Uuid::new_v4().to_string(), credits, now],
        )?;
        read_account(&db, api_key)?.ok_or(StoreError::Db(rusqlite::Error::QueryReturnedNoRows))
    }

    pub(crate) fn account_by_key(&self, api_key: &str) -> Result<Option<Account>, StoreError> {
        read_account(&*self.db()?, api_key)
    }

    pub(crate) fn next_transaction_no(&self, now: i64) -> String {
        let n = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 10_000;
        format!("{now}{n:04}")
    }

    /// Deducts the task's cost, records the charge and the task, all or nothing.
    pub(crate) fn charge_and_create(
        &self,
        task: &TaskRow,
        description: &str,
    ) -> Result<ChargeOutcome, StoreError> {
        let mut db = self.db()?;
        let tx = db.transaction()?;
        let credits: i64 = tx.query_row(
            "SELECT credits FROM accounts WHERE id = ?1",
            params![task.account_id],
            |r| r.get(0),
        )?;
        if credits < task.cost {
            return Ok(ChargeOutcome::Insufficient { remaining: credits });
        }
        let remaining = credits - task.cost;
        tx.execute(
            "UPDATE accounts SET credits = ?1, updated_ms = ?2 WHERE id = ?3",
            params![remaining, task.created_ms, task.account_id],
        )?;
        tx.execute(
            "INSERT INTO ledger (id, account_id, transaction_no, credits, scene, description, media_type, task_id, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                uuid::Uuid::new_v4().to_string(),
                task.account_id,
                self.next_transaction_no(task.created_ms),
                task.cost,
                task.scene,
                description,
                task.media_type,
                task.id,
                task.created_ms
            ],
        )?;
        tx.execute(
            &format!("INSERT INTO tasks ({TASK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
            params![
                task.id,
                task.account_id,
                task.media_type,
                task.model,
                task.scene,
                task.prompt,
                task.options,
                task.cost,
                task.created_ms,
                task.pending_until_ms,
                task.finish_ms,
                task.outcome,
                task.status,
                task.output,
                task.updated_ms
            ],
        )?;
        tx.commit()?;
        Ok(ChargeOutcome::Charged { remaining })
    }

    pub(crate) fn task(&self, id: &str) -> Result<Option<TaskRow>, StoreError> {
        let db = self.db()?;
        Ok(db
            .query_row(
                &format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?1"),
                params![id],
                task_from_row,
            )
            .optional()?)
    }

    pub(crate) fn running_tasks(&self) -> Result<Vec<TaskRow>, StoreError> {
        let db = self.db()?;
        let mut stmt = db.prepare(&format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE status = 'running'"
        ))?;
        let rows = stmt
            .query_map([], task_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    pub(crate) fn finish_success(
        &self,
        task_id: &str,
        output: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let db = self.db()?;
        db.execute(
            "UPDATE tasks SET status = 'success', output = ?1, updated_ms = ?2 WHERE id = ?3 AND status = 'running'",
            params![output, now, task_id],
        )?;
        Ok(())
    }

    /// Marks the task failed and gives its credits back as a negative ledger line.
    pub(crate) fn finish_failed(&self, task: &TaskRow, now: i64) -> Result<(), StoreError> {
        let mut db = self.db()?;
        let tx = db.transaction()?;
        let changed = tx.execute(
            "UPDATE tasks SET status = 'failed', updated_ms = ?1 WHERE id = ?2 AND status = 'running'",
            params![now, task.id],
        )?;
        if changed == 1 && task.cost > 0 {
            tx.execute(
                "UPDATE accounts SET credits = credits + ?1, updated_ms = ?2 WHERE id = ?3",
                params![task.cost, now, task.account_id],
            )?;
            tx.execute(
                "INSERT INTO ledger (id, account_id, transaction_no, credits, scene, description, media_type, task_id, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    uuid::Uuid::new_v4().to_string(),
                    task.account_id,
                    self.next_transaction_no(now),
                    -task.cost,
                    task.scene,
                    format!("refund: {} task failed", task.media_type),
                    task.media_type,
                    task.id,
                    now
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// One page of ledger lines in `[from, to]`, newest first, with the total count and sum.
    pub(crate) fn usage(
        &self,
        account_id: &str,
        from: Option<i64>,
        to: Option<i64>,
        page: u32,
        limit: u32,
    ) -> Result<(Vec<LedgerRow>, u64, i64), StoreError> {
        let db = self.db()?;
        let from = from.unwrap_or(i64::MIN);
        let to = to.unwrap_or(i64::MAX);
        let (total, sum): (i64, i64) = db.query_row(
            "SELECT COUNT(*), COALESCE(SUM(credits), 0) FROM ledger WHERE account_id = ?1 AND created_ms >= ?2 AND created_ms <= ?3",
            params![account_id, from, to],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let offset = (i64::from(page) - 1).saturating_mul(i64::from(limit));
        let mut stmt = db.prepare(
            "SELECT id, transaction_no, credits, scene, description, media_type, task_id, created_ms FROM ledger
             WHERE account_id = ?1 AND created_ms >= ?2 AND created_ms <= ?3
             ORDER BY created_ms DESC, rowid DESC LIMIT ?4 OFFSET ?5",
        )?;
        let rows = stmt
            .query_map(params![account_id, from, to, limit, offset], |r| {
                Ok(LedgerRow {
                    id: r.get(0)?,
                    transaction_no: r.get(1)?,
                    credits: r.get(2)?,
                    scene: r.get(3)?,
                    description: r.get(4)?,
                    media_type: r.get(5)?,
                    task_id: r.get(6)?,
                    created_ms: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, total.max(0) as u64, sum))
    }

    // ------------------------------------------------------------ blobs

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
            params![key, content_type, size as i64, now_ms()],
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
