//! The task tracker: one service that follows every unfinished task of every profile
//! until it is final, records each change in the library **before** announcing it, and
//! announces changes as [`TrackerEvent`]s.
//!
//! - Each task is polled on its own schedule (first poll soon, then longer waits up to a
//!   cap, with a little jitter so tasks made together do not poll in lockstep), but every
//!   poll of a profile goes through that profile's gate: at most
//!   [`TrackerConfig::max_in_flight`] requests at once per profile (each profile its own
//!   permits, so a deployment whose replies hang cannot starve the others' polls), and a
//!   `429` or `5xx` from a deployment pauses its polls for its `Retry-After`
//!   (or an exponential backoff), so a storm is met with silence, not with more load.
//!   Polls use [`Client::task_once`]: the tracker does its own backing off, so the
//!   client's per-request retries would only multiply requests.
//! - On start it resumes every unfinished task in the library, so a restart (or a
//!   dropped and recreated tracker) loses nothing.
//! - A subscriber first gets a [`TrackerEvent::Snapshot`] from the library, then the
//!   live events that are newer than it (each task record carries a revision), so a page
//!   that reloads loses nothing and sees nothing twice.
//! - When a task fails, the usage history is checked for the refund line, and the task
//!   is marked refunded only when the credits really came back.

mod follow;
mod refunds;
mod subscription;

use crate::error::AppError;
use crate::library::{
    GalleryTile, ItemChange, Library, NewTask, TaskChange, TaskKey, TaskOrigin, TaskRecord,
    TaskUpdate,
};
use cyberbara::types::Task;
use cyberbara::{Backoff, Client};
use follow::Pause;
use futures_util::future::BoxFuture;
use futures_util::Stream;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subscription::Subscription;
use tokio::sync::{broadcast, Semaphore};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// How many tasks a snapshot holds (the Activity page's list).
pub const SNAPSHOT_LIMIT: usize = 500;

/// Gives the tracker the client of a profile. The app's implementation keeps one client
/// (one connection pool) per profile.
pub trait Connections: Send + Sync + 'static {
    fn client(&self, profile_id: &str) -> BoxFuture<'_, Result<Client, AppError>>;
}

/// Timing and limits of the tracker.
#[derive(Debug, Clone)]
pub struct TrackerConfig {
    /// Requests in flight at once, per profile.
    pub max_in_flight: usize,
    /// Wait before the first poll of a task.
    pub first_poll: Duration,
    /// Each poll that sees no change waits this much longer than the one before…
    pub growth: f64,
    /// …up to this.
    pub max_interval: Duration,
    /// The pause of all polls of a deployment after a 429/5xx or a lost connection,
    /// doubling with each troubled poll in a row up to its cap (which also bounds a
    /// `Retry-After`, and is the wait after a profile cannot be polled at all).
    pub backoff: Backoff,
    /// When, after a task failed, the usage history is read for its refund.
    pub refund_checks: Vec<Duration>,
}

impl Default for TrackerConfig {
    /// Tuned for the budget in docs/BENCHMARKS.md: about 14 requests over a 60 s task
    /// (1 s, then ×1.5 up to 5 s) and a median of 2.5 s from a change on the server to
    /// the event.
    fn default() -> Self {
        TrackerConfig {
            max_in_flight: 8,
            first_poll: Duration::from_secs(1),
            growth: 1.5,
            max_interval: Duration::from_secs(5),
            backoff: Backoff {
                base: Duration::from_secs(1),
                cap: Duration::from_secs(60),
                jitter: false,
            },
            refund_checks: vec![
                Duration::from_secs(1),
                Duration::from_secs(5),
                Duration::from_secs(20),
            ],
        }
    }
}

/// What the tracker announces.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TrackerEvent {
    /// The subscribed profile's tasks, newest first: the first event of every
    /// subscription (and again if a subscriber fell too far behind).
    Snapshot {
        profile_id: String,
        tasks: Vec<TaskRecord>,
        problem: Option<AppError>,
    },
    /// A task was recorded or changed; `task` is its new record.
    Task {
        change: TaskChange,
        task: Box<TaskRecord>,
    },
    /// Polls of a profile fail (`problem`), or work again (`problem` is null).
    Connection {
        profile_id: String,
        problem: Option<AppError>,
    },
    /// The balance a creation reply reported.
    Balance {
        profile_id: String,
        #[ts(type = "number")]
        remaining_credits: i64,
    },
    /// A gallery item was recorded (`added`), changed (`updated`: its download, thumbnail,
    /// favourite…), or left the gallery (`removed`: deleted) or came back (`added`: Undo).
    /// The gallery's list is not part of the snapshot: after a `snapshot`, query it again
    /// (`gallery_index`); keep a tile's higher `revision`.
    Item {
        profile_id: String,
        change: ItemChange,
        task_id: String,
        tile: GalleryTile,
    },
    /// Bytes of an item's download arrived (announced a few times a second at most, not
    /// recorded; the tile's state says `downloading` meanwhile).
    Download {
        profile_id: String,
        key: String,
        #[ts(type = "number")]
        received: u64,
        #[ts(type = "number | null")]
        total: Option<u64>,
    },
}

impl TrackerEvent {
    pub fn profile_id(&self) -> &str {
        match self {
            TrackerEvent::Snapshot { profile_id, .. }
            | TrackerEvent::Connection { profile_id, .. }
            | TrackerEvent::Balance { profile_id, .. }
            | TrackerEvent::Item { profile_id, .. }
            | TrackerEvent::Download { profile_id, .. } => profile_id,
            TrackerEvent::Task { task, .. } => &task.profile_id,
        }
    }
}

/// Counters for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrackerStats {
    /// Task polls sent.
    pub polls: u64,
    /// Usage reads for refunds.
    pub refund_checks: u64,
}

/// Follows tasks until they are final. Dropping it stops every poll.
pub struct TaskTracker {
    inner: Arc<Inner>,
}

pub(super) struct Inner {
    library: Library,
    connections: Arc<dyn Connections>,
    config: TrackerConfig,
    events: broadcast::Sender<TrackerEvent>,
    /// Per profile: its poll permits (created on its first poll).
    gates: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Per profile: no poll of it starts before this instant (429/5xx/network trouble
    /// from its deployment), and how many troubled polls in a row led there.
    pauses: Mutex<HashMap<String, Pause>>,
    /// Each follower's id and stop token; the id tells a follower that was replaced
    /// (stopped and resumed) from the current one.
    following: Mutex<HashMap<TaskKey, (u64, CancellationToken)>>,
    next_follower: AtomicU64,
    problems: Mutex<HashMap<String, AppError>>,
    shutdown: CancellationToken,
    polls: AtomicU64,
    refund_reads: AtomicU64,
}

impl Drop for TaskTracker {
    fn drop(&mut self) {
        self.inner.shutdown.cancel();
    }
}

impl TaskTracker {
    /// Starts a tracker and resumes every unfinished task in `library`.
    pub fn start(
        library: Library,
        connections: Arc<dyn Connections>,
        config: TrackerConfig,
    ) -> Result<TaskTracker, AppError> {
        let (events, _) = broadcast::channel(4096);
        let tracker = TaskTracker {
            inner: Arc::new(Inner {
                library,
                connections,
                gates: Mutex::new(HashMap::new()),
                config,
                events,
                pauses: Mutex::new(HashMap::new()),
                following: Mutex::new(HashMap::new()),
                next_follower: AtomicU64::new(0),
                problems: Mutex::new(HashMap::new()),
                shutdown: CancellationToken::new(),
                polls: AtomicU64::new(0),
                refund_reads: AtomicU64::new(0),
            }),
        };
        for task in tracker.inner.library.unfinished_tasks()? {
            tracker.inner.follow(task);
        }
        Ok(tracker)
    }

    /// The profiles' clients the tracker polls with; the downloader checks outputs
    /// against their origins.
    pub fn connections(&self) -> Arc<dyn Connections> {
        Arc::clone(&self.inner.connections)
    }

    pub fn stats(&self) -> TrackerStats {
        TrackerStats {
            polls: self.inner.polls.load(Ordering::Relaxed),
            refund_checks: self.inner.refund_reads.load(Ordering::Relaxed),
        }
    }

    /// How many tasks are being followed right now.
    pub fn following(&self) -> usize {
        self.inner.following.lock().map(|f| f.len()).unwrap_or(0)
    }

    /// Records a task just created by the app, announces it and starts following it.
    pub fn add_created(&self, task: NewTask) -> Result<TaskRecord, AppError> {
        self.add(task, TaskChange::Created)
    }

    /// Records a task made elsewhere (by its id), announces it and follows it if it is
    /// not final. A task the library already has is returned as it is.
    pub async fn import(&self, profile_id: &str, task_id: &str) -> Result<TaskRecord, AppError> {
        let task_id = task_id.trim();
        if task_id.is_empty() {
            return Err(AppError::invalid("Enter the id of the task to import."));
        }
        if let Some(known) = self
            .inner
            .library
            .task(&TaskKey::new(profile_id, task_id))?
        {
            return Ok(known);
        }
        let client = self.inner.connections.client(profile_id).await?;
        let task = client.task(task_id).await?;
        self.add(new_task_from(profile_id, &task), TaskChange::Imported)
    }

    fn add(&self, task: NewTask, change: TaskChange) -> Result<TaskRecord, AppError> {
        let (record, created) = self.inner.library.insert_task(task)?;
        if created {
            self.inner.announce(TrackerEvent::Task {
                change,
                task: Box::new(record.clone()),
            });
        }
        if record.tracking && !record.state.is_final() {
            self.inner.follow(record.clone());
        }
        Ok(record)
    }

    /// Announces the balance a creation reply reported.
    pub fn announce_balance(&self, profile_id: &str, remaining_credits: i64) {
        self.inner.announce(TrackerEvent::Balance {
            profile_id: profile_id.to_string(),
            remaining_credits,
        });
    }

    /// Stops following a task (locally; it keeps running on the server).
    pub fn stop_tracking(&self, key: &TaskKey) -> Result<TaskRecord, AppError> {
        self.inner.unfollow(key);
        let record = self
            .inner
            .library
            .set_tracking(key, false, None)?
            .ok_or_else(|| missing_task(&key.id))?;
        self.inner.announce(TrackerEvent::Task {
            change: TaskChange::Tracking,
            task: Box::new(record.clone()),
        });
        Ok(record)
    }

    /// Follows a task again.
    pub fn resume_tracking(&self, key: &TaskKey) -> Result<TaskRecord, AppError> {
        let record = self
            .inner
            .library
            .set_tracking(key, true, None)?
            .ok_or_else(|| missing_task(&key.id))?;
        self.inner.announce(TrackerEvent::Task {
            change: TaskChange::Tracking,
            task: Box::new(record.clone()),
        });
        if !record.state.is_final() {
            self.inner.follow(record.clone());
        }
        Ok(record)
    }

    /// A handle that announces events on this tracker's channel (the downloader's item
    /// and progress events travel with the task events).
    pub fn announcer(&self) -> Announcer {
        Announcer(self.inner.events.clone())
    }

    /// Every event of every profile, from now on (for notifications).
    pub fn subscribe_all(&self) -> broadcast::Receiver<TrackerEvent> {
        self.inner.events.subscribe()
    }

    /// The events of one profile: a snapshot from the library first, then every newer
    /// change, in order. The stream ends when the tracker stops.
    pub fn subscribe(&self, profile_id: &str) -> impl Stream<Item = TrackerEvent> + Send + 'static {
        let inner = Arc::clone(&self.inner);
        let profile_id = profile_id.to_string();
        // Subscribe before reading the snapshot, so no change can fall between the two.
        let receiver = inner.events.subscribe();
        futures_util::stream::unfold(
            Subscription::new(inner, profile_id, receiver),
            |mut sub| async move {
                let event = sub.next().await?;
                Some((event, sub))
            },
        )
    }
}

/// Announces events on a tracker's channel.
#[derive(Clone)]
pub struct Announcer(broadcast::Sender<TrackerEvent>);

impl Announcer {
    pub fn announce(&self, event: TrackerEvent) {
        // No subscriber is fine: what matters is recorded in the library first.
        let _ = self.0.send(event);
    }
}

fn missing_task(id: &str) -> AppError {
    AppError::not_found(format!(
        "The app has no task {id} for this profile. Reload the Activity page."
    ))
}

/// A record for a task read from the server (imported), with the request as far as the
/// task tells it (its options are not part of the v1 task object).
pub fn new_task_from(profile_id: &str, task: &Task) -> NewTask {
    let mut request = serde_json::Map::new();
    request.insert("model".into(), task.model.clone().into());
    if let Some(prompt) = &task.prompt {
        request.insert("prompt".into(), prompt.clone().into());
    }
    if let Some(scene) = &task.scene {
        request.insert("scene".into(), scene.as_str().into());
    }
    let update = TaskUpdate::from(task);
    NewTask {
        key: TaskKey::new(profile_id, &task.id),
        model: task.model.clone(),
        media_type: task.media_type.as_str().to_string(),
        scene: task.scene.as_ref().map(|s| s.as_str().to_string()),
        prompt: task.prompt.clone(),
        request: serde_json::Value::Object(request),
        status: update.status,
        cost: update.cost,
        outputs: update.outputs,
        extra: update.extra,
        origin: TaskOrigin::Imported,
        batch_id: None,
        batch_index: None,
        created_at: task.created_at.clone(),
        updated_at: task.updated_at.clone(),
    }
}
