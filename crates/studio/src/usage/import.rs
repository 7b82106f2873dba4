//! "Import missing tasks": the API has no list of tasks, but every usage row names its
//! task, so the tasks of a range the library lacks (made before a reinstall, on another
//! computer or with another client) are fetched one by one and handed to the tracker.

use super::{Progress, UsageProgress};
use crate::error::AppError;
use crate::library::{Library, TaskKey, TaskRecord, TaskState, UsageLedger, UsageRange};
use crate::tracker::TaskTracker;
use futures_util::{stream, StreamExt};
use serde::Serialize;
use std::collections::HashSet;
use ts_rs::TS;

/// Tasks fetched at once: `GET /tasks/{id}` is cheap, but a range may name hundreds.
pub const CONCURRENT_IMPORTS: usize = 4;

/// A task that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportFailure {
    pub task_id: String,
    pub error: AppError,
}

/// What "Import missing tasks" did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportReport {
    /// The tasks now in Activity and the library, in the order the usage named them.
    pub imported: Vec<TaskRecord>,
    pub failed: Vec<ImportFailure>,
    /// The range again, with the models the imported tasks brought.
    pub ledger: UsageLedger,
}

/// Imports every task the cached ledger of `range` names that the library does not know.
/// A failed task whose refund is in the ledger is recorded as refunded.
pub async fn import_missing(
    library: &Library,
    tracker: &TaskTracker,
    profile_id: &str,
    range: &UsageRange,
    progress: Progress<'_>,
) -> Result<ImportReport, AppError> {
    let range = range.normalised();
    let ledger = library.usage_ledger(profile_id, &range)?.ok_or_else(|| {
        AppError::not_found("Load this range's usage first, then import its missing tasks.")
    })?;
    let mut seen = HashSet::new();
    let missing: Vec<String> = ledger
        .rows
        .iter()
        .filter(|row| row.model.is_none())
        .filter_map(|row| row.task_id.clone())
        .filter(|id| seen.insert(id.clone()))
        .collect();
    let refunded: HashSet<&str> = ledger
        .rows
        .iter()
        .filter(|row| row.is_refund())
        .filter_map(|row| row.task_id.as_deref())
        .collect();
    let total = u32::try_from(missing.len()).unwrap_or(u32::MAX);
    progress(UsageProgress::Tasks { done: 0, total });
    let mut outcomes: Vec<(usize, String, Result<TaskRecord, AppError>)> =
        stream::iter(missing.into_iter().enumerate())
            .map(|(order, id)| async move {
                let outcome = tracker.import(profile_id, &id).await;
                (order, id, outcome)
            })
            .buffer_unordered(CONCURRENT_IMPORTS)
            .enumerate()
            .map(|(done, outcome)| {
                let done = u32::try_from(done + 1).unwrap_or(u32::MAX);
                progress(UsageProgress::Tasks { done, total });
                outcome
            })
            .collect()
            .await;
    outcomes.sort_by_key(|(order, _, _)| *order);
    let mut imported = Vec::new();
    let mut failed = Vec::new();
    for (_, task_id, outcome) in outcomes {
        match outcome {
            Ok(record) => {
                let record = if record.state == TaskState::Failed
                    && !record.refunded
                    && refunded.contains(task_id.as_str())
                {
                    tracker
                        .record_refund(&TaskKey::new(profile_id, &task_id))?
                        .unwrap_or(record)
                } else {
                    record
                };
                imported.push(record);
            }
            Err(error) => failed.push(ImportFailure { task_id, error }),
        }
    }
    let ledger = library
        .usage_ledger(profile_id, &range)?
        .ok_or_else(|| AppError::internal("the usage range disappeared during the import"))?;
    Ok(ImportReport {
        imported,
        failed,
        ledger,
    })
}
