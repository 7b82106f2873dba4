//! The gallery's queries: the whole filtered list in one query (tiles: ids and what the
//! layout needs), the records of a window of it, the filters' choices, and prompt search
//! through SQLite FTS5.
//!
//! A tile is either an item (an output, key = its id in decimal, e.g. `"1234"`) or a task
//! that has no outputs to show: running, or failed (key = `"task:" + task id`).

use super::items::{item_from_row, Item, ItemState, ThumbState, ITEM_COLUMNS};
use super::{Library, Result, TaskKey, TaskRecord};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The prefix of a task tile's key.
pub const TASK_KEY_PREFIX: &str = "task:";

/// What the gallery shows; every field narrows the list, empty fields do not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct GalleryFilter {
    /// `image`, `video`, `audio`…; empty for all.
    pub media: Vec<String>,
    /// Model ids; empty for all.
    pub models: Vec<String>,
    /// Only favourites (running and failed tasks are never favourites).
    pub favourites: bool,
    /// From this instant (ms since the epoch, inclusive)…
    #[ts(type = "number | null")]
    pub from_ms: Option<i64>,
    /// …to this one (exclusive).
    #[ts(type = "number | null")]
    pub to_ms: Option<i64>,
    /// Words of the prompt; each word matches words starting with it.
    pub search: String,
}

/// A tile's state, in the app's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TileState {
    /// A task still waiting on the server.
    Pending,
    /// A task the server is working on.
    Processing,
    /// A task that failed (its record says why).
    Failed,
    /// An output waiting for a download slot.
    Queued,
    /// An output being downloaded (progress arrives as `download` events).
    Downloading,
    /// An output on disk.
    Ready,
    /// An output whose download failed after its retries ("Retry").
    DownloadFailed,
    /// An output whose file is gone and whose URL no longer works.
    Missing,
}

impl From<ItemState> for TileState {
    fn from(state: ItemState) -> TileState {
        match state {
            ItemState::Queued => TileState::Queued,
            ItemState::Downloading => TileState::Downloading,
            ItemState::Ready => TileState::Ready,
            ItemState::Failed => TileState::DownloadFailed,
            ItemState::Missing => TileState::Missing,
        }
    }
}

/// One tile of the grid: enough to lay it out and draw it, nothing more.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GalleryTile {
    /// An item's id (`"1234"`) or `"task:<task id>"`.
    pub key: String,
    /// `image`, `video`, `audio` (or a newer media type).
    pub media: String,
    pub state: TileState,
    /// A thumbnail (or a video's poster) exists: `{thumb_base}/{key}.jpg`.
    pub thumb: bool,
    /// A video without a poster yet: the page should make one (`store_poster`).
    pub needs_poster: bool,
    pub favourite: bool,
    /// For a video's duration badge.
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    /// The task's creation time: the order of the grid (newest first) and its day.
    #[ts(type = "number")]
    pub ms: i64,
    /// Grows with every change; an event with a lower revision than the tile is stale.
    #[ts(type = "number")]
    pub revision: i64,
}

impl GalleryTile {
    pub fn of_item(item: &Item) -> GalleryTile {
        GalleryTile {
            key: item.id.to_string(),
            media: item.media_type.clone(),
            state: item.state.into(),
            thumb: item.thumb == ThumbState::Made,
            needs_poster: item.media_type == "video"
                && item.state == ItemState::Ready
                && item.thumb == ThumbState::None,
            favourite: item.favourite,
            duration_ms: item.duration_ms,
            ms: item.created_ms,
            revision: item.revision,
        }
    }

    pub fn of_task(task: &TaskRecord) -> GalleryTile {
        use super::TaskState;
        GalleryTile {
            key: format!("{TASK_KEY_PREFIX}{}", task.id),
            media: task.media_type.clone(),
            state: match task.state {
                TaskState::Pending => TileState::Pending,
                TaskState::Failed | TaskState::Canceled => TileState::Failed,
                _ => TileState::Processing,
            },
            thumb: false,
            needs_poster: false,
            favourite: false,
            duration_ms: None,
            ms: super::items::task_created_ms(task),
            revision: task.revision,
        }
    }
}

/// What happened to a gallery item, in an `item` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ItemChange {
    /// New in the gallery (a download was recorded, or a deletion undone).
    Added,
    /// Its download, thumbnail, favourite or file changed.
    Updated,
    /// It left the gallery (deleted; Undo brings it back as `added`).
    Removed,
}

/// What a tile's key names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileKey {
    Item(i64),
    Task(String),
}

impl TileKey {
    pub fn parse(key: &str) -> Option<TileKey> {
        match key.strip_prefix(TASK_KEY_PREFIX) {
            Some(task) if !task.is_empty() => Some(TileKey::Task(task.to_string())),
            Some(_) => None,
            None => key.parse().ok().map(TileKey::Item),
        }
    }
}

/// The models and media types the library holds, for the filters' choices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct GalleryFacets {
    /// Model ids with how many visible items each has, most used first.
    pub models: Vec<FacetCount>,
    pub media: Vec<FacetCount>,
    #[ts(type = "number")]
    pub favourites: u32,
    /// The oldest and newest item (ms), for the date range's bounds.
    #[ts(type = "number | null")]
    pub first_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub last_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FacetCount {
    pub value: String,
    pub count: u32,
}

/// The prompt search as an FTS5 query: every word must match the start of a word of the
/// prompt. Words are quoted, so what people type (quotes, `-`, `AND`, `*`) is never read
/// as FTS5 syntax. `None` when nothing searchable was typed.
pub fn fts_query(search: &str) -> Option<String> {
    let terms: Vec<String> = search
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

fn json_list(values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| serde_json::to_string(values).unwrap_or_else(|_| "[]".into()))
}

/// Tasks that show as tiles: failed, or still running and followed, and not dismissed.
const TASK_TILE_CONDITION: &str = "t.status <> 'success' AND t.status NOT IN ('canceled', 'cancelled')
    AND (t.status = 'failed' OR t.tracking = 1)
    AND NOT EXISTS (SELECT 1 FROM dismissed_tasks d WHERE d.profile_id = t.profile_id AND d.task_id = t.id)";

/// A task's creation time in SQL, as `task_created_ms` computes it in Rust.
const TASK_MS: &str =
    "coalesce(CAST(round(unixepoch(t.created_at, 'subsec') * 1000) AS INTEGER), t.recorded_ms)";

impl Library {
    /// The whole filtered list, newest first, in one query.
    pub fn gallery_tiles(
        &self,
        profile_id: &str,
        filter: &GalleryFilter,
    ) -> Result<Vec<GalleryTile>> {
        let media = json_list(&filter.media);
        let models = json_list(&filter.models);
        let search = fts_query(&filter.search);
        let sql = format!(
            "SELECT 0 AS kind, i.id AS item, NULL AS task, i.media_type, i.state, i.thumb,
                    i.favourite, i.duration_ms, i.created_ms AS ms, i.revision
             FROM items i
             WHERE i.profile_id = ?1 AND i.deleted_ms IS NULL
               AND (?2 IS NULL OR i.media_type IN (SELECT value FROM json_each(?2)))
               AND (?3 IS NULL OR i.model IN (SELECT value FROM json_each(?3)))
               AND (?4 = 0 OR i.favourite = 1)
               AND (?5 IS NULL OR i.created_ms >= ?5)
               AND (?6 IS NULL OR i.created_ms < ?6)
               AND (?7 IS NULL OR i.task_id IN
                    (SELECT task_id FROM task_prompts WHERE task_prompts MATCH ?7 AND profile_id = ?1))
             UNION ALL
             SELECT 1, NULL, t.id, t.media_type, t.status, 0, 0, NULL, {TASK_MS}, t.revision
             FROM tasks t
             WHERE t.profile_id = ?1 AND ?4 = 0 AND {TASK_TILE_CONDITION}
               AND (?2 IS NULL OR t.media_type IN (SELECT value FROM json_each(?2)))
               AND (?3 IS NULL OR t.model IN (SELECT value FROM json_each(?3)))
               AND (?5 IS NULL OR {TASK_MS} >= ?5)
               AND (?6 IS NULL OR {TASK_MS} < ?6)
               AND (?7 IS NULL OR t.id IN
                    (SELECT task_id FROM task_prompts WHERE task_prompts MATCH ?7 AND profile_id = ?1))
             ORDER BY ms DESC, kind DESC, item DESC, task DESC"
        );
        let db = self.db();
        let mut stmt = db.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                profile_id,
                media,
                models,
                filter.favourites,
                filter.from_ms,
                filter.to_ms,
                search
            ],
            |row| {
                let kind: i64 = row.get(0)?;
                let media: String = row.get(3)?;
                let state_text: String = row.get(4)?;
                let ms: i64 = row.get(8)?;
                let revision: i64 = row.get(9)?;
                if kind == 0 {
                    let id: i64 = row.get(1)?;
                    let state = ItemState::parse(&state_text);
                    let thumb = ThumbState::from_int(row.get(5)?);
                    Ok(GalleryTile {
                        key: id.to_string(),
                        needs_poster: media == "video"
                            && state == ItemState::Ready
                            && thumb == ThumbState::None,
                        media,
                        state: state.into(),
                        thumb: thumb == ThumbState::Made,
                        favourite: row.get(6)?,
                        duration_ms: row.get(7)?,
                        ms,
                        revision,
                    })
                } else {
                    let task: String = row.get(2)?;
                    let state = match super::TaskState::from_status(&state_text) {
                        super::TaskState::Pending => TileState::Pending,
                        super::TaskState::Failed | super::TaskState::Canceled => TileState::Failed,
                        _ => TileState::Processing,
                    };
                    Ok(GalleryTile {
                        key: format!("{TASK_KEY_PREFIX}{task}"),
                        media,
                        state,
                        thumb: false,
                        needs_poster: false,
                        favourite: false,
                        duration_ms: None,
                        ms,
                        revision,
                    })
                }
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The filters' choices: models and media types of visible items, with counts.
    pub fn gallery_facets(&self, profile_id: &str) -> Result<GalleryFacets> {
        let db = self.db();
        let counts = |column: &str| -> rusqlite::Result<Vec<FacetCount>> {
            let mut stmt = db.prepare_cached(&format!(
                "SELECT {column}, count(*) AS n FROM items
                 WHERE profile_id = ?1 AND deleted_ms IS NULL
                 GROUP BY {column} ORDER BY n DESC, {column}"
            ))?;
            let rows = stmt.query_map(params![profile_id], |row| {
                Ok(FacetCount {
                    value: row.get(0)?,
                    count: row.get(1)?,
                })
            })?;
            rows.collect()
        };
        let models = counts("model")?;
        let media = counts("media_type")?;
        let (favourites, first_ms, last_ms) = db
            .prepare_cached(
                "SELECT coalesce(sum(favourite), 0), min(created_ms), max(created_ms) FROM items
                 WHERE profile_id = ?1 AND deleted_ms IS NULL",
            )?
            .query_row(params![profile_id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
        Ok(GalleryFacets {
            models,
            media,
            favourites,
            first_ms,
            last_ms,
        })
    }

    /// One item of a profile (`None` when it belongs to another profile or does not exist).
    pub fn profile_item(&self, profile_id: &str, id: i64) -> Result<Option<Item>> {
        let db = self.db();
        let item = db
            .prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1 AND profile_id = ?2"
            ))?
            .query_row(params![id, profile_id], item_from_row)
            .optional()?;
        Ok(item)
    }

    /// Whether a task of `profile_id` is dismissed from the gallery.
    pub fn task_dismissed(&self, key: &TaskKey) -> Result<bool> {
        let found: Option<i64> = self
            .db()
            .prepare_cached("SELECT 1 FROM dismissed_tasks WHERE profile_id = ?1 AND task_id = ?2")?
            .query_row(params![key.profile_id, key.id], |row| row.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    /// The local preview of an uploaded reference URL, by the upload's content hash.
    pub fn upload_hash_for_url(&self, profile_id: &str, url: &str) -> Result<Option<String>> {
        let found = self
            .db()
            .prepare_cached("SELECT sha256 FROM uploads WHERE profile_id = ?1 AND url = ?2")?
            .query_row(params![profile_id, url], |row| row.get(0))
            .optional()?;
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_words_become_quoted_prefix_terms() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("light"), Some("\"light\"*".into()));
        assert_eq!(
            fts_query("snowy \"mount-ains\" AND -x*"),
            Some("\"snowy\"* \"mount\"* \"ains\"* \"AND\"* \"x\"*".into())
        );
        assert_eq!(fts_query("café"), Some("\"café\"*".into()));
    }

    #[test]
    fn keys_name_items_and_tasks() {
        assert_eq!(TileKey::parse("12"), Some(TileKey::Item(12)));
        assert_eq!(
            TileKey::parse("task:abc"),
            Some(TileKey::Task("abc".into()))
        );
        assert_eq!(TileKey::parse("task:"), None);
        assert_eq!(TileKey::parse("x"), None);
    }
}
