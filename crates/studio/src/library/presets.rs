//! Presets: a saved Create form (the whole draft: model, scene, options, prompt,
//! references as the library items or URLs they are, and Batch) under a name, per profile
//! because reference URLs belong to one deployment.

use super::{now_ms, Library, Result};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// One saved preset, as the picker lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PresetRow {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// The draft as saved (`Draft`'s JSON).
    #[ts(type = "Record<string, unknown>")]
    pub draft: Value,
    #[ts(type = "number")]
    pub updated_ms: i64,
}

/// What makes a preset name usable: trimmed, not empty, at most this many characters.
pub const PRESET_NAME_MAX: usize = 80;

impl Library {
    /// The profile's presets, by name (case ignored).
    pub fn presets(&self, profile_id: &str) -> Result<Vec<PresetRow>> {
        let db = self.db();
        let mut stmt = db.prepare_cached(
            "SELECT id, name, draft, updated_ms FROM presets WHERE profile_id = ?1
             ORDER BY name COLLATE NOCASE, id",
        )?;
        let rows = stmt.query_map(params![profile_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })?;
        let mut presets = Vec::new();
        for row in rows {
            let (id, name, draft, updated_ms) = row?;
            presets.push(PresetRow {
                id,
                name,
                draft: serde_json::from_str(&draft)?,
                updated_ms,
            });
        }
        Ok(presets)
    }

    pub fn preset(&self, profile_id: &str, id: i64) -> Result<Option<PresetRow>> {
        Ok(self.presets(profile_id)?.into_iter().find(|p| p.id == id))
    }

    /// Saves `draft` under `name`, replacing the profile's preset of that name if there is one.
    pub fn save_preset(&self, profile_id: &str, name: &str, draft: &Value) -> Result<PresetRow> {
        let now = now_ms();
        let db = self.db();
        let id: i64 = db
            .prepare_cached(
                "INSERT INTO presets (profile_id, name, draft, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (profile_id, name) DO UPDATE SET draft = excluded.draft,
                     updated_ms = excluded.updated_ms
                 RETURNING id",
            )?
            .query_row(params![profile_id, name, draft.to_string(), now], |row| {
                row.get(0)
            })?;
        Ok(PresetRow {
            id,
            name: name.to_string(),
            draft: draft.clone(),
            updated_ms: now,
        })
    }

    /// Renames a preset; false when the profile has no preset `id`. A name another preset
    /// of the profile has is refused by the table's unique key (check `preset_name_taken`).
    pub fn rename_preset(&self, profile_id: &str, id: i64, name: &str) -> Result<bool> {
        let changed = self.db().execute(
            "UPDATE presets SET name = ?3, updated_ms = ?4 WHERE profile_id = ?1 AND id = ?2",
            params![profile_id, id, name, now_ms()],
        )?;
        Ok(changed > 0)
    }

    /// Whether the profile has a preset called `name` (other than `except`).
    pub fn preset_name_taken(
        &self,
        profile_id: &str,
        name: &str,
        except: Option<i64>,
    ) -> Result<bool> {
        let db = self.db();
        let found: Option<i64> = db
            .prepare_cached("SELECT id FROM presets WHERE profile_id = ?1 AND name = ?2")?
            .query_row(params![profile_id, name], |row| row.get(0))
            .optional()?;
        Ok(found.is_some_and(|id| Some(id) != except))
    }

    /// Deletes a preset; false when the profile had no preset `id`.
    pub fn delete_preset(&self, profile_id: &str, id: i64) -> Result<bool> {
        let deleted = self.db().execute(
            "DELETE FROM presets WHERE profile_id = ?1 AND id = ?2",
            params![profile_id, id],
        )?;
        Ok(deleted > 0)
    }
}
