//! The one error shape that crosses IPC: `{kind, code, message}`. The UI shows `message`
//! as it is, so every constructor here must produce a sentence a person can act on.

use serde::Serialize;
use ts_rs::TS;

/// What went wrong, coarsely, so the UI can pick an icon or offer a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The user typed something the app cannot use (a bad URL, an empty name).
    InvalidInput,
    /// The profile or entry asked for does not exist (any more).
    NotFound,
    /// No OS keychain can be reached at all.
    KeychainUnavailable,
    /// The keychain exists but refused or failed the operation.
    Keychain,
    /// The profile has no API key to use.
    MissingKey,
    /// The API answered with an error (see `code`).
    Api,
    /// The API could not be reached or answered with something unreadable.
    Network,
    /// The built-in sandbox could not start.
    Sandbox,
    /// The app's own files could not be read or written.
    Storage,
    /// The user stopped the operation (an upload cancelled).
    Canceled,
    /// A bug: something that should not happen did.
    Internal,
}

/// An error as the front end receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    /// The API's `error.code` when the API produced the error, e.g. `invalid_api_key`.
    pub code: Option<String>,
    pub message: String,
    /// The technical cause, for a "Details" disclosure; `message` stands on its own.
    pub detail: Option<String>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> AppError {
        AppError {
            kind,
            code: None,
            message: message.into(),
            detail: None,
        }
    }

    /// The same error with a technical cause for the "Details" disclosure.
    pub fn with_detail(mut self, detail: impl Into<String>) -> AppError {
        let detail = detail.into();
        self.detail = (!detail.is_empty()).then_some(detail);
        self
    }

    /// The same error with the API's code (or the code of a local refusal).
    pub fn with_code(mut self, code: impl Into<String>) -> AppError {
        self.code = Some(code.into());
        self
    }

    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::InvalidInput, message)
    }

    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::NotFound, message)
    }

    pub fn storage(what: &str, err: impl std::fmt::Display) -> AppError {
        AppError::new(
            ErrorKind::Storage,
            format!("Could not {what}: {err}. Check that the app's data folder is writable."),
        )
    }

    pub fn internal(what: impl std::fmt::Display) -> AppError {
        AppError::new(
            ErrorKind::Internal,
            format!("Something went wrong inside the app ({what}). Please restart it and report this if it happens again."),
        )
    }
}

impl From<cyberbara::Error> for AppError {
    fn from(err: cyberbara::Error) -> AppError {
        use cyberbara::ErrorKind as K;
        let kind = match err.kind() {
            K::Api => ErrorKind::Api,
            K::Connect | K::Timeout | K::Tls | K::Network | K::InvalidResponse => {
                ErrorKind::Network
            }
            K::Validation | K::Upload | K::Config => ErrorKind::InvalidInput,
            K::Io => ErrorKind::Storage,
        };
        AppError {
            kind,
            code: err.code().map(|c| c.as_str().to_string()),
            message: err.to_string(),
            detail: None,
        }
    }
}
