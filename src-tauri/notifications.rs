//! A desktop notification when a task finishes while the window is not focused. The
//! tracker follows every profile, so the notification names the profile.

use std::sync::Arc;
use studio::library::TaskChange;
use studio::services::Studio;
use studio::tracker::TrackerEvent;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

/// Listens to every tracker event for the life of the app.
pub fn start(app: AppHandle, services: Arc<Studio>) {
    tauri::async_runtime::spawn(async move {
        let tracker = match services.tracker().await {
            Ok(tracker) => tracker,
            Err(err) => {
                tracing::warn!(error = %err, "no task notifications: the tracker did not start");
                return;
            }
        };
        let mut events = tracker.subscribe_all();
        loop {
            match events.recv().await {
                Ok(TrackerEvent::Task { change, task }) => {
                    let verb = match change {
                        TaskChange::Succeeded => "succeeded",
                        TaskChange::Failed => "failed",
                        TaskChange::Canceled => "was canceled",
                        _ => continue,
                    };
                    if window_focused(&app) {
                        continue;
                    }
                    let profile = profile_name(&services, &task.profile_id);
                    let prompt = task
                        .prompt
                        .as_deref()
                        .unwrap_or("")
                        .chars()
                        .take(80)
                        .collect::<String>();
                    let title = format!("{} task {verb} — {profile}", task.model);
                    let shown = app
                        .notification()
                        .builder()
                        .title(title)
                        .body(prompt)
                        .show();
                    if let Err(err) = shown {
                        tracing::debug!(error = %err, "a notification could not be shown");
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

fn window_focused(app: &AppHandle) -> bool {
    app.get_webview_window("main")
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(false)
}

fn profile_name(services: &Studio, profile_id: &str) -> String {
    services
        .connections()
        .profiles()
        .ok()
        .and_then(|p| {
            p.list(None, None)
                .into_iter()
                .find(|v| v.id == profile_id)
                .map(|v| v.name)
        })
        .unwrap_or_else(|| profile_id.to_string())
}
