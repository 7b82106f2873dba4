//! Small app-wide values that belong with the library (the Sandbox's port, …).

use super::{Library, Result};
use rusqlite::{params, OptionalExtension};

impl Library {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        let db = self.db();
        let value = db
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row(params![key], |row| row.get(0))
            .optional()?;
        Ok(value)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(())
    }
}
