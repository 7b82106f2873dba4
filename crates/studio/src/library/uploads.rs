//! Files already uploaded to a deployment, by content hash: the same bytes are never
//! uploaded twice to one profile.

use super::{Library, Result};
use rusqlite::{params, OptionalExtension};

/// An upload the library remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberedUpload {
    pub profile_id: String,
    pub sha256: String,
    /// `image` or `video`.
    pub kind: String,
    pub url: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub uploaded_ms: i64,
    /// When the URL was last known to resolve.
    pub checked_ms: i64,
}

impl Library {
    pub fn remembered_upload(
        &self,
        profile_id: &str,
        sha256: &str,
    ) -> Result<Option<RememberedUpload>> {
        let db = self.db();
        let found = db
            .prepare_cached(
                "SELECT profile_id, sha256, kind, url, file_name, content_type, size, uploaded_ms, checked_ms
                 FROM uploads WHERE profile_id = ?1 AND sha256 = ?2",
            )?
            .query_row(params![profile_id, sha256], |row| {
                Ok(RememberedUpload {
                    profile_id: row.get(0)?,
                    sha256: row.get(1)?,
                    kind: row.get(2)?,
                    url: row.get(3)?,
                    file_name: row.get(4)?,
                    content_type: row.get(5)?,
                    size: row.get::<_, i64>(6)? as u64,
                    uploaded_ms: row.get(7)?,
                    checked_ms: row.get(8)?,
                })
            })
            .optional()?;
        Ok(found)
    }

    /// Remembers (or replaces) an upload.
    pub fn remember_upload(&self, upload: &RememberedUpload) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO uploads (profile_id, sha256, kind, url, file_name, content_type, size, uploaded_ms, checked_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                upload.profile_id,
                upload.sha256,
                upload.kind,
                upload.url,
                upload.file_name,
                upload.content_type,
                upload.size as i64,
                upload.uploaded_ms,
                upload.checked_ms,
            ],
        )?;
        Ok(())
    }

    /// Records that a remembered URL still resolved at `checked_ms`.
    pub fn touch_upload(&self, profile_id: &str, sha256: &str, checked_ms: i64) -> Result<()> {
        self.db().execute(
            "UPDATE uploads SET checked_ms = ?3 WHERE profile_id = ?1 AND sha256 = ?2",
            params![profile_id, sha256, checked_ms],
        )?;
        Ok(())
    }

    /// Forgets an upload whose URL no longer resolves.
    pub fn forget_upload(&self, profile_id: &str, sha256: &str) -> Result<()> {
        self.db().execute(
            "DELETE FROM uploads WHERE profile_id = ?1 AND sha256 = ?2",
            params![profile_id, sha256],
        )?;
        Ok(())
    }
}
