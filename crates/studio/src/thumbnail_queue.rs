//! Thumbnails for the gallery, made in the background: at most one blocking job per core
//! (decoding a 4K picture takes a core for tens of milliseconds), newest or visible items
//! first. Each is a JPEG of [`THUMBNAIL_LONG_SIDE`] px in `<cache>/thumbs/<item id>.jpg`,
//! served by the media server under its cache root, so the grid never loads a full-size
//! file.
//!
//! Videos get a poster instead: the page draws the video's first frame through the
//! webview's own player (which decodes whatever the platform plays, High profile H.264
//! included) and hands the JPEG to [`Thumbnailer::store_poster`], which checks it and
//! stores it like any thumbnail. A thumbnail whose file disappeared is made again.

use crate::error::AppError;
use crate::library::{Item, ItemState, Library, ThumbState};
use crate::library_folder::LibraryFolder;
use crate::thumbnails::{make_thumbnail, make_thumbnail_from, ThumbnailError, THUMBNAIL_LONG_SIDE};
use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The folder under the cache root that holds thumbnails (and the media-server path).
pub const THUMBS_DIR: &str = "thumbs";

/// Largest poster the page may hand over (a 4K frame as a JPEG is well under this).
pub const MAX_POSTER_BYTES: usize = 8 * 1024 * 1024;

/// Told when an item's thumbnail changed.
pub type OnThumb = Arc<dyn Fn(Item) + Send + Sync>;

/// The background thumbnail maker.
#[derive(Clone)]
pub struct Thumbnailer {
    inner: Arc<Inner>,
}

struct Inner {
    library: Library,
    folder: Arc<LibraryFolder>,
    dir: PathBuf,
    queue: Mutex<Queue>,
    wake: Notify,
    on_thumb: OnThumb,
    made: AtomicU64,
    stop: CancellationToken,
}

#[derive(Default)]
struct Queue {
    order: VecDeque<i64>,
    queued: HashSet<i64>,
}

/// Most thumbnail workers (decodes at once), whatever the machine.
pub const MAX_WORKERS: usize = 4;

impl Thumbnailer {
    /// Starts `workers` workers (when `None`, the number of cores within 2–4: a decode
    /// may take hundreds of MB, so never one per core on a big machine), at most
    /// [`MAX_WORKERS`].
    pub fn start(
        library: Library,
        folder: Arc<LibraryFolder>,
        cache_dir: &Path,
        workers: Option<usize>,
        on_thumb: OnThumb,
    ) -> Thumbnailer {
        let workers = workers
            .unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, MAX_WORKERS))
            })
            .clamp(1, MAX_WORKERS);
        let inner = Arc::new(Inner {
            library,
            folder,
            dir: cache_dir.join(THUMBS_DIR),
            queue: Mutex::new(Queue::default()),
            wake: Notify::new(),
            on_thumb,
            made: AtomicU64::new(0),
            stop: CancellationToken::new(),
        });
        for _ in 0..workers {
            let inner = Arc::clone(&inner);
            tokio::spawn(async move { inner.work().await });
        }
        Thumbnailer { inner }
    }

    pub fn stop(&self) {
        self.inner.stop.cancel();
    }

    /// Thumbnails made since the start.
    pub fn made(&self) -> u64 {
        self.inner.made.load(Ordering::Relaxed)
    }

    /// Where the thumbnail of item `id` is (whether or not it exists yet).
    pub fn path_of(&self, id: i64) -> PathBuf {
        self.inner.dir.join(format!("{id}.jpg"))
    }

    /// Asks for the thumbnail of item `id`; `urgent` ones (visible tiles) go first.
    pub fn request(&self, id: i64, urgent: bool) {
        let Ok(mut queue) = self.inner.queue.lock() else {
            return;
        };
        if queue.queued.insert(id) {
            if urgent {
                queue.order.push_front(id);
            } else {
                queue.order.push_back(id);
            }
        } else if urgent {
            // Already waiting: move it to the front.
            queue.order.retain(|queued| *queued != id);
            queue.order.push_front(id);
        }
        drop(queue);
        self.inner.wake.notify_one();
    }

    /// How many thumbnails wait.
    pub fn waiting(&self) -> usize {
        self.inner.queue.lock().map(|q| q.order.len()).unwrap_or(0)
    }

    /// Finds thumbnails to make: images without one, and thumbnails whose file is gone
    /// (the cache was cleared). Newest first. Blocking (one `stat` per item).
    pub fn sweep(&self) -> Result<usize, AppError> {
        let mut lost = Vec::new();
        let mut wanted = Vec::new();
        for item in self.inner.library.ready_items()? {
            match item.thumb {
                ThumbState::Made if !self.path_of(item.id).exists() => {
                    lost.push(item.id);
                    if item.media_type != "video" {
                        wanted.push(item.id);
                    }
                }
                ThumbState::None if item.media_type == "image" => wanted.push(item.id),
                _ => {}
            }
        }
        self.inner.library.forget_thumbs(&lost)?;
        for id in &wanted {
            self.request(*id, false);
        }
        Ok(wanted.len())
    }

    /// Stores a video's poster frame (JPEG or PNG bytes the page drew from the video) as
    /// its thumbnail.
    pub async fn store_poster(&self, item: &Item, bytes: Vec<u8>) -> Result<Item, AppError> {
        if item.state != ItemState::Ready || item.media_type != "video" {
            return Err(AppError::invalid(
                "Only a downloaded video takes a poster frame.",
            ));
        }
        if bytes.len() > MAX_POSTER_BYTES {
            return Err(AppError::invalid(
                "The poster frame is too large; send a JPEG of the first frame.",
            ));
        }
        match cyberbara::upload::sniff(&bytes) {
            Some("image/jpeg") | Some("image/png") | Some("image/webp") => {}
            _ => {
                return Err(AppError::invalid(
                    "The poster frame is not a JPEG, PNG or WebP picture.",
                ))
            }
        }
        let target = self.path_of(item.id);
        let made = tokio::task::spawn_blocking(move || {
            make_thumbnail_from(&bytes, &target, THUMBNAIL_LONG_SIDE)
        })
        .await
        .map_err(|e| AppError::internal(format!("the poster task stopped: {e}")))?;
        match made {
            Ok(_) => {}
            Err(ThumbnailError::Decode { .. }) => {
                return Err(AppError::invalid(
                    "The poster frame could not be read as a picture.",
                ))
            }
            Err(err) => return Err(AppError::storage("store the poster frame", err)),
        }
        self.inner.made.fetch_add(1, Ordering::Relaxed);
        let updated = self
            .inner
            .library
            .set_item_thumb(item.id, ThumbState::Made)?
            .ok_or_else(|| AppError::not_found("That item is no longer in the library."))?;
        (self.inner.on_thumb)(updated.clone());
        Ok(updated)
    }
}

impl Inner {
    async fn work(self: Arc<Self>) {
        loop {
            let next = self.queue.lock().ok().and_then(|mut q| {
                let id = q.order.pop_front()?;
                q.queued.remove(&id);
                Some(id)
            });
            let Some(id) = next else {
                tokio::select! {
                    _ = self.stop.cancelled() => return,
                    _ = self.wake.notified() => continue,
                }
            };
            if self.stop.is_cancelled() {
                return;
            }
            self.make(id).await;
            // Another worker may be waiting while the queue still holds work.
            if self
                .queue
                .lock()
                .map(|q| !q.order.is_empty())
                .unwrap_or(false)
            {
                self.wake.notify_one();
            }
        }
    }

    async fn make(&self, id: i64) {
        let item = match self.library.item(id) {
            Ok(Some(item)) => item,
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(error = %err, "could not read an item for its thumbnail");
                return;
            }
        };
        if item.state != ItemState::Ready || item.deleted_ms.is_some() || item.media_type != "image"
        {
            return;
        }
        let Some(source) = item.file.as_deref().and_then(|f| self.folder.resolve(f)) else {
            return;
        };
        let target = self.dir.join(format!("{id}.jpg"));
        if item.thumb == ThumbState::Made && target.exists() {
            return;
        }
        let made = tokio::task::spawn_blocking(move || {
            make_thumbnail(&source, &target, THUMBNAIL_LONG_SIDE)
        })
        .await;
        let state = match made {
            Ok(Ok(_)) => {
                self.made.fetch_add(1, Ordering::Relaxed);
                ThumbState::Made
            }
            // SVG, HEIC, AVIF: accepted as outputs but not decoded here; the tile shows an
            // icon rather than asking again at every launch.
            Ok(Err(ThumbnailError::Decode { source, .. })) => {
                tracing::debug!(error = %source, item = id, "no thumbnail for an item");
                ThumbState::Impossible
            }
            Ok(Err(err)) => {
                tracing::warn!(error = %err, item = id, "a thumbnail could not be written");
                return;
            }
            Err(err) => {
                tracing::warn!(error = %err, "a thumbnail task stopped");
                return;
            }
        };
        match self.library.set_item_thumb(id, state) {
            Ok(Some(updated)) => (self.on_thumb)(updated),
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "could not record a thumbnail"),
        }
    }
}
