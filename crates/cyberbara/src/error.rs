//! The one error type of the client, every variant rendering as a sentence a person can
//! act on, plus machine-readable [`ErrorKind`] / [`ErrorCode`] for an app's IPC layer.

use crate::types::{Credits, ErrorCode};
use crate::upload_limits::UploadKind;
use crate::validate::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

/// What went wrong, coarsely, so an app can choose a reaction without matching text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The server answered with its error envelope; see [`Error::code`].
    Api,
    /// No connection could be opened.
    Connect,
    /// The server did not answer in time.
    Timeout,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The connection broke after it was opened.
    Network,
    /// A reply that is not the API's envelope (wrong URL, proxy page…).
    InvalidResponse,
    /// The request was refused locally before anything was sent.
    Validation,
    /// An upload was refused locally before any byte was sent.
    Upload,
    /// A local file could not be read.
    Io,
    /// The client was configured with something unusable (base URL).
    Config,
}

/// The payload an app can pass over IPC: `{kind, code, message}`, never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    pub kind: ErrorKind,
    /// The API error code (from the server, or the one it would have used for a local
    /// refusal), when there is one.
    pub code: Option<String>,
    /// The sentence to show.
    pub message: String,
}

/// Everything that can go wrong talking to CyberBara.
///
/// `Display` is written for the person using the app, not for a log reader: it says
/// what happened and what to do. The API key never appears in any variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused the request with `{"error": {code, message, details}}`.
    #[error("{}", api_sentence(.host, *.status, .code, .message, .details.as_ref(), *.required_credits, *.retry_after_secs))]
    Api {
        status: u16,
        code: ErrorCode,
        /// The server's own message (with the key, should it ever be echoed, masked).
        message: String,
        /// The server's details, with the key masked like in `message`.
        details: Option<Value>,
        /// Host (and port) of the server, for messages.
        host: Arc<str>,
        /// For `insufficient_credits`: what the request costs, from the error's details
        /// or from an earlier [`quote`](crate::Client::quote) of the same request.
        required_credits: Option<Credits>,
        /// For `too_many_requests` / `service_unavailable`: the server's `Retry-After`.
        retry_after_secs: Option<u32>,
    },

    #[error("Could not reach {host}. Check your network or the base URL.")]
    Connect {
        host: String,
        #[source]
        source: reqwest::Error,
    },

    #[error("{host} did not answer in time. {}", if *.creating { CHECK_TASKS } else { "Try again in a moment; if it keeps happening, check your network." })]
    Timeout {
        host: String,
        /// True when the request would have created a task (and cost credits).
        creating: bool,
        #[source]
        source: reqwest::Error,
    },

    #[error("The secure connection to {host} failed. Check that the base URL is right and that this computer's clock and certificates are up to date.")]
    Tls {
        host: String,
        #[source]
        source: reqwest::Error,
    },

    #[error("The connection to {host} broke before a reply arrived. {}", if *.creating { CHECK_TASKS } else { "Try again." })]
    Network {
        host: String,
        /// True when the request would have created a task (and cost credits).
        creating: bool,
        #[source]
        source: reqwest::Error,
    },

    #[error("{host} sent a reply that is not from the CyberBara API (HTTP {status}: \"{snippet}\"). Check the base URL.")]
    InvalidResponse {
        host: String,
        status: u16,
        /// The start of the body, whitespace collapsed.
        snippet: String,
    },

    /// A reply past the ceiling for its kind (JSON: 8 MiB after decompression); the
    /// rest was not read, so a hostile reply cannot exhaust memory.
    #[error("{host} sent a reply larger than {} and it was not read. Check the base URL; if it is right, the server is misbehaving: try again later.", human_size(*.limit as u64))]
    ResponseTooLarge { host: String, limit: usize },

    /// A transfer moved less than the rate floor (1 KiB/s over 30 s), or a reply took
    /// longer than the total deadline; it was given up rather than held forever.
    #[error("{host} became too slow ({what}) and the request was given up. {}", if *.creating { CHECK_TASKS } else { "Try again later; if it keeps happening, check your network." })]
    Stalled {
        host: String,
        what: String,
        /// True when the request would have created a task (and cost credits).
        creating: bool,
    },

    /// The request was checked against the built-in catalogue and would be refused;
    /// nothing was sent and nothing was charged.
    #[error("{}", validation_sentence(.0))]
    Validation(Vec<FieldError>),

    #[error("No files were given. Choose at least one file to upload.")]
    NoFiles,

    #[error("{count} files were given, but at most {limit} can be uploaded at once. Remove {} of them.", .count.saturating_sub(*.limit))]
    TooManyFiles { count: usize, limit: usize },

    #[error("\"{}\" is {}, but the limit is {}. Choose a smaller file.", file_label(.path), human_size(*.size), human_size(*.limit))]
    FileTooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },

    #[error("\"{}\" is empty. Choose another file.", file_label(.path))]
    EmptyFile { path: PathBuf },

    #[error("\"{}\" cannot be uploaded: its content is {detected}, but only {accepted} are accepted. Choose another file.", file_label(.path))]
    UnsupportedType {
        path: PathBuf,
        /// The sniffed MIME type, or `an unknown format`.
        detected: String,
        /// What the upload accepts, in words.
        accepted: &'static str,
    },

    #[error("Could not read \"{}\" ({source}). Check that the file exists and is readable.", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The base URL breaks [`crate::base_url::normalise`]'s rule.
    #[error(transparent)]
    InvalidBaseUrl(#[from] crate::base_url::BaseUrlError),

    /// The key holds characters an HTTP header cannot carry (a line break or a
    /// non-ASCII letter pasted inside it). Nothing of the key is kept here.
    #[error("The API key contains characters that cannot be sent (a line break or a non-ASCII letter inside it). Copy it again from your CyberBara account and paste it in Settings.")]
    UnsendableApiKey,

    #[error(
        "The HTTP client could not be set up ({0}). Restart the app; if it persists, report it."
    )]
    Setup(String),
}

const CHECK_TASKS: &str = "The task may or may not have been created: check your task list and balance before trying again.";

impl Error {
    /// The coarse category, for deciding what to do.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { .. } => ErrorKind::Api,
            Error::Connect { .. } => ErrorKind::Connect,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Tls { .. } => ErrorKind::Tls,
            Error::Network { .. } => ErrorKind::Network,
            Error::InvalidResponse { .. } | Error::ResponseTooLarge { .. } => {
                ErrorKind::InvalidResponse
            }
            Error::Stalled { .. } => ErrorKind::Timeout,
            Error::Validation(_) => ErrorKind::Validation,
            Error::NoFiles
            | Error::TooManyFiles { .. }
            | Error::FileTooLarge { .. }
            | Error::EmptyFile { .. }
            | Error::UnsupportedType { .. } => ErrorKind::Upload,
            Error::Io { .. } => ErrorKind::Io,
            Error::InvalidBaseUrl(_) | Error::UnsendableApiKey | Error::Setup(_) => {
                ErrorKind::Config
            }
        }
    }

    /// The API error code: the server's, or for a local refusal the code the server
    /// would have answered with, so the app handles both alike.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Api { code, .. } => Some(code.clone()),
            Error::Validation(errors) => errors.first().map(|e| e.code.clone()),
            Error::NoFiles => Some(ErrorCode::FilesRequired),
            Error::TooManyFiles { .. } => Some(ErrorCode::TooManyFiles),
            Error::FileTooLarge { .. } => Some(ErrorCode::FileTooLarge),
            Error::EmptyFile { .. } => Some(ErrorCode::InvalidFileSize),
            Error::UnsupportedType { .. } => Some(ErrorCode::InvalidFileType),
            _ => None,
        }
    }

    /// HTTP status of a server reply, if one arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::InvalidResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long the server asked to wait before trying again (its `Retry-After`, read by
    /// [`crate::retry::retry_after`]), if it did.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::Api {
                retry_after_secs: Some(secs),
                ..
            } => Some(std::time::Duration::from_secs(u64::from(*secs))),
            _ => None,
        }
    }

    /// Whether trying the same thing again later can succeed without changes. False for
    /// anything that may already have created a task.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Connect { .. } => true,
            Error::Timeout { creating, .. } | Error::Network { creating, .. } => !creating,
            Error::Api { status, code, .. } => {
                matches!(status, 429 | 502 | 503 | 504)
                    || matches!(
                        code,
                        ErrorCode::TooManyRequests
                            | ErrorCode::ServiceUnavailable
                            | ErrorCode::QueryFailed
                    )
            }
            _ => false,
        }
    }

    /// `{kind, code, message}` for an IPC reply.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            kind: self.kind(),
            code: self.code().map(|c| c.as_str().to_string()),
            message: self.to_string(),
        }
    }
}

fn file_label(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Sizes as people read them; the limits are binary megabytes, as the server counts.
pub(crate) fn human_size(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024 * 1024 {
        let mb = bytes as f64 / MB;
        if bytes.is_multiple_of(1024 * 1024) {
            format!("{} MB", bytes / (1024 * 1024))
        } else {
            format!("{mb:.1} MB")
        }
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

fn validation_sentence(errors: &[FieldError]) -> String {
    match errors {
        [] => "The request was refused before sending. Check the prompt and options.".into(),
        [one] => format!(
            "{} Nothing was sent or charged.",
            end_sentence(&one.message)
        ),
        [first, rest @ ..] => format!(
            "{} ({} more problem{}.) Nothing was sent or charged.",
            end_sentence(&first.message),
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}

fn end_sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

fn detail_str<'a>(details: Option<&'a Value>, key: &str) -> Option<&'a str> {
    details?.get(key)?.as_str()
}

/// Looks for the price of a refused request in an error's details; servers spell it
/// differently, so a few names are tried.
pub(crate) fn credits_in_details(details: Option<&Value>) -> Option<Credits> {
    let details = details?;
    [
        "required_credits",
        "required",
        "estimated_credits",
        "needed",
        "cost",
    ]
    .iter()
    .find_map(|k| {
        let v = details.get(*k)?;
        v.as_i64().or_else(|| v.as_f64().map(|f| f.round() as i64))
    })
}

fn available_in_details(details: Option<&Value>) -> Option<Credits> {
    let details = details?;
    ["remaining_credits", "remaining", "available", "balance"]
        .iter()
        .find_map(|k| details.get(*k)?.as_i64())
}

#[allow(clippy::too_many_arguments)]
fn api_sentence(
    host: &str,
    status: u16,
    code: &ErrorCode,
    message: &str,
    details: Option<&Value>,
    required: Option<Credits>,
    retry_after: Option<u32>,
) -> String {
    let file = detail_str(details, "filename")
        .map(|f| format!("\"{f}\""))
        .unwrap_or_else(|| "A file".to_string());
    let wait = match retry_after {
        Some(s) => format!(
            "Wait {s} second{} and try again.",
            if s == 1 { "" } else { "s" }
        ),
        None => "Wait a moment and try again.".to_string(),
    };
    match code {
        ErrorCode::ApiKeyRequired => format!("No API key was sent to {host}. Add your key in Settings."),
        ErrorCode::InvalidApiKey => format!("The API key was rejected by {host}. Check it in Settings."),
        ErrorCode::TooManyRequests => format!("{host} is receiving too many requests from this key. {wait}"),
        ErrorCode::InvalidJson => format!("{host} could not read the request as JSON. This is a bug in the app; please report it."),
        ErrorCode::InvalidMultipart => format!("{host} could not read the upload form. Try again; if it keeps failing, report it."),
        ErrorCode::InvalidDate => "A date was not understood. Use YYYY-MM-DD or an ISO date-time.".into(),
        ErrorCode::InvalidDateRange => "The start date must be earlier than the end date. Correct the date range.".into(),
        ErrorCode::FilesRequired => format!("No file reached {host}. Choose at least one file and upload again."),
        ErrorCode::TooManyFiles => format!("Too many files for one upload. Upload at most {} images, or {} video, at a time.", UploadKind::Image.max_files(), UploadKind::Video.max_files()),
        ErrorCode::InvalidFileType => format!("{file} is not a supported type. Use {}, or {}.", UploadKind::Image.accepted_words(), UploadKind::Video.accepted_words()),
        ErrorCode::InvalidFileSize => format!("{file} has an invalid size (is it empty?). Choose another file."),
        ErrorCode::FileTooLarge => format!("{file} is too large. Images may be up to {} and videos up to {}.", human_size(UploadKind::Image.max_bytes()), human_size(UploadKind::Video.max_bytes())),
        ErrorCode::InvalidModel => "No valid model was given. Choose a model from the list.".into(),
        ErrorCode::UnsupportedModel => format!("{host} does not offer this model. Refresh the model list and choose another."),
        ErrorCode::InvalidModelForMediaType => "This model cannot make this kind of media. Choose a model of the right type.".into(),
        ErrorCode::InvalidScene => "The scene is not one the API knows. Choose one of the scenes the model lists.".into(),
        ErrorCode::SceneNotSupported => "This model does not support the chosen scene. Choose one of the scenes the model lists.".into(),
        ErrorCode::InvalidMediaType => format!("{host} does not know this media type. Use image, video, audio or music."),
        ErrorCode::InvalidRequest => format!("The request was refused: {} Check the prompt and options.", end_sentence(message)),
        ErrorCode::ServiceUnavailable => format!("{host} is temporarily unavailable. {wait}"),
        ErrorCode::InsufficientCredits => {
            let have = available_in_details(details)
                .map(|a| format!(" and you have {a}"))
                .unwrap_or_default();
            match required {
                Some(n) => format!("Not enough credits: this request needs {n}{have}. Top up your balance or choose cheaper options."),
                None => "Not enough credits for this request. Top up your balance or choose cheaper options.".into(),
            }
        }
        ErrorCode::UploadFailed => format!("{host} could not store the upload. Try again later."),
        ErrorCode::GenerationFailed => format!("{host} could not start the task. Check your task list and balance, then try again later."),
        ErrorCode::InvalidTaskId => "The task id is malformed. Check that it was copied completely.".into(),
        ErrorCode::TaskNotFound => "No task with this id exists for this API key. Check the id, or whether the task was created with another key.".into(),
        ErrorCode::TaskNotReady => "The task has not finished yet. Wait for it to finish and try again.".into(),
        ErrorCode::QueryFailed => format!("{host} could not look that up right now. {wait}"),
        ErrorCode::InternalError => format!("{host} had an internal error. Try again later; if it persists, contact CyberBara support."),
        ErrorCode::Other(other) => {
            let said = if message.trim().is_empty() { String::new() } else { format!(": {}", end_sentence(message)) };
            let said = if said.is_empty() { ".".to_string() } else { said };
            format!("{host} refused the request (HTTP {status}, {other}){said} If this persists, the app may need an update.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(10 * 1024 * 1024), "10 MB");
        assert_eq!(human_size(12_345_678), "11.8 MB");
        assert_eq!(human_size(2048), "2 KB");
        assert_eq!(human_size(5), "5 bytes");
    }

    #[test]
    fn upload_errors_name_the_file() {
        let e = Error::FileTooLarge {
            path: "/tmp/x/holiday.mp4".into(),
            size: 60 * 1024 * 1024,
            limit: 50 * 1024 * 1024,
        };
        assert_eq!(
            e.to_string(),
            "\"holiday.mp4\" is 60 MB, but the limit is 50 MB. Choose a smaller file."
        );
        assert_eq!(e.code(), Some(ErrorCode::FileTooLarge));
        assert_eq!(e.kind(), ErrorKind::Upload);
    }

    #[test]
    fn insufficient_credits_names_the_price() {
        let e = Error::Api {
            status: 402,
            code: ErrorCode::InsufficientCredits,
            message: "Insufficient credits.".into(),
            details: Some(serde_json::json!({"required_credits": 20, "remaining_credits": 4})),
            host: Arc::from("api.example.com"),
            required_credits: credits_in_details(Some(
                &serde_json::json!({"required_credits": 20}),
            )),
            retry_after_secs: None,
        };
        assert_eq!(
            e.to_string(),
            "Not enough credits: this request needs 20 and you have 4. Top up your balance or choose cheaper options."
        );
        let report = e.report();
        assert_eq!(report.code.as_deref(), Some("insufficient_credits"));
        assert_eq!(report.kind, ErrorKind::Api);
    }

    fn api(code: ErrorCode, details: Option<Value>) -> Error {
        Error::Api {
            status: 400,
            code,
            message: "m".into(),
            details,
            host: Arc::from("api.example.com"),
            required_credits: None,
            retry_after_secs: None,
        }
    }

    /// The server's upload codes read like the local pre-checks: the same limits and
    /// type list, taken from the upload module rather than spelt out twice.
    #[test]
    fn server_upload_codes_state_the_real_limits() {
        let pdf = Some(serde_json::json!({"index": 0, "filename": "sample.pdf"}));
        assert_eq!(
            api(ErrorCode::InvalidFileType, pdf).to_string(),
            "\"sample.pdf\" is not a supported type. Use PNG, JPEG, WebP, GIF, SVG, AVIF and HEIC/HEIF images, or MP4 and QuickTime (MOV) videos."
        );
        assert_eq!(
            api(ErrorCode::FileTooLarge, None).to_string(),
            "A file is too large. Images may be up to 10 MB and videos up to 50 MB."
        );
        assert_eq!(
            api(ErrorCode::TooManyFiles, None).to_string(),
            "Too many files for one upload. Upload at most 10 images, or 1 video, at a time."
        );
    }
}
