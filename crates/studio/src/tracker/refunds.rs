//! A failed task's refund, looked up in the usage history: the v1 task carries no refund
//! flag, so "refunded" is shown only once the credits are seen to have come back.

use super::{Inner, TaskTracker, TrackerEvent};
use crate::error::AppError;
use crate::library::{TaskChange, TaskKey, TaskRecord};
use cyberbara::types::UsageQuery;
use cyberbara::Client;
use std::sync::atomic::Ordering;
use std::sync::Arc;

impl TaskTracker {
    /// Records a refund seen elsewhere (the refund line of an imported task in the usage
    /// history) and announces it. `None` when the library does not have the task.
    pub fn record_refund(&self, key: &TaskKey) -> Result<Option<TaskRecord>, AppError> {
        let record = self.inner.library.mark_refunded(key)?;
        if let Some(record) = &record {
            self.inner.announce(TrackerEvent::Task {
                change: TaskChange::Refunded,
                task: Box::new(record.clone()),
            });
        }
        Ok(record)
    }
}

impl Inner {
    /// Reads the usage history for the refund line of a failed task, a few times.
    pub(super) fn check_refund(self: &Arc<Self>, key: TaskKey) {
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
