//! The native "save" dialog (`rfd`, on the GTK Tauri already links), and the answer an
//! end-to-end test gives it instead: WebDriver cannot reach a native dialog, so with
//! `CYBERBARA_TEST_HOOKS=1` (and only then) a test may say beforehand which path the
//! next dialog returns.

use std::path::PathBuf;
use std::sync::Mutex;
use studio::error::AppError;
use tauri::{AppHandle, Manager};

static TEST_ANSWER: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Whether the app was started for end-to-end tests.
pub fn test_hooks_enabled() -> bool {
    std::env::var_os("CYBERBARA_TEST_HOOKS").is_some_and(|v| v == "1")
}

/// The refusal of a test hook in a normal launch.
pub fn test_only() -> AppError {
    AppError::not_found("This command is only available to tests.")
}

/// Test hook: the path the next save dialog answers with.
pub fn answer_next(path: PathBuf) -> Result<(), AppError> {
    if !test_hooks_enabled() {
        return Err(test_only());
    }
    *TEST_ANSWER.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
    Ok(())
}

/// Asks where to save a CSV file; `None` when the user cancels.
pub async fn save_csv(app: &AppHandle, title: &str, suggested_name: &str) -> Option<PathBuf> {
    if test_hooks_enabled() {
        let answer = TEST_ANSWER.lock().unwrap_or_else(|p| p.into_inner()).take();
        if answer.is_some() {
            return answer;
        }
    }
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_title(title)
        .set_file_name(suggested_name)
        .add_filter("CSV", &["csv"]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.save_file().await.map(|f| f.path().to_path_buf())
}
