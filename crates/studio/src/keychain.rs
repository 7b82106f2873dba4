//! The OS keychain: the only place an API key is ever stored.
//!
//! Secret Service on Linux, Keychain on macOS, Credential Manager on Windows, through
//! `keyring-core` and the platform stores the `keyring` crate itself uses. There is
//! deliberately no plaintext fallback: when no keychain can be used, callers get a
//! [`KeychainError`] whose sentence says how to fix it.
//!
//! Two things the `keyring` crate's all-in-one `Entry` cannot do, and why this module holds
//! its own store instead:
//! - **Try again.** `keyring::Entry` opens its credential store once per process; a
//!   keychain that was unavailable at start stays unavailable until a restart. Here
//!   [`Keychain::reprobe`] opens a fresh store, so "Try again" in the UI works.
//! - **Never hang.** An unlock prompt nobody answers (or a Secret Service that never
//!   replies) would block start-up forever. Every call runs on its own thread and gives up
//!   after [`Keychain::timeout`], reporting [`KeychainError::TimedOut`].

use crate::error::{AppError, ErrorKind};
use cyberbara::ApiKey;
use keyring_core::api::CredentialStore;
use keyring_core::Entry;
use std::sync::{mpsc, Arc, RwLock};
use std::time::Duration;

/// The keychain "service" the app's entries are filed under (its bundle identifier).
pub const APP_SERVICE: &str = "app.cyberbara.studio";

/// How long one keychain call may take before it is reported as not answering.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(4);

/// What can go wrong talking to the keychain. Messages never contain secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    #[error("No keychain service is available. On Linux, install a Secret Service provider such as GNOME Keyring (`sudo apt install gnome-keyring`) and run the app in a desktop session, then choose Try again. For headless use, set CYBERBARA_API_KEY and CYBERBARA_BASE_URL in the environment. Keys are never stored in plain text.")]
    Unavailable { detail: String },
    #[error("The keychain is locked or refused access. Unlock your login keyring (or allow CyberBara Studio in the prompt), then choose Try again.")]
    Locked { detail: String },
    #[error("The keychain did not answer within {seconds} seconds; it may be waiting for an unlock prompt. Unlock your login keyring, then choose Try again.")]
    TimedOut { seconds: u64 },
    #[error("The keychain could not {action} the key. Try again; if it keeps failing, check your keyring in the system's password manager.")]
    Failed {
        action: &'static str,
        detail: String,
    },
}

impl KeychainError {
    /// The technical cause, for a "Details" disclosure. Never contains secret material.
    pub fn detail(&self) -> String {
        match self {
            KeychainError::Unavailable { detail }
            | KeychainError::Locked { detail }
            | KeychainError::Failed { detail, .. } => detail.clone(),
            KeychainError::TimedOut { seconds } => {
                format!("no reply from the credential store after {seconds} s")
            }
        }
    }

    /// Whether the keychain cannot be used right now at all (as opposed to one entry
    /// failing): the built-in Sandbox then runs on a temporary key.
    pub fn is_unusable(&self) -> bool {
        matches!(
            self,
            KeychainError::Unavailable { .. }
                | KeychainError::Locked { .. }
                | KeychainError::TimedOut { .. }
        )
    }
}

impl From<KeychainError> for AppError {
    fn from(err: KeychainError) -> AppError {
        let kind = match err {
            KeychainError::Unavailable { .. } => ErrorKind::KeychainUnavailable,
            _ => ErrorKind::Keychain,
        };
        AppError::new(kind, err.to_string()).with_detail(err.detail())
    }
}

/// The opened credential store, or why it could not be opened.
type Probe = Result<Arc<CredentialStore>, KeychainError>;

/// Entries of one keychain service, addressed by account name. Clones share one store,
/// so [`Keychain::reprobe`] on any clone takes effect for all.
#[derive(Clone)]
pub struct Keychain {
    service: String,
    timeout: Duration,
    store: Arc<RwLock<Option<Probe>>>,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keychain")
            .field("service", &self.service)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Keychain {
    pub fn new(service: impl Into<String>) -> Keychain {
        Keychain {
            service: service.into(),
            timeout: DEFAULT_TIMEOUT,
            store: Arc::new(RwLock::new(None)),
        }
    }

    /// The same keychain with another per-call time limit.
    pub fn with_timeout(mut self, timeout: Duration) -> Keychain {
        self.timeout = timeout;
        self
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether a keychain can be used: the store opens and answers a read. A locked
    /// keychain is reported as [`KeychainError::Locked`].
    pub fn availability(&self) -> Result<(), KeychainError> {
        self.load("availability-probe").map(|_| ())
    }

    /// Forgets the opened store and opens a fresh one, so a keychain that was missing,
    /// locked or hung can be used without restarting the app.
    pub fn reprobe(&self) -> Result<(), KeychainError> {
        if let Ok(mut slot) = self.store.write() {
            *slot = None;
        }
        self.availability()
    }

    /// Stores `key` for `account`, replacing any previous key.
    pub fn store(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError> {
        let secret = key.clone();
        self.call(account, "store", move |entry| {
            entry
                .set_password(secret.expose_secret())
                .map_err(|e| classify("store", e))
        })
    }

    /// The key stored for `account`, or `None` when there is none.
    pub fn load(&self, account: &str) -> Result<Option<ApiKey>, KeychainError> {
        self.call(account, "read", |entry| match entry.get_password() {
            Ok(secret) => Ok(Some(ApiKey::new(secret))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(err) => Err(classify("read", err)),
        })
    }

    /// Deletes the key stored for `account`. Returns whether there was one.
    pub fn remove(&self, account: &str) -> Result<bool, KeychainError> {
        self.call(account, "delete", |entry| match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(err) => Err(classify("delete", err)),
        })
    }

    /// Runs `op` on the entry for `account` on a thread of its own, giving up after the
    /// timeout. A call that times out leaves its thread blocked on the platform service;
    /// that thread ends when the service answers or the process exits.
    fn call<T: Send + 'static>(
        &self,
        account: &str,
        action: &'static str,
        op: impl FnOnce(Entry) -> Result<T, KeychainError> + Send + 'static,
    ) -> Result<T, KeychainError> {
        let slot = Arc::clone(&self.store);
        let service = self.service.clone();
        let account = account.to_string();
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                let result = open_store(&slot).and_then(|store| {
                    Entry::new_in_store(&store, &service, &account)
                        .map_err(|e| classify(action, e))
                        .and_then(op)
                });
                let _ = tx.send(result);
            });
        if let Err(err) = spawned {
            return Err(KeychainError::Failed {
                action,
                detail: format!("could not start a thread: {err}"),
            });
        }
        rx.recv_timeout(self.timeout)
            .unwrap_or(Err(KeychainError::TimedOut {
                seconds: self.timeout.as_secs().max(1),
            }))
    }
}

/// The store in `slot`, opening the platform's store on first use. A failure to open is
/// remembered (so every call does not wait on a missing service again) until
/// [`Keychain::reprobe`] clears it.
fn open_store(slot: &RwLock<Option<Probe>>) -> Probe {
    if let Ok(guard) = slot.read() {
        if let Some(probe) = guard.as_ref() {
            return probe.clone();
        }
    }
    let probe = platform_store().map_err(|err| match classify("open", err) {
        KeychainError::Failed { detail, .. } => KeychainError::Unavailable { detail },
        other => other,
    });
    if let Ok(mut guard) = slot.write() {
        *guard = Some(probe.clone());
    }
    probe
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(not(any(
    target_os = "macos",
    target_os = "windows",
    all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    )
)))]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NoDefaultStore)
}

/// Turns a keyring error into one of ours without copying secret bytes: the `BadEncoding`
/// and `BadDataFormat` variants carry the stored secret, so only their names are kept.
fn classify(action: &'static str, err: keyring_core::Error) -> KeychainError {
    use keyring_core::Error as E;
    match err {
        E::NoDefaultStore => KeychainError::Unavailable {
            detail: "no credential store could be opened".into(),
        },
        E::NoStorageAccess(inner) => KeychainError::Locked {
            detail: inner.to_string(),
        },
        E::PlatformFailure(inner) => {
            let detail = inner.to_string();
            // zbus reports a missing session bus or Secret Service as a platform failure.
            let lower = detail.to_lowercase();
            if lower.contains("dbus")
                || lower.contains("d-bus")
                || lower.contains("bus address")
                || lower.contains("serviceunknown")
                || lower.contains("org.freedesktop.secrets")
            {
                KeychainError::Unavailable { detail }
            } else if lower.contains("locked") || lower.contains("prompt") {
                KeychainError::Locked { detail }
            } else {
                KeychainError::Failed { action, detail }
            }
        }
        E::BadEncoding(_) => KeychainError::Failed {
            action,
            detail: "the stored entry is not text".into(),
        },
        E::BadDataFormat(_, _) => KeychainError::Failed {
            action,
            detail: "the stored entry is not in the expected format".into(),
        },
        other => KeychainError::Failed {
            action,
            detail: other.to_string(),
        },
    }
}
