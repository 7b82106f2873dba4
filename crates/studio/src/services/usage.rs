//! The Usage page and the balance's low-credit warning, for the active profile.

use super::Studio;
use crate::error::AppError;
use crate::library::{UsageLedger, UsageRange};
use crate::usage::{self, ImportReport, Progress};
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

/// The balance below which the header turns amber and Create warns, until changed.
pub const DEFAULT_LOW_BALANCE: i64 = 50;
const LOW_BALANCE_KEY: &str = "low_balance_threshold";

/// Settings of the balance shown in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BalanceSettings {
    /// Credits below which the balance counts as low (0 turns the warning off).
    #[ts(type = "number")]
    pub low_balance_threshold: i64,
}

/// A CSV file written by "Export CSV".
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CsvExport {
    pub path: String,
    pub rows: u32,
    #[ts(type = "number")]
    pub total_credits_consumed: i64,
}

impl Studio {
    /// The range as last read for the active profile, from the library (no network).
    pub fn cached_usage(&self, range: &UsageRange) -> Result<Option<UsageLedger>, AppError> {
        let profile = self.active_id()?;
        Ok(self.library.usage_ledger(&profile, &range.normalised())?)
    }

    /// Brings the range of the active profile up to date from `GET /credits/usage`.
    pub async fn sync_usage(
        &self,
        range: &UsageRange,
        progress: Progress<'_>,
    ) -> Result<UsageLedger, AppError> {
        let profile = self.active_id()?;
        let client = self.client(&profile).await?;
        usage::sync(&self.library, &client, &profile, range, progress).await
    }

    /// Reads the whole range and writes it to `path` as CSV.
    pub async fn export_usage_csv(
        &self,
        range: &UsageRange,
        path: &Path,
        progress: Progress<'_>,
    ) -> Result<CsvExport, AppError> {
        let ledger = self.sync_usage(range, progress).await?;
        let target = path.to_path_buf();
        let rows = ledger.rows;
        let count = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        tokio::task::spawn_blocking(move || usage::csv_file::save_csv(&rows, &target))
            .await
            .map_err(|e| AppError::internal(format!("the CSV writer stopped: {e}")))??;
        Ok(CsvExport {
            path: path.display().to_string(),
            rows: count,
            total_credits_consumed: ledger.total_credits_consumed,
        })
    }

    /// Imports the tasks the range names that the app does not know.
    pub async fn import_missing_tasks(
        &self,
        range: &UsageRange,
        progress: Progress<'_>,
    ) -> Result<ImportReport, AppError> {
        let profile = self.active_id()?;
        // The client first, so a keychain problem is noted like everywhere else.
        self.client(&profile).await?;
        let tracker = self.tracker().await?;
        usage::import_missing(&self.library, tracker, &profile, range, progress).await
    }

    pub fn balance_settings(&self) -> Result<BalanceSettings, AppError> {
        let stored = self.library.setting(LOW_BALANCE_KEY)?;
        let low_balance_threshold = stored
            .and_then(|text| text.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .unwrap_or(DEFAULT_LOW_BALANCE);
        Ok(BalanceSettings {
            low_balance_threshold,
        })
    }

    pub fn set_balance_settings(
        &self,
        settings: BalanceSettings,
    ) -> Result<BalanceSettings, AppError> {
        let threshold = settings.low_balance_threshold;
        if !(0..=1_000_000_000).contains(&threshold) {
            return Err(AppError::invalid(
                "Enter a number of credits from 0 to 1,000,000,000 (0 turns the warning off).",
            ));
        }
        self.library
            .set_setting(LOW_BALANCE_KEY, &threshold.to_string())?;
        self.balance_settings()
    }
}
