//! Who the app talks to: the profile list, the built-in Sandbox and one API client per
//! profile (one connection pool each, reused by every request the app makes for it).

use crate::error::AppError;
use crate::library::Library;
use crate::profiles::{Profiles, UserConnection, SANDBOX_ID};
use crate::sandbox_supervisor::{self, RunningSandbox};
use cyberbara::{ApiKey, Client};
use futures_util::future::BoxFuture;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::OnceCell;

/// Profiles, the Sandbox and the clients, shared by the app's services and the tracker.
pub struct Connections {
    profiles: Arc<Mutex<Profiles>>,
    sandbox: OnceCell<Result<RunningSandbox, AppError>>,
    sandbox_dir: PathBuf,
    library: Library,
    /// Profile id → the base URL the client was made for, and the client.
    clients: Mutex<HashMap<String, (String, Client)>>,
}

impl Connections {
    pub fn new(profiles: Profiles, sandbox_dir: PathBuf, library: Library) -> Connections {
        Connections {
            profiles: Arc::new(Mutex::new(profiles)),
            sandbox: OnceCell::new(),
            sandbox_dir,
            library,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The sandbox, started on first use (the app also starts it right after launch).
    pub async fn sandbox(&self) -> Result<&RunningSandbox, AppError> {
        self.sandbox
            .get_or_init(|| {
                sandbox_supervisor::start(self.sandbox_dir.clone(), self.library.clone())
            })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The sandbox's state without waiting for it: `None` while it starts.
    pub fn sandbox_now(&self) -> Option<&Result<RunningSandbox, AppError>> {
        self.sandbox.get()
    }

    pub fn profiles(&self) -> Result<MutexGuard<'_, Profiles>, AppError> {
        lock_profiles(&self.profiles)
    }

    pub(crate) fn profiles_handle(&self) -> Arc<Mutex<Profiles>> {
        Arc::clone(&self.profiles)
    }

    /// The client of a profile, made once and reused.
    pub async fn client(&self, profile_id: &str) -> Result<Client, AppError> {
        if let Some(client) = self.cached(profile_id) {
            return Ok(client);
        }
        let (base_url, key) = self.connection(profile_id).await?;
        let client = Client::new(&base_url, key)?;
        if let Ok(mut clients) = self.clients.lock() {
            clients.insert(profile_id.to_string(), (base_url, client.clone()));
        }
        Ok(client)
    }

    fn cached(&self, profile_id: &str) -> Option<Client> {
        self.clients
            .lock()
            .ok()?
            .get(profile_id)
            .map(|(_, client)| client.clone())
    }

    /// Drops the cached client of `profile_id` (its URL or key changed), or of every
    /// profile with `None` (the keychain was probed again).
    pub fn forget_client(&self, profile_id: Option<&str>) {
        if let Ok(mut clients) = self.clients.lock() {
            match profile_id {
                Some(id) => {
                    clients.remove(id);
                }
                None => clients.retain(|id, _| id == SANDBOX_ID),
            }
        }
    }

    /// The base URL and key of a profile (the keychain is read on a blocking thread).
    pub async fn connection(&self, id: &str) -> Result<(String, ApiKey), AppError> {
        if id == SANDBOX_ID {
            let sandbox = self.sandbox().await?;
            return Ok((sandbox.base_url(), sandbox.key().clone()));
        }
        let profiles = Arc::clone(&self.profiles);
        let id = id.to_string();
        let UserConnection { base_url, key } =
            blocking(move || lock_profiles(&profiles)?.user_connection(&id)).await?;
        Ok((base_url, key))
    }
}

impl crate::tracker::Connections for Connections {
    fn client(&self, profile_id: &str) -> BoxFuture<'_, Result<Client, AppError>> {
        let profile_id = profile_id.to_string();
        Box::pin(async move { Connections::client(self, &profile_id).await })
    }
}

pub(crate) fn lock_profiles(
    profiles: &Mutex<Profiles>,
) -> Result<MutexGuard<'_, Profiles>, AppError> {
    profiles.lock().map_err(|_| {
        AppError::internal("the profile list was left inconsistent by an earlier failure")
    })
}

/// Runs blocking work (the keychain, file writes) off the async threads.
pub async fn blocking<T: Send + 'static>(
    op: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(op)
        .await
        .map_err(|e| AppError::internal(format!("a background task stopped: {e}")))?
}
