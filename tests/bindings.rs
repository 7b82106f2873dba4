//! The TypeScript the front end compiles against must be what the Rust types produce, and
//! the fixtures its tests use must be what the Rust code answers.
//! Run `UPDATE_BINDINGS=1 cargo test --test bindings` after changing an IPC type, a form
//! rule or a check.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn ui_dir(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn checked_in(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    files
}

/// Compares `generated` with the files in `relative`, or rewrites them on request.
fn check_or_update(relative: &str, generated: BTreeMap<String, String>) {
    let dir = ui_dir(relative);
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &generated {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let current = checked_in(&dir);
    let stale: Vec<&String> = generated
        .iter()
        .filter(|(name, text)| current.get(*name) != Some(*text))
        .map(|(name, _)| name)
        .collect();
    let extra: Vec<&String> = current
        .keys()
        .filter(|n| !generated.contains_key(*n))
        .collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "{relative} is out of date (changed: {stale:?}, no longer generated: {extra:?}). \
         Run `UPDATE_BINDINGS=1 cargo test --test bindings` and commit the result."
    );
}

#[test]
fn checked_in_typescript_bindings_match_the_rust_types() {
    let generated = cyberbara_studio::bindings::generate().expect("bindings generate");
    assert!(generated.contains_key("commands.ts"));
    assert!(generated.contains_key("AppError.ts"));
    check_or_update("ui/src/lib/bindings", generated);
}

#[test]
fn checked_in_fixtures_match_what_rust_answers() {
    let generated = cyberbara_studio::bindings::fixtures().expect("fixtures generate");
    assert!(generated.contains_key("catalogue.json"));
    check_or_update("ui/src/testing/fixtures", generated);
}

#[test]
fn every_registered_command_has_a_typed_signature() {
    let sigs = cyberbara_studio::command_list::signatures(&ts_rs::Config::new());
    let names: Vec<&str> = sigs.iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"active_balance") && names.contains(&"add_profile"),
        "{names:?}"
    );
    let add = sigs.iter().find(|s| s.name == "add_profile").unwrap();
    assert_eq!(add.args.as_deref(), Some("NewProfile"));
    assert_eq!(add.result, "ProfileView");
    let upload = sigs.iter().find(|s| s.name == "upload_reference").unwrap();
    assert_eq!(upload.channel.as_deref(), Some("UploadEvent"));
    assert_eq!(upload.args.as_deref(), Some("UploadArgs"));
    let picked = sigs
        .iter()
        .find(|s| s.name == "pick_reference_files")
        .unwrap();
    assert_eq!(picked.imports, vec!["PickArgs", "PickedFile"]);
}

#[test]
fn every_type_a_command_names_is_generated() {
    let generated = cyberbara_studio::bindings::generate().expect("bindings generate");
    let sigs = cyberbara_studio::command_list::signatures(&ts_rs::Config::new());
    let missing: Vec<String> = sigs
        .iter()
        .flat_map(|s| s.imports.iter())
        .filter(|name| !generated.contains_key(&format!("{name}.ts")))
        .cloned()
        .collect();
    assert!(missing.is_empty(), "named but not generated: {missing:?}");
    // The error every command returns, though no signature names it.
    assert!(generated.contains_key("AppError.ts") && generated.contains_key("ErrorKind.ts"));
}
