//! Where the credits went: the usage history of a profile (`GET /credits/usage`) read in
//! full for a range, kept in the library so the Usage page opens at once, written out as
//! CSV, and used to bring back tasks the app does not know.
//!
//! - [`fetch`]: every page of a range, a few at a time, or, when the range was read
//!   before, only the rows that arrived since (rows never change once written and come
//!   newest first, so new ones are always in front of the cached ones).
//! - [`csv_file`]: the ledger as a CSV file (columns in the README).
//! - [`import`]: "Import missing tasks": each task a row names that the library lacks is
//!   fetched (`GET /tasks/{id}`) and handed to the tracker, as if imported by its id.

pub mod csv_file;
pub mod fetch;
pub mod import;

pub use csv_file::{write_csv, CSV_COLUMNS};
pub use fetch::{sync, CONCURRENT_PAGES, PAGE_LIMIT};
pub use import::{import_missing, ImportFailure, ImportReport, CONCURRENT_IMPORTS};

use serde::Serialize;
use ts_rs::TS;

/// Long usage work as the page sees it move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum UsageProgress {
    /// Pages of the range read so far, of how many.
    Pages { done: u32, total: u32 },
    /// Missing tasks fetched (or given up on) so far, of how many.
    Tasks { done: u32, total: u32 },
}

/// Hands each [`UsageProgress`] to whoever shows it (a `tauri::ipc::Channel`, a test).
pub type Progress<'a> = &'a (dyn Fn(UsageProgress) + Send + Sync);

/// A progress sink that drops everything.
pub fn no_progress(_: UsageProgress) {}
