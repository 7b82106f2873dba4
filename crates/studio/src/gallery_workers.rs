//! [`Gallery`]: the running parts of the local library — the library folder, the
//! downloader, the thumbnail queue and deletions waiting out their Undo window.
//!
//! Deleting hides an item at once (it leaves the list; an `item` event says `removed`).
//! [`UNDO_WINDOW`] later, plus a little grace for an Undo click already on its way, its
//! file goes to the OS trash with the `trash` crate and the item stays marked deleted, so
//! it is never downloaded again. Deletions the app could not finish (it quit within the
//! window, the trash failed) are finished at the next start.

use crate::downloads::{DownloadConfig, Downloads};
use crate::error::AppError;
use crate::library::{GalleryTile, Item, ItemChange, Library};
use crate::library_folder::LibraryFolder;
use crate::thumbnail_queue::Thumbnailer;
use crate::tracker::{Announcer, TaskTracker, TrackerEvent};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How long a deletion can be undone (the UI shows its Undo for this long).
pub const UNDO_WINDOW: Duration = Duration::from_secs(10);

/// Timing of the gallery's background work.
#[derive(Debug, Clone)]
pub struct GalleryConfig {
    pub downloads: DownloadConfig,
    /// Thumbnail workers (the number of cores when `None`).
    pub thumbnail_workers: Option<usize>,
    pub undo_window: Duration,
    /// Extra wait after the Undo window before a file goes to the trash, so an Undo sent
    /// as the window closes still arrives in time.
    pub trash_grace: Duration,
}

impl Default for GalleryConfig {
    fn default() -> Self {
        GalleryConfig {
            downloads: DownloadConfig::default(),
            thumbnail_workers: None,
            undo_window: UNDO_WINDOW,
            trash_grace: Duration::from_secs(3),
        }
    }
}

/// Moves a file to the OS trash. Replaceable in tests, which must not fill the trash of
/// the machine they run on.
pub type TrashFn = Arc<dyn Fn(&Path) -> Result<(), String> + Send + Sync>;

/// The OS trash, through the `trash` crate.
pub fn os_trash() -> TrashFn {
    Arc::new(|path: &Path| trash::delete(path).map_err(|e| e.to_string()))
}

/// The gallery's background services.
pub struct Gallery {
    library: Library,
    folder: Arc<LibraryFolder>,
    thumbs: Thumbnailer,
    downloads: Downloads,
    announcer: Announcer,
    config: GalleryConfig,
    trash: TrashFn,
}

impl Gallery {
    /// Starts the thumbnail queue and the downloader (which resumes unfinished downloads
    /// and follows `tracker` from now on), and finishes deletions left from last time.
    pub fn start(
        library: Library,
        tracker: &TaskTracker,
        folder: Arc<LibraryFolder>,
        cache_dir: &Path,
        config: GalleryConfig,
        trash: TrashFn,
    ) -> Result<Gallery, AppError> {
        let announcer = tracker.announcer();
        let on_thumb = {
            let announcer = announcer.clone();
            Arc::new(move |item: Item| announce_item(&announcer, &item, ItemChange::Updated))
        };
        let thumbs = Thumbnailer::start(
            library.clone(),
            Arc::clone(&folder),
            cache_dir,
            config.thumbnail_workers,
            on_thumb,
        );
        // Subscribe before resuming, so a task that succeeds in between is not missed.
        let events = tracker.subscribe_all();
        let downloads = Downloads::start(
            library.clone(),
            Arc::clone(&folder),
            thumbs.clone(),
            announcer.clone(),
            tracker.connections(),
            config.downloads.clone(),
        )?;
        downloads.follow(events);
        let gallery = Gallery {
            library,
            folder,
            thumbs,
            downloads,
            announcer,
            config,
            trash,
        };
        gallery.schedule_trash(Duration::ZERO);
        Ok(gallery)
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    pub fn folder(&self) -> &Arc<LibraryFolder> {
        &self.folder
    }

    pub fn thumbs(&self) -> &Thumbnailer {
        &self.thumbs
    }

    pub fn downloads(&self) -> &Downloads {
        &self.downloads
    }

    pub fn config(&self) -> &GalleryConfig {
        &self.config
    }

    pub fn announce(&self, item: &Item, change: ItemChange) {
        announce_item(&self.announcer, item, change);
    }

    pub fn announce_event(&self, event: TrackerEvent) {
        self.announcer.announce(event);
    }

    /// The slow checks of a start, for a background thread: files deleted outside the
    /// app, thumbnails to make or make again.
    pub fn check_files(&self) -> Result<(), AppError> {
        let gone = self.downloads.check_files()?;
        let wanted = self.thumbs.sweep()?;
        if gone > 0 || wanted > 0 {
            tracing::info!(
                gone,
                wanted,
                "library check: files to fetch again, thumbnails to make"
            );
        }
        Ok(())
    }

    /// After `delay`, trashes the files of items deleted longer than the Undo window ago.
    /// The handle ends with how many files went (a test awaits it instead of pausing).
    pub fn schedule_trash(&self, delay: Duration) -> tokio::task::JoinHandle<usize> {
        let library = self.library.clone();
        let folder = Arc::clone(&self.folder);
        let thumbs = self.thumbs.clone();
        let trash = Arc::clone(&self.trash);
        let window = self.config.undo_window;
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let due = crate::library::now_ms() - window.as_millis() as i64;
            let outcome = tokio::task::spawn_blocking(move || {
                trash_due(&library, &folder, &thumbs, trash.as_ref(), due)
            })
            .await;
            match outcome {
                Ok(Ok(0)) => 0,
                Ok(Ok(n)) => {
                    tracing::info!(files = n, "deleted items went to the trash");
                    n
                }
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "deleted items could not be trashed");
                    0
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the trash task stopped");
                    0
                }
            }
        })
    }

    /// The library folder's path of an item's file, if it has one.
    pub fn file_of(&self, item: &Item) -> Option<PathBuf> {
        item.file.as_deref().and_then(|f| self.folder.resolve(f))
    }
}

impl Drop for Gallery {
    fn drop(&mut self) {
        self.thumbs.stop();
    }
}

fn announce_item(announcer: &Announcer, item: &Item, change: ItemChange) {
    announcer.announce(TrackerEvent::Item {
        profile_id: item.profile_id.clone(),
        change,
        task_id: item.task_id.clone(),
        tile: GalleryTile::of_item(item),
    });
}

/// Trashes the files of items deleted at or before `due_ms`. Blocking.
fn trash_due(
    library: &Library,
    folder: &LibraryFolder,
    thumbs: &Thumbnailer,
    trash: &(dyn Fn(&Path) -> Result<(), String> + Send + Sync),
    due_ms: i64,
) -> Result<usize, AppError> {
    let mut trashed = 0;
    for item in library.items_to_trash(due_ms)? {
        if let Some(path) = item.file.as_deref().and_then(|f| folder.resolve(f)) {
            if path.exists() {
                if let Err(err) = trash(&path) {
                    // Kept (and tried again at the next start): better a file too many
                    // than one lost without the trash to get it back from.
                    tracing::warn!(error = %err, file = %path.display(), "could not move a deleted item to the trash");
                    continue;
                }
                trashed += 1;
            }
        }
        let _ = std::fs::remove_file(folder.partial_dir().join(format!("{}.part", item.id)));
        let _ = std::fs::remove_file(thumbs.path_of(item.id));
        library.mark_trashed(item.id)?;
    }
    Ok(trashed)
}
