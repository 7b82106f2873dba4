//! Accounts: looked up by the keyed hash of their API key, created by configuration or
//! the test controls, and the owner account that keeps its identity across new keys.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::sync::atomic::Ordering;

use super::keys::{legacy_hash, SCHEME_HMAC, SCHEME_LEGACY};
use super::{Store, StoreError};

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: String,
    pub credits: i64,
    pub updated_ms: i64,
}

/// Why the owner account could not take its key.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OwnerError {
    #[error("the owner key is already the key of another sandbox account; choose another key")]
    KeyTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for OwnerError {
    fn from(e: rusqlite::Error) -> Self {
        OwnerError::Store(e.into())
    }
}

const OWNER: &str = "owner_account_id";

pub(super) fn has_legacy_keys(db: &Connection) -> Result<bool, rusqlite::Error> {
    db.query_row(
        "SELECT EXISTS(SELECT 1 FROM accounts WHERE key_scheme = ?1)",
        params![SCHEME_LEGACY],
        |r| r.get(0),
    )
}

fn account_by_hash(db: &Connection, hash: &str) -> Result<Option<Account>, rusqlite::Error> {
    db.query_row(
        "SELECT id, credits, updated_ms FROM accounts WHERE key_hash = ?1",
        params![hash],
        |r| {
            Ok(Account {
                id: r.get(0)?,
                credits: r.get(1)?,
                updated_ms: r.get(2)?,
            })
        },
    )
    .optional()
}

impl Store {
    /// Re-hashes a row still stored under the bare SHA-256 of `api_key`; true if one was.
    fn upgrade_legacy(&self, db: &Connection, api_key: &str) -> Result<bool, StoreError> {
        if !self.legacy_keys.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let changed = db.execute(
            "UPDATE accounts SET key_hash = ?1, key_scheme = ?2 WHERE key_hash = ?3 AND key_scheme = ?4",
            params![self.keys.hash(api_key), SCHEME_HMAC, legacy_hash(api_key), SCHEME_LEGACY],
        )?;
        if changed > 0 && !has_legacy_keys(db)? {
            self.legacy_keys.store(false, Ordering::Relaxed);
        }
        Ok(changed > 0)
    }

    /// Creates the account with `credits` unless it already exists (a restart keeps
    /// balances). An account stored under the old bare hash is re-hashed here.
    pub(crate) fn ensure_account(&self, api_key: &str, credits: i64) -> Result<(), StoreError> {
        let db = self.db()?;
        if self.upgrade_legacy(&db, api_key)? {
            return Ok(());
        }
        db.execute(
            "INSERT OR IGNORE INTO accounts (key_hash, key_scheme, id, credits, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![self.keys.hash(api_key), SCHEME_HMAC, uuid::Uuid::new_v4().to_string(), credits, self.now_ms()],
        )?;
        Ok(())
    }

    /// Creates the account or sets its balance.
    pub(crate) fn set_account(&self, api_key: &str, credits: i64) -> Result<Account, StoreError> {
        let db = self.db()?;
        self.upgrade_legacy(&db, api_key)?;
        let hash = self.keys.hash(api_key);
        db.execute(
            "INSERT INTO accounts (key_hash, key_scheme, id, credits, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(key_hash) DO UPDATE SET credits = excluded.credits, updated_ms = excluded.updated_ms",
            params![hash, SCHEME_HMAC, uuid::Uuid::new_v4().to_string(), credits, self.now_ms()],
        )?;
        account_by_hash(&db, &hash)?.ok_or(StoreError::Db(rusqlite::Error::QueryReturnedNoRows))
    }

    /// The account behind `api_key`: one indexed lookup of its keyed hash. Only while rows
    /// from before keyed hashes remain does a miss try the old hash once, and upgrade the
    /// row it finds.
    pub(crate) fn account_by_key(&self, api_key: &str) -> Result<Option<Account>, StoreError> {
        let db = self.db()?;
        let hash = self.keys.hash(api_key);
        if let Some(account) = account_by_hash(&db, &hash)? {
            return Ok(Some(account));
        }
        if self.upgrade_legacy(&db, api_key)? {
            return Ok(account_by_hash(&db, &hash)?);
        }
        Ok(None)
    }

    /// Makes `api_key` the key of the owner account: created with `credits` the first
    /// time, re-keyed on every later call (the previous key stops working). Its id,
    /// balance, ledger, uploads and tasks stay, since they hang off the account id.
    pub(crate) fn set_owner(&self, api_key: &str, credits: i64) -> Result<Account, OwnerError> {
        let mut db = self.db()?;
        let hash = self.keys.hash(api_key);
        let now = self.now_ms();
        let tx = db.transaction()?;
        let owner: Option<String> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![OWNER],
                |r| r.get(0),
            )
            .optional()?;
        let holder: Option<String> = tx
            .query_row(
                "SELECT id FROM accounts WHERE key_hash = ?1 OR (key_hash = ?2 AND key_scheme = ?3)",
                params![hash, legacy_hash(api_key), SCHEME_LEGACY],
                |r| r.get(0),
            )
            .optional()?;
        let id = match (owner, holder) {
            (Some(owner), Some(holder)) if owner != holder => return Err(OwnerError::KeyTaken),
            (Some(owner), _) => {
                rekey(&tx, &owner, &hash)?;
                owner
            }
            // A key that already has an account (say, configured before) becomes the owner's.
            (None, Some(holder)) => {
                rekey(&tx, &holder, &hash)?;
                holder
            }
            (None, None) => {
                let id = uuid::Uuid::new_v4().to_string();
                tx.execute(
                    "INSERT INTO accounts (key_hash, key_scheme, id, credits, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![hash, SCHEME_HMAC, id, credits, now],
                )?;
                id
            }
        };
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![OWNER, id],
        )?;
        let account = account_by_hash(&tx, &hash)?;
        tx.commit()?;
        if !has_legacy_keys(&db)? {
            self.legacy_keys.store(false, Ordering::Relaxed);
        }
        account.ok_or(OwnerError::Store(StoreError::Db(
            rusqlite::Error::QueryReturnedNoRows,
        )))
    }
}

/// A new key for an account; its balance (and `updated_ms`, the balance's time) stays.
fn rekey(tx: &Transaction<'_>, id: &str, hash: &str) -> Result<(), rusqlite::Error> {
    tx.execute(
        "UPDATE accounts SET key_hash = ?1, key_scheme = ?2 WHERE id = ?3",
        params![hash, SCHEME_HMAC, id],
    )?;
    Ok(())
}
