//! The Gallery page's work on the active profile: the list in one query, records of a
//! window of it, the filters' choices, item actions (favourite, delete and Undo, retry,
//! posters, Save as…, use as reference) and the library folder.
//!
//! Media reaches the page by URL from the app's loopback media server, never as bytes:
//! thumbnails at `{thumb_base}/{key}.jpg`, local copies at `file_url`.

use super::Studio;
use crate::error::AppError;
use crate::forms::ReferenceMedia;
use crate::gallery_workers::Gallery;
use crate::library::{
    now_ms, GalleryFacets, GalleryFilter, GalleryTile, Item, ItemChange, ItemState, TaskKey,
    TaskRecord, ThumbState, TileKey,
};
use crate::references::PREVIEW_ROOT;
use crate::thumbnail_queue::THUMBS_DIR;
use base64::Engine;
use serde::Serialize;
use std::sync::Arc;
use ts_rs::TS;

/// The media server's root for the library folder.
pub const LIBRARY_ROOT: &str = "library";

/// The whole filtered list, newest first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GalleryIndex {
    pub tiles: Vec<GalleryTile>,
    /// Runs of tiles made on the same day (local time), in list order.
    pub days: Vec<DayGroup>,
    /// `http://127.0.0.1:PORT/TOKEN/cache/thumbs`: a tile with `thumb` is drawn from
    /// `{thumb_base}/{key}.jpg`. `null` while the media server is not running.
    pub thumb_base: Option<String>,
}

/// Tiles `start .. start + count` of the list were made on `day` (`YYYY-MM-DD`, local).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DayGroup {
    pub day: String,
    pub start: u32,
    pub count: u32,
}

/// Everything the viewer shows about one tile.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GalleryRecord {
    pub key: String,
    pub tile: GalleryTile,
    /// The task that made it: request, cost, dates, status, failure reason.
    pub task: TaskRecord,
    /// The output, for item tiles.
    pub item: Option<ItemView>,
    /// The local copy through the media server (the viewer's `<img>`/`<video>`).
    pub file_url: Option<String>,
    pub thumb_url: Option<String>,
    /// The request's references, with a local preview when the app has one.
    pub references: Vec<ReferenceView>,
}

/// One output as the viewer's side panel shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ItemView {
    #[ts(type = "number")]
    pub id: i64,
    pub index: u32,
    /// The deployment's URL of the output (to copy; the page shows `file_url`).
    pub url: String,
    pub state: ItemState,
    /// Why the download failed or the file is missing.
    pub error: Option<String>,
    /// Where the file is on disk, for "Show in folder" and the panel.
    pub path: Option<String>,
    pub content_type: Option<String>,
    #[ts(type = "number | null")]
    pub size: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    pub favourite: bool,
    #[ts(type = "number | null")]
    pub downloaded_ms: Option<i64>,
    pub sha256: Option<String>,
}

/// A reference of the request that made an item.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReferenceView {
    pub slot: String,
    pub url: String,
    pub media: ReferenceMedia,
    /// A local preview (an upload's preview, or the thumbnail of the output it was).
    pub preview_url: Option<String>,
    /// The gallery tile it came from, when it was one of this library's outputs.
    pub item_key: Option<String>,
}

/// What a Delete did; Undo with the same keys before `undo_until_ms`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeleteReport {
    pub keys: Vec<String>,
    #[ts(type = "number")]
    pub undo_until_ms: i64,
}

/// An image decoded for the clipboard.
pub struct ClipboardImage {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
}

pub(super) fn gone(key: &str) -> AppError {
    AppError::not_found(format!(
        "The gallery has no item {key} for this profile any more. Reload the Gallery."
    ))
}

impl Studio {
    /// The gallery's services (started with the tracker).
    pub async fn gallery(&self) -> Result<&Arc<Gallery>, AppError> {
        self.gallery
            .get_or_try_init(|| async {
                let tracker = self.tracker().await?;
                let folder = Arc::new(crate::library_folder::LibraryFolder::open(
                    &self.library,
                    self.paths.default_library_dir(),
                ));
                let gallery = Gallery::start(
                    self.library.clone(),
                    tracker,
                    folder,
                    &self.paths.cache_dir,
                    self.gallery_config.clone(),
                    self.trash.clone(),
                )?;
                if let Ok(media) = self.media().await {
                    media.set_root(LIBRARY_ROOT, &gallery.folder().path());
                }
                Ok::<Arc<Gallery>, AppError>(Arc::new(gallery))
            })
            .await
    }

    /// Checks the library's files in the background (deleted outside the app, thumbnails
    /// to make). Called once after start.
    pub async fn check_library_files(&self) -> Result<(), AppError> {
        let gallery = Arc::clone(self.gallery().await?);
        tokio::task::spawn_blocking(move || gallery.check_files())
            .await
            .map_err(|e| AppError::internal(format!("the library check stopped: {e}")))?
    }

    /// The whole filtered list for the active profile, newest first.
    pub async fn gallery_index(&self, filter: GalleryFilter) -> Result<GalleryIndex, AppError> {
        let profile = self.active_id()?;
        let tiles = self
            .library
            .run(move |library| library.gallery_tiles(&profile, &filter))
            .await?;
        let days = day_groups(&tiles);
        let thumb_base = self.thumb_base().await;
        Ok(GalleryIndex {
            tiles,
            days,
            thumb_base,
        })
    }

    async fn thumb_base(&self) -> Option<String> {
        let media = self.media().await.ok()?;
        Some(format!("{}/{PREVIEW_ROOT}/{THUMBS_DIR}", media.base()))
    }

    /// What "Open in Gallery" shows for one task of the active profile: its outputs still
    /// in the library (in output order), or else the task's own tile while it runs or after
    /// it failed; empty when the gallery has nothing of it (deleted, dismissed, unknown).
    pub async fn task_tiles(&self, task_id: &str) -> Result<Vec<GalleryTile>, AppError> {
        use crate::library::TaskState;
        let profile = self.active_id()?;
        let tiles: Vec<GalleryTile> = self
            .library
            .task_items(&profile, task_id)?
            .iter()
            .filter(|item| item.deleted_ms.is_none())
            .map(GalleryTile::of_item)
            .collect();
        if !tiles.is_empty() {
            return Ok(tiles);
        }
        let key = TaskKey::new(&profile, task_id);
        let Some(task) = self.library.task(&key)? else {
            return Ok(Vec::new());
        };
        // The same rule as the list's task tiles: running and tracked, or failed; not dismissed.
        let is_tile = match task.state {
            TaskState::Failed => true,
            TaskState::Pending | TaskState::Processing => task.tracking,
            TaskState::Succeeded | TaskState::Canceled => false,
        };
        if !is_tile || self.library.task_dismissed(&key)? {
            return Ok(Vec::new());
        }
        Ok(vec![GalleryTile::of_task(&task)])
    }

    /// The filters' choices for the active profile.
    pub async fn gallery_facets(&self) -> Result<GalleryFacets, AppError> {
        let profile = self.active_id()?;
        Ok(self
            .library
            .run(move |library| library.gallery_facets(&profile))
            .await?)
    }

    /// The records of `keys` (the visible window), in that order; keys that are gone are
    /// left out. Visible images without a thumbnail jump the thumbnail queue.
    pub async fn gallery_records(&self, keys: &[String]) -> Result<Vec<GalleryRecord>, AppError> {
        let profile = self.active_id()?;
        let gallery = self.gallery().await?;
        let media = self.media().await.ok();
        let mut records = Vec::with_capacity(keys.len());
        for key in keys {
            let Some(parsed) = TileKey::parse(key) else {
                continue;
            };
            let (task, item) = match parsed {
                TileKey::Item(id) => {
                    let Some(item) = self.library.profile_item(&profile, id)? else {
                        continue;
                    };
                    if item.deleted_ms.is_some() {
                        continue;
                    }
                    let Some(task) = self.library.task(&TaskKey::new(&profile, &item.task_id))?
                    else {
                        continue;
                    };
                    (task, Some(item))
                }
                TileKey::Task(id) => match self.library.task(&TaskKey::new(&profile, &id))? {
                    Some(task) => (task, None),
                    None => continue,
                },
            };
            if let Some(item) = &item {
                if item.state == ItemState::Ready
                    && item.thumb == ThumbState::None
                    && item.media_type == "image"
                {
                    gallery.thumbs().request(item.id, true);
                }
            }
            let tile = match &item {
                Some(item) => GalleryTile::of_item(item),
                None => GalleryTile::of_task(&task),
            };
            let file_url = match (&item, &media) {
                (Some(item), Some(media)) if item.state == ItemState::Ready => {
                    item.file.as_deref().map(|f| media.url(LIBRARY_ROOT, f))
                }
                _ => None,
            };
            let thumb_url = match (&item, &media) {
                (Some(item), Some(media)) if item.thumb == ThumbState::Made => {
                    Some(media.url(PREVIEW_ROOT, &format!("{THUMBS_DIR}/{}.jpg", item.id)))
                }
                _ => None,
            };
            let references = self.reference_views(&profile, &task, media);
            records.push(GalleryRecord {
                key: key.clone(),
                tile,
                item: item.as_ref().map(|item| ItemView {
                    id: item.id,
                    index: item.index,
                    url: item.url.clone(),
                    state: item.state,
                    error: item.error.clone(),
                    path: gallery.file_of(item).map(|p| p.display().to_string()),
                    content_type: item.content_type.clone(),
                    size: item.size,
                    width: item.width,
                    height: item.height,
                    duration_ms: item.duration_ms,
                    favourite: item.favourite,
                    downloaded_ms: item.downloaded_ms,
                    sha256: item.sha256.clone(),
                }),
                task,
                file_url,
                thumb_url,
                references,
            });
        }
        Ok(records)
    }

    fn reference_views(
        &self,
        profile: &str,
        task: &TaskRecord,
        media: Option<&crate::media_server::MediaServer>,
    ) -> Vec<ReferenceView> {
        let draft = crate::compose::draft_from_request(&task.request);
        draft
            .references
            .into_iter()
            .filter_map(|reference| {
                let url = reference.url?;
                let mut preview_url = None;
                let mut item_key = None;
                if let Some(media) = media {
                    if let Ok(Some(sha)) = self.library.upload_hash_for_url(profile, &url) {
                        let relative = format!("previews/{sha}.jpg");
                        if self.paths.cache_dir.join(&relative).exists() {
                            preview_url = Some(media.url(PREVIEW_ROOT, &relative));
                        }
                    }
                    if let Ok(items) = self.library.items_with_url(&url) {
                        if let Some(item) = items
                            .into_iter()
                            .find(|i| i.profile_id == profile && i.deleted_ms.is_none())
                        {
                            if preview_url.is_none() && item.thumb == ThumbState::Made {
                                preview_url =
                                    Some(media.url(
                                        PREVIEW_ROOT,
                                        &format!("{THUMBS_DIR}/{}.jpg", item.id),
                                    ));
                            }
                            item_key = Some(item.id.to_string());
                        }
                    }
                }
                Some(ReferenceView {
                    slot: reference.slot,
                    url,
                    media: reference.media,
                    preview_url,
                    item_key,
                })
            })
            .collect()
    }

    /// An item of the active profile, by its key.
    pub(super) fn active_item(&self, key: &str) -> Result<Item, AppError> {
        let profile = self.active_id()?;
        match TileKey::parse(key) {
            Some(TileKey::Item(id)) => self
                .library
                .profile_item(&profile, id)?
                .filter(|item| item.deleted_ms.is_none())
                .ok_or_else(|| gone(key)),
            Some(TileKey::Task(_)) => Err(AppError::invalid(
                "That tile is a task without an output yet; only outputs can do this.",
            )),
            None => Err(gone(key)),
        }
    }

    /// Marks items as favourites (or not). Returns their new tiles.
    pub async fn set_favourite(
        &self,
        keys: &[String],
        favourite: bool,
    ) -> Result<Vec<GalleryTile>, AppError> {
        let gallery = self.gallery().await?;
        let mut tiles = Vec::new();
        for key in keys {
            let item = self.active_item(key)?;
            if let Some(updated) = self.library.set_favourite(item.id, favourite)? {
                gallery.announce(&updated, ItemChange::Updated);
                tiles.push(GalleryTile::of_item(&updated));
            }
        }
        Ok(tiles)
    }

    /// Deletes items (and dismisses running or failed task tiles) at once; their files go
    /// to the trash when the Undo window has passed.
    pub async fn delete_items(&self, keys: &[String]) -> Result<DeleteReport, AppError> {
        let profile = self.active_id()?;
        let gallery = self.gallery().await?;
        let now = now_ms();
        let mut deleted = Vec::new();
        for key in keys {
            match TileKey::parse(key) {
                Some(TileKey::Item(_)) => {
                    let item = self.active_item(key)?;
                    if let Some(updated) = self.library.mark_deleted(item.id, now)? {
                        gallery.downloads().cancel(item.id);
                        gallery.announce(&updated, ItemChange::Removed);
                        deleted.push(key.clone());
                    }
                }
                Some(TileKey::Task(id)) => {
                    let task_key = TaskKey::new(&profile, &id);
                    let task = self.library.task(&task_key)?.ok_or_else(|| gone(key))?;
                    if self.library.dismiss_task(&profile, &id, now)? {
                        gallery.announce_event(crate::tracker::TrackerEvent::Item {
                            profile_id: profile.clone(),
                            change: ItemChange::Removed,
                            task_id: id.clone(),
                            tile: GalleryTile::of_task(&task),
                        });
                        deleted.push(key.clone());
                    }
                }
                None => return Err(gone(key)),
            }
        }
        let window = gallery.config().undo_window;
        gallery.schedule_trash(window + gallery.config().trash_grace);
        Ok(DeleteReport {
            keys: deleted,
            undo_until_ms: now + window.as_millis() as i64,
        })
    }

    /// Undo of a Delete: the items come back, unless their files already went to the trash.
    pub async fn undo_delete(&self, keys: &[String]) -> Result<Vec<GalleryTile>, AppError> {
        let profile = self.active_id()?;
        let gallery = self.gallery().await?;
        let mut tiles = Vec::new();
        let mut too_late = 0;
        for key in keys {
            match TileKey::parse(key) {
                Some(TileKey::Item(id)) => match self.library.profile_item(&profile, id)? {
                    Some(item) if item.deleted_ms.is_some() => {
                        match self.library.restore_item(item.id)? {
                            Some(restored) => {
                                gallery.announce(&restored, ItemChange::Added);
                                if matches!(
                                    restored.state,
                                    ItemState::Queued | ItemState::Downloading
                                ) {
                                    gallery.downloads().resume_unfinished()?;
                                }
                                tiles.push(GalleryTile::of_item(&restored));
                            }
                            None => too_late += 1,
                        }
                    }
                    Some(_) => {}
                    None => return Err(gone(key)),
                },
                Some(TileKey::Task(id)) => {
                    if self.library.undismiss_task(&profile, &id)? {
                        if let Some(task) = self.library.task(&TaskKey::new(&profile, &id))? {
                            let tile = GalleryTile::of_task(&task);
                            gallery.announce_event(crate::tracker::TrackerEvent::Item {
                                profile_id: profile.clone(),
                                change: ItemChange::Added,
                                task_id: id.clone(),
                                tile: tile.clone(),
                            });
                            tiles.push(tile);
                        }
                    }
                }
                None => return Err(gone(key)),
            }
        }
        if too_late > 0 && tiles.is_empty() {
            return Err(AppError::invalid(
                "It is too late to undo: the files are already in the system trash.",
            ));
        }
        Ok(tiles)
    }

    /// "Retry" on a failed or missing download.
    pub async fn retry_download(&self, key: &str) -> Result<GalleryTile, AppError> {
        let gallery = self.gallery().await?;
        let item = self.active_item(key)?;
        let queued = gallery.downloads().retry(&item)?;
        Ok(GalleryTile::of_item(&queued))
    }

    /// Stores the poster frame of a video, drawn by the page from the video itself, as a
    /// `data:image/jpeg;base64,…` URL (or PNG/WebP).
    pub async fn store_poster(&self, key: &str, data_url: &str) -> Result<GalleryTile, AppError> {
        let gallery = self.gallery().await?;
        let item = self.active_item(key)?;
        let encoded = data_url
            .split_once(";base64,")
            .filter(|(head, _)| head.starts_with("data:image/"))
            .map(|(_, body)| body)
            .ok_or_else(|| {
                AppError::invalid("The poster frame must be a data:image/…;base64 URL.")
            })?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| AppError::invalid("The poster frame's base64 could not be read."))?;
        let updated = gallery.thumbs().store_poster(&item, bytes).await?;
        Ok(GalleryTile::of_item(&updated))
    }
}

/// Runs of tiles of one local day, in list order.
pub fn day_groups(tiles: &[GalleryTile]) -> Vec<DayGroup> {
    let mut groups: Vec<DayGroup> = Vec::new();
    for (index, tile) in tiles.iter().enumerate() {
        let day = chrono::DateTime::from_timestamp_millis(tile.ms)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_default();
        match groups.last_mut() {
            Some(group) if group.day == day => group.count += 1,
            _ => groups.push(DayGroup {
                day,
                start: index as u32,
                count: 1,
            }),
        }
    }
    groups
}
