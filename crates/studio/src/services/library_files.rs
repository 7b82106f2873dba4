//! The library's files on the Gallery's behalf: the local copy of an item (fetched again
//! when it was deleted outside the app), Save as…, the clipboard, "Use as reference", and
//! the library folder that Settings shows and moves.

use super::gallery_service::{gone, ClipboardImage, LIBRARY_ROOT};
use super::Studio;
use crate::compose::DraftReference;
use crate::error::{AppError, ErrorKind};
use crate::exports::{self, SaveReport, LAST_SAVE_FOLDER};
use crate::forms::ReferenceMedia;
use crate::library::{ItemState, TaskKey, ThumbState};
use crate::library_folder::{LibraryFolderView, MoveReport};
use crate::references::{Reporter, UploadEvent};
use crate::thumbnail_queue::THUMBS_DIR;
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl Studio {
    /// The path of an item's local copy, for open, reveal, copy and drag. A file deleted
    /// outside the app is fetched again (or marked missing) and the caller is told.
    pub async fn item_file(&self, key: &str) -> Result<PathBuf, AppError> {
        let gallery = self.gallery().await?;
        let item = self.active_item(key)?;
        match item.state {
            ItemState::Ready => {}
            ItemState::Queued | ItemState::Downloading => {
                return Err(AppError::invalid(
                    "This output is still downloading. Try again when it is done.",
                ))
            }
            ItemState::Failed | ItemState::Missing => {
                return Err(AppError::invalid(item.error.clone().unwrap_or_else(|| {
                    "This output has no local copy. Press Retry to download it again.".into()
                })))
            }
        }
        let path = gallery.file_of(&item).ok_or_else(|| gone(key))?;
        if !path.is_file() {
            gallery.downloads().replace_missing(&item)?;
            return Err(AppError::new(
                ErrorKind::NotFound,
                "The file was deleted outside the app; the app is downloading it again. Try again in a moment.",
            ));
        }
        Ok(path)
    }

    /// The name the save dialog offers for an item, and the folder it opens in.
    pub async fn save_suggestion(&self, key: &str) -> Result<(String, Option<PathBuf>), AppError> {
        let item = self.active_item(key)?;
        let task = self
            .library
            .task(&TaskKey::new(&item.profile_id, &item.task_id))?
            .ok_or_else(|| gone(key))?;
        Ok((
            exports::file_name_for(&task, &item),
            self.last_save_folder(),
        ))
    }

    /// The folder of the last Save as…, if it still exists.
    pub fn last_save_folder(&self) -> Option<PathBuf> {
        self.library
            .setting(LAST_SAVE_FOLDER)
            .ok()
            .flatten()
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
    }

    /// Save as… of one item to `target` (the save dialog's answer).
    pub async fn save_item(&self, key: &str, target: &Path) -> Result<SaveReport, AppError> {
        let source = self.item_file(key).await?;
        let folder = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .ok_or_else(|| AppError::invalid("Choose where to save the file."))?
            .to_path_buf();
        let target_owned = target.to_path_buf();
        tokio::task::spawn_blocking(move || exports::copy_to(&source, &target_owned))
            .await
            .map_err(|e| AppError::internal(format!("the save task stopped: {e}")))??;
        self.library
            .set_setting(LAST_SAVE_FOLDER, &folder.display().to_string())?;
        Ok(SaveReport {
            files: vec![target.display().to_string()],
            folder: folder.display().to_string(),
        })
    }

    /// Save as… of a selection into `folder`, each file with a `.json` sidecar.
    pub async fn save_items(&self, keys: &[String], folder: &Path) -> Result<SaveReport, AppError> {
        let mut entries = Vec::with_capacity(keys.len());
        for key in keys {
            let path = self.item_file(key).await?;
            let item = self.active_item(key)?;
            let task = self
                .library
                .task(&TaskKey::new(&item.profile_id, &item.task_id))?
                .ok_or_else(|| gone(key))?;
            entries.push((task, item, path));
        }
        let target = folder.to_path_buf();
        let files = tokio::task::spawn_blocking(move || exports::export_into(&target, &entries))
            .await
            .map_err(|e| AppError::internal(format!("the save task stopped: {e}")))??;
        self.library
            .set_setting(LAST_SAVE_FOLDER, &folder.display().to_string())?;
        Ok(SaveReport {
            files,
            folder: folder.display().to_string(),
        })
    }

    /// An image item decoded for the clipboard.
    pub async fn clipboard_image(&self, key: &str) -> Result<ClipboardImage, AppError> {
        let item = self.active_item(key)?;
        if item.media_type != "image" {
            return Err(AppError::invalid(
                "Only images can be copied to the clipboard. Use Save as… or drag the file out instead.",
            ));
        }
        let path = self.item_file(key).await?;
        tokio::task::spawn_blocking(move || {
            let image = image::open(&path).map_err(|e| {
                AppError::invalid("This image could not be decoded for the clipboard.")
                    .with_detail(e.to_string())
            })?;
            let rgba = image.into_rgba8();
            Ok(ClipboardImage {
                width: rgba.width() as usize,
                height: rgba.height() as usize,
                rgba: rgba.into_raw(),
            })
        })
        .await
        .map_err(|e| AppError::internal(format!("the clipboard task stopped: {e}")))?
    }

    /// "Use as reference": the output's own URL when it still resolves (one `HEAD`),
    /// otherwise the library's copy uploaded (once per content, like any reference).
    pub async fn item_as_reference(
        &self,
        key: &str,
        slot: &str,
        upload_id: &str,
        report: Reporter,
    ) -> Result<DraftReference, AppError> {
        let item = self.active_item(key)?;
        let media = match item.media_type.as_str() {
            "image" => ReferenceMedia::Image,
            "video" => ReferenceMedia::Video,
            _ => {
                return Err(AppError::invalid(
                    "Only images and videos can be used as references.",
                ))
            }
        };
        let path = self.item_file(key).await?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let preview =
            (item.thumb == ThumbState::Made).then(|| format!("{THUMBS_DIR}/{}.jpg", item.id));
        // The output's own deployment decides where its URL may be checked from.
        let reusable = match self.client(&item.profile_id).await {
            Ok(client) => self.uploads.resolves(&client, &item.url).await,
            Err(_) => false,
        };
        if reusable {
            let reference = DraftReference {
                id: upload_id.to_string(),
                slot: slot.to_string(),
                url: Some(item.url.clone()),
                file_name,
                media,
                local_path: Some(path.display().to_string()),
                sha256: item.sha256.clone(),
                preview,
            };
            report(UploadEvent::Done {
                upload_id: upload_id.to_string(),
                reference: reference.clone(),
                reused: true,
            });
            return Ok(reference);
        }
        let mut reference = self
            .upload_reference(upload_id, &path, slot, media, report)
            .await?;
        if reference.preview.is_none() {
            reference.preview = preview;
        }
        Ok(reference)
    }

    /// Where the library is, for Settings.
    pub async fn library_folder(&self) -> Result<LibraryFolderView, AppError> {
        let gallery = self.gallery().await?;
        let folder = Arc::clone(gallery.folder());
        let library = self.library.clone();
        tokio::task::spawn_blocking(move || folder.view(&library))
            .await
            .map_err(|e| AppError::internal(format!("the library task stopped: {e}")))?
    }

    /// Moves the library to `target` (downloads pause meanwhile and resume after).
    pub async fn move_library(&self, target: &Path) -> Result<MoveReport, AppError> {
        let gallery = self.gallery().await?;
        gallery.downloads().pause_all().await;
        let folder = Arc::clone(gallery.folder());
        let library = self.library.clone();
        let target = target.to_path_buf();
        let moved = tokio::task::spawn_blocking(move || folder.move_to(&library, &target))
            .await
            .map_err(|e| AppError::internal(format!("the move stopped: {e}")))?;
        if let Ok(media) = self.media().await {
            media.set_root(LIBRARY_ROOT, &gallery.folder().path());
        }
        gallery.downloads().resume_unfinished()?;
        moved
    }
}
