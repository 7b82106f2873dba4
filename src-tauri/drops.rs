//! Files dropped on the window from the OS file manager. Tauri reports the drag as window
//! events with paths; this forwards them to the page's one listener (the shell's drop
//! store, on every page: a drop opens Create and adds the files there), with each file's
//! kind sniffed from its first bytes, so the drop zone can say which slot the files will
//! land in while they hover.

use crate::command_context::{describe, PickedFile};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::ipc::Channel;
use tauri::DragDropEvent;
use ts_rs::TS;

/// What the page hears about a drag over the window.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DropEvent {
    /// Files are over the window.
    Hover { files: Vec<PickedFile> },
    /// The files were dropped.
    Drop { files: Vec<PickedFile> },
    /// The drag left the window or was cancelled.
    Leave,
}

/// The page's channel for drop events (the latest page to ask wins).
#[derive(Default)]
pub struct DropHub {
    listener: Mutex<Option<Channel<DropEvent>>>,
}

impl DropHub {
    pub fn listen(&self, channel: Channel<DropEvent>) {
        if let Ok(mut listener) = self.listener.lock() {
            *listener = Some(channel);
        }
    }

    fn send(&self, event: DropEvent) {
        let listener = self.listener.lock().ok().and_then(|l| l.clone());
        if let Some(channel) = listener {
            if let Err(err) = channel.send(event) {
                tracing::debug!(error = %err, "a drop event could not reach the page");
            }
        }
    }

    /// Files dropped on the window (from the window's event, or the test hook).
    pub async fn dropped(&self, paths: Vec<PathBuf>) {
        let files = describe(paths).await;
        self.send(DropEvent::Drop { files });
    }

    /// Handles Tauri's drag-drop window event.
    pub fn on_window_event(&self, event: &DragDropEvent) {
        match event {
            DragDropEvent::Enter { paths, .. } => {
                self.describe_then_send(paths.clone(), |files| DropEvent::Hover { files })
            }
            DragDropEvent::Drop { paths, .. } => {
                self.describe_then_send(paths.clone(), |files| DropEvent::Drop { files })
            }
            DragDropEvent::Leave => self.send(DropEvent::Leave),
            _ => {}
        }
    }

    /// Sniffs and checks the files off the window's thread, then tells the page.
    fn describe_then_send(
        &self,
        paths: Vec<PathBuf>,
        event: impl FnOnce(Vec<PickedFile>) -> DropEvent + Send + 'static,
    ) {
        let listener = self.clone_listener();
        tauri::async_runtime::spawn(async move {
            let files = describe(paths).await;
            if let Some(channel) = listener {
                if let Err(err) = channel.send(event(files)) {
                    tracing::debug!(error = %err, "a drop event could not reach the page");
                }
            }
        });
    }

    fn clone_listener(&self) -> Option<Channel<DropEvent>> {
        self.listener.lock().ok().and_then(|l| l.clone())
    }
}
