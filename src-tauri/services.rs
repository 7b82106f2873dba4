//! The app's state behind the commands: the profile list, the keychain and the sandbox.
//! Plain Rust with no window, so tests drive it directly.

use crate::app_error::{AppError, ErrorKind};
use crate::keychain::Keychain;
use crate::profiles::{
    KeyChange, NewProfile, ProfileEdit, ProfileView, Profiles, UserConnection, SANDBOX_ID,
};
use crate::sandbox_supervisor::{self, RunningSandbox};
use cyberbara::{ApiKey, Client};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::OnceCell;
use ts_rs::TS;

/// Everything the front end needs to draw the shell.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppStateView {
    pub profiles: Vec<ProfileView>,
    pub active_id: String,
    /// `None` when a keychain is reachable; otherwise the sentence saying how to fix it.
    pub keychain_problem: Option<String>,
    pub sandbox: SandboxStatus,
    /// The remote origin the page's CSP must allow for images and media of the active
    /// profile; the front end reloads when it changes so the new policy takes effect.
    pub media_origin: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SandboxStatus {
    Starting,
    Running {
        base_url: String,
        /// Why the sandbox key is not in the keychain, when it is not.
        warning: Option<String>,
    },
    Failed {
        error: AppError,
    },
}

/// A balance as the header shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BalanceView {
    pub profile_id: String,
    #[ts(type = "number")]
    pub remaining_credits: i64,
    pub updated_at: Option<String>,
}

/// The outcome of "Test connection".
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectionReport {
    pub base_url: String,
    pub user_id: String,
    #[ts(type = "number")]
    pub remaining_credits: i64,
}

/// Where the app keeps its files.
#[derive(Debug, Clone)]
pub struct AppPaths {
    pub data_dir: PathBuf,
}

impl AppPaths {
    pub fn profiles_file(&self) -> PathBuf {
        self.data_dir.join("profiles.json")
    }

    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join("sandbox")
    }
}

pub struct AppServices {
    paths: AppPaths,
    keychain: Keychain,
    profiles: Arc<Mutex<Profiles>>,
    media_origin: Arc<RwLock<Option<String>>>,
    sandbox: Arc<OnceCell<Result<RunningSandbox, AppError>>>,
}

impl AppServices {
    pub fn open(
        paths: AppPaths,
        keychain: Keychain,
        env_key: Option<ApiKey>,
    ) -> Result<AppServices, AppError> {
        let profiles = Profiles::open(&paths.profiles_file(), keychain.clone(), env_key)?;
        let origin = active_media_origin(&profiles);
        Ok(AppServices {
            paths,
            keychain,
            profiles: Arc::new(Mutex::new(profiles)),
            media_origin: Arc::new(RwLock::new(origin)),
            sandbox: Arc::new(OnceCell::new()),
        })
    }

    /// Makes `id` the active profile before the window opens (`--profile ID` on the command line).
    pub fn select_at_launch(&self, id: &str) -> Result<(), AppError> {
        let mut profiles = self.lock()?;
        profiles.switch(id)?;
        self.set_media_origin(active_media_origin(&profiles));
        Ok(())
    }

    /// The origin to add to the page's CSP for the active profile (see `content_policy`).
    pub fn media_origin(&self) -> Option<String> {
        self.media_origin.read().map(|o| o.clone()).unwrap_or(None)
    }

    fn set_media_origin(&self, origin: Option<String>) {
        if let Ok(mut current) = self.media_origin.write() {
            *current = origin;
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.paths.data_dir
    }

    /// The sandbox, started on first use (the app also starts it right after launch).
    pub async fn sandbox(&self) -> Result<&RunningSandbox, AppError> {
        let dir = self.paths.sandbox_dir();
        let keychain = self.keychain.clone();
        self.sandbox
            .get_or_init(|| sandbox_supervisor::start(dir, keychain))
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    pub async fn state(&self) -> Result<AppStateView, AppError> {
        let keychain = self.keychain.clone();
        let keychain_problem =
            blocking(move || Ok(keychain.availability().err().map(|e| e.to_string()))).await?;
        let (sandbox_url, sandbox_hint, sandbox) = match self.sandbox.get() {
            None => (None, None, SandboxStatus::Starting),
            Some(Ok(running)) => (
                Some(running.base_url()),
                Some(running.key().hint()),
                SandboxStatus::Running {
                    base_url: running.base_url(),
                    warning: running.key_warning.clone(),
                },
            ),
            Some(Err(error)) => (
                None,
                None,
                SandboxStatus::Failed {
                    error: error.clone(),
                },
            ),
        };
        let profiles = self.lock()?;
        Ok(AppStateView {
            profiles: profiles.list(sandbox_url.as_deref(), sandbox_hint.as_deref()),
            active_id: profiles.active_id().to_string(),
            keychain_problem,
            sandbox,
            media_origin: self.media_origin(),
        })
    }

    pub async fn add_profile(&self, input: NewProfile) -> Result<ProfileView, AppError> {
        self.with_profiles(move |p| p.add(input)).await
    }

    pub async fn update_profile(&self, edit: ProfileEdit) -> Result<ProfileView, AppError> {
        self.with_profiles(move |p| p.update(edit)).await
    }

    pub async fn set_profile_key(&self, change: KeyChange) -> Result<ProfileView, AppError> {
        self.with_profiles(move |p| p.set_key(change)).await
    }

    pub async fn delete_profile_key(&self, id: String) -> Result<ProfileView, AppError> {
        self.with_profiles(move |p| p.delete_key(&id)).await
    }

    pub async fn delete_profile(&self, id: String) -> Result<(), AppError> {
        self.with_profiles(move |p| p.delete(&id)).await
    }

    pub async fn switch_profile(&self, id: String) -> Result<(), AppError> {
        self.with_profiles(move |p| p.switch(&id)).await
    }

    /// The balance of the active profile.
    pub async fn active_balance(&self) -> Result<BalanceView, AppError> {
        let active = self.lock()?.active_id().to_string();
        let (base_url, key) = self.connection(&active).await?;
        let balance = Client::new(&base_url, key)?.balance().await?;
        Ok(BalanceView {
            profile_id: active,
            remaining_credits: balance.remaining_credits,
            updated_at: balance.updated_at,
        })
    }

    /// Calls the balance endpoint with a saved profile's URL and key.
    pub async fn test_profile(&self, id: &str) -> Result<ConnectionReport, AppError> {
        let (base_url, key) = self.connection(id).await?;
        test_connection(&base_url, key).await
    }

    async fn connection(&self, id: &str) -> Result<(String, ApiKey), AppError> {
        if id == SANDBOX_ID {
            let sandbox = self.sandbox().await?;
            return Ok((sandbox.base_url(), sandbox.key().clone()));
        }
        let id = id.to_string();
        let UserConnection { base_url, key } =
            self.with_profiles(move |p| p.user_connection(&id)).await?;
        Ok((base_url, key))
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Profiles>, AppError> {
        lock_profiles(&self.profiles)
    }

    /// Runs a profile operation (which may block on the keychain) on a blocking thread.
    async fn with_profiles<T: Send + 'static>(
        &self,
        op: impl FnOnce(&mut Profiles) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let profiles = Arc::clone(&self.profiles);
        let (result, origin) = blocking(move || {
            let mut profiles = lock_profiles(&profiles)?;
            let result = op(&mut profiles);
            Ok((result, active_media_origin(&profiles)))
        })
        .await?;
        self.set_media_origin(origin);
        result
    }
}

fn active_media_origin(profiles: &Profiles) -> Option<String> {
    profiles
        .active_user_base_url()
        .and_then(crate::content_policy::media_origin)
}

fn lock_profiles(
    profiles: &Mutex<Profiles>,
) -> Result<std::sync::MutexGuard<'_, Profiles>, AppError> {
    profiles.lock().map_err(|_| {
        AppError::internal("the profile list was left inconsistent by an earlier failure")
    })
}

/// Calls the balance endpoint of `base_url` with `key`, for "Test connection".
pub async fn test_connection(base_url: &str, key: ApiKey) -> Result<ConnectionReport, AppError> {
    if key.is_empty() {
        return Err(AppError::new(
            ErrorKind::MissingKey,
            "Enter the API key to test.",
        ));
    }
    let client = Client::new(base_url, key)?;
    let balance = client.balance().await?;
    Ok(ConnectionReport {
        base_url: base_url.to_string(),
        user_id: balance.user_id,
        remaining_credits: balance.remaining_credits,
    })
}

async fn blocking<T: Send + 'static>(
    op: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(op)
        .await
        .map_err(|e| AppError::internal(format!("a background task stopped: {e}")))?
}
