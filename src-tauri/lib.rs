//! CyberBara Studio's Tauri shell: the window, and the IPC between the Svelte page and the
//! app's core (`crates/studio`, a library without Tauri where the work is done). Most
//! commands are one call into [`studio::services::Studio`]; the rest, and everything else
//! here, is what only a desktop window can do: native file, folder and save dialogs, the
//! clipboard, drag-and-drop in and out, opening files and URLs with the OS, notifications,
//! the page's CSP and the window's geometry. Modules import one way: [`command_list`]
//! names every command (only this file and [`bindings`] read it), the command files
//! ([`commands`], `gallery_commands`) call the modules that do the native work (`files`,
//! [`drops`], `gallery_native`, `save_dialog`, `subscriptions`, `test_hooks`), and all of
//! them share `command_context`, which imports nothing from the shell.

pub mod bindings;
mod command_context;
pub mod command_list;
mod command_signatures;
pub mod commands;
pub mod content_policy;
pub mod drops;
mod files;
mod gallery_commands;
mod gallery_native;
mod notifications;
mod preset_commands;
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
    choose_rendering();
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
        .manage(gallery_native::Clipboard::default())
        .setup(|app| {
            let paths = AppPaths {
                data_dir: app.path().app_data_dir()?,
                cache_dir: app.path().app_cache_dir()?,
            };
            let services = Arc::new(Studio::open(
                paths,
                Keychain::new(APP_SERVICE),
                EnvKey::from_environment(),
            )?);
            if let Some(id) = option_from_args("--profile", std::env::args()) {
                if let Err(err) = services.select_at_launch(&id) {
                    tracing::warn!(error = %err, "could not select the profile given on the command line");
                }
            }
            app.manage(Arc::clone(&services));
            open_main_window(app.handle())?;
            // The slow part (sandbox, media server, tracker, keychain probe) after the
            // window shows; the page fills in as each part becomes ready.
            let background = Arc::clone(&services);
            tauri::async_runtime::spawn(async move {
                tokio::join!(background.start(), background.probe_keychain());
            });
            notifications::start(app.handle().clone(), services);
            Ok(())
        })
        .invoke_handler(command_list::invoke_handler())
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
    let mut builder = tauri::WebviewWindowBuilder::from_config(app, &config)?;
    // `--page gallery` opens on that page (the whole-app benchmark measures the Gallery's
    // start-up): the shell reads its page from the session, which a reload keeps.
    if let Some(page) = option_from_args("--page", std::env::args()) {
        let page = serde_json::to_string(&page)?;
        builder = builder.initialization_script(format!(
            "if (!sessionStorage.getItem('page')) sessionStorage.setItem('page', {page});"
        ));
    }
    builder
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

/// WebKitGTK 2.46+ rasterises with Skia on the GPU and composites with OpenGL. Without a
/// GPU (no DRI render node: virtual machines, remote sessions, Xvfb) that GL is Mesa's
/// llvmpipe, and compiling its shaders for the shell's first frame took 1.7 s of the
/// 2.6 s from launch to the first content (docs/BENCHMARKS.md, "Start-up"); software
/// painting without compositing shows it in 0.7 s and uses 100 MB less. So without a
/// render node the window paints in software, unless the user chose otherwise. Runs before
/// any thread exists (setting the environment is only sound then).
fn choose_rendering() {
    #[cfg(target_os = "linux")]
    {
        const CHOICES: [&str; 2] = [
            "WEBKIT_DISABLE_COMPOSITING_MODE",
            "WEBKIT_SKIA_ENABLE_CPU_RENDERING",
        ];
        if CHOICES.iter().any(|name| std::env::var_os(name).is_some()) {
            return;
        }
        let has_render_node = std::fs::read_dir("/dev/dri")
            .map(|entries| {
                entries.flatten().any(|e| {
                    e.file_name()
                        .to_str()
                        .is_some_and(|name| name.starts_with("renderD"))
                })
            })
            .unwrap_or(false);
        if !has_render_node {
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        }
    }
}

/// The value of `NAME VALUE` (or `NAME=VALUE`) on the command line, if given.
fn option_from_args(name: &str, args: impl IntoIterator<Item = String>) -> Option<String> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == name {
            return args.next();
        }
        if let Some(value) = arg.strip_prefix(name).and_then(|v| v.strip_prefix('=')) {
            return Some(value.to_string());
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
    use super::option_from_args;

    fn profile_from_args(args: Vec<String>) -> Option<String> {
        option_from_args("--profile", args)
    }

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
        assert_eq!(profile_from_args(args(&["app", "--profiles=x"])), None);
        assert_eq!(
            option_from_args(
                "--page",
                args(&["app", "--profile", "a", "--page", "gallery"])
            )
            .as_deref(),
            Some("gallery")
        );
    }
}
