//! `GET /models` per profile, so the Create page opens at once and works offline.

use super::{Library, Result};
use cyberbara::types::ModelInfo;
use rusqlite::{params, OptionalExtension};

impl Library {
    /// The last model list fetched for `profile_id` and when (ms since the epoch).
    pub fn cached_models(&self, profile_id: &str) -> Result<Option<(Vec<ModelInfo>, i64)>> {
        let db = self.db();
        let row: Option<(String, i64)> = db
            .prepare_cached("SELECT models, fetched_ms FROM model_lists WHERE profile_id = ?1")?
            .query_row(params![profile_id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        match row {
            Some((json, fetched)) => Ok(Some((serde_json::from_str(&json)?, fetched))),
            None => Ok(None),
        }
    }

    pub fn store_models(
        &self,
        profile_id: &str,
        models: &[ModelInfo],
        fetched_ms: i64,
    ) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO model_lists (profile_id, models, fetched_ms) VALUES (?1, ?2, ?3)",
            params![profile_id, serde_json::to_string(models)?, fetched_ms],
        )?;
        Ok(())
    }
}
