//! What end-to-end tests may do that a person does with the OS: hand files to the drop
//! handler and answer native dialogs (WebDriver reaches neither). All of it is refused
//! unless the app was started with `CYBERBARA_TEST_HOOKS=1`.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use studio::error::AppError;

/// Whether the app was started for end-to-end tests.
pub fn enabled() -> bool {
    std::env::var_os("CYBERBARA_TEST_HOOKS").is_some_and(|v| v == "1")
}

/// Refuses a test hook in a normal launch.
pub fn require() -> Result<(), AppError> {
    if enabled() {
        Ok(())
    } else {
        Err(AppError::not_found(
            "This command is only available to tests.",
        ))
    }
}

/// Answers for the next native dialogs (Save as…, folder pickers, exports), handed over by
/// a test (`simulate_dialog`); `None` is a cancelled dialog.
#[derive(Default)]
pub struct DialogAnswers(Mutex<VecDeque<Option<PathBuf>>>);

impl DialogAnswers {
    pub fn push(&self, answers: impl IntoIterator<Item = Option<PathBuf>>) {
        if let Ok(mut queue) = self.0.lock() {
            queue.extend(answers);
        }
    }

    /// The next answer, if a test gave one (never in a normal launch).
    pub fn next(&self) -> Option<Option<PathBuf>> {
        if !enabled() {
            return None;
        }
        self.0.lock().ok()?.pop_front()
    }
}
