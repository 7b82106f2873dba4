//! The library's schema, one migration per version. A migration is never edited once
//! released: a change is a new entry at the end, with a test that upgrades a database
//! made by the entry before it (see the tests at the bottom).

use rusqlite_migration::{Migrations, M};

/// Version 1: tasks and their state history, remembered uploads, cached model lists,
/// drafts, recent prompts and small settings.
const V1: &str = r#"
CREATE TABLE tasks (
    profile_id   TEXT NOT NULL,
    id           TEXT NOT NULL,
    model        TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    scene        TEXT,
    prompt       TEXT,
    -- The GenerationRequest as sent (model, prompt, scene, options), JSON.
    request      TEXT NOT NULL,
    -- The API's status string: pending, processing, success, failed, canceled, or newer.
    status       TEXT NOT NULL,
    cost         INTEGER,
    -- Output URLs, JSON array, documented lists first.
    outputs      TEXT NOT NULL DEFAULT '[]',
    -- Fields of the last reply this app does not model (a failure reason...), JSON object.
    extra        TEXT NOT NULL DEFAULT '{}',
    refunded     INTEGER NOT NULL DEFAULT 0,
    tracking     INTEGER NOT NULL DEFAULT 1,
    -- Why tracking stopped on its own (the server no longer knows the task...).
    note         TEXT,
    origin       TEXT NOT NULL,
    batch_id     TEXT,
    batch_index  INTEGER,
    created_at   TEXT NOT NULL,
    updated_at   TEXT,
    recorded_ms  INTEGER NOT NULL,
    finished_ms  INTEGER,
    -- Incremented by every change the app announces; events carry it.
    revision     INTEGER NOT NULL,
    PRIMARY KEY (profile_id, id)
) WITHOUT ROWID;

CREATE INDEX tasks_by_time ON tasks (profile_id, recorded_ms DESC);
CREATE INDEX tasks_unfinished ON tasks (tracking, status)
    WHERE status NOT IN ('success', 'failed', 'canceled');

-- Every status a task was seen in, once, in order.
CREATE TABLE task_status_history (
    profile_id TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    status     TEXT NOT NULL,
    seen_ms    INTEGER NOT NULL,
    PRIMARY KEY (profile_id, task_id, seq),
    FOREIGN KEY (profile_id, task_id) REFERENCES tasks (profile_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Files already uploaded to a deployment, by content hash, so the same bytes are never
-- uploaded twice to one profile.
CREATE TABLE uploads (
    profile_id   TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    url          TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    uploaded_ms  INTEGER NOT NULL,
    -- When the URL was last known to resolve (the upload itself, or a HEAD check).
    checked_ms   INTEGER NOT NULL,
    PRIMARY KEY (profile_id, sha256)
) WITHOUT ROWID;

-- GET /models per profile, refreshed at most hourly.
CREATE TABLE model_lists (
    profile_id TEXT PRIMARY KEY,
    models     TEXT NOT NULL,
    fetched_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- The Create page's draft, one per profile (reference URLs belong to one deployment).
CREATE TABLE drafts (
    profile_id TEXT PRIMARY KEY,
    draft      TEXT NOT NULL,
    saved_ms   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE recent_prompts (
    profile_id TEXT NOT NULL,
    prompt     TEXT NOT NULL,
    used_ms    INTEGER NOT NULL,
    PRIMARY KEY (profile_id, prompt)
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// Version 2: the gallery. `items` holds one row per output of a succeeded task: where its
/// local copy is (relative to the library folder), how its download went, what it is
/// (dimensions, duration), and what the user did with it (favourite, deleted). Rows are
/// never removed by the app, so a deleted output is never downloaded again.
/// `dismissed_tasks` hides failed or running tasks from the gallery; `task_prompts` is the
/// FTS5 index of every task's prompt, kept by triggers on `tasks`.
const V2_GALLERY: &str = r#"
CREATE TABLE items (
    -- AUTOINCREMENT: ids are never reused, so a thumbnail named after an id is never
    -- shown for another item.
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id    TEXT NOT NULL,
    task_id       TEXT NOT NULL,
    -- Position among the task's output URLs.
    idx           INTEGER NOT NULL,
    url           TEXT NOT NULL,
    -- image, video, audio (the task's media type, then what the bytes turned out to be).
    media_type    TEXT NOT NULL,
    model         TEXT NOT NULL,
    -- The task's creation time (ms), the gallery's order.
    created_ms    INTEGER NOT NULL,
    -- queued, downloading, ready, failed, missing.
    state         TEXT NOT NULL,
    -- Why the download failed or the file is missing, as a sentence.
    error         TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    -- Bytes of the partial file and the size the server announced, while downloading.
    received      INTEGER NOT NULL DEFAULT 0,
    total         INTEGER,
    -- ETag or Last-Modified of the first reply, sent as If-Range when resuming.
    validator     TEXT,
    -- Slash-separated path relative to the library folder, once downloaded.
    file          TEXT,
    content_type  TEXT,
    size          INTEGER,
    sha256        TEXT,
    width         INTEGER,
    height        INTEGER,
    duration_ms   INTEGER,
    -- 0: none yet, 1: made, 2: cannot be made (the file is not decodable here).
    thumb         INTEGER NOT NULL DEFAULT 0,
    favourite     INTEGER NOT NULL DEFAULT 0,
    -- When the user deleted it (hidden at once, the file trashed after the Undo window).
    deleted_ms    INTEGER,
    trashed       INTEGER NOT NULL DEFAULT 0,
    recorded_ms   INTEGER NOT NULL,
    downloaded_ms INTEGER,
    revision      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (profile_id, task_id, idx),
    FOREIGN KEY (profile_id, task_id) REFERENCES tasks (profile_id, id) ON DELETE CASCADE
);

-- The gallery's list: newest first, visible items of one profile.
CREATE INDEX items_by_time ON items (profile_id, created_ms DESC, id DESC)
    WHERE deleted_ms IS NULL;
CREATE INDEX items_by_model ON items (profile_id, model, created_ms DESC)
    WHERE deleted_ms IS NULL;
-- Work left after a restart: unfinished downloads, files to trash.
CREATE INDEX items_unfinished ON items (state) WHERE state IN ('queued', 'downloading');
CREATE INDEX items_to_trash ON items (deleted_ms) WHERE deleted_ms IS NOT NULL AND trashed = 0;
CREATE INDEX items_by_url ON items (url);

CREATE TABLE dismissed_tasks (
    profile_id   TEXT NOT NULL,
    task_id      TEXT NOT NULL,
    dismissed_ms INTEGER NOT NULL,
    PRIMARY KEY (profile_id, task_id),
    FOREIGN KEY (profile_id, task_id) REFERENCES tasks (profile_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Tasks that are not (yet) outputs: for the gallery's running and failed tiles.
CREATE INDEX tasks_not_succeeded ON tasks (profile_id, recorded_ms DESC)
    WHERE status <> 'success';

CREATE VIRTUAL TABLE task_prompts USING fts5(
    prompt,
    profile_id UNINDEXED,
    task_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO task_prompts (prompt, profile_id, task_id)
    SELECT prompt, profile_id, id FROM tasks WHERE prompt IS NOT NULL AND prompt <> '';
CREATE TRIGGER task_prompts_insert AFTER INSERT ON tasks
    WHEN new.prompt IS NOT NULL AND new.prompt <> '' BEGIN
    INSERT INTO task_prompts (prompt, profile_id, task_id)
        VALUES (new.prompt, new.profile_id, new.id);
END;
CREATE TRIGGER task_prompts_update AFTER UPDATE OF prompt ON tasks BEGIN
    DELETE FROM task_prompts WHERE profile_id = old.profile_id AND task_id = old.id;
    INSERT INTO task_prompts (prompt, profile_id, task_id)
        SELECT new.prompt, new.profile_id, new.id
        WHERE new.prompt IS NOT NULL AND new.prompt <> '';
END;
CREATE TRIGGER task_prompts_delete AFTER DELETE ON tasks BEGIN
    DELETE FROM task_prompts WHERE profile_id = old.profile_id AND task_id = old.id;
END;
"#;

/// Version 3: usage history (`GET /credits/usage`) cached per profile and asked range, so the Usage
/// page opens instantly and a refresh fetches only the rows that arrived since. Rows are
/// immutable once the server wrote them, so a cached row never needs fetching again.
const USAGE_CACHE: &str = r#"
CREATE TABLE usage_ranges (
    id            INTEGER PRIMARY KEY,
    profile_id    TEXT NOT NULL,
    -- The bounds as asked ('' for none): a date (a UTC day) or an ISO date-time.
    range_from    TEXT NOT NULL,
    range_to      TEXT NOT NULL,
    -- The summary of the newest reply: transactions and net credits in the range.
    total         INTEGER NOT NULL,
    total_credits INTEGER NOT NULL,
    -- The bounds as the server resolved them (ISO date-times, UTC).
    summary_from  TEXT,
    summary_to    TEXT,
    -- Every row of the range is here (a fetch that saw the range change midway is not).
    complete      INTEGER NOT NULL,
    fetched_ms    INTEGER NOT NULL,
    UNIQUE (profile_id, range_from, range_to)
);

CREATE TABLE usage_rows (
    range_id       INTEGER NOT NULL REFERENCES usage_ranges (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    transaction_no TEXT NOT NULL,
    -- Negative for a refund.
    credits        INTEGER NOT NULL,
    scene          TEXT,
    description    TEXT,
    media_type     TEXT,
    task_id        TEXT,
    created_at     TEXT NOT NULL,
    -- The server's order, newest first; rows that arrive later get smaller numbers.
    seq            INTEGER NOT NULL,
    PRIMARY KEY (range_id, id)
) WITHOUT ROWID;

CREATE INDEX usage_rows_in_order ON usage_rows (range_id, seq);
"#;

/// Presets: a saved Create form under a name, per profile (reference URLs belong to one
/// deployment). `draft` is the `Draft` as JSON, like `drafts.draft`.
const PRESETS: &str = r#"
CREATE TABLE presets (
    id         INTEGER PRIMARY KEY,
    profile_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    draft      TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    UNIQUE (profile_id, name)
);
"#;

/// Every migration, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(ALL.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version the app writes.
pub fn latest_version() -> usize {
    ALL.len()
}

/// The migrations' SQL, oldest first, for tests that build a database at an older version.
pub const ALL: &[&str] = &[V1, V2_GALLERY, USAGE_CACHE, PRESETS];

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn user_version(conn: &Connection) -> usize {
        conn.pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0))
            .unwrap() as usize
    }

    #[test]
    fn the_migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn an_empty_file_migrates_to_the_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.db");
        let mut conn = Connection::open(&path).unwrap();
        assert_eq!(user_version(&conn), 0);
        migrations().to_latest(&mut conn).unwrap();
        assert_eq!(user_version(&conn), latest_version());
        for table in [
            "tasks",
            "task_status_history",
            "uploads",
            "model_lists",
            "drafts",
            "recent_prompts",
            "settings",
            "usage_ranges",
            "usage_rows",
            "presets",
        ] {
            let count: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [table],
                    |row| row.get(0),
                )
                .unwrap();
            assert_eq!(count, 1, "{table}");
        }
    }

    #[test]
    fn each_version_upgrades_from_the_one_before_keeping_its_rows() {
        // Build a database at every earlier version by applying only the first N
        // migrations, put a row in it, and upgrade to the latest.
        for applied in 0..ALL.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("library.db");
            let mut conn = Connection::open(&path).unwrap();
            // (An empty file is version 0: nothing to apply.)
            if applied > 0 {
                Migrations::new(ALL[..applied].iter().map(|sql| M::up(sql)).collect())
                    .to_latest(&mut conn)
                    .unwrap();
            }
            assert_eq!(user_version(&conn), applied);
            if applied >= 1 {
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES ('kept', 'yes')",
                    [],
                )
                .unwrap();
            }
            drop(conn);
            let library = crate::library::Library::open(&path).unwrap();
            if applied >= 1 {
                assert_eq!(library.setting("kept").unwrap().as_deref(), Some("yes"));
            }
            // The newest table works on the upgraded file.
            let draft = serde_json::json!({ "model": "nano-banana-pro", "prompt": "kept" });
            let saved = library.save_preset("sandbox", "Kept", &draft).unwrap();
            assert_eq!(
                library.presets("sandbox").unwrap(),
                vec![saved],
                "from {applied}"
            );
            let conn = Connection::open(&path).unwrap();
            assert_eq!(user_version(&conn), latest_version(), "from {applied}");
        }
    }
}
