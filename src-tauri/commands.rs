//! The IPC surface: thin Tauri commands over [`AppServices`].
//!
//! Every command takes the app handle and at most one argument named `args`, and returns
//! `Result<T, AppError>`. That uniform shape lets [`signatures`] read each command's
//! argument and result types from the function itself, so the generated TypeScript
//! (`ui/src/lib/bindings/commands.ts`) cannot drift from what the commands accept.

use crate::app_error::AppError;
use crate::profiles::{
    normalise_base_url, KeyChange, KeyInput, NewProfile, ProfileEdit, ProfileRef, ProfileView,
};
use crate::services::{self, AppServices, AppStateView, BalanceView, ConnectionReport};
use serde::Deserialize;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

/// "Test connection" on the add-profile form, before anything is saved.
#[derive(Debug, Deserialize, TS)]
pub struct DraftConnection {
    pub base_url: String,
    #[ts(type = "string")]
    pub api_key: KeyInput,
}

fn services(app: &AppHandle) -> Result<tauri::State<'_, AppServices>, AppError> {
    app.try_state::<AppServices>()
        .ok_or_else(|| AppError::internal("the app services are not ready yet"))
}

#[tauri::command]
pub async fn app_state(app: AppHandle) -> Result<AppStateView, AppError> {
    services(&app)?.state().await
}

#[tauri::command]
pub async fn add_profile(app: AppHandle, args: NewProfile) -> Result<ProfileView, AppError> {
    services(&app)?.add_profile(args).await
}

#[tauri::command]
pub async fn update_profile(app: AppHandle, args: ProfileEdit) -> Result<ProfileView, AppError> {
    services(&app)?.update_profile(args).await
}

#[tauri::command]
pub async fn set_profile_key(app: AppHandle, args: KeyChange) -> Result<ProfileView, AppError> {
    services(&app)?.set_profile_key(args).await
}

#[tauri::command]
pub async fn delete_profile_key(app: AppHandle, args: ProfileRef) -> Result<ProfileView, AppError> {
    services(&app)?.delete_profile_key(args.id).await
}

#[tauri::command]
pub async fn delete_profile(app: AppHandle, args: ProfileRef) -> Result<AppStateView, AppError> {
    let services = services(&app)?;
    services.delete_profile(args.id).await?;
    services.state().await
}

#[tauri::command]
pub async fn switch_profile(app: AppHandle, args: ProfileRef) -> Result<AppStateView, AppError> {
    let services = services(&app)?;
    services.switch_profile(args.id).await?;
    services.state().await
}

#[tauri::command]
pub async fn test_profile(app: AppHandle, args: ProfileRef) -> Result<ConnectionReport, AppError> {
    services(&app)?.test_profile(&args.id).await
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
    services(&app)?.active_balance().await
}

/// One command as the TypeScript side sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSignature {
    pub name: &'static str,
    /// The TypeScript type of `args`, or `None` for a command without arguments.
    pub args: Option<String>,
    pub result: String,
    /// Types the signature names, for imports.
    pub imports: Vec<String>,
}

trait Command<Marker> {
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature;
}

struct NoArgs;
struct OneArg<A>(std::marker::PhantomData<A>);

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
            result: T::name(cfg),
            imports: vec![T::ident(cfg)],
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
            result: T::name(cfg),
            imports: vec![A::ident(cfg), T::ident(cfg)],
        }
    }
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
        /// Every command with its argument and result types, for the TypeScript bindings.
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
    add_profile,
    update_profile,
    set_profile_key,
    delete_profile_key,
    delete_profile,
    switch_profile,
    test_profile,
    test_draft,
    active_balance,
];
