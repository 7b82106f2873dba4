//! Presets: a saved Create form brought back in one click. This module holds what is not
//! storage: the names a preset may have, how a preset fits the models the deployment lists
//! today (a model no longer listed is dropped with what only it took, and the user is told),
//! and the JSON file presets are exported to and imported from. The rows live in the
//! library (`library::presets`); the service methods are in `services::presets`.

use crate::compose::Draft;
use crate::error::AppError;
use crate::forms::{FormControl, ModelForm};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

pub use crate::library::PRESET_NAME_MAX;

/// The `format` field of an exported file: says what the JSON is, so another JSON file
/// is refused with a sentence rather than half-read.
pub const FILE_FORMAT: &str = "cyberbara-studio-presets";
/// The version of the file this app writes and reads.
pub const FILE_VERSION: u32 = 1;
/// The largest presets file an import reads (a preset is a few KB; this is thousands).
pub const FILE_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// One preset as the picker shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PresetView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub draft: Draft,
    /// The deployment no longer lists the preset's model (as far as the app knows).
    pub model_missing: bool,
    #[ts(type = "number")]
    pub updated_ms: i64,
}

/// A preset fitted onto the form: the draft to show and what did not fit.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppliedPreset {
    pub draft: Draft,
    /// What was left out, in words ("the model old-model, which the deployment no longer
    /// lists", "the option duration"). Empty when everything fit.
    pub dropped: Vec<String>,
}

/// What an import added.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PresetImport {
    /// How many presets were added.
    pub added: u32,
    /// Names that were taken, and the names the imported presets got instead.
    pub renamed: Vec<(String, String)>,
}

/// The file presets are exported to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetFile {
    pub format: String,
    pub version: u32,
    pub presets: Vec<FilePreset>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePreset {
    pub name: String,
    pub draft: Draft,
}

/// A preset name as stored: trimmed, not empty, not too long; refused with a sentence.
pub fn clean_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("Give the preset a name."));
    }
    if name.chars().count() > PRESET_NAME_MAX {
        return Err(AppError::invalid(format!(
            "A preset name has at most {PRESET_NAME_MAX} characters."
        )));
    }
    Ok(name.to_string())
}

/// The first of `base`, `base (2)`, `base (3)`… that `taken` does not hold.
pub fn free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base} ({n})"))
        .find(|name| !taken(name))
        .unwrap_or_else(|| base.to_string())
}

/// The preset's draft as the form gets it: the prompt kept from `current` when asked, and,
/// when the deployment no longer lists the preset's model, the current model with only the
/// scene, options and references its form takes (each one left out is named).
pub fn fit(
    preset: &Draft,
    current: &Draft,
    forms: &[ModelForm],
    keep_prompt: bool,
) -> AppliedPreset {
    let mut draft = preset.clone();
    if keep_prompt {
        draft.prompt = current.prompt.clone();
    }
    let mut dropped = Vec::new();
    if forms.iter().any(|f| f.model == preset.model) {
        return AppliedPreset { draft, dropped };
    }
    dropped.push(format!(
        "the model {}, which the deployment no longer lists",
        preset.model
    ));
    let Some(form) = forms
        .iter()
        .find(|f| f.model == current.model)
        .or_else(|| forms.first())
    else {
        // No model at all: nothing can be checked, so nothing else is dropped.
        return AppliedPreset { draft, dropped };
    };
    draft.model = form.model.clone();
    if let Some(scene) = &draft.scene {
        if !form.scenes.is_empty() && !form.scenes.contains(scene) {
            dropped.push(format!("the scene {scene}"));
            draft.scene = None;
        }
    }
    let known = |key: &str| form.fields.iter().any(|f| f.key == key);
    let (kept, left): (Vec<_>, Vec<_>) = std::mem::take(&mut draft.options)
        .into_iter()
        .partition(|(key, _)| known(key));
    draft.options = kept.into_iter().collect();
    dropped.extend(left.into_iter().map(|(key, _)| format!("the option {key}")));
    let slot = |key: &str| {
        form.fields
            .iter()
            .any(|f| f.key == key && matches!(f.control, FormControl::References { .. }))
    };
    let before = draft.references.len();
    let mut lost_slots: Vec<String> = Vec::new();
    draft.references.retain(|r| {
        let keep = slot(&r.slot);
        if !keep && !lost_slots.contains(&r.slot) {
            lost_slots.push(r.slot.clone());
        }
        keep
    });
    let lost = before - draft.references.len();
    if lost > 0 {
        dropped.push(format!(
            "{} ({})",
            if lost == 1 {
                "1 reference".to_string()
            } else {
                format!("{lost} references")
            },
            lost_slots.join(", ")
        ));
    }
    if !form.pass_through && !draft.advanced.trim().is_empty() {
        dropped.push("the Advanced (JSON) options".to_string());
        draft.advanced = String::new();
    }
    AppliedPreset { draft, dropped }
}

/// The export file's JSON for `presets` (name, draft), pretty-printed for people to read.
pub fn to_file(presets: impl IntoIterator<Item = (String, Draft)>) -> Result<String, AppError> {
    let file = PresetFile {
        format: FILE_FORMAT.to_string(),
        version: FILE_VERSION,
        presets: presets
            .into_iter()
            .map(|(name, draft)| FilePreset { name, draft })
            .collect(),
    };
    serde_json::to_string_pretty(&file)
        .map_err(|e| AppError::internal(format!("the presets could not be written as JSON: {e}")))
}

/// Reads an export file; anything else is refused with a sentence naming `file_name`.
pub fn from_file(text: &str, file_name: &str) -> Result<Vec<FilePreset>, AppError> {
    let refuse = |why: String| {
        AppError::invalid(format!(
            "{file_name} is not a presets file this app can read: {why}."
        ))
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| refuse(format!("it is not valid JSON ({e})")))?;
    if value.get("format").and_then(Value::as_str) != Some(FILE_FORMAT) {
        return Err(refuse(
            "it was not exported from CyberBara Studio's presets".to_string(),
        ));
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(FILE_VERSION) => {}
        Some(v) => {
            return Err(refuse(format!(
                "it is version {v}, and this app reads version {FILE_VERSION}; update the app"
            )))
        }
        None => return Err(refuse("it has no version".to_string())),
    }
    let file: PresetFile = serde_json::from_value(value).map_err(|e| refuse(format!("{e}")))?;
    for preset in &file.presets {
        clean_name(&preset.name)
            .map_err(|e| refuse(format!("a preset's name is unusable ({})", e.message)))?;
        if !(1..=8).contains(&preset.draft.batch) {
            return Err(refuse(format!(
                "the preset {} has a Batch of {}, and a Batch is 1 to 8",
                preset.name.trim(),
                preset.draft.batch
            )));
        }
    }
    Ok(file.presets)
}
