//! Downloads: every output of every succeeded task becomes a file in the library folder.
//!
//! - The downloader listens to the tracker ([`Downloads::follow`]): a task that succeeds
//!   gets one item per output URL, recorded in the library first, then queued.
//! - Each file streams to `<library>/.partial/<item id>.part`, is checked (the length the
//!   server announced, bytes that really are an image/video/audio of the task's kind),
//!   then renamed into place under a name made only from the task id, the index and the
//!   sniffed extension ([`naming`]). A reader of the library never sees half a file.
//! - Failures are retried with exponential backoff (the server's `Retry-After` when it
//!   gives one); a partial file is resumed with `Range` — also after a restart, when
//!   [`Downloads::start`] resumes every unfinished download the library records. After
//!   the last attempt the item is `failed` with a sentence, and "Retry" queues it again.
//! - A file deleted outside the app ([`Downloads::check_files`]) is downloaded again if
//!   its URL still works, and marked `missing` if not.
//! - Outputs are fetched only where the rule of [`cyberbara::egress`] allows: the
//!   profile's own origin, or https from hosts whose resolved addresses are all public,
//!   the same on every redirect. A refused output is failed with a sentence, unrequested.
//! - Every download has a ceiling for its media type ([`DownloadConfig::max_bytes`]),
//!   needs room on the disk before and while it streams, and a minimum transfer rate.
//! - Progress (`download` events, a few per second) and every state change (`item`
//!   events) go out on the tracker's channel.

mod fetch;
pub mod media_info;
pub mod naming;

use crate::error::AppError;
use crate::library::{
    Downloaded, GalleryTile, Item, ItemChange, ItemState, Library, TaskRecord, TaskState,
};
use crate::library_folder::{io_error, resolve_in, LibraryFolder};
use crate::thumbnail_queue::Thumbnailer;
use crate::tracker::{Announcer, Connections, TrackerEvent};
use cyberbara::Backoff;
use fetch::Failure;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, Semaphore};
use tokio_util::sync::CancellationToken;

/// Limits and timing of downloads.
#[derive(Debug, Clone)]
pub struct DownloadConfig {
    /// Files downloading at once.
    pub max_parallel: usize,
    /// Attempts per file before it is `failed`.
    pub attempts: u32,
    /// The wait after a failed attempt: from `base`, doubling each time, up to `cap`
    /// (which also bounds the server's `Retry-After`).
    pub backoff: Backoff,
    /// A reply that sends nothing for this long is given up (and resumed).
    pub stall_timeout: Duration,
    /// A reply slower than this (in bytes per window) is given up (and resumed): a
    /// server that trickles a byte now and then never trips `stall_timeout`.
    pub rate_floor: cyberbara::client::RateFloor,
    /// At most one progress event per file this often.
    pub progress_every: Duration,
    /// Largest file per media type (`image`, `video`, `audio`; others use `image`'s).
    pub max_bytes: MaxBytes,
    /// Room the disk must keep free after a download.
    pub keep_free: u64,
    /// How output hosts are looked up (a stub in tests, so none leaves loopback).
    pub lookup: cyberbara::egress::Lookup,
    /// Origins (base URLs) whose outputs are fetched like the deployment's own, e.g. a
    /// deployment's media host on the same network. Empty in the app; the tests' stand-in
    /// CDN on another loopback port is one.
    pub also_trusted: Vec<String>,
}

/// Ceilings per media type.
#[derive(Debug, Clone, Copy)]
pub struct MaxBytes {
    pub image: u64,
    pub video: u64,
    pub audio: u64,
}

impl Default for MaxBytes {
    fn default() -> Self {
        MaxBytes {
            image: 100 * 1024 * 1024,
            video: 2 * 1024 * 1024 * 1024,
            audio: 200 * 1024 * 1024,
        }
    }
}

impl MaxBytes {
    pub fn for_media(&self, media_type: &str) -> u64 {
        match media_type {
            "video" => self.video,
            "audio" | "music" => self.audio,
            _ => self.image,
        }
    }
}

impl Default for DownloadConfig {
    fn default() -> Self {
        DownloadConfig {
            max_parallel: 3,
            attempts: 5,
            backoff: Backoff {
                base: Duration::from_secs(1),
                cap: Duration::from_secs(30),
                jitter: false,
            },
            stall_timeout: Duration::from_secs(30),
            rate_floor: cyberbara::client::RateFloor::default(),
            progress_every: Duration::from_millis(250),
            max_bytes: MaxBytes::default(),
            keep_free: 256 * 1024 * 1024,
            lookup: cyberbara::egress::Lookup::default(),
            also_trusted: Vec::new(),
        }
    }
}

/// Counters for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DownloadStats {
    /// HTTP requests sent.
    pub requests: u64,
    /// Requests that resumed a partial file with `Range`.
    pub ranged: u64,
    pub completed: u64,
    pub failed: u64,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    ranged: AtomicU64,
    completed: AtomicU64,
    failed: AtomicU64,
}

/// Why a file is being downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// A new output (or a retry).
    New,
    /// The file was deleted outside the app: fetch it again, or mark it missing.
    Replace,
}

/// The downloader. Dropping it stops every download (partial files stay, to resume).
pub struct Downloads {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    library: Library,
    folder: Arc<LibraryFolder>,
    /// Whose outputs these are: each profile's API root, the origin its rule allows.
    connections: Arc<dyn Connections>,
    /// One client per deployment origin: its resolver and redirect rule know that origin.
    clients: Mutex<HashMap<String, reqwest::Client>>,
    config: DownloadConfig,
    gate: Arc<Semaphore>,
    announcer: Announcer,
    thumbs: Thumbnailer,
    /// Downloads queued or running, by item id, with the token that stops them.
    active: Mutex<HashMap<i64, CancellationToken>>,
    stop: CancellationToken,
    stats: Counters,
}

impl Drop for Downloads {
    fn drop(&mut self) {
        self.inner.stop.cancel();
    }
}

impl Downloads {
    /// Starts the downloader: resumes every unfinished download in the library and
    /// records the outputs of succeeded tasks that have none yet.
    pub fn start(
        library: Library,
        folder: Arc<LibraryFolder>,
        thumbs: Thumbnailer,
        announcer: Announcer,
        connections: Arc<dyn Connections>,
        config: DownloadConfig,
    ) -> Result<Downloads, AppError> {
        let downloads = Downloads {
            inner: Arc::new(Inner {
                library,
                folder,
                connections,
                clients: Mutex::new(HashMap::new()),
                gate: Arc::new(Semaphore::new(config.max_parallel.max(1))),
                config,
                announcer,
                thumbs,
                active: Mutex::new(HashMap::new()),
                stop: CancellationToken::new(),
                stats: Counters::default(),
            }),
        };
        downloads.resume_unfinished()?;
        Ok(downloads)
    }

    pub fn stats(&self) -> DownloadStats {
        let s = &self.inner.stats;
        DownloadStats {
            requests: s.requests.load(Ordering::Relaxed),
            ranged: s.ranged.load(Ordering::Relaxed),
            completed: s.completed.load(Ordering::Relaxed),
            failed: s.failed.load(Ordering::Relaxed),
        }
    }

    /// How many downloads are queued or running.
    pub fn active(&self) -> usize {
        self.inner.active.lock().map(|a| a.len()).unwrap_or(0)
    }

    /// Queues every unfinished download the library records, and records the outputs
    /// of succeeded tasks that have no items yet.
    pub fn resume_unfinished(&self) -> Result<(), AppError> {
        self.inner.resume_unfinished()
    }

    /// Follows the tracker's events for the life of the downloader.
    pub fn follow(&self, mut events: broadcast::Receiver<TrackerEvent>) {
        let inner = Arc::downgrade(&self.inner);
        let stop = self.inner.stop.clone();
        tokio::spawn(async move {
            loop {
                let event = tokio::select! {
                    _ = stop.cancelled() => return,
                    event = events.recv() => event,
                };
                let Some(inner) = inner.upgrade() else { return };
                let outcome = match event {
                    Ok(TrackerEvent::Task { task, .. }) => inner.task_succeeded(&task),
                    Ok(_) => Ok(()),
                    Err(broadcast::error::RecvError::Lagged(_)) => inner.resume_unfinished(),
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                if let Err(err) = outcome {
                    tracing::error!(error = %err, "could not record a task's outputs");
                }
            }
        });
    }

    /// Records the outputs of a task that succeeded and queues their downloads. Anything
    /// else (a task still running, one whose outputs were recorded) changes nothing.
    pub fn task_succeeded(&self, task: &TaskRecord) -> Result<(), AppError> {
        self.inner.task_succeeded(task)
    }

    /// "Retry" on a failed or missing item.
    pub fn retry(&self, item: &Item) -> Result<Item, AppError> {
        if !matches!(item.state, ItemState::Failed | ItemState::Missing) {
            return Ok(item.clone());
        }
        self.requeue(item, Purpose::New)
    }

    /// Puts an item back in the download queue (its row reset to queued) and says so.
    fn requeue(&self, item: &Item, purpose: Purpose) -> Result<Item, AppError> {
        let queued = self
            .inner
            .library
            .requeue_item(item.id)?
            .ok_or_else(|| AppError::not_found("That item is no longer in the library."))?;
        self.inner.announce_item(&queued, ItemChange::Updated);
        self.inner.enqueue(queued.clone(), purpose);
        Ok(queued)
    }

    /// Checks that every downloaded file is still there; one deleted outside the app is
    /// downloaded again, or marked missing when its URL no longer works. Returns how many
    /// were gone. Blocking (one `stat` per item).
    pub fn check_files(&self) -> Result<usize, AppError> {
        let mut gone = 0;
        for item in self.inner.library.ready_items()? {
            let present = item
                .file
                .as_deref()
                .and_then(|f| self.inner.folder.resolve(f))
                .is_some_and(|p| p.is_file());
            if !present {
                gone += 1;
                self.replace_missing(&item)?;
            }
        }
        Ok(gone)
    }

    /// Downloads a file again that was deleted outside the app.
    pub fn replace_missing(&self, item: &Item) -> Result<(), AppError> {
        self.requeue(item, Purpose::Replace).map(drop)
    }

    /// Stops every download (partial files stay) and waits until none writes any more:
    /// before the library folder moves.
    pub async fn pause_all(&self) {
        let tokens: Vec<CancellationToken> = self
            .inner
            .active
            .lock()
            .map(|a| a.values().cloned().collect())
            .unwrap_or_default();
        for token in tokens {
            token.cancel();
        }
        for _ in 0..500 {
            if self.active() == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tracing::warn!("downloads were still stopping after 5 s");
    }

    /// Stops downloading one item (deleted while it downloaded) and removes its partial file.
    pub fn cancel(&self, id: i64) {
        if let Some(token) = self
            .inner
            .active
            .lock()
            .ok()
            .and_then(|a| a.get(&id).cloned())
        {
            token.cancel();
        }
        let _ = std::fs::remove_file(self.inner.partial_path(id));
    }
}

impl Inner {
    fn resume_unfinished(self: &Arc<Self>) -> Result<(), AppError> {
        for task in self.library.succeeded_tasks_without_items()? {
            self.task_succeeded(&task)?;
        }
        for item in self.library.unfinished_items()? {
            self.enqueue(item, Purpose::New);
        }
        Ok(())
    }

    fn task_succeeded(self: &Arc<Self>, task: &TaskRecord) -> Result<(), AppError> {
        if task.state != TaskState::Succeeded || task.outputs.is_empty() {
            return Ok(());
        }
        for (item, new) in self.library.record_outputs(task)? {
            if new {
                self.announce_item(&item, ItemChange::Added);
            }
            self.enqueue(item, Purpose::New);
        }
        Ok(())
    }

    pub(crate) fn announce_item(&self, item: &Item, change: ItemChange) {
        self.announcer.announce(TrackerEvent::Item {
            profile_id: item.profile_id.clone(),
            change,
            task_id: item.task_id.clone(),
            tile: GalleryTile::of_item(item),
        });
    }

    pub(crate) fn announce_progress(&self, item: &Item, received: u64, total: Option<u64>) {
        self.announcer.announce(TrackerEvent::Download {
            profile_id: item.profile_id.clone(),
            key: item.id.to_string(),
            received,
            total,
        });
    }

    /// The client for `item`'s deployment and the URL to fetch, or the sentence of the
    /// rule that refuses it (no request is made then).
    pub(super) async fn client_for(
        &self,
        item: &Item,
    ) -> Result<(reqwest::Client, url::Url), fetch::Failure> {
        let trusted = url::Url::parse(&item.url).ok().and_then(|url| {
            self.config
                .also_trusted
                .iter()
                .filter_map(|t| url::Url::parse(t).ok())
                .find(|t| t.origin() == url.origin())
        });
        let own = match trusted {
            Some(own) => own,
            None => self
                .connections
                .client(&item.profile_id)
                .await
                .map_err(|err| fetch::Failure::Retry {
                    reason: err.message,
                    after: None,
                })?
                .api_root()
                .clone(),
        };
        let url = cyberbara::egress::check_output_url(&item.url, &own).map_err(|why| {
            fetch::Failure::Fatal(AppError::new(
                crate::error::ErrorKind::Network,
                why.to_string(),
            ))
        })?;
        let origin = own.origin().ascii_serialization();
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = clients.get(&origin) {
            return Ok((client.clone(), url));
        }
        let builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(self.config.stall_timeout)
            // Content-Length and Range must be about the bytes on disk.
            .no_gzip();
        let client =
            cyberbara::egress::output_client(&own, &self.config.lookup, builder).map_err(|e| {
                fetch::Failure::Fatal(AppError::internal(format!("the download client: {e}")))
            })?;
        clients.insert(origin, client.clone());
        Ok((client, url))
    }

    fn partial_path(&self, id: i64) -> PathBuf {
        self.folder.partial_dir().join(format!("{id}.part"))
    }

    fn enqueue(self: &Arc<Self>, item: Item, purpose: Purpose) {
        if item.deleted_ms.is_some() || self.stop.is_cancelled() {
            return;
        }
        let token = self.stop.child_token();
        {
            let Ok(mut active) = self.active.lock() else {
                return;
            };
            if active.contains_key(&item.id) {
                return;
            }
            active.insert(item.id, token.clone());
        }
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            let id = item.id;
            inner.run(item, purpose, &token).await;
            if let Ok(mut active) = inner.active.lock() {
                active.remove(&id);
            }
        });
    }

    async fn run(&self, item: Item, purpose: Purpose, cancel: &CancellationToken) {
        let _permit = tokio::select! {
            _ = cancel.cancelled() => return,
            permit = Arc::clone(&self.gate).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
        };
        let mut last_reason = String::new();
        for attempt in 1..=self.config.attempts.max(1) {
            // Read again (a retry's validator, a deletion meanwhile) and count the attempt.
            match self.library.item(item.id) {
                Ok(Some(current)) if current.deleted_ms.is_none() => {}
                _ => return,
            }
            let current = match self.library.mark_downloading(item.id, None, None) {
                Ok(Some(current)) => current,
                _ => return,
            };
            if attempt == 1 {
                self.announce_item(&current, ItemChange::Updated);
            }
            let partial = self.partial_path(item.id);
            match fetch::attempt(self, &current, &partial, cancel).await {
                Ok(mime) => {
                    match self.place(&current, &partial, mime).await {
                        Ok(done) => {
                            self.stats.completed.fetch_add(1, Ordering::Relaxed);
                            self.announce_item(&done, ItemChange::Updated);
                            if done.media_type == "image" {
                                self.thumbs.request(done.id, false);
                            }
                        }
                        Err(err) => self.fail(&current, ItemState::Failed, &err.message),
                    }
                    return;
                }
                Err(Failure::Canceled) => return,
                Err(Failure::Fatal(err)) => {
                    self.fail(&current, ItemState::Failed, &err.message);
                    return;
                }
                Err(Failure::Gone(status)) => {
                    let _ = tokio::fs::remove_file(&partial).await;
                    let (state, message) = match purpose {
                        Purpose::Replace => (
                            ItemState::Missing,
                            format!("The file was deleted outside the app and its address no longer works ({status}), so it cannot be downloaded again."),
                        ),
                        Purpose::New => (
                            ItemState::Failed,
                            format!("The output's address no longer works ({status}): the deployment may have expired it."),
                        ),
                    };
                    self.fail(&current, state, &message);
                    return;
                }
                Err(Failure::Retry { reason, after }) => {
                    tracing::debug!(item = item.id, attempt, %reason, "a download attempt failed");
                    last_reason = reason;
                    if attempt == self.config.attempts.max(1) {
                        break;
                    }
                    let pause = self.config.backoff.wait(attempt - 1, after);
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = tokio::time::sleep(pause) => {}
                    }
                }
            }
        }
        let current = self.library.item(item.id).ok().flatten().unwrap_or(item);
        let message = format!(
            "The download failed after {} attempts ({last_reason}). Check the connection, then press Retry.",
            self.config.attempts.max(1)
        );
        let state = match purpose {
            Purpose::Replace => ItemState::Missing,
            Purpose::New => ItemState::Failed,
        };
        self.fail(&current, state, &message);
    }

    fn fail(&self, item: &Item, state: ItemState, message: &str) {
        self.stats.failed.fetch_add(1, Ordering::Relaxed);
        match self.library.set_item_state(item.id, state, Some(message)) {
            Ok(Some(updated)) => self.announce_item(&updated, ItemChange::Updated),
            Ok(None) => {}
            Err(err) => tracing::error!(error = %err, "could not record a failed download"),
        }
    }

    /// Renames the checked partial file into place and records what it is.
    async fn place(
        &self,
        item: &Item,
        partial: &std::path::Path,
        mime: &'static str,
    ) -> Result<Item, AppError> {
        let relative = naming::item_path(
            &item.profile_id,
            item.created_ms,
            &item.task_id,
            item.index,
            naming::extension_for(mime),
        );
        let root = self.folder.path();
        let target = resolve_in(&root, &relative)
            .ok_or_else(|| AppError::internal("a library path climbed out of the folder"))?;
        let partial = partial.to_path_buf();
        let info =
            tokio::task::spawn_blocking(move || -> Result<media_info::MediaInfo, AppError> {
                if let Some(dir) = target.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| io_error("save the download", &root, &e))?;
                }
                std::fs::rename(&partial, &target)
                    .map_err(|e| io_error("save the download", &root, &e))?;
                media_info::inspect(&target, mime)
                    .map_err(|e| io_error("read the download", &root, &e))
            })
            .await
            .map_err(|e| AppError::internal(format!("a download task stopped: {e}")))??;
        let media_type = media_info::family(mime)
            .map(str::to_string)
            .unwrap_or_else(|| item.media_type.clone());
        let done = self
            .library
            .finish_download(
                item.id,
                &Downloaded {
                    file: relative,
                    media_type,
                    content_type: info.mime,
                    size: info.size,
                    sha256: info.sha256,
                    width: info.width,
                    height: info.height,
                    duration_ms: info.duration_ms,
                },
            )?
            .ok_or_else(|| AppError::not_found("That item is no longer in the library."))?;
        Ok(done)
    }
}
