//! [`Studio`]: the app's state behind the commands — profiles and the keychain, the
//! Sandbox, the library, model lists, the Create page's draft, uploads, submission and
//! the task tracker. Plain async Rust with no window, so tests drive it directly.

use crate::catalogues::{CatalogueView, Catalogues};
use crate::compose::DraftReference;
use crate::compose::{batch_requests, Draft, DraftCheck};
use crate::connections::{blocking, Connections};
use crate::error::{AppError, ErrorKind};
use crate::forms::ReferenceMedia;
use crate::keychain::{Keychain, KeychainError};
use crate::library::{Library, NewTask, RecentPrompt, TaskKey, TaskOrigin, TaskRecord};
use crate::media_server::MediaServer;
use crate::profiles::{EnvKey, KeyChange, NewProfile, ProfileEdit, ProfileView, Profiles};
use crate::references::{ReferenceUploads, Reporter, PREVIEW_ROOT};
use crate::tracker::{TaskTracker, TrackerConfig};
use cyberbara::types::QuoteRequest;
use cyberbara::{ApiKey, Client};
use rand::Rng;
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

/// What a Generate click (or the quote beside it) would cost.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QuoteView {
    #[ts(type = "number")]
    pub per_task: i64,
    pub batch: u32,
    /// `per_task` × `batch`.
    #[ts(type = "number")]
    pub total: i64,
    #[ts(type = "number")]
    pub remaining: i64,
    /// The balance after the whole batch.
    #[ts(type = "number")]
    pub after: i64,
    /// Whether the balance covers the whole batch.
    pub affordable: bool,
    /// The server priced it with a fallback rule: an estimate.
    pub estimate: bool,
}

/// What a Generate click did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SubmitReport {
    /// How many tasks the click asked for (the Batch).
    pub requested: u32,
    /// The tasks created, in order.
    pub created: Vec<TaskRecord>,
    /// Why the rest were not created (nothing is retried behind the user's back).
    pub error: Option<AppError>,
    /// The balance the last creation reply reported.
    #[ts(type = "number | null")]
    pub remaining_credits: Option<i64>,
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
        })
    }

    /// The slow part of starting: the Sandbox, the media server and the tracker (which
    /// resumes every unfinished task). Each failure is kept and shown where it matters.
    pub async fn start(&self) {
        let (sandbox, media, tracker) = tokio::join!(self.sandbox(), self.media(), self.tracker());
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
                MediaServer::start(roots).await.map_err(|e| {
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

    pub async fn update_profile(&self, edit: ProfileEdit) -> Result<ProfileView, AppError> {
        let id = edit.id.clone();
        let view = self.with_profiles(move |p| p.update(edit)).await?;
        self.connections.forget_client(Some(&id));
        self.catalogues.forget(&id);
        Ok(view)
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

    // ------------------------------------------------------------------ Create

    /// The models of the active profile as forms (from the cache when it is fresh).
    pub async fn catalogue(&self, refresh: bool) -> Result<CatalogueView, AppError> {
        let profile = self.active_id()?;
        let (_, view) = self
            .catalogues
            .get(&profile, refresh, || self.client(&profile))
            .await;
        Ok(view)
    }

    /// The Create page's saved draft for the active profile (an empty one the first time).
    pub fn draft(&self) -> Result<Draft, AppError> {
        let profile = self.active_id()?;
        let saved = self.library.draft(&profile)?;
        Ok(saved
            .and_then(|value| serde_json::from_value(value).ok())
            .unwrap_or_else(|| Draft {
                batch: 1,
                ..Default::default()
            }))
    }

    pub fn save_draft(&self, draft: &Draft) -> Result<(), AppError> {
        let profile = self.active_id()?;
        let value = serde_json::to_value(draft)
            .map_err(|e| AppError::internal(format!("the draft could not be saved: {e}")))?;
        self.library.save_draft(&profile, &value)?;
        Ok(())
    }

    /// Checks a draft as the server would, without sending anything.
    pub async fn check_draft(&self, draft: &Draft) -> Result<DraftCheck, AppError> {
        let profile = self.active_id()?;
        let (catalogue, _) = self
            .catalogues
            .get(&profile, false, || self.client(&profile))
            .await;
        Ok(draft.check(&catalogue).0)
    }

    pub fn recent_prompts(&self, limit: usize) -> Result<Vec<RecentPrompt>, AppError> {
        let profile = self.active_id()?;
        Ok(self.library.recent_prompts(&profile, limit)?)
    }

    /// What the draft's whole batch would cost.
    pub async fn quote(&self, draft: &Draft) -> Result<QuoteView, AppError> {
        let profile = self.active_id()?;
        let (catalogue, _) = self
            .catalogues
            .get(&profile, false, || self.client(&profile))
            .await;
        let (check, ready) = draft.check(&catalogue);
        let Some(ready) = ready else {
            return Err(first_problem(&check));
        };
        let client = self.client(&profile).await?;
        let quote = client
            .quote(&QuoteRequest {
                model: ready.request.model.clone(),
                media_type: Some(ready.media_type.clone()),
                scene: ready
                    .request
                    .scene
                    .clone()
                    .or_else(|| check.scene.as_deref().map(cyberbara::types::Scene::parse)),
                options: ready.request.options.clone(),
            })
            .await?;
        let batch = draft.batch_size();
        let total = quote.estimated_credits.saturating_mul(i64::from(batch));
        Ok(QuoteView {
            per_task: quote.estimated_credits,
            batch,
            total,
            remaining: quote.remaining_credits,
            after: quote.remaining_credits - total,
            affordable: total <= quote.remaining_credits,
            estimate: quote.fallback_pricing,
        })
    }

    /// Creates the draft's tasks, one after another. Each creation is sent once; when one
    /// is refused the rest are not sent, and the report says how many were created.
    pub async fn generate(&self, draft: &Draft) -> Result<SubmitReport, AppError> {
        let profile = self.active_id()?;
        let (catalogue, _) = self
            .catalogues
            .get(&profile, false, || self.client(&profile))
            .await;
        let (check, ready) = draft.check(&catalogue);
        let Some(ready) = ready else {
            return Err(first_problem(&check));
        };
        let client = self.client(&profile).await?;
        let tracker = self.tracker().await?;
        let batch = draft.batch_size();
        let requests = {
            let mut rng = rand::thread_rng();
            batch_requests(&catalogue, &ready.request, batch, |low, high| {
                rng.gen_range(low..=high)
            })
        };
        let batch_id = (batch > 1).then(|| uuid::Uuid::new_v4().to_string());
        let mut report = SubmitReport {
            requested: batch,
            created: Vec::new(),
            error: None,
            remaining_credits: None,
        };
        if let Err(err) = self.library.remember_prompt(&profile, &draft.prompt) {
            tracing::warn!(error = %err, "could not remember the prompt");
        }
        for (index, request) in requests.iter().enumerate() {
            match client
                .generate_checked(&catalogue, &ready.media_type, request)
                .await
            {
                Ok(created) => {
                    let record = tracker.add_created(NewTask {
                        key: TaskKey::new(&profile, &created.task_id),
                        model: created.model.clone(),
                        media_type: created.media_type.as_str().to_string(),
                        scene: created
                            .scene
                            .as_ref()
                            .map(|s| s.as_str().to_string())
                            .or_else(|| check.scene.clone()),
                        prompt: request.prompt.clone(),
                        request: serde_json::to_value(request).unwrap_or_default(),
                        status: created.status.as_str().to_string(),
                        cost: Some(created.credits.cost),
                        outputs: Vec::new(),
                        extra: serde_json::Map::new(),
                        origin: TaskOrigin::Created,
                        batch_id: batch_id.clone(),
                        batch_index: batch_id.as_ref().map(|_| index as u32),
                        created_at: created.created_at.clone(),
                        updated_at: None,
                    })?;
                    tracker.announce_balance(&profile, created.credits.remaining);
                    report.remaining_credits = Some(created.credits.remaining);
                    report.created.push(record);
                }
                Err(err) => {
                    report.error = Some(err.into());
                    break;
                }
            }
        }
        Ok(report)
    }

    // ------------------------------------------------------------------ references

    /// Uploads one reference file for the active profile (or reuses an earlier upload of
    /// the same bytes), reporting progress through `report`.
    pub async fn upload_reference(
        &self,
        upload_id: &str,
        path: &Path,
        slot: &str,
        media: ReferenceMedia,
        report: Reporter,
    ) -> Result<DraftReference, AppError> {
        let profile = self.active_id()?;
        let client = match self.client(&profile).await {
            Ok(client) => client,
            Err(error) => {
                report(crate::references::UploadEvent::Failed {
                    upload_id: upload_id.to_string(),
                    file_name: path
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default(),
                    error: error.clone(),
                });
                return Err(error);
            }
        };
        let request = crate::references::UploadRequest {
            profile_id: &profile,
            upload_id,
            path,
            slot,
            media,
        };
        self.uploads.upload(&client, request, report).await
    }

    pub fn cancel_upload(&self, upload_id: &str) -> bool {
        self.uploads.cancel(upload_id)
    }

    // ------------------------------------------------------------------ Activity

    pub async fn stop_tracking(&self, id: &str) -> Result<TaskRecord, AppError> {
        let key = TaskKey::new(self.active_id()?, id);
        self.tracker().await?.stop_tracking(&key)
    }

    pub async fn resume_tracking(&self, id: &str) -> Result<TaskRecord, AppError> {
        let key = TaskKey::new(self.active_id()?, id);
        self.tracker().await?.resume_tracking(&key)
    }

    pub async fn import_task(&self, id: &str) -> Result<TaskRecord, AppError> {
        let profile = self.active_id()?;
        // The client first, so a keychain problem is noted like everywhere else.
        self.client(&profile).await?;
        self.tracker().await?.import(&profile, id).await
    }

    /// The draft that made a task, to open it in Create (or extend it, or run it again).
    pub fn task_draft(&self, id: &str) -> Result<Draft, AppError> {
        let key = TaskKey::new(self.active_id()?, id);
        let record = self.library.task(&key)?.ok_or_else(|| {
            AppError::not_found(format!("The app has no task {id} for this profile."))
        })?;
        Ok(crate::compose::draft_from_request(&record.request))
    }
}

fn first_problem(check: &DraftCheck) -> AppError {
    match check.problems.first() {
        Some(problem) => AppError::invalid(problem.message.clone()).with_code(problem.code.clone()),
        None => AppError::invalid("The request is not complete yet."),
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
