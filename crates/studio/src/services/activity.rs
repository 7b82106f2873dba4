//! The Activity page's actions on tasks of the active profile.

use super::Studio;
use crate::compose::Draft;
use crate::error::AppError;
use crate::library::{TaskKey, TaskRecord};

impl Studio {
    pub async fn stop_tracking(&self, id: &str) -> Result<TaskRecord, AppError> {
        let key = TaskKey::new(self.active_id()?, id);
        self.tracker().await?.stop_tracking(&key)
    }

    pub async fn resume_tracking(&self, id: &str) -> Result<TaskRecord, AppError> {
        let key = TaskKey::new(self.active_id()?, id);
        self.tracker().await?.resume_tracking(&key)
    }

    pub async fn import_task(&self, id: &str) -> Result<TaskRecord, AppError> {
        let profile = self.active_id()?;
        // The client first, so a keychain problem is noted like everywhere else.
        self.client(&profile).await?;
        self.tracker().await?.import(&profile, id).await
    }

    /// The draft that made a task, to open it in Create (or extend it, or run it again).
    pub fn task_draft(&self, id: &str) -> Result<Draft, AppError> {
        let key = TaskKey::new(self.active_id()?, id);
        let record = self.library.task(&key)?.ok_or_else(|| {
            AppError::not_found(format!("The app has no task {id} for this profile."))
        })?;
        Ok(crate::compose::draft_from_request(&record.request))
    }
}
