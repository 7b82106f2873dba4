//! `POST /api/v1/uploads/{images,videos}`: files streamed to storage while hashed,
//! typed by sniffing their content, stored under a content address.

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use cyberbara::types::{ErrorCode, UploadResult, UploadedFile};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

use crate::auth::authenticate;
use crate::reply::{data, ApiError, ApiResult};
use crate::state::Shared;
use crate::store::account_prefix;

use cyberbara::upload::{extension_for, UploadKind};

const MB: u64 = 1024 * 1024;
// Limits, accepted types and sniffing come from the `cyberbara` crate, so what the client
// pre-checks and what this server refuses cannot drift apart.
pub(crate) const IMAGE_MAX_BYTES: u64 = cyberbara::upload_limits::MAX_IMAGE_BYTES;
pub(crate) const VIDEO_MAX_BYTES: u64 = cyberbara::upload_limits::MAX_VIDEO_BYTES;
/// Whole-request caps: every allowed file at its maximum plus room for the form framing.
pub(crate) const IMAGE_REQUEST_LIMIT: usize =
    (cyberbara::upload_limits::MAX_IMAGE_FILES as u64 * IMAGE_MAX_BYTES + MB) as usize;
pub(crate) const VIDEO_REQUEST_LIMIT: usize = (VIDEO_MAX_BYTES + MB) as usize;
const SNIFF_BYTES: usize = cyberbara::upload::SNIFF_LEN;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Images,
    Videos,
}

impl Kind {
    fn upload_kind(self) -> UploadKind {
        match self {
            Kind::Images => UploadKind::Image,
            Kind::Videos => UploadKind::Video,
        }
    }

    fn max_files(self) -> usize {
        self.upload_kind().max_files()
    }

    fn max_bytes(self) -> u64 {
        self.upload_kind().max_bytes()
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Images => "image",
            Kind::Videos => "video",
        }
    }

    fn accepts(self, mime: &str) -> bool {
        self.upload_kind().accepted_types().contains(&mime)
    }
}

/// The MIME type and extension the bytes really are.
fn sniff(head: &[u8], declared: Option<&str>) -> Option<(&'static str, &'static str)> {
    let mime = match cyberbara::upload::sniff(head)? {
        // HEIC and HEIF share the generic `mif1` brand; only the declared type can tell.
        "image/heif" if declared == Some("image/heic") => "image/heic",
        mime => mime,
    };
    Some((mime, extension_for(mime)?))
}

/// Where an upload's bytes go while it is received.
enum Sink {
    File(PathBuf),
    Memory(Vec<u8>),
}

/// A file read to its end and accepted, not yet stored under its key.
struct Received {
    sink: Sink,
    /// Keeps the incoming file on disk only as long as it may still be adopted.
    guard: IncomingGuard,
    key: String,
    filename: String,
    content_type: &'static str,
    size: u64,
}

/// Stores every received file under its key. If storing one fails, the blobs this
/// request newly created are removed again (blobs that already existed are left alone,
/// other keys may point at them).
fn commit(state: &Shared, received: Vec<Received>) -> Result<Vec<UploadedFile>, ApiError> {
    let mut created_keys: Vec<String> = Vec::new();
    let mut files = Vec::with_capacity(received.len());
    for file in received {
        let Received {
            sink,
            mut guard,
            key,
            filename,
            content_type,
            size,
        } = file;
        let stored = match sink {
            Sink::File(path) => state
                .store
                .adopt_incoming(&path, &key, content_type, size)
                .inspect(|_| guard.0 = None),
            Sink::Memory(buf) => state.store.put_blob(&key, content_type, buf.into()),
        };
        let created = match stored {
            Ok(created) => created,
            Err(e) => {
                for key in &created_keys {
                    if let Err(e) = state.store.remove_blob(key) {
                        tracing::warn!(
                            "could not remove the upload {key} of a failed request: {e}"
                        );
                    }
                }
                return Err(e.into());
            }
        };
        if created {
            created_keys.push(key.clone());
        }
        files.push(UploadedFile {
            url: format!("{}/uploads/{key}", state.base_url),
            key,
            filename,
            content_type: content_type.to_string(),
            size,
            deduped: !created,
        });
    }
    Ok(files)
}

/// Removes a half-written incoming file unless the upload completed.
struct IncomingGuard(Option<PathBuf>);

impl Drop for IncomingGuard {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::FileTooLarge,
            "The upload is larger than this route accepts.",
        )
    } else {
        ApiError::bad(
            ErrorCode::InvalidMultipart,
            format!(
                "The request body is not valid multipart/form-data: {}.",
                e.body_text()
            ),
        )
    }
}

pub(super) async fn upload_images(State(state): State<Shared>, req: Request) -> ApiResult {
    upload(state, req, Kind::Images).await
}

pub(super) async fn upload_videos(State(state): State<Shared>, req: Request) -> ApiResult {
    upload(state, req, Kind::Videos).await
}

async fn upload(state: Shared, req: Request, kind: Kind) -> ApiResult {
    let account = authenticate(&state, req.headers())?;
    let mut multipart = Multipart::from_request(req, &state).await.map_err(|e| {
        ApiError::bad(
            ErrorCode::InvalidMultipart,
            format!(
                "The request is not multipart/form-data with a boundary: {}.",
                e.body_text()
            ),
        )
    })?;
    let prefix = account_prefix(&account.id);
    // Every file is received and checked before any is stored, so a refused request
    // (a later file of the wrong type, too many files, one too large) leaves nothing
    // behind: the incoming files are removed when `received` is dropped.
    let mut received: Vec<Received> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        if !matches!(field.name(), Some("files") | Some("file")) {
            continue;
        }
        let index = received.len();
        if index >= kind.max_files() {
            return Err(ApiError::bad(
                ErrorCode::TooManyFiles,
                format!(
                    "At most {} {} file(s) can be uploaded per request.",
                    kind.max_files(),
                    kind.noun()
                ),
            )
            .with_details(json!({ "max_files": kind.max_files() })));
        }
        received.push(receive(&state, field, kind, index, &prefix).await?);
    }
    if received.is_empty() {
        return Err(ApiError::bad(
            ErrorCode::FilesRequired,
            "No file was sent: add it as multipart field \"files\" (or \"file\").",
        ));
    }
    let files = commit(&state, received)?;
    let urls = files.iter().map(|f| f.url.clone()).collect();
    let count = files.len();
    Ok(data(UploadResult { files, urls, count }))
}

async fn receive(
    state: &Shared,
    mut field: Field<'_>,
    kind: Kind,
    index: usize,
    prefix: &str,
) -> Result<Received, ApiError> {
    let filename = field
        .file_name()
        .map(str::to_string)
        .unwrap_or_else(|| format!("file-{index}"));
    let declared = field.content_type().map(str::to_ascii_lowercase);
    let io_error =
        |e: std::io::Error| ApiError::internal(format!("could not store an upload: {e}"));
    let mut guard = IncomingGuard(None);
    // On disk the body is streamed to an incoming file: a 50 MB video never sits in memory.
    let mut incoming = None;
    let mut memory = Vec::new();
    if let Some(path) = state.store.incoming_path() {
        let file = tokio::fs::File::create(&path).await.map_err(io_error)?;
        guard.0 = Some(path.clone());
        incoming = Some((file, path));
    }
    let mut hasher = Sha256::new();
    let mut head: Vec<u8> = Vec::new();
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        size += chunk.len() as u64;
        if size > kind.max_bytes() {
            // Stop reading here: the rest of the body is never buffered or stored.
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::FileTooLarge,
                format!(
                    "File \"{filename}\" is larger than the {} MB limit for {} uploads.",
                    kind.max_bytes() / MB,
                    kind.noun()
                ),
            )
            .with_details(
                json!({ "index": index, "filename": filename, "max_bytes": kind.max_bytes() }),
            ));
        }
        if head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(&chunk);
        match &mut incoming {
            Some((file, _)) => file.write_all(&chunk).await.map_err(io_error)?,
            None => memory.extend_from_slice(&chunk),
        }
    }
    if size == 0 {
        return Err(ApiError::bad(
            ErrorCode::InvalidFileSize,
            format!("File \"{filename}\" is empty."),
        )
        .with_details(json!({ "index": index, "filename": filename })));
    }
    let Some((content_type, ext)) =
        sniff(&head, declared.as_deref()).filter(|(mime, _)| kind.accepts(mime))
    else {
        return Err(ApiError::bad(
            ErrorCode::InvalidFileType,
            format!("Unsupported {} type for file \"{filename}\".", kind.noun()),
        )
        .with_details(json!({ "index": index, "filename": filename })));
    };
    let hash = &hex::encode(hasher.finalize())[..32];
    let key = format!("api/v1/uploads/{prefix}/{hash}.{ext}");
    let sink = match incoming {
        Some((mut file, path)) => {
            file.flush().await.map_err(io_error)?;
            Sink::File(path)
        }
        None => Sink::Memory(memory),
    };
    Ok(Received {
        sink,
        guard,
        key,
        filename,
        content_type,
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_recognises_the_supported_formats() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n0000", None).map(|s| s.0),
            Some("image/png")
        );
        let pdf = sniff(b"%PDF-1.7", None).map(|s| s.0);
        assert_eq!(pdf, Some("application/pdf"));
        assert!(!Kind::Images.accepts("application/pdf"));
        assert!(
            !Kind::Images.accepts("image/bmp"),
            "not among the nine listed types"
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><svg xmlns=\"\">", None).map(|s| s.0),
            Some("image/svg+xml")
        );
        let mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2";
        assert_eq!(sniff(mp4, None).map(|s| s.0), Some("video/mp4"));
        let mov = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ";
        assert_eq!(sniff(mov, None).map(|s| s.0), Some("video/quicktime"));
    }

    #[test]
    fn every_listed_image_type_is_recognised_and_accepted() {
        let ftyp = |major: &[u8], compatible: &[u8]| {
            let mut v = vec![0, 0, 0, 24];
            v.extend_from_slice(b"ftyp");
            v.extend_from_slice(major);
            v.extend_from_slice(&[0, 0, 0, 0]);
            v.extend_from_slice(compatible);
            v
        };
        let cases: Vec<(Vec<u8>, Option<&str>, &str, &str)> = vec![
            (
                b"\xFF\xD8\xFF\xE0\x00\x10JFIF".to_vec(),
                None,
                "image/jpeg",
                "jpg",
            ),
            (b"GIF89a\x01\x00".to_vec(), None, "image/gif", "gif"),
            (
                b"RIFF\x10\x00\x00\x00WEBPVP8 ".to_vec(),
                None,
                "image/webp",
                "webp",
            ),
            (ftyp(b"avif", b"mif1miaf"), None, "image/avif", "avif"),
            (ftyp(b"mif1", b"avifmiaf"), None, "image/avif", "avif"),
            (ftyp(b"heic", b"mif1heic"), None, "image/heic", "heic"),
            (ftyp(b"mif1", b"heicmiaf"), None, "image/heic", "heic"),
            (ftyp(b"mif1", b"miafMiHB"), None, "image/heif", "heif"),
            (
                ftyp(b"mif1", b"miafMiHB"),
                Some("image/heic"),
                "image/heic",
                "heic",
            ),
        ];
        for (bytes, declared, mime, ext) in cases {
            assert_eq!(sniff(&bytes, declared), Some((mime, ext)), "{mime}");
            assert!(Kind::Images.accepts(mime), "{mime}");
            assert!(!Kind::Videos.accepts(mime), "{mime}");
        }
    }
}
