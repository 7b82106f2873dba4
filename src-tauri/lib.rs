//! CyberBara Studio: the Tauri shell around the `cyberbara` client and the built-in sandbox.
//!
//! Commands ([`commands`]) are thin; the logic lives in plain modules that tests drive
//! without a window: [`profiles`] and [`keychain`] (who we talk to, with which key),
//! [`sandbox_supervisor`] (the built-in Sandbox profile) and [`services`] (the state the
//! commands share).

pub mod app_error;
pub mod bindings;
pub mod commands;
pub mod content_policy;
pub mod keychain;
pub mod profiles;
pub mod sandbox_supervisor;
pub mod services;
mod window_geometry;

use keychain::{Keychain, APP_SERVICE};
use profiles::Profiles;
use services::{AppPaths, AppServices};
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
        .on_window_event(window_geometry::on_window_event)
        .setup(|app| {
            let data_dir = app.path().app_data_dir()?;
            let services = AppServices::open(
                AppPaths { data_dir },
                Keychain::new(APP_SERVICE),
                Profiles::env_key_from_environment(),
            )?;
            if let Some(id) = profile_from_args(std::env::args()) {
                if let Err(err) = services.select_at_launch(&id) {
                    tracing::warn!(error = %err, "could not select the profile given on the command line");
                }
            }
            app.manage(services);
            open_main_window(app.handle())?;
            // Start the sandbox now rather than on the first request, so the header's balance
            // does not wait for it.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let services = handle.state::<AppServices>();
                if let Err(err) = services.sandbox().await {
                    tracing::error!(error = %err, "sandbox failed to start");
                }
            });
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
            let Some(origin) = handle.state::<AppServices>().media_origin() else {
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
