//! The IPC surface: thin Tauri commands over [`Studio`].
//!
//! Every command takes the app handle, at most one argument named `args` and, for long
//! work, one `tauri::ipc::Channel` named `channel`, and returns `Result<T, AppError>`.
//! That uniform shape lets [`signatures`] (with `command_signatures`) read each command's argument, event and result
//! types from the function itself, so the generated TypeScript
//! (`ui/src/lib/bindings/commands.ts`) cannot drift from what the commands accept.

use crate::command_signatures::signature_of;
pub use crate::command_signatures::CommandSignature;
use crate::drops::{DropEvent, DropHub};
use crate::gallery_commands;
pub use crate::gallery_commands::{
    FavouriteArgs, GalleryIndexArgs, ItemReferenceArgs, KeyArgs, KeysArgs, MoveLibraryArgs,
    PosterArgs,
};
use crate::subscriptions::Subscriptions;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
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
    Studio, SubmitReport,
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

/// One task of the active profile, by its id.
#[derive(Debug, Deserialize, TS)]
pub struct TaskRef {
    pub id: String,
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

pub(crate) fn studio(app: &AppHandle) -> Result<tauri::State<'_, Arc<Studio>>, AppError> {
    app.try_state::<Arc<Studio>>()
        .ok_or_else(|| AppError::internal("the app services are not ready yet"))
}

#[tauri::command]
pub async fn app_state(app: AppHandle) -> Result<AppStateView, AppError> {
    studio(&app)?.state().await
}

#[tauri::command]
pub async fn retry_keychain(app: AppHandle) -> Result<AppStateView, AppError> {
    studio(&app)?.retry_keychain().await
}

#[tauri::command]
pub async fn add_profile(app: AppHandle, args: NewProfile) -> Result<ProfileView, AppError> {
    studio(&app)?.add_profile(args).await
}

#[tauri::command]
pub async fn set_profile_key(app: AppHandle, args: KeyChange) -> Result<ProfileView, AppError> {
    studio(&app)?.set_profile_key(args).await
}

#[tauri::command]
pub async fn delete_profile_key(app: AppHandle, args: ProfileRef) -> Result<ProfileView, AppError> {
    studio(&app)?.delete_profile_key(args.id).await
}

#[tauri::command]
pub async fn delete_profile(app: AppHandle, args: ProfileRef) -> Result<AppStateView, AppError> {
    let studio = studio(&app)?;
    studio.delete_profile(args.id).await?;
    studio.state().await
}

#[tauri::command]
pub async fn switch_profile(app: AppHandle, args: ProfileRef) -> Result<AppStateView, AppError> {
    let studio = studio(&app)?;
    studio.switch_profile(args.id).await?;
    studio.state().await
}

#[tauri::command]
pub async fn test_profile(app: AppHandle, args: ProfileRef) -> Result<ConnectionReport, AppError> {
    studio(&app)?.test_profile(&args.id).await
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
    studio(&app)?.active_balance().await
}

#[tauri::command]
pub async fn catalogue(app: AppHandle, args: CatalogueArgs) -> Result<CatalogueView, AppError> {
    studio(&app)?.catalogue(args.refresh).await
}

#[tauri::command]
pub async fn load_draft(app: AppHandle) -> Result<Draft, AppError> {
    studio(&app)?.draft()
}

#[tauri::command]
pub async fn save_draft(app: AppHandle, args: DraftArgs) -> Result<(), AppError> {
    studio(&app)?.save_draft(&args.draft)
}

#[tauri::command]
pub async fn check_draft(app: AppHandle, args: DraftArgs) -> Result<DraftCheck, AppError> {
    studio(&app)?.check_draft(&args.draft).await
}

#[tauri::command]
pub async fn quote(app: AppHandle, args: DraftArgs) -> Result<QuoteView, AppError> {
    studio(&app)?.quote(&args.draft).await
}

#[tauri::command]
pub async fn generate(app: AppHandle, args: DraftArgs) -> Result<SubmitReport, AppError> {
    studio(&app)?.generate(&args.draft).await
}

#[tauri::command]
pub async fn recent_prompts(
    app: AppHandle,
    args: RecentArgs,
) -> Result<Vec<RecentPrompt>, AppError> {
    studio(&app)?.recent_prompts(args.limit.min(50) as usize)
}

/// Upload progress for the page: both ways a reference is uploaded (a file, a library
/// item) report on the page's channel the same way.
pub(crate) fn upload_reporter(channel: Channel<UploadEvent>) -> studio::references::Reporter {
    Arc::new(move |event| {
        if let Err(err) = channel.send(event) {
            tracing::debug!(error = %err, "an upload event could not reach the page");
        }
    })
}

#[tauri::command]
pub async fn upload_reference(
    app: AppHandle,
    args: UploadArgs,
    channel: Channel<UploadEvent>,
) -> Result<studio::compose::DraftReference, AppError> {
    let report = upload_reporter(channel);
    studio(&app)?
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
    Ok(studio(&app)?.cancel_upload(&args.upload_id))
}

#[tauri::command]
pub async fn pick_reference_files(
    app: AppHandle,
    args: PickArgs,
) -> Result<Vec<PickedFile>, AppError> {
    crate::files::pick(&app, args.media, args.multiple).await
}

#[tauri::command]
pub async fn paste_reference_files(app: AppHandle) -> Result<Vec<PickedFile>, AppError> {
    let pasted_dir = studio(&app)?.data_dir().join("pasted");
    crate::files::paste(pasted_dir).await
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
    let studio = studio(&app)?.inner().clone();
    app.state::<Subscriptions>().replace(studio, channel).await
}

#[tauri::command]
pub async fn stop_tracking(app: AppHandle, args: TaskRef) -> Result<TaskRecord, AppError> {
    studio(&app)?.stop_tracking(&args.id).await
}

#[tauri::command]
pub async fn resume_tracking(app: AppHandle, args: TaskRef) -> Result<TaskRecord, AppError> {
    studio(&app)?.resume_tracking(&args.id).await
}

#[tauri::command]
pub async fn import_task(app: AppHandle, args: TaskRef) -> Result<TaskRecord, AppError> {
    studio(&app)?.import_task(&args.id).await
}

#[tauri::command]
pub async fn task_draft(app: AppHandle, args: TaskRef) -> Result<Draft, AppError> {
    studio(&app)?.task_draft(&args.id)
}

/// Opens an output URL in the default browser (until the gallery keeps local copies).
#[tauri::command]
pub async fn open_url(_app: AppHandle, args: UrlArgs) -> Result<(), AppError> {
    crate::files::open_url(&args.url)
}

/// Test hook: hands paths to the window's drop handler, exactly as a drop from the file
/// manager does. Refused unless the app was started with `CYBERBARA_TEST_HOOKS=1`.
#[tauri::command]
pub async fn simulate_drop(app: AppHandle, args: DropArgs) -> Result<(), AppError> {
    crate::test_hooks::require()?;
    let paths = args.paths.into_iter().map(PathBuf::from).collect();
    app.state::<DropHub>().dropped(paths).await;
    Ok(())
}

/// Test hook: the answers the next native dialogs (Save as…, folder pickers, exports) give,
/// without showing them. Refused unless the app was started with `CYBERBARA_TEST_HOOKS=1`.
#[tauri::command]
pub async fn simulate_dialog(app: AppHandle, args: DialogArgs) -> Result<(), AppError> {
    crate::test_hooks::require()?;
    app.state::<crate::test_hooks::DialogAnswers>()
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
    studio(&app)?.cached_usage(&args)
}

/// Brings the range up to date (only newer rows when it was read before), reporting pages.
#[tauri::command]
pub async fn sync_usage(
    app: AppHandle,
    args: UsageRange,
    channel: Channel<UsageProgress>,
) -> Result<UsageLedger, AppError> {
    studio(&app)?.sync_usage(&args, &progress_to(channel)).await
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
    let Some(path) = crate::save_dialog::save_csv(&app, "Export usage as CSV", &name).await else {
        return Ok(None);
    };
    let path = studio::usage::csv_file::with_csv_extension(&path);
    let export = studio(&app)?
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
    studio(&app)?
        .import_missing_tasks(&args, &progress_to(channel))
        .await
}

#[tauri::command]
pub async fn balance_settings(app: AppHandle) -> Result<BalanceSettings, AppError> {
    studio(&app)?.balance_settings()
}

#[tauri::command]
pub async fn set_balance_settings(
    app: AppHandle,
    args: BalanceSettings,
) -> Result<BalanceSettings, AppError> {
    studio(&app)?.set_balance_settings(args)
}

/// Defines [`signatures`] and [`invoke_handler`] from one list, so a command cannot be
/// callable without TypeScript types or typed without being callable.
macro_rules! app_commands {
    ($($name:ident,)* ; $($module:ident :: $inner:ident),* $(,)?) => {
        /// Every command with its argument, event and result types, for the bindings.
        pub fn signatures(cfg: &ts_rs::Config) -> Vec<CommandSignature> {
            vec![
                $(signature_of(stringify!($name), $name, cfg),)*
                $(signature_of(stringify!($inner), $module::$inner, cfg),)*
            ]
        }

        /// The handler `lib.rs` installs.
        pub fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name,)* $($module::$inner,)*]
        }
    };
}

app_commands![
    app_state,
    retry_keychain,
    add_profile,
    set_profile_key,
    delete_profile_key,
    delete_profile,
    switch_profile,
    test_profile,
    test_draft,
    active_balance,
    catalogue,
    load_draft,
    save_draft,
    check_draft,
    quote,
    generate,
    recent_prompts,
    upload_reference,
    cancel_upload,
    pick_reference_files,
    paste_reference_files,
    watch_drops,
    subscribe_tasks,
    stop_tracking,
    resume_tracking,
    import_task,
    task_draft,
    open_url,
    simulate_drop,
    simulate_dialog,
    cached_usage,
    sync_usage,
    export_usage_csv,
    import_missing_tasks,
    balance_settings,
    set_balance_settings,
    ;
    gallery_commands::gallery_index,
    gallery_commands::gallery_records,
    gallery_commands::task_tiles,
    gallery_commands::gallery_facets,
    gallery_commands::set_favourite,
    gallery_commands::delete_items,
    gallery_commands::undo_delete,
    gallery_commands::retry_download,
    gallery_commands::store_poster,
    gallery_commands::save_items,
    gallery_commands::copy_item_image,
    gallery_commands::reveal_item,
    gallery_commands::open_item,
    gallery_commands::drag_items_out,
    gallery_commands::use_item_as_reference,
    gallery_commands::library_folder,
    gallery_commands::pick_library_folder,
    gallery_commands::move_library,
    gallery_commands::open_library_folder,
];
