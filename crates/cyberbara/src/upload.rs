//! Upload pre-checks (the server's limits, checked before any byte is sent) and the
//! streaming multipart body.
//!
//! The type of a file is decided by its first bytes, as the server does, not by its
//! extension: a `.png` that is really a PDF is refused here, naming the file.

use crate::error::Error;
/// Re-exported because [`check_files`] takes it; it lives with the limits it selects.
pub use crate::upload_limits::UploadKind;
use futures_util::StreamExt;
use reqwest::multipart::{Form, Part};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

/// Chunk size read from disk; bounds the memory an upload holds at once.
const CHUNK: usize = 64 * 1024;
/// How many leading bytes [`sniff`] needs. SVG is text: the `<svg` root may follow a long
/// XML prologue. Same window as the server.
pub const SNIFF_LEN: usize = 4096;

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

/// The MIME type of a file from its first bytes (up to [`SNIFF_LEN`]).
///
/// The `infer` crate recognises the binary formats; a few checks here cover what it does
/// not: SVG (XML text, which it calls `text/xml` at best), ISO media files whose brand
/// it does not list (counted as MP4, as the server counts them: refusing what the server
/// accepts would be worse; `mif1` without a codec brand is HEIF), HEIC brands it misses,
/// and QuickTime files that open with a `free`, `skip`, `wide` or `pnot` atom.
///
/// This is the workspace's one content sniffer: the sandbox's upload routes call it
/// (with [`extension_for`]) instead of keeping a copy that could drift from what the
/// client pre-checks.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if looks_like_svg(head) {
        return Some("image/svg+xml");
    }
    match infer::get(head).map(|kind| kind.mime_type()) {
        // infer reports HEIF only for the HEIC brands (`heic`, `heix`, `mif1` + `heic`).
        Some("image/heif") => Some("image/heic"),
        // An M4V is an MP4 under another brand; the server stores it as one.
        Some("video/x-m4v") => Some("video/mp4"),
        Some(mime) => Some(mime),
        None => iso_media_fallback(head),
    }
}

/// The file extension a stored upload of `mime` gets (`image/jpeg` → `jpg`), for the
/// accepted types and the common ones a refusal may name.
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

/// ISO base media files infer does not place: an `ftyp` box with a brand it does not
/// list, or a classic QuickTime file opening with another top-level atom.
fn iso_media_fallback(head: &[u8]) -> Option<&'static str> {
    let kind = head.get(4..8)?;
    if kind == b"ftyp" && head.len() >= 12 {
        return Some(match &head[8..12] {
            b"heim" | b"heis" | b"hevc" | b"hevx" => "image/heic",
            b"mif1" | b"msf1" => "image/heif",
            _ => "video/mp4",
        });
    }
    [&b"wide"[..], b"free", b"skip", b"pnot"]
        .contains(&kind)
        .then_some("video/quicktime")
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
    use crate::upload_limits::{IMAGE_MIME_TYPES, VIDEO_MIME_TYPES};

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
        // Refusals can name what a file really is.
        assert_eq!(sniff(b"<html><body>no</body></html>"), Some("text/html"));
        assert_eq!(
            sniff(b"MZ\x90\0"),
            Some("application/vnd.microsoft.portable-executable")
        );
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
            b"II*\0\x08\0\0\0\0\0\0\0",
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
        assert_eq!(sniff(b"\0\0\0\x08free"), Some("video/quicktime"));
        assert_eq!(sniff(&ftyp(b"M4V ", &[b"isom"])), Some("video/mp4"));
        assert_eq!(sniff(&ftyp(b"hevc", &[])), Some("image/heic"));
        assert_eq!(
            sniff(&ftyp(b"mif1", &[b"heic", b"miaf"])),
            Some("image/heic")
        );
    }
}
