//! Remembering the window's size and position. The window-state plugin restores them at
//! start and saves them on a clean exit; this also saves them shortly after the user stops
//! moving or resizing, so a crash, a kill or a logout does not lose them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tauri::{Manager, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// How long the window must stay put before its geometry is written.
const SETTLE: Duration = Duration::from_millis(400);

static LATEST_CHANGE: AtomicU64 = AtomicU64::new(0);

pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
        return;
    }
    let change = LATEST_CHANGE.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        // Only the last change of a drag writes the file.
        if LATEST_CHANGE.load(Ordering::SeqCst) == change {
            if let Err(err) = app
                .save_window_state(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED)
            {
                tracing::warn!(error = %err, "could not save the window's size and position");
            }
        }
    });
}
