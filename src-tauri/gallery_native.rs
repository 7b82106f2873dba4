//! The gallery's window glue: native Save as… and folder dialogs (`rfd`; tests answer
//! them through `test_hooks`), the clipboard (`arboard`), reveal in the file manager and open
//! with the default app (`tauri-plugin-opener`'s and `open`'s functions, called from Rust
//! so the page needs no permission), and dragging files out of the window (`drag`, the
//! crate `tauri-plugin-drag` 2 wraps). An item's file is found from its key in the
//! library, never from a path the page sends.

use crate::command_context::app_services;
use std::path::PathBuf;
use std::sync::Mutex;
use studio::error::{AppError, ErrorKind};
use studio::exports::SaveReport;
use tauri::{AppHandle, Manager};

/// The clipboard, kept for the life of the app: on Linux the app serves what it copied
/// for as long as its `Clipboard` lives.
#[derive(Default)]
pub struct Clipboard(Mutex<Option<arboard::Clipboard>>);

fn parented(app: &AppHandle, dialog: rfd::AsyncFileDialog) -> rfd::AsyncFileDialog {
    match app.get_webview_window("main") {
        Some(window) => dialog.set_parent(&window),
        None => dialog,
    }
}

/// Save as…: one item to the file the save dialog names, a selection into the folder
/// the folder dialog names (each file with a `.json` sidecar). `None` when cancelled.
pub async fn save_items(app: &AppHandle, keys: &[String]) -> Result<Option<SaveReport>, AppError> {
    let services = app_services(app)?.inner().clone();
    match keys {
        [] => Err(AppError::invalid("Select the items to save first.")),
        [key] => {
            let (name, folder) = services.save_suggestion(key).await?;
            let answer = match app.state::<crate::test_hooks::DialogAnswers>().next() {
                Some(answer) => answer,
                None => {
                    let mut dialog = rfd::AsyncFileDialog::new()
                        .set_title("Save as")
                        .set_file_name(&name);
                    if let Some(folder) = folder {
                        dialog = dialog.set_directory(folder);
                    }
                    parented(app, dialog)
                        .save_file()
                        .await
                        .map(|f| f.path().to_path_buf())
                }
            };
            match answer {
                Some(path) => Ok(Some(services.save_item(key, &path).await?)),
                None => Ok(None),
            }
        }
        keys => {
            match pick_folder(
                app,
                "Save the selected items in",
                services.last_save_folder(),
            )
            .await
            {
                Some(folder) => Ok(Some(services.save_items(keys, &folder).await?)),
                None => Ok(None),
            }
        }
    }
}

/// The native folder picker (or a test's answer).
pub async fn pick_folder(app: &AppHandle, title: &str, start: Option<PathBuf>) -> Option<PathBuf> {
    if let Some(answer) = app.state::<crate::test_hooks::DialogAnswers>().next() {
        return answer;
    }
    let mut dialog = rfd::AsyncFileDialog::new().set_title(title);
    if let Some(start) = start {
        dialog = dialog.set_directory(start);
    }
    parented(app, dialog)
        .pick_folder()
        .await
        .map(|f| f.path().to_path_buf())
}

/// Copies an image item to the clipboard as pixels.
pub async fn copy_image(app: &AppHandle, key: &str) -> Result<(), AppError> {
    let image = app_services(app)?.clipboard_image(key).await?;
    let holder = app.state::<Clipboard>();
    let mut guard = holder
        .0
        .lock()
        .map_err(|_| AppError::internal("the clipboard lock"))?;
    let failed = |e: arboard::Error| {
        AppError::new(
            ErrorKind::Internal,
            "The image could not be put on the clipboard. Try again, or use Save as….",
        )
        .with_detail(e.to_string())
    };
    if guard.is_none() {
        *guard = Some(arboard::Clipboard::new().map_err(failed)?);
    }
    let clipboard = guard
        .as_mut()
        .ok_or_else(|| AppError::internal("no clipboard"))?;
    clipboard
        .set_image(arboard::ImageData {
            width: image.width,
            height: image.height,
            bytes: image.rgba.into(),
        })
        .map_err(failed)
}

/// Shows the item's file selected in the file manager.
pub async fn reveal(app: &AppHandle, key: &str) -> Result<(), AppError> {
    let path = app_services(app)?.item_file(key).await?;
    tauri_plugin_opener::reveal_item_in_dir(&path).map_err(|e| {
        AppError::new(
            ErrorKind::Internal,
            "The file manager could not be opened. Open the library folder from Settings instead.",
        )
        .with_detail(e.to_string())
    })
}

/// Opens the item's file with the default app for its type.
pub async fn open_item(app: &AppHandle, key: &str) -> Result<(), AppError> {
    let path = app_services(app)?.item_file(key).await?;
    open_path(
        &path,
        "No app could open this file. Use Save as… to open it elsewhere.",
    )
}

/// Opens the library folder in the file manager.
pub async fn open_library_folder(app: &AppHandle) -> Result<(), AppError> {
    let view = app_services(app)?.library_folder().await?;
    let path = PathBuf::from(&view.path);
    std::fs::create_dir_all(&path)
        .map_err(|e| studio::library_folder::io_error("open the library folder", &path, &e))?;
    open_path(&path, "The file manager could not be opened.")
}

fn open_path(path: &std::path::Path, message: &str) -> Result<(), AppError> {
    open::that_detached(path)
        .map_err(|e| AppError::new(ErrorKind::Internal, message).with_detail(e.to_string()))
}

/// Starts dragging the items' files out of the window (to the file manager or another
/// app), with the first one's thumbnail under the pointer. The page calls this on
/// `dragstart` of a tile.
pub async fn drag_out(app: &AppHandle, keys: &[String]) -> Result<(), AppError> {
    let services = app_services(app)?.inner().clone();
    let mut files = Vec::with_capacity(keys.len());
    for key in keys {
        files.push(services.item_file(key).await?);
    }
    if files.is_empty() {
        return Err(AppError::invalid("Select the items to drag first."));
    }
    let icon = match keys.first().and_then(|k| k.parse::<i64>().ok()) {
        Some(id) => services.gallery().await?.thumbs().path_of(id),
        None => PathBuf::new(),
    };
    let image = if icon.is_file() {
        drag::Image::File(icon)
    } else {
        drag::Image::Raw(Vec::new())
    };
    let window = app
        .get_webview_window("main")
        .ok_or_else(|| AppError::internal("no main window"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    app.run_on_main_thread(move || {
        #[cfg(target_os = "linux")]
        let raw = window.gtk_window();
        #[cfg(not(target_os = "linux"))]
        let raw = tauri::Result::Ok(window.clone());
        let started = match raw {
            Ok(raw) => drag::start_drag(
                &raw,
                drag::DragItem::Files(files),
                image,
                |result, _| tracing::debug!(?result, "a drag out of the window ended"),
                drag::Options::default(),
            )
            .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let _ = tx.send(started);
    })
    .map_err(|e| AppError::internal(format!("the window's thread: {e}")))?;
    let started = tokio::task::spawn_blocking(move || rx.recv())
        .await
        .map_err(|e| AppError::internal(format!("the drag task stopped: {e}")))?
        .map_err(|e| AppError::internal(format!("the drag did not start: {e}")))?;
    started.map_err(|e| {
        AppError::new(
            ErrorKind::Internal,
            "This system does not let the app drag files out of the window. Use Save as… or Show in folder.",
        )
        .with_detail(e)
    })
}
