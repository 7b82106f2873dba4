//! The Create page's presets: list, save, rename, duplicate, delete, apply, and export to /
//! import from a JSON file chosen in the native dialog (`rfd` through `save_dialog`; an
//! end-to-end test answers it with `simulate_dialog`). Each is one call into
//! [`Studio`](studio::services::Studio) and is listed in `command_list`.

use crate::command_context::app_services;
use crate::save_dialog;
use serde::Deserialize;
use studio::compose::Draft;
use studio::error::AppError;
use studio::presets::{AppliedPreset, PresetImport, PresetView};
use tauri::AppHandle;
use ts_rs::TS;

/// One preset of the active profile.
#[derive(Debug, Deserialize, TS)]
pub struct PresetRef {
    #[ts(type = "number")]
    pub id: i64,
}

/// "Save as preset…": the form under a name.
#[derive(Debug, Deserialize, TS)]
pub struct SavePresetArgs {
    pub name: String,
    pub draft: Draft,
}

#[derive(Debug, Deserialize, TS)]
pub struct RenamePresetArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
}

/// A preset onto the current form, keeping the form's prompt or taking the preset's.
#[derive(Debug, Deserialize, TS)]
pub struct ApplyPresetArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub draft: Draft,
    pub keep_prompt: bool,
}

#[tauri::command]
pub async fn presets(app: AppHandle) -> Result<Vec<PresetView>, AppError> {
    app_services(&app)?.presets().await
}

#[tauri::command]
pub async fn save_preset(app: AppHandle, args: SavePresetArgs) -> Result<PresetView, AppError> {
    app_services(&app)?
        .save_preset(&args.name, &args.draft)
        .await
}

#[tauri::command]
pub async fn rename_preset(app: AppHandle, args: RenamePresetArgs) -> Result<PresetView, AppError> {
    app_services(&app)?.rename_preset(args.id, &args.name).await
}

#[tauri::command]
pub async fn duplicate_preset(app: AppHandle, args: PresetRef) -> Result<PresetView, AppError> {
    app_services(&app)?.duplicate_preset(args.id).await
}

#[tauri::command]
pub async fn delete_preset(app: AppHandle, args: PresetRef) -> Result<(), AppError> {
    app_services(&app)?.delete_preset(args.id)
}

#[tauri::command]
pub async fn apply_preset(
    app: AppHandle,
    args: ApplyPresetArgs,
) -> Result<AppliedPreset, AppError> {
    app_services(&app)?
        .apply_preset(args.id, &args.draft, args.keep_prompt)
        .await
}

/// "Export presets…": asks where, then writes every preset of the active profile. `null`
/// when the dialog was cancelled, else how many were written.
#[tauri::command]
pub async fn export_presets(app: AppHandle) -> Result<Option<u32>, AppError> {
    let Some(path) = save_dialog::save_json(&app, "Export presets", "presets.json").await else {
        return Ok(None);
    };
    let services = app_services(&app)?.inner().clone();
    tokio::task::spawn_blocking(move || services.export_presets(&path))
        .await
        .map_err(|e| AppError::internal(format!("the presets export stopped: {e}")))?
        .map(Some)
}

/// "Import presets…": asks for a file and adds its presets. `null` when cancelled.
#[tauri::command]
pub async fn import_presets(app: AppHandle) -> Result<Option<PresetImport>, AppError> {
    let Some(path) = save_dialog::open_json(&app, "Import presets").await else {
        return Ok(None);
    };
    let services = app_services(&app)?.inner().clone();
    tokio::task::spawn_blocking(move || services.import_presets(&path))
        .await
        .map_err(|e| AppError::internal(format!("the presets import stopped: {e}")))?
        .map(Some)
}
