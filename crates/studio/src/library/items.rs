//! The gallery's items: one row per output of a succeeded task, with where its local copy
//! is, how its download went and what the user did with it. Rows are never removed: a
//! deleted item keeps its row (marked deleted), so its output is never downloaded again.

use super::{now_ms, Library, Result, TaskRecord};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use ts_rs::TS;

/// Where an item's local copy stands. Stored as its snake_case name (strum's derives
/// are the one table between the two; serde spells it the same for the UI).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    TS,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ItemState {
    /// Recorded, waiting for a download slot.
    Queued,
    /// Bytes are arriving (or a partial file waits to be resumed).
    Downloading,
    /// The file is in the library folder.
    Ready,
    /// The download failed after its retries; `error` says why; "Retry" queues it again.
    Failed,
    /// The file was deleted outside the app and its URL no longer works.
    Missing,
}

impl ItemState {
    /// The text the database holds.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Reads the database's text; anything unknown counts as queued, so it is fetched
    /// again rather than lost.
    pub fn parse(s: &str) -> ItemState {
        s.parse().unwrap_or(ItemState::Queued)
    }
}

/// Whether an item has a thumbnail (or poster) in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThumbState {
    None,
    Made,
    /// The file cannot be decoded here (SVG, HEIC, audio…): the tile shows an icon.
    Impossible,
}

impl ThumbState {
    fn as_int(self) -> i64 {
        match self {
            ThumbState::None => 0,
            ThumbState::Made => 1,
            ThumbState::Impossible => 2,
        }
    }

    pub(super) fn from_int(value: i64) -> ThumbState {
        match value {
            1 => ThumbState::Made,
            2 => ThumbState::Impossible,
            _ => ThumbState::None,
        }
    }
}

/// One item as the library holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: i64,
    pub profile_id: String,
    pub task_id: String,
    pub index: u32,
    pub url: String,
    pub media_type: String,
    pub model: String,
    pub created_ms: i64,
    pub state: ItemState,
    pub error: Option<String>,
    pub attempts: u32,
    pub total: Option<u64>,
    pub validator: Option<String>,
    /// Slash-separated, relative to the library folder.
    pub file: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<i64>,
    pub thumb: ThumbState,
    pub favourite: bool,
    pub deleted_ms: Option<i64>,
    pub trashed: bool,
    pub recorded_ms: i64,
    pub downloaded_ms: Option<i64>,
    pub revision: i64,
}

/// What a finished download found out about the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Downloaded {
    pub file: String,
    pub media_type: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<i64>,
}

pub(super) const ITEM_COLUMNS: &str = "id, profile_id, task_id, idx, url, media_type, model, \
     created_ms, state, error, attempts, total, validator, file, content_type, size, sha256, \
     width, height, duration_ms, thumb, favourite, deleted_ms, trashed, recorded_ms, \
     downloaded_ms, revision";

pub(super) fn item_from_row(row: &Row<'_>) -> rusqlite::Result<Item> {
    let opt_u64 = |i: usize| -> rusqlite::Result<Option<u64>> {
        Ok(row.get::<_, Option<i64>>(i)?.map(|v| v.max(0) as u64))
    };
    let opt_u32 = |i: usize| -> rusqlite::Result<Option<u32>> {
        Ok(row
            .get::<_, Option<i64>>(i)?
            .and_then(|v| u32::try_from(v).ok()))
    };
    Ok(Item {
        id: row.get(0)?,
        profile_id: row.get(1)?,
        task_id: row.get(2)?,
        index: row.get(3)?,
        url: row.get(4)?,
        media_type: row.get(5)?,
        model: row.get(6)?,
        created_ms: row.get(7)?,
        state: ItemState::parse(&row.get::<_, String>(8)?),
        error: row.get(9)?,
        attempts: row.get(10)?,
        total: opt_u64(11)?,
        validator: row.get(12)?,
        file: row.get(13)?,
        content_type: row.get(14)?,
        size: opt_u64(15)?,
        sha256: row.get(16)?,
        width: opt_u32(17)?,
        height: opt_u32(18)?,
        duration_ms: row.get(19)?,
        thumb: ThumbState::from_int(row.get(20)?),
        favourite: row.get(21)?,
        deleted_ms: row.get(22)?,
        trashed: row.get(23)?,
        recorded_ms: row.get(24)?,
        downloaded_ms: row.get(25)?,
        revision: row.get(26)?,
    })
}

/// A task's creation time in ms: the server's `created_at`, or when the app recorded it.
pub fn task_created_ms(task: &TaskRecord) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&task.created_at)
        .map(|t| t.timestamp_millis())
        .unwrap_or(task.recorded_ms)
}

impl Library {
    /// Records one item per output URL of a succeeded task (those already recorded keep
    /// their row; a URL that moved, as when the Sandbox changed port, is updated). Returns
    /// the task's items that still need a download, each with whether it is new.
    pub fn record_outputs(&self, task: &TaskRecord) -> Result<Vec<(Item, bool)>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let now = now_ms();
        let created = task_created_ms(task);
        let mut new_ids = std::collections::HashSet::new();
        for (index, url) in task.outputs.iter().enumerate() {
            let known: Option<i64> = tx
                .prepare_cached(
                    "SELECT id FROM items WHERE profile_id = ?1 AND task_id = ?2 AND idx = ?3",
                )?
                .query_row(params![task.profile_id, task.id, index as i64], |row| {
                    row.get(0)
                })
                .optional()?;
            tx.execute(
                "INSERT INTO items (profile_id, task_id, idx, url, media_type, model, created_ms, state, recorded_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8)
                 ON CONFLICT (profile_id, task_id, idx) DO UPDATE SET
                     url = excluded.url, revision = revision + 1
                 WHERE url <> excluded.url",
                params![
                    task.profile_id,
                    task.id,
                    index as i64,
                    url,
                    task.media_type,
                    task.model,
                    created,
                    now
                ],
            )?;
            if known.is_none() {
                new_ids.insert(tx.last_insert_rowid());
            }
        }
        let pending = {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM items WHERE profile_id = ?1 AND task_id = ?2
                     AND deleted_ms IS NULL AND state IN ('queued', 'downloading') ORDER BY idx"
            ))?;
            let rows = stmt.query_map(params![task.profile_id, task.id], item_from_row)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        tx.commit()?;
        Ok(pending
            .into_iter()
            .map(|item| {
                let new = new_ids.contains(&item.id);
                (item, new)
            })
            .collect())
    }

    pub fn item(&self, id: i64) -> Result<Option<Item>> {
        let db = self.db();
        let item = db
            .prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"))?
            .query_row(params![id], item_from_row)
            .optional()?;
        Ok(item)
    }

    /// The items of one task, in output order.
    pub fn task_items(&self, profile_id: &str, task_id: &str) -> Result<Vec<Item>> {
        self.items_where(
            "profile_id = ?1 AND task_id = ?2 ORDER BY idx",
            params![profile_id, task_id],
        )
    }

    /// Downloads a restart must resume: queued or under way, not deleted, of every profile.
    pub fn unfinished_items(&self) -> Result<Vec<Item>> {
        self.items_where(
            "state IN ('queued', 'downloading') AND deleted_ms IS NULL ORDER BY created_ms DESC",
            params![],
        )
    }

    /// Every downloaded, visible item, newest first (for the missing-file sweep).
    pub fn ready_items(&self) -> Result<Vec<Item>> {
        self.items_where(
            "state = 'ready' AND deleted_ms IS NULL ORDER BY created_ms DESC, id DESC",
            params![],
        )
    }

    /// Deleted items whose file has not gone to the trash yet, deleted before `before_ms`.
    pub fn items_to_trash(&self, before_ms: i64) -> Result<Vec<Item>> {
        self.items_where(
            "deleted_ms IS NOT NULL AND trashed = 0 AND deleted_ms <= ?1",
            params![before_ms],
        )
    }

    /// Items whose output URL is `url` (a reference that was once an output).
    pub fn items_with_url(&self, url: &str) -> Result<Vec<Item>> {
        self.items_where("url = ?1 ORDER BY id", params![url])
    }

    fn items_where(&self, clause: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<Item>> {
        let db = self.db();
        let mut stmt =
            db.prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE {clause}"))?;
        let rows = stmt.query_map(params, item_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Succeeded tasks with outputs that have no items yet (a success the downloader did
    /// not hear about, e.g. the app stopped in between).
    pub fn succeeded_tasks_without_items(&self) -> Result<Vec<TaskRecord>> {
        let keys: Vec<(String, String)> = {
            let db = self.db();
            let mut stmt = db.prepare_cached(
                "SELECT t.profile_id, t.id FROM tasks t
                 WHERE t.status = 'success' AND t.outputs <> '[]'
                   AND NOT EXISTS (SELECT 1 FROM items i WHERE i.profile_id = t.profile_id AND i.task_id = t.id)",
            )?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let mut tasks = Vec::with_capacity(keys.len());
        for (profile, id) in keys {
            if let Some(task) = self.task(&super::TaskKey::new(profile, id))? {
                tasks.push(task);
            }
        }
        Ok(tasks)
    }

    /// Applies `set` (with `?1` the item id) and bumps the revision; returns the new row.
    fn update_item(
        &self,
        id: i64,
        set: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Option<Item>> {
        self.update_item_if(id, set, "", params)
    }

    /// [`Self::update_item`] only where `condition` (`AND …`) also holds; `None` when it
    /// did not (or the item is gone).
    fn update_item_if(
        &self,
        id: i64,
        set: &str,
        condition: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Option<Item>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let changed = tx.execute(
            &format!("UPDATE items SET {set}, revision = revision + 1 WHERE id = ?1 {condition}"),
            params,
        )?;
        let item = if changed == 0 {
            None
        } else {
            tx.prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"))?
                .query_row(params![id], item_from_row)
                .optional()?
        };
        tx.commit()?;
        Ok(item)
    }

    /// A download attempt began (or resumed); `total` is the size the server announced.
    pub fn mark_downloading(
        &self,
        id: i64,
        total: Option<u64>,
        validator: Option<&str>,
    ) -> Result<Option<Item>> {
        self.update_item(
            id,
            "state = 'downloading', error = NULL, attempts = attempts + 1,
             total = coalesce(?2, total), validator = coalesce(?3, validator)",
            params![id, total.map(|t| t as i64), validator],
        )
    }

    /// The validator and size of the reply a partial file came from; `None`s forget them
    /// (the partial was discarded).
    pub fn set_item_source(
        &self,
        id: i64,
        total: Option<u64>,
        validator: Option<&str>,
    ) -> Result<()> {
        self.db().execute(
            "UPDATE items SET total = ?2, validator = ?3 WHERE id = ?1",
            params![id, total.map(|t| t as i64), validator],
        )?;
        Ok(())
    }

    /// The file is in place.
    pub fn finish_download(&self, id: i64, done: &Downloaded) -> Result<Option<Item>> {
        self.update_item(
            id,
            "state = 'ready', error = NULL, file = ?2, media_type = ?3, content_type = ?4,
             size = ?5, sha256 = ?6, width = ?7, height = ?8, duration_ms = ?9,
             total = ?5, downloaded_ms = ?10, thumb = 0",
            params![
                id,
                done.file,
                done.media_type,
                done.content_type,
                done.size as i64,
                done.sha256,
                done.width,
                done.height,
                done.duration_ms,
                now_ms()
            ],
        )
    }

    /// Sets the state (`queued`, `failed`, `missing`) with its sentence.
    pub fn set_item_state(
        &self,
        id: i64,
        state: ItemState,
        error: Option<&str>,
    ) -> Result<Option<Item>> {
        self.update_item(
            id,
            "state = ?2, error = ?3",
            params![id, state.as_str(), error],
        )
    }

    /// Queues a failed or missing item again, with a fresh count of attempts.
    pub fn requeue_item(&self, id: i64) -> Result<Option<Item>> {
        self.update_item(
            id,
            "state = 'queued', error = NULL, attempts = 0",
            params![id],
        )
    }

    pub fn set_item_thumb(&self, id: i64, thumb: ThumbState) -> Result<Option<Item>> {
        self.update_item(id, "thumb = ?2", params![id, thumb.as_int()])
    }

    /// Marks the thumbnails of `ids` as gone (their files were missing), without a new
    /// revision: nothing the user sees changed until a new one is made.
    pub fn forget_thumbs(&self, ids: &[i64]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        for id in ids {
            tx.execute("UPDATE items SET thumb = 0 WHERE id = ?1", params![id])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn set_favourite(&self, id: i64, favourite: bool) -> Result<Option<Item>> {
        self.update_item(id, "favourite = ?2", params![id, favourite])
    }

    /// Hides an item at once; its file goes to the trash once the Undo window closed.
    pub fn mark_deleted(&self, id: i64, when_ms: i64) -> Result<Option<Item>> {
        self.update_item(id, "deleted_ms = ?2", params![id, when_ms])
    }

    /// Undo: shows a deleted item again, unless its file already went to the trash.
    pub fn restore_item(&self, id: i64) -> Result<Option<Item>> {
        self.update_item_if(
            id,
            "deleted_ms = NULL",
            "AND trashed = 0 AND deleted_ms IS NOT NULL",
            params![id],
        )
    }

    pub fn mark_trashed(&self, id: i64) -> Result<Option<Item>> {
        self.update_item(id, "trashed = 1", params![id])
    }

    /// Hides a running or failed task from the gallery (Delete on its tile).
    pub fn dismiss_task(&self, profile_id: &str, task_id: &str, when_ms: i64) -> Result<bool> {
        let changed = self.db().execute(
            "INSERT OR IGNORE INTO dismissed_tasks (profile_id, task_id, dismissed_ms)
             SELECT profile_id, id, ?3 FROM tasks WHERE profile_id = ?1 AND id = ?2",
            params![profile_id, task_id, when_ms],
        )?;
        Ok(changed > 0)
    }

    pub fn undismiss_task(&self, profile_id: &str, task_id: &str) -> Result<bool> {
        let changed = self.db().execute(
            "DELETE FROM dismissed_tasks WHERE profile_id = ?1 AND task_id = ?2",
            params![profile_id, task_id],
        )?;
        Ok(changed > 0)
    }

    /// Every item file path (relative), for moving the library folder.
    pub fn item_files(&self) -> Result<Vec<(i64, String)>> {
        let db = self.db();
        let mut stmt =
            db.prepare_cached("SELECT id, file FROM items WHERE file IS NOT NULL AND trashed = 0")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    /// Databases already on disk hold exactly these words: every state round-trips, and
    /// the UI (serde) spells each one like the database.
    #[test]
    fn item_states_keep_their_database_text() {
        let texts: Vec<&str> = ItemState::VARIANTS.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            texts,
            ["queued", "downloading", "ready", "failed", "missing"]
        );
        for state in ItemState::VARIANTS {
            assert_eq!(ItemState::parse(state.as_str()), *state);
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        assert_eq!(ItemState::parse("something newer"), ItemState::Queued);
    }
}
