//! The native "save" dialog of exports (`rfd`, on the GTK Tauri already links); an
//! end-to-end test answers it beforehand through `test_hooks`.

use std::path::PathBuf;
use tauri::{AppHandle, Manager};

/// Asks where to save a CSV file; `None` when the user cancels.
pub async fn save_csv(app: &AppHandle, title: &str, suggested_name: &str) -> Option<PathBuf> {
    if let Some(answer) = app.state::<crate::test_hooks::DialogAnswers>().next() {
        return answer;
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

/// Asks where to save a JSON export (presets); `None` when the user cancels.
pub async fn save_json(app: &AppHandle, title: &str, suggested_name: &str) -> Option<PathBuf> {
    if let Some(answer) = app.state::<crate::test_hooks::DialogAnswers>().next() {
        return answer;
    }
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_title(title)
        .set_file_name(suggested_name)
        .add_filter("JSON", &["json"]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.save_file().await.map(|f| f.path().to_path_buf())
}

/// Asks for a JSON file to import (presets); `None` when the user cancels.
pub async fn open_json(app: &AppHandle, title: &str) -> Option<PathBuf> {
    if let Some(answer) = app.state::<crate::test_hooks::DialogAnswers>().next() {
        return answer;
    }
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_title(title)
        .add_filter("JSON", &["json"]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.pick_file().await.map(|f| f.path().to_path_buf())
}
