//! The window's subscription to the task tracker: one at a time. A page that loads again
//! (a reload, a profile switch) subscribes again, and the forwarding task of the previous
//! subscription is stopped, so nothing keeps sending into a page that is gone.

use futures_util::StreamExt;
use std::sync::{Arc, Mutex};
use studio::error::AppError;
use studio::services::Studio;
use studio::tracker::TrackerEvent;
use tauri::async_runtime::JoinHandle;
use tauri::ipc::Channel;

#[derive(Default)]
pub struct Subscriptions {
    current: Mutex<Option<JoinHandle<()>>>,
}

impl Subscriptions {
    pub async fn replace(
        &self,
        services: Arc<Studio>,
        channel: Channel<TrackerEvent>,
    ) -> Result<(), AppError> {
        let profile = services.active_id()?;
        let tracker = services.tracker().await?;
        let mut events = Box::pin(tracker.subscribe(&profile));
        let forward = tauri::async_runtime::spawn(async move {
            while let Some(event) = events.next().await {
                if let Err(err) = channel.send(event) {
                    tracing::debug!(error = %err, "the task subscription's page is gone");
                    break;
                }
            }
        });
        if let Ok(mut current) = self.current.lock() {
            if let Some(previous) = current.replace(forward) {
                previous.abort();
            }
        }
        Ok(())
    }
}
