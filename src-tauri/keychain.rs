//! The OS keychain: the only place an API key is ever stored.
//!
//! Secret Service on Linux, Keychain on macOS, Credential Manager on Windows, all through
//! `keyring`. There is deliberately no fallback: when no keychain can be reached, callers
//! get [`KeychainError::Unavailable`] with a sentence saying how to fix it.
//!
//! Every call here blocks on the platform service; async callers run it on a blocking thread.

use crate::app_error::{AppError, ErrorKind};
use cyberbara::ApiKey;
use keyring::Entry;

/// The keychain "service" the app's entries are filed under (its bundle identifier).
pub const APP_SERVICE: &str = "app.cyberbara.studio";

/// What can go wrong talking to the keychain. Messages never contain secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    #[error("No keychain service is available ({detail}). On Linux, install a Secret Service provider such as GNOME Keyring (`sudo apt install gnome-keyring`) and run the app in a desktop session, then restart it. For headless use, set CYBERBARA_API_KEY in the environment. Keys are never stored in plain text.")]
    Unavailable { detail: String },
    #[error("The keychain is locked or refused access ({detail}). Unlock your login keyring and try again.")]
    Locked { detail: String },
    #[error("The keychain could not {action} the key: {detail}.")]
    Failed {
        action: &'static str,
        detail: String,
    },
}

impl From<KeychainError> for AppError {
    fn from(err: KeychainError) -> AppError {
        let kind = match err {
            KeychainError::Unavailable { .. } => ErrorKind::KeychainUnavailable,
            _ => ErrorKind::Keychain,
        };
        AppError::new(kind, err.to_string())
    }
}

/// Entries of one keychain service, addressed by account name.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Keychain {
    pub fn new(service: impl Into<String>) -> Keychain {
        Keychain {
            service: service.into(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Whether a keychain service can be reached at all (not whether it is unlocked).
    pub fn availability(&self) -> Result<(), KeychainError> {
        match Entry::store_status() {
            Ok(()) => Ok(()),
            // The store is opened once per process; any failure means there is no service.
            Err(err) => Err(KeychainError::Unavailable {
                detail: err.to_string(),
            }),
        }
    }

    /// Stores `key` for `account`, replacing any previous key.
    pub fn store(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError> {
        self.entry(account, "store")?
            .set_password(key.expose_secret())
            .map_err(|e| classify("store", e))
    }

    /// The key stored for `account`, or `None` when there is none.
    pub fn load(&self, account: &str) -> Result<Option<ApiKey>, KeychainError> {
        match self.entry(account, "read")?.get_password() {
            Ok(secret) => Ok(Some(ApiKey::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(classify("read", err)),
        }
    }

    /// Deletes the key stored for `account`. Returns whether there was one.
    pub fn remove(&self, account: &str) -> Result<bool, KeychainError> {
        match self.entry(account, "delete")?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(err) => Err(classify("delete", err)),
        }
    }

    fn entry(&self, account: &str, action: &'static str) -> Result<Entry, KeychainError> {
        Entry::new(&self.service, account).map_err(|err| match err {
            // Say why there is no store (e.g. no session bus), not just that there is none.
            keyring::Error::NoDefaultStore => {
                self.availability()
                    .err()
                    .unwrap_or(KeychainError::Unavailable {
                        detail: "no credential store could be opened".into(),
                    })
            }
            other => classify(action, other),
        })
    }
}

/// Turns a keyring error into one of ours without copying secret bytes: the `BadEncoding`
/// and `BadDataFormat` variants carry the stored secret, so only their names are kept.
fn classify(action: &'static str, err: keyring::Error) -> KeychainError {
    use keyring::Error as E;
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
