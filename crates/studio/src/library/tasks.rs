//! Tasks as the app records them: the request that made them, every status they were
//! seen in, their outputs and cost.

use super::{now_ms, Library, LibraryError, Result};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

/// Identifies a task: task ids are only unique within one deployment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskKey {
    pub profile_id: String,
    pub id: String,
}

impl TaskKey {
    pub fn new(profile_id: impl Into<String>, id: impl Into<String>) -> TaskKey {
        TaskKey {
            profile_id: profile_id.into(),
            id: id.into(),
        }
    }
}

/// A task's state in the app's words (`ux.md`: Pending, Processing, Succeeded, Failed,
/// Canceled). A status the API adds later counts as still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Pending,
    Processing,
    Succeeded,
    Failed,
    Canceled,
}

impl TaskState {
    pub fn from_status(status: &str) -> TaskState {
        match status {
            "pending" => TaskState::Pending,
            "success" => TaskState::Succeeded,
            "failed" => TaskState::Failed,
            "canceled" | "cancelled" => TaskState::Canceled,
            _ => TaskState::Processing,
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskState::Succeeded | TaskState::Failed | TaskState::Canceled
        )
    }
}

/// How the app came to know a task. Stored as its snake_case name (strum's derives are
/// the one table between the two; serde spells it the same for the UI).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    TS,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TaskOrigin {
    /// Created with the Generate button.
    Created,
    /// Added by its id ("Import task", or from the usage history).
    Imported,
}

impl TaskOrigin {
    /// The text the database holds.
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// Reads the database's text; anything unknown counts as created.
    fn parse(s: &str) -> TaskOrigin {
        s.parse().unwrap_or(TaskOrigin::Created)
    }
}

/// What a change to a task was, for events and notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TaskChange {
    Created,
    Imported,
    StatusChanged,
    Succeeded,
    Failed,
    Canceled,
    /// Outputs or details changed without a new status.
    Updated,
    Refunded,
    /// Tracking was stopped or resumed.
    Tracking,
}

/// One task as the library holds it and the front end shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TaskRecord {
    pub profile_id: String,
    pub id: String,
    pub model: String,
    pub media_type: String,
    pub scene: Option<String>,
    pub prompt: Option<String>,
    /// The request as sent: `model`, `prompt`, `scene`, `options`.
    #[ts(
        type = "{ model: string, prompt?: string, scene?: string, options?: Record<string, unknown> }"
    )]
    pub request: Value,
    /// The API's status string.
    pub status: String,
    pub state: TaskState,
    #[ts(type = "number | null")]
    pub cost: Option<i64>,
    pub outputs: Vec<String>,
    /// A failure reason, when the server's reply carried one.
    pub reason: Option<String>,
    /// Fields of the last reply the app does not model, kept as sent.
    #[ts(type = "Record<string, unknown>")]
    pub extra: Value,
    /// The credits came back (seen in the usage history).
    pub refunded: bool,
    /// Whether the tracker follows this task.
    pub tracking: bool,
    /// Why tracking stopped on its own, when it did.
    pub note: Option<String>,
    pub origin: TaskOrigin,
    pub batch_id: Option<String>,
    pub batch_index: Option<u32>,
    /// The server's `created_at`.
    pub created_at: String,
    /// The server's `updated_at` of the last change the app saw.
    pub updated_at: Option<String>,
    /// When the app recorded the task (ms since the epoch).
    #[ts(type = "number")]
    pub recorded_ms: i64,
    /// When the app saw it reach a final state.
    #[ts(type = "number | null")]
    pub finished_ms: Option<i64>,
    /// Grows with every change the app announces.
    #[ts(type = "number")]
    pub revision: i64,
}

impl TaskRecord {
    pub fn key(&self) -> TaskKey {
        TaskKey::new(&self.profile_id, &self.id)
    }
}

/// A task to record, from a creation reply or an imported task.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub key: TaskKey,
    pub model: String,
    pub media_type: String,
    pub scene: Option<String>,
    pub prompt: Option<String>,
    pub request: Value,
    pub status: String,
    pub cost: Option<i64>,
    pub outputs: Vec<String>,
    pub extra: Map<String, Value>,
    pub origin: TaskOrigin,
    pub batch_id: Option<String>,
    pub batch_index: Option<u32>,
    pub created_at: String,
    pub updated_at: Option<String>,
}

/// What a poll saw.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskUpdate {
    pub status: String,
    pub cost: Option<i64>,
    pub outputs: Vec<String>,
    pub extra: Map<String, Value>,
    pub updated_at: Option<String>,
}

impl From<&cyberbara::types::Task> for TaskUpdate {
    fn from(task: &cyberbara::types::Task) -> TaskUpdate {
        TaskUpdate {
            status: task.status.as_str().to_string(),
            cost: task.credits.cost,
            outputs: task.output.all_urls(),
            extra: task.extra.clone(),
            updated_at: task.updated_at.clone(),
        }
    }
}

/// One entry of a task's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStatusEntry {
    pub seq: i64,
    pub status: String,
    pub seen_ms: i64,
}

/// Keys a server might use for why a task failed. The v1 task carries none; a reply that
/// has one of these (as a string) gets it shown.
const REASON_KEYS: &[&str] = &[
    "error",
    "error_message",
    "failure_reason",
    "fail_reason",
    "reason",
    "message",
];

fn reason_from(extra: &Value) -> Option<String> {
    let object = extra.as_object()?;
    REASON_KEYS.iter().find_map(|key| match object.get(*key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(inner) => inner
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    })
}

const COLUMNS: &str = "profile_id, id, model, media_type, scene, prompt, request, status, cost, \
     outputs, extra, refunded, tracking, note, origin, batch_id, batch_index, created_at, \
     updated_at, recorded_ms, finished_ms, revision";

fn record_from_row(row: &Row<'_>) -> rusqlite::Result<TaskRecord> {
    let json = |index: usize| -> rusqlite::Result<Value> {
        let text: String = row.get(index)?;
        serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, e.into())
        })
    };
    let status: String = row.get(7)?;
    let outputs = match json(9)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let extra = json(10)?;
    Ok(TaskRecord {
        profile_id: row.get(0)?,
        id: row.get(1)?,
        model: row.get(2)?,
        media_type: row.get(3)?,
        scene: row.get(4)?,
        prompt: row.get(5)?,
        request: json(6)?,
        state: TaskState::from_status(&status),
        status,
        cost: row.get(8)?,
        outputs,
        reason: reason_from(&extra),
        extra,
        refunded: row.get(11)?,
        tracking: row.get(12)?,
        note: row.get(13)?,
        origin: TaskOrigin::parse(&row.get::<_, String>(14)?),
        batch_id: row.get(15)?,
        batch_index: row.get(16)?,
        created_at: row.get(17)?,
        updated_at: row.get(18)?,
        recorded_ms: row.get(19)?,
        finished_ms: row.get(20)?,
        revision: row.get(21)?,
    })
}

impl Library {
    /// Records a new task (revision 1, its first status in the history). A task the
    /// library already holds is returned unchanged, with `false`.
    pub fn insert_task(&self, task: NewTask) -> Result<(TaskRecord, bool)> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT revision FROM tasks WHERE profile_id = ?1 AND id = ?2",
                params![task.key.profile_id, task.key.id],
                |row| row.get(0),
            )
            .optional()?;
        if exists.is_none() {
            let now = now_ms();
            let finished = TaskState::from_status(&task.status)
                .is_final()
                .then_some(now);
            tx.execute(
                &format!("INSERT INTO tasks ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?12, NULL, ?13, ?14, ?15, ?16, ?17, ?18, ?19, 1)"),
                params![
                    task.key.profile_id,
                    task.key.id,
                    task.model,
                    task.media_type,
                    task.scene,
                    task.prompt,
                    task.request.to_string(),
                    task.status,
                    task.cost,
                    serde_json::to_string(&task.outputs)?,
                    Value::Object(task.extra).to_string(),
                    // A task that is already final needs no tracking.
                    finished.is_none(),
                    task.origin.as_str(),
                    task.batch_id,
                    task.batch_index,
                    task.created_at,
                    task.updated_at,
                    now,
                    finished,
                ],
            )?;
            tx.execute(
                "INSERT INTO task_status_history (profile_id, task_id, seq, status, seen_ms) VALUES (?1, ?2, 1, ?3, ?4)",
                params![task.key.profile_id, task.key.id, task.status, now],
            )?;
        }
        let record = read_task(&tx, &task.key)?.ok_or_else(|| {
            LibraryError::Corrupt(format!(
                "task {} vanished while being recorded",
                task.key.id
            ))
        })?;
        tx.commit()?;
        Ok((record, exists.is_none()))
    }

    /// Applies what a poll saw. Returns the new record and what changed, or `None` when
    /// nothing the app shows changed (nothing is written then).
    pub fn apply_task_update(
        &self,
        key: &TaskKey,
        update: &TaskUpdate,
    ) -> Result<Option<(TaskRecord, TaskChange)>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let Some(current) = read_task(&tx, key)? else {
            return Ok(None);
        };
        let extra = Value::Object(update.extra.clone());
        let status_changed = current.status != update.status;
        let outputs_changed = !update.outputs.is_empty() && update.outputs != current.outputs;
        let details_changed =
            extra != current.extra || (update.cost.is_some() && update.cost != current.cost);
        if !status_changed && !outputs_changed && !details_changed {
            return Ok(None);
        }
        let state = TaskState::from_status(&update.status);
        let now = now_ms();
        let finished = current
            .finished_ms
            .or_else(|| state.is_final().then_some(now));
        let outputs = if update.outputs.is_empty() {
            &current.outputs
        } else {
            &update.outputs
        };
        tx.execute(
            "UPDATE tasks SET status = ?3, cost = coalesce(?4, cost), outputs = ?5, extra = ?6,
                 updated_at = coalesce(?7, updated_at), finished_ms = ?8,
                 tracking = CASE WHEN ?9 THEN 0 ELSE tracking END, revision = revision + 1
             WHERE profile_id = ?1 AND id = ?2",
            params![
                key.profile_id,
                key.id,
                update.status,
                update.cost,
                serde_json::to_string(outputs)?,
                extra.to_string(),
                update.updated_at,
                finished,
                state.is_final(),
            ],
        )?;
        if status_changed {
            tx.execute(
                "INSERT INTO task_status_history (profile_id, task_id, seq, status, seen_ms)
                 SELECT ?1, ?2, coalesce(max(seq), 0) + 1, ?3, ?4 FROM task_status_history
                 WHERE profile_id = ?1 AND task_id = ?2",
                params![key.profile_id, key.id, update.status, now],
            )?;
        }
        let record = read_task(&tx, key)?
            .ok_or_else(|| LibraryError::Corrupt(format!("task {} vanished", key.id)))?;
        tx.commit()?;
        let change = match (status_changed, state) {
            (true, TaskState::Succeeded) => TaskChange::Succeeded,
            (true, TaskState::Failed) => TaskChange::Failed,
            (true, TaskState::Canceled) => TaskChange::Canceled,
            (true, _) => TaskChange::StatusChanged,
            (false, _) => TaskChange::Updated,
        };
        Ok(Some((record, change)))
    }

    /// Starts or stops following a task; `note` says why when the app stopped on its own.
    pub fn set_tracking(
        &self,
        key: &TaskKey,
        tracking: bool,
        note: Option<&str>,
    ) -> Result<Option<TaskRecord>> {
        self.update_task(
            key,
            "tracking = ?3, note = ?4",
            params![key.profile_id, key.id, tracking, note],
        )
    }

    /// Marks a task's credits as returned.
    pub fn mark_refunded(&self, key: &TaskKey) -> Result<Option<TaskRecord>> {
        self.update_task(key, "refunded = 1", params![key.profile_id, key.id])
    }

    fn update_task(
        &self,
        key: &TaskKey,
        set: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Option<TaskRecord>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let changed = tx.execute(
            &format!(
                "UPDATE tasks SET {set}, revision = revision + 1 WHERE profile_id = ?1 AND id = ?2"
            ),
            params,
        )?;
        let record = if changed == 0 {
            None
        } else {
            read_task(&tx, key)?
        };
        tx.commit()?;
        Ok(record)
    }

    pub fn task(&self, key: &TaskKey) -> Result<Option<TaskRecord>> {
        let db = self.db();
        Ok(read_task(&db, key)?)
    }

    /// The tasks of one profile, newest first.
    pub fn tasks(&self, profile_id: &str, limit: usize) -> Result<Vec<TaskRecord>> {
        let db = self.db();
        let mut stmt = db.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE profile_id = ?1 ORDER BY recorded_ms DESC, created_at DESC, id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![profile_id, limit as i64], record_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every task the tracker should follow: tracked and not final, of every profile.
    pub fn unfinished_tasks(&self) -> Result<Vec<TaskRecord>> {
        let db = self.db();
        let mut stmt = db.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE tracking = 1
                 AND status NOT IN ('success', 'failed', 'canceled') ORDER BY recorded_ms"
        ))?;
        let rows = stmt.query_map([], record_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every status a task was seen in, in order.
    pub fn task_history(&self, key: &TaskKey) -> Result<Vec<TaskStatusEntry>> {
        let db = self.db();
        let mut stmt = db.prepare_cached(
            "SELECT seq, status, seen_ms FROM task_status_history
             WHERE profile_id = ?1 AND task_id = ?2 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![key.profile_id, key.id], |row| {
            Ok(TaskStatusEntry {
                seq: row.get(0)?,
                status: row.get(1)?,
                seen_ms: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

fn read_task(db: &rusqlite::Connection, key: &TaskKey) -> rusqlite::Result<Option<TaskRecord>> {
    db.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tasks WHERE profile_id = ?1 AND id = ?2"
    ))?
    .query_row(params![key.profile_id, key.id], record_from_row)
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Databases already on disk hold exactly these words: every origin round-trips, and
    /// the UI (serde) spells each one like the database.
    #[test]
    fn task_origins_keep_their_database_text() {
        use strum::VariantArray;
        let texts: Vec<&str> = TaskOrigin::VARIANTS.iter().map(|o| o.as_str()).collect();
        assert_eq!(texts, ["created", "imported"]);
        for origin in TaskOrigin::VARIANTS {
            assert_eq!(TaskOrigin::parse(origin.as_str()), *origin);
            assert_eq!(serde_json::to_value(origin).unwrap(), origin.as_str());
        }
        assert_eq!(TaskOrigin::parse("something newer"), TaskOrigin::Created);
    }
    use serde_json::json;

    fn new_task(id: &str) -> NewTask {
        NewTask {
            key: TaskKey::new("p", id),
            model: "nano-banana-pro".into(),
            media_type: "image".into(),
            scene: Some("text-to-image".into()),
            prompt: Some("a cat".into()),
            request: json!({"model": "nano-banana-pro", "prompt": "a cat"}),
            status: "pending".into(),
            cost: Some(8),
            outputs: vec![],
            extra: Map::new(),
            origin: TaskOrigin::Created,
            batch_id: None,
            batch_index: None,
            created_at: "2026-11-30T10:00:00.000Z".into(),
            updated_at: None,
        }
    }

    fn update(status: &str, outputs: &[&str]) -> TaskUpdate {
        TaskUpdate {
            status: status.into(),
            cost: Some(8),
            outputs: outputs.iter().map(|s| s.to_string()).collect(),
            extra: Map::new(),
            updated_at: Some("2026-11-30T10:00:05.000Z".into()),
        }
    }

    #[test]
    fn a_task_moves_through_its_states_once_each_and_in_order() {
        let library = Library::open_in_memory().unwrap();
        let (record, created) = library.insert_task(new_task("t1")).unwrap();
        assert!(created);
        assert_eq!(record.revision, 1);
        assert!(record.tracking);
        let key = record.key();

        // The same poll twice changes nothing the second time.
        let (record, change) = library
            .apply_task_update(&key, &update("processing", &[]))
            .unwrap()
            .unwrap();
        assert_eq!(
            (change, record.state, record.revision),
            (TaskChange::StatusChanged, TaskState::Processing, 2)
        );
        assert!(library
            .apply_task_update(&key, &update("processing", &[]))
            .unwrap()
            .is_none());

        let (record, change) = library
            .apply_task_update(&key, &update("success", &["http://x/1.png"]))
            .unwrap()
            .unwrap();
        assert_eq!(change, TaskChange::Succeeded);
        assert_eq!(record.outputs, vec!["http://x/1.png"]);
        assert!(!record.tracking, "a final task is no longer followed");
        assert!(record.finished_ms.is_some());

        let history: Vec<String> = library
            .task_history(&key)
            .unwrap()
            .into_iter()
            .map(|e| e.status)
            .collect();
        assert_eq!(history, vec!["pending", "processing", "success"]);
        assert!(library.unfinished_tasks().unwrap().is_empty());

        // Recording the same task again keeps the first record.
        let (again, created) = library.insert_task(new_task("t1")).unwrap();
        assert!(!created);
        assert_eq!(again.revision, 3);
    }

    #[test]
    fn a_reason_in_an_unknown_field_is_shown_and_kept() {
        let library = Library::open_in_memory().unwrap();
        let (record, _) = library.insert_task(new_task("t2")).unwrap();
        let mut failed = update("failed", &[]);
        failed.extra.insert(
            "error_message".into(),
            json!("Content policy refused the prompt"),
        );
        let (record, change) = library
            .apply_task_update(&record.key(), &failed)
            .unwrap()
            .unwrap();
        assert_eq!(change, TaskChange::Failed);
        assert_eq!(
            record.reason.as_deref(),
            Some("Content policy refused the prompt")
        );
        assert_eq!(
            record.extra["error_message"],
            "Content policy refused the prompt"
        );
        let refunded = library.mark_refunded(&record.key()).unwrap().unwrap();
        assert!(refunded.refunded);
        assert_eq!(refunded.revision, record.revision + 1);
    }

    #[test]
    fn stop_and_resume_tracking_and_list_newest_first() {
        let library = Library::open_in_memory().unwrap();
        for (second, id) in ["a", "b", "c"].into_iter().enumerate() {
            let mut task = new_task(id);
            task.created_at = format!("2026-11-30T10:00:0{second}.000Z");
            library.insert_task(task).unwrap();
        }
        let key = TaskKey::new("p", "b");
        let stopped = library.set_tracking(&key, false, None).unwrap().unwrap();
        assert!(!stopped.tracking);
        let unfinished: Vec<String> = library
            .unfinished_tasks()
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(unfinished, vec!["a", "c"]);
        library.set_tracking(&key, true, None).unwrap();
        let ids: Vec<String> = library
            .tasks("p", 10)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, vec!["c", "b", "a"]);
        assert!(library.tasks("other", 10).unwrap().is_empty());
        assert!(library
            .set_tracking(&TaskKey::new("p", "missing"), false, None)
            .unwrap()
            .is_none());
    }
}
