//! The database schema as numbered migrations (`rusqlite_migration`, which records the
//! version in `PRAGMA user_version`).
//!
//! Version 1 is the schema sandboxes wrote before it was versioned (their databases are
//! at user_version 0); its statements are `IF NOT EXISTS`, so such a database passes
//! through it unchanged. Append new migrations; never edit a released one.

use rusqlite_migration::{Migrations, M};

const V1_UNVERSIONED: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    key_hash TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    credits INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    transaction_no TEXT NOT NULL,
    credits INTEGER NOT NULL,
    scene TEXT,
    description TEXT NOT NULL,
    media_type TEXT,
    task_id TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_by_account ON ledger(account_id, created_ms);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    media_type TEXT NOT NULL,
    model TEXT NOT NULL,
    scene TEXT NOT NULL,
    prompt TEXT,
    options TEXT NOT NULL,
    cost INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    pending_until_ms INTEGER NOT NULL,
    finish_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status TEXT NOT NULL,
    output TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (
    key TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
";

/// Keys become HMAC-SHA256 under a per-store secret. Rows written before keep their bare
/// SHA-256 (`key_scheme = 'sha256'`) until their key is seen again and re-hashed. `meta`
/// remembers which account is the owner's (`SandboxConfig::owner_key`).
const V2_KEYED_HASHES_AND_OWNER: &str = "
ALTER TABLE accounts ADD COLUMN key_scheme TEXT NOT NULL DEFAULT 'sha256';
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// The current schema version: what `PRAGMA user_version` reads after [`migrations`].
#[cfg(test)]
pub(crate) const VERSION: usize = 2;

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1_UNVERSIONED),
        M::up(V2_KEYED_HASHES_AND_OWNER),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_numbered() {
        assert!(migrations().validate().is_ok());
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let version: usize = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, VERSION);
    }
}
