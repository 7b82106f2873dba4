//! Following one task: its poll schedule, the shared gate and per-deployment pauses, and
//! what each kind of failure means.

use super::{Inner, TrackerEvent};
use crate::error::AppError;
use crate::library::{TaskChange, TaskKey, TaskRecord, TaskState, TaskUpdate};
use cyberbara::types::Task;
use cyberbara::ErrorKind as ApiErrorKind;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

pub(super) struct Pause {
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
    pub(super) fn announce(&self, event: TrackerEvent) {
        // No subscribers is fine: the library already holds the change.
        let _ = self.events.send(event);
    }

    pub(super) fn follow(self: &Arc<Self>, task: TaskRecord) {
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

    pub(super) fn unfollow(&self, key: &TaskKey) {
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
                    wait = self.config.backoff.cap;
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
        let _permit = self
            .gate(&key.profile_id)
            .acquire_owned()
            .await
            .map_err(|_| {
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

    /// The poll permits of `profile_id`: its own, so one deployment whose replies hang
    /// holds only its own permits.
    fn gate(&self, profile_id: &str) -> Arc<Semaphore> {
        let mut gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
        gates
            .entry(profile_id.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.config.max_in_flight.max(1))))
            .clone()
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
        let wait = self.config.backoff.wait(pause.rounds, retry_after);
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
            (_, Some(429)) | (_, Some(500..=599)) => Trouble::Pause(err.retry_after()),
            _ => Trouble::Profile,
        },
        _ => Trouble::Profile,
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
