//! Every command, listed once. From that one list come the handler `lib.rs` installs,
//! each command's TypeScript signature and the TypeScript types the signatures name
//! (`bindings.rs`), so a command cannot be callable without types, typed without being
//! callable, or name a type that is not generated.
//!
//! Every command takes the app handle, at most one argument named `args` and, for long
//! work, one `tauri::ipc::Channel` named `channel`, and returns `Result<T, AppError>`.
//! That uniform shape lets `command_signatures` read each command's argument, event and
//! result types from the function itself, so the generated TypeScript
//! (`ui/src/lib/bindings/`) cannot drift from what the commands accept.
//!
//! A new command is written in `commands.rs` (or `gallery_commands.rs`, `preset_commands.rs`) and added here;
//! nothing else names it.

pub use crate::command_signatures::CommandSignature;
use crate::command_signatures::{export_types_of, signature_of};
use crate::{commands, gallery_commands, preset_commands};

/// Defines [`signatures`], [`export_types`] and [`invoke_handler`] from one list.
macro_rules! app_commands {
    ($($module:ident :: $name:ident),* $(,)?) => {
        /// Every command with its argument, event and result types, for the bindings.
        pub fn signatures(cfg: &ts_rs::Config) -> Vec<CommandSignature> {
            vec![$(signature_of(stringify!($name), $module::$name, cfg),)*]
        }

        /// Writes into `cfg`'s folder every TypeScript type a command's argument, events or
        /// result name (and the types those name), and the error every command returns.
        pub fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
            $(export_types_of($module::$name, cfg)?;)*
            Ok(())
        }

        /// The handler `lib.rs` installs.
        pub fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name,)*]
        }
    };
}

app_commands![
    commands::app_state,
    commands::retry_keychain,
    commands::add_profile,
    commands::set_profile_key,
    commands::delete_profile_key,
    commands::delete_profile,
    commands::switch_profile,
    commands::test_profile,
    commands::test_draft,
    commands::active_balance,
    commands::catalogue,
    commands::load_draft,
    commands::save_draft,
    commands::check_draft,
    commands::quote,
    commands::generate,
    commands::recent_prompts,
    commands::upload_reference,
    commands::cancel_upload,
    commands::pick_reference_files,
    commands::paste_reference_files,
    commands::watch_drops,
    commands::subscribe_tasks,
    commands::stop_tracking,
    commands::resume_tracking,
    commands::import_task,
    commands::task_draft,
    commands::open_url,
    commands::simulate_drop,
    commands::simulate_dialog,
    commands::cached_usage,
    commands::sync_usage,
    commands::export_usage_csv,
    commands::import_missing_tasks,
    commands::balance_settings,
    commands::set_balance_settings,
    gallery_commands::gallery_index,
    gallery_commands::gallery_records,
    gallery_commands::task_tiles,
    gallery_commands::gallery_facets,
    gallery_commands::set_favourite,
    gallery_commands::delete_items,
    gallery_commands::undo_delete,
    gallery_commands::retry_download,
    gallery_commands::store_poster,
    gallery_commands::save_items,
    gallery_commands::copy_item_image,
    gallery_commands::reveal_item,
    gallery_commands::open_item,
    gallery_commands::drag_items_out,
    gallery_commands::use_item_as_reference,
    gallery_commands::library_folder,
    gallery_commands::pick_library_folder,
    gallery_commands::move_library,
    gallery_commands::open_library_folder,
    preset_commands::presets,
    preset_commands::save_preset,
    preset_commands::rename_preset,
    preset_commands::duplicate_preset,
    preset_commands::delete_preset,
    preset_commands::apply_preset,
    preset_commands::export_presets,
    preset_commands::import_presets,
];
