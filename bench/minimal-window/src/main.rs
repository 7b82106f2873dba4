//! The smallest Tauri 2 app that shows a Svelte 5 page which has called a command: the
//! baseline the app's start-up and memory are compared with (see docs/BENCHMARKS.md).

/// The one command: the page calls it and shows the answer, like the app's shell asks
/// for its state before it shows the profiles.
#[tauri::command]
fn greeting(name: String) -> String {
    format!("Hello, {name}")
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![greeting])
        .run(tauri::generate_context!())
        .expect("the minimal window runs");
}
