//! One subscriber's view of the tracker: a snapshot from the library, then every newer
//! change of its profile.

use super::{Inner, TrackerEvent, SNAPSHOT_LIMIT};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::broadcast;

pub(super) struct Subscription {
    inner: Arc<Inner>,
    profile_id: String,
    receiver: broadcast::Receiver<TrackerEvent>,
    /// Revisions in the last snapshot; `None` until it was sent.
    seen: Option<HashMap<String, i64>>,
}

impl Subscription {
    pub(super) fn new(
        inner: Arc<Inner>,
        profile_id: String,
        receiver: broadcast::Receiver<TrackerEvent>,
    ) -> Subscription {
        Subscription {
            inner,
            profile_id,
            receiver,
            seen: None,
        }
    }

    pub(super) async fn next(&mut self) -> Option<TrackerEvent> {
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
