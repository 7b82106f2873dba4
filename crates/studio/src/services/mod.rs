//! [`Studio`]: the app's state behind the commands — profiles and the keychain, the
//! Sandbox, the library, model lists, the Create page's draft, uploads, submission and
//! the task tracker. Plain async Rust with no window, so tests drive it directly.

mod activity;
mod create;
mod gallery_service;
mod library_files;
mod presets;
mod usage;

pub use create::{QuoteView, SubmitReport};
pub use gallery_service::{
    day_groups, ClipboardImage, DayGroup, DeleteReport, GalleryIndex, GalleryRecord, ItemView,
    ReferenceView, LIBRARY_ROOT,
};
pub use usage::{BalanceSettings, CsvExport, DEFAULT_LOW_BALANCE};

use crate::catalogues::Catalogues;
use crate::connections::{blocking, Connections};
use crate::error::{AppError, ErrorKind};
use crate::keychain::{Keychain, KeychainError};
use crate::library::Library;
use crate::media_server::MediaServer;
use crate::profiles::{EnvKey, KeyChange, NewProfile, ProfileView, Profiles};
use crate::references::{ReferenceUploads, PREVIEW_ROOT};
use crate::tracker::{TaskTracker, TrackerConfig};
use cyberbara::{ApiKey, Client};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio::sync::OnceCell;
use ts_rs::TS;

/// Everything the front end needs to draw the shell.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppStateView {
    pub profiles: Vec<ProfileView>,
    pub active_id: String,
    /// Why the keychain cannot be used right now (one sentence, a `detail` for
    /// "Details"), or `None` while it works or has not been needed yet.
    pub keychain: Option<AppError>,
    pub sandbox: SandboxStatus,
    /// The remote origin the page's CSP must allow for images and media of the active
    /// profile; the front end reloads when it changes so the new policy takes effect.
    pub media_origin: Option<String>,
    /// Where the app's own media server serves files this launch
    /// (`http://127.0.0.1:PORT/TOKEN`), once it runs.
    pub media_base: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SandboxStatus {
    Starting,
    Running { base_url: String },
    Failed { error: AppError },
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
    pub cache_dir: PathBuf,
}

impl AppPaths {
    /// Both folders under one root (tests).
    pub fn under(root: &Path) -> AppPaths {
        AppPaths {
            data_dir: root.join("data"),
            cache_dir: root.join("cache"),
        }
    }

    pub fn profiles_file(&self) -> PathBuf {
        self.data_dir.join("profiles.json")
    }

    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join("sandbox")
    }

    pub fn library_db(&self) -> PathBuf {
        self.data_dir.join("library.db")
    }

    /// The library folder unless the user chose another: `<app data>/library`.
    pub fn default_library_dir(&self) -> PathBuf {
        self.data_dir.join("library")
    }
}

/// The app's core.
pub struct Studio {
    paths: AppPaths,
    keychain: Keychain,
    library: Library,
    connections: Arc<Connections>,
    media_origin: RwLock<Option<String>>,
    /// The keychain's last problem: `None` while it works (or was not needed yet).
    keychain_problem: RwLock<Option<AppError>>,
    catalogues: Catalogues,
    uploads: ReferenceUploads,
    tracker_config: TrackerConfig,
    tracker: OnceCell<TaskTracker>,
    media: OnceCell<Result<MediaServer, AppError>>,
    gallery: OnceCell<Arc<crate::gallery_workers::Gallery>>,
    gallery_config: crate::gallery_workers::GalleryConfig,
    trash: crate::gallery_workers::TrashFn,
}

impl Studio {
    /// Opens the profile list and the library. Nothing here waits on the network or the
    /// keychain; [`Studio::start`] does the slow work after the window shows.
    pub fn open(
        paths: AppPaths,
        keychain: Keychain,
        env_key: Option<EnvKey>,
    ) -> Result<Studio, AppError> {
        Studio::open_with(paths, keychain, env_key, TrackerConfig::default())
    }

    pub fn open_with(
        paths: AppPaths,
        keychain: Keychain,
        env_key: Option<EnvKey>,
        tracker_config: TrackerConfig,
    ) -> Result<Studio, AppError> {
        let profiles = Profiles::open(&paths.profiles_file(), keychain.clone(), env_key)?;
        let origin = active_media_origin(&profiles);
        let library = Library::open(&paths.library_db())?;
        let connections = Arc::new(Connections::new(
            profiles,
            paths.sandbox_dir(),
            library.clone(),
        ));
        Ok(Studio {
            uploads: ReferenceUploads::new(library.clone(), paths.cache_dir.clone()),
            catalogues: Catalogues::new(library.clone()),
            paths,
            keychain,
            library,
            connections,
            media_origin: RwLock::new(origin),
            keychain_problem: RwLock::new(None),
            tracker_config,
            tracker: OnceCell::new(),
            media: OnceCell::new(),
            gallery: OnceCell::new(),
            gallery_config: crate::gallery_workers::GalleryConfig::default(),
            trash: crate::gallery_workers::os_trash(),
        })
    }

    /// The same studio with other gallery timings, and `trash` instead of the OS trash
    /// (tests must not fill the trash of the machine they run on).
    pub fn with_gallery(
        mut self,
        config: crate::gallery_workers::GalleryConfig,
        trash: crate::gallery_workers::TrashFn,
    ) -> Studio {
        self.gallery_config = config;
        self.trash = trash;
        self
    }

    /// The slow part of starting: the Sandbox, the media server, the tracker (which
    /// resumes every unfinished task) and the gallery (which resumes unfinished downloads,
    /// then checks the library's files in the background). Each failure is kept and shown
    /// where it matters.
    pub async fn start(&self) {
        let (sandbox, media, tracker) = tokio::join!(self.sandbox(), self.media(), self.tracker());
        match self.gallery().await {
            Ok(gallery) => {
                let gallery = Arc::clone(gallery);
                tokio::task::spawn_blocking(move || {
                    if let Err(err) = gallery.check_files() {
                        tracing::warn!(error = %err, "the library's files could not be checked");
                    }
                });
            }
            Err(err) => tracing::error!(error = %err, "the gallery failed to start"),
        }
        if let Err(err) = sandbox {
            tracing::error!(error = %err, "sandbox failed to start");
        }
        if let Err(err) = media {
            tracing::error!(error = %err, "media server failed to start");
        }
        if let Err(err) = tracker {
            tracing::error!(error = %err, "task tracker failed to start");
        }
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    pub fn data_dir(&self) -> &Path {
        &self.paths.data_dir
    }

    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    /// Makes `id` the active profile before the window opens (`--profile ID`).
    pub fn select_at_launch(&self, id: &str) -> Result<(), AppError> {
        let mut profiles = self.connections.profiles()?;
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

    pub async fn sandbox(&self) -> Result<&crate::sandbox_supervisor::RunningSandbox, AppError> {
        self.connections.sandbox().await
    }

    pub async fn media(&self) -> Result<&MediaServer, AppError> {
        self.media
            .get_or_init(|| async {
                let roots = HashMap::from([(PREVIEW_ROOT.to_string(), self.paths.cache_dir.clone())]);
                let started = MediaServer::start(roots).await;
                if let Ok(server) = &started {
                    // Of the cache, only what pages show: thumbnails and reference previews.
                    server.limit_root(
                        PREVIEW_ROOT,
                        &[crate::thumbnail_queue::THUMBS_DIR, crate::references::PREVIEW_DIR],
                    );
                }
                started.map_err(|e| {
                    AppError::new(
                        ErrorKind::Internal,
                        "The app could not start its local media server, so previews cannot be shown. Restart the app.",
                    )
                    .with_detail(e.to_string())
                })
            })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    pub async fn tracker(&self) -> Result<&TaskTracker, AppError> {
        self.tracker
            .get_or_try_init(|| async {
                TaskTracker::start(
                    self.library.clone(),
                    self.connections.clone(),
                    self.tracker_config.clone(),
                )
            })
            .await
    }

    pub async fn state(&self) -> Result<AppStateView, AppError> {
        let (sandbox_url, sandbox_hint, sandbox) = match self.connections.sandbox_now() {
            None => (None, None, SandboxStatus::Starting),
            Some(Ok(running)) => (
                Some(running.base_url()),
                Some(running.key().hint()),
                SandboxStatus::Running {
                    base_url: running.base_url(),
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
        let keychain = self.keychain_problem.read().ok().and_then(|p| p.clone());
        let media_base = self
            .media
            .get()
            .and_then(|m| m.as_ref().ok())
            .map(|m| m.base().to_string());
        let profiles = self.connections.profiles()?;
        Ok(AppStateView {
            profiles: profiles.list(sandbox_url.as_deref(), sandbox_hint.as_deref()),
            active_id: profiles.active_id().to_string(),
            keychain,
            sandbox,
            media_origin: self.media_origin(),
            media_base,
        })
    }

    pub fn active_id(&self) -> Result<String, AppError> {
        Ok(self.connections.profiles()?.active_id().to_string())
    }

    /// "Try again" on a keychain problem: opens a fresh keychain store and forgets the
    /// clients made with keys read before, so user profiles read their keys again.
    pub async fn retry_keychain(&self) -> Result<AppStateView, AppError> {
        let keychain = self.keychain.clone();
        let outcome = blocking(move || Ok(keychain.reprobe())).await?;
        self.record_keychain(outcome);
        self.connections.forget_client(None);
        self.state().await
    }

    fn record_keychain(&self, outcome: Result<(), KeychainError>) {
        if let Ok(mut problem) = self.keychain_problem.write() {
            *problem = outcome.err().map(AppError::from);
        }
    }

    /// Probes the keychain once (at launch, in the background) so a problem shows before
    /// the user needs a key.
    pub async fn probe_keychain(&self) {
        let keychain = self.keychain.clone();
        if let Ok(outcome) = blocking(move || Ok(keychain.availability())).await {
            self.record_keychain(outcome);
        }
    }

    pub async fn add_profile(&self, input: NewProfile) -> Result<ProfileView, AppError> {
        self.with_profiles(move |p| p.add(input)).await
    }

    pub async fn set_profile_key(&self, change: KeyChange) -> Result<ProfileView, AppError> {
        let id = change.id.clone();
        let view = self.with_profiles(move |p| p.set_key(change)).await?;
        self.connections.forget_client(Some(&id));
        Ok(view)
    }

    pub async fn delete_profile_key(&self, id: String) -> Result<ProfileView, AppError> {
        self.connections.forget_client(Some(&id));
        self.with_profiles(move |p| p.delete_key(&id)).await
    }

    pub async fn delete_profile(&self, id: String) -> Result<(), AppError> {
        self.connections.forget_client(Some(&id));
        self.catalogues.forget(&id);
        self.with_profiles(move |p| p.delete(&id)).await
    }

    pub async fn switch_profile(&self, id: String) -> Result<(), AppError> {
        self.with_profiles(move |p| p.switch(&id)).await
    }

    /// The balance of the active profile.
    pub async fn active_balance(&self) -> Result<BalanceView, AppError> {
        let active = self.active_id()?;
        let balance = self.client(&active).await?.balance().await?;
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
        let outcome = self.connections.connection(id).await;
        self.note_keychain_outcome(&outcome);
        outcome
    }

    /// The client of a profile; a keychain failure on the way is remembered for the
    /// shell's notice.
    pub async fn client(&self, id: &str) -> Result<Client, AppError> {
        let outcome = self.connections.client(id).await;
        self.note_keychain_outcome(&outcome);
        outcome
    }

    /// Remembers a keychain failure met on the way to a key, for the shell's one notice.
    fn note_keychain_outcome<T>(&self, outcome: &Result<T, AppError>) {
        if let Err(err) = outcome {
            if matches!(
                err.kind,
                ErrorKind::Keychain | ErrorKind::KeychainUnavailable
            ) {
                if let Ok(mut problem) = self.keychain_problem.write() {
                    *problem = Some(err.clone());
                }
            }
        }
    }

    /// Runs a profile operation (which may block on the keychain) on a blocking thread.
    async fn with_profiles<T: Send + 'static>(
        &self,
        op: impl FnOnce(&mut Profiles) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let profiles = self.connections.profiles_handle();
        let (result, origin) = blocking(move || {
            let mut profiles = crate::connections::lock_profiles(&profiles)?;
            let result = op(&mut profiles);
            Ok((result, active_media_origin(&profiles)))
        })
        .await?;
        self.set_media_origin(origin);
        self.note_keychain_outcome(&result);
        result
    }
}

fn active_media_origin(profiles: &Profiles) -> Option<String> {
    profiles
        .active_user_base_url()
        .and_then(crate::profiles::media_origin)
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
