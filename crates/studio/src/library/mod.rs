//! The library database: one SQLite file per app (`library.db` in the app's data folder)
//! holding everything the app remembers about its work, keyed by profile: tasks with the
//! full request that made them and every state they went through, remembered uploads,
//! the cached model list, the Create page's draft, recent prompts, saved presets and the
//! usage history as last fetched.
//!
//! WAL mode lets the gallery and activity pages read while the tracker writes. The schema
//! is versioned by `PRAGMA user_version` through `rusqlite_migration`; see [`migrations`].
//!
//! The connection sits behind a mutex and every method is synchronous: statements take
//! microseconds. Async callers that may run long queries use [`Library::run`], which moves
//! the work to a blocking thread.

mod drafts;
mod gallery_queries;
mod items;
pub mod migrations;
mod models;
mod presets;
mod settings;
mod tasks;
mod uploads;
mod usage_cache;

pub use drafts::RecentPrompt;
pub use gallery_queries::{
    fts_query, FacetCount, GalleryFacets, GalleryFilter, GalleryTile, ItemChange, TileKey,
    TileState, TASK_KEY_PREFIX,
};
pub use items::{task_created_ms, Downloaded, Item, ItemState, ThumbState};
pub use presets::{PresetRow, PRESET_NAME_MAX};
pub use tasks::{
    NewTask, TaskChange, TaskKey, TaskOrigin, TaskRecord, TaskState, TaskStatusEntry, TaskUpdate,
};
pub use uploads::RememberedUpload;
pub use usage_cache::{CachedRange, UsageLedger, UsageRange, UsageRow, KEPT_RANGES};

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// What can go wrong with the library database.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("The library database {path} could not be opened: {source}. Check that the app's data folder is writable and not full.")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("The library database could not be brought up to date: {0}. If it came from a newer version of the app, update the app.")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("The library database failed: {0}. Check that the disk is not full, then try again.")]
    Sql(#[from] rusqlite::Error),
    #[error("The library database holds a value the app cannot read ({0}).")]
    Corrupt(String),
}

impl From<LibraryError> for crate::error::AppError {
    fn from(err: LibraryError) -> Self {
        crate::error::AppError::new(crate::error::ErrorKind::Storage, err.to_string())
    }
}

impl From<serde_json::Error> for LibraryError {
    fn from(err: serde_json::Error) -> Self {
        LibraryError::Corrupt(err.to_string())
    }
}

pub type Result<T> = std::result::Result<T, LibraryError>;

/// The open library database. Cheap to clone: clones share one connection.
#[derive(Clone)]
pub struct Library {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library").finish_non_exhaustive()
    }
}

impl Library {
    /// Opens (creating if needed) the database at `path` and migrates it to the latest
    /// schema.
    pub fn open(path: &Path) -> Result<Library> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| LibraryError::Open {
                path: path.to_path_buf(),
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })?;
        }
        let conn = Connection::open(path).map_err(|source| LibraryError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Library::from_connection(conn)
    }

    /// A library that lives in memory, for tests.
    pub fn open_in_memory() -> Result<Library> {
        Library::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Library> {
        // WAL: readers never wait for the tracker's writes. NORMAL is durable across an app
        // crash (only an OS crash can lose the last commits), at a fraction of FULL's fsyncs.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::migrations().to_latest(&mut conn)?;
        Ok(Library {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// The connection, for the statements of this module's submodules.
    fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (statements are
        // atomic), so a poisoned lock is still safe to use.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `op` on a blocking thread, for work an async caller should not wait on inline.
    pub async fn run<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Library) -> Result<T> + Send + 'static,
    {
        let library = self.clone();
        tokio::task::spawn_blocking(move || op(&library))
            .await
            .map_err(|e| LibraryError::Corrupt(format!("a database task stopped: {e}")))?
    }

    /// Replaces `old` with `new` at the start of every stored URL of `profile_id`: task
    /// requests and outputs, remembered uploads and the draft. Used when the built-in
    /// Sandbox had to take another port, so what the library holds keeps resolving.
    pub fn rewrite_base_url(&self, profile_id: &str, old: &str, new: &str) -> Result<usize> {
        if old == new {
            return Ok(0);
        }
        let mut db = self.db();
        let tx = db.transaction()?;
        let mut changed = 0;
        // Stored JSON spells the URL with its slashes as is, so a plain text replacement of
        // the origin (always followed by '/') rewrites exactly the URLs that start with it.
        let (old_prefix, new_prefix) = (format!("{old}/"), format!("{new}/"));
        for (table, columns) in [
            ("tasks", &["request", "outputs"][..]),
            ("uploads", &["url"][..]),
            ("items", &["url"][..]),
            ("drafts", &["draft"][..]),
        ] {
            for column in columns {
                changed += tx.execute(
                    &format!(
                        "UPDATE {table} SET {column} = replace({column}, ?2, ?3)
                         WHERE profile_id = ?1 AND instr({column}, ?2) > 0"
                    ),
                    rusqlite::params![profile_id, old_prefix, new_prefix],
                )?;
            }
        }
        tx.commit()?;
        Ok(changed)
    }
}

/// Milliseconds since the Unix epoch, the unit of every local timestamp in the database.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
