//! The server's upload limits (count, size, accepted types per endpoint), in one module
//! that both the pre-checks ([`crate::upload`]) and the error sentences
//! ([`crate::error`]) read, so neither has to import the other for them.

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
