//! The app's commands, except the Gallery's and the library folder's
//! (`gallery_commands`): profiles, the Create page, uploads, picked, pasted and dropped
//! files, tasks, usage and the test hooks. Most are one call into
//! [`Studio`](studio::services::Studio); picking, pasting, opening a URL, exporting a CSV,
//! drops and the test hooks go to the shell's own modules (`files`, `save_dialog`,
//! `drops`, `test_hooks`). Each has the shape `command_list` describes, and is listed
//! there.

use crate::command_context::{app_services, upload_reporter, PickedFile, TaskRef};
use crate::drops::{DropEvent, DropHub};
use crate::subscriptions::Subscriptions;
use crate::{files, save_dialog, test_hooks};
use serde::Deserialize;
use std::path::PathBuf;
use studio::catalogues::CatalogueView;
use studio::compose::{Draft, DraftCheck};
use studio::error::AppError;
use studio::forms::ReferenceMedia;
use studio::library::{RecentPrompt, TaskRecord};
use studio::library::{UsageLedger, UsageRange};
use studio::profiles::{
    normalise_base_url, KeyChange, KeyInput, NewProfile, ProfileRef, ProfileView,
};
use studio::references::UploadEvent;
use studio::services::{
    self, AppStateView, BalanceSettings, BalanceView, ConnectionReport, CsvExport, QuoteView,
    SubmitReport,
};
use studio::tracker::TrackerEvent;
use studio::usage::{ImportReport, UsageProgress};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

/// "Test connection" on the add-profile form, before anything is saved.
#[derive(Debug, Deserialize, TS)]
pub struct DraftConnection {
    pub base_url: String,
    #[ts(type = "string")]
    pub api_key: KeyInput,
}

/// The Create page's draft, as an argument.
#[derive(Debug, Deserialize, TS)]
pub struct DraftArgs {
    pub draft: Draft,
}

/// Whether to fetch the model list again even when the cached one is fresh.
#[derive(Debug, Deserialize, TS)]
pub struct CatalogueArgs {
    pub refresh: bool,
}

/// A file to use as a reference in a slot.
#[derive(Debug, Deserialize, TS)]
pub struct UploadArgs {
    /// Chosen by the page, so it can cancel and match progress events.
    pub upload_id: String,
    pub path: String,
    pub slot: String,
    pub media: ReferenceMedia,
}

#[derive(Debug, Deserialize, TS)]
pub struct UploadRef {
    pub upload_id: String,
}

/// What the native file picker should offer.
#[derive(Debug, Deserialize, TS)]
pub struct PickArgs {
    pub media: ReferenceMedia,
    pub multiple: bool,
}

#[derive(Debug, Deserialize, TS)]
pub struct RecentArgs {
    pub limit: u32,
}

#[derive(Debug, Deserialize, TS)]
pub struct UrlArgs {
    pub url: String,
}

/// Test-only: files handed to the drop handler as if dropped on the window.
#[derive(Debug, Deserialize, TS)]
pub struct DropArgs {
    pub paths: Vec<String>,
}

/// Test-only: the answers the next native dialogs give (a path, or `null` for Cancel).
#[derive(Debug, Deserialize, TS)]
pub struct DialogArgs {
    pub answers: Vec<Option<String>>,
}

#[tauri::command]
pub async fn app_state(app: AppHandle) -> Result<AppStateView, AppError> {
    app_services(&app)?.state().await
}

#[tauri::command]
pub async fn retry_keychain(app: AppHandle) -> Result<AppStateView, AppError> {
    app_services(&app)?.retry_keychain().await
}

#[tauri::command]
pub async fn add_profile(app: AppHandle, args: NewProfile) -> Result<ProfileView, AppError> {
    app_services(&app)?.add_profile(args).await
}

#[tauri::command]
pub async fn set_profile_key(app: AppHandle, args: KeyChange) -> Result<ProfileView, AppError> {
    app_services(&app)?.set_profile_key(args).await
}

#[tauri::command]
pub async fn delete_profile_key(app: AppHandle, args: ProfileRef) -> Result<ProfileView, AppError> {
    app_services(&app)?.delete_profile_key(args.id).await
}

#[tauri::command]
pub async fn delete_profile(app: AppHandle, args: ProfileRef) -> Result<AppStateView, AppError> {
    let services = app_services(&app)?;
    services.delete_profile(args.id).await?;
    services.state().await
}

#[tauri::command]
pub async fn switch_profile(app: AppHandle, args: ProfileRef) -> Result<AppStateView, AppError> {
    let services = app_services(&app)?;
    services.switch_profile(args.id).await?;
    services.state().await
}

#[tauri::command]
pub async fn test_profile(app: AppHandle, args: ProfileRef) -> Result<ConnectionReport, AppError> {
    app_services(&app)?.test_profile(&args.id).await
}

#[tauri::command]
pub async fn test_draft(
    _app: AppHandle,
    args: DraftConnection,
) -> Result<ConnectionReport, AppError> {
    let base_url = normalise_base_url(&args.base_url)?;
    services::test_connection(&base_url, args.api_key.into_key()).await
}

#[tauri::command]
pub async fn active_balance(app: AppHandle) -> Result<BalanceView, AppError> {
    app_services(&app)?.active_balance().await
}

#[tauri::command]
pub async fn catalogue(app: AppHandle, args: CatalogueArgs) -> Result<CatalogueView, AppError> {
    app_services(&app)?.catalogue(args.refresh).await
}

#[tauri::command]
pub async fn load_draft(app: AppHandle) -> Result<Draft, AppError> {
    app_services(&app)?.draft()
}

#[tauri::command]
pub async fn save_draft(app: AppHandle, args: DraftArgs) -> Result<(), AppError> {
    app_services(&app)?.save_draft(&args.draft)
}

#[tauri::command]
pub async fn check_draft(app: AppHandle, args: DraftArgs) -> Result<DraftCheck, AppError> {
    app_services(&app)?.check_draft(&args.draft).await
}

#[tauri::command]
pub async fn quote(app: AppHandle, args: DraftArgs) -> Result<QuoteView, AppError> {
    app_services(&app)?.quote(&args.draft).await
}

#[tauri::command]
pub async fn generate(app: AppHandle, args: DraftArgs) -> Result<SubmitReport, AppError> {
    app_services(&app)?.generate(&args.draft).await
}

#[tauri::command]
pub async fn recent_prompts(
    app: AppHandle,
    args: RecentArgs,
) -> Result<Vec<RecentPrompt>, AppError> {
    app_services(&app)?.recent_prompts(args.limit.min(50) as usize)
}

#[tauri::command]
pub async fn upload_reference(
    app: AppHandle,
    args: UploadArgs,
    channel: Channel<UploadEvent>,
) -> Result<studio::compose::DraftReference, AppError> {
    let report = upload_reporter(channel);
    app_services(&app)?
        .upload_reference(
            &args.upload_id,
            &PathBuf::from(args.path),
            &args.slot,
            args.media,
            report,
        )
        .await
}

#[tauri::command]
pub async fn cancel_upload(app: AppHandle, args: UploadRef) -> Result<bool, AppError> {
    Ok(app_services(&app)?.cancel_upload(&args.upload_id))
}

#[tauri::command]
pub async fn pick_reference_files(
    app: AppHandle,
    args: PickArgs,
) -> Result<Vec<PickedFile>, AppError> {
    files::pick(&app, args.media, args.multiple).await
}

#[tauri::command]
pub async fn paste_reference_files(app: AppHandle) -> Result<Vec<PickedFile>, AppError> {
    let pasted_dir = app_services(&app)?.data_dir().join("pasted");
    files::paste(pasted_dir).await
}

/// Where files dropped on the window are announced (one page listens at a time).
#[tauri::command]
pub async fn watch_drops(app: AppHandle, channel: Channel<DropEvent>) -> Result<(), AppError> {
    app.state::<DropHub>().listen(channel);
    Ok(())
}

/// The tracker's events for the active profile: a snapshot, then every change. A new
/// subscription from the window replaces the previous one.
#[tauri::command]
pub async fn subscribe_tasks(
    app: AppHandle,
    channel: Channel<TrackerEvent>,
) -> Result<(), AppError> {
    let services = app_services(&app)?.inner().clone();
    app.state::<Subscriptions>()
        .replace(services, channel)
        .await
}

#[tauri::command]
pub async fn stop_tracking(app: AppHandle, args: TaskRef) -> Result<TaskRecord, AppError> {
    app_services(&app)?.stop_tracking(&args.id).await
}

#[tauri::command]
pub async fn resume_tracking(app: AppHandle, args: TaskRef) -> Result<TaskRecord, AppError> {
    app_services(&app)?.resume_tracking(&args.id).await
}

#[tauri::command]
pub async fn import_task(app: AppHandle, args: TaskRef) -> Result<TaskRecord, AppError> {
    app_services(&app)?.import_task(&args.id).await
}

#[tauri::command]
pub async fn task_draft(app: AppHandle, args: TaskRef) -> Result<Draft, AppError> {
    app_services(&app)?.task_draft(&args.id)
}

/// Opens an http(s) address in the default browser: "Open" on an output in Activity and
/// in the Create page's results (the Gallery opens its local copy with `open_item`).
#[tauri::command]
pub async fn open_url(_app: AppHandle, args: UrlArgs) -> Result<(), AppError> {
    files::open_url(&args.url)
}

/// Test hook: hands paths to the window's drop handler, exactly as a drop from the file
/// manager does. Refused unless the app was started with `CYBERBARA_TEST_HOOKS=1`.
#[tauri::command]
pub async fn simulate_drop(app: AppHandle, args: DropArgs) -> Result<(), AppError> {
    test_hooks::require()?;
    let paths = args.paths.into_iter().map(PathBuf::from).collect();
    app.state::<DropHub>().dropped(paths).await;
    Ok(())
}

/// Test hook: the answers the next native dialogs (Save as…, folder pickers, exports) give,
/// without showing them. Refused unless the app was started with `CYBERBARA_TEST_HOOKS=1`.
#[tauri::command]
pub async fn simulate_dialog(app: AppHandle, args: DialogArgs) -> Result<(), AppError> {
    test_hooks::require()?;
    app.state::<test_hooks::DialogAnswers>()
        .push(args.answers.into_iter().map(|a| a.map(PathBuf::from)));
    Ok(())
}

/// Sends each progress event to the page; a page that went away is no reason to stop.
fn progress_to(channel: Channel<UsageProgress>) -> impl Fn(UsageProgress) + Send + Sync {
    move |event| {
        if let Err(err) = channel.send(event) {
            tracing::debug!(error = %err, "a usage progress event could not reach the page");
        }
    }
}

/// The range as last read for the active profile, from the library, without the network.
#[tauri::command]
pub async fn cached_usage(
    app: AppHandle,
    args: UsageRange,
) -> Result<Option<UsageLedger>, AppError> {
    app_services(&app)?.cached_usage(&args)
}

/// Brings the range up to date (only newer rows when it was read before), reporting pages.
#[tauri::command]
pub async fn sync_usage(
    app: AppHandle,
    args: UsageRange,
    channel: Channel<UsageProgress>,
) -> Result<UsageLedger, AppError> {
    app_services(&app)?
        .sync_usage(&args, &progress_to(channel))
        .await
}

/// "Export CSV": asks where, then reads the whole range and writes it. `null` when the
/// dialog was cancelled.
#[tauri::command]
pub async fn export_usage_csv(
    app: AppHandle,
    args: UsageRange,
    channel: Channel<UsageProgress>,
) -> Result<Option<CsvExport>, AppError> {
    let name = studio::usage::csv_file::suggested_file_name(&args);
    let Some(path) = save_dialog::save_csv(&app, "Export usage as CSV", &name).await else {
        return Ok(None);
    };
    let path = studio::usage::csv_file::with_csv_extension(&path);
    let export = app_services(&app)?
        .export_usage_csv(&args, &path, &progress_to(channel))
        .await?;
    Ok(Some(export))
}

/// "Import missing tasks": every task of the range the app does not know.
#[tauri::command]
pub async fn import_missing_tasks(
    app: AppHandle,
    args: UsageRange,
    channel: Channel<UsageProgress>,
) -> Result<ImportReport, AppError> {
    app_services(&app)?
        .import_missing_tasks(&args, &progress_to(channel))
        .await
}

#[tauri::command]
pub async fn balance_settings(app: AppHandle) -> Result<BalanceSettings, AppError> {
    app_services(&app)?.balance_settings()
}

#[tauri::command]
pub async fn set_balance_settings(
    app: AppHandle,
    args: BalanceSettings,
) -> Result<BalanceSettings, AppError> {
    app_services(&app)?.set_balance_settings(args)
}
