//! CyberBara Studio: the Tauri shell around the app's core (`crates/studio`).
//!
//! Only glue lives here: the commands ([`commands`]) that call into
//! [`studio::services::Studio`], the channels that stream uploads and task events, the
//! window's drag-and-drop ([`drops`]), native dialogs and the clipboard ([`files`]), the
//! gallery's dialogs, clipboard, file manager and drag-out ([`gallery`]), the save
//! dialog of exports (`save_dialog`), notifications, the page's CSP ([`content_policy`]) and the window's geometry.

pub mod bindings;
pub mod commands;
pub mod content_policy;
pub mod drops;
mod files;
mod gallery;
mod notifications;
mod save_dialog;
mod subscriptions;
mod test_hooks;
mod window_geometry;

use std::sync::Arc;
use studio::keychain::{Keychain, APP_SERVICE};
use studio::profiles::EnvKey;
use studio::services::{AppPaths, Studio};
use tauri::Manager;

/// Starts the app. Returns when the last window closes.
pub fn run() {
    init_logging();
    let result = tauri::Builder::default()
        // First, so a second launch hands over to the running instance before doing anything.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .on_window_event(|window, event| {
            window_geometry::on_window_event(window, event);
            if let tauri::WindowEvent::DragDrop(drop) = event {
                window.state::<drops::DropHub>().on_window_event(drop);
            }
        })
        .manage(drops::DropHub::default())
        .manage(subscriptions::Subscriptions::default())
        .manage(test_hooks::DialogAnswers::default())
        .manage(gallery::Clipboard::default())
        .setup(|app| {
            let paths = AppPaths {
                data_dir: app.path().app_data_dir()?,
                cache_dir: app.path().app_cache_dir()?,
            };
            let studio = Arc::new(Studio::open(
                paths,
                Keychain::new(APP_SERVICE),
                EnvKey::from_environment(),
            )?);
            if let Some(id) = profile_from_args(std::env::args()) {
                if let Err(err) = studio.select_at_launch(&id) {
                    tracing::warn!(error = %err, "could not select the profile given on the command line");
                }
            }
            app.manage(Arc::clone(&studio));
            open_main_window(app.handle())?;
            // The slow part (sandbox, media server, tracker, keychain probe) after the
            // window shows; the page fills in as each part becomes ready.
            let background = Arc::clone(&studio);
            tauri::async_runtime::spawn(async move {
                tokio::join!(background.start(), background.probe_keychain());
            });
            notifications::start(app.handle().clone(), studio);
            Ok(())
        })
        .invoke_handler(commands::invoke_handler())
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!(error = %err, "the app stopped with an error");
        eprintln!("CyberBara Studio could not run: {err}");
        std::process::exit(1);
    }
}

/// Opens the window from its `tauri.conf.json` entry (marked `"create": false` there) so
/// that every HTML response can get the active profile's host in its CSP.
fn open_main_window(app: &tauri::AppHandle) -> Result<(), Box<dyn std::error::Error>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .ok_or("tauri.conf.json has no window labelled main")?
        .clone();
    let handle = app.clone();
    tauri::WebviewWindowBuilder::from_config(app, &config)?
        .on_web_resource_request(move |_request, response| {
            let Some(origin) = handle.state::<Arc<Studio>>().media_origin() else {
                return;
            };
            if let Some(csp) = response.headers_mut().get_mut("Content-Security-Policy") {
                if let Ok(policy) = csp.to_str() {
                    let widened = content_policy::with_media_origin(policy, &origin);
                    if let Ok(value) = tauri::http::HeaderValue::from_str(&widened) {
                        *csp = value;
                    }
                }
            }
        })
        .build()?;
    Ok(())
}

/// The value of `--profile ID` (or `--profile=ID`), if given.
fn profile_from_args(args: impl IntoIterator<Item = String>) -> Option<String> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--profile" {
            return args.next();
        }
        if let Some(id) = arg.strip_prefix("--profile=") {
            return Some(id.to_string());
        }
    }
    None
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CYBERBARA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::profile_from_args;

    #[test]
    fn the_profile_comes_from_either_argument_form() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            profile_from_args(args(&["app", "--profile", "sandbox"])).as_deref(),
            Some("sandbox")
        );
        assert_eq!(
            profile_from_args(args(&["app", "--profile=abc"])).as_deref(),
            Some("abc")
        );
        assert_eq!(profile_from_args(args(&["app"])), None);
        assert_eq!(profile_from_args(args(&["app", "--profile"])), None);
    }
}
