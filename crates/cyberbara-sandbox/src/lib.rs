//! A local CyberBara-compatible API server: the v1 contract over HTTP, real credits,
//! real uploads and real media outputs, plus test controls outside `/api/v1`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cyberbara_sandbox::SandboxError> {
//! let sandbox = cyberbara_sandbox::Sandbox::start(cyberbara_sandbox::SandboxConfig {
//!     api_keys: vec!["test-key".into()],
//!     ..Default::default()
//! })
//! .await?;
//! println!("{}", sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

mod api;
mod controls;
/// Deterministic media generation behind task outputs; public so other tools can render the same files.
pub mod media;
mod pricing;
mod render;
mod store;
mod tasks;
mod uploads;

use cyberbara::types::ModelInfo;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How to run a sandbox. `Debug` never shows the API keys.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Keys that exist from the start, each its own account with `credits`.
    pub api_keys: Vec<String>,
    /// Starting balance of every configured key.
    pub credits: i64,
    /// With a directory, accounts, ledgers, uploads and tasks survive a restart.
    pub data_dir: Option<PathBuf>,
    /// Task run times are divided by this (10.0 makes a 6 s image take 0.6 s).
    pub speed: f64,
    /// Fraction of tasks (0.0–1.0) that end `failed` at random.
    pub fail_rate: f64,
    /// Models listed and accepted on top of the built-in catalogue.
    pub extra_models: Vec<ModelInfo>,
    /// The key of the owner account (the desktop app's own): created with `credits` on
    /// first start, re-keyed on every later start with the same data dir, keeping its
    /// balance, ledger, uploads and tasks. The previous owner key stops working.
    pub owner_key: Option<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_keys: Vec::new(),
            credits: 500,
            data_dir: None,
            speed: 1.0,
            fail_rate: 0.0,
            extra_models: Vec::new(),
            owner_key: None,
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("addr", &self.addr)
            .field(
                "api_keys",
                &format_args!("[{} key(s) redacted]", self.api_keys.len()),
            )
            .field("credits", &self.credits)
            .field("data_dir", &self.data_dir)
            .field("speed", &self.speed)
            .field("fail_rate", &self.fail_rate)
            .field("extra_models", &self.extra_models.len())
            .field("owner_key", &self.owner_key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("The sandbox could not listen on {addr}: {source}. Choose another address or free the port.")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("The data directory {path} could not be used: {source}. Check that it is writable.")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("The sandbox database could not be opened or updated: {0}. Remove or repair the data directory's sandbox.db.")]
    Database(#[from] rusqlite::Error),
    #[error(
        "The sandbox storage failed: {0}. Check the data directory's permissions and free space."
    )]
    Storage(String),
    #[error("Invalid sandbox configuration: {0}")]
    Config(String),
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    base_url: String,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Sandbox {
    /// Opens storage, creates the configured accounts, and starts accepting connections.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        if !(config.speed.is_finite() && config.speed > 0.0) {
            return Err(SandboxError::Config(format!(
                "speed must be a positive number, got {}",
                config.speed
            )));
        }
        if !(0.0..=1.0).contains(&config.fail_rate) {
            return Err(SandboxError::Config(format!(
                "fail_rate must be between 0 and 1, got {}",
                config.fail_rate
            )));
        }
        let store = store::Store::open(config.data_dir.as_deref())?;
        for key in &config.api_keys {
            store
                .ensure_account(key, config.credits)
                .map_err(|e| SandboxError::Storage(e.to_string()))?;
        }
        if let Some(key) = &config.owner_key {
            store
                .ensure_owner(key, config.credits)
                .map_err(|e| SandboxError::Storage(e.to_string()))?;
        }
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: config.addr,
                source,
            })?;
        let local = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: config.addr,
            source,
        })?;
        let base_url = format!("http://{local}");
        let (shutdown, shutdown_rx) = watch::channel(false);
        let state = Arc::new(api::AppState::new(
            store,
            base_url.clone(),
            &config,
            shutdown_rx.clone(),
        ));
        tasks::resume_unfinished(&state)?;
        let router = api::router(state);
        let server = tokio::spawn(controls::serve(listener, router, shutdown_rx));
        Ok(Sandbox {
            base_url,
            shutdown,
            server: Some(server),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash and without `/api/v1`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Stops accepting, closes open connections and stops task workers.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
