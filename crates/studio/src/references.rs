//! Reference files for the Create page: checked like the server checks them, uploaded
//! with progress (and cancellable), and never uploaded twice to one profile.
//!
//! The library remembers every upload by the SHA-256 of its bytes. The same file again is
//! answered from memory without any request; only a remembered URL older than a day is
//! first checked with one `HEAD` request (deployments may expire uploads), and uploaded
//! again if it no longer resolves.

use crate::compose::DraftReference;
use crate::error::{AppError, ErrorKind};
use crate::forms::ReferenceMedia;
use crate::library::{now_ms, Library, RememberedUpload};
use crate::thumbnails::{make_thumbnail, THUMBNAIL_LONG_SIDE};
use cyberbara::upload::{check_files, CheckedFile, UploadKind};
use cyberbara::Client;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// A remembered URL younger than this is reused without asking the server.
pub const TRUSTED_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// The media-server root previews are written under.
pub const PREVIEW_ROOT: &str = "cache";
pub const PREVIEW_DIR: &str = "previews";

/// How an upload is going, for the page's progress bars.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UploadEvent {
    /// The file passed the checks; its bytes are being hashed and sent.
    Started {
        upload_id: String,
        file_name: String,
        #[ts(type = "number")]
        size: u64,
        media: ReferenceMedia,
    },
    Progress {
        upload_id: String,
        #[ts(type = "number")]
        sent: u64,
        #[ts(type = "number")]
        total: u64,
    },
    /// Ready to use. `reused` when no upload was needed.
    Done {
        upload_id: String,
        reference: DraftReference,
        reused: bool,
    },
    Failed {
        upload_id: String,
        file_name: String,
        error: AppError,
    },
}

/// One file to upload for one slot of one profile's draft.
#[derive(Debug, Clone)]
pub struct UploadRequest<'a> {
    pub profile_id: &'a str,
    /// Chosen by the page, to match progress events and to cancel.
    pub upload_id: &'a str,
    pub path: &'a Path,
    pub slot: &'a str,
    pub media: ReferenceMedia,
}

/// Receives upload events (the app forwards them over an IPC channel).
pub type Reporter = Arc<dyn Fn(UploadEvent) + Send + Sync>;

/// Where uploads come from and go.
pub struct ReferenceUploads {
    library: Library,
    /// Plain HTTP for `HEAD` checks of upload URLs (on the deployment's CDN, without
    /// key), one client per deployment origin, held to the output rule of
    /// [`cyberbara::egress`] like downloads.
    http: Mutex<HashMap<String, reqwest::Client>>,
    /// The media server root's folder; previews go to `previews/` inside it.
    cache_dir: PathBuf,
    running: Mutex<HashMap<String, CancellationToken>>,
}

impl ReferenceUploads {
    pub fn new(library: Library, cache_dir: PathBuf) -> ReferenceUploads {
        ReferenceUploads {
            library,
            http: Mutex::new(HashMap::new()),
            cache_dir,
            running: Mutex::new(HashMap::new()),
        }
    }

    /// Stops an upload in progress. Returns whether there was one.
    pub fn cancel(&self, upload_id: &str) -> bool {
        match self
            .running
            .lock()
            .ok()
            .and_then(|mut r| r.remove(upload_id))
        {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Checks, hashes and (when needed) uploads `path` for `slot` of `profile_id`,
    /// reporting through `report`. Every outcome, including failure, is also reported.
    pub async fn upload(
        &self,
        client: &Client,
        request: UploadRequest<'_>,
        report: Reporter,
    ) -> Result<DraftReference, AppError> {
        let upload_id = request.upload_id;
        let token = CancellationToken::new();
        if let Ok(mut running) = self.running.lock() {
            running.insert(upload_id.to_string(), token.clone());
        }
        let file_name = display_name(request.path);
        let outcome = tokio::select! {
            _ = token.cancelled() => Err(AppError::new(
                ErrorKind::Canceled,
                format!("The upload of {file_name} was cancelled."),
            )),
            result = self.upload_inner(client, &request, report.clone()) => result,
        };
        if let Ok(mut running) = self.running.lock() {
            running.remove(upload_id);
        }
        match &outcome {
            Ok((reference, reused)) => report(UploadEvent::Done {
                upload_id: upload_id.to_string(),
                reference: reference.clone(),
                reused: *reused,
            }),
            Err(error) => report(UploadEvent::Failed {
                upload_id: upload_id.to_string(),
                file_name,
                error: error.clone(),
            }),
        }
        outcome.map(|(reference, _)| reference)
    }

    async fn upload_inner(
        &self,
        client: &Client,
        request: &UploadRequest<'_>,
        report: Reporter,
    ) -> Result<(DraftReference, bool), AppError> {
        let UploadRequest {
            profile_id,
            upload_id,
            path,
            slot,
            media,
        } = request.clone();
        let kind = match media {
            ReferenceMedia::Image => UploadKind::Image,
            ReferenceMedia::Video => UploadKind::Video,
        };
        // The server's limits first: a refusal here costs no request and names the file.
        let checked: CheckedFile = check_files(kind, &[path.to_path_buf()])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("a checked file went missing"))?;
        report(UploadEvent::Started {
            upload_id: upload_id.to_string(),
            file_name: checked.file_name.clone(),
            size: checked.size,
            media,
        });
        let sha256 = hash_file(path).await?;
        let preview = self.preview(path, &sha256, media).await;
        let reference = |url: String| DraftReference {
            id: upload_id.to_string(),
            slot: slot.to_string(),
            url: Some(url),
            file_name: checked.file_name.clone(),
            media,
            local_path: Some(path.display().to_string()),
            sha256: Some(sha256.clone()),
            preview: preview.clone(),
        };
        if let Some(url) = self
            .remembered_url(client, profile_id, &sha256, kind)
            .await?
        {
            report(UploadEvent::Progress {
                upload_id: upload_id.to_string(),
                sent: checked.size,
                total: checked.size,
            });
            return Ok((reference(url), true));
        }
        let progress_id = upload_id.to_string();
        let progress_report = report.clone();
        let progress = move |p: cyberbara::UploadProgress| {
            let report = &progress_report;
            report(UploadEvent::Progress {
                upload_id: progress_id.clone(),
                sent: p.sent,
                total: p.total,
            })
        };
        let result = match kind {
            UploadKind::Image => {
                client
                    .upload_images(&[path.to_path_buf()], progress)
                    .await?
            }
            UploadKind::Video => client.upload_video(path, progress).await?,
        };
        let uploaded = result.files.into_iter().next().ok_or_else(|| {
            AppError::new(
                ErrorKind::Network,
                "The server accepted the upload but returned no URL. Try again.",
            )
        })?;
        let now = now_ms();
        self.library.remember_upload(&RememberedUpload {
            profile_id: profile_id.to_string(),
            sha256: sha256.clone(),
            kind: media_word(media).into(),
            url: uploaded.url.clone(),
            file_name: uploaded.filename.clone(),
            content_type: uploaded.content_type.clone(),
            size: uploaded.size,
            uploaded_ms: now,
            checked_ms: now,
        })?;
        Ok((reference(uploaded.url), false))
    }

    /// A remembered URL for these bytes that can be used without uploading.
    async fn remembered_url(
        &self,
        client: &Client,
        profile_id: &str,
        sha256: &str,
        kind: UploadKind,
    ) -> Result<Option<String>, AppError> {
        let Some(known) = self.library.remembered_upload(profile_id, sha256)? else {
            return Ok(None);
        };
        if known.kind != media_word(media_of(kind)) {
            return Ok(None);
        }
        let age = now_ms().saturating_sub(known.checked_ms);
        if age >= 0 && (age as u128) < TRUSTED_FOR.as_millis() {
            return Ok(Some(known.url));
        }
        if self.resolves(client, &known.url).await {
            self.library.touch_upload(profile_id, sha256, now_ms())?;
            Ok(Some(known.url))
        } else {
            self.library.forget_upload(profile_id, sha256)?;
            Ok(None)
        }
    }

    /// One `HEAD` request: does the URL still serve something? Only a URL the output
    /// rule allows for `client`'s deployment is asked; any other is "no".
    pub async fn resolves(&self, client: &Client, url: &str) -> bool {
        let own = client.api_root();
        let url = match cyberbara::egress::check_output_url(url, own) {
            Ok(url) => url,
            Err(why) => {
                tracing::debug!(%why, "a remembered upload's URL is not checked");
                return false;
            }
        };
        let origin = own.origin().ascii_serialization();
        let http = {
            let mut clients = self.http.lock().unwrap_or_else(|e| e.into_inner());
            match clients.get(&origin) {
                Some(http) => http.clone(),
                None => {
                    let builder = reqwest::Client::builder()
                        .connect_timeout(Duration::from_secs(10))
                        .timeout(Duration::from_secs(20));
                    let lookup = cyberbara::egress::Lookup::default();
                    match cyberbara::egress::output_client(own, &lookup, builder) {
                        Ok(http) => {
                            clients.insert(origin, http.clone());
                            http
                        }
                        Err(err) => {
                            tracing::warn!(error = %err, "no client for HEAD checks");
                            return false;
                        }
                    }
                }
            }
        };
        match http.head(url).send().await {
            Ok(response) => response.status().is_success(),
            Err(err) => {
                tracing::debug!(error = %err, "HEAD check of a remembered upload failed");
                false
            }
        }
    }

    /// A small JPEG of an image reference under the cache root, when one can be made.
    async fn preview(&self, path: &Path, sha256: &str, media: ReferenceMedia) -> Option<String> {
        if media != ReferenceMedia::Image {
            return None;
        }
        let relative = format!("{PREVIEW_DIR}/{sha256}.jpg");
        let target = self
            .cache_dir
            .join(PREVIEW_DIR)
            .join(format!("{sha256}.jpg"));
        if target.exists() {
            return Some(relative);
        }
        let source = path.to_path_buf();
        let made = tokio::task::spawn_blocking(move || {
            make_thumbnail(&source, &target, THUMBNAIL_LONG_SIDE)
        })
        .await;
        match made {
            Ok(Ok(_)) => Some(relative),
            // SVG, HEIC and AVIF are accepted by the API but not decoded here: no preview.
            Ok(Err(err)) => {
                tracing::debug!(error = %err, "no preview for a reference");
                None
            }
            Err(_) => None,
        }
    }
}

fn media_of(kind: UploadKind) -> ReferenceMedia {
    match kind {
        UploadKind::Image => ReferenceMedia::Image,
        UploadKind::Video => ReferenceMedia::Video,
    }
}

pub fn media_word(media: ReferenceMedia) -> &'static str {
    match media {
        ReferenceMedia::Image => "image",
        ReferenceMedia::Video => "video",
    }
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string())
}

/// The SHA-256 of a file, read in chunks (a 50 MB video is never held whole).
pub async fn hash_file(path: &Path) -> Result<String, AppError> {
    let read_err = |e: std::io::Error| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!("{} could not be read: {e}.", display_name(path)),
        )
    };
    let mut file = tokio::fs::File::open(path).await.map_err(read_err)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buffer).await.map_err(read_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Which kind of reference a file is, from its first bytes (as the server decides), for
/// choosing the slot a dropped file lands in. `None` for anything the API refuses.
pub async fn sniff_media(path: &Path) -> Option<ReferenceMedia> {
    let mut file = tokio::fs::File::open(path).await.ok()?;
    let mut head = vec![0u8; cyberbara::upload::SNIFF_LEN];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]).await {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(_) => return None,
        }
    }
    let mime = cyberbara::upload::sniff(&head[..filled])?;
    if mime.starts_with("image/") {
        Some(ReferenceMedia::Image)
    } else if mime.starts_with("video/") {
        Some(ReferenceMedia::Video)
    } else {
        None
    }
}
