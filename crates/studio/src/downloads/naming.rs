//! Where a downloaded output lands: a name made only from the task id, the output's index
//! and the extension of the type its bytes were sniffed as. Nothing of the URL is used, so
//! a URL ending in `../../x`, a name too long for the disk or one Windows reserves cannot
//! place a file outside the library, fail to be written, or clash with another output.
//!
//! Layout: `<profile>/<YYYY-MM>/<task id>-<index>.<ext>`, slash-separated and relative to
//! the library folder (the database stores it that way, so the folder can move; turning
//! it back into a path is [`crate::library_folder::resolve_in`]'s job).

use sha2::{Digest, Sha256};

/// Longest kept part of an id in a file or folder name (the rest is replaced by a hash).
const MAX_COMPONENT: usize = 64;

/// Names Windows refuses as a file's stem, whatever the extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A folder or file name made from an id that came from elsewhere (a server's task id, a
/// profile id): ASCII letters, digits, `-` and `_` kept, anything else replaced, at most
/// 64 characters of it kept. An id that had to change gets a short hash of the original,
/// so two different ids never give the same name.
pub fn safe_component(raw: &str) -> String {
    let mut cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_COMPONENT)
        .collect();
    let reserved = RESERVED.contains(&cleaned.to_ascii_lowercase().as_str());
    if cleaned != raw || reserved || cleaned.is_empty() {
        let digest = Sha256::digest(raw.as_bytes());
        if cleaned.is_empty() || reserved {
            cleaned.insert(0, 'x');
        }
        cleaned.push('-');
        cleaned.push_str(&hex::encode(&digest[..4]));
    }
    cleaned
}

/// The file extension for a sniffed media type (`bin` when none is known).
pub fn extension_for(mime: &str) -> &'static str {
    if let Some(ext) = cyberbara::upload::extension_for(mime) {
        return ext;
    }
    match mime {
        "video/webm" => "webm",
        "video/x-matroska" => "mkv",
        "audio/mpeg" => "mp3",
        "audio/x-wav" | "audio/wav" => "wav",
        "audio/ogg" => "ogg",
        "audio/x-flac" | "audio/flac" => "flac",
        "audio/m4a" | "audio/mp4" | "audio/x-m4a" => "m4a",
        "audio/aac" => "aac",
        _ => "bin",
    }
}

/// The relative path of output `index` of `task_id`, made in the month `created_ms` falls in.
pub fn item_path(
    profile_id: &str,
    created_ms: i64,
    task_id: &str,
    index: u32,
    ext: &str,
) -> String {
    let month = chrono::DateTime::from_timestamp_millis(created_ms)
        .map(|t| t.format("%Y-%m").to_string())
        .unwrap_or_else(|| "undated".into());
    format!(
        "{}/{month}/{}-{index}.{ext}",
        safe_component(profile_id),
        safe_component(task_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_are_kept_and_others_are_made_safe_and_distinct() {
        assert_eq!(safe_component("task_01HXYZ-abc"), "task_01HXYZ-abc");
        let climbing = safe_component("../../x");
        assert!(climbing.starts_with("______x-"), "{climbing}");
        assert!(!climbing.contains('/') && !climbing.contains('.'));
        assert_ne!(safe_component("a/b"), safe_component("a_b"));
        assert_ne!(safe_component("a/b"), safe_component("a\\b"));
        let long = safe_component(&"y".repeat(300));
        assert!(long.len() <= MAX_COMPONENT + 9, "{}", long.len());
        assert_ne!(long, safe_component(&"y".repeat(301)));
        for reserved in ["CON", "nul", "Com1", "LPT9"] {
            let name = safe_component(reserved);
            assert!(name.starts_with('x'), "{name}");
        }
        assert!(safe_component("").starts_with("x-"));
    }

    #[test]
    fn paths_are_per_profile_and_month() {
        // 2026-11-30T10:00:00Z
        let path = item_path("sandbox", 1_796_032_800_000, "task_1", 2, "png");
        assert_eq!(path, "sandbox/2026-11/task_1-2.png");
        let root = std::path::Path::new("/lib");
        assert_eq!(
            crate::library_folder::resolve_in(root, &path).unwrap(),
            std::path::Path::new("/lib/sandbox/2026-11/task_1-2.png")
        );
    }

    #[test]
    fn extensions_come_from_the_sniffed_type() {
        assert_eq!(extension_for("image/png"), "png");
        assert_eq!(extension_for("image/jpeg"), "jpg");
        assert_eq!(extension_for("video/mp4"), "mp4");
        assert_eq!(extension_for("audio/mpeg"), "mp3");
        assert_eq!(extension_for("application/x-unknown"), "bin");
    }
}
