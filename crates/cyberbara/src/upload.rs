//! Upload pre-checks (the server's limits, checked before any byte is sent) and the
//! streaming multipart body.
//!
//! The type of a file is decided by its first bytes, as the server does, not by its
//! extension: a `.png` that is really a PDF is refused here, naming the file.

use crate::error::Error;
use futures_util::StreamExt;
use reqwest::multipart::{Form, Part};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

/// At most this many images per upload request.
pub const MAX_IMAGE_FILES: usize = 10;
/// Largest image the server accepts: 10 MB.
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;
/// Exactly one video per upload request.
pub const MAX_VIDEO_FILES: usize = 1;
/// Largest video the server accepts: 50 MB.
pub const MAX_VIDEO_BYTES: u64 = 50 * 1024 * 1024;

/// Image types the server accepts.
pub const IMAGE_MIME_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "image/svg+xml",
    "image/avif",
    "image/heic",
    "image/heif",
];
/// Video types the server accepts.
pub const VIDEO_MIME_TYPES: &[&str] = &["video/mp4", "video/quicktime"];

/// Chunk size read from disk; bounds the memory an upload holds at once.
const CHUNK: usize = 64 * 1024;
/// How many leading bytes [`sniff`] needs. SVG is text: the `<svg` root may follow a long
/// XML prologue. Same window as the server.
pub const SNIFF_LEN: usize = 4096;

/// Which upload endpoint a set of files is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    Image,
    Video,
}

impl UploadKind {
    pub fn max_files(self) -> usize {
        match self {
            UploadKind::Image => MAX_IMAGE_FILES,
            UploadKind::Video => MAX_VIDEO_FILES,
        }
    }

    pub fn max_bytes(self) -> u64 {
        match self {
            UploadKind::Image => MAX_IMAGE_BYTES,
            UploadKind::Video => MAX_VIDEO_BYTES,
        }
    }

    pub fn accepted_types(self) -> &'static [&'static str] {
        match self {
            UploadKind::Image => IMAGE_MIME_TYPES,
            UploadKind::Video => VIDEO_MIME_TYPES,
        }
    }

    /// What the upload accepts, in words, for messages. The one place the list is spelt
    /// out, so local refusals and the server's codes read the same.
    pub(crate) fn accepted_words(self) -> &'static str {
        match self {
            UploadKind::Image => "PNG, JPEG, WebP, GIF, SVG, AVIF and HEIC/HEIF images",
            UploadKind::Video => "MP4 and QuickTime (MOV) videos",
        }
    }

    pub(crate) fn path(self) -> &'static str {
        match self {
            UploadKind::Image => "uploads/images",
            UploadKind::Video => "uploads/videos",
        }
    }
}

/// How far the upload of one file has got. `sent` counts bytes handed to the
/// connection, so it reaches `total` slightly before the server has them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadProgress {
    /// Position of the file in the request.
    pub index: usize,
    pub path: Arc<Path>,
    pub sent: u64,
    pub total: u64,
}

/// A file that passed the pre-checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub path: PathBuf,
    /// The name sent to the server.
    pub file_name: String,
    pub size: u64,
    /// The type sniffed from the content.
    pub mime: &'static str,
}

/// Checks `paths` against the server's limits for `kind` (count, size, type) without
/// sending anything, so a UI can run it as soon as files are picked.
pub async fn check_files(kind: UploadKind, paths: &[PathBuf]) -> Result<Vec<CheckedFile>, Error> {
    if paths.is_empty() {
        return Err(Error::NoFiles);
    }
    if paths.len() > kind.max_files() {
        return Err(Error::TooManyFiles {
            count: paths.len(),
            limit: kind.max_files(),
        });
    }
    let mut checked = Vec::with_capacity(paths.len());
    for path in paths {
        checked.push(check_file(kind, path).await?);
    }
    Ok(checked)
}

async fn check_file(kind: UploadKind, path: &Path) -> Result<CheckedFile, Error> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = tokio::fs::metadata(path).await.map_err(io_err)?;
    if !meta.is_file() {
        return Err(io_err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    let size = meta.len();
    if size == 0 {
        return Err(Error::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    if size > kind.max_bytes() {
        return Err(Error::FileTooLarge {
            path: path.to_path_buf(),
            size,
            limit: kind.max_bytes(),
        });
    }
    let mut head = Vec::with_capacity(SNIFF_LEN);
    tokio::fs::File::open(path)
        .await
        .map_err(io_err)?
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .await
        .map_err(io_err)?;
    let detected = sniff(&head);
    let mime = match detected {
        Some(m) if kind.accepted_types().contains(&m) => m,
        other => {
            return Err(Error::UnsupportedType {
                path: path.to_path_buf(),
                detected: other.unwrap_or("an unknown format").to_string(),
                accepted: kind.accepted_words(),
            })
        }
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload".to_string());
    Ok(CheckedFile {
        path: path.to_path_buf(),
        file_name,
        size,
        mime,
    })
}

/// The MIME type of a file from its first bytes (up to [`SNIFF_LEN`]), for the types the
/// API accepts plus a few common ones that make refusals clearer.
///
/// This is the workspace's one content sniffer: the sandbox's upload routes can call it
/// (with [`extension_for`]) instead of keeping a copy that could drift from what the
/// client pre-checks.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return sniff_ftyp(head);
    }
    // Classic QuickTime files may start with a top-level atom other than `ftyp`.
    if head.len() >= 8
        && [&b"moov"[..], b"mdat", b"wide", b"free", b"skip", b"pnot"].contains(&&head[4..8])
    {
        return Some("video/quicktime");
    }
    if head.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some("application/zip");
    }
    if head.starts_with(b"BM") && head.len() >= 14 {
        return Some("image/bmp");
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Some("image/tiff");
    }
    if looks_like_svg(head) {
        return Some("image/svg+xml");
    }
    None
}

/// The file extension a stored upload of `mime` gets (`image/jpeg` → `jpg`), for the
/// types [`sniff`] recognises.
pub fn extension_for(mime: &str) -> Option<&'static str> {
    Some(match mime {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        "image/avif" => "avif",
        "image/heic" => "heic",
        "image/heif" => "heif",
        "image/bmp" => "bmp",
        "image/tiff" => "tiff",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        _ => return None,
    })
}

/// ISO base media files (MP4, MOV, AVIF, HEIC) open with an `ftyp` box naming a major
/// brand and compatible brands. Any brand that is not an image or QuickTime counts as
/// MP4, as the server counts it: refusing what the server accepts would be worse.
fn sniff_ftyp(head: &[u8]) -> Option<&'static str> {
    let box_len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let end = box_len.clamp(12, head.len());
    let major = &head[8..12];
    let compatible: Vec<&[u8]> = head.get(16..end).unwrap_or(&[]).chunks_exact(4).collect();
    let has = |brand: &[u8]| compatible.contains(&brand);
    Some(match major {
        b"avif" | b"avis" => "image/avif",
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => "image/heic",
        b"mif1" | b"msf1" if has(b"avif") => "image/avif",
        b"mif1" | b"msf1" if has(b"heic") => "image/heic",
        b"mif1" | b"msf1" => "image/heif",
        b"qt  " => "video/quicktime",
        _ => "video/mp4",
    })
}

fn looks_like_svg(head: &[u8]) -> bool {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // The 4 KB cut may split a multi-byte character.
        Err(e) if e.valid_up_to() > 0 => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(t) => t,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('<') && t.to_ascii_lowercase().contains("<svg")
}

/// The multipart form of already-checked files, each streamed from disk in 64 KB
/// chunks with a known length, reporting progress per chunk.
pub(crate) async fn streaming_form(
    files: &[CheckedFile],
    progress: Arc<dyn Fn(UploadProgress) + Send + Sync>,
) -> Result<Form, Error> {
    let mut form = Form::new();
    for (index, file) in files.iter().enumerate() {
        let io_err = |source| Error::Io {
            path: file.path.clone(),
            source,
        };
        let handle = tokio::fs::File::open(&file.path).await.map_err(io_err)?;
        let total = file.size;
        let path: Arc<Path> = Arc::from(file.path.as_path());
        let progress = progress.clone();
        let mut sent = 0u64;
        // `take` keeps the body at the announced length even if the file grows meanwhile.
        let chunks = ReaderStream::with_capacity(handle.take(total), CHUNK).map(move |chunk| {
            if let Ok(bytes) = &chunk {
                sent += bytes.len() as u64;
                progress(UploadProgress {
                    index,
                    path: path.clone(),
                    sent,
                    total,
                });
            }
            chunk
        });
        let part = Part::stream_with_length(reqwest::Body::wrap_stream(chunks), total)
            .file_name(file.file_name.clone())
            .mime_str(file.mime)
            .map_err(|e| Error::Setup(format!("bad MIME type {}: {e}", file.mime)))?;
        form = form.part("files", part);
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let len = 16 + 4 * compatible.len();
        let mut b = (len as u32).to_be_bytes().to_vec();
        b.extend_from_slice(b"ftyp");
        b.extend_from_slice(major);
        b.extend_from_slice(&[0, 0, 0, 0]);
        for c in compatible {
            b.extend_from_slice(*c);
        }
        b
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a.."), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(
            sniff(b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- x -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(sniff(b"<html><body>no</body></html>"), None);
        assert_eq!(sniff(b"hello"), None);
    }

    #[test]
    fn every_sniffed_type_has_an_extension() {
        let samples: &[&[u8]] = &[
            b"\x89PNG\r\n\x1a\n",
            &[0xFF, 0xD8, 0xFF, 0xE0],
            b"GIF89a",
            b"RIFF\0\0\0\0WEBPVP8 ",
            b"%PDF-1.7",
            b"PK\x03\x04",
            b"BM\0\0\0\0\0\0\0\0\0\0\0\0",
            b"II*\0",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"\0\0\0\x08wide\0\0\0\0mdat",
        ];
        for head in samples {
            let mime = sniff(head).unwrap_or_else(|| panic!("{head:?} not sniffed"));
            assert!(extension_for(mime).is_some(), "{mime}");
        }
        for mime in IMAGE_MIME_TYPES.iter().chain(VIDEO_MIME_TYPES) {
            assert!(extension_for(mime).is_some(), "{mime}");
        }
        assert_eq!(extension_for("image/jpeg"), Some("jpg"));
        assert_eq!(extension_for("video/quicktime"), Some("mov"));
        assert_eq!(extension_for("text/plain"), None);
    }

    #[test]
    fn sniffs_iso_media_brands() {
        assert_eq!(
            sniff(&ftyp(b"isom", &[b"isom", b"mp41"])),
            Some("video/mp4")
        );
        assert_eq!(sniff(&ftyp(b"mp42", &[])), Some("video/mp4"));
        assert_eq!(sniff(&ftyp(b"qt  ", &[b"qt  "])), Some("video/quicktime"));
        assert_eq!(sniff(&ftyp(b"avif", &[b"mif1"])), Some("image/avif"));
        assert_eq!(
            sniff(&ftyp(b"mif1", &[b"avif", b"miaf"])),
            Some("image/avif")
        );
        assert_eq!(sniff(&ftyp(b"heic", &[b"mif1"])), Some("image/heic"));
        assert_eq!(sniff(&ftyp(b"mif1", &[b"miaf"])), Some("image/heif"));
        assert_eq!(sniff(&ftyp(b"XYZ1", &[])), Some("video/mp4"));
        assert_eq!(
            sniff(b"\0\0\0\x08wide\0\0\0\0mdat"),
            Some("video/quicktime")
        );
    }
}
