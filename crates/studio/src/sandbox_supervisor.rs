//! Runs the built-in Sandbox profile: a `cyberbara-sandbox` server inside the app process,
//! on 127.0.0.1, with its state under the app's data folder.
//!
//! The offline default must always start, so nothing on its path can fail for lack of a
//! keychain:
//! - **Key.** Each launch makes a fresh random key and hands it to the sandbox as its
//!   *owner key*: the sandbox moves its one owner account to that key, keeping the
//!   account's balance, ledger, uploads and tasks. The key lives only in memory, so a
//!   missing, locked or hung keychain cannot stop the Sandbox, and no unlock prompt
//!   stands between a launch and the first page.
//! - **Address.** The port it first got is remembered in the library and taken again, so
//!   the output and reference URLs the library stores keep resolving. If that port is
//!   taken, the sandbox takes a free one and the stored URLs are rewritten to it.

use crate::error::{AppError, ErrorKind};
use crate::library::Library;
use crate::profiles::SANDBOX_ID;
use cyberbara::ApiKey;
use cyberbara_sandbox::{Sandbox, SandboxConfig, SandboxError};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// Credits the sandbox account starts with.
pub const SANDBOX_STARTING_CREDITS: i64 = 500;

/// Where the library remembers the Sandbox's address.
const ADDRESS_SETTING: &str = "sandbox.base_url";

/// A running sandbox and the key of its account.
pub struct RunningSandbox {
    sandbox: Sandbox,
    key: ApiKey,
    /// Set when the remembered port was taken and stored URLs were moved to a new one.
    pub moved_from: Option<String>,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("base_url", &self.sandbox.base_url())
            .field("key", &self.key)
            .finish()
    }
}

impl RunningSandbox {
    pub fn base_url(&self) -> String {
        self.sandbox.base_url()
    }

    pub fn key(&self) -> &ApiKey {
        &self.key
    }

    pub async fn shutdown(self) {
        self.sandbox.shutdown().await;
    }
}

/// Starts the sandbox with its data in `data_dir`, on the address `library` remembers.
pub async fn start(data_dir: PathBuf, library: Library) -> Result<RunningSandbox, AppError> {
    std::fs::create_dir_all(&data_dir).map_err(|e| {
        AppError::storage(
            &format!("create the sandbox folder {}", data_dir.display()),
            e,
        )
    })?;
    let key = generate_key();
    let remembered = library.setting(ADDRESS_SETTING)?;
    let port = remembered
        .as_deref()
        .and_then(|url| url::Url::parse(url).ok())
        .and_then(|url| url.port())
        .unwrap_or(0);
    let config = |port: u16| SandboxConfig {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        owner_key: Some(key.expose_secret().to_string()),
        credits: SANDBOX_STARTING_CREDITS,
        data_dir: Some(data_dir.clone()),
        ..Default::default()
    };
    let sandbox = match Sandbox::start(config(port)).await {
        Ok(sandbox) => sandbox,
        Err(SandboxError::Bind { .. }) if port != 0 => {
            tracing::info!(port, "the sandbox's port is taken; taking a free one");
            Sandbox::start(config(0)).await.map_err(failed)?
        }
        Err(err) => return Err(failed(err)),
    };
    let base_url = sandbox.base_url();
    let mut moved_from = None;
    match remembered {
        Some(old) if old != base_url => {
            let rewritten = library.rewrite_base_url(SANDBOX_ID, &old, &base_url)?;
            tracing::info!(%old, new = %base_url, rewritten, "the sandbox moved; stored URLs follow it");
            moved_from = Some(old);
        }
        _ => {}
    }
    library.set_setting(ADDRESS_SETTING, &base_url)?;
    tracing::info!(%base_url, "sandbox started");
    Ok(RunningSandbox {
        sandbox,
        key,
        moved_from,
    })
}

fn failed(err: SandboxError) -> AppError {
    AppError::new(
        ErrorKind::Sandbox,
        "The local sandbox could not start. Restart the app; if it keeps failing, move the sandbox folder in the app's data folder aside.",
    )
    .with_detail(err.to_string())
}

/// A random sandbox key; it never leaves this process's memory.
pub fn generate_key() -> ApiKey {
    ApiKey::new(cyberbara_sandbox::generate_api_key())
}
