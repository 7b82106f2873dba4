//! The IPC surface: thin Tauri commands over [`Studio`].
//!
//! Every command takes the app handle, at most one argument named `args` and, for long
//! work, one `tauri::ipc::Channel` named `channel`, and returns `Result<T, AppError>`.
//! That uniform shape lets [`signatures`] read each command's argument, event and result
//! types from the function itself, so the generated TypeScript
//! (`ui/src/lib/bindings/commands.ts`) cannot drift from what the commands accept.

use crate::drops::{DropEvent, DropHub};
use crate::subscriptions::Subscriptions;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use studio::catalogues::CatalogueView;
use studio::compose::{Draft, DraftCheck};
use studio::error::AppError;
use studio::exports::SaveReport;
use studio::forms::ReferenceMedia;
use studio::library::{GalleryFacets, GalleryFilter, GalleryTile, RecentPrompt, TaskRecord};
use studio::library::{UsageLedger, UsageRange};
use studio::library_folder::{LibraryFolderView, MoveReport};
use studio::profiles::{
    normalise_base_url, KeyChange, KeyInput, NewProfile, ProfileEdit, ProfileRef, ProfileView,
};
use studio::references::UploadEvent;
use studio::services::{
    self, AppStateView, BalanceSettings, BalanceView, ConnectionReport, CsvExport, DeleteReport,
    GalleryIndex, GalleryRecord, QuoteView, Studio, SubmitReport,
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
pub async fn update_profile(app: AppHandle, args: ProfileEdit) -> Result<ProfileView, AppError> {
    studio(&app)?.update_profile(args).await
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
fn upload_reporter(channel: Channel<UploadEvent>) -> studio::references::Reporter {
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

/// The gallery: the whole filtered list of the active profile, newest first, in one go.
#[tauri::command]
pub async fn gallery_index(
    app: AppHandle,
    args: GalleryIndexArgs,
) -> Result<GalleryIndex, AppError> {
    studio(&app)?.gallery_index(args.filter).await
}

/// The records of a window of the list (what is on screen), in the order asked.
#[tauri::command]
pub async fn gallery_records(
    app: AppHandle,
    args: KeysArgs,
) -> Result<Vec<GalleryRecord>, AppError> {
    studio(&app)?.gallery_records(&args.keys).await
}

/// A task's tiles in the gallery ("Open in Gallery" from the Usage page); empty when the
/// gallery has nothing of it.
#[tauri::command]
pub async fn task_tiles(app: AppHandle, args: TaskRef) -> Result<Vec<GalleryTile>, AppError> {
    studio(&app)?.task_tiles(&args.id).await
}

/// The filters' choices: models and media types present, favourites, date bounds.
#[tauri::command]
pub async fn gallery_facets(app: AppHandle) -> Result<GalleryFacets, AppError> {
    studio(&app)?.gallery_facets().await
}

#[tauri::command]
pub async fn set_favourite(
    app: AppHandle,
    args: FavouriteArgs,
) -> Result<Vec<GalleryTile>, AppError> {
    studio(&app)?
        .set_favourite(&args.keys, args.favourite)
        .await
}

/// Deletes at once (Undo with `undo_delete` until `undo_until_ms`; the files go to the
/// OS trash after that).
#[tauri::command]
pub async fn delete_items(app: AppHandle, args: KeysArgs) -> Result<DeleteReport, AppError> {
    studio(&app)?.delete_items(&args.keys).await
}

#[tauri::command]
pub async fn undo_delete(app: AppHandle, args: KeysArgs) -> Result<Vec<GalleryTile>, AppError> {
    studio(&app)?.undo_delete(&args.keys).await
}

/// "Retry" on a tile whose download failed or whose file is missing.
#[tauri::command]
pub async fn retry_download(app: AppHandle, args: KeyArgs) -> Result<GalleryTile, AppError> {
    studio(&app)?.retry_download(&args.key).await
}

/// Stores a video's poster frame drawn by the page (for tiles with `needs_poster`).
#[tauri::command]
pub async fn store_poster(app: AppHandle, args: PosterArgs) -> Result<GalleryTile, AppError> {
    studio(&app)?.store_poster(&args.key, &args.data_url).await
}

/// Save as…: one item through the save dialog, a selection into a chosen folder (each
/// with a `.json` sidecar). `null` when the dialog was cancelled.
#[tauri::command]
pub async fn save_items(app: AppHandle, args: KeysArgs) -> Result<Option<SaveReport>, AppError> {
    crate::gallery::save_items(&app, &args.keys).await
}

#[tauri::command]
pub async fn copy_item_image(app: AppHandle, args: KeyArgs) -> Result<(), AppError> {
    crate::gallery::copy_image(&app, &args.key).await
}

#[tauri::command]
pub async fn reveal_item(app: AppHandle, args: KeyArgs) -> Result<(), AppError> {
    crate::gallery::reveal(&app, &args.key).await
}

#[tauri::command]
pub async fn open_item(app: AppHandle, args: KeyArgs) -> Result<(), AppError> {
    crate::gallery::open_item(&app, &args.key).await
}

/// Starts dragging the items' files out of the window; call it on a tile's `dragstart`.
#[tauri::command]
pub async fn drag_items_out(app: AppHandle, args: KeysArgs) -> Result<(), AppError> {
    crate::gallery::drag_out(&app, &args.keys).await
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
    studio(&app)?
        .item_as_reference(&args.key, &args.slot, &args.upload_id, report)
        .await
}

/// Where the library folder is, its size and the free space beside it.
#[tauri::command]
pub async fn library_folder(app: AppHandle) -> Result<LibraryFolderView, AppError> {
    studio(&app)?.library_folder().await
}

/// The native folder picker for a new library folder; `null` when cancelled.
#[tauri::command]
pub async fn pick_library_folder(app: AppHandle) -> Result<Option<String>, AppError> {
    let picked = crate::gallery::pick_folder(&app, "Choose the library folder", None).await;
    Ok(picked.map(|p| p.display().to_string()))
}

/// Moves every file of the library to `path` and uses it from now on; refused with a
/// sentence (read-only, full, not empty…) before anything moves.
#[tauri::command]
pub async fn move_library(app: AppHandle, args: MoveLibraryArgs) -> Result<MoveReport, AppError> {
    studio(&app)?.move_library(&PathBuf::from(args.path)).await
}

#[tauri::command]
pub async fn open_library_folder(app: AppHandle) -> Result<(), AppError> {
    crate::gallery::open_library_folder(&app).await
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

/// One command as the TypeScript side sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSignature {
    pub name: &'static str,
    /// The TypeScript type of `args`, or `None` for a command without arguments.
    pub args: Option<String>,
    /// The TypeScript type of the events on `channel`, for commands that stream.
    pub channel: Option<String>,
    pub result: String,
    /// Types the signature names, for imports.
    pub imports: Vec<String>,
}

trait Command<Marker> {
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature;
}

struct NoArgs;
struct OneArg<A>(std::marker::PhantomData<A>);
struct OnlyChannel<E>(std::marker::PhantomData<E>);
struct ArgAndChannel<A, E>(std::marker::PhantomData<(A, E)>);

impl<F, Fut, T> Command<NoArgs> for F
where
    F: Fn(AppHandle) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
    T: TS + 'static,
{
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
        CommandSignature {
            name,
            args: None,
            channel: None,
            result: T::name(cfg),
            imports: imports_of::<T>(cfg),
        }
    }
}

impl<F, Fut, A, T> Command<OneArg<A>> for F
where
    F: Fn(AppHandle, A) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
    A: TS + 'static,
    T: TS + 'static,
{
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
        CommandSignature {
            name,
            args: Some(A::name(cfg)),
            channel: None,
            result: T::name(cfg),
            imports: [imports_of::<A>(cfg), imports_of::<T>(cfg)].concat(),
        }
    }
}

impl<F, Fut, E, T> Command<OnlyChannel<E>> for F
where
    F: Fn(AppHandle, Channel<E>) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
    E: TS + Serialize + Clone + 'static,
    T: TS + 'static,
{
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
        CommandSignature {
            name,
            args: None,
            channel: Some(E::name(cfg)),
            result: T::name(cfg),
            imports: [imports_of::<E>(cfg), imports_of::<T>(cfg)].concat(),
        }
    }
}

impl<F, Fut, A, E, T> Command<ArgAndChannel<A, E>> for F
where
    F: Fn(AppHandle, A, Channel<E>) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
    A: TS + 'static,
    E: TS + Serialize + Clone + 'static,
    T: TS + 'static,
{
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
        CommandSignature {
            name,
            args: Some(A::name(cfg)),
            channel: Some(E::name(cfg)),
            result: T::name(cfg),
            imports: [
                imports_of::<A>(cfg),
                imports_of::<E>(cfg),
                imports_of::<T>(cfg),
            ]
            .concat(),
        }
    }
}

/// The generated types a signature must import: the type itself when it is exported, or
/// the exported types it wraps (`Array<PickedFile>` imports `PickedFile`).
fn imports_of<T: TS + 'static>(cfg: &ts_rs::Config) -> Vec<String> {
    if let Some(own) = ts_rs::Dependency::from_ty::<T>(cfg) {
        return vec![own.ts_name];
    }
    struct Generics<'a>(&'a ts_rs::Config, Vec<String>);
    impl ts_rs::TypeVisitor for Generics<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            if let Some(dep) = ts_rs::Dependency::from_ty::<U>(self.0) {
                self.1.push(dep.ts_name);
            }
        }
    }
    let mut generics = Generics(cfg, Vec::new());
    T::visit_generics(&mut generics);
    generics.1
}

fn signature_of<M, F: Command<M>>(
    name: &'static str,
    _command: F,
    cfg: &ts_rs::Config,
) -> CommandSignature {
    F::signature(name, cfg)
}

/// Defines [`signatures`] and [`invoke_handler`] from one list, so a command cannot be
/// callable without TypeScript types or typed without being callable.
macro_rules! app_commands {
    ($($name:ident),* $(,)?) => {
        /// Every command with its argument, event and result types, for the bindings.
        pub fn signatures(cfg: &ts_rs::Config) -> Vec<CommandSignature> {
            vec![$(signature_of(stringify!($name), $name, cfg)),*]
        }

        /// The handler `lib.rs` installs.
        pub fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

app_commands![
    app_state,
    retry_keychain,
    add_profile,
    update_profile,
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
    gallery_index,
    gallery_records,
    task_tiles,
    gallery_facets,
    set_favourite,
    delete_items,
    undo_delete,
    retry_download,
    store_poster,
    save_items,
    copy_item_image,
    reveal_item,
    open_item,
    drag_items_out,
    use_item_as_reference,
    library_folder,
    pick_library_folder,
    move_library,
    open_library_folder,
    simulate_dialog,
    cached_usage,
    sync_usage,
    export_usage_csv,
    import_missing_tasks,
    balance_settings,
    set_balance_settings,
];
