//! Presets of the active profile: list, save, rename, duplicate, delete, apply onto the
//! form, and export to / import from a JSON file (the window asks where with `rfd`).

use super::Studio;
use crate::compose::Draft;
use crate::error::AppError;
use crate::library::PresetRow;
use crate::library_folder::io_error;
use crate::presets::{self, AppliedPreset, PresetImport, PresetView};
use std::io::Read;
use std::path::Path;

impl Studio {
    /// The forms of the models the deployment lists now (the cached list when fresh).
    async fn preset_forms(&self) -> Result<Vec<crate::forms::ModelForm>, AppError> {
        Ok(self.catalogue(false).await?.models)
    }

    fn preset_view(row: PresetRow, forms: &[crate::forms::ModelForm]) -> PresetView {
        let draft: Draft = serde_json::from_value(row.draft).unwrap_or_default();
        PresetView {
            id: row.id,
            name: row.name,
            model_missing: !draft.model.is_empty() && !forms.iter().any(|f| f.model == draft.model),
            draft,
            updated_ms: row.updated_ms,
        }
    }

    /// The active profile's presets, by name, each marked when its model is no longer listed.
    pub async fn presets(&self) -> Result<Vec<PresetView>, AppError> {
        let profile = self.active_id()?;
        let forms = self.preset_forms().await?;
        Ok(self
            .library
            .presets(&profile)?
            .into_iter()
            .map(|row| Self::preset_view(row, &forms))
            .collect())
    }

    /// "Save as preset…": the whole form under `name` (a preset of that name is replaced).
    pub async fn save_preset(&self, name: &str, draft: &Draft) -> Result<PresetView, AppError> {
        let profile = self.active_id()?;
        let name = presets::clean_name(name)?;
        let value = serde_json::to_value(draft)
            .map_err(|e| AppError::internal(format!("the preset could not be saved: {e}")))?;
        let row = self.library.save_preset(&profile, &name, &value)?;
        Ok(Self::preset_view(row, &self.preset_forms().await?))
    }

    fn preset_row(&self, profile: &str, id: i64) -> Result<PresetRow, AppError> {
        self.library.preset(profile, id)?.ok_or_else(|| {
            AppError::not_found("That preset is gone (deleted in another window?). Choose another.")
        })
    }

    pub async fn rename_preset(&self, id: i64, name: &str) -> Result<PresetView, AppError> {
        let profile = self.active_id()?;
        let name = presets::clean_name(name)?;
        self.preset_row(&profile, id)?;
        if self.library.preset_name_taken(&profile, &name, Some(id))? {
            return Err(AppError::invalid(format!(
                "There is already a preset called {name}. Choose another name."
            )));
        }
        self.library.rename_preset(&profile, id, &name)?;
        let row = self.preset_row(&profile, id)?;
        Ok(Self::preset_view(row, &self.preset_forms().await?))
    }

    /// A copy under the first free name of "… copy", "… copy (2)"….
    pub async fn duplicate_preset(&self, id: i64) -> Result<PresetView, AppError> {
        let profile = self.active_id()?;
        let row = self.preset_row(&profile, id)?;
        let mut base = format!("{} copy", row.name);
        if base.chars().count() > presets::PRESET_NAME_MAX {
            base = base
                .chars()
                .skip(base.chars().count() - presets::PRESET_NAME_MAX)
                .collect();
        }
        let taken: Vec<String> = self
            .library
            .presets(&profile)?
            .into_iter()
            .map(|p| p.name)
            .collect();
        let name = presets::free_name(&base, |n| taken.iter().any(|t| t == n));
        let copy = self.library.save_preset(&profile, &name, &row.draft)?;
        Ok(Self::preset_view(copy, &self.preset_forms().await?))
    }

    /// Deletes a preset; one already gone is not an error.
    pub fn delete_preset(&self, id: i64) -> Result<(), AppError> {
        let profile = self.active_id()?;
        self.library.delete_preset(&profile, id)?;
        Ok(())
    }

    /// The preset fitted onto the form: with the current prompt or its own, and without
    /// what a model the deployment no longer lists took (each named in `dropped`).
    pub async fn apply_preset(
        &self,
        id: i64,
        current: &Draft,
        keep_prompt: bool,
    ) -> Result<AppliedPreset, AppError> {
        let profile = self.active_id()?;
        let row = self.preset_row(&profile, id)?;
        let draft: Draft = serde_json::from_value(row.draft).map_err(|e| {
            AppError::invalid(format!(
                "The preset {} cannot be read ({e}); delete it and save it again.",
                row.name
            ))
        })?;
        let forms = self.preset_forms().await?;
        Ok(presets::fit(&draft, current, &forms, keep_prompt))
    }

    /// Writes every preset of the active profile to `path` (complete or not at all).
    /// Returns how many were written.
    pub fn export_presets(&self, path: &Path) -> Result<u32, AppError> {
        let profile = self.active_id()?;
        let rows = self.library.presets(&profile)?;
        let count = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        let text = presets::to_file(rows.into_iter().map(|row| {
            let draft: Draft = serde_json::from_value(row.draft).unwrap_or_default();
            (row.name, draft)
        }))?;
        let folder = path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(folder)
            .map_err(|e| io_error("export the presets", folder, &e))?;
        std::io::Write::write_all(tmp.as_file_mut(), text.as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| io_error("export the presets", folder, &e))?;
        tmp.persist(path)
            .map_err(|e| io_error("export the presets", folder, &e.error))?;
        Ok(count)
    }

    /// Adds the presets of an exported file to the active profile; a name already taken
    /// gets " (2)"…. A file that is not a presets export is refused whole, with a sentence.
    pub fn import_presets(&self, path: &Path) -> Result<PresetImport, AppError> {
        let profile = self.active_id()?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let folder = path.parent().unwrap_or(Path::new("."));
        let file =
            std::fs::File::open(path).map_err(|e| io_error("read the presets file", folder, &e))?;
        let mut text = String::new();
        file.take(presets::FILE_MAX_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| {
                AppError::invalid(format!(
                    "{file_name} is not a presets file this app can read: {e}."
                ))
            })?;
        if text.len() as u64 > presets::FILE_MAX_BYTES {
            return Err(AppError::invalid(format!(
                "{file_name} is larger than a presets file can be ({} MB at most).",
                presets::FILE_MAX_BYTES / (1024 * 1024)
            )));
        }
        let incoming = presets::from_file(&text, &file_name)?;
        let mut taken: Vec<String> = self
            .library
            .presets(&profile)?
            .into_iter()
            .map(|p| p.name)
            .collect();
        let mut report = PresetImport {
            added: 0,
            renamed: Vec::new(),
        };
        for preset in incoming {
            let wanted = presets::clean_name(&preset.name)?;
            let name = presets::free_name(&wanted, |n| taken.iter().any(|t| t == n));
            if name != wanted {
                report.renamed.push((wanted, name.clone()));
            }
            let value = serde_json::to_value(&preset.draft)
                .map_err(|e| AppError::internal(format!("the preset could not be saved: {e}")))?;
            self.library.save_preset(&profile, &name, &value)?;
            taken.push(name);
            report.added += 1;
        }
        Ok(report)
    }
}
