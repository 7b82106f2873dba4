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

mod auth;
mod config;
mod error;
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

use std::fmt;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

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
        tasks::resume_unfinished(&state)?;
        let router = routes::router(state);
        let server = tokio::spawn(server::serve(listener, router, shutdown_rx));
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
