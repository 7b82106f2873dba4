//! The TypeScript the front end compiles against must be what the Rust types produce.
//! Run `UPDATE_BINDINGS=1 cargo test --test bindings` after changing an IPC type.

use std::collections::BTreeMap;
use std::path::PathBuf;

fn checked_in_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings")
}

fn checked_in() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(checked_in_dir()) {
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    files
}

#[test]
fn checked_in_typescript_bindings_match_the_rust_types() {
    let generated = cyberbara_studio::bindings::generate().expect("bindings generate");
    assert!(generated.contains_key("commands.ts"));
    assert!(generated.contains_key("AppError.ts"));
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let dir = checked_in_dir();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &generated {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let current = checked_in();
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
        "ui/src/lib/bindings is out of date (changed: {stale:?}, no longer generated: {extra:?}). \
         Run `UPDATE_BINDINGS=1 cargo test --test bindings` and commit the result."
    );
}

#[test]
fn every_registered_command_has_a_typed_signature() {
    let sigs = cyberbara_studio::commands::signatures(&ts_rs::Config::new());
    let names: Vec<&str> = sigs.iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"active_balance") && names.contains(&"add_profile"),
        "{names:?}"
    );
    let add = sigs.iter().find(|s| s.name == "add_profile").unwrap();
    assert_eq!(add.args.as_deref(), Some("NewProfile"));
    assert_eq!(add.result, "ProfileView");
}
