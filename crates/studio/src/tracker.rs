//! The task tracker: one service that follows every unfinished task of every profile
//! until it is final, records each change in the library **before** announcing it, and
//! announces changes as [`TrackerEvent`]s.
//!
//! - Each task is polled on its own schedule (first poll soon, then longer waits up to a
//!   cap, with a little jitter so tasks made together do not poll in lockstep), but every
//!   poll of every profile
//!   goes through one gate: at most [`TrackerConfig::max_in_flight`] requests at once,
//!   and a `429` or `5xx` from any deployment pauses all polls for its `Retry-After`
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

use crate::error::AppError;
use crate::library::{
    Library, NewTask, TaskChange, TaskKey, TaskOrigin, TaskRecord, TaskState, TaskUpdate,
};
use cyberbara::types::{Task, UsageQuery};
use cyberbara::{Client, ErrorKind as ApiErrorKind};
use futures_util::future::BoxFuture;
use futures_util::Stream;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, Semaphore};
use tokio::time::Instant;
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
    /// Requests in flight at once, over all profiles.
    pub max_in_flight: usize,
    /// Wait before the first poll of a task.
    pub first_poll: Duration,
    /// Each poll that sees no change waits this much longer than the one before…
    pub growth: f64,
    /// …up to this.
    pub max_interval: Duration,
    /// Shortest pause of all polls after a 429/5xx or a lost connection…
    pub backoff_base: Duration,
    /// …and the longest, however long the trouble lasts.
    pub backoff_max: Duration,
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
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
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
}

impl TrackerEvent {
    pub fn profile_id(&self) -> &str {
        match self {
            TrackerEvent::Snapshot { profile_id, .. }
            | TrackerEvent::Connection { profile_id, .. }
            | TrackerEvent::Balance { profile_id, .. } => profile_id,
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

struct Inner {
    library: Library,
    connections: Arc<dyn Connections>,
    config: TrackerConfig,
    events: broadcast::Sender<TrackerEvent>,
    gate: Semaphore,
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
                gate: Semaphore::new(config.max_in_flight.max(1)),
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
            Subscription {
                inner,
                profile_id,
                receiver,
                seen: None,
            },
            |mut sub| async move {
                let event = sub.next().await?;
                Some((event, sub))
            },
        )
    }
}

struct Subscription {
    inner: Arc<Inner>,
    profile_id: String,
    receiver: broadcast::Receiver<TrackerEvent>,
    /// Revisions in the last snapshot; `None` until it was sent.
    seen: Option<HashMap<String, i64>>,
}

impl Subscription {
    async fn next(&mut self) -> Option<TrackerEvent> {
        if self.seen.is_none() {
            return Some(self.snapshot());
        }
        loop {
            let event = match self.receiver.recv().await {
                Ok(event) => event,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::debug!(
                        missed,
                        "a tracker subscriber fell behind; sending a new snapshot"
                    );
                    return Some(self.snapshot());
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            if event.profile_id() != self.profile_id {
                continue;
            }
            if let TrackerEvent::Task { task, .. } = &event {
                let seen = self.seen.get_or_insert_with(HashMap::new);
                match seen.get(&task.id) {
                    Some(revision) if *revision >= task.revision => continue,
                    _ => {
                        seen.insert(task.id.clone(), task.revision);
                    }
                }
            }
            return Some(event);
        }
    }

    fn snapshot(&mut self) -> TrackerEvent {
        let tasks = match self.inner.library.tasks(&self.profile_id, SNAPSHOT_LIMIT) {
            Ok(tasks) => tasks,
            Err(err) => {
                tracing::error!(error = %err, "could not read tasks for a snapshot");
                Vec::new()
            }
        };
        self.seen = Some(tasks.iter().map(|t| (t.id.clone(), t.revision)).collect());
        let problem = self
            .inner
            .problems
            .lock()
            .ok()
            .and_then(|p| p.get(&self.profile_id).cloned());
        TrackerEvent::Snapshot {
            profile_id: self.profile_id.clone(),
            tasks,
            problem,
        }
    }
}

struct Pause {
    until: Instant,
    rounds: u32,
}

/// What one poll's failure means for the task.
enum Trouble {
    /// Pause everything, then try again (429, 5xx, network).
    Pause(Option<Duration>),
    /// This profile cannot be polled (a rejected key…): wait long, then try again.
    Profile,
    /// The server does not know the task: stop following it.
    Gone,
}

impl Inner {
    fn announce(&self, event: TrackerEvent) {
        // No subscribers is fine: the library already holds the change.
        let _ = self.events.send(event);
    }

    fn follow(self: &Arc<Self>, task: TaskRecord) {
        let key = task.key();
        let token = self.shutdown.child_token();
        let id = self.next_follower.fetch_add(1, Ordering::Relaxed);
        {
            let Ok(mut following) = self.following.lock() else {
                return;
            };
            if following.contains_key(&key) {
                return;
            }
            following.insert(key.clone(), (id, token.clone()));
        }
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = inner.poll_until_final(&key, id) => {}
            }
            inner.forget_follower(&key, id);
        });
    }

    /// Removes follower `id` of `key` from the list, unless it was already replaced.
    fn forget_follower(&self, key: &TaskKey, id: u64) {
        if let Ok(mut following) = self.following.lock() {
            if following
                .get(key)
                .is_some_and(|(current, _)| *current == id)
            {
                following.remove(key);
            }
        }
    }

    fn unfollow(&self, key: &TaskKey) {
        if let Ok(mut following) = self.following.lock() {
            if let Some((_, token)) = following.remove(key) {
                token.cancel();
            }
        }
    }

    /// Polls until the task is final. `follower` is this loop's id in the list of
    /// followers: it leaves the list before the final change is announced, so whoever
    /// hears that event finds the task no longer followed.
    async fn poll_until_final(self: &Arc<Self>, key: &TaskKey, follower: u64) {
        let mut wait = self.config.first_poll;
        loop {
            tokio::time::sleep(wait).await;
            match self.poll_once(key).await {
                Ok(task) => {
                    self.clear_pause(&key.profile_id);
                    self.set_problem(&key.profile_id, None);
                    let update = TaskUpdate::from(&task);
                    let state = TaskState::from_status(&update.status);
                    match self.library.apply_task_update(key, &update) {
                        Ok(Some((record, change))) => {
                            if state.is_final() {
                                self.forget_follower(key, follower);
                            }
                            self.announce(TrackerEvent::Task {
                                change,
                                task: Box::new(record),
                            });
                        }
                        Ok(None) => {}
                        Err(err) => {
                            // Nothing is announced that is not recorded: try again later.
                            tracing::error!(error = %err, task = %key.id, "could not record a task update");
                            wait = self.config.max_interval;
                            continue;
                        }
                    }
                    if state.is_final() {
                        if state == TaskState::Failed {
                            self.check_refund(key.clone());
                        }
                        return;
                    }
                    // A task that moved from pending to processing is no closer to its
                    // end than before, so the wait keeps growing either way; resetting it
                    // would cost requests (the budget is ~15 for a 60 s task).
                    wait = jittered(grow(wait, self.config.growth, self.config.max_interval));
                }
                Err((Trouble::Pause(retry_after), err)) => {
                    self.set_problem(&key.profile_id, Some(err));
                    self.pause(&key.profile_id, retry_after);
                    wait = self.config.first_poll.min(self.config.max_interval);
                }
                Err((Trouble::Profile, err)) => {
                    self.set_problem(&key.profile_id, Some(err));
                    wait = self.config.backoff_max;
                }
                Err((Trouble::Gone, err)) => {
                    let note = err.message.clone();
                    match self.library.set_tracking(key, false, Some(&note)) {
                        Ok(Some(record)) => self.announce(TrackerEvent::Task {
                            change: TaskChange::Tracking,
                            task: Box::new(record),
                        }),
                        Ok(None) => {}
                        Err(err) => tracing::error!(error = %err, "could not record a stop"),
                    }
                    return;
                }
            }
        }
    }

    /// One poll through the gate: waits out any pause, then for a free slot.
    async fn poll_once(&self, key: &TaskKey) -> Result<Task, (Trouble, AppError)> {
        self.wait_out_pause(&key.profile_id).await;
        let _permit = self.gate.acquire().await.map_err(|_| {
            (
                Trouble::Pause(None),
                AppError::internal("the task tracker stopped"),
            )
        })?;
        // A pause may have started while this poll waited for its slot.
        self.wait_out_pause(&key.profile_id).await;
        let client = self
            .connections
            .client(&key.profile_id)
            .await
            .map_err(|err| (Trouble::Profile, err))?;
        self.polls.fetch_add(1, Ordering::Relaxed);
        client.task_once(&key.id).await.map_err(|err| {
            let trouble = classify(&err);
            (trouble, AppError::from(err))
        })
    }

    async fn wait_out_pause(&self, profile_id: &str) {
        loop {
            let until = self
                .pauses
                .lock()
                .ok()
                .and_then(|p| p.get(profile_id).map(|p| p.until));
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }

    /// Holds every poll of `profile_id` for its `Retry-After`, or for a backoff that
    /// doubles with each troubled poll in a row.
    fn pause(&self, profile_id: &str, retry_after: Option<Duration>) {
        let Ok(mut pauses) = self.pauses.lock() else {
            return;
        };
        let now = Instant::now();
        let pause = pauses.entry(profile_id.to_string()).or_insert(Pause {
            until: now,
            rounds: 0,
        });
        // Polls that were already in flight when the pause began report the same trouble;
        // only a poll sent after it counts as another round.
        if pause.until > now {
            return;
        }
        let backoff = self
            .config
            .backoff_base
            .saturating_mul(1u32 << pause.rounds.min(16))
            .min(self.config.backoff_max);
        let wait = retry_after
            .map(|r| r.min(self.config.backoff_max))
            .unwrap_or(backoff);
        pause.until = now + wait;
        pause.rounds = pause.rounds.saturating_add(1);
    }

    fn clear_pause(&self, profile_id: &str) {
        if let Ok(mut pauses) = self.pauses.lock() {
            pauses.remove(profile_id);
        }
    }

    fn set_problem(&self, profile_id: &str, problem: Option<AppError>) {
        let changed = {
            let Ok(mut problems) = self.problems.lock() else {
                return;
            };
            let before = problems.get(profile_id).cloned();
            match &problem {
                Some(p) => problems.insert(profile_id.to_string(), p.clone()),
                None => problems.remove(profile_id),
            };
            before.map(|b| b.message) != problem.as_ref().map(|p| p.message.clone())
        };
        if changed {
            self.announce(TrackerEvent::Connection {
                profile_id: profile_id.to_string(),
                problem,
            });
        }
    }

    /// Reads the usage history for the refund line of a failed task, a few times.
    fn check_refund(self: &Arc<Self>, key: TaskKey) {
        let inner = Arc::clone(self);
        let token = self.shutdown.child_token();
        tokio::spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = inner.look_for_refund(&key) => {}
            }
        });
    }

    async fn look_for_refund(&self, key: &TaskKey) {
        for wait in self.config.refund_checks.clone() {
            tokio::time::sleep(wait).await;
            let Ok(client) = self.connections.client(&key.profile_id).await else {
                continue;
            };
            self.refund_reads.fetch_add(1, Ordering::Relaxed);
            match refunded(&client, &key.id).await {
                Ok(true) => {
                    match self.library.mark_refunded(key) {
                        Ok(Some(record)) => self.announce(TrackerEvent::Task {
                            change: TaskChange::Refunded,
                            task: Box::new(record),
                        }),
                        Ok(None) => {}
                        Err(err) => tracing::error!(error = %err, "could not record a refund"),
                    }
                    return;
                }
                Ok(false) => {}
                Err(err) => tracing::debug!(error = %err, "usage read for a refund failed"),
            }
        }
    }
}

/// Whether the usage history holds a credit line (negative consumption) for `task_id`.
/// Refunds are recent, so the newest page is enough.
async fn refunded(client: &Client, task_id: &str) -> Result<bool, cyberbara::Error> {
    let usage = client
        .usage(&UsageQuery {
            page: Some(1),
            limit: Some(100),
            ..Default::default()
        })
        .await?;
    Ok(usage
        .items
        .iter()
        .any(|item| item.task_id.as_deref() == Some(task_id) && item.credits_consumed < 0))
}

fn classify(err: &cyberbara::Error) -> Trouble {
    use cyberbara::types::ErrorCode;
    match err.kind() {
        ApiErrorKind::Connect | ApiErrorKind::Timeout | ApiErrorKind::Network => {
            Trouble::Pause(None)
        }
        ApiErrorKind::Api => match (err.code(), err.status()) {
            (Some(ErrorCode::TaskNotFound), _) => Trouble::Gone,
            (Some(ErrorCode::InvalidTaskId), _) => Trouble::Gone,
            (_, Some(429)) | (_, Some(500..=599)) => Trouble::Pause(retry_after(err)),
            _ => Trouble::Profile,
        },
        _ => Trouble::Profile,
    }
}

fn retry_after(err: &cyberbara::Error) -> Option<Duration> {
    match err {
        cyberbara::Error::Api {
            retry_after_secs: Some(secs),
            ..
        } => Some(Duration::from_secs(u64::from(*secs))),
        _ => None,
    }
}

fn grow(wait: Duration, factor: f64, max: Duration) -> Duration {
    Duration::try_from_secs_f64(wait.as_secs_f64() * factor.max(1.0))
        .unwrap_or(max)
        .min(max)
}

/// `wait` ± 10 %, so tasks created together do not poll in lockstep (a burst of a
/// thousand requests at the same instant) and their events spread out.
fn jittered(wait: Duration) -> Duration {
    use rand::Rng;
    wait.mul_f64(rand::thread_rng().gen_range(0.9..1.1))
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
