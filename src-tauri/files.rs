//! Files from the OS: the native picker (`rfd`), the clipboard (`arboard`) and opening a
//! URL in the default browser. Paths go to the page, which hands them back for upload;
//! file bytes never cross IPC.

use crate::command_context::{describe, PickedFile};
use std::path::PathBuf;
use studio::error::{AppError, ErrorKind};
use studio::forms::ReferenceMedia;
use tauri::{AppHandle, Manager};

/// The native "open" dialog for references of `media`.
pub async fn pick(
    app: &AppHandle,
    media: ReferenceMedia,
    multiple: bool,
) -> Result<Vec<PickedFile>, AppError> {
    let (label, extensions): (&str, &[&str]) = match media {
        ReferenceMedia::Image => (
            "Images",
            &[
                "png", "jpg", "jpeg", "webp", "gif", "svg", "avif", "heic", "heif",
            ],
        ),
        ReferenceMedia::Video => ("Videos", &["mp4", "mov"]),
    };
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_title("Choose reference files")
        .add_filter(label, extensions);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    let picked = if multiple {
        dialog.pick_files().await.unwrap_or_default()
    } else {
        dialog.pick_file().await.into_iter().collect()
    };
    Ok(describe(picked.into_iter().map(|f| f.path().to_path_buf()).collect()).await)
}

/// Files on the clipboard: an image (saved as a PNG under `pasted_dir`, since the upload
/// streams from disk), or file paths/URIs copied in a file manager.
pub async fn paste(pasted_dir: PathBuf) -> Result<Vec<PickedFile>, AppError> {
    let paths = tokio::task::spawn_blocking(move || clipboard_files(&pasted_dir))
        .await
        .map_err(|e| AppError::internal(format!("the clipboard task stopped: {e}")))??;
    if paths.is_empty() {
        return Err(AppError::invalid(
            "The clipboard holds no image or file. Copy an image or a file, then paste again.",
        ));
    }
    Ok(describe(paths).await)
}

fn clipboard_files(pasted_dir: &std::path::Path) -> Result<Vec<PathBuf>, AppError> {
    let unavailable = |e: arboard::Error| {
        AppError::new(
            ErrorKind::InvalidInput,
            "The clipboard could not be read. Try copying again.",
        )
        .with_detail(e.to_string())
    };
    let mut clipboard = arboard::Clipboard::new().map_err(unavailable)?;
    if let Ok(text) = clipboard.get_text() {
        let paths: Vec<PathBuf> = text
            .lines()
            .map(str::trim)
            .filter_map(|line| match line.strip_prefix("file://") {
                Some(uri) => url::Url::parse(&format!("file://{uri}"))
                    .ok()
                    .and_then(|u| u.to_file_path().ok()),
                None if line.starts_with('/') => Some(PathBuf::from(line)),
                None => None,
            })
            .filter(|p| p.is_file())
            .collect();
        if !paths.is_empty() {
            return Ok(paths);
        }
    }
    match clipboard.get_image() {
        Ok(image) => {
            let width = u32::try_from(image.width).unwrap_or(0);
            let height = u32::try_from(image.height).unwrap_or(0);
            let buffer = image::RgbaImage::from_raw(width, height, image.bytes.into_owned())
                .ok_or_else(|| AppError::invalid("The pasted image could not be read."))?;
            std::fs::create_dir_all(pasted_dir)
                .map_err(|e| AppError::storage("keep the pasted image", e))?;
            let path = pasted_dir.join(format!("pasted-{}.png", uuid::Uuid::new_v4()));
            buffer
                .save_with_format(&path, image::ImageFormat::Png)
                .map_err(|e| AppError::storage("keep the pasted image", e))?;
            Ok(vec![path])
        }
        Err(arboard::Error::ContentNotAvailable) => Ok(Vec::new()),
        Err(e) => Err(unavailable(e)),
    }
}

/// Opens an http(s) URL in the default browser.
pub fn open_url(url: &str) -> Result<(), AppError> {
    let parsed = url::Url::parse(url)
        .map_err(|_| AppError::invalid("That is not a web address the app can open."))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(AppError::invalid(
            "Only http and https addresses can be opened.",
        ));
    }
    open::that_detached(parsed.as_str()).map_err(|e| {
        AppError::new(
            ErrorKind::Internal,
            "The default browser could not be opened. Copy the address instead.",
        )
        .with_detail(e.to_string())
    })
}
