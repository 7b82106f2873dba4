//! The Create page's draft (one per profile, because reference URLs belong to one
//! deployment) and the prompts used recently.

use super::{now_ms, Library, Result};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// How many recent prompts are kept per profile.
const RECENT_PROMPTS_KEPT: i64 = 50;

/// A prompt used before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RecentPrompt {
    pub prompt: String,
    #[ts(type = "number")]
    pub used_ms: i64,
}

impl Library {
    pub fn draft(&self, profile_id: &str) -> Result<Option<Value>> {
        let db = self.db();
        let text: Option<String> = db
            .prepare_cached("SELECT draft FROM drafts WHERE profile_id = ?1")?
            .query_row(params![profile_id], |row| row.get(0))
            .optional()?;
        Ok(match text {
            Some(text) => Some(serde_json::from_str(&text)?),
            None => None,
        })
    }

    pub fn save_draft(&self, profile_id: &str, draft: &Value) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO drafts (profile_id, draft, saved_ms) VALUES (?1, ?2, ?3)",
            params![profile_id, draft.to_string(), now_ms()],
        )?;
        Ok(())
    }

    /// Remembers a prompt as used now, keeping the most recent ones only.
    pub fn remember_prompt(&self, profile_id: &str, prompt: &str) -> Result<()> {
        let prompt = prompt.trim();
        if prompt.is_empty() {
            return Ok(());
        }
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO recent_prompts (profile_id, prompt, used_ms) VALUES (?1, ?2, ?3)",
            params![profile_id, prompt, now_ms()],
        )?;
        tx.execute(
            "DELETE FROM recent_prompts WHERE profile_id = ?1 AND prompt NOT IN (
                 SELECT prompt FROM recent_prompts WHERE profile_id = ?1
                 ORDER BY used_ms DESC LIMIT ?2)",
            params![profile_id, RECENT_PROMPTS_KEPT],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The most recently used prompts, newest first.
    pub fn recent_prompts(&self, profile_id: &str, limit: usize) -> Result<Vec<RecentPrompt>> {
        let db = self.db();
        let mut stmt = db.prepare_cached(
            "SELECT prompt, used_ms FROM recent_prompts WHERE profile_id = ?1
             ORDER BY used_ms DESC, prompt LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![profile_id, limit as i64], |row| {
            Ok(RecentPrompt {
                prompt: row.get(0)?,
                used_ms: row.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
