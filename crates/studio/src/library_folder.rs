//! The library folder: where downloaded outputs live (default `<app data>/library`, the
//! user can choose another in Settings). Items record paths relative to it, so moving it
//! changes one setting, not every row.
//!
//! Moving checks first and moves second: the new folder must be writable, have room for
//! everything (unless it is on the same disk, where a rename needs none) and hold no file
//! the library would overwrite. Files are then renamed (same disk) or copied and checked
//! (another disk); if anything fails, what was done is undone and the old folder stays in
//! use, so nothing already in the library is lost. The originals of copied files are
//! removed only once every copy is in place.

use crate::error::{AppError, ErrorKind};
use crate::library::Library;
use serde::Serialize;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use ts_rs::TS;

/// The setting that holds a folder the user chose (absent: the default).
pub const FOLDER_SETTING: &str = "library_folder";
/// Partial downloads, inside the library so the final rename never crosses disks.
pub const PARTIAL_DIR: &str = ".partial";

/// The library folder in use.
#[derive(Debug)]
pub struct LibraryFolder {
    path: RwLock<PathBuf>,
    default: PathBuf,
}

/// Where the library is, for Settings.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LibraryFolderView {
    pub path: String,
    pub is_default: bool,
    /// Files the library holds there and their total size.
    pub files: u32,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Free space on its disk, when the OS says.
    #[ts(type = "number | null")]
    pub available: Option<u64>,
}

/// What a move did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MoveReport {
    pub path: String,
    pub moved: u32,
    #[ts(type = "number")]
    pub bytes: u64,
}

impl LibraryFolder {
    /// The folder the library setting names, or `default`.
    pub fn open(library: &Library, default: PathBuf) -> LibraryFolder {
        let chosen = library
            .setting(FOLDER_SETTING)
            .ok()
            .flatten()
            .map(PathBuf::from)
            .filter(|p| p.is_absolute());
        LibraryFolder {
            path: RwLock::new(chosen.unwrap_or_else(|| default.clone())),
            default,
        }
    }

    pub fn path(&self) -> PathBuf {
        self.path
            .read()
            .map(|p| p.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn is_default(&self) -> bool {
        self.path() == self.default
    }

    pub fn partial_dir(&self) -> PathBuf {
        self.path().join(PARTIAL_DIR)
    }

    /// The absolute path of a relative path from the database (`None` if it would climb
    /// out of the folder).
    pub fn resolve(&self, relative: &str) -> Option<PathBuf> {
        resolve_in(&self.path(), relative)
    }

    fn set(&self, path: PathBuf) {
        match self.path.write() {
            Ok(mut current) => *current = path,
            Err(poisoned) => *poisoned.into_inner() = path,
        }
    }

    /// Describes the folder for Settings (sizes of the files the library knows).
    pub fn view(&self, library: &Library) -> Result<LibraryFolderView, AppError> {
        let root = self.path();
        let mut files = 0u32;
        let mut bytes = 0u64;
        for (_, relative) in library.item_files()? {
            if let Some(meta) = self
                .resolve(&relative)
                .and_then(|p| std::fs::metadata(p).ok())
            {
                files += 1;
                bytes += meta.len();
            }
        }
        Ok(LibraryFolderView {
            path: root.display().to_string(),
            is_default: self.is_default(),
            files,
            bytes,
            available: fs4::available_space(existing_ancestor(&root)).ok(),
        })
    }

    /// Moves every file of the library to `target` and makes it the library folder.
    /// Blocking: call it from a blocking thread, with downloads paused.
    pub fn move_to(&self, library: &Library, target: &Path) -> Result<MoveReport, AppError> {
        let source = self.path();
        let target = checked_target(&source, target)?;
        std::fs::create_dir_all(&target).map_err(|e| io_error("create the folder", &target, &e))?;
        probe_writable(&target)?;

        let mut plan = Vec::new();
        let mut bytes = 0u64;
        for (_, relative) in library.item_files()? {
            let Some(from) = resolve_in(&source, &relative) else {
                continue;
            };
            let Ok(meta) = std::fs::metadata(&from) else {
                // Missing already: the missing-file check deals with it.
                continue;
            };
            let Some(to) = resolve_in(&target, &relative) else {
                continue;
            };
            if to.exists() {
                return Err(AppError::invalid(format!(
                    "{} already holds a file named {relative}. Choose an empty folder or move that file away.",
                    target.display()
                )));
            }
            bytes += meta.len();
            plan.push((from, to));
        }
        let same_disk = same_device(&source, &target);
        if !same_disk {
            if let Ok(available) = fs4::available_space(&target) {
                // Some room to spare for the database's and thumbnails' own growth.
                let needed = bytes + bytes / 50;
                if available < needed {
                    return Err(AppError::new(
                        ErrorKind::Storage,
                        format!(
                            "{} has {} free, but the library needs {}. Free some space or choose another folder.",
                            target.display(),
                            human_bytes(available),
                            human_bytes(needed)
                        ),
                    ));
                }
            }
        }

        let mut done: Vec<(PathBuf, PathBuf, bool)> = Vec::new();
        for (from, to) in &plan {
            let outcome = place(from, to, same_disk);
            match outcome {
                Ok(renamed) => done.push((from.clone(), to.clone(), renamed)),
                Err(err) => {
                    undo(&done);
                    return Err(io_error("move the library", &target, &err));
                }
            }
        }
        library.set_setting(FOLDER_SETTING, &target.display().to_string())?;
        self.set(target.clone());
        // The copies are in place and in use: only now do the originals go.
        for (from, _, renamed) in &done {
            if !renamed {
                if let Err(err) = std::fs::remove_file(from) {
                    tracing::warn!(error = %err, file = %from.display(), "a moved file's original stayed behind");
                }
            }
        }
        // Partial downloads start again in the new folder; empty folders left behind go.
        let _ = std::fs::remove_dir_all(source.join(PARTIAL_DIR));
        remove_empty_dirs(&source);
        Ok(MoveReport {
            path: target.display().to_string(),
            moved: done.len() as u32,
            bytes,
        })
    }
}

/// A relative path from the database turned into one under `root`, refusing anything that
/// could climb out of it (the database is the app's own, but a file on disk can be edited).
pub fn resolve_in(root: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for part in relative.split('/') {
        if part.is_empty()
            || part == "."
            || part == ".."
            || part.contains('\\')
            || part.contains(':')
        {
            return None;
        }
        path.push(part);
    }
    Some(path)
}

/// Renames, or copies and checks the length. Returns whether it renamed.
fn place(from: &Path, to: &Path, same_disk: bool) -> io::Result<bool> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if same_disk && std::fs::rename(from, to).is_ok() {
        return Ok(true);
    }
    let copied = std::fs::copy(from, to)?;
    let expected = std::fs::metadata(from)?.len();
    if copied != expected {
        let _ = std::fs::remove_file(to);
        return Err(io::Error::other(format!(
            "{} was copied incompletely ({copied} of {expected} bytes)",
            from.display()
        )));
    }
    std::fs::File::open(to)?.sync_all()?;
    Ok(false)
}

fn undo(done: &[(PathBuf, PathBuf, bool)]) {
    for (from, to, renamed) in done.iter().rev() {
        let result = if *renamed {
            std::fs::rename(to, from)
        } else {
            std::fs::remove_file(to)
        };
        if let Err(err) = result {
            tracing::error!(error = %err, file = %to.display(), "could not undo part of a library move");
        }
    }
}

fn checked_target(source: &Path, target: &Path) -> Result<PathBuf, AppError> {
    if !target.is_absolute() {
        return Err(AppError::invalid(
            "Choose a folder by its full path for the library.",
        ));
    }
    let target = target.to_path_buf();
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (source_c, target_c) = (canon(source), canon(&target));
    if source_c == target_c {
        return Err(AppError::invalid("The library is already in that folder."));
    }
    if target_c.starts_with(&source_c) {
        return Err(AppError::invalid(
            "The new library folder cannot be inside the current one. Choose a folder elsewhere.",
        ));
    }
    if source_c.starts_with(&target_c) {
        return Err(AppError::invalid(
            "The new library folder cannot contain the current one. Choose an empty folder elsewhere.",
        ));
    }
    if target.exists() && !target.is_dir() {
        return Err(AppError::invalid(format!(
            "{} is a file, not a folder.",
            target.display()
        )));
    }
    Ok(target)
}

/// Writes and removes a small file: the only sure way to know a folder takes files.
pub fn probe_writable(folder: &Path) -> Result<(), AppError> {
    let probe = folder.join(".cyberbara-write-check");
    std::fs::write(&probe, b"ok")
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| io_error("write to the library folder", folder, &e))
}

/// A disk or permission problem as a sentence naming the folder and what helps.
pub fn io_error(action: &str, folder: &Path, err: &io::Error) -> AppError {
    let folder = folder.display();
    let message = match err.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => format!(
            "The disk that holds {folder} is full, so the app could not {action}. Free some space, then try again."
        ),
        io::ErrorKind::ReadOnlyFilesystem => format!(
            "{folder} is on a read-only disk, so the app could not {action}. Choose another library folder in Settings."
        ),
        io::ErrorKind::PermissionDenied => format!(
            "The app may not write to {folder}, so it could not {action}. Choose another library folder in Settings or allow writing there."
        ),
        _ => format!("The app could not {action} in {folder}: {err}."),
    };
    AppError::new(ErrorKind::Storage, message).with_detail(err.to_string())
}

fn existing_ancestor(path: &Path) -> &Path {
    let mut current = path;
    while !current.exists() {
        match current.parent() {
            Some(parent) => current = parent,
            None => break,
        }
    }
    current
}

#[cfg(unix)]
fn same_device(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (
        std::fs::metadata(existing_ancestor(a)),
        std::fs::metadata(existing_ancestor(b)),
    ) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_device(_a: &Path, _b: &Path) -> bool {
    // A rename that fails across volumes falls back to a copy; the space check runs.
    false
}

fn remove_empty_dirs(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_empty_dirs(&entry.path());
            }
        }
    }
    // Fails (and keeps it) unless empty.
    let _ = std::fs::remove_dir(dir);
}

/// `1.4 GB`, `820 MB`, `12 KB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: &[&str] = &["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(1_400_000_000), "1.4 GB");
        assert_eq!(human_bytes(820_000_000), "820 MB");
    }

    #[test]
    fn a_full_or_read_only_disk_is_named_in_a_sentence() {
        let folder = Path::new("/media/usb/library");
        let full = io_error(
            "save the download",
            folder,
            &io::Error::from(io::ErrorKind::StorageFull),
        );
        assert!(full.message.contains("is full"), "{}", full.message);
        assert!(full.message.contains("/media/usb/library"));
        let read_only = io_error(
            "save the download",
            folder,
            &io::Error::from_raw_os_error(30), // EROFS
        );
        assert!(
            read_only.message.contains("read-only"),
            "{}",
            read_only.message
        );
    }

    #[test]
    fn relative_paths_never_climb_out_of_the_folder() {
        let root = Path::new("/lib");
        assert_eq!(
            resolve_in(root, "sandbox/2026-11/task_1-2.png").unwrap(),
            Path::new("/lib/sandbox/2026-11/task_1-2.png")
        );
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            "c:/x",
            "a\\..\\b",
        ] {
            assert!(resolve_in(root, bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_target_inside_the_library_or_relative_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("lib");
        std::fs::create_dir_all(&source).unwrap();
        assert!(checked_target(&source, Path::new("relative/x")).is_err());
        assert!(checked_target(&source, &source).is_err());
        assert!(checked_target(&source, &source.join("inner")).is_err());
        assert!(checked_target(&source, dir.path()).is_err());
        assert!(checked_target(&source, &dir.path().join("other")).is_ok());
    }
}
