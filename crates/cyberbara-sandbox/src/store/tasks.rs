//! Tasks and the ledger: charging and creating a task in one transaction, finishing it
//! (with a refund when it fails), and pages of usage.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};

/// Where a task is in its life, as stored (its snake_case name; strum's derives are the
/// one table between the two). `pending` and `processing` are not stored: they follow
/// from the clock while a task is `Running` (see `tasks::view`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub(crate) enum TaskState {
    /// Created, not yet finished by its worker.
    Running,
    Success,
    Failed,
}

/// How a task was decided to end when it was created, stored like [`TaskState`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub(crate) enum Outcome {
    Success,
    Failed,
}

/// Both stored enums go to and from SQLite text through their strum names.
macro_rules! sql_text {
    ($($name:ty),+) => {$(
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                let text: &'static str = self.into();
                Ok(text.into())
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|_| FromSqlError::InvalidType)
            }
        }
    )+};
}

sql_text!(TaskState, Outcome);

#[derive(Debug, Clone)]
pub(crate) struct TaskRow {
    pub id: String,
    pub account_id: String,
    pub media_type: String,
    pub model: String,
    pub scene: String,
    pub prompt: Option<String>,
    pub options: String,
    pub cost: i64,
    pub created_ms: i64,
    pub pending_until_ms: i64,
    pub finish_ms: i64,
    pub outcome: Outcome,
    /// Stored in the `status` column.
    pub state: TaskState,
    /// JSON object of output lists.
    pub output: String,
    pub updated_ms: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct LedgerRow {
    pub id: String,
    pub transaction_no: String,
    pub credits: i64,
    pub scene: Option<String>,
    pub description: String,
    pub media_type: Option<String>,
    pub task_id: Option<String>,
    pub created_ms: i64,
}

pub(crate) enum ChargeOutcome {
    Charged { remaining: i64 },
    Insufficient { remaining: i64 },
}

fn task_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        media_type: r.get(2)?,
        model: r.get(3)?,
        scene: r.get(4)?,
        prompt: r.get(5)?,
        options: r.get(6)?,
        cost: r.get(7)?,
        created_ms: r.get(8)?,
        pending_until_ms: r.get(9)?,
        finish_ms: r.get(10)?,
        outcome: r.get(11)?,
        state: r.get(12)?,
        output: r.get(13)?,
        updated_ms: r.get(14)?,
    })
}

const TASK_COLUMNS: &str = "id, account_id, media_type, model, scene, prompt, options, cost, created_ms, pending_until_ms, finish_ms, outcome, status, output, updated_ms";

impl Store {
    pub(crate) fn next_transaction_no(&self, now: i64) -> String {
        let n = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 10_000;
        format!("{now}{n:04}")
    }

    /// Deducts the task's cost, records the charge and the task, all or nothing.
    pub(crate) fn charge_and_create(
        &self,
        task: &TaskRow,
        description: &str,
    ) -> Result<ChargeOutcome, StoreError> {
        let mut db = self.db()?;
        let tx = db.transaction()?;
        let credits: i64 = tx.query_row(
            "SELECT credits FROM accounts WHERE id = ?1",
            params![task.account_id],
            |r| r.get(0),
        )?;
        if credits < task.cost {
            return Ok(ChargeOutcome::Insufficient { remaining: credits });
        }
        let remaining = credits - task.cost;
        tx.execute(
            "UPDATE accounts SET credits = ?1, updated_ms = ?2 WHERE id = ?3",
            params![remaining, task.created_ms, task.account_id],
        )?;
        tx.execute(
            "INSERT INTO ledger (id, account_id, transaction_no, credits, scene, description, media_type, task_id, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                uuid::Uuid::new_v4().to_string(),
                task.account_id,
                self.next_transaction_no(task.created_ms),
                task.cost,
                task.scene,
                description,
                task.media_type,
                task.id,
                task.created_ms
            ],
        )?;
        tx.execute(
            &format!("INSERT INTO tasks ({TASK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
            params![
                task.id,
                task.account_id,
                task.media_type,
                task.model,
                task.scene,
                task.prompt,
                task.options,
                task.cost,
                task.created_ms,
                task.pending_until_ms,
                task.finish_ms,
                task.outcome,
                task.state,
                task.output,
                task.updated_ms
            ],
        )?;
        tx.commit()?;
        Ok(ChargeOutcome::Charged { remaining })
    }

    pub(crate) fn task(&self, id: &str) -> Result<Option<TaskRow>, StoreError> {
        let db = self.db()?;
        Ok(db
            .query_row(
                &format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?1"),
                params![id],
                task_from_row,
            )
            .optional()?)
    }

    pub(crate) fn running_tasks(&self) -> Result<Vec<TaskRow>, StoreError> {
        let db = self.db()?;
        let mut stmt = db.prepare(&format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE status = ?1"
        ))?;
        let rows = stmt
            .query_map(params![TaskState::Running], task_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    pub(crate) fn finish_success(
        &self,
        task_id: &str,
        output: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let db = self.db()?;
        db.execute(
            "UPDATE tasks SET status = ?1, output = ?2, updated_ms = ?3 WHERE id = ?4 AND status = ?5",
            params![TaskState::Success, output, now, task_id, TaskState::Running],
        )?;
        Ok(())
    }

    /// Marks the task failed and gives its credits back as a negative ledger line.
    pub(crate) fn finish_failed(&self, task: &TaskRow, now: i64) -> Result<(), StoreError> {
        let mut db = self.db()?;
        let tx = db.transaction()?;
        let changed = tx.execute(
            "UPDATE tasks SET status = ?1, updated_ms = ?2 WHERE id = ?3 AND status = ?4",
            params![TaskState::Failed, now, task.id, TaskState::Running],
        )?;
        if changed == 1 && task.cost > 0 {
            tx.execute(
                "UPDATE accounts SET credits = credits + ?1, updated_ms = ?2 WHERE id = ?3",
                params![task.cost, now, task.account_id],
            )?;
            tx.execute(
                "INSERT INTO ledger (id, account_id, transaction_no, credits, scene, description, media_type, task_id, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    uuid::Uuid::new_v4().to_string(),
                    task.account_id,
                    self.next_transaction_no(now),
                    -task.cost,
                    task.scene,
                    format!("refund: {} task failed", task.media_type),
                    task.media_type,
                    task.id,
                    now
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// One page of ledger lines in `[from, to]`, newest first, with the total count and sum.
    pub(crate) fn usage(
        &self,
        account_id: &str,
        from: Option<i64>,
        to: Option<i64>,
        page: u32,
        limit: u32,
    ) -> Result<(Vec<LedgerRow>, u64, i64), StoreError> {
        let db = self.db()?;
        let from = from.unwrap_or(i64::MIN);
        let to = to.unwrap_or(i64::MAX);
        let (total, sum): (i64, i64) = db.query_row(
            "SELECT COUNT(*), COALESCE(SUM(credits), 0) FROM ledger WHERE account_id = ?1 AND created_ms >= ?2 AND created_ms <= ?3",
            params![account_id, from, to],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let offset = (i64::from(page) - 1).saturating_mul(i64::from(limit));
        let mut stmt = db.prepare(
            "SELECT id, transaction_no, credits, scene, description, media_type, task_id, created_ms FROM ledger
             WHERE account_id = ?1 AND created_ms >= ?2 AND created_ms <= ?3
             ORDER BY created_ms DESC, rowid DESC LIMIT ?4 OFFSET ?5",
        )?;
        let rows = stmt
            .query_map(params![account_id, from, to, limit, offset], |r| {
                Ok(LedgerRow {
                    id: r.get(0)?,
                    transaction_no: r.get(1)?,
                    credits: r.get(2)?,
                    scene: r.get(3)?,
                    description: r.get(4)?,
                    media_type: r.get(5)?,
                    task_id: r.get(6)?,
                    created_ms: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, total.max(0) as u64, sum))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    /// Stores already on disk hold exactly these words; every value goes through SQLite
    /// and back unchanged.
    #[test]
    fn stored_enums_keep_their_text_and_round_trip_through_sqlite() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        let text = |value: &dyn ToSql| -> String {
            db.query_row("SELECT ?1", [value], |row| row.get(0))
                .unwrap()
        };
        let states: Vec<String> = TaskState::VARIANTS.iter().map(|s| text(s)).collect();
        assert_eq!(states, ["running", "success", "failed"]);
        let outcomes: Vec<String> = Outcome::VARIANTS.iter().map(|o| text(o)).collect();
        assert_eq!(outcomes, ["success", "failed"]);
        for state in TaskState::VARIANTS {
            let back: TaskState = db
                .query_row("SELECT ?1", [state], |row| row.get(0))
                .unwrap();
            assert_eq!(back, *state);
        }
        for outcome in Outcome::VARIANTS {
            let back: Outcome = db
                .query_row("SELECT ?1", [outcome], |row| row.get(0))
                .unwrap();
            assert_eq!(back, *outcome);
        }
        let unknown: rusqlite::Result<TaskState> =
            db.query_row("SELECT 'pending'", [], |row| row.get(0));
        assert!(unknown.is_err());
    }
}
