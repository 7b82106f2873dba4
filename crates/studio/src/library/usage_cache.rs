//! The usage history (`GET /credits/usage`) as last fetched, per profile and asked range.
//!
//! A usage row never changes once the server wrote it, and the API lists rows newest
//! first, so a range's rows are kept in the server's order (`seq`) and a refresh only has
//! to put the rows that arrived since in front of them. The model of each row comes from
//! the app's own record of its task (the `tasks` table), read when the ledger is read, so
//! a task imported later names its model without fetching anything again.

use super::{now_ms, Library, Result};
use cyberbara::types::{UsageItem, UsageSummary};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use ts_rs::TS;

/// How many ranges are kept per profile; the least recently fetched go first. Presets
/// move with the calendar ("Last 7 days" is a new range every day), so old ones pile up.
pub const KEPT_RANGES: usize = 24;

/// The dates a usage view covers, as asked: each bound a date (`YYYY-MM-DD`, a whole UTC
/// day, as the API reads it) or an ISO date-time, or none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct UsageRange {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl UsageRange {
    pub fn new(from: Option<&str>, to: Option<&str>) -> UsageRange {
        UsageRange {
            from: from.map(str::to_string),
            to: to.map(str::to_string),
        }
        .normalised()
    }

    /// The same range with blank bounds as none and spaces trimmed, so one range has one
    /// cache entry however it was typed.
    pub fn normalised(&self) -> UsageRange {
        let clean = |bound: &Option<String>| {
            bound
                .as_deref()
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .map(str::to_string)
        };
        UsageRange {
            from: clean(&self.from),
            to: clean(&self.to),
        }
    }

    fn key(&self) -> (String, String) {
        (
            self.from.clone().unwrap_or_default(),
            self.to.clone().unwrap_or_default(),
        )
    }
}

/// One usage row as the Usage page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UsageRow {
    pub id: String,
    pub transaction_no: String,
    /// Credits consumed; negative for a refund.
    #[ts(type = "number")]
    pub credits: i64,
    pub scene: Option<String>,
    pub description: Option<String>,
    pub media_type: Option<String>,
    pub task_id: Option<String>,
    /// The server's `created_at` (UTC).
    pub created_at: String,
    /// The task's model, from the app's own record of the task (usage rows carry none);
    /// `None` when the app does not know the task.
    pub model: Option<String>,
}

impl UsageRow {
    pub fn is_refund(&self) -> bool {
        self.credits < 0
    }
}

/// Every row of a range with the server's summary of it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UsageLedger {
    pub profile_id: String,
    pub range: UsageRange,
    /// Transactions in the range (`summary.total`).
    #[ts(type = "number")]
    pub total: u64,
    /// Net credits consumed in the range (`summary.total_credits_consumed`).
    #[ts(type = "number")]
    pub total_credits_consumed: i64,
    /// The bounds as the server resolved them (UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Newest first.
    pub rows: Vec<UsageRow>,
    /// When the rows were last brought up to date (ms since the epoch).
    #[ts(type = "number")]
    pub fetched_ms: i64,
    /// Every row of the range is here. `false` when the history kept changing while it
    /// was read; the next refresh reads it again.
    pub complete: bool,
    /// How many tasks the rows name that the app does not know ("Import missing tasks").
    pub unknown_tasks: u32,
}

/// What a refresh needs to know about a cached range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedRange {
    pub id: i64,
    pub complete: bool,
    /// The ids of the rows held.
    pub ids: HashSet<String>,
}

impl Library {
    /// The cached range's id, completeness and row ids, if it was fetched before.
    pub fn cached_usage_range(
        &self,
        profile_id: &str,
        range: &UsageRange,
    ) -> Result<Option<CachedRange>> {
        let db = self.db();
        let (from, to) = range.key();
        let Some((id, complete)) = db
            .prepare_cached(
                "SELECT id, complete FROM usage_ranges
                 WHERE profile_id = ?1 AND range_from = ?2 AND range_to = ?3",
            )?
            .query_row(params![profile_id, from, to], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, bool>(1)?))
            })
            .optional()?
        else {
            return Ok(None);
        };
        let ids = db
            .prepare_cached("SELECT id FROM usage_rows WHERE range_id = ?1")?
            .query_map(params![id], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<HashSet<String>>>()?;
        Ok(Some(CachedRange { id, complete, ids }))
    }

    /// Replaces whatever the cache holds for the range with `rows` (newest first).
    pub fn store_usage(
        &self,
        profile_id: &str,
        range: &UsageRange,
        summary: &UsageSummary,
        rows: &[UsageItem],
        complete: bool,
    ) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let (from, to) = range.key();
        tx.execute(
            "INSERT INTO usage_ranges
                 (profile_id, range_from, range_to, total, total_credits, summary_from,
                  summary_to, complete, fetched_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (profile_id, range_from, range_to) DO UPDATE SET
                 total = excluded.total, total_credits = excluded.total_credits,
                 summary_from = excluded.summary_from, summary_to = excluded.summary_to,
                 complete = excluded.complete, fetched_ms = excluded.fetched_ms",
            params![
                profile_id,
                from,
                to,
                i64::try_from(summary.total).unwrap_or(i64::MAX),
                summary.total_credits_consumed,
                summary.from,
                summary.to,
                complete,
                now_ms()
            ],
        )?;
        let range_id: i64 = tx.query_row(
            "SELECT id FROM usage_ranges WHERE profile_id = ?1 AND range_from = ?2 AND range_to = ?3",
            params![profile_id, from, to],
            |row| row.get(0),
        )?;
        tx.execute(
            "DELETE FROM usage_rows WHERE range_id = ?1",
            params![range_id],
        )?;
        insert_rows(&tx, range_id, rows, 0)?;
        prune_ranges(&tx, profile_id)?;
        tx.commit()?;
        Ok(())
    }

    /// Puts `rows` (newest first, all newer than every cached row) in front of the cached
    /// range `range_id` and takes the newer summary.
    pub fn prepend_usage(
        &self,
        range_id: i64,
        summary: &UsageSummary,
        rows: &[UsageItem],
    ) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let first: i64 = tx.query_row(
            "SELECT COALESCE(MIN(seq), 0) FROM usage_rows WHERE range_id = ?1",
            params![range_id],
            |row| row.get(0),
        )?;
        let len = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        insert_rows(&tx, range_id, rows, first.saturating_sub(len))?;
        tx.execute(
            "UPDATE usage_ranges SET total = ?2, total_credits = ?3, summary_from = ?4,
                 summary_to = ?5, fetched_ms = ?6
             WHERE id = ?1",
            params![
                range_id,
                i64::try_from(summary.total).unwrap_or(i64::MAX),
                summary.total_credits_consumed,
                summary.from,
                summary.to,
                now_ms()
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The cached ledger of a range, each row with the model of its task when the library
    /// knows the task.
    pub fn usage_ledger(
        &self,
        profile_id: &str,
        range: &UsageRange,
    ) -> Result<Option<UsageLedger>> {
        let db = self.db();
        let (from, to) = range.key();
        let head = db
            .prepare_cached(
                "SELECT id, total, total_credits, summary_from, summary_to, complete, fetched_ms
                 FROM usage_ranges WHERE profile_id = ?1 AND range_from = ?2 AND range_to = ?3",
            )?
            .query_row(params![profile_id, from, to], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, bool>(5)?,
                    row.get::<_, i64>(6)?,
                ))
            })
            .optional()?;
        let Some((range_id, total, total_credits, summary_from, summary_to, complete, fetched_ms)) =
            head
        else {
            return Ok(None);
        };
        let rows = db
            .prepare_cached(
                "SELECT r.id, r.transaction_no, r.credits, r.scene, r.description, r.media_type,
                        r.task_id, r.created_at, t.model
                 FROM usage_rows r
                 LEFT JOIN tasks t ON t.profile_id = ?2 AND t.id = r.task_id
                 WHERE r.range_id = ?1
                 ORDER BY r.seq",
            )?
            .query_map(params![range_id, profile_id], |row| {
                Ok(UsageRow {
                    id: row.get(0)?,
                    transaction_no: row.get(1)?,
                    credits: row.get(2)?,
                    scene: row.get(3)?,
                    description: row.get(4)?,
                    media_type: row.get(5)?,
                    task_id: row.get(6)?,
                    created_at: row.get(7)?,
                    model: row.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let unknown_tasks = rows
            .iter()
            .filter(|r| r.model.is_none())
            .filter_map(|r| r.task_id.as_deref())
            .collect::<HashSet<_>>()
            .len();
        Ok(Some(UsageLedger {
            profile_id: profile_id.to_string(),
            range: range.clone(),
            total: u64::try_from(total).unwrap_or(0),
            total_credits_consumed: total_credits,
            from: summary_from,
            to: summary_to,
            rows,
            fetched_ms,
            complete,
            unknown_tasks: u32::try_from(unknown_tasks).unwrap_or(u32::MAX),
        }))
    }
}

fn insert_rows(
    tx: &Transaction<'_>,
    range_id: i64,
    rows: &[UsageItem],
    first_seq: i64,
) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO usage_rows
             (range_id, id, transaction_no, credits, scene, description, media_type, task_id,
              created_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (seq, row) in (first_seq..).zip(rows) {
        insert.execute(params![
            range_id,
            row.id,
            row.transaction_no,
            row.credits_consumed,
            row.scene.as_ref().map(|s| s.as_str()),
            row.description,
            row.media_type.as_ref().map(|m| m.as_str()),
            row.task_id,
            row.created_at,
            seq
        ])?;
    }
    Ok(())
}

fn prune_ranges(tx: &Transaction<'_>, profile_id: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM usage_ranges WHERE profile_id = ?1 AND id NOT IN (
             SELECT id FROM usage_ranges WHERE profile_id = ?1
             ORDER BY fetched_ms DESC, id DESC LIMIT ?2)",
        params![profile_id, i64::try_from(KEPT_RANGES).unwrap_or(i64::MAX)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{NewTask, TaskKey, TaskOrigin};
    use cyberbara::types::{MediaType, Scene};

    fn item(id: &str, credits: i64, task: Option<&str>) -> UsageItem {
        UsageItem {
            id: id.into(),
            transaction_no: format!("tx-{id}"),
            credits_consumed: credits,
            scene: Some(Scene::TextToImage),
            description: Some("generate image".into()),
            media_type: Some(MediaType::Image),
            task_id: task.map(str::to_string),
            created_at: "2026-03-03T04:31:55.116Z".into(),
        }
    }

    fn summary(total: u64, credits: i64) -> UsageSummary {
        UsageSummary {
            page: 1,
            limit: 100,
            total,
            total_pages: total.div_ceil(100),
            total_credits_consumed: credits,
            from: Some("2026-03-03T00:00:00.000Z".into()),
            to: Some("2026-03-03T23:59:59.999Z".into()),
        }
    }

    fn task(id: &str, model: &str) -> NewTask {
        NewTask {
            key: TaskKey::new("p", id),
            model: model.into(),
            media_type: "image".into(),
            scene: None,
            prompt: None,
            request: serde_json::json!({"model": model}),
            status: "success".into(),
            cost: Some(8),
            outputs: Vec::new(),
            extra: Default::default(),
            origin: TaskOrigin::Created,
            batch_id: None,
            batch_index: None,
            created_at: "2026-03-03T04:31:55.116Z".into(),
            updated_at: None,
        }
    }

    #[test]
    fn a_range_is_one_entry_however_its_bounds_were_typed() {
        let library = Library::open_in_memory().unwrap();
        let typed = UsageRange::new(Some(" 2026-03-03 "), Some(""));
        assert_eq!(typed, UsageRange::new(Some("2026-03-03"), None));
        library
            .store_usage("p", &typed, &summary(1, 8), &[item("a", 8, None)], true)
            .unwrap();
        let ledger = library
            .usage_ledger("p", &UsageRange::new(Some("2026-03-03"), None))
            .unwrap()
            .unwrap();
        assert_eq!(ledger.rows.len(), 1);
        assert!(library
            .usage_ledger("other-profile", &typed)
            .unwrap()
            .is_none());
    }

    #[test]
    fn newer_rows_go_in_front_and_models_come_from_known_tasks() {
        let library = Library::open_in_memory().unwrap();
        library.insert_task(task("t1", "nano-banana-pro")).unwrap();
        let range = UsageRange::new(Some("2026-03-03"), Some("2026-03-03"));
        library
            .store_usage(
                "p",
                &range,
                &summary(2, 16),
                &[item("b", 8, Some("t2")), item("a", 8, Some("t1"))],
                true,
            )
            .unwrap();
        let cached = library.cached_usage_range("p", &range).unwrap().unwrap();
        assert!(cached.complete);
        assert_eq!(cached.ids.len(), 2);
        library
            .prepend_usage(
                cached.id,
                &summary(4, 8),
                &[item("d", -8, Some("t2")), item("c", 0, None)],
            )
            .unwrap();
        let ledger = library.usage_ledger("p", &range).unwrap().unwrap();
        let ids: Vec<&str> = ledger.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["d", "c", "b", "a"]);
        assert_eq!((ledger.total, ledger.total_credits_consumed), (4, 8));
        assert!(ledger.rows[0].is_refund());
        assert_eq!(ledger.rows[3].model.as_deref(), Some("nano-banana-pro"));
        assert_eq!(ledger.rows[2].model, None);
        assert_eq!(ledger.unknown_tasks, 1, "t2, named twice, counts once");
    }

    #[test]
    fn storing_again_replaces_the_rows_and_old_ranges_are_pruned() {
        let library = Library::open_in_memory().unwrap();
        let range = UsageRange::new(Some("2026-03-01"), None);
        library
            .store_usage("p", &range, &summary(1, 8), &[item("a", 8, None)], false)
            .unwrap();
        library
            .store_usage("p", &range, &summary(1, 4), &[item("z", 4, None)], true)
            .unwrap();
        let ledger = library.usage_ledger("p", &range).unwrap().unwrap();
        assert_eq!(ledger.rows.len(), 1);
        assert_eq!(ledger.rows[0].id, "z");
        assert!(ledger.complete);

        for day in 0..KEPT_RANGES + 3 {
            let r = UsageRange::new(Some(&format!("2025-01-{:02}", day + 1)), None);
            library
                .store_usage("p", &r, &summary(0, 0), &[], true)
                .unwrap();
        }
        let count: i64 = library
            .db()
            .query_row(
                "SELECT COUNT(*) FROM usage_ranges WHERE profile_id = 'p'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(count, KEPT_RANGES as i64);
        let newest = UsageRange::new(Some(&format!("2025-01-{:02}", KEPT_RANGES + 3)), None);
        assert!(library.usage_ledger("p", &newest).unwrap().is_some());
    }
}
