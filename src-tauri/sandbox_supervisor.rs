//! Runs the built-in Sandbox profile: a `cyberbara-sandbox` server inside the app process,
//! on 127.0.0.1 with a free port, with its state under the app's data directory.
//!
//! Its key is generated on first start and kept in the keychain like any other key, so the
//! sandbox's accounts (which it stores as hashes) survive restarts. Without a keychain the
//! sandbox still runs, with a key that lives only in memory for this run.

use crate::app_error::{AppError, ErrorKind};
use crate::keychain::{Keychain, KeychainError};
use crate::profiles::SANDBOX_ACCOUNT;
use cyberbara::ApiKey;
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use rand::distributions::{Alphanumeric, DistString};
use std::path::PathBuf;

/// Credits the sandbox account starts with.
pub const SANDBOX_STARTING_CREDITS: i64 = 500;

/// A running sandbox and the key of its account.
pub struct RunningSandbox {
    sandbox: Sandbox,
    key: ApiKey,
    /// Set when the key could not be kept in the keychain; shown to the user as is.
    pub key_warning: Option<String>,
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

/// Starts the sandbox with its data in `data_dir`, taking (or creating) its key from `keychain`.
pub async fn start(data_dir: PathBuf, keychain: Keychain) -> Result<RunningSandbox, AppError> {
    let (key, key_warning) = tokio::task::spawn_blocking(move || sandbox_key(&keychain))
        .await
        .map_err(|e| AppError::internal(format!("the keychain task stopped: {e}")))??;
    std::fs::create_dir_all(&data_dir).map_err(|e| {
        AppError::storage(
            &format!("create the sandbox folder {}", data_dir.display()),
            e,
        )
    })?;
    let config = SandboxConfig {
        api_keys: vec![key.expose_secret().to_string()],
        credits: SANDBOX_STARTING_CREDITS,
        data_dir: Some(data_dir),
        ..Default::default()
    };
    let sandbox = Sandbox::start(config).await.map_err(|e| {
        AppError::new(
            ErrorKind::Sandbox,
            format!("The local sandbox could not start: {e}. Restart the app; if it keeps failing, move the sandbox folder in the app's data directory aside."),
        )
    })?;
    tracing::info!(base_url = %sandbox.base_url(), "sandbox started");
    Ok(RunningSandbox {
        sandbox,
        key,
        key_warning,
    })
}

/// The sandbox key from the keychain, created on first start. Only a missing keychain
/// service falls back to a key kept in memory; a locked keychain is an error the user
/// must fix, since a fresh key would silently orphan the sandbox account.
fn sandbox_key(keychain: &Keychain) -> Result<(ApiKey, Option<String>), AppError> {
    let stored = keychain
        .load(SANDBOX_ACCOUNT)
        .and_then(|found| match found {
            Some(key) if !key.is_empty() => Ok(key),
            _ => {
                let key = generate_key();
                keychain.store(SANDBOX_ACCOUNT, &key)?;
                Ok(key)
            }
        });
    match stored {
        Ok(key) => Ok((key, None)),
        Err(err @ KeychainError::Unavailable { .. }) => {
            tracing::warn!("no keychain; the sandbox key lives in memory for this run");
            Ok((
                generate_key(),
                Some(format!(
                    "{err} Until then the sandbox uses a temporary key and starts a fresh account each time."
                )),
            ))
        }
        Err(err) => Err(err.into()),
    }
}

fn generate_key() -> ApiKey {
    let body = Alphanumeric.sample_string(&mut rand::thread_rng(), 40);
    ApiKey::new(format!("sk-sandbox-{body}"))
}
