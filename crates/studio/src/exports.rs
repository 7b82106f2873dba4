//! "Save as…": copies of library files where the user chose. One item goes to the path the
//! save dialog returned; a selection goes to a folder, each file with a `.json` sidecar
//! holding the request that made it. A copy is written under a temporary name and renamed,
//! so a file that appears is complete; a selection never overwrites a file already in the
//! folder (`name (2).png`).

use crate::downloads::naming::safe_component;
use crate::error::AppError;
use crate::library::{Item, TaskRecord};
use crate::library_folder::io_error;
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The setting holding the folder of the last Save as….
pub const LAST_SAVE_FOLDER: &str = "last_save_folder";

/// What Save as… wrote.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SaveReport {
    /// The files written (sidecars not included), in the order asked.
    pub files: Vec<String>,
    /// The folder, remembered for the next Save as….
    pub folder: String,
}

/// The name offered in the save dialog, and used for a selection: model, task id and
/// index, with the extension of the file (`nano-banana-pro-task_1-0.png`).
pub fn file_name_for(task: &TaskRecord, item: &Item) -> String {
    let ext = item
        .file
        .as_deref()
        .and_then(|f| Path::new(f).extension())
        .and_then(|e| e.to_str())
        .unwrap_or("bin");
    format!(
        "{}-{}-{}.{ext}",
        safe_component(&task.model),
        safe_component(&task.id),
        item.index
    )
}

/// What the sidecar holds: the request that made the file, and what it became.
pub fn sidecar(task: &TaskRecord, item: &Item) -> serde_json::Value {
    json!({
        "task_id": task.id,
        "model": task.model,
        "media_type": item.media_type,
        "scene": task.scene,
        "prompt": task.prompt,
        "request": task.request,
        "cost": task.cost,
        "created_at": task.created_at,
        "output_index": item.index,
        "output_url": item.url,
        "content_type": item.content_type,
        "width": item.width,
        "height": item.height,
        "duration_ms": item.duration_ms,
        "sha256": item.sha256,
    })
}

/// Copies `source` to `target` (complete or not at all). Blocking.
pub fn copy_to(source: &Path, target: &Path) -> Result<(), AppError> {
    let folder = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(folder)
        .map_err(|e| io_error("save the copy", folder, &e))?;
    let mut from = std::fs::File::open(source).map_err(|e| {
        AppError::not_found(format!(
            "The library's copy could not be read ({e}); it may have been deleted outside the app."
        ))
    })?;
    std::io::copy(&mut from, tmp.as_file_mut())
        .map_err(|e| io_error("save the copy", folder, &e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| io_error("save the copy", folder, &e))?;
    tmp.persist(target)
        .map_err(|e| io_error("save the copy", folder, &e.error))?;
    Ok(())
}

/// A path in `folder` for `name` that holds no file yet: `name`, `name (2)`, ….
pub fn free_name(folder: &Path, name: &str) -> PathBuf {
    let candidate = folder.join(name);
    if !candidate.exists() && !sidecar_path(&candidate).exists() {
        return candidate;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) => (stem, format!(".{ext}")),
        None => (name, String::new()),
    };
    (2..)
        .map(|n| folder.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists() && !sidecar_path(p).exists())
        .unwrap_or(candidate)
}

/// `file.png` → `file.png.json`.
pub fn sidecar_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".json");
    file.with_file_name(name)
}

/// Writes a selection into `folder`: each file and its sidecar. Blocking.
pub fn export_into(
    folder: &Path,
    entries: &[(TaskRecord, Item, PathBuf)],
) -> Result<Vec<String>, AppError> {
    std::fs::create_dir_all(folder).map_err(|e| io_error("save the files", folder, &e))?;
    let mut written = Vec::with_capacity(entries.len());
    for (task, item, source) in entries {
        let target = free_name(folder, &file_name_for(task, item));
        copy_to(source, &target)?;
        let text = serde_json::to_string_pretty(&sidecar(task, item))
            .map_err(|e| AppError::internal(format!("a sidecar could not be written: {e}")))?;
        std::fs::write(sidecar_path(&target), text + "\n")
            .map_err(|e| io_error("save the request beside the file", folder, &e))?;
        written.push(target.display().to_string());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_gets_a_number_and_sidecars_sit_beside_files() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(free_name(dir.path(), "a.png"), dir.path().join("a.png"));
        std::fs::write(dir.path().join("a.png"), b"x").unwrap();
        assert_eq!(free_name(dir.path(), "a.png"), dir.path().join("a (2).png"));
        std::fs::write(dir.path().join("a (2).png.json"), b"{}").unwrap();
        assert_eq!(free_name(dir.path(), "a.png"), dir.path().join("a (3).png"));
        assert_eq!(
            sidecar_path(&dir.path().join("x.mp4")),
            dir.path().join("x.mp4.json")
        );
    }
}
