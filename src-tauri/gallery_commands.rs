//! The Gallery's and the library folder's commands (each has the shape `command_list`
//! describes, and is listed there): the list, records and filters' choices, item actions,
//! and the library folder in Settings. Most are one call into the app's services; Save
//! as…, copy, reveal, open, drag-out and the folder picker go to `gallery_native`.

use crate::command_context::{app_services, upload_reporter, TaskRef};
use crate::gallery_native;
use serde::Deserialize;
use std::path::PathBuf;
use studio::error::AppError;
use studio::exports::SaveReport;
use studio::library::{GalleryFacets, GalleryFilter, GalleryTile};
use studio::library_folder::{LibraryFolderView, MoveReport};
use studio::references::UploadEvent;
use studio::services::{DeleteReport, GalleryIndex, GalleryRecord};
use tauri::ipc::Channel;
use tauri::AppHandle;
use ts_rs::TS;

/// The gallery's filters.
#[derive(Debug, Deserialize, TS)]
pub struct GalleryIndexArgs {
    pub filter: GalleryFilter,
}

/// Gallery tiles by key (an item's id, or `task:<id>`).
#[derive(Debug, Deserialize, TS)]
pub struct KeysArgs {
    pub keys: Vec<String>,
}

/// One gallery tile by key.
#[derive(Debug, Deserialize, TS)]
pub struct KeyArgs {
    pub key: String,
}

#[derive(Debug, Deserialize, TS)]
pub struct FavouriteArgs {
    pub keys: Vec<String>,
    pub favourite: bool,
}

/// A video's first frame, drawn by the page: `data:image/jpeg;base64,…`.
#[derive(Debug, Deserialize, TS)]
pub struct PosterArgs {
    pub key: String,
    pub data_url: String,
}

/// "Use as reference": an item into a slot of the Create page's draft.
#[derive(Debug, Deserialize, TS)]
pub struct ItemReferenceArgs {
    pub key: String,
    pub slot: String,
    /// Chosen by the page, as for `upload_reference`.
    pub upload_id: String,
}

#[derive(Debug, Deserialize, TS)]
pub struct MoveLibraryArgs {
    pub path: String,
}

/// The gallery: the whole filtered list of the active profile, newest first, in one go.
#[tauri::command]
pub async fn gallery_index(
    app: AppHandle,
    args: GalleryIndexArgs,
) -> Result<GalleryIndex, AppError> {
    app_services(&app)?.gallery_index(args.filter).await
}

/// The records of a window of the list (what is on screen), in the order asked.
#[tauri::command]
pub async fn gallery_records(
    app: AppHandle,
    args: KeysArgs,
) -> Result<Vec<GalleryRecord>, AppError> {
    app_services(&app)?.gallery_records(&args.keys).await
}

/// A task's tiles in the gallery ("Open in Gallery" from the Usage page); empty when the
/// gallery has nothing of it.
#[tauri::command]
pub async fn task_tiles(app: AppHandle, args: TaskRef) -> Result<Vec<GalleryTile>, AppError> {
    app_services(&app)?.task_tiles(&args.id).await
}

/// The filters' choices: models and media types present, favourites, date bounds.
#[tauri::command]
pub async fn gallery_facets(app: AppHandle) -> Result<GalleryFacets, AppError> {
    app_services(&app)?.gallery_facets().await
}

#[tauri::command]
pub async fn set_favourite(
    app: AppHandle,
    args: FavouriteArgs,
) -> Result<Vec<GalleryTile>, AppError> {
    app_services(&app)?
        .set_favourite(&args.keys, args.favourite)
        .await
}

/// Deletes at once (Undo with `undo_delete` until `undo_until_ms`; the files go to the
/// OS trash after that).
#[tauri::command]
pub async fn delete_items(app: AppHandle, args: KeysArgs) -> Result<DeleteReport, AppError> {
    app_services(&app)?.delete_items(&args.keys).await
}

#[tauri::command]
pub async fn undo_delete(app: AppHandle, args: KeysArgs) -> Result<Vec<GalleryTile>, AppError> {
    app_services(&app)?.undo_delete(&args.keys).await
}

/// "Retry" on a tile whose download failed or whose file is missing.
#[tauri::command]
pub async fn retry_download(app: AppHandle, args: KeyArgs) -> Result<GalleryTile, AppError> {
    app_services(&app)?.retry_download(&args.key).await
}

/// Stores a video's poster frame drawn by the page (for tiles with `needs_poster`).
#[tauri::command]
pub async fn store_poster(app: AppHandle, args: PosterArgs) -> Result<GalleryTile, AppError> {
    app_services(&app)?
        .store_poster(&args.key, &args.data_url)
        .await
}

/// Save as…: one item through the save dialog, a selection into a chosen folder (each
/// with a `.json` sidecar). `null` when the dialog was cancelled.
#[tauri::command]
pub async fn save_items(app: AppHandle, args: KeysArgs) -> Result<Option<SaveReport>, AppError> {
    gallery_native::save_items(&app, &args.keys).await
}

#[tauri::command]
pub async fn copy_item_image(app: AppHandle, args: KeyArgs) -> Result<(), AppError> {
    gallery_native::copy_image(&app, &args.key).await
}

#[tauri::command]
pub async fn reveal_item(app: AppHandle, args: KeyArgs) -> Result<(), AppError> {
    gallery_native::reveal(&app, &args.key).await
}

#[tauri::command]
pub async fn open_item(app: AppHandle, args: KeyArgs) -> Result<(), AppError> {
    gallery_native::open_item(&app, &args.key).await
}

/// Starts dragging the items' files out of the window; call it on a tile's `dragstart`.
#[tauri::command]
pub async fn drag_items_out(app: AppHandle, args: KeysArgs) -> Result<(), AppError> {
    gallery_native::drag_out(&app, &args.keys).await
}

/// "Use as reference": by the output's URL when it still resolves, else the library's
/// copy uploaded (progress on `channel`, as for `upload_reference`).
#[tauri::command]
pub async fn use_item_as_reference(
    app: AppHandle,
    args: ItemReferenceArgs,
    channel: Channel<UploadEvent>,
) -> Result<studio::compose::DraftReference, AppError> {
    let report = upload_reporter(channel);
    app_services(&app)?
        .item_as_reference(&args.key, &args.slot, &args.upload_id, report)
        .await
}

/// Where the library folder is, its size and the free space beside it.
#[tauri::command]
pub async fn library_folder(app: AppHandle) -> Result<LibraryFolderView, AppError> {
    app_services(&app)?.library_folder().await
}

/// The native folder picker for a new library folder; `null` when cancelled.
#[tauri::command]
pub async fn pick_library_folder(app: AppHandle) -> Result<Option<String>, AppError> {
    let picked = gallery_native::pick_folder(&app, "Choose the library folder", None).await;
    Ok(picked.map(|p| p.display().to_string()))
}

/// Moves every file of the library to `path` and uses it from now on; refused with a
/// sentence (read-only, full, not empty…) before anything moves.
#[tauri::command]
pub async fn move_library(app: AppHandle, args: MoveLibraryArgs) -> Result<MoveReport, AppError> {
    app_services(&app)?
        .move_library(&PathBuf::from(args.path))
        .await
}

#[tauri::command]
pub async fn open_library_folder(app: AppHandle) -> Result<(), AppError> {
    gallery_native::open_library_folder(&app).await
}
