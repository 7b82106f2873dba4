//! A local CyberBara-compatible API server: the v1 contract over HTTP, real credits,
//! real uploads and real media outputs, plus test controls outside `/api/v1` (off unless
//! `SandboxConfig::test_controls` is set).
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

mod auth;
mod config;
pub mod controls;
mod error;
mod input_facts;
/// Deterministic media generation behind task outputs; public so other tools can render the same files.
pub mod media;
mod pricing;
mod render;
mod reply;
mod routes;
mod server;
mod state;
mod store;
mod tasks;
mod test_controls;

pub use config::SandboxConfig;
pub use error::SandboxError;

/// A new random API key for a sandbox account, `sk-sandbox-` and 40 letters and digits:
/// the one generator for keys the binary prints and the app keeps in its keychain.
pub fn generate_api_key() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    let body = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 40);
    format!("sk-sandbox-{body}")
}

use std::fmt;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    base_url: String,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    finished_tasks: watch::Receiver<u64>,
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
        let store = store::Store::open(config.data_dir.as_deref(), config.clock.clone())?;
        if let Some(owner) = &config.owner_key {
            if owner.trim().is_empty() {
                return Err(SandboxError::Config(
                    "owner_key is empty; give the owner account a real key".into(),
                ));
            }
            store
                .set_owner(owner, config.credits)
                .map_err(|e| match e {
                    store::OwnerError::KeyTaken => SandboxError::Config(e.to_string()),
                    store::OwnerError::Store(e) => SandboxError::Storage(e.to_string()),
                })?;
        }
        for key in &config.api_keys {
            store
                .ensure_account(key, config.credits)
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
        let state = Arc::new(state::AppState::new(
            store,
            base_url.clone(),
            &config,
            shutdown_rx.clone(),
        ));
        let finished_tasks = state.finished_tasks.subscribe();
        tasks::resume_unfinished(&state)?;
        let router = routes::router(state);
        let server = tokio::spawn(server::serve(listener, router, shutdown_rx));
        Ok(Sandbox {
            base_url,
            shutdown,
            server: Some(server),
            finished_tasks,
        })
    }

    /// How many tasks have reached a final status since start, as a watch: a test that
    /// moved the clock past a task's end awaits `changed()` instead of polling.
    pub fn finished_tasks(&self) -> watch::Receiver<u64> {
        self.finished_tasks.clone()
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
