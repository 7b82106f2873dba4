//! What the shell's modules share: the app's [`Studio`] as managed state, the `TaskRef`
//! argument, files picked, pasted or dropped ([`PickedFile`], [`describe`]) and the upload
//! progress reporter. It imports nothing from the shell, so every module can import it
//! without closing a circle: command files import it and the modules below them, and only
//! `command_list` names the commands.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use studio::error::AppError;
use studio::forms::ReferenceMedia;
use studio::references::UploadEvent;
use studio::services::Studio;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

/// The app's services, managed since start-up (`lib.rs`'s setup).
pub fn app_services(app: &AppHandle) -> Result<tauri::State<'_, Arc<Studio>>, AppError> {
    app.try_state::<Arc<Studio>>()
        .ok_or_else(|| AppError::internal("the app services are not ready yet"))
}

/// One task of the active profile, by its id.
#[derive(Debug, Deserialize, TS)]
pub struct TaskRef {
    pub id: String,
}

/// Files picked, pasted or dropped, with the kind of reference each one is (sniffed from
/// its first bytes; `null` for a file the API would refuse) and, when the API would refuse
/// it (type, size), the sentence saying why, before anything is sent.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PickedFile {
    pub path: String,
    pub name: String,
    pub media: Option<ReferenceMedia>,
    pub problem: Option<String>,
}

/// Each path with its name, the reference kind its bytes make it and, when the API would
/// refuse it, why (the same pre-checks the upload runs).
pub async fn describe(paths: Vec<PathBuf>) -> Vec<PickedFile> {
    use cyberbara::upload::{check_files, UploadKind};
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let media = studio::references::sniff_media(&path).await;
        let kind = match media {
            Some(ReferenceMedia::Video) => UploadKind::Video,
            // Unknown bytes are checked as an image, whose refusal lists the accepted types.
            _ => UploadKind::Image,
        };
        let problem = check_files(kind, std::slice::from_ref(&path))
            .await
            .err()
            .map(|e| e.to_string());
        files.push(PickedFile {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| path.display().to_string()),
            media,
            problem,
            path: path.display().to_string(),
        });
    }
    files
}

/// Upload progress for the page: both ways a reference is uploaded (a file, a library
/// item) report on the page's channel the same way.
pub fn upload_reporter(channel: Channel<UploadEvent>) -> studio::references::Reporter {
    Arc::new(move |event| {
        if let Err(err) = channel.send(event) {
            tracing::debug!(error = %err, "an upload event could not reach the page");
        }
    })
}
